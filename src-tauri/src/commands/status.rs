//! Status updates, snoozes, cadences and the incident's severity.

use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn post_status<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: StatusInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let p = input.position.as_deref().map(|p| position("position", p)).transpose()?;
        Ok(Written::of(&m.post_status(id, p, &input.conditions, &input.actions, &input.needs)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn snooze_prompt<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: SnoozeInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.snooze_status(
            id,
            position("position", &input.position)?,
            input.minutes,
            &input.reason,
        )?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_cadence<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: CadenceInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let p = input.position.as_deref().map(|p| position("position", p)).transpose()?;
        let sev = input.severity.as_deref().map(|s| severity("severity", s)).transpose()?;
        Ok(Written::of(&m.set_cadence(id, p, sev, input.minutes)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_severity<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: SeverityInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let sev = severity("severity", &input.severity)?;
        Ok(Written::of(&m.set_severity(id, sev, input.rationale.as_deref())?))
    })
}
