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
    /// For `input.invalid`: the input it is about (`title`, `occurred_at`...), so that a form
    /// shows `reason` at that field, under the field's own label. Absent for other errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub field: Option<String>,
    /// For `input.invalid`: what is wrong, without the field's name (`must not be empty`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(test, ts(optional))]
    pub reason: Option<String>,
}

impl IpcError {
    pub fn new(code: &str, message: impl Into<String>) -> Self {
        IpcError { code: code.to_string(), message: message.into(), field: None, reason: None }
    }

    /// Bad input in one field, said as the field shows it.
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        let reason = reason.into();
        IpcError {
            code: "input.invalid".into(),
            message: format!("{field}: {reason}"),
            field: Some(field.into()),
            reason: Some(reason),
        }
    }
}

impl From<StoreError> for IpcError {
    fn from(e: StoreError) -> Self {
        let (field, reason) = match &e {
            StoreError::Invalid(v) => (Some(v.field.clone()), Some(v.reason.clone())),
            _ => (None, None),
        };
        IpcError { code: e.code().to_string(), message: e.to_string(), field, reason }
    }
}

impl From<muster_sync::SyncError> for IpcError {
    fn from(e: muster_sync::SyncError) -> Self {
        IpcError::new(e.code(), e.to_string())
    }
}

impl From<ValidationError> for IpcError {
    fn from(e: ValidationError) -> Self {
        StoreError::from(e).into()
    }
}

pub type IpcResult<T> = Result<T, IpcError>;
