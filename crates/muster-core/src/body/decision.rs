//! The decision log: immutable decisions (a change of mind supersedes), approvals by positions,
//! and the notify / do-not-notify choice for a regulatory obligation.

use serde::{Deserialize, Serialize};

use super::limits::{long_text, short_text, supersedes, MAX_OPTIONS, MAX_PERSON, MAX_SHORT_TEXT};
use super::Body;
use crate::entry::Author;
use crate::error::ValidationError;
use crate::ids::EntryId;
use crate::position::Position;

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

/// The author, holding `position`, approves `decision`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionApproved {
    pub decision: EntryId,
    pub position: Position,
}

impl Body for DecisionRecorded {
    const KIND: &'static str = "decision.recorded";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("question", &self.question, MAX_SHORT_TEXT)?;
        if self.options.len() > MAX_OPTIONS {
            return Err(ValidationError::new(
                "options",
                self.options.len().to_string(),
                format!("at most {MAX_OPTIONS} options"),
            ));
        }
        for option in &self.options {
            short_text("option", option, MAX_SHORT_TEXT)?;
        }
        short_text("choice", &self.choice, MAX_SHORT_TEXT)?;
        if !self.options.is_empty() && !self.options.contains(&self.choice) {
            return Err(ValidationError::new(
                "choice",
                &self.choice,
                format!("must be one of the options considered: {}", self.options.join(" | ")),
            ));
        }
        long_text("rationale", &self.rationale)?;
        short_text("authority", &self.authority.person, MAX_PERSON)?;
        if self.approvals_required.len() > MAX_OPTIONS {
            return Err(ValidationError::new(
                "approvals_required",
                self.approvals_required.len().to_string(),
                format!("at most {MAX_OPTIONS} positions"),
            ));
        }
        if let Some(n) = &self.notification {
            crate::breach::rule_id("notification.rule", &n.rule)?;
        }
        supersedes("supersedes", &self.supersedes)
    }
    fn describe(&self) -> String {
        format!("Decision: {} -> {}", self.question, self.choice)
    }
}

impl Body for DecisionApproved {
    const KIND: &'static str = "decision.approved";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        Ok(())
    }
    fn describe(&self) -> String {
        format!("Decision #{} approved by {}", self.decision.short(), self.position)
    }
}
