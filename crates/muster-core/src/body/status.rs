//! Status updates (conditions / actions / needs), the cadence they are owed on, and snoozes.

use serde::{Deserialize, Serialize};

use super::limits::{bounded_text, long_text, MAX_CADENCE_MINUTES, MAX_LONG_TEXT, MAX_SNOOZE_MINUTES};
use super::Body;
use crate::error::ValidationError;
use crate::position::Position;
use crate::severity::Severity;

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

/// A status update owed by `position` is put off for `minutes`, with the reason (logged so the
/// incident commander sees who asked for more time and why).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatusSnoozed {
    pub position: Position,
    pub minutes: u32,
    pub reason: String,
}

impl Body for StatusUpdate {
    const KIND: &'static str = "status.update";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        for (field, value) in
            [("conditions", &self.conditions), ("actions", &self.actions), ("needs", &self.needs)]
        {
            bounded_text(field, value, MAX_LONG_TEXT, true)?;
        }
        if [&self.conditions, &self.actions, &self.needs].iter().all(|s| s.trim().is_empty()) {
            return Err(ValidationError::new(
                "conditions",
                "",
                "a status update needs at least one of conditions, actions or needs",
            ));
        }
        Ok(())
    }
    fn describe(&self) -> String {
        let who = self.position.as_ref().map(|p| format!(" ({p})")).unwrap_or_default();
        format!(
            "Status{who} | Conditions: {} | Actions: {} | Needs: {}",
            or_none(&self.conditions),
            or_none(&self.actions),
            or_none(&self.needs)
        )
    }
}

fn or_none(s: &str) -> &str {
    if s.trim().is_empty() {
        "none"
    } else {
        s
    }
}

impl Body for CadenceSet {
    const KIND: &'static str = "cadence.set";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        if self.interval_minutes == 0 || self.interval_minutes > MAX_CADENCE_MINUTES {
            return Err(ValidationError::new(
                "interval_minutes",
                self.interval_minutes.to_string(),
                format!("must be between 1 and {MAX_CADENCE_MINUTES} minutes"),
            ));
        }
        if let (Some(p), Some(sev)) = (&self.position, &self.severity) {
            return Err(ValidationError::new(
                "severity",
                sev.label(),
                format!("a cadence is for one position ({p}) or for a severity, not both"),
            ));
        }
        Ok(())
    }
    fn describe(&self) -> String {
        let scope = self.position.as_ref().map(|p| p.title()).unwrap_or("every position".into());
        match self.severity {
            Some(sev) => format!(
                "Status updates due every {} min from {scope} while the incident is {sev}",
                self.interval_minutes
            ),
            None => format!("Status updates due every {} min from {scope}", self.interval_minutes),
        }
    }
}

impl Body for StatusSnoozed {
    const KIND: &'static str = "status.snoozed";
    const STRUCTURAL: bool = true;
    fn validate(&self) -> Result<(), ValidationError> {
        if self.minutes == 0 || self.minutes > MAX_SNOOZE_MINUTES {
            return Err(ValidationError::new(
                "minutes",
                self.minutes.to_string(),
                format!("a snooze lasts between 1 and {MAX_SNOOZE_MINUTES} minutes"),
            ));
        }
        long_text("reason", &self.reason)
    }
    fn describe(&self) -> String {
        format!("Status update from {} snoozed {} min: {}", self.position, self.minutes, self.reason)
    }
}
