//! The timeline: pages of it, one entry in detail, notes, amendments and retractions.

use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::{IpcError, IpcResult};
use crate::timeline_index::{row_view, MAX_PAGE};
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_query<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    query: TimelineQuery,
) -> IpcResult<TimelinePage> {
    if query.limit > MAX_PAGE {
        return Err(IpcError::invalid("limit", format!("at most {MAX_PAGE} rows per query")));
    }
    let id = state.read(|m| incident(m, &query.incident))?;
    state.timeline_query(&app, id, &query)
}

/// One entry in full: its row (with the original words and every correction), the device that
/// signed it and, for a decision, its approvals as they stand.
#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_entry(state: App<'_>, input: EntryRef) -> IpcResult<EntryDetail> {
    state.read(|m| {
        let id = incident(m, &input.incident)?;
        let item = m.timeline_item(id, &input.entry)?;
        let mut row = row_view(&item, &state.zone);
        row.clock_skew_ms = m.clock_flags(id)?.get(&item.entry_id).map(|s| *s as f64);
        let decision = m
            .structure(id)?
            .decisions
            .iter()
            .find(|d| d.entry_id == item.entry_id)
            .map(|d| DecisionView::of(d, &state.zone));
        Ok(EntryDetail {
            row,
            device_id: item.device_id.to_string(),
            this_device: m.device_id()? == Some(item.device_id),
            decision,
        })
    })
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
