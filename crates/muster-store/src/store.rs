//! The store: one SQLite file holding the signed log and its projections.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use muster_core::entry::{verify_many, Author, UnsignedEntry};
use muster_core::fold::{Assignment, Stamp};
use muster_core::{
    fold, DeviceId, Entry, EntryBody, EntryId, Hlc, IncidentId, IncidentState, IncidentStatus, SigningKey,
    WallClock,
};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::clock::{random_10, Clock, Entropy, OsEntropy};
use crate::error::{IngestError, IngestReason, Result, StoreError};
use crate::projection::{self, parse_status};
use crate::rows::{self, insert_entry, latest_hlc, stream_head, uuid_bytes, Head, Source};
use crate::schema;

/// Set by a migration whose projections must be refolded from the log; cleared by `rebuild`.
const SETTING_PROJECTIONS_STALE: &str = "projections.stale";

/// What a local write says; the store adds ids, chain, clocks and the signature.
#[derive(Debug, Clone)]
pub struct Draft {
    pub incident_id: IncidentId,
    pub author: Author,
    pub body: EntryBody,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Entries newly stored.
    pub accepted: usize,
    /// Entries already held (acknowledged again, idempotently).
    pub duplicates: usize,
}

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

/// A server alert as this laptop holds it (`sync_alerts`): the server kept an entry aside
/// because its device key signed two histories (equivocation) or continued another (fork).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncAlertRow {
    pub alert_id: u64,
    /// equivocation | fork
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

pub struct Store {
    conn: Connection,
    path: PathBuf,
    clock: Arc<dyn Clock>,
    entropy: Box<dyn Entropy>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the database at `path`, refusing one from a newer Muster
    /// before changing anything in it.
    pub fn open(path: &Path, clock: Arc<dyn Clock>) -> Result<Store> {
        Self::open_with_entropy(path, clock, Box::new(OsEntropy))
    }

    pub fn open_with_entropy(path: &Path, clock: Arc<dyn Clock>, entropy: Box<dyn Entropy>) -> Result<Store> {
        let shown = path.display().to_string();
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)
                    .map_err(|source| StoreError::Io { path: dir.display().to_string(), source })?;
            }
        }
        let not_db =
            |e: rusqlite::Error| StoreError::NotADatabase { path: shown.clone(), reason: e.to_string() };
        let mut conn = Connection::open(path).map_err(not_db)?;
        conn.busy_timeout(Duration::from_secs(15))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).map_err(not_db)?;
        if found > schema::SCHEMA_VERSION {
            return Err(StoreError::SchemaTooNew { path: shown, found, supported: schema::SCHEMA_VERSION });
        }
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).map_err(not_db)?;
        // FULL: a commit is on disk when it returns, so every acknowledged entry survives a crash
        // or power loss (WAL with NORMAL could lose the last commits).
        conn.pragma_update(None, "synchronous", "FULL")?;
        schema::migrate(&mut conn, &shown)?;
        let mut store = Store { conn, path: path.to_path_buf(), clock, entropy };
        if store.setting(SETTING_PROJECTIONS_STALE)?.is_some() {
            // A migration added to the projections: refold them once from the log.
            store.rebuild(&mut |_, _| {})?;
        }
        Ok(store)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// The clock itself, for other connections to the same database that must tell the same
    /// time (the desktop's sync loop and timeline index; a test's settable clock).
    pub fn shared_clock(&self) -> Arc<dyn Clock> {
        self.clock.clone()
    }

    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    pub fn entropy(&mut self) -> &mut dyn Entropy {
        self.entropy.as_mut()
    }

    pub fn setting(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", params![key], |r| r.get(0))
            .optional()?)
    }

    /// Removes a setting (absent already is fine).
    pub fn delete_setting(&self, key: &str) -> Result<()> {
        self.conn.execute("DELETE FROM settings WHERE key = ?1", params![key])?;
        Ok(())
    }

    pub fn set_setting(&self, key: &str, value: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            params![key, value],
        )?;
        Ok(())
    }

    /// Signs, chains and stores local entries in one durable transaction: all or none.
    pub fn append(&mut self, key: &SigningKey, drafts: Vec<Draft>) -> Result<Vec<Entry>> {
        let device = DeviceId(key.verifying_key().to_bytes());
        let now = self.clock.now();
        let zone = self.clock.zone();
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut hlc = latest_hlc(&tx)?;
        let mut heads: HashMap<IncidentId, Head> = HashMap::new();
        let mut written = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let head = match heads.get(&draft.incident_id) {
                Some(h) => *h,
                None => stream_head(&tx, draft.incident_id, device)?,
            };
            hlc = Hlc::next(hlc, now_ms);
            let unsigned = UnsignedEntry {
                id: EntryId::from_parts(now_ms, random_10(self.entropy.as_mut())),
                incident_id: draft.incident_id,
                seq: head.seq + 1,
                prev_hash: head.hash,
                hlc,
                recorded: WallClock::new(now, &zone),
                author: draft.author,
                body: draft.body,
            };
            let entry = unsigned.sign(key)?;
            entry.validate()?;
            insert_entry(&tx, &entry, Source::Local, now.timestamp_millis())?;
            heads.insert(entry.incident_id(), Head::of(&entry));
            written.push(entry);
        }
        let inserted: Vec<&Entry> = written.iter().collect();
        projection::on_insert(&tx, &inserted, projection::Origin::Local)?;
        tx.commit()?;
        Ok(written)
    }

    /// Stores entries made on other devices after checking each one: limits, signature, and
    /// its place in its stream (`seq == head + 1`, `prev_hash == head hash`). Entries already
    /// held are acknowledged as duplicates. Atomic: one refused entry and nothing is written.
    pub fn ingest(&mut self, entries: &[Entry], source: Source) -> Result<IngestReport> {
        self.ingest_inner(entries, source, false)
    }

    /// `ingest` for entries whose signatures the caller has just verified (import validates a
    /// whole file before writing it in batches).
    pub(crate) fn ingest_inner(
        &mut self,
        entries: &[Entry],
        source: Source,
        signatures_checked: bool,
    ) -> Result<IngestReport> {
        let refuse = |e: &Entry, reason: IngestReason| {
            StoreError::Ingest(Box::new(IngestError {
                entry: e.id().to_string(),
                incident: e.incident_id().to_string(),
                device: e.device_id().to_string(),
                seq: e.seq(),
                reason,
            }))
        };
        for e in entries {
            e.validate().map_err(|v| refuse(e, v.into()))?;
        }
        // Signatures are checked before the write lock is taken: it is the slow part.
        if !signatures_checked {
            let refs: Vec<&Entry> = entries.iter().collect();
            if let Some((i, err)) = verify_many(&refs).into_iter().next() {
                return Err(refuse(&entries[i], err.into()));
            }
        }
        let mut order: Vec<usize> = (0..entries.len()).collect();
        order.sort_by_key(|&i| (entries[i].incident_id(), entries[i].device_id(), entries[i].seq()));

        let received = self.clock.now().timestamp_millis();
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut heads: HashMap<(IncidentId, DeviceId), Head> = HashMap::new();
        let mut report = IngestReport::default();
        let mut inserted: Vec<&Entry> = Vec::new();
        for i in order {
            let e = &entries[i];
            let existing: Option<(Vec<u8>, Vec<u8>)> = tx
                .prepare_cached(
                    "SELECT hash, id FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3",
                )?
                .query_row(
                    params![
                        &e.incident_id().as_bytes()[..],
                        &e.device_id().as_bytes()[..],
                        rows::i64_of(e.seq())
                    ],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?;
            if let Some((hash, id)) = existing {
                if hash.as_slice() == e.hash().as_bytes() {
                    report.duplicates += 1;
                    continue;
                }
                let existing =
                    uuid_bytes(&id).map(|b| EntryId::from_bytes(b).to_string()).unwrap_or_default();
                return Err(refuse(e, IngestReason::Equivocation { existing }));
            }
            let key = (e.incident_id(), e.device_id());
            let head = match heads.get(&key) {
                Some(h) => *h,
                None => stream_head(&tx, e.incident_id(), e.device_id())?,
            };
            head.admits(e).map_err(|reason| refuse(e, reason))?;
            match insert_entry(&tx, e, source, received) {
                Ok(()) => inserted.push(e),
                Err(StoreError::Sqlite(rusqlite::Error::SqliteFailure(f, _)))
                    if f.code == rusqlite::ErrorCode::ConstraintViolation =>
                {
                    return Err(refuse(e, IngestReason::IdReused));
                }
                Err(other) => return Err(other),
            }
            heads.insert(key, Head::of(e));
            report.accepted += 1;
        }
        projection::on_insert(&tx, &inserted, projection::Origin::Received)?;
        tx.commit()?;
        Ok(report)
    }

    /// Every entry of an incident, in arrival order.
    pub fn entries(&self, incident: IncidentId) -> Result<Vec<Entry>> {
        rows::load_entries(&self.conn, incident)
    }

    pub fn entry(&self, id: EntryId) -> Result<Option<Entry>> {
        rows::load_entry(&self.conn, id)
    }

    pub fn entry_count(&self) -> Result<u64> {
        let n: i64 = self.conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub fn head(&self, incident: IncidentId, device: DeviceId) -> Result<Head> {
        stream_head(&self.conn, incident, device)
    }

    /// Every stream of an incident with its head, ordered by device: what a sync client
    /// compares with the server's heads to find what to push.
    pub fn stream_heads(&self, incident: IncidentId) -> Result<Vec<(DeviceId, Head)>> {
        rows::stream_heads(&self.conn, incident)
    }

    /// Up to `limit` entries of one (incident, device) stream with `seq > after_seq`, in seq
    /// order (a primary-key range scan): one page of a push.
    pub fn entries_after(
        &self,
        incident: IncidentId,
        device: DeviceId,
        after_seq: u64,
        limit: usize,
    ) -> Result<Vec<Entry>> {
        rows::load_stream_after(&self.conn, incident, device, after_seq, limit)
    }

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
            let json = serde_json::to_string(e).map_err(|err| StoreError::Refused(err.to_string()))?;
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

    /// The incident ids a one-column query returns (rows that are not ids are skipped).
    fn incident_ids_by(&self, sql: &str) -> Result<Vec<IncidentId>> {
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
        fold(incident, entries).map_err(|e| StoreError::Refused(e.to_string()))
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
            let state = fold(*incident, entries).map_err(|e| StoreError::Refused(e.to_string()))?;
            projection::write_full_state(&tx, &state)?;
            progress(done, total);
        }
        tx.execute("DELETE FROM settings WHERE key = ?1", params![SETTING_PROJECTIONS_STALE])?;
        tx.commit()?;
        Ok((incidents.len(), done))
    }
}

impl Store {
    /// Re-checks every signature and chain link (see `verify`).
    pub fn verify(&self, progress: &mut dyn FnMut(u64, u64)) -> Result<crate::verify::VerifyReport> {
        crate::verify::verify(&self.conn, progress)
    }
}
