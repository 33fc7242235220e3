//! Incidents: `incident open|list|use|close|reopen` and `show` (the board).

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::{IncidentId, Severity};
use muster_store::{Muster, StoreError};
use serde_json::json;

use crate::args::{Command, IncidentCommand};
use crate::output::{print_json, written};
use crate::text;
use crate::views::*;
use muster_core::ViewerZone;

use super::Context;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, zone) = (cx.json, cx.zone);
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Incident(cmd) => return incident_command(m, cmd, cx.incident_arg, json, zone),
        Command::Show { recent } => {
            let s = m.state(incident(m)?)?;
            if json {
                print_json(&json!({
                    "incident": IncidentRef::of(&s),
                    "zone": zone.name(),
                    "commander": CommanderView::of(&s.commander(), zone),
                    "severity": s.severity().map(|v| v.slug()),
                    "roster": RosterView::of(&s, zone).positions,
                    "decisions_in_force": s.decisions.iter().filter(|d| d.superseded_by.is_empty()).map(|d| DecisionView::of(d, zone)).collect::<Vec<_>>(),
                    "recent": s.timeline.iter().rev().take(recent).map(|t| TimelineEntryView::of(t, zone)).collect::<Vec<_>>(),
                    "entry_count": s.entry_count,
                    "state_digest": s.digest().to_string(),
                }))?;
            } else {
                print!("{}", text::board(&s, zone, recent));
            }
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}

fn incident_command(
    m: &mut Muster,
    cmd: IncidentCommand,
    incident_arg: Option<&str>,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        IncidentCommand::Open { title, drill, description, commander, severity } => {
            let severity = Severity::parse_user("--severity", &severity).map_err(StoreError::from)?;
            let (id, entries) =
                m.open_incident(&title, drill, description.as_deref(), commander.as_deref(), severity)?;
            if json {
                let written: Vec<WrittenView> = entries.iter().map(WrittenView::of).collect();
                print_json(&json!({ "incident": id.to_string(), "ref": id.short(), "entries": written }))?;
            } else {
                let s = m.state(id)?;
                println!(
                    "Opened incident #{}: {}{}",
                    id.short(),
                    title.trim(),
                    if drill { " [DRILL]" } else { "" }
                );
                println!("{}", text::commander_line(&s));
                println!("It is now the current incident.");
            }
        }
        IncidentCommand::List => {
            let list = m.incidents()?;
            let current = m.current_incident(None).ok();
            if json {
                let items: Vec<IncidentListItem> =
                    list.iter().map(|i| IncidentListItem::of(i, zone, Some(i.id) == current)).collect();
                print_json(&json!({ "zone": zone.name(), "incidents": items }))?;
            } else {
                print!("{}", text::incident_list(&list, zone, current));
            }
        }
        IncidentCommand::Use { id } => {
            let id = m.resolve_incident(&id)?;
            m.use_incident(id)?;
            if json {
                print_json(&json!({ "incident": id.to_string() }))?;
            } else {
                println!("Current incident: #{}", id.short());
            }
        }
        IncidentCommand::Close { summary } => {
            let id = m.current_incident(incident_arg)?;
            let e = m.close_incident(id, &summary)?;
            written(&e, json, "closure")?;
        }
        IncidentCommand::Reopen { reason } => {
            let id = m.current_incident(incident_arg)?;
            let e = m.reopen_incident(id, &reason)?;
            written(&e, json, "reopening")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
