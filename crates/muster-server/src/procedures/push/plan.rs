//! The push *plan*: which entries of a page are duplicates, quarantined (equivocation, fork, a
//! clock more than a day ahead, a revoked device's or a removed member's entry written after
//! the revocation or removal) or stored, and which refusal ends it, as a pure function of what
//! the database holds (`Facts`, read under the incident's lock). Everything a push decides is
//! decided here.

use std::collections::{HashMap, HashSet};

use muster_core::{DeviceId, Entry, Hash32, Head, IngestReason};
use muster_wire::{AlertKind, Quarantined};

use crate::codec::u64_of;
use crate::error::ServerError;

/// A quarantined entry waiting to be written: evidence, kept even when its page is refused (so
/// it owns its entry, and outlives the refused transaction).
#[derive(Debug, Clone)]
pub(crate) struct Held {
    pub index: usize,
    pub entry: Entry,
    pub existing: Hash32,
    pub kind: AlertKind,
}

impl Held {
    /// The wire record of this held entry once its alert is stored as `alert_id`.
    pub(crate) fn quarantined(&self, alert_id: i64) -> Quarantined {
        let e = &self.entry;
        Quarantined {
            index: self.index,
            entry: e.id(),
            device: e.device_id(),
            seq: e.seq(),
            existing: self.existing,
            alert_id: u64_of(alert_id),
            kind: self.kind,
        }
    }
}

/// What the database holds that a push page depends on (read under the incident's write lock).
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// The hash stored at each pushed (device, seq) position that is already taken.
    pub stored: HashMap<(DeviceId, u64), Hash32>,
    /// The pushed devices registered to a member (present or past) of the incident.
    pub registered: HashSet<DeviceId>,
    /// The stored heads of the pushed streams (absent: not started).
    pub heads: HashMap<DeviceId, Head>,
    /// Quarantined (device, seq, hash) among the pushed entries' predecessors.
    pub quarantined: HashSet<(DeviceId, u64, Hash32)>,
    /// The revocation instant (server ms) of each revoked pushed device.
    pub revoked: HashMap<DeviceId, i64>,
    /// The person each pushed device was registered for, and when (server ms).
    pub persons: HashMap<DeviceId, (String, i64)>,
    /// For each pushed device, its owner's membership events in the incident in order of time:
    /// (at_ms, whether a member from then on).
    pub membership: HashMap<DeviceId, Vec<(i64, bool)>>,
}

impl Facts {
    /// Whether the owner of `device` was a removed member at `wall_ms`: their last membership
    /// event at or before it is a removal. Before their first grant they are not "removed" (a
    /// laptop may write offline before its person is added).
    /// Whether `e` says it was recorded by someone other than the person its device was
    /// registered for, at a time after that registration. (Before it, the laptop was a shared,
    /// unregistered one whose operator the server cannot know; docs/decisions/0028.)
    fn recorded_as_another(&self, e: &Entry, wall_ms: i64) -> bool {
        self.persons
            .get(&e.device_id())
            .is_some_and(|(person, at)| wall_ms >= *at && *person != e.envelope.author.person)
    }

    fn removed_at(&self, device: DeviceId, wall_ms: i64) -> bool {
        self.membership
            .get(&device)
            .and_then(|events| events.iter().rev().find(|(at, _)| *at <= wall_ms))
            .is_some_and(|(_, member)| !member)
    }
}

/// The (device, seq) positions whose stored hash `Facts::stored` needs.
pub(crate) fn positions(entries: &[Entry]) -> Vec<(DeviceId, u64)> {
    entries.iter().map(|e| (e.device_id(), e.seq())).collect()
}

/// The quarantine keys `Facts::quarantined` needs: each entry's predecessor.
pub(crate) fn predecessors(entries: &[Entry]) -> Vec<(DeviceId, u64, Hash32)> {
    entries
        .iter()
        .filter(|e| e.seq() > 1)
        .map(|e| (e.device_id(), e.seq() - 1, e.envelope.prev_hash))
        .collect()
}

/// The distinct devices of a page, sorted.
pub(crate) fn devices(entries: &[Entry]) -> Vec<DeviceId> {
    let mut d: Vec<DeviceId> = entries.iter().map(Entry::device_id).collect();
    d.sort();
    d.dedup();
    d
}

/// An entry to store, in rank order.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Insert {
    pub index: usize,
    /// How many of `Plan::held` were found before this entry: if storing it fails (its id is
    /// already used), the page is refused with only those as evidence.
    pub held_before: usize,
}

/// Storing `step`'s entry found its id already used by another entry: the page is refused with
/// only the evidence found before it.
pub(crate) fn id_reused(held: &mut Vec<Held>, step: &Insert, entry: &Entry) -> ServerError {
    held.truncate(step.held_before);
    ServerError::Ingest {
        index: step.index,
        device: entry.device_id(),
        seq: entry.seq(),
        reason: IngestReason::IdReused,
    }
}

/// What to do with a push page.
#[derive(Debug, Default)]
pub(crate) struct Plan {
    pub duplicates: usize,
    pub held: Vec<Held>,
    pub inserts: Vec<Insert>,
    /// The page is refused: nothing is stored but `held`, in its own transaction.
    pub refusal: Option<ServerError>,
}

impl Plan {
    /// The final head of each stream the plan extends.
    pub(crate) fn new_heads(&self, entries: &[Entry]) -> Vec<(DeviceId, Head)> {
        let mut heads: HashMap<DeviceId, Head> = HashMap::new();
        for i in &self.inserts {
            let e = &entries[i.index];
            heads.insert(e.device_id(), Head::of(e));
        }
        let mut out: Vec<(DeviceId, Head)> = heads.into_iter().collect();
        out.sort_by_key(|(d, _)| *d);
        out
    }
}

/// Decides a push page (docs/design/sync-plan.md §5). Entries are taken in (device, seq)
/// order. Positions already stored are duplicates or equivocations (evidence whatever happens
/// to the rest of the page); then each stream must extend its head: a different predecessor at
/// the next position, or a later entry on a quarantined branch, is a fork; anything else that
/// does not extend the head refuses the page.
/// An entry stamped more than a day ahead of the server's clock (`now_ms`) is held as evidence
/// (`AlertKind::ClockAhead`) and never stored: every member that pulled it would otherwise
/// carry its clock; the entries after it in its stream are then held as a fork of it.
pub(crate) fn plan_push(entries: &[Entry], facts: &Facts, now_ms: i64) -> Plan {
    let server_ms = u64::try_from(now_ms).unwrap_or(0);
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (entries[i].device_id(), entries[i].seq()));
    let mut plan = Plan::default();

    let mut stored = vec![false; entries.len()];
    for &index in &order {
        let e = &entries[index];
        if let Some(hash) = facts.stored.get(&(e.device_id(), e.seq())) {
            stored[index] = true;
            if *hash == e.hash() {
                plan.duplicates += 1;
            } else {
                plan.held.push(Held {
                    index,
                    entry: e.clone(),
                    existing: *hash,
                    kind: AlertKind::Equivocation,
                });
            }
        }
    }

    let mut heads: HashMap<DeviceId, Head> = HashMap::new();
    let mut inserted: HashMap<(DeviceId, u64), Hash32> = HashMap::new();
    for index in order {
        let e = &entries[index];
        let device = e.device_id();
        if !facts.registered.contains(&device) {
            plan.refusal = Some(ServerError::DeviceUnregistered(device));
            return plan;
        }
        if stored[index] {
            continue;
        }
        let head = heads.get(&device).or_else(|| facts.heads.get(&device)).copied().unwrap_or(Head::EMPTY);
        let wall = i64::try_from(e.hlc().wall_ms).unwrap_or(i64::MAX);
        // A lost laptop's key may still sign: what it signs from its revocation on is evidence,
        // whoever relays it. (What it signed before stays welcome: written while trusted.)
        let revoked = facts.revoked.get(&device).is_some_and(|at| wall > *at);
        let kind = if revoked {
            Some(AlertKind::DeviceRevoked)
        } else if facts.removed_at(device, wall) {
            Some(AlertKind::MemberRemoved)
        } else {
            None
        };
        if let Some(kind) = kind.filter(|_| e.seq() > head.seq) {
            plan.held.push(Held { index, entry: e.clone(), existing: head.hash, kind });
            continue;
        }
        // Then what the entry itself says: a clock far ahead, or another person as its recorder.
        let suspect = if e.hlc().too_far_ahead_of(server_ms).is_some() {
            Some(AlertKind::ClockAhead)
        } else if facts.recorded_as_another(e, wall) {
            Some(AlertKind::RecorderMismatch)
        } else {
            None
        };
        if let Some(kind) = suspect.filter(|_| e.seq() > head.seq) {
            plan.held.push(Held { index, entry: e.clone(), existing: head.hash, kind });
            continue;
        }
        if e.seq() <= head.seq {
            // Stored by this very push (the page holds the position twice).
            match inserted.get(&(device, e.seq())) {
                Some(h) if *h == e.hash() => plan.duplicates += 1,
                Some(h) => plan.held.push(Held {
                    index,
                    entry: e.clone(),
                    existing: *h,
                    kind: AlertKind::Equivocation,
                }),
                None => {
                    plan.refusal = Some(ServerError::Corrupt(format!(
                        "stream {device} has head {} but no entry at seq {}",
                        head.seq,
                        e.seq()
                    )));
                    return plan;
                }
            }
            continue;
        }
        if e.seq() == head.seq + 1 && e.envelope.prev_hash != head.hash {
            plan.held.push(Held { index, entry: e.clone(), existing: head.hash, kind: AlertKind::Fork });
            continue;
        }
        if e.seq() > head.seq + 1 {
            // A later entry of an already quarantined branch is a fork too, not a gap.
            let on_quarantined = plan
                .held
                .iter()
                .any(|h| h.entry.device_id() == device && h.entry.hash() == e.envelope.prev_hash)
                || facts.quarantined.contains(&(device, e.seq() - 1, e.envelope.prev_hash));
            if on_quarantined {
                plan.held.push(Held { index, entry: e.clone(), existing: head.hash, kind: AlertKind::Fork });
                continue;
            }
        }
        if let Err(reason) = head.admits(e) {
            plan.refusal = Some(ServerError::Ingest { index, device, seq: e.seq(), reason });
            return plan;
        }
        plan.inserts.push(Insert { index, held_before: plan.held.len() });
        inserted.insert((device, e.seq()), e.hash());
        heads.insert(device, Head::of(e));
    }
    plan
}
