//! IPC shapes of the Breach screen: scope, classification, regulatory clocks (with the ruleset
//! in force and who owes each notice), delays and escalation (the Systems screen's are in
//! `systems_dto`). Times as in `dto`: milliseconds (f64) plus text already
//! formatted in the viewer's zone; regulatory due instants also in UTC and in the zone the
//! days were counted in (the jurisdiction's).

use chrono::{DateTime, Utc};
use muster_core::body::{Body, ScopeSet};
use muster_core::breach::rules::classification::Verdict;
use muster_core::breach::rules::clocks::Obligation;
use muster_core::breach::rules::escalation::{ChecklistItem, StepStatus};
use muster_core::breach::state::ClassificationRecord;
use muster_core::breach::*;
use muster_core::ViewerZone;
use muster_store::{Rulebook, RulesetProblem};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Choice {
    pub slug: String,
    pub label: String,
}

fn choices<T: Copy>(all: &[T], slug: fn(&T) -> &'static str, label: fn(&T) -> &'static str) -> Vec<Choice> {
    all.iter().map(|v| Choice { slug: slug(v).into(), label: label(v).into() }).collect()
}

/// The vocabularies the breach forms offer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BreachVocabulary {
    pub data: Vec<Choice>,
    pub exposure: Vec<Choice>,
    pub roles: Vec<Choice>,
    pub criticality: Vec<Choice>,
    pub triggers: Vec<Choice>,
    pub delay_basis: Vec<Choice>,
    /// The laws a delay can be granted under (`hipaa` first: the default).
    pub delay_regimes: Vec<Choice>,
    pub functional: Vec<Choice>,
}

impl BreachVocabulary {
    pub fn get() -> Self {
        BreachVocabulary {
            data: choices(DataCategory::ALL, DataCategory::slug, DataCategory::label),
            exposure: choices(Exposure::ALL, Exposure::slug, Exposure::label),
            roles: choices(OrgRole::ALL, OrgRole::slug, OrgRole::label),
            criticality: choices(SystemCriticality::ALL, SystemCriticality::slug, SystemCriticality::label),
            triggers: choices(TriggerKind::ALL, TriggerKind::slug, TriggerKind::label),
            delay_basis: choices(DelayBasis::ALL, DelayBasis::slug, DelayBasis::label),
            delay_regimes: choices(DelayRegime::ALL, DelayRegime::slug, DelayRegime::label),
            functional: choices(FunctionalStatus::ALL, FunctionalStatus::slug, FunctionalStatus::label),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct AffectedView {
    pub jurisdiction: String,
    pub individuals: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ScopedSystemView {
    pub system: String,
    pub criticality: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ScopeView {
    pub affected: Vec<AffectedView>,
    pub individuals: f64,
    pub data: Vec<String>,
    pub exposure: Vec<String>,
    pub systems: Vec<ScopedSystemView>,
    pub roles: Vec<String>,
    pub litigation_exposure: bool,
    pub summary: String,
    pub recorded: StampView,
}

impl ScopeView {
    fn of(scope: &ScopeSet, stamp: &muster_core::fold::Stamp, zone: &ViewerZone) -> Self {
        ScopeView {
            affected: scope
                .affected
                .iter()
                .map(|a| AffectedView {
                    jurisdiction: a.jurisdiction.to_string(),
                    individuals: a.individuals as f64,
                })
                .collect(),
            individuals: scope.individuals_in(None) as f64,
            data: scope.data.iter().map(|d| d.slug().into()).collect(),
            exposure: scope.exposure.iter().map(|d| d.slug().into()).collect(),
            systems: scope
                .systems
                .iter()
                .map(|s| ScopedSystemView {
                    system: s.system.clone(),
                    criticality: s.criticality.slug().into(),
                })
                .collect(),
            roles: scope.roles.iter().map(|d| d.slug().into()).collect(),
            litigation_exposure: scope.litigation_exposure,
            summary: scope.describe(),
            recorded: StampView::of(stamp, zone),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct FiredRuleView {
    pub id: String,
    pub description: String,
    pub severity: String,
    pub major: bool,
    pub because: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct VerdictView {
    pub severity: String,
    pub major: bool,
    pub borderline: bool,
    pub borderline_reason: Option<String>,
    pub fired: Vec<FiredRuleView>,
    pub matrix: String,
}

impl VerdictView {
    fn of(v: &Verdict) -> Self {
        VerdictView {
            severity: v.severity.label().into(),
            major: v.major,
            borderline: v.borderline,
            borderline_reason: v.borderline_reason.clone(),
            fired: v
                .fired
                .iter()
                .map(|f| FiredRuleView {
                    id: f.id.clone(),
                    description: f.description.clone(),
                    severity: f.severity.label().into(),
                    major: f.major,
                    because: f.because.clone(),
                })
                .collect(),
            matrix: v.matrix.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ReviewView {
    pub confirmed: bool,
    pub summary: String,
    pub recorded: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ClassificationView {
    pub entry_id: String,
    pub short: String,
    /// After the deciding review.
    pub severity: String,
    pub major: bool,
    pub borderline: bool,
    pub awaiting_review: bool,
    pub fired: Vec<String>,
    pub matrix: String,
    pub rationale: Option<String>,
    pub recorded: StampView,
    pub reviews: Vec<ReviewView>,
}

impl ClassificationView {
    fn of(c: &ClassificationRecord, zone: &ViewerZone) -> Self {
        let (severity, major) = c.effective();
        ClassificationView {
            entry_id: c.stamp.entry_id.to_string(),
            short: c.stamp.entry_id.short(),
            severity: severity.label().into(),
            major,
            borderline: c.classification.borderline,
            awaiting_review: c.awaiting_review(),
            fired: c.classification.fired.clone(),
            matrix: c.classification.matrix.clone(),
            rationale: c.classification.rationale.clone(),
            recorded: StampView::of(&c.stamp, zone),
            reviews: c
                .reviews
                .iter()
                .map(|r| ReviewView {
                    confirmed: r.review.confirmed,
                    summary: muster_core::EntryBody::ClassificationReviewed(r.review.clone()).describe(),
                    recorded: StampView::of(&r.stamp, zone),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TriggerView {
    pub entry_id: String,
    pub trigger: String,
    pub label: String,
    pub at_ms: f64,
    pub at_text: String,
    pub note: Option<String>,
    pub recorded: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ObligationView {
    pub rule: String,
    pub regime: String,
    pub recipient: String,
    pub citation: String,
    /// The organisation role that owes the notice (slug) and its label.
    pub owed_by: String,
    pub owed_by_label: String,
    pub trigger: String,
    pub trigger_at_text: Option<String>,
    pub trigger_recorded_by: Option<String>,
    pub after: Option<String>,
    pub deadline: String,
    pub due_ms: Option<f64>,
    /// In the viewer's zone, zone named.
    pub due_text: Option<String>,
    pub due_utc: Option<String>,
    /// In the zone the days were counted in, zone named.
    pub due_jurisdiction: Option<String>,
    pub provisional: bool,
    pub status: String,
    pub met_by: Option<String>,
    pub met_text: Option<String>,
    pub late: bool,
    pub waived_by: Option<String>,
    pub waiver_rationale: Option<String>,
    pub suspended_until_text: Option<String>,
    pub applies_because: String,
    pub note: Option<String>,
}

fn in_zone(t: DateTime<Utc>, zone_name: &str) -> String {
    match zone_name.parse::<chrono_tz::Tz>() {
        Ok(tz) => t.with_timezone(&tz).format("%Y-%m-%d %H:%M %Z").to_string(),
        Err(_) => t.format("%Y-%m-%d %H:%M UTC").to_string(),
    }
}

impl ObligationView {
    fn of(o: &Obligation, zone: &ViewerZone) -> Self {
        ObligationView {
            rule: o.rule.clone(),
            regime: o.regime.clone(),
            recipient: o.recipient.clone(),
            citation: o.citation.clone(),
            owed_by: o.owed_by.slug().into(),
            owed_by_label: o.owed_by.label().into(),
            trigger: o.trigger.slug().into(),
            trigger_at_text: o.trigger_at.map(|t| zone.format(t)),
            trigger_recorded_by: o.trigger_recorded_by.as_ref().map(|a| a.person.clone()),
            after: o.after.clone(),
            deadline: o.deadline.clone(),
            due_ms: o.due.map(|d| ms(d.timestamp_millis())),
            due_text: o.due.map(|d| zone.format(d)),
            due_utc: o.due.map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string()),
            due_jurisdiction: o.due.map(|d| in_zone(d, &o.zone)),
            provisional: o.provisional,
            status: o.status.as_str().into(),
            met_by: o.met_by.map(|e| e.short()),
            met_text: o.met_at.map(|t| zone.format(t)),
            late: o.late,
            waived_by: o.waived_by.map(|e| e.short()),
            waiver_rationale: o.waiver_rationale.clone(),
            suspended_until_text: o.suspended_until.map(|t| zone.format(t)),
            applies_because: o.applies_because.clone(),
            note: o.note.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ChecklistView {
    pub rule: String,
    pub title: String,
    pub position: String,
    pub position_title: String,
    pub holders: Vec<String>,
    pub anchor: String,
    pub due_ms: Option<f64>,
    pub due_text: Option<String>,
    pub status: String,
    pub done_by: Option<String>,
    pub done_text: Option<String>,
    pub late: bool,
    pub applies_because: String,
}

impl ChecklistView {
    fn of(i: &ChecklistItem, zone: &ViewerZone) -> Self {
        ChecklistView {
            rule: i.rule.clone(),
            title: i.title.clone(),
            position: i.position.slug(),
            position_title: i.position.title(),
            holders: i.holders.clone(),
            anchor: i.anchor.slug().into(),
            due_ms: i.due.map(|d| ms(d.timestamp_millis())),
            due_text: i.due.map(|d| zone.format(d)),
            status: match i.status {
                StepStatus::Waiting => "waiting",
                StepStatus::Pending => "pending",
                StepStatus::Done => "done",
                StepStatus::Overdue => "overdue",
            }
            .into(),
            done_by: i.done.as_ref().map(|d| d.by.person.clone()),
            done_text: i.done.as_ref().map(|d| zone.format(d.at)),
            late: i.late,
            applies_because: i.applies_because.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CommunicationView {
    pub entry_id: String,
    pub recipient: String,
    pub channel: String,
    pub summary: String,
    pub sent_text: String,
    pub meets: Vec<String>,
    pub by: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DelayView {
    pub entry_id: String,
    pub basis: String,
    /// The law it was granted under (slug) and its citation.
    pub regime: String,
    pub regime_citation: String,
    pub agency: String,
    pub statement: String,
    pub from_text: String,
    pub until_text: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct RulesetProblemView {
    pub file: String,
    pub line: f64,
    pub field: String,
    pub message: String,
    pub using: String,
}

impl RulesetProblemView {
    fn of(p: &RulesetProblem) -> Self {
        RulesetProblemView {
            file: p.file.clone(),
            line: p.line as f64,
            field: p.field.clone(),
            message: p.message.clone(),
            using: match p.using {
                muster_store::RulesetSource::BuiltIn => "the built-in ruleset",
                muster_store::RulesetSource::Installation => "this file",
                muster_store::RulesetSource::LastValid => "the last valid copy of this file",
            }
            .into(),
        }
    }
}

/// Everything the Breach screen shows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BreachView {
    pub incident: String,
    pub now_ms: f64,
    pub scope: Option<ScopeView>,
    pub scope_conflict: bool,
    /// What the matrix makes of the current scope now (not recorded).
    pub preview: VerdictView,
    pub classification: Option<ClassificationView>,
    pub triggers: Vec<TriggerView>,
    pub obligations: Vec<ObligationView>,
    pub checklist: Vec<ChecklistView>,
    pub communications: Vec<CommunicationView>,
    pub delays: Vec<DelayView>,
    /// The regulatory clock ruleset in force, for people: "Regulatory clocks ruleset v3
    /// (2026-12-01)".
    pub clock_ruleset: String,
    pub rulesets: Vec<String>,
    pub problems: Vec<RulesetProblemView>,
    pub vocabulary: BreachVocabulary,
}

impl BreachView {
    #[allow(clippy::too_many_arguments)]
    pub fn of(
        incident: String,
        state: &muster_core::IncidentState,
        rules: &Rulebook,
        preview: &Verdict,
        obligations: &[Obligation],
        checklist: &[ChecklistItem],
        zone: &ViewerZone,
        now: DateTime<Utc>,
    ) -> Self {
        let b = &state.breach;
        BreachView {
            incident,
            now_ms: ms(now.timestamp_millis()),
            scope: b.scope().map(|s| ScopeView::of(&s.scope, &s.stamp, zone)),
            scope_conflict: b.scope_conflict(),
            preview: VerdictView::of(preview),
            classification: b.classification().map(|c| ClassificationView::of(c, zone)),
            triggers: b
                .triggers
                .iter()
                .map(|t| TriggerView {
                    entry_id: t.stamp.entry_id.short(),
                    trigger: t.trigger.slug().into(),
                    label: t.trigger.label().into(),
                    at_ms: ms(t.at.0.timestamp_millis()),
                    at_text: zone.format(t.at.0.with_timezone(&Utc)),
                    note: t.note.clone(),
                    recorded: StampView::of(&t.stamp, zone),
                })
                .collect(),
            obligations: obligations.iter().map(|o| ObligationView::of(o, zone)).collect(),
            checklist: checklist.iter().map(|i| ChecklistView::of(i, zone)).collect(),
            communications: b
                .communications
                .iter()
                .map(|c| CommunicationView {
                    entry_id: c.stamp.entry_id.short(),
                    recipient: c.communication.recipient.clone(),
                    channel: c.communication.channel.clone(),
                    summary: c.communication.summary.clone(),
                    sent_text: zone.format(
                        c.communication
                            .sent_at
                            .map(|t| t.0.with_timezone(&Utc))
                            .unwrap_or_else(|| c.stamp.at.instant()),
                    ),
                    meets: c.communication.obligations.clone(),
                    by: c.stamp.by.person.clone(),
                })
                .collect(),
            delays: b
                .delays
                .iter()
                .map(|d| DelayView {
                    entry_id: d.stamp.entry_id.short(),
                    basis: d.delay.basis.slug().into(),
                    regime: d.delay.regime.slug().into(),
                    regime_citation: d.delay.regime.citation().into(),
                    agency: d.delay.agency.clone(),
                    statement: d.delay.statement.clone(),
                    from_text: zone.format(d.delay.from.0.with_timezone(&Utc)),
                    until_text: match (d.delay.until, d.delay.regime.oral_max_days()) {
                        (Some(u), _) => zone.format(u.0.with_timezone(&Utc)),
                        (None, Some(days)) => format!("{days} days at most (oral)"),
                        (None, None) => "its stated end".into(),
                    },
                })
                .collect(),
            clock_ruleset: format!(
                "Regulatory clocks ruleset v{} ({})",
                rules.clocks.header.version, rules.clocks.header.as_of
            ),
            rulesets: rules.in_force.iter().map(|r| format!("{}@{}", r.name, r.version)).collect(),
            problems: rules.problems.iter().map(RulesetProblemView::of).collect(),
            vocabulary: BreachVocabulary::get(),
        }
    }
}

// ------------------------------------------------------------------ inputs

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ScopeFormInput {
    pub incident: String,
    pub affected: Vec<AffectedView>,
    pub data: Vec<String>,
    pub exposure: Vec<String>,
    pub systems: Vec<ScopedSystemView>,
    pub roles: Vec<String>,
    pub litigation_exposure: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ClassifyInput {
    pub incident: String,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ReviewFormInput {
    pub incident: String,
    pub confirm: bool,
    pub severity: Option<String>,
    pub major: Option<bool>,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct TriggerInput {
    pub incident: String,
    pub trigger: String,
    pub at: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct CommunicationFormInput {
    pub incident: String,
    pub recipient: String,
    pub channel: String,
    pub summary: String,
    pub sent_at: Option<String>,
    pub obligations: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct NotificationInput {
    pub incident: String,
    pub rule: String,
    pub notify: bool,
    pub rationale: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct DelayFormInput {
    pub incident: String,
    pub basis: String,
    /// The law the delay was granted under (a `delay_regimes` slug); absent: `hipaa`.
    pub regime: Option<String>,
    pub agency: String,
    pub statement: String,
    pub from: String,
    pub until: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct EscalationInput {
    pub incident: String,
    pub rule: String,
    pub note: Option<String>,
}
