//! Reads: the incidents of this installation, an incident's folded state (whole, or its
//! structure without the timeline), timeline pages, the change probe, rebuild and verify.

use muster_core::fold::{Assignment, Stamp};
use muster_core::{fold, IncidentId, IncidentState, IncidentStatus};
use rusqlite::{params, Connection, TransactionBehavior};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::projection::{self, parse_status};
use crate::rows::{self, uuid_bytes};

use super::*;

/// One line of the incident list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentSummary {
    pub id: IncidentId,
    pub title: Option<String>,
    pub drill: bool,
    pub status: IncidentStatus,
    pub opened: Option<Stamp>,
    pub entry_count: u64,
    /// Current incident commander(s); two or more is a conflict.
    pub commanders: Vec<String>,
    pub last_activity_ms: u64,
}

/// Detects commits made through other connections (`PRAGMA data_version`).
pub struct ChangeProbe {
    conn: Connection,
    last: i64,
}

impl std::fmt::Debug for ChangeProbe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChangeProbe").field("last", &self.last).finish()
    }
}

impl ChangeProbe {
    fn data_version(&self) -> Result<i64> {
        Ok(self.conn.query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// True when something was committed since the last call.
    pub fn changed(&mut self) -> Result<bool> {
        let now = self.data_version()?;
        let changed = now != self.last;
        self.last = now;
        Ok(changed)
    }
}

impl Store {
    /// The incident ids a one-column query returns (rows that are not ids are skipped).
    pub(crate) fn incident_ids_by(&self, sql: &str) -> Result<Vec<IncidentId>> {
        let mut stmt = self.conn.prepare(sql)?;
        let ids = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for id in ids {
            if let Some(b) = uuid_bytes(&id?) {
                out.push(IncidentId::from_bytes(b));
            }
        }
        Ok(out)
    }

    /// Incidents with at least one entry, most recent activity first.
    pub fn incident_ids(&self) -> Result<Vec<IncidentId>> {
        self.incident_ids_by("SELECT DISTINCT incident_id FROM entries")
    }

    /// The incident's state folded directly from the log (the reference the projections must equal).
    pub fn fold_from_log(&self, incident: IncidentId) -> Result<IncidentState> {
        let entries = self.entries(incident)?;
        fold(incident, entries)
            .map_err(|e| StoreError::Corrupt { row: format!("incident {incident}"), reason: e.to_string() })
    }

    /// The incident's state as the projections hold it.
    pub fn state(&self, incident: IncidentId) -> Result<IncidentState> {
        projection::load_state(&self.conn, incident)?
            .ok_or_else(|| StoreError::NotFound { what: "incident", value: incident.to_string() })
    }

    /// One page of an incident's timeline (see `projection::load_timeline_page`).
    pub fn timeline_page(
        &self,
        incident: IncidentId,
        newest_first: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<muster_core::TimelineItem>> {
        projection::load_timeline_page(&self.conn, incident, newest_first, offset, limit)
    }

    /// One entry of an incident's timeline, corrections applied (`None`: not in this incident).
    pub fn timeline_item(
        &self,
        incident: IncidentId,
        entry: muster_core::EntryId,
    ) -> Result<Option<muster_core::TimelineItem>> {
        projection::load_timeline_item(&self.conn, incident, entry)
    }

    /// The incident's state without its timeline (see `projection::load_structure`).
    pub fn structure(&self, incident: IncidentId) -> Result<IncidentState> {
        projection::load_structure(&self.conn, incident)?
            .ok_or_else(|| StoreError::NotFound { what: "incident", value: incident.to_string() })
    }

    /// A second, read-only connection that tells when anything (this process or another, such
    /// as the CLI) committed to the database.
    pub fn change_probe(&self) -> Result<ChangeProbe> {
        let conn = Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        let mut probe = ChangeProbe { conn, last: 0 };
        probe.last = probe.data_version()?;
        Ok(probe)
    }

    /// Every incident with its status, without the counts `incidents` computes: what resolving
    /// the current incident needs on every command.
    pub fn incident_statuses(&self) -> Result<Vec<(IncidentId, IncidentStatus)>> {
        let mut stmt = self.conn.prepare_cached("SELECT incident_id, status FROM proj_incidents")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, status) = row?;
            if let Some(id) = uuid_bytes(&id).map(IncidentId::from_bytes) {
                out.push((id, parse_status(&status)));
            }
        }
        Ok(out)
    }

    pub fn incidents(&self) -> Result<Vec<IncidentSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT i.incident_id, i.title, i.drill, i.status, i.opened, \
             (SELECT count(*) FROM entries e WHERE e.incident_id = i.incident_id), \
             (SELECT max(hlc_wall_ms) FROM stream_heads h WHERE h.incident_id = i.incident_id) AS last \
             FROM proj_incidents i ORDER BY last DESC, i.incident_id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, Option<String>>(1)?,
                r.get::<_, bool>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?.unwrap_or(0),
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, title, drill, status, opened, count, last) = row?;
            let Some(id) = uuid_bytes(&id).map(IncidentId::from_bytes) else {
                continue;
            };
            let mut commanders = Vec::new();
            let mut stmt = self.conn.prepare_cached(
                "SELECT data FROM proj_assignments WHERE incident_id = ?1 AND position = 'incident-commander' \
                 AND active = 1 ORDER BY ord",
            )?;
            for data in stmt.query_map(params![&id.as_bytes()[..]], |r| r.get::<_, String>(0))? {
                if let Ok(a) = serde_json::from_str::<Assignment>(&data?) {
                    commanders.push(a.person);
                }
            }
            out.push(IncidentSummary {
                id,
                title,
                drill,
                status: parse_status(&status),
                opened: opened.and_then(|o| serde_json::from_str(&o).ok()),
                entry_count: u64::try_from(count).unwrap_or(0),
                commanders,
                last_activity_ms: u64::try_from(last).unwrap_or(0),
            });
        }
        Ok(out)
    }

    /// Drops every projection and refolds it from the log. Returns (incidents, entries).
    pub fn rebuild(&mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<(usize, u64)> {
        let incidents = self.incident_ids()?;
        let total = self.entry_count()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        projection::clear_all(&tx)?;
        let mut done = 0u64;
        for incident in &incidents {
            let entries = rows::load_entries(&tx, *incident)?;
            done += entries.len() as u64;
            let state = fold(*incident, entries).map_err(|e| StoreError::Corrupt {
                row: format!("incident {incident}"),
                reason: e.to_string(),
            })?;
            projection::write_full_state(&tx, &state)?;
            progress(done, total);
        }
        tx.execute("DELETE FROM settings WHERE key = ?1", params![SETTING_PROJECTIONS_STALE])?;
        tx.commit()?;
        Ok((incidents.len(), done))
    }

    /// Re-checks every signature and chain link (see `verify`).
    pub fn verify(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<crate::verify::VerifyReport> {
        let now_ms = u64::try_from(self.clock.now().timestamp_millis()).unwrap_or(0);
        crate::verify::verify(&self.conn, now_ms, progress)
    }
}
