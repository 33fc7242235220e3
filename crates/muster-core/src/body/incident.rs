//! The incident's lifecycle (opened, closed, reopened), its severity, and timeline notes.

use serde::{Deserialize, Serialize};

use super::limits::{long_text, opt_long_text, short_text, MAX_TITLE};
use super::{Body, EventTime};
use crate::error::ValidationError;
use crate::severity::Severity;

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

/// The incident's severity (SEV1 most severe), with why it was set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeveritySet {
    pub severity: Severity,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rationale: Option<String>,
}

impl Body for IncidentOpened {
    const KIND: &'static str = "incident.opened";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        short_text("title", &self.title, MAX_TITLE)?;
        opt_long_text("description", self.description.as_deref())
    }
    fn describe(&self) -> String {
        let drill = if self.drill { " [DRILL]" } else { "" };
        format!("Incident opened{drill}: {}", self.title)
    }
}

impl Body for IncidentClosed {
    const KIND: &'static str = "incident.closed";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("summary", &self.summary)
    }
    fn describe(&self) -> String {
        format!("Incident closed: {}", self.summary)
    }
}

impl Body for IncidentReopened {
    const KIND: &'static str = "incident.reopened";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("reason", &self.reason)
    }
    fn describe(&self) -> String {
        format!("Incident reopened: {}", self.reason)
    }
}

impl Body for Note {
    const KIND: &'static str = "note";
    const STRUCTURAL: bool = false;
    fn validate(&self) -> Result<(), ValidationError> {
        long_text("text", &self.text)
    }
    fn describe(&self) -> String {
        self.text.clone()
    }
}

impl Body for SeveritySet {
    const KIND: &'static str = "severity.set";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        opt_long_text("rationale", self.rationale.as_deref())
    }
    fn describe(&self) -> String {
        match &self.rationale {
            Some(r) => format!("Severity set to {}: {r}", self.severity),
            None => format!("Severity set to {}", self.severity),
        }
    }
}
