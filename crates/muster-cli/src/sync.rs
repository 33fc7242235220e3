//! `muster serve`, `muster server user add`, and the client verbs `login`, `share`, `unshare`,
//! `sync`. Only `serve` and `server` start a tokio runtime; the client engine is blocking.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use muster_core::IncidentId;
use muster_server::{SqliteStorage, Storage};
use muster_store::Muster;
use muster_sync::wire::Role;
use muster_sync::{session, Client, HttpTransport, SyncError};
use serde_json::json;

use crate::args::{ServerCommand, ServerUserCommand};
use crate::print_json;

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// `muster serve`: prints `{"event":"listening","addr":...}` once listening, serves until Ctrl-C.
pub fn serve(listen: &str, database: &Path) -> Result<ExitCode> {
    let storage = SqliteStorage::open(database)?;
    runtime()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .with_context(|| format!("cannot listen on {listen}"))?;
        let addr = listener.local_addr()?;
        // Field order as documented: {"event":"listening","addr":"..."}.
        println!(r#"{{"event":"listening","addr":{}}}"#, serde_json::to_string(&addr.to_string())?);
        use std::io::Write;
        std::io::stdout().flush()?;
        tokio::select! {
            r = muster_server::serve(listener, storage) => r.context("the server stopped")?,
            r = tokio::signal::ctrl_c() => r.context("cannot wait for Ctrl-C")?,
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `muster server ...`: direct administration of the server database.
pub fn server(cmd: ServerCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        ServerCommand::User(ServerUserCommand::Add { name, database, new_token }) => {
            let storage = SqliteStorage::open(&database)?;
            let token = runtime()?.block_on(async {
                if new_token {
                    storage.new_enrolment(&name, now_ms()).await
                } else {
                    storage.add_user(&name, now_ms()).await
                }
            })?;
            if json {
                print_json(&json!({ "user": name, "token": token, "expires_in_days": 7 }))?;
            } else {
                println!("Enrolment token for {name} (one use, valid 7 days; shown only now):\n{token}");
                println!("\nOn their laptop: muster login --server URL --user {name} --token {token}");
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Library errors as the CLI reports them: a store error (keyring, database) stays one, so its
/// exit code and "nothing was written" line are what they were before the session API existed.
fn lib_error(e: SyncError) -> anyhow::Error {
    match e {
        SyncError::Store(s) => s.into(),
        other => other.into(),
    }
}

fn client(m: &Muster) -> Result<Client<HttpTransport>> {
    session::client_for(m).map_err(lib_error)
}

pub fn login(m: &mut Muster, server: &str, user: &str, token: &str, json: bool) -> Result<ExitCode> {
    let outcome = session::login(m, server, user, token).map_err(lib_error)?;
    if json {
        print_json(&json!({ "server": server, "user": outcome.user, "device": outcome.device.to_string() }))?;
    } else {
        println!("Logged in to {server} as {} (device {}).", outcome.user, outcome.device.short());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn share(m: &Muster, incident: IncidentId, with: &str, commander: bool, json: bool) -> Result<ExitCode> {
    let role = if commander { Role::Commander } else { Role::Member };
    session::share(&client(m)?, incident, with, role)?;
    if json {
        print_json(&json!({ "incident": incident.to_string(), "user": with, "role": role }))?;
    } else {
        println!("Shared incident #{} with {with} ({}).", incident.short(), role.as_str());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn unshare(m: &Muster, incident: IncidentId, with: &str, json: bool) -> Result<ExitCode> {
    session::unshare(&client(m)?, incident, with)?;
    if json {
        print_json(&json!({ "incident": incident.to_string(), "user": with, "removed": true }))?;
    } else {
        println!("Incident #{} is no longer shared with {with}.", incident.short());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn sync(m: &mut Muster, fetch: &[String], json: bool) -> Result<ExitCode> {
    let c = client(m)?;
    let extra = fetch
        .iter()
        .map(|s| {
            s.trim().parse::<IncidentId>().map_err(|_| anyhow!("--fetch needs a full incident id, not {s:?}"))
        })
        .collect::<Result<Vec<_>>>()?;
    let report = session::sync_all(m, &c, &extra)?;
    if json {
        print_json(&report)?;
    } else if report.incidents.is_empty() && report.access_removed.is_empty() {
        println!("Nothing to sync: no incident opened here or shared with you.");
    } else {
        for r in &report.incidents {
            let short = r.incident.get(r.incident.len().saturating_sub(8)..).unwrap_or(&r.incident);
            print!("#{short}: pushed {}, pulled {}", r.pushed, r.pulled);
            if r.alerts > 0 {
                print!(
                    ", {} new alert(s): the server holds two histories signed by one device key",
                    r.alerts
                );
            }
            if r.conflicts > 0 {
                print!(
                    ", {} set aside: they conflict with this laptop's copy of their stream (a device key signed two histories)",
                    r.conflicts
                );
            }
            if r.waiting > 0 {
                print!(", {} waiting (their device is not registered to a member on the server)", r.waiting);
            }
            if r.quarantined > 0 {
                print!(", {} quarantined by the server (equivocation or fork)", r.quarantined);
            }
            println!();
        }
        for i in &report.access_removed {
            println!("{i}: access removed on the server; the local copy is kept");
        }
    }
    Ok(ExitCode::SUCCESS)
}
