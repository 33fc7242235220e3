//! Muster's shared sync server (docs/design/sync-plan.md): accounts, memberships, verified push
//! with quarantine, heads, pull by rank, alerts, over SQLite or PostgreSQL.
//!
//! How it is laid out (docs/decisions/0021):
//! - `procedures/`: every rule, once, for both databases (`accounts`, `membership`, `push`,
//!   `pull`, `alerts`); `Storage` is implemented there for every backend.
//! - `backend/`: the narrow data-access interface (`Data`, one SQL statement per operation, and
//!   `Database`, which runs a procedure in one transaction) and its two implementations,
//!   `sqlite/` and `postgres/`, which hold SQL and nothing else.
//! - `http/`: the axum router (it only translates between `muster_wire` and `Storage`), the
//!   live channel, the request log, login throttling and push quotas, connection and time
//!   limits, and `serve`.
//! - `audit`: the access log's hash chain and its verification (docs/security.md).
//!
//! Among Muster's crates it depends on `muster-core` and `muster-wire` only; never on a client
//! store (tests/tests/architecture.rs holds it to that).

pub mod audit;
mod backend;
mod codec;
mod error;
mod http;
mod procedures;
mod storage;

pub use backend::postgres::PgStorage;
pub use backend::sqlite::SqliteStorage;
pub use error::ServerError;
pub use http::{
    json_log_layer, plain_http_is_exposed, router, router_with, serve, tls_config, Limits, LoginPolicy,
    QuotaPolicy, ServeError, ServeOptions, TlsFiles, CLIENT_TIME_HEADER, DEFAULT_MAX_CLOCK_SKEW_MS,
    MAX_BODY_BYTES,
};
pub use storage::{
    AdminDevice, AdminSession, AdminUser, Caller, ClockPolicy, MembershipEvent, PushOutcome, Put, RawPull,
    RawPulled, Revoked, SessionPolicy, Storage, DEFAULT_SESSION_IDLE_MS, DEFAULT_SESSION_LIFETIME_MS,
};
