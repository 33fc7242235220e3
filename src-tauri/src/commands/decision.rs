//! The decision log: record and approve.

use muster_store::DecisionInput;
use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn record_decision<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    incident_ref: String,
    input: DecisionInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&incident_ref), |m| {
        let id = incident(m, &incident_ref)?;
        Ok(Written::of(&m.record_decision(id, input)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn approve_decision<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ApproveInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.approve_decision(id, &input.decision, position("position", &input.position)?)?))
    })
}
