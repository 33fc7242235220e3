//! The breach's entries: its scope, classification and peer review, the triggers regulatory
//! clocks start from, law-enforcement delays, communications sent and escalation steps done.

use serde::{Deserialize, Serialize};

use super::limits::{
    long_text, opt_long_text, short_text, MAX_BRIEFING_ITEMS, MAX_OPTIONS, MAX_PERSON, MAX_SHORT_TEXT,
    MAX_SUPERSEDES,
};
use super::{Body, EventTime};
use crate::breach::{
    rule_id, system_id, Affected, DataCategory, DelayBasis, DelayRegime, Exposure, OrgRole, ScopedSystem,
    TriggerKind, MAX_JURISDICTIONS, MAX_SCOPE_SYSTEMS,
};
use crate::error::ValidationError;
use crate::ids::EntryId;
use crate::severity::Severity;

/// The scope of the incident as known now: a whole snapshot. `supersedes` lists the scope
/// entries its author saw; snapshots that do not supersede each other (written while
/// partitioned) both stand and are shown as a conflict until a later one supersedes them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeSet {
    pub affected: Vec<Affected>,
    pub data: Vec<DataCategory>,
    pub exposure: Vec<Exposure>,
    pub systems: Vec<ScopedSystem>,
    pub roles: Vec<OrgRole>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub litigation_exposure: bool,
    pub supersedes: Vec<EntryId>,
}

impl ScopeSet {
    /// Nothing known yet: no one affected, no data, no exposure, no systems, no role.
    pub fn empty() -> ScopeSet {
        ScopeSet {
            affected: vec![],
            data: vec![],
            exposure: vec![],
            systems: vec![],
            roles: vec![],
            litigation_exposure: false,
            supersedes: vec![],
        }
    }

    /// Individuals affected in jurisdictions within `region` (`None`: everywhere).
    pub fn individuals_in(&self, region: Option<&str>) -> u64 {
        self.places()
            .into_iter()
            .filter(|(place, _)| region.is_none_or(|r| crate::breach::scope::place_within(place, r)))
            .map(|(_, n)| n)
            .fold(0u64, u64::saturating_add)
    }

    /// Individuals per place, each place once, in the order first listed. Two codes can name
    /// one place (`PR` and `US-PR`); a scope entered now stores one spelling, but one written
    /// before both were read as one place may list both: the larger count is taken, so the same
    /// residents entered twice are not counted twice.
    pub fn places(&self) -> Vec<(&str, u64)> {
        let mut out: Vec<(&str, u64)> = Vec::new();
        for a in &self.affected {
            let place = a.jurisdiction.place();
            match out.iter_mut().find(|(p, _)| *p == place) {
                Some((_, n)) => *n = (*n).max(a.individuals),
                None => out.push((place, a.individuals)),
            }
        }
        out
    }
}

impl Body for ScopeSet {
    const KIND: &'static str = "scope.set";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        if self.affected.len() > MAX_JURISDICTIONS {
            return Err(ValidationError::new(
                "affected",
                self.affected.len().to_string(),
                format!("at most {MAX_JURISDICTIONS} jurisdictions"),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for a in &self.affected {
            if !seen.insert(&a.jurisdiction) {
                return Err(ValidationError::new(
                    "affected",
                    a.jurisdiction.as_str(),
                    "is listed twice; give one count per jurisdiction",
                ));
            }
        }
        if self.systems.len() > MAX_SCOPE_SYSTEMS {
            return Err(ValidationError::new(
                "systems",
                self.systems.len().to_string(),
                format!("at most {MAX_SCOPE_SYSTEMS} systems"),
            ));
        }
        for s in &self.systems {
            system_id("systems", &s.system)?;
        }
        if self.supersedes.len() > MAX_SUPERSEDES {
            return Err(ValidationError::new(
                "supersedes",
                self.supersedes.len().to_string(),
                "too many entries",
            ));
        }
        Ok(())
    }

    fn describe(&self) -> String {
        let affected: Vec<String> =
            self.affected.iter().map(|a| format!("{} {}", a.jurisdiction, a.individuals)).collect();
        let data: Vec<&str> = self.data.iter().map(|d| d.slug()).collect();
        let exposure: Vec<&str> = self.exposure.iter().map(|d| d.slug()).collect();
        let roles: Vec<&str> = self.roles.iter().map(|d| d.slug()).collect();
        let mut text = format!(
            "Scope: {} individuals ({}) | data: {} | exposure: {} | roles: {}",
            self.individuals_in(None),
            if affected.is_empty() { "none".to_string() } else { affected.join(", ") },
            none_if_empty(&data),
            none_if_empty(&exposure),
            none_if_empty(&roles),
        );
        if !self.systems.is_empty() {
            let systems: Vec<&str> = self.systems.iter().map(|s| s.system.as_str()).collect();
            text.push_str(&format!(" | systems: {}", systems.join(", ")));
        }
        if self.litigation_exposure {
            text.push_str(" | litigation exposure");
        }
        text
    }
}

fn none_if_empty(items: &[&str]) -> String {
    if items.is_empty() {
        "none".into()
    } else {
        items.join(", ")
    }
}

/// The classification matrix's verdict, recorded with the rules that fired. `borderline`
/// results wait for a second person's review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationRecorded {
    pub severity: Severity,
    pub major: bool,
    pub borderline: bool,
    /// `name@version` of the matrix that produced it.
    pub matrix: String,
    pub fired: Vec<String>,
    /// The scope entry it was computed from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<EntryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A second person's review of a classification: confirmed, or changed with a rationale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassificationReviewed {
    pub classification: EntryId,
    pub confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub major: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A moment a regulatory clock starts from, as it happened (`at`), recorded by the author.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriggerRecorded {
    pub trigger: TriggerKind,
    pub at: EventTime,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A law-enforcement official (or, for an SEC filing, the U.S. Attorney General) asked that
/// notification be delayed. `regime` is the law the delay was granted under; it decides which
/// notices are held back (crate::breach::delays).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawEnforcementDelay {
    pub basis: DelayBasis,
    pub agency: String,
    pub statement: String,
    pub from: EventTime,
    /// Required for a written statement; an oral one lasts at most 30 days from `from`
    /// (HIPAA, H&S Code 1280.15) and must state its end under the other laws.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<EventTime>,
    /// Absent in entries written before delays named their law, which were all HIPAA's; a
    /// HIPAA delay is still written without it, so its signed text is what it always was.
    #[serde(default, skip_serializing_if = "DelayRegime::is_hipaa")]
    pub regime: DelayRegime,
}

/// A communication sent (notice to individuals, a regulator, the media...). `obligations`
/// names the regulatory rules it meets.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunicationSent {
    pub recipient: String,
    pub channel: String,
    pub summary: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_at: Option<EventTime>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub obligations: Vec<String>,
}

/// A step of an escalation path done (ticks the checklist item of `rule`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EscalationDone {
    pub rule: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

impl Body for ClassificationRecorded {
    const KIND: &'static str = "classification.recorded";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("matrix", &self.matrix, MAX_SHORT_TEXT)?;
        if self.fired.len() > MAX_BRIEFING_ITEMS {
            return Err(ValidationError::new("fired", self.fired.len().to_string(), "too many rules"));
        }
        for id in &self.fired {
            rule_id("fired", id)?;
        }
        opt_long_text("rationale", self.rationale.as_deref())
    }
    fn describe(&self) -> String {
        let major = if self.major { ", major incident" } else { "" };
        let borderline = if self.borderline { " (borderline: peer review asked)" } else { "" };
        let fired = if self.fired.is_empty() { "no rule".to_string() } else { self.fired.join(", ") };
        let mut text = format!("Classified {}{major}{borderline} by {}: {fired}", self.severity, self.matrix);
        if let Some(r) = &self.rationale {
            text.push_str(&format!(" | {r}"));
        }
        text
    }
}

impl Body for ClassificationReviewed {
    const KIND: &'static str = "classification.reviewed";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        if !self.confirmed && self.severity.is_none() && self.major.is_none() {
            return Err(ValidationError::new(
                "severity",
                "",
                "a review that does not confirm gives the severity or major flag it changes to",
            ));
        }
        if !self.confirmed && self.rationale.is_none() {
            return Err(ValidationError::new("rationale", "", "a changed classification needs a rationale"));
        }
        opt_long_text("rationale", self.rationale.as_deref())
    }
    fn describe(&self) -> String {
        let mut text = if self.confirmed {
            format!("Classification #{} confirmed by peer review", self.classification.short())
        } else {
            let sev = self.severity.map(|s| s.to_string()).unwrap_or_else(|| "unchanged severity".into());
            let major = match self.major {
                Some(true) => ", major incident",
                Some(false) => ", not a major incident",
                None => "",
            };
            format!("Classification #{} changed by peer review to {sev}{major}", self.classification.short())
        };
        if let Some(r) = &self.rationale {
            text.push_str(&format!(": {r}"));
        }
        text
    }
}

impl Body for TriggerRecorded {
    const KIND: &'static str = "trigger.recorded";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        opt_long_text("note", self.note.as_deref())
    }
    fn describe(&self) -> String {
        let mut text = format!("Trigger {}: {}", self.trigger, self.at.0.to_rfc3339());
        if let Some(n) = &self.note {
            text.push_str(&format!(" | {n}"));
        }
        text
    }
}

impl Body for LawEnforcementDelay {
    const KIND: &'static str = "law-enforcement.delay";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("agency", &self.agency, MAX_SHORT_TEXT)?;
        long_text("statement", &self.statement)?;
        let law = self.regime.citation();
        if self.basis == DelayBasis::Oral && self.regime.needs_written() {
            return Err(ValidationError::new(
                "basis",
                "oral",
                format!("only a written statement delays notice under {law}"),
            ));
        }
        match (self.basis, self.until) {
            (DelayBasis::Written, None) => Err(ValidationError::new(
                "until",
                "",
                format!("a written statement gives the end of the delay ({law})"),
            )),
            (DelayBasis::Oral, None) if self.regime.oral_max_days().is_none() => Err(ValidationError::new(
                "until",
                "",
                format!(
                    "{law} sets no limit on an oral request: give the end the agency stated (record a new delay if it is extended)"
                ),
            )),
            (_, Some(until)) if until.0 <= self.from.0 => {
                Err(ValidationError::new("until", until.0.to_rfc3339(), "the delay must end after it starts"))
            }
            _ => Ok(()),
        }
    }
    fn describe(&self) -> String {
        let until = match (self.until, self.regime.oral_max_days()) {
            (Some(u), _) => u.0.to_rfc3339(),
            (None, Some(days)) => format!("{days} days at most (oral)"),
            (None, None) => "its stated end".into(),
        };
        // A HIPAA delay reads as it did before delays named their law.
        let law =
            if self.regime.is_hipaa() { String::new() } else { format!(", {}", self.regime.citation()) };
        format!(
            "Law-enforcement delay ({}{law}) requested by {} until {until}: {}",
            self.basis, self.agency, self.statement
        )
    }
}

impl Body for CommunicationSent {
    const KIND: &'static str = "communication.sent";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("recipient", &self.recipient, MAX_SHORT_TEXT)?;
        short_text("channel", &self.channel, MAX_PERSON)?;
        long_text("summary", &self.summary)?;
        if self.obligations.len() > MAX_OPTIONS {
            return Err(ValidationError::new(
                "obligations",
                self.obligations.len().to_string(),
                format!("at most {MAX_OPTIONS} rules"),
            ));
        }
        for id in &self.obligations {
            rule_id("obligations", id)?;
        }
        Ok(())
    }
    fn describe(&self) -> String {
        let meets = if self.obligations.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.obligations.join(", "))
        };
        format!("Sent to {} by {}{meets}: {}", self.recipient, self.channel, self.summary)
    }
}

impl Body for EscalationDone {
    const KIND: &'static str = "escalation.done";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        rule_id("rule", &self.rule)?;
        opt_long_text("note", self.note.as_deref())
    }
    fn describe(&self) -> String {
        match &self.note {
            Some(n) => format!("Escalation {} done: {n}", self.rule),
            None => format!("Escalation {} done", self.rule),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::breach::Jurisdiction;

    #[test]
    fn a_jurisdiction_listed_twice_is_refused() {
        let j = Jurisdiction::parse("affected", "US-CA").unwrap();
        let scope = ScopeSet {
            affected: vec![
                Affected { jurisdiction: j.clone(), individuals: 1 },
                Affected { jurisdiction: j, individuals: 2 },
            ],
            ..ScopeSet::empty()
        };
        assert_eq!(scope.validate().unwrap_err().value, "US-CA");
    }

    #[test]
    fn a_stored_scope_with_both_spellings_of_one_place_still_validates() {
        // Written before PR and US-PR were read as one place: it must still be accepted from
        // another laptop (validation runs on ingest), and counts the place once.
        let json = r#"{"affected":[{"individuals":300,"jurisdiction":"PR"},{"individuals":550,"jurisdiction":"US-PR"}],"data":[],"exposure":[],"roles":[],"supersedes":[],"systems":[]}"#;
        let body = crate::body::EntryBody::decode(ScopeSet::KIND, 1, json).unwrap();
        body.validate().unwrap();
        assert_eq!(body.to_canonical_json().unwrap(), json, "stored spelling kept");
        let crate::body::EntryBody::ScopeSet(scope) = body else { panic!() };
        assert_eq!(scope.places(), [("US-PR", 550)]);
        assert_eq!((scope.individuals_in(Some("US")), scope.individuals_in(None)), (550, 550));
    }

    /// A delay signed before delays named their law: the exact text of such a body.
    const OLD_DELAY: &str = r#"{"agency":"FBI Dallas","basis":"oral","from":"2026-10-05T00:00:00-05:00","statement":"Notice would impede the investigation"}"#;

    #[test]
    fn a_delay_written_before_regimes_decodes_as_hipaa_and_signs_the_same_text() {
        use crate::body::{Body, EntryBody};
        let body = EntryBody::decode(LawEnforcementDelay::KIND, 1, OLD_DELAY).unwrap();
        let EntryBody::LawEnforcementDelay(d) = &body else { panic!("{body:?}") };
        assert_eq!(d.regime, DelayRegime::Hipaa);
        body.validate().unwrap();
        // Re-encoding gives the text that was signed, byte for byte.
        assert_eq!(body.to_canonical_json().unwrap(), OLD_DELAY);
        assert_eq!(
            body.describe(),
            "Law-enforcement delay (oral) requested by FBI Dallas until 30 days at most (oral): Notice would impede the investigation"
        );
        // A delay under another law names it, and says so.
        let mut texas = d.clone();
        texas.regime = DelayRegime::UsTx;
        texas.until = Some(texas.from);
        texas.until.as_mut().unwrap().0 += chrono::Duration::days(20);
        let json = EntryBody::LawEnforcementDelay(texas.clone()).to_canonical_json().unwrap();
        assert!(json.contains(r#""regime":"us-tx""#), "{json}");
        let back = EntryBody::decode(LawEnforcementDelay::KIND, 1, &json).unwrap();
        assert_eq!(back, EntryBody::LawEnforcementDelay(texas));
        assert!(back.describe().contains("Tex. Bus. & Com. Code 521.053(d)"), "{}", back.describe());
    }

    #[test]
    fn each_law_asks_for_what_its_delays_need() {
        use chrono::DateTime;
        let from = EventTime(DateTime::parse_from_rfc3339("2026-10-05T00:00:00Z").unwrap());
        let later = EventTime(DateTime::parse_from_rfc3339("2026-10-25T00:00:00Z").unwrap());
        let d = |regime, basis, until| LawEnforcementDelay {
            basis,
            agency: "FBI".into(),
            statement: "impede".into(),
            from,
            until,
            regime,
        };
        use DelayBasis::{Oral, Written};
        // (regime, basis, until, refused field)
        let cases = [
            (DelayRegime::Hipaa, Oral, None, None),
            (DelayRegime::Hipaa, Written, None, Some("until")),
            (DelayRegime::UsCaHealthFacility, Oral, None, None),
            (DelayRegime::UsTx, Oral, None, Some("until")),
            (DelayRegime::UsTx, Oral, Some(later), None),
            (DelayRegime::UsCo, Oral, None, Some("until")),
            (DelayRegime::UsFl, Oral, Some(later), Some("basis")),
            (DelayRegime::UsFl, Written, Some(later), None),
            (DelayRegime::Sec, Oral, Some(later), Some("basis")),
            (DelayRegime::Sec, Written, Some(later), None),
            (DelayRegime::Sec, Written, Some(from), Some("until")),
        ];
        for (regime, basis, until, refused) in cases {
            let got = d(regime, basis, until).validate().err().map(|e| e.field);
            assert_eq!(got.as_deref(), refused, "{regime} {basis} until {until:?}");
        }
    }
}
