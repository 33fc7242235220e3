//! Incidents: list, open, use, the demo, the board, close and reopen.

use muster_core::prompts::prompt_clocks;
use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn list_incidents(state: App<'_>) -> IpcResult<Vec<IncidentRow>> {
    state.read(|m| {
        let incidents = m.incidents()?;
        let mut rows = Vec::with_capacity(incidents.len());
        for i in incidents {
            let severity = m.structure(i.id)?.severity().map(|s| s.label().to_string());
            rows.push(IncidentRow {
                id: i.id.to_string(),
                short: i.id.short(),
                title: i.title.clone().unwrap_or_else(|| "(not yet received)".into()),
                drill: i.drill,
                status: i.status.into(),
                severity,
                commanders: i.commanders.clone(),
                entry_count: i.entry_count as f64,
                opened_ms: i.opened.as_ref().map(|o| ms(o.at.utc_ms)),
                opened_text: i.opened.as_ref().map(|o| format_ms(&state.zone, o.at.utc_ms)),
                last_activity_ms: i.last_activity_ms as f64,
            });
        }
        Ok(rows)
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn open_incident<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: OpenIncidentInput,
) -> IpcResult<Opened> {
    let sev = severity("severity", &input.severity)?;
    let (id, _) = state.write(&app, None, |m| {
        Ok(m.open_incident(
            &input.title,
            input.drill,
            input.description.as_deref(),
            input.commander.as_deref(),
            sev,
        )?)
    })?;
    Ok(Opened { incident: id.to_string(), short: id.short() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn use_incident(state: App<'_>, incident_ref: String) -> IpcResult<Opened> {
    state.read(|m| {
        let id = incident(m, &incident_ref)?;
        m.use_incident(id)?;
        Ok(Opened { incident: id.to_string(), short: id.short() })
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn load_demo<R: Runtime>(app: AppHandle<R>, state: App<'_>) -> IpcResult<Opened> {
    let (id, _) = state.write(&app, None, |m| Ok(m.load_demo()?))?;
    Ok(Opened { incident: id.to_string(), short: id.short() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn incident_board(state: App<'_>, incident_ref: String) -> IpcResult<Board> {
    let (id, s, now_ms, obligations, checklist, preview) = state.read(|m| {
        let id = incident(m, &incident_ref)?;
        let s = m.structure(id)?;
        let rules = m.rulebook()?;
        let obligations = m.obligations(&s, &rules);
        let checklist = m.checklist(&s, &rules);
        let preview = m.briefing(&s, "", "")?;
        Ok((id, s, m.clock().now().timestamp_millis(), obligations, checklist, preview))
    })?;
    let latest = state.latest(id, 8)?;
    let clocks = prompt_clocks(&s);
    let mut board = Board::of(&s, &clocks, latest, &state.zone, now_ms);
    board.deadlines = DeadlineView::open(&obligations, &state.zone);
    board.alerts = AlertView::all(&clocks, &checklist, &obligations, &state.zone);
    board.handover_preview = Some(BriefingView::of(&preview, &state.zone));
    Ok(board)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn close_incident<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ReasonInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.close_incident(id, &input.reason)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn reopen_incident<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ReasonInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.reopen_incident(id, &input.reason)?))
    })
}
