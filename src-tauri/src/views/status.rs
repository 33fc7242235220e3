//! Status prompts: each position's clock, snoozes, and the status, snooze and cadence inputs.

use muster_core::prompts::{CadenceSource, PromptClock};
use muster_core::ViewerZone;
use serde::{Deserialize, Serialize};

#[cfg(test)]
use ts_rs::TS;

use super::*;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SnoozeView {
    pub minutes: u32,
    pub reason: String,
    pub stamp: StampView,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PromptView {
    pub position: PositionView,
    pub holders: Vec<String>,
    pub interval_minutes: u32,
    /// Where the interval comes from, for people: "set for this position", "SEV1 default", ...
    pub cadence_source: String,
    pub last_report: Option<StampView>,
    pub since_ms: f64,
    pub due_ms: f64,
    pub due_text: String,
    pub escalate_ms: f64,
    pub snooze: Option<SnoozeView>,
    /// When the snooze in force ends, if it moved the due instant later: until then the prompt
    /// is snoozed (its own state, not on time).
    pub snoozed_until_ms: Option<f64>,
}

impl PromptView {
    pub fn of(c: &PromptClock, zone: &ViewerZone) -> Self {
        let cadence_source = match &c.source {
            CadenceSource::Position => "set for this position".to_string(),
            CadenceSource::Incident => "set for every position".to_string(),
            CadenceSource::Severity { severity } => format!("set for {severity}"),
            CadenceSource::Default { severity } => format!("{severity} default"),
        };
        PromptView {
            position: PositionView::of(&c.position),
            holders: c.holders.clone(),
            interval_minutes: c.interval_minutes,
            cadence_source,
            last_report: c.last_report.as_ref().map(|r| StampView::of(&r.stamp, zone)),
            since_ms: ms(c.since_ms),
            due_ms: ms(c.due_ms),
            due_text: format_ms(zone, c.due_ms),
            escalate_ms: ms(c.escalate_ms),
            snooze: c.snooze.as_ref().map(|s| SnoozeView {
                minutes: s.minutes,
                reason: s.reason.clone(),
                stamp: StampView::of(&s.stamp, zone),
            }),
            snoozed_until_ms: c.snoozed_until_ms.map(ms),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct StatusInput {
    pub incident: String,
    pub position: Option<String>,
    pub conditions: String,
    pub actions: String,
    pub needs: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SnoozeInput {
    pub incident: String,
    pub position: String,
    pub minutes: u32,
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct CadenceInput {
    pub incident: String,
    pub position: Option<String>,
    pub severity: Option<String>,
    pub minutes: u32,
}
