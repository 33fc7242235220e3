//! Conversions between stored columns and domain values, shared by both backends and the
//! procedures. A stored value that does not convert is `ServerError::Corrupt` (500): the
//! database holds something this server never writes.

use muster_core::{DeviceId, Entry, Hash32, IncidentId};
use muster_wire::{AlertKind, Role};

use crate::error::ServerError;
use crate::storage::Result;

/// Counts and ranks are stored as SQL `BIGINT`s; none is ever negative.
pub(crate) fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn device_of(bytes: &[u8]) -> Result<DeviceId> {
    bytes.try_into().map(DeviceId).map_err(|_| ServerError::Corrupt("a device id is not 32 bytes".into()))
}

pub(crate) fn hash_of(bytes: &[u8]) -> Result<Hash32> {
    bytes.try_into().map(Hash32).map_err(|_| ServerError::Corrupt("a hash is not 32 bytes".into()))
}

pub(crate) fn incident_of(bytes: &[u8]) -> Result<IncidentId> {
    let id: [u8; 16] =
        bytes.try_into().map_err(|_| ServerError::Corrupt("an incident id is not 16 bytes".into()))?;
    Ok(IncidentId::from_bytes(id))
}

pub(crate) fn role_of(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| ServerError::Corrupt(format!("unknown role {s:?}")))
}

pub(crate) fn alert_kind_of(s: &str) -> Result<AlertKind> {
    AlertKind::parse(s).ok_or_else(|| ServerError::Corrupt(format!("alert kind {s:?}")))
}

/// An entry from the JSON the server stored when it verified the push.
pub(crate) fn decode_entry(json: &str) -> Result<Entry> {
    serde_json::from_str(json).map_err(|e| ServerError::Corrupt(format!("stored entry JSON: {e}")))
}

pub(crate) fn encode_entry(e: &Entry) -> Result<String> {
    serde_json::to_string(e).map_err(|err| ServerError::Internal(err.to_string()))
}
