//! The roster and command handover.

use muster_store::HandoverInput;
use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn assign_role<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: AssignInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.assign_role(id, position("position", &input.position)?, &input.person)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn relieve_role<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: RelieveInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let p = position("position", &input.position)?;
        Ok(Written::of(&m.relieve_role(id, p, None, input.reason.as_deref())?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn offer_handover<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    incident_ref: String,
    input: HandoverInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&incident_ref), |m| {
        let id = incident(m, &incident_ref)?;
        Ok(Written::of(&m.offer_handover(id, &input)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn accept_handover<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    incident_ref: String,
) -> IpcResult<Vec<Written>> {
    state.write(&app, Some(&incident_ref), |m| {
        let id = incident(m, &incident_ref)?;
        Ok(m.accept_handover(id)?.iter().map(Written::of).collect())
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn cancel_handover<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ReasonInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.cancel_handover(id, &input.reason)?))
    })
}
