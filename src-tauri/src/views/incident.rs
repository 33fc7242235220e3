//! The incident list, the board (commander, roster, prompts, decisions, deadlines) and the
//! inputs that open, close and reopen an incident.

use muster_core::fold::IncidentState;
use muster_core::prompts::PromptClock;
use muster_core::{Commander, ViewerZone};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

ipc_state! {
    /// An incident's lifecycle; `unopened`: entries arrived before its opening entry (mid-sync).
    IncidentStatusView { Open, Closed, Unopened }
}

impl From<muster_core::IncidentStatus> for IncidentStatusView {
    fn from(s: muster_core::IncidentStatus) -> Self {
        match s {
            muster_core::IncidentStatus::Open => IncidentStatusView::Open,
            muster_core::IncidentStatus::Closed => IncidentStatusView::Closed,
            muster_core::IncidentStatus::Unopened => IncidentStatusView::Unopened,
        }
    }
}

ipc_state! {
    /// A regulatory obligation now.
    ObligationState { Pending, Met, Waived, Overdue }
}

impl From<muster_core::breach::rules::clocks::ObligationStatus> for ObligationState {
    fn from(s: muster_core::breach::rules::clocks::ObligationStatus) -> Self {
        use muster_core::breach::rules::clocks::ObligationStatus as S;
        match s {
            S::Pending => ObligationState::Pending,
            S::Met => ObligationState::Met,
            S::Waived => ObligationState::Waived,
            S::Overdue => ObligationState::Overdue,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct IncidentRow {
    pub id: String,
    pub short: String,
    pub title: String,
    pub drill: bool,
    pub status: IncidentStatusView,
    pub severity: Option<String>,
    pub commanders: Vec<String>,
    pub entry_count: f64,
    pub opened_ms: Option<f64>,
    pub opened_text: Option<String>,
    pub last_activity_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityView {
    pub slug: String,
    pub label: String,
    pub rationale: Option<String>,
    pub set: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CadenceView {
    /// "every position", "Technical Lead", "every position at SEV1"
    pub scope: String,
    pub minutes: u32,
    pub set: StampView,
}

/// Everything the roster, status prompts, decisions and wallboard screens show of one incident.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Board {
    pub id: String,
    pub short: String,
    pub title: String,
    pub description: Option<String>,
    pub drill: bool,
    pub status: IncidentStatusView,
    pub opened: Option<StampView>,
    pub severity: Option<SeverityView>,
    pub commander: CommanderView,
    pub pending_handover: Option<HandoverView>,
    pub handovers: Vec<HandoverView>,
    pub roster: Vec<RosterLineView>,
    pub prompts: Vec<PromptView>,
    pub decisions: Vec<DecisionView>,
    pub cadences: Vec<CadenceView>,
    pub entry_count: f64,
    pub latest: Vec<TimelineRow>,
    pub now_ms: f64,
    /// Regulatory obligations not met or waived, soonest due first (for the wallboard).
    pub deadlines: Vec<DeadlineView>,
    /// What the alert area lists, or will once its instant comes, the most late first.
    pub alerts: Vec<AlertView>,
    /// Systems isolated now, most critical first.
    pub isolated: Vec<IsolatedSystemView>,
    /// What a handover offered now would brief, besides the situation and objectives the
    /// commander writes (the offer form says so before it is sent).
    pub handover_preview: Option<BriefingView>,
}

impl Board {
    pub fn of(
        s: &IncidentState,
        clocks: &[PromptClock],
        latest: Vec<TimelineRow>,
        zone: &ViewerZone,
        now_ms: i64,
    ) -> Board {
        let commander = match s.commander() {
            Commander::Vacant => CommanderView { state: CommanderState::Vacant, holders: vec![] },
            Commander::Held(a) => {
                CommanderView { state: CommanderState::Held, holders: vec![AssignmentView::of(&a, zone)] }
            }
            Commander::Conflict(all) => CommanderView {
                state: CommanderState::Conflict,
                holders: all.iter().map(|a| AssignmentView::of(a, zone)).collect(),
            },
        };
        Board {
            id: s.incident_id.to_string(),
            short: s.incident_id.short(),
            title: s.title.clone().unwrap_or_else(|| "(incident not yet received)".into()),
            description: s.description.clone(),
            drill: s.drill,
            status: s.status.into(),
            opened: s.opened.as_ref().map(|o| StampView::of(o, zone)),
            severity: s.command.severity.as_ref().map(|sv| SeverityView {
                slug: sv.severity.slug().into(),
                label: sv.severity.label().into(),
                rationale: sv.rationale.clone(),
                set: StampView::of(&sv.set, zone),
            }),
            commander,
            pending_handover: s.pending_handover().map(|h| HandoverView::of(h, zone)),
            handovers: s.command.handovers.iter().map(|h| HandoverView::of(h, zone)).collect(),
            roster: s
                .roster()
                .iter()
                .map(|l| RosterLineView {
                    position: PositionView::of(&l.position),
                    holders: l.holders.iter().map(|a| AssignmentView::of(a, zone)).collect(),
                    history: l.history.iter().map(|a| AssignmentView::of(a, zone)).collect(),
                })
                .collect(),
            prompts: clocks.iter().map(|c| PromptView::of(c, zone)).collect(),
            decisions: s.decisions.iter().rev().map(|d| DecisionView::of(d, zone)).collect(),
            cadences: s
                .cadences
                .iter()
                .map(|c| CadenceView {
                    scope: match (&c.position, c.severity) {
                        (Some(p), _) => p.title(),
                        (None, Some(sev)) => format!("every position at {sev}"),
                        (None, None) => "every position".into(),
                    },
                    minutes: c.interval_minutes,
                    set: StampView::of(&c.set, zone),
                })
                .collect(),
            entry_count: s.entry_count as f64,
            deadlines: Vec::new(),
            alerts: Vec::new(),
            isolated: IsolatedSystemView::list(s, zone),
            handover_preview: None,
            latest,
            now_ms: ms(now_ms),
        }
    }
}

/// One open regulatory obligation, as the wallboard shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DeadlineView {
    pub rule: String,
    pub recipient: String,
    pub status: ObligationState,
    pub due_ms: Option<f64>,
    pub due_text: Option<String>,
}

impl DeadlineView {
    /// The open obligations (pending or overdue), those with a due instant first, soonest first.
    pub fn open(
        obligations: &[muster_core::breach::rules::clocks::Obligation],
        zone: &ViewerZone,
    ) -> Vec<DeadlineView> {
        use muster_core::breach::rules::clocks::ObligationStatus;
        let mut open: Vec<&muster_core::breach::rules::clocks::Obligation> = obligations
            .iter()
            .filter(|o| matches!(o.status, ObligationStatus::Pending | ObligationStatus::Overdue))
            .collect();
        open.sort_by_key(|o| (o.due.is_none(), o.due, o.rule.clone()));
        open.iter()
            .map(|o| DeadlineView {
                rule: o.rule.clone(),
                recipient: o.recipient.clone(),
                status: o.status.into(),
                due_ms: o.due.map(|d| ms(d.timestamp_millis())),
                due_text: o.due.map(|d| zone.format(d)),
            })
            .collect()
    }
}

// ----- inputs ------------------------------------------------------------------------------

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct OpenIncidentInput {
    pub title: String,
    pub drill: bool,
    pub description: Option<String>,
    pub commander: Option<String>,
    pub severity: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ReasonInput {
    pub incident: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityInput {
    pub incident: String,
    pub severity: String,
    pub rationale: Option<String>,
}
