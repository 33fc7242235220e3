//! The operations people perform, by domain, as one library API for the CLI, the desktop app
//! and tests. Each checks its input against the current state, then appends signed entries
//! (through `Muster::append`).

mod breach;
mod correction;
mod decision;
mod incident;
mod roster;
mod status;
mod systems;

pub use breach::{CommunicationInput, DelayInput, ReviewInput, ScopeInput};
pub use decision::DecisionInput;
pub use roster::HandoverInput;

use muster_core::body::MAX_PERSON;
use muster_core::{Position, ValidationError};

use crate::error::{Result, StoreError};

pub(crate) fn sorted_unique<T: Ord + Clone>(items: &[T]) -> Vec<T> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}

pub(crate) fn opt_text(s: Option<&str>) -> Option<String> {
    s.map(|t| t.trim().to_string()).filter(|t| !t.is_empty())
}

pub(crate) fn dedup_positions(positions: &[Position]) -> Vec<Position> {
    let mut out: Vec<Position> = Vec::new();
    for p in positions {
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    out
}

pub(crate) fn validate_person(field: &str, person: &str) -> Result<(), ValidationError> {
    let p = person.trim();
    if p.is_empty() {
        return Err(ValidationError::new(field, person, "must not be empty"));
    }
    if p.chars().count() > MAX_PERSON {
        return Err(ValidationError::new(field, person, format!("longer than {MAX_PERSON} characters")));
    }
    if p.chars().any(char::is_control) {
        return Err(ValidationError::new(field, person, "contains a control character"));
    }
    Ok(())
}

pub(crate) fn one_match<T: Copy>(
    what: &'static str,
    reference: &str,
    matches: Vec<T>,
    short: impl Fn(&T) -> String,
) -> Result<T> {
    let cleaned: String = reference.trim_start_matches('#').chars().filter(|c| *c != '-').collect();
    if cleaned.len() < 4 || !cleaned.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(ValidationError::new(
            what,
            reference,
            "give a full id or at least 4 hex digits of its end (#1a2b3c4d)",
        )
        .into());
    }
    match matches.as_slice() {
        [] => Err(StoreError::NotFound { what, value: reference.to_string() }),
        [one] => Ok(*one),
        many => Err(StoreError::Ambiguous {
            what,
            value: reference.to_string(),
            candidates: many.iter().take(5).map(|m| format!("#{}", short(m))).collect::<Vec<_>>().join(", "),
        }),
    }
}
