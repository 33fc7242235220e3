//! The limits every body respects, and the text checks the bodies share. Enforced on local writes
//! and on every received entry, so a misbehaving client cannot store a 1 GB note.

use crate::error::ValidationError;
use crate::ids::EntryId;

pub const MAX_TITLE: usize = 200;
pub const MAX_PERSON: usize = 120;
pub const MAX_SHORT_TEXT: usize = 1_000;
pub const MAX_LONG_TEXT: usize = 20_000;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_SUPERSEDES: usize = 64;
pub const MAX_CADENCE_MINUTES: u32 = 24 * 60;
pub const MAX_SNOOZE_MINUTES: u32 = 4 * 60;
pub const MAX_BRIEFING_ITEMS: usize = 200;

pub(crate) fn bounded_text(
    field: &str,
    value: &str,
    max: usize,
    multiline: bool,
) -> Result<(), ValidationError> {
    if value.chars().count() > max {
        return Err(ValidationError::new(field, value, format!("longer than {max} characters")));
    }
    let bad = value.chars().find(|c| c.is_control() && !(multiline && (*c == '\n' || *c == '\t')));
    if let Some(c) = bad {
        return Err(ValidationError::new(
            field,
            value,
            format!("contains the control character U+{:04X}", c as u32),
        ));
    }
    Ok(())
}

pub(crate) fn short_text(field: &str, value: &str, max: usize) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, value, "must not be empty"));
    }
    bounded_text(field, value, max, false)
}

pub(crate) fn long_text(field: &str, value: &str) -> Result<(), ValidationError> {
    if value.trim().is_empty() {
        return Err(ValidationError::new(field, value, "must not be empty"));
    }
    bounded_text(field, value, MAX_LONG_TEXT, true)
}

pub(crate) fn opt_long_text(field: &str, value: Option<&str>) -> Result<(), ValidationError> {
    value.map_or(Ok(()), |v| long_text(field, v))
}

pub(crate) fn supersedes(field: &str, ids: &[EntryId]) -> Result<(), ValidationError> {
    if ids.len() > MAX_SUPERSEDES {
        return Err(ValidationError::new(
            field,
            ids.len().to_string(),
            format!("at most {MAX_SUPERSEDES} entries"),
        ));
    }
    Ok(())
}
