//! Kill `muster serve` with SIGKILL in the middle of pushes, many times, on SQLite and on
//! PostgreSQL. After every kill the restarted server must hold every entry it acknowledged
//! (a 200 answer to a push); the client resumes from the server's heads; at the end a fresh
//! laptop pulls everything, verifying every signature and chain, and reaches the source's
//! state digest.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use muster_core::body::{EntryBody, IncidentOpened, Note};
use muster_core::entry::Author;
use muster_core::{DeviceId, Entry, IncidentId, SigningKey, StreamWriter, ViewerZone, WallClock};
use muster_store::{FixedClock, Source, Store};
use muster_sync::{sync_once, Client, HttpTransport, SyncPlan};
use muster_tests::{server_user_add, Rng, ServeProcess};
use muster_wire::Role;

const PER_DEVICE: u64 = 4_000;
const PAGE: usize = 200;
/// Kills that must land while a push is in flight for the test to count.
const IN_FLIGHT_KILLS: usize = 12;
const MAX_ROUNDS: usize = 60;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn device(seed: u8) -> DeviceId {
    DeviceId(key(seed).verifying_key().to_bytes())
}

/// Two laptops' streams (alice: seed 1, bob: seed 2) of one incident, and the state digest.
fn source(incident: IncidentId, dir: &std::path::Path) -> (HashMap<DeviceId, Vec<Entry>>, String) {
    let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
    let mut store = Store::open(&dir.join("source.sqlite3"), clock).unwrap();
    let mut streams = HashMap::new();
    for seed in [1u8, 2] {
        let mut w = StreamWriter::new(key(seed), incident);
        let author = Author { person: format!("Laptop {seed}"), position: None };
        let entries: Vec<Entry> = (1..=PER_DEVICE)
            .map(|seq| {
                let body = if seq == 1 && seed == 1 {
                    EntryBody::IncidentOpened(IncidentOpened {
                        title: "Ransomware on PACS".into(),
                        drill: true,
                        description: None,
                    })
                } else {
                    EntryBody::Note(Note {
                        text: format!("laptop {seed} note {seq}: {}", "x".repeat((seq % 150) as usize)),
                        occurred_at: None,
                    })
                };
                let t = Utc::now().timestamp_millis() + seq as i64;
                let recorded = WallClock { utc_ms: t, offset_s: 0, zone: "UTC".into() };
                let random = [seed, (seq >> 8) as u8, seq as u8, 0, 0, 0, 0, 0, 0, 9];
                w.write(recorded, author.clone(), body, random).unwrap()
            })
            .collect();
        store.ingest(&entries, Source::Sync).unwrap();
        streams.insert(device(seed), entries);
    }
    let digest = store.fold_from_log(incident).unwrap().digest().to_string();
    (streams, digest)
}

fn login(url: &str, user: &str, token: &str, seed: u8) -> String {
    let transport = HttpTransport::new(url).unwrap();
    // Registered for the person its entries name (the server checks them against it).
    Client::new(transport, None)
        .login(user, token, &key(seed), &format!("Laptop {seed}"))
        .unwrap()
        .session_token
}

fn client(url: &str, session: &str) -> Client<HttpTransport> {
    Client::new(HttpTransport::new(url).unwrap(), Some(session.to_string()))
}

/// What the pusher thread saw: per device, the highest seq the server acknowledged.
#[derive(Default)]
struct Acks {
    acked: Mutex<HashMap<DeviceId, u64>>,
    answered: AtomicU64,
    in_flight: AtomicBool,
}

/// Pushes everything the server lacks, page by page, until done or the connection fails.
fn push_all(
    c: &Client<HttpTransport>,
    incident: IncidentId,
    streams: &HashMap<DeviceId, Vec<Entry>>,
    acks: &Acks,
) -> bool {
    let Ok(heads) = c.heads(incident) else { return false };
    let mut at: HashMap<DeviceId, u64> = heads.heads.iter().map(|h| (h.device, h.seq)).collect();
    let mut devices: Vec<&DeviceId> = streams.keys().collect();
    devices.sort();
    loop {
        let mut pushed_any = false;
        for d in &devices {
            let from = at.get(*d).copied().unwrap_or(0) as usize;
            let stream = &streams[*d];
            if from >= stream.len() {
                continue;
            }
            let page: Vec<Entry> = stream[from..(from + PAGE).min(stream.len())].to_vec();
            let last = page.last().unwrap().seq();
            acks.in_flight.store(true, Ordering::SeqCst);
            let answer = c.push(incident, page);
            acks.in_flight.store(false, Ordering::SeqCst);
            match answer {
                Ok(out) => {
                    assert!(out.quarantined.is_empty(), "nothing is quarantined in a clean resume");
                    let head = out.heads.iter().find(|h| h.device == **d).unwrap().seq;
                    assert_eq!(head, last);
                    acks.acked.lock().unwrap().insert(**d, last);
                    acks.answered.fetch_add(1, Ordering::SeqCst);
                    at.insert(**d, last);
                    pushed_any = true;
                }
                Err(e) => {
                    assert!(!e.is_refusal(), "a kill is a failure, never a refusal: {e} ({})", e.code());
                    return false;
                }
            }
        }
        if !pushed_any {
            return true;
        }
    }
}

fn crash_run(database: &str) {
    let work = tempfile::tempdir().unwrap();
    let incident = IncidentId::from_parts(1_790_000_000_000, [3; 10]);
    let (streams, source_digest) = source(incident, work.path());
    let total: u64 = streams.values().map(|s| s.len() as u64).sum();

    let tokens: Vec<String> =
        ["alice", "bob", "carol"].iter().map(|u| server_user_add(database, u)).collect();
    let log = work.path().join("server.log");
    let start_server = |db: &str| ServeProcess::start(db, &["--quiet"], &log);
    let mut server = start_server(database);
    let alice = login(&server.url, "alice", &tokens[0], 1);
    login(&server.url, "bob", &tokens[1], 2);
    let carol = login(&server.url, "carol", &tokens[2], 3);
    let c = client(&server.url, &alice);
    c.register(incident, &streams[&device(1)][0]).unwrap();
    c.set_member(incident, "bob", Role::Member).unwrap();
    c.set_member(incident, "carol", Role::Member).unwrap();

    let seed = std::env::var("MUSTER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::try_from(Utc::now().timestamp_nanos_opt().unwrap_or(1)).unwrap_or(1) | 1);
    eprintln!("sync crash test on {database}: {total} entries, seed {seed} (MUSTER_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let streams = Arc::new(streams);
    let mut in_flight_kills = 0;
    let mut rounds = 0;
    let mut acked_so_far: HashMap<DeviceId, u64> = HashMap::new();
    let finished = loop {
        rounds += 1;
        assert!(rounds <= MAX_ROUNDS, "only {in_flight_kills} kills landed in flight in {MAX_ROUNDS} rounds");
        let acks = Arc::new(Acks::default());
        let pusher = {
            let (acks, streams, url, session) =
                (acks.clone(), streams.clone(), server.url.clone(), alice.clone());
            std::thread::spawn(move || push_all(&client(&url, &session), incident, &streams, &acks))
        };
        // Kill after 1 or 2 answered pushes plus up to 30 ms: most often inside the next one.
        let wait_for = 1 + rng.next_u64() % 2;
        let delay = Duration::from_micros(rng.next_u64() % 30_000);
        let started = Instant::now();
        let mut armed: Option<Instant> = None;
        let mut killed_in_flight = false;
        while !pusher.is_finished() {
            if armed.is_none() && acks.answered.load(Ordering::SeqCst) >= wait_for {
                armed = Some(Instant::now());
            }
            if armed.is_some_and(|t| t.elapsed() >= delay) || started.elapsed() > Duration::from_secs(60) {
                killed_in_flight = acks.in_flight.load(Ordering::SeqCst);
                server.kill(); // SIGKILL on Unix
                break;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
        let done = pusher.join().unwrap();
        if killed_in_flight && !done {
            in_flight_kills += 1;
        }
        for (d, s) in acks.acked.lock().unwrap().iter() {
            let e = acked_so_far.entry(*d).or_insert(0);
            *e = (*e).max(*s);
        }

        // Restarted on the same database, the server holds every acknowledged entry, and its
        // heads are exactly the source's entries (same hashes).
        if server.child.try_wait().unwrap().is_some() {
            server = start_server(database);
        }
        let heads = client(&server.url, &alice).heads(incident).unwrap();
        for (d, acked) in &acked_so_far {
            let head = heads.heads.iter().find(|h| h.device == *d).map_or(0, |h| h.seq);
            assert!(
                head >= *acked,
                "round {rounds}: {acked} acknowledged for {d} but the server's head is {head}"
            );
            if head > 0 {
                assert_eq!(
                    heads.heads.iter().find(|h| h.device == *d).unwrap().hash,
                    streams[d][head as usize - 1].hash()
                );
            }
        }
        if done {
            break true;
        }
        if in_flight_kills >= IN_FLIGHT_KILLS {
            break false;
        }
    };
    eprintln!("{rounds} rounds, {in_flight_kills} kills in flight, finished by itself: {finished}");
    assert!(in_flight_kills >= IN_FLIGHT_KILLS || finished);

    // The client resumes from the server's heads and completes.
    let acks = Acks::default();
    assert!(push_all(&client(&server.url, &alice), incident, &streams, &acks), "the resumed push completes");
    let heads = client(&server.url, &alice).heads(incident).unwrap();
    assert_eq!(heads.last_rank, total, "ranks stay gapless across kills");

    // A fresh laptop pulls it all (verifying every signature and chain) and gets the same state.
    let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
    let mut fresh = Store::open(&work.path().join("fresh.sqlite3"), clock).unwrap();
    let plan = SyncPlan { incidents: vec![incident], register: Default::default(), access_removed: vec![] };
    let report = sync_once(&mut fresh, &client(&server.url, &carol), &plan).unwrap();
    assert_eq!(report.incidents[0].pulled as u64, total);
    assert_eq!(fresh.fold_from_log(incident).unwrap().digest().to_string(), source_digest);
}

#[test]
fn sigkill_of_a_sqlite_server_mid_push_loses_no_acknowledged_entry() {
    let dir = tempfile::tempdir().unwrap();
    crash_run(dir.path().join("server.sqlite3").to_str().unwrap());
}

#[test]
fn sigkill_of_a_postgres_server_mid_push_loses_no_acknowledged_entry() {
    let url = match std::env::var("MUSTER_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => {
            assert!(
                std::env::var("MUSTER_REQUIRE_POSTGRES").is_err(),
                "MUSTER_REQUIRE_POSTGRES is set but MUSTER_TEST_POSTGRES_URL is not"
            );
            eprintln!("skipped: no MUSTER_TEST_POSTGRES_URL (run under scripts/with-postgres)");
            return;
        }
    };
    // A database of its own on the throwaway cluster; the PostgreSQL process survives the
    // kills, only `muster serve` dies.
    let name = format!("crash_{}", std::process::id());
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(async {
        let (pg, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(conn);
        pg.batch_execute(&format!("DROP DATABASE IF EXISTS {name}")).await.unwrap();
        pg.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    });
    let base = url.rsplit_once('/').unwrap().0;
    crash_run(&format!("{base}/{name}"));
}
