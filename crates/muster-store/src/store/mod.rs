//! The store: one SQLite file holding the signed log and its projections. This module opens it,
//! keeps settings, appends local entries (signed, chained, clocked) and ingests other devices'
//! entries; [`sync_state`] keeps what sync learnt (cursors, alerts, set-aside entries, clock
//! flags) and [`queries`] reads incidents and their folded state.

mod queries;
mod sync_state;

pub use queries::{ChangeProbe, IncidentSummary};
pub use sync_state::{QuarantineRow, SyncAlertRow};

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use muster_core::entry::{verify_many, Author, UnsignedEntry};
use muster_core::{DeviceId, Entry, EntryBody, EntryId, Hlc, IncidentId, SigningKey, WallClock};
use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::clock::{random_10, Clock, Entropy, OsEntropy};
use crate::error::{IngestError, IngestReason, Result, StoreError};
use crate::projection::{self};
use crate::rows::{self, insert_entry, latest_hlc, stream_head, uuid_bytes, Head, Source};
use crate::schema;

/// Set by a migration whose projections must be refolded from the log; cleared by `rebuild`.
pub(crate) const SETTING_PROJECTIONS_STALE: &str = "projections.stale";

/// What a local write says; the store adds ids, chain, clocks and the signature.
#[derive(Debug, Clone)]
pub struct Draft {
    pub incident_id: IncidentId,
    /// The recorder: the person at this device.
    pub author: Author,
    /// On whose behalf, when not the recorder's own.
    pub on_behalf: Option<String>,
    pub body: EntryBody,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IngestReport {
    /// Entries newly stored.
    pub accepted: usize,
    /// Entries already held (acknowledged again, idempotently).
    pub duplicates: usize,
}

/// The settings key of this installation's device id.
const SETTING_OWN_DEVICE: &str = "device.id";

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
                crate::private_files::private_dir(dir)?;
            }
        }
        crate::private_files::private_database(path)?;
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

    /// The device key this installation signs with, once one was created (recorded by the
    /// `Muster` facade): the sync engine restores this device's own streams from the server.
    pub fn own_device(&self) -> Result<Option<DeviceId>> {
        Ok(self.setting(SETTING_OWN_DEVICE)?.and_then(|s| s.parse().ok()))
    }

    pub fn set_own_device(&self, device: DeviceId) -> Result<()> {
        self.set_setting(SETTING_OWN_DEVICE, &device.to_string())
    }

    /// Signs, chains and stores local entries in one durable transaction: all or none.
    pub fn append(&mut self, key: &SigningKey, drafts: Vec<Draft>) -> Result<Vec<Entry>> {
        let device = DeviceId(key.verifying_key().to_bytes());
        let now = self.clock.now();
        let zone = self.clock.zone();
        let now_ms = u64::try_from(now.timestamp_millis()).unwrap_or(0);
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut clocks: HashMap<IncidentId, Hlc> = HashMap::new();
        let mut heads: HashMap<IncidentId, Head> = HashMap::new();
        let mut written = Vec::with_capacity(drafts.len());
        for draft in drafts {
            let head = match heads.get(&draft.incident_id) {
                Some(h) => *h,
                None => stream_head(&tx, draft.incident_id, device)?,
            };
            let latest = match clocks.get(&draft.incident_id) {
                Some(c) => *c,
                None => latest_hlc(&tx, draft.incident_id)?,
            };
            let hlc = Hlc::next(latest, now_ms);
            clocks.insert(draft.incident_id, hlc);
            let unsigned = UnsignedEntry {
                id: EntryId::from_parts(now_ms, random_10(self.entropy.as_mut())),
                incident_id: draft.incident_id,
                seq: head.seq + 1,
                prev_hash: head.hash,
                hlc,
                recorded: WallClock::new(now, &zone),
                author: draft.author,
                on_behalf: draft.on_behalf,
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
        let now_ms = u64::try_from(received).unwrap_or(0);
        for e in entries {
            if let Some(ahead_ms) = e.hlc().too_far_ahead_of(now_ms) {
                let ahead = muster_core::time::describe_span_ms(ahead_ms);
                return Err(refuse(e, IngestReason::ClockAhead { ahead, ahead_ms }));
            }
        }
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
}
