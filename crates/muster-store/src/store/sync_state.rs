//! What sync learnt about an incident, kept beside the log: the pull cursor, the server's
//! alerts (equivocation, forks), entries set aside on pull, and the server's clock flags.

use std::collections::HashMap;

use muster_core::{DeviceId, Entry, EntryId, IncidentId};
use rusqlite::{params, OptionalExtension};
use serde::Serialize;

use crate::error::{Result, StoreError};
use crate::rows::{self, uuid_bytes};

use super::*;

/// A server alert as this laptop holds it (`sync_alerts`): the server kept an entry aside
/// because its device key signed two histories (equivocation) or continued another (fork).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncAlertRow {
    pub alert_id: u64,
    /// equivocation | fork | clock_ahead
    pub kind: String,
    pub device: DeviceId,
    pub seq: u64,
    /// The server user whose push carried the entry (perhaps an honest relay).
    pub pushed_by: Option<String>,
    /// When the server received it (server clock).
    pub server_received_ms: Option<i64>,
    /// When this laptop pulled the alert.
    pub received_ms: i64,
}

/// A pulled entry kept aside because it conflicts with this laptop's copy of its stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineRow {
    pub device: DeviceId,
    pub seq: u64,
    /// Hex of the entry hash.
    pub hash: String,
    /// The ingest refusal code (ingest.equivocation, ingest.prev_hash_mismatch, ingest.seq_gap).
    pub reason: String,
    pub received_ms: i64,
}

fn evidence_device(what: &str, incident: IncidentId, bytes: &[u8]) -> Result<DeviceId> {
    rows::fixed(bytes).map(DeviceId).ok_or_else(|| StoreError::Corrupt {
        row: format!("{what} (incident {incident})"),
        reason: "device_id is not 32 bytes".into(),
    })
}

impl Store {
    /// The sync pull cursor of an incident: the server rank of the last entry ingested (0: none).
    pub fn sync_cursor(&self, incident: IncidentId) -> Result<u64> {
        let rank: Option<i64> = self
            .conn
            .query_row(
                "SELECT last_rank FROM sync_cursor WHERE incident_id = ?1",
                params![&incident.as_bytes()[..]],
                |r| r.get(0),
            )
            .optional()?;
        Ok(rank.and_then(|r| u64::try_from(r).ok()).unwrap_or(0))
    }

    /// Keeps pulled entries that conflict with this laptop's copy of their stream aside, as
    /// evidence (`reason` is the ingest refusal code). Idempotent.
    pub fn quarantine_pulled(&self, entries: &[Entry], reason: &str) -> Result<()> {
        let received = self.clock.now().timestamp_millis();
        let tx = self.conn.unchecked_transaction()?;
        for e in entries {
            let json = serde_json::to_string(e).map_err(|err| StoreError::Internal(err.to_string()))?;
            tx.prepare_cached(
                "INSERT INTO sync_quarantine (incident_id, device_id, seq, hash, reason, entry_json, received_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                &e.incident_id().as_bytes()[..],
                &e.device_id().as_bytes()[..],
                rows::i64_of(e.seq()),
                &e.hash().as_bytes()[..],
                reason,
                json,
                received
            ])?;
        }
        tx.commit()?;
        Ok(())
    }

    /// How many pulled entries of an incident are kept aside (`quarantine_pulled`), and whether
    /// `device`'s stream has any (then later entries of its other branch are set aside too).
    pub fn pulled_quarantine(&self, incident: IncidentId, device: Option<DeviceId>) -> Result<u64> {
        let n: i64 = match device {
            Some(d) => self.conn.query_row(
                "SELECT count(*) FROM sync_quarantine WHERE incident_id = ?1 AND device_id = ?2",
                params![&incident.as_bytes()[..], &d.as_bytes()[..]],
                |r| r.get(0),
            )?,
            None => self.conn.query_row(
                "SELECT count(*) FROM sync_quarantine WHERE incident_id = ?1",
                params![&incident.as_bytes()[..]],
                |r| r.get(0),
            )?,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The id of the last server alert pulled for an incident (0: none).
    pub fn sync_alerts_after(&self, incident: IncidentId) -> Result<u64> {
        let after: Option<i64> = self
            .conn
            .query_row(
                "SELECT alerts_after FROM sync_cursor WHERE incident_id = ?1",
                params![&incident.as_bytes()[..]],
                |r| r.get(0),
            )
            .optional()?;
        Ok(after.and_then(|a| u64::try_from(a).ok()).unwrap_or(0))
    }

    /// Stores server alerts `(alert id, kind, device, seq, alert JSON)` and moves the alerts
    /// cursor past them, in one transaction. Returns how many were new.
    pub fn record_sync_alerts(
        &self,
        incident: IncidentId,
        alerts: &[(u64, String, DeviceId, u64, String)],
    ) -> Result<usize> {
        let now = self.clock.now().timestamp_millis();
        let inc = &incident.as_bytes()[..];
        let tx = self.conn.unchecked_transaction()?;
        let mut new = 0;
        let mut last = 0;
        for (id, kind, device, seq, json) in alerts {
            new += tx
                .prepare_cached(
                    "INSERT INTO sync_alerts (incident_id, alert_id, kind, device_id, seq, alert_json, received_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING",
                )?
                .execute(params![inc, rows::i64_of(*id), kind, &device.as_bytes()[..], rows::i64_of(*seq), json, now])?;
            last = last.max(*id);
        }
        if last > 0 {
            tx.execute(
                "INSERT INTO sync_cursor (incident_id, alerts_after) VALUES (?1, ?2)
                 ON CONFLICT (incident_id) DO UPDATE SET alerts_after = max(alerts_after, excluded.alerts_after)",
                params![inc, rows::i64_of(last)],
            )?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// How many server alerts this laptop holds for an incident.
    pub fn sync_alert_count(&self, incident: IncidentId) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM sync_alerts WHERE incident_id = ?1",
            params![&incident.as_bytes()[..]],
            |r| r.get(0),
        )?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// The server alerts this laptop holds for an incident, oldest first (for display).
    pub fn sync_alert_rows(&self, incident: IncidentId) -> Result<Vec<SyncAlertRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT alert_id, kind, device_id, seq, alert_json, received_ms FROM sync_alerts
             WHERE incident_id = ?1 ORDER BY alert_id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, String>(4)?,
                r.get::<_, i64>(5)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, device, seq, json, received_ms) = row?;
            let device = evidence_device("sync alert", incident, &device)?;
            // The wire JSON names who pushed it; an unreadable one still shows the rest.
            let alert: Option<serde_json::Value> = serde_json::from_str(&json).ok();
            let field = |name: &str| alert.as_ref().and_then(|a| a.get(name));
            out.push(SyncAlertRow {
                alert_id: u64::try_from(id).unwrap_or(0),
                kind,
                device,
                seq: u64::try_from(seq).unwrap_or(0),
                pushed_by: field("pushed_by").and_then(|v| v.as_str()).map(str::to_string),
                server_received_ms: field("received_ms").and_then(serde_json::Value::as_i64),
                received_ms,
            });
        }
        Ok(out)
    }

    /// The pulled entries of an incident kept aside (`quarantine_pulled`), by stream and seq.
    pub fn pulled_quarantine_rows(&self, incident: IncidentId) -> Result<Vec<QuarantineRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_id, seq, hash, reason, received_ms FROM sync_quarantine
             WHERE incident_id = ?1 ORDER BY device_id, seq, id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, seq, hash, reason, received_ms) = row?;
            out.push(QuarantineRow {
                device: evidence_device("set-aside entry", incident, &device)?,
                seq: u64::try_from(seq).unwrap_or(0),
                hash: hex::encode(hash),
                reason,
                received_ms,
            });
        }
        Ok(out)
    }

    /// How many server alerts and set-aside pulled entries this laptop holds, over every
    /// incident (what the sync status shows).
    pub fn sync_evidence_totals(&self) -> Result<(u64, u64)> {
        let (alerts, aside): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT count(*) FROM sync_alerts), (SELECT count(*) FROM sync_quarantine)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok((u64::try_from(alerts).unwrap_or(0), u64::try_from(aside).unwrap_or(0)))
    }

    /// Forgets every pull and alert cursor (after logging in to another server, whose ranks
    /// mean something else). The next sync pulls everything again; what is held is a duplicate.
    pub fn clear_sync_cursors(&self) -> Result<()> {
        self.conn.execute("DELETE FROM sync_cursor", [])?;
        Ok(())
    }

    /// Incidents this client has pulled from a sync server at least once.
    pub fn synced_incidents(&self) -> Result<Vec<IncidentId>> {
        self.incident_ids_by("SELECT incident_id FROM sync_cursor ORDER BY incident_id")
    }

    /// Records the pull cursor after the entries up to `rank` were ingested.
    pub fn set_sync_cursor(&self, incident: IncidentId, rank: u64) -> Result<()> {
        let now = self.clock.now().timestamp_millis();
        self.conn.execute(
            "INSERT INTO sync_cursor (incident_id, last_rank, last_synced_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (incident_id) DO UPDATE SET last_rank = excluded.last_rank,
                 last_synced_ms = excluded.last_synced_ms",
            params![&incident.as_bytes()[..], rows::i64_of(rank), now],
        )?;
        Ok(())
    }

    /// Records the server's clock-skew flags on pulled entries; returns how many are new.
    pub fn record_clock_flags(&self, incident: IncidentId, flags: &[(EntryId, i64)]) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let mut new = 0;
        for (id, skew) in flags {
            new += tx
                .prepare_cached(
                    "INSERT INTO sync_clock_flags (entry_id, incident_id, clock_skew_ms) VALUES (?1, ?2, ?3)
                     ON CONFLICT (entry_id) DO NOTHING",
                )?
                .execute(params![&id.as_bytes()[..], &incident.as_bytes()[..], skew])?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// The clock-skew flags held for an incident's entries (entry id -> skew in ms).
    pub fn clock_flags(&self, incident: IncidentId) -> Result<HashMap<EntryId, i64>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry_id, clock_skew_ms FROM sync_clock_flags WHERE incident_id = ?1")?;
        let rows =
            stmt.query_map(params![&incident.as_bytes()[..]], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get(1)?)))?;
        let mut out = HashMap::new();
        for row in rows {
            let (id, skew) = row?;
            if let Some(b) = uuid_bytes(&id) {
                out.insert(EntryId::from_bytes(b), skew);
            }
        }
        Ok(out)
    }
}
