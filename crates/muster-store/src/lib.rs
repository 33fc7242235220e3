//! Muster's local store: the signed log in SQLite (WAL, synchronous=FULL), ingest of entries
//! from other devices, projections rebuilt from the log, tamper verification, device identity
//! in the OS keyring, and the operations the CLI and the desktop app call.
//!
//! The public surface is what this file re-exports, plus [`transfer`] (export and import of a
//! log file). Everything else — rows, projections, schema, demo seeding — is private: callers
//! go through [`Muster`] (the operations, by domain, in `ops/`) or [`Store`] (the log, for the
//! sync engine). [`testing`] opens a few internals to this crate's own integration tests.

mod anchor;
mod clock;
mod demo;
mod error;
mod identity;
mod muster;
mod ops;
mod private_files;
mod projection;
mod rows;
mod rulebook;
mod schema;
mod store;
pub mod transfer;
mod verify;

pub use clock::{Clock, Entropy, FixedClock, OsEntropy, SystemClock};
pub use error::{IngestError, IngestReason, Result, StoreError};
pub use identity::{device_id_of, device_key_account, OsKeyring, SecretStore};
pub use muster::{Muster, OpenOptions, DB_FILE, SETTING_REGISTERED_PERSON};
pub use ops::{CommunicationInput, DecisionInput, DelayInput, HandoverInput, ReviewInput, ScopeInput};
pub use rows::Source;
pub use rulebook::{Rulebook, RulesetProblem, RulesetSource};
pub use store::{ChangeProbe, Draft, IncidentSummary, IngestReport, QuarantineRow, Store, SyncAlertRow};
pub use verify::{Problem, ProblemKind, VerifyReport};

/// Internals that tests reach into to forge what no public operation would write (a raw row,
/// a fork spliced into a stream) or to check the projections against the fold. Not an API.
#[doc(hidden)]
pub mod testing {
    pub use crate::demo::{build_scenario, seed_demo, RANSOMWARE_SCENARIO};
    pub use crate::projection::{structural_kinds, STRUCTURAL_KINDS_SQL};
    pub use crate::rows::insert_entry;
}
