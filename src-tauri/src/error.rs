//! The one error type the UI sees: a stable code to branch on and a message for people.

use muster_core::error::ErrorCode;
use muster_core::ValidationError;
use muster_store::StoreError;
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[cfg_attr(test, derive(ts_rs::TS))]
#[error("{message}")]
pub struct IpcError {
    /// Stable, dotted: `input.invalid`, `state.refused`, `keyring.unavailable`, ...
    pub code: String,
    pub message: String,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError { code: code.to_string(), message: message.into() }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        IpcError { code: e.code().to_string(), message: e.to_string() }
    }
}

impl From<muster_sync::SyncError> for IpcError {
    fn from(e: muster_sync::SyncError) -> Self {
        IpcError { code: e.code().to_string(), message: e.to_string() }
    }
}

impl From<ValidationError> for IpcError {
    fn from(e: ValidationError) -> Self {
        StoreError::from(e).into()
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
