//! The sync commands: each a few lines over `muster_sync::session`, as the CLI's `login`,
//! `share`, `unshare` and `sync`. Network calls run on a blocking thread with a connection of
//! their own, never under `AppState`'s mutex; the loop (`sync`) does the syncing itself and is
//! poked when something here changes what it should do.

use muster_core::DeviceId;
use muster_store::Muster;
use muster_sync::session;
use muster_wire::Role;

use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use crate::views::*;
use crate::views::{format_ms, ms};

use super::App;

/// Runs network work off the async workers, on an installation opened for it.
async fn on_own_connection<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut Muster) -> IpcResult<T> + Send + 'static,
) -> IpcResult<T> {
    let dir = state.data_dir().to_path_buf();
    let options = state.open_options();
    tauri::async_runtime::spawn_blocking(move || f(&mut Muster::open(&dir, options)?))
        .await
        .map_err(|e| IpcError::new("app.internal", format!("the sync task stopped: {e}")))?
}

fn incident_id(state: &AppState, reference: &str) -> IpcResult<muster_core::IncidentId> {
    state.read(|m| Ok(m.resolve_incident(reference)?))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_status(state: App<'_>) -> IpcResult<SyncStatus> {
    Ok(state.sync.status())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_now(state: App<'_>) -> IpcResult<SyncStatus> {
    state.sync.poke();
    Ok(state.sync.status())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_login(state: App<'_>, input: SyncLoginInput) -> IpcResult<SyncLoggedIn> {
    // The device key is created (if it must be) by the window's own installation, never twice.
    state.muster()?.device_key()?;
    let outcome = on_own_connection(&state, move |m| {
        let ca = input.ca_cert.as_deref().map(str::trim).filter(|pem| !pem.is_empty());
        Ok(session::login_with_ca(m, &input.server, &input.user, &input.token, ca)?)
    })
    .await?;
    state.sync.poke();
    Ok(SyncLoggedIn { server: outcome.server, user: outcome.user, device: outcome.device.short() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_logout(state: App<'_>) -> IpcResult<SyncStatus> {
    state.read(|m| Ok(session::logout(m)?))?;
    state.sync.poke();
    Ok(state.sync.status())
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_share(state: App<'_>, input: ShareInput) -> IpcResult<Shared> {
    let incident = incident_id(&state, &input.incident)?;
    let role = if input.commander { Role::Commander } else { Role::Member };
    let user = input.user.trim().to_string();
    let with = user.clone();
    on_own_connection(&state, move |m| {
        Ok(session::share(m, &session::client_for(m)?, incident, &with, role)?)
    })
    .await?;
    state.sync.poke();
    Ok(Shared { incident: incident.to_string(), user, role: role.as_str().into() })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sync_unshare(state: App<'_>, input: UnshareInput) -> IpcResult<Shared> {
    let incident = incident_id(&state, &input.incident)?;
    let user = input.user.trim().to_string();
    let with = user.clone();
    on_own_connection(&state, move |m| Ok(session::unshare(&session::client_for(m)?, incident, &with)?))
        .await?;
    Ok(Shared { incident: incident.to_string(), user, role: "removed".into() })
}

fn seq(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn short(d: &DeviceId) -> String {
    d.short()
}

/// Alerts and set-aside entries of one incident, for the banner where people work.
#[tauri::command(rename_all = "snake_case")]
pub async fn sync_alerts(state: App<'_>, incident_ref: String) -> IpcResult<SyncEvidence> {
    state.read(|m| {
        let id = m.resolve_incident(&incident_ref)?;
        let alerts = m
            .sync_alert_rows(id)?
            .into_iter()
            .map(|a| SyncAlertView {
                description: session::alert_description(&a.kind),
                kind: a.kind,
                device: short(&a.device),
                seq: seq(a.seq),
                pushed_by: a.pushed_by,
                received_ms: ms(a.received_ms),
                received_text: format_ms(&state.zone, a.received_ms),
            })
            .collect();
        let conflicts = m
            .pulled_quarantine_rows(id)?
            .into_iter()
            .map(|q| SetAsideView {
                description: session::set_aside_description(&q.reason),
                device: short(&q.device),
                seq: seq(q.seq),
                reason: q.reason,
                received_ms: ms(q.received_ms),
                received_text: format_ms(&state.zone, q.received_ms),
            })
            .collect();
        Ok(SyncEvidence { incident: id.to_string(), alerts, conflicts })
    })
}
