//! Embedded migrations. `PRAGMA user_version` holds the schema version; a database from a newer
//! Muster is refused before anything is written to it.

use rusqlite::Connection;

use crate::error::{Result, StoreError};

/// Migrations in order; index + 1 is the version each one produces. Never edit a shipped one.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/0001_log.sql"),
    include_str!("../migrations/0002_command.sql"),
    include_str!("../migrations/0003_breach.sql"),
    include_str!("../migrations/0004_sync.sql"),
    include_str!("../migrations/0005_clock_flags.sql"),
    include_str!("../migrations/0006_correction_history.sql"),
    include_str!("../migrations/0007_on_behalf.sql"),
];

pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub fn migrate(conn: &mut Connection, path: &str) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew { path: path.to_string(), found, supported: SCHEMA_VERSION });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(usize::try_from(found).unwrap_or(0)) {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Exclusive)?;
        // Another process may have migrated while we waited for the lock.
        let now: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if now > i as i64 {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
        tx.commit()?;
    }
    Ok(())
}
