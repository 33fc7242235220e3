//! The clinical systems register (HICS 251): `systems import|export|list|impact|propose|signoff|carry-out|rate|board`.

use std::process::ExitCode;

use anyhow::{Context, Result};
use muster_core::breach::*;
use muster_core::{IncidentId, ViewerZone};
use muster_store::{Muster, StoreError};
use serde_json::json;

use crate::output::{print_json, written};
use crate::views::{IncidentRef, WrittenView};

use super::breach::SystemsCommand;

pub fn run(
    m: &mut Muster,
    id: IncidentId,
    cmd: SystemsCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        SystemsCommand::Import { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let e = m.register_systems(id, &file.display().to_string(), &text)?;
            let n = match &e.body {
                muster_core::EntryBody::SystemsRegistered(r) => r.systems.len(),
                _ => 0,
            };
            if json {
                print_json(&json!({ "entry": WrittenView::of(&e), "systems": n }))?;
            } else {
                println!("Recorded the clinical systems register: {n} systems (#{})", e.id().short());
            }
        }
        SystemsCommand::Export { out } => {
            let s = m.structure(id)?;
            let csv = m.register_csv(&s)?;
            match out {
                Some(path) => {
                    std::fs::write(&path, csv).with_context(|| format!("writing {}", path.display()))?
                }
                None => print!("{csv}"),
            }
        }
        SystemsCommand::Board => {
            let s = m.structure(id)?;
            let board = s.breach.board();
            if json {
                let list: Vec<_> = board
                    .iter()
                    .map(|b| {
                        json!({
                            "system": b.system.id, "name": b.system.name, "criticality": b.system.criticality.slug(),
                            "department": b.system.department, "status": b.status.slug(),
                            "isolated": b.isolated, "rated": b.rated, "comment": b.comment,
                            "down_because": b.down_because, "unsigned": b.unsigned,
                            "downtime_procedure": b.system.downtime_procedure,
                        })
                    })
                    .collect();
                print_json(&json!({ "incident": IncidentRef::of(&s), "systems": list }))?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                if board.is_empty() {
                    println!("No clinical systems register: `muster systems import FILE.csv`.");
                } else {
                    println!("HICS 251 facility system status:");
                }
                for b in &board {
                    let iso = if b.isolated { " ISOLATED" } else { "" };
                    let via = if b.down_because.is_empty() {
                        String::new()
                    } else {
                        format!(" (needs isolated {})", b.down_because.join(", "))
                    };
                    let comment = b.comment.clone().map(|c| format!(" - {c}")).unwrap_or_default();
                    let unsigned = if b.unsigned { " [NO CLINICAL SIGN-OFF]" } else { "" };
                    println!(
                        "  {:<22} {:<16} {:<14}{iso}{via}{comment}{unsigned}",
                        b.status.label(),
                        b.system.id,
                        b.system.criticality.slug()
                    );
                }
            }
        }
        SystemsCommand::Impact { system } => {
            let s = m.structure(id)?;
            let impact = m.impact(&s, &system)?;
            print_impact(&impact, json)?;
        }
        SystemsCommand::Propose { system, restore, reason } => {
            let action = if restore { IsolationAction::Restore } else { IsolationAction::Isolate };
            let (e, impact) = m.propose_isolation(id, &system, action, &reason)?;
            if json {
                print_json(&json!({ "entry": WrittenView::of(&e), "impact": impact }))?;
            } else {
                print_impact(&impact, false)?;
                println!("Recorded proposal #{} to {action} {system}", e.id().short());
                if impact.needs_clinical_signoff {
                    println!("Needs the clinical liaison's sign-off: `muster systems signoff --note ...`");
                }
            }
        }
        SystemsCommand::Signoff { proposal, refuse, note } => {
            let e = m.sign_off(id, proposal.as_deref(), !refuse, &note)?;
            written(&e, json, if refuse { "refusal" } else { "clinical sign-off" })?;
        }
        SystemsCommand::CarryOut { proposal } => {
            let e = m.carry_out(id, proposal.as_deref())?;
            written(&e, json, "isolation change")?;
        }
        SystemsCommand::Rate { system, status, comment } => {
            let status = FunctionalStatus::parse_user("STATUS", &status).map_err(StoreError::from)?;
            let e = m.rate_system(id, &system, status, comment.as_deref())?;
            written(&e, json, "system status")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_impact(impact: &muster_core::systems::Impact, json: bool) -> Result<()> {
    if json {
        return print_json(impact);
    }
    println!("Isolating {} ({}) takes down:", impact.system.id, impact.system.name);
    if impact.affected.is_empty() {
        println!("  no other system");
    }
    for a in &impact.affected {
        println!(
            "  {:<14} {:<16} {} [{}] downtime: {}",
            a.criticality.slug(),
            a.id,
            if a.direct { "directly" } else { "via" },
            a.via.join(" -> "),
            a.downtime_procedure
        );
    }
    println!("Clinical services affected:");
    for s in &impact.services {
        println!("  {} ({})", s.service, s.systems.join(", "));
    }
    if impact.needs_clinical_signoff {
        println!(
            "Clinical liaison sign-off required: {} handle medication administration or diagnostics.",
            impact.signoff_because.join(", ")
        );
    }
    Ok(())
}
