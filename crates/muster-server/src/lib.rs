//! Muster's shared sync server (docs/design/sync-plan.md): the `Storage` trait and its SQLite
//! and PostgreSQL backends. Accounts, memberships, verified push with quarantine, heads, pull by rank, alerts.
//! The HTTP router (`router`, `serve`) only translates between `muster_sync::wire` and `Storage`.

mod common;
pub mod error;
pub mod postgres;
pub mod router;
pub mod sqlite;
pub mod storage;

pub use error::ServerError;
pub use postgres::PgStorage;
pub use router::{router, router_with, serve, tls_config, ServeError, ServeOptions, TlsFiles};
pub use sqlite::SqliteStorage;
pub use storage::{Caller, ClockPolicy, PushOutcome, RawPull, RawPulled, Storage};
