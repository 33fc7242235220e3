//! `AccessData` in SQL for PostgreSQL: sessions, revocation, membership history, the audit log.
//! Audit appends serialise on `audit_head`'s row lock (`lock_audit_head`), taken last in a
//! transaction so that it is held only until the commit.

use muster_core::{DeviceId, Hash32, IncidentId};
use muster_wire::{RevokedDevice, Role};

use super::PgTx;
use crate::audit::AuditRow;
use crate::backend::{AccessData, MembershipAction, SessionEnd, SessionListRow};
use crate::codec::{device_of, hash_of, i64_of, incident_of, role_of, u64_of};
use crate::storage::{AdminDevice, AdminUser, MembershipEvent, Result};

fn bytes(devices: &[DeviceId]) -> Vec<Vec<u8>> {
    devices.iter().map(|d| d.as_bytes().to_vec()).collect()
}

impl AccessData for PgTx {
    async fn end_session(&mut self, id: i64, now_ms: i64, why: SessionEnd) -> Result<bool> {
        let n = self
            .execute(
                "UPDATE sessions SET revoked_ms = $1, ended_by = $2 WHERE id = $3 AND revoked_ms IS NULL",
                &[&now_ms, &why.as_str(), &id],
            )
            .await?;
        Ok(n > 0)
    }

    async fn end_sessions_of_device(
        &mut self,
        device: DeviceId,
        now_ms: i64,
        why: SessionEnd,
    ) -> Result<u64> {
        self.execute(
            "UPDATE sessions SET revoked_ms = $1, ended_by = $2 WHERE device_id = $3 AND revoked_ms IS NULL",
            &[&now_ms, &why.as_str(), &&device.as_bytes()[..]],
        )
        .await
    }

    async fn end_sessions_of_user(&mut self, user_id: i64, now_ms: i64, why: SessionEnd) -> Result<u64> {
        self.execute(
            "UPDATE sessions SET revoked_ms = $1, ended_by = $2 WHERE user_id = $3 AND revoked_ms IS NULL",
            &[&now_ms, &why.as_str(), &user_id],
        )
        .await
    }

    async fn sessions_list(&mut self, user_id: Option<i64>) -> Result<Vec<SessionListRow>> {
        self.query(
            "SELECT s.id, u.name, s.device_id, coalesce(d.name, ''), s.created_ms, s.last_used_ms, s.revoked_ms, \
             s.ended_by FROM sessions s JOIN users u ON u.id = s.user_id \
             LEFT JOIN devices d ON d.device_id = s.device_id \
             WHERE $1::int8 IS NULL OR s.user_id = $1 ORDER BY s.id",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(SessionListRow {
                id: r.get(0),
                user: r.get(1),
                device: device_of(r.get(2))?,
                device_name: r.get(3),
                created_ms: r.get(4),
                last_used_ms: r.get(5),
                revoked_ms: r.get(6),
                ended_by: r.get(7),
            })
        })
        .collect()
    }

    async fn users_list(&mut self) -> Result<Vec<AdminUser>> {
        Ok(self
            .query(
                "SELECT u.name, u.created_ms, u.revoked_ms, (SELECT count(*) FROM devices d WHERE d.user_id = u.id) \
                 FROM users u ORDER BY u.name COLLATE \"C\"",
                &[],
            )
            .await?
            .iter()
            .map(|r| AdminUser {
                name: r.get(0),
                created_ms: r.get(1),
                revoked_ms: r.get(2),
                devices: u64_of(r.get(3)),
            })
            .collect())
    }

    async fn user_revoked_ms(&mut self, user_id: i64) -> Result<Option<Option<i64>>> {
        let row = self.query_opt("SELECT revoked_ms FROM users WHERE id = $1", &[&user_id]).await?;
        Ok(row.map(|r| r.get(0)))
    }

    async fn revoke_user(&mut self, user_id: i64, now_ms: i64) -> Result<bool> {
        let n = self
            .execute(
                "UPDATE users SET revoked_ms = $1 WHERE id = $2 AND revoked_ms IS NULL",
                &[&now_ms, &user_id],
            )
            .await?;
        Ok(n > 0)
    }

    async fn devices_list(&mut self, user_id: Option<i64>) -> Result<Vec<AdminDevice>> {
        self.query(
            "SELECT d.device_id, u.name, d.name, d.registered_ms, d.revoked_ms FROM devices d \
             JOIN users u ON u.id = d.user_id WHERE $1::int8 IS NULL OR d.user_id = $1 ORDER BY d.registered_ms, d.ord",
            &[&user_id],
        )
        .await?
        .iter()
        .map(|r| {
            Ok(AdminDevice {
                device: device_of(r.get(0))?,
                user: r.get(1),
                name: r.get(2),
                registered_ms: r.get(3),
                revoked_ms: r.get(4),
            })
        })
        .collect()
    }

    async fn revoke_device(&mut self, device: DeviceId, now_ms: i64) -> Result<bool> {
        let n = self
            .execute(
                "UPDATE devices SET revoked_ms = $1 WHERE device_id = $2 AND revoked_ms IS NULL",
                &[&now_ms, &&device.as_bytes()[..]],
            )
            .await?;
        Ok(n > 0)
    }

    async fn revoke_devices_of_user(&mut self, user_id: i64, now_ms: i64) -> Result<u64> {
        self.execute(
            "UPDATE devices SET revoked_ms = $1 WHERE user_id = $2 AND revoked_ms IS NULL",
            &[&now_ms, &user_id],
        )
        .await
    }

    async fn device_persons(&mut self, devices: &[DeviceId]) -> Result<Vec<(DeviceId, String, i64)>> {
        self.query(
            "SELECT device_id, name, registered_ms FROM devices WHERE device_id = ANY ($1)",
            &[&bytes(devices)],
        )
        .await?
        .iter()
        .map(|r| Ok((device_of(r.get(0))?, r.get(1), r.get(2))))
        .collect()
    }

    async fn device_revocations(&mut self, devices: &[DeviceId]) -> Result<Vec<(DeviceId, i64)>> {
        self.query(
            "SELECT device_id, revoked_ms FROM devices WHERE device_id = ANY ($1) AND revoked_ms IS NOT NULL",
            &[&bytes(devices)],
        )
        .await?
        .iter()
        .map(|r| Ok((device_of(r.get(0))?, r.get(1))))
        .collect()
    }

    async fn revoked_devices_of_incident(&mut self, incident: IncidentId) -> Result<Vec<RevokedDevice>> {
        self.query(
            "SELECT d.device_id, u.name, d.name, d.revoked_ms FROM devices d JOIN users u ON u.id = d.user_id \
             WHERE d.revoked_ms IS NOT NULL \
             AND EXISTS (SELECT 1 FROM memberships m WHERE m.incident_id = $1 AND m.user_id = d.user_id) \
             ORDER BY d.revoked_ms, d.device_id",
            &[&&incident.as_bytes()[..]],
        )
        .await?
        .iter()
        .map(|r| Ok(RevokedDevice { device_id: device_of(r.get(0))?, user: r.get(1), name: r.get(2), revoked_ms: r.get(3) }))
        .collect()
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
        self.execute(
            "INSERT INTO membership_events (incident_id, user_id, action, role, by_user, at_ms) \
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &&incident.as_bytes()[..],
                &user_id,
                &action.as_str(),
                &role.map(|r| r.as_str()),
                &by_user,
                &at_ms,
            ],
        )
        .await?;
        Ok(())
    }

    async fn membership_history(&mut self, incident: IncidentId) -> Result<Vec<MembershipEvent>> {
        self.query(
            "SELECT u.name, e.action, e.role, b.name, e.at_ms FROM membership_events e \
             JOIN users u ON u.id = e.user_id LEFT JOIN users b ON b.id = e.by_user \
             WHERE e.incident_id = $1 ORDER BY e.at_ms, e.id",
            &[&&incident.as_bytes()[..]],
        )
        .await?
        .iter()
        .map(|r| {
            let role: Option<&str> = r.get(2);
            Ok(MembershipEvent {
                user: r.get(0),
                action: r.get(1),
                role: role.map(role_of).transpose()?,
                by: r.get(3),
                at_ms: r.get(4),
            })
        })
        .collect()
    }

    async fn membership_events_of_devices(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> Result<Vec<(DeviceId, i64, bool)>> {
        self.query(
            "SELECT d.device_id, e.at_ms, e.action <> 'removed' FROM membership_events e \
             JOIN devices d ON d.user_id = e.user_id \
             WHERE d.device_id = ANY ($2) AND e.incident_id = $1 ORDER BY e.at_ms, e.id",
            &[&&incident.as_bytes()[..], &bytes(devices)],
        )
        .await?
        .iter()
        .map(|r| Ok((device_of(r.get(0))?, r.get(1), r.get(2))))
        .collect()
    }

    async fn lock_audit_head(&mut self) -> Result<(u64, Hash32)> {
        let row = self.query_one("SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE", &[]).await?;
        Ok((u64_of(row.get(0)), hash_of(row.get(1))?))
    }

    async fn audit_head(&mut self) -> Result<(u64, Hash32)> {
        let row = self.query_one("SELECT seq, hash FROM audit_head WHERE id = 1", &[]).await?;
        Ok((u64_of(row.get(0)), hash_of(row.get(1))?))
    }

    async fn insert_audit(&mut self, row: &AuditRow) -> Result<()> {
        self.execute(
            "INSERT INTO audit_log (seq, at_ms, actor, device_id, incident_id, action, source, detail, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            &[
                &i64_of(row.seq),
                &row.at_ms,
                &row.actor,
                &row.device.map(|d| d.as_bytes().to_vec()),
                &row.incident.map(|i| i.as_bytes().to_vec()),
                &row.action,
                &row.source,
                &row.detail,
                &&row.prev_hash.as_bytes()[..],
                &&row.hash.as_bytes()[..],
            ],
        )
        .await?;
        Ok(())
    }

    async fn set_audit_head(&mut self, seq: u64, hash: Hash32) -> Result<()> {
        self.execute(
            "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1",
            &[&i64_of(seq), &&hash.as_bytes()[..]],
        )
        .await?;
        Ok(())
    }

    async fn audit_rows(&mut self, after: u64, limit: u64) -> Result<Vec<AuditRow>> {
        self.query(
            "SELECT seq, at_ms, actor, device_id, incident_id, action, source, detail, prev_hash, hash \
             FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2",
            &[&i64_of(after), &i64_of(limit)],
        )
        .await?
        .iter()
        .map(|r| {
            let device: Option<&[u8]> = r.get(3);
            let incident: Option<&[u8]> = r.get(4);
            Ok(AuditRow {
                seq: u64_of(r.get(0)),
                at_ms: r.get(1),
                actor: r.get(2),
                device: device.map(device_of).transpose()?,
                incident: incident.map(incident_of).transpose()?,
                action: r.get(5),
                source: r.get(6),
                detail: r.get(7),
                prev_hash: hash_of(r.get(8))?,
                hash: hash_of(r.get(9))?,
            })
        })
        .collect()
    }
}
