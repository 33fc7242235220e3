//! Backend-independent logic shared by the SQLite and PostgreSQL storages: token handling,
//! row decoding, the pre-lock checks of a push, and the push *plan* — which entries of a page
//! are duplicates, quarantined (equivocation, fork) or stored, and which refusal ends it — as a
//! pure function of what the database holds (`Facts`). Each backend only gathers the facts and
//! writes the plan, so that both decide exactly alike.

use std::collections::{HashMap, HashSet};

use ed25519_dalek::Signature;
use muster_core::entry::{verify_many, verifying_key};
use muster_core::{DeviceId, Entry, Hash32, IncidentId};
use muster_store::rows::Head;
use muster_sync::wire::{
    login_proof_message, AlertKind, LoginRequest, Quarantined, Role, DEFAULT_PULL_LIMIT, MAX_PULL_LIMIT,
    MAX_PUSH_ENTRIES,
};
use rand_core::{OsRng, RngCore};
use sha2::{Digest, Sha256};

use crate::error::ServerError;
use crate::storage::Result;

/// Enrolment tokens are valid for 7 days.
pub const ENROLMENT_TTL_MS: i64 = 7 * 24 * 3600 * 1000;
/// Session tokens start with this, so that a leaked one is recognisable in logs and scanners.
pub const SESSION_PREFIX: &str = "mst1_";

pub(crate) fn sha256(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

pub(crate) fn random_hex_32() -> String {
    let mut b = [0u8; 32];
    OsRng.fill_bytes(&mut b);
    hex::encode(b)
}

pub(crate) fn new_session_token() -> String {
    format!("{SESSION_PREFIX}{}", random_hex_32())
}

pub(crate) fn u64_of(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

pub(crate) fn i64_of(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub(crate) fn device_of(bytes: &[u8]) -> Result<DeviceId> {
    bytes.try_into().map(DeviceId).map_err(|_| ServerError::Corrupt("a device id is not 32 bytes".into()))
}

pub(crate) fn hash_of(bytes: &[u8]) -> Result<Hash32> {
    bytes.try_into().map(Hash32).map_err(|_| ServerError::Corrupt("a hash is not 32 bytes".into()))
}

pub(crate) fn incident_of(bytes: &[u8]) -> Result<IncidentId> {
    let id: [u8; 16] =
        bytes.try_into().map_err(|_| ServerError::Corrupt("an incident id is not 16 bytes".into()))?;
    Ok(IncidentId::from_bytes(id))
}

pub(crate) fn decode_entry(json: &str) -> Result<Entry> {
    serde_json::from_str(json).map_err(|e| ServerError::Corrupt(format!("stored entry JSON: {e}")))
}

pub(crate) fn encode_entry(e: &Entry) -> Result<String> {
    serde_json::to_string(e).map_err(|err| ServerError::Internal(err.to_string()))
}

pub(crate) fn role_of(s: &str) -> Result<Role> {
    Role::parse(s).ok_or_else(|| ServerError::Corrupt(format!("unknown role {s:?}")))
}

pub(crate) fn alert_kind_of(s: &str) -> Result<AlertKind> {
    AlertKind::parse(s).ok_or_else(|| ServerError::Corrupt(format!("alert kind {s:?}")))
}

pub(crate) fn valid_user_name(name: &str) -> bool {
    !name.trim().is_empty() && name.chars().count() <= 64 && !name.chars().any(char::is_control)
}

/// The login proof: a signature by the device key over the user and the enrolment token.
pub(crate) fn check_login_proof(req: &LoginRequest) -> Result<()> {
    let key = verifying_key(&req.device_id).map_err(|_| ServerError::BadProof)?;
    let sig: [u8; 64] =
        hex::decode(&req.proof).ok().and_then(|b| b.try_into().ok()).ok_or(ServerError::BadProof)?;
    key.verify_strict(&login_proof_message(&req.user, &req.token), &Signature::from_bytes(&sig))
        .map_err(|_| ServerError::BadProof)
}

/// A pull's page size: 0 means the default, otherwise clamped to the maximum.
pub(crate) fn pull_limit(limit: u64) -> u64 {
    if limit == 0 {
        DEFAULT_PULL_LIMIT
    } else {
        limit.min(MAX_PULL_LIMIT)
    }
}

/// The checks of a push that need no database, run before any lock: count, incident, limits,
/// signatures (batched).
pub(crate) fn precheck_push(incident: IncidentId, entries: &[Entry]) -> Result<()> {
    if entries.len() > MAX_PUSH_ENTRIES {
        return Err(ServerError::TooManyEntries { max: MAX_PUSH_ENTRIES, got: entries.len() });
    }
    for (index, e) in entries.iter().enumerate() {
        if e.incident_id() != incident {
            return Err(ServerError::WrongIncident { index, expected: incident, found: e.incident_id() });
        }
        e.validate().map_err(|v| ServerError::Invalid {
            index,
            field: v.field.clone(),
            message: v.to_string(),
        })?;
    }
    let refs: Vec<&Entry> = entries.iter().collect();
    if let Some((index, err)) = verify_many(&refs).into_iter().next() {
        return Err(ServerError::BadSignature { index, message: err.to_string() });
    }
    Ok(())
}

/// A quarantined entry waiting to be written.
#[derive(Debug)]
pub(crate) struct Held<'a> {
    pub index: usize,
    pub entry: &'a Entry,
    pub existing: Hash32,
    pub kind: AlertKind,
}

impl Held<'_> {
    /// The wire record of this held entry once its alert is stored as `alert_id`.
    pub(crate) fn quarantined(&self, alert_id: i64) -> Quarantined {
        let e = self.entry;
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
/// only the evidence found before it (both backends call this from their insert loop).
pub(crate) fn id_reused(held: &mut Vec<Held<'_>>, step: &Insert, entry: &Entry) -> ServerError {
    held.truncate(step.held_before);
    ServerError::Ingest {
        index: step.index,
        device: entry.device_id(),
        seq: entry.seq(),
        reason: muster_store::IngestReason::IdReused,
    }
}

/// What to do with a push page.
#[derive(Debug, Default)]
pub(crate) struct Plan<'a> {
    pub duplicates: usize,
    pub held: Vec<Held<'a>>,
    pub inserts: Vec<Insert>,
    /// The page is refused: nothing is stored but `held`, in its own transaction.
    pub refusal: Option<ServerError>,
}

impl Plan<'_> {
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
pub(crate) fn plan_push<'a>(entries: &'a [Entry], facts: &Facts) -> Plan<'a> {
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
                plan.held.push(Held { index, entry: e, existing: *hash, kind: AlertKind::Equivocation });
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
        if e.seq() <= head.seq {
            // Stored by this very push (the page holds the position twice).
            match inserted.get(&(device, e.seq())) {
                Some(h) if *h == e.hash() => plan.duplicates += 1,
                Some(h) => {
                    plan.held.push(Held { index, entry: e, existing: *h, kind: AlertKind::Equivocation })
                }
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
            plan.held.push(Held { index, entry: e, existing: head.hash, kind: AlertKind::Fork });
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
                plan.held.push(Held { index, entry: e, existing: head.hash, kind: AlertKind::Fork });
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
