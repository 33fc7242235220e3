//! `muster serve` and the client verbs `login`, `share`, `unshare`, `sync`, `alerts`
//! (`muster server ...` is in `server_admin`). Only `serve` and `server` start a tokio runtime;
//! the client engine is blocking.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use futures_util::FutureExt;
use muster_core::{IncidentId, ViewerZone};
use muster_server::{PgStorage, ServeOptions, SqliteStorage, TlsFiles};
use muster_store::Muster;
use muster_sync::{session, Client, HttpTransport, SyncError};
use muster_wire::Role;
use serde_json::json;

use crate::args::ServeLimits;
use crate::output::print_json;
use crate::views::{local, utc, AuthorView, IncidentRef};

pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the async runtime")
}

/// The server database named by `--database`: a `postgres://` (or `postgresql://`) URL, else
/// a SQLite file path.
pub(crate) enum Backend {
    Sqlite(SqliteStorage),
    Postgres(PgStorage),
}

pub(crate) async fn open_backend(database: &str) -> Result<Backend> {
    let d = database.trim();
    if d.starts_with("postgres://") || d.starts_with("postgresql://") {
        Ok(Backend::Postgres(PgStorage::connect(d).await?))
    } else {
        Ok(Backend::Sqlite(SqliteStorage::open(Path::new(d))?))
    }
}

/// `muster serve` options beyond the address and database.
#[derive(Debug)]
pub struct ServeArgs<'a> {
    pub listen: &'a str,
    pub database: &'a str,
    pub tls: Option<TlsFiles>,
    pub max_clock_skew_s: u32,
    pub quiet: bool,
    pub limits: ServeLimits,
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// `muster serve`: prints `{"event":"listening","addr":...,"url":...,"database":...}` once
/// listening, then one JSON log line per request on stderr; serves until Ctrl-C.
pub fn serve(args: ServeArgs<'_>) -> Result<ExitCode> {
    use tracing_subscriber::layer::SubscriberExt;
    // The server's events (the request log) as JSON lines on stderr; stdout keeps only the
    // `listening` line, which scripts read.
    let subscriber = tracing_subscriber::registry().with(muster_server::json_log_layer(std::io::stderr));
    tracing::subscriber::set_global_default(subscriber).context("cannot set up the server log")?;
    let l = &args.limits;
    let options = ServeOptions {
        tls: args.tls,
        max_clock_skew_ms: i64::from(args.max_clock_skew_s) * 1000,
        log_requests: !args.quiet,
        sessions: muster_server::SessionPolicy {
            idle_ms: ms(l.session_idle),
            lifetime_ms: ms(l.session_lifetime),
        },
        login: muster_server::LoginPolicy {
            max_failures_per_user: l.login_failures_per_user,
            max_failures_per_address: l.login_failures_per_address,
            window: l.login_lockout,
            lockout: l.login_lockout,
        },
        quota: muster_server::QuotaPolicy {
            window: l.quota_window,
            max_bytes: l.quota_mib.saturating_mul(1024 * 1024),
            max_entries: l.quota_entries,
        },
        limits: muster_server::Limits {
            header_read_timeout: l.header_timeout,
            body_read_timeout: l.body_timeout,
            max_connections: l.max_connections,
        },
    };
    if let Some(files) = &options.tls {
        // Read before listening, so that a bad file is reported without a half-started server.
        muster_server::tls_config(files)?;
    }
    runtime()?.block_on(async move {
        let backend = open_backend(args.database).await?;
        let listener = std::net::TcpListener::bind(args.listen)
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let addr = listener.local_addr()?;
        let scheme = if options.tls.is_some() { "https" } else { "http" };
        let (name, served) = match backend {
            Backend::Sqlite(s) => ("sqlite", muster_server::serve(listener, s, options).boxed()),
            Backend::Postgres(s) => ("postgres", muster_server::serve(listener, s, options).boxed()),
        };
        // Field order as documented: {"event":"listening","addr":"...",...}.
        println!(
            r#"{{"event":"listening","addr":{},"url":{},"database":"{name}"}}"#,
            serde_json::to_string(&addr.to_string())?,
            serde_json::to_string(&format!("{scheme}://{addr}"))?,
        );
        use std::io::Write;
        std::io::stdout().flush()?;
        tokio::select! {
            r = served => r.context("the server stopped")?,
            r = tokio::signal::ctrl_c() => r.context("cannot wait for Ctrl-C")?,
        }
        Ok(ExitCode::SUCCESS)
    })
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

/// The enrolment token: `--token VALUE`, or the first line of stdin for `--token -` and
/// `--token-stdin` (so that it does not show in `ps`).
pub fn enrolment_token(token: Option<String>, from_stdin: bool) -> Result<String> {
    match token {
        Some(t) if t != "-" && !from_stdin => Ok(t),
        _ => {
            let mut line = String::new();
            std::io::stdin().read_line(&mut line).context("cannot read the enrolment token from stdin")?;
            let token = line.trim().to_string();
            if token.is_empty() {
                return Err(anyhow!("no enrolment token on stdin (give it on the first line)"));
            }
            Ok(token)
        }
    }
}

pub fn login(
    m: &mut Muster,
    server: &str,
    user: &str,
    token: &str,
    ca_cert: Option<&Path>,
    json: bool,
) -> Result<ExitCode> {
    let ca = match ca_cert {
        Some(path) => Some(
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the CA certificate file {}", path.display()))?,
        ),
        None => None,
    };
    let outcome = session::login_with_ca(m, server, user, token, ca.as_deref()).map_err(lib_error)?;
    if json {
        print_json(&json!({ "server": server, "user": outcome.user, "device": outcome.device.to_string() }))?;
    } else {
        println!("Logged in to {server} as {} (device {}).", outcome.user, outcome.device.short());
    }
    Ok(ExitCode::SUCCESS)
}

pub fn share(m: &Muster, incident: IncidentId, with: &str, commander: bool, json: bool) -> Result<ExitCode> {
    let role = if commander { Role::Commander } else { Role::Member };
    session::share(m, &client(m)?, incident, with, role).map_err(lib_error)?;
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
    } else if report.incidents.is_empty() && report.access_removed.is_empty() && report.failed.is_empty() {
        println!("Nothing to sync: no incident opened here or shared with you.");
    } else {
        for r in &report.incidents {
            let short = r.incident.get(r.incident.len().saturating_sub(8)..).unwrap_or(&r.incident);
            print!("#{short}: pushed {}, pulled {}", r.pushed, r.pulled);
            if r.restored > 0 {
                print!(
                    ", {} of this laptop's own entries restored from the server (they were missing from its log)",
                    r.restored
                );
            }
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
        let flagged: usize = report.incidents.iter().map(|r| r.clock_flagged).sum();
        if flagged > 0 {
            let noun = if flagged == 1 { "entry" } else { "entries" };
            println!("{flagged} {noun} flagged by the server: the author's clock was off (kept as written)");
        }
    }
    if let Some(clock) = report.clock.filter(|c| c.warning) {
        let minutes = clock.skew_ms.abs() as f64 / 60_000.0;
        let way = if clock.skew_ms > 0 { "ahead of" } else { "behind" };
        eprintln!(
            "warning: this laptop's clock is {minutes:.1} min {way} the server's; your entries are kept and flagged. Fix the clock."
        );
    }
    // One refused incident does not stop the others; each refusal is named, and the exit
    // status says the round was not complete.
    for f in &report.failed {
        if json {
            eprintln!("{}", json!({ "code": f.code, "message": f.message, "incident": f.incident }));
        } else {
            eprintln!("error[{}]: incident {} was not synced: {}", f.code, f.incident, f.message);
        }
    }
    if report.failed.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(crate::EXIT_BAD_INPUT))
    }
}

/// A time this laptop or the server stamped (ms since the epoch), in UTC and the viewer's zone.
fn stamp_json(ms: i64, zone: &ViewerZone) -> serde_json::Value {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => json!({ "utc": utc(t), "local": local(t, zone) }),
        None => serde_json::Value::Null,
    }
}

/// `muster alerts`: the sync evidence of one incident. Reads the local database only, so it
/// works with no server configured (then every list is empty).
pub fn alerts(m: &Muster, incident: IncidentId, zone: &ViewerZone, json: bool) -> Result<ExitCode> {
    let state = m.state(incident)?;
    let store = m.store();
    let alerts = store.sync_alert_rows(incident)?;
    let set_aside = store.pulled_quarantine_rows(incident)?;
    let flags = store.clock_flags(incident)?;
    // Oldest first, as the timeline reads; an entry not held here (set aside) is skipped.
    let flagged: Vec<(&muster_core::TimelineItem, i64)> =
        state.timeline.iter().filter_map(|t| flags.get(&t.entry_id).map(|skew| (t, *skew))).collect();
    let revoked = session::revoked_devices(store, incident)?;
    if json {
        print_json(&json!({
            "incident": IncidentRef::of(&state),
            "zone": zone.name(),
            "alerts": alerts.iter().map(|a| json!({
                "id": a.alert_id,
                "kind": a.kind,
                "description": session::alert_description(&a.kind),
                "device": a.device.to_string(),
                "seq": a.seq,
                "pushed_by": a.pushed_by,
                "server_received_at": a.server_received_ms.map(|ms| stamp_json(ms, zone)),
                "received_at": stamp_json(a.received_ms, zone),
            })).collect::<Vec<_>>(),
            "set_aside": set_aside.iter().map(|q| json!({
                "device": q.device.to_string(),
                "seq": q.seq,
                "hash": q.hash,
                "reason": q.reason,
                "description": session::set_aside_description(&q.reason),
                "received_at": stamp_json(q.received_ms, zone),
            })).collect::<Vec<_>>(),
            "clock_flagged": flagged.iter().map(|(t, skew)| json!({
                "entry": t.entry_id.to_string(),
                "kind": t.kind,
                "author": AuthorView::from(&t.author),
                "recorded_at": utc(t.recorded.instant()),
                "clock_skew_ms": skew,
            })).collect::<Vec<_>>(),
            "revoked_devices": revoked.iter().map(|r| json!({
                "device": r.device_id.to_string(),
                "user": r.user,
                "device_name": r.name,
                "revoked_at": stamp_json(r.revoked_ms, zone),
                "description": session::REVOKED_DEVICE_DESCRIPTION,
            })).collect::<Vec<_>>(),
        }))?;
        return Ok(ExitCode::SUCCESS);
    }
    if alerts.is_empty() && set_aside.is_empty() && flagged.is_empty() && revoked.is_empty() {
        println!("Incident #{}: nothing kept aside or flagged by sync.", incident.short());
        return Ok(ExitCode::SUCCESS);
    }
    let when = |ms: i64| {
        chrono::DateTime::from_timestamp_millis(ms)
            .map(|t| t.with_timezone(&zone.offset_at(t)).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_else(|| "?".into())
    };
    if !revoked.is_empty() {
        println!(
            "Devices revoked on the server ({}; {}):",
            revoked.len(),
            session::REVOKED_DEVICE_DESCRIPTION
        );
        for r in &revoked {
            println!("  {} device {} ({}) of {}", when(r.revoked_ms), r.device_id.short(), r.name, r.user);
        }
    }
    if !alerts.is_empty() {
        println!("Server alerts ({}, times {}):", alerts.len(), zone.name());
        for a in &alerts {
            let by = a.pushed_by.as_deref().map(|u| format!(", pushed by {u}")).unwrap_or_default();
            println!(
                "  {} {kind} at device {} seq {}{by}: {}",
                when(a.received_ms),
                a.device.short(),
                a.seq,
                session::alert_description(&a.kind),
                kind = a.kind,
            );
        }
    }
    if !set_aside.is_empty() {
        println!("Pulled entries set aside on this laptop ({}):", set_aside.len());
        for q in &set_aside {
            println!(
                "  {} device {} seq {} ({}): {}",
                when(q.received_ms),
                q.device.short(),
                q.seq,
                q.reason,
                session::set_aside_description(&q.reason)
            );
        }
    }
    if !flagged.is_empty() {
        println!("Entries written on a clock that was off (kept as written; {}):", flagged.len());
        for (t, skew) in &flagged {
            let minutes = skew.abs() as f64 / 60_000.0;
            let way = if *skew > 0 { "ahead" } else { "behind" };
            println!(
                "  {} {} by {}: clock {minutes:.1} min {way}",
                t.entry_id.short(),
                t.kind,
                t.author.person
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
