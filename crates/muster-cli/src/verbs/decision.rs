//! The decision log: `decide`, `approve` and `decisions`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::IncidentId;
use muster_store::{DecisionInput, Muster};
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
        Command::Approve { decision, position } => {
            let id = incident(m)?;
            let e = m.approve_decision(id, &decision, parse_position("--position", &position)?)?;
            written(&e, json, "approval")?;
        }
        Command::Decide(d) => {
            let id = incident(m)?;
            let e = m.record_decision(
                id,
                DecisionInput {
                    question: d.question,
                    options: d.options,
                    choice: d.choice,
                    rationale: d.rationale,
                    authority: d.authority,
                    supersedes: d.supersedes,
                    approvals_required: d
                        .approvals
                        .iter()
                        .map(|p| parse_position("--approval", p))
                        .collect::<Result<Vec<_>, _>>()?,
                },
            )?;
            written(&e, json, "decision")?;
        }
        Command::Decisions => {
            let s = m.state(incident(m)?)?;
            if json {
                let list: Vec<DecisionView> =
                    s.decisions.iter().rev().map(|d| DecisionView::of(d, zone)).collect();
                print_json(
                    &json!({ "incident": IncidentRef::of(&s), "zone": zone.name(), "decisions": list }),
                )?;
            } else {
                print!("{}", text::header(&s, zone));
                if s.decisions.is_empty() {
                    println!("No decisions recorded yet.");
                }
                for d in s.decisions.iter().rev() {
                    println!();
                    print!("{}", text::decision(d, zone));
                }
            }
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
