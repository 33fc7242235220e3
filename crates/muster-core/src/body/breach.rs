//! The breach's entries: its scope, classification and peer review, the triggers regulatory
//! clocks start from, law-enforcement delays, communications sent and escalation steps done.

use serde::{Deserialize, Serialize};

use super::limits::{
    long_text, opt_long_text, short_text, MAX_BRIEFING_ITEMS, MAX_OPTIONS, MAX_PERSON, MAX_SHORT_TEXT,
    MAX_SUPERSEDES,
};
use super::{Body, EventTime};
use crate::breach::{
    rule_id, system_id, Affected, DataCategory, DelayBasis, Exposure, OrgRole, ScopedSystem, TriggerKind,
    MAX_JURISDICTIONS, MAX_SCOPE_SYSTEMS,
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
        self.affected
            .iter()
            .filter(|a| region.is_none_or(|r| a.jurisdiction.within(r)))
            .map(|a| a.individuals)
            .fold(0u64, u64::saturating_add)
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

/// A law-enforcement official asked that notification be delayed (45 CFR 164.412).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LawEnforcementDelay {
    pub basis: DelayBasis,
    pub agency: String,
    pub statement: String,
    pub from: EventTime,
    /// Required for a written statement; an oral one lasts at most 30 days from `from`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<EventTime>,
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
        match (self.basis, self.until) {
            (DelayBasis::Written, None) => Err(ValidationError::new(
                "until",
                "",
                "a written law-enforcement statement gives the end of the delay (45 CFR 164.412(a))",
            )),
            (_, Some(until)) if until.0 <= self.from.0 => {
                Err(ValidationError::new("until", until.0.to_rfc3339(), "the delay must end after it starts"))
            }
            _ => Ok(()),
        }
    }
    fn describe(&self) -> String {
        let until = self.until.map(|u| u.0.to_rfc3339()).unwrap_or_else(|| "30 days at most (oral)".into());
        format!(
            "Law-enforcement delay ({}) requested by {} until {until}: {}",
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
}
