//! Reading the log: the incident's stream heads and last rank, and pull by rank.

use muster_core::IncidentId;
use muster_wire::{HeadsResponse, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT};

use super::membership::require_member;
use crate::backend::{Access, Data, Procedure};
use crate::error::ServerError;
use crate::storage::{Caller, RawPull, Result};

/// A pull's page size: 0 means the default, otherwise clamped to the maximum.
fn pull_limit(limit: u64) -> u64 {
    if limit == 0 {
        DEFAULT_PULL_LIMIT
    } else {
        limit.min(MAX_PULL_LIMIT)
    }
}

pub(crate) struct Heads {
    pub caller: Caller,
    pub incident: IncidentId,
}

impl Procedure for Heads {
    type Output = HeadsResponse;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<HeadsResponse> {
        require_member(db, &self.caller, self.incident).await?;
        Ok(HeadsResponse {
            last_rank: db.last_rank(self.incident).await?,
            heads: db.stream_heads(self.incident).await?,
        })
    }
}

/// Entries with `rank > after`, at most `limit` (see `pull_limit`), as stored JSON.
pub(crate) struct Pull {
    pub caller: Caller,
    pub incident: IncidentId,
    pub after: u64,
    pub limit: u64,
}

impl Procedure for Pull {
    type Output = RawPull;
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<RawPull> {
        let Pull { caller, incident, after, limit } = self;
        require_member(db, &caller, incident).await?;
        let last = db.last_rank(incident).await?;
        if after > last {
            // A cursor from the future: the server was restored from a backup, say.
            return Err(ServerError::BadCursor { after, last_rank: last });
        }
        let entries = db.entries_after(incident, after, pull_limit(limit)).await?;
        let next = entries.last().map_or(after, |e| e.rank);
        Ok(RawPull { entries, next, more: next < last })
    }
}
