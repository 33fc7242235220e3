//! `muster`: the command-line face of Muster, over the same library API as the desktop app.

mod args;
mod breach;
mod sync;
mod text;
mod views;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use muster_core::error::ErrorCode;
use muster_core::{Entry, IncidentId, Position, Severity, ValidationError, ViewerZone};
use muster_store::transfer::{self, ImportEvent};
use muster_store::{demo, DecisionInput, Muster, OpenOptions, StoreError};
use serde::Serialize;
use serde_json::json;

use args::{Cli, Command, HandoverCommand, IncidentCommand, RoleCommand};
use views::*;

const EXIT_FAILURE: u8 = 1;
const EXIT_BAD_INPUT: u8 = 2;
const EXIT_VERIFY_PROBLEMS: u8 = 3;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let json = cli.json;
    match run(cli) {
        Ok(code) => code,
        Err(e) => report_error(&e, json),
    }
}

fn report_error(e: &anyhow::Error, json: bool) -> ExitCode {
    let (code, user) = if let Some(s) = e.downcast_ref::<StoreError>() {
        (s.code(), s.is_user_error())
    } else if let Some(s) = e.downcast_ref::<muster_sync::SyncError>() {
        (s.code(), s.is_refusal())
    } else if let Some(s) = e.downcast_ref::<muster_server::ServerError>() {
        (s.code(), (400..500).contains(&s.status()))
    } else if let Some(v) = e.downcast_ref::<ValidationError>() {
        (v.code(), true)
    } else if let Some(s) = e.downcast_ref::<muster_server::ServeError>() {
        (s.code(), s.is_operator_error())
    } else {
        ("internal", false)
    };
    let message = match e.downcast_ref::<StoreError>() {
        // The library names fields as the data does; say the flag the person typed.
        Some(StoreError::Invalid(v)) => {
            let field = match v.field.as_str() {
                "occurred_at" => "--at",
                "person" => "PERSON",
                "authority" => "--authority",
                "supersedes" => "--supersedes",
                other => other,
            };
            ValidationError { field: field.to_string(), ..v.clone() }.to_string()
        }
        _ => format!("{e:#}"),
    };
    if json {
        eprintln!("{}", json!({ "code": code, "message": message }));
    } else {
        eprintln!("error[{code}]: {message}");
        if user && e.downcast_ref::<muster_sync::SyncError>().is_none() {
            eprintln!("nothing was written");
        }
    }
    ExitCode::from(if user { EXIT_BAD_INPUT } else { EXIT_FAILURE })
}

fn data_dir(cli: &Cli) -> Result<PathBuf> {
    match &cli.data_dir {
        Some(d) => Ok(d.clone()),
        None => dirs::data_dir().map(|d| d.join("muster")).ok_or_else(|| {
            anyhow!("cannot find a data directory for this user; pass --data-dir or set MUSTER_HOME")
        }),
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

fn progress_bar(total: u64, what: &str, json: bool) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

fn parse_position(field: &str, text: &str) -> Result<Position> {
    Ok(Position::parse_user(field, text).map_err(StoreError::from)?)
}

fn parse_time(
    m: &Muster,
    field: &str,
    text: Option<&str>,
) -> Result<Option<chrono::DateTime<chrono::FixedOffset>>> {
    let clock = m.clock();
    match text {
        None => Ok(None),
        Some(t) => Ok(Some(clock.zone().parse_user_time(field, t, clock.now()).map_err(StoreError::from)?)),
    }
}

fn written(entry: &Entry, json: bool, what: &str) -> Result<()> {
    if json {
        print_json(&WrittenView::of(entry))
    } else {
        println!("Recorded {what} #{} (seq {})", entry.id().short(), entry.seq());
        Ok(())
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    // The server verbs never open (or create) a local installation.
    match cli.command {
        Command::Serve { listen, database, tls_cert, tls_key, max_clock_skew, quiet } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(muster_server::TlsFiles { cert, key }),
                _ => None,
            };
            return sync::serve(sync::ServeArgs {
                listen: &listen,
                database: &database,
                tls,
                max_clock_skew_s: max_clock_skew,
                quiet,
            });
        }
        Command::Server(cmd) => return sync::server(cmd, cli.json),
        _ => {}
    }
    let dir = data_dir(&cli)?;
    let mut m = Muster::open(&dir, OpenOptions::default())?;
    m.set_operator_override(cli.as_person.clone())?;
    let zone: ViewerZone = m.clock().zone();
    let json = cli.json;
    let incident_arg = cli.incident.as_deref();
    let code = dispatch(&mut m, cli.command, incident_arg, json, &zone)?;
    for notice in m.take_notices() {
        eprintln!("note: {notice}");
    }
    Ok(code)
}

fn dispatch(
    m: &mut Muster,
    command: Command,
    incident_arg: Option<&str>,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(incident_arg)?) };
    match command {
        Command::Init { name } => {
            m.set_operator_name(&name)?;
            let device = muster_store::identity::device_id_of(m.device_key()?);
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
        Command::Incident(cmd) => return incident_command(m, cmd, incident_arg, json, zone),
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
        Command::Note { text, at } => {
            let id = incident(m)?;
            let at = parse_time(m, "--at", at.as_deref())?;
            let e = m.add_note(id, &text, at)?;
            written(&e, json, "note")?;
        }
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
        Command::Approve { decision, position } => {
            let id = incident(m)?;
            let e = m.approve_decision(id, &decision, parse_position("--position", &position)?)?;
            written(&e, json, "approval")?;
        }
        Command::Severity { severity, rationale } => {
            let id = incident(m)?;
            let severity = Severity::parse_user("SEVERITY", &severity).map_err(StoreError::from)?;
            let e = m.set_severity(id, severity, rationale.as_deref())?;
            written(&e, json, "severity")?;
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
        Command::Verify => {
            let total = m.store().entry_count()?;
            let bar = progress_bar(total, "verifying", json);
            let report = m.store().verify(&mut |done, _| bar.set_position(done))?;
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
            let total = m.store().entry_count()?;
            let bar = progress_bar(total, "rebuilding", json);
            let (incidents, entries) = m.store_mut().rebuild(&mut |done, _| bar.set_position(done))?;
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
        Command::Scope(cmd) => return breach::scope(m, incident(m)?, cmd, json, zone),
        Command::Classify { dry_run, rationale } => {
            return breach::classify(m, incident(m)?, dry_run, rationale.as_deref(), json)
        }
        Command::Review(args) => return breach::review(m, incident(m)?, args, json),
        Command::Trigger { trigger, at, note } => {
            return breach::trigger(m, incident(m)?, &trigger, &at, note.as_deref(), json)
        }
        Command::Delay { basis, agency, statement, from, until } => {
            let id = incident(m)?;
            return breach::delay(m, id, &basis, &agency, &statement, &from, until.as_deref(), json);
        }
        Command::Comms(cmd) => return breach::comms(m, incident(m)?, cmd, json, zone),
        Command::Notification { rule, choice, rationale, authority } => {
            let id = incident(m)?;
            return breach::notification(m, id, &rule, &choice, &rationale, authority.as_deref(), json);
        }
        Command::Clocks { ical, out } => return breach::clocks(m, incident(m)?, ical, out, json, zone),
        Command::Escalation(cmd) => return breach::escalation(m, incident(m)?, cmd, json, zone),
        Command::Rules(cmd) => return breach::rules(m, cmd, json),
        Command::Systems(cmd) => return breach::systems(m, incident(m)?, cmd, json, zone),
        Command::Serve { .. } | Command::Server(_) => {
            return Err(anyhow!("the server verbs are handled before an installation is opened"))
        }
        Command::Login { server, user, token, ca_cert } => {
            return sync::login(m, &server, &user, &token, ca_cert.as_deref(), json)
        }
        Command::Share { with, commander } => return sync::share(m, incident(m)?, &with, commander, json),
        Command::Unshare { with } => return sync::unshare(m, incident(m)?, &with, json),
        Command::Sync { fetch } => return sync::sync(m, &fetch, json),
        Command::Alerts => return sync::alerts(m, incident(m)?, zone, json),
        Command::Demo => {
            let (id, n) = demo::seed_demo(m.store_mut())?;
            m.use_incident(id)?;
            let s = m.state(id)?;
            if json {
                print_json(&json!({ "incident": IncidentRef::of(&s), "entries": n }))?;
            } else {
                println!("Seeded a demo incident (a drill) with {n} entries from three war-room laptops.\n");
                print!("{}", text::board(&s, zone, 8));
                println!("\nNext: `muster timeline`, `muster roster`, `muster decisions`, or add to it: `muster note \"...\"`.");
            }
        }
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
