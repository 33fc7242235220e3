//! Status updates on a cadence: post one, set the cadence, the severity, snooze a prompt.

use muster_core::body::*;
use muster_core::{Entry, EntryBody, IncidentId, Position, Severity, ValidationError};

use crate::error::{Result, StoreError};
use crate::muster::Muster;

impl Muster {
    /// Posts a status update, for `position` or else the position the operator holds.
    pub fn post_status(
        &mut self,
        incident: IncidentId,
        position: Option<Position>,
        conditions: &str,
        actions: &str,
        needs: &str,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let author = self.author_in(&state)?;
        let position = position.or(author.position);
        let body = EntryBody::StatusUpdate(StatusUpdate {
            position,
            conditions: conditions.trim().into(),
            actions: actions.trim().into(),
            needs: needs.trim().into(),
        });
        self.append_one(incident, &state, body)
    }

    /// Sets how often status updates are owed: by one position, by every position, or by every
    /// position while the incident is at `severity`.
    pub fn set_cadence(
        &mut self,
        incident: IncidentId,
        position: Option<Position>,
        severity: Option<Severity>,
        minutes: u32,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        self.append_one(
            incident,
            &state,
            EntryBody::CadenceSet(CadenceSet { position, severity, interval_minutes: minutes }),
        )
    }

    /// Changes the severity. Lowering it (towards SEV4) needs a rationale: a downgrade relaxes
    /// every status-update cadence and the people reading the log must see why.
    pub fn set_severity(
        &mut self,
        incident: IncidentId,
        severity: Severity,
        rationale: Option<&str>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let rationale = rationale.map(|r| r.trim().to_string()).filter(|r| !r.is_empty());
        if let Some(current) = state.severity() {
            if current == severity {
                return Err(StoreError::Refused(format!("the incident is already {severity}")));
            }
            if severity.rank() > current.rank() && rationale.is_none() {
                return Err(ValidationError::new(
                    "rationale",
                    "",
                    format!("lowering the severity from {current} to {severity} needs a rationale"),
                )
                .into());
            }
        }
        self.append_one(incident, &state, EntryBody::SeveritySet(SeveritySet { severity, rationale }))
    }

    /// Puts off the status update `position` owes, by `minutes`, with a reason.
    pub fn snooze_status(
        &mut self,
        incident: IncidentId,
        position: Position,
        minutes: u32,
        reason: &str,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        if state.holders(&position).is_empty() {
            return Err(StoreError::Refused(format!("nobody holds {position}, so no update is owed")));
        }
        let body =
            EntryBody::StatusSnoozed(StatusSnoozed { position, minutes, reason: reason.trim().into() });
        self.append_one(incident, &state, body)
    }
}
