//! The app itself: who is acting, the installation, and the UI's timing marks.

use muster_core::severity::SEVERITIES;
use muster_store::Muster;
use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::state::AppState;
use crate::views::*;

fn app_info_of(m: &Muster, state: &AppState) -> IpcResult<AppInfo> {
    let now = m.clock().now();
    let current = m.current_incident(None).ok().map(|i| i.to_string());
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: m.data_dir().display().to_string(),
        operator: m.operator()?,
        operator_named: m.operator_name()?.is_some(),
        device: m.device_id()?.map(|d| d.short()),
        zone: state.zone.name(),
        zone_abbreviation: state.zone.format(now).rsplit(' ').next().unwrap_or_default().to_string(),
        now_ms: ms(now.timestamp_millis()),
        positions: muster_core::position::KNOWN_POSITIONS.iter().map(PositionView::of).collect(),
        severities: SEVERITIES.iter().copied().map(severity_info).collect(),
        current_incident: current,
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn app_info(state: App<'_>) -> IpcResult<AppInfo> {
    state.read(|m| app_info_of(m, &state))
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_operator<R: Runtime>(app: AppHandle<R>, state: App<'_>, name: String) -> IpcResult<AppInfo> {
    state.write_settings(&app, None, |m| Ok(m.set_operator_name(&name)?))?;
    state.read(|m| app_info_of(m, &state))
}

/// A timing mark from the UI (first paint, timeline shown, filter applied), written as a JSON
/// line to the file named by MUSTER_BENCH_MARKS when the benchmark script sets it; otherwise
/// ignored.
#[tauri::command(rename_all = "snake_case")]
pub async fn ui_mark(state: App<'_>, name: String, value_ms: f64) -> IpcResult<()> {
    crate::bench::record(&state, &name, value_ms);
    Ok(())
}
