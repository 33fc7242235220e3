//! Muster sync's wire: request and response bodies of the HTTP API, version 1
//! (docs/design/sync-plan.md §3), shared by the server (`muster-server`) and the client
//! (`muster-sync`). It depends on the domain (`muster-core`) and serde only, never on a store.
//!
//! Entries travel in the existing `Entry` wire JSON (`docs/encoding.md`): decoding
//! re-canonicalises the body and refuses a stated `hash` that does not match, so a receiver
//! never holds an entry whose hash it has not recomputed. Signatures are checked by the
//! receiver (`verify_many`), never trusted from the sender.

use muster_core::{DeviceId, Entry, EntryId, Hash32, IncidentId};
use serde::{Deserialize, Serialize};

/// The bytes a device signs to prove, at login, that it holds the key it registers:
/// `"muster/login/v1\n" ‖ user ‖ token` (the token is the one-time enrolment token).
pub fn login_proof_message(user: &str, token: &str) -> Vec<u8> {
    let mut m = b"muster/login/v1\n".to_vec();
    m.extend_from_slice(user.as_bytes());
    m.extend_from_slice(token.as_bytes());
    m
}

/// Most entries one push may carry (`request.too_many_entries` above).
pub const MAX_PUSH_ENTRIES: usize = 1000;
/// Default and largest page of a pull.
pub const DEFAULT_PULL_LIMIT: u64 = 1000;
pub const MAX_PULL_LIMIT: u64 = 2000;

/// Every error response: `{"error": {"code", "message", "details"}}`. `code` is stable and
/// machine-readable (`incident.forbidden`, `ingest.seq_gap`, ...); `details` names the
/// offending index, device, seq... as an object (empty when there is nothing to add).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub code: String,
    pub message: String,
    #[serde(default)]
    pub details: serde_json::Map<String, serde_json::Value>,
}

/// `POST /v1/login`: redeems a one-time enrolment token and registers the device key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginRequest {
    pub user: String,
    /// The enrolment token printed by `muster server user add`.
    pub token: String,
    /// The device's Ed25519 public key (64 hex digits).
    pub device_id: DeviceId,
    pub device_name: String,
    /// Ed25519 signature (128 hex digits) by the device key over `login_proof_message`.
    pub proof: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoginResponse {
    /// `mst1_<64 hex>`, sent as `Authorization: Bearer ...`; the server keeps only its SHA-256.
    pub session_token: String,
    pub user: String,
    pub device_id: DeviceId,
    pub server_time_ms: i64,
}

/// A server-side access role on an incident (not derived from the log's `role.assigned`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Member,
    Commander,
}

impl Role {
    pub fn as_str(&self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Commander => "commander",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "member" => Some(Role::Member),
            "commander" => Some(Role::Commander),
            _ => None,
        }
    }
}

/// `GET /v1/me`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeResponse {
    pub user: String,
    pub devices: Vec<DeviceInfo>,
    /// Only the caller's current incidents.
    pub incidents: Vec<MyIncident>,
    pub server_time_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceInfo {
    pub device_id: DeviceId,
    pub name: String,
    pub registered_ms: i64,
    /// When an administrator revoked the device (`muster server device revoke`): its sessions
    /// ended then, and entries it signs with a later clock are held as evidence, never stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyIncident {
    pub id: IncidentId,
    pub role: Role,
    pub last_rank: u64,
    /// Revoked devices of people who are or were members of the incident (a lost laptop): its
    /// members' laptops are told, so that `muster alerts` can say which device not to trust.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub revoked_devices: Vec<RevokedDevice>,
}

/// A device an administrator revoked, as a member of one of its owner's incidents learns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokedDevice {
    pub device_id: DeviceId,
    /// The device's owner on the server.
    pub user: String,
    /// The device's name as it logged in (its operator's name).
    pub name: String,
    /// From this instant on (server clock), entries the device signs are held, not stored.
    pub revoked_ms: i64,
}

/// The head of one (incident, device) stream as the server holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamHead {
    pub device: DeviceId,
    pub seq: u64,
    pub hash: Hash32,
}

/// `GET /v1/incidents/{id}/heads`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeadsResponse {
    pub last_rank: u64,
    pub heads: Vec<StreamHead>,
}

/// `PUT /v1/incidents/{id}`: the proof of authorship, the incident's opening entry
/// (`incident.opened`, seq 1) signed by the registering laptop's own device (docs/decisions/0025).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisterRequest {
    pub opening: Entry,
}

/// `POST /v1/incidents/{id}/entries`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushRequest {
    pub entries: Vec<Entry>,
}

/// Why a pushed entry was quarantined rather than stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A different entry is already stored at the same (device, seq): the key signed twice.
    Equivocation,
    /// The entry continues a history other than the stored one (`prev_hash` is not the hash of
    /// the stream's stored head), or continues an already quarantined branch.
    Fork,
    /// The entry's clock reads more than a day ahead of the server's (`muster_core::hlc::
    /// MAX_CLOCK_AHEAD_MS`): stored, it would push every member's clock towards the end of its
    /// range.
    #[serde(rename = "clock_ahead")]
    ClockAhead,
    /// The entry's device was revoked (a lost laptop) and the entry's clock reads after the
    /// revocation: whoever relays it, it is held, never stored.
    #[serde(rename = "device_revoked")]
    DeviceRevoked,
    /// The entry's author was removed from the incident before the entry's clock reads: a
    /// member relayed it, but a removed member no longer writes to the incident.
    #[serde(rename = "member_removed")]
    MemberRemoved,
    /// The entry says it was recorded by someone other than the person its device is registered
    /// for, and its clock reads after that registration: someone wrote as another.
    #[serde(rename = "recorder_mismatch")]
    RecorderMismatch,
}

impl AlertKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            AlertKind::Equivocation => "equivocation",
            AlertKind::Fork => "fork",
            AlertKind::ClockAhead => "clock_ahead",
            AlertKind::DeviceRevoked => "device_revoked",
            AlertKind::MemberRemoved => "member_removed",
            AlertKind::RecorderMismatch => "recorder_mismatch",
        }
    }

    pub fn parse(s: &str) -> Option<AlertKind> {
        match s {
            "equivocation" => Some(AlertKind::Equivocation),
            "fork" => Some(AlertKind::Fork),
            "clock_ahead" => Some(AlertKind::ClockAhead),
            "device_revoked" => Some(AlertKind::DeviceRevoked),
            "member_removed" => Some(AlertKind::MemberRemoved),
            "recorder_mismatch" => Some(AlertKind::RecorderMismatch),
            _ => None,
        }
    }
}

/// One pushed entry that was kept aside as evidence (never dropped), with its alert.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quarantined {
    /// Index of the entry in the pushed `entries`.
    pub index: usize,
    pub entry: EntryId,
    pub device: DeviceId,
    pub seq: u64,
    /// Equivocation: hash of the entry stored at the same (device, seq). Fork: hash of the
    /// stream's stored head the entry failed to chain onto.
    pub existing: Hash32,
    pub alert_id: u64,
    pub kind: AlertKind,
}

/// The clock-skew verdict on a push (§7).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClockReport {
    pub skew_ms: i64,
    pub threshold_ms: i64,
    pub warning: bool,
}

/// 200 answer to a push: what was stored, acknowledged again, or quarantined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PushResponse {
    pub accepted: usize,
    pub duplicates: usize,
    pub quarantined: Vec<Quarantined>,
    /// The heads of the streams the push touched, after it.
    pub heads: Vec<StreamHead>,
    pub last_rank: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockReport>,
}

/// Per-entry flags the server attaches on pull.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntryFlags {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock_skew_ms: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PulledEntry {
    /// Server arrival order within the incident, from 1 without gaps: the pull cursor.
    pub rank: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flags: Option<EntryFlags>,
    pub entry: Entry,
}

/// `GET /v1/incidents/{id}/entries?after=R&limit=N`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PullResponse {
    pub entries: Vec<PulledEntry>,
    /// The cursor for the next page (the last rank returned, or `after` when empty).
    pub next: u64,
    /// Whether entries with a rank above `next` exist.
    pub more: bool,
}

/// `GET /v1/incidents/{id}/members`, one line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub user: String,
    pub role: Role,
    pub added_by: String,
    pub added_ms: i64,
}

/// `PUT /v1/incidents/{id}/members/{user}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetMemberRequest {
    pub role: Role,
}

/// `GET /v1/incidents/{id}/alerts?after=A`: a quarantined entry and what it conflicts with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Alert {
    pub id: u64,
    pub kind: AlertKind,
    pub device: DeviceId,
    pub seq: u64,
    /// The stored entry it conflicts with (see `Quarantined::existing`), when the server holds it.
    pub existing_entry: Option<Entry>,
    pub quarantined_entry: Entry,
    /// The user whose push carried it (perhaps an honest relay).
    pub pushed_by: String,
    pub received_ms: i64,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn roles_kinds_and_errors_have_their_documented_json() {
        assert_eq!(serde_json::to_string(&Role::Commander).unwrap(), r#""commander""#);
        assert_eq!(serde_json::to_string(&AlertKind::Equivocation).unwrap(), r#""equivocation""#);
        let body: ErrorBody =
            serde_json::from_str(r#"{"error":{"code":"incident.forbidden","message":"m"}}"#).unwrap();
        assert!(body.error.details.is_empty());
        let back = serde_json::to_value(&body).unwrap();
        assert_eq!(back["error"]["details"], serde_json::json!({}));
        for r in [Role::Member, Role::Commander] {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        for k in [
            AlertKind::Equivocation,
            AlertKind::Fork,
            AlertKind::ClockAhead,
            AlertKind::DeviceRevoked,
            AlertKind::MemberRemoved,
            AlertKind::RecorderMismatch,
        ] {
            assert_eq!(AlertKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
        }
    }
}
