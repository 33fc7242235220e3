//! The state of an incident as the fold builds it: lifecycle, timeline, roster, decisions,
//! cadences, status reports, snoozes, handovers and (in `breach`) the breach and systems state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::body::{Body, Briefing, EntryBody, EventTime, Note, NotificationChoice};
use crate::breach::state::BreachState;
use crate::canonical::canonical_json;
use crate::entry::{Author, Entry};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, EntryId, Hash32, IncidentId};
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
    pub fn of(e: &Entry) -> Stamp {
        Stamp { entry_id: e.id(), at: e.envelope.recorded.clone(), by: e.envelope.author.clone() }
    }
}

/// How an entry was corrected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrectionKind {
    Amended,
    Retracted,
}

/// One correction as its target shows it: who made it, when, why, and what it changed. The
/// target keeps its original words next to these (they are never replaced on screen).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Correction {
    pub kind: CorrectionKind,
    /// The amending or retracting entry, its author and their clock.
    pub stamp: Stamp,
    pub reason: String,
    /// The new text an amendment gave (notes only; `None`: the text stands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The new event time an amendment gave (notes only; `None`: the time stands).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<EventTime>,
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
    /// Who recorded it (authority is theirs).
    pub author: Author,
    /// On whose behalf it was recorded, when not the recorder's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_behalf: Option<String>,
    /// Why this reserved act is not in force (its recorder lacked the authority); `None`: it
    /// is, or it is not a reserved act.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_in_force: Option<String>,
    /// What it says, after amendments.
    pub summary: String,
    /// For amendments and retractions: the entry they correct.
    pub target: Option<EntryId>,
    pub amended_by: Vec<EntryId>,
    pub retracted_by: Vec<EntryId>,
    /// Every amendment and retraction of this entry, in fold order, with who, when and why.
    pub corrections: Vec<Correction>,
    /// The body as originally written.
    pub body: EntryBody,
}

/// When the body says its event happened (`None`: as recorded).
fn stated_time(body: &EntryBody) -> Option<EventTime> {
    match body {
        EntryBody::Note(n) => n.occurred_at,
        EntryBody::TriggerRecorded(t) => Some(t.at),
        EntryBody::CommunicationSent(c) => c.sent_at,
        _ => None,
    }
}

impl TimelineItem {
    /// The item for one entry, before any correction is applied, taking the entry's parts.
    pub fn from_owned(e: Entry) -> TimelineItem {
        let summary = e.body.describe();
        let kind = e.kind().to_string();
        let target = e.body.correction_target();
        let occurred_at = stated_time(&e.body);
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
            on_behalf: envelope.on_behalf,
            not_in_force: None,
            summary,
            target,
            amended_by: Vec::new(),
            retracted_by: Vec::new(),
            corrections: Vec::new(),
            body,
        }
    }

    /// The item for one entry, before any correction is applied.
    pub fn from_entry(e: &Entry) -> TimelineItem {
        Self::from_owned(e.clone())
    }

    /// What the entry said as written, before any amendment.
    pub fn original_summary(&self) -> String {
        self.body.describe()
    }

    /// When the entry said it happened as written, before any amendment (`None`: as recorded).
    pub fn original_occurred_at(&self) -> Option<EventTime> {
        stated_time(&self.body)
    }

    /// Whether an amendment may correct this entry (notes; see `AMENDABLE_KINDS`).
    pub fn can_amend(&self) -> bool {
        crate::body::AMENDABLE_KINDS.contains(&self.kind.as_str())
    }

    /// Whether a retraction may withdraw this entry: a retractable kind not yet retracted.
    pub fn can_retract(&self) -> bool {
        self.retracted_by.is_empty() && crate::body::RETRACTABLE_KINDS.contains(&self.kind.as_str())
    }

    /// True when an amendment changed what the entry says.
    pub fn text_amended(&self) -> bool {
        self.corrections.iter().any(|c| c.text.is_some())
    }

    /// True when an amendment changed when the entry says it happened.
    pub fn time_amended(&self) -> bool {
        self.corrections.iter().any(|c| c.occurred_at.is_some())
    }

    /// Applies corrections (amendments, retractions) in fold order, each with the stamp of the
    /// entry that makes it. Only notes take new text or a new event time; other kinds are
    /// corrected by superseding entries instead (an amendment of one is listed, changing nothing).
    pub fn apply_corrections<'a>(&mut self, corrections: impl IntoIterator<Item = (Stamp, &'a EntryBody)>) {
        for (stamp, body) in corrections {
            let by = stamp.entry_id;
            match body {
                EntryBody::Amended(a) => {
                    if self.amended_by.contains(&by) {
                        continue;
                    }
                    self.amended_by.push(by);
                    let is_note = self.kind == Note::KIND;
                    let text = a.text.clone().filter(|_| is_note);
                    let occurred_at = a.occurred_at.filter(|_| is_note);
                    if let Some(text) = &text {
                        self.summary = text.clone();
                    }
                    if let Some(t) = occurred_at {
                        self.occurred_at = Some(t);
                    }
                    self.corrections.push(Correction {
                        kind: CorrectionKind::Amended,
                        stamp,
                        reason: a.reason.clone(),
                        text,
                        occurred_at,
                    });
                }
                EntryBody::Retracted(r) if !self.retracted_by.contains(&by) => {
                    self.retracted_by.push(by);
                    self.corrections.push(Correction {
                        kind: CorrectionKind::Retracted,
                        stamp,
                        reason: r.reason.clone(),
                        text: None,
                        occurred_at: None,
                    });
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

    /// In force: not superseded (a handover briefs every such decision).
    pub fn in_force(&self) -> bool {
        self.superseded_by.is_empty()
    }

    /// In force and still waiting for an approval.
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
    /// Reserved acts whose recorder lacked the authority, in fold order: kept, never in force.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unauthorised: Vec<super::UnauthorisedAct>,
}

impl CommandState {
    /// Marks the timeline items that are reserved acts without authority, as the fold does
    /// (for timelines read back from storage rather than folded).
    pub fn mark_not_in_force(&self, items: &mut [TimelineItem]) {
        if self.unauthorised.is_empty() {
            return;
        }
        for item in items {
            if let Some(u) = self.unauthorised.iter().find(|u| u.stamp.entry_id == item.entry_id) {
                item.not_in_force = Some(u.reason.clone());
            }
        }
    }
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
