//! The log itself: `verify` (signatures and chains), `rebuild` (projections), `export`, `import`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::IncidentId;
use muster_store::transfer::{self, ImportEvent};
use muster_store::Muster;
use serde_json::json;

use crate::args::Command;
use crate::output::{print_json, progress_bar};

use super::Context;
use crate::EXIT_VERIFY_PROBLEMS;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, _zone) = (cx.json, cx.zone);
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Verify => {
            let total = m.entry_count()?;
            let bar = progress_bar(total, "verifying", json);
            let report = m.verify(&mut |done, _| bar.set_position(done))?;
            bar.finish_and_clear();
            if json {
                print_json(&json!({
                    "ok": report.ok(),
                    "entries": report.entries,
                    "streams": report.streams,
                    "devices": report.devices,
                    "problems": report.problems,
                }))?;
            } else if report.ok() {
                println!(
                    "OK: {} entries in {} streams from {} devices; every signature and chain link verifies.",
                    report.entries, report.streams, report.devices
                );
            } else {
                println!("{} problem(s) in {} entries:", report.problems.len(), report.entries);
                for p in &report.problems {
                    println!("  {p}");
                }
            }
            if !report.ok() {
                return Ok(ExitCode::from(EXIT_VERIFY_PROBLEMS));
            }
        }
        Command::Rebuild => {
            let total = m.entry_count()?;
            let bar = progress_bar(total, "rebuilding", json);
            let (incidents, entries) = m.rebuild(&mut |done, _| bar.set_position(done))?;
            bar.finish_and_clear();
            if json {
                print_json(&json!({ "incidents": incidents, "entries": entries }))?;
            } else {
                println!("Rebuilt the projections of {incidents} incident(s) from {entries} entries.");
            }
        }
        Command::Export { out, all } => {
            let incidents: Vec<IncidentId> =
                if all { m.incidents()?.into_iter().map(|i| i.id).collect() } else { vec![incident(m)?] };
            let bar = progress_bar(0, "exporting", json);
            let n = transfer::export(m.store(), &incidents, &out, &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            })?;
            bar.finish_and_clear();
            if json {
                print_json(&json!({ "file": out, "incidents": incidents, "entries": n }))?;
            } else {
                println!("Exported {n} entries of {} incident(s) to {}", incidents.len(), out.display());
            }
        }
        Command::Import { file, batch } => {
            let bar = progress_bar(0, "checking", json);
            let report = transfer::import(m.store_mut(), &file, batch as usize, &mut |event| {
                if json {
                    // One JSON line per event: "committed" lines are acknowledgements that the
                    // first N entries are durably stored.
                    if let Ok(line) = serde_json::to_string(&event) {
                        println!("{line}");
                    }
                }
                match event {
                    ImportEvent::Checking { checked, total } => {
                        bar.set_length(total);
                        bar.set_position(checked);
                    }
                    ImportEvent::Committed { committed, total } => {
                        bar.set_message("importing");
                        bar.set_length(total);
                        bar.set_position(committed);
                    }
                }
            })?;
            bar.finish_and_clear();
            if json {
                println!("{}", serde_json::to_string(&json!({ "event": "done", "report": report }))?);
            } else {
                println!(
                    "Imported {} new entries ({} already held) of {} incident(s) from {}",
                    report.accepted,
                    report.duplicates,
                    report.incidents.len(),
                    file.display()
                );
            }
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
