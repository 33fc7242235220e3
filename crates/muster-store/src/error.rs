use muster_core::error::{BodyError, CanonicalError, ErrorCode, ValidationError, VerifyError};
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

/// Why an entry from another device was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IngestReason {
    #[error("{0}")]
    Verify(#[from] VerifyError),
    #[error("{0}")]
    Invalid(#[from] ValidationError),
    #[error("{0}")]
    Body(#[from] BodyError),
    #[error("seq {got} does not follow the stream head {head} (expected {expected})")]
    SeqGap { head: u64, expected: u64, got: u64 },
    #[error("prev_hash {got} is not the hash of the previous entry of the stream ({expected})")]
    PrevHashMismatch { expected: String, got: String },
    #[error("equivocation: a different entry ({existing}) is already stored at this stream position")]
    Equivocation { existing: String },
    #[error("its HLC {got} is not after the HLC {previous} of the previous entry of its stream")]
    HlcNotIncreasing { previous: String, got: String },
    #[error("entry id already used by a different entry")]
    IdReused,
    #[error(
        "its clock reads {ahead} ahead of this computer's clock (more than a day): set aside, so that it cannot move this laptop's clock"
    )]
    ClockAhead { ahead: String, ahead_ms: u64 },
}

impl IngestReason {
    pub fn code(&self) -> &'static str {
        match self {
            IngestReason::Verify(e) => e.code(),
            IngestReason::Invalid(_) => "ingest.invalid",
            IngestReason::Body(_) => "ingest.malformed_body",
            IngestReason::SeqGap { .. } => "ingest.seq_gap",
            IngestReason::PrevHashMismatch { .. } => "ingest.prev_hash_mismatch",
            IngestReason::Equivocation { .. } => "ingest.equivocation",
            IngestReason::HlcNotIncreasing { .. } => "ingest.hlc_not_increasing",
            IngestReason::IdReused => "ingest.id_reused",
            IngestReason::ClockAhead { .. } => "ingest.clock_ahead",
        }
    }
}

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
