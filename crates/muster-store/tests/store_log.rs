#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;

use chrono::{DateTime, Utc};
use muster_core::body::*;
use muster_core::entry::{Author, UnsignedEntry};
use muster_core::error::ErrorCode;
use muster_core::*;
use muster_store::testing::build_scenario;
use muster_store::*;
use proptest::prelude::*;

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock {
        now: DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").unwrap().with_timezone(&Utc),
        zone: ViewerZone::from_name("America/Chicago").unwrap(),
    })
}

fn open(dir: &tempfile::TempDir) -> Store {
    Store::open(&dir.path().join("muster.sqlite3"), clock()).unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn author(name: &str) -> Author {
    Author { person: name.into(), position: None }
}

fn draft(incident: IncidentId, body: EntryBody) -> Draft {
    Draft { incident_id: incident, author: author("Okafor"), on_behalf: None, body }
}

fn note(text: &str) -> EntryBody {
    EntryBody::Note(Note { text: text.into(), occurred_at: None })
}

fn incident() -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000, [3; 10])
}

/// A foreign device's stream, built without a store.
fn foreign(seed: u8, incident: IncidentId, bodies: Vec<EntryBody>, start_ms: u64) -> Vec<Entry> {
    let mut writer = StreamWriter::new(key(seed), incident);
    bodies
        .into_iter()
        .enumerate()
        .map(|(i, body)| {
            let t = start_ms + i as u64;
            let recorded = WallClock { utc_ms: t as i64, offset_s: 0, zone: "UTC".into() };
            writer.write(recorded, author("Reyes"), body, [seed, i as u8, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        })
        .collect()
}

fn assert_projection_equals_fold(store: &Store, incident: IncidentId) {
    let from_log = store.fold_from_log(incident).unwrap();
    let projected = store.state(incident).unwrap();
    assert_eq!(projected, from_log);
    assert_eq!(projected.digest(), from_log.digest());
}

#[test]
fn append_chains_signs_and_projects() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let k = key(1);
    let written = store
        .append(
            &k,
            vec![
                draft(
                    inc,
                    EntryBody::IncidentOpened(IncidentOpened {
                        title: "Ransomware".into(),
                        drill: false,
                        description: None,
                    }),
                ),
                draft(
                    inc,
                    EntryBody::RoleAssigned(RoleAssigned {
                        position: Position::IncidentCommander,
                        person: "Okafor".into(),
                        supersedes: vec![],
                    }),
                ),
            ],
        )
        .unwrap();
    let more = store.append(&k, vec![draft(inc, note("EDR alert on PACS-02"))]).unwrap();
    assert_eq!(written[0].seq(), 1);
    assert_eq!(written[1].seq(), 2);
    assert_eq!(more[0].seq(), 3);
    assert_eq!(more[0].envelope.prev_hash, written[1].hash());
    assert!(more[0].hlc() > written[1].hlc(), "the HLC moves forward even within one millisecond");
    assert_eq!(more[0].envelope.recorded.zone, "America/Chicago");
    for e in written.iter().chain(&more) {
        e.verify().unwrap();
    }
    let state = store.state(inc).unwrap();
    assert_eq!(state.title.as_deref(), Some("Ransomware"));
    assert_eq!(state.timeline.len(), 3);
    assert!(matches!(state.commander(), Commander::Held(a) if a.person == "Okafor"));
    assert_projection_equals_fold(&store, inc);
    let summary = &store.incidents().unwrap()[0];
    assert_eq!((summary.entry_count, summary.commanders.clone()), (3, vec!["Okafor".to_string()]));
}

#[test]
fn append_refuses_invalid_bodies_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let err = store.append(&key(1), vec![draft(inc, note("ok")), draft(inc, note("   "))]).unwrap_err();
    assert_eq!(err.code(), "input.invalid");
    assert!(err.to_string().contains("text"), "{err}");
    assert_eq!(store.entry_count().unwrap(), 0, "the valid first draft must not be written either");
}

#[test]
fn ingest_verifies_and_refuses_with_a_precise_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let stream = foreign(7, inc, vec![note("a"), note("b"), note("c")], 1_790_000_001_000);

    // A gap: seq 2 without seq 1.
    let err = store.ingest(&stream[1..2], Source::Sync).unwrap_err();
    assert_eq!(err.code(), "ingest.seq_gap");
    assert!(err.to_string().contains("expected 1"), "{err}");

    // A forged body.
    let mut forged = stream[0].clone();
    forged.envelope.author.person = "Mallory".into();
    let err = store.ingest(&[forged], Source::Sync).unwrap_err();
    assert_eq!(err.code(), "entry.bad_signature");

    // In order: accepted. Again: duplicates, acknowledged.
    assert_eq!(store.ingest(&stream, Source::Sync).unwrap(), IngestReport { accepted: 3, duplicates: 0 });
    assert_eq!(store.ingest(&stream, Source::Sync).unwrap(), IngestReport { accepted: 0, duplicates: 3 });

    // A different entry at seq 2 of the same stream: equivocation, and nothing written.
    let other = foreign(7, inc, vec![note("a"), note("DIFFERENT")], 1_790_000_001_000);
    let err = store.ingest(&other, Source::Sync).unwrap_err();
    assert_eq!(err.code(), "ingest.equivocation");
    assert!(err.to_string().contains(&stream[1].id().to_string()), "names the entry already held: {err}");

    // Right seq, wrong prev_hash (a chain from a different history).
    let mut wrong_prev =
        foreign(7, inc, vec![note("a"), note("b"), note("c"), note("d")], 1_790_000_001_000)[3].clone();
    wrong_prev.envelope.prev_hash = Hash32([9; 32]);
    let resigned = UnsignedEntry {
        id: wrong_prev.id(),
        incident_id: inc,
        seq: 4,
        prev_hash: Hash32([9; 32]),
        hlc: wrong_prev.hlc(),
        recorded: wrong_prev.envelope.recorded.clone(),
        author: wrong_prev.envelope.author.clone(),
        on_behalf: None,
        body: wrong_prev.body.clone(),
    }
    .sign(&key(7))
    .unwrap();
    let err = store.ingest(&[resigned], Source::Sync).unwrap_err();
    assert_eq!(err.code(), "ingest.prev_hash_mismatch");
    assert_eq!(store.entry_count().unwrap(), 3);
    assert_projection_equals_fold(&store, inc);
}

#[test]
fn corrections_arriving_before_their_target_still_project_like_the_fold() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let target = foreign(1, inc, vec![note("PACS alert 02:41")], 1_790_000_000_000);
    let amend = foreign(
        2,
        inc,
        vec![EntryBody::Amended(Amendment {
            target: target[0].id(),
            reason: "time typo".into(),
            text: Some("PACS alert 02:14".into()),
            occurred_at: None,
        })],
        1_790_000_005_000,
    );
    store.ingest(&amend, Source::Sync).unwrap();
    assert_projection_equals_fold(&store, inc);
    store.ingest(&target, Source::Sync).unwrap();
    let state = store.state(inc).unwrap();
    assert_eq!(state.timeline[0].summary, "PACS alert 02:14");
    assert_eq!(state.timeline[0].amended_by, vec![amend[0].id()]);
    assert_projection_equals_fold(&store, inc);
}

#[test]
fn rebuild_reproduces_the_projections_from_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let now = clock().now;
    let (inc, entries) =
        build_scenario(muster_store::testing::RANSOMWARE_SCENARIO, now, &mut OsEntropy).unwrap();
    store.ingest(&entries, Source::Demo).unwrap();
    let before = store.state(inc).unwrap();
    // Damage the projections; rebuild must restore them exactly.
    store
        .connection()
        .execute_batch("DELETE FROM proj_assignments; UPDATE proj_corrections SET summary = 'x';")
        .unwrap();
    assert_ne!(store.state(inc).unwrap(), before);
    let (incidents, rebuilt) = store.rebuild(&mut |_, _| {}).unwrap();
    assert_eq!((incidents, rebuilt), (1, entries.len() as u64));
    assert_eq!(store.state(inc).unwrap(), before);
    assert_projection_equals_fold(&store, inc);
}

#[test]
fn the_demo_scenario_tells_a_consistent_story() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let (inc, n) = muster_store::testing::seed_demo(&mut store).unwrap();
    assert!(n >= 35, "a full console needs a full incident, got {n} entries");
    let s = store.state(inc).unwrap();
    assert!(s.drill, "the demo is flagged as a drill");
    assert!(
        matches!(s.commander(), Commander::Held(a) if a.person == "Dr. Luis Reyes"),
        "{:?}",
        s.commander()
    );
    // The partition produced two Deputy ICs; a later entry resolved it; then the post was vacated.
    let deputy: Vec<_> =
        s.assignments.iter().filter(|a| a.position == Position::DeputyIncidentCommander).collect();
    assert_eq!(deputy.len(), 3);
    assert!(s.holders(&Position::DeputyIncidentCommander).is_empty());
    assert_eq!(s.decisions.len(), 3);
    assert_eq!(s.decisions.iter().filter(|d| !d.superseded_by.is_empty()).count(), 1);
    assert!(s.timeline.iter().any(|t| !t.retracted_by.is_empty()));
    assert!(s.timeline.iter().any(|t| t.summary.contains("ETA on site 10:30")));
    assert!(s.timeline.iter().any(|t| t.occurred_at.is_some()));
    let devices: std::collections::BTreeSet<_> = s.timeline.iter().map(|t| t.device_id).collect();
    assert_eq!(devices.len(), 3, "three war-room laptops");
    assert_projection_equals_fold(&store, inc);
    assert!(store.verify(&mut |_, _| {}).unwrap().ok());
}

#[test]
fn a_database_from_a_newer_muster_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("muster.sqlite3");
    drop(Store::open(&path, clock()).unwrap());
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 99).unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = Store::open(&path, clock()).unwrap_err();
    assert_eq!(err.code(), "store.schema_too_new");
    let message = err.to_string();
    assert!(message.contains("schema 99") && message.contains("upgrade Muster"), "{message}");
    assert_eq!(std::fs::read(&path).unwrap(), before, "nothing written to the newer database");
}

#[test]
fn a_file_that_is_not_a_database_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("muster.sqlite3");
    std::fs::write(&path, b"this is a shopping list, not a database, and it is long enough").unwrap();
    let err = Store::open(&path, clock()).unwrap_err();
    assert_eq!(err.code(), "store.not_a_database");
    assert!(err.to_string().contains("muster.sqlite3"));
}

#[test]
fn verify_names_a_validly_signed_fork_spliced_into_a_stream() {
    // Someone holding the device key signs a different seq 3 and swaps it in for the original:
    // every signature verifies, but entry 4 no longer chains onto entry 3.
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let stream = foreign(5, inc, vec![note("1"), note("2"), note("3"), note("4")], 1_790_000_000_000);
    store.ingest(&stream, Source::Sync).unwrap();
    let fork = foreign(5, inc, vec![note("1"), note("2"), note("three, rewritten")], 1_790_000_000_000);
    let conn = store.connection();
    conn.execute("DELETE FROM entries WHERE id = ?1", [&stream[2].id().as_bytes()[..]]).unwrap();
    muster_store::testing::insert_entry(conn, &fork[2], Source::Sync, 0).unwrap();
    // Put the head back as it was, so that only the chain can tell.
    conn.execute("UPDATE stream_heads SET seq = 4, hash = ?1", [&stream[3].hash().as_bytes()[..]]).unwrap();
    let report = store.verify(&mut |_, _| {}).unwrap();
    let kinds: Vec<(ProblemKind, Option<u64>)> = report.problems.iter().map(|p| (p.kind, p.seq)).collect();
    assert_eq!(kinds, vec![(ProblemKind::ChainBroken, Some(4))], "{:#?}", report.problems);
}

#[test]
fn reopening_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let inc = incident();
    {
        let mut store = open(&dir);
        store.append(&key(1), vec![draft(inc, note("one"))]).unwrap();
    }
    let mut store = open(&dir);
    let e = store.append(&key(1), vec![draft(inc, note("two"))]).unwrap();
    assert_eq!(e[0].seq(), 2, "the chain continues after reopening");
    assert_eq!(store.entries(inc).unwrap().len(), 2);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Entries from three devices ingested in random batches (each stream in order, streams
    /// interleaved at random) always project exactly like the fold of the log.
    #[test]
    fn projections_equal_the_fold_for_any_arrival_interleaving(choices in prop::collection::vec(0u8..3, 1..40)) {
        let dir = tempfile::tempdir().unwrap();
        let mut store = open(&dir);
        let inc = incident();
        let a = foreign(1, inc, vec![
            EntryBody::IncidentOpened(IncidentOpened { title: "t".into(), drill: false, description: None }),
            EntryBody::RoleAssigned(RoleAssigned { position: Position::IncidentCommander, person: "A".into(), supersedes: vec![] }),
            note("a1"),
            EntryBody::DecisionRecorded(DecisionRecorded { question: "q".into(), options: vec!["x".into()], choice: "x".into(), rationale: "r".into(), authority: author("A"), supersedes: vec![], approvals_required: vec![], notification: None }),
        ], 1_000);
        let b = foreign(2, inc, vec![
            note("b1"),
            EntryBody::RoleAssigned(RoleAssigned { position: Position::IncidentCommander, person: "B".into(), supersedes: vec![a[1].id()] }),
            EntryBody::Amended(Amendment { target: a[2].id(), reason: "r".into(), text: Some("a1 fixed".into()), occurred_at: None }),
            EntryBody::CadenceSet(CadenceSet { position: None, severity: None, interval_minutes: 10 }),
        ], 1_001);
        let c = foreign(3, inc, vec![
            EntryBody::RoleAssigned(RoleAssigned { position: Position::IncidentCommander, person: "C".into(), supersedes: vec![a[1].id()] }),
            EntryBody::Retracted(Retraction { target: b[0].id(), reason: "dup".into() }),
            EntryBody::IncidentClosed(IncidentClosed { summary: "s".into() }),
            EntryBody::DecisionRecorded(DecisionRecorded { question: "q".into(), options: vec!["y".into()], choice: "y".into(), rationale: "r".into(), authority: author("C"), supersedes: vec![a[3].id()], approvals_required: vec![], notification: None }),
        ], 999);
        let streams = [a, b, c];
        let mut next = [0usize; 3];
        for choice in choices {
            let s = usize::from(choice);
            if next[s] < streams[s].len() {
                store.ingest(&streams[s][next[s]..=next[s]], Source::Sync).unwrap();
                next[s] += 1;
                let from_log = store.fold_from_log(inc).unwrap();
                prop_assert_eq!(store.state(inc).unwrap(), from_log);
            }
        }
        for s in 0..3 {
            store.ingest(&streams[s][next[s]..], Source::Sync).unwrap();
        }
        let from_log = store.fold_from_log(inc).unwrap();
        prop_assert_eq!(store.state(inc).unwrap(), from_log.clone());
        prop_assert_eq!(from_log.entry_count, 12);
    }
}

#[test]
fn the_structural_refold_reads_through_the_partial_index() {
    use muster_store::testing::{structural_kinds, STRUCTURAL_KINDS_SQL};
    let migration = include_str!("../migrations/0003_breach.sql");
    let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        normalise(migration).contains(&normalise(STRUCTURAL_KINDS_SQL)),
        "the index and the query must list the same kinds"
    );
    for kind in structural_kinds() {
        assert!(
            STRUCTURAL_KINDS_SQL.contains(&format!("'{kind}'")),
            "{kind} missing from STRUCTURAL_KINDS_SQL"
        );
    }
    assert_eq!(STRUCTURAL_KINDS_SQL.matches('\'').count(), structural_kinds().len() * 2);
    let dir = tempfile::tempdir().unwrap();
    let store = open(&dir);
    let plan: String = store
        .connection()
        .query_row(
            &format!(
                "EXPLAIN QUERY PLAN SELECT body FROM entries INDEXED BY entries_structural \
                 WHERE incident_id = ?1 AND {STRUCTURAL_KINDS_SQL}"
            ),
            [&incident().as_bytes()[..]],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("entries_structural"), "{plan}");
}

#[test]
fn a_stream_whose_clock_goes_backwards_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let k = key(8);
    let mut entries = Vec::new();
    let mut prev = Hash32::ZERO;
    for (seq, ms) in [(1u64, 5_000u64), (2, 4_000)] {
        let e = UnsignedEntry {
            id: EntryId::from_parts(ms, [seq as u8; 10]),
            incident_id: inc,
            seq,
            prev_hash: prev,
            hlc: Hlc { wall_ms: ms, counter: 0 },
            recorded: WallClock { utc_ms: ms as i64, offset_s: 0, zone: "UTC".into() },
            author: author("Reyes"),
            on_behalf: None,
            body: note("x"),
        }
        .sign(&k)
        .unwrap();
        prev = e.hash();
        entries.push(e);
    }
    let err = store.ingest(&entries, Source::Sync).unwrap_err();
    assert_eq!(err.code(), "ingest.hlc_not_increasing");
    assert_eq!(store.entry_count().unwrap(), 0);
}

#[test]
fn a_timeline_page_is_the_same_slice_of_the_whole_timeline_with_corrections() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let mut bodies = vec![EntryBody::IncidentOpened(IncidentOpened {
        title: "T".into(),
        drill: false,
        description: None,
    })];
    bodies.extend((0..40).map(|i| note(&format!("note {i}"))));
    // Two laptops: the pages must interleave them in fold order.
    let a = foreign(1, inc, bodies, 1_000);
    let b = foreign(2, inc, (0..30).map(|i| note(&format!("other {i}"))).collect(), 1_500);
    let fix = foreign(
        3,
        inc,
        vec![EntryBody::Amended(Amendment {
            target: a[5].id(),
            reason: "typo".into(),
            text: Some("corrected".into()),
            occurred_at: None,
        })],
        90_000,
    );
    store.ingest(&a, Source::Sync).unwrap();
    store.ingest(&b, Source::Sync).unwrap();
    store.ingest(&fix, Source::Sync).unwrap();
    let whole = store.state(inc).unwrap().timeline;
    assert_eq!(whole.len(), 72);
    for (offset, limit) in [(0, 10), (10, 25), (60, 50), (72, 5), (100, 5)] {
        let oldest = store.timeline_page(inc, false, offset, limit).unwrap();
        let expected: Vec<_> = whole.iter().skip(offset as usize).take(limit as usize).cloned().collect();
        assert_eq!(oldest, expected, "oldest first, offset {offset}");
        let newest = store.timeline_page(inc, true, offset, limit).unwrap();
        let expected: Vec<_> =
            whole.iter().rev().skip(offset as usize).take(limit as usize).cloned().collect();
        assert_eq!(newest, expected, "newest first, offset {offset}");
    }
    let corrected = store.timeline_page(inc, false, 5, 1).unwrap();
    assert_eq!(corrected[0].summary, "corrected");
    assert_eq!(corrected[0].amended_by, vec![fix[0].id()]);
}

#[test]
fn a_schema_1_database_is_migrated_and_its_projections_refolded() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("muster.sqlite3");
    let inc = incident();
    let entries = foreign(
        4,
        inc,
        vec![
            EntryBody::IncidentOpened(IncidentOpened {
                title: "Old".into(),
                drill: false,
                description: None,
            }),
            EntryBody::RoleAssigned(RoleAssigned {
                position: Position::TechnicalLead,
                person: "Kim".into(),
                supersedes: vec![],
            }),
            EntryBody::StatusUpdate(StatusUpdate {
                position: Some(Position::TechnicalLead),
                conditions: "restoring".into(),
                actions: String::new(),
                needs: String::new(),
            }),
        ],
        5_000,
    );
    {
        let mut store = Store::open(&path, clock()).unwrap();
        store.ingest(&entries, Source::Sync).unwrap();
    }
    // Turn the file back into what schema 1 wrote: the old index, no command or breach column, no sync
    // tables, version 1.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP INDEX entries_structural;
             CREATE INDEX entries_structural ON entries (incident_id)
                 WHERE kind IN ('incident.opened', 'incident.closed', 'incident.reopened', 'role.assigned', 'role.relieved', 'cadence.set', 'decision.recorded');
             ALTER TABLE proj_incidents DROP COLUMN command;
             ALTER TABLE proj_incidents DROP COLUMN breach;
             ALTER TABLE proj_corrections DROP COLUMN corrections;
             DROP TABLE sync_cursor;
             DROP TABLE sync_quarantine;
             DROP TABLE sync_alerts;
             DROP TABLE sync_clock_flags;
             ALTER TABLE entries DROP COLUMN on_behalf;
             PRAGMA user_version = 1;",
        )
        .unwrap();
    }
    let store = Store::open(&path, clock()).unwrap();
    let state = store.state(inc).unwrap();
    assert_eq!(state.command.reports.len(), 1, "the status update counts after the upgrade");
    assert_eq!(state.command.reports[0].stamp.entry_id, entries[2].id());
    assert_projection_equals_fold(&store, inc);
    assert_eq!(store.setting("projections.stale").unwrap(), None);
}

#[test]
fn a_schema_5_database_gains_who_corrected_what_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("muster.sqlite3");
    let inc = incident();
    let entries = foreign(
        6,
        inc,
        vec![
            EntryBody::IncidentOpened(IncidentOpened {
                title: "Old".into(),
                drill: false,
                description: None,
            }),
            note("Ambulance ETA 25 min"),
        ],
        5_000,
    );
    let fix = foreign(
        7,
        inc,
        vec![EntryBody::Amended(Amendment {
            target: entries[1].id(),
            reason: "dispatch called back".into(),
            text: Some("Ambulance ETA 35 min".into()),
            occurred_at: None,
        })],
        9_000,
    );
    {
        let mut store = Store::open(&path, clock()).unwrap();
        store.ingest(&entries, Source::Sync).unwrap();
        store.ingest(&fix, Source::Sync).unwrap();
    }
    // What schema 5 wrote: proj_corrections without the list of corrections.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "ALTER TABLE proj_corrections DROP COLUMN corrections;
             ALTER TABLE entries DROP COLUMN on_behalf;
             PRAGMA user_version = 5;",
        )
        .unwrap();
        let summary: String =
            conn.query_row("SELECT summary FROM proj_corrections", [], |r| r.get(0)).unwrap();
        assert_eq!(summary, "Ambulance ETA 35 min");
    }
    let store = Store::open(&path, clock()).unwrap();
    assert_eq!(store.setting("projections.stale").unwrap(), None, "refolded once, on opening");
    assert_eq!(store.entry_count().unwrap(), 3, "every entry is still there");
    let item = store.timeline_item(inc, entries[1].id()).unwrap().unwrap();
    assert_eq!(item.summary, "Ambulance ETA 35 min");
    assert_eq!(item.original_summary(), "Ambulance ETA 25 min");
    assert_eq!(item.corrections.len(), 1);
    assert_eq!(item.corrections[0].stamp.entry_id, fix[0].id());
    assert_eq!(item.corrections[0].stamp.by.person, "Reyes");
    assert_eq!(item.corrections[0].reason, "dispatch called back");
    assert_projection_equals_fold(&store, inc);
    // Pages read the same list.
    let page = store.timeline_page(inc, false, 1, 1).unwrap();
    assert_eq!(page[0].corrections, item.corrections);
}

#[test]
fn stream_heads_and_entries_after_page_each_stream_for_sync() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let inc = incident();
    let other = IncidentId::from_parts(1_790_000_000_001, [4; 10]);
    assert!(store.stream_heads(inc).unwrap().is_empty());
    let local = store.append(&key(1), (0..5).map(|i| draft(inc, note(&format!("l{i}")))).collect()).unwrap();
    store.append(&key(1), vec![draft(other, note("elsewhere"))]).unwrap();
    let remote = foreign(2, inc, (0..3).map(|i| note(&format!("r{i}"))).collect(), 1_790_000_000_000);
    store.ingest(&remote, Source::Sync).unwrap();

    let heads = store.stream_heads(inc).unwrap();
    let mut expected = vec![
        (key(1).verifying_key().to_bytes(), 5, local[4].hash()),
        (key(2).verifying_key().to_bytes(), 3, remote[2].hash()),
    ];
    expected.sort();
    let got: Vec<_> = heads.iter().map(|(d, h)| (d.0, h.seq, h.hash)).collect();
    assert_eq!(got, expected, "one head per stream of this incident only, ordered by device");
    for (device, head) in &heads {
        assert_eq!(*head, store.head(inc, *device).unwrap());
    }

    let dev = DeviceId(key(1).verifying_key().to_bytes());
    let page = store.entries_after(inc, dev, 1, 2).unwrap();
    assert_eq!(page, local[1..3].to_vec());
    assert_eq!(store.entries_after(inc, dev, 3, 100).unwrap(), local[3..].to_vec());
    assert!(store.entries_after(inc, dev, 5, 100).unwrap().is_empty());
    let rdev = DeviceId(key(2).verifying_key().to_bytes());
    assert_eq!(store.entries_after(inc, rdev, 0, 100).unwrap(), remote);
    assert!(store.entries_after(other, rdev, 0, 100).unwrap().is_empty());
}

#[test]
fn a_corrupt_stream_head_is_reported_as_corruption_and_nothing_restarts_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let id = incident();
    store.append(&key(1), vec![draft(id, note("first"))]).unwrap();
    let device = DeviceId(key(1).verifying_key().to_bytes());
    // A head whose hash is not 32 bytes: before, it read as an empty stream (seq 0).
    store
        .connection()
        .execute("UPDATE stream_heads SET hash = x'0102' WHERE device_id = ?1", [&device.as_bytes()[..]])
        .unwrap();
    let err = store.head(id, device).unwrap_err();
    assert_eq!(err.code(), "store.corrupt", "{err}");
    assert!(!err.is_user_error(), "corruption is not the user's input: {err}");
    assert!(err.to_string().contains("hash is not 32 bytes"), "{err}");
    let err = store.append(&key(1), vec![draft(id, note("second"))]).unwrap_err();
    assert_eq!(err.code(), "store.corrupt", "{err}");
    assert_eq!(store.entries(id).unwrap().len(), 1, "nothing was appended on a corrupt head");
}

#[test]
fn an_unreadable_projection_row_is_corruption_not_a_refusal() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let id = incident();
    store.append(&key(1), vec![draft(id, note("first"))]).unwrap();
    store.connection().execute("UPDATE proj_incidents SET command = '{not json'", []).unwrap();
    let err = store.structure(id).unwrap_err();
    assert_eq!(err.code(), "store.corrupt", "{err}");
    assert!(!err.is_user_error(), "{err}");
    assert!(err.to_string().contains("muster rebuild"), "the message says how to recover: {err}");
    store.rebuild(&mut |_, _| {}).unwrap();
    assert!(store.structure(id).is_ok(), "rebuild from the log repairs the projection");
}

/// An entry stamped at the end of the clock's range (a forged or broken clock), signed and
/// chained correctly by a real device key.
fn from_the_far_future(seed: u8, incident: IncidentId) -> Vec<Entry> {
    let far = (1u64 << 53) - 1;
    let mut writer = StreamWriter::new(key(seed), incident);
    let recorded = WallClock { utc_ms: 1_795_000_000_000, offset_s: 0, zone: "UTC".into() };
    let mut forged = writer.write(recorded, author("Mallory"), note("from the future"), [seed; 10]).unwrap();
    // Re-sign at the far clock: StreamWriter stamps the physical time it is given.
    let unsigned = UnsignedEntry {
        id: forged.id(),
        incident_id: incident,
        seq: 1,
        prev_hash: Hash32::ZERO,
        hlc: Hlc { wall_ms: far, counter: u32::MAX },
        recorded: forged.envelope.recorded.clone(),
        author: author("Mallory"),
        on_behalf: None,
        body: note("from the future"),
    };
    forged = unsigned.sign(&key(seed)).unwrap();
    vec![forged]
}

#[test]
fn an_entry_stamped_far_in_the_future_is_refused_with_how_far_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let id = incident();
    store.append(&key(1), vec![draft(id, note("ours"))]).unwrap();
    let poisoned = from_the_far_future(9, id);
    let err = store.ingest(&poisoned, Source::Sync).unwrap_err();
    assert_eq!(err.code(), "ingest.clock_ahead", "{err}");
    assert!(err.to_string().contains("days"), "the refusal says how far ahead: {err}");
    assert!(err.is_user_error(), "a hostile entry is refused input, not an internal failure");
    assert_eq!(store.entries(id).unwrap().len(), 1, "nothing of the refused page was written");
    // An entry a few minutes ahead (a laptop whose clock is fast) is still taken.
    let clock_now = clock().now.timestamp_millis() as u64;
    let fast = foreign(8, id, vec![note("fast laptop")], clock_now + 10 * 60_000);
    assert!(fast[0].hlc().wall_ms > clock_now, "the fixture is ahead of the store's clock");
    store.ingest(&fast, Source::Sync).unwrap();
}

#[test]
fn one_incident_with_a_clock_at_its_end_stops_no_write_in_another() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = open(&dir);
    let poisoned_incident = IncidentId::from_parts(1_790_000_000_000, [4; 10]);
    let other = incident();
    // A database written before the ingest check held such an entry: put it there directly.
    let poisoned = from_the_far_future(9, poisoned_incident);
    muster_store::testing::insert_entry(store.connection(), &poisoned[0], Source::Sync, 0).unwrap();
    let written = store.append(&key(1), vec![draft(other, note("still writable"))]).unwrap();
    assert!(
        written[0].hlc().wall_ms < 1u64 << 50,
        "the other incident's clock did not move: {:?}",
        written[0].hlc()
    );
    // verify names it.
    let report = store.verify(&mut |_, _| {}).unwrap();
    let kinds: Vec<ProblemKind> = report.problems.iter().map(|p| p.kind).collect();
    assert!(kinds.contains(&ProblemKind::ClockAhead), "{:#?}", report.problems);
}
