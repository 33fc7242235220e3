//! Projections: read-model tables derived from the log. Kept current in the same transaction as
//! every insert, rebuildable at any time (`rebuild`), and required to equal the fold
//! (`load_state(..) == fold(entries)`, checked by tests).
//!
//! The timeline is the log itself: one item per entry, built from the entry alone plus what its
//! corrections changed (`proj_corrections`, written only when a correction arrives). The
//! structure (lifecycle, roster, decisions, cadence) is refolded from the incident's structural
//! entries only, which are few even when the timeline holds 100k notes. So appending a note
//! writes no projection page at all, which keeps a durable append close to a bare INSERT.

use std::collections::{BTreeSet, HashSet};

use chrono::DateTime;
use muster_core::body::{EntryBody, EventTime, KNOWN_KINDS};
use muster_core::fold::{Assignment, Cadence, Decision, IncidentStatus, Stamp};
use muster_core::{fold, Entry, EntryId, IncidentId, IncidentState, TimelineItem};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::rows::{i64_of, load_entry, RawRow, ENTRY_COLUMNS};

/// The `kind IN (...)` list of the partial index `entries_structural`. It must be written
/// exactly as in the migration for SQLite to use the index (tests check both).
pub const STRUCTURAL_KINDS_SQL: &str =
    "kind IN ('incident.opened', 'incident.closed', 'incident.reopened', 'role.assigned', \
     'role.relieved', 'cadence.set', 'decision.recorded', 'status.update', 'entry.retracted', \
     'severity.set', 'status.snoozed', 'command.handover.offered', \
     'command.handover.accepted', 'command.handover.cancelled', 'decision.approved', \
     'scope.set', 'classification.recorded', 'classification.reviewed', 'trigger.recorded', \
     'law-enforcement.delay', 'communication.sent', 'escalation.done', 'systems.registered', \
     'isolation.proposed', 'isolation.signed-off', 'isolation.carried-out', 'system.status')";

/// The structural kinds as the core defines them, for the test that keeps the SQL in step.
pub fn structural_kinds() -> Vec<&'static str> {
    KNOWN_KINDS.iter().copied().filter(|k| EntryBody::affects_structure(k)).collect()
}

/// How the entries given to `on_insert` were made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// Just signed here: fresh ids (nothing can correct them yet), and an incident row exists
    /// whenever this device's stream already had entries.
    Local,
    /// From elsewhere: any order, corrections may have arrived before their targets.
    Received,
}

/// Brings the projections up to date after `entries` were inserted, in the
/// same transaction. Appending a note writes no projection page.
pub fn on_insert(conn: &Connection, entries: &[&Entry], origin: Origin) -> Result<()> {
    let mut structural: BTreeSet<IncidentId> = BTreeSet::new();
    let mut to_correct: BTreeSet<EntryId> = BTreeSet::new();
    let mut incidents: BTreeSet<IncidentId> = BTreeSet::new();
    for e in entries {
        let incident_row_may_be_missing = origin == Origin::Received || e.seq() == 1;
        if incident_row_may_be_missing && incidents.insert(e.incident_id()) {
            conn.prepare_cached("INSERT OR IGNORE INTO proj_incidents (incident_id) VALUES (?1)")?
                .execute(params![&e.incident_id().as_bytes()[..]])?;
        }
        if EntryBody::affects_structure(e.kind()) {
            structural.insert(e.incident_id());
        }
        if let Some(target) = e.body.correction_target() {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO proj_correction_links (target_id, correction_id) VALUES (?1, ?2)",
            )?
            .execute(params![&target.as_bytes()[..], &e.id().as_bytes()[..]])?;
            to_correct.insert(target);
        } else if origin == Origin::Received && has_corrections(conn, e.id())? {
            // Its corrections arrived first (out-of-order sync).
            to_correct.insert(e.id());
        }
    }
    for target in to_correct {
        refresh_corrections(conn, target)?;
    }
    for incident in structural {
        refresh_structure(conn, incident)?;
    }
    Ok(())
}

fn has_corrections(conn: &Connection, id: EntryId) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM proj_correction_links WHERE target_id = ?1 LIMIT 1")?
        .query_row(params![&id.as_bytes()[..]], |_| Ok(()))
        .optional()?
        .is_some())
}

fn ids_json(ids: &[EntryId]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn event_time_text(t: EventTime) -> String {
    serde_json::to_value(t).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn write_corrected(conn: &Connection, item: &TimelineItem, incident: IncidentId) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO proj_corrections (target_id, incident_id, occurred_at, summary, amended_by, retracted_by, corrections) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (target_id) DO UPDATE SET occurred_at = excluded.occurred_at, \
         summary = excluded.summary, amended_by = excluded.amended_by, retracted_by = excluded.retracted_by, \
         corrections = excluded.corrections",
    )?
    .execute(params![
        &item.entry_id.as_bytes()[..],
        &incident.as_bytes()[..],
        item.occurred_at.map(event_time_text),
        item.summary,
        ids_json(&item.amended_by),
        ids_json(&item.retracted_by),
        to_json(&item.corrections)?,
    ])?;
    Ok(())
}

/// Recomputes what the corrections of `target` change, from the corrections themselves.
fn refresh_corrections(conn: &Connection, target: EntryId) -> Result<()> {
    let Some(original) = load_entry(conn, target)? else {
        return Ok(()); // The target has not arrived yet; this runs again when it does.
    };
    let sql = format!(
        "SELECT {} FROM proj_correction_links l JOIN entries e ON e.id = l.correction_id \
         WHERE l.target_id = ?1 AND e.incident_id = ?2 \
         ORDER BY e.hlc_wall_ms, e.hlc_counter, e.device_id, e.seq",
        ENTRY_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params![&target.as_bytes()[..], &original.incident_id().as_bytes()[..]], RawRow::read)?;
    let mut corrections = Vec::new();
    for row in rows {
        corrections.push(row?.decode()?);
    }
    let mut item = TimelineItem::from_entry(&original);
    item.apply_corrections(corrections.iter().map(|c| (Stamp::of(c), &c.body)));
    write_corrected(conn, &item, original.incident_id())
}

/// Refolds the structural entries of an incident and rewrites its structure tables.
pub fn refresh_structure(conn: &Connection, incident: IncidentId) -> Result<()> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM entries INDEXED BY entries_structural WHERE incident_id = ?1 AND {STRUCTURAL_KINDS_SQL}"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![&incident.as_bytes()[..]], RawRow::read)?;
    let mut entries = Vec::new();
    for row in rows {
        entries.push(row?.decode()?);
    }
    let state = fold(incident, entries)
        .map_err(|e| StoreError::Corrupt { row: format!("incident {incident}"), reason: e.to_string() })?;
    write_structure(conn, &state)
}

fn write_structure(conn: &Connection, s: &IncidentState) -> Result<()> {
    let id = &s.incident_id.as_bytes()[..];
    let json = |v: &Option<Stamp>| v.as_ref().and_then(|x| serde_json::to_string(x).ok());
    conn.prepare_cached(
        "INSERT INTO proj_incidents (incident_id, title, drill, description, status, opened, status_changed, command, breach) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, \
         drill = excluded.drill, description = excluded.description, status = excluded.status, \
         opened = excluded.opened, status_changed = excluded.status_changed, command = excluded.command, \
         breach = excluded.breach",
    )?
    .execute(params![
        id,
        s.title,
        s.drill,
        s.description,
        s.status.as_str(),
        json(&s.opened),
        json(&s.status_changed),
        to_json(&s.command)?,
        to_json(&s.breach)?
    ])?;
    conn.prepare_cached("DELETE FROM proj_assignments WHERE incident_id = ?1")?.execute(params![id])?;
    conn.prepare_cached("DELETE FROM proj_decisions WHERE incident_id = ?1")?.execute(params![id])?;
    conn.prepare_cached("DELETE FROM proj_cadences WHERE incident_id = ?1")?.execute(params![id])?;
    for (ord, a) in s.assignments.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO proj_assignments (entry_id, incident_id, ord, position, person, active, data) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            &a.entry_id.as_bytes()[..],
            id,
            ord as i64,
            a.position.slug(),
            a.person,
            a.ended.is_none(),
            to_json(a)?
        ])?;
    }
    for (ord, d) in s.decisions.iter().enumerate() {
        conn.prepare_cached(
            "INSERT INTO proj_decisions (entry_id, incident_id, ord, question, choice, active, data) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            &d.entry_id.as_bytes()[..],
            id,
            ord as i64,
            d.question,
            d.choice,
            d.superseded_by.is_empty(),
            to_json(d)?
        ])?;
    }
    for c in &s.cadences {
        conn.prepare_cached(
            "INSERT INTO proj_cadences (incident_id, position, interval_minutes, data) VALUES (?1, ?2, ?3, ?4)",
        )?
        .execute(params![
            id,
            // '' is every position; 'severity:sev1' every position at that severity.
            match (&c.position, c.severity) {
                (Some(p), _) => p.slug(),
                (None, Some(sev)) => format!("severity:{}", sev.slug()),
                (None, None) => String::new(),
            },
            i64::from(c.interval_minutes),
            to_json(c)?
        ])?;
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Internal(format!("cannot serialise projection row: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(table: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt {
        row: format!("projection table {table}"),
        reason: format!("unreadable row ({e}); run `muster rebuild`"),
    })
}

/// Replaces the projections of one incident with a freshly folded state.
pub fn write_full_state(conn: &Connection, s: &IncidentState) -> Result<()> {
    let id = &s.incident_id.as_bytes()[..];
    conn.prepare_cached(
        "DELETE FROM proj_correction_links WHERE correction_id IN (SELECT id FROM entries WHERE incident_id = ?1)",
    )?
    .execute(params![id])?;
    conn.prepare_cached("DELETE FROM proj_corrections WHERE incident_id = ?1")?.execute(params![id])?;
    conn.prepare_cached("INSERT OR IGNORE INTO proj_incidents (incident_id) VALUES (?1)")?
        .execute(params![id])?;
    for item in &s.timeline {
        if let Some(target) = item.target {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO proj_correction_links (target_id, correction_id) VALUES (?1, ?2)",
            )?
            .execute(params![&target.as_bytes()[..], &item.entry_id.as_bytes()[..]])?;
        }
        if !item.amended_by.is_empty() || !item.retracted_by.is_empty() {
            write_corrected(conn, item, s.incident_id)?;
        }
    }
    write_structure(conn, s)
}

pub fn clear_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM proj_corrections; DELETE FROM proj_correction_links; DELETE FROM proj_assignments; \
         DELETE FROM proj_decisions; DELETE FROM proj_cadences; DELETE FROM proj_incidents;",
    )?;
    Ok(())
}

pub fn parse_status(s: &str) -> IncidentStatus {
    match s {
        "open" => IncidentStatus::Open,
        "closed" => IncidentStatus::Closed,
        _ => IncidentStatus::Unopened,
    }
}

/// Reads an incident's state from the projections (what every screen shows).
pub fn load_state(conn: &Connection, incident: IncidentId) -> Result<Option<IncidentState>> {
    load(conn, incident, true)
}

/// The state without its timeline (`timeline` empty, `entry_count` counted): what the roster,
/// status prompts and decisions need, at a cost independent of the timeline's length.
pub fn load_structure(conn: &Connection, incident: IncidentId) -> Result<Option<IncidentState>> {
    load(conn, incident, false)
}

fn load(conn: &Connection, incident: IncidentId, with_timeline: bool) -> Result<Option<IncidentState>> {
    let id = &incident.as_bytes()[..];
    let head = conn
        .prepare_cached(
            "SELECT title, drill, description, status, opened, status_changed, command, breach \
             FROM proj_incidents WHERE incident_id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((
                r.get::<_, Option<String>>(0)?,
                r.get::<_, bool>(1)?,
                r.get::<_, Option<String>>(2)?,
                r.get::<_, String>(3)?,
                r.get::<_, Option<String>>(4)?,
                r.get::<_, Option<String>>(5)?,
                r.get::<_, Option<String>>(6)?,
                r.get::<_, Option<String>>(7)?,
            ))
        })
        .optional()?;
    let Some((title, drill, description, status, opened, status_changed, command, breach)) = head else {
        return Ok(None);
    };
    let mut state = IncidentState::empty(incident);
    state.title = title;
    state.drill = drill;
    state.description = description;
    state.status = parse_status(&status);
    state.opened = opened.map(|t| from_json("proj_incidents", &t)).transpose()?;
    state.status_changed = status_changed.map(|t| from_json("proj_incidents", &t)).transpose()?;
    state.command = command.map(|t| from_json("proj_incidents", &t)).transpose()?.unwrap_or_default();
    state.breach = breach.map(|t| from_json("proj_incidents", &t)).transpose()?.unwrap_or_default();
    if with_timeline {
        state.timeline = load_timeline(conn, incident)?;
        state.command.mark_not_in_force(&mut state.timeline);
        state.entry_count = state.timeline.len() as u64;
    } else {
        let count: i64 = conn
            .prepare_cached("SELECT count(*) FROM entries WHERE incident_id = ?1")?
            .query_row(params![id], |r| r.get(0))?;
        state.entry_count = u64::try_from(count).unwrap_or(0);
    }
    let mut stmt =
        conn.prepare_cached("SELECT data FROM proj_assignments WHERE incident_id = ?1 ORDER BY ord")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state.assignments.push(from_json::<Assignment>("proj_assignments", &data?)?);
    }
    let mut stmt =
        conn.prepare_cached("SELECT data FROM proj_decisions WHERE incident_id = ?1 ORDER BY ord")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state.decisions.push(from_json::<Decision>("proj_decisions", &data?)?);
    }
    let mut stmt = conn.prepare_cached("SELECT data FROM proj_cadences WHERE incident_id = ?1")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state.cadences.push(from_json::<Cadence>("proj_cadences", &data?)?);
    }
    // Same order as the fold (a BTreeMap keyed by (position, severity): the defaults first).
    state.cadences.sort_by(|a, b| (&a.position, a.severity).cmp(&(&b.position, b.severity)));
    Ok(Some(state))
}

fn load_timeline(conn: &Connection, incident: IncidentId) -> Result<Vec<TimelineItem>> {
    read_timeline(conn, incident, "ORDER BY e.hlc_wall_ms, e.hlc_counter, e.device_id, e.seq", &[])
}

/// One item of an incident's timeline, corrections applied (`None`: the incident has no such
/// entry): what a row's detail shows.
pub fn load_timeline_item(
    conn: &Connection,
    incident: IncidentId,
    entry: EntryId,
) -> Result<Option<TimelineItem>> {
    let id: &[u8] = &entry.as_bytes()[..];
    let mut items = read_timeline(conn, incident, "AND e.id = ?2", &[&id])?;
    mark_not_in_force(conn, incident, &mut items)?;
    Ok(items.pop())
}

/// Marks the reserved acts made without authority among `items`, from the incident's cached
/// command state (what the fold found).
fn mark_not_in_force(conn: &Connection, incident: IncidentId, items: &mut [TimelineItem]) -> Result<()> {
    let command: Option<Option<String>> = conn
        .prepare_cached("SELECT command FROM proj_incidents WHERE incident_id = ?1")?
        .query_row(params![&incident.as_bytes()[..]], |r| r.get(0))
        .optional()?;
    if let Some(Some(json)) = command {
        let command: muster_core::fold::CommandState = from_json("proj_incidents", &json)?;
        command.mark_not_in_force(items);
    }
    Ok(())
}

/// One page of the timeline in fold order (or its reverse), corrections applied, without
/// reading the rest: what a screen shows first while the whole timeline is indexed.
pub fn load_timeline_page(
    conn: &Connection,
    incident: IncidentId,
    newest_first: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<TimelineItem>> {
    let order = if newest_first {
        "ORDER BY e.hlc_wall_ms DESC, e.hlc_counter DESC, e.device_id DESC, e.seq DESC LIMIT ?2 OFFSET ?3"
    } else {
        "ORDER BY e.hlc_wall_ms, e.hlc_counter, e.device_id, e.seq LIMIT ?2 OFFSET ?3"
    };
    let mut items = read_timeline(conn, incident, order, &[&i64_of(limit), &i64_of(offset)])?;
    mark_not_in_force(conn, incident, &mut items)?;
    Ok(items)
}

/// The timeline items of `incident` that `tail` (SQL after the incident's WHERE, with its
/// parameters from ?2 on) selects, in its order.
fn read_timeline(
    conn: &Connection,
    incident: IncidentId,
    tail: &str,
    extra: &[&dyn rusqlite::ToSql],
) -> Result<Vec<TimelineItem>> {
    let sql = format!(
        "SELECT {}, c.occurred_at, c.summary, c.amended_by, c.retracted_by, c.corrections \
         FROM entries e LEFT JOIN proj_corrections c ON c.target_id = e.id WHERE e.incident_id = ?1 {tail}",
        ENTRY_COLUMNS.split(", ").map(|c| format!("e.{c}")).collect::<Vec<_>>().join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let id: &[u8] = &incident.as_bytes()[..];
    let mut params: Vec<&dyn rusqlite::ToSql> = vec![&id];
    params.extend_from_slice(extra);
    let mut rows = stmt.query(params.as_slice())?;
    let mut items = Vec::new();
    let mut seen: HashSet<EntryId> = HashSet::new();
    let bad = |what: &str| StoreError::Corrupt {
        row: "proj_corrections".into(),
        reason: format!("unreadable {what}; run `muster rebuild`"),
    };
    // Columns 0..18 are ENTRY_COLUMNS; then occurred_at, summary, amended_by, retracted_by,
    // corrections.
    while let Some(r) = rows.next()? {
        let entry = RawRow::read(r)?.decode()?;
        // The fold counts an id once; so does the timeline (the UNIQUE id column makes this moot
        // unless the file was edited).
        if !seen.insert(entry.id()) {
            continue;
        }
        let mut item = TimelineItem::from_owned(entry);
        if let Some(summary) = r.get::<_, Option<String>>(19)? {
            item.summary = summary;
            item.occurred_at = r
                .get::<_, Option<String>>(18)?
                .map(|t| DateTime::parse_from_rfc3339(&t).map(EventTime).map_err(|_| bad("occurred_at")))
                .transpose()?;
            item.amended_by = from_json("proj_corrections", &r.get::<_, String>(20)?)?;
            item.retracted_by = from_json("proj_corrections", &r.get::<_, String>(21)?)?;
            item.corrections = from_json("proj_corrections", &r.get::<_, String>(22)?)?;
        }
        items.push(item);
    }
    Ok(items)
}
