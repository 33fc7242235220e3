//! The data operations of who may and who did ("Trust nobody" 3 and 8): ending and listing
//! sessions, revoking devices and users, the history of memberships, and the append-only audit
//! log. Like `Data`, each is one SQL statement, implemented by `sqlite/access.rs` and
//! `postgres/access.rs`; the rules over them are in `crate::procedures`.

use std::future::Future;

use muster_core::{DeviceId, Hash32, IncidentId};
use muster_wire::{RevokedDevice, Role};

use crate::audit::AuditRow;
use crate::storage::{AdminDevice, AdminUser, MembershipEvent, Result};

/// What ended a session (stored in `sessions.ended_by`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SessionEnd {
    /// Unused for longer than the idle limit (HIPAA automatic logoff).
    Idle,
    /// Older than the absolute limit.
    Lifetime,
    /// Revoked by itself (`muster server session revoke`).
    Session,
    /// Its device was revoked.
    Device,
    /// Its user was revoked.
    User,
}

impl SessionEnd {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            SessionEnd::Idle => "idle",
            SessionEnd::Lifetime => "lifetime",
            SessionEnd::Session => "session",
            SessionEnd::Device => "device",
            SessionEnd::User => "user",
        }
    }
}

/// A grant, role change or removal of a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MembershipAction {
    Granted,
    RoleChanged,
    Removed,
}

impl MembershipAction {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            MembershipAction::Granted => "granted",
            MembershipAction::RoleChanged => "role_changed",
            MembershipAction::Removed => "removed",
        }
    }
}

/// A session as `muster server session list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionListRow {
    pub id: i64,
    pub user: String,
    pub device: DeviceId,
    pub device_name: String,
    pub created_ms: i64,
    pub last_used_ms: i64,
    pub revoked_ms: Option<i64>,
    pub ended_by: Option<String>,
}

pub(crate) trait AccessData: Send {
    // Sessions.
    /// Ends the session (if not ended already) at `now_ms`; whether it was open.
    fn end_session(
        &mut self,
        id: i64,
        now_ms: i64,
        why: SessionEnd,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Ends every open session of the device; how many.
    fn end_sessions_of_device(
        &mut self,
        device: DeviceId,
        now_ms: i64,
        why: SessionEnd,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Ends every open session of the user; how many.
    fn end_sessions_of_user(
        &mut self,
        user_id: i64,
        now_ms: i64,
        why: SessionEnd,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// Sessions, by id; of one user, or of everyone.
    fn sessions_list(
        &mut self,
        user_id: Option<i64>,
    ) -> impl Future<Output = Result<Vec<SessionListRow>>> + Send;

    // Users and devices.
    /// Every user, by name (byte order), with counts of devices.
    fn users_list(&mut self) -> impl Future<Output = Result<Vec<AdminUser>>> + Send;
    /// The user's revocation instant, if revoked (`None` outside: the user does not exist).
    fn user_revoked_ms(&mut self, user_id: i64) -> impl Future<Output = Result<Option<Option<i64>>>> + Send;
    /// Marks the user revoked at `now_ms`, unless they are already.
    fn revoke_user(&mut self, user_id: i64, now_ms: i64) -> impl Future<Output = Result<bool>> + Send;
    /// Devices in registration order; of one user, or of everyone.
    fn devices_list(&mut self, user_id: Option<i64>)
        -> impl Future<Output = Result<Vec<AdminDevice>>> + Send;
    /// Marks the device revoked at `now_ms`, unless it is already; whether it was not.
    fn revoke_device(&mut self, device: DeviceId, now_ms: i64) -> impl Future<Output = Result<bool>> + Send;
    /// Marks every unrevoked device of the user revoked at `now_ms`; how many.
    fn revoke_devices_of_user(
        &mut self,
        user_id: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<u64>> + Send;
    /// The person each of `devices` was registered for (its name at login) and when.
    fn device_persons(
        &mut self,
        devices: &[DeviceId],
    ) -> impl Future<Output = Result<Vec<(DeviceId, String, i64)>>> + Send;
    /// The revocation instants of those of `devices` that are revoked.
    fn device_revocations(
        &mut self,
        devices: &[DeviceId],
    ) -> impl Future<Output = Result<Vec<(DeviceId, i64)>>> + Send;
    /// The revoked devices of everyone who is or was a member of the incident, by revocation.
    fn revoked_devices_of_incident(
        &mut self,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<RevokedDevice>>> + Send;

    // Membership history.
    fn insert_membership_event(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        action: MembershipAction,
        role: Option<Role>,
        by_user: Option<i64>,
        at_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Every membership event of the incident, in order.
    fn membership_history(
        &mut self,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<MembershipEvent>>> + Send;
    /// The membership events of the owners of `devices` in the incident, as (device, at_ms,
    /// whether the owner is a member from then on), in order of time.
    fn membership_events_of_devices(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> impl Future<Output = Result<Vec<(DeviceId, i64, bool)>>> + Send;

    // The audit log.
    /// The last seq and hash, locked until the end of the transaction (appends are serial).
    fn lock_audit_head(&mut self) -> impl Future<Output = Result<(u64, Hash32)>> + Send;
    /// The last seq and hash, as a read.
    fn audit_head(&mut self) -> impl Future<Output = Result<(u64, Hash32)>> + Send;
    fn insert_audit(&mut self, row: &AuditRow) -> impl Future<Output = Result<()>> + Send;
    fn set_audit_head(&mut self, seq: u64, hash: Hash32) -> impl Future<Output = Result<()>> + Send;
    /// At most `limit` rows with `seq > after`, by seq.
    fn audit_rows(&mut self, after: u64, limit: u64) -> impl Future<Output = Result<Vec<AuditRow>>> + Send;
}
