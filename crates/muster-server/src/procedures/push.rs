//! Push (docs/design/sync-plan.md §5, docs/decisions/0017): verify a page of entries, decide
//! what it stores (`plan`), and store it atomically, serialised per incident. A refusal stores
//! nothing of the page, except the evidence (quarantine rows) found before it, which is
//! written in a transaction of its own so that no alert is ever lost.

mod plan;

use std::collections::{HashMap, HashSet};

use muster_core::entry::verify_many;
use muster_core::{Entry, IncidentId};
use muster_wire::{Quarantined, MAX_PUSH_ENTRIES};

use serde_json::json;

use self::plan::{devices, id_reused, plan_push, positions, predecessors, Facts, Held};
use super::audit::{append, AuditEvent};
use super::membership::require_member;
use crate::backend::{Access, Data, Database, Inserted, NewEntry, NewQuarantine, Procedure};
use crate::codec::encode_entry;
use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, PushOutcome, Result};

/// Verifies and stores a page: membership first (a non-member, like a request for an unknown
/// incident, gets the 403 before any entry is looked at, and cannot make the server spend its
/// CPU on their signatures), then the checks that need no database, on the blocking pool
/// (without a lock or connection: the slow signature checks never hold up other pushes), then
/// the page in one transaction under the incident's lock (membership checked again there),
/// then, if it was refused, its evidence.
pub(crate) async fn push<B: Database>(
    db: &B,
    caller: Caller,
    incident: IncidentId,
    entries: Vec<Entry>,
    now_ms: i64,
    clock: ClockPolicy,
) -> Result<PushOutcome> {
    db.run(MemberFirst { caller: caller.clone(), incident }).await?;
    let entries = tokio::task::spawn_blocking(move || precheck_push(incident, &entries).map(|()| entries))
        .await
        .map_err(|e| ServerError::Internal(format!("storage task failed: {e}")))??;
    let page = PushPage { caller: caller.clone(), incident, entries, now_ms, clock };
    match db.run(page).await {
        Ok(outcome) => Ok(outcome),
        Err(Refused { error, evidence }) => {
            // The page was rolled back; what it proved about the streams is kept.
            if !evidence.is_empty() {
                db.run(KeepEvidence { caller, incident, evidence, now_ms }).await?;
            }
            Err(error)
        }
    }
}

/// The caller's membership, before anything of the page is looked at.
struct MemberFirst {
    caller: Caller,
    incident: IncidentId,
}

impl Procedure for MemberFirst {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Read;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        require_member(db, &self.caller, self.incident).await.map(|_| ())
    }
}

/// The checks of a push that need no database: count, incident, limits, signatures (batched).
fn precheck_push(incident: IncidentId, entries: &[Entry]) -> Result<()> {
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

/// A refused page: the refusal, and the quarantined entries found before it.
pub(crate) struct Refused {
    error: ServerError,
    evidence: Vec<Held>,
}

impl From<ServerError> for Refused {
    fn from(error: ServerError) -> Refused {
        Refused { error, evidence: Vec::new() }
    }
}

/// What the database holds that the page depends on (`plan::plan_push`).
async fn facts<D: Data>(db: &mut D, incident: IncidentId, entries: &[Entry]) -> Result<Facts> {
    let devices = devices(entries);
    let mut membership: HashMap<_, Vec<(i64, bool)>> = HashMap::new();
    for (device, at_ms, member) in db.membership_events_of_devices(incident, &devices).await? {
        membership.entry(device).or_default().push((at_ms, member));
    }
    Ok(Facts {
        stored: db.stored_hashes(incident, &positions(entries)).await?.into_iter().collect(),
        registered: db.member_devices(incident, &devices).await?.into_iter().collect::<HashSet<_>>(),
        heads: db.heads_of(incident, &devices).await?.into_iter().collect(),
        quarantined: db.quarantined_among(incident, &predecessors(entries)).await?.into_iter().collect(),
        revoked: db.device_revocations(&devices).await?.into_iter().collect(),
        persons: db
            .device_persons(&devices)
            .await?
            .into_iter()
            .map(|(device, name, at)| (device, (name, at)))
            .collect(),
        membership,
    })
}

/// Writes quarantine rows (idempotent: a re-push finds the same alert) and returns their
/// records. The caller holds the incident's lock, so alert ids become visible in order.
async fn write_quarantine<D: Data>(
    db: &mut D,
    caller: &Caller,
    held: &[Held],
    now_ms: i64,
) -> Result<Vec<Quarantined>> {
    let mut out = Vec::with_capacity(held.len());
    for h in held {
        let e = &h.entry;
        // Look first, so that a re-push does not use up an id.
        let id = match db.quarantine_id(e.incident_id(), e.device_id(), e.seq(), e.hash()).await? {
            Some(id) => id,
            None => {
                let entry_json = encode_entry(e)?;
                db.insert_quarantine(NewQuarantine {
                    entry: e,
                    existing: h.existing,
                    kind: h.kind,
                    entry_json: &entry_json,
                    pushed_by: caller.user_id,
                    received_ms: now_ms,
                })
                .await?
            }
        };
        out.push(h.quarantined(id));
    }
    Ok(out)
}

/// The page, all or nothing.
struct PushPage {
    caller: Caller,
    incident: IncidentId,
    entries: Vec<Entry>,
    now_ms: i64,
    clock: ClockPolicy,
}

impl Procedure for PushPage {
    type Output = PushOutcome;
    type Error = Refused;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<PushOutcome, Refused> {
        let PushPage { caller, incident, entries, now_ms, clock } = self;
        // The lock first, so that membership, facts and ranks are all read under it.
        db.lock_incident(incident).await?;
        require_member(db, &caller, incident).await?;
        let facts = facts(db, incident, &entries).await?;
        let mut plan = plan_push(&entries, &facts, now_ms);
        if let Some(error) = plan.refusal.take() {
            return Err(Refused { error, evidence: plan.held });
        }
        let count = plan.inserts.len() as u64;
        // Ranks are gapless: this page's are the `count` after the incident's last.
        let last_rank = db.reserve_ranks(incident, count).await?;
        for (rank, step) in (last_rank.saturating_sub(count) + 1..).zip(&plan.inserts) {
            let e = &entries[step.index];
            let entry_json = encode_entry(e)?;
            let row = NewEntry {
                incident,
                entry: e,
                rank,
                entry_json: &entry_json,
                received_ms: now_ms,
                pushed_by: caller.user_id,
                clock_skew_ms: clock.flag(&caller, e, now_ms),
            };
            if db.insert_entry(row).await? == Inserted::KeyTaken {
                let error = id_reused(&mut plan.held, step, e);
                return Err(Refused { error, evidence: plan.held });
            }
        }
        for (device, head) in plan.new_heads(&entries) {
            db.upsert_head(incident, device, head).await?;
        }
        let quarantined = write_quarantine(db, &caller, &plan.held, now_ms).await?;
        let touched = devices(&entries);
        let heads = db
            .stream_heads(incident)
            .await?
            .into_iter()
            .filter(|h| touched.binary_search(&h.device).is_ok())
            .collect();
        if !plan.inserts.is_empty() || !quarantined.is_empty() {
            let detail = json!({
                "accepted": plan.inserts.len(),
                "held": quarantined.len(),
                "last_rank": last_rank,
            });
            append(db, AuditEvent::by(&caller, "push", Some(incident), now_ms).with(detail)).await?;
        }
        Ok(PushOutcome {
            accepted: plan.inserts.len(),
            duplicates: plan.duplicates,
            quarantined,
            heads,
            last_rank,
        })
    }
}

/// The evidence of a refused page, in its own transaction under the incident's lock.
struct KeepEvidence {
    caller: Caller,
    incident: IncidentId,
    evidence: Vec<Held>,
    now_ms: i64,
}

impl Procedure for KeepEvidence {
    type Output = ();
    type Error = ServerError;
    const ACCESS: Access = Access::Write;

    async fn run<D: Data>(self, db: &mut D) -> Result<()> {
        db.lock_incident(self.incident).await?;
        let held = write_quarantine(db, &self.caller, &self.evidence, self.now_ms).await?;
        let detail = json!({ "held": held.len() });
        let event = AuditEvent::by(&self.caller, "push.evidence", Some(self.incident), self.now_ms);
        append(db, event.with(detail)).await
    }
}
