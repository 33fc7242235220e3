//! Reading what people type on the command line: positions and times (in the viewer's zone).

use anyhow::Result;
use muster_core::Position;
use muster_store::{Muster, StoreError};

pub fn parse_position(field: &str, text: &str) -> Result<Position> {
    Ok(Position::parse_user(field, text).map_err(StoreError::from)?)
}

pub fn parse_time(
    m: &Muster,
    field: &str,
    text: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>> {
    let clock = m.clock();
    match text {
        None => Ok(None),
        Some(t) => Ok(Some(clock.zone().parse_user_time(field, t, clock.now()).map_err(StoreError::from)?)),
    }
}
