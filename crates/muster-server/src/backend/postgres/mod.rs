//! The PostgreSQL backend (tokio-postgres, deadpool-postgres pool, no TLS: the database is
//! local or on a private network). Every procedure runs on one pooled connection in one
//! transaction: `Access::Read` is a read-only `REPEATABLE READ` snapshot, `Access::Write` is
//! `READ COMMITTED`, where `lock_incident` takes the incident's row lock (`FOR NO KEY UPDATE`)
//! until the end: pushes and membership changes of one incident are serial (ranks are assigned
//! gaplessly under it, alert ids of an incident become visible in order), other incidents'
//! go on in parallel. The data operations are in `data.rs`.

mod access;
mod data;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use tokio_postgres::{Client, NoTls};

use crate::backend::{Access, Database, Procedure};
use crate::error::ServerError;
use crate::storage::Result;

/// Migrations in order; index + 1 is the version each produces (a row of `muster_schema`).
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/postgres/0001_server.sql"),
    include_str!("../../../migrations/postgres/0002_clock_ahead.sql"),
    include_str!("../../../migrations/postgres/0003_entry_ids_per_incident.sql"),
    include_str!("../../../migrations/postgres/0004_revocation.sql"),
    include_str!("../../../migrations/postgres/0005_audit.sql"),
    include_str!("../../../migrations/postgres/0006_recorder_mismatch.sql"),
];
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Serialises concurrent migrations of one database (`pg_advisory_xact_lock`).
const MIGRATION_LOCK: i64 = 0x6d75_7374_6572; // "muster"

/// At most this many connections per server process.
const POOL_SIZE: usize = 16;

/// The PostgreSQL backend. Cheap to clone (shared pool).
#[derive(Clone)]
pub struct PgStorage {
    pool: Pool,
    shown: String,
}

impl std::fmt::Debug for PgStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStorage").field("database", &self.shown).finish_non_exhaustive()
    }
}

/// The URL without its password, for messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s + 3 => {
            let user = url[s + 3..at].split(':').next().unwrap_or("");
            format!("{}{user}@{}", &url[..s + 3], &url[at + 1..])
        }
        _ => url.to_string(),
    }
}

fn unavailable(e: impl std::fmt::Display) -> ServerError {
    ServerError::Unavailable(e.to_string())
}

impl PgStorage {
    /// Connects to the database at `url` (`postgres://user@host:port/db`), creating or
    /// migrating the schema, and refusing one from a newer Muster before changing anything in
    /// it. Pooled connections are opened lazily, on the runtime that uses them.
    pub async fn connect(url: &str) -> Result<PgStorage> {
        let shown = redact(url);
        let config: tokio_postgres::Config =
            url.parse().map_err(|e| unavailable(format!("bad PostgreSQL URL {shown}: {e}")))?;
        let (mut client, connection) = config.connect(NoTls).await.map_err(unavailable)?;
        let driver = tokio::spawn(connection);
        let migrated = migrate(&mut client, &shown).await;
        drop(client);
        // The connection ends once its client is gone.
        let _ = driver.await;
        migrated?;
        let manager =
            Manager::from_config(config, NoTls, ManagerConfig { recycling_method: RecyclingMethod::Fast });
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .build()
            .map_err(|e| ServerError::Internal(e.to_string()))?;
        Ok(PgStorage { pool, shown })
    }

    /// The database, as shown in messages (no password).
    pub fn database(&self) -> &str {
        &self.shown
    }
}

async fn migrate(client: &mut Client, shown: &str) -> Result<()> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK]).await?;
    let exists: bool = tx.query_one("SELECT to_regclass('muster_schema') IS NOT NULL", &[]).await?.get(0);
    let found: i64 = if exists {
        tx.query_one("SELECT coalesce(max(version), 0)::bigint FROM muster_schema", &[]).await?.get(0)
    } else {
        0
    };
    if found > SCHEMA_VERSION {
        return Err(ServerError::SchemaTooNew { path: shown.to_string(), found, supported: SCHEMA_VERSION });
    }
    if !exists {
        tx.batch_execute("CREATE TABLE muster_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            .await?;
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO muster_schema (version) VALUES ($1)", &[&(i as i64 + 1)]).await?;
    }
    tx.commit().await?;
    Ok(())
}

impl Database for PgStorage {
    const NAME: &'static str = "postgres";

    async fn run<P: Procedure>(&self, procedure: P) -> Result<P::Output, P::Error> {
        let client = self.pool.get().await.map_err(unavailable)?;
        let mut tx = PgTx::begin(client, P::ACCESS).await?;
        let outcome = procedure.run(&mut tx).await;
        tx.finish(outcome).await
    }
}

/// A pooled connection with the procedure's transaction open. `BEGIN`/`COMMIT`/`ROLLBACK` are
/// issued here rather than through `tokio_postgres::Transaction`, which borrows its client:
/// this owns the connection, so that a procedure is one `'static` value on either backend.
pub(crate) struct PgTx {
    /// `None` only while being dropped.
    client: Option<Object>,
    open: bool,
}

impl PgTx {
    async fn begin(client: Object, access: Access) -> Result<PgTx> {
        let begin = match access {
            Access::Statements => None,
            Access::Read => Some("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"),
            Access::Write => Some("BEGIN"),
        };
        if let Some(sql) = begin {
            client.batch_execute(sql).await?;
        }
        Ok(PgTx { client: Some(client), open: begin.is_some() })
    }

    fn client(&self) -> Result<&Object> {
        self.client.as_ref().ok_or_else(|| ServerError::Internal("the connection is gone".into()))
    }

    /// Commits on `Ok`, rolls back on `Err`.
    async fn finish<T, E: From<ServerError>>(mut self, outcome: Result<T, E>) -> Result<T, E> {
        if !self.open {
            return outcome;
        }
        let end = if outcome.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.client()?.batch_execute(end).await;
        self.open = false;
        match (outcome, ended) {
            (Ok(value), Ok(())) => Ok(value),
            (Ok(_), Err(e)) => Err(E::from(e.into())),
            // The refusal is the answer; a connection that failed to roll back is not reused
            // (`open` is set again so that `Drop` discards it).
            (Err(refusal), Err(_)) => {
                self.open = true;
                Err(refusal)
            }
            (Err(refusal), Ok(())) => Err(refusal),
        }
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        // Dropped with its transaction open (the request was cancelled, or a rollback failed):
        // the connection must not go back to the pool, where the next procedure's `BEGIN` would
        // join this transaction. Taken out of the pool, it is closed.
        if self.open {
            if let Some(client) = self.client.take() {
                drop(Object::take(client));
            }
        }
    }
}

impl std::fmt::Debug for PgTx {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTx").field("open", &self.open).finish_non_exhaustive()
    }
}
