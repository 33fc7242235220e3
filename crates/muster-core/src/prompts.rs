//! Status prompts: every position on the roster (but the incident commander, who receives the
//! updates) owes a status update on a cadence. Computed from the incident state alone, so a
//! restarted app, another laptop and the CLI all show the same clocks.
//!
//! A position's clock starts at the later of its holder's assignment and its last status update;
//! the update is due one interval later (or when a snooze made after that ends, if later), and it
//! escalates to the incident commander when it is a third of an interval late (at least 20
//! seconds, at most 10 minutes). While a snooze holds the due instant back the clock is
//! `Snoozed`, not on time: someone decided the update can wait, and every screen says so.

use serde::Serialize;

use crate::fold::{IncidentState, IncidentStatus, Report, Snooze};
use crate::position::Position;
use crate::severity::Severity;

const MINUTE_MS: i64 = 60_000;
const MIN_GRACE_MS: i64 = 20_000;
const MAX_GRACE_MS: i64 = 10 * MINUTE_MS;

/// Where the interval of a prompt comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "snake_case")]
pub enum CadenceSource {
    /// Set for this position.
    Position,
    /// Set for every position.
    Incident,
    /// Set for the incident's current severity.
    Severity { severity: Severity },
    /// Nobody set one: the built-in default of the severity (SEV2's when none is set).
    Default { severity: Severity },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PromptState {
    /// Counting down.
    Waiting,
    /// Counting down to the end of a snooze that moved the due instant later.
    Snoozed,
    /// The update is owed now.
    Due,
    /// Late enough to be escalated to the incident commander.
    Overdue,
}

/// One position's status-update clock.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PromptClock {
    pub position: Position,
    /// Who holds the position now (two or more: a conflict).
    pub holders: Vec<String>,
    pub interval_minutes: u32,
    pub source: CadenceSource,
    pub last_report: Option<Report>,
    /// When the clock started: the later of the assignment and the last update.
    pub since_ms: i64,
    /// The snooze in force, if one was made after the clock started.
    pub snooze: Option<Snooze>,
    /// When the snooze in force ends, if it moved the due instant later than one interval.
    pub snoozed_until_ms: Option<i64>,
    pub due_ms: i64,
    pub escalate_ms: i64,
}

impl PromptClock {
    pub fn state(&self, now_ms: i64) -> PromptState {
        if now_ms >= self.escalate_ms {
            PromptState::Overdue
        } else if now_ms >= self.due_ms {
            PromptState::Due
        } else if self.snoozed_until_ms.is_some() {
            PromptState::Snoozed
        } else {
            PromptState::Waiting
        }
    }

    /// The next instant after `now_ms` at which this clock changes state.
    pub fn next_change_ms(&self, now_ms: i64) -> Option<i64> {
        [self.due_ms, self.escalate_ms].into_iter().find(|t| *t > now_ms)
    }
}

/// The interval a position owes updates at, and where it comes from.
pub fn cadence_of(state: &IncidentState, position: &Position) -> (u32, CadenceSource) {
    match state.cadence_for(position) {
        Some(c) if c.position.is_some() => (c.interval_minutes, CadenceSource::Position),
        Some(c) => match c.severity {
            Some(severity) => (c.interval_minutes, CadenceSource::Severity { severity }),
            None => (c.interval_minutes, CadenceSource::Incident),
        },
        None => {
            let severity = state.severity().unwrap_or(Severity::Sev2);
            (severity.default_cadence_minutes(), CadenceSource::Default { severity })
        }
    }
}

/// The clocks of every position that owes status updates, in roster order. None for an incident
/// that is not open.
pub fn prompt_clocks(state: &IncidentState) -> Vec<PromptClock> {
    if state.status != IncidentStatus::Open {
        return Vec::new();
    }
    let mut out = Vec::new();
    for line in state.roster() {
        if line.position == Position::IncidentCommander || line.holders.is_empty() {
            continue;
        }
        let (interval_minutes, source) = cadence_of(state, &line.position);
        let assigned_ms = line.holders.iter().map(|a| a.assigned_at.utc_ms).max().unwrap_or(0);
        let last_report = state.command.reports.iter().find(|r| r.position == line.position).cloned();
        let since_ms = last_report.as_ref().map_or(assigned_ms, |r| r.stamp.at.utc_ms.max(assigned_ms));
        let interval_ms = i64::from(interval_minutes) * MINUTE_MS;
        let interval_due_ms = since_ms.saturating_add(interval_ms);
        let snooze = state
            .command
            .snoozes
            .iter()
            .find(|s| s.position == line.position && s.stamp.at.utc_ms >= since_ms)
            .cloned();
        let snoozed_until_ms = snooze
            .as_ref()
            .map(|s| s.stamp.at.utc_ms.saturating_add(i64::from(s.minutes) * MINUTE_MS))
            .filter(|end| *end > interval_due_ms);
        let due_ms = snoozed_until_ms.unwrap_or(interval_due_ms);
        let grace_ms = (interval_ms / 3).clamp(MIN_GRACE_MS, MAX_GRACE_MS);
        out.push(PromptClock {
            position: line.position.clone(),
            holders: line.holders.iter().map(|a| a.person.clone()).collect(),
            interval_minutes,
            source,
            last_report,
            since_ms,
            snooze,
            snoozed_until_ms,
            due_ms,
            escalate_ms: due_ms.saturating_add(grace_ms),
        });
    }
    out
}

/// When any of `clocks` next changes state after `now_ms`.
pub fn next_change_ms(clocks: &[PromptClock], now_ms: i64) -> Option<i64> {
    clocks.iter().filter_map(|c| c.next_change_ms(now_ms)).min()
}
