//! The fold: a set of entries -> the state of an incident. Deterministic: entries are applied in
//! (HLC, device, seq) order after removing duplicate ids, so the same set in any arrival order
//! gives the same state and the same digest.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::body::{Briefing, EntryBody, EventTime, NotificationChoice, KIND_NOTE};
use crate::breach_state::{BreachBuilder, BreachState};
use crate::canonical::canonical_json;
use crate::entry::{Author, Entry};
use crate::error::FoldError;
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EntryId, Hash32, IdMap, IdSet, IncidentId};
use crate::position::Position;
use crate::severity::Severity;
use crate::time::WallClock;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    Open,
    Closed,
    /// Entries of this incident arrived before its "incident opened" entry (possible mid-sync).
    Unopened,
}

impl IncidentStatus {
    pub fn as_str(&self) -> &'static str {
        match self {
            IncidentStatus::Open => "open",
            IncidentStatus::Closed => "closed",
            IncidentStatus::Unopened => "unopened",
        }
    }
}

/// Which entry did something, when (author's wall clock) and who.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp {
    pub entry_id: EntryId,
    pub at: WallClock,
    pub by: Author,
}

impl Stamp {
    pub(crate) fn of(e: &Entry) -> Stamp {
        Stamp { entry_id: e.id(), at: e.envelope.recorded.clone(), by: e.envelope.author.clone() }
    }
}

/// One line of the timeline: every entry appears, corrections shown on their target.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TimelineItem {
    pub entry_id: EntryId,
    pub device_id: DeviceId,
    pub seq: u64,
    pub hlc: Hlc,
    pub kind: String,
    /// When it was recorded (the author's wall clock).
    pub recorded: WallClock,
    /// When it happened, as stated (after amendments); `None` means as recorded.
    pub occurred_at: Option<EventTime>,
    pub author: Author,
    /// What it says, after amendments.
    pub summary: String,
    /// For amendments and retractions: the entry they correct.
    pub target: Option<EntryId>,
    pub amended_by: Vec<EntryId>,
    pub retracted_by: Vec<EntryId>,
    /// The body as originally written.
    pub body: EntryBody,
}

impl TimelineItem {
    /// The item for one entry, before any correction is applied, taking the entry's parts.
    pub fn from_owned(e: Entry) -> TimelineItem {
        let summary = e.body.describe();
        let kind = e.kind().to_string();
        let target = e.body.correction_target();
        let occurred_at = match &e.body {
            EntryBody::Note(n) => n.occurred_at,
            EntryBody::TriggerRecorded(t) => Some(t.at),
            EntryBody::CommunicationSent(c) => c.sent_at,
            _ => None,
        };
        let (envelope, body) = e.into_parts();
        TimelineItem {
            entry_id: envelope.id,
            device_id: envelope.device_id,
            seq: envelope.seq,
            hlc: envelope.hlc,
            kind,
            recorded: envelope.recorded,
            occurred_at,
            author: envelope.author,
            summary,
            target,
            amended_by: Vec::new(),
            retracted_by: Vec::new(),
            body,
        }
    }

    /// The item for one entry, before any correction is applied.
    pub fn from_entry(e: &Entry) -> TimelineItem {
        Self::from_owned(e.clone())
    }

    /// Applies corrections (amendments, retractions) in fold order. Only notes take new text
    /// or a new event time; other kinds are corrected by superseding entries instead.
    pub fn apply_corrections<'a>(&mut self, corrections: impl IntoIterator<Item = (EntryId, &'a EntryBody)>) {
        for (by, body) in corrections {
            match body {
                EntryBody::Amended(a) => {
                    if !self.amended_by.contains(&by) {
                        self.amended_by.push(by);
                    }
                    if self.kind == KIND_NOTE {
                        if let Some(text) = &a.text {
                            self.summary = text.clone();
                        }
                        if let Some(t) = a.occurred_at {
                            self.occurred_at = Some(t);
                        }
                    }
                }
                EntryBody::Retracted(_) if !self.retracted_by.contains(&by) => {
                    self.retracted_by.push(by);
                }
                _ => {}
            }
        }
    }
}

/// A person holding a position, from one `role.assigned` entry until a later entry supersedes it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Assignment {
    pub entry_id: EntryId,
    pub position: Position,
    pub person: String,
    pub assigned_at: WallClock,
    pub assigned_by: Author,
    pub supersedes: Vec<EntryId>,
    /// The first entry (in fold order) that superseded this assignment.
    pub ended: Option<AssignmentEnd>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssignmentEnd {
    pub stamp: Stamp,
    /// True when relieved; false when replaced by another assignment.
    pub relieved: bool,
    pub reason: Option<String>,
}

/// Who commands the incident.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "state", content = "assignments", rename_all = "snake_case")]
pub enum Commander {
    Vacant,
    Held(Box<Assignment>),
    /// Two or more assignments stand that do not supersede each other (made while partitioned):
    /// shown until an assignment superseding all of them is recorded.
    Conflict(Vec<Assignment>),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub entry_id: EntryId,
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: Author,
    pub recorded: Stamp,
    pub supersedes: Vec<EntryId>,
    pub superseded_by: Vec<EntryId>,
    pub approvals_required: Vec<Position>,
    /// Approvals given, one per position (the first counts), in fold order.
    pub approvals: Vec<Approval>,
    /// The notify / do-not-notify choice this decision makes for a regulatory obligation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationChoice>,
}

impl Decision {
    /// Required positions that have not approved yet.
    pub fn awaiting(&self) -> Vec<Position> {
        self.approvals_required
            .iter()
            .filter(|p| !self.approvals.iter().any(|a| &a.position == *p))
            .cloned()
            .collect()
    }

    /// Standing (not superseded) and still waiting for an approval: what a handover briefs.
    pub fn is_open(&self) -> bool {
        self.superseded_by.is_empty() && !self.awaiting().is_empty()
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Approval {
    pub position: Position,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cadence {
    /// `None`: for every position without its own cadence.
    pub position: Option<Position>,
    /// For every position while the incident is at this severity (never with a position).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub interval_minutes: u32,
    pub set: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityState {
    pub severity: Severity,
    pub rationale: Option<String>,
    pub set: Stamp,
}

/// The latest status update (not retracted) a position gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub position: Position,
    pub stamp: Stamp,
}

/// The latest snooze of a position's status update.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snooze {
    pub position: Position,
    pub minutes: u32,
    pub reason: String,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum HandoverOutcome {
    Pending,
    Accepted {
        stamp: Stamp,
    },
    Cancelled {
        stamp: Stamp,
        reason: String,
    },
    /// Command changed by another assignment while the offer was pending.
    Lapsed,
}

/// A command handover: offered by the commander, then accepted or cancelled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Handover {
    pub offer: Stamp,
    pub to: String,
    pub briefing: Briefing,
    pub outcome: HandoverOutcome,
}

/// Command and control beyond the roster: severity, the clocks of status prompts, handovers.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandState {
    pub severity: Option<SeverityState>,
    /// By position order.
    pub reports: Vec<Report>,
    /// By position order.
    pub snoozes: Vec<Snooze>,
    /// In fold order.
    pub handovers: Vec<Handover>,
}

/// Everything known about one incident, folded from its entries.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct IncidentState {
    pub incident_id: IncidentId,
    pub title: Option<String>,
    pub drill: bool,
    pub description: Option<String>,
    pub status: IncidentStatus,
    pub opened: Option<Stamp>,
    /// The latest close or reopen.
    pub status_changed: Option<Stamp>,
    pub entry_count: u64,
    /// In fold order (oldest first).
    pub timeline: Vec<TimelineItem>,
    /// Every assignment ever made, in fold order.
    pub assignments: Vec<Assignment>,
    pub decisions: Vec<Decision>,
    /// Current cadences, the default (no position) first.
    pub cadences: Vec<Cadence>,
    pub command: CommandState,
    pub breach: BreachState,
}

/// One row of the roster: a position, who holds it now, and who held it before.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RosterLine {
    pub position: Position,
    pub holders: Vec<Assignment>,
    pub history: Vec<Assignment>,
}

impl IncidentState {
    pub fn empty(incident_id: IncidentId) -> Self {
        IncidentState {
            incident_id,
            title: None,
            drill: false,
            description: None,
            status: IncidentStatus::Unopened,
            opened: None,
            status_changed: None,
            entry_count: 0,
            timeline: Vec::new(),
            assignments: Vec::new(),
            decisions: Vec::new(),
            cadences: Vec::new(),
            command: CommandState::default(),
            breach: BreachState::default(),
        }
    }

    /// Current holders of a position (more than one means a conflict).
    pub fn holders(&self, position: &Position) -> Vec<&Assignment> {
        self.assignments.iter().filter(|a| &a.position == position && a.ended.is_none()).collect()
    }

    pub fn commander(&self) -> Commander {
        let holders = self.holders(&Position::IncidentCommander);
        match holders.len() {
            0 => Commander::Vacant,
            1 => Commander::Held(Box::new(holders[0].clone())),
            _ => Commander::Conflict(holders.into_iter().cloned().collect()),
        }
    }

    /// Positions that were ever filled, command first.
    pub fn roster(&self) -> Vec<RosterLine> {
        let mut lines: BTreeMap<Position, RosterLine> = BTreeMap::new();
        for a in &self.assignments {
            let line = lines.entry(a.position.clone()).or_insert_with(|| RosterLine {
                position: a.position.clone(),
                holders: Vec::new(),
                history: Vec::new(),
            });
            if a.ended.is_none() {
                line.holders.push(a.clone());
            }
            line.history.push(a.clone());
        }
        lines.into_values().collect()
    }

    /// Positions `person` holds now, command first.
    pub fn positions_of(&self, person: &str) -> Vec<Position> {
        let mut held: Vec<Position> = self
            .assignments
            .iter()
            .filter(|a| a.ended.is_none() && a.person == person)
            .map(|a| a.position.clone())
            .collect();
        held.sort();
        held.dedup();
        held
    }

    /// The cadence set for a position: its own, else the one for every position, else the one
    /// for the incident's current severity. `None`: the severity's built-in default applies
    /// (see `prompts`).
    pub fn cadence_for(&self, position: &Position) -> Option<&Cadence> {
        let severity = self.severity();
        self.cadences
            .iter()
            .find(|c| c.position.as_ref() == Some(position))
            .or_else(|| self.cadences.iter().find(|c| c.position.is_none() && c.severity.is_none()))
            .or_else(|| {
                self.cadences
                    .iter()
                    .find(|c| c.position.is_none() && severity.is_some() && c.severity == severity)
            })
    }

    pub fn severity(&self) -> Option<Severity> {
        self.command.severity.as_ref().map(|s| s.severity)
    }

    /// The handover waiting for acceptance: the latest pending offer made by the person who
    /// commands now (an offer lapses when command changes by any other route).
    pub fn pending_handover(&self) -> Option<&Handover> {
        let Commander::Held(ic) = self.commander() else {
            return None;
        };
        self.command
            .handovers
            .iter()
            .rev()
            .find(|h| h.outcome == HandoverOutcome::Pending && h.offer.by.person == ic.person)
    }

    /// SHA-256 of the canonical JSON of the whole state: equal digests mean equal states.
    pub fn digest(&self) -> Hash32 {
        let value = serde_json::to_value(self).unwrap_or(serde_json::Value::Null);
        let text = canonical_json(&value).unwrap_or_default();
        Hash32(Sha256::digest(text.as_bytes()).into())
    }
}

/// Folds entries of one incident into its state.
pub fn fold(
    incident_id: IncidentId,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<IncidentState, FoldError> {
    let mut slots: Vec<Option<Entry>> = Vec::new();
    for e in entries {
        if e.incident_id() != incident_id {
            return Err(FoldError::ForeignEntry {
                entry: e.id().to_string(),
                expected: incident_id.to_string(),
                found: e.incident_id().to_string(),
            });
        }
        slots.push(Some(e));
    }
    // Sort indices, not entries: moving whole entries around would dominate large folds.
    let mut order: Vec<(crate::entry::OrderKey, crate::ids::EntryId, usize)> = slots
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.as_ref().map(|e| (e.order_key(), e.id(), i)))
        .collect();
    order.sort_unstable();

    let mut builder = Builder::new(incident_id, order.len());
    let mut seen: IdSet<EntryId> = IdSet::with_capacity_and_hasher(order.len(), Default::default());
    for (_, id, i) in order {
        if !seen.insert(id) {
            continue;
        }
        if let Some(e) = slots[i].take() {
            builder.apply(e);
        }
    }
    Ok(builder.finish())
}

struct Supersession {
    stamp: Stamp,
    position: Position,
    targets: Vec<EntryId>,
    relieved: bool,
    reason: Option<String>,
}

struct Builder {
    state: IncidentState,
    corrections: Vec<(EntryId, EntryId, EntryBody)>,
    supersessions: Vec<Supersession>,
    cadences: BTreeMap<(Option<Position>, Option<Severity>), Cadence>,
    /// Status updates in fold order, by the position they report for.
    reports: Vec<(EntryId, Report)>,
    retracted: IdSet<EntryId>,
    snoozes: BTreeMap<Position, Snooze>,
    handover_outcomes: Vec<(EntryId, HandoverOutcome)>,
    /// Fold positions of handover offers (parallel to `state.command.handovers`) and of
    /// incident-commander assignments: an offer older than the latest assignment has lapsed.
    handover_ords: Vec<usize>,
    last_commander_assignment: Option<usize>,
    approvals: Vec<(EntryId, Approval)>,
    breach: BreachBuilder,
}

impl Builder {
    fn new(incident_id: IncidentId, capacity: usize) -> Self {
        let mut state = IncidentState::empty(incident_id);
        state.timeline.reserve(capacity);
        Builder {
            state,
            corrections: Vec::new(),
            supersessions: Vec::new(),
            cadences: BTreeMap::new(),
            reports: Vec::new(),
            retracted: IdSet::default(),
            snoozes: BTreeMap::new(),
            handover_outcomes: Vec::new(),
            handover_ords: Vec::new(),
            last_commander_assignment: None,
            approvals: Vec::new(),
            breach: BreachBuilder::default(),
        }
    }

    fn apply(&mut self, e: Entry) {
        let s = &mut self.state;
        s.entry_count += 1;
        match &e.body {
            EntryBody::IncidentOpened(b) => {
                // The first "opened" wins; a duplicate from a misbehaving client stays in the
                // timeline only.
                if s.opened.is_none() {
                    s.title = Some(b.title.clone());
                    s.drill = b.drill;
                    s.description = b.description.clone();
                    s.opened = Some(Stamp::of(&e));
                    if s.status == IncidentStatus::Unopened {
                        s.status = IncidentStatus::Open;
                    }
                }
            }
            EntryBody::IncidentClosed(_) => {
                s.status = IncidentStatus::Closed;
                s.status_changed = Some(Stamp::of(&e));
            }
            EntryBody::IncidentReopened(_) => {
                s.status = IncidentStatus::Open;
                s.status_changed = Some(Stamp::of(&e));
            }
            EntryBody::RoleAssigned(b) => {
                if b.position == Position::IncidentCommander {
                    self.last_commander_assignment = Some(s.timeline.len());
                }
                s.assignments.push(Assignment {
                    entry_id: e.id(),
                    position: b.position.clone(),
                    person: b.person.clone(),
                    assigned_at: e.envelope.recorded.clone(),
                    assigned_by: e.envelope.author.clone(),
                    supersedes: b.supersedes.clone(),
                    ended: None,
                });
                self.supersessions.push(Supersession {
                    stamp: Stamp::of(&e),
                    position: b.position.clone(),
                    targets: b.supersedes.clone(),
                    relieved: false,
                    reason: None,
                });
            }
            EntryBody::RoleRelieved(b) => {
                self.supersessions.push(Supersession {
                    stamp: Stamp::of(&e),
                    position: b.position.clone(),
                    targets: b.supersedes.clone(),
                    relieved: true,
                    reason: b.reason.clone(),
                });
            }
            EntryBody::CadenceSet(b) => {
                self.cadences.insert(
                    (b.position.clone(), b.severity),
                    Cadence {
                        position: b.position.clone(),
                        severity: b.severity,
                        interval_minutes: b.interval_minutes,
                        set: Stamp::of(&e),
                    },
                );
            }
            EntryBody::SeveritySet(b) => {
                s.command.severity = Some(SeverityState {
                    severity: b.severity,
                    rationale: b.rationale.clone(),
                    set: Stamp::of(&e),
                });
            }
            EntryBody::StatusUpdate(b) => {
                if let Some(position) = b.position.clone().or_else(|| e.envelope.author.position.clone()) {
                    self.reports.push((e.id(), Report { position, stamp: Stamp::of(&e) }));
                }
            }
            EntryBody::StatusSnoozed(b) => {
                self.snoozes.insert(
                    b.position.clone(),
                    Snooze {
                        position: b.position.clone(),
                        minutes: b.minutes,
                        reason: b.reason.clone(),
                        stamp: Stamp::of(&e),
                    },
                );
            }
            EntryBody::HandoverOffered(b) => {
                self.handover_ords.push(s.timeline.len());
                s.command.handovers.push(Handover {
                    offer: Stamp::of(&e),
                    to: b.to.clone(),
                    briefing: b.briefing.clone(),
                    outcome: HandoverOutcome::Pending,
                });
            }
            EntryBody::HandoverAccepted(b) => {
                self.handover_outcomes.push((b.offer, HandoverOutcome::Accepted { stamp: Stamp::of(&e) }));
            }
            EntryBody::HandoverCancelled(b) => {
                self.handover_outcomes.push((
                    b.offer,
                    HandoverOutcome::Cancelled { stamp: Stamp::of(&e), reason: b.reason.clone() },
                ));
            }
            EntryBody::DecisionApproved(b) => {
                self.approvals
                    .push((b.decision, Approval { position: b.position.clone(), stamp: Stamp::of(&e) }));
            }
            EntryBody::DecisionRecorded(b) => {
                s.decisions.push(Decision {
                    entry_id: e.id(),
                    question: b.question.clone(),
                    options: b.options.clone(),
                    choice: b.choice.clone(),
                    rationale: b.rationale.clone(),
                    authority: b.authority.clone(),
                    recorded: Stamp::of(&e),
                    supersedes: b.supersedes.clone(),
                    superseded_by: Vec::new(),
                    approvals_required: b.approvals_required.clone(),
                    approvals: Vec::new(),
                    notification: b.notification.clone(),
                });
            }
            EntryBody::Amended(_) | EntryBody::Retracted(_) => {
                if let Some(target) = e.body.correction_target() {
                    if matches!(e.body, EntryBody::Retracted(_)) {
                        self.retracted.insert(target);
                    }
                    self.corrections.push((target, e.id(), e.body.clone()));
                }
            }
            EntryBody::Note(_) | EntryBody::Unknown { .. } => {}
            _ => {
                self.breach.apply(&e);
            }
        }
        s.timeline.push(TimelineItem::from_owned(e));
    }

    fn finish(mut self) -> IncidentState {
        let s = &mut self.state;
        if !self.corrections.is_empty() {
            // Index only the corrected entries: few, even in a long incident.
            let targets: IdSet<EntryId> = self.corrections.iter().map(|(t, _, _)| *t).collect();
            let index: IdMap<EntryId, usize> = s
                .timeline
                .iter()
                .enumerate()
                .filter(|(_, item)| targets.contains(&item.entry_id))
                .map(|(i, item)| (item.entry_id, i))
                .collect();
            for (target, by, body) in &self.corrections {
                if let Some(&i) = index.get(target) {
                    s.timeline[i].apply_corrections([(*by, body)]);
                }
            }
        }
        finish_structure(s, &self.supersessions);
        s.breach = std::mem::take(&mut self.breach).finish(&self.retracted);
        s.cadences = self.cadences.into_values().collect();
        let mut reports: BTreeMap<Position, Report> = BTreeMap::new();
        for (id, report) in self.reports {
            if !self.retracted.contains(&id) {
                reports.insert(report.position.clone(), report);
            }
        }
        s.command.reports = reports.into_values().collect();
        s.command.snoozes = self.snoozes.into_values().collect();
        for (offer, outcome) in self.handover_outcomes {
            // The first outcome in fold order decides; a later accept of a cancelled offer
            // (possible across a partition) stays in the timeline only.
            if let Some(h) = s
                .command
                .handovers
                .iter_mut()
                .find(|h| h.offer.entry_id == offer && h.outcome == HandoverOutcome::Pending)
            {
                h.outcome = outcome;
            }
        }
        if let Some(last) = self.last_commander_assignment {
            for (h, ord) in s.command.handovers.iter_mut().zip(&self.handover_ords) {
                if h.outcome == HandoverOutcome::Pending && *ord < last {
                    h.outcome = HandoverOutcome::Lapsed;
                }
            }
        }
        if !self.approvals.is_empty() {
            let index: HashMap<EntryId, usize> =
                s.decisions.iter().enumerate().map(|(i, d)| (d.entry_id, i)).collect();
            for (decision, approval) in self.approvals {
                if let Some(&i) = index.get(&decision) {
                    let d = &mut s.decisions[i];
                    if !d.approvals.iter().any(|a| a.position == approval.position) {
                        d.approvals.push(approval);
                    }
                }
            }
        }
        self.state
    }
}

/// Resolves supersession links (assignment ends, decisions superseded) in fold order.
fn finish_structure(s: &mut IncidentState, supersessions: &[Supersession]) {
    let assignment_index: HashMap<EntryId, usize> =
        s.assignments.iter().enumerate().map(|(i, a)| (a.entry_id, i)).collect();
    for sup in supersessions {
        for target in &sup.targets {
            let Some(&i) = assignment_index.get(target) else {
                continue;
            };
            let a = &mut s.assignments[i];
            // Only the same position's register is affected, and only the first end counts.
            if a.position == sup.position && a.ended.is_none() && a.entry_id != sup.stamp.entry_id {
                a.ended = Some(AssignmentEnd {
                    stamp: sup.stamp.clone(),
                    relieved: sup.relieved,
                    reason: sup.reason.clone(),
                });
            }
        }
    }
    let decision_index: HashMap<EntryId, usize> =
        s.decisions.iter().enumerate().map(|(i, d)| (d.entry_id, i)).collect();
    let links: Vec<(EntryId, EntryId)> =
        s.decisions.iter().flat_map(|d| d.supersedes.iter().map(move |t| (*t, d.entry_id))).collect();
    for (target, by) in links {
        if let Some(&i) = decision_index.get(&target) {
            if target != by && !s.decisions[i].superseded_by.contains(&by) {
                s.decisions[i].superseded_by.push(by);
            }
        }
    }
}
