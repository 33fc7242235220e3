//! The roster: `role assign|relieve`, `roster`, and command `handover offer|accept|cancel`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::IncidentId;
use muster_store::Muster;
use serde_json::json;

use crate::args::{Command, HandoverCommand, RoleCommand};
use crate::input::parse_position;
use crate::output::{print_json, written};
use crate::text;
use crate::views::*;

use super::Context;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, zone) = (cx.json, cx.zone);
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Role(RoleCommand::Assign { position, person }) => {
            let id = incident(m)?;
            let position = parse_position("POSITION", &position)?;
            let e = m.assign_role(id, position.clone(), &person)?;
            if json {
                print_json(&WrittenView::of(&e))?;
            } else {
                println!("{} is now {} (#{})", person.trim(), position, e.id().short());
            }
        }
        Command::Role(RoleCommand::Relieve { position, person, reason }) => {
            let id = incident(m)?;
            let position = parse_position("POSITION", &position)?;
            let e = m.relieve_role(id, position, person.as_deref(), reason.as_deref())?;
            written(&e, json, "relief")?;
        }
        Command::Roster => {
            let s = m.state(incident(m)?)?;
            if json {
                print_json(&RosterView::of(&s, zone))?;
            } else {
                print!("{}", text::roster(&s, zone));
            }
        }
        Command::Handover(HandoverCommand::Offer { to, situation, objectives }) => {
            let id = incident(m)?;
            let e = m.offer_handover(id, &muster_store::HandoverInput { to, situation, objectives })?;
            written(&e, json, "handover offer")?;
        }
        Command::Handover(HandoverCommand::Accept) => {
            let id = incident(m)?;
            let entries = m.accept_handover(id)?;
            if json {
                let list: Vec<WrittenView> = entries.iter().map(WrittenView::of).collect();
                print_json(&json!({ "entries": list }))?;
            } else {
                println!("You have command ({} entries recorded).", entries.len());
            }
        }
        Command::Handover(HandoverCommand::Cancel { reason }) => {
            let id = incident(m)?;
            let e = m.cancel_handover(id, &reason)?;
            written(&e, json, "handover cancellation")?;
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
