//! The alert area above every screen: what is owed now or soon, from one list. Status updates
//! from when they fall due, escalation steps from when they are overdue, regulatory deadlines
//! from 24 hours before they are due. The rules of when each item joins and when it is late are
//! the domain's (`muster_core::prompts`, `breach::rules`); the list carries those instants, so
//! the window can say how late each item is at every tick without asking again.

use chrono::{DateTime, Utc};
use muster_core::breach::rules::clocks::{reminded_from, Obligation};
use muster_core::breach::rules::escalation::{ChecklistItem, StepStatus};
use muster_core::prompts::PromptClock;
use muster_core::ViewerZone;
use serde::Serialize;

#[cfg(test)]
use ts_rs::TS;

use super::*;

ipc_state! {
    /// What an alert is about, and so what resolves it.
    AlertKind {
        /// A position's status update (the status form for that position).
        StatusUpdate,
        /// An escalation step (the Breach screen, at that step).
        EscalationStep,
        /// A regulatory notification deadline (the Breach screen, at that obligation).
        Deadline,
    }
}

/// One item of the alert area.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AlertView {
    /// Unique on the board: "status_update:scribe", "deadline:gdpr.authority", ...
    pub key: String,
    pub kind: AlertKind,
    /// What is owed: "Scribe status update", "Notify HHS Office for Civil Rights", a step's title.
    pub what: String,
    /// Who owes it: the position's holders, or the position and holders of a step, or the
    /// organisation that owes a deadline (ruleset v3's `owed_by`) with the rule and citation.
    pub who: String,
    /// From this instant the item is in the alert area.
    pub shows_from_ms: f64,
    /// When it is owed: how late it is counts from here.
    pub due_ms: f64,
    pub due_text: String,
    /// From this instant it is late (a status update escalated to the commander; a step or a
    /// deadline overdue).
    pub late_from_ms: f64,
    /// The position whose status update answers it.
    pub position: Option<String>,
    /// The rule the Breach screen lists it under (a step or a deadline).
    pub rule: Option<String>,
}

fn after_due(due: DateTime<Utc>) -> i64 {
    // A step or a deadline is on time at its due instant and overdue the millisecond after.
    due.timestamp_millis().saturating_add(1)
}

fn holders(list: &[String]) -> String {
    if list.is_empty() {
        "unassigned".into()
    } else {
        list.join(", ")
    }
}

impl AlertView {
    fn status_update(c: &PromptClock, zone: &ViewerZone) -> Self {
        AlertView {
            key: format!("status_update:{}", c.position.slug()),
            kind: AlertKind::StatusUpdate,
            what: format!("{} status update", c.position.title()),
            who: holders(&c.holders),
            shows_from_ms: ms(c.due_ms),
            due_ms: ms(c.due_ms),
            due_text: format_ms(zone, c.due_ms),
            late_from_ms: ms(c.escalate_ms),
            position: Some(c.position.slug()),
            rule: None,
        }
    }

    fn escalation_step(i: &ChecklistItem, zone: &ViewerZone) -> Option<Self> {
        if !matches!(i.status, StepStatus::Pending | StepStatus::Overdue) {
            return None;
        }
        let due = i.due?;
        Some(AlertView {
            key: format!("escalation_step:{}", i.rule),
            kind: AlertKind::EscalationStep,
            what: i.title.clone(),
            who: format!("{}: {}", i.position.title(), holders(&i.holders)),
            shows_from_ms: ms(after_due(due)),
            due_ms: ms(due.timestamp_millis()),
            due_text: zone.format(due),
            late_from_ms: ms(after_due(due)),
            position: None,
            rule: Some(i.rule.clone()),
        })
    }

    fn deadline(o: &Obligation, zone: &ViewerZone) -> Option<Self> {
        let from = reminded_from(o)?;
        let due = o.due?;
        Some(AlertView {
            key: format!("deadline:{}", o.rule),
            kind: AlertKind::Deadline,
            what: format!("Notify {}", o.recipient),
            who: format!("{} · {} ({})", o.owed_by.label(), o.rule, o.citation),
            shows_from_ms: ms(from.timestamp_millis()),
            due_ms: ms(due.timestamp_millis()),
            due_text: zone.format(due),
            late_from_ms: ms(after_due(due)),
            position: None,
            rule: Some(o.rule.clone()),
        })
    }

    /// Every item that is or will be in the alert area, the most late first (earliest due).
    pub fn all(
        clocks: &[PromptClock],
        checklist: &[ChecklistItem],
        obligations: &[Obligation],
        zone: &ViewerZone,
    ) -> Vec<AlertView> {
        let mut out: Vec<AlertView> = clocks.iter().map(|c| AlertView::status_update(c, zone)).collect();
        out.extend(checklist.iter().filter_map(|i| AlertView::escalation_step(i, zone)));
        out.extend(obligations.iter().filter_map(|o| AlertView::deadline(o, zone)));
        out.sort_by(|a, b| a.due_ms.total_cmp(&b.due_ms).then_with(|| a.key.cmp(&b.key)));
        out
    }
}
