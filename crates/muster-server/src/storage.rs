//! The storage trait the HTTP layer is generic over, and the values it speaks in. It is
//! implemented once, for every backend, by `crate::procedures`; SQLite and PostgreSQL only
//! supply the data operations (`crate::backend`).
//!
//! Methods are written `fn ..(&self, ..) -> impl Future<Output = ..> + Send` rather than
//! `async fn`: rustc's `async_fn_in_trait` lint fires on public traits (and CI runs clippy with
//! `-D warnings`), and the explicit form guarantees the futures are `Send`, as axum handlers
//! need. No `async-trait`, no `dyn`: the router is monomorphised per backend.

use std::future::Future;
use std::net::IpAddr;

use muster_core::{DeviceId, Entry, Hash32, IncidentId};
use muster_wire::{
    Alert, EntryFlags, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member, PullResponse,
    PulledEntry, Quarantined, Role, StreamHead,
};
use serde::Serialize;

use crate::audit::AuditRow;
use crate::error::ServerError;

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// An authenticated session: who is calling, from which device, and (over HTTP) from which
/// address, for the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub user: String,
    pub device: muster_core::DeviceId,
    /// The source address of the request; `None` in process (tests, tools).
    pub address: Option<IpAddr>,
}

/// How long a session lasts (docs/decisions/0024): it ends after `idle_ms` without a request
/// (HIPAA 164.312(a)(2)(iii), automatic logoff) and `lifetime_ms` after login whatever its use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    pub idle_ms: i64,
    pub lifetime_ms: i64,
}

/// 12 hours without a request: a night off ends the session, a shift with pauses does not.
pub const DEFAULT_SESSION_IDLE_MS: i64 = 12 * 3600 * 1000;
/// 14 days: a war room that runs for days logs in again at most every two weeks.
pub const DEFAULT_SESSION_LIFETIME_MS: i64 = 14 * 24 * 3600 * 1000;

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy { idle_ms: DEFAULT_SESSION_IDLE_MS, lifetime_ms: DEFAULT_SESSION_LIFETIME_MS }
    }
}

impl SessionPolicy {
    /// When a session created at `created_ms` and last used at `last_used_ms` ends.
    pub fn ends_ms(&self, created_ms: i64, last_used_ms: i64) -> i64 {
        last_used_ms.saturating_add(self.idle_ms).min(created_ms.saturating_add(self.lifetime_ms))
    }
}

/// A user as `muster server user list` shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminUser {
    pub name: String,
    pub created_ms: i64,
    pub revoked_ms: Option<i64>,
    pub devices: u64,
}

/// A device as `muster server device list` shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminDevice {
    pub device: DeviceId,
    pub user: String,
    pub name: String,
    pub registered_ms: i64,
    pub revoked_ms: Option<i64>,
}

/// A session as `muster server session list` shows it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AdminSession {
    pub id: i64,
    pub user: String,
    pub device: DeviceId,
    pub device_name: String,
    pub created_ms: i64,
    pub last_used_ms: i64,
    /// `active`, `ended` (revoked, or timed out and seen so), or `expired` (timed out, not used
    /// since).
    pub state: &'static str,
    /// When it ended or ends.
    pub ends_ms: i64,
    /// What ended it: idle, lifetime, session, device, user.
    pub ended_by: Option<String>,
}

/// What revoking a user or device ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Revoked {
    pub devices: u64,
    pub sessions: u64,
}

/// One grant, role change or removal of a membership.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MembershipEvent {
    pub user: String,
    /// `granted`, `role_changed` or `removed`.
    pub action: String,
    pub role: Option<Role>,
    /// Who did it (`None`: not recorded, before schema 4).
    pub by: Option<String>,
    pub at_ms: i64,
}

/// What a push did (the router adds the clock report to make a `PushResponse`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PushOutcome {
    pub accepted: usize,
    pub duplicates: usize,
    pub quarantined: Vec<Quarantined>,
    /// Heads of the streams the push touched, after it.
    pub heads: Vec<StreamHead>,
    pub last_rank: u64,
}

/// How a push judges the clocks of the entries it stores (docs/design/sync-plan.md §7). An
/// entry is flagged (stored with `clock_skew_ms`, served with `flags` on pull) when it was
/// authored by the pushing device while that device's clock is off from the server's by more
/// than the threshold, or when its HLC wall time is ahead of the server's clock by more than the
/// threshold (whoever relays it). Flagged entries are kept, never refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClockPolicy {
    /// The pushing client's clock minus the server's (`Muster-Client-Time`), when sent.
    pub client_skew_ms: Option<i64>,
    pub threshold_ms: i64,
}

impl ClockPolicy {
    /// No client clock known: only entries from the future are flagged.
    pub fn unknown(threshold_ms: i64) -> ClockPolicy {
        ClockPolicy { client_skew_ms: None, threshold_ms }
    }

    /// The skew to store with `entry`, pushed by `caller` at server time `now_ms`.
    pub fn flag(&self, caller: &Caller, entry: &Entry, now_ms: i64) -> Option<i64> {
        if entry.device_id() == caller.device {
            if let Some(skew) = self.client_skew_ms.filter(|s| s.saturating_abs() > self.threshold_ms) {
                return Some(skew);
            }
        }
        let wall = i64::try_from(entry.hlc().wall_ms).unwrap_or(i64::MAX);
        let ahead = wall.saturating_sub(now_ms);
        (ahead > self.threshold_ms).then_some(ahead)
    }
}

/// A pulled page with each entry as the JSON the server stored when it verified the push:
/// the router sends it as is (decoding and re-encoding 1000 entries per page was most of a
/// pull's cost). `Storage::pull` decodes it for callers that want `Entry` values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawPull {
    pub entries: Vec<RawPulled>,
    /// As `PullResponse::next`.
    pub next: u64,
    pub more: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawPulled {
    pub rank: u64,
    pub flags: Option<EntryFlags>,
    /// The entry's wire JSON, as stored.
    pub entry_json: String,
}

/// Whether a `PUT` created something or found it already there (201 vs 200).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Put {
    Created,
    Existing,
}

/// The server's persistent state. Every method touching an incident answers the same
/// `ServerError::Forbidden` for an unknown incident and for one the caller is not a member of.
/// `now_ms` is passed in (server wall clock, Unix ms) so that tests control time.
pub trait Storage: Send + Sync + 'static {
    /// The backend's name, reported by `/healthz` (`sqlite`, `postgres`).
    const BACKEND: &'static str;

    /// `SELECT 1`: whether the database answers (`/healthz`).
    fn health(&self) -> impl Future<Output = Result<()>> + Send;

    /// Creates a user and returns a one-time enrolment token (valid 7 days).
    fn add_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send;

    /// Issues another enrolment token for an existing user (a second device).
    fn new_enrolment(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<String>> + Send;

    /// Redeems an enrolment token: checks the proof, registers the device to the user (a key
    /// belongs to one user) and opens a session. `source` is the client's address, for the
    /// audit log.
    fn login_from(
        &self,
        req: LoginRequest,
        now_ms: i64,
        source: Option<IpAddr>,
    ) -> impl Future<Output = Result<LoginResponse>> + Send;

    /// `login_from` with no address.
    fn login(&self, req: LoginRequest, now_ms: i64) -> impl Future<Output = Result<LoginResponse>> + Send {
        self.login_from(req, now_ms, None)
    }

    /// The caller behind a session token that is open under `policy`, or `BadSession` (unknown,
    /// revoked, or timed out: a timed-out session is ended then).
    fn authenticate_with(
        &self,
        session_token: &str,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> impl Future<Output = Result<Caller>> + Send;

    /// `authenticate_with` the default session policy.
    fn authenticate(&self, session_token: &str, now_ms: i64) -> impl Future<Output = Result<Caller>> + Send {
        self.authenticate_with(session_token, now_ms, SessionPolicy::default())
    }

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send;

    /// Registers an incident (the caller becomes its commander) or confirms membership.
    /// `opening` proves authorship: the incident's opening entry, signed by the caller's device.
    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
        opening: &Entry,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send;

    fn members(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<Member>>> + Send;

    /// Adds a member or changes their role (commanders only).
    fn set_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        role: Role,
        now_ms: i64,
    ) -> impl Future<Output = Result<Put>> + Send;

    /// Removes a member (commanders only; never the last commander).
    fn remove_member(
        &self,
        caller: &Caller,
        incident: IncidentId,
        user: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    fn heads(
        &self,
        caller: &Caller,
        incident: IncidentId,
    ) -> impl Future<Output = Result<HeadsResponse>> + Send;

    /// Verifies and stores pushed entries (docs/design/sync-plan.md §5). A refusal stores
    /// nothing except quarantine rows, which are never lost. `clock` decides which stored
    /// entries carry a clock-skew flag.
    fn push(
        &self,
        caller: &Caller,
        incident: IncidentId,
        entries: Vec<Entry>,
        now_ms: i64,
        clock: ClockPolicy,
    ) -> impl Future<Output = Result<PushOutcome>> + Send;

    /// Entries with `rank > after`, at most `limit` (clamped to 1..=2000), as stored JSON.
    fn pull_raw(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<RawPull>> + Send;

    /// `pull_raw`, decoded.
    fn pull(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<PullResponse>> + Send {
        async move {
            let raw = self.pull_raw(caller, incident, after, limit).await?;
            let entries = raw
                .entries
                .into_iter()
                .map(|r| {
                    Ok(PulledEntry {
                        rank: r.rank,
                        flags: r.flags,
                        entry: crate::codec::decode_entry(&r.entry_json)?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            Ok(PullResponse { entries, next: raw.next, more: raw.more })
        }
    }

    /// Alerts (quarantined entries) with `id > after`.
    fn alerts(
        &self,
        caller: &Caller,
        incident: IncidentId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<Alert>>> + Send;

    // Administration on the database (`muster server ...`; no HTTP route reaches these).

    /// Every user, by name.
    fn users(&self) -> impl Future<Output = Result<Vec<AdminUser>>> + Send;

    /// Revokes a user: no login, no enrolment, every device revoked and session ended now.
    fn revoke_user(&self, name: &str, now_ms: i64) -> impl Future<Output = Result<Revoked>> + Send;

    /// Devices, of one user or of everyone.
    fn devices(&self, user: Option<&str>) -> impl Future<Output = Result<Vec<AdminDevice>>> + Send;

    /// Revokes the device named by its id or the start of it (as `devices` lists them): its
    /// sessions end, it cannot log in again, and entries it signs with a clock after `now_ms`
    /// are held as evidence whoever pushes them.
    fn revoke_device(
        &self,
        device: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<(AdminDevice, Revoked)>> + Send;

    /// Sessions, of one user or of everyone, with their state under `policy` at `now_ms`.
    fn sessions(
        &self,
        user: Option<&str>,
        now_ms: i64,
        policy: SessionPolicy,
    ) -> impl Future<Output = Result<Vec<AdminSession>>> + Send;

    /// Ends one session now.
    fn revoke_session(&self, id: i64, now_ms: i64) -> impl Future<Output = Result<()>> + Send;

    /// Every grant, role change and removal of the incident's memberships, in order.
    fn membership_history(
        &self,
        incident: IncidentId,
    ) -> impl Future<Output = Result<Vec<MembershipEvent>>> + Send;

    /// At most `limit` audit rows with `seq > after`, by seq, as stored.
    fn audit_rows(&self, after: u64, limit: u64) -> impl Future<Output = Result<Vec<AuditRow>>> + Send;

    /// The audit log's head: its last seq and hash.
    fn audit_head(&self) -> impl Future<Output = Result<(u64, Hash32)>> + Send;
}
