//! The fold: a set of entries -> the state of an incident. Deterministic: entries are applied in
//! (HLC, device, seq) order after removing duplicate ids, so the same set in any arrival order
//! gives the same state and the same digest.
//!
//! [`state`] holds what the fold produces (the incident's state and its records); [`builder`]
//! applies entries one by one.

mod authority;
mod builder;
mod state;

pub use authority::UnauthorisedAct;
pub use state::*;

use crate::entry::Entry;
use crate::error::FoldError;
use crate::ids::{EntryId, IdSet, IncidentId};

use builder::Builder;

/// Folds entries of one incident into its state.
pub fn fold(
    incident_id: IncidentId,
    entries: impl IntoIterator<Item = Entry>,
) -> Result<IncidentState, FoldError> {
    let mut slots: Vec<Option<Entry>> = Vec::new();
    for e in entries {
        if e.incident_id() != incident_id {
            return Err(FoldError::ForeignEntry {
                entry: e.id().to_string(),
                expected: incident_id.to_string(),
                found: e.incident_id().to_string(),
            });
        }
        slots.push(Some(e));
    }
    // Sort indices, not entries: moving whole entries around would dominate large folds.
    let mut order: Vec<(crate::entry::OrderKey, crate::ids::EntryId, usize)> = slots
        .iter()
        .enumerate()
        .filter_map(|(i, e)| e.as_ref().map(|e| (e.order_key(), e.id(), i)))
        .collect();
    order.sort_unstable();

    let mut builder = Builder::new(incident_id, order.len());
    let mut seen: IdSet<EntryId> = IdSet::with_capacity_and_hasher(order.len(), Default::default());
    for (_, id, i) in order {
        if !seen.insert(id) {
            continue;
        }
        if let Some(e) = slots[i].take() {
            builder.apply(e);
        }
    }
    Ok(builder.finish())
}
