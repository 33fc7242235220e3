//! The status-prompt scheduler: a background task that computes every open incident's prompt
//! clocks from the log, fires an in-app prompt and an OS notification when an update falls due
//! and again when it becomes overdue (escalated to the incident commander), then sleeps until
//! the next clock changes or the store does. Nothing is kept but which firings were shown, so
//! after a restart every due or overdue prompt fires again from the log.

use std::collections::HashSet;
use std::time::Duration;

use muster_core::prompts::{next_change_ms, prompt_clocks, PromptState};
use muster_core::IncidentStatus;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::dto::{format_ms, ms, PositionView, PromptFired};
use crate::error::IpcResult;
use crate::state::{AppState, EVENT_PROMPT_FIRED};

/// Wake at least this often, so a changed system clock is noticed.
const MAX_SLEEP_MS: i64 = 30_000;

/// What is due now and when to look again.
fn scan(state: &AppState, now_ms: i64) -> IpcResult<(Vec<PromptFired>, Option<i64>)> {
    state.read(|m| {
        let mut fired = Vec::new();
        let mut next: Option<i64> = None;
        for (incident, status) in m.store().incident_statuses()? {
            if status != IncidentStatus::Open {
                continue;
            }
            let s = m.structure(incident)?;
            let clocks = prompt_clocks(&s);
            next = match (next, next_change_ms(&clocks, now_ms)) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            for c in clocks {
                let st = match c.state(now_ms) {
                    PromptState::Waiting => continue,
                    PromptState::Due => "due",
                    PromptState::Overdue => "overdue",
                };
                fired.push(PromptFired {
                    incident: incident.to_string(),
                    incident_title: s.title.clone().unwrap_or_default(),
                    position: PositionView::of(&c.position),
                    holders: c.holders.clone(),
                    state: st.into(),
                    due_ms: ms(c.due_ms),
                    due_text: format_ms(&state.zone, c.due_ms),
                });
            }
        }
        Ok((fired, next))
    })
}

fn notify_os<R: Runtime>(app: &AppHandle<R>, p: &PromptFired) {
    let who = if p.holders.is_empty() { String::new() } else { format!(" ({})", p.holders.join(", ")) };
    let (title, body) = if p.state == "overdue" {
        (
            format!("Overdue: {} status update", p.position.title),
            format!(
                "{}{who} is overdue since {}. Escalated to the incident commander.",
                p.position.title, p.due_text
            ),
        )
    } else {
        (
            format!("Status update due: {}", p.position.title),
            format!("{}{who}: due {}", p.position.title, p.due_text),
        )
    };
    // Staff names and positions only: no entry text (which may hold PHI) goes to the OS.
    if let Err(e) = app.notification().builder().title(title).body(body).show() {
        eprintln!("muster-desktop: OS notification not shown ({e}); the in-app prompt still is");
    }
}

pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let mut shown: HashSet<(String, String, i64, String)> = HashSet::new();
    loop {
        let state = app.state::<AppState>();
        let now_ms = chrono::Utc::now().timestamp_millis();
        let next = match scan(&state, now_ms) {
            Ok((fired, next)) => {
                for p in fired {
                    let key = (p.incident.clone(), p.position.slug.clone(), p.due_ms as i64, p.state.clone());
                    if shown.insert(key) {
                        if let Err(e) = app.emit(EVENT_PROMPT_FIRED, &p) {
                            eprintln!("muster-desktop: could not push a prompt to the window: {e}");
                        }
                        // The OS call may wait on D-Bus: keep it off the async workers.
                        let handle = app.clone();
                        tauri::async_runtime::spawn_blocking(move || notify_os(&handle, &p));
                    }
                }
                next
            }
            Err(e) => {
                eprintln!("muster-desktop: status-prompt scan failed: {} ({})", e.code, e.message);
                None
            }
        };
        let wait_ms = next.map_or(MAX_SLEEP_MS, |t| (t - now_ms).clamp(20, MAX_SLEEP_MS));
        let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(1_000));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = state.scheduler_wake.notified() => {}
        }
    }
}
