//! Tauri commands of the breach screens: each parses its input, calls the library and maps the
//! result to a view.

use muster_core::breach::*;
use muster_core::Severity;
use muster_store::{CommunicationInput, DelayInput, Muster, ReviewInput, ScopeInput};
use tauri::{AppHandle, Manager, Runtime, State};

use crate::breach_dto::*;
use crate::dto::Written;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use crate::systems_dto::*;

type App<'a> = State<'a, AppState>;

fn incident(m: &Muster, reference: &str) -> IpcResult<muster_core::IncidentId> {
    Ok(m.resolve_incident(reference)?)
}

fn time(m: &Muster, field: &str, typed: &str) -> IpcResult<chrono::DateTime<chrono::FixedOffset>> {
    Ok(m.clock().zone().parse_user_time(field, typed.trim(), m.clock().now())?)
}

fn opt_time(
    m: &Muster,
    field: &str,
    typed: Option<&str>,
) -> IpcResult<Option<chrono::DateTime<chrono::FixedOffset>>> {
    typed.map(str::trim).filter(|t| !t.is_empty()).map(|t| time(m, field, t)).transpose()
}

fn list<T>(
    items: &[String],
    parse: impl Fn(&str) -> Result<T, muster_core::ValidationError>,
) -> IpcResult<Vec<T>> {
    Ok(items.iter().map(|i| parse(i)).collect::<Result<Vec<T>, _>>()?)
}

fn written(entries: &[muster_core::Entry]) -> Vec<Written> {
    entries.iter().map(Written::of).collect()
}

#[tauri::command(rename_all = "snake_case")]
pub async fn breach_view(state: App<'_>, incident_ref: String) -> IpcResult<BreachView> {
    state.read(|m| {
        let id = incident(m, &incident_ref)?;
        let s = m.structure(id)?;
        let rules = m.rulebook()?;
        let preview = m.classification_preview(&s, &rules);
        let obligations = m.obligations(&s, &rules);
        let checklist = m.checklist(&s, &rules);
        Ok(BreachView::of(
            id.to_string(),
            &s,
            &rules,
            &preview,
            &obligations,
            &checklist,
            &state.zone,
            m.clock().now(),
        ))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn set_scope<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ScopeFormInput,
) -> IpcResult<Written> {
    let affected = input
        .affected
        .iter()
        .map(|a| {
            let jurisdiction = Jurisdiction::parse("affected", &a.jurisdiction)?;
            if !(a.individuals.is_finite() && a.individuals >= 0.0 && a.individuals.fract() == 0.0) {
                return Err(muster_core::ValidationError::new(
                    "affected",
                    a.individuals.to_string(),
                    "the number of individuals is a whole number, 0 or more",
                ));
            }
            Ok(Affected { jurisdiction, individuals: a.individuals as u64 })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let systems = input
        .systems
        .iter()
        .map(|s| {
            system_id("systems", s.system.trim())?;
            Ok(ScopedSystem {
                system: s.system.trim().to_string(),
                criticality: SystemCriticality::parse_user("systems", &s.criticality)?,
            })
        })
        .collect::<Result<Vec<_>, muster_core::ValidationError>>()?;
    let scope = ScopeInput {
        affected: Some(affected),
        data: Some(list(&input.data, |d| DataCategory::parse_user("data", d))?),
        exposure: Some(list(&input.exposure, |d| Exposure::parse_user("exposure", d))?),
        systems: Some(systems),
        roles: Some(list(&input.roles, |d| OrgRole::parse_user("roles", d))?),
        litigation_exposure: Some(input.litigation_exposure),
    };
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.set_scope(id, scope)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn classify_incident<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ClassifyInput,
) -> IpcResult<Vec<Written>> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(written(&m.classify(id, input.rationale.as_deref())?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn review_classification<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ReviewFormInput,
) -> IpcResult<Vec<Written>> {
    let severity = input
        .severity
        .as_deref()
        .filter(|s| !s.trim().is_empty())
        .map(|s| Severity::parse_user("severity", s))
        .transpose()?;
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let review = ReviewInput {
            classification: None,
            confirm: input.confirm,
            severity,
            major: input.major,
            rationale: input.rationale.clone(),
        };
        Ok(written(&m.review_classification(id, review)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_trigger<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: TriggerInput,
) -> IpcResult<Written> {
    let kind = TriggerKind::parse_user("trigger", &input.trigger)?;
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let at = time(m, "at", &input.at)?;
        Ok(Written::of(&m.record_trigger(id, kind, at, input.note.as_deref())?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_communication<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: CommunicationFormInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let sent_at = opt_time(m, "sent_at", input.sent_at.as_deref())?;
        let comm = CommunicationInput {
            recipient: input.recipient.clone(),
            channel: input.channel.clone(),
            summary: input.summary.clone(),
            sent_at,
            obligations: input.obligations.clone(),
        };
        Ok(Written::of(&m.record_communication(id, comm)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn decide_notification<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: NotificationInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.decide_notification(id, &input.rule, input.notify, &input.rationale, None)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn record_delay<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: DelayFormInput,
) -> IpcResult<Written> {
    let basis = DelayBasis::parse_user("basis", &input.basis)?;
    let regime = match input.regime.as_deref() {
        Some(r) => DelayRegime::parse_user("regime", r)?,
        None => DelayRegime::default(),
    };
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let from = time(m, "from", &input.from)?;
        let until = opt_time(m, "until", input.until.as_deref())?;
        let delay = DelayInput {
            basis,
            agency: input.agency.clone(),
            statement: input.statement.clone(),
            from,
            until,
            regime,
        };
        Ok(Written::of(&m.record_delay(id, delay)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn escalation_done<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: EscalationInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.escalation_done(id, &input.rule, input.note.as_deref())?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn systems_view(state: App<'_>, incident_ref: String) -> IpcResult<SystemsView> {
    state.read(|m| {
        let id = incident(m, &incident_ref)?;
        let s = m.structure(id)?;
        let operator = m.operator()?;
        let needs = |system: &str| m.impact(&s, system).map(|i| i.needs_clinical_signoff).unwrap_or(false);
        Ok(SystemsView::of(id.to_string(), &s, &operator, needs, &state.zone))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn import_systems<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: RegisterInput,
) -> IpcResult<Written> {
    if input.csv.len() > 2_000_000 {
        return Err(IpcError::new("input.invalid", "csv: a register file is at most 2 MB"));
    }
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.register_systems(id, &input.file_name, &input.csv)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn isolation_impact(state: App<'_>, input: SystemRef) -> IpcResult<ImpactView> {
    state.read(|m| {
        let id = incident(m, &input.incident)?;
        let s = m.structure(id)?;
        Ok(ImpactView::of(&m.impact(&s, &input.system)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn propose_isolation<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ProposeInput,
) -> IpcResult<Written> {
    let action = IsolationAction::parse_user("action", &input.action)?;
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        let (entry, _) = m.propose_isolation(id, &input.system, action, &input.reason)?;
        Ok(Written::of(&entry))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn sign_off_isolation<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: SignoffInput,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.sign_off(id, Some(&input.proposal), input.approved, &input.note)?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn carry_out_isolation<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ProposalRef,
) -> IpcResult<Written> {
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.carry_out(id, Some(&input.proposal))?))
    })
}

#[tauri::command(rename_all = "snake_case")]
pub async fn rate_system<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: RateInput,
) -> IpcResult<Written> {
    let status = FunctionalStatus::parse_user("status", &input.status)?;
    state.write(&app, Some(&input.incident), |m| {
        let id = incident(m, &input.incident)?;
        Ok(Written::of(&m.rate_system(id, &input.system, status, input.comment.as_deref())?))
    })
}

/// Where exported files go: the user's Downloads folder when the desktop names one that
/// exists, else `exports/` in the installation's data directory (always writable, offline).
fn export_dir<R: Runtime>(app: &AppHandle<R>, state: &AppState) -> IpcResult<std::path::PathBuf> {
    if let Some(downloads) = app.path().download_dir().ok().filter(|d| d.is_dir()) {
        return Ok(downloads);
    }
    let dir = state.data_dir().join("exports");
    std::fs::create_dir_all(&dir)
        .map_err(|e| IpcError::new("export.unwritable", format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Saves the register or the deadlines of an incident to a new file and says where. Written
/// to a temporary name and renamed, so a crash never leaves half a file under the real name.
#[tauri::command(rename_all = "snake_case")]
pub async fn export_file<R: Runtime>(
    app: AppHandle<R>,
    state: App<'_>,
    input: ExportInput,
) -> IpcResult<Saved> {
    let (id, text, what, extension, summary) = state.read(|m| {
        let id = incident(m, &input.incident)?;
        let s = m.structure(id)?;
        match input.kind.trim() {
            "systems-csv" => {
                let csv = m.register_csv(&s)?;
                let rows = csv.lines().count().saturating_sub(1);
                Ok((id, csv, "systems-register", "csv", format!("{rows} systems")))
            }
            "deadlines-ics" => {
                let rules = m.rulebook()?;
                let list = m.obligations(&s, &rules);
                let dated = list.iter().filter(|o| o.due.is_some()).count();
                let ics = muster_core::breach::rules::clocks::to_ical(
                    &list,
                    s.title.as_deref().unwrap_or("incident"),
                    &id.to_string(),
                    m.clock().now(),
                );
                Ok((id, ics, "deadlines", "ics", format!("{dated} deadlines")))
            }
            other => Err(IpcError::new(
                "input.invalid",
                format!("kind: {other:?} is not an export (systems-csv, deadlines-ics)"),
            )),
        }
    })?;
    let now = chrono::Utc::now();
    let stamp = now.with_timezone(&state.zone.offset_at(now)).format("%Y%m%d-%H%M%S");
    let path = export_dir(&app, &state)?.join(format!("muster-{}-{what}-{stamp}.{extension}", id.short()));
    let partial = path.with_extension(format!("{extension}.partial"));
    let failed = |e: std::io::Error| {
        IpcError::new("export.unwritable", format!("cannot write {}: {e}", path.display()))
    };
    std::fs::write(&partial, text.as_bytes()).map_err(failed)?;
    std::fs::rename(&partial, &path).map_err(failed)?;
    Ok(Saved {
        path: path.display().to_string(),
        bytes: u32::try_from(text.len()).unwrap_or(u32::MAX),
        summary,
    })
}
