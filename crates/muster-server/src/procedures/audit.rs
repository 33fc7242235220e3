//! Writing the access log ("Trust nobody" 8): every procedure that changes something appends
//! its row in its own transaction (`append`, taken last, so that the head's lock is held only
//! until the commit); reads, which run in read-only snapshots, are recorded right after in a
//! transaction of their own (`RecordAccess`). What a row may say: who (user name, device,
//! address), which incident, what (an action name), and counts, ranks and user names — never an
//! entry's content, a title or anyone's notes.

use muster_core::{DeviceId, IncidentId};
use serde_json::Value;

use crate::audit::{row_hash, AuditRow, ADMIN_ACTOR, GENESIS};
use crate::backend::{Access, Data, Procedure};
use crate::error::ServerError;
use crate::storage::{Caller, Result};

/// An audit row to append (its seq and hashes are assigned by `append`).
#[derive(Debug, Clone)]
pub(crate) struct AuditEvent {
    pub at_ms: i64,
    pub actor: String,
    pub device: Option<DeviceId>,
    pub incident: Option<IncidentId>,
    pub action: &'static str,
    pub source: String,
    pub detail: Value,
}

impl AuditEvent {
    /// An act of an authenticated caller.
    pub(crate) fn by(
        caller: &Caller,
        action: &'static str,
        incident: Option<IncidentId>,
        at_ms: i64,
    ) -> Self {
        AuditEvent {
            at_ms,
            actor: caller.user.clone(),
            device: Some(caller.device),
            incident,
            action,
            source: caller.address.map_or_else(|| "-".to_owned(), |a| a.to_string()),
            detail: Value::Object(serde_json::Map::new()),
        }
    }

    /// An act of the administrator on the database (`muster server ...`).
    pub(crate) fn admin(action: &'static str, at_ms: i64) -> Self {
        AuditEvent {
            at_ms,
            actor: ADMIN_ACTOR.to_owned(),
            device: None,
            incident: None,
            action,
            source: "cli".to_owned(),
            detail: Value::Object(serde_json::Map::new()),
        }
    }

    pub(crate) fn with(mut self, detail: Value) -> Self {
        self.detail = detail;
        self
    }
}

/// Appends `event` to the chain, inside the caller's write transaction.
pub(crate) async fn append<D: Data>(db: &mut D, event: AuditEvent) -> Result<()> {
    let (last, prev_hash) = db.lock_audit_head().await?;
    let mut row = AuditRow {
        seq: last + 1,
        at_ms: event.at_ms,
        actor: event.actor,
        device: event.device,
        incident: event.incident,
        action: event.action.to_owned(),
        source: event.source,
        detail: event.detail.to_string(),
        prev_hash,
        hash: GENESIS,
    };
    row.hash = row_hash(&row);
    db.insert_audit(&row).await?;
    db.set_audit_head(row.seq, row.hash).await
}

/// A read, recorded after it in its own transaction.
pub(crate) struct RecordAccess(pub AuditEvent);

impl Procedure for RecordAccess {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        append(db, self.0).await
    }
}

/// Rows of the log, for `muster server audit`.
pub(crate) struct AuditPage {
    pub after: u64,
    pub limit: u64,
}

impl Procedure for AuditPage {
    type Output = Vec<AuditRow>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<AuditRow>> {
        db.audit_rows(self.after, self.limit.clamp(1, 10_000)).await
    }
}

pub(crate) struct AuditHead;

impl Procedure for AuditHead {
    type Output = (u64, muster_core::Hash32);
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<(u64, muster_core::Hash32)> {
        db.audit_head().await
    }
}
