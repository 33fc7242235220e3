//! Muster's shared sync server (docs/design/sync-plan.md): the `Storage` trait and its SQLite
//! backend. Accounts, memberships, verified push with quarantine, heads, pull by rank, alerts.
//! The HTTP router (`router`, `serve`) only translates between `muster_sync::wire` and `Storage`.

pub mod error;
pub mod router;
pub mod sqlite;
pub mod storage;

pub use error::ServerError;
pub use router::{router, serve};
pub use sqlite::SqliteStorage;
pub use storage::{Caller, PushOutcome, Storage};
