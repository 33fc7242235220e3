//! Durable append vs a plain durable INSERT, measured interleaved.
//!
//! One durable append = sign + chain + projections + commit with synchronous=FULL. The baseline
//! is a plain rusqlite INSERT of the same column values into a table of the same shape (rowid
//! table, the same unique constraints), autocommit, WAL + synchronous=FULL. Both run in the same
//! process, alternating blocks of operations, so that drift in this machine's CPU and disk
//! speed hits both alike; the ratio reported is the median of the per-round ratios. A third arm
//! times the Ed25519 signature alone, for reference.
//!
//! Prints a JSON line (read by scripts/bench-report.py) and a human summary.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Instant;

use ed25519_dalek::Signer;
use muster_core::body::{EntryBody, Note};
use muster_core::entry::Author;
use muster_core::{EntryId, IncidentId, SigningKey};
use muster_store::{Draft, Store, SystemClock};
use rusqlite::{params, Connection};

const ROUNDS: usize = 60;
const BLOCK: usize = 50;

fn note(i: u64) -> EntryBody {
    EntryBody::Note(Note {
        text: format!("Radiology reports PACS viewer cannot load prior studies (report {i}); downtime procedure in use."),
        occurred_at: None,
    })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn main() {
    // `cargo bench` passes --bench; a filter argument that does not name us means skip.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if !args.is_empty() && !args.iter().any(|a| "append".contains(a.as_str())) {
        return;
    }
    let quick = std::env::args().any(|a| a == "--quick");
    let rounds = if quick { 10 } else { ROUNDS };

    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("append.sqlite3"), Arc::new(SystemClock::new())).unwrap();
    let key = SigningKey::from_bytes(&[9; 32]);
    let incident = IncidentId::from_parts(1_790_000_000_000, [2; 10]);
    let author = Author { person: "Søren Lindqvist".into(), position: None };
    let template = store
        .append(
            &key,
            vec![Draft { incident_id: incident, author: author.clone(), on_behalf: None, body: note(0) }],
        )
        .unwrap()
        .remove(0);

    let plain = Connection::open(dir.path().join("plain.sqlite3")).unwrap();
    plain.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(())).unwrap();
    plain.pragma_update(None, "synchronous", "FULL").unwrap();
    plain
        .execute_batch(
            "CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, incident_id BLOB NOT NULL, \
             device_id BLOB NOT NULL, seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, hlc_wall_ms INTEGER NOT NULL, \
             hlc_counter INTEGER NOT NULL, recorded_utc_ms INTEGER NOT NULL, recorded_offset_s INTEGER NOT NULL, \
             recorded_zone TEXT NOT NULL, author_person TEXT NOT NULL, author_position TEXT, kind TEXT NOT NULL, \
             body_version INTEGER NOT NULL, body TEXT NOT NULL, signature BLOB NOT NULL, hash BLOB NOT NULL, \
             source TEXT NOT NULL, received_utc_ms INTEGER NOT NULL, UNIQUE (incident_id, device_id, seq)) STRICT;",
        )
        .unwrap();

    let mut appended = 0u64;
    let mut inserted = 0u64;
    let mut append_block = |n: usize| {
        let t = Instant::now();
        for _ in 0..n {
            appended += 1;
            store
                .append(
                    &key,
                    vec![Draft {
                        incident_id: incident,
                        author: author.clone(),
                        on_behalf: None,
                        body: note(appended),
                    }],
                )
                .unwrap();
        }
        t.elapsed().as_secs_f64() / n as f64
    };
    let mut insert_block = |n: usize| {
        let t = Instant::now();
        for _ in 0..n {
            inserted += 1;
            let e = &template;
            let id = EntryId::from_parts(1_790_000_000_000 + inserted, [7; 10]);
            plain
                .prepare_cached(
                    "INSERT INTO entries (id, incident_id, device_id, seq, prev_hash, hlc_wall_ms, hlc_counter, \
                     recorded_utc_ms, recorded_offset_s, recorded_zone, author_person, author_position, kind, \
                     body_version, body, signature, hash, source, received_utc_ms) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
                )
                .unwrap()
                .execute(params![
                    &id.as_bytes()[..],
                    &e.incident_id().as_bytes()[..],
                    &e.device_id().as_bytes()[..],
                    inserted as i64,
                    &e.envelope.prev_hash.as_bytes()[..],
                    e.hlc().wall_ms as i64,
                    i64::from(e.hlc().counter),
                    e.envelope.recorded.utc_ms,
                    i64::from(e.envelope.recorded.offset_s),
                    e.envelope.recorded.zone,
                    e.envelope.author.person,
                    Option::<String>::None,
                    e.kind(),
                    1i64,
                    e.body_json(),
                    &e.signature[..],
                    &e.hash().as_bytes()[..],
                    "local",
                    0i64,
                ])
                .unwrap();
        }
        t.elapsed().as_secs_f64() / n as f64
    };
    let bytes = template.signing_bytes();
    let sign_block = |n: usize| {
        let t = Instant::now();
        for _ in 0..n {
            std::hint::black_box(key.sign(std::hint::black_box(&bytes)));
        }
        t.elapsed().as_secs_f64() / n as f64
    };

    // Warm up both databases past their first checkpoints.
    append_block(BLOCK * 4);
    insert_block(BLOCK * 4);

    let mut appends = Vec::with_capacity(rounds);
    let mut inserts = Vec::with_capacity(rounds);
    let mut signs = Vec::with_capacity(rounds);
    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        // Alternate which arm goes first.
        let (a, p) = if round % 2 == 0 {
            let a = append_block(BLOCK);
            (a, insert_block(BLOCK))
        } else {
            let p = insert_block(BLOCK);
            (append_block(BLOCK), p)
        };
        signs.push(sign_block(BLOCK));
        appends.push(a);
        inserts.push(p);
        ratios.push(a / p);
    }
    for v in [&mut appends, &mut inserts, &mut signs, &mut ratios] {
        v.sort_by(|a, b| a.total_cmp(b));
    }
    let us = |s: f64| s * 1e6;
    let report = serde_json::json!({
        "rounds": rounds,
        "block": BLOCK,
        "durable_append_us": us(percentile(&appends, 0.5)),
        "plain_insert_us": us(percentile(&inserts, 0.5)),
        "sign_only_us": us(percentile(&signs, 0.5)),
        "ratio_median": percentile(&ratios, 0.5),
        "ratio_p10": percentile(&ratios, 0.1),
        "ratio_p90": percentile(&ratios, 0.9),
    });
    println!(
        "append: durable {:.1} µs, plain INSERT {:.1} µs, sign alone {:.1} µs (medians of {rounds} rounds of {BLOCK})",
        us(percentile(&appends, 0.5)),
        us(percentile(&inserts, 0.5)),
        us(percentile(&signs, 0.5))
    );
    println!(
        "append: ratio durable/plain median {:.2} (p10 {:.2}, p90 {:.2}); goal <= 1.5",
        percentile(&ratios, 0.5),
        percentile(&ratios, 0.1),
        percentile(&ratios, 0.9)
    );
    println!("MUSTER_BENCH_APPEND {report}");
}
