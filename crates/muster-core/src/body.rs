//! Entry kinds and their versioned bodies. A body is stored as canonical JSON; its kind and
//! version travel in the envelope so that an older Muster can verify, store and relay an entry
//! of a kind it does not know (it shows it as such instead of refusing it).

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use crate::breach::{
    ClassificationRecorded, ClassificationReviewed, CommunicationSent, EscalationDone, IsolationCarriedOut,
    IsolationProposed, IsolationSignedOff, LawEnforcementDelay, ScopeSet, SystemStatusSet, SystemsRegistered,
    TriggerRecorded,
};
use crate::canonical::{canonical_json, canonicalize_json_text};
use crate::entry::Author;
use crate::error::{BodyError, CanonicalError, ValidationError};
use crate::ids::EntryId;
use crate::position::Position;
use crate::severity::Severity;

pub const KIND_INCIDENT_OPENED: &str = "incident.opened";
pub const KIND_INCIDENT_CLOSED: &str = "incident.closed";
pub const KIND_INCIDENT_REOPENED: &str = "incident.reopened";
pub const KIND_NOTE: &str = "note";
pub const KIND_ROLE_ASSIGNED: &str = "role.assigned";
pub const KIND_ROLE_RELIEVED: &str = "role.relieved";
pub const KIND_STATUS_UPDATE: &str = "status.update";
pub const KIND_CADENCE_SET: &str = "cadence.set";
pub const KIND_DECISION_RECORDED: &str = "decision.recorded";
pub const KIND_ENTRY_AMENDED: &str = "entry.amended";
pub const KIND_ENTRY_RETRACTED: &str = "entry.retracted";
pub const KIND_SEVERITY_SET: &str = "severity.set";
pub const KIND_STATUS_SNOOZED: &str = "status.snoozed";
pub const KIND_HANDOVER_OFFERED: &str = "command.handover.offered";
pub const KIND_HANDOVER_ACCEPTED: &str = "command.handover.accepted";
pub const KIND_HANDOVER_CANCELLED: &str = "command.handover.cancelled";
pub const KIND_DECISION_APPROVED: &str = "decision.approved";
pub const KIND_SCOPE_SET: &str = "scope.set";
pub const KIND_CLASSIFICATION_RECORDED: &str = "classification.recorded";
pub const KIND_CLASSIFICATION_REVIEWED: &str = "classification.reviewed";
pub const KIND_TRIGGER_RECORDED: &str = "trigger.recorded";
pub const KIND_LAW_ENFORCEMENT_DELAY: &str = "law-enforcement.delay";
pub const KIND_COMMUNICATION_SENT: &str = "communication.sent";
pub const KIND_ESCALATION_DONE: &str = "escalation.done";
pub const KIND_SYSTEMS_REGISTERED: &str = "systems.registered";
pub const KIND_ISOLATION_PROPOSED: &str = "isolation.proposed";
pub const KIND_ISOLATION_SIGNED_OFF: &str = "isolation.signed-off";
pub const KIND_ISOLATION_CARRIED_OUT: &str = "isolation.carried-out";
pub const KIND_SYSTEM_STATUS: &str = "system.status";

/// Every kind this version of Muster understands (all at body version 1).
pub const KNOWN_KINDS: [&str; 29] = [
    KIND_INCIDENT_OPENED,
    KIND_INCIDENT_CLOSED,
    KIND_INCIDENT_REOPENED,
    KIND_NOTE,
    KIND_ROLE_ASSIGNED,
    KIND_ROLE_RELIEVED,
    KIND_STATUS_UPDATE,
    KIND_CADENCE_SET,
    KIND_DECISION_RECORDED,
    KIND_ENTRY_AMENDED,
    KIND_ENTRY_RETRACTED,
    KIND_SEVERITY_SET,
    KIND_STATUS_SNOOZED,
    KIND_HANDOVER_OFFERED,
    KIND_HANDOVER_ACCEPTED,
    KIND_HANDOVER_CANCELLED,
    KIND_DECISION_APPROVED,
    KIND_SCOPE_SET,
    KIND_CLASSIFICATION_RECORDED,
    KIND_CLASSIFICATION_REVIEWED,
    KIND_TRIGGER_RECORDED,
    KIND_LAW_ENFORCEMENT_DELAY,
    KIND_COMMUNICATION_SENT,
    KIND_ESCALATION_DONE,
    KIND_SYSTEMS_REGISTERED,
    KIND_ISOLATION_PROPOSED,
    KIND_ISOLATION_SIGNED_OFF,
    KIND_ISOLATION_CARRIED_OUT,
    KIND_SYSTEM_STATUS,
];

pub const MAX_TITLE: usize = 200;
pub const MAX_PERSON: usize = 120;
pub const MAX_SHORT_TEXT: usize = 1_000;
pub const MAX_LONG_TEXT: usize = 20_000;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_SUPERSEDES: usize = 64;
pub const MAX_CADENCE_MINUTES: u32 = 24 * 60;
pub const MAX_SNOOZE_MINUTES: u32 = 4 * 60;
pub const MAX_BRIEFING_ITEMS: usize = 200;

/// When something happened, as the author stated it (with its UTC offset).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct EventTime(pub DateTime<FixedOffset>);

impl Serialize for EventTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, false))
    }
}

impl<'de> Deserialize<'de> for EventTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        DateTime::parse_from_rfc3339(&s)
            .map(EventTime)
            .map_err(|e| serde::de::Error::custom(format!("{s:?} is not an RFC 3339 time: {e}")))
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentOpened {
    pub title: String,
    pub drill: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentClosed {
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IncidentReopened {
    pub reason: String,
}

/// A timeline note. `occurred_at` is when the thing happened; the envelope's wall clock is when
/// it was recorded. Absent means "as recorded".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<EventTime>,
}

/// `person` takes `position`. `supersedes` lists the assignments (and reliefs) of that position
/// this author knew of: those end. Assignments that do not supersede each other both stand and
/// the roster shows a conflict until a later assignment supersedes them all.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleAssigned {
    pub position: Position,
    pub person: String,
    pub supersedes: Vec<EntryId>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleRelieved {
    pub position: Position,
    pub person: String,
    pub supersedes: Vec<EntryId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A status report in the HICS shape: current conditions, actions under way, needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusUpdate {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    pub conditions: String,
    pub actions: String,
    pub needs: String,
}

/// How often status updates are owed: for one position; or (no position) for every position
/// that has no cadence of its own; or (a severity, no position) for every position while the
/// incident is at that severity and nothing more specific is set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CadenceSet {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub interval_minutes: u32,
}

/// A decision. Immutable: a change of mind is a new decision that `supersedes` this one.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecorded {
    pub question: String,
    pub options: Vec<String>,
    pub choice: String,
    pub rationale: String,
    pub authority: Author,
    pub supersedes: Vec<EntryId>,
    /// Positions whose approval the decision needs (each given by a `decision.approved`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvals_required: Vec<Position>,
    /// Set when this is the notify / do-not-notify choice for one regulatory obligation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notification: Option<NotificationChoice>,
}

/// The notify / do-not-notify choice a decision makes for the obligation of rule `rule`
/// (a regulatory clock id such as `gdpr.authority`). Not notifying waives the obligation,
/// with the decision's rationale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationChoice {
    pub rule: String,
    pub notify: bool,
}

/// A correction of an earlier note: new text and/or a new event time, with the reason.
/// The original stays in the log and on screen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amendment {
    pub target: EntryId,
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurred_at: Option<EventTime>,
}

/// Withdraws an earlier note or status update (it stays visible, marked retracted).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retraction {
    pub target: EntryId,
    pub reason: String,
}

/// The incident's severity (SEV1 most severe), with why it was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveritySet {
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

/// A status update owed by `position` is put off for `minutes`, with the reason (logged so the
/// incident commander sees who asked for more time and why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSnoozed {
    pub position: Position,
    pub minutes: u32,
    pub reason: String,
}

/// One open decision as the outgoing commander briefed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedDecision {
    pub decision: EntryId,
    pub question: String,
    pub choice: String,
    /// Positions whose approval was still outstanding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awaiting: Vec<Position>,
}

/// A status update that was overdue at the handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedPrompt {
    pub position: Position,
    pub holder: String,
    pub due: EventTime,
}

/// Who held which position at the handover (HICS 203 in brief).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedRole {
    pub position: Position,
    pub person: String,
}

/// The HICS 201 incident briefing the outgoing commander hands over: situation, objectives,
/// the organisation, open decisions and overdue status updates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Briefing {
    pub situation: String,
    pub objectives: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub roster: Vec<BriefedRole>,
    pub open_decisions: Vec<BriefedDecision>,
    pub overdue_prompts: Vec<BriefedPrompt>,
}

/// The incident commander offers command to `to`; command passes only when `to` accepts.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverOffered {
    pub to: String,
    pub briefing: Briefing,
}

/// `offer` was accepted by the person it named. Written together with the `role.assigned`
/// entry that puts them in command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverAccepted {
    pub offer: EntryId,
}

/// `offer` was withdrawn by the outgoing commander or declined by the person it named.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HandoverCancelled {
    pub offer: EntryId,
    pub reason: String,
}

/// The author, holding `position`, approves `decision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionApproved {
    pub decision: EntryId,
    pub position: Position,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryBody {
    IncidentOpened(IncidentOpened),
    IncidentClosed(IncidentClosed),
    IncidentReopened(IncidentReopened),
    Note(Note),
    RoleAssigned(RoleAssigned),
    RoleRelieved(RoleRelieved),
    StatusUpdate(StatusUpdate),
    CadenceSet(CadenceSet),
    DecisionRecorded(DecisionRecorded),
    Amended(Amendment),
    Retracted(Retraction),
    SeveritySet(SeveritySet),
    StatusSnoozed(StatusSnoozed),
    HandoverOffered(HandoverOffered),
    HandoverAccepted(HandoverAccepted),
    HandoverCancelled(HandoverCancelled),
    DecisionApproved(DecisionApproved),
    ScopeSet(ScopeSet),
    ClassificationRecorded(ClassificationRecorded),
    ClassificationReviewed(ClassificationReviewed),
    TriggerRecorded(TriggerRecorded),
    LawEnforcementDelay(LawEnforcementDelay),
    CommunicationSent(CommunicationSent),
    EscalationDone(EscalationDone),
    SystemsRegistered(SystemsRegistered),
    IsolationProposed(IsolationProposed),
    IsolationSignedOff(IsolationSignedOff),
    IsolationCarriedOut(IsolationCarriedOut),
    SystemStatusSet(SystemStatusSet),
    /// A kind or version from a newer Muster: kept verbatim, shown as such, relayed unchanged.
    Unknown {
        kind: String,
        version: u16,
        json: String,
    },
}

impl EntryBody {
    pub fn kind(&self) -> &str {
        match self {
            EntryBody::IncidentOpened(_) => KIND_INCIDENT_OPENED,
            EntryBody::IncidentClosed(_) => KIND_INCIDENT_CLOSED,
            EntryBody::IncidentReopened(_) => KIND_INCIDENT_REOPENED,
            EntryBody::Note(_) => KIND_NOTE,
            EntryBody::RoleAssigned(_) => KIND_ROLE_ASSIGNED,
            EntryBody::RoleRelieved(_) => KIND_ROLE_RELIEVED,
            EntryBody::StatusUpdate(_) => KIND_STATUS_UPDATE,
            EntryBody::CadenceSet(_) => KIND_CADENCE_SET,
            EntryBody::DecisionRecorded(_) => KIND_DECISION_RECORDED,
            EntryBody::Amended(_) => KIND_ENTRY_AMENDED,
            EntryBody::Retracted(_) => KIND_ENTRY_RETRACTED,
            EntryBody::SeveritySet(_) => KIND_SEVERITY_SET,
            EntryBody::StatusSnoozed(_) => KIND_STATUS_SNOOZED,
            EntryBody::HandoverOffered(_) => KIND_HANDOVER_OFFERED,
            EntryBody::HandoverAccepted(_) => KIND_HANDOVER_ACCEPTED,
            EntryBody::HandoverCancelled(_) => KIND_HANDOVER_CANCELLED,
            EntryBody::DecisionApproved(_) => KIND_DECISION_APPROVED,
            EntryBody::ScopeSet(_) => KIND_SCOPE_SET,
            EntryBody::ClassificationRecorded(_) => KIND_CLASSIFICATION_RECORDED,
            EntryBody::ClassificationReviewed(_) => KIND_CLASSIFICATION_REVIEWED,
            EntryBody::TriggerRecorded(_) => KIND_TRIGGER_RECORDED,
            EntryBody::LawEnforcementDelay(_) => KIND_LAW_ENFORCEMENT_DELAY,
            EntryBody::CommunicationSent(_) => KIND_COMMUNICATION_SENT,
            EntryBody::EscalationDone(_) => KIND_ESCALATION_DONE,
            EntryBody::SystemsRegistered(_) => KIND_SYSTEMS_REGISTERED,
            EntryBody::IsolationProposed(_) => KIND_ISOLATION_PROPOSED,
            EntryBody::IsolationSignedOff(_) => KIND_ISOLATION_SIGNED_OFF,
            EntryBody::IsolationCarriedOut(_) => KIND_ISOLATION_CARRIED_OUT,
            EntryBody::SystemStatusSet(_) => KIND_SYSTEM_STATUS,
            EntryBody::Unknown { kind, .. } => kind,
        }
    }

    pub fn version(&self) -> u16 {
        match self {
            EntryBody::Unknown { version, .. } => *version,
            _ => 1,
        }
    }

    /// Whether this entry changes the incident's structure (lifecycle, roster, decisions,
    /// cadence, severity, status-prompt clocks, handovers) as opposed to only adding to the
    /// timeline. The store refolds structure from these entries alone, so this must cover every
    /// kind the structural fold reads. Retractions are structural because a retracted status
    /// update no longer counts as the position's last report.
    pub fn affects_structure(kind: &str) -> bool {
        matches!(
            kind,
            KIND_INCIDENT_OPENED
                | KIND_INCIDENT_CLOSED
                | KIND_INCIDENT_REOPENED
                | KIND_ROLE_ASSIGNED
                | KIND_ROLE_RELIEVED
                | KIND_CADENCE_SET
                | KIND_DECISION_RECORDED
                | KIND_STATUS_UPDATE
                | KIND_ENTRY_RETRACTED
                | KIND_SEVERITY_SET
                | KIND_STATUS_SNOOZED
                | KIND_HANDOVER_OFFERED
                | KIND_HANDOVER_ACCEPTED
                | KIND_HANDOVER_CANCELLED
                | KIND_DECISION_APPROVED
                | KIND_SCOPE_SET
                | KIND_CLASSIFICATION_RECORDED
                | KIND_CLASSIFICATION_REVIEWED
                | KIND_TRIGGER_RECORDED
                | KIND_LAW_ENFORCEMENT_DELAY
                | KIND_COMMUNICATION_SENT
                | KIND_ESCALATION_DONE
                | KIND_SYSTEMS_REGISTERED
                | KIND_ISOLATION_PROPOSED
                | KIND_ISOLATION_SIGNED_OFF
                | KIND_ISOLATION_CARRIED_OUT
                | KIND_SYSTEM_STATUS
        )
    }

    /// The entry this one corrects, for amendments and retractions.
    pub fn correction_target(&self) -> Option<EntryId> {
        match self {
            EntryBody::Amended(a) => Some(a.target),
            EntryBody::Retracted(r) => Some(r.target),
            _ => None,
        }
    }

    pub fn to_value(&self) -> Value {
        let result = match self {
            EntryBody::IncidentOpened(b) => serde_json::to_value(b),
            EntryBody::IncidentClosed(b) => serde_json::to_value(b),
            EntryBody::IncidentReopened(b) => serde_json::to_value(b),
            EntryBody::Note(b) => serde_json::to_value(b),
            EntryBody::RoleAssigned(b) => serde_json::to_value(b),
            EntryBody::RoleRelieved(b) => serde_json::to_value(b),
            EntryBody::StatusUpdate(b) => serde_json::to_value(b),
            EntryBody::CadenceSet(b) => serde_json::to_value(b),
            EntryBody::DecisionRecorded(b) => serde_json::to_value(b),
            EntryBody::Amended(b) => serde_json::to_value(b),
            EntryBody::Retracted(b) => serde_json::to_value(b),
            EntryBody::SeveritySet(b) => serde_json::to_value(b),
            EntryBody::StatusSnoozed(b) => serde_json::to_value(b),
            EntryBody::HandoverOffered(b) => serde_json::to_value(b),
            EntryBody::HandoverAccepted(b) => serde_json::to_value(b),
            EntryBody::HandoverCancelled(b) => serde_json::to_value(b),
            EntryBody::DecisionApproved(b) => serde_json::to_value(b),
            EntryBody::ScopeSet(b) => serde_json::to_value(b),
            EntryBody::ClassificationRecorded(b) => serde_json::to_value(b),
            EntryBody::ClassificationReviewed(b) => serde_json::to_value(b),
            EntryBody::TriggerRecorded(b) => serde_json::to_value(b),
            EntryBody::LawEnforcementDelay(b) => serde_json::to_value(b),
            EntryBody::CommunicationSent(b) => serde_json::to_value(b),
            EntryBody::EscalationDone(b) => serde_json::to_value(b),
            EntryBody::SystemsRegistered(b) => serde_json::to_value(b),
            EntryBody::IsolationProposed(b) => serde_json::to_value(b),
            EntryBody::IsolationSignedOff(b) => serde_json::to_value(b),
            EntryBody::IsolationCarriedOut(b) => serde_json::to_value(b),
            EntryBody::SystemStatusSet(b) => serde_json::to_value(b),
            EntryBody::Unknown { json, .. } => serde_json::from_str(json),
        };
        // Serialising these plain structs to a Value cannot fail (string keys, no floats); an
        // unknown body was valid JSON when it was decoded.
        result.unwrap_or(Value::Null)
    }

    /// The canonical JSON text of this body, as signed.
    pub fn to_canonical_json(&self) -> Result<String, CanonicalError> {
        match self {
            EntryBody::Unknown { json, .. } => canonicalize_json_text(json),
            _ => canonical_json(&self.to_value()),
        }
    }

    /// Decodes a stored or received body. Unknown kinds and versions are kept as `Unknown`;
    /// a known kind and version whose JSON does not fit the schema is an error.
    pub fn decode(kind: &str, version: u16, json: &str) -> Result<EntryBody, BodyError> {
        fn parse<T: serde::de::DeserializeOwned>(
            kind: &str,
            json: &str,
            wrap: fn(T) -> EntryBody,
        ) -> Result<EntryBody, BodyError> {
            serde_json::from_str::<T>(json).map(wrap).map_err(|e| BodyError {
                kind: kind.to_string(),
                version: 1,
                reason: e.to_string(),
            })
        }
        if version != 1 || !KNOWN_KINDS.contains(&kind) {
            serde_json::from_str::<Value>(json).map_err(|e| BodyError {
                kind: kind.to_string(),
                version,
                reason: e.to_string(),
            })?;
            return Ok(EntryBody::Unknown { kind: kind.to_string(), version, json: json.to_string() });
        }
        match kind {
            KIND_INCIDENT_OPENED => parse(kind, json, EntryBody::IncidentOpened),
            KIND_INCIDENT_CLOSED => parse(kind, json, EntryBody::IncidentClosed),
            KIND_INCIDENT_REOPENED => parse(kind, json, EntryBody::IncidentReopened),
            KIND_NOTE => parse(kind, json, EntryBody::Note),
            KIND_ROLE_ASSIGNED => parse(kind, json, EntryBody::RoleAssigned),
            KIND_ROLE_RELIEVED => parse(kind, json, EntryBody::RoleRelieved),
            KIND_STATUS_UPDATE => parse(kind, json, EntryBody::StatusUpdate),
            KIND_CADENCE_SET => parse(kind, json, EntryBody::CadenceSet),
            KIND_DECISION_RECORDED => parse(kind, json, EntryBody::DecisionRecorded),
            KIND_ENTRY_AMENDED => parse(kind, json, EntryBody::Amended),
            KIND_SEVERITY_SET => parse(kind, json, EntryBody::SeveritySet),
            KIND_STATUS_SNOOZED => parse(kind, json, EntryBody::StatusSnoozed),
            KIND_HANDOVER_OFFERED => parse(kind, json, EntryBody::HandoverOffered),
            KIND_HANDOVER_ACCEPTED => parse(kind, json, EntryBody::HandoverAccepted),
            KIND_HANDOVER_CANCELLED => parse(kind, json, EntryBody::HandoverCancelled),
            KIND_DECISION_APPROVED => parse(kind, json, EntryBody::DecisionApproved),
            KIND_SCOPE_SET => parse(kind, json, EntryBody::ScopeSet),
            KIND_CLASSIFICATION_RECORDED => parse(kind, json, EntryBody::ClassificationRecorded),
            KIND_CLASSIFICATION_REVIEWED => parse(kind, json, EntryBody::ClassificationReviewed),
            KIND_TRIGGER_RECORDED => parse(kind, json, EntryBody::TriggerRecorded),
            KIND_LAW_ENFORCEMENT_DELAY => parse(kind, json, EntryBody::LawEnforcementDelay),
            KIND_COMMUNICATION_SENT => parse(kind, json, EntryBody::CommunicationSent),
            KIND_ESCALATION_DONE => parse(kind, json, EntryBody::EscalationDone),
            KIND_SYSTEMS_REGISTERED => parse(kind, json, EntryBody::SystemsRegistered),
            KIND_ISOLATION_PROPOSED => parse(kind, json, EntryBody::IsolationProposed),
            KIND_ISOLATION_SIGNED_OFF => parse(kind, json, EntryBody::IsolationSignedOff),
            KIND_ISOLATION_CARRIED_OUT => parse(kind, json, EntryBody::IsolationCarriedOut),
            KIND_SYSTEM_STATUS => parse(kind, json, EntryBody::SystemStatusSet),
            _ => parse(kind, json, EntryBody::Retracted),
        }
    }

    /// Checks the limits every body of this version must respect. Run on local writes and on
    /// every received entry, so a misbehaving client cannot store a 1 GB note.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            EntryBody::IncidentOpened(b) => {
                short_text("title", &b.title, MAX_TITLE)?;
                opt_long_text("description", b.description.as_deref())
            }
            EntryBody::IncidentClosed(b) => long_text("summary", &b.summary),
            EntryBody::IncidentReopened(b) => long_text("reason", &b.reason),
            EntryBody::Note(b) => long_text("text", &b.text),
            EntryBody::RoleAssigned(b) => {
                short_text("person", &b.person, MAX_PERSON)?;
                supersedes("supersedes", &b.supersedes)
            }
            EntryBody::RoleRelieved(b) => {
                short_text("person", &b.person, MAX_PERSON)?;
                supersedes("supersedes", &b.supersedes)?;
                opt_long_text("reason", b.reason.as_deref())
            }
            EntryBody::StatusUpdate(b) => {
                for (field, value) in
                    [("conditions", &b.conditions), ("actions", &b.actions), ("needs", &b.needs)]
                {
                    bounded_text(field, value, MAX_LONG_TEXT, true)?;
                }
                if [&b.conditions, &b.actions, &b.needs].iter().all(|s| s.trim().is_empty()) {
                    return Err(ValidationError::new(
                        "conditions",
                        "",
                        "a status update needs at least one of conditions, actions or needs",
                    ));
                }
                Ok(())
            }
            EntryBody::CadenceSet(b) => {
                if b.interval_minutes == 0 || b.interval_minutes > MAX_CADENCE_MINUTES {
                    return Err(ValidationError::new(
                        "interval_minutes",
                        b.interval_minutes.to_string(),
                        format!("must be between 1 and {MAX_CADENCE_MINUTES} minutes"),
                    ));
                }
                if let (Some(p), Some(sev)) = (&b.position, &b.severity) {
                    return Err(ValidationError::new(
                        "severity",
                        sev.label(),
                        format!("a cadence is for one position ({p}) or for a severity, not both"),
                    ));
                }
                Ok(())
            }
            EntryBody::DecisionRecorded(b) => {
                short_text("question", &b.question, MAX_SHORT_TEXT)?;
                if b.options.len() > MAX_OPTIONS {
                    return Err(ValidationError::new(
                        "options",
                        b.options.len().to_string(),
                        format!("at most {MAX_OPTIONS} options"),
                    ));
                }
                for option in &b.options {
                    short_text("option", option, MAX_SHORT_TEXT)?;
                }
                short_text("choice", &b.choice, MAX_SHORT_TEXT)?;
                if !b.options.is_empty() && !b.options.contains(&b.choice) {
                    return Err(ValidationError::new(
                        "choice",
                        &b.choice,
                        format!("must be one of the options considered: {}", b.options.join(" | ")),
                    ));
                }
                long_text("rationale", &b.rationale)?;
                short_text("authority", &b.authority.person, MAX_PERSON)?;
                if b.approvals_required.len() > MAX_OPTIONS {
                    return Err(ValidationError::new(
                        "approvals_required",
                        b.approvals_required.len().to_string(),
                        format!("at most {MAX_OPTIONS} positions"),
                    ));
                }
                if let Some(n) = &b.notification {
                    crate::breach::rule_id("notification.rule", &n.rule)?;
                }
                supersedes("supersedes", &b.supersedes)
            }
            EntryBody::SeveritySet(b) => opt_long_text("rationale", b.rationale.as_deref()),
            EntryBody::StatusSnoozed(b) => {
                if b.minutes == 0 || b.minutes > MAX_SNOOZE_MINUTES {
                    return Err(ValidationError::new(
                        "minutes",
                        b.minutes.to_string(),
                        format!("a snooze lasts between 1 and {MAX_SNOOZE_MINUTES} minutes"),
                    ));
                }
                long_text("reason", &b.reason)
            }
            EntryBody::HandoverOffered(b) => {
                short_text("to", &b.to, MAX_PERSON)?;
                let br = &b.briefing;
                long_text("situation", &br.situation)?;
                long_text("objectives", &br.objectives)?;
                for (field, n) in [
                    ("roster", br.roster.len()),
                    ("open_decisions", br.open_decisions.len()),
                    ("overdue_prompts", br.overdue_prompts.len()),
                ] {
                    if n > MAX_BRIEFING_ITEMS {
                        return Err(ValidationError::new(
                            field,
                            n.to_string(),
                            format!("at most {MAX_BRIEFING_ITEMS} items"),
                        ));
                    }
                }
                for r in &br.roster {
                    short_text("roster.person", &r.person, MAX_PERSON)?;
                }
                for d in &br.open_decisions {
                    short_text("open_decisions.question", &d.question, MAX_SHORT_TEXT)?;
                    short_text("open_decisions.choice", &d.choice, MAX_SHORT_TEXT)?;
                }
                for p in &br.overdue_prompts {
                    short_text("overdue_prompts.holder", &p.holder, MAX_PERSON)?;
                }
                Ok(())
            }
            EntryBody::HandoverAccepted(_) | EntryBody::DecisionApproved(_) => Ok(()),
            EntryBody::HandoverCancelled(b) => long_text("reason", &b.reason),
            EntryBody::Amended(b) => {
                long_text("reason", &b.reason)?;
                opt_long_text("text", b.text.as_deref())?;
                if b.text.is_none() && b.occurred_at.is_none() {
                    return Err(ValidationError::new(
                        "text",
                        "",
                        "an amendment gives new text, a new time (occurred_at), or both",
                    ));
                }
                Ok(())
            }
            EntryBody::Retracted(b) => long_text("reason", &b.reason),
            EntryBody::ScopeSet(b) => b.validate(),
            EntryBody::ClassificationRecorded(b) => {
                short_text("matrix", &b.matrix, MAX_SHORT_TEXT)?;
                if b.fired.len() > MAX_BRIEFING_ITEMS {
                    return Err(ValidationError::new("fired", b.fired.len().to_string(), "too many rules"));
                }
                for id in &b.fired {
                    crate::breach::rule_id("fired", id)?;
                }
                opt_long_text("rationale", b.rationale.as_deref())
            }
            EntryBody::ClassificationReviewed(b) => {
                if !b.confirmed && b.severity.is_none() && b.major.is_none() {
                    return Err(ValidationError::new(
                        "severity",
                        "",
                        "a review that does not confirm gives the severity or major flag it changes to",
                    ));
                }
                if !b.confirmed && b.rationale.is_none() {
                    return Err(ValidationError::new(
                        "rationale",
                        "",
                        "a changed classification needs a rationale",
                    ));
                }
                opt_long_text("rationale", b.rationale.as_deref())
            }
            EntryBody::TriggerRecorded(b) => opt_long_text("note", b.note.as_deref()),
            EntryBody::LawEnforcementDelay(b) => {
                short_text("agency", &b.agency, MAX_SHORT_TEXT)?;
                long_text("statement", &b.statement)?;
                match (b.basis, b.until) {
                    (crate::breach::DelayBasis::Written, None) => Err(ValidationError::new(
                        "until",
                        "",
                        "a written law-enforcement statement gives the end of the delay (45 CFR 164.412(a))",
                    )),
                    (_, Some(until)) if until.0 <= b.from.0 => Err(ValidationError::new(
                        "until",
                        until.0.to_rfc3339(),
                        "the delay must end after it starts",
                    )),
                    _ => Ok(()),
                }
            }
            EntryBody::CommunicationSent(b) => {
                short_text("recipient", &b.recipient, MAX_SHORT_TEXT)?;
                short_text("channel", &b.channel, MAX_PERSON)?;
                long_text("summary", &b.summary)?;
                if b.obligations.len() > MAX_OPTIONS {
                    return Err(ValidationError::new(
                        "obligations",
                        b.obligations.len().to_string(),
                        format!("at most {MAX_OPTIONS} rules"),
                    ));
                }
                for id in &b.obligations {
                    crate::breach::rule_id("obligations", id)?;
                }
                Ok(())
            }
            EntryBody::EscalationDone(b) => {
                crate::breach::rule_id("rule", &b.rule)?;
                opt_long_text("note", b.note.as_deref())
            }
            EntryBody::SystemsRegistered(b) => {
                if b.systems.len() > crate::breach::MAX_REGISTER_SYSTEMS {
                    return Err(ValidationError::new(
                        "systems",
                        b.systems.len().to_string(),
                        format!("at most {} systems", crate::breach::MAX_REGISTER_SYSTEMS),
                    ));
                }
                let register = crate::systems::Register { systems: b.systems.clone() };
                register.validate().map_err(|e| ValidationError::new("systems", "", e.to_string()))
            }
            EntryBody::IsolationProposed(b) => {
                crate::breach::system_id("system", &b.system)?;
                long_text("reason", &b.reason)
            }
            EntryBody::IsolationSignedOff(b) => long_text("note", &b.note),
            EntryBody::IsolationCarriedOut(b) => crate::breach::system_id("system", &b.system),
            EntryBody::SystemStatusSet(b) => {
                crate::breach::system_id("system", &b.system)?;
                opt_long_text("comment", b.comment.as_deref())
            }
            EntryBody::Unknown { json, .. } => {
                if json.len() > 4 * MAX_LONG_TEXT * 4 {
                    return Err(ValidationError::new("body", "(too long)", "body is too large"));
                }
                Ok(())
            }
        }
    }

    /// One line for people: what this entry says.
    pub fn describe(&self) -> String {
        match self {
            EntryBody::IncidentOpened(b) => {
                let drill = if b.drill { " [DRILL]" } else { "" };
                format!("Incident opened{drill}: {}", b.title)
            }
            EntryBody::IncidentClosed(b) => format!("Incident closed: {}", b.summary),
            EntryBody::IncidentReopened(b) => format!("Incident reopened: {}", b.reason),
            EntryBody::Note(b) => b.text.clone(),
            EntryBody::RoleAssigned(b) => format!("{} assigned as {}", b.person, b.position),
            EntryBody::RoleRelieved(b) => match &b.reason {
                Some(reason) => format!("{} relieved as {}: {reason}", b.person, b.position),
                None => format!("{} relieved as {}", b.person, b.position),
            },
            EntryBody::StatusUpdate(b) => {
                let who = b.position.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
                format!(
                    "Status{who} | Conditions: {} | Actions: {} | Needs: {}",
                    or_none(&b.conditions),
                    or_none(&b.actions),
                    or_none(&b.needs)
                )
            }
            EntryBody::CadenceSet(b) => {
                let scope = b.position.as_ref().map(|p| p.title()).unwrap_or("every position".into());
                match b.severity {
                    Some(sev) => format!(
                        "Status updates due every {} min from {scope} while the incident is {sev}",
                        b.interval_minutes
                    ),
                    None => format!("Status updates due every {} min from {scope}", b.interval_minutes),
                }
            }
            EntryBody::DecisionRecorded(b) => format!("Decision: {} -> {}", b.question, b.choice),
            EntryBody::Amended(b) => format!("Amends #{}: {}", b.target.short(), b.reason),
            EntryBody::Retracted(b) => format!("Retracts #{}: {}", b.target.short(), b.reason),
            EntryBody::SeveritySet(b) => match &b.rationale {
                Some(r) => format!("Severity set to {}: {r}", b.severity),
                None => format!("Severity set to {}", b.severity),
            },
            EntryBody::StatusSnoozed(b) => {
                format!("Status update from {} snoozed {} min: {}", b.position, b.minutes, b.reason)
            }
            EntryBody::HandoverOffered(b) => {
                format!("Command offered to {} | Situation: {}", b.to, b.briefing.situation)
            }
            EntryBody::HandoverAccepted(b) => format!("Command handover #{} accepted", b.offer.short()),
            EntryBody::HandoverCancelled(b) => {
                format!("Command handover #{} cancelled: {}", b.offer.short(), b.reason)
            }
            EntryBody::DecisionApproved(b) => {
                format!("Decision #{} approved by {}", b.decision.short(), b.position)
            }
            EntryBody::ScopeSet(b) => b.describe(),
            EntryBody::ClassificationRecorded(b) => {
                let major = if b.major { ", major incident" } else { "" };
                let borderline = if b.borderline { " (borderline: peer review asked)" } else { "" };
                let fired = if b.fired.is_empty() { "no rule".to_string() } else { b.fired.join(", ") };
                let mut text =
                    format!("Classified {}{major}{borderline} by {}: {fired}", b.severity, b.matrix);
                if let Some(r) = &b.rationale {
                    text.push_str(&format!(" | {r}"));
                }
                text
            }
            EntryBody::ClassificationReviewed(b) => {
                let mut text = if b.confirmed {
                    format!("Classification #{} confirmed by peer review", b.classification.short())
                } else {
                    let sev =
                        b.severity.map(|s| s.to_string()).unwrap_or_else(|| "unchanged severity".into());
                    let major = match b.major {
                        Some(true) => ", major incident",
                        Some(false) => ", not a major incident",
                        None => "",
                    };
                    format!(
                        "Classification #{} changed by peer review to {sev}{major}",
                        b.classification.short()
                    )
                };
                if let Some(r) = &b.rationale {
                    text.push_str(&format!(": {r}"));
                }
                text
            }
            EntryBody::TriggerRecorded(b) => {
                let mut text = format!("Trigger {}: {}", b.trigger, b.at.0.to_rfc3339());
                if let Some(n) = &b.note {
                    text.push_str(&format!(" | {n}"));
                }
                text
            }
            EntryBody::LawEnforcementDelay(b) => {
                let until =
                    b.until.map(|u| u.0.to_rfc3339()).unwrap_or_else(|| "30 days at most (oral)".into());
                format!(
                    "Law-enforcement delay ({}) requested by {} until {until}: {}",
                    b.basis, b.agency, b.statement
                )
            }
            EntryBody::CommunicationSent(b) => {
                let meets = if b.obligations.is_empty() {
                    String::new()
                } else {
                    format!(" [{}]", b.obligations.join(", "))
                };
                format!("Sent to {} by {}{meets}: {}", b.recipient, b.channel, b.summary)
            }
            EntryBody::EscalationDone(b) => match &b.note {
                Some(n) => format!("Escalation {} done: {n}", b.rule),
                None => format!("Escalation {} done", b.rule),
            },
            EntryBody::SystemsRegistered(b) => {
                format!("Clinical systems register: {} systems", b.systems.len())
            }
            EntryBody::IsolationProposed(b) => format!("Proposed to {} {}: {}", b.action, b.system, b.reason),
            EntryBody::IsolationSignedOff(b) => {
                let verdict = if b.approved { "signed off" } else { "refused" };
                format!("Clinical sign-off: proposal #{} {verdict}: {}", b.proposal.short(), b.note)
            }
            EntryBody::IsolationCarriedOut(b) => match b.action {
                crate::breach::IsolationAction::Isolate => format!("{} isolated", b.system),
                crate::breach::IsolationAction::Restore => format!("{} restored", b.system),
            },
            EntryBody::SystemStatusSet(b) => match &b.comment {
                Some(c) => format!("{}: {} ({c})", b.system, b.status.label()),
                None => format!("{}: {}", b.system, b.status.label()),
            },
            EntryBody::Unknown { kind, version, .. } => {
                format!("({kind} v{version}: written by a newer Muster)")
            }
        }
    }
}

impl Serialize for EntryBody {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

fn or_none(s: &str) -> &str {
    if s.trim().is_empty() {
        "none"
    } else {
        s
    }
}

fn bounded_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(field, value, format!("longer than {max} characters")));
    }
    let bad = value.chars().find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t')));
    if let Some(c) = bad {
        return Err(ValidationError::new(
            field,
            value,
            format!("contains the control character U+{:04X}", c as u32),
        ));
    }
    Ok(())
}

fn short_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, value, "must not be empty"));
    }
    bounded_text(field, value, max, false)
}

fn long_text(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, value, "must not be empty"));
    }
    bounded_text(field, value, MAX_LONG_TEXT, true)
}

fn opt_long_text(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    value.map_or(Ok(()), |v| long_text(field, v))
}

fn supersedes(field: &str, ids: &[EntryId]) -> Result<(), ValidationError> {
    if ids.len() > MAX_SUPERSEDES {
        return Err(ValidationError::new(
            field,
            ids.len().to_string(),
            format!("at most {MAX_SUPERSEDES} entries"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_kind_round_trips_through_canonical_json() {
        let id = EntryId::from_parts(1, [0; 10]);
        let bodies = vec![
            EntryBody::IncidentOpened(IncidentOpened { title: "T".into(), drill: true, description: None }),
            EntryBody::IncidentClosed(IncidentClosed { summary: "s".into() }),
            EntryBody::IncidentReopened(IncidentReopened { reason: "r".into() }),
            EntryBody::Note(Note {
                text: "n".into(),
                occurred_at: Some(EventTime(
                    DateTime::parse_from_rfc3339("2026-01-01T00:00:00+01:00").unwrap(),
                )),
            }),
            EntryBody::RoleAssigned(RoleAssigned {
                position: Position::Scribe,
                person: "p".into(),
                supersedes: vec![id],
            }),
            EntryBody::RoleRelieved(RoleRelieved {
                position: Position::Scribe,
                person: "p".into(),
                supersedes: vec![id],
                reason: None,
            }),
            EntryBody::StatusUpdate(StatusUpdate {
                position: None,
                conditions: "c".into(),
                actions: "".into(),
                needs: "".into(),
            }),
            EntryBody::CadenceSet(CadenceSet {
                position: Some(Position::TechnicalLead),
                severity: None,
                interval_minutes: 15,
            }),
            EntryBody::DecisionRecorded(DecisionRecorded {
                question: "q".into(),
                options: vec!["a".into(), "b".into()],
                choice: "a".into(),
                rationale: "because".into(),
                authority: Author { person: "x".into(), position: Some(Position::IncidentCommander) },
                supersedes: vec![],
                approvals_required: vec![Position::LegalLiaison],
                notification: None,
            }),
            EntryBody::Amended(Amendment {
                target: id,
                reason: "typo".into(),
                text: Some("t".into()),
                occurred_at: None,
            }),
            EntryBody::Retracted(Retraction { target: id, reason: "wrong incident".into() }),
            EntryBody::SeveritySet(SeveritySet {
                severity: Severity::Sev1,
                rationale: Some("EHR down".into()),
            }),
            EntryBody::StatusSnoozed(StatusSnoozed {
                position: Position::TechnicalLead,
                minutes: 10,
                reason: "imaging restore in progress".into(),
            }),
            EntryBody::HandoverOffered(HandoverOffered {
                to: "Dr Okafor".into(),
                briefing: Briefing {
                    situation: "EHR encrypted".into(),
                    objectives: "Keep ED on downtime forms".into(),
                    severity: Some(Severity::Sev1),
                    roster: vec![BriefedRole { position: Position::Scribe, person: "Lee".into() }],
                    open_decisions: vec![BriefedDecision {
                        decision: id,
                        question: "Divert ambulances?".into(),
                        choice: "yes".into(),
                        awaiting: vec![Position::ClinicalLiaison],
                    }],
                    overdue_prompts: vec![BriefedPrompt {
                        position: Position::TechnicalLead,
                        holder: "Kim".into(),
                        due: EventTime(DateTime::parse_from_rfc3339("2026-01-01T00:15:00Z").unwrap()),
                    }],
                },
            }),
            EntryBody::HandoverAccepted(HandoverAccepted { offer: id }),
            EntryBody::HandoverCancelled(HandoverCancelled { offer: id, reason: "declined".into() }),
            EntryBody::DecisionApproved(DecisionApproved { decision: id, position: Position::LegalLiaison }),
            EntryBody::ScopeSet(ScopeSet {
                affected: vec![crate::breach::Affected {
                    jurisdiction: crate::breach::Jurisdiction::parse("affected", "US-CA").unwrap(),
                    individuals: 600,
                }],
                data: vec![crate::breach::DataCategory::ClinicalPhi],
                exposure: vec![crate::breach::Exposure::ExfiltrationConfirmed],
                systems: vec![crate::breach::ScopedSystem {
                    system: "pacs".into(),
                    criticality: crate::breach::SystemCriticality::High,
                }],
                roles: vec![crate::breach::OrgRole::CoveredEntity],
                litigation_exposure: true,
                supersedes: vec![id],
            }),
            EntryBody::ClassificationRecorded(ClassificationRecorded {
                severity: Severity::Sev1,
                major: true,
                borderline: false,
                matrix: "muster-classification@1".into(),
                fired: vec!["phi-500".into()],
                scope: Some(id),
                rationale: None,
            }),
            EntryBody::ClassificationReviewed(ClassificationReviewed {
                classification: id,
                confirmed: false,
                severity: Some(Severity::Sev2),
                major: None,
                rationale: Some("count is an estimate".into()),
            }),
            EntryBody::TriggerRecorded(TriggerRecorded {
                trigger: crate::breach::TriggerKind::Discovery,
                at: EventTime(DateTime::parse_from_rfc3339("2026-01-01T00:15:00-06:00").unwrap()),
                note: None,
            }),
            EntryBody::LawEnforcementDelay(LawEnforcementDelay {
                basis: crate::breach::DelayBasis::Oral,
                agency: "FBI".into(),
                statement: "notice would impede the investigation".into(),
                from: EventTime(DateTime::parse_from_rfc3339("2026-01-02T00:00:00Z").unwrap()),
                until: None,
            }),
            EntryBody::CommunicationSent(CommunicationSent {
                recipient: "HHS OCR".into(),
                channel: "breach portal".into(),
                summary: "initial report".into(),
                sent_at: None,
                obligations: vec!["hipaa.hhs".into()],
            }),
            EntryBody::EscalationDone(EscalationDone { rule: "executives".into(), note: None }),
            EntryBody::SystemsRegistered(SystemsRegistered { systems: vec![] }),
            EntryBody::IsolationProposed(IsolationProposed {
                system: "pacs".into(),
                action: crate::breach::IsolationAction::Isolate,
                reason: "encrypting".into(),
            }),
            EntryBody::IsolationSignedOff(IsolationSignedOff {
                proposal: id,
                approved: true,
                note: "ok".into(),
            }),
            EntryBody::IsolationCarriedOut(IsolationCarriedOut {
                proposal: id,
                system: "pacs".into(),
                action: crate::breach::IsolationAction::Isolate,
            }),
            EntryBody::SystemStatusSet(SystemStatusSet {
                system: "pacs".into(),
                status: crate::breach::FunctionalStatus::Partially,
                comment: Some("reads only".into()),
            }),
        ];
        assert_eq!(bodies.len(), KNOWN_KINDS.len());
        for body in bodies {
            body.validate().unwrap();
            let json = body.to_canonical_json().unwrap();
            let back = EntryBody::decode(body.kind(), 1, &json).unwrap();
            assert_eq!(back, body, "{json}");
        }
    }

    #[test]
    fn unknown_kinds_and_versions_are_kept_verbatim() {
        let b = EntryBody::decode("evidence.collected", 1, r#"{"item":"disk"}"#).unwrap();
        assert!(matches!(&b, EntryBody::Unknown { kind, .. } if kind == "evidence.collected"));
        let b = EntryBody::decode(KIND_NOTE, 2, r#"{"text":"x","lang":"de"}"#).unwrap();
        assert_eq!(b.version(), 2);
        assert!(b.describe().contains("newer Muster"));
    }

    #[test]
    fn malformed_known_bodies_are_errors_naming_the_problem() {
        let e = EntryBody::decode(KIND_NOTE, 1, r#"{"txt":"x"}"#).unwrap_err();
        assert!(e.reason.contains("txt"), "{e}");
        let e =
            EntryBody::decode(KIND_ROLE_ASSIGNED, 1, r#"{"position":"chief","person":"x","supersedes":[]}"#)
                .unwrap_err();
        assert!(e.reason.contains("chief"), "{e}");
    }

    #[test]
    fn validation_names_field_and_value() {
        let e = EntryBody::Note(Note { text: "  ".into(), occurred_at: None }).validate().unwrap_err();
        assert_eq!(e.field, "text");
        let d = EntryBody::DecisionRecorded(DecisionRecorded {
            question: "Isolate PACS?".into(),
            options: vec!["isolate".into(), "monitor".into()],
            choice: "wait".into(),
            rationale: "r".into(),
            authority: Author { person: "x".into(), position: None },
            supersedes: vec![],
            approvals_required: vec![],
            notification: None,
        });
        let e = d.validate().unwrap_err();
        assert_eq!((e.field.as_str(), e.value.as_str()), ("choice", "wait"));
        let c = EntryBody::CadenceSet(CadenceSet { position: None, severity: None, interval_minutes: 0 });
        assert_eq!(c.validate().unwrap_err().field, "interval_minutes");
        let n = EntryBody::Note(Note { text: "a\u{0}b".into(), occurred_at: None });
        assert!(n.validate().unwrap_err().reason.contains("U+0000"));
    }
}
