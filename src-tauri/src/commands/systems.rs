//! The clinical systems register (HICS 251): view, import, impact, propose, sign off, carry
//! out, rate; and saving the register (CSV) and the deadlines (iCalendar) to a file.

use muster_core::breach::*;
use tauri::{AppHandle, Manager, Runtime};

use super::*;
use crate::error::{IpcError, IpcResult};
use crate::state::AppState;
use crate::views::*;

#[tauri::command(rename_all = "snake_case")]
pub async fn systems_view(state: App<'_>, incident_ref: String) -> IpcResult<SystemsView> {
    state.read(|m| {
        let id = incident(m, &incident_ref)?;
        let s = m.structure(id)?;
        let operator = m.operator()?;
        // The same checks the operations make before they refuse, asked ahead of the click.
        let checks = |p: &muster_core::breach::state::ProposalRecord| ProposalChecks {
            needs_signoff: m.impact(&s, &p.system).map(|i| i.needs_clinical_signoff).unwrap_or(false),
            sign_off_refusal: m.sign_off_refusal(&s, &operator, p),
            carry_out_refusal: m.carry_out_refusal(&s, p).unwrap_or_else(|e| Some(e.to_string())),
        };
        let proposal_refusal = |system: &str, action| m.proposal_refusal(&s, system, action);
        Ok(SystemsView::of(id.to_string(), &s, &operator, checks, proposal_refusal, &state.zone))
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
    let now = state.now();
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
