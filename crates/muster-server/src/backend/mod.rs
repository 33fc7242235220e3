//! The narrow interface between the server's rules and its databases (docs/decisions/0021).
//!
//! `Data` is a set of small data operations, each one SQL statement (or one batch of the same
//! statement): get a row, insert a row, lock an incident. The backends (`sqlite`, `postgres`)
//! implement it with SQL and nothing else; every decision — who may do what, what a push page
//! stores, what is refused — is made by the procedures (`crate::procedures`) over it, once.
//!
//! `Database` runs one `Procedure` in one transaction of the kind the procedure asks for
//! (`Access`): committed when the procedure returns `Ok`, rolled back when it returns `Err` or
//! is dropped half-way. How a backend serialises writers is its own business, within what
//! `Access::Write` and `Data::lock_incident` promise.
//!
//! Methods are written `fn ..(..) -> impl Future<Output = ..> + Send` rather than `async fn` so
//! that generic procedures are `Send` futures, as axum handlers need (`storage.rs` says more).

pub(crate) mod postgres;
pub(crate) mod sqlite;

use std::future::Future;

use muster_core::{DeviceId, Entry, Hash32, Head, IncidentId};
use muster_wire::{AlertKind, DeviceInfo, Member, MyIncident, Role, StreamHead};

pub(crate) use self::access::{AccessData, MembershipAction, SessionEnd, SessionListRow};
use crate::error::ServerError;
use crate::storage::{RawPulled, Result};

mod access;

/// The kind of transaction a procedure runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// No transaction: each statement commits on its own. For the session lookup that every
    /// request makes, whose one write (`touch_session`) is a best-effort timestamp.
    Statements,
    /// Several reads that must agree with each other (a snapshot; nothing is written).
    Read,
    /// Reads and writes, all or nothing. Writers of the whole database or of one incident are
    /// serialised as `Data::lock_incident` says.
    Write,
}

/// A session as stored, with whether it, its device or its user was revoked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRow {
    pub id: i64,
    pub user_id: i64,
    pub user: String,
    pub device: DeviceId,
    pub created_ms: i64,
    pub last_used_ms: i64,
    /// The session, its device or its user is revoked, or the session ended before.
    pub ended: bool,
}

/// An entry row to insert, with what the server knows of its arrival.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewEntry<'a> {
    pub incident: IncidentId,
    pub entry: &'a Entry,
    pub rank: u64,
    /// The entry's wire JSON, served as is on pull.
    pub entry_json: &'a str,
    pub received_ms: i64,
    pub pushed_by: i64,
    pub clock_skew_ms: Option<i64>,
}

/// Whether `Data::insert_entry` stored the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Inserted {
    Stored,
    /// A unique key of the row is already taken (the push plan has ruled out its stream
    /// position and rank, so in practice: its entry id is used by another entry).
    KeyTaken,
}

/// A quarantine row (an alert) to insert.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NewQuarantine<'a> {
    pub entry: &'a Entry,
    pub existing: Hash32,
    pub kind: AlertKind,
    pub entry_json: &'a str,
    pub pushed_by: i64,
    pub received_ms: i64,
}

/// An alert as stored: the quarantined entry and, when the server holds it, the stored entry it
/// conflicts with, both as their stored JSON.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StoredAlert {
    pub id: i64,
    pub kind: AlertKind,
    pub device: DeviceId,
    pub seq: u64,
    pub existing_json: Option<String>,
    pub quarantined_json: String,
    pub pushed_by: String,
    pub received_ms: i64,
}

/// The data operations, each one SQL statement, inside the transaction a `Database` opened.
/// Incidents, devices and hashes are passed as domain values; backends store them as bytes.
/// Those of revocation, membership history and the audit log are in `AccessData`.
pub(crate) trait Data: AccessData + Send {
    /// `SELECT 1`.
    fn ping(&mut self) -> impl Future<Output = Result<()>> + Send;

    // Users and enrolments.
    fn user_id(&mut self, name: &str) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Inserts a user; `None` when the name is taken.
    fn insert_user(&mut self, name: &str, now_ms: i64) -> impl Future<Output = Result<Option<i64>>> + Send;
    fn insert_enrolment(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        created_ms: i64,
        expires_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The user (by name, not revoked) who holds this enrolment, unused and unexpired at
    /// `now_ms`: one lookup whether the name exists or not, so that the two take the same time.
    /// A backend whose `Access::Write` lets two transactions read the same row locks it until
    /// the end of this one.
    fn open_enrolment(
        &mut self,
        user: &str,
        token_hash: &[u8],
        now_ms: i64,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    fn mark_enrolment_used(
        &mut self,
        token_hash: &[u8],
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    // Devices and sessions.
    /// Registers the device to the user unless the device is registered already (to anyone).
    fn insert_device_if_absent(
        &mut self,
        device: DeviceId,
        user_id: i64,
        name: &str,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    fn device_owner(&mut self, device: DeviceId) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// The user's devices in registration order.
    fn devices_of(&mut self, user_id: i64) -> impl Future<Output = Result<Vec<DeviceInfo>>> + Send;
    fn insert_session(
        &mut self,
        token_hash: &[u8],
        user_id: i64,
        device: DeviceId,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// The session with this token hash.
    fn session(&mut self, token_hash: &[u8]) -> impl Future<Output = Result<Option<SessionRow>>> + Send;
    /// Sets the session's `last_used_ms` to `now_ms` if it is before `stale_before_ms`.
    fn touch_session(
        &mut self,
        token_hash: &[u8],
        now_ms: i64,
        stale_before_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    // Incidents and memberships.
    /// Inserts the incident; `false` when it exists already.
    fn insert_incident_if_absent(
        &mut self,
        incident: IncidentId,
        created_by: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<bool>> + Send;
    /// Serialises this transaction with every other one that locks the same incident, until
    /// its end (nothing for an unknown incident). A backend whose `Access::Write` already
    /// serialises all writers does nothing.
    fn lock_incident(&mut self, incident: IncidentId) -> impl Future<Output = Result<()>> + Send;
    /// The incidents the user is an active member of, by id, with the role and last rank.
    fn incidents_of(&mut self, user_id: i64) -> impl Future<Output = Result<Vec<MyIncident>>> + Send;
    /// The user's role on the incident while an active member.
    fn role(
        &mut self,
        incident: IncidentId,
        user_id: i64,
    ) -> impl Future<Output = Result<Option<Role>>> + Send;
    /// How many active members are commanders.
    fn commander_count(&mut self, incident: IncidentId) -> impl Future<Output = Result<u64>> + Send;
    /// The active members, by name (byte order).
    fn members(&mut self, incident: IncidentId) -> impl Future<Output = Result<Vec<Member>>> + Send;
    /// Makes the user an active member from now, added by `added_by` (a new membership, or a
    /// removed one started again).
    fn add_membership(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        role: Role,
        added_by: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;
    /// Changes an active member's role (who added them, and when, stay).
    fn set_role(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        role: Role,
    ) -> impl Future<Output = Result<()>> + Send;
    fn end_membership(
        &mut self,
        incident: IncidentId,
        user_id: i64,
        now_ms: i64,
    ) -> impl Future<Output = Result<()>> + Send;

    // The log.
    /// The incident's last rank (it must exist).
    fn last_rank(&mut self, incident: IncidentId) -> impl Future<Output = Result<u64>> + Send;
    /// Adds `n` to the incident's last rank and returns the new last rank: ranks
    /// `new - n + 1 ..= new` are the caller's.
    fn reserve_ranks(&mut self, incident: IncidentId, n: u64) -> impl Future<Output = Result<u64>> + Send;
    /// The stored hash at each of these (device, seq) positions that is taken.
    fn stored_hashes(
        &mut self,
        incident: IncidentId,
        positions: &[(DeviceId, u64)],
    ) -> impl Future<Output = Result<Vec<((DeviceId, u64), Hash32)>>> + Send;
    /// Those of `devices` registered to someone who is or was a member of the incident.
    fn member_devices(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> impl Future<Output = Result<Vec<DeviceId>>> + Send;
    /// The stored heads of these devices' streams (absent: not started).
    fn heads_of(
        &mut self,
        incident: IncidentId,
        devices: &[DeviceId],
    ) -> impl Future<Output = Result<Vec<(DeviceId, Head)>>> + Send;
    /// Every stream head of the incident, by device.
    fn stream_heads(&mut self, incident: IncidentId) -> impl Future<Output = Result<Vec<StreamHead>>> + Send;
    fn upsert_head(
        &mut self,
        incident: IncidentId,
        device: DeviceId,
        head: Head,
    ) -> impl Future<Output = Result<()>> + Send;
    fn insert_entry(&mut self, row: NewEntry<'_>) -> impl Future<Output = Result<Inserted>> + Send;
    /// At most `limit` entries with `rank > after`, by rank, as stored.
    fn entries_after(
        &mut self,
        incident: IncidentId,
        after: u64,
        limit: u64,
    ) -> impl Future<Output = Result<Vec<RawPulled>>> + Send;

    // Quarantine.
    /// Those of these (device, seq, hash) keys that are quarantined.
    fn quarantined_among(
        &mut self,
        incident: IncidentId,
        keys: &[(DeviceId, u64, Hash32)],
    ) -> impl Future<Output = Result<Vec<(DeviceId, u64, Hash32)>>> + Send;
    /// The alert id of the quarantined entry `hash` at (device, seq).
    fn quarantine_id(
        &mut self,
        incident: IncidentId,
        device: DeviceId,
        seq: u64,
        hash: Hash32,
    ) -> impl Future<Output = Result<Option<i64>>> + Send;
    /// Inserts a quarantine row and returns its alert id.
    fn insert_quarantine(&mut self, row: NewQuarantine<'_>) -> impl Future<Output = Result<i64>> + Send;
    /// The alerts with `id > after`, by id.
    fn alerts_after(
        &mut self,
        incident: IncidentId,
        after: u64,
    ) -> impl Future<Output = Result<Vec<StoredAlert>>> + Send;
}

/// One server procedure: the rules of one `Storage` method (or one transaction of it), written
/// once over `Data`. Owned (`'static`) so that a backend may run it on another thread.
pub(crate) trait Procedure: Send + 'static {
    type Output: Send + 'static;
    /// What a refusal carries: a `ServerError`, or more (the evidence of a refused push).
    type Error: From<ServerError> + Send + 'static;
    /// The transaction it runs in.
    const ACCESS: Access;

    fn run<D: Data>(self, db: &mut D) -> impl Future<Output = Result<Self::Output, Self::Error>> + Send;
}

/// A server database: runs procedures, each in its own transaction.
pub(crate) trait Database: Send + Sync + 'static {
    /// Reported by `/healthz` (`sqlite`, `postgres`).
    const NAME: &'static str;

    /// Runs `procedure` in a transaction of its `ACCESS`: committed if it returns `Ok`, rolled
    /// back if it returns `Err` (whose error is passed on) or is dropped before the end.
    fn run<P: Procedure>(&self, procedure: P) -> impl Future<Output = Result<P::Output, P::Error>> + Send;
}
