//! Alerts: the quarantined entries of an incident (equivocations and forks), with the stored
//! entry each conflicts with when the server holds it. Written by `push`.

use muster_core::IncidentId;
use muster_wire::Alert;

use super::membership::require_member;
use crate::backend::{Access, Data, Procedure};
use crate::codec::{decode_entry, u64_of};
use crate::error::ServerError;
use crate::storage::{Caller, Result};

/// Alerts with `id > after`.
pub(crate) struct Alerts {
    pub caller: Caller,
    pub incident: IncidentId,
    pub after: u64,
}

impl Procedure for Alerts {
    type Output = Vec<Alert>;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<Vec<Alert>> {
        require_member(db, &self.caller, self.incident).await?;
        db.alerts_after(self.incident, self.after)
            .await?
            .into_iter()
            .map(|a| {
                Ok(Alert {
                    id: u64_of(a.id),
                    kind: a.kind,
                    device: a.device,
                    seq: a.seq,
                    existing_entry: a.existing_json.as_deref().map(decode_entry).transpose()?,
                    quarantined_entry: decode_entry(&a.quarantined_json)?,
                    pushed_by: a.pushed_by,
                    received_ms: a.received_ms,
                })
            })
            .collect()
    }
}
