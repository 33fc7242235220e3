//! Property test of the sync protocol (docs/design/sync-plan.md §9): random schedules of
//! writes (notes and competing incident-commander assignments), syncs, partitions, heals,
//! duplicate pushes, reordered pushes and relays (a peer copies another laptop's entries by
//! hand and pushes them itself), over three laptops and a real server in process. After
//! healing everything and syncing everyone twice: every laptop holds the same entries and the
//! same state digest, the server's heads are every laptop's heads, nothing was lost, and no
//! alert was raised (no device key signed two histories).
//! `PROPTEST_CASES` raises the number of schedules (32 by default).

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{incident, Laptop, World};
use muster_core::body::RoleAssigned;
use muster_core::{Author, EntryBody, IncidentId, Position};
use muster_store::{Draft, Source};
use muster_sync::{sync_once, SyncPlan};
use muster_wire::Role;
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// Laptop `i` writes `n` notes.
    Write(usize, usize),
    /// Laptop `i` assigns an incident commander without knowing of anyone else's.
    AssignCommander(usize),
    Sync(usize),
    Partition(usize),
    Heal(usize),
    /// Laptop `i` pushes its whole stream again (every entry already acknowledged or not).
    DuplicatePush(usize),
    /// Laptop `i` pushes what the server lacks of its stream in a shuffled order.
    ReorderedPush(usize, u64),
    /// Laptop `to` ingests `from`'s entries by hand (a USB stick), to push them later itself.
    Relay(usize, usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        4 => (0..3usize, 1..4usize).prop_map(|(i, n)| Step::Write(i, n)),
        1 => (0..3usize).prop_map(Step::AssignCommander),
        4 => (0..3usize).prop_map(Step::Sync),
        1 => (0..3usize).prop_map(Step::Partition),
        1 => (0..3usize).prop_map(Step::Heal),
        1 => (0..3usize).prop_map(Step::DuplicatePush),
        1 => (0..3usize, any::<u64>()).prop_map(|(i, seed)| Step::ReorderedPush(i, seed)),
        1 => (0..3usize, 0..3usize).prop_map(|(from, to)| Step::Relay(from, to)),
    ]
}

fn sync(l: &mut Laptop, inc: IncidentId) -> muster_sync::IncidentReport {
    let plan = SyncPlan { incidents: vec![inc], register: BTreeMap::new(), access_removed: vec![] };
    sync_once(&mut l.store, &l.client, &plan).unwrap().incidents.remove(0)
}

fn assign_commander(l: &mut Laptop, inc: IncidentId, person: &str) {
    let draft = Draft {
        incident_id: inc,
        author: Author { person: person.into(), position: None },
        on_behalf: None,
        body: EntryBody::RoleAssigned(RoleAssigned {
            position: Position::IncidentCommander,
            person: person.into(),
            supersedes: vec![],
        }),
    };
    l.store.append(&l.key, vec![draft]).unwrap();
}

/// Every entry a laptop holds, by id, as the set of ids.
fn held(l: &Laptop, inc: IncidentId) -> BTreeSet<String> {
    l.store.entries(inc).unwrap().iter().map(|e| e.id().to_string()).collect()
}

fn heads(l: &Laptop, inc: IncidentId) -> BTreeMap<String, u64> {
    l.store.stream_heads(inc).unwrap().into_iter().map(|(d, h)| (d.to_string(), h.seq)).collect()
}

fn run(steps: &[Step]) {
    let world = World::new();
    let inc = incident();
    let mut laptops = vec![world.laptop("alice", 1), world.laptop("bob", 2), world.laptop("carol", 3)];
    laptops[0].write(inc, true, 1, "alice");
    let opening = laptops[0].store.entries_after(inc, laptops[0].device(), 0, 1).unwrap().remove(0);
    laptops[0].client.register(inc, &opening).unwrap();
    laptops[0].client.set_member(inc, "bob", Role::Member).unwrap();
    laptops[0].client.set_member(inc, "carol", Role::Member).unwrap();
    for l in &mut laptops {
        sync(l, inc);
    }
    let mut connected = [true; 3];
    // Every entry ever written, to prove none is lost.
    let mut written: BTreeSet<String> = held(&laptops[0], inc);

    for s in steps {
        match *s {
            Step::Write(i, n) => laptops[i].write(inc, false, n, ["alice", "bob", "carol"][i]),
            Step::AssignCommander(i) => {
                assign_commander(&mut laptops[i], inc, ["Okafor", "Lindqvist", "Haddad"][i])
            }
            Step::Sync(i) if connected[i] => {
                let r = sync(&mut laptops[i], inc);
                assert_eq!((r.quarantined, r.conflicts, r.alerts, r.waiting), (0, 0, 0, 0), "{r:?}");
            }
            Step::Partition(i) => connected[i] = false,
            Step::Heal(i) => connected[i] = true,
            Step::DuplicatePush(i) if connected[i] => {
                let l = &laptops[i];
                let all = l.store.entries_after(inc, l.device(), 0, 1000).unwrap();
                let known = l.client.heads(inc).unwrap();
                let at = known.heads.iter().find(|h| h.device == l.device()).map_or(0, |h| h.seq);
                let already: Vec<_> = all.into_iter().filter(|e| e.seq() <= at).collect();
                if !already.is_empty() {
                    let n = already.len();
                    let out = l.client.push(inc, already).unwrap();
                    assert_eq!((out.accepted, out.duplicates), (0, n), "a duplicate push changes nothing");
                }
            }
            Step::ReorderedPush(i, seed) if connected[i] => {
                let l = &laptops[i];
                let known = l.client.heads(inc).unwrap();
                let at = known.heads.iter().find(|h| h.device == l.device()).map_or(0, |h| h.seq);
                let mut missing = l.store.entries_after(inc, l.device(), at, 1000).unwrap();
                if !missing.is_empty() {
                    let n = missing.len();
                    let mut r = seed | 1;
                    for k in (1..missing.len()).rev() {
                        r ^= r << 13;
                        r ^= r >> 7;
                        r ^= r << 17;
                        missing.swap(k, (r % (k as u64 + 1)) as usize);
                    }
                    assert_eq!(l.client.push(inc, missing).unwrap().accepted, n);
                }
            }
            Step::Relay(from, to) if from != to => {
                let copied = laptops[from].store.entries(inc).unwrap();
                laptops[to].store.ingest(&copied, Source::Sync).unwrap();
            }
            _ => {}
        }
        for l in &laptops {
            written.extend(held(l, inc));
        }
    }

    // Heal everything; everyone syncs twice.
    for _ in 0..2 {
        for l in &mut laptops {
            let r = sync(l, inc);
            assert_eq!((r.quarantined, r.conflicts, r.alerts, r.waiting), (0, 0, 0, 0), "{r:?}");
        }
    }
    let digest = laptops[0].digest(inc);
    let server_heads: BTreeMap<String, u64> = laptops[0]
        .client
        .heads(inc)
        .unwrap()
        .heads
        .into_iter()
        .map(|h| (h.device.to_string(), h.seq))
        .collect();
    for (k, l) in laptops.iter().enumerate() {
        assert_eq!(l.digest(inc), digest, "laptop {k} diverged");
        assert_eq!(held(l, inc), written, "laptop {k} lacks an entry that was written");
        assert_eq!(heads(l, inc), server_heads, "laptop {k}'s heads differ from the server's");
        assert_eq!(l.store.sync_alert_count(inc).unwrap(), 0);
    }
    // Commander assignments made anywhere survive sync: each is in the roster (held, ended or
    // a conflict to resolve) or, made without authority, kept as not in force.
    let state = laptops[0].store.fold_from_log(inc).unwrap();
    for item in state.timeline.iter().filter(|t| t.kind == "role.assigned") {
        let kept = state.assignments.iter().any(|a| a.entry_id == item.entry_id)
            || state.command.unauthorised.iter().any(|u| u.stamp.entry_id == item.entry_id);
        assert!(kept, "an assignment was lost");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, max_shrink_iters: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_schedules_converge_without_losing_an_entry(steps in prop::collection::vec(step(), 1..40)) {
        run(&steps);
    }
}
