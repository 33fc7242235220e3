//! Projections: read-model tables derived from the log. Kept current in the same transaction as
//! every insert, rebuildable at any time (`rebuild`), and required to equal the fold
//! (`load_state(..) == fold(entries)`, checked by tests).
//!
//! The timeline holds one row per entry, written from that entry alone plus its corrections.
//! The structure (lifecycle, roster, decisions, cadence) is refolded from the incident's
//! structural entries only, which are few even when the timeline holds 100k notes.

use std::collections::BTreeSet;

use chrono::DateTime;
use muster_core::body::{EntryBody, EventTime, KNOWN_KINDS};
use muster_core::entry::Author;
use muster_core::fold::{Assignment, Cadence, Decision, IncidentStatus, Stamp};
use muster_core::{
    fold, DeviceId, Entry, EntryId, Hlc, IncidentId, IncidentState, Position, TimelineItem,
    WallClock,
};
use rusqlite::{params, Connection, OptionalExtension};

use crate::error::{Result, StoreError};
use crate::rows::{i64_of, load_entry, uuid_bytes, RawRow, ENTRY_COLUMNS};

fn structural_kinds_sql() -> String {
    KNOWN_KINDS
        .iter()
        .filter(|k| EntryBody::affects_structure(k))
        .map(|k| format!("'{k}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Brings the projections up to date after `entries` were inserted (same transaction).
pub fn on_insert(conn: &Connection, entries: &[&Entry]) -> Result<()> {
    let mut structural: BTreeSet<IncidentId> = BTreeSet::new();
    let mut to_correct: BTreeSet<EntryId> = BTreeSet::new();
    for e in entries {
        insert_timeline_row(conn, e.incident_id(), &TimelineItem::from_entry(e))?;
        conn.prepare_cached(
            "INSERT INTO proj_incidents (incident_id, entry_count, last_hlc_wall_ms) VALUES (?1, 1, ?2) \
             ON CONFLICT (incident_id) DO UPDATE SET entry_count = entry_count + 1, \
             last_hlc_wall_ms = max(last_hlc_wall_ms, excluded.last_hlc_wall_ms)",
        )?
        .execute(params![&e.incident_id().as_bytes()[..], i64_of(e.hlc().wall_ms)])?;
        if EntryBody::affects_structure(e.kind()) {
            structural.insert(e.incident_id());
        }
        if let Some(target) = e.body.correction_target() {
            to_correct.insert(target);
        } else if has_corrections(conn, e.id())? {
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
        .prepare_cached("SELECT 1 FROM proj_timeline WHERE target_id = ?1 LIMIT 1")?
        .query_row(params![&id.as_bytes()[..]], |_| Ok(()))
        .optional()?
        .is_some())
}

fn ids_json(ids: &[EntryId]) -> String {
    serde_json::to_string(ids).unwrap_or_else(|_| "[]".into())
}

fn insert_timeline_row(conn: &Connection, incident: IncidentId, item: &TimelineItem) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO proj_timeline (entry_id, incident_id, hlc_wall_ms, hlc_counter, device_id, seq, kind, \
         recorded_utc_ms, recorded_offset_s, recorded_zone, occurred_at, author_person, author_position, summary, \
         target_id, amended_by, retracted_by) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        &item.entry_id.as_bytes()[..],
        &incident.as_bytes()[..],
        i64_of(item.hlc.wall_ms),
        i64::from(item.hlc.counter),
        &item.device_id.as_bytes()[..],
        i64_of(item.seq),
        item.kind,
        item.recorded.utc_ms,
        i64::from(item.recorded.offset_s),
        item.recorded.zone,
        item.occurred_at.map(event_time_text),
        item.author.person,
        item.author.position.as_ref().map(|p| p.slug()),
        item.summary,
        item.target.map(|t| t.as_bytes().to_vec()),
        ids_json(&item.amended_by),
        ids_json(&item.retracted_by),
    ])?;
    Ok(())
}

fn event_time_text(t: EventTime) -> String {
    serde_json::to_value(t)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Recomputes the effective text, time and correction lists of `target` from its corrections.
fn refresh_corrections(conn: &Connection, target: EntryId) -> Result<()> {
    let Some(original) = load_entry(conn, target)? else {
        return Ok(()); // The target has not arrived yet; its row will be refreshed when it does.
    };
    let sql = format!(
        "SELECT {} FROM entries e JOIN proj_timeline t ON t.entry_id = e.id \
         WHERE t.target_id = ?1 AND t.incident_id = ?2 \
         ORDER BY t.hlc_wall_ms, t.hlc_counter, t.device_id, t.seq",
        ENTRY_COLUMNS
            .split(", ")
            .map(|c| format!("e.{c}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            &target.as_bytes()[..],
            &original.incident_id().as_bytes()[..]
        ],
        RawRow::read,
    )?;
    let mut corrections = Vec::new();
    for row in rows {
        corrections.push(row?.decode()?);
    }
    let mut item = TimelineItem::from_entry(&original);
    item.apply_corrections(corrections.iter().map(|c| (c.id(), &c.body)));
    conn.prepare_cached(
        "UPDATE proj_timeline SET occurred_at = ?2, summary = ?3, amended_by = ?4, retracted_by = ?5 WHERE entry_id = ?1",
    )?
    .execute(params![
        &target.as_bytes()[..],
        item.occurred_at.map(event_time_text),
        item.summary,
        ids_json(&item.amended_by),
        ids_json(&item.retracted_by),
    ])?;
    Ok(())
}

/// Refolds the structural entries of an incident and rewrites its structure tables.
pub fn refresh_structure(conn: &Connection, incident: IncidentId) -> Result<()> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM entries WHERE incident_id = ?1 AND kind IN ({})",
        structural_kinds_sql()
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![&incident.as_bytes()[..]], RawRow::read)?;
    let mut entries = Vec::new();
    for row in rows {
        entries.push(row?.decode()?);
    }
    let state = fold(incident, entries).map_err(|e| StoreError::Refused(e.to_string()))?;
    write_structure(conn, &state)
}

fn write_structure(conn: &Connection, s: &IncidentState) -> Result<()> {
    let id = &s.incident_id.as_bytes()[..];
    let json = |v: &Option<Stamp>| v.as_ref().and_then(|x| serde_json::to_string(x).ok());
    conn.prepare_cached(
        "INSERT INTO proj_incidents (incident_id, title, drill, description, status, opened, status_changed) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (incident_id) DO UPDATE SET title = excluded.title, \
         drill = excluded.drill, description = excluded.description, status = excluded.status, \
         opened = excluded.opened, status_changed = excluded.status_changed",
    )?
    .execute(params![
        id,
        s.title,
        s.drill,
        s.description,
        s.status.as_str(),
        json(&s.opened),
        json(&s.status_changed)
    ])?;
    conn.prepare_cached("DELETE FROM proj_assignments WHERE incident_id = ?1")?
        .execute(params![id])?;
    conn.prepare_cached("DELETE FROM proj_decisions WHERE incident_id = ?1")?
        .execute(params![id])?;
    conn.prepare_cached("DELETE FROM proj_cadences WHERE incident_id = ?1")?
        .execute(params![id])?;
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
            c.position.as_ref().map(|p| p.slug()).unwrap_or_default(),
            i64::from(c.interval_minutes),
            to_json(c)?
        ])?;
    }
    Ok(())
}

fn to_json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v)
        .map_err(|e| StoreError::Refused(format!("cannot serialise projection row: {e}")))
}

fn from_json<T: serde::de::DeserializeOwned>(table: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| {
        StoreError::Refused(format!(
            "projection table {table} holds an unreadable row ({e}); run `muster rebuild`"
        ))
    })
}

/// Replaces the projections of one incident with a freshly folded state.
pub fn write_full_state(conn: &Connection, s: &IncidentState) -> Result<()> {
    let id = &s.incident_id.as_bytes()[..];
    conn.prepare_cached("DELETE FROM proj_timeline WHERE incident_id = ?1")?
        .execute(params![id])?;
    for item in &s.timeline {
        insert_timeline_row(conn, s.incident_id, item)?;
    }
    let last_hlc = s.timeline.last().map(|t| t.hlc.wall_ms).unwrap_or(0);
    conn.prepare_cached(
        "INSERT INTO proj_incidents (incident_id, entry_count, last_hlc_wall_ms) VALUES (?1, ?2, ?3) \
         ON CONFLICT (incident_id) DO UPDATE SET entry_count = excluded.entry_count, \
         last_hlc_wall_ms = excluded.last_hlc_wall_ms",
    )?
    .execute(params![id, i64_of(s.entry_count), i64_of(last_hlc)])?;
    write_structure(conn, s)
}

pub fn clear_all(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "DELETE FROM proj_timeline; DELETE FROM proj_assignments; DELETE FROM proj_decisions; \
         DELETE FROM proj_cadences; DELETE FROM proj_incidents;",
    )?;
    Ok(())
}

fn parse_status(s: &str) -> IncidentStatus {
    match s {
        "open" => IncidentStatus::Open,
        "closed" => IncidentStatus::Closed,
        _ => IncidentStatus::Unopened,
    }
}

/// Reads an incident's state from the projections (what every screen shows).
pub fn load_state(conn: &Connection, incident: IncidentId) -> Result<Option<IncidentState>> {
    let id = &incident.as_bytes()[..];
    let head = conn
        .prepare_cached(
            "SELECT title, drill, description, status, opened, status_changed, entry_count \
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
                r.get::<_, i64>(6)?,
            ))
        })
        .optional()?;
    let Some((title, drill, description, status, opened, status_changed, entry_count)) = head
    else {
        return Ok(None);
    };
    let mut state = IncidentState::empty(incident);
    state.title = title;
    state.drill = drill;
    state.description = description;
    state.status = parse_status(&status);
    state.opened = opened
        .map(|t| from_json("proj_incidents", &t))
        .transpose()?;
    state.status_changed = status_changed
        .map(|t| from_json("proj_incidents", &t))
        .transpose()?;
    state.entry_count = u64::try_from(entry_count).unwrap_or(0);
    state.timeline = load_timeline(conn, incident)?;
    let mut stmt = conn
        .prepare_cached("SELECT data FROM proj_assignments WHERE incident_id = ?1 ORDER BY ord")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state
            .assignments
            .push(from_json::<Assignment>("proj_assignments", &data?)?);
    }
    let mut stmt =
        conn.prepare_cached("SELECT data FROM proj_decisions WHERE incident_id = ?1 ORDER BY ord")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state
            .decisions
            .push(from_json::<Decision>("proj_decisions", &data?)?);
    }
    let mut stmt = conn.prepare_cached("SELECT data FROM proj_cadences WHERE incident_id = ?1")?;
    for data in stmt.query_map(params![id], |r| r.get::<_, String>(0))? {
        state
            .cadences
            .push(from_json::<Cadence>("proj_cadences", &data?)?);
    }
    // Same order as the fold (a BTreeMap keyed by Option<Position>: the default first).
    state.cadences.sort_by(|a, b| a.position.cmp(&b.position));
    Ok(Some(state))
}

fn load_timeline(conn: &Connection, incident: IncidentId) -> Result<Vec<TimelineItem>> {
    let mut stmt = conn.prepare_cached(
        "SELECT t.entry_id, t.device_id, t.seq, t.hlc_wall_ms, t.hlc_counter, t.kind, t.recorded_utc_ms, \
         t.recorded_offset_s, t.recorded_zone, t.occurred_at, t.author_person, t.author_position, t.summary, \
         t.target_id, t.amended_by, t.retracted_by, e.body_version, e.body \
         FROM proj_timeline t JOIN entries e ON e.id = t.entry_id WHERE t.incident_id = ?1 \
         ORDER BY t.hlc_wall_ms, t.hlc_counter, t.device_id, t.seq",
    )?;
    let mut rows = stmt.query(params![&incident.as_bytes()[..]])?;
    let mut items = Vec::new();
    let bad = |what: &str| {
        StoreError::Refused(format!(
            "proj_timeline: unreadable {what}; run `muster rebuild`"
        ))
    };
    while let Some(r) = rows.next()? {
        let entry_id: Vec<u8> = r.get(0)?;
        let device: Vec<u8> = r.get(1)?;
        let kind: String = r.get(5)?;
        let occurred: Option<String> = r.get(9)?;
        let position: Option<String> = r.get(11)?;
        let target: Option<Vec<u8>> = r.get(13)?;
        let body_version: i64 = r.get(16)?;
        let body_json: String = r.get(17)?;
        let body = EntryBody::decode(&kind, u16::try_from(body_version).unwrap_or(0), &body_json)
            .map_err(|e| StoreError::Refused(e.to_string()))?;
        items.push(TimelineItem {
            entry_id: EntryId::from_bytes(uuid_bytes(&entry_id).ok_or_else(|| bad("entry_id"))?),
            device_id: DeviceId(device.as_slice().try_into().map_err(|_| bad("device_id"))?),
            seq: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
            hlc: Hlc {
                wall_ms: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
                counter: u32::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
            },
            kind,
            recorded: WallClock {
                utc_ms: r.get(6)?,
                offset_s: i32::try_from(r.get::<_, i64>(7)?).unwrap_or(0),
                zone: r.get(8)?,
            },
            occurred_at: occurred
                .map(|t| {
                    DateTime::parse_from_rfc3339(&t)
                        .map(EventTime)
                        .map_err(|_| bad("occurred_at"))
                })
                .transpose()?,
            author: Author {
                person: r.get(10)?,
                position: position
                    .map(|p| p.parse::<Position>())
                    .transpose()
                    .map_err(|_| bad("author_position"))?,
            },
            summary: r.get(12)?,
            target: target
                .map(|t| {
                    uuid_bytes(&t)
                        .map(EntryId::from_bytes)
                        .ok_or_else(|| bad("target_id"))
                })
                .transpose()?,
            amended_by: from_json("proj_timeline", &r.get::<_, String>(14)?)?,
            retracted_by: from_json("proj_timeline", &r.get::<_, String>(15)?)?,
            body,
        });
    }
    Ok(items)
}
