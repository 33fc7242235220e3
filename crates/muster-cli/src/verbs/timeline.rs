//! The timeline: `note`, `amend`, `retract` and `timeline`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::IncidentId;
use muster_store::Muster;
use serde_json::json;

use crate::args::Command;
use crate::input::parse_time;
use crate::output::{print_json, written};
use crate::text;
use crate::views::*;

use super::Context;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, zone) = (cx.json, cx.zone);
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Note { text, at } => {
            let id = incident(m)?;
            let at = parse_time(m, "--at", at.as_deref())?;
            let e = m.add_note(id, &text, at)?;
            written(&e, json, "note")?;
        }
        Command::Amend { entry, reason, text, at } => {
            let id = incident(m)?;
            let at = parse_time(m, "--at", at.as_deref())?;
            let e = m.amend(id, &entry, &reason, text.as_deref(), at)?;
            written(&e, json, "amendment")?;
        }
        Command::Retract { entry, reason } => {
            let id = incident(m)?;
            let e = m.retract(id, &entry, &reason)?;
            written(&e, json, "retraction")?;
        }
        Command::Timeline { oldest_first, kind, limit } => {
            let s = m.state(incident(m)?)?;
            let mut items: Vec<&muster_core::TimelineItem> =
                s.timeline.iter().filter(|t| kind.as_deref().is_none_or(|k| t.kind == k)).collect();
            if !oldest_first {
                items.reverse();
            }
            if let Some(n) = limit {
                items.truncate(n);
            }
            if json {
                let entries: Vec<TimelineEntryView> =
                    items.iter().map(|t| TimelineEntryView::of(t, zone)).collect();
                print_json(
                    &json!({ "incident": IncidentRef::of(&s), "zone": zone.name(), "entries": entries }),
                )?;
            } else {
                print!("{}", text::header(&s, zone));
                println!("{}", text::commander_line(&s));
                println!();
                for t in items {
                    print!("{}", text::timeline_item(t, zone));
                }
            }
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
