//! Golden vectors freeze the version-1 signing encoding. If this test fails, the bytes that
//! signatures cover have changed: every existing log would stop verifying. Do not regenerate the
//! vectors to make it pass; introduce a new encoding version instead. (The file was written once
//! with MUSTER_WRITE_VECTORS=1.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_core::body::*;
use muster_core::*;
use serde_json::{json, Value};

fn vectors() -> Vec<(&'static str, UnsignedEntry)> {
    let incident = IncidentId::from_parts(1_795_000_000_000, [0x11; 10]);
    let zone_berlin = WallClock { utc_ms: 1_795_000_123_456, offset_s: 3600, zone: "Europe/Berlin".into() };
    let zone_chicago = WallClock { utc_ms: -1, offset_s: -21600, zone: "America/Chicago".into() };
    let target = EntryId::from_parts(1_795_000_000_001, [0x22; 10]);
    vec![
        (
            "first entry of a stream: incident opened, drill, author with position",
            UnsignedEntry {
                id: EntryId::from_parts(1_795_000_000_000, [0x01; 10]),
                incident_id: incident,
                seq: 1,
                prev_hash: Hash32::ZERO,
                hlc: Hlc { wall_ms: 1_795_000_000_000, counter: 0 },
                recorded: zone_berlin.clone(),
                author: Author {
                    person: "Dr. Amara Okafor".into(),
                    position: Some(Position::IncidentCommander),
                },
                on_behalf: None,
                body: EntryBody::IncidentOpened(IncidentOpened {
                    title: "Ransomware: PACS and EHR interface engine".into(),
                    drill: true,
                    description: Some("Encrypted shares on imaging servers".into()),
                }),
            },
        ),
        (
            "note with event time, non-ASCII and escapes, no author position, counter set",
            UnsignedEntry {
                id: EntryId::from_parts(1_795_000_000_002, [0x02; 10]),
                incident_id: incident,
                seq: 2,
                prev_hash: Hash32([0xAB; 32]),
                hlc: Hlc { wall_ms: 1_795_000_000_000, counter: 7 },
                recorded: zone_chicago,
                author: Author { person: "Søren Lindqvist".into(), position: None },
                on_behalf: None,
                body: EntryBody::Note(Note {
                    text: "Ärzte informiert \u{2713}\n\"quoted\" \\ tab\there\u{1}".into(),
                    occurred_at: Some(EventTime(
                        chrono::DateTime::parse_from_rfc3339("2026-11-22T02:14:00-06:00").unwrap(),
                    )),
                }),
            },
        ),
        (
            "role assignment superseding another, custom author position",
            UnsignedEntry {
                id: EntryId::from_parts(1_795_000_000_003, [0x03; 10]),
                incident_id: incident,
                seq: u64::MAX,
                prev_hash: Hash32([0x01; 32]),
                hlc: Hlc { wall_ms: u64::MAX, counter: u32::MAX },
                recorded: WallClock {
                    utc_ms: 4_102_444_800_000,
                    offset_s: 50400,
                    zone: "Pacific/Kiritimati".into(),
                },
                author: Author {
                    person: "R".into(),
                    position: Some(Position::Custom("Safety Officer".into())),
                },
                on_behalf: None,
                body: EntryBody::RoleAssigned(RoleAssigned {
                    position: Position::IncidentCommander,
                    person: "Dr. Luis Reyes".into(),
                    supersedes: vec![target],
                }),
            },
        ),
        (
            "decision",
            UnsignedEntry {
                id: EntryId::from_parts(1_795_000_000_004, [0x04; 10]),
                incident_id: incident,
                seq: 3,
                prev_hash: Hash32([0x02; 32]),
                hlc: Hlc { wall_ms: 1_795_000_000_004, counter: 0 },
                recorded: WallClock { utc_ms: 0, offset_s: 0, zone: "UTC".into() },
                author: Author { person: "Scribe".into(), position: Some(Position::Scribe) },
                on_behalf: None,
                body: EntryBody::DecisionRecorded(DecisionRecorded {
                    question: "Isolate the PACS VLAN?".into(),
                    options: vec!["isolate now".into(), "monitor 1 h".into()],
                    choice: "isolate now".into(),
                    rationale: "Lateral movement seen from PACS-02".into(),
                    authority: Author {
                        person: "Dr. Amara Okafor".into(),
                        position: Some(Position::IncidentCommander),
                    },
                    supersedes: vec![],
                    approvals_required: vec![],
                    notification: None,
                }),
            },
        ),
        (
            "unknown kind from a newer version, body with nested object",
            UnsignedEntry {
                id: EntryId::from_parts(1_795_000_000_005, [0x05; 10]),
                incident_id: incident,
                seq: 4,
                prev_hash: Hash32([0x03; 32]),
                hlc: Hlc { wall_ms: 1_795_000_000_005, counter: 1 },
                recorded: WallClock { utc_ms: 1_795_000_000_005, offset_s: 0, zone: "UTC".into() },
                author: Author { person: "Tech".into(), position: Some(Position::TechnicalLead) },
                on_behalf: None,
                body: EntryBody::Unknown {
                    kind: "evidence.collected".into(),
                    version: 3,
                    json: r#"{"z":1,"a":{"y":[1,2],"b":"x"}}"#.into(),
                },
            },
        ),
    ]
}

fn key() -> SigningKey {
    let seed: [u8; 32] = core::array::from_fn(|i| i as u8);
    SigningKey::from_bytes(&seed)
}

fn compute() -> Value {
    let key = key();
    let items: Vec<Value> = vectors()
        .into_iter()
        .map(|(name, unsigned)| {
            let entry = unsigned.sign(&key).unwrap();
            json!({
                "name": name,
                "entry": entry,
                "signing_bytes": hex::encode(entry.signing_bytes()),
                "body_canonical": entry.body_json(),
            })
        })
        .collect();
    json!({
        "encoding": "muster/entry/v1",
        "signing_key_seed": hex::encode(key.to_bytes()),
        "device_id": hex::encode(key.verifying_key().to_bytes()),
        "vectors": items,
    })
}

const PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors/entry-v1.json");

#[test]
fn encoding_matches_the_frozen_vectors() {
    let computed = compute();
    if std::env::var("MUSTER_WRITE_VECTORS").as_deref() == Ok("1") {
        std::fs::write(PATH, serde_json::to_string_pretty(&computed).unwrap() + "\n").unwrap();
    }
    let frozen: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    assert_eq!(computed, frozen, "the v1 signing encoding changed; see the comment at the top of this file");
}

#[test]
fn frozen_vectors_parse_and_verify_independently_of_the_builders() {
    // Reads the file as an importer would: the entries must verify and hash to what is stated.
    let frozen: Value = serde_json::from_str(&std::fs::read_to_string(PATH).unwrap()).unwrap();
    let vectors = frozen["vectors"].as_array().unwrap();
    assert_eq!(vectors.len(), 5);
    for v in vectors {
        let entry: Entry = serde_json::from_value(v["entry"].clone()).unwrap();
        entry.verify().unwrap();
        assert_eq!(hex::encode(entry.signing_bytes()), v["signing_bytes"].as_str().unwrap());
        assert_eq!(entry.body_json(), v["body_canonical"].as_str().unwrap());
        assert!(v["signing_bytes"].as_str().unwrap().starts_with(&hex::encode(b"muster/entry/v1\n")));
    }
}
