//! The breach screen: its view, scope, classification and review, triggers, communications,
//! notification choices, law-enforcement delays and escalation steps.

use muster_core::breach::*;
use muster_core::Severity;
use muster_store::{CommunicationInput, DelayInput, ReviewInput, ScopeInput};
use tauri::{AppHandle, Runtime};

use super::*;
use crate::error::IpcResult;
use crate::views::*;

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
