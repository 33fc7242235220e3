//! Muster's desktop console: a Tauri 2 shell over the same library API the CLI uses. The
//! commands are thin (`commands/`, by domain, answering with the shapes in `views/`); the
//! status-prompt scheduler, the store-change probe and the sync loop (`sync_loop`) run in the
//! background and push events to the window, which never polls.

pub mod bench;
#[cfg(test)]
mod bindings;
mod command_names;
pub mod commands;
pub mod error;
pub mod scheduler;
pub mod state;
pub mod sync_loop;
pub mod timeline_index;
pub mod views;

use std::path::PathBuf;
use std::time::Duration;

use muster_store::{Muster, OpenOptions, StoreError};
use tauri::{Manager, Runtime};

pub use command_names::COMMANDS;

/// Every event the backend pushes to the window (`app.emit`), for what relays them elsewhere
/// (the browser tests' bridge). A unit test keeps it in step with the `EVENT_*` constants.
pub const EVENTS: &[&str] = &[
    state::EVENT_STORE_CHANGED,
    state::EVENT_PROMPT_FIRED,
    state::EVENT_DEADLINE_FIRED,
    state::EVENT_TIMELINE_INDEXED,
    sync_loop::EVENT_SYNC_STATUS,
];
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
        if state.is_shut_down() {
            return;
        }
        match probe.changed() {
            Ok(true) if state.since_start_ms().saturating_sub(state.last_own_write_ms()) > 1_000 => {
                state.changed(&app, None, views::ChangeSource::External);
            }
            Ok(_) => {}
            Err(e) => tracing::error!("change probe failed: {e}"),
        }
    });
}

/// The app over one installation, for any runtime (the real window system, or Tauri's mock
/// runtime in tests): plugins, state, commands, and the background tasks started at setup.
pub fn app_builder<R: Runtime>(muster: Muster) -> Result<tauri::Builder<R>, DesktopError> {
    let probe = muster.change_probe()?;
    Ok(tauri::Builder::<R>::new()
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(muster))
        .invoke_handler(tauri::generate_handler![
            commands::app::app_info,
            commands::app::set_operator,
            commands::incident::list_incidents,
            commands::incident::open_incident,
            commands::incident::use_incident,
            commands::incident::load_demo,
            commands::incident::incident_board,
            commands::timeline::timeline_query,
            commands::timeline::timeline_entry,
            commands::timeline::add_note,
            commands::timeline::amend_note,
            commands::timeline::retract_entry,
            commands::roster::assign_role,
            commands::roster::relieve_role,
            commands::roster::offer_handover,
            commands::roster::accept_handover,
            commands::roster::cancel_handover,
            commands::status::post_status,
            commands::status::snooze_prompt,
            commands::status::set_cadence,
            commands::status::set_severity,
            commands::decision::record_decision,
            commands::decision::approve_decision,
            commands::incident::close_incident,
            commands::incident::reopen_incident,
            commands::app::ui_mark,
            commands::breach::breach_view,
            commands::breach::set_scope,
            commands::breach::classify_incident,
            commands::breach::review_classification,
            commands::breach::record_trigger,
            commands::breach::record_communication,
            commands::breach::decide_notification,
            commands::breach::record_delay,
            commands::breach::escalation_done,
            commands::systems::systems_view,
            commands::systems::import_systems,
            commands::systems::export_file,
            commands::systems::isolation_impact,
            commands::systems::propose_isolation,
            commands::systems::sign_off_isolation,
            commands::systems::carry_out_isolation,
            commands::systems::rate_system,
            commands::sync::sync_status,
            commands::sync::sync_now,
            commands::sync::sync_login,
            commands::sync::sync_logout,
            commands::sync::sync_share,
            commands::sync::sync_unshare,
            commands::sync::sync_alerts,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(scheduler::run(handle.clone()));
            spawn_change_probe(handle.clone(), probe);
            sync_loop::spawn(handle.clone());
            sync_loop::spawn_live_channel(handle);
            Ok(())
        }))
}

/// What the app does with the events of its run loop, on any runtime: at exit its background
/// tasks end.
pub fn on_run_event<R: Runtime>(app: &tauri::AppHandle<R>, event: &tauri::RunEvent) {
    if let tauri::RunEvent::Exit = event {
        app.state::<AppState>().shut_down();
    }
}

/// The app's configuration, capabilities and embedded UI (src-tauri/tauri.conf.json).
pub fn context<R: Runtime>() -> tauri::Context<R> {
    tauri::generate_context!()
}

pub fn run(args: Vec<String>) -> Result<(), DesktopError> {
    let data_dir = data_dir_from(&args)?;
    let muster = Muster::open(&data_dir, OpenOptions::default())?;
    let app = app_builder::<tauri::Wry>(muster)?.build(context())?;
    app.run(|app, event| on_run_event(app, &event));
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The source files that may push events to the window.
    const SOURCES: &[&str] = &[
        include_str!("lib.rs"),
        include_str!("state.rs"),
        include_str!("scheduler.rs"),
        include_str!("sync_loop.rs"),
        include_str!("timeline_index.rs"),
        include_str!("commands/app.rs"),
        include_str!("commands/breach.rs"),
        include_str!("commands/decision.rs"),
        include_str!("commands/incident.rs"),
        include_str!("commands/mod.rs"),
        include_str!("commands/roster.rs"),
        include_str!("commands/status.rs"),
        include_str!("commands/sync.rs"),
        include_str!("commands/systems.rs"),
        include_str!("commands/timeline.rs"),
    ];

    #[test]
    fn events_names_every_event_constant_and_every_emit_uses_one() {
        let mut declared: Vec<String> = SOURCES
            .iter()
            .flat_map(|s| s.lines())
            .filter_map(|l| l.trim().strip_prefix("pub const EVENT_"))
            .filter_map(|l| l.split('"').nth(1).map(str::to_string))
            .collect();
        declared.sort();
        let mut listed: Vec<String> = super::EVENTS.iter().map(|e| e.to_string()).collect();
        listed.sort();
        assert_eq!(declared, listed);
        // An event named by a string literal at the call would escape the list (tests aside).
        let code = SOURCES.iter().map(|s| s.split("#[cfg(test)]\nmod tests").next().unwrap_or_default());
        for line in code.flat_map(str::lines) {
            if let Some((_, rest)) = line.split_once(".emit(") {
                assert!(!rest.trim_start().starts_with('"'), "an event named inline: {line}");
            }
        }
    }
}
