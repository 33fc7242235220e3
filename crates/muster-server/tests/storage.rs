//! The storage suite, generic over `Storage`, run on SQLite and (when `MUSTER_TEST_POSTGRES_URL`
//! is set, e.g. under `scripts/with-postgres`) on PostgreSQL, each case in a fresh database.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::cell::Cell;
use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use ed25519_dalek::Signer;
use muster_core::body::{IncidentOpened, Note};
use muster_core::entry::{Author, UnsignedEntry};
use muster_core::IngestReason;
use muster_core::{
    fold, DeviceId, Entry, EntryBody, EntryId, Hlc, IncidentId, SigningKey, StreamWriter, ViewerZone,
    WallClock,
};
use muster_server::{Caller, ClockPolicy, PgStorage, Put, ServerError, SqliteStorage, Storage};
use muster_store::{FixedClock, Source, Store};
use muster_wire::{login_proof_message, AlertKind, LoginRequest, Role};

const NOW: i64 = 1_790_000_000_000;
/// No client clock: only entries from the future are flagged.
const CLOCK: ClockPolicy = ClockPolicy { client_skew_ms: None, threshold_ms: 120_000 };

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The opening entry of `inc` signed by the device of `seed`: the proof of authorship that
/// registering an incident needs.
fn opening(seed: u8, inc: IncidentId) -> muster_core::Entry {
    let recorded = muster_core::WallClock { utc_ms: 1_790_000_000_000, offset_s: 0, zone: "UTC".into() };
    let author = muster_core::entry::Author { person: format!("Person {seed}"), position: None };
    let body = muster_core::EntryBody::IncidentOpened(muster_core::body::IncidentOpened {
        title: "Registered".into(),
        drill: true,
        description: None,
    });
    muster_core::StreamWriter::new(key(seed), inc)
        .write(recorded, author, body, [seed, 0xee, 0, 0, 0, 0, 0, 0, 0, 1])
        .unwrap()
}

fn device(seed: u8) -> DeviceId {
    DeviceId(key(seed).verifying_key().to_bytes())
}

fn incident(n: u8) -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000 + u64::from(n), [n; 10])
}

fn login_request(user: &str, token: &str, seed: u8) -> LoginRequest {
    LoginRequest {
        user: user.into(),
        token: token.into(),
        device_id: device(seed),
        // The person its entries are recorded by (the server checks them against it).
        device_name: format!("Person {seed}"),
        proof: hex::encode(key(seed).sign(&login_proof_message(user, token)).to_bytes()),
    }
}

/// Creates `user`, logs in with the device key of `seed`, and returns the session's caller.
async fn enrol<S: Storage>(s: &S, user: &str, seed: u8) -> Caller {
    let token = s.add_user(user, NOW).await.unwrap();
    let session = s.login(login_request(user, &token, seed), NOW).await.unwrap();
    s.authenticate(&session.session_token, NOW).await.unwrap()
}

/// A stream of `n` entries (an opening then notes) by the device of `seed`.
fn stream(seed: u8, inc: IncidentId, n: usize, start_ms: i64, tag: &str) -> Vec<Entry> {
    stream_from(&mut StreamWriter::new(key(seed), inc), seed, n, start_ms, tag)
}

fn stream_from(w: &mut StreamWriter, seed: u8, n: usize, start_ms: i64, tag: &str) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let body = if i == 0 && tag == "main" && seed == 1 {
                EntryBody::IncidentOpened(IncidentOpened {
                    title: "PACS outage".into(),
                    drill: true,
                    description: None,
                })
            } else {
                EntryBody::Note(Note { text: format!("{tag} {seed}/{i}"), occurred_at: None })
            };
            let recorded = WallClock { utc_ms: start_ms + i as i64 * 1000, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: format!("Person {seed}"), position: None };
            w.write(recorded, author, body, [seed, i as u8, tag.len() as u8, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        })
        .collect()
}

fn code<T: std::fmt::Debug>(r: Result<T, ServerError>) -> (&'static str, ServerError) {
    let e = r.expect_err("expected a refusal");
    (e.code(), e)
}

/// The error body with the incident id blanked, for comparing refusals across incidents.
fn blanked(e: &ServerError, inc: IncidentId) -> String {
    serde_json::to_string(&e.body()).unwrap().replace(&inc.to_string(), "X")
}

fn suite<S: Storage>(make: impl Fn() -> S) {
    accounts(make());
    membership_matrix(make());
    push_heads_pull_round_trip(make());
    duplicates_are_idempotent(make());
    equivocation_and_fork_are_quarantined_with_alerts(make());
    refusals_are_precise_and_the_store_keeps_serving(make());
    concurrent_pushers_get_gapless_ranks(make());
    skewed_clocks_are_flagged_and_kept(make());
    an_entry_from_the_far_future_is_held_as_evidence_never_stored(make());
}

/// Issue "Trust nobody" 1: a member's entry stamped at the end of the clock's range (2^53 - 1
/// ms) would move the clock of every laptop that pulled it. It is held as evidence with a
/// `clock_ahead` alert, with the rest of its stream after it; the entries before it are stored
/// and pulled as usual.
fn an_entry_from_the_far_future_is_held_as_evidence_never_stored<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(8);
        let [alice, bob, _carol] = war_room(&s, inc).await;
        let mut writer = StreamWriter::new(key(1), inc);
        let mut page = stream_from(&mut writer, 1, 2, NOW, "main");
        // The third entry: correctly chained and signed, but stamped at the end of time.
        let third = UnsignedEntry {
            id: EntryId::from_parts(NOW as u64 + 3, [1, 3, 0, 0, 0, 0, 0, 0, 0, 1]),
            incident_id: inc,
            seq: 3,
            prev_hash: page[1].hash(),
            hlc: Hlc { wall_ms: (1 << 53) - 1, counter: u32::MAX },
            recorded: WallClock { utc_ms: NOW + 3000, offset_s: 0, zone: "UTC".into() },
            author: Author { person: "Person 1".into(), position: None },
            on_behalf: None,
            body: EntryBody::Note(Note { text: "from the future".into(), occurred_at: None }),
        }
        .sign(&key(1))
        .unwrap();
        let fourth = UnsignedEntry {
            id: EntryId::from_parts(NOW as u64 + 4, [1, 4, 0, 0, 0, 0, 0, 0, 0, 1]),
            incident_id: inc,
            seq: 4,
            prev_hash: third.hash(),
            hlc: Hlc { wall_ms: (1 << 53) - 1, counter: u32::MAX },
            recorded: WallClock { utc_ms: NOW + 4000, offset_s: 0, zone: "UTC".into() },
            author: Author { person: "Person 1".into(), position: None },
            on_behalf: None,
            body: EntryBody::Note(Note { text: "after it".into(), occurred_at: None }),
        }
        .sign(&key(1))
        .unwrap();
        page.push(third.clone());
        page.push(fourth);
        let out = s.push(&alice, inc, page, NOW, CLOCK).await.unwrap();
        assert_eq!(out.accepted, 2, "the entries before it are stored");
        let kinds: Vec<(u64, AlertKind)> = out.quarantined.iter().map(|q| (q.seq, q.kind)).collect();
        assert_eq!(kinds, vec![(3, AlertKind::ClockAhead), (4, AlertKind::ClockAhead)]);
        // Nothing of it reaches another member's pull; every member sees the alert.
        let pulled = s.pull(&bob, inc, 0, 100).await.unwrap();
        assert_eq!(pulled.entries.len(), 2);
        assert!(pulled.entries.iter().all(|p| p.entry.hlc().wall_ms < NOW as u64 + 10_000));
        let alerts = s.alerts(&bob, inc, 0).await.unwrap();
        let clock = alerts.iter().find(|a| a.kind == AlertKind::ClockAhead).expect("a clock_ahead alert");
        assert_eq!((clock.device, clock.seq), (device(1), 3));
        // A re-push is idempotent: the same alert, nothing stored.
        let again = s.push(&alice, inc, vec![third], NOW, CLOCK).await.unwrap();
        assert_eq!(again.accepted, 0);
        assert_eq!(again.quarantined[0].alert_id, clock.id);
        assert_eq!(s.alerts(&bob, inc, 0).await.unwrap().len(), alerts.len());
    });
}

/// §7: a pusher whose clock is off by more than the threshold has its own entries stored and
/// flagged with the skew; an entry whose HLC is from the future is flagged whoever relays it;
/// other entries in the same push are not flagged. Nothing is refused.
fn skewed_clocks_are_flagged_and_kept<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(7);
        let [alice, bob, _carol] = war_room(&s, inc).await;
        let a = stream(1, inc, 3, NOW, "main");
        let seven_minutes_fast = ClockPolicy { client_skew_ms: Some(420_000), threshold_ms: 120_000 };
        s.push(&alice, inc, a.clone(), NOW, seven_minutes_fast).await.unwrap();
        // Bob's laptop is on time but carries carol's entries stamped ten minutes ahead.
        let ahead = stream(3, inc, 2, NOW + 600_000, "main");
        let b = stream(2, inc, 2, NOW, "main");
        let on_time = ClockPolicy { client_skew_ms: Some(1_500), threshold_ms: 120_000 };
        let mut mixed = b.clone();
        mixed.extend(ahead.clone());
        assert_eq!(s.push(&bob, inc, mixed, NOW, on_time).await.unwrap().accepted, 4);

        let page = s.pull(&bob, inc, 0, 100).await.unwrap();
        assert_eq!(page.entries.len(), 7, "flagged entries are kept");
        for p in &page.entries {
            let skew = p.flags.and_then(|f| f.clock_skew_ms);
            let dev = p.entry.device_id();
            if dev == device(1) {
                assert_eq!(skew, Some(420_000), "alice's own entries carry her clock's skew");
            } else if dev == device(3) {
                let s = skew.expect("an entry from the future is flagged");
                assert!([600_000, 601_000].contains(&s), "flagged by how far ahead it is: {s}");
            } else {
                assert_eq!(skew, None, "bob's clock is within the threshold");
            }
        }
    });
}

fn accounts<S: Storage>(s: S) {
    block_on(async {
        s.health().await.unwrap();
        let token = s.add_user("alice", NOW).await.unwrap();
        assert_eq!(token.len(), 64);
        assert_eq!(code(s.add_user("alice", NOW).await).0, "user.exists");
        assert_eq!(code(s.add_user("", NOW).await).0, "user.bad_name");

        // Unknown user, wrong token, expired token: one answer.
        assert_eq!(code(s.login(login_request("nobody", &token, 1), NOW).await).0, "auth.bad_enrolment");
        assert_eq!(
            code(s.login(login_request("alice", &"0".repeat(64), 1), NOW).await).0,
            "auth.bad_enrolment"
        );
        let late = NOW + 8 * 24 * 3600 * 1000;
        assert_eq!(code(s.login(login_request("alice", &token, 1), late).await).0, "auth.bad_enrolment");
        // The proof must be by the registered key over this user and token.
        let mut forged = login_request("alice", &token, 1);
        forged.proof = hex::encode(key(9).sign(&login_proof_message("alice", &token)).to_bytes());
        assert_eq!(code(s.login(forged, NOW).await).0, "login.bad_proof");
        let mut garbage = login_request("alice", &token, 1);
        garbage.proof = "zz".into();
        assert_eq!(code(s.login(garbage, NOW).await).0, "login.bad_proof");

        // A refused login does not consume the token; a successful one does.
        let session = s.login(login_request("alice", &token, 1), NOW).await.unwrap();
        assert!(session.session_token.starts_with("mst1_") && session.session_token.len() == 69);
        assert_eq!(code(s.login(login_request("alice", &token, 1), NOW).await).0, "auth.bad_enrolment");
        let alice = s.authenticate(&session.session_token, NOW).await.unwrap();
        assert_eq!((alice.user.as_str(), alice.device), ("alice", device(1)));
        assert_eq!(code(s.authenticate("mst1_nope", NOW).await).0, "auth.bad_session");

        // A second device for alice; her first device's key cannot be claimed by bob.
        let second = s.new_enrolment("alice", NOW).await.unwrap();
        s.login(login_request("alice", &second, 2), NOW).await.unwrap();
        assert_eq!(code(s.new_enrolment("nobody", NOW).await).0, "user.unknown");
        let bob_token = s.add_user("bob", NOW).await.unwrap();
        let (c, e) = code(s.login(login_request("bob", &bob_token, 1), NOW).await);
        assert_eq!(c, "device.other_user");
        assert_eq!(e.status(), 409);
        s.login(login_request("bob", &bob_token, 3), NOW).await.unwrap();

        let me = s.me(&alice, NOW).await.unwrap();
        let devices: Vec<DeviceId> = me.devices.iter().map(|d| d.device_id).collect();
        assert_eq!(devices, vec![device(1), device(2)]);
        assert!(me.incidents.is_empty());
    });
}

fn membership_matrix<S: Storage>(s: S) {
    block_on(async {
        let alice = enrol(&s, "alice", 1).await;
        let bob = enrol(&s, "bob", 2).await;
        let carol = enrol(&s, "carol", 3).await;
        let (inc, unknown) = (incident(1), incident(2));
        assert_eq!(s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap(), Put::Created);
        assert_eq!(s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap(), Put::Existing);
        let me = s.me(&alice, NOW).await.unwrap();
        assert_eq!(me.incidents.len(), 1);
        assert_eq!((me.incidents[0].id, me.incidents[0].role), (inc, Role::Commander));

        // A non-member gets the same refusal for an existing and an unknown incident, everywhere.
        let mut refusals: Vec<(String, String)> = Vec::new();
        for i in [inc, unknown] {
            let mut row = Vec::new();
            row.push(code(s.heads(&bob, i).await).1);
            row.push(code(s.pull(&bob, i, 0, 10).await).1);
            row.push(code(s.members(&bob, i).await).1);
            row.push(code(s.alerts(&bob, i, 0).await).1);
            row.push(code(s.push(&bob, i, stream(2, i, 1, NOW, "x"), NOW, CLOCK).await).1);
            row.push(code(s.set_member(&bob, i, "bob", Role::Commander, NOW).await).1);
            row.push(code(s.remove_member(&bob, i, "alice", NOW).await).1);
            for e in &row {
                assert_eq!(e.code(), "incident.forbidden", "{e}");
                assert_eq!(e.status(), 403);
            }
            refusals.push((i.to_string(), row.iter().map(|e| blanked(e, i)).collect::<Vec<_>>().join("\n")));
        }
        assert_eq!(refusals[0].1, refusals[1].1, "existing and unknown incidents must be indistinguishable");
        // The known, bounded leak (plan §3): PUT on an existing foreign id is refused...
        assert_eq!(code(s.register_incident(&bob, inc, &opening(2, inc), NOW).await).0, "incident.forbidden");
        assert!(s.me(&bob, NOW).await.unwrap().incidents.is_empty());

        // Only commanders change members.
        assert_eq!(s.set_member(&alice, inc, "bob", Role::Member, NOW).await.unwrap(), Put::Created);
        assert_eq!(s.heads(&bob, inc).await.unwrap().last_rank, 0);
        assert_eq!(
            code(s.set_member(&bob, inc, "carol", Role::Member, NOW).await).0,
            "incident.not_commander"
        );
        assert_eq!(code(s.remove_member(&bob, inc, "alice", NOW).await).0, "incident.not_commander");
        assert_eq!(code(s.set_member(&alice, inc, "zed", Role::Member, NOW).await).0, "user.unknown");
        assert_eq!(code(s.remove_member(&alice, inc, "carol", NOW).await).0, "member.unknown");
        // The last commander can neither leave nor step down.
        let (c, e) = code(s.remove_member(&alice, inc, "alice", NOW).await);
        assert_eq!((c, e.status()), ("incident.last_commander", 409));
        assert_eq!(
            code(s.set_member(&alice, inc, "alice", Role::Member, NOW).await).0,
            "incident.last_commander"
        );

        // Hand over: bob becomes commander, then removes alice, who loses access.
        assert_eq!(s.set_member(&alice, inc, "bob", Role::Commander, NOW).await.unwrap(), Put::Existing);
        s.remove_member(&bob, inc, "alice", NOW + 1).await.unwrap();
        let (_, removed) = code(s.heads(&alice, inc).await);
        assert_eq!(blanked(&removed, inc), blanked(&code(s.heads(&alice, unknown).await).1, unknown));
        assert!(s.me(&alice, NOW).await.unwrap().incidents.is_empty());
        let members = s.members(&bob, inc).await.unwrap();
        assert_eq!(members.len(), 1);
        assert_eq!((members[0].user.as_str(), members[0].role), ("bob", Role::Commander));
        // Re-adding works, and records who re-added.
        s.set_member(&bob, inc, "alice", Role::Member, NOW + 2).await.unwrap();
        let members = s.members(&carol.clone(), inc).await;
        assert_eq!(code(members).0, "incident.forbidden");
        let members = s.members(&alice, inc).await.unwrap();
        let a = members.iter().find(|m| m.user == "alice").unwrap();
        assert_eq!((a.role, a.added_by.as_str(), a.added_ms), (Role::Member, "bob", NOW + 2));
    });
}

/// Three users, one incident, all members.
async fn war_room<S: Storage>(s: &S, inc: IncidentId) -> [Caller; 3] {
    let alice = enrol(s, "alice", 1).await;
    let bob = enrol(s, "bob", 2).await;
    let carol = enrol(s, "carol", 3).await;
    s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
    s.set_member(&alice, inc, "bob", Role::Member, NOW).await.unwrap();
    s.set_member(&alice, inc, "carol", Role::Commander, NOW).await.unwrap();
    [alice, bob, carol]
}

fn push_heads_pull_round_trip<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(1);
        let [alice, bob, carol] = war_room(&s, inc).await;
        let a = stream(1, inc, 12, NOW, "main");
        let b = stream(2, inc, 7, NOW + 500, "main");
        let c = stream(3, inc, 5, NOW + 700, "main");

        let out = s.push(&alice, inc, a[..5].to_vec(), NOW, CLOCK).await.unwrap();
        assert_eq!((out.accepted, out.duplicates, out.last_rank), (5, 0, 5));
        assert!(out.quarantined.is_empty());
        assert_eq!(out.heads.len(), 1);
        assert_eq!((out.heads[0].device, out.heads[0].seq, out.heads[0].hash), (device(1), 5, a[4].hash()));
        // Pushed in reverse order: the server sorts by (device, seq).
        let mut rest: Vec<Entry> = a[5..].to_vec();
        rest.reverse();
        assert_eq!(s.push(&alice, inc, rest, NOW, CLOCK).await.unwrap().accepted, 7);
        s.push(&bob, inc, b.clone(), NOW, CLOCK).await.unwrap();
        // Bob relays carol's stream: accepted, since carol's device is registered to a member.
        let relay = s.push(&bob, inc, c.clone(), NOW, CLOCK).await.unwrap();
        assert_eq!((relay.accepted, relay.last_rank), (5, 24));
        assert_eq!(s.push(&carol, inc, c.clone(), NOW, CLOCK).await.unwrap().duplicates, 5);

        let heads = s.heads(&carol, inc).await.unwrap();
        assert_eq!(heads.last_rank, 24);
        let mut expected =
            vec![(device(1), 12, a[11].hash()), (device(2), 7, b[6].hash()), (device(3), 5, c[4].hash())];
        expected.sort();
        let got: Vec<_> = heads.heads.iter().map(|h| (h.device, h.seq, h.hash)).collect();
        assert_eq!(got, expected);

        // Pull in pages of 7 into a fresh client store.
        let mut pulled = Vec::new();
        let mut after = 0;
        loop {
            let page = s.pull(&bob, inc, after, 7).await.unwrap();
            assert!(page.entries.len() <= 7);
            for (k, e) in page.entries.iter().enumerate() {
                assert_eq!(e.rank, after + k as u64 + 1, "ranks are contiguous");
                assert!(e.flags.is_none());
            }
            pulled.extend(page.entries.into_iter().map(|e| e.entry));
            after = page.next;
            if !page.more {
                break;
            }
        }
        assert_eq!(after, 24);
        assert_eq!(pulled.len(), 24);
        assert!(s.pull(&bob, inc, 24, 7).await.unwrap().entries.is_empty());
        assert_eq!(code(s.pull(&bob, inc, 25, 7).await).0, "request.bad_cursor");

        let dir = tempfile::tempdir().unwrap();
        let clock = Arc::new(FixedClock {
            now: DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").unwrap().with_timezone(&Utc),
            zone: ViewerZone::from_name("UTC").unwrap(),
        });
        let mut client = Store::open(&dir.path().join("client.sqlite3"), clock).unwrap();
        let report = client.ingest(&pulled, Source::Sync).unwrap();
        assert_eq!(report.accepted, 24);
        let all: Vec<Entry> = a.iter().chain(&b).chain(&c).cloned().collect();
        let reference = fold(inc, all).unwrap().digest();
        assert_eq!(client.fold_from_log(inc).unwrap().digest(), reference);
        assert_eq!(client.state(inc).unwrap().digest(), reference);
        assert_eq!(client.stream_heads(inc).unwrap().len(), 3);
    });
}

fn duplicates_are_idempotent<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(1);
        let [alice, bob, _] = war_room(&s, inc).await;
        let a = stream(1, inc, 8, NOW, "main");
        s.push(&alice, inc, a[..4].to_vec(), NOW, CLOCK).await.unwrap();
        let again = s.push(&bob, inc, a[..4].to_vec(), NOW, CLOCK).await.unwrap();
        assert_eq!((again.accepted, again.duplicates, again.last_rank), (0, 4, 4));
        // Overlapping page: old ones acknowledged, new ones stored.
        let overlap = s.push(&alice, inc, a[2..6].to_vec(), NOW, CLOCK).await.unwrap();
        assert_eq!((overlap.accepted, overlap.duplicates, overlap.last_rank), (2, 2, 6));
        // The same entry twice in one push.
        let twice = s.push(&alice, inc, vec![a[5].clone(), a[5].clone()], NOW, CLOCK).await.unwrap();
        assert_eq!((twice.accepted, twice.duplicates), (0, 2));
        // A new entry twice in one push: stored once, then acknowledged.
        let twice_new =
            s.push(&alice, inc, vec![a[6].clone(), a[7].clone(), a[6].clone()], NOW, CLOCK).await.unwrap();
        assert_eq!((twice_new.accepted, twice_new.duplicates, twice_new.last_rank), (2, 1, 8));
        assert!(twice_new.quarantined.is_empty());
        let pulled: Vec<Entry> =
            s.pull(&alice, inc, 0, 100).await.unwrap().entries.into_iter().map(|e| e.entry).collect();
        assert_eq!(pulled, a);
    });
}

fn equivocation_and_fork_are_quarantined_with_alerts<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(1);
        let [alice, bob, carol] = war_room(&s, inc).await;
        let dave = enrol(&s, "dave", 4).await;
        let a = stream(1, inc, 4, NOW, "main");
        s.push(&alice, inc, a[..3].to_vec(), NOW, CLOCK).await.unwrap();

        // Someone else holding key 1 signs another history of the same stream.
        let other = stream(1, inc, 5, NOW, "other");
        // Equivocation at seq 1, relayed by bob together with an honest entry, which lands.
        let out = s.push(&bob, inc, vec![other[0].clone(), a[3].clone()], NOW + 10, CLOCK).await.unwrap();
        assert_eq!((out.accepted, out.duplicates, out.last_rank), (1, 0, 4));
        assert_eq!(out.quarantined.len(), 1);
        let q = &out.quarantined[0];
        assert_eq!(
            (q.index, q.kind, q.device, q.seq, q.existing),
            (0, AlertKind::Equivocation, device(1), 1, a[0].hash())
        );
        assert_eq!(q.entry, other[0].id());
        // Pushed again: the same alert, not a new one.
        let again = s.push(&bob, inc, vec![other[0].clone()], NOW + 20, CLOCK).await.unwrap();
        assert_eq!(again.quarantined[0].alert_id, q.alert_id);

        // Fork: seq 5 == head + 1, but chained onto the other history; then its successor.
        let more_other = {
            let mut w = StreamWriter::new(key(1), inc);
            let mut v = stream_from(&mut w, 1, 4, NOW, "other");
            v.extend(stream_from(&mut w, 1, 2, NOW + 60_000, "fork"));
            v
        };
        let fork = vec![more_other[5].clone(), more_other[4].clone()];
        let out = s.push(&carol, inc, fork, NOW + 30, CLOCK).await.unwrap();
        assert_eq!((out.accepted, out.last_rank), (0, 4));
        let kinds: Vec<_> = out.quarantined.iter().map(|q| (q.index, q.kind, q.seq)).collect();
        assert_eq!(kinds, vec![(1, AlertKind::Fork, 5), (0, AlertKind::Fork, 6)]);
        assert_eq!(out.quarantined[0].existing, a[3].hash());

        // Two different entries for one new position in the same page: the first is stored,
        // the second is evidence.
        let b = stream(2, inc, 1, NOW, "main");
        let b_other = stream(2, inc, 1, NOW, "other");
        let out = s.push(&bob, inc, vec![b[0].clone(), b_other[0].clone()], NOW + 35, CLOCK).await.unwrap();
        assert_eq!((out.accepted, out.quarantined.len(), out.last_rank), (1, 1, 5));
        assert_eq!((out.quarantined[0].index, out.quarantined[0].kind), (1, AlertKind::Equivocation));

        // Alerts are visible to every member, with both entries; never to a non-member.
        for who in [&alice, &bob, &carol] {
            let alerts = s.alerts(who, inc, 0).await.unwrap();
            assert_eq!(alerts.len(), 4);
            assert_eq!(alerts[0].kind, AlertKind::Equivocation);
            assert_eq!(alerts[0].existing_entry.as_ref(), Some(&a[0]));
            assert_eq!(alerts[0].quarantined_entry, other[0]);
            assert_eq!(alerts[0].pushed_by, "bob");
            assert_eq!(alerts[1].existing_entry.as_ref(), Some(&a[3]));
            assert_eq!(alerts[2].quarantined_entry, more_other[5]);
            assert_eq!(s.alerts(who, inc, alerts[1].id).await.unwrap().len(), 2);
            assert_eq!(
                (alerts[3].existing_entry.as_ref(), &alerts[3].quarantined_entry),
                (Some(&b[0]), &b_other[0])
            );
        }
        assert_eq!(code(s.alerts(&dave, inc, 0).await).0, "incident.forbidden");

        // The accepted history is untouched.
        let pulled: Vec<Entry> =
            s.pull(&bob, inc, 0, 100).await.unwrap().entries.into_iter().map(|e| e.entry).collect();
        assert_eq!(pulled, a.iter().chain(&b).cloned().collect::<Vec<_>>());

        // Evidence found in a page that is then refused is still kept.
        let gap = stream(3, inc, 3, NOW, "main");
        let (c, _) = code(s.push(&bob, inc, vec![other[1].clone(), gap[2].clone()], NOW + 40, CLOCK).await);
        assert_eq!(c, "ingest.seq_gap");
        let alerts = s.alerts(&alice, inc, 0).await.unwrap();
        assert_eq!(alerts.len(), 5);
        assert_eq!(alerts[4].quarantined_entry, other[1]);
        assert_eq!(s.heads(&alice, inc).await.unwrap().last_rank, 5);
    });
}

/// Pushes the next entry of `a` and returns the new last rank.
async fn good<S: Storage>(s: &S, caller: &Caller, a: &[Entry], done: &mut usize) -> u64 {
    let out = s.push(caller, a[*done].incident_id(), vec![a[*done].clone()], NOW, CLOCK).await.unwrap();
    *done += 1;
    assert_eq!(out.accepted, 1);
    out.last_rank
}

fn refusals_are_precise_and_the_store_keeps_serving<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(1);
        let [alice, bob, _] = war_room(&s, inc).await;
        let a = stream(1, inc, 8, NOW, "main");
        // After every refusal, the next good page lands and the heads are as expected.
        let mut done = 0usize;
        assert_eq!(good(&s, &alice, &a, &mut done).await, 1);

        // Tampered signature: named by its index; nothing of the page is stored.
        let mut tampered = a[1..4].to_vec();
        tampered[2].signature[5] ^= 1;
        let (c, e) = code(s.push(&alice, inc, tampered, NOW, CLOCK).await);
        assert_eq!((c, e.status()), ("entry.bad_signature", 422));
        assert_eq!(e.details()["index"], 2);
        assert_eq!(s.heads(&alice, inc).await.unwrap().last_rank, 1);
        assert_eq!(good(&s, &alice, &a, &mut done).await, 2);

        // Seq gap: names head, expected and got.
        let (c, e) = code(s.push(&alice, inc, vec![a[4].clone()], NOW, CLOCK).await);
        assert_eq!((c, e.status()), ("ingest.seq_gap", 409));
        match &e {
            ServerError::Ingest {
                index,
                device: d,
                seq,
                reason: IngestReason::SeqGap { head, expected, got },
            } => {
                assert_eq!((*index, *d, *seq, *head, *expected, *got), (0, device(1), 5, 2, 3, 5));
            }
            other => panic!("{other:?}"),
        }
        let details = e.details();
        assert_eq!(
            (details["head"].as_u64(), details["expected"].as_u64(), details["got"].as_u64()),
            (Some(2), Some(3), Some(5))
        );
        assert_eq!(good(&s, &alice, &a, &mut done).await, 3);

        // An entry signed for another incident (a replay) is refused with its index.
        let foreign = stream(1, incident(7), 1, NOW, "main");
        let (c, e) = code(s.push(&alice, inc, vec![a[3].clone(), foreign[0].clone()], NOW, CLOCK).await);
        assert_eq!((c, e.status()), ("entry.wrong_incident", 400));
        assert_eq!(e.details()["index"], 1);
        assert_eq!(good(&s, &alice, &a, &mut done).await, 4);

        // A device registered to nobody in the incident.
        let (c, e) = code(s.push(&alice, inc, stream(9, inc, 1, NOW, "main"), NOW, CLOCK).await);
        assert_eq!(
            (c, e.details()["device"].as_str()),
            ("device.unregistered", Some(device(9).to_string().as_str()))
        );
        assert_eq!(good(&s, &alice, &a, &mut done).await, 5);

        // Another stream's entry reusing a stored entry's id (same time, same random part): the
        // page is refused naming it, nothing of it is stored.
        let reused = {
            let mut w = StreamWriter::new(key(2), inc);
            let recorded = WallClock { utc_ms: NOW, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: "Person 2".into(), position: None };
            let body = EntryBody::Note(Note { text: "same id".into(), occurred_at: None });
            w.write(recorded, author, body, [1, 0, 4, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        };
        assert_eq!(reused.id(), a[0].id());
        let (c, e) = code(s.push(&bob, inc, vec![reused], NOW, CLOCK).await);
        assert_eq!((c, e.status(), e.details()["index"].as_u64()), ("ingest.id_reused", 409, Some(0)));
        assert!(s.heads(&bob, inc).await.unwrap().heads.iter().all(|h| h.device != device(2)));
        assert_eq!(good(&s, &alice, &a, &mut done).await, 6);

        // Entry limits (Entry::validate): an empty author.
        let bad = {
            let mut w = StreamWriter::new(key(2), inc);
            let recorded = WallClock { utc_ms: NOW, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: " ".into(), position: None };
            w.write(recorded, author, EntryBody::Note(Note { text: "x".into(), occurred_at: None }), [2; 10])
                .unwrap()
        };
        let (c, e) = code(s.push(&bob, inc, vec![bad], NOW, CLOCK).await);
        assert_eq!((c, e.details()["field"].as_str()), ("entry.invalid", Some("author.person")));
        assert_eq!(good(&s, &alice, &a, &mut done).await, 7);

        // HLC going backwards in a correctly chained stream.
        let first = stream(2, inc, 1, NOW, "main");
        let back = UnsignedEntry {
            id: EntryId::from_parts(NOW as u64, [2, 2, 2, 2, 2, 2, 2, 2, 2, 9]),
            incident_id: inc,
            seq: 2,
            prev_hash: first[0].hash(),
            hlc: Hlc { wall_ms: first[0].hlc().wall_ms - 1, counter: 0 },
            recorded: WallClock { utc_ms: NOW, offset_s: 0, zone: "UTC".into() },
            author: Author { person: "Person 2".into(), position: None },
            on_behalf: None,
            body: EntryBody::Note(Note { text: "back in time".into(), occurred_at: None }),
        }
        .sign(&key(2))
        .unwrap();
        let (c, e) = code(s.push(&bob, inc, vec![first[0].clone(), back], NOW, CLOCK).await);
        assert_eq!(
            (c, e.status(), e.details()["index"].as_u64()),
            ("ingest.hlc_not_increasing", 422, Some(1))
        );
        assert_eq!(s.heads(&alice, inc).await.unwrap().heads.len(), 1, "nothing of the page was stored");
        assert_eq!(s.push(&bob, inc, first, NOW, CLOCK).await.unwrap().accepted, 1);
        assert_eq!(good(&s, &alice, &a, &mut done).await, 9);

        // Too many entries.
        let (c, e) = code(s.push(&alice, inc, vec![a[6].clone(); 1001], NOW, CLOCK).await);
        assert_eq!((c, e.status()), ("request.too_many_entries", 413));
        assert_eq!(s.heads(&alice, inc).await.unwrap().last_rank, 9);
        assert_eq!(s.heads(&alice, inc).await.unwrap().heads.len(), 2);
    });
}

#[test]
fn sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let n = Cell::new(0);
    suite(|| {
        n.set(n.get() + 1);
        SqliteStorage::open(&dir.path().join(format!("server-{}.sqlite3", n.get()))).unwrap()
    });
}

/// Tokens are stored only as SHA-256: neither the enrolment nor the session token's text is
/// anywhere in the database files.
#[test]
fn sqlite_keeps_only_token_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite3");
    let s = SqliteStorage::open(&path).unwrap();
    let (token, session) = block_on(async {
        let token = s.add_user("alice", NOW).await.unwrap();
        let session = s.login(login_request("alice", &token, 1), NOW).await.unwrap().session_token;
        (token, session)
    });
    let conn = rusqlite::Connection::open(&path).unwrap();
    let n: i64 = conn
        .query_row("SELECT count(*) FROM enrolments WHERE used_ms IS NOT NULL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    let stored: Vec<u8> = conn.query_row("SELECT token_hash FROM sessions", [], |r| r.get(0)).unwrap();
    assert_eq!(stored.len(), 32);
    drop(conn);
    let mut bytes = Vec::new();
    for suffix in ["", "-wal"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        if let Ok(b) = std::fs::read(&p) {
            bytes.extend(b);
        }
    }
    assert!(!bytes.is_empty());
    for secret in [&token, &session, &session[5..].to_string()] {
        assert!(!bytes.windows(secret.len()).any(|w| w == secret.as_bytes()), "a token is stored in clear");
        let raw = hex::decode(&secret[secret.len() - 64..]).unwrap();
        assert!(!bytes.windows(32).any(|w| w == raw.as_slice()), "a token's raw bytes are stored");
    }
}

#[test]
fn sqlite_refuses_a_newer_schema_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite3");
    drop(SqliteStorage::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let err = SqliteStorage::open(&path).unwrap_err();
    assert_eq!(err.code(), "server.schema_too_new");
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 99);
}

/// The throwaway server's URL, or `None` (the test is skipped) unless `MUSTER_REQUIRE_POSTGRES=1`.
fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("MUSTER_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("MUSTER_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "MUSTER_REQUIRE_POSTGRES=1 but MUSTER_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)"
            );
            // Straight to stderr, past the test harness's capture, so that a skip is seen.
            let _ = std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("{test}: SKIPPED: MUSTER_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)\n")
                    .as_bytes(),
            );
            None
        }
    }
}

/// Creates a fresh database `m_<random>` on the server of `url` (through the maintenance
/// database of `url`) and returns its URL.
async fn fresh_database(url: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("m_{:x}_{}_{n}", nanos, std::process::id());
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    let driver = tokio::spawn(connection);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    drop(client);
    driver.await.unwrap().unwrap();
    let base = url.split('?').next().unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

#[test]
fn a_schema_1_sqlite_database_keeps_its_alerts_through_the_clock_ahead_migration() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0001_server.sql")).unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        conn.execute("INSERT INTO users (id, name, created_ms) VALUES (7, 'alice', 1)", []).unwrap();
        conn.execute(
            "INSERT INTO quarantine (id, incident_id, device_id, seq, entry_id, hash, existing_hash, kind, \
             entry_json, pushed_by, received_ms) VALUES (41, x'01', x'02', 3, x'03', x'04', x'05', 'fork', '{}', 7, 9)",
            [],
        )
        .unwrap();
    }
    drop(SqliteStorage::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 6, "migrated to the latest schema");
    let kept: (i64, String) = conn
        .query_row("SELECT id, kind FROM quarantine WHERE seq = 3", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(kept, (41, "fork".to_string()), "the alert keeps its id and kind");
    conn.execute(
        "INSERT INTO quarantine (incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json, \
         pushed_by, received_ms) VALUES (x'01', x'02', 4, x'06', x'07', x'05', 'clock_ahead', '{}', 7, 10)",
        [],
    )
    .unwrap();
    let next: i64 = conn.query_row("SELECT id FROM quarantine WHERE seq = 4", [], |r| r.get(0)).unwrap();
    assert!(next > 41, "alert ids keep increasing after the rebuild: {next}");
}

#[test]
fn postgres() {
    let Some(url) = postgres_url("postgres") else { return };
    // Each case gets its own database; the pool connects lazily on the case's own runtime.
    suite(|| block_on(async { PgStorage::connect(&fresh_database(&url).await).await.unwrap() }));
}

#[test]
fn postgres_refuses_a_newer_schema_untouched() {
    let Some(url) = postgres_url("postgres_refuses_a_newer_schema_untouched") else { return };
    block_on(async {
        let db = fresh_database(&url).await;
        let s = PgStorage::connect(&db).await.unwrap();
        assert_eq!(<PgStorage as Storage>::BACKEND, "postgres");
        // Connecting again to a current schema changes nothing.
        drop(PgStorage::connect(&db).await.unwrap());
        let (client, connection) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let v: i64 = client.query_one("SELECT max(version) FROM muster_schema", &[]).await.unwrap().get(0);
        assert_eq!(v, 6, "migrated to the latest schema");
        client.batch_execute("INSERT INTO muster_schema (version) VALUES (99)").await.unwrap();
        let err = PgStorage::connect(&db).await.unwrap_err();
        assert_eq!(err.code(), "server.schema_too_new");
        let v: i64 = client.query_one("SELECT max(version) FROM muster_schema", &[]).await.unwrap().get(0);
        assert_eq!(v, 99);
        drop(s);
    });
}

/// Eight devices push at once, page by page: ranks stay a gapless prefix, every stream is
/// complete, and pulling by rank yields each stream in seq order.
fn concurrent_pushers_get_gapless_ranks<S: Storage>(s: S) {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let s = Arc::new(s);
        let inc = incident(1);
        let owner = enrol(&*s, "owner", 100).await;
        s.register_incident(&owner, inc, &opening(100, inc), NOW).await.unwrap();
        let mut tasks = Vec::new();
        for seed in 1..=8u8 {
            let name = format!("user{seed}");
            let caller = enrol(&*s, &name, seed).await;
            s.set_member(&owner, inc, &name, Role::Member, NOW).await.unwrap();
            let entries = stream(seed, inc, 30, NOW, "main");
            let s = Arc::clone(&s);
            tasks.push(tokio::spawn(async move {
                for page in entries.chunks(7) {
                    let out = s.push(&caller, inc, page.to_vec(), NOW, CLOCK).await.unwrap();
                    assert_eq!(out.accepted, page.len());
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let page = s.pull(&owner, inc, 0, 2000).await.unwrap();
        assert_eq!(page.entries.len(), 240);
        assert!(!page.more);
        let mut last_seq = std::collections::HashMap::new();
        for (k, e) in page.entries.iter().enumerate() {
            assert_eq!(e.rank, k as u64 + 1);
            let prev = last_seq.insert(e.entry.device_id(), e.entry.seq()).unwrap_or(0);
            assert_eq!(e.entry.seq(), prev + 1, "a stream arrives in seq order");
        }
        let heads = s.heads(&owner, inc).await.unwrap();
        assert_eq!(heads.last_rank, 240);
        assert!(heads.heads.iter().all(|h| h.seq == 30));
    });
}
