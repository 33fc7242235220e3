//! Fold of a 100k-entry incident into state (goal < 200 ms): a long incident's mix of notes,
//! status updates, role changes, decisions and corrections from four devices, shuffled.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::time::Duration;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::*;

const ENTRIES: u64 = 100_000;

fn incident_entries() -> Vec<Entry> {
    let incident = IncidentId::from_parts(1_790_000_000_000, [1; 10]);
    let people = ["Okafor", "Reyes", "Chen", "Lindqvist", "Natarajan"];
    let mut out: Vec<Entry> = Vec::with_capacity(ENTRIES as usize);
    let mut assignments: Vec<EntryId> = Vec::new();
    let mut decisions: Vec<EntryId> = Vec::new();
    let mut notes: Vec<EntryId> = Vec::new();
    let devices = 4u64;
    let mut writers: Vec<StreamWriter> = (0..devices)
        .map(|d| StreamWriter::new(SigningKey::from_bytes(&[d as u8 + 1; 32]), incident))
        .collect();
    for i in 0..ENTRIES {
        let d = (i % devices) as usize;
        let body = match i % 100 {
            0 if i == 0 => EntryBody::IncidentOpened(IncidentOpened {
                title: "Bench".into(),
                drill: false,
                description: None,
            }),
            1 => EntryBody::RoleAssigned(RoleAssigned {
                position: if i % 300 == 1 { Position::IncidentCommander } else { Position::Scribe },
                person: people[(i / 100) as usize % people.len()].into(),
                supersedes: assignments.iter().rev().take(1).copied().collect(),
            }),
            2 => EntryBody::DecisionRecorded(DecisionRecorded {
                question: "Restore order?".into(),
                options: vec!["PACS first".into(), "Interface engine first".into()],
                choice: "PACS first".into(),
                rationale: "Imaging is the larger clinical impact".into(),
                authority: Author { person: "Okafor".into(), position: Some(Position::IncidentCommander) },
                supersedes: decisions.iter().rev().take(1).copied().collect(),
                approvals_required: vec![],
                notification: None,
            }),
            3 if !notes.is_empty() => EntryBody::Amended(Amendment {
                target: notes[notes.len() / 2],
                reason: "typo".into(),
                text: Some("corrected".into()),
                occurred_at: None,
            }),
            4..=20 => EntryBody::StatusUpdate(StatusUpdate {
                position: Some(Position::TechnicalLead),
                conditions: "Containment holding".into(),
                actions: format!("Restore step {i}"),
                needs: "None".into(),
            }),
            _ => EntryBody::Note(Note {
                text: format!("Observation {i}: radiology downtime procedure in use on unit {}", i % 12),
                occurred_at: None,
            }),
        };
        let t = 1_790_000_000_000 + i * 250;
        let recorded = WallClock { utc_ms: t as i64, offset_s: 0, zone: "UTC".into() };
        let author = Author { person: people[d].into(), position: None };
        let random = [d as u8, (i >> 24) as u8, (i >> 16) as u8, (i >> 8) as u8, i as u8, 0, 0, 0, 0, 1];
        let e = writers[d].write(recorded, author, body, random).unwrap();
        match &e.body {
            EntryBody::RoleAssigned(_) => assignments.push(e.id()),
            EntryBody::DecisionRecorded(_) => decisions.push(e.id()),
            EntryBody::Note(_) => notes.push(e.id()),
            _ => {}
        }
        out.push(e);
    }
    // Arrival order differs from fold order (sync): reverse pairs of devices.
    out.reverse();
    out
}

fn bench_fold(c: &mut Criterion) {
    let entries = incident_entries();
    let incident = entries[0].incident_id();
    let mut group = c.benchmark_group("fold");
    group.sample_size(20);
    group.measurement_time(Duration::from_secs(20));
    group.bench_function("fold_100k", |b| {
        b.iter_batched(|| entries.clone(), |e| fold(incident, e).unwrap(), BatchSize::LargeInput)
    });
    group.finish();
}

criterion_group!(benches, bench_fold);
criterion_main!(benches);
