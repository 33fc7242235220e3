//! What the sync commands and the `sync-status` event carry (see `sync`). Counts are `u32`
//! (a JavaScript number), instants milliseconds since the Unix epoch as `f64`.

use serde::{Deserialize, Serialize};

use super::ipc_state;
use crate::error::IpcError;

#[cfg(test)]
use ts_rs::TS;

ipc_state! {
    /// Where this laptop stands with the sync server: `off` (not logged in), `offline` (the
    /// server cannot be reached, or refused), `syncing`, `synced`.
    SyncState { Off, Offline, Syncing, Synced }
}

/// The sync loop's state, pushed as `sync-status` whenever it changes and answered by
/// `sync_status`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SyncStatus {
    pub state: SyncState,
    pub server: Option<String>,
    pub user: Option<String>,
    /// When the last sync round succeeded (kept while offline).
    pub synced_at_ms: Option<f64>,
    /// Local entries the server does not hold yet (as far as its heads were last seen).
    pub waiting: u32,
    /// Server alerts held here: entries the server kept aside because one device key signed
    /// two histories (equivocation) or continued another (fork).
    pub alerts: u32,
    /// Pulled entries set aside here because they conflict with this laptop's copy of their
    /// stream.
    pub conflicts: u32,
    /// How far this laptop's clock is ahead of the server's (negative: behind).
    pub clock_offset_ms: Option<f64>,
    /// Why the last attempt failed (offline), or why this laptop is logged out (off).
    pub last_error: Option<IpcError>,
    /// Why `alerts` and `conflicts` could not be read (they are then 0 but unknown, not none).
    pub evidence_error: Option<IpcError>,
}

impl SyncStatus {
    pub fn off() -> SyncStatus {
        SyncStatus {
            state: SyncState::Off,
            server: None,
            user: None,
            synced_at_ms: None,
            waiting: 0,
            alerts: 0,
            conflicts: 0,
            clock_offset_ms: None,
            last_error: None,
            evidence_error: None,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct SyncLoginInput {
    /// The server's base URL, e.g. http://10.0.0.5:7373.
    pub server: String,
    pub user: String,
    /// The one-time enrolment token from `muster server user add`.
    pub token: String,
    /// For an https server with a certificate of its own: the PEM text of the certificate (or
    /// its CA) to trust. None: the public root certificates, and any kept before is forgotten.
    pub ca_cert: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SyncLoggedIn {
    pub server: String,
    pub user: String,
    /// Short id of this installation's device key, now registered to the user.
    pub device: String,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct ShareInput {
    pub incident: String,
    /// The server user to share with.
    pub user: String,
    /// Grant the server-side commander role (may share and unshare in turn).
    pub commander: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(test, derive(TS))]
pub struct UnshareInput {
    pub incident: String,
    pub user: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct Shared {
    pub incident: String,
    pub user: String,
    /// member | commander | removed
    pub role: String,
}

/// One server alert: the server kept an entry aside as evidence.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SyncAlertView {
    /// equivocation | fork
    pub kind: String,
    /// What it means, for people.
    pub description: String,
    /// Short id of the device key that signed both.
    pub device: String,
    pub seq: u32,
    /// The server user whose push carried it (perhaps an honest relay).
    pub pushed_by: Option<String>,
    pub received_ms: f64,
    pub received_text: String,
}

/// One pulled entry set aside here.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SetAsideView {
    pub device: String,
    pub seq: u32,
    /// The ingest refusal: ingest.equivocation | ingest.prev_hash_mismatch | ingest.seq_gap
    pub reason: String,
    pub description: String,
    pub received_ms: f64,
    pub received_text: String,
}

/// The sync evidence of one incident, for the banner where people work.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(test, derive(TS))]
pub struct SyncEvidence {
    pub incident: String,
    pub alerts: Vec<SyncAlertView>,
    pub conflicts: Vec<SetAsideView>,
}
