//! `muster`: the command-line face of Muster, over the same library API as the desktop app.

mod args;
mod input;
mod output;
mod text;
mod verbs;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::Parser;
use muster_core::error::ErrorCode;
use muster_core::{ValidationError, ViewerZone};
use muster_store::{Muster, OpenOptions, StoreError};
use serde_json::json;

use args::{Cli, Command};

const EXIT_FAILURE: u8 = 1;
pub(crate) const EXIT_BAD_INPUT: u8 = 2;
pub(crate) const EXIT_VERIFY_PROBLEMS: u8 = 3;

fn main() -> ExitCode {
    output::exit_quietly_on_broken_pipe();
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

fn run(cli: Cli) -> Result<ExitCode> {
    // The server verbs never open (or create) a local installation.
    match cli.command {
        Command::Serve { listen, database, tls_cert, tls_key, max_clock_skew, quiet, limits } => {
            let tls = match (tls_cert, tls_key) {
                (Some(cert), Some(key)) => Some(muster_server::TlsFiles { cert, key }),
                _ => None,
            };
            return verbs::sync::serve(verbs::sync::ServeArgs {
                listen: &listen,
                database: &database,
                tls,
                max_clock_skew_s: max_clock_skew,
                quiet,
                limits,
            });
        }
        Command::Server(cmd) => return verbs::server_admin::server(cmd, cli.incident.as_deref(), cli.json),
        _ => {}
    }
    let dir = data_dir(&cli)?;
    let mut m = Muster::open(&dir, OpenOptions::default())?;
    m.set_operator_override(cli.as_person.clone())?;
    m.set_on_behalf(cli.for_person.clone())?;
    let zone: ViewerZone = m.clock().zone();
    let json = cli.json;
    let incident_arg = cli.incident.as_deref();
    let code = verbs::dispatch(&mut m, cli.command, incident_arg, json, &zone)?;
    for notice in m.take_notices() {
        eprintln!("note: {notice}");
    }
    Ok(code)
}
