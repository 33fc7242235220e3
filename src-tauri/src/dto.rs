//! What crosses the IPC boundary: plain shapes for the UI, built from the library's state.
//! TypeScript declarations are generated from these (see `bindings`); instants are milliseconds
//! since the Unix epoch as `f64` (exact up to 2^53, a JavaScript number), with the text already
//! formatted in the viewer's zone where a screen shows it.

use chrono::{DateTime, Utc};
use muster_core::fold::{Assignment, Decision, Handover, HandoverOutcome, IncidentState, Stamp};
use muster_core::prompts::{CadenceSource, PromptClock};
use muster_core::{Commander, Entry, Position, Severity, ViewerZone};
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

pub fn ms(utc_ms: i64) -> f64 {
    utc_ms as f64
}

pub fn format_ms(zone: &ViewerZone, utc_ms: i64) -> String {
    DateTime::<Utc>::from_timestamp_millis(utc_ms).map(|t| zone.format(t)).unwrap_or_default()
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PositionView {
    pub slug: String,
    pub title: String,
}

impl PositionView {
    pub fn of(p: &Position) -> Self {
        PositionView { slug: p.slug(), title: p.title() }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityInfo {
    pub slug: String,
    pub label: String,
    pub default_minutes: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub operator: String,
    /// Short id of this installation's device key, once one exists.
    pub device: Option<String>,
    /// The viewer's IANA zone (or UTC): every time on screen is in it.
    pub zone: String,
    /// The zone's abbreviation now (CST, CEST, UTC).
    pub zone_abbreviation: String,
    pub now_ms: f64,
    pub positions: Vec<PositionView>,
    pub severities: Vec<SeverityInfo>,
    pub current_incident: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct IncidentRow {
    pub id: String,
    pub short: String,
    pub title: String,
    pub drill: bool,
    /// open | closed | unopened
    pub status: String,
    pub severity: Option<String>,
    pub commanders: Vec<String>,
    pub entry_count: f64,
    pub opened_ms: Option<f64>,
    pub opened_text: Option<String>,
    pub last_activity_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct StampView {
    pub entry_id: String,
    pub short: String,
    pub at_ms: f64,
    pub at_text: String,
    pub by: String,
    pub by_position: Option<PositionView>,
}

impl StampView {
    pub fn of(s: &Stamp, zone: &ViewerZone) -> Self {
        StampView {
            entry_id: s.entry_id.to_string(),
            short: s.entry_id.short(),
            at_ms: ms(s.at.utc_ms),
            at_text: format_ms(zone, s.at.utc_ms),
            by: s.by.person.clone(),
            by_position: s.by.position.as_ref().map(PositionView::of),
        }
    }
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
    /// vacant | held | conflict
    pub state: String,
    pub holders: Vec<AssignmentView>,
}

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
pub struct HandoverView {
    pub offer: StampView,
    pub from: String,
    pub to: String,
    /// pending | accepted | cancelled | lapsed
    pub outcome: String,
    pub outcome_at: Option<StampView>,
    pub outcome_reason: Option<String>,
    pub situation: String,
    pub objectives: String,
    pub severity: Option<String>,
    pub roster: Vec<BriefedRoleView>,
    pub open_decisions: Vec<BriefedDecisionView>,
    pub overdue_prompts: Vec<BriefedPromptView>,
}

impl HandoverView {
    pub fn of(h: &Handover, zone: &ViewerZone) -> Self {
        let (outcome, outcome_at, outcome_reason) = match &h.outcome {
            HandoverOutcome::Pending => ("pending", None, None),
            HandoverOutcome::Accepted { stamp } => ("accepted", Some(StampView::of(stamp, zone)), None),
            HandoverOutcome::Cancelled { stamp, reason } => {
                ("cancelled", Some(StampView::of(stamp, zone)), Some(reason.clone()))
            }
            HandoverOutcome::Lapsed => ("lapsed", None, None),
        };
        let b = &h.briefing;
        HandoverView {
            offer: StampView::of(&h.offer, zone),
            from: h.offer.by.person.clone(),
            to: h.to.clone(),
            outcome: outcome.into(),
            outcome_at,
            outcome_reason,
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
            open_decisions: b
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
                .map(|p| {
                    let due_ms = p.due.0.timestamp_millis();
                    BriefedPromptView {
                        position: PositionView::of(&p.position),
                        holder: p.holder.clone(),
                        due_ms: ms(due_ms),
                        due_text: format_ms(zone, due_ms),
                    }
                })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SnoozeView {
    pub minutes: u32,
    pub reason: String,
    pub stamp: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PromptView {
    pub position: PositionView,
    pub holders: Vec<String>,
    pub interval_minutes: u32,
    /// Where the interval comes from, for people: "set for this position", "SEV1 default", ...
    pub cadence_source: String,
    pub last_report: Option<StampView>,
    pub since_ms: f64,
    pub due_ms: f64,
    pub due_text: String,
    pub escalate_ms: f64,
    pub snooze: Option<SnoozeView>,
}

impl PromptView {
    pub fn of(c: &PromptClock, zone: &ViewerZone) -> Self {
        let cadence_source = match &c.source {
            CadenceSource::Position => "set for this position".to_string(),
            CadenceSource::Incident => "set for every position".to_string(),
            CadenceSource::Severity { severity } => format!("set for {severity}"),
            CadenceSource::Default { severity } => format!("{severity} default"),
        };
        PromptView {
            position: PositionView::of(&c.position),
            holders: c.holders.clone(),
            interval_minutes: c.interval_minutes,
            cadence_source,
            last_report: c.last_report.as_ref().map(|r| StampView::of(&r.stamp, zone)),
            since_ms: ms(c.since_ms),
            due_ms: ms(c.due_ms),
            due_text: format_ms(zone, c.due_ms),
            escalate_ms: ms(c.escalate_ms),
            snooze: c.snooze.as_ref().map(|s| SnoozeView {
                minutes: s.minutes,
                reason: s.reason.clone(),
                stamp: StampView::of(&s.stamp, zone),
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct ApprovalView {
    pub position: PositionView,
    pub stamp: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DecisionView {
    pub id: String,
    pub short: String,
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: String,
    pub authority_position: Option<PositionView>,
    pub recorded: StampView,
    pub supersedes: Vec<String>,
    pub superseded_by: Vec<String>,
    pub approvals_required: Vec<PositionView>,
    pub approvals: Vec<ApprovalView>,
    pub awaiting: Vec<PositionView>,
}

impl DecisionView {
    pub fn of(d: &Decision, zone: &ViewerZone) -> Self {
        DecisionView {
            id: d.entry_id.to_string(),
            short: d.entry_id.short(),
            question: d.question.clone(),
            options: d.options.clone(),
            choice: d.choice.clone(),
            rationale: d.rationale.clone(),
            authority: d.authority.person.clone(),
            authority_position: d.authority.position.as_ref().map(PositionView::of),
            recorded: StampView::of(&d.recorded, zone),
            supersedes: d.supersedes.iter().map(|i| i.short()).collect(),
            superseded_by: d.superseded_by.iter().map(|i| i.short()).collect(),
            approvals_required: d.approvals_required.iter().map(PositionView::of).collect(),
            approvals: d
                .approvals
                .iter()
                .map(|a| ApprovalView {
                    position: PositionView::of(&a.position),
                    stamp: StampView::of(&a.stamp, zone),
                })
                .collect(),
            awaiting: d.awaiting().iter().map(PositionView::of).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct CadenceView {
    /// "every position", "Technical Lead", "every position at SEV1"
    pub scope: String,
    pub minutes: u32,
    pub set: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityView {
    pub slug: String,
    pub label: String,
    pub rationale: Option<String>,
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
    pub status: String,
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
    /// Systems isolated now.
    pub isolated: Vec<String>,
}

/// One open regulatory obligation, as the wallboard shows it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DeadlineView {
    pub rule: String,
    pub recipient: String,
    pub status: String,
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
                status: o.status.as_str().into(),
                due_ms: o.due.map(|d| ms(d.timestamp_millis())),
                due_text: o.due.map(|d| zone.format(d)),
            })
            .collect()
    }
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
            Commander::Vacant => CommanderView { state: "vacant".into(), holders: vec![] },
            Commander::Held(a) => {
                CommanderView { state: "held".into(), holders: vec![AssignmentView::of(&a, zone)] }
            }
            Commander::Conflict(all) => CommanderView {
                state: "conflict".into(),
                holders: all.iter().map(|a| AssignmentView::of(a, zone)).collect(),
            },
        };
        Board {
            id: s.incident_id.to_string(),
            short: s.incident_id.short(),
            title: s.title.clone().unwrap_or_else(|| "(incident not yet received)".into()),
            description: s.description.clone(),
            drill: s.drill,
            status: s.status.as_str().into(),
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
            isolated: s.breach.systems.iter().filter(|l| l.isolated).map(|l| l.system.clone()).collect(),
            latest,
            now_ms: ms(now_ms),
        }
    }
}

/// One line of the timeline screen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineRow {
    pub id: String,
    pub short: String,
    pub kind: String,
    /// When it was recorded (the author's clock), in the viewer's zone.
    pub recorded_ms: f64,
    pub recorded_text: String,
    /// The author's own zone, when it differs from the viewer's.
    pub recorded_zone: Option<String>,
    /// When it happened, if the author said so (after amendments).
    pub occurred_ms: Option<f64>,
    pub occurred_text: Option<String>,
    pub author: String,
    pub author_position: Option<PositionView>,
    pub summary: String,
    /// For amendments and retractions: the entry they correct.
    pub target: Option<String>,
    pub target_short: Option<String>,
    pub amended_by: Vec<String>,
    pub retracted_by: Vec<String>,
    pub device: String,
    pub seq: f64,
    /// Set when the sync server flagged the entry: its author's clock was off from the
    /// server's by this much (ms; positive: fast) when it was pushed. The entry is as written.
    pub clock_skew_ms: Option<f64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineQuery {
    pub incident: String,
    pub newest_first: bool,
    /// Entry kinds to keep (empty: all).
    pub kinds: Vec<String>,
    /// Position slugs of authors to keep (empty: all); "none" keeps authors without one.
    pub positions: Vec<String>,
    /// Author names to keep (empty: all).
    pub authors: Vec<String>,
    /// Words that must all appear (case-insensitive) in the text, author or id.
    pub text: String,
    pub offset: u32,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Facet {
    pub value: String,
    pub label: String,
    pub count: u32,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelinePage {
    pub total: u32,
    pub matched: u32,
    pub offset: u32,
    pub rows: Vec<TimelineRow>,
    pub kinds: Vec<Facet>,
    pub positions: Vec<Facet>,
    pub authors: Vec<Facet>,
    /// How long the backend took to filter, in milliseconds (shown in benchmarks).
    pub query_ms: f64,
    /// True while the incident's timeline is being indexed: this page came straight from the
    /// store and the facets are empty; `timeline-indexed` follows.
    pub indexing: bool,
}

/// Pushed as `timeline-indexed` when an incident's timeline index is ready (facets, filters).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineIndexed {
    pub incident: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Written {
    pub entry_id: String,
    pub short: String,
    pub kind: String,
    pub summary: String,
}

impl Written {
    pub fn of(e: &Entry) -> Self {
        Written {
            entry_id: e.id().to_string(),
            short: e.id().short(),
            kind: e.kind().to_string(),
            summary: e.body.describe(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Opened {
    pub incident: String,
    pub short: String,
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
pub struct NoteInput {
    pub incident: String,
    pub text: String,
    /// When it happened, as typed (02:14, 2026-11-22 02:14, RFC 3339); empty: now.
    pub occurred_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct AmendInput {
    pub incident: String,
    pub target: String,
    pub reason: String,
    pub text: Option<String>,
    pub occurred_at: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct RetractInput {
    pub incident: String,
    pub target: String,
    pub reason: String,
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

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct HandoverOfferInput {
    pub incident: String,
    pub to: String,
    pub situation: String,
    pub objectives: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ReasonInput {
    pub incident: String,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct StatusInput {
    pub incident: String,
    pub position: Option<String>,
    pub conditions: String,
    pub actions: String,
    pub needs: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SnoozeInput {
    pub incident: String,
    pub position: String,
    pub minutes: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct CadenceInput {
    pub incident: String,
    pub position: Option<String>,
    pub severity: Option<String>,
    pub minutes: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SeverityInput {
    pub incident: String,
    pub severity: String,
    pub rationale: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct DecisionInputView {
    pub incident: String,
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: Option<String>,
    pub supersedes: Option<String>,
    pub approvals_required: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ApproveInput {
    pub incident: String,
    pub decision: String,
    pub position: String,
}

// ----- events ------------------------------------------------------------------------------

/// Pushed as `store-changed` after every write, whoever made it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct StoreChanged {
    /// The incident written to, when known.
    pub incident: Option<String>,
    /// user (this window) | external (another process: the CLI, an import) | sync (entries
    /// pulled from the sync server) | demo
    pub source: String,
}

/// Pushed as `deadline-fired` when a regulatory deadline is a day away, an hour away, or
/// overdue (and shown by the OS as a notification).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DeadlineFired {
    pub incident: String,
    pub incident_title: String,
    /// The rule's stable id, e.g. gdpr.authority.
    pub rule: String,
    pub recipient: String,
    pub citation: String,
    /// day_before | hour_before | overdue
    pub stage: String,
    pub due_ms: f64,
    /// The due instant in the viewer's zone, zone named.
    pub due_text: String,
}

/// Pushed as `prompt-fired` when a status update falls due or becomes overdue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PromptFired {
    pub incident: String,
    pub incident_title: String,
    pub position: PositionView,
    pub holders: Vec<String>,
    /// due | overdue
    pub state: String,
    pub due_ms: f64,
    pub due_text: String,
}

pub fn severity_info(s: Severity) -> SeverityInfo {
    SeverityInfo {
        slug: s.slug().into(),
        label: s.label().into(),
        default_minutes: s.default_cadence_minutes(),
    }
}
