//! The storage trait the HTTP layer is generic over, and the values it speaks in. It is
//! implemented once, for every backend, by `crate::procedures`; SQLite and PostgreSQL only
//! supply the data operations (`crate::backend`).
//!
//! Methods are written `fn ..(&self, ..) -> impl Future<Output = ..> + Send` rather than
//! `async fn`: rustc's `async_fn_in_trait` lint fires on public traits (and CI runs clippy with
//! `-D warnings`), and the explicit form guarantees the futures are `Send`, as axum handlers
//! need. No `async-trait`, no `dyn`: the router is monomorphised per backend.

use std::future::Future;

use muster_core::{Entry, IncidentId};
use muster_wire::{
    Alert, EntryFlags, HeadsResponse, LoginRequest, LoginResponse, MeResponse, Member, PullResponse,
    PulledEntry, Quarantined, Role, StreamHead,
};

use crate::error::ServerError;

pub type Result<T, E = ServerError> = std::result::Result<T, E>;

/// An authenticated session: who is calling, from which device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: i64,
    pub user: String,
    pub device: muster_core::DeviceId,
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
    /// belongs to one user) and opens a session.
    fn login(&self, req: LoginRequest, now_ms: i64) -> impl Future<Output = Result<LoginResponse>> + Send;

    /// The caller behind a session token, or `BadSession`.
    fn authenticate(&self, session_token: &str, now_ms: i64) -> impl Future<Output = Result<Caller>> + Send;

    fn me(&self, caller: &Caller, now_ms: i64) -> impl Future<Output = Result<MeResponse>> + Send;

    /// Registers an incident (the caller becomes its commander) or confirms membership.
    fn register_incident(
        &self,
        caller: &Caller,
        incident: IncidentId,
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
}
