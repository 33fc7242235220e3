//! The `escalation` checklist and the `rules` in force (built in or the installation's own).

use std::process::ExitCode;

use anyhow::{Context, Result};
use muster_core::breach::rules::escalation::ChecklistItem;
use muster_core::{IncidentId, ViewerZone};
use muster_store::{Muster, StoreError};
use serde_json::json;

use crate::output::{print_json, written};
use crate::views::{utc, IncidentRef};

use super::*;

fn checklist_json(i: &ChecklistItem) -> serde_json::Value {
    json!({
        "rule": i.rule,
        "title": i.title,
        "position": i.position.slug(),
        "holders": i.holders,
        "anchor": i.anchor.slug(),
        "anchor_at": i.anchor_at.map(utc),
        "minutes": i.minutes,
        "due": i.due.map(utc),
        "status": i.status,
        "done_by": i.done.as_ref().map(|d| d.by.person.clone()),
        "done_at": i.done.as_ref().map(|d| utc(d.at)),
        "late": i.late,
        "applies_because": i.applies_because,
    })
}

pub fn escalation(
    m: &mut Muster,
    id: IncidentId,
    cmd: EscalationCommand,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    match cmd {
        EscalationCommand::Done { rule, note } => {
            let e = m.escalation_done(id, &rule, note.as_deref())?;
            written(&e, json, "escalation step")?;
        }
        EscalationCommand::List => {
            let s = m.structure(id)?;
            let rules = m.rulebook()?;
            let items = m.checklist(&s, &rules);
            if json {
                let list: Vec<_> = items.iter().map(checklist_json).collect();
                print_json(
                    &json!({ "incident": IncidentRef::of(&s), "zone": zone.name(), "checklist": list }),
                )?;
            } else {
                print!("{}", crate::text::header(&s, zone));
                println!(
                    "Escalation checklist ({}), times in {}:",
                    rules.escalation.header.label(),
                    zone.name()
                );
                for i in &items {
                    let who = if i.holders.is_empty() {
                        format!("{} (vacant)", i.position)
                    } else {
                        format!("{} ({})", i.position, i.holders.join(", "))
                    };
                    let when = match (&i.done, i.due) {
                        (Some(d), _) => format!(
                            "done by {} at {}{}",
                            d.by.person,
                            zone.format(d.at),
                            if i.late { " (late)" } else { "" }
                        ),
                        (None, Some(due)) => format!("due {}", zone.format(due)),
                        (None, None) => format!("waiting for {}", i.anchor.slug()),
                    };
                    println!(
                        "  [{}] {:<20} {} - {who} - {when}",
                        if i.done.is_some() { "x" } else { " " },
                        i.rule,
                        i.title
                    );
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn rules(m: &mut Muster, cmd: RulesCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        RulesCommand::Show => {
            let book = m.rulebook()?;
            if json {
                print_json(&json!({ "in_force": book.in_force, "problems": book.problems }))?;
            } else {
                for r in &book.in_force {
                    println!("{:<24} {}@{} ({:?})", r.file, r.name, r.version, r.source);
                }
                for p in &book.problems {
                    println!(
                        "PROBLEM {}, line {}, field {}: {} -> using {:?}",
                        p.file, p.line, p.field, p.message, p.using
                    );
                }
            }
        }
        RulesCommand::Check { file } => {
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("reading {}", file.display()))?;
            let shown = file.display().to_string();
            let name = file.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            use muster_core::breach::rules::{
                classification::Matrix, clocks::ClockRuleset, escalation::EscalationRuleset,
            };
            let label = if name.contains("classification") {
                Matrix::parse(&shown, &text).map(|r| r.header.label())
            } else if name.contains("escalation") {
                EscalationRuleset::parse(&shown, &text).map(|r| r.header.label())
            } else {
                ClockRuleset::parse(&shown, &text).map(|r| r.header.label())
            }
            .map_err(StoreError::from)?;
            if json {
                print_json(&json!({ "file": shown, "ruleset": label, "valid": true }))?;
            } else {
                println!("{shown}: {label} is valid");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
