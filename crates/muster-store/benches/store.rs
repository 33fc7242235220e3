//! Ingest benchmark (figures and ratios: scripts/bench, docs/benchmarks.md): 100k foreign
//! entries into a fresh database vs verifying their 100k signatures (one by one, and batched)
//! with nothing stored. The append comparison is in benches/append.rs (interleaved).
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use muster_core::body::{EntryBody, Note, StatusUpdate};
use muster_core::entry::{verify_many, Author};
use muster_core::{Entry, IncidentId, SigningKey, StreamWriter, ViewerZone, WallClock};
use muster_store::{FixedClock, Source, Store};

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
        let mut writer = StreamWriter::new(SigningKey::from_bytes(&[d as u8 + 1; 32]), incident);
        let author = Author { person: format!("Laptop {d}"), position: None };
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
            let recorded = WallClock { utc_ms: t as i64, offset_s: -21600, zone: "America/Chicago".into() };
            let random = [d as u8, (seq >> 16) as u8, (seq >> 8) as u8, seq as u8, 1, 2, 3, 4, 5, 6];
            out.push(writer.write(recorded, author.clone(), body, random).unwrap());
        }
    }
    out
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
    group.bench_function("verify_batched_signatures", |b| b.iter(|| assert!(verify_many(&refs).is_empty())));
    group.bench_function("ingest", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().unwrap();
                let clock = Arc::new(FixedClock { now: Utc::now(), zone: ViewerZone::Utc });
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

criterion_group!(benches, bench_ingest);
criterion_main!(benches);
