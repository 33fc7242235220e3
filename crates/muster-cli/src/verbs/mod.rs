//! Every verb that works on a local installation, by area: `dispatch` sends each to the module
//! of its domain (breach, systems and sync verbs have modules of their own).

pub mod breach;
mod decision;
mod incident;
mod installation;
mod log;
mod roster;
pub mod server_admin;
mod status;
pub mod sync;
pub mod systems;
mod timeline;

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use muster_core::{IncidentId, ViewerZone};
use muster_store::Muster;

use crate::args::Command;

/// What every verb may need besides its own arguments.
#[derive(Debug)]
pub struct Context<'a> {
    /// `--incident`, if given.
    pub incident_arg: Option<&'a str>,
    pub json: bool,
    pub zone: &'a ViewerZone,
}

pub fn dispatch(
    m: &mut Muster,
    command: Command,
    incident_arg: Option<&str>,
    json: bool,
    zone: &ViewerZone,
) -> Result<ExitCode> {
    let cx = Context { incident_arg, json, zone };
    let incident = |m: &Muster| -> Result<IncidentId> { Ok(m.current_incident(incident_arg)?) };
    match command {
        c @ (Command::Init { .. } | Command::Whoami | Command::Demo) => installation::run(m, c, &cx),
        c @ (Command::Incident { .. } | Command::Show { .. }) => incident::run(m, c, &cx),
        c @ (Command::Note { .. }
        | Command::Amend { .. }
        | Command::Retract { .. }
        | Command::Timeline { .. }) => timeline::run(m, c, &cx),
        c @ (Command::Role { .. } | Command::Roster | Command::Handover { .. }) => roster::run(m, c, &cx),
        c @ (Command::Status { .. }
        | Command::Cadence { .. }
        | Command::Prompts
        | Command::Snooze { .. }
        | Command::Severity { .. }) => status::run(m, c, &cx),
        c @ (Command::Decide { .. } | Command::Approve { .. } | Command::Decisions) => {
            decision::run(m, c, &cx)
        }
        c @ (Command::Verify | Command::Rebuild | Command::Export { .. } | Command::Import { .. }) => {
            log::run(m, c, &cx)
        }
        Command::Scope(cmd) => breach::scope(m, incident(m)?, cmd, json, zone),
        Command::Classify { dry_run, rationale } => {
            breach::classify(m, incident(m)?, dry_run, rationale.as_deref(), json)
        }
        Command::Review(args) => breach::review(m, incident(m)?, args, json),
        Command::Trigger { trigger, at, note } => {
            breach::trigger(m, incident(m)?, &trigger, &at, note.as_deref(), json)
        }
        Command::Delay { basis, regime, agency, statement, from, until } => {
            let id = incident(m)?;
            breach::delay(m, id, &basis, &regime, &agency, &statement, &from, until.as_deref(), json)
        }
        Command::Comms(cmd) => breach::comms(m, incident(m)?, cmd, json, zone),
        Command::Notification { rule, choice, rationale, authority } => {
            let id = incident(m)?;
            breach::notification(m, id, &rule, &choice, &rationale, authority.as_deref(), json)
        }
        Command::Clocks { ical, out } => breach::clocks(m, incident(m)?, ical, out, json, zone),
        Command::Escalation(cmd) => breach::escalation(m, incident(m)?, cmd, json, zone),
        Command::Rules(cmd) => breach::rules(m, cmd, json),
        Command::Systems(cmd) => systems::run(m, incident(m)?, cmd, json, zone),
        Command::Serve { .. } | Command::Server(_) => {
            Err(anyhow!("the server verbs are handled before an installation is opened"))
        }
        Command::Login { server, user, token, token_stdin, ca_cert } => {
            let token = sync::enrolment_token(token, token_stdin)?;
            sync::login(m, &server, &user, &token, ca_cert.as_deref(), json)
        }
        Command::Share { with, commander } => sync::share(m, incident(m)?, &with, commander, json),
        Command::Unshare { with } => sync::unshare(m, incident(m)?, &with, json),
        Command::Sync { fetch } => sync::sync(m, &fetch, json),
        Command::Alerts => sync::alerts(m, incident(m)?, zone, json),
    }
}
