//! The roster: who takes and leaves which position, and command handed over in two steps (the
//! commander offers it with a HICS 201 briefing, the named person accepts).

use serde::{Deserialize, Serialize};

use super::limits::{
    long_text, opt_long_text, short_text, supersedes, MAX_BRIEFING_ITEMS, MAX_PERSON, MAX_SHORT_TEXT,
};
use super::{Body, EventTime};
use crate::error::ValidationError;
use crate::ids::EntryId;
use crate::position::Position;
use crate::severity::Severity;

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

impl Body for RoleAssigned {
    const KIND: &'static str = "role.assigned";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("person", &self.person, MAX_PERSON)?;
        supersedes("supersedes", &self.supersedes)
    }
    fn describe(&self) -> String {
        format!("{} assigned as {}", self.person, self.position)
    }
}

impl Body for RoleRelieved {
    const KIND: &'static str = "role.relieved";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("person", &self.person, MAX_PERSON)?;
        supersedes("supersedes", &self.supersedes)?;
        opt_long_text("reason", self.reason.as_deref())
    }
    fn describe(&self) -> String {
        match &self.reason {
            Some(reason) => format!("{} relieved as {}: {reason}", self.person, self.position),
            None => format!("{} relieved as {}", self.person, self.position),
        }
    }
}

impl Body for HandoverOffered {
    const KIND: &'static str = "command.handover.offered";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("to", &self.to, MAX_PERSON)?;
        let br = &self.briefing;
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
    fn describe(&self) -> String {
        format!("Command offered to {} | Situation: {}", self.to, self.briefing.situation)
    }
}

impl Body for HandoverAccepted {
    const KIND: &'static str = "command.handover.accepted";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("Command handover #{} accepted", self.offer.short())
    }
}

impl Body for HandoverCancelled {
    const KIND: &'static str = "command.handover.cancelled";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("reason", &self.reason)
    }
    fn describe(&self) -> String {
        format!("Command handover #{} cancelled: {}", self.offer.short(), self.reason)
    }
}
