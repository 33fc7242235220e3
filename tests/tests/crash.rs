//! Kill `muster import` with SIGKILL at random moments, many times. After every kill the
//! database must open, verify, and hold every entry acknowledged before the kill (`committed`
//! events on stdout); running the import again resumes it; the end state equals the source.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use muster_core::body::{EntryBody, Note, StatusUpdate};
use muster_core::entry::Author;
use muster_core::{Entry, EntryId, IncidentId, SigningKey, StreamWriter, ViewerZone, WallClock};
use muster_store::{transfer, FixedClock, Source, Store};
use muster_tests::{Installation, Rng};

const ENTRIES_PER_DEVICE: u64 = 4_000;
/// Kills that must land between two acknowledgements (mid-write) for the test to count.
const MID_WRITE_KILLS: usize = 15;
const MAX_ROUNDS: usize = 60;

fn source_file(dir: &std::path::Path) -> (std::path::PathBuf, Vec<EntryId>, String) {
    let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
    let mut store = Store::open(&dir.join("source.sqlite3"), clock).unwrap();
    let incident = IncidentId::from_parts(1_790_000_000_000, [1; 10]);
    for device in 0..3u8 {
        let mut writer = StreamWriter::new(SigningKey::from_bytes(&[device + 40; 32]), incident);
        let author = Author { person: format!("Laptop {device}"), position: None };
        let mut batch: Vec<Entry> = Vec::new();
        for seq in 1..=ENTRIES_PER_DEVICE {
            let t = 1_790_000_000_000 + seq * 1_000 + u64::from(device);
            let body = if seq % 5 == 0 {
                EntryBody::StatusUpdate(StatusUpdate {
                    position: None,
                    conditions: format!("condition {seq}"),
                    actions: "acting".into(),
                    needs: String::new(),
                })
            } else {
                EntryBody::Note(Note {
                    text: format!("device {device} note {seq}: {}", "x".repeat((seq % 200) as usize)),
                    occurred_at: None,
                })
            };
            let recorded = WallClock { utc_ms: t as i64, offset_s: 0, zone: "UTC".into() };
            let random = [device, (seq >> 16) as u8, (seq >> 8) as u8, seq as u8, 0, 0, 0, 0, 0, 7];
            batch.push(writer.write(recorded, author.clone(), body, random).unwrap());
        }
        store.ingest(&batch, Source::Sync).unwrap();
    }
    let path = dir.join("big.jsonl");
    transfer::export(&store, &[incident], &path, &mut |_, _| {}).unwrap();
    let ids = std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"].as_str().unwrap().parse().unwrap()
        })
        .collect();
    let digest = store.fold_from_log(incident).unwrap().digest().to_string();
    (path, ids, digest)
}

struct Run {
    /// Highest acknowledged entry count.
    acked: u64,
    finished: bool,
}

/// When to send SIGKILL.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// After this long, whatever the import is doing (often still checking the file).
    After(Duration),
    /// After the n-th acknowledgement plus a delay: inside the writing of a later batch.
    AfterAcks(u64, Duration),
}

/// Runs an import with 50-entry batches and kills it as planned, if it is still running.
fn import_until_killed(m: &Installation, file: &std::path::Path, kill: Kill) -> Run {
    let started = Instant::now();
    let mut child = m
        .command(&["--json", "import", file.to_str().unwrap(), "--batch", "50"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let acked = Arc::new(AtomicU64::new(0));
    let ack_events = Arc::new(AtomicU64::new(0));
    let stdout = child.stdout.take().unwrap();
    let reader = {
        let (acked, ack_events) = (acked.clone(), ack_events.clone());
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if v["event"] == "committed" {
                    acked.fetch_max(v["committed"].as_u64().unwrap(), Ordering::SeqCst);
                    ack_events.fetch_add(1, Ordering::SeqCst);
                }
            }
        })
    };
    let mut armed_at: Option<Instant> = None;
    let finished = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status.success();
        }
        let fire = match kill {
            Kill::After(d) => started.elapsed() >= d,
            Kill::AfterAcks(n, delay) => {
                if armed_at.is_none() && ack_events.load(Ordering::SeqCst) >= n {
                    armed_at = Some(Instant::now());
                }
                armed_at.is_some_and(|t| t.elapsed() >= delay)
            }
        };
        if fire {
            child.kill().unwrap(); // SIGKILL on Unix
            child.wait().unwrap();
            break false;
        }
        std::thread::sleep(Duration::from_micros(200));
    };
    reader.join().unwrap();
    Run { acked: acked.load(Ordering::SeqCst), finished }
}

#[test]
fn sigkill_during_import_never_loses_an_acknowledged_entry() {
    let work = tempfile::tempdir().unwrap();
    let (file, ids, source_digest) = source_file(work.path());
    let total = ids.len() as u64;

    // One whole import, to know how long a run takes.
    let probe = Installation::new("probe");
    let started = Instant::now();
    let run = import_until_killed(&probe, &file, Kill::After(Duration::from_secs(600)));
    assert!(
        run.finished && run.acked == total,
        "a full import must acknowledge every entry ({}/{total})",
        run.acked
    );
    let full = started.elapsed();

    let seed = std::env::var("MUSTER_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| u64::try_from(Utc::now().timestamp_nanos_opt().unwrap_or(1)).unwrap_or(1) | 1);
    eprintln!("crash test: {total} entries, full import {full:?}, seed {seed} (MUSTER_CRASH_SEED to replay)");
    let mut rng = Rng(seed);
    let m = Installation::new("target");
    let db = m.db_path();
    let mut kills_mid_write = 0;
    let mut rounds = 0;
    let mut held = 0u64;
    while kills_mid_write < MID_WRITE_KILLS && rounds < MAX_ROUNDS {
        rounds += 1;
        let kill = if rng.next_u64() % 4 == 0 {
            let millis = u64::try_from(full.as_millis()).unwrap().max(1);
            Kill::After(Duration::from_millis(rng.next_u64() % millis))
        } else {
            let batches_left = (total - held).div_ceil(50).max(2);
            Kill::AfterAcks(
                1 + rng.next_u64() % (batches_left - 1),
                Duration::from_micros(rng.next_u64() % 6_000),
            )
        };
        let run = import_until_killed(&m, &file, kill);
        if !run.finished && run.acked > 0 && run.acked < total {
            kills_mid_write += 1;
        }

        // The database opens, verifies, and holds every acknowledged entry.
        let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
        let store =
            Store::open(&db, clock).unwrap_or_else(|e| panic!("round {rounds}: database does not open: {e}"));
        let report = store.verify(&mut |_, _| {}).unwrap();
        assert!(report.ok(), "round {rounds}: verify found {:#?}", report.problems);
        held = store.entry_count().unwrap();
        assert!(held >= run.acked, "round {rounds}: {} acknowledged but only {held} stored", run.acked);
        for id in ids.iter().take(usize::try_from(run.acked).unwrap()) {
            assert!(
                store.entry(*id).unwrap().is_some(),
                "round {rounds}: acknowledged entry {id} is missing"
            );
        }
        if held == total {
            // Everything is in; start over on a fresh database to keep killing mid-write.
            drop(store);
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
            }
            held = 0;
        }
    }
    eprintln!("crash test: {kills_mid_write} kills between acknowledgements in {rounds} runs");
    assert!(
        kills_mid_write >= MID_WRITE_KILLS,
        "only {kills_mid_write} kills landed mid-write in {rounds} runs"
    );

    // Resume to the end: the result equals the source.
    let out = m.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("of 1 incident(s)"), "{out}");
    let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
    let store = Store::open(&db, clock).unwrap();
    assert_eq!(store.entry_count().unwrap(), total);
    let incident = store.incident_ids().unwrap()[0];
    assert_eq!(store.fold_from_log(incident).unwrap().digest().to_string(), source_digest);
    assert_eq!(
        store.state(incident).unwrap().digest().to_string(),
        source_digest,
        "projections equal the fold after all the kills"
    );
}
