//! Taking an entry from another device into a stream: the rules every receiver holds a stream
//! to (the client store's ingest and import, the sync server's push) and the words they refuse
//! with. Kept here, with no storage, so that client and server cannot drift apart: both read a
//! stream's `Head` from their own database and ask it whether it `admits` the next entry.

use thiserror::Error;

use crate::entry::Entry;
use crate::error::{BodyError, ErrorCode, ValidationError, VerifyError};
use crate::hlc::Hlc;
use crate::ids::Hash32;

/// Why an entry from another device was refused. `code()` is stable and shared by the client
/// (`muster-store`) and the server (`muster-server`'s error bodies).
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

/// The last entry of a stream as a receiver has stored it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Head {
    pub seq: u64,
    pub hash: Hash32,
    pub hlc: Hlc,
}

impl Head {
    /// The head of a stream not yet started.
    pub const EMPTY: Head = Head { seq: 0, hash: Hash32::ZERO, hlc: Hlc::ZERO };

    /// Whether `e` may be the next entry of this stream: the next seq, chained onto this head,
    /// with a later HLC. Ingest, import and the server's push all hold every stream to these rules.
    pub fn admits(&self, e: &Entry) -> Result<(), IngestReason> {
        if e.seq() != self.seq + 1 {
            return Err(IngestReason::SeqGap { head: self.seq, expected: self.seq + 1, got: e.seq() });
        }
        if e.envelope.prev_hash != self.hash {
            return Err(IngestReason::PrevHashMismatch {
                expected: self.hash.to_string(),
                got: e.envelope.prev_hash.to_string(),
            });
        }
        if self.seq > 0 && e.hlc() <= self.hlc {
            return Err(IngestReason::HlcNotIncreasing {
                previous: format!("{}.{}", self.hlc.wall_ms, self.hlc.counter),
                got: format!("{}.{}", e.hlc().wall_ms, e.hlc().counter),
            });
        }
        Ok(())
    }

    /// The head a stream has once `e` is stored as its last entry.
    pub fn of(e: &Entry) -> Head {
        Head { seq: e.seq(), hash: e.hash(), hlc: e.hlc() }
    }
}
