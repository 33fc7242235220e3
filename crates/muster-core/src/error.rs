//! Errors of the domain. Each carries a stable `code` so that callers (CLI, desktop IPC, server)
//! can react without matching on message text.

use thiserror::Error;

/// A stable, machine-readable error code such as `input.invalid` or `entry.bad_signature`.
pub trait ErrorCode {
    fn code(&self) -> &'static str;
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value:?} is not {what}")]
pub struct ParseIdError {
    pub what: &'static str,
    pub value: String,
}

impl ErrorCode for ParseIdError {
    fn code(&self) -> &'static str {
        "input.bad_id"
    }
}

/// Bad input from a person or a file: names the field, the offending value and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{field}: {reason} (got {value:?})")]
pub struct ValidationError {
    pub field: String,
    pub value: String,
    pub reason: String,
}

impl ValidationError {
    pub fn new(field: impl Into<String>, value: impl Into<String>, reason: impl Into<String>) -> Self {
        let mut value: String = value.into();
        // Keep messages readable when someone pastes a whole document into a one-line field.
        if value.chars().count() > 80 {
            value = value.chars().take(77).collect::<String>() + "...";
        }
        Self { field: field.into(), value, reason: reason.into() }
    }
}

impl ErrorCode for ValidationError {
    fn code(&self) -> &'static str {
        "input.invalid"
    }
}

/// A body that does not match the schema of its kind and version.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("body of kind {kind} v{version} is malformed: {reason}")]
pub struct BodyError {
    pub kind: String,
    pub version: u16,
    pub reason: String,
}

impl ErrorCode for BodyError {
    fn code(&self) -> &'static str {
        "entry.malformed_body"
    }
}

/// JSON that cannot be put in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanonicalError {
    #[error("non-integer number {0} (bodies hold integers only, so that their bytes are canonical)")]
    NonIntegerNumber(String),
    #[error("invalid JSON: {0}")]
    InvalidJson(String),
}

impl ErrorCode for CanonicalError {
    fn code(&self) -> &'static str {
        "entry.non_canonical_body"
    }
}

/// Why an entry's signature or hash does not check out.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    #[error("device id {0} is not a valid Ed25519 public key")]
    BadDeviceKey(String),
    #[error("device id {0} is a weak (small-order) Ed25519 key")]
    WeakDeviceKey(String),
    #[error("signature does not match the entry's contents")]
    BadSignature,
    #[error("stored hash {stored} does not match the entry's computed hash {computed}")]
    HashMismatch { stored: String, computed: String },
}

impl ErrorCode for VerifyError {
    fn code(&self) -> &'static str {
        match self {
            VerifyError::BadDeviceKey(_) | VerifyError::WeakDeviceKey(_) => "entry.bad_device_key",
            VerifyError::BadSignature => "entry.bad_signature",
            VerifyError::HashMismatch { .. } => "entry.hash_mismatch",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum FoldError {
    #[error("entry {entry} belongs to incident {found}, not to incident {expected}")]
    ForeignEntry { entry: String, expected: String, found: String },
}

impl ErrorCode for FoldError {
    fn code(&self) -> &'static str {
        "fold.foreign_entry"
    }
}
