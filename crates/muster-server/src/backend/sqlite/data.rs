//! `Data` in SQL for SQLite. Each operation is one statement (batched ones repeat it per key:
//! SQLite runs in process, so a lookup costs no round trip). The calls are synchronous; the
//! `async fn`s never wait (`super::complete`).

use muster_core::{DeviceId, Hash32, Head, Hlc, IncidentId};
use muster_wire::{DeviceInfo, EntryFlags, Member, MyIncident, Role, StreamHead};
use rusqlite::{params, OptionalExtension};

use super::SqliteTx;
use crate::backend::{Data, Inserted, NewEntry, NewQuarantine, SessionRow, StoredAlert};
use crate::codec::{alert_kind_of, device_of, hash_of, i64_of, incident_of, role_of, u64_of};
use crate::storage::{RawPulled, Result};

fn head_of(seq: i64, hash: &[u8], wall_ms: i64, counter: i64) -> Result<Head> {
    Ok(Head {
        seq: u64_of(seq),
        hash: hash_of(hash)?,
        hlc: Hlc { wall_ms: u64_of(wall_ms), counter: u32::try_from(counter).unwrap_or(0) },
    })
}

impl Data for SqliteTx<'_> {
    async fn ping(&mut self) -> Result<()> {
        Ok(self.conn.query_row("SELECT 1", [], |_| Ok(()))?)
    }

    async fn user_id(&mut self, name: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row("SELECT id FROM users WHERE name = ?1", params![name], |r| r.get(0))
            .optional()?)
    }

    async fn insert_user(&mut self, name: &str, now_ms: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "INSERT INTO users (name, created_ms) VALUES (?1, ?2) ON CONFLICT (name) DO NOTHING RETURNING id",
                params![name, now_ms],
                |r| r.get(0),
            )
            .optional()?)
    }

    async fn insert_enrolment(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        created_ms: i64,
        expires_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO enrolments (token_hash, user_id, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4)",
            params![token_hash, user_id, created_ms, expires_ms],
        )?;
        Ok(())
    }

    async fn open_enrolment(&mut self, user: &str, token_hash: &[u8], now_ms: i64) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT e.user_id FROM enrolments e JOIN users u ON u.id = e.user_id \
                 WHERE u.name = ?1 AND e.token_hash = ?2 AND e.used_ms IS NULL AND e.expires_ms > ?3 \
                 AND u.revoked_ms IS NULL",
            )?
            .query_row(params![user, token_hash, now_ms], |r| r.get(0))
            .optional()?)
    }

    async fn mark_enrolment_used(&mut self, token_hash: &[u8], now_ms: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE enrolments SET used_ms = ?1 WHERE token_hash = ?2",
            params![now_ms, token_hash],
        )?;
        Ok(())
    }

    async fn insert_device_if_absent(
        &mut self,
        device: DeviceId,
        user_id: i64,
        name: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO devices (device_id, user_id, name, registered_ms) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (device_id) DO NOTHING",
            params![&device.as_bytes()[..], user_id, name, now_ms],
        )?;
        Ok(())
    }

    async fn device_owner(&mut self, device: DeviceId) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT user_id FROM devices WHERE device_id = ?1",
                params![&device.as_bytes()[..]],
                |r| r.get(0),
            )
            .optional()?)
    }

    async fn devices_of(&mut self, user_id: i64) -> Result<Vec<DeviceInfo>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_id, name, registered_ms, revoked_ms FROM devices WHERE user_id = ?1 ORDER BY registered_ms",
        )?;
        let rows = stmt.query_map(params![user_id], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, name, registered_ms, revoked_ms) = row?;
            out.push(DeviceInfo { device_id: device_of(&device)?, name, registered_ms, revoked_ms });
        }
        Ok(out)
    }

    async fn insert_session(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        device: DeviceId,
        now_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO sessions (token_hash, user_id, device_id, created_ms, last_used_ms) VALUES (?1, ?2, ?3, ?4, ?4)",
            params![token_hash, user_id, &device.as_bytes()[..], now_ms],
        )?;
        Ok(())
    }

    async fn session(&mut self, token_hash: &[u8]) -> Result<Option<SessionRow>> {
        type Row = (i64, i64, String, Vec<u8>, i64, i64, bool);
        let row: Option<Row> = self
            .conn
            .prepare_cached(
                "SELECT s.id, s.user_id, u.name, s.device_id, s.created_ms, s.last_used_ms, \
                 (s.revoked_ms IS NOT NULL OR u.revoked_ms IS NOT NULL OR d.revoked_ms IS NOT NULL) \
                 FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN devices d ON d.device_id = s.device_id \
                 WHERE s.token_hash = ?1",
            )?
            .query_row(params![token_hash], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?))
            })
            .optional()?;
        row.map(|(id, user_id, user, device, created_ms, last_used_ms, ended)| {
            Ok(SessionRow { id, user_id, user, device: device_of(&device)?, created_ms, last_used_ms, ended })
        })
        .transpose()
    }

    async fn touch_session(&mut self, token_hash: &[u8], now_ms: i64, stale_before_ms: i64) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE sessions SET last_used_ms = ?1 WHERE token_hash = ?2 AND last_used_ms < ?3",
            )?
            .execute(params![now_ms, token_hash, stale_before_ms])?;
        Ok(())
    }

    async fn insert_incident_if_absent(
        &mut self,
        incident: IncidentId,
        created_by: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let inserted = self.conn.execute(
            "INSERT INTO incidents (incident_id, created_by, created_ms) VALUES (?1, ?2, ?3) \
             ON CONFLICT (incident_id) DO NOTHING",
            params![&incident.as_bytes()[..], created_by, now_ms],
        )?;
        Ok(inserted > 0)
    }

    async fn lock_incident(&mut self, _incident: IncidentId) -> Result<()> {
        // `BEGIN IMMEDIATE` holds the database's write lock already.
        Ok(())
    }

    async fn incidents_of(&mut self, user_id: i64) -> Result<Vec<MyIncident>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.incident_id, m.role, i.last_rank FROM memberships m JOIN incidents i ON i.incident_id = m.incident_id \
             WHERE m.user_id = ?1 AND m.removed_ms IS NULL ORDER BY m.incident_id",
        )?;
        let rows = stmt.query_map(params![user_id], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, role, rank) = row?;
            out.push(MyIncident {
                id: incident_of(&id)?,
                role: role_of(&role)?,
                last_rank: u64_of(rank),
                revoked_devices: Vec::new(),
            });
        }
        Ok(out)
    }

    async fn role(&mut self, incident: IncidentId, user_id: i64) -> Result<Option<Role>> {
        let role: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT role FROM memberships WHERE incident_id = ?1 AND user_id = ?2 AND removed_ms IS NULL",
            )?
            .query_row(params![&incident.as_bytes()[..], user_id], |r| r.get(0))
            .optional()?;
        role.as_deref().map(role_of).transpose()
    }

    async fn commander_count(&mut self, incident: IncidentId) -> Result<u64> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM memberships WHERE incident_id = ?1 AND role = 'commander' AND removed_ms IS NULL",
            params![&incident.as_bytes()[..]],
            |r| r.get(0),
        )?;
        Ok(u64_of(n))
    }

    async fn members(&mut self, incident: IncidentId) -> Result<Vec<Member>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.name, m.role, a.name, m.added_ms FROM memberships m JOIN users u ON u.id = m.user_id \
             JOIN users a ON a.id = m.added_by WHERE m.incident_id = ?1 AND m.removed_ms IS NULL ORDER BY u.name",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, role, added_by, added_ms) = row?;
            out.push(Member { user, role: role_of(&role)?, added_by, added_ms });
        }
        Ok(out)
    }

    async fn add_membership(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        role: Role,
        added_by: i64,
        now_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (incident_id, user_id) DO UPDATE SET role = excluded.role, removed_ms = NULL, \
             added_by = excluded.added_by, added_ms = excluded.added_ms",
            params![&incident.as_bytes()[..], user_id, role.as_str(), added_by, now_ms],
        )?;
        Ok(())
    }

    async fn set_role(&mut self, incident: IncidentId, user_id: i64, role: Role) -> Result<()> {
        self.conn.execute(
            "UPDATE memberships SET role = ?3 WHERE incident_id = ?1 AND user_id = ?2 AND removed_ms IS NULL",
            params![&incident.as_bytes()[..], user_id, role.as_str()],
        )?;
        Ok(())
    }

    async fn end_membership(&mut self, incident: IncidentId, user_id: i64, now_ms: i64) -> Result<()> {
        self.conn.execute(
            "UPDATE memberships SET removed_ms = ?1 WHERE incident_id = ?2 AND user_id = ?3",
            params![now_ms, &incident.as_bytes()[..], user_id],
        )?;
        Ok(())
    }

    async fn last_rank(&mut self, incident: IncidentId) -> Result<u64> {
        let rank: i64 = self
            .conn
            .prepare_cached("SELECT last_rank FROM incidents WHERE incident_id = ?1")?
            .query_row(params![&incident.as_bytes()[..]], |r| r.get(0))?;
        Ok(u64_of(rank))
    }

    async fn reserve_ranks(&mut self, incident: IncidentId, n: u64) -> Result<u64> {
        let last: i64 = self.conn.query_row(
            "UPDATE incidents SET last_rank = last_rank + ?2 WHERE incident_id = ?1 RETURNING last_rank",
            params![&incident.as_bytes()[..], i64_of(n)],
            |r| r.get(0),
        )?;
        Ok(u64_of(last))
    }

    async fn stored_hashes(
        &mut self,
        incident: IncidentId,
        positions: &[(DeviceId, u64)],
    ) -> Result<Vec<((DeviceId, u64), Hash32)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT hash FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3",
        )?;
        let mut out = Vec::new();
        for &(device, seq) in positions {
            let hash: Option<Vec<u8>> = stmt
                .query_row(params![&incident.as_bytes()[..], &device.as_bytes()[..], i64_of(seq)], |r| {
                    r.get(0)
                })
                .optional()?;
            if let Some(hash) = hash {
                out.push(((device, seq), hash_of(&hash)?));
            }
        }
        Ok(out)
    }

    async fn member_devices(&mut self, incident: IncidentId, devices: &[DeviceId]) -> Result<Vec<DeviceId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM devices d JOIN memberships m ON m.user_id = d.user_id \
             WHERE d.device_id = ?1 AND m.incident_id = ?2 LIMIT 1",
        )?;
        let mut out = Vec::new();
        for &device in devices {
            if stmt
                .query_row(params![&device.as_bytes()[..], &incident.as_bytes()[..]], |_| Ok(()))
                .optional()?
                .is_some()
            {
                out.push(device);
            }
        }
        Ok(out)
    }

    async fn heads_of(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> Result<Vec<(DeviceId, Head)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, hash, hlc_wall_ms, hlc_counter FROM stream_heads WHERE incident_id = ?1 AND device_id = ?2",
        )?;
        let mut out = Vec::new();
        for &device in devices {
            let row: Option<(i64, Vec<u8>, i64, i64)> = stmt
                .query_row(params![&incident.as_bytes()[..], &device.as_bytes()[..]], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
                })
                .optional()?;
            if let Some((seq, hash, wall_ms, counter)) = row {
                out.push((device, head_of(seq, &hash, wall_ms, counter)?));
            }
        }
        Ok(out)
    }

    async fn stream_heads(&mut self, incident: IncidentId) -> Result<Vec<StreamHead>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT device_id, seq, hash FROM stream_heads WHERE incident_id = ?1 ORDER BY device_id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, i64>(1)?, r.get::<_, Vec<u8>>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, seq, hash) = row?;
            out.push(StreamHead { device: device_of(&device)?, seq: u64_of(seq), hash: hash_of(&hash)? });
        }
        Ok(out)
    }

    async fn upsert_head(&mut self, incident: IncidentId, device: DeviceId, head: Head) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (incident_id, device_id) DO UPDATE SET \
                 seq = excluded.seq, hash = excluded.hash, hlc_wall_ms = excluded.hlc_wall_ms, \
                 hlc_counter = excluded.hlc_counter",
            )?
            .execute(params![
                &incident.as_bytes()[..],
                &device.as_bytes()[..],
                i64_of(head.seq),
                &head.hash.as_bytes()[..],
                i64_of(head.hlc.wall_ms),
                i64::from(head.hlc.counter),
            ])?;
        Ok(())
    }

    async fn insert_entry(&mut self, row: NewEntry<'_>) -> Result<Inserted> {
        let e = row.entry;
        let inserted = self
            .conn
            .prepare_cached(
                "INSERT INTO entries (incident_id, device_id, seq, rank, id, hash, hlc_wall_ms, hlc_counter, entry_json, \
                 received_ms, pushed_by, clock_skew_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?
            .execute(params![
                &row.incident.as_bytes()[..],
                &e.device_id().as_bytes()[..],
                i64_of(e.seq()),
                i64_of(row.rank),
                &e.id().as_bytes()[..],
                &e.hash().as_bytes()[..],
                i64_of(e.hlc().wall_ms),
                i64::from(e.hlc().counter),
                row.entry_json,
                row.received_ms,
                row.pushed_by,
                row.clock_skew_ms,
            ]);
        match inserted {
            Ok(_) => Ok(Inserted::Stored),
            Err(rusqlite::Error::SqliteFailure(f, _))
                if f.code == rusqlite::ErrorCode::ConstraintViolation =>
            {
                Ok(Inserted::KeyTaken)
            }
            Err(other) => Err(other.into()),
        }
    }

    async fn entries_after(
        &mut self,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> Result<Vec<RawPulled>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT rank, clock_skew_ms, entry_json FROM entries WHERE incident_id = ?1 AND rank > ?2 ORDER BY rank LIMIT ?3",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..], i64_of(after), i64_of(limit)], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, Option<i64>>(1)?, r.get::<_, String>(2)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (rank, skew, entry_json) = row?;
            out.push(RawPulled {
                rank: u64_of(rank),
                flags: skew.map(|s| EntryFlags { clock_skew_ms: Some(s) }),
                entry_json,
            });
        }
        Ok(out)
    }

    async fn quarantined_among(
        &mut self,
        incident: IncidentId,
        keys: &[(DeviceId, u64, Hash32)],
    ) -> Result<Vec<(DeviceId, u64, Hash32)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT 1 FROM quarantine WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3 AND hash = ?4",
        )?;
        let mut out = Vec::new();
        for &(device, seq, hash) in keys {
            let found = stmt
                .query_row(
                    params![
                        &incident.as_bytes()[..],
                        &device.as_bytes()[..],
                        i64_of(seq),
                        &hash.as_bytes()[..]
                    ],
                    |_| Ok(()),
                )
                .optional()?;
            if found.is_some() {
                out.push((device, seq, hash));
            }
        }
        Ok(out)
    }

    async fn quarantine_id(
        &mut self,
        incident: IncidentId,
        device: DeviceId,
        seq: u64,
        hash: Hash32,
    ) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id FROM quarantine WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3 AND hash = ?4",
            )?
            .query_row(
                params![&incident.as_bytes()[..], &device.as_bytes()[..], i64_of(seq), &hash.as_bytes()[..]],
                |r| r.get(0),
            )
            .optional()?)
    }

    async fn insert_quarantine(&mut self, row: NewQuarantine<'_>) -> Result<i64> {
        let e = row.entry;
        Ok(self
            .conn
            .prepare_cached(
                "INSERT INTO quarantine (incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json, \
                 pushed_by, received_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) RETURNING id",
            )?
            .query_row(
                params![
                    &e.incident_id().as_bytes()[..],
                    &e.device_id().as_bytes()[..],
                    i64_of(e.seq()),
                    &e.id().as_bytes()[..],
                    &e.hash().as_bytes()[..],
                    &row.existing.as_bytes()[..],
                    row.kind.as_str(),
                    row.entry_json,
                    row.pushed_by,
                    row.received_ms,
                ],
                |r| r.get(0),
            )?)
    }

    async fn alerts_after(&mut self, incident: IncidentId, after: u64) -> Result<Vec<StoredAlert>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT q.id, q.kind, q.device_id, q.seq, e.entry_json, q.entry_json, u.name, q.received_ms \
             FROM quarantine q JOIN users u ON u.id = q.pushed_by \
             LEFT JOIN entries e ON e.incident_id = q.incident_id AND e.device_id = q.device_id \
             AND e.hash = q.existing_hash \
             WHERE q.incident_id = ?1 AND q.id > ?2 ORDER BY q.id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..], i64_of(after)], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, String>(5)?,
                r.get::<_, String>(6)?,
                r.get::<_, i64>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, kind, device, seq, existing_json, quarantined_json, pushed_by, received_ms) = row?;
            out.push(StoredAlert {
                id,
                kind: alert_kind_of(&kind)?,
                device: device_of(&device)?,
                seq: u64_of(seq),
                existing_json,
                quarantined_json,
                pushed_by,
                received_ms,
            });
        }
        Ok(out)
    }
}
