//! Incidents: list, resolve by id or suffix, the current one, open / close / reopen, notes.

use chrono::{DateTime, FixedOffset};
use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::{Entry, EntryBody, EntryId, IncidentId, IncidentState, IncidentStatus, Position, Severity};

use super::*;
use crate::clock::random_10;
use crate::error::{Result, StoreError};
use crate::muster::{Muster, SETTING_CURRENT_INCIDENT};
use crate::store::IncidentSummary;

impl Muster {
    pub fn incidents(&self) -> Result<Vec<IncidentSummary>> {
        self.store.incidents()
    }

    pub fn state(&self, incident: IncidentId) -> Result<IncidentState> {
        self.store.state(incident)
    }

    /// The state without the timeline: roster, prompts, decisions, handovers.
    pub fn structure(&self, incident: IncidentId) -> Result<IncidentState> {
        self.store.structure(incident)
    }

    /// Seeds the demo ransomware incident (see `demo`) and makes it current.
    pub fn load_demo(&mut self) -> Result<(IncidentId, usize)> {
        let seeded = crate::demo::seed_demo(&mut self.store)?;
        self.use_incident(seeded.0)?;
        Ok(seeded)
    }

    /// Resolves a full incident id or a unique suffix of one.
    pub fn resolve_incident(&self, reference: &str) -> Result<IncidentId> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<IncidentId>() {
            if self.store.incident_statuses()?.iter().any(|(i, _)| *i == id) {
                return Ok(id);
            }
            return Err(StoreError::NotFound { what: "incident", value: reference.to_string() });
        }
        let matches: Vec<IncidentId> = self
            .store
            .incident_statuses()?
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| id.matches_ref(reference))
            .collect();
        one_match("incident", reference, matches, |id| id.short())
    }

    /// The incident a command applies to: the one named, else the current one.
    pub fn current_incident(&self, explicit: Option<&str>) -> Result<IncidentId> {
        if let Some(r) = explicit {
            return self.resolve_incident(r);
        }
        let statuses = self.store.incident_statuses()?;
        if let Some(id) =
            self.store.setting(SETTING_CURRENT_INCIDENT)?.and_then(|s| s.parse::<IncidentId>().ok())
        {
            if statuses.iter().any(|(i, _)| *i == id) {
                return Ok(id);
            }
        }
        let open: Vec<IncidentId> =
            statuses.into_iter().filter(|(_, s)| *s == IncidentStatus::Open).map(|(id, _)| id).collect();
        match open.as_slice() {
            [only] => Ok(*only),
            [] => Err(StoreError::Refused(
                "no incident selected and none is open: open one with `muster incident open --title ...`"
                    .into(),
            )),
            _ => Err(StoreError::Refused(
                "several incidents are open: choose one with --incident ID or `muster incident use ID`"
                    .into(),
            )),
        }
    }

    pub fn use_incident(&self, incident: IncidentId) -> Result<()> {
        self.store.set_setting(SETTING_CURRENT_INCIDENT, &incident.to_string())
    }

    /// Resolves a full entry id or a unique suffix (`#1a2b3c4d`) within an incident.
    pub fn resolve_entry(&self, incident: IncidentId, reference: &str) -> Result<Entry> {
        let reference = reference.trim();
        let direct = reference.parse::<EntryId>().ok();
        let candidates: Vec<EntryId> = match direct {
            Some(id) => vec![id],
            None => {
                let state_ids = self.timeline_ids(incident)?;
                state_ids.into_iter().filter(|id| id.matches_ref(reference)).collect()
            }
        };
        let id = one_match("entry", reference, candidates, |id| id.short())?;
        match self.store.entry(id)? {
            Some(e) if e.incident_id() == incident => Ok(e),
            _ => Err(StoreError::NotFound { what: "entry in this incident", value: reference.to_string() }),
        }
    }

    fn timeline_ids(&self, incident: IncidentId) -> Result<Vec<EntryId>> {
        let mut stmt = self.store.connection().prepare("SELECT id FROM entries WHERE incident_id = ?1")?;
        let rows = stmt.query_map([&incident.as_bytes()[..]], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(b) = crate::rows::uuid_bytes(&r?) {
                out.push(EntryId::from_bytes(b));
            }
        }
        Ok(out)
    }

    /// Opens an incident and puts its commander in post (the operator unless named), as one
    /// atomic write. The new incident becomes the current one.
    pub fn open_incident(
        &mut self,
        title: &str,
        drill: bool,
        description: Option<&str>,
        commander: Option<&str>,
        severity: Severity,
    ) -> Result<(IncidentId, Vec<Entry>)> {
        let operator = self.operator()?;
        let commander = commander.map(str::trim).unwrap_or(&operator).to_string();
        validate_person("commander", &commander)?;
        let opened = EntryBody::IncidentOpened(IncidentOpened {
            title: title.trim().to_string(),
            drill,
            description: description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty()),
        });
        let assign = EntryBody::RoleAssigned(RoleAssigned {
            position: Position::IncidentCommander,
            person: commander.clone(),
            supersedes: vec![],
        });
        opened.validate()?;
        assign.validate()?;
        let now = self.clock().now();
        let random = random_10(self.store.entropy());
        let incident = IncidentId::from_parts(u64::try_from(now.timestamp_millis()).unwrap_or(0), random);
        let position = (operator == commander).then_some(Position::IncidentCommander);
        let author = Author { person: operator, position };
        let severity = EntryBody::SeveritySet(SeveritySet { severity, rationale: None });
        let entries = self.append(incident, author, vec![opened, assign, severity])?;
        self.use_incident(incident)?;
        Ok((incident, entries))
    }

    pub fn close_incident(&mut self, incident: IncidentId, summary: &str) -> Result<Entry> {
        let state = self.open_state(incident)?;
        self.append_one(
            incident,
            &state,
            EntryBody::IncidentClosed(IncidentClosed { summary: summary.trim().into() }),
        )
    }

    pub fn reopen_incident(&mut self, incident: IncidentId, reason: &str) -> Result<Entry> {
        let state = self.structure(incident)?;
        if state.status != IncidentStatus::Closed {
            return Err(StoreError::Refused(format!("incident {} is not closed", incident.short())));
        }
        self.append_one(
            incident,
            &state,
            EntryBody::IncidentReopened(IncidentReopened { reason: reason.trim().into() }),
        )
    }

    pub fn add_note(
        &mut self,
        incident: IncidentId,
        text: &str,
        occurred_at: Option<DateTime<FixedOffset>>,
    ) -> Result<Entry> {
        let state = self.open_state(incident)?;
        let occurred_at = occurred_at.map(|t| self.check_event_time("occurred_at", t)).transpose()?;
        self.append_one(
            incident,
            &state,
            EntryBody::Note(Note { text: text.trim_end().to_string(), occurred_at }),
        )
    }
}
