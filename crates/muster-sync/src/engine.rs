//! The sync engine (docs/design/sync-plan.md §6): per incident, register it, push what the
//! server lacks by a heads diff, pull after the cursor into `Store::ingest(.., Source::Sync)`,
//! and keep the cursor. Synchronous, like `Store`.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use muster_core::{DeviceId, Entry, IncidentId};
use muster_store::{IngestReason, Source, Store, StoreError};
use serde::Serialize;

use crate::client::{Client, Result, SyncError, Transport};
use muster_wire::{ClockReport, DEFAULT_PULL_LIMIT, MAX_PUSH_ENTRIES};

/// Entries per push page (plan: ≤ 500).
pub const PUSH_PAGE: usize = 500;
/// Pulled entries accumulated before one `Store::ingest` (each ingest refolds the incident's
/// structural entries once).
pub const INGEST_CHUNK: usize = 5000;

/// What one incident's sync did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct IncidentReport {
    pub incident: String,
    /// Entries the server stored from this push.
    pub pushed: usize,
    /// Entries the server already held.
    pub push_duplicates: usize,
    /// Entries the server kept aside as evidence (equivocation or fork).
    pub quarantined: usize,
    /// Entries pulled that were new here.
    pub pulled: usize,
    /// Pulled entries set aside because they conflict with this laptop's copy of their stream
    /// (another branch of an equivocating or forked device key), kept as evidence.
    pub conflicts: usize,
    /// Local entries the server will not take yet: their device is not registered to a member
    /// of the incident (`device.unregistered`). They stay local.
    pub waiting: usize,
    /// New server alerts (entries the server quarantined: equivocation or fork) pulled now.
    pub alerts: usize,
    /// The server rank this client has ingested up to.
    pub cursor: u64,
    /// Pulled entries newly flagged by the server: their author's clock was off.
    pub clock_flagged: usize,
    /// Entries of this laptop's own stream that the server holds and this laptop's log had
    /// lost (cut off its end, or an older copy of the database put back): pulled again.
    #[serde(skip_serializing_if = "is_zero")]
    pub restored: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// What `sync_once` did, per incident.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SyncReport {
    pub incidents: Vec<IncidentReport>,
    /// Incidents synced before that the server no longer shares with this user. Their local
    /// copy is kept.
    pub access_removed: Vec<String>,
    /// The server's verdict on this laptop's clock (from the last push), when it pushed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockReport>,
    /// Incidents the server refused this round (registration refused, access removed...), each
    /// with why; the other incidents synced all the same.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub failed: Vec<IncidentFailure>,
}

/// One incident the server refused in a round, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IncidentFailure {
    pub incident: String,
    pub code: String,
    pub message: String,
}

/// Whether `e` concerns one incident only, so the round goes on with the others: a refusal of
/// the request (4xx) other than a session ended (401) or a throttle (429), which stop them all,
/// as do a network failure and a server failure.
fn concerns_one_incident(e: &SyncError) -> bool {
    matches!(e, SyncError::Api { status, .. } if (400..500).contains(status) && *status != 401 && *status != 429)
}

/// The plan of one sync round (`incidents_to_sync`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncPlan {
    /// Incidents to sync, in order.
    pub incidents: Vec<IncidentId>,
    /// Those to register first (opened here, not yet on the server for this user), with the
    /// opening entry this device signed: the server's proof that this laptop opened them.
    pub register: BTreeMap<IncidentId, Entry>,
    /// Synced before, no longer shared with this user.
    pub access_removed: Vec<IncidentId>,
}

/// Which incidents to sync: those `device` opened here, those the server lists for the caller,
/// and `extra` (for example an incident id given by hand).
pub fn incidents_to_sync<T: Transport>(
    store: &Store,
    client: &Client<T>,
    device: Option<DeviceId>,
    extra: &[IncidentId],
) -> Result<SyncPlan> {
    let mut mine = BTreeMap::new();
    if let Some(device) = device {
        for incident in store.incident_ids()? {
            let first = store.entries_after(incident, device, 0, 1)?.into_iter().next();
            if let Some(opening) = first.filter(|e| e.kind() == "incident.opened") {
                mine.insert(incident, opening);
            }
        }
    }
    let me = client.me()?;
    // What the server says of revoked devices (a lost laptop) is kept for `muster alerts`.
    crate::session::save_revoked_devices(store, &me)?;
    let listed: BTreeSet<IncidentId> = me.incidents.into_iter().map(|i| i.id).collect();
    let mut all: Vec<IncidentId> = mine.keys().copied().collect();
    for i in listed.iter().chain(extra) {
        if !all.contains(i) {
            all.push(*i);
        }
    }
    // Only what this client opened needs registering; the rest it must already be a member of.
    let register: BTreeMap<IncidentId, Entry> =
        mine.into_iter().filter(|(i, _)| !listed.contains(i)).collect();
    let access_removed =
        store.synced_incidents()?.into_iter().filter(|i| !all.contains(i)).collect::<Vec<_>>();
    Ok(SyncPlan { incidents: all, register, access_removed })
}

/// Syncs each incident of the plan once: register (for `plan.register`), push, pull.
pub fn sync_once<T: Transport>(store: &mut Store, client: &Client<T>, plan: &SyncPlan) -> Result<SyncReport> {
    let mut report = SyncReport {
        access_removed: plan.access_removed.iter().map(ToString::to_string).collect(),
        ..SyncReport::default()
    };
    for &incident in &plan.incidents {
        let mut r = IncidentReport { incident: incident.to_string(), ..IncidentReport::default() };
        match sync_incident(store, client, plan, incident, &mut r) {
            Ok(clock) => {
                report.clock = clock.or(report.clock.take());
                report.incidents.push(r);
            }
            Err(e) if concerns_one_incident(&e) => report.failed.push(IncidentFailure {
                incident: incident.to_string(),
                code: e.code().to_owned(),
                message: e.to_string(),
            }),
            Err(e) => return Err(e),
        }
    }
    Ok(report)
}

/// One incident of the round: registered with its opening entry when this laptop opened it
/// and the server lacks it, pushed, pulled.
fn sync_incident<T: Transport>(
    store: &mut Store,
    client: &Client<T>,
    plan: &SyncPlan,
    incident: IncidentId,
    r: &mut IncidentReport,
) -> Result<Option<ClockReport>> {
    if let Some(opening) = plan.register.get(&incident) {
        client.register(incident, opening)?;
    }
    let clock = push(store, client, incident, r)?;
    pull(store, client, incident, r)?;
    pull_alerts(store, client, incident, r)?;
    Ok(clock)
}

/// Pushes every local stream past the server's head for it, in pages. Returns the server's
/// verdict on this laptop's clock from the last page pushed, if any.
pub fn push<T: Transport>(
    store: &Store,
    client: &Client<T>,
    incident: IncidentId,
    report: &mut IncidentReport,
) -> Result<Option<ClockReport>> {
    let mut clock = None;
    let server: HashMap<DeviceId, u64> =
        client.heads(incident)?.heads.into_iter().map(|h| (h.device, h.seq)).collect();
    restore_own_stream(store, incident, &server, report)?;
    for (device, head) in store.stream_heads(incident)? {
        let mut after = server.get(&device).copied().unwrap_or(0);
        let mut retried = false;
        while after < head.seq {
            let page = store.entries_after(incident, device, after, PUSH_PAGE.min(MAX_PUSH_ENTRIES))?;
            let Some(last) = page.last().map(|e| e.seq()) else { break };
            let out = match client.push(incident, page) {
                Ok(out) => out,
                // Someone else (a relay) moved this stream's head meanwhile: re-read it once.
                Err(SyncError::Api { code, .. }) if code == "ingest.seq_gap" && !retried => {
                    retried = true;
                    after = client
                        .heads(incident)?
                        .heads
                        .into_iter()
                        .find(|h| h.device == device)
                        .map_or(0, |h| h.seq);
                    continue;
                }
                // Entries of a device the server does not know (an imported log, say): they
                // stay local and are counted; the other streams still sync.
                Err(SyncError::Api { code, .. }) if code == "device.unregistered" => {
                    report.waiting += usize::try_from(head.seq - after).unwrap_or(usize::MAX);
                    break;
                }
                Err(e) => return Err(e),
            };
            report.pushed += out.accepted;
            report.push_duplicates += out.duplicates;
            clock = out.clock.or(clock);
            report.quarantined += out.quarantined.len();
            if !out.quarantined.is_empty() {
                // The server holds another history for this stream: stop pushing it.
                break;
            }
            after = last;
        }
    }
    Ok(clock)
}

/// The server holding later entries of this laptop's own stream than this laptop does means the
/// laptop lost them (nothing else moves a device's own stream): the pull that follows starts
/// from the beginning, so they come back (entries already held are acknowledged as duplicates).
/// Until they are back, nothing of that stream is pushed: the server is ahead of it.
fn restore_own_stream(
    store: &Store,
    incident: IncidentId,
    server: &HashMap<DeviceId, u64>,
    report: &mut IncidentReport,
) -> Result<()> {
    let Some(own) = store.own_device()? else { return Ok(()) };
    let Some(&held) = server.get(&own) else { return Ok(()) };
    let local = store.head(incident, own)?.seq;
    if held > local {
        report.restored += usize::try_from(held - local).unwrap_or(usize::MAX);
        store.set_sync_cursor(incident, 0)?;
    }
    Ok(())
}

/// Pulls everything after the cursor, ingesting page by page and saving the cursor after each
/// ingest commits (a crash in between re-pulls one page of duplicates).
pub fn pull<T: Transport>(
    store: &mut Store,
    client: &Client<T>,
    incident: IncidentId,
    report: &mut IncidentReport,
) -> Result<()> {
    let mut cursor = store.sync_cursor(incident)?;
    let mut diverged: Vec<Divergence> = Vec::new();
    // Pages are fetched (and decoded) on a second thread while this one ingests: the network
    // and JSON work overlap the signature checks and SQLite writes.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Fetched>>(PREFETCH_PAGES);
    let from = cursor;
    std::thread::scope(|scope| {
        scope.spawn(move || fetch_pages(client, incident, from, &tx));
        let mut pending: Vec<muster_core::Entry> = Vec::new();
        for message in rx {
            let page = match message? {
                Fetched::StartOver => {
                    pending.clear();
                    continue;
                }
                Fetched::Page(page) => page,
            };
            // A page with nothing in it ends the pull even if it claims more (no endless loop).
            let done = !page.more || page.entries.is_empty();
            let flags: Vec<(muster_core::EntryId, i64)> = page
                .entries
                .iter()
                .filter_map(|p| p.flags.and_then(|f| f.clock_skew_ms).map(|s| (p.entry.id(), s)))
                .collect();
            if !flags.is_empty() {
                report.clock_flagged += store.record_clock_flags(incident, &flags)?;
            }
            pending.extend(page.entries.into_iter().map(|p| p.entry));
            // The rank fetched up to; `cursor` trails it until the pending entries are ingested.
            let fetched = page.next;
            // Ingest in chunks: the projections refold once per ingest, not once per page.
            if pending.len() >= INGEST_CHUNK || done {
                ingest_page(store, incident, std::mem::take(&mut pending), report, &mut diverged)?;
                if fetched != cursor {
                    cursor = fetched;
                    store.set_sync_cursor(incident, cursor)?;
                }
            }
            if done {
                break;
            }
        }
        // Leaving the scope drops the receiver, which stops the fetcher at its next page.
        Ok::<(), SyncError>(())
    })?;
    report.cursor = cursor;
    report_divergence(store, client, incident, &diverged, report)
}

/// A stream whose pulled entries `from..=to` conflict with this laptop's copy of it.
#[derive(Debug, PartialEq, Eq)]
struct Divergence {
    device: DeviceId,
    from: u64,
    to: u64,
}

/// Where this laptop's copy of a stream and the server's part ways, the server holds only its
/// own branch (the push above sends what lies past the server's head, nothing at or below it).
/// Sends this laptop's entries at the places the server holds others (up to a page): the
/// server quarantines them and raises the alert every member sees. Idempotent on the server;
/// a refusal (say, a device the server does not know) leaves it at the local set-aside.
fn report_divergence<T: Transport>(
    store: &Store,
    client: &Client<T>,
    incident: IncidentId,
    diverged: &[Divergence],
    report: &mut IncidentReport,
) -> Result<()> {
    for d in diverged {
        let places = usize::try_from(d.to - d.from + 1).unwrap_or(usize::MAX);
        let branch = store.entries_after(
            incident,
            d.device,
            d.from - 1,
            places.min(PUSH_PAGE.min(MAX_PUSH_ENTRIES)),
        )?;
        if branch.first().map(muster_core::Entry::seq) != Some(d.from) {
            continue;
        }
        match client.push(incident, branch) {
            Ok(out) => {
                report.pushed += out.accepted;
                report.quarantined += out.quarantined.len();
            }
            Err(e) if e.is_refusal() => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Pages fetched ahead of the ingest.
const PREFETCH_PAGES: usize = 4;

enum Fetched {
    Page(muster_wire::PullResponse),
    /// The server lost entries this laptop had seen (a restored backup): start over from rank
    /// 0; what is already held is acknowledged as duplicates.
    StartOver,
}

/// Fetches pages after `from` until the last one, an error, or the receiver hangs up.
fn fetch_pages<T: Transport>(
    client: &Client<T>,
    incident: IncidentId,
    from: u64,
    tx: &std::sync::mpsc::SyncSender<Result<Fetched>>,
) {
    let mut after = from;
    let mut reset = false;
    loop {
        let message = match client.pull(incident, after, DEFAULT_PULL_LIMIT) {
            Ok(page) => {
                let last = !page.more || page.entries.is_empty();
                after = page.next;
                let sent = tx.send(Ok(Fetched::Page(page)));
                if last || sent.is_err() {
                    return;
                }
                continue;
            }
            Err(SyncError::Api { code, .. }) if code == "request.bad_cursor" && !reset => {
                reset = true;
                after = 0;
                Ok(Fetched::StartOver)
            }
            Err(e) => Err(e),
        };
        let failed = message.is_err();
        if tx.send(message).is_err() || failed {
            return;
        }
    }
}

/// Ingests one pulled page. Entries that conflict with this laptop's copy of their stream
/// (equivocation, a fork, or later entries of a branch already set aside) and entries stamped
/// more than a day ahead of this laptop's clock (with the rest of their stream) are kept aside with
/// `Store::quarantine_pulled` and the rest is ingested, so one bad stream does not stop the
/// incident's sync. Any other refusal is returned: nothing is dropped silently.
fn ingest_page(
    store: &mut Store,
    incident: IncidentId,
    mut entries: Vec<muster_core::Entry>,
    report: &mut IncidentReport,
    diverged: &mut Vec<Divergence>,
) -> Result<()> {
    while !entries.is_empty() {
        let refused = match store.ingest(&entries, Source::Sync) {
            Ok(r) => {
                report.pulled += r.accepted;
                return Ok(());
            }
            Err(StoreError::Ingest(e)) => e,
            Err(e) => return Err(e.into()),
        };
        let device = entries
            .iter()
            .map(muster_core::Entry::device_id)
            .find(|d| d.to_string() == refused.device && refused.incident == incident.to_string());
        let conflict = match (&refused.reason, device) {
            (
                IngestReason::Equivocation { .. }
                | IngestReason::PrevHashMismatch { .. }
                | IngestReason::ClockAhead { .. },
                Some(_),
            ) => true,
            (IngestReason::SeqGap { .. }, Some(d)) => store.pulled_quarantine(incident, Some(d))? > 0,
            _ => false,
        };
        let Some(device) = device.filter(|_| conflict) else {
            return Err(StoreError::Ingest(refused).into());
        };
        let (aside, keep): (Vec<_>, Vec<_>) =
            entries.into_iter().partition(|e| e.device_id() == device && e.seq() >= refused.seq);
        if aside.is_empty() {
            return Err(StoreError::Ingest(refused).into());
        }
        store.quarantine_pulled(&aside, refused.reason.code())?;
        report.conflicts += aside.len();
        // Where the two branches part: at the refused entry for an equivocation, at the entry
        // it should have chained to for a broken chain (a later entry of a branch already set
        // aside is no new divergence).
        let parted = match refused.reason {
            IngestReason::Equivocation { .. } => Some(refused.seq),
            IngestReason::PrevHashMismatch { .. } => Some(refused.seq.saturating_sub(1)),
            _ => None,
        };
        if let Some(from) = parted.filter(|at| *at > 0) {
            let to = aside.iter().map(muster_core::Entry::seq).max().unwrap_or(from).max(from);
            match diverged.iter_mut().find(|d| d.device == device && d.from == from) {
                Some(d) => d.to = d.to.max(to),
                None => diverged.push(Divergence { device, from, to }),
            }
        }
        entries = keep;
    }
    Ok(())
}

/// Pulls the server's new alerts for the incident into `sync_alerts`.
pub fn pull_alerts<T: Transport>(
    store: &Store,
    client: &Client<T>,
    incident: IncidentId,
    report: &mut IncidentReport,
) -> Result<()> {
    let alerts = client.alerts(incident, store.sync_alerts_after(incident)?)?;
    let rows = alerts
        .iter()
        .map(|a| {
            let json = serde_json::to_string(a)
                .map_err(|e| SyncError::Protocol { status: 200, message: e.to_string() })?;
            Ok((a.id, a.kind.as_str().to_string(), a.device, a.seq, json))
        })
        .collect::<Result<Vec<_>>>()?;
    report.alerts += store.record_sync_alerts(incident, &rows)?;
    Ok(())
}
