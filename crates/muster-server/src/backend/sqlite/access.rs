//! `AccessData` in SQL for SQLite: sessions, revocation, membership history, the audit log.

use muster_core::{DeviceId, Hash32, IncidentId};
use muster_wire::{RevokedDevice, Role};
use rusqlite::{params, OptionalExtension};

use super::SqliteTx;
use crate::audit::AuditRow;
use crate::backend::{AccessData, MembershipAction, SessionEnd, SessionListRow};
use crate::codec::{device_of, hash_of, i64_of, incident_of, role_of, u64_of};
use crate::storage::{AdminDevice, AdminUser, MembershipEvent, Result};

impl AccessData for SqliteTx<'_> {
    async fn end_session(&mut self, id: i64, now_ms: i64, why: SessionEnd) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE sessions SET revoked_ms = ?1, ended_by = ?2 WHERE id = ?3 AND revoked_ms IS NULL",
            params![now_ms, why.as_str(), id],
        )?;
        Ok(n > 0)
    }

    async fn end_sessions_of_device(
        &mut self,
        device: DeviceId,
        now_ms: i64,
        why: SessionEnd,
    ) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE sessions SET revoked_ms = ?1, ended_by = ?2 WHERE device_id = ?3 AND revoked_ms IS NULL",
            params![now_ms, why.as_str(), &device.as_bytes()[..]],
        )?;
        Ok(n as u64)
    }

    async fn end_sessions_of_user(&mut self, user_id: i64, now_ms: i64, why: SessionEnd) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE sessions SET revoked_ms = ?1, ended_by = ?2 WHERE user_id = ?3 AND revoked_ms IS NULL",
            params![now_ms, why.as_str(), user_id],
        )?;
        Ok(n as u64)
    }

    async fn sessions_list(&mut self, user_id: Option<i64>) -> Result<Vec<SessionListRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, u.name, s.device_id, coalesce(d.name, ''), s.created_ms, s.last_used_ms, s.revoked_ms, \
             s.ended_by FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN devices d ON d.device_id = s.device_id \
             WHERE ?1 IS NULL OR s.user_id = ?1 ORDER BY s.id",
        )?;
        let rows = stmt.query_map(params![user_id], |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Vec<u8>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, i64>(4)?,
                r.get::<_, i64>(5)?,
                r.get::<_, Option<i64>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, user, device, device_name, created_ms, last_used_ms, revoked_ms, ended_by) = row?;
            out.push(SessionListRow {
                id,
                user,
                device: device_of(&device)?,
                device_name,
                created_ms,
                last_used_ms,
                revoked_ms,
                ended_by,
            });
        }
        Ok(out)
    }

    async fn users_list(&mut self) -> Result<Vec<AdminUser>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.name, u.created_ms, u.revoked_ms, (SELECT count(*) FROM devices d WHERE d.user_id = u.id) \
             FROM users u ORDER BY u.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(AdminUser {
                name: r.get(0)?,
                created_ms: r.get(1)?,
                revoked_ms: r.get(2)?,
                devices: u64_of(r.get(3)?),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    async fn user_revoked_ms(&mut self, user_id: i64) -> Result<Option<Option<i64>>> {
        Ok(self
            .conn
            .query_row("SELECT revoked_ms FROM users WHERE id = ?1", params![user_id], |r| r.get(0))
            .optional()?)
    }

    async fn revoke_user(&mut self, user_id: i64, now_ms: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE users SET revoked_ms = ?1 WHERE id = ?2 AND revoked_ms IS NULL",
            params![now_ms, user_id],
        )?;
        Ok(n > 0)
    }

    async fn devices_list(&mut self, user_id: Option<i64>) -> Result<Vec<AdminDevice>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.device_id, u.name, d.name, d.registered_ms, d.revoked_ms FROM devices d \
             JOIN users u ON u.id = d.user_id WHERE ?1 IS NULL OR d.user_id = ?1 ORDER BY d.registered_ms, d.rowid",
        )?;
        let rows = stmt.query_map(params![user_id], |r| {
            Ok((
                r.get::<_, Vec<u8>>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, String>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, Option<i64>>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, user, name, registered_ms, revoked_ms) = row?;
            out.push(AdminDevice { device: device_of(&device)?, user, name, registered_ms, revoked_ms });
        }
        Ok(out)
    }

    async fn revoke_device(&mut self, device: DeviceId, now_ms: i64) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_ms = ?1 WHERE device_id = ?2 AND revoked_ms IS NULL",
            params![now_ms, &device.as_bytes()[..]],
        )?;
        Ok(n > 0)
    }

    async fn revoke_devices_of_user(&mut self, user_id: i64, now_ms: i64) -> Result<u64> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_ms = ?1 WHERE user_id = ?2 AND revoked_ms IS NULL",
            params![now_ms, user_id],
        )?;
        Ok(n as u64)
    }

    async fn device_persons(&mut self, devices: &[DeviceId]) -> Result<Vec<(DeviceId, String, i64)>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT name, registered_ms FROM devices WHERE device_id = ?1")?;
        let mut out = Vec::new();
        for &device in devices {
            let row: Option<(String, i64)> =
                stmt.query_row(params![&device.as_bytes()[..]], |r| Ok((r.get(0)?, r.get(1)?))).optional()?;
            if let Some((name, at)) = row {
                out.push((device, name, at));
            }
        }
        Ok(out)
    }

    async fn device_revocations(&mut self, devices: &[DeviceId]) -> Result<Vec<(DeviceId, i64)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT revoked_ms FROM devices WHERE device_id = ?1 AND revoked_ms IS NOT NULL",
        )?;
        let mut out = Vec::new();
        for &device in devices {
            let at: Option<i64> = stmt.query_row(params![&device.as_bytes()[..]], |r| r.get(0)).optional()?;
            if let Some(at) = at {
                out.push((device, at));
            }
        }
        Ok(out)
    }

    async fn revoked_devices_of_incident(&mut self, incident: IncidentId) -> Result<Vec<RevokedDevice>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT d.device_id, u.name, d.name, d.revoked_ms FROM devices d JOIN users u ON u.id = d.user_id \
             WHERE d.revoked_ms IS NOT NULL \
             AND EXISTS (SELECT 1 FROM memberships m WHERE m.incident_id = ?1 AND m.user_id = d.user_id) \
             ORDER BY d.revoked_ms, d.device_id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, String>(1)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (device, user, name, revoked_ms) = row?;
            out.push(RevokedDevice { device_id: device_of(&device)?, user, name, revoked_ms });
        }
        Ok(out)
    }

    async fn insert_membership_event(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        action: MembershipAction,
        role: Option<Role>,
        by_user: Option<i64>,
        at_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                &incident.as_bytes()[..],
                user_id,
                action.as_str(),
                role.map(|r| r.as_str()),
                by_user,
                at_ms
            ],
        )?;
        Ok(())
    }

    async fn membership_history(&mut self, incident: IncidentId) -> Result<Vec<MembershipEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT u.name, e.action, e.role, b.name, e.at_ms FROM membership_events e \
             JOIN users u ON u.id = e.user_id LEFT JOIN users b ON b.id = e.by_user \
             WHERE e.incident_id = ?1 ORDER BY e.at_ms, e.id",
        )?;
        let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, Option<String>>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (user, action, role, by, at_ms) = row?;
            out.push(MembershipEvent {
                user,
                action,
                role: role.as_deref().map(role_of).transpose()?,
                by,
                at_ms,
            });
        }
        Ok(out)
    }

    async fn membership_events_of_devices(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> Result<Vec<(DeviceId, i64, bool)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT e.at_ms, e.action <> 'removed' FROM membership_events e JOIN devices d ON d.user_id = e.user_id \
             WHERE d.device_id = ?1 AND e.incident_id = ?2 ORDER BY e.at_ms, e.id",
        )?;
        let mut out = Vec::new();
        for &device in devices {
            let rows = stmt.query_map(params![&device.as_bytes()[..], &incident.as_bytes()[..]], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, bool>(1)?))
            })?;
            for row in rows {
                let (at_ms, member) = row?;
                out.push((device, at_ms, member));
            }
        }
        Ok(out)
    }

    async fn lock_audit_head(&mut self) -> Result<(u64, Hash32)> {
        // `BEGIN IMMEDIATE` holds the database's write lock already.
        self.audit_head().await
    }

    async fn audit_head(&mut self) -> Result<(u64, Hash32)> {
        let (seq, hash): (i64, Vec<u8>) =
            self.conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })?;
        Ok((u64_of(seq), hash_of(&hash)?))
    }

    async fn insert_audit(&mut self, row: &AuditRow) -> Result<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO audit_log (seq, at_ms, actor, device_id, incident_id, action, source, detail, prev_hash, hash) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                i64_of(row.seq),
                row.at_ms,
                row.actor,
                row.device.map(|d| d.as_bytes().to_vec()),
                row.incident.map(|i| i.as_bytes().to_vec()),
                row.action,
                row.source,
                row.detail,
                &row.prev_hash.as_bytes()[..],
                &row.hash.as_bytes()[..],
            ])?;
        Ok(())
    }

    async fn set_audit_head(&mut self, seq: u64, hash: Hash32) -> Result<()> {
        self.conn
            .prepare_cached("UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1")?
            .execute(params![i64_of(seq), &hash.as_bytes()[..]])?;
        Ok(())
    }

    async fn audit_rows(&mut self, after: u64, limit: u64) -> Result<Vec<AuditRow>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT seq, at_ms, actor, device_id, incident_id, action, source, detail, prev_hash, hash \
             FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2",
        )?;
        type Row =
            (i64, i64, String, Option<Vec<u8>>, Option<Vec<u8>>, String, String, String, Vec<u8>, Vec<u8>);
        let rows = stmt.query_map(params![i64_of(after), i64_of(limit)], |r| {
            Ok::<Row, rusqlite::Error>((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
                r.get(6)?,
                r.get(7)?,
                r.get(8)?,
                r.get(9)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, at_ms, actor, device, incident, action, source, detail, prev_hash, hash) = row?;
            out.push(AuditRow {
                seq: u64_of(seq),
                at_ms,
                actor,
                device: device.as_deref().map(device_of).transpose()?,
                incident: incident.as_deref().map(incident_of).transpose()?,
                action,
                source,
                detail,
                prev_hash: hash_of(&prev_hash)?,
                hash: hash_of(&hash)?,
            });
        }
        Ok(out)
    }
}
