//! IPC shapes of the regulatory clocks on the Breach screen: the clock triggers (which one
//! governs where several of a kind are recorded) and the obligations they start, most urgent
//! first. Split from `breach` by what they are about; re-exported with it.

use chrono::{DateTime, Utc};
use muster_core::breach::rules::clocks::Obligation;
use muster_core::breach::state::{BreachState, TriggerRecord};
use muster_core::ViewerZone;
use serde::Serialize;

#[cfg(test)]
use ts_rs::TS;

use super::*;

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
    /// The clocks of its kind run from this one.
    pub governs: bool,
    /// Where several of its kind are recorded: why the clocks run from the one they do
    /// (on the governing one), or which one they run from instead (on the others).
    pub choice: Option<String>,
}

impl TriggerView {
    pub(super) fn of(t: &TriggerRecord, b: &BreachState, zone: &ViewerZone) -> Self {
        let governing = b.trigger(t.trigger);
        let governs = governing.is_some_and(|g| g.stamp.entry_id == t.stamp.entry_id);
        let choice = b.governing_trigger_because(t.trigger).map(|because| match governing {
            Some(g) if !governs => format!(
                "Not used by the clocks: they run from #{} ({}), {because}.",
                g.stamp.entry_id.short(),
                zone.format(g.at.0.with_timezone(&Utc))
            ),
            _ => format!("The clocks run from this one: {because}."),
        });
        TriggerView {
            entry_id: t.stamp.entry_id.short(),
            trigger: t.trigger.slug().into(),
            label: t.trigger.label().into(),
            at_ms: ms(t.at.0.timestamp_millis()),
            at_text: zone.format(t.at.0.with_timezone(&Utc)),
            note: t.note.clone(),
            recorded: StampView::of(&t.stamp, zone),
            governs,
            choice,
        }
    }
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
    /// The trigger entry the clock runs from (short id).
    pub trigger_entry: Option<String>,
    /// Where several triggers of its kind are recorded: why the clock runs from this one.
    pub trigger_choice: Option<String>,
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
    pub(super) fn of(o: &Obligation, b: &BreachState, zone: &ViewerZone) -> Self {
        ObligationView {
            trigger_entry: o.trigger_entry.map(|e| e.short()),
            trigger_choice: o.trigger_entry.and_then(|_| b.governing_trigger_because(o.trigger)),
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

/// The most urgent first: open obligations (overdue, then pending) by due instant, those
/// without one after them; then the met, then the waived; ties in ruleset order.
pub(super) fn by_urgency(obligations: &[Obligation]) -> Vec<&Obligation> {
    use muster_core::breach::rules::clocks::ObligationStatus as S;
    let mut list: Vec<(usize, &Obligation)> = obligations.iter().enumerate().collect();
    list.sort_by_key(|(i, o)| {
        let rank = match o.status {
            S::Overdue => 0,
            S::Pending => 1,
            S::Met => 2,
            S::Waived => 3,
        };
        (rank, o.due.is_none(), o.due, *i)
    });
    list.into_iter().map(|(_, o)| o).collect()
}
