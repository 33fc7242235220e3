//! Store benchmarks (figures and ratios: scripts/bench, docs/benchmarks.md).
//! - append: one durable append (sign + chain + projections + FULL sync) vs a plain rusqlite
//!   INSERT of the same column values into a table of the same shape, same durability.
//! - ingest: 100k foreign entries into a fresh database vs verifying their 100k signatures
//!   (one by one, and batched) with nothing stored.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use muster_core::body::{EntryBody, Note, StatusUpdate};
use muster_core::entry::{verify_many, Author, UnsignedEntry};
use muster_core::{Entry, EntryId, Hash32, Hlc, IncidentId, SigningKey, ViewerZone, WallClock};
use muster_store::{Draft, FixedClock, Source, Store, SystemClock};
use rusqlite::{params, Connection};

const INGEST_ENTRIES: u64 = 100_000;

fn note(i: u64) -> EntryBody {
    EntryBody::Note(Note {
        text: format!("Radiology reports PACS viewer cannot load prior studies (report {i}); downtime procedure in use."),
        occurred_at: None,
    })
}

fn foreign_entries(n: u64) -> Vec<Entry> {
    let incident = IncidentId::from_parts(1_790_000_000_000, [1; 10]);
    let devices = 4u64;
    let mut out = Vec::with_capacity(n as usize);
    for d in 0..devices {
        let key = SigningKey::from_bytes(&[d as u8 + 1; 32]);
        let mut prev = Hash32::ZERO;
        for seq in 1..=n / devices {
            let t = 1_790_000_000_000 + seq * 1_000 + d;
            let body = if seq % 4 == 0 {
                EntryBody::StatusUpdate(StatusUpdate {
                    position: None,
                    conditions: "Containment holding".into(),
                    actions: format!("Restore step {seq}"),
                    needs: String::new(),
                })
            } else {
                note(seq)
            };
            let e = UnsignedEntry {
                id: EntryId::from_parts(
                    t,
                    [
                        d as u8,
                        (seq >> 16) as u8,
                        (seq >> 8) as u8,
                        seq as u8,
                        1,
                        2,
                        3,
                        4,
                        5,
                        6,
                    ],
                ),
                incident_id: incident,
                seq,
                prev_hash: prev,
                hlc: Hlc {
                    wall_ms: t,
                    counter: 0,
                },
                recorded: WallClock {
                    utc_ms: t as i64,
                    offset_s: -21600,
                    zone: "America/Chicago".into(),
                },
                author: Author {
                    person: format!("Laptop {d}"),
                    position: None,
                },
                body,
            }
            .sign(&key)
            .unwrap();
            prev = e.hash();
            out.push(e);
        }
    }
    out
}

fn bench_append(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(
        &dir.path().join("append.sqlite3"),
        Arc::new(SystemClock::new()),
    )
    .unwrap();
    let key = SigningKey::from_bytes(&[9; 32]);
    let incident = IncidentId::from_parts(1_790_000_000_000, [2; 10]);
    let author = Author {
        person: "Søren Lindqvist".into(),
        position: None,
    };
    let mut i = 0u64;

    // Baseline: the same column values, a table of the same shape, one autocommit INSERT each,
    // WAL + synchronous=FULL like the store.
    let plain = Connection::open(dir.path().join("plain.sqlite3")).unwrap();
    plain
        .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    plain.pragma_update(None, "synchronous", "FULL").unwrap();
    plain.execute_batch(
        "CREATE TABLE entries (rowid INTEGER PRIMARY KEY, id BLOB NOT NULL UNIQUE, incident_id BLOB NOT NULL, \
         device_id BLOB NOT NULL, seq INTEGER NOT NULL, prev_hash BLOB NOT NULL, hlc_wall_ms INTEGER NOT NULL, \
         hlc_counter INTEGER NOT NULL, recorded_utc_ms INTEGER NOT NULL, recorded_offset_s INTEGER NOT NULL, \
         recorded_zone TEXT NOT NULL, author_person TEXT NOT NULL, author_position TEXT, kind TEXT NOT NULL, \
         body_version INTEGER NOT NULL, body TEXT NOT NULL, signature BLOB NOT NULL, hash BLOB NOT NULL, \
         source TEXT NOT NULL, received_utc_ms INTEGER NOT NULL, UNIQUE (incident_id, device_id, seq)) STRICT;",
    )
    .unwrap();
    let template = store
        .append(
            &key,
            vec![Draft {
                incident_id: incident,
                author: author.clone(),
                body: note(0),
            }],
        )
        .unwrap()
        .remove(0);
    let mut j = 0u64;

    let mut group = c.benchmark_group("append");
    group.measurement_time(Duration::from_secs(10));
    // For reference: the signature alone (the part of an append no store can avoid).
    group.bench_function("sign_only", |b| {
        let bytes = template.signing_bytes();
        b.iter(|| ed25519_dalek::Signer::sign(&key, &bytes))
    });
    group.bench_function("durable_append", |b| {
        b.iter(|| {
            i += 1;
            store
                .append(
                    &key,
                    vec![Draft {
                        incident_id: incident,
                        author: author.clone(),
                        body: note(i),
                    }],
                )
                .unwrap()
        })
    });
    group.bench_function("plain_insert", |b| {
        b.iter(|| {
            j += 1;
            let e = &template;
            let id = EntryId::from_parts(1_790_000_000_000 + j, [7; 10]);
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
                    j as i64,
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
                .unwrap()
        })
    });
    group.finish();
}

fn bench_ingest(c: &mut Criterion) {
    let entries = foreign_entries(INGEST_ENTRIES);
    let refs: Vec<&Entry> = entries.iter().collect();
    let mut group = c.benchmark_group("ingest_100k");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    group.bench_function("verify_each_signature", |b| {
        b.iter(|| {
            for e in &entries {
                e.verify().unwrap();
            }
        })
    });
    group.bench_function("verify_batched_signatures", |b| {
        b.iter(|| assert!(verify_many(&refs).is_empty()))
    });
    group.bench_function("ingest", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let clock = Arc::new(FixedClock {
                    now: Utc::now(),
                    zone: ViewerZone::Utc,
                });
                let store = Store::open(&dir.path().join("ingest.sqlite3"), clock).unwrap();
                (dir, store)
            },
            |(dir, mut store)| {
                let report = store.ingest(&entries, Source::Sync).unwrap();
                assert_eq!(report.accepted as u64, INGEST_ENTRIES);
                (dir, store)
            },
            BatchSize::PerIteration,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_append, bench_ingest);
criterion_main!(benches);
