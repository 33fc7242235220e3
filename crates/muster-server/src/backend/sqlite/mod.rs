//! The SQLite backend (rusqlite): WAL, `synchronous=FULL` (an acknowledged push is on disk),
//! one connection behind a mutex (SQLite has one writer anyway). Every procedure runs on
//! tokio's blocking pool with the connection locked, in one transaction: `Access::Write` is
//! `BEGIN IMMEDIATE`, which takes the database's write lock at once, so writers (pushes of any
//! incident, membership changes, a `muster server user add` in another process) are serial
//! and `lock_incident` has nothing to add. The data operations are in `data.rs`.

mod access;
mod data;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use crate::backend::{Access, Database, Procedure};
use crate::error::ServerError;
use crate::storage::Result;

/// Migrations in order; index + 1 is the version each produces (`PRAGMA user_version`).
const MIGRATIONS: &[&str] = &[
    include_str!("../../../migrations/sqlite/0001_server.sql"),
    include_str!("../../../migrations/sqlite/0002_clock_ahead.sql"),
    include_str!("../../../migrations/sqlite/0003_entry_ids_per_incident.sql"),
    include_str!("../../../migrations/sqlite/0004_revocation.sql"),
    include_str!("../../../migrations/sqlite/0005_audit.sql"),
    include_str!("../../../migrations/sqlite/0006_recorder_mismatch.sql"),
];
pub(crate) const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

#[derive(Debug)]
struct Inner {
    conn: Mutex<Connection>,
    path: PathBuf,
}

/// The SQLite backend. Cheap to clone (shared connection).
#[derive(Debug, Clone)]
pub struct SqliteStorage {
    inner: Arc<Inner>,
}

/// The server's database holds every member's notes (PHI): it is created 0600 whatever the
/// umask (SQLite gives its `-wal` and `-shm` the main file's mode), and one left wider is
/// narrowed. Its directory is the operator's to choose and is left alone.
fn owner_only(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        std::fs::OpenOptions::new().write(true).create(true).truncate(false).mode(0o600).open(path)?;
        if std::fs::metadata(path)?.permissions().mode() & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

impl SqliteStorage {
    /// Opens (creating if needed) the server database, refusing one from a newer Muster before
    /// changing anything in it.
    pub fn open(path: &Path) -> Result<SqliteStorage> {
        let shown = path.display().to_string();
        owner_only(path).map_err(|e| ServerError::Unavailable(format!("{shown}: {e}")))?;
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(Duration::from_secs(15))?;
        let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(ServerError::SchemaTooNew { path: shown, found, supported: SCHEMA_VERSION });
        }
        conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Exclusive)?;
            let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            if now > i as i64 {
                continue;
            }
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", i as i64 + 1)?;
            tx.commit()?;
        }
        Ok(SqliteStorage { inner: Arc::new(Inner { conn: Mutex::new(conn), path: path.to_path_buf() }) })
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }
}

fn lock(inner: &Inner) -> Result<MutexGuard<'_, Connection>> {
    inner.conn.lock().map_err(|_| ServerError::Internal("the database connection lock is poisoned".into()))
}

impl Database for SqliteStorage {
    const NAME: &'static str = "sqlite";

    fn run<P: Procedure>(&self, procedure: P) -> impl Future<Output = Result<P::Output, P::Error>> + Send {
        let inner = Arc::clone(&self.inner);
        async move {
            tokio::task::spawn_blocking(move || -> Result<P::Output, P::Error> {
                let mut conn = lock(&inner)?;
                let mut tx = SqliteTx::begin(&mut conn, P::ACCESS)?;
                let outcome = complete(procedure.run(&mut tx))?;
                tx.finish(outcome)
            })
            .await
            .map_err(|e| ServerError::Internal(format!("storage task failed: {e}")))?
        }
    }
}

/// Drives a procedure on this (blocking) thread. Every SQLite data operation is a synchronous
/// call that never waits, so the procedure is done at its first poll; one that is not would be
/// a bug, reported instead of spun on.
fn complete<F: Future>(future: F) -> Result<F::Output> {
    let mut future = pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Ok(output),
        Poll::Pending => Err(ServerError::Internal("a SQLite procedure waited for something".into())),
    }
}

/// The locked connection with the procedure's transaction open. Holds `&mut Connection` (which
/// is `Send`) rather than a `rusqlite::Transaction` (which is not), so that procedures are
/// `Send` futures on both backends; `BEGIN`/`COMMIT`/`ROLLBACK` are issued here.
#[derive(Debug)]
pub(crate) struct SqliteTx<'c> {
    conn: &'c mut Connection,
}

impl<'c> SqliteTx<'c> {
    fn begin(conn: &'c mut Connection, access: Access) -> Result<SqliteTx<'c>> {
        match access {
            Access::Statements => {}
            Access::Read => conn.execute_batch("BEGIN DEFERRED")?,
            Access::Write => conn.execute_batch("BEGIN IMMEDIATE")?,
        }
        Ok(SqliteTx { conn })
    }

    /// Commits on `Ok`; on `Err` (or a failed commit) `Drop` rolls back.
    fn finish<T, E: From<ServerError>>(self, outcome: Result<T, E>) -> Result<T, E> {
        let value = outcome?;
        if !self.conn.is_autocommit() {
            self.conn.execute_batch("COMMIT").map_err(|e| E::from(e.into()))?;
        }
        Ok(value)
    }
}

impl Drop for SqliteTx<'_> {
    fn drop(&mut self) {
        // A transaction still open here was refused, failed to commit, or unwound: nothing of
        // it may stay, and the connection must be clean for the next procedure. (SQLite itself
        // has already rolled back after some errors; then there is nothing to do.)
        if !self.conn.is_autocommit() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }
}
