//! The timeline: pages of it, notes, amendments and retractions.

use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::{IpcError, IpcResult};
use crate::timeline_index::MAX_PAGE;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_query<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    query: TimelineQuery,
) -> IpcResult<TimelinePage> {
    if query.limit > MAX_PAGE {
        return Err(IpcError::new("input.invalid", format!("limit: at most {MAX_PAGE} rows per query")));
    }
    let id = state.read(|m| incident(m, &query.incident))?;
    state.timeline_query(&app, id, &query)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_note<R: Runtime>(app: AppHandle<R>, state: App<'_>, input: NoteInput) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let at = event_time(m, "occurred_at", input.occurred_at.as_deref())?;
        Ok(Written::of(&m.add_note(id, &input.text, at)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn amend_note<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: AmendInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let at = event_time(m, "occurred_at", input.occurred_at.as_deref())?;
        let text = input.text.as_deref().filter(|t| !t.trim().is_empty());
        Ok(Written::of(&m.amend(id, &input.target, &input.reason, text, at)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retract_entry<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: RetractInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.retract(id, &input.target, &input.reason)?))
    })
}
