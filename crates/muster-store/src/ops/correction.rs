//! Corrections: amend a note (new text or time) or retract an entry; the original stays.

use chrono::{DateTime, FixedOffset};
use muster_core::body::*;
use muster_core::{Entry, EntryBody, IncidentId};

use crate::error::{Result, StoreError};
use crate::muster::Muster;

impl Muster {
    /// Corrects a note: new text and/or event time, with a reason. Decisions and role changes
    /// are corrected by superseding entries instead, so they are refused here.
    pub fn amend(
        &mut self,
        incident: IncidentId,
        target: &str,
        reason: &str,
        text: Option<&str>,
        occurred_at: Option<DateTime<FixedOffset>>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let target_entry = self.resolve_entry(incident, target)?;
        if !AMENDABLE_KINDS.contains(&target_entry.kind()) {
            return Err(StoreError::Refused(format!(
                "#{} is a {} entry; only notes are amended (supersede a decision, reassign a role, retract a status update)",
                target_entry.id().short(),
                target_entry.kind()
            )));
        }
        let occurred_at = occurred_at.map(|t| self.check_event_time("occurred_at", t)).transpose()?;
        let body = EntryBody::Amended(Amendment {
            target: target_entry.id(),
            reason: reason.trim().into(),
            text: text.map(|t| t.trim_end().to_string()),
            occurred_at,
        });
        self.append_one(incident, &state, body)
    }

    pub fn retract(&mut self, incident: IncidentId, target: &str, reason: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let target_entry = self.resolve_entry(incident, target)?;
        if !RETRACTABLE_KINDS.contains(&target_entry.kind()) {
            return Err(StoreError::Refused(format!(
                "#{} is a {} entry; only notes, status updates, clock triggers, law-enforcement delays, communications and escalation ticks are retracted",
                target_entry.id().short(),
                target_entry.kind()
            )));
        }
        let body =
            EntryBody::Retracted(Retraction { target: target_entry.id(), reason: reason.trim().into() });
        self.append_one(incident, &state, body)
    }
}
