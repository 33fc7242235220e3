//! The IPC commands, by domain: each parses its input, calls the library (`muster_store::Muster`)
//! and maps the result to a view (`crate::views`). No domain logic lives here.

pub mod app;
pub mod breach;
pub mod decision;
pub mod incident;
pub mod roster;
pub mod status;
pub mod sync;
pub mod systems;
pub mod timeline;

use muster_core::{IncidentId, Position, Severity};
use muster_store::Muster;
use tauri::State;

use crate::error::IpcResult;
use crate::state::AppState;
use crate::views::Written;

pub(crate) type App<'a> = State<'a, AppState>;

pub(crate) fn incident(m: &Muster, reference: &str) -> IpcResult<IncidentId> {
    Ok(m.resolve_incident(reference)?)
}

pub(crate) fn position(field: &str, slug: &str) -> IpcResult<Position> {
    Ok(Position::parse_user(field, slug)?)
}

pub(crate) fn severity(field: &str, s: &str) -> IpcResult<Severity> {
    Ok(Severity::parse_user(field, s)?)
}

pub(crate) fn event_time(
    m: &Muster,
    field: &str,
    typed: Option<&str>,
) -> IpcResult<Option<chrono::DateTime<chrono::FixedOffset>>> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Ok(Some(m.clock().zone().parse_user_time(field, t, m.clock().now())?)),
    }
}

pub(crate) fn time(m: &Muster, field: &str, typed: &str) -> IpcResult<chrono::DateTime<chrono::FixedOffset>> {
    Ok(m.clock().zone().parse_user_time(field, typed.trim(), m.clock().now())?)
}

pub(crate) fn opt_time(
    m: &Muster,
    field: &str,
    typed: Option<&str>,
) -> IpcResult<Option<chrono::DateTime<chrono::FixedOffset>>> {
    typed.map(str::trim).filter(|t| !t.is_empty()).map(|t| time(m, field, t)).transpose()
}

pub(crate) fn list<T>(
    items: &[String],
    parse: impl Fn(&str) -> Result<T, muster_core::ValidationError>,
) -> IpcResult<Vec<T>> {
    Ok(items.iter().map(|i| parse(i)).collect::<Result<Vec<T>, _>>()?)
}

pub(crate) fn written(entries: &[muster_core::Entry]) -> Vec<Written> {
    entries.iter().map(Written::of).collect()
}
