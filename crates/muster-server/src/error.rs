//! Errors of the server, each with a stable `code()` (docs/design/sync-plan.md §3) and the
//! HTTP status the router answers with: refusals of the request (4xx: bad input, forbidden,
//! conflicts) are kept apart from failures of the server (5xx: the database, corruption).
//! Codes of stream-position refusals are those of `muster_core::IngestReason::code()`, so
//! client and server speak the same words.

use muster_core::{DeviceId, IncidentId, IngestReason};
use muster_wire::{ErrorBody, ErrorDetail};
use serde_json::{json, Map, Value};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ServerError {
    #[error("server database error: {0}")]
    Database(#[from] rusqlite::Error),
    #[error("server database error: {0}")]
    Postgres(#[from] tokio_postgres::Error),
    #[error("the server database is unavailable: {0}")]
    Unavailable(String),
    #[error(
        "the server database at {path} was written by a newer Muster (schema {found}; this server knows up to \
         {supported}); nothing was changed"
    )]
    SchemaTooNew { path: String, found: i64, supported: i64 },
    #[error("internal server error: {0}")]
    Internal(String),
    #[error("server data is unreadable: {0}")]
    Corrupt(String),

    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("no user named {0:?}")]
    UnknownUser(String),
    #[error("user name must be 1 to 64 characters without control characters")]
    BadUserName,
    #[error("unknown user, or the enrolment token is wrong, used or expired")]
    BadEnrolment,
    #[error("the login proof is not a signature by the device key over the enrolment")]
    BadProof,
    #[error("device {0} is registered to another user")]
    DeviceOtherUser(DeviceId),
    #[error("the session token is unknown or revoked; log in again")]
    BadSession,
    /// Same code as `BadSession` (clients treat both as "log in again"), a message that says why.
    #[error("your session ended: {0}; log in again with a new enrolment token")]
    SessionTimedOut(String),
    #[error(
        "device {0} is revoked on this server (a lost or retired laptop): it cannot log in, and entries it \
         signs from its revocation on are held, not stored"
    )]
    DeviceRevoked(DeviceId),
    #[error("user {0:?} is revoked on this server; they cannot log in or be given a token")]
    UserRevoked(String),
    #[error("no device {0:?} on this server (see `muster server device list`)")]
    UnknownDevice(String),
    #[error("{0:?} is the start of more than one device id; give more of it")]
    AmbiguousDevice(String),
    #[error("no session {0} on this server (see `muster server session list`)")]
    UnknownSession(i64),

    #[error("you are not a member of incident {0}, or it does not exist on this server")]
    Forbidden(IncidentId),
    #[error("only a commander of incident {0} may change its members")]
    NotCommander(IncidentId),
    #[error(
        "registering incident {incident} needs its signed opening entry (incident.opened, the first entry \
         of the registering laptop's stream in this incident): {message}"
    )]
    BadOpening { incident: IncidentId, message: String },
    #[error(
        "incident {0} is registered only by the laptop that opened it, with the opening entry it signed; \
         if you need it, ask its commander to share it with you"
    )]
    NotOpener(IncidentId),
    #[error("{user:?} is the last commander of incident {incident}; grant commander to someone else first")]
    LastCommander { incident: IncidentId, user: String },
    #[error("{user:?} is not a member of incident {incident}")]
    NotMember { incident: IncidentId, user: String },

    #[error("a push carries at most {max} entries (got {got})")]
    TooManyEntries { max: usize, got: usize },
    #[error("cursor {after} is beyond the incident's last rank {last_rank}")]
    BadCursor { after: u64, last_rank: u64 },
    #[error("entries[{index}] belongs to incident {found}, not to incident {expected}")]
    WrongIncident { index: usize, expected: IncidentId, found: IncidentId },
    #[error("entries[{index}].{field}: {message}")]
    Invalid { index: usize, field: String, message: String },
    #[error("entries[{index}]: {message}")]
    BadSignature { index: usize, message: String },
    #[error("device {0} is not registered to a member of this incident")]
    DeviceUnregistered(DeviceId),
    #[error("entries[{index}] (device {device}, seq {seq}) refused: {reason}")]
    Ingest { index: usize, device: DeviceId, seq: u64, reason: IngestReason },
}

impl ServerError {
    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            ServerError::Database(_) | ServerError::Postgres(_) => "server.database",
            ServerError::Unavailable(_) => "server.database_unavailable",
            ServerError::SchemaTooNew { .. } => "server.schema_too_new",
            ServerError::Internal(_) => "server.internal",
            ServerError::Corrupt(_) => "server.corrupt",
            ServerError::UserExists(_) => "user.exists",
            ServerError::UnknownUser(_) => "user.unknown",
            ServerError::BadUserName => "user.bad_name",
            ServerError::BadEnrolment => "auth.bad_enrolment",
            ServerError::BadProof => "login.bad_proof",
            ServerError::DeviceOtherUser(_) => "device.other_user",
            ServerError::BadSession | ServerError::SessionTimedOut(_) => "auth.bad_session",
            ServerError::DeviceRevoked(_) => "device.revoked",
            ServerError::UserRevoked(_) => "user.revoked",
            ServerError::UnknownDevice(_) => "device.unknown",
            ServerError::AmbiguousDevice(_) => "device.ambiguous",
            ServerError::UnknownSession(_) => "session.unknown",
            ServerError::Forbidden(_) => "incident.forbidden",
            ServerError::NotCommander(_) => "incident.not_commander",
            ServerError::LastCommander { .. } => "incident.last_commander",
            ServerError::BadOpening { .. } => "incident.bad_opening",
            ServerError::NotOpener(_) => "incident.not_opener",
            ServerError::NotMember { .. } => "member.unknown",
            ServerError::TooManyEntries { .. } => "request.too_many_entries",
            ServerError::BadCursor { .. } => "request.bad_cursor",
            ServerError::WrongIncident { .. } => "entry.wrong_incident",
            ServerError::Invalid { .. } => "entry.invalid",
            ServerError::BadSignature { .. } => "entry.bad_signature",
            ServerError::DeviceUnregistered(_) => "device.unregistered",
            ServerError::Ingest { reason, .. } => reason.code(),
        }
    }

    /// The HTTP status the router answers with.
    pub fn status(&self) -> u16 {
        match self {
            ServerError::Database(_)
            | ServerError::Postgres(_)
            | ServerError::Internal(_)
            | ServerError::Corrupt(_) => 500,
            ServerError::Unavailable(_) | ServerError::SchemaTooNew { .. } => 503,
            ServerError::UserExists(_)
            | ServerError::DeviceOtherUser(_)
            | ServerError::UserRevoked(_)
            | ServerError::LastCommander { .. } => 409,
            ServerError::UnknownUser(_)
            | ServerError::NotMember { .. }
            | ServerError::UnknownDevice(_)
            | ServerError::UnknownSession(_) => 404,
            ServerError::BadUserName
            | ServerError::BadProof
            | ServerError::BadCursor { .. }
            | ServerError::AmbiguousDevice(_) => 400,
            ServerError::WrongIncident { .. } => 400,
            ServerError::BadEnrolment | ServerError::BadSession | ServerError::SessionTimedOut(_) => 401,
            ServerError::Forbidden(_)
            | ServerError::NotCommander(_)
            | ServerError::NotOpener(_)
            | ServerError::DeviceRevoked(_) => 403,
            ServerError::BadOpening { .. } => 422,
            ServerError::TooManyEntries { .. } => 413,
            ServerError::Invalid { .. }
            | ServerError::BadSignature { .. }
            | ServerError::DeviceUnregistered(_) => 422,
            ServerError::Ingest { reason, .. } => match reason {
                IngestReason::SeqGap { .. } | IngestReason::IdReused | IngestReason::Equivocation { .. } => {
                    409
                }
                IngestReason::PrevHashMismatch { .. } => 409,
                _ => 422,
            },
        }
    }

    /// The `details` object of the error body: the index, device, seq... the message names.
    pub fn details(&self) -> Map<String, Value> {
        let v = match self {
            ServerError::DeviceOtherUser(d)
            | ServerError::DeviceUnregistered(d)
            | ServerError::DeviceRevoked(d) => {
                json!({ "device": d.to_string() })
            }
            ServerError::Forbidden(i)
            | ServerError::NotCommander(i)
            | ServerError::NotOpener(i)
            | ServerError::BadOpening { incident: i, .. } => json!({ "incident": i.to_string() }),
            ServerError::LastCommander { incident, user } | ServerError::NotMember { incident, user } => {
                json!({ "incident": incident.to_string(), "user": user })
            }
            ServerError::UnknownUser(u) | ServerError::UserExists(u) | ServerError::UserRevoked(u) => {
                json!({ "user": u })
            }
            ServerError::TooManyEntries { max, got } => json!({ "max": max, "got": got }),
            ServerError::BadCursor { after, last_rank } => json!({ "after": after, "last_rank": last_rank }),
            ServerError::WrongIncident { index, expected, found } => {
                json!({ "index": index, "expected": expected.to_string(), "found": found.to_string() })
            }
            ServerError::Invalid { index, field, .. } => json!({ "index": index, "field": field }),
            ServerError::BadSignature { index, .. } => json!({ "index": index }),
            ServerError::Ingest { index, device, seq, reason } => {
                let mut d = json!({ "index": index, "device": device.to_string(), "seq": seq });
                if let IngestReason::SeqGap { head, expected, got } = reason {
                    d["head"] = json!(head);
                    d["expected"] = json!(expected);
                    d["got"] = json!(got);
                }
                d
            }
            _ => json!({}),
        };
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    /// The error body sent to clients. Internal errors do not leak database text.
    pub fn body(&self) -> ErrorBody {
        let message = match self {
            ServerError::Database(_)
            | ServerError::Postgres(_)
            | ServerError::Internal(_)
            | ServerError::Corrupt(_) => "internal server error (see the server log)".to_string(),
            other => other.to_string(),
        };
        ErrorBody { error: ErrorDetail { code: self.code().to_string(), message, details: self.details() } }
    }
}
