//! The roster (HICS 203) and command handover: assignments, the commander, the briefing.

use muster_core::body::Briefing;
use muster_core::fold::{Assignment, Handover, HandoverOutcome};
use muster_core::ViewerZone;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

ipc_state! {
    /// Who commands: nobody, one person, or several named on cut-off laptops (a conflict).
    CommanderState { Vacant, Held, Conflict }
}

ipc_state! {
    /// A command handover offer: waiting for acceptance, accepted, cancelled or declined, or
    /// lapsed (command changed by another assignment meanwhile).
    HandoverState { Pending, Accepted, Cancelled, Lapsed }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AssignmentView {
    pub entry_id: String,
    pub short: String,
    pub position: PositionView,
    pub person: String,
    pub assigned_ms: f64,
    pub assigned_text: String,
    pub assigned_by: String,
    pub ended: Option<StampView>,
    pub ended_relieved: bool,
    pub ended_reason: Option<String>,
}

impl AssignmentView {
    pub fn of(a: &Assignment, zone: &ViewerZone) -> Self {
        AssignmentView {
            entry_id: a.entry_id.to_string(),
            short: a.entry_id.short(),
            position: PositionView::of(&a.position),
            person: a.person.clone(),
            assigned_ms: ms(a.assigned_at.utc_ms),
            assigned_text: format_ms(zone, a.assigned_at.utc_ms),
            assigned_by: a.assigned_by.person.clone(),
            ended: a.ended.as_ref().map(|e| StampView::of(&e.stamp, zone)),
            ended_relieved: a.ended.as_ref().is_some_and(|e| e.relieved),
            ended_reason: a.ended.as_ref().and_then(|e| e.reason.clone()),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct RosterLineView {
    pub position: PositionView,
    pub holders: Vec<AssignmentView>,
    pub history: Vec<AssignmentView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CommanderView {
    pub state: CommanderState,
    pub holders: Vec<AssignmentView>,
}

/// A decision in force at a handover; `awaiting` lists the approvals still outstanding.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefedDecisionView {
    pub decision: String,
    pub short: String,
    pub question: String,
    pub choice: String,
    pub awaiting: Vec<PositionView>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefedPromptView {
    pub position: PositionView,
    pub holder: String,
    pub due_ms: f64,
    pub due_text: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefedRoleView {
    pub position: PositionView,
    pub person: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefedSystemView {
    pub system: String,
    pub name: String,
    pub since_text: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefedDeadlineView {
    pub rule: String,
    pub recipient: String,
    pub due_ms: Option<f64>,
    pub due_text: Option<String>,
    pub overdue: bool,
}

/// The HICS 201 briefing of a handover (or, before one is offered, what it would carry now).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct BriefingView {
    pub situation: String,
    pub objectives: String,
    pub severity: Option<String>,
    pub roster: Vec<BriefedRoleView>,
    /// The decisions in force, those awaiting approval with `awaiting` set.
    pub decisions: Vec<BriefedDecisionView>,
    pub overdue_prompts: Vec<BriefedPromptView>,
    pub isolated_systems: Vec<BriefedSystemView>,
    /// Open regulatory deadlines, soonest first.
    pub deadlines: Vec<BriefedDeadlineView>,
}

impl BriefingView {
    pub fn of(b: &Briefing, zone: &ViewerZone) -> Self {
        let event_text = |t: &muster_core::body::EventTime| format_ms(zone, t.0.timestamp_millis());
        BriefingView {
            situation: b.situation.clone(),
            objectives: b.objectives.clone(),
            severity: b.severity.map(|s| s.label().to_string()),
            roster: b
                .roster
                .iter()
                .map(|r| BriefedRoleView {
                    position: PositionView::of(&r.position),
                    person: r.person.clone(),
                })
                .collect(),
            decisions: b
                .open_decisions
                .iter()
                .map(|d| BriefedDecisionView {
                    decision: d.decision.to_string(),
                    short: d.decision.short(),
                    question: d.question.clone(),
                    choice: d.choice.clone(),
                    awaiting: d.awaiting.iter().map(PositionView::of).collect(),
                })
                .collect(),
            overdue_prompts: b
                .overdue_prompts
                .iter()
                .map(|p| BriefedPromptView {
                    position: PositionView::of(&p.position),
                    holder: p.holder.clone(),
                    due_ms: ms(p.due.0.timestamp_millis()),
                    due_text: event_text(&p.due),
                })
                .collect(),
            isolated_systems: b
                .isolated_systems
                .iter()
                .map(|s| BriefedSystemView {
                    system: s.system.clone(),
                    name: s.name.clone(),
                    since_text: s.since.as_ref().map(event_text),
                })
                .collect(),
            deadlines: b
                .deadlines
                .iter()
                .map(|d| BriefedDeadlineView {
                    rule: d.rule.clone(),
                    recipient: d.recipient.clone(),
                    due_ms: d.due.map(|t| ms(t.0.timestamp_millis())),
                    due_text: d.due.as_ref().map(event_text),
                    overdue: d.overdue,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct HandoverView {
    pub offer: StampView,
    pub from: String,
    pub to: String,
    pub outcome: HandoverState,
    pub outcome_at: Option<StampView>,
    pub outcome_reason: Option<String>,
    pub briefing: BriefingView,
}

impl HandoverView {
    pub fn of(h: &Handover, zone: &ViewerZone) -> Self {
        let (outcome, outcome_at, outcome_reason) = match &h.outcome {
            HandoverOutcome::Pending => (HandoverState::Pending, None, None),
            HandoverOutcome::Accepted { stamp } => {
                (HandoverState::Accepted, Some(StampView::of(stamp, zone)), None)
            }
            HandoverOutcome::Cancelled { stamp, reason } => {
                (HandoverState::Cancelled, Some(StampView::of(stamp, zone)), Some(reason.clone()))
            }
            HandoverOutcome::Lapsed => (HandoverState::Lapsed, None, None),
        };
        HandoverView {
            offer: StampView::of(&h.offer, zone),
            from: h.offer.by.person.clone(),
            to: h.to.clone(),
            outcome,
            outcome_at,
            outcome_reason,
            briefing: BriefingView::of(&h.briefing, zone),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct AssignInput {
    pub incident: String,
    pub position: String,
    pub person: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RelieveInput {
    pub incident: String,
    pub position: String,
    pub reason: Option<String>,
}
