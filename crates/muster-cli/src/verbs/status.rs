//! Status updates: `status`, `cadence`, `prompts`, `snooze` and the incident's `severity`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::{IncidentId, Severity};
use muster_store::{Muster, StoreError};
use serde_json::json;

use crate::args::Command;
use crate::input::parse_position;
use crate::output::{print_json, written};
use crate::text;
use crate::views::*;

use super::Context;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, zone) = (cx.json, cx.zone);
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Status { conditions, actions, needs, position } => {
            let id = incident(m)?;
            let position = position.map(|p| parse_position("--position", &p)).transpose()?;
            let e = m.post_status(id, position, &conditions, &actions, &needs)?;
            written(&e, json, "status update")?;
        }
        Command::Cadence { minutes, position, severity } => {
            let id = incident(m)?;
            let position = position.map(|p| parse_position("--position", &p)).transpose()?;
            let severity = severity
                .map(|s| Severity::parse_user("--severity", &s))
                .transpose()
                .map_err(StoreError::from)?;
            let e = m.set_cadence(id, position, severity, minutes)?;
            written(&e, json, "cadence")?;
        }
        Command::Prompts => {
            let s = m.structure(incident(m)?)?;
            let now_ms = m.clock().now().timestamp_millis();
            let clocks = muster_core::prompts::prompt_clocks(&s);
            if json {
                let list: Vec<PromptView> = clocks.iter().map(|c| PromptView::of(c, now_ms)).collect();
                print_json(
                    &json!({ "incident": IncidentRef::of(&s), "zone": zone.name(), "prompts": list }),
                )?;
            } else {
                print!("{}", text::header(&s, zone));
                print!("{}", text::prompts(&clocks, now_ms, zone));
            }
        }
        Command::Snooze { position, minutes, reason } => {
            let id = incident(m)?;
            let e = m.snooze_status(id, parse_position("POSITION", &position)?, minutes, &reason)?;
            written(&e, json, "snooze")?;
        }
        Command::Severity { severity, rationale } => {
            let id = incident(m)?;
            let severity = Severity::parse_user("SEVERITY", &severity).map_err(StoreError::from)?;
            let e = m.set_severity(id, severity, rationale.as_deref())?;
            written(&e, json, "severity")?;
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
