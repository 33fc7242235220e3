//! The client engine (`muster_sync::engine`) against the real router, in process: a transport
//! that drives the axum `Router` with `tower::ServiceExt::oneshot` (no sockets, no keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::BTreeMap;

use common::{clock, incident, key, Laptop, World};
use muster_store::{Source, Store};
use muster_sync::{sync_once, Client, SyncPlan};
use muster_wire::Role;

#[test]
fn pushes_in_pages_pulls_in_pages_relays_and_recovers_a_bad_cursor() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    let mut b = world.laptop("bob", 2);
    let mut c = world.laptop("carol", 3);

    // 1203 entries: three push pages of at most 500.
    a.write(inc, true, 1202, "alice");
    let r = a.sync(inc, true);
    assert_eq!((r.pushed, r.push_duplicates, r.pulled, r.cursor), (1203, 0, 0, 1203));
    a.client.set_member(inc, "bob", Role::Member).unwrap();
    a.client.set_member(inc, "carol", Role::Member).unwrap();

    // Two pull pages (1000 + 203).
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.cursor), (0, 1203, 1203));
    assert_eq!(b.digest(inc), a.digest(inc));

    // Relay: carol's offline entries reach bob by hand; bob pushes them for her.
    c.store.ingest(&b.store.entries(inc).unwrap(), Source::Sync).unwrap();
    c.write(inc, false, 7, "carol");
    let carols = c.store.entries_after(inc, c.device(), 0, 100).unwrap();
    b.store.ingest(&carols, Source::Sync).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.cursor), (7, 0, 1210));
    // Carol's own push finds them there; she only advances her cursor.
    let r = c.sync(inc, false);
    assert_eq!((r.pushed, r.push_duplicates, r.pulled, r.cursor), (0, 0, 0, 1210));
    let r = a.sync(inc, false);
    assert_eq!((r.pulled, r.cursor), (7, 1210));
    for who in [&b, &c] {
        assert_eq!(who.digest(inc), a.digest(inc));
        assert_eq!(who.store.entry_count().unwrap(), 1210);
    }

    // A cursor beyond the server's last rank (a server restored from backup) starts over.
    b.store.set_sync_cursor(inc, 99_999).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.cursor), (0, 1210));
    assert_eq!(b.store.sync_cursor(inc).unwrap(), 1210);

    // A refusal keeps the server's code and message.
    let d = world.laptop("dave", 4);
    let err = d.client.heads(inc).unwrap_err();
    assert_eq!(err.code(), "incident.forbidden");
    assert!(err.is_refusal());
}

#[test]
fn entries_of_an_unregistered_device_wait_locally_while_the_rest_syncs() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    a.write(inc, true, 3, "alice");
    // A log from a laptop that never logged in to this server, received by hand.
    let mut stranger = Laptop {
        store: Store::open(&a.store.path().with_file_name("stranger.sqlite3"), clock()).unwrap(),
        key: key(9),
        person: "stranger".into(),
        client: Client::new(world.transport(), None),
    };
    stranger.store.ingest(&a.store.entries(inc).unwrap(), Source::Sync).unwrap();
    stranger.write(inc, false, 5, "stranger");
    let theirs = stranger.store.entries_after(inc, stranger.device(), 0, 100).unwrap();
    a.store.ingest(&theirs, Source::Sync).unwrap();
    a.write(inc, false, 2, "alice later");

    let r = a.sync(inc, true);
    assert_eq!((r.pushed, r.waiting, r.cursor), (6, 5, 6));
    let mut b = world.laptop("bob", 2);
    a.client.set_member(inc, "bob", Role::Member).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.waiting), (6, 0));
    assert_eq!(b.store.entry_count().unwrap(), 6);
}

#[test]
fn a_pulled_branch_that_conflicts_with_the_local_copy_is_set_aside_the_relayed_one_raises_an_alert() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    let mut b = world.laptop("bob", 2);
    a.write(inc, true, 2, "alice");
    a.sync(inc, true);
    a.client.set_member(inc, "bob", Role::Member).unwrap();

    // A copy of alice's laptop (same key) writes seq 4 one way; alice writes it another way.
    let mut copy = Laptop {
        store: Store::open(&a.store.path().with_file_name("copy.sqlite3"), clock()).unwrap(),
        key: key(1),
        person: "alice".into(),
        client: Client::new(world.transport(), None),
    };
    copy.store.ingest(&a.store.entries(inc).unwrap(), Source::Sync).unwrap();
    copy.write(inc, false, 2, "the copy");
    a.write(inc, false, 1, "alice");
    a.sync(inc, false);

    // Bob got the copy's branch by hand; the server's seq 4 conflicts with it.
    b.store.ingest(&copy.store.entries(inc).unwrap(), Source::Sync).unwrap();
    b.write(inc, false, 1, "bob");
    // Relaying the copy's seq 4 makes the server quarantine it as a fork and raise an alert.
    // Pulling alice's seq 3 then conflicts with bob's copy (set aside here), and bob reports
    // the copy's seq 3 back: the server quarantines it too, as an equivocation, a second alert.
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.quarantined, r.pulled, r.conflicts, r.alerts, r.cursor), (1, 2, 0, 1, 2, 5));
    // Later entries of alice's branch are set aside too; everything else keeps flowing.
    a.write(inc, false, 1, "alice");
    let r = a.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.alerts), (1, 1, 2), "bob's note and the alerts reached alice");
    assert_eq!(a.store.sync_alert_count(inc).unwrap(), 2);
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.conflicts, r.cursor), (0, 1, 6));
    assert_eq!(b.store.pulled_quarantine(inc, None).unwrap(), 2);
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.conflicts, r.alerts), (0, 0, 0), "nothing is set aside or alerted twice");
    assert_eq!(b.store.sync_alert_count(inc).unwrap(), 2);
    let kinds: Vec<String> = b.store.sync_alert_rows(inc).unwrap().into_iter().map(|a| a.kind).collect();
    assert_eq!(kinds, ["fork", "equivocation"]);
}

#[test]
fn a_laptop_whose_clock_is_off_is_warned_and_its_entries_are_kept_and_flagged_everywhere() {
    let w = World::new();
    let inc = incident();
    let mut on_time = w.laptop_off_by("alice", 1, 0);
    let mut fast = w.laptop_off_by("bob", 2, 7 * 60_000);
    on_time.write(inc, true, 2, "alice");
    on_time.sync(inc, true);
    on_time.client.set_member(inc, "bob", Role::Member).unwrap();
    fast.sync(inc, false);
    fast.write(inc, false, 3, "bob");

    let plan = SyncPlan { incidents: vec![inc], register: BTreeMap::new(), access_removed: vec![] };
    let report = sync_once(&mut fast.store, &fast.client, &plan).unwrap();
    let clock = report.clock.expect("a push reports the server's clock verdict");
    assert!(clock.warning, "{clock:?}");
    assert!((clock.skew_ms - 7 * 60_000).abs() < 60_000, "about 7 minutes fast: {clock:?}");
    assert_eq!(report.incidents[0].pushed, 3, "the entries are kept");

    // Alice pulls bob's entries with their flags; her own are not flagged.
    let r = on_time.sync(inc, false);
    assert_eq!((r.pulled, r.clock_flagged), (3, 3));
    let flags = on_time.store.clock_flags(inc).unwrap();
    let bobs: Vec<_> = on_time
        .store
        .fold_from_log(inc)
        .unwrap()
        .timeline
        .iter()
        .filter(|t| t.author.person == "bob")
        .map(|t| t.entry_id)
        .collect();
    assert_eq!(bobs.len(), 3);
    for id in &bobs {
        let skew = flags[id];
        assert!((skew - 7 * 60_000).abs() < 60_000, "{skew}");
    }
    assert_eq!(flags.len(), 3, "only bob's entries are flagged");
    // The flags do not change the incident: both laptops hold the same state.
    fast.sync(inc, false);
    assert_eq!(on_time.digest(inc), fast.digest(inc));

    // An on-time push gets no warning.
    on_time.write(inc, false, 1, "alice");
    let report = sync_once(&mut on_time.store, &on_time.client, &plan).unwrap();
    assert!(!report.clock.unwrap().warning);
}

/// Issue "Trust nobody" 1: a member's laptop whose clock reads the year 2300 (or a forged
/// entry at the end of the clock's range) must not stop anyone else's writes. The server holds
/// its entries as evidence with a `clock_ahead` alert; the other laptops pull none of them,
/// see the alert, and keep writing in this incident and in others.
#[test]
fn entries_from_a_clock_centuries_ahead_are_held_by_the_server_and_stop_no_one() {
    let w = World::new();
    let inc = incident();
    let other = muster_core::IncidentId::from_parts(1_790_000_000_000, [8; 10]);
    let mut alice = w.laptop_off_by("alice", 1, 0);
    let mut broken = w.laptop_off_by("mallory", 5, 274 * 365 * 24 * 3_600_000);
    alice.write(inc, true, 1, "alice");
    alice.sync(inc, true);
    alice.client.set_member(inc, "mallory", Role::Member).unwrap();
    broken.sync(inc, false);
    broken.write(inc, false, 2, "mallory");
    let r = broken.sync(inc, false);
    assert_eq!(r.pushed, 0, "nothing of the broken clock is stored by the server: {r:?}");

    let r = alice.sync(inc, false);
    assert_eq!(r.pulled, 0);
    assert!(r.alerts >= 1, "alice learns of the held entries: {r:?}");
    let alerts = alice.store.sync_alert_rows(inc).unwrap();
    assert!(alerts.iter().any(|a| a.kind == "clock_ahead"), "{alerts:?}");
    // Alice writes on, in this incident and in another one.
    alice.write(inc, false, 1, "alice");
    alice.write(other, true, 1, "alice");
    let r = alice.sync(inc, false);
    assert_eq!(r.pushed, 1);
    let ahead = muster_core::hlc::MAX_CLOCK_AHEAD_MS;
    let now = chrono::Utc::now().timestamp_millis() as u64;
    for e in alice.store.entries(inc).unwrap() {
        assert!(e.hlc().wall_ms < now + ahead, "alice's clock was not moved: {:?}", e.hlc());
    }
}
