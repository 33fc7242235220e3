//! The scheduler: a background task that computes every open incident's status-prompt clocks
//! and regulatory deadlines from the log. It fires an in-app prompt and an OS notification when
//! a status update falls due and again when it becomes overdue (escalated to the incident
//! commander), and a reminder when a notification deadline is a day away, an hour away and
//! overdue; then it sleeps until the next clock changes or the store does. Nothing is kept but
//! which firings were shown, so after a restart every due or overdue one fires again from the
//! log (a deadline in its current stage only).

use std::collections::HashSet;
use std::time::Duration;

use muster_core::breach::rules::clocks::{deadline_stage, next_deadline_change, DeadlineStage};
use muster_core::prompts::{next_change_ms, prompt_clocks, PromptState};
use muster_core::IncidentStatus;
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tauri_plugin_notification::NotificationExt;

use crate::error::IpcResult;
use crate::state::{AppState, EVENT_DEADLINE_FIRED, EVENT_PROMPT_FIRED};
use crate::views::{format_ms, ms, DeadlineFired, PositionView, PromptAlarm, PromptFired};

/// Wake at least this often, so a changed system clock is noticed (a test's clock says when it
/// moves: `AppState::clock_moved`).
const MAX_SLEEP_MS: i64 = 30_000;

/// What is due now and when to look again.
struct Scan {
    prompts: Vec<PromptFired>,
    deadlines: Vec<(DeadlineStage, DeadlineFired)>,
    next_ms: Option<i64>,
}

fn earliest(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn scan(state: &AppState, now_ms: i64) -> IpcResult<Scan> {
    state.read(|m| {
        let mut out = Scan { prompts: Vec::new(), deadlines: Vec::new(), next_ms: None };
        let now = chrono::DateTime::from_timestamp_millis(now_ms).unwrap_or_default();
        // Read once per scan: the rules in force (the last valid ruleset if a file is broken).
        let rules = m.rulebook()?;
        for (incident, status) in m.incident_statuses()? {
            if status != IncidentStatus::Open {
                continue;
            }
            let s = m.structure(incident)?;
            let title = s.title.clone().unwrap_or_default();
            let clocks = prompt_clocks(&s);
            out.next_ms = earliest(out.next_ms, next_change_ms(&clocks, now_ms));
            for c in clocks {
                let st = match c.state(now_ms) {
                    PromptState::Waiting | PromptState::Snoozed => continue,
                    PromptState::Due => PromptAlarm::Due,
                    PromptState::Overdue => PromptAlarm::Overdue,
                };
                out.prompts.push(PromptFired {
                    incident: incident.to_string(),
                    incident_title: title.clone(),
                    position: PositionView::of(&c.position),
                    holders: c.holders.clone(),
                    state: st,
                    due_ms: ms(c.due_ms),
                    due_text: format_ms(&state.zone, c.due_ms),
                });
            }
            let obligations = m.obligations(&s, &rules);
            out.next_ms =
                earliest(out.next_ms, next_deadline_change(&obligations, now).map(|t| t.timestamp_millis()));
            for o in &obligations {
                let (Some(stage), Some(due)) = (deadline_stage(o, now), o.due) else { continue };
                out.deadlines.push((
                    stage,
                    DeadlineFired {
                        incident: incident.to_string(),
                        incident_title: title.clone(),
                        rule: o.rule.clone(),
                        recipient: o.recipient.clone(),
                        citation: o.citation.clone(),
                        stage: stage.into(),
                        due_ms: ms(due.timestamp_millis()),
                        due_text: format_ms(&state.zone, due.timestamp_millis()),
                    },
                ));
            }
        }
        Ok(out)
    })
}

/// The OS notification of a deadline reminder: rule, recipient and time only. The incident's
/// title and entries stay in the window (they may hold PHI).
fn deadline_notice(stage: DeadlineStage, d: &DeadlineFired) -> (String, String) {
    let when = match stage {
        DeadlineStage::Overdue => "Overdue",
        DeadlineStage::HourBefore => "Within the hour",
        DeadlineStage::DayBefore => "Within 24 hours",
    };
    (format!("{when}: notify {}", d.recipient), format!("{} ({}): due {}", d.rule, d.citation, d.due_text))
}

/// The OS notification of a status prompt: staff names and positions only, no entry text
/// (which may hold PHI).
fn prompt_notice(p: &PromptFired) -> (String, String) {
    let who = if p.holders.is_empty() { String::new() } else { format!(" ({})", p.holders.join(", ")) };
    if p.state == PromptAlarm::Overdue {
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
    }
}

/// Pushes a firing to the window and shows it as an OS notification. The OS call may wait on
/// D-Bus, so it runs off the async workers; if it fails the window still shows the firing.
fn fire<R: Runtime, P: serde::Serialize>(
    app: &AppHandle<R>,
    event: &str,
    payload: &P,
    notice: (String, String),
) {
    if let Err(e) = app.emit(event, payload) {
        tracing::warn!("could not push {event} to the window: {e}");
    }
    let handle = app.clone();
    let (title, body) = notice;
    tauri::async_runtime::spawn_blocking(move || {
        if let Err(e) = handle.notification().builder().title(title).body(body).show() {
            tracing::warn!("OS notification not shown ({e}); the window shows it");
        }
    });
}

pub async fn run<R: Runtime>(app: AppHandle<R>) {
    let mut shown: HashSet<(String, String, i64, String)> = HashSet::new();
    loop {
        let state = app.state::<AppState>();
        if state.is_shut_down() {
            return;
        }
        let now_ms = state.now().timestamp_millis();
        let next = match scan(&state, now_ms) {
            Ok(found) => {
                for p in found.prompts {
                    let key = (
                        p.incident.clone(),
                        p.position.slug.clone(),
                        p.due_ms as i64,
                        format!("{:?}", p.state),
                    );
                    if shown.insert(key) {
                        fire(&app, EVENT_PROMPT_FIRED, &p, prompt_notice(&p));
                    }
                }
                for (stage, d) in found.deadlines {
                    let key = (
                        d.incident.clone(),
                        format!("deadline:{}", d.rule),
                        d.due_ms as i64,
                        format!("{:?}", d.stage),
                    );
                    if shown.insert(key) {
                        fire(&app, EVENT_DEADLINE_FIRED, &d, deadline_notice(stage, &d));
                    }
                }
                found.next_ms
            }
            Err(e) => {
                tracing::error!("scheduler scan failed: {} ({})", e.code, e.message);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deadline_notification_names_the_stage_rule_and_time_never_the_incident_title() {
        let d = DeadlineFired {
            incident: "01a2".into(),
            incident_title: "Records of patient J. Doe emailed to the wrong clinic".into(),
            rule: "gdpr.authority".into(),
            recipient: "Lead supervisory authority".into(),
            citation: "GDPR Art. 33(1)".into(),
            stage: DeadlineStage::HourBefore.into(),
            due_ms: 0.0,
            due_text: "2026-11-24 10:30 Europe/Berlin".into(),
        };
        let cases = [
            (DeadlineStage::DayBefore, "Within 24 hours: notify Lead supervisory authority"),
            (DeadlineStage::HourBefore, "Within the hour: notify Lead supervisory authority"),
            (DeadlineStage::Overdue, "Overdue: notify Lead supervisory authority"),
        ];
        for (stage, title) in cases {
            let (t, body) = deadline_notice(stage, &d);
            assert_eq!(t, title);
            assert_eq!(body, "gdpr.authority (GDPR Art. 33(1)): due 2026-11-24 10:30 Europe/Berlin");
            assert!(!t.contains("Doe") && !body.contains("Doe"), "no incident title in the OS: {t} / {body}");
        }
    }
}
