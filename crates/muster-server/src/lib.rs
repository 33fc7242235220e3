//! Muster's shared sync server (docs/design/sync-plan.md): the `Storage` trait and its SQLite
//! backend. Accounts, memberships, verified push with quarantine, heads, pull by rank, alerts.
//! The HTTP router comes next and only translates between `muster_sync::wire` and `Storage`.

pub mod error;
pub mod sqlite;
pub mod storage;

pub use error::ServerError;
pub use sqlite::SqliteStorage;
pub use storage::{Caller, PushOutcome, Storage};
