//! `Data` in SQL for PostgreSQL. Statements are prepared once per connection (deadpool's
//! statement cache); a batched lookup is one statement over `unnest`/`ANY` arrays, since every
//! statement is a round trip.

use muster_core::{DeviceId, Hash32, Head, Hlc, IncidentId};
use muster_wire::{DeviceInfo, EntryFlags, Member, MyIncident, Role, StreamHead};
use tokio_postgres::error::SqlState;
use tokio_postgres::types::ToSql;
use tokio_postgres::Row;

use super::PgTx;
use crate::backend::{Data, Inserted, NewEntry, NewQuarantine, SessionRow, StoredAlert};
use crate::codec::{alert_kind_of, device_of, hash_of, i64_of, incident_of, role_of, u64_of};
use crate::storage::{RawPulled, Result};

type Params<'a> = [&'a (dyn ToSql + Sync)];

impl PgTx {
    pub(super) async fn query(&self, sql: &str, params: &Params<'_>) -> Result<Vec<Row>> {
        let client = self.client()?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.query(&statement, params).await?)
    }

    pub(super) async fn query_opt(&self, sql: &str, params: &Params<'_>) -> Result<Option<Row>> {
        let client = self.client()?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.query_opt(&statement, params).await?)
    }

    pub(super) async fn query_one(&self, sql: &str, params: &Params<'_>) -> Result<Row> {
        let client = self.client()?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.query_one(&statement, params).await?)
    }

    pub(super) async fn execute(&self, sql: &str, params: &Params<'_>) -> Result<u64> {
        let client = self.client()?;
        let statement = client.prepare_cached(sql).await?;
        Ok(client.execute(&statement, params).await?)
    }
}

fn head_of(seq: i64, hash: &[u8], wall_ms: i64, counter: i64) -> Result<Head> {
    Ok(Head {
        seq: u64_of(seq),
        hash: hash_of(hash)?,
        hlc: Hlc { wall_ms: u64_of(wall_ms), counter: u32::try_from(counter).unwrap_or(0) },
    })
}

fn bytes<const N: usize>(items: impl IntoIterator<Item = [u8; N]>) -> Vec<Vec<u8>> {
    items.into_iter().map(|b| b.to_vec()).collect()
}

impl Data for PgTx {
    async fn ping(&mut self) -> Result<()> {
        self.client()?.simple_query("SELECT 1").await?;
        Ok(())
    }

    async fn user_id(&mut self, name: &str) -> Result<Option<i64>> {
        Ok(self.query_opt("SELECT id FROM users WHERE name = $1", &[&name]).await?.map(|r| r.get(0)))
    }

    async fn insert_user(&mut self, name: &str, now_ms: i64) -> Result<Option<i64>> {
        let row = self
            .query_opt(
                "INSERT INTO users (name, created_ms) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING RETURNING id",
                &[&name, &now_ms],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn insert_enrolment(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        created_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO enrolments (token_hash, user_id, created_ms, expires_ms) VALUES ($1, $2, $3, $4)",
            &[&token_hash, &user_id, &created_ms, &expires_ms],
        )
        .await?;
        Ok(())
    }

    async fn open_enrolment(&mut self, user: &str, token_hash: &[u8], now_ms: i64) -> Result<Option<i64>> {
        // FOR UPDATE: under READ COMMITTED, two logins with one token must not both redeem it.
        let row = self
            .query_opt(
                "SELECT e.user_id FROM enrolments e JOIN users u ON u.id = e.user_id \
                 WHERE u.name = $1 AND e.token_hash = $2 AND e.used_ms IS NULL AND e.expires_ms > $3 \
                 AND u.revoked_ms IS NULL FOR UPDATE OF e",
                &[&user, &token_hash, &now_ms],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn mark_enrolment_used(&mut self, token_hash: &[u8], now_ms: i64) -> Result<()> {
        self.execute("UPDATE enrolments SET used_ms = $1 WHERE token_hash = $2", &[&now_ms, &token_hash])
            .await?;
        Ok(())
    }

    async fn insert_device_if_absent(
        &mut self,
        device: DeviceId,
        user_id: i64,
        name: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO devices (device_id, user_id, name, registered_ms) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (device_id) DO NOTHING",
            &[&&device.as_bytes()[..], &user_id, &name, &now_ms],
        )
        .await?;
        Ok(())
    }

    async fn device_owner(&mut self, device: DeviceId) -> Result<Option<i64>> {
        let row = self
            .query_opt("SELECT user_id FROM devices WHERE device_id = $1", &[&&device.as_bytes()[..]])
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn devices_of(&mut self, user_id: i64) -> Result<Vec<DeviceInfo>> {
        self.query(
            "SELECT device_id, name, registered_ms, revoked_ms FROM devices WHERE user_id = $1 ORDER BY registered_ms, ord",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(DeviceInfo {
                device_id: device_of(r.get(0))?,
                name: r.get(1),
                registered_ms: r.get(2),
                revoked_ms: r.get(3),
            })
        })
        .collect()
    }

    async fn insert_session(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO sessions (token_hash, user_id, device_id, created_ms, last_used_ms) VALUES ($1, $2, $3, $4, $4)",
            &[&token_hash, &user_id, &&device.as_bytes()[..], &now_ms],
        )
        .await?;
        Ok(())
    }

    async fn session(&mut self, token_hash: &[u8]) -> Result<Option<SessionRow>> {
        let row = self
            .query_opt(
                "SELECT s.id, s.user_id, u.name, s.device_id, s.created_ms, s.last_used_ms, \
                 (s.revoked_ms IS NOT NULL OR u.revoked_ms IS NOT NULL OR d.revoked_ms IS NOT NULL) \
                 FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.device_id = s.device_id \
                 WHERE s.token_hash = $1",
                &[&token_hash],
            )
            .await?;
        row.map(|r| {
            Ok(SessionRow {
                id: r.get(0),
                user_id: r.get(1),
                user: r.get(2),
                device: device_of(r.get(3))?,
                created_ms: r.get(4),
                last_used_ms: r.get(5),
                ended: r.get(6),
            })
        })
        .transpose()
    }

    async fn touch_session(&mut self, token_hash: &[u8], now_ms: i64, stale_before_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE sessions SET last_used_ms = $1 WHERE token_hash = $2 AND last_used_ms < $3",
            &[&now_ms, &token_hash, &stale_before_ms],
        )
        .await?;
        Ok(())
    }

    async fn insert_incident_if_absent(
        &mut self,
        incident: IncidentId,
        created_by: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let inserted = self
            .execute(
                "INSERT INTO incidents (incident_id, created_by, created_ms) VALUES ($1, $2, $3) \
                 ON CONFLICT (incident_id) DO NOTHING",
                &[&&incident.as_bytes()[..], &created_by, &now_ms],
            )
            .await?;
        Ok(inserted > 0)
    }

    async fn lock_incident(&mut self, incident: IncidentId) -> Result<()> {
        self.execute(
            "SELECT 1 FROM incidents WHERE incident_id = $1 FOR NO KEY UPDATE",
            &[&&incident.as_bytes()[..]],
        )
        .await?;
        Ok(())
    }

    async fn incidents_of(&mut self, user_id: i64) -> Result<Vec<MyIncident>> {
        self.query(
            "SELECT m.incident_id, m.role, i.last_rank FROM memberships m JOIN incidents i ON i.incident_id = m.incident_id \
             WHERE m.user_id = $1 AND m.removed_ms IS NULL ORDER BY m.incident_id",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(MyIncident {
                id: incident_of(r.get(0))?,
                role: role_of(r.get(1))?,
                last_rank: u64_of(r.get(2)),
                revoked_devices: Vec::new(),
            })
        })
        .collect()
    }

    async fn role(&mut self, incident: IncidentId, user_id: i64) -> Result<Option<Role>> {
        let row = self
            .query_opt(
                "SELECT role FROM memberships WHERE incident_id = $1 AND user_id = $2 AND removed_ms IS NULL",
                &[&&incident.as_bytes()[..], &user_id],
            )
            .await?;
        row.map(|r| role_of(r.get(0))).transpose()
    }

    async fn commander_count(&mut self, incident: IncidentId) -> Result<u64> {
        let row = self
            .query_one(
                "SELECT count(*) FROM memberships WHERE incident_id = $1 AND role = 'commander' AND removed_ms IS NULL",
                &[&&incident.as_bytes()[..]],
            )
            .await?;
        Ok(u64_of(row.get(0)))
    }

    async fn members(&mut self, incident: IncidentId) -> Result<Vec<Member>> {
        self.query(
            "SELECT u.name, m.role, a.name, m.added_ms FROM memberships m JOIN users u ON u.id = m.user_id \
             JOIN users a ON a.id = m.added_by WHERE m.incident_id = $1 AND m.removed_ms IS NULL \
             ORDER BY u.name COLLATE \"C\"",
            &[&&incident.as_bytes()[..]],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(Member { user: r.get(0), role: role_of(r.get(1))?, added_by: r.get(2), added_ms: r.get(3) })
        })
        .collect()
    }

    async fn add_membership(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        role: Role,
        added_by: i64,
        now_ms: i64,
    ) -> Result<()> {
        self.execute(
            "INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (incident_id, user_id) DO UPDATE SET role = excluded.role, removed_ms = NULL, \
             added_by = excluded.added_by, added_ms = excluded.added_ms",
            &[&&incident.as_bytes()[..], &user_id, &role.as_str(), &added_by, &now_ms],
        )
        .await?;
        Ok(())
    }

    async fn set_role(&mut self, incident: IncidentId, user_id: i64, role: Role) -> Result<()> {
        self.execute(
            "UPDATE memberships SET role = $3 WHERE incident_id = $1 AND user_id = $2 AND removed_ms IS NULL",
            &[&&incident.as_bytes()[..], &user_id, &role.as_str()],
        )
        .await?;
        Ok(())
    }

    async fn end_membership(&mut self, incident: IncidentId, user_id: i64, now_ms: i64) -> Result<()> {
        self.execute(
            "UPDATE memberships SET removed_ms = $1 WHERE incident_id = $2 AND user_id = $3",
            &[&now_ms, &&incident.as_bytes()[..], &user_id],
        )
        .await?;
        Ok(())
    }

    async fn last_rank(&mut self, incident: IncidentId) -> Result<u64> {
        let row = self
            .query_one("SELECT last_rank FROM incidents WHERE incident_id = $1", &[&&incident.as_bytes()[..]])
            .await?;
        Ok(u64_of(row.get(0)))
    }

    async fn reserve_ranks(&mut self, incident: IncidentId, n: u64) -> Result<u64> {
        let row = self
            .query_one(
                "UPDATE incidents SET last_rank = last_rank + $2 WHERE incident_id = $1 RETURNING last_rank",
                &[&&incident.as_bytes()[..], &i64_of(n)],
            )
            .await?;
        Ok(u64_of(row.get(0)))
    }

    async fn stored_hashes(
        &mut self,
        incident: IncidentId,
        positions: &[(DeviceId, u64)],
    ) -> Result<Vec<((DeviceId, u64), Hash32)>> {
        let devices = bytes(positions.iter().map(|(d, _)| *d.as_bytes()));
        let seqs: Vec<i64> = positions.iter().map(|(_, s)| i64_of(*s)).collect();
        self.query(
            "SELECT e.device_id, e.seq, e.hash FROM entries e \
             JOIN unnest($2::bytea[], $3::int8[]) AS p (device_id, seq) ON e.device_id = p.device_id AND e.seq = p.seq \
             WHERE e.incident_id = $1",
            &[&&incident.as_bytes()[..], &devices, &seqs],
        )
        .await?
        .iter()
        .map(|r| Ok(((device_of(r.get(0))?, u64_of(r.get(1))), hash_of(r.get(2))?)))
        .collect()
    }

    async fn member_devices(&mut self, incident: IncidentId, devices: &[DeviceId]) -> Result<Vec<DeviceId>> {
        let devices = bytes(devices.iter().map(|d| *d.as_bytes()));
        self.query(
            "SELECT DISTINCT d.device_id FROM devices d JOIN memberships m ON m.user_id = d.user_id \
             WHERE m.incident_id = $1 AND d.device_id = ANY ($2)",
            &[&&incident.as_bytes()[..], &devices],
        )
        .await?
        .iter()
        .map(|r| device_of(r.get(0)))
        .collect()
    }

    async fn heads_of(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> Result<Vec<(DeviceId, Head)>> {
        let devices = bytes(devices.iter().map(|d| *d.as_bytes()));
        self.query(
            "SELECT device_id, seq, hash, hlc_wall_ms, hlc_counter FROM stream_heads \
             WHERE incident_id = $1 AND device_id = ANY ($2)",
            &[&&incident.as_bytes()[..], &devices],
        )
        .await?
        .iter()
        .map(|r| Ok((device_of(r.get(0))?, head_of(r.get(1), r.get(2), r.get(3), r.get(4))?)))
        .collect()
    }

    async fn stream_heads(&mut self, incident: IncidentId) -> Result<Vec<StreamHead>> {
        self.query(
            "SELECT device_id, seq, hash FROM stream_heads WHERE incident_id = $1 ORDER BY device_id",
            &[&&incident.as_bytes()[..]],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(StreamHead { device: device_of(r.get(0))?, seq: u64_of(r.get(1)), hash: hash_of(r.get(2))? })
        })
        .collect()
    }

    async fn upsert_head(&mut self, incident: IncidentId, device: DeviceId, head: Head) -> Result<()> {
        self.execute(
            "INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (incident_id, device_id) DO UPDATE SET \
             seq = excluded.seq, hash = excluded.hash, hlc_wall_ms = excluded.hlc_wall_ms, \
             hlc_counter = excluded.hlc_counter",
            &[
                &&incident.as_bytes()[..],
                &&device.as_bytes()[..],
                &i64_of(head.seq),
                &&head.hash.as_bytes()[..],
                &i64_of(head.hlc.wall_ms),
                &i64::from(head.hlc.counter),
            ],
        )
        .await?;
        Ok(())
    }

    async fn insert_entry(&mut self, row: NewEntry<'_>) -> Result<Inserted> {
        let e = row.entry;
        let client = self.client()?;
        let statement = client
            .prepare_cached(
                "INSERT INTO entries (incident_id, device_id, seq, rank, id, hash, hlc_wall_ms, hlc_counter, entry_json, \
                 received_ms, pushed_by, clock_skew_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            )
            .await?;
        let inserted = client
            .execute(
                &statement,
                &[
                    &&row.incident.as_bytes()[..],
                    &&e.device_id().as_bytes()[..],
                    &i64_of(e.seq()),
                    &i64_of(row.rank),
                    &&e.id().as_bytes()[..],
                    &&e.hash().as_bytes()[..],
                    &i64_of(e.hlc().wall_ms),
                    &i64::from(e.hlc().counter),
                    &row.entry_json,
                    &row.received_ms,
                    &row.pushed_by,
                    &row.clock_skew_ms,
                ],
            )
            .await;
        match inserted {
            Ok(_) => Ok(Inserted::Stored),
            Err(err) if err.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Inserted::KeyTaken),
            Err(other) => Err(other.into()),
        }
    }

    async fn entries_after(
        &mut self,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> Result<Vec<RawPulled>> {
        let rows = self
            .query(
                "SELECT rank, clock_skew_ms, entry_json FROM entries WHERE incident_id = $1 AND rank > $2 \
                 ORDER BY rank LIMIT $3",
                &[&&incident.as_bytes()[..], &i64_of(after), &i64_of(limit)],
            )
            .await?;
        Ok(rows
            .iter()
            .map(|r| {
                let skew: Option<i64> = r.get(1);
                RawPulled {
                    rank: u64_of(r.get(0)),
                    flags: skew.map(|s| EntryFlags { clock_skew_ms: Some(s) }),
                    entry_json: r.get(2),
                }
            })
            .collect())
    }

    async fn quarantined_among(
        &mut self,
        incident: IncidentId,
        keys: &[(DeviceId, u64, Hash32)],
    ) -> Result<Vec<(DeviceId, u64, Hash32)>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let devices = bytes(keys.iter().map(|(d, _, _)| *d.as_bytes()));
        let seqs: Vec<i64> = keys.iter().map(|(_, s, _)| i64_of(*s)).collect();
        let hashes = bytes(keys.iter().map(|(_, _, h)| *h.as_bytes()));
        self.query(
            "SELECT q.device_id, q.seq, q.hash FROM quarantine q \
             JOIN unnest($2::bytea[], $3::int8[], $4::bytea[]) AS p (device_id, seq, hash) \
             ON q.device_id = p.device_id AND q.seq = p.seq AND q.hash = p.hash WHERE q.incident_id = $1",
            &[&&incident.as_bytes()[..], &devices, &seqs, &hashes],
        )
        .await?
        .iter()
        .map(|r| Ok((device_of(r.get(0))?, u64_of(r.get(1)), hash_of(r.get(2))?)))
        .collect()
    }

    async fn quarantine_id(
        &mut self,
        incident: IncidentId,
        device: DeviceId,
        seq: u64,
        hash: Hash32,
    ) -> Result<Option<i64>> {
        let row = self
            .query_opt(
                "SELECT id FROM quarantine WHERE incident_id = $1 AND device_id = $2 AND seq = $3 AND hash = $4",
                &[&&incident.as_bytes()[..], &&device.as_bytes()[..], &i64_of(seq), &&hash.as_bytes()[..]],
            )
            .await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn insert_quarantine(&mut self, row: NewQuarantine<'_>) -> Result<i64> {
        let e = row.entry;
        let inserted = self
            .query_one(
                "INSERT INTO quarantine (incident_id, device_id, seq, hash, entry_id, existing_hash, kind, \
                 entry_json, pushed_by, received_ms) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                &[
                    &&e.incident_id().as_bytes()[..],
                    &&e.device_id().as_bytes()[..],
                    &i64_of(e.seq()),
                    &&e.hash().as_bytes()[..],
                    &&e.id().as_bytes()[..],
                    &&row.existing.as_bytes()[..],
                    &row.kind.as_str(),
                    &row.entry_json,
                    &row.pushed_by,
                    &row.received_ms,
                ],
            )
            .await?;
        Ok(inserted.get(0))
    }

    async fn alerts_after(&mut self, incident: IncidentId, after: u64) -> Result<Vec<StoredAlert>> {
        self.query(
            "SELECT q.id, q.kind, q.device_id, q.seq, e.entry_json, q.entry_json, u.name, q.received_ms \
             FROM quarantine q JOIN users u ON u.id = q.pushed_by \
             LEFT JOIN entries e ON e.incident_id = q.incident_id AND e.device_id = q.device_id \
             AND e.hash = q.existing_hash \
             WHERE q.incident_id = $1 AND q.id > $2 ORDER BY q.id",
            &[&&incident.as_bytes()[..], &i64_of(after)],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(StoredAlert {
                id: r.get(0),
                kind: alert_kind_of(r.get(1))?,
                device: device_of(r.get(2))?,
                seq: u64_of(r.get(3)),
                existing_json: r.get(4),
                quarantined_json: r.get(5),
                pushed_by: r.get(6),
                received_ms: r.get(7),
            })
        })
        .collect()
    }
}
