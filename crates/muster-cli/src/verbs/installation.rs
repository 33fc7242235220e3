//! The installation: `init` (the operator's name and the device key), `whoami`, `demo`.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::IncidentId;
use muster_store::Muster;
use serde_json::json;

use crate::args::Command;
use crate::output::print_json;
use crate::text;
use crate::views::*;

use super::Context;

pub fn run(m: &mut Muster, command: Command, cx: &Context<'_>) -> Result<ExitCode> {
    let (json, zone) = (cx.json, cx.zone);
    let _incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(cx.incident_arg)?) };
    match command {
        Command::Init { name } => {
            m.set_operator_name(&name)?;
            let device = muster_store::device_id_of(m.device_key()?);
            if json {
                print_json(
                    &json!({ "operator": name.trim(), "device": device.to_string(), "data_dir": m.data_dir() }),
                )?;
            } else {
                println!(
                    "Operator: {}\nDevice key: {} (private key in the OS keyring)\nData: {}",
                    name.trim(),
                    device.short(),
                    m.data_dir().display()
                );
            }
        }
        Command::Whoami => {
            let operator = m.operator()?;
            let device = m.device_id()?;
            let backend = if std::env::var("MUSTER_KEYRING").as_deref() == Ok("keyutils") {
                "keyutils"
            } else {
                "os-default"
            };
            if json {
                print_json(&json!({
                    "operator": operator,
                    "device": device.map(|d| d.to_string()),
                    "installation": m.installation_id()?,
                    "data_dir": m.data_dir(),
                    "zone": zone.name(),
                    "keyring": backend,
                }))?;
            } else {
                println!("Operator:     {operator}");
                println!(
                    "Device:       {}",
                    device
                        .map(|d| d.to_string())
                        .unwrap_or_else(|| "(no key yet: created at the first write)".into())
                );
                println!("Installation: {}", m.installation_id()?);
                println!("Data:         {}", m.data_dir().display());
                println!("Time zone:    {}", zone.name());
                println!("Keyring:      {backend}");
            }
        }
        Command::Demo => {
            let (id, n) = m.load_demo()?;
            let s = m.state(id)?;
            if json {
                print_json(&json!({ "incident": IncidentRef::of(&s), "entries": n }))?;
            } else {
                println!("Seeded a demo incident (a drill) with {n} entries from three war-room laptops.\n");
                print!("{}", text::board(&s, zone, 8));
                println!("\nNext: `muster timeline`, `muster roster`, `muster decisions`, or add to it: `muster note \"...\"`.");
            }
        }
        other => return Err(anyhow!("{} verb routed to the wrong module: {other:?}", module_path!())),
    }
    Ok(ExitCode::SUCCESS)
}
