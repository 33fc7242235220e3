//! Administration on the database (`muster server user|device|session ...`; no HTTP route):
//! listing and revoking users, devices and sessions ("Trust nobody" 3, docs/decisions/0024).
//! A revocation takes effect from now: sessions end at once, a revoked device cannot log in
//! again, and the push plan holds entries a revoked device signs with a later clock. Each
//! revocation is a row of the audit log, in the same transaction.

use muster_core::DeviceId;
use serde_json::json;

use super::audit::{append, AuditEvent};
use crate::backend::{Access, Data, Procedure, SessionEnd};
use crate::error::ServerError;
use crate::storage::{AdminDevice, AdminSession, AdminUser, Result, Revoked, SessionPolicy};

async fn user_named<D: Data>(db: &mut D, name: &str) -> Result<i64> {
    db.user_id(name).await?.ok_or_else(|| ServerError::UnknownUser(name.to_owned()))
}

pub(crate) struct Users;

impl Procedure for Users {
    type Output = Vec<AdminUser>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<AdminUser>> {
        db.users_list().await
    }
}

/// Revokes a user: every device and session of theirs ends now, and no token is issued to or
/// redeemed by them again (their memberships stay, so the history reads as it happened).
pub(crate) struct RevokeUser {
    pub name: String,
    pub now_ms: i64,
}

impl Procedure for RevokeUser {
    type Output = Revoked;
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<Revoked> {
        let RevokeUser { name, now_ms } = self;
        let user_id = user_named(db, &name).await?;
        db.revoke_user(user_id, now_ms).await?;
        let devices = db.revoke_devices_of_user(user_id, now_ms).await?;
        let sessions = db.end_sessions_of_user(user_id, now_ms, SessionEnd::User).await?;
        let detail = json!({ "user": name, "devices": devices, "sessions": sessions });
        append(db, AuditEvent::admin("user.revoke", now_ms).with(detail)).await?;
        Ok(Revoked { devices, sessions })
    }
}

pub(crate) struct Devices {
    pub user: Option<String>,
}

impl Procedure for Devices {
    type Output = Vec<AdminDevice>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<AdminDevice>> {
        let user_id = match &self.user {
            Some(name) => Some(user_named(db, name).await?),
            None => None,
        };
        db.devices_list(user_id).await
    }
}

/// The one device whose id (64 hex digits) starts with `given` (case-insensitive).
fn find_device(all: &[AdminDevice], given: &str) -> Result<AdminDevice> {
    let wanted = given.trim().trim_start_matches('#').to_ascii_lowercase();
    if wanted.is_empty() || !wanted.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ServerError::UnknownDevice(given.to_owned()));
    }
    let mut found = all.iter().filter(|d| d.device.to_string().starts_with(&wanted));
    match (found.next(), found.next()) {
        (Some(one), None) => Ok(one.clone()),
        (Some(_), Some(_)) => Err(ServerError::AmbiguousDevice(given.to_owned())),
        (None, _) => Err(ServerError::UnknownDevice(given.to_owned())),
    }
}

/// Revokes a device (a lost laptop) from now on.
pub(crate) struct RevokeDevice {
    pub device: String,
    pub now_ms: i64,
}

impl Procedure for RevokeDevice {
    type Output = (AdminDevice, Revoked);
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<(AdminDevice, Revoked)> {
        let RevokeDevice { device, now_ms } = self;
        let mut found = find_device(&db.devices_list(None).await?, &device)?;
        let id: DeviceId = found.device;
        let newly = db.revoke_device(id, now_ms).await?;
        let sessions = db.end_sessions_of_device(id, now_ms, SessionEnd::Device).await?;
        if newly {
            found.revoked_ms = Some(now_ms);
        }
        let detail = json!({ "user": found.user, "sessions": sessions, "already_revoked": !newly });
        let mut event = AuditEvent::admin("device.revoke", now_ms).with(detail);
        event.device = Some(id);
        append(db, event).await?;
        Ok((found, Revoked { devices: u64::from(newly), sessions }))
    }
}

pub(crate) struct Sessions {
    pub user: Option<String>,
    pub now_ms: i64,
    pub policy: SessionPolicy,
}

impl Procedure for Sessions {
    type Output = Vec<AdminSession>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<AdminSession>> {
        let user_id = match &self.user {
            Some(name) => Some(user_named(db, name).await?),
            None => None,
        };
        Ok(db
            .sessions_list(user_id)
            .await?
            .into_iter()
            .map(|s| {
                let limit = self.policy.ends_ms(s.created_ms, s.last_used_ms);
                let (state, ends_ms) = match s.revoked_ms {
                    Some(at) => ("ended", at),
                    None if limit <= self.now_ms => ("expired", limit),
                    None => ("active", limit),
                };
                AdminSession {
                    id: s.id,
                    user: s.user,
                    device: s.device,
                    device_name: s.device_name,
                    created_ms: s.created_ms,
                    last_used_ms: s.last_used_ms,
                    state,
                    ends_ms,
                    ended_by: s.ended_by,
                }
            })
            .collect())
    }
}

pub(crate) struct RevokeSession {
    pub id: i64,
    pub now_ms: i64,
}

impl Procedure for RevokeSession {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        if !db.sessions_list(None).await?.iter().any(|s| s.id == self.id) {
            return Err(ServerError::UnknownSession(self.id));
        }
        let open = db.end_session(self.id, self.now_ms, SessionEnd::Session).await?;
        let detail = json!({ "session": self.id, "already_ended": !open });
        append(db, AuditEvent::admin("session.revoke", self.now_ms).with(detail)).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn device(first: u8) -> AdminDevice {
        AdminDevice {
            device: DeviceId([first; 32]),
            user: "alice".into(),
            name: "laptop".into(),
            registered_ms: 0,
            revoked_ms: None,
        }
    }

    #[test]
    fn a_device_is_named_by_a_unique_start_of_its_id() {
        let all = [device(0xab), device(0xac), device(0x12)];
        assert_eq!(find_device(&all, "ABAB").ok().map(|d| d.device), Some(DeviceId([0xab; 32])));
        assert_eq!(find_device(&all, "#12").ok().map(|d| d.device), Some(DeviceId([0x12; 32])));
        assert_eq!(find_device(&all, "a").map(|_| ()).map_err(|e| e.code()), Err("device.ambiguous"));
        assert_eq!(find_device(&all, "ff").map(|_| ()).map_err(|e| e.code()), Err("device.unknown"));
        assert_eq!(find_device(&all, "").map(|_| ()).map_err(|e| e.code()), Err("device.unknown"));
    }
}
