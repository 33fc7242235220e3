//! `Storage` on SQLite (rusqlite): WAL, `synchronous=FULL` (an acknowledged push is on disk),
//! one connection behind a mutex (SQLite has one writer anyway). Every call runs on tokio's
//! blocking pool; signatures of a push are verified there *before* the mutex is taken.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use muster_core::{Entry, IncidentId};
use muster_store::rows::{stream_head, stream_heads, Head};
use muster_sync::wire::{
    Alert, DeviceInfo, EntryFlags, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member,
    MyIncident, Quarantined, Role, StreamHead,
};
use rusqlite::{params, Connection, OptionalExtension, Transaction, TransactionBehavior};

use crate::common::{
    alert_kind_of, check_login_proof, decode_entry, device_of, devices, encode_entry, hash_of, i64_of,
    id_reused, incident_of, new_session_token, plan_push, positions, precheck_push, predecessors, pull_limit,
    random_hex_32, role_of, sha256, u64_of, valid_user_name, Facts, Held,
};
use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, PushOutcome, Put, RawPull, RawPulled, Result, Storage};

/// Migrations in order; index + 1 is the version each produces (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[include_str!("../migrations/sqlite/0001_server.sql")];
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub use crate::common::{ENROLMENT_TTL_MS, SESSION_PREFIX};

#[derive(Debug)]
struct Inner {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// The SQLite backend. Cheap to clone (shared connection).
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
}

impl SqliteStorage {
    /// Opens (creating if needed) the server database, refusing one from a newer Muster before
    /// changing anything in it.
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        let shown = path.display().to_string();
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(15))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(ServerError::SchemaTooNew { path: shown, found, supported: SCHEMA_VERSION });
        }
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(SqliteStorage { inner: Arc::new(Inner { conn: Mutex::new(conn), path: path.to_path_buf() }) })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on the blocking pool with the connection locked.
    fn locked<T, F>(&self, f: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.blocking(move |inner| f(&mut *lock(inner)?))
    }

    /// Runs `f` on the blocking pool; `f` takes the lock itself (after its slow checks).
    fn blocking<T, F>(&self, f: F) -> impl Future<Output = Result<T>> + Send
    where
        T: Send + 'static,
        F: FnOnce(&Inner) -> Result<T> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        async move {
            tokio::task::spawn_blocking(move || f(&inner))
                .await
                .map_err(|e| ServerError::Internal(format!("storage task failed: {e}")))?
        }
    }
}

fn lock(inner: &Inner) -> Result<std::sync::MutexGuard<'_, Connection>> {
    inner.conn.lock().map_err(|_| ServerError::Internal("the database connection lock is poisoned".into()))
}

fn user_id(conn: &Connection, name: &str) -> Result<Option<i64>> {
    Ok(conn.query_row("SELECT id FROM users WHERE name = ?1", params![name], |r| r.get(0)).optional()?)
}

/// The caller's current role on the incident; `Forbidden` for a non-member *and* for an
/// unknown incident, so that the two cannot be told apart.
fn require_member(conn: &Connection, caller: &Caller, incident: IncidentId) -> Result<Role> {
    let role: Option<String> = conn
        .prepare_cached(
            "SELECT role FROM memberships WHERE incident_id = ?1 AND user_id = ?2 AND removed_ms IS NULL",
        )?
        .query_row(params![&incident.as_bytes()[..], caller.user_id], |r| r.get(0))
        .optional()?;
    match role {
        Some(r) => role_of(&r),
        None => Err(ServerError::Forbidden(incident)),
    }
}

fn require_commander(conn: &Connection, caller: &Caller, incident: IncidentId) -> Result<()> {
    match require_member(conn, caller, incident)? {
        Role::Commander => Ok(()),
        Role::Member => Err(ServerError::NotCommander(incident)),
    }
}

fn active_commanders(conn: &Connection, incident: IncidentId) -> Result<i64> {
    Ok(conn.query_row(
        "SELECT count(*) FROM memberships WHERE incident_id = ?1 AND role = 'commander' AND removed_ms IS NULL",
        params![&incident.as_bytes()[..]],
        |r| r.get(0),
    )?)
}

fn last_rank(conn: &Connection, incident: IncidentId) -> Result<u64> {
    let r: i64 = conn.query_row(
        "SELECT last_rank FROM incidents WHERE incident_id = ?1",
        params![&incident.as_bytes()[..]],
        |r| r.get(0),
    )?;
    Ok(u64_of(r))
}

fn issue_enrolment(conn: &Connection, user_id: i64, now_ms: i64) -> Result<String> {
    let token = random_hex_32();
    conn.execute(
        "INSERT INTO enrolments (token_hash, user_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
        params![sha256(&token), user_id, now_ms, now_ms.saturating_add(ENROLMENT_TTL_MS)],
    )?;
    Ok(token)
}

fn add_user(conn: &mut Connection, name: &str, now_ms: i64) -> Result<String> {
    if !valid_user_name(name) {
        return Err(ServerError::BadUserName);
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    if user_id(&tx, name)?.is_some() {
        return Err(ServerError::UserExists(name.to_string()));
    }
    tx.execute("INSERT INTO users (name, created_ms) VALUES (?1, ?2)", params![name, now_ms])?;
    let token = issue_enrolment(&tx, tx.last_insert_rowid(), now_ms)?;
    tx.commit()?;
    Ok(token)
}

fn login(conn: &mut Connection, req: &LoginRequest, now_ms: i64) -> Result<LoginResponse> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Unknown user, wrong, used and expired tokens all get the same answer.
    let uid = user_id(&tx, &req.user)?.ok_or(ServerError::BadEnrolment)?;
    let valid: bool = tx
        .query_row(
            "SELECT 1 FROM enrolments WHERE token_hash = ?1 AND user_id = ?2 AND used_ms IS NULL AND expires_ms > ?3",
            params![sha256(&req.token), uid, now_ms],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if !valid {
        return Err(ServerError::BadEnrolment);
    }
    check_login_proof(req)?;
    let owner: Option<i64> = tx
        .query_row(
            "SELECT user_id FROM devices WHERE device_id = ?1",
            params![&req.device_id.as_bytes()[..]],
            |r| r.get(0),
        )
        .optional()?;
    match owner {
        Some(o) if o != uid => return Err(ServerError::DeviceOtherUser(req.device_id)),
        Some(_) => {}
        None => {
            tx.execute(
                "INSERT INTO devices (device_id, user_id, name, registered_ms) VALUES (?1, ?2, ?3, ?4)",
                params![&req.device_id.as_bytes()[..], uid, req.device_name, now_ms],
            )?;
        }
    }
    tx.execute(
        "UPDATE enrolments SET used_ms = ?1 WHERE token_hash = ?2",
        params![now_ms, sha256(&req.token)],
    )?;
    let session = new_session_token();
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, device_id, created_ms, last_used_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
        params![sha256(&session), uid, &req.device_id.as_bytes()[..], now_ms],
    )?;
    tx.commit()?;
    Ok(LoginResponse {
        session_token: session,
        user: req.user.clone(),
        device_id: req.device_id,
        server_time_ms: now_ms,
    })
}

fn authenticate(conn: &Connection, token: &str, now_ms: i64) -> Result<Caller> {
    let hash = sha256(token);
    let row: Option<(i64, String, Vec<u8>)> = conn
        .prepare_cached(
            "SELECT s.user_id, u.name, s.device_id FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = ?1 AND s.revoked_ms IS NULL",
        )?
        .query_row(params![hash], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?;
    let (user_id, user, device) = row.ok_or(ServerError::BadSession)?;
    // At most one durable write a minute per session, not one per request.
    conn.prepare_cached(
        "UPDATE sessions SET last_used_ms = ?1 WHERE token_hash = ?2 AND last_used_ms < ?1 - 60000",
    )?
    .execute(params![now_ms, hash])?;
    Ok(Caller { user_id, user, device: device_of(&device)? })
}

fn me(conn: &Connection, caller: &Caller, now_ms: i64) -> Result<MeResponse> {
    let mut devices = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT device_id, name, registered_ms FROM devices WHERE user_id = ?1 ORDER BY registered_ms",
    )?;
    for row in stmt.query_map(params![caller.user_id], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })? {
        let (d, name, registered_ms) = row?;
        devices.push(DeviceInfo { device_id: device_of(&d)?, name, registered_ms });
    }
    let mut incidents = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT m.incident_id, m.role, i.last_rank FROM memberships m JOIN incidents i ON i.incident_id = m.incident_id \
         WHERE m.user_id = ?1 AND m.removed_ms IS NULL ORDER BY m.incident_id",
    )?;
    for row in stmt.query_map(params![caller.user_id], |r| {
        Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
    })? {
        let (id, role, rank) = row?;
        incidents.push(MyIncident { id: incident_of(&id)?, role: role_of(&role)?, last_rank: u64_of(rank) });
    }
    Ok(MeResponse { user: caller.user.clone(), devices, incidents, server_time_ms: now_ms })
}

fn register_incident(
    conn: &mut Connection,
    caller: &Caller,
    incident: IncidentId,
    now_ms: i64,
) -> Result<Put> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let exists: bool = tx
        .query_row(
            "SELECT 1 FROM incidents WHERE incident_id = ?1",
            params![&incident.as_bytes()[..]],
            |_| Ok(true),
        )
        .optional()?
        .unwrap_or(false);
    if exists {
        // Known bounded leak (plan §3): a foreign existing id answers 403 where a fresh one 201.
        require_member(&tx, caller, incident)?;
        return Ok(Put::Existing);
    }
    tx.execute(
        "INSERT INTO incidents (incident_id, created_by, created_ms) VALUES (?1, ?2, ?3)",
        params![&incident.as_bytes()[..], caller.user_id, now_ms],
    )?;
    tx.execute(
        "INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms) VALUES (?1, ?2, 'commander', ?2, ?3)",
        params![&incident.as_bytes()[..], caller.user_id, now_ms],
    )?;
    tx.commit()?;
    Ok(Put::Created)
}

fn members(conn: &Connection, caller: &Caller, incident: IncidentId) -> Result<Vec<Member>> {
    require_member(conn, caller, incident)?;
    let mut stmt = conn.prepare(
        "SELECT u.name, m.role, a.name, m.added_ms FROM memberships m JOIN users u ON u.id = m.user_id \
         JOIN users a ON a.id = m.added_by WHERE m.incident_id = ?1 AND m.removed_ms IS NULL ORDER BY u.name",
    )?;
    let mut out = Vec::new();
    for row in stmt.query_map(params![&incident.as_bytes()[..]], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
    })? {
        let (user, role, added_by, added_ms) = row?;
        out.push(Member { user, role: role_of(&role)?, added_by, added_ms });
    }
    Ok(out)
}

/// The target's current role, if an active member.
fn current_role(conn: &Connection, incident: IncidentId, uid: i64) -> Result<Option<Role>> {
    let r: Option<String> = conn
        .query_row(
            "SELECT role FROM memberships WHERE incident_id = ?1 AND user_id = ?2 AND removed_ms IS NULL",
            params![&incident.as_bytes()[..], uid],
            |r| r.get(0),
        )
        .optional()?;
    r.map(|r| role_of(&r)).transpose()
}

fn set_member(
    conn: &mut Connection,
    caller: &Caller,
    incident: IncidentId,
    user: &str,
    role: Role,
    now_ms: i64,
) -> Result<Put> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_commander(&tx, caller, incident)?;
    let uid = user_id(&tx, user)?.ok_or_else(|| ServerError::UnknownUser(user.to_string()))?;
    let current = current_role(&tx, incident, uid)?;
    if current == Some(Role::Commander) && role == Role::Member && active_commanders(&tx, incident)? <= 1 {
        return Err(ServerError::LastCommander { incident, user: user.to_string() });
    }
    tx.execute(
        "INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (incident_id, user_id) DO UPDATE SET role = excluded.role, removed_ms = NULL, \
         added_by = CASE WHEN removed_ms IS NULL THEN added_by ELSE excluded.added_by END, \
         added_ms = CASE WHEN removed_ms IS NULL THEN added_ms ELSE excluded.added_ms END",
        params![&incident.as_bytes()[..], uid, role.as_str(), caller.user_id, now_ms],
    )?;
    tx.commit()?;
    Ok(if current.is_some() { Put::Existing } else { Put::Created })
}

fn remove_member(
    conn: &mut Connection,
    caller: &Caller,
    incident: IncidentId,
    user: &str,
    now_ms: i64,
) -> Result<()> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_commander(&tx, caller, incident)?;
    let uid = user_id(&tx, user)?.ok_or_else(|| ServerError::UnknownUser(user.to_string()))?;
    match current_role(&tx, incident, uid)? {
        None => return Err(ServerError::NotMember { incident, user: user.to_string() }),
        Some(Role::Commander) if active_commanders(&tx, incident)? <= 1 => {
            return Err(ServerError::LastCommander { incident, user: user.to_string() })
        }
        Some(_) => {}
    }
    tx.execute(
        "UPDATE memberships SET removed_ms = ?1 WHERE incident_id = ?2 AND user_id = ?3",
        params![now_ms, &incident.as_bytes()[..], uid],
    )?;
    tx.commit()?;
    Ok(())
}

fn wire_heads(conn: &Connection, incident: IncidentId) -> Result<Vec<StreamHead>> {
    let heads = stream_heads(conn, incident).map_err(|e| ServerError::Corrupt(e.to_string()))?;
    Ok(heads.into_iter().map(|(device, h)| StreamHead { device, seq: h.seq, hash: h.hash }).collect())
}

fn heads(conn: &Connection, caller: &Caller, incident: IncidentId) -> Result<HeadsResponse> {
    require_member(conn, caller, incident)?;
    Ok(HeadsResponse { last_rank: last_rank(conn, incident)?, heads: wire_heads(conn, incident)? })
}

/// Writes quarantine rows (idempotent: a re-push finds the same alert) and returns their ids.
fn write_quarantine(
    tx: &Transaction<'_>,
    caller: &Caller,
    held: &[Held<'_>],
    now_ms: i64,
) -> Result<Vec<Quarantined>> {
    let mut out = Vec::with_capacity(held.len());
    for h in held {
        let e = h.entry;
        let json = encode_entry(e)?;
        tx.prepare_cached(
            "INSERT INTO quarantine (incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json, \
             pushed_by, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) \
             ON CONFLICT (incident_id, device_id, seq, hash) DO NOTHING",
        )?
        .execute(params![
            &e.incident_id().as_bytes()[..],
            &e.device_id().as_bytes()[..],
            i64_of(e.seq()),
            &e.id().as_bytes()[..],
            &e.hash().as_bytes()[..],
            &h.existing.as_bytes()[..],
            h.kind.as_str(),
            json,
            caller.user_id,
            now_ms,
        ])?;
        let id: i64 = tx.query_row(
            "SELECT id FROM quarantine WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3 AND hash = ?4",
            params![
                &e.incident_id().as_bytes()[..],
                &e.device_id().as_bytes()[..],
                i64_of(e.seq()),
                &e.hash().as_bytes()[..]
            ],
            |r| r.get(0),
        )?;
        out.push(h.quarantined(id));
    }
    Ok(out)
}

/// What the database holds that the page depends on (`common::plan_push`).
fn push_facts(conn: &Connection, incident: IncidentId, entries: &[Entry]) -> Result<Facts> {
    let inc = &incident.as_bytes()[..];
    let mut facts = Facts::default();
    for (device, seq) in positions(entries) {
        let hash: Option<Vec<u8>> = conn
            .prepare_cached(
                "SELECT hash FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3",
            )?
            .query_row(params![inc, &device.as_bytes()[..], i64_of(seq)], |r| r.get(0))
            .optional()?;
        if let Some(hash) = hash {
            facts.stored.insert((device, seq), hash_of(&hash)?);
        }
    }
    for device in devices(entries) {
        let known = conn
            .prepare_cached(
                "SELECT 1 FROM devices d JOIN memberships m ON m.user_id = d.user_id \
                 WHERE d.device_id = ?1 AND m.incident_id = ?2 LIMIT 1",
            )?
            .query_row(params![&device.as_bytes()[..], inc], |_| Ok(true))
            .optional()?
            .unwrap_or(false);
        if known {
            facts.registered.insert(device);
        }
        let head =
            stream_head(conn, incident, device).map_err(|err| ServerError::Corrupt(err.to_string()))?;
        if head != Head::EMPTY {
            facts.heads.insert(device, head);
        }
    }
    for (device, seq, hash) in predecessors(entries) {
        let found = conn
            .prepare_cached(
                "SELECT 1 FROM quarantine WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3 AND hash = ?4",
            )?
            .query_row(params![inc, &device.as_bytes()[..], i64_of(seq), &hash.as_bytes()[..]], |_| Ok(true))
            .optional()?
            .unwrap_or(false);
        if found {
            facts.quarantined.insert((device, seq, hash));
        }
    }
    Ok(facts)
}

fn push_locked(
    conn: &mut Connection,
    caller: &Caller,
    incident: IncidentId,
    entries: &[Entry],
    now_ms: i64,
    clock: ClockPolicy,
) -> Result<PushOutcome> {
    let mut held: Vec<Held<'_>> = Vec::new();
    let result = push_tx(conn, caller, incident, entries, now_ms, clock, &mut held);
    match result {
        Ok(outcome) => Ok(outcome),
        Err(err) => {
            // The page was refused and rolled back; the evidence found before the refusal is
            // still written, in its own transaction, so that no alert is ever lost.
            if !held.is_empty() {
                let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
                write_quarantine(&tx, caller, &held, now_ms)?;
                tx.commit()?;
            }
            Err(err)
        }
    }
}

fn push_tx<'a>(
    conn: &mut Connection,
    caller: &Caller,
    incident: IncidentId,
    entries: &'a [Entry],
    now_ms: i64,
    clock: ClockPolicy,
    held: &mut Vec<Held<'a>>,
) -> Result<PushOutcome> {
    let inc = &incident.as_bytes()[..];
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    require_member(&tx, caller, incident)?;
    let mut rank = last_rank(&tx, incident)?;
    let facts = push_facts(&tx, incident, entries)?;
    let mut plan = plan_push(entries, &facts);
    if let Some(refusal) = plan.refusal.take() {
        *held = plan.held;
        return Err(refusal);
    }
    for step in &plan.inserts {
        let e = &entries[step.index];
        rank += 1;
        let inserted = tx
            .prepare_cached(
                "INSERT INTO entries (incident_id, device_id, seq, rank, id, hash, hlc_wall_ms, hlc_counter, entry_json, \
                 received_ms, pushed_by, clock_skew_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                inc,
                &e.device_id().as_bytes()[..],
                i64_of(e.seq()),
                i64_of(rank),
                &e.id().as_bytes()[..],
                &e.hash().as_bytes()[..],
                i64_of(e.hlc().wall_ms),
                i64::from(e.hlc().counter),
                encode_entry(e)?,
                now_ms,
                caller.user_id,
                clock.flag(caller, e, now_ms),
            ]);
        match inserted {
            Ok(_) => {}
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                let refusal = id_reused(&mut plan.held, step, e);
                *held = plan.held;
                return Err(refusal);
            }
            Err(other) => return Err(other.into()),
        }
    }
    for (device, head) in plan.new_heads(entries) {
        tx.prepare_cached(
            "INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (incident_id, device_id) DO UPDATE SET \
             seq = excluded.seq, hash = excluded.hash, hlc_wall_ms = excluded.hlc_wall_ms, hlc_counter = excluded.hlc_counter",
        )?
        .execute(params![
            inc,
            &device.as_bytes()[..],
            i64_of(head.seq),
            &head.hash.as_bytes()[..],
            i64_of(head.hlc.wall_ms),
            i64::from(head.hlc.counter),
        ])?;
    }
    tx.execute("UPDATE incidents SET last_rank = ?1 WHERE incident_id = ?2", params![i64_of(rank), inc])?;
    let mut outcome = PushOutcome {
        accepted: plan.inserts.len(),
        duplicates: plan.duplicates,
        quarantined: write_quarantine(&tx, caller, &plan.held, now_ms)?,
        heads: Vec::new(),
        last_rank: rank,
    };
    let touched = devices(entries);
    outcome.heads =
        wire_heads(&tx, incident)?.into_iter().filter(|h| touched.binary_search(&h.device).is_ok()).collect();
    tx.commit()?;
    Ok(outcome)
}

fn pull(conn: &Connection, caller: &Caller, incident: IncidentId, after: u64, limit: u64) -> Result<RawPull> {
    require_member(conn, caller, incident)?;
    let last = last_rank(conn, incident)?;
    if after > last {
        return Err(ServerError::BadCursor { after, last_rank: last });
    }
    let limit = pull_limit(limit);
    let mut stmt = conn.prepare_cached(
        "SELECT rank, clock_skew_ms, entry_json FROM entries WHERE incident_id = ?1 AND rank > ?2 ORDER BY rank LIMIT ?3",
    )?;
    let mut entries = Vec::new();
    for row in stmt.query_map(params![&incident.as_bytes()[..], i64_of(after), i64_of(limit)], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?))
    })? {
        let (rank, skew, json) = row?;
        entries.push(RawPulled {
            rank: u64_of(rank),
            flags: skew.map(|s| EntryFlags { clock_skew_ms: Some(s) }),
            entry_json: json,
        });
    }
    let next = entries.last().map_or(after, |e| e.rank);
    Ok(RawPull { entries, next, more: next < last })
}

fn alerts(conn: &Connection, caller: &Caller, incident: IncidentId, after: u64) -> Result<Vec<Alert>> {
    require_member(conn, caller, incident)?;
    let inc = &incident.as_bytes()[..];
    let mut stmt = conn.prepare(
        "SELECT q.id, q.kind, q.device_id, q.seq, q.existing_hash, q.entry_json, u.name, q.received_ms \
         FROM quarantine q JOIN users u ON u.id = q.pushed_by WHERE q.incident_id = ?1 AND q.id > ?2 ORDER BY q.id",
    )?;
    let rows = stmt.query_map(params![inc, i64_of(after)], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, Vec<u8>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, String>(6)?,
            r.get::<_, i64>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, kind, device, seq, existing_hash, json, pushed_by, received_ms) = row?;
        let existing: Option<String> = conn
            .prepare_cached(
                "SELECT entry_json FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND hash = ?3",
            )?
            .query_row(params![inc, &device[..], existing_hash], |r| r.get(0))
            .optional()?;
        out.push(Alert {
            id: u64_of(id),
            kind: alert_kind_of(&kind)?,
            device: device_of(&device)?,
            seq: u64_of(seq),
            existing_entry: existing.as_deref().map(decode_entry).transpose()?,
            quarantined_entry: decode_entry(&json)?,
            pushed_by,
            received_ms,
        });
    }
    Ok(out)
}

impl Storage for SqliteStorage {
    const BACKEND: &'static str = "sqlite";

    fn health(&self) -> impl Future<Output = Result<()>> + Send {
        self.locked(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(())).map_err(|e| ServerError::Unavailable(e.to_string()))
        })
    }

    fn add_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        let name = name.to_string();
        self.locked(move |conn| add_user(conn, &name, now_ms))
    }

    fn new_enrolment(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        let name = name.to_string();
        self.locked(move |conn| {
            let uid = user_id(conn, &name)?.ok_or(ServerError::UnknownUser(name))?;
            issue_enrolment(conn, uid, now_ms)
        })
    }

    fn login(&self, req: LoginRequest, now_ms: i64) -> impl Future<Output = Result<LoginResponse>> + Send {
        self.locked(move |conn| login(conn, &req, now_ms))
    }

    fn authenticate(&self, session_token: &str, now_ms: i64) -> impl Future<Output = Result<Caller>> + Send {
        let token = session_token.to_string();
        self.locked(move |conn| authenticate(conn, &token, now_ms))
    }

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| me(conn, &caller, now_ms))
    }

    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| register_incident(conn, &caller, incident, now_ms))
    }

    fn members(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<Member>>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| members(conn, &caller, incident))
    }

    fn set_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        let (caller, user) = (caller.clone(), user.to_string());
        self.locked(move |conn| set_member(conn, &caller, incident, &user, role, now_ms))
    }

    fn remove_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        let (caller, user) = (caller.clone(), user.to_string());
        self.locked(move |conn| remove_member(conn, &caller, incident, &user, now_ms))
    }

    fn heads(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<HeadsResponse>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| heads(conn, &caller, incident))
    }

    fn push(
        &self,
        caller: &Caller,
        incident: IncidentId,
        entries: Vec<Entry>,
        now_ms: i64,
        clock: ClockPolicy,
    ) -> impl Future<Output = Result<PushOutcome>> + Send {
        let caller = caller.clone();
        self.blocking(move |inner| {
            // Before the lock: a non-member learns nothing from these (they describe only the
            // request), and the slow signature checks never hold up other pushes.
            precheck_push(incident, &entries)?;
            let mut conn = lock(inner)?;
            push_locked(&mut conn, &caller, incident, &entries, now_ms, clock)
        })
    }

    fn pull_raw(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<RawPull>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| pull(conn, &caller, incident, after, limit))
    }

    fn alerts(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Alert>>> + Send {
        let caller = caller.clone();
        self.locked(move |conn| alerts(conn, &caller, incident, after))
    }
}
