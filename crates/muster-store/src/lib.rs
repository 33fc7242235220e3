//! Muster's local store: the signed log in SQLite (WAL, synchronous=FULL), ingest of entries
//! from other devices, projections rebuilt from the log, tamper verification, device identity
//! in the OS keyring, and the operations the CLI and the desktop app call.

pub mod clock;
pub mod demo;
pub mod error;
pub mod identity;
pub mod muster;
pub mod ops;
pub mod projection;
pub mod rows;
pub mod rulebook;
pub mod schema;
pub mod store;
pub mod transfer;
pub mod verify;

pub use clock::{Clock, Entropy, FixedClock, OsEntropy, SystemClock};
pub use error::{IngestError, IngestReason, Result, StoreError};
pub use identity::{OsKeyring, SecretStore};
pub use muster::{Muster, OpenOptions, DB_FILE};
pub use ops::{CommunicationInput, DecisionInput, DelayInput, HandoverInput, ReviewInput, ScopeInput};
pub use rows::Source;
pub use rulebook::{Rulebook, RulesetProblem, RulesetSource};
pub use store::{ChangeProbe, Draft, IncidentSummary, IngestReport, QuarantineRow, Store, SyncAlertRow};
pub use verify::{Problem, ProblemKind, VerifyReport};
