//! Seeds a large incident for benchmarks of the desktop app (scripts/bench-desktop):
//! `cargo run --release -p muster-store --example seed_incident -- DATA_DIR ENTRIES`.
//! Four laptops, six people in six positions, notes and status updates spread over the last
//! hours; signed and ingested like entries received from other devices.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::sync::Arc;

use muster_core::body::*;
use muster_core::entry::Author;
use muster_core::{Entry, IncidentId, Position, Severity, SigningKey, StreamWriter, WallClock};
use muster_store::{Source, Store, SystemClock};

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().expect("usage: seed_incident DATA_DIR ENTRIES"));
    let n: u64 =
        args.next().expect("usage: seed_incident DATA_DIR ENTRIES").parse().expect("ENTRIES: a number");
    let mut store = Store::open(&dir.join(muster_store::DB_FILE), Arc::new(SystemClock::new())).unwrap();
    let now_ms = chrono::Utc::now().timestamp_millis() as u64;
    let start_ms = now_ms - n * 200 - 60_000;
    let incident = IncidentId::from_parts(start_ms, [9; 10]);
    let people = [
        ("Dr. Amara Okafor", Position::IncidentCommander),
        ("Soren Lindqvist", Position::Scribe),
        ("Priya Natarajan", Position::TechnicalLead),
        ("Dr. Marcus Webb", Position::ClinicalLiaison),
        ("Elena Torres", Position::PrivacyOfficer),
        ("Jamal Carter", Position::CommunicationsOfficer),
    ];
    let zone = "America/Chicago";
    let at = |t: u64| WallClock { utc_ms: t as i64, offset_s: -21_600, zone: zone.into() };
    let ic = Author { person: people[0].0.into(), position: Some(Position::IncidentCommander) };
    let mut writers: Vec<StreamWriter> =
        (0..4u8).map(|d| StreamWriter::new(SigningKey::from_bytes(&[d + 40; 32]), incident)).collect();
    let mut entries: Vec<Entry> = Vec::with_capacity(n as usize + 8);
    let mut head = vec![EntryBody::IncidentOpened(IncidentOpened {
        title: format!("Benchmark: ransomware across imaging ({n} entries)"),
        drill: true,
        description: None,
    })];
    head.push(EntryBody::SeveritySet(SeveritySet { severity: Severity::Sev1, rationale: None }));
    for (person, position) in &people {
        head.push(EntryBody::RoleAssigned(RoleAssigned {
            position: position.clone(),
            person: (*person).into(),
            supersedes: vec![],
        }));
    }
    for (i, body) in head.into_iter().enumerate() {
        let random = [0, 0, 0, i as u8, 1, 1, 1, 1, 1, 1];
        entries.push(writers[0].write(at(start_ms + i as u64), ic.clone(), body, random).unwrap());
    }
    let systems = ["PACS-01", "PACS-02", "HL7 engine", "Lab LIS", "EHR front end", "Pharmacy dispensing"];
    for i in 0..n.saturating_sub(entries.len() as u64) {
        let (person, position) = &people[(i % 6) as usize];
        let author = Author { person: (*person).into(), position: Some(position.clone()) };
        let system = systems[(i / 7 % 6) as usize];
        let body = if i % 10 == 9 {
            EntryBody::StatusUpdate(StatusUpdate {
                position: Some(position.clone()),
                conditions: format!("{system} isolated; restore at {}%", i % 100),
                actions: "Validating backups".into(),
                needs: String::new(),
            })
        } else {
            EntryBody::Note(Note {
                text: format!(
                    "Update {i}: {system} checked by {person}; downtime procedure holding in radiology."
                ),
                occurred_at: None,
            })
        };
        let d = (i % 4) as usize;
        let random = [d as u8, (i >> 24) as u8, (i >> 16) as u8, (i >> 8) as u8, i as u8, 2, 2, 2, 2, 2];
        entries.push(writers[d].write(at(start_ms + 100 + i * 200), author, body, random).unwrap());
    }
    for chunk in entries.chunks(20_000) {
        store.ingest(chunk, Source::Import).unwrap();
    }
    store.set_setting("incident.current", &incident.to_string()).unwrap();
    println!("{incident} {}", entries.len());
}
