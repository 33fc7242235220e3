//! Reading and writing entry rows.

use muster_core::entry::{Author, Envelope};
use muster_core::{DeviceId, Entry, EntryId, Hash32, Hlc, IncidentId, Position, WallClock};
use rusqlite::{params, Connection, Row};

use crate::error::{Result, StoreError};

pub const ENTRY_COLUMNS: &str = "id, incident_id, device_id, seq, prev_hash, hlc_wall_ms, hlc_counter, \
     recorded_utc_ms, recorded_offset_s, recorded_zone, author_person, author_position, kind, body_version, \
     body, signature, hash, on_behalf";

/// Where a stored copy of an entry came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// Written on this installation.
    Local,
    /// Read from an export file.
    Import,
    /// Received from the sync server or a peer.
    Sync,
    /// Seeded by `muster demo`.
    Demo,
}

impl Source {
    pub fn as_str(&self) -> &'static str {
        match self {
            Source::Local => "local",
            Source::Import => "import",
            Source::Sync => "sync",
            Source::Demo => "demo",
        }
    }
}

/// An entry row as stored, before any checking: what `verify` inspects.
#[derive(Debug)]
pub struct RawRow {
    pub id: Vec<u8>,
    pub incident_id: Vec<u8>,
    pub device_id: Vec<u8>,
    pub seq: i64,
    pub prev_hash: Vec<u8>,
    pub hlc_wall_ms: i64,
    pub hlc_counter: i64,
    pub recorded_utc_ms: i64,
    pub recorded_offset_s: i64,
    pub recorded_zone: String,
    pub author_person: String,
    pub author_position: Option<String>,
    pub kind: String,
    pub body_version: i64,
    pub body: String,
    pub signature: Vec<u8>,
    pub hash: Vec<u8>,
    pub on_behalf: Option<String>,
}

impl RawRow {
    pub fn read(row: &Row<'_>) -> rusqlite::Result<RawRow> {
        Ok(RawRow {
            id: row.get(0)?,
            incident_id: row.get(1)?,
            device_id: row.get(2)?,
            seq: row.get(3)?,
            prev_hash: row.get(4)?,
            hlc_wall_ms: row.get(5)?,
            hlc_counter: row.get(6)?,
            recorded_utc_ms: row.get(7)?,
            recorded_offset_s: row.get(8)?,
            recorded_zone: row.get(9)?,
            author_person: row.get(10)?,
            author_position: row.get(11)?,
            kind: row.get(12)?,
            body_version: row.get(13)?,
            body: row.get(14)?,
            signature: row.get(15)?,
            hash: row.get(16)?,
            on_behalf: row.get(17)?,
        })
    }

    /// Where the row sits, for messages: incident, device and seq as stored.
    pub fn position(&self) -> String {
        format!(
            "(incident {}, device {}, seq {})",
            hex::encode(&self.incident_id),
            hex::encode(&self.device_id),
            self.seq
        )
    }

    /// Decodes the row into an entry, or says which column is unreadable.
    pub fn decode(&self) -> Result<Entry> {
        let corrupt = |reason: String| StoreError::Corrupt { row: self.position(), reason };
        let envelope = Envelope {
            id: EntryId::from_bytes(fixed(&self.id).ok_or_else(|| corrupt("id is not 16 bytes".into()))?),
            incident_id: IncidentId::from_bytes(
                fixed(&self.incident_id).ok_or_else(|| corrupt("incident_id is not 16 bytes".into()))?,
            ),
            device_id: DeviceId(
                fixed(&self.device_id).ok_or_else(|| corrupt("device_id is not 32 bytes".into()))?,
            ),
            seq: u64::try_from(self.seq).map_err(|_| corrupt(format!("seq {} is negative", self.seq)))?,
            prev_hash: Hash32(
                fixed(&self.prev_hash).ok_or_else(|| corrupt("prev_hash is not 32 bytes".into()))?,
            ),
            hlc: Hlc {
                wall_ms: u64::try_from(self.hlc_wall_ms)
                    .map_err(|_| corrupt("hlc_wall_ms is negative".into()))?,
                counter: u32::try_from(self.hlc_counter)
                    .map_err(|_| corrupt("hlc_counter is out of range".into()))?,
            },
            recorded: WallClock {
                utc_ms: self.recorded_utc_ms,
                offset_s: i32::try_from(self.recorded_offset_s)
                    .map_err(|_| corrupt("recorded_offset_s is out of range".into()))?,
                zone: self.recorded_zone.clone(),
            },
            author: Author {
                person: self.author_person.clone(),
                position: match &self.author_position {
                    None => None,
                    Some(slug) => Some(slug.parse::<Position>().map_err(|e| corrupt(e.to_string()))?),
                },
            },
            on_behalf: self.on_behalf.clone(),
        };
        let signature: [u8; 64] =
            fixed(&self.signature).ok_or_else(|| corrupt("signature is not 64 bytes".into()))?;
        let version =
            u16::try_from(self.body_version).map_err(|_| corrupt("body_version is out of range".into()))?;
        Entry::from_parts(envelope, &self.kind, version, self.body.clone(), signature)
            .map_err(|e| corrupt(e.to_string()))
    }
}

pub(crate) fn fixed<const N: usize>(bytes: &[u8]) -> Option<[u8; N]> {
    bytes.try_into().ok()
}

pub fn i64_of(v: u64) -> i64 {
    // Validation keeps seq and HLC times below 2^53; saturate rather than wrap if a caller skipped it.
    i64::try_from(v).unwrap_or(i64::MAX)
}

pub fn insert_entry(conn: &Connection, e: &Entry, source: Source, received_ms: i64) -> Result<()> {
    let env = &e.envelope;
    conn.prepare_cached(
        "INSERT INTO entries (id, incident_id, device_id, seq, prev_hash, hlc_wall_ms, hlc_counter, \
         recorded_utc_ms, recorded_offset_s, recorded_zone, author_person, author_position, kind, body_version, \
         body, signature, hash, source, received_utc_ms, on_behalf) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20)",
    )?
    .execute(params![
        &env.id.as_bytes()[..],
        &env.incident_id.as_bytes()[..],
        &env.device_id.as_bytes()[..],
        i64_of(env.seq),
        &env.prev_hash.as_bytes()[..],
        i64_of(env.hlc.wall_ms),
        i64::from(env.hlc.counter),
        env.recorded.utc_ms,
        i64::from(env.recorded.offset_s),
        env.recorded.zone,
        env.author.person,
        env.author.position.as_ref().map(|p| p.slug()),
        e.kind(),
        i64::from(e.body_version()),
        e.body_json(),
        &e.signature[..],
        &e.hash().as_bytes()[..],
        source.as_str(),
        received_ms,
        env.on_behalf,
    ])?;
    conn.prepare_cached(
        "INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (incident_id, device_id) DO UPDATE SET \
         seq = excluded.seq, hash = excluded.hash, hlc_wall_ms = excluded.hlc_wall_ms, hlc_counter = excluded.hlc_counter",
    )?
    .execute(params![
        &env.incident_id.as_bytes()[..],
        &env.device_id.as_bytes()[..],
        i64_of(env.seq),
        &e.hash().as_bytes()[..],
        i64_of(env.hlc.wall_ms),
        i64::from(env.hlc.counter),
    ])?;
    Ok(())
}

/// The last entry of a stream as the store knows it (the rules it admits entries by are shared
/// with the sync server, in muster-core).
pub use muster_core::ingest::Head;

/// The head of a stream, or `Head::EMPTY` for a stream not yet started.
pub fn stream_head(conn: &Connection, incident: IncidentId, device: DeviceId) -> Result<Head> {
    let mut stmt = conn.prepare_cached(
        "SELECT seq, hash, hlc_wall_ms, hlc_counter FROM stream_heads WHERE incident_id = ?1 AND device_id = ?2",
    )?;
    let mut rows = stmt.query(params![&incident.as_bytes()[..], &device.as_bytes()[..]])?;
    match rows.next()? {
        None => Ok(Head::EMPTY),
        Some(row) => head_of(
            incident,
            &device.as_bytes()[..],
            row.get(0)?,
            &row.get::<_, Vec<u8>>(1)?,
            row.get(2)?,
            row.get(3)?,
        ),
    }
}

/// A stream head row, checked: an unreadable head is reported as corruption, never read as an
/// empty stream (which would let the next append restart the chain).
fn head_of(
    incident: IncidentId,
    device: &[u8],
    seq: i64,
    hash: &[u8],
    wall: i64,
    counter: i64,
) -> Result<Head> {
    let corrupt = |reason: &str| StoreError::Corrupt {
        row: format!("stream head (incident {incident}, device {})", hex::encode(device)),
        reason: reason.to_string(),
    };
    Ok(Head {
        seq: u64::try_from(seq).map_err(|_| corrupt("seq is negative"))?,
        hash: Hash32(fixed(hash).ok_or_else(|| corrupt("hash is not 32 bytes"))?),
        hlc: Hlc {
            wall_ms: u64::try_from(wall).map_err(|_| corrupt("hlc_wall_ms is negative"))?,
            counter: u32::try_from(counter).map_err(|_| corrupt("hlc_counter is out of range"))?,
        },
    })
}

/// Every stream head of an incident, ordered by device.
pub fn stream_heads(conn: &Connection, incident: IncidentId) -> Result<Vec<(DeviceId, Head)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT device_id, seq, hash, hlc_wall_ms, hlc_counter FROM stream_heads WHERE incident_id = ?1 \
         ORDER BY device_id",
    )?;
    let rows = stmt.query_map(params![&incident.as_bytes()[..]], |r| {
        Ok((
            r.get::<_, Vec<u8>>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, Vec<u8>>(2)?,
            r.get::<_, i64>(3)?,
            r.get::<_, i64>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (device, seq, hash, wall, counter) = row?;
        let head = head_of(incident, &device, seq, &hash, wall, counter)?;
        let device = DeviceId(fixed(&device).ok_or_else(|| StoreError::Corrupt {
            row: format!("stream head (incident {incident}, device {})", hex::encode(&device)),
            reason: "device_id is not 32 bytes".into(),
        })?);
        out.push((device, head));
    }
    Ok(out)
}

/// Up to `limit` entries of one stream after `after_seq`, in seq order.
pub fn load_stream_after(
    conn: &Connection,
    incident: IncidentId,
    device: DeviceId,
    after_seq: u64,
    limit: usize,
) -> Result<Vec<Entry>> {
    let sql = format!(
        "SELECT {ENTRY_COLUMNS} FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND seq > ?3 \
         ORDER BY seq LIMIT ?4"
    );
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(
        params![
            &incident.as_bytes()[..],
            &device.as_bytes()[..],
            i64_of(after_seq),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        RawRow::read,
    )?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.decode()?);
    }
    Ok(out)
}

/// The greatest HLC of any stored entry of one incident (local or received): every stream's HLC
/// increases along its seq (ingest enforces it), so it is the greatest of the incident's stream
/// heads. Per incident, because only entries of one incident are ever ordered against each
/// other: one incident's clock can never hold back a write in another.
pub fn latest_hlc(conn: &Connection, incident: IncidentId) -> Result<Hlc> {
    let mut stmt = conn.prepare_cached(
        "SELECT hlc_wall_ms, hlc_counter FROM stream_heads WHERE incident_id = ?1 \
         ORDER BY hlc_wall_ms DESC, hlc_counter DESC LIMIT 1",
    )?;
    let mut rows = stmt.query(params![&incident.as_bytes()[..]])?;
    match rows.next()? {
        None => Ok(Hlc::ZERO),
        Some(row) => {
            let corrupt = |reason: &str| StoreError::Corrupt {
                row: format!("stream head (incident {incident})"),
                reason: reason.to_string(),
            };
            let wall: i64 = row.get(0)?;
            let counter: i64 = row.get(1)?;
            Ok(Hlc {
                wall_ms: u64::try_from(wall).map_err(|_| corrupt("hlc_wall_ms is negative"))?,
                counter: u32::try_from(counter).map_err(|_| corrupt("hlc_counter is out of range"))?,
            })
        }
    }
}

/// Every entry of an incident, stream by stream.
pub fn load_entries(conn: &Connection, incident: IncidentId) -> Result<Vec<Entry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE incident_id = ?1 ORDER BY device_id, seq");
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt.query_map(params![&incident.as_bytes()[..]], RawRow::read)?;
    let mut out = Vec::new();
    for row in rows {
        out.push(row?.decode()?);
    }
    Ok(out)
}

pub fn load_entry(conn: &Connection, id: EntryId) -> Result<Option<Entry>> {
    let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?1");
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params![&id.as_bytes()[..]])?;
    match rows.next()? {
        None => Ok(None),
        Some(row) => Ok(Some(RawRow::read(row)?.decode()?)),
    }
}

pub fn uuid_bytes(v: &[u8]) -> Option<[u8; 16]> {
    fixed(v)
}
