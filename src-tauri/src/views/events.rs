//! What the app pushes to the window (see `muster_desktop::EVENTS`).

use serde::Serialize;

#[cfg(test)]
use ts_rs::TS;

use super::*;

ipc_state! {
    /// Where a change to the database came from: this window (`user`), another process such as
    /// the CLI or an import (`external`), entries pulled from the sync server (`sync`).
    ChangeSource { User, External, Sync }
}

ipc_state! {
    /// A status prompt that fired: due now, or overdue (escalated to the commander).
    PromptAlarm { Due, Overdue }
}

ipc_state! {
    /// A regulatory deadline reminder: a day before, an hour before, or overdue.
    DeadlineAlarm { DayBefore, HourBefore, Overdue }
}

impl From<muster_core::breach::rules::clocks::DeadlineStage> for DeadlineAlarm {
    fn from(s: muster_core::breach::rules::clocks::DeadlineStage) -> Self {
        use muster_core::breach::rules::clocks::DeadlineStage as S;
        match s {
            S::DayBefore => DeadlineAlarm::DayBefore,
            S::HourBefore => DeadlineAlarm::HourBefore,
            S::Overdue => DeadlineAlarm::Overdue,
        }
    }
}

/// Pushed as `timeline-indexed` when an incident's timeline index is ready (facets, filters).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct TimelineIndexed {
    pub incident: String,
}

// ----- events ------------------------------------------------------------------------------

/// Pushed as `store-changed` after every write, whoever made it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct StoreChanged {
    /// The incident written to, when known.
    pub incident: Option<String>,
    pub source: ChangeSource,
}

/// Pushed as `deadline-fired` when a regulatory deadline is a day away, an hour away, or
/// overdue (and shown by the OS as a notification).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct DeadlineFired {
    pub incident: String,
    pub incident_title: String,
    /// The rule's stable id, e.g. gdpr.authority.
    pub rule: String,
    pub recipient: String,
    pub citation: String,
    pub stage: DeadlineAlarm,
    pub due_ms: f64,
    /// The due instant in the viewer's zone, zone named.
    pub due_text: String,
}

/// Pushed as `prompt-fired` when a status update falls due or becomes overdue.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct PromptFired {
    pub incident: String,
    pub incident_title: String,
    pub position: PositionView,
    pub holders: Vec<String>,
    pub state: PromptAlarm,
    pub due_ms: f64,
    pub due_text: String,
}
