//! `Storage` on PostgreSQL (tokio-postgres, deadpool-postgres pool, no TLS: the database is
//! local or on a private network). The decisions are those of the SQLite backend (`common`):
//! this module only reads the facts and writes the outcome. A push locks its incident's row
//! (`FOR NO KEY UPDATE`) for the whole transaction, so that pushes to one incident are serial
//! and ranks are assigned gaplessly by `UPDATE incidents SET last_rank = last_rank + n`;
//! quarantine rows are written under the same lock, so alert ids of an incident become visible
//! in order. Signatures are verified on the blocking pool before any connection is taken.

use std::future::Future;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use muster_core::{DeviceId, Entry, Hlc, IncidentId};
use muster_store::rows::Head;
use muster_sync::wire::{
    Alert, DeviceInfo, EntryFlags, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member,
    MyIncident, Quarantined, Role, StreamHead,
};
use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, IsolationLevel, NoTls, Transaction};

use crate::common::{
    alert_kind_of, check_login_proof, decode_entry, device_of, devices, encode_entry, hash_of, i64_of,
    id_reused, incident_of, new_session_token, plan_push, positions, precheck_push, predecessors, pull_limit,
    random_hex_32, role_of, sha256, u64_of, valid_user_name, Facts, Held, ENROLMENT_TTL_MS,
};
use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, PushOutcome, Put, RawPull, RawPulled, Result, Storage};

/// Migrations in order; index + 1 is the version each produces (a row of `muster_schema`).
const MIGRATIONS: &[&str] = &[include_str!("../migrations/postgres/0001_server.sql")];
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Serialises concurrent migrations of one database (`pg_advisory_xact_lock`).
const MIGRATION_LOCK: i64 = 0x6d75_7374_6572; // "muster"

/// At most this many connections per server process.
const POOL_SIZE: usize = 16;

/// The PostgreSQL backend. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
    shown: String,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage").field("database", &self.shown).finish_non_exhaustive()
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn unavailable(e: impl std::fmt::Display) -> ServerError {
    ServerError::Unavailable(e.to_string())
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), creating or
    /// migrating the schema, and refusing one from a newer Muster before changing anything in
    /// it. Pooled connections are opened lazily, on the runtime that uses them.
    pub async fn connect(url: &str) -> Result<PgStorage> {
        let shown = redact(url);
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| unavailable(format!("bad PostgreSQL URL {shown}: {e}")))?;
        let (mut client, connection) = config.connect(NoTls).await.map_err(unavailable)?;
        let driver = tokio::spawn(connection);
        let migrated = migrate(&mut client, &shown).await;
        drop(client);
        // The connection ends once its client is gone.
        let _ = driver.await;
        migrated?;
        let manager =
            Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok(PgStorage { pool, shown })
    }

    /// The database, as shown in messages (no password).
    pub fn database(&self) -> &str {
        &self.shown
    }

    async fn client(&self) -> Result<Object> {
        self.pool.get().await.map_err(unavailable)
    }
}

async fn migrate(client: &mut Client, shown: &str) -> Result<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    let exists: bool = tx.query_one("SELECT to_regclass('muster_schema') IS NOT NULL", &[]).await?.get(0);
    let found: i64 = if exists {
        tx.query_one("SELECT coalesce(max(version), 0)::bigint FROM muster_schema", &[]).await?.get(0)
    } else {
        0
    };
    if found > SCHEMA_VERSION {
        return Err(ServerError::SchemaTooNew { path: shown.to_string(), found, supported: SCHEMA_VERSION });
    }
    if !exists {
        tx.batch_execute("CREATE TABLE muster_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            .await?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO muster_schema (version) VALUES ($1)", &[&(i as i64 + 1)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

async fn begin(c: &mut Object) -> Result<Transaction<'_>> {
    Ok(Client::transaction(c).await?)
}

/// A read-only snapshot (several reads that must agree, e.g. last rank and entries).
async fn snapshot(c: &mut Object) -> Result<Transaction<'_>> {
    Ok(Client::build_transaction(c)
        .isolation_level(IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

async fn user_id(tx: &Transaction<'_>, name: &str) -> Result<Option<i64>> {
    Ok(tx.query_opt("SELECT id FROM users WHERE name = $1", &[&name]).await?.map(|r| r.get(0)))
}

/// The caller's current role; `Forbidden` for a non-member *and* for an unknown incident.
async fn require_member(tx: &Transaction<'_>, caller: &Caller, incident: IncidentId) -> Result<Role> {
    match current_role(tx, incident, caller.user_id).await? {
        Some(r) => Ok(r),
        None => Err(ServerError::Forbidden(incident)),
    }
}

async fn require_commander(tx: &Transaction<'_>, caller: &Caller, incident: IncidentId) -> Result<()> {
    match require_member(tx, caller, incident).await? {
        Role::Commander => Ok(()),
        Role::Member => Err(ServerError::NotCommander(incident)),
    }
}

/// Takes the incident's row lock until the end of the transaction (no-op for an unknown one).
async fn lock_incident(tx: &Transaction<'_>, incident: IncidentId) -> Result<()> {
    tx.execute(
        "SELECT 1 FROM incidents WHERE incident_id = $1 FOR NO KEY UPDATE",
        &[&&incident.as_bytes()[..]],
    )
    .await?;
    Ok(())
}

async fn current_role(tx: &Transaction<'_>, incident: IncidentId, uid: i64) -> Result<Option<Role>> {
    let r = tx
        .query_opt(
            "SELECT role FROM memberships WHERE incident_id = $1 AND user_id = $2 AND removed_ms IS NULL",
            &[&&incident.as_bytes()[..], &uid],
        )
        .await?;
    r.map(|r| role_of(r.get(0))).transpose()
}

async fn active_commanders(tx: &Transaction<'_>, incident: IncidentId) -> Result<i64> {
    Ok(tx
        .query_one(
            "SELECT count(*) FROM memberships WHERE incident_id = $1 AND role = 'commander' AND removed_ms IS NULL",
            &[&&incident.as_bytes()[..]],
        )
        .await?
        .get(0))
}

async fn last_rank(tx: &Transaction<'_>, incident: IncidentId) -> Result<u64> {
    let r: i64 = tx
        .query_one("SELECT last_rank FROM incidents WHERE incident_id = $1", &[&&incident.as_bytes()[..]])
        .await?
        .get(0);
    Ok(u64_of(r))
}

async fn issue_enrolment(tx: &Transaction<'_>, uid: i64, now_ms: i64) -> Result<String> {
    let token = random_hex_32();
    tx.execute(
        "INSERT INTO enrolments (token_hash, user_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
        &[&sha256(&token), &uid, &now_ms, &now_ms.saturating_add(ENROLMENT_TTL_MS)],
    )
    .await?;
    Ok(token)
}

fn head_of(seq: i64, hash: &[u8], wall: i64, counter: i64) -> Result<Head> {
    Ok(Head {
        seq: u64_of(seq),
        hash: hash_of(hash)?,
        hlc: Hlc { wall_ms: u64_of(wall), counter: u32::try_from(counter).unwrap_or(0) },
    })
}

async fn wire_heads(tx: &Transaction<'_>, incident: IncidentId) -> Result<Vec<StreamHead>> {
    let rows = tx
        .query(
            "SELECT device_id, seq, hash FROM stream_heads WHERE incident_id = $1 ORDER BY device_id",
            &[&&incident.as_bytes()[..]],
        )
        .await?;
    rows.iter()
        .map(|r| {
            Ok(StreamHead { device: device_of(r.get(0))?, seq: u64_of(r.get(1)), hash: hash_of(r.get(2))? })
        })
        .collect()
}

/// What the database holds that the page depends on (`common::plan_push`), in four queries.
async fn push_facts(tx: &Transaction<'_>, incident: IncidentId, entries: &[Entry]) -> Result<Facts> {
    let inc = &incident.as_bytes()[..];
    let mut facts = Facts::default();
    let (pos_dev, pos_seq): (Vec<Vec<u8>>, Vec<i64>) =
        positions(entries).into_iter().map(|(d, s)| (d.as_bytes().to_vec(), i64_of(s))).unzip();
    for r in tx
        .query(
            "SELECT e.device_id, e.seq, e.hash FROM entries e \
             JOIN unnest($2::bytea[], $3::int8[]) AS p (device_id, seq) ON e.device_id = p.device_id AND e.seq = p.seq \
             WHERE e.incident_id = $1",
            &[&inc, &pos_dev, &pos_seq],
        )
        .await?
    {
        facts.stored.insert((device_of(r.get(0))?, u64_of(r.get(1))), hash_of(r.get(2))?);
    }
    let devs: Vec<Vec<u8>> = devices(entries).iter().map(|d| d.as_bytes().to_vec()).collect();
    for r in tx
        .query(
            "SELECT DISTINCT d.device_id FROM devices d JOIN memberships m ON m.user_id = d.user_id \
             WHERE m.incident_id = $1 AND d.device_id = ANY ($2)",
            &[&inc, &devs],
        )
        .await?
    {
        facts.registered.insert(device_of(r.get(0))?);
    }
    for r in tx
        .query(
            "SELECT device_id, seq, hash, hlc_wall_ms, hlc_counter FROM stream_heads \
             WHERE incident_id = $1 AND device_id = ANY ($2)",
            &[&inc, &devs],
        )
        .await?
    {
        facts.heads.insert(device_of(r.get(0))?, head_of(r.get(1), r.get(2), r.get(3), r.get(4))?);
    }
    let preds = predecessors(entries);
    if !preds.is_empty() {
        let q_dev: Vec<Vec<u8>> = preds.iter().map(|(d, _, _)| d.as_bytes().to_vec()).collect();
        let q_seq: Vec<i64> = preds.iter().map(|(_, s, _)| i64_of(*s)).collect();
        let q_hash: Vec<Vec<u8>> = preds.iter().map(|(_, _, h)| h.as_bytes().to_vec()).collect();
        for r in tx
            .query(
                "SELECT q.device_id, q.seq, q.hash FROM quarantine q \
                 JOIN unnest($2::bytea[], $3::int8[], $4::bytea[]) AS p (device_id, seq, hash) \
                 ON q.device_id = p.device_id AND q.seq = p.seq AND q.hash = p.hash WHERE q.incident_id = $1",
                &[&inc, &q_dev, &q_seq, &q_hash],
            )
            .await?
        {
            facts.quarantined.insert((device_of(r.get(0))?, u64_of(r.get(1)), hash_of(r.get(2))?));
        }
    }
    Ok(facts)
}

/// Writes quarantine rows (idempotent: a re-push finds the same alert) and returns their ids.
/// The caller holds the incident's row lock.
async fn write_quarantine(
    tx: &Transaction<'_>,
    caller: &Caller,
    held: &[Held<'_>],
    now_ms: i64,
) -> Result<Vec<Quarantined>> {
    let mut out = Vec::with_capacity(held.len());
    for h in held {
        let e = h.entry;
        let (inc, dev, seq, hash) = (e.incident_id(), e.device_id(), i64_of(e.seq()), e.hash());
        let (inc, dev, hash) = (&inc.as_bytes()[..], &dev.as_bytes()[..], &hash.as_bytes()[..]);
        let key: [&(dyn tokio_postgres::types::ToSql + Sync); 4] = [&inc, &dev, &seq, &hash];
        // Look first, so that a re-push does not use up a sequence value.
        let found = tx
            .query_opt(
                "SELECT id FROM quarantine WHERE incident_id = $1 AND device_id = $2 AND seq = $3 AND hash = $4",
                &key,
            )
            .await?;
        let id: i64 = match found {
            Some(r) => r.get(0),
            None => tx
                .query_one(
                    "INSERT INTO quarantine (incident_id, device_id, seq, hash, entry_id, existing_hash, kind, \
                     entry_json, pushed_by, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                    &[
                        key[0],
                        key[1],
                        key[2],
                        key[3],
                        &&e.id().as_bytes()[..],
                        &&h.existing.as_bytes()[..],
                        &h.kind.as_str(),
                        &encode_entry(e)?,
                        &caller.user_id,
                        &now_ms,
                    ],
                )
                .await?
                .get(0),
        };
        out.push(h.quarantined(id));
    }
    Ok(out)
}

async fn push_tx<'a>(
    c: &mut Object,
    caller: &Caller,
    incident: IncidentId,
    entries: &'a [Entry],
    now_ms: i64,
    clock: ClockPolicy,
    held: &mut Vec<Held<'a>>,
) -> Result<PushOutcome> {
    let inc = &incident.as_bytes()[..];
    let tx = begin(c).await?;
    // The lock first, so that membership, facts and ranks are all read under it.
    lock_incident(&tx, incident).await?;
    require_member(&tx, caller, incident).await?;
    let facts = push_facts(&tx, incident, entries).await?;
    let mut plan = plan_push(entries, &facts);
    if let Some(refusal) = plan.refusal.take() {
        *held = plan.held;
        return Err(refusal);
    }
    let n = i64::try_from(plan.inserts.len()).unwrap_or(i64::MAX);
    let last: i64 = tx
        .query_one(
            "UPDATE incidents SET last_rank = last_rank + $2 WHERE incident_id = $1 RETURNING last_rank",
            &[&inc, &n],
        )
        .await?
        .get(0);
    let insert = tx
        .prepare(
            "INSERT INTO entries (incident_id, device_id, seq, rank, id, hash, hlc_wall_ms, hlc_counter, entry_json, \
             received_ms, pushed_by, clock_skew_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .await?;
    for (k, step) in plan.inserts.iter().enumerate() {
        let e = &entries[step.index];
        let rank = last - n + 1 + k as i64;
        let inserted = tx
            .execute(
                &insert,
                &[
                    &inc,
                    &&e.device_id().as_bytes()[..],
                    &i64_of(e.seq()),
                    &rank,
                    &&e.id().as_bytes()[..],
                    &&e.hash().as_bytes()[..],
                    &i64_of(e.hlc().wall_ms),
                    &i64::from(e.hlc().counter),
                    &encode_entry(e)?,
                    &now_ms,
                    &caller.user_id,
                    &clock.flag(caller, e, now_ms),
                ],
            )
            .await;
        match inserted {
            Ok(_) => {}
            Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                let refusal = id_reused(&mut plan.held, step, e);
                *held = plan.held;
                return Err(refusal);
            }
            Err(other) => return Err(other.into()),
        }
    }
    for (device, head) in plan.new_heads(entries) {
        tx.execute(
            "INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, device_id) DO UPDATE SET \
             seq = excluded.seq, hash = excluded.hash, hlc_wall_ms = excluded.hlc_wall_ms, hlc_counter = excluded.hlc_counter",
            &[
                &inc,
                &&device.as_bytes()[..],
                &i64_of(head.seq),
                &&head.hash.as_bytes()[..],
                &i64_of(head.hlc.wall_ms),
                &i64::from(head.hlc.counter),
            ],
        )
        .await?;
    }
    let quarantined = write_quarantine(&tx, caller, &plan.held, now_ms).await?;
    let touched: Vec<DeviceId> = devices(entries);
    let heads = wire_heads(&tx, incident)
        .await?
        .into_iter()
        .filter(|h| touched.binary_search(&h.device).is_ok())
        .collect();
    tx.commit().await?;
    Ok(PushOutcome {
        accepted: plan.inserts.len(),
        duplicates: plan.duplicates,
        quarantined,
        heads,
        last_rank: u64_of(last),
    })
}

impl PgStorage {
    async fn pg_add_user(&self, name: &str, now_ms: i64) -> Result<String> {
        if !valid_user_name(name) {
            return Err(ServerError::BadUserName);
        }
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        let uid: i64 = tx
            .query_opt(
                "INSERT INTO users (name, created_ms) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&name, &now_ms],
            )
            .await?
            .ok_or_else(|| ServerError::UserExists(name.to_string()))?
            .get(0);
        let token = issue_enrolment(&tx, uid, now_ms).await?;
        tx.commit().await?;
        Ok(token)
    }

    async fn pg_new_enrolment(&self, name: &str, now_ms: i64) -> Result<String> {
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        let uid = user_id(&tx, name).await?.ok_or_else(|| ServerError::UnknownUser(name.to_string()))?;
        let token = issue_enrolment(&tx, uid, now_ms).await?;
        tx.commit().await?;
        Ok(token)
    }

    async fn pg_login(&self, req: &LoginRequest, now_ms: i64) -> Result<LoginResponse> {
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        // Unknown user, wrong, used and expired tokens all get the same answer.
        let uid = user_id(&tx, &req.user).await?.ok_or(ServerError::BadEnrolment)?;
        let token_hash = sha256(&req.token);
        let valid = tx
            .query_opt(
                "SELECT 1 FROM enrolments WHERE token_hash = $1 AND user_id = $2 AND used_ms IS NULL AND expires_ms > $3 \
                 FOR UPDATE",
                &[&token_hash, &uid, &now_ms],
            )
            .await?
            .is_some();
        if !valid {
            return Err(ServerError::BadEnrolment);
        }
        check_login_proof(req)?;
        let dev = &req.device_id.as_bytes()[..];
        tx.execute(
            "INSERT INTO devices (device_id, user_id, name, registered_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (device_id) DO NOTHING",
            &[&dev, &uid, &req.device_name, &now_ms],
        )
        .await?;
        let owner: i64 =
            tx.query_one("SELECT user_id FROM devices WHERE device_id = $1", &[&dev]).await?.get(0);
        if owner != uid {
            return Err(ServerError::DeviceOtherUser(req.device_id));
        }
        tx.execute("UPDATE enrolments SET used_ms = $1 WHERE token_hash = $2", &[&now_ms, &token_hash])
            .await?;
        let session = new_session_token();
        tx.execute(
            "INSERT INTO sessions (token_hash, user_id, device_id, created_ms, last_used_ms) VALUES ($1, $2, $3, $4, $4)",
            &[&sha256(&session), &uid, &dev, &now_ms],
        )
        .await?;
        tx.commit().await?;
        Ok(LoginResponse {
            session_token: session,
            user: req.user.clone(),
            device_id: req.device_id,
            server_time_ms: now_ms,
        })
    }

    async fn pg_authenticate(&self, token: &str, now_ms: i64) -> Result<Caller> {
        let c = self.client().await?;
        let hash = sha256(token);
        let row = c
            .query_opt(
                "SELECT s.user_id, u.name, s.device_id FROM sessions s JOIN users u ON u.id = s.user_id \
                 WHERE s.token_hash = $1 AND s.revoked_ms IS NULL",
                &[&hash],
            )
            .await?
            .ok_or(ServerError::BadSession)?;
        // At most one durable write a minute per session, not one per request.
        c.execute(
            "UPDATE sessions SET last_used_ms = $1 WHERE token_hash = $2 AND last_used_ms < $1::bigint - 60000",
            &[&now_ms, &hash],
        )
        .await?;
        Ok(Caller { user_id: row.get(0), user: row.get(1), device: device_of(row.get(2))? })
    }

    async fn pg_me(&self, caller: &Caller, now_ms: i64) -> Result<MeResponse> {
        let mut c = self.client().await?;
        let tx = snapshot(&mut c).await?;
        let mut devices = Vec::new();
        for r in tx
            .query(
                "SELECT device_id, name, registered_ms FROM devices WHERE user_id = $1 ORDER BY registered_ms, ord",
                &[&caller.user_id],
            )
            .await?
        {
            devices.push(DeviceInfo { device_id: device_of(r.get(0))?, name: r.get(1), registered_ms: r.get(2) });
        }
        let mut incidents = Vec::new();
        for r in tx
            .query(
                "SELECT m.incident_id, m.role, i.last_rank FROM memberships m JOIN incidents i ON i.incident_id = m.incident_id \
                 WHERE m.user_id = $1 AND m.removed_ms IS NULL ORDER BY m.incident_id",
                &[&caller.user_id],
            )
            .await?
        {
            incidents.push(MyIncident { id: incident_of(r.get(0))?, role: role_of(r.get(1))?, last_rank: u64_of(r.get(2)) });
        }
        tx.commit().await?;
        Ok(MeResponse { user: caller.user.clone(), devices, incidents, server_time_ms: now_ms })
    }

    async fn pg_register_incident(&self, caller: &Caller, incident: IncidentId, now_ms: i64) -> Result<Put> {
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        let inc = &incident.as_bytes()[..];
        let created = tx
            .execute(
                "INSERT INTO incidents (incident_id, created_by, created_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (incident_id) DO NOTHING",
                &[&inc, &caller.user_id, &now_ms],
            )
            .await?;
        if created == 0 {
            // Known bounded leak (plan §3): a foreign existing id answers 403 where a fresh one 201.
            require_member(&tx, caller, incident).await?;
            return Ok(Put::Existing);
        }
        tx.execute(
            "INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms) VALUES ($1, $2, 'commander', $2, $3)",
            &[&inc, &caller.user_id, &now_ms],
        )
        .await?;
        tx.commit().await?;
        Ok(Put::Created)
    }

    async fn pg_members(&self, caller: &Caller, incident: IncidentId) -> Result<Vec<Member>> {
        let mut c = self.client().await?;
        let tx = snapshot(&mut c).await?;
        require_member(&tx, caller, incident).await?;
        let mut out = Vec::new();
        for r in tx
            .query(
                "SELECT u.name, m.role, a.name, m.added_ms FROM memberships m JOIN users u ON u.id = m.user_id \
                 JOIN users a ON a.id = m.added_by WHERE m.incident_id = $1 AND m.removed_ms IS NULL \
                 ORDER BY u.name COLLATE \"C\"",
                &[&&incident.as_bytes()[..]],
            )
            .await?
        {
            out.push(Member { user: r.get(0), role: role_of(r.get(1))?, added_by: r.get(2), added_ms: r.get(3) });
        }
        tx.commit().await?;
        Ok(out)
    }

    async fn pg_set_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> Result<Put> {
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        // The incident's lock makes the last-commander check hold against concurrent changes.
        lock_incident(&tx, incident).await?;
        require_commander(&tx, caller, incident).await?;
        let uid = user_id(&tx, user).await?.ok_or_else(|| ServerError::UnknownUser(user.to_string()))?;
        let current = current_role(&tx, incident, uid).await?;
        if current == Some(Role::Commander)
            && role == Role::Member
            && active_commanders(&tx, incident).await? <= 1
        {
            return Err(ServerError::LastCommander { incident, user: user.to_string() });
        }
        tx.execute(
            "INSERT INTO memberships AS m (incident_id, user_id, role, added_by, added_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (incident_id, user_id) DO UPDATE SET role = excluded.role, removed_ms = NULL, \
             added_by = CASE WHEN m.removed_ms IS NULL THEN m.added_by ELSE excluded.added_by END, \
             added_ms = CASE WHEN m.removed_ms IS NULL THEN m.added_ms ELSE excluded.added_ms END",
            &[&&incident.as_bytes()[..], &uid, &role.as_str(), &caller.user_id, &now_ms],
        )
        .await?;
        tx.commit().await?;
        Ok(if current.is_some() { Put::Existing } else { Put::Created })
    }

    async fn pg_remove_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        now_ms: i64,
    ) -> Result<()> {
        let mut c = self.client().await?;
        let tx = begin(&mut c).await?;
        lock_incident(&tx, incident).await?;
        require_commander(&tx, caller, incident).await?;
        let uid = user_id(&tx, user).await?.ok_or_else(|| ServerError::UnknownUser(user.to_string()))?;
        match current_role(&tx, incident, uid).await? {
            None => return Err(ServerError::NotMember { incident, user: user.to_string() }),
            Some(Role::Commander) if active_commanders(&tx, incident).await? <= 1 => {
                return Err(ServerError::LastCommander { incident, user: user.to_string() })
            }
            Some(_) => {}
        }
        tx.execute(
            "UPDATE memberships SET removed_ms = $1 WHERE incident_id = $2 AND user_id = $3",
            &[&now_ms, &&incident.as_bytes()[..], &uid],
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn pg_heads(&self, caller: &Caller, incident: IncidentId) -> Result<HeadsResponse> {
        let mut c = self.client().await?;
        let tx = snapshot(&mut c).await?;
        require_member(&tx, caller, incident).await?;
        let out = HeadsResponse {
            last_rank: last_rank(&tx, incident).await?,
            heads: wire_heads(&tx, incident).await?,
        };
        tx.commit().await?;
        Ok(out)
    }

    async fn pg_push(
        &self,
        caller: &Caller,
        incident: IncidentId,
        entries: Vec<Entry>,
        now_ms: i64,
        clock: ClockPolicy,
    ) -> Result<PushOutcome> {
        // Before any connection: a non-member learns nothing from these (they describe only
        // the request), and the slow signature checks hold up nobody.
        let entries =
            tokio::task::spawn_blocking(move || precheck_push(incident, &entries).map(|()| entries))
                .await
                .map_err(|e| ServerError::Internal(format!("storage task failed: {e}")))??;
        let mut c = self.client().await?;
        let mut held: Vec<Held<'_>> = Vec::new();
        match push_tx(&mut c, caller, incident, &entries, now_ms, clock, &mut held).await {
            Ok(outcome) => Ok(outcome),
            Err(err) => {
                // The page was refused and rolled back; the evidence found before the refusal
                // is still written, in its own transaction, so that no alert is ever lost.
                if !held.is_empty() {
                    let tx = begin(&mut c).await?;
                    lock_incident(&tx, incident).await?;
                    write_quarantine(&tx, caller, &held, now_ms).await?;
                    tx.commit().await?;
                }
                Err(err)
            }
        }
    }

    async fn pg_pull(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> Result<RawPull> {
        let mut c = self.client().await?;
        let tx = snapshot(&mut c).await?;
        require_member(&tx, caller, incident).await?;
        let last = last_rank(&tx, incident).await?;
        if after > last {
            return Err(ServerError::BadCursor { after, last_rank: last });
        }
        let mut entries = Vec::new();
        for r in tx
            .query(
                "SELECT rank, clock_skew_ms, entry_json FROM entries WHERE incident_id = $1 AND rank > $2 \
                 ORDER BY rank LIMIT $3",
                &[&&incident.as_bytes()[..], &i64_of(after), &i64_of(pull_limit(limit))],
            )
            .await?
        {
            let skew: Option<i64> = r.get(1);
            entries.push(RawPulled {
                rank: u64_of(r.get(0)),
                flags: skew.map(|s| EntryFlags { clock_skew_ms: Some(s) }),
                entry_json: r.get(2),
            });
        }
        tx.commit().await?;
        let next = entries.last().map_or(after, |e| e.rank);
        Ok(RawPull { entries, next, more: next < last })
    }

    async fn pg_alerts(&self, caller: &Caller, incident: IncidentId, after: u64) -> Result<Vec<Alert>> {
        let mut c = self.client().await?;
        let tx = snapshot(&mut c).await?;
        require_member(&tx, caller, incident).await?;
        let mut out = Vec::new();
        for r in tx
            .query(
                "SELECT q.id, q.kind, q.device_id, q.seq, e.entry_json, q.entry_json, u.name, q.received_ms \
                 FROM quarantine q JOIN users u ON u.id = q.pushed_by \
                 LEFT JOIN entries e ON e.incident_id = q.incident_id AND e.device_id = q.device_id \
                 AND e.hash = q.existing_hash \
                 WHERE q.incident_id = $1 AND q.id > $2 ORDER BY q.id",
                &[&&incident.as_bytes()[..], &i64_of(after)],
            )
            .await?
        {
            let existing: Option<&str> = r.get(4);
            out.push(Alert {
                id: u64_of(r.get(0)),
                kind: alert_kind_of(r.get(1))?,
                device: device_of(r.get(2))?,
                seq: u64_of(r.get(3)),
                existing_entry: existing.map(decode_entry).transpose()?,
                quarantined_entry: decode_entry(r.get(5))?,
                pushed_by: r.get(6),
                received_ms: r.get(7),
            });
        }
        tx.commit().await?;
        Ok(out)
    }
}

impl Storage for PgStorage {
    const BACKEND: &'static str = "postgres";

    fn health(&self) -> impl Future<Output = Result<()>> + Send {
        let this = self.clone();
        async move {
            let c = this.client().await?;
            c.simple_query("SELECT 1").await.map_err(unavailable)?;
            Ok(())
        }
    }

    fn add_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        let (this, name) = (self.clone(), name.to_string());
        async move { this.pg_add_user(&name, now_ms).await }
    }

    fn new_enrolment(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send {
        let (this, name) = (self.clone(), name.to_string());
        async move { this.pg_new_enrolment(&name, now_ms).await }
    }

    fn login(&self, req: LoginRequest, now_ms: i64) -> impl Future<Output = Result<LoginResponse>> + Send {
        let this = self.clone();
        async move { this.pg_login(&req, now_ms).await }
    }

    fn authenticate(&self, session_token: &str, now_ms: i64) -> impl Future<Output = Result<Caller>> + Send {
        let (this, token) = (self.clone(), session_token.to_string());
        async move { this.pg_authenticate(&token, now_ms).await }
    }

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_me(&caller, now_ms).await }
    }

    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_register_incident(&caller, incident, now_ms).await }
    }

    fn members(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<Member>>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_members(&caller, incident).await }
    }

    fn set_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send {
        let (this, caller, user) = (self.clone(), caller.clone(), user.to_string());
        async move { this.pg_set_member(&caller, incident, &user, role, now_ms).await }
    }

    fn remove_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send {
        let (this, caller, user) = (self.clone(), caller.clone(), user.to_string());
        async move { this.pg_remove_member(&caller, incident, &user, now_ms).await }
    }

    fn heads(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<HeadsResponse>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_heads(&caller, incident).await }
    }

    fn push(
        &self,
        caller: &Caller,
        incident: IncidentId,
        entries: Vec<Entry>,
        now_ms: i64,
        clock: ClockPolicy,
    ) -> impl Future<Output = Result<PushOutcome>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_push(&caller, incident, entries, now_ms, clock).await }
    }

    fn pull_raw(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<RawPull>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_pull(&caller, incident, after, limit).await }
    }

    fn alerts(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Alert>>> + Send {
        let (this, caller) = (self.clone(), caller.clone());
        async move { this.pg_alerts(&caller, incident, after).await }
    }
}
