//! Muster's desktop console: a Tauri 2 shell over the same library API the CLI uses. The
//! commands are thin (see `commands`); the status-prompt scheduler, the store-change probe and the
//! sync loop (`sync`) run in the background and push events to the window, which never polls.

pub mod bench;
#[cfg(test)]
mod bindings;
pub mod breach_commands;
pub mod breach_dto;
mod command_names;
pub mod commands;
pub mod dto;
pub mod error;
pub mod scheduler;
pub mod state;
pub mod sync;
pub mod sync_commands;
pub mod sync_dto;
pub mod systems_dto;
pub mod timeline;

use std::path::PathBuf;
use std::time::Duration;

use muster_store::{Muster, OpenOptions, StoreError};
use tauri::{Manager, Runtime};

pub use command_names::COMMANDS;
use state::AppState;

#[derive(Debug, thiserror::Error)]
pub enum DesktopError {
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the window system failed: {0}")]
    Tauri(#[from] tauri::Error),
}

/// `--data-dir DIR`, else MUSTER_HOME, else the user's data directory (as the CLI).
pub fn data_dir_from(args: &[String]) -> Result<PathBuf, DesktopError> {
    let mut it = args.iter().skip(1);
    while let Some(arg) = it.next() {
        if let Some(dir) = arg.strip_prefix("--data-dir=") {
            return Ok(PathBuf::from(dir));
        }
        if arg == "--data-dir" {
            return it
                .next()
                .map(PathBuf::from)
                .ok_or_else(|| DesktopError::Usage("--data-dir needs a directory".into()));
        }
    }
    if let Some(home) = std::env::var_os("MUSTER_HOME").filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(home));
    }
    dirs::data_dir().map(|d| d.join("muster")).ok_or_else(|| {
        DesktopError::Usage("no data directory for this user: pass --data-dir or set MUSTER_HOME".into())
    })
}

/// Watches the database for commits made by other processes (the CLI, an import) and tells the
/// window; our own writes are announced where they are made.
fn spawn_change_probe<R: Runtime>(app: tauri::AppHandle<R>, mut probe: muster_store::ChangeProbe) {
    std::thread::spawn(move || loop {
        std::thread::sleep(Duration::from_millis(400));
        let state = app.state::<AppState>();
        match probe.changed() {
            Ok(true) if state.since_start_ms().saturating_sub(state.last_own_write_ms()) > 1_000 => {
                state.changed(&app, None, "external");
            }
            Ok(_) => {}
            Err(e) => eprintln!("muster-desktop: change probe failed: {e}"),
        }
    });
}

/// The app over one installation, for any runtime (the real window system, or Tauri's mock
/// runtime in tests): plugins, state, commands, and the background tasks started at setup.
pub fn app_builder<R: Runtime>(muster: Muster) -> Result<tauri::Builder<R>, DesktopError> {
    let probe = muster.store().change_probe()?;
    Ok(tauri::Builder::<R>::new()
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(muster))
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::set_operator,
            commands::list_incidents,
            commands::open_incident,
            commands::use_incident,
            commands::load_demo,
            commands::incident_board,
            commands::timeline_query,
            commands::add_note,
            commands::amend_note,
            commands::retract_entry,
            commands::assign_role,
            commands::relieve_role,
            commands::offer_handover,
            commands::accept_handover,
            commands::cancel_handover,
            commands::post_status,
            commands::snooze_prompt,
            commands::set_cadence,
            commands::set_severity,
            commands::record_decision,
            commands::approve_decision,
            commands::close_incident,
            commands::reopen_incident,
            commands::ui_mark,
            breach_commands::breach_view,
            breach_commands::set_scope,
            breach_commands::classify_incident,
            breach_commands::review_classification,
            breach_commands::record_trigger,
            breach_commands::record_communication,
            breach_commands::decide_notification,
            breach_commands::record_delay,
            breach_commands::escalation_done,
            breach_commands::systems_view,
            breach_commands::import_systems,
            breach_commands::export_file,
            breach_commands::isolation_impact,
            breach_commands::propose_isolation,
            breach_commands::sign_off_isolation,
            breach_commands::carry_out_isolation,
            breach_commands::rate_system,
            sync_commands::sync_status,
            sync_commands::sync_now,
            sync_commands::sync_login,
            sync_commands::sync_logout,
            sync_commands::sync_share,
            sync_commands::sync_unshare,
            sync_commands::sync_alerts,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(scheduler::run(handle.clone()));
            spawn_change_probe(handle.clone(), probe);
            sync::spawn(handle.clone());
            sync::spawn_live_channel(handle);
            Ok(())
        }))
}

/// The app's configuration, capabilities and embedded UI (src-tauri/tauri.conf.json).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

pub fn run(args: Vec<String>) -> Result<(), DesktopError> {
    let data_dir = data_dir_from(&args)?;
    let muster = Muster::open(&data_dir, OpenOptions::default())?;
    let app = app_builder::<tauri::Wry>(muster)?.build(context())?;
    app.run(|_, _| {});
    Ok(())
}
