use muster_core::error::{CanonicalError, ErrorCode, ValidationError};
use thiserror::Error;

/// Errors of the store and of the operations built on it. `code()` is stable.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error(
        "the database at {path} was written by a newer Muster (schema {found}; this Muster knows up to {supported}); \
         upgrade Muster to open it - nothing was changed"
    )]
    SchemaTooNew { path: String, found: i64, supported: i64 },
    #[error("{path} cannot be opened as a Muster database: {reason}")]
    NotADatabase { path: String, reason: String },
    #[error("OS keyring: {0}")]
    Keyring(String),
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    #[error("no {what} matches {value:?}")]
    NotFound { what: &'static str, value: String },
    #[error("{value:?} matches several {what}s: {candidates}; give more characters")]
    Ambiguous { what: &'static str, value: String, candidates: String },
    /// The request is understood but the incident's state does not allow it (a person can fix it).
    #[error("{0}")]
    Refused(String),
    /// Muster itself failed (serialisation, a broken invariant); nothing the person typed is wrong.
    #[error("internal error: {0}")]
    Internal(String),
    #[error(transparent)]
    Ingest(Box<IngestError>),
    #[error("{file}: line {line}: {reason}")]
    Import { file: String, line: usize, reason: String },
    #[error("entry row {row} is unreadable: {reason}")]
    Corrupt { row: String, reason: String },
    #[error(transparent)]
    Canonical(#[from] CanonicalError),
    #[error(transparent)]
    Ruleset(#[from] muster_core::breach::rules::RulesetError),
    #[error("{file}: {source}")]
    Register { file: String, source: muster_core::systems::RegisterError },
}

/// An entry from another device that was refused, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("entry {entry} (incident {incident}, device {device}, seq {seq}) refused: {reason}")]
pub struct IngestError {
    pub entry: String,
    pub incident: String,
    pub device: String,
    pub seq: u64,
    pub reason: IngestReason,
}

/// Why an entry from another device was refused: the vocabulary the client shares with the
/// sync server, kept in muster-core.
pub use muster_core::ingest::IngestReason;

impl ErrorCode for StoreError {
    fn code(&self) -> &'static str {
        match self {
            StoreError::Sqlite(_) => "store.sqlite",
            StoreError::Io { .. } => "store.io",
            StoreError::SchemaTooNew { .. } => "store.schema_too_new",
            StoreError::NotADatabase { .. } => "store.not_a_database",
            StoreError::Keyring(_) => "keyring.unavailable",
            StoreError::Invalid(_) => "input.invalid",
            StoreError::NotFound { .. } => "input.not_found",
            StoreError::Ambiguous { .. } => "input.ambiguous",
            StoreError::Refused(_) => "state.refused",
            StoreError::Internal(_) => "store.internal",
            StoreError::Ingest(e) => e.reason.code(),
            StoreError::Import { .. } => "import.invalid",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::Canonical(e) => e.code(),
            StoreError::Ruleset(e) => e.code(),
            StoreError::Register { source, .. } => source.code(),
        }
    }
}

impl StoreError {
    /// True for errors caused by what the user typed or supplied (CLI exit code 2).
    pub fn is_user_error(&self) -> bool {
        matches!(
            self,
            StoreError::Invalid(_)
                | StoreError::NotFound { .. }
                | StoreError::Ambiguous { .. }
                | StoreError::Refused(_)
                | StoreError::Import { .. }
                | StoreError::Ingest(_)
                | StoreError::Canonical(_)
                | StoreError::Ruleset(_)
                | StoreError::Register { .. }
        )
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
