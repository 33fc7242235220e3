//! Sync benchmarks (docs/benchmarks.md, "Sync"). Every ratio is against a baseline measured
//! in the same run, on the same machine:
//!
//! 1. catch-up: a fresh laptop pulls a 50k-entry incident from a real server over loopback
//!    HTTP, against `Store::ingest` of the same entries from memory in the same chunks (the bare
//!    verify + insert cost);
//! 2. concurrent pushers: N clients (200) each push one entry per second for S seconds (60) to a
//!    real server, on SQLite and (with `MUSTER_TEST_POSTGRES_URL`) PostgreSQL: p50/p99 latency
//!    and errors, against one durable INSERT commit on the same backend;
//! 3. automerge: a document of the same number of changes synced between two peers in memory,
//!    beside Muster's catch-up (over HTTP, and in memory).
//!
//! Usage: `muster-bench-sync [--quick] [--clients N] [--seconds S] [--entries N]`
//! (`--quick`: 10 s of concurrent pushing). Prints a Markdown table.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, Context, Result};
use chrono::Utc;
use ed25519_dalek::Signer;
use muster_core::body::{EntryBody, IncidentOpened, Note, StatusUpdate};
use muster_core::entry::Author;
use muster_core::{DeviceId, Entry, IncidentId, SigningKey, StreamWriter, ViewerZone, WallClock};
use muster_server::{serve, Caller, ClockPolicy, PgStorage, ServeOptions, SqliteStorage, Storage};
use muster_store::{FixedClock, Source, Store};
use muster_sync::engine::INGEST_CHUNK;
use muster_sync::{sync_once, Client, HttpTransport, SyncPlan};
use muster_wire::{login_proof_message, LoginRequest, Role};

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

fn key(seed: u32) -> SigningKey {
    let mut bytes = [7u8; 32];
    bytes[..4].copy_from_slice(&seed.to_le_bytes());
    SigningKey::from_bytes(&bytes)
}

fn device(seed: u32) -> DeviceId {
    DeviceId(key(seed).verifying_key().to_bytes())
}

/// The opening entry of `incident` signed by the device of `seed`: what registering it needs.
fn opening(seed: u32, incident: IncidentId) -> Result<Entry> {
    let recorded = WallClock { utc_ms: now_ms(), offset_s: 0, zone: "UTC".into() };
    let author = Author { person: format!("Bench {seed}"), position: None };
    let body =
        EntryBody::IncidentOpened(IncidentOpened { title: "Bench".into(), drill: true, description: None });
    Ok(StreamWriter::new(key(seed), incident).write(recorded, author, body, [0xee; 10])?)
}

fn login_request(user: &str, token: &str, seed: u32) -> LoginRequest {
    LoginRequest {
        user: user.into(),
        token: token.into(),
        device_id: device(seed),
        device_name: format!("bench {seed}"),
        proof: hex::encode(key(seed).sign(&login_proof_message(user, token)).to_bytes()),
    }
}

/// A user with one device (key `seed`), logged in through the storage.
async fn enrol<S: Storage>(s: &S, user: &str, seed: u32) -> Result<(Caller, String)> {
    let token = s.add_user(user, now_ms()).await?;
    let session = s.login(login_request(user, &token, seed), now_ms()).await?;
    Ok((s.authenticate(&session.session_token, now_ms()).await?, session.session_token))
}

/// `n` entries of one incident from `devices` laptops, a fifth of them status updates
/// (structural), the rest notes of 40–200 characters, as `benches/store.rs` makes them.
fn incident_entries(incident: IncidentId, devices: u32, n: usize, first_seed: u32) -> Vec<Vec<Entry>> {
    let per = n / devices as usize;
    (0..devices)
        .map(|d| {
            let mut w = StreamWriter::new(key(first_seed + d), incident);
            let author = Author { person: format!("Laptop {d}"), position: None };
            (0..per)
                .map(|i| {
                    let body = if i == 0 && d == 0 {
                        EntryBody::IncidentOpened(IncidentOpened {
                            title: "Ransomware on PACS".into(),
                            drill: true,
                            description: None,
                        })
                    } else if i % 5 == 0 {
                        EntryBody::StatusUpdate(StatusUpdate {
                            position: None,
                            conditions: format!("EHR read-only, {i} workstations re-imaged"),
                            actions: "isolating VLAN 40".into(),
                            needs: String::new(),
                        })
                    } else {
                        EntryBody::Note(Note {
                            text: format!("laptop {d} note {i}: {}", "x".repeat(40 + i % 160)),
                            occurred_at: None,
                        })
                    };
                    let recorded = WallClock { utc_ms: now_ms() + i as i64, offset_s: 0, zone: "UTC".into() };
                    // Unique per device and position: the entry id is the time plus these bytes.
                    let s = (first_seed + d).to_le_bytes();
                    let random = [s[0], s[1], s[2], s[3], (i >> 16) as u8, (i >> 8) as u8, i as u8, 0, 0, 5];
                    w.write(recorded, author.clone(), body, random).map_err(|e| anyhow!("{e}"))
                })
                .collect::<Result<Vec<_>>>()
        })
        .collect::<Result<Vec<_>>>()
        .unwrap_or_default()
}

fn fresh_store(dir: &Path, name: &str) -> Result<Store> {
    let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
    Ok(Store::open(&dir.join(name), clock)?)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// A server serving `storage` on 127.0.0.1, on its own runtime; the URL.
fn start_server<S: Storage + Clone>(rt: &tokio::runtime::Runtime, storage: S) -> Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    rt.spawn(serve(listener, storage, ServeOptions::default()));
    Ok(url)
}

struct Catchup {
    entries: usize,
    http_s: f64,
    bare_s: f64,
}

fn catchup(entries: usize) -> Result<Catchup> {
    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let storage = SqliteStorage::open(&dir.path().join("server.sqlite3"))?;
    let url = start_server(&rt, storage.clone())?;
    let incident = IncidentId::from_parts(1_790_000_000_000, [5; 10]);
    let streams = incident_entries(incident, 5, entries, 100);
    let total: usize = streams.iter().map(Vec::len).sum();
    // Seed the server: five laptops of one user (registered devices), pushed in pages.
    let reader_token = rt.block_on(async {
        let (owner, _) = enrol(&storage, "owner", 100).await?;
        for d in 1..5u32 {
            let token = storage.new_enrolment("owner", now_ms()).await?;
            storage.login(login_request("owner", &token, 100 + d), now_ms()).await?;
        }
        storage.register_incident(&owner, incident, &opening(100, incident)?, now_ms()).await?;
        let reader = storage.add_user("reader", now_ms()).await?;
        storage.set_member(&owner, incident, "reader", Role::Member, now_ms()).await?;
        for stream in &streams {
            for page in stream.chunks(1000) {
                storage
                    .push(&owner, incident, page.to_vec(), now_ms(), ClockPolicy::unknown(120_000))
                    .await?;
            }
        }
        Ok::<_, anyhow::Error>(reader)
    })?;
    let session =
        Client::new(HttpTransport::new(&url)?, None).login("reader", &reader_token, &key(9), "bench")?;
    let in_rank_order: Vec<Entry> = streams.into_iter().flatten().collect();

    // Three interleaved rounds of each arm; the medians.
    let (mut http, mut bare) = (Vec::new(), Vec::new());
    for round in 0..3 {
        let mut store = fresh_store(dir.path(), &format!("http{round}.sqlite3"))?;
        let client = Client::new(HttpTransport::new(&url)?, Some(session.session_token.clone()));
        let plan =
            SyncPlan { incidents: vec![incident], register: Default::default(), access_removed: vec![] };
        let started = Instant::now();
        let report = sync_once(&mut store, &client, &plan)?;
        http.push(started.elapsed().as_secs_f64());
        if report.incidents[0].pulled != total {
            return Err(anyhow!("catch-up pulled {} of {total}", report.incidents[0].pulled));
        }

        let mut store = fresh_store(dir.path(), &format!("bare{round}.sqlite3"))?;
        let started = Instant::now();
        for chunk in in_rank_order.chunks(INGEST_CHUNK) {
            store.ingest(chunk, Source::Sync)?;
        }
        bare.push(started.elapsed().as_secs_f64());
    }
    Ok(Catchup { entries: total, http_s: median(http), bare_s: median(bare) })
}

/// Syncs an automerge document of `n` changes (one `put` and `commit` each, with note-sized
/// text) to an empty peer in memory, messages encoded and decoded as on a wire. Seconds.
fn automerge_sync(n: usize) -> Result<f64> {
    use automerge::sync::{Message, State, SyncDoc};
    use automerge::transaction::Transactable;
    use automerge::{AutoCommit, ROOT};
    let mut source = AutoCommit::new();
    for i in 0..n {
        source.put(ROOT, format!("n{i}"), format!("note {i}: {}", "x".repeat(40 + i % 160)))?;
        source.commit();
    }
    let mut peer = AutoCommit::new();
    let (mut s_state, mut p_state) = (State::new(), State::new());
    let started = Instant::now();
    loop {
        let mut quiet = true;
        if let Some(m) = source.sync().generate_sync_message(&mut s_state) {
            quiet = false;
            peer.sync().receive_sync_message(&mut p_state, Message::decode(&m.encode())?)?;
        }
        if let Some(m) = peer.sync().generate_sync_message(&mut p_state) {
            quiet = false;
            source.sync().receive_sync_message(&mut s_state, Message::decode(&m.encode())?)?;
        }
        if quiet {
            break;
        }
    }
    let secs = started.elapsed().as_secs_f64();
    if peer.get_heads() != source.get_heads() {
        return Err(anyhow!("automerge peers did not converge"));
    }
    Ok(secs)
}

struct PushFigures {
    pushes: usize,
    errors: usize,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    baseline_p50_ms: f64,
}

/// `clients` clients, each its own user and device, ten to an incident, each pushing one entry
/// per second for `seconds` with a jittered start.
fn concurrent<S: Storage + Clone>(
    rt: &tokio::runtime::Runtime,
    storage: S,
    clients: u32,
    seconds: u32,
) -> Result<(usize, usize, Vec<f64>)> {
    let url = start_server(rt, storage.clone())?;
    let per_incident = 10;
    let sessions = rt.block_on(async {
        let mut out = Vec::new();
        let mut owner: Option<Caller> = None;
        for c in 0..clients {
            let incident = IncidentId::from_parts(1_790_000_000_000, [(c / per_incident) as u8 + 1; 10]);
            let (caller, session) = enrol(&storage, &format!("user{c}"), 1000 + c).await?;
            if c % per_incident == 0 {
                storage.register_incident(&caller, incident, &opening(1000 + c, incident)?, now_ms()).await?;
                owner = Some(caller);
            } else if let Some(o) = &owner {
                storage.set_member(o, incident, &format!("user{c}"), Role::Member, now_ms()).await?;
            }
            out.push((incident, session));
        }
        Ok::<_, anyhow::Error>(out)
    })?;
    let latencies = Arc::new(Mutex::new(Vec::new()));
    let errors = Arc::new(Mutex::new(0usize));
    let threads: Vec<_> = sessions
        .into_iter()
        .enumerate()
        .map(|(c, (incident, session))| {
            let (url, latencies, errors) = (url.clone(), latencies.clone(), errors.clone());
            let entries = incident_entries(incident, 1, seconds as usize, 1000 + c as u32).remove(0);
            std::thread::spawn(move || -> Result<()> {
                let client = Client::new(HttpTransport::new(&url)?, Some(session));
                let jitter = Duration::from_micros((c as u64 * 7919) % 1_000_000);
                let start = Instant::now() + jitter;
                let mut mine = Vec::with_capacity(entries.len());
                for (i, e) in entries.into_iter().enumerate() {
                    let due = start + Duration::from_secs(i as u64);
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let sent = Instant::now();
                    match client.push(incident, vec![e]) {
                        Ok(out) if out.accepted == 1 => mine.push(sent.elapsed().as_secs_f64() * 1000.0),
                        other => {
                            let mut n = errors.lock().map_err(|_| anyhow!("poisoned"))?;
                            if *n == 0 {
                                eprintln!("first push error: {other:?}");
                            }
                            *n += 1;
                        }
                    }
                }
                latencies.lock().map_err(|_| anyhow!("poisoned"))?.extend(mine);
                Ok(())
            })
        })
        .collect();
    for t in threads {
        t.join().map_err(|_| anyhow!("a client thread panicked"))??;
    }
    let mut l = std::mem::take(&mut *latencies.lock().map_err(|_| anyhow!("poisoned"))?);
    l.sort_by(f64::total_cmp);
    let errors = *errors.lock().map_err(|_| anyhow!("poisoned"))?;
    Ok((l.len(), errors, l))
}

fn figures(pushes: usize, errors: usize, sorted: &[f64], baseline_p50_ms: f64) -> PushFigures {
    PushFigures {
        pushes,
        errors,
        p50_ms: percentile(sorted, 0.50),
        p99_ms: percentile(sorted, 0.99),
        max_ms: sorted.last().copied().unwrap_or(0.0),
        baseline_p50_ms,
    }
}

/// Median of 200 single-row INSERT commits into a WAL database with `synchronous=FULL`.
fn sqlite_insert_baseline(dir: &Path) -> Result<f64> {
    let conn = rusqlite::Connection::open(dir.join("baseline.sqlite3"))?;
    conn.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.execute_batch("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")?;
    let mut times = Vec::new();
    for i in 0..200 {
        let started = Instant::now();
        conn.execute("INSERT INTO t (id, body) VALUES (?1, ?2)", rusqlite::params![i, "x".repeat(600)])?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(times))
}

/// Median of 200 single-row INSERT commits (autocommit) on the PostgreSQL server.
async fn pg_insert_baseline(url: &str) -> Result<f64> {
    let (pg, conn) = tokio_postgres::connect(url, tokio_postgres::NoTls).await?;
    tokio::spawn(conn);
    pg.batch_execute("CREATE TABLE baseline (id BIGINT PRIMARY KEY, body TEXT NOT NULL)").await?;
    let insert = pg.prepare("INSERT INTO baseline (id, body) VALUES ($1, $2)").await?;
    let mut times = Vec::new();
    for i in 0..200i64 {
        let started = Instant::now();
        pg.execute(&insert, &[&i, &"x".repeat(600)]).await?;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    Ok(median(times))
}

/// A fresh database on the throwaway cluster; its URL.
async fn fresh_pg_database(url: &str) -> Result<String> {
    let (pg, conn) =
        tokio_postgres::connect(url, tokio_postgres::NoTls).await.context("connect to PostgreSQL")?;
    tokio::spawn(conn);
    let name = format!("bench_{}", std::process::id());
    pg.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await?;
    pg.batch_execute(&format!("CREATE DATABASE {name}")).await?;
    let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
    Ok(format!("{base}/{name}"))
}

fn arg_value(args: &[String], name: &str) -> Option<u32> {
    args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|v| v.parse().ok())
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    let clients = arg_value(&args, "--clients").unwrap_or(200);
    let seconds = arg_value(&args, "--seconds").unwrap_or(if quick { 10 } else { 60 });
    let entries = arg_value(&args, "--entries").unwrap_or(50_000) as usize;
    let pg_url = std::env::var("MUSTER_TEST_POSTGRES_URL").ok().filter(|u| !u.is_empty());

    eprintln!("catch-up of {entries} entries ...");
    let c = catchup(entries)?;
    eprintln!("automerge, {} changes ...", c.entries);
    let am = automerge_sync(c.entries)?;

    let dir = tempfile::tempdir()?;
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    eprintln!("{clients} clients x {seconds} s on SQLite ...");
    let sqlite = SqliteStorage::open(&dir.path().join("push.sqlite3"))?;
    let (n, errors, sorted) = concurrent(&rt, sqlite, clients, seconds)?;
    let sqlite_figures = figures(n, errors, &sorted, sqlite_insert_baseline(dir.path())?);
    let pg_figures = match &pg_url {
        Some(url) => {
            eprintln!("{clients} clients x {seconds} s on PostgreSQL ...");
            let db = rt.block_on(fresh_pg_database(url))?;
            let storage = rt.block_on(PgStorage::connect(&db))?;
            let (n, errors, sorted) = concurrent(&rt, storage, clients, seconds)?;
            let baseline = rt.block_on(pg_insert_baseline(&db))?;
            Some(figures(n, errors, &sorted, baseline))
        }
        None => None,
    };

    println!("| benchmark | measured | baseline (same run) | ratio | goal |");
    println!("|---|---|---|---|---|");
    println!(
        "| catch-up of a fresh laptop, {} entries over loopback HTTP | {:.2} s = {:.0} entries/s | `Store::ingest` of the same entries from memory, same chunks: {:.2} s = {:.0} entries/s | {:.2} | >= 20,000 entries/s |",
        c.entries,
        c.http_s,
        c.entries as f64 / c.http_s,
        c.bare_s,
        c.entries as f64 / c.bare_s,
        c.http_s / c.bare_s
    );
    println!(
        "| automerge: a document of {} changes synced to an empty peer (in memory) | {:.2} s = {:.0} changes/s | Muster catch-up over HTTP {:.2} s; in memory {:.2} s | Muster/automerge {:.2} (HTTP), {:.2} (memory) | report |",
        c.entries,
        am,
        c.entries as f64 / am,
        c.http_s,
        c.bare_s,
        c.http_s / am,
        c.bare_s / am
    );
    for (name, f) in [("SQLite", Some(&sqlite_figures)), ("PostgreSQL", pg_figures.as_ref())] {
        match f {
            Some(f) => println!(
                "| {clients} clients x 1 push/s x {seconds} s, {name} | p50 {:.1} ms, p99 {:.1} ms (max {:.1}); {} pushes, {} errors | one durable INSERT commit p50 {:.2} ms | p99/INSERT {:.1} | p99 < 100 ms, 0 errors |",
                f.p50_ms, f.p99_ms, f.max_ms, f.pushes, f.errors, f.baseline_p50_ms, f.p99_ms / f.baseline_p50_ms
            ),
            None => println!("| {clients} clients, {name} | not run: no MUSTER_TEST_POSTGRES_URL | | | |"),
        }
    }
    Ok(())
}
