//! Corrections never edit: an amendment (new text and/or time) or a retraction is a new entry
//! naming its target, and the original words stay visible.

use serde::{Deserialize, Serialize};

use super::limits::{long_text, opt_long_text};
use super::{
    Body, CommunicationSent, EscalationDone, EventTime, LawEnforcementDelay, Note, StatusUpdate,
    TriggerRecorded,
};
use crate::error::ValidationError;
use crate::ids::EntryId;

/// The kinds an amendment corrects (new text or time). Decisions and role changes are corrected
/// by superseding entries instead (decision 0005).
pub const AMENDABLE_KINDS: &[&str] = &[Note::KIND];

/// The kinds a retraction withdraws.
pub const RETRACTABLE_KINDS: &[&str] = &[
    Note::KIND,
    StatusUpdate::KIND,
    TriggerRecorded::KIND,
    LawEnforcementDelay::KIND,
    CommunicationSent::KIND,
    EscalationDone::KIND,
];

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

impl Body for Amendment {
    const KIND: &'static str = "entry.amended";
    const STRUCTURAL: bool = false;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("reason", &self.reason)?;
        opt_long_text("text", self.text.as_deref())?;
        if self.text.is_none() && self.occurred_at.is_none() {
            return Err(ValidationError::new(
                "text",
                "",
                "an amendment gives new text, a new time (occurred_at), or both",
            ));
        }
        Ok(())
    }
    fn describe(&self) -> String {
        format!("Amends #{}: {}", self.target.short(), self.reason)
    }
    fn correction_target(&self) -> Option<EntryId> {
        Some(self.target)
    }
}

impl Body for Retraction {
    const KIND: &'static str = "entry.retracted";
    // Structural: a retracted status update no longer counts as the position's last report.
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("reason", &self.reason)
    }
    fn describe(&self) -> String {
        format!("Retracts #{}: {}", self.target.short(), self.reason)
    }
    fn correction_target(&self) -> Option<EntryId> {
        Some(self.target)
    }
}
