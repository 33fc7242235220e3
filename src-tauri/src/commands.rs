//! Tauri commands: each parses its input, calls the library (`muster_store::Muster`) and maps
//! the result to a view. No domain logic lives here.

use muster_core::prompts::prompt_clocks;
use muster_core::severity::SEVERITIES;
use muster_core::{IncidentId, Position, Severity};
use muster_store::{DecisionInput, HandoverInput, Muster};
use tauri::{AppHandle, Runtime, State};

use crate::dto::*;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use crate::timeline::MAX_PAGE;

type App<'a> = State<'a, AppState>;

fn incident(m: &Muster, reference: &str) -> IpcResult<IncidentId> {
    Ok(m.resolve_incident(reference)?)
}

fn position(field: &str, slug: &str) -> IpcResult<Position> {
    Ok(Position::parse_user(field, slug)?)
}

fn severity(field: &str, s: &str) -> IpcResult<Severity> {
    Ok(Severity::parse_user(field, s)?)
}

fn event_time(
    m: &Muster,
    field: &str,
    typed: Option<&str>,
) -> IpcResult<Option<chrono::DateTime<chrono::FixedOffset>>> {
    match typed.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => Ok(Some(m.clock().zone().parse_user_time(field, t, m.clock().now())?)),
    }
}

fn app_info_of(m: &Muster, state: &AppState) -> IpcResult<AppInfo> {
    let now = m.clock().now();
    let current = m.current_incident(None).ok().map(|i| i.to_string());
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").into(),
        data_dir: m.data_dir().display().to_string(),
        operator: m.operator()?,
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
    state.write(&app, None, |m| Ok(m.set_operator_name(&name)?))?;
    state.read(|m| app_info_of(m, &state))
}

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
                status: i.status.as_str().into(),
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
    let (id, s, now_ms, obligations) = state.read(|m| {
        let id = incident(m, &incident_ref)?;
        let s = m.structure(id)?;
        let obligations = m.obligations(&s, &m.rulebook()?);
        Ok((id, s, m.clock().now().timestamp_millis(), obligations))
    })?;
    let latest = state.latest(id, 8)?;
    let mut board = Board::of(&s, &prompt_clocks(&s), latest, &state.zone, now_ms);
    board.deadlines = DeadlineView::open(&obligations, &state.zone);
    Ok(board)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn timeline_query<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    query: TimelineQuery,
) -> IpcResult<TimelinePage> {
    if query.limit > MAX_PAGE {
        return Err(IpcError::new("input.invalid", format!("limit: at most {MAX_PAGE} rows per query")));
    }
    let id = state.read(|m| incident(m, &query.incident))?;
    state.timeline_query(&app, id, &query)
}

#[tauri::command(rename_all = "snake_case")]
pub async fn add_note<R: Runtime>(app: AppHandle<R>, state: App<'_>, input: NoteInput) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let at = event_time(m, "occurred_at", input.occurred_at.as_deref())?;
        Ok(Written::of(&m.add_note(id, &input.text, at)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn amend_note<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: AmendInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let at = event_time(m, "occurred_at", input.occurred_at.as_deref())?;
        let text = input.text.as_deref().filter(|t| !t.trim().is_empty());
        Ok(Written::of(&m.amend(id, &input.target, &input.reason, text, at)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn retract_entry<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: RetractInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.retract(id, &input.target, &input.reason)?))
    })
}

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
    input: HandoverOfferInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let offer = HandoverInput {
            to: input.to.clone(),
            situation: input.situation.clone(),
            objectives: input.objectives.clone(),
        };
        Ok(Written::of(&m.offer_handover(id, &offer)?))
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

#[tauri::command(rename_all = "snake_case")]
pub async fn record_decision<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: DecisionInputView,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let approvals_required = input
            .approvals_required
            .iter()
            .map(|p| position("approvals_required", p))
            .collect::<IpcResult<Vec<_>>>()?;
        let decision = DecisionInput {
            question: input.question.clone(),
            options: input.options.iter().filter(|o| !o.trim().is_empty()).cloned().collect(),
            choice: input.choice.clone(),
            rationale: input.rationale.clone(),
            authority: input.authority.clone().filter(|a| !a.trim().is_empty()),
            supersedes: input.supersedes.clone().filter(|s| !s.trim().is_empty()),
            approvals_required,
        };
        Ok(Written::of(&m.record_decision(id, decision)?))
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

/// A timing mark from the UI (first paint, timeline shown, filter applied), written as a JSON
/// line to the file named by MUSTER_BENCH_MARKS when the benchmark script sets it; otherwise
/// ignored.
#[tauri::command(rename_all = "snake_case")]
pub async fn ui_mark(state: App<'_>, name: String, value_ms: f64) -> IpcResult<()> {
    crate::bench::record(&state, &name, value_ms);
    Ok(())
}
