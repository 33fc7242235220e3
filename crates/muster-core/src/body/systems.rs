//! The clinical systems register in force, isolation proposals with the clinical liaison's
//! sign-off, isolations carried out, and HICS 251 system ratings.

use serde::{Deserialize, Serialize};

use super::limits::{long_text, opt_long_text};
use super::Body;
use crate::breach::{system_id, FunctionalStatus, IsolationAction, MAX_REGISTER_SYSTEMS};
use crate::error::ValidationError;
use crate::ids::EntryId;
use crate::systems::{Register, SystemRecord};

/// The clinical systems register in force for this incident (a whole snapshot).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemsRegistered {
    pub systems: Vec<SystemRecord>,
}

/// A proposal to isolate (or restore) a system, with the reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationProposed {
    pub system: String,
    pub action: IsolationAction,
    pub reason: String,
}

/// The clinical liaison's sign-off (or refusal) of a proposal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationSignedOff {
    pub proposal: EntryId,
    pub approved: bool,
    pub note: String,
}

/// The proposal was carried out: the system is now isolated (or restored).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IsolationCarriedOut {
    pub proposal: EntryId,
    pub system: String,
    pub action: IsolationAction,
}

/// A HICS 251 rating of one system, with a comment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemStatusSet {
    pub system: String,
    pub status: FunctionalStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

impl Body for SystemsRegistered {
    const KIND: &'static str = "systems.registered";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        if self.systems.len() > MAX_REGISTER_SYSTEMS {
            return Err(ValidationError::new(
                "systems",
                self.systems.len().to_string(),
                format!("at most {MAX_REGISTER_SYSTEMS} systems"),
            ));
        }
        let register = Register { systems: self.systems.clone() };
        register.validate().map_err(|e| ValidationError::new("systems", "", e.to_string()))
    }
    fn describe(&self) -> String {
        format!("Clinical systems register: {} systems", self.systems.len())
    }
}

impl Body for IsolationProposed {
    const KIND: &'static str = "isolation.proposed";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        system_id("system", &self.system)?;
        long_text("reason", &self.reason)
    }
    fn describe(&self) -> String {
        format!("Proposed to {} {}: {}", self.action, self.system, self.reason)
    }
}

impl Body for IsolationSignedOff {
    const KIND: &'static str = "isolation.signed-off";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("note", &self.note)
    }
    fn describe(&self) -> String {
        let verdict = if self.approved { "signed off" } else { "refused" };
        format!("Clinical sign-off: proposal #{} {verdict}: {}", self.proposal.short(), self.note)
    }
}

impl Body for IsolationCarriedOut {
    const KIND: &'static str = "isolation.carried-out";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        system_id("system", &self.system)
    }
    fn describe(&self) -> String {
        match self.action {
            IsolationAction::Isolate => format!("{} isolated", self.system),
            IsolationAction::Restore => format!("{} restored", self.system),
        }
    }
}

impl Body for SystemStatusSet {
    const KIND: &'static str = "system.status";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        system_id("system", &self.system)?;
        opt_long_text("comment", self.comment.as_deref())
    }
    fn describe(&self) -> String {
        match &self.comment {
            Some(c) => format!("{}: {} ({c})", self.system, self.status.label()),
            None => format!("{}: {}", self.system, self.status.label()),
        }
    }
}
