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

/// A decision in force at the handover, as the outgoing commander briefed it.
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

/// A system isolated at the handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedSystem {
    /// Its id in the clinical systems register.
    pub system: String,
    /// Its name in the register (the id when the register does not list it).
    pub name: String,
    /// When it was isolated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<EventTime>,
}

/// A regulatory deadline still open (pending or overdue) at the handover.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedDeadline {
    /// The obligation's rule id (`hipaa.hhs`).
    pub rule: String,
    pub recipient: String,
    /// When it is due (`None`: no fixed period, or its trigger is not recorded yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<EventTime>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub overdue: bool,
}

/// Who held which position at the handover (HICS 203 in brief).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BriefedRole {
    pub position: Position,
    pub person: String,
}

/// The HICS 201 incident briefing the outgoing commander hands over: situation, objectives,
/// the organisation, the decisions in force, overdue status updates, isolated systems and the
/// open regulatory deadlines. The last two were added later: absent in older offers, and
/// written only when there are any, so older entries keep their bytes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Briefing {
    pub situation: String,
    pub objectives: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<Severity>,
    pub roster: Vec<BriefedRole>,
    /// The decisions in force (not superseded), those awaiting approval marked by `awaiting`.
    /// (Offers written before Muster briefed every decision in force list only those awaiting
    /// approval.)
    pub open_decisions: Vec<BriefedDecision>,
    pub overdue_prompts: Vec<BriefedPrompt>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub isolated_systems: Vec<BriefedSystem>,
    /// Soonest first; those without a due instant last.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub deadlines: Vec<BriefedDeadline>,
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
            ("isolated_systems", br.isolated_systems.len()),
            ("deadlines", br.deadlines.len()),
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
        for s in &br.isolated_systems {
            short_text("isolated_systems.system", &s.system, MAX_SHORT_TEXT)?;
            short_text("isolated_systems.name", &s.name, MAX_SHORT_TEXT)?;
        }
        for d in &br.deadlines {
            short_text("deadlines.rule", &d.rule, MAX_SHORT_TEXT)?;
            short_text("deadlines.recipient", &d.recipient, MAX_SHORT_TEXT)?;
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
