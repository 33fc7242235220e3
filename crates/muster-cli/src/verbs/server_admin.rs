//! `muster server ...`: administration of the sync server's database, directly (no HTTP, no
//! local installation): users and their enrolment tokens, devices, sessions, the membership
//! history of an incident, and the audit log (docs/security.md). Times are shown in UTC: the
//! server has no viewer zone.

use std::process::ExitCode;

use anyhow::{anyhow, Result};
use clap::Subcommand;
use muster_core::IncidentId;
use muster_server::audit::{AuditRow, ChainCheck};
use muster_server::{SessionPolicy, Storage};
use serde_json::{json, Value};

use super::sync::{now_ms, open_backend, runtime, Backend};
use crate::args::parse_duration;
use crate::output::print_json;
use crate::views::utc;
use crate::EXIT_VERIFY_PROBLEMS;

#[derive(Debug, Subcommand)]
pub enum ServerCommand {
    /// Server user accounts: add (an enrolment token), list, revoke.
    #[command(subcommand)]
    User(UserCommand),
    /// Registered devices (laptops): list, revoke (a lost laptop).
    #[command(subcommand)]
    Device(DeviceCommand),
    /// Login sessions: list, revoke.
    #[command(subcommand)]
    Session(SessionCommand),
    /// Every grant, role change and removal of an incident's members, with who and when
    /// (the incident is --incident, a full id).
    Members {
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
    /// Verify and print the access log: who read or changed which incident, when, from where.
    /// Exit 3 if a row was changed or deleted. With --incident (a full id): that incident's rows.
    Audit {
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user and print their one-time enrolment token (valid 7 days).
    Add {
        name: String,
        /// The server database: a SQLite file path, or a postgres:// URL.
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
        /// Issue another token for an existing user (a second device).
        #[arg(long)]
        new_token: bool,
    },
    /// Every user, with their devices and whether they are revoked.
    List {
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
    /// Revoke a user (someone who left): every device and session of theirs ends now, and they
    /// get no token again.
    Revoke {
        name: String,
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeviceCommand {
    /// Registered devices, of one user or of everyone.
    List {
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
    /// Revoke a device (a lost or stolen laptop), named by its id or the start of it: its
    /// sessions end, it cannot log in again, and what it signs from now on is held as evidence.
    Revoke {
        device: String,
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Open sessions (with --all, ended ones too), of one user or of everyone.
    List {
        #[arg(long, value_name = "USER")]
        user: Option<String>,
        #[arg(long)]
        all: bool,
        /// The server's --session-idle, to say which sessions have timed out.
        #[arg(long, default_value = "12h", value_name = "DURATION", value_parser = parse_duration)]
        session_idle: std::time::Duration,
        /// The server's --session-lifetime.
        #[arg(long, default_value = "14d", value_name = "DURATION", value_parser = parse_duration)]
        session_lifetime: std::time::Duration,
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
    /// End a session now (its laptop must log in again), by its id from `session list`.
    Revoke {
        id: i64,
        #[arg(long, default_value = "muster-server.sqlite3", value_name = "FILE|URL")]
        database: String,
    },
}

/// Runs `$body` with `$s` bound to the opened backend, whichever it is.
macro_rules! on_backend {
    ($database:expr, |$s:ident| $body:expr) => {
        runtime()?.block_on(async {
            match open_backend($database).await? {
                Backend::Sqlite($s) => Ok::<_, anyhow::Error>($body?),
                Backend::Postgres($s) => Ok::<_, anyhow::Error>($body?),
            }
        })
    };
}

fn at(ms: i64) -> Value {
    chrono::DateTime::from_timestamp_millis(ms).map_or(Value::Null, |t| Value::String(utc(t)))
}

fn at_text(ms: Option<i64>) -> String {
    ms.and_then(chrono::DateTime::from_timestamp_millis)
        .map_or_else(|| "-".to_owned(), |t| t.format("%Y-%m-%d %H:%M:%SZ").to_string())
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

fn full_incident(incident: Option<&str>) -> Result<IncidentId> {
    let given = incident.ok_or_else(|| anyhow!("name the incident with --incident ID (its full id)"))?;
    given
        .trim()
        .parse()
        .map_err(|_| anyhow!("--incident needs a full incident id (32 hex digits), not {given:?}"))
}

pub fn server(cmd: ServerCommand, incident: Option<&str>, json: bool) -> Result<ExitCode> {
    match cmd {
        ServerCommand::User(c) => user(c, json),
        ServerCommand::Device(c) => device(c, json),
        ServerCommand::Session(c) => session(c, json),
        ServerCommand::Members { database } => members(&database, full_incident(incident)?, json),
        ServerCommand::Audit { database } => {
            let only = incident.map(|_| full_incident(incident)).transpose()?;
            audit(&database, only, json)
        }
    }
}

async fn enrol<S: Storage>(storage: &S, name: &str, new_token: bool) -> Result<String> {
    Ok(if new_token {
        storage.new_enrolment(name, now_ms()).await?
    } else {
        storage.add_user(name, now_ms()).await?
    })
}

fn user(cmd: UserCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        UserCommand::Add { name, database, new_token } => {
            let token = on_backend!(&database, |s| enrol(&s, &name, new_token).await)?;
            if json {
                print_json(&json!({ "user": name, "token": token, "expires_in_days": 7 }))?;
            } else {
                println!("Enrolment token for {name} (one use, valid 7 days; shown only now):\n{token}");
                println!("\nOn their laptop: muster login --server URL --user {name} --token {token}");
            }
        }
        UserCommand::List { database } => {
            let users = on_backend!(&database, |s| s.users().await)?;
            if json {
                let rows: Vec<Value> = users
                    .iter()
                    .map(|u| {
                        json!({
                            "name": u.name,
                            "created_at": at(u.created_ms),
                            "revoked_at": u.revoked_ms.map(at),
                            "devices": u.devices,
                        })
                    })
                    .collect();
                print_json(&json!({ "users": rows }))?;
            } else if users.is_empty() {
                println!("No users yet: `muster server user add NAME` creates one.");
            } else {
                println!("{:<24} {:<21} {:<21} devices", "user", "created (UTC)", "revoked (UTC)");
                for u in &users {
                    let (created, revoked) = (at_text(Some(u.created_ms)), at_text(u.revoked_ms));
                    println!("{:<24} {created:<21} {revoked:<21} {}", u.name, u.devices);
                }
            }
        }
        UserCommand::Revoke { name, database } => {
            let now = now_ms();
            let revoked = on_backend!(&database, |s| s.revoke_user(&name, now).await)?;
            if json {
                print_json(&json!({
                    "user": name,
                    "revoked_at": at(now),
                    "devices": revoked.devices,
                    "sessions": revoked.sessions,
                }))?;
            } else {
                println!(
                    "Revoked {name}: {} device(s) revoked and {} session(s) ended; they can no longer log in.",
                    revoked.devices, revoked.sessions
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn device(cmd: DeviceCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        DeviceCommand::List { user, database } => {
            let devices = on_backend!(&database, |s| s.devices(user.as_deref()).await)?;
            if json {
                let rows: Vec<Value> = devices
                    .iter()
                    .map(|d| {
                        json!({
                            "device": d.device.to_string(),
                            "user": d.user,
                            "name": d.name,
                            "registered_at": at(d.registered_ms),
                            "revoked_at": d.revoked_ms.map(at),
                        })
                    })
                    .collect();
                print_json(&json!({ "devices": rows }))?;
            } else if devices.is_empty() {
                println!("No devices registered yet.");
            } else {
                println!(
                    "{:<18} {:<16} {:<24} {:<21} revoked (UTC)",
                    "device", "user", "name", "registered (UTC)"
                );
                for d in &devices {
                    let id = d.device.to_string();
                    println!(
                        "{:<18} {:<16} {:<24} {:<21} {}",
                        &id[..16],
                        d.user,
                        d.name,
                        at_text(Some(d.registered_ms)),
                        at_text(d.revoked_ms)
                    );
                }
            }
        }
        DeviceCommand::Revoke { device, database } => {
            let now = now_ms();
            let (d, revoked) = on_backend!(&database, |s| s.revoke_device(&device, now).await)?;
            if json {
                print_json(&json!({
                    "device": d.device.to_string(),
                    "user": d.user,
                    "name": d.name,
                    "revoked_at": d.revoked_ms.map(at),
                    "sessions": revoked.sessions,
                }))?;
            } else {
                println!(
                    "Revoked device {} ({}) of {} as of {}: {} session(s) ended. What it signs from now on is \
                     held as evidence; members see it in `muster alerts` after their next sync.",
                    &d.device.to_string()[..16],
                    d.name,
                    d.user,
                    at_text(d.revoked_ms),
                    revoked.sessions
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn session(cmd: SessionCommand, json: bool) -> Result<ExitCode> {
    match cmd {
        SessionCommand::List { user, all, session_idle, session_lifetime, database } => {
            let policy = SessionPolicy { idle_ms: ms(session_idle), lifetime_ms: ms(session_lifetime) };
            let now = now_ms();
            let sessions = on_backend!(&database, |s| s.sessions(user.as_deref(), now, policy).await)?;
            let shown: Vec<_> = sessions.iter().filter(|s| all || s.state == "active").collect();
            if json {
                let rows: Vec<Value> = shown
                    .iter()
                    .map(|s| {
                        json!({
                            "id": s.id,
                            "user": s.user,
                            "device": s.device.to_string(),
                            "device_name": s.device_name,
                            "created_at": at(s.created_ms),
                            "last_used_at": at(s.last_used_ms),
                            "state": s.state,
                            "ends_at": at(s.ends_ms),
                            "ended_by": s.ended_by,
                        })
                    })
                    .collect();
                print_json(&json!({ "sessions": rows }))?;
            } else if shown.is_empty() {
                println!("No {}sessions.", if all { "" } else { "open " });
            } else {
                println!(
                    "{:>6} {:<16} {:<18} {:<21} {:<8} ends/ended (UTC)",
                    "id", "user", "device", "last used (UTC)", "state"
                );
                for s in &shown {
                    println!(
                        "{:>6} {:<16} {:<18} {:<21} {:<8} {}",
                        s.id,
                        s.user,
                        &s.device.to_string()[..16],
                        at_text(Some(s.last_used_ms)),
                        s.state,
                        at_text(Some(s.ends_ms))
                    );
                }
            }
        }
        SessionCommand::Revoke { id, database } => {
            let now = now_ms();
            on_backend!(&database, |s| s.revoke_session(id, now).await)?;
            if json {
                print_json(&json!({ "session": id, "revoked_at": at(now) }))?;
            } else {
                println!("Session {id} ended; its laptop must log in again.");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn members(database: &str, incident: IncidentId, json: bool) -> Result<ExitCode> {
    let history = on_backend!(database, |s| s.membership_history(incident).await)?;
    if json {
        let rows: Vec<Value> = history
            .iter()
            .map(|e| json!({ "user": e.user, "action": e.action, "role": e.role, "by": e.by, "at": at(e.at_ms) }))
            .collect();
        print_json(&json!({ "incident": incident.to_string(), "history": rows }))?;
    } else if history.is_empty() {
        println!("Incident {incident}: no membership on this server.");
    } else {
        for e in &history {
            let role = e.role.map(|r| format!(" as {}", r.as_str())).unwrap_or_default();
            let by = e.by.as_deref().map_or_else(|| " (by: not recorded)".to_owned(), |b| format!(" by {b}"));
            println!("{}  {} {}{role}{by}", at_text(Some(e.at_ms)), e.user, e.action);
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Rows read per page while verifying.
const AUDIT_PAGE: u64 = 5000;

async fn read_audit<S: Storage>(s: &S, only: Option<IncidentId>) -> Result<(ChainCheck, Vec<AuditRow>, u64)> {
    let mut check = ChainCheck::default();
    let mut shown = Vec::new();
    let mut after = 0;
    // The head first: rows appended while this reads are beyond it, and are not judged.
    let (head_seq, head_hash) = s.audit_head().await?;
    loop {
        let page = s.audit_rows(after, AUDIT_PAGE).await?;
        let Some(last) = page.last().map(|r| r.seq) else { break };
        for row in page.into_iter().filter(|r| r.seq <= head_seq) {
            check.row(&row);
            if only.is_none_or(|i| row.incident == Some(i)) {
                shown.push(row);
            }
        }
        if last >= head_seq {
            break;
        }
        after = last;
    }
    Ok((check.finish(head_seq, head_hash), shown, head_seq))
}

fn audit(database: &str, only: Option<IncidentId>, json: bool) -> Result<ExitCode> {
    let (check, rows, head_seq) = on_backend!(database, |s| read_audit(&s, only).await)?;
    if json {
        let rows: Vec<Value> = rows
            .iter()
            .map(|r| {
                json!({
                    "seq": r.seq,
                    "at": at(r.at_ms),
                    "actor": r.actor,
                    "device": r.device.map(|d| d.to_string()),
                    "incident": r.incident.map(|i| i.to_string()),
                    "action": r.action,
                    "source": r.source,
                    "detail": serde_json::from_str::<Value>(&r.detail).unwrap_or(Value::String(r.detail.clone())),
                })
            })
            .collect();
        print_json(&json!({
            "intact": check.is_intact(),
            "rows_checked": check.rows,
            "head_seq": head_seq,
            "problems": check.problems.iter().map(|p| {
                let mut v = serde_json::to_value(p).unwrap_or(Value::Null);
                v["message"] = Value::String(p.to_string());
                v
            }).collect::<Vec<_>>(),
            "rows": rows,
        }))?;
    } else {
        for r in &rows {
            let device = r.device.map(|d| d.to_string()[..8].to_owned()).unwrap_or_else(|| "-".into());
            let incident = r.incident.map(|i| format!(" #{}", i.short())).unwrap_or_default();
            println!(
                "{:>6} {}  {} (device {device}, from {})  {}{incident}  {}",
                r.seq,
                at_text(Some(r.at_ms)),
                r.actor,
                r.source,
                r.action,
                r.detail
            );
        }
        if check.is_intact() {
            println!("Audit log intact: {} row(s) checked, chain unbroken up to row {head_seq}.", check.rows);
        } else {
            println!("AUDIT LOG BROKEN ({} problem(s)):", check.problems.len());
            for p in &check.problems {
                println!("  {p}");
            }
        }
    }
    Ok(if check.is_intact() { ExitCode::SUCCESS } else { ExitCode::from(EXIT_VERIFY_PROBLEMS) })
}
