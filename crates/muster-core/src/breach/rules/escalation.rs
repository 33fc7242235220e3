//! Escalation paths: who must be brought in, by which position, how soon after which moment
//! (assets/rules/escalation.toml). Applied to an incident they give a checklist with due times,
//! ticked off by `escalation.done` entries.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{line_of, parse_toml, rule_id_on_line, Condition, Facts, RulesFile, RulesetError, RulesetHeader};
use crate::breach::TriggerKind;
use crate::entry::Author;
use crate::fold::IncidentState;
use crate::ids::EntryId;
use crate::position::Position;

pub const BUILT_IN_FILE: &str = "escalation.toml";
pub const BUILT_IN: &str = include_str!("../../../../../assets/rules/escalation.toml");

/// The moment an escalation's time starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Anchor {
    /// The incident was opened.
    Opened,
    /// A clock trigger was recorded (confirmation is the `determination` trigger).
    Discovery,
    Awareness,
    Determination,
    Materiality,
    HighRisk,
    Suspicion,
    /// The first scope that flagged litigation exposure.
    LitigationFlagged,
    /// The first classification (after review) as a major incident.
    MajorIncident,
}

impl Anchor {
    pub fn slug(&self) -> &'static str {
        match self {
            Anchor::Opened => "opened",
            Anchor::Discovery => "discovery",
            Anchor::Awareness => "awareness",
            Anchor::Determination => "determination",
            Anchor::Materiality => "materiality",
            Anchor::HighRisk => "high-risk",
            Anchor::Suspicion => "suspicion",
            Anchor::LitigationFlagged => "litigation-flagged",
            Anchor::MajorIncident => "major-incident",
        }
    }

    fn trigger(&self) -> Option<TriggerKind> {
        Some(match self {
            Anchor::Discovery => TriggerKind::Discovery,
            Anchor::Awareness => TriggerKind::Awareness,
            Anchor::Determination => TriggerKind::Determination,
            Anchor::Materiality => TriggerKind::Materiality,
            Anchor::HighRisk => TriggerKind::HighRisk,
            Anchor::Suspicion => TriggerKind::Suspicion,
            _ => return None,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationRule {
    pub id: String,
    pub title: String,
    pub position: Position,
    pub anchor: Anchor,
    pub minutes: u32,
    pub when: Condition,
    pub source: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationRuleset {
    pub header: RulesetHeader,
    pub rules: Vec<EscalationRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: toml::Spanned<String>,
    title: String,
    position: Position,
    anchor: Anchor,
    minutes: toml::Spanned<u32>,
    #[serde(default)]
    when: Option<toml::Spanned<Condition>>,
    #[serde(default)]
    source: Option<String>,
}

impl EscalationRuleset {
    pub fn built_in() -> Result<EscalationRuleset, RulesetError> {
        EscalationRuleset::parse(BUILT_IN_FILE, BUILT_IN)
    }

    pub fn parse(file: &str, text: &str) -> Result<EscalationRuleset, RulesetError> {
        let raw: RulesFile<RawRule> = parse_toml(file, text)?;
        let mut rules: Vec<EscalationRule> = Vec::new();
        for r in raw.rule {
            let (id, line) = rule_id_on_line(file, text, r.id, |id| rules.iter().any(|x| x.id == id))?;
            let minutes = *r.minutes.get_ref();
            if minutes == 0 {
                return Err(RulesetError {
                    file: file.into(),
                    line: line_of(text, r.minutes.span().start),
                    field: "minutes".into(),
                    message: "an escalation is due at least 1 minute after its anchor".into(),
                });
            }
            let when_line = r.when.as_ref().map_or(line, |w| line_of(text, w.span().start));
            let when = r.when.map(toml::Spanned::into_inner).unwrap_or_default();
            when.check(file, when_line)?;
            rules.push(EscalationRule {
                id,
                title: r.title,
                position: r.position,
                anchor: r.anchor,
                minutes,
                when,
                source: r.source,
            });
        }
        Ok(EscalationRuleset { header: raw.ruleset, rules })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepStatus {
    /// The anchor has not happened (or not been recorded) yet.
    Waiting,
    Pending,
    Done,
    Overdue,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Done {
    pub entry: EntryId,
    pub by: Author,
    pub at: DateTime<Utc>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub rule: String,
    pub title: String,
    pub position: Position,
    /// Who holds the responsible position now (several in a conflict).
    pub holders: Vec<String>,
    pub anchor: Anchor,
    pub anchor_at: Option<DateTime<Utc>>,
    pub minutes: u32,
    pub due: Option<DateTime<Utc>>,
    pub status: StepStatus,
    pub done: Option<Done>,
    /// Done after the due instant.
    pub late: bool,
    pub applies_because: String,
    pub source: Option<String>,
}

/// The escalation checklist of an incident, in ruleset order.
pub fn checklist(rules: &EscalationRuleset, state: &IncidentState, now: DateTime<Utc>) -> Vec<ChecklistItem> {
    let breach = &state.breach;
    let major = breach.classification().is_some_and(|c| c.effective().1);
    let facts = Facts { scope: breach.scope().map(|s| &s.scope), major };
    rules
        .rules
        .iter()
        .filter(|r| r.when.holds(&facts))
        .map(|r| {
            let anchor_at = anchor_instant(r.anchor, state);
            let due = anchor_at.map(|a| a + Duration::minutes(i64::from(r.minutes)));
            let done = breach.escalations.iter().find(|t| t.rule == r.id).map(|t| Done {
                entry: t.stamp.entry_id,
                by: t.stamp.by.clone(),
                at: t.stamp.at.instant(),
                note: t.note.clone(),
            });
            let status = match (&done, anchor_at, due) {
                (Some(_), _, _) => StepStatus::Done,
                (None, None, _) => StepStatus::Waiting,
                (None, Some(_), Some(d)) if now > d => StepStatus::Overdue,
                _ => StepStatus::Pending,
            };
            let holders = state
                .assignments
                .iter()
                .filter(|a| a.position == r.position && a.ended.is_none())
                .map(|a| a.person.clone())
                .collect();
            ChecklistItem {
                rule: r.id.clone(),
                title: r.title.clone(),
                position: r.position.clone(),
                holders,
                anchor: r.anchor,
                anchor_at,
                minutes: r.minutes,
                due,
                late: matches!((&done, due), (Some(d), Some(due)) if d.at > due),
                status,
                done,
                applies_because: r.when.explain(&facts),
                source: r.source.clone(),
            }
        })
        .collect()
}

fn anchor_instant(anchor: Anchor, state: &IncidentState) -> Option<DateTime<Utc>> {
    let breach = &state.breach;
    if let Some(kind) = anchor.trigger() {
        return breach.trigger(kind).map(|t| t.at.0.with_timezone(&Utc));
    }
    match anchor {
        Anchor::Opened => state.opened.as_ref().map(|s| s.at.instant()),
        // Superseded scopes count too: the flag was raised when it was first recorded.
        Anchor::LitigationFlagged => breach.litigation_flagged.as_ref().map(|s| s.at.instant()),
        Anchor::MajorIncident => breach
            .classifications
            .iter()
            .filter(|c| c.effective().1)
            // Major from the classification itself (a confirming review does not move it), or
            // from the review that made it major.
            .map(|c| match c.reviews.first() {
                Some(r) if !c.classification.major => r.stamp.at.instant(),
                _ => c.stamp.at.instant(),
            })
            .min(),
        _ => None,
    }
}
