//! `verify`: re-checks every signature and every chain link of the log, reading the SQLite rows
//! directly, and names each entry that was edited, removed or reordered behind Muster's back.

use std::collections::HashMap;

use muster_core::entry::verify_many;
use muster_core::{Entry, Hash32};
use rusqlite::Connection;
use serde::Serialize;

use crate::error::Result;
use crate::rows::{RawRow, ENTRY_COLUMNS};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// A column cannot be decoded at all.
    Unreadable,
    /// The signature does not match the row's contents.
    Edited,
    /// The row verifies, but at a different stream position than where it is stored (its key
    /// was changed: rows of the clustered log cannot move otherwise).
    Reordered,
    /// One or more seq numbers of a stream are absent.
    Missing,
    /// The stored hash column does not match the entry.
    HashMismatch,
    /// The entry's prev_hash does not name the entry before it.
    ChainBroken,
    /// The stream-head record disagrees with the last entry.
    HeadMismatch,
    /// Entries this installation signed at the end of a stream are gone, though the log is
    /// consistent without them: the stream anchor in the OS keyring names a later head (someone
    /// deleted them and fixed the head record, or an older copy of the database was put back).
    Truncated,
    /// The entry's clock is more than a day ahead of this computer's: it would stop this
    /// incident's writes once its clock runs out (entries like it are set aside on sync now).
    ClockAhead,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub kind: ProblemKind,
    pub incident_id: String,
    pub device_id: String,
    pub seq: Option<u64>,
    pub entry_id: Option<String>,
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let what = match self.kind {
            ProblemKind::Unreadable => "UNREADABLE",
            ProblemKind::Edited => "EDITED",
            ProblemKind::Reordered => "REORDERED",
            ProblemKind::Missing => "MISSING",
            ProblemKind::HashMismatch => "HASH MISMATCH",
            ProblemKind::ChainBroken => "CHAIN BROKEN",
            ProblemKind::HeadMismatch => "HEAD MISMATCH",
            ProblemKind::ClockAhead => "CLOCK AHEAD",
            ProblemKind::Truncated => "TRUNCATED",
        };
        write!(f, "{what}: ")?;
        if let Some(id) = &self.entry_id {
            write!(f, "entry {id} ")?;
        }
        let device: String = self.device_id.chars().take(8).collect();
        write!(f, "(incident {}, device {device}", self.incident_id)?;
        if let Some(seq) = self.seq {
            write!(f, ", seq {seq}")?;
        }
        write!(f, "): {}", self.detail)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    pub entries: u64,
    pub streams: u64,
    pub devices: u64,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    pub fn ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// (incident, device) -> (seq, hash) as recorded in `stream_heads`.
type StreamHeads = HashMap<(Vec<u8>, Vec<u8>), (i64, Vec<u8>)>;

struct Checked {
    raw: RawRow,
    entry: Option<Entry>,
    signature_ok: bool,
}

fn uuid_text(bytes: &[u8]) -> String {
    <[u8; 16]>::try_from(bytes)
        .map(|b| uuid::Uuid::from_bytes(b).to_string())
        .unwrap_or_else(|_| hex::encode(bytes))
}

/// `now_ms` is this computer's clock: an entry stamped more than a day after it is named.
pub fn verify(conn: &Connection, now_ms: u64, progress: &mut dyn FnMut(u64, u64)) -> Result<VerifyReport> {
    let total: i64 = conn.query_row("SELECT count(*) FROM entries", [], |r| r.get(0))?;
    let total = u64::try_from(total).unwrap_or(0);
    let mut report = VerifyReport { entries: total, ..VerifyReport::default() };

    let sql = format!("SELECT {ENTRY_COLUMNS} FROM entries ORDER BY incident_id, device_id, seq");
    let mut stmt = conn.prepare(&sql)?;
    let mut rows: Vec<Checked> = Vec::new();
    for raw in stmt.query_map([], RawRow::read)? {
        let raw = raw?;
        match raw.decode() {
            Ok(entry) => {
                if let Some(ahead) = entry.hlc().too_far_ahead_of(now_ms) {
                    report.problems.push(Problem {
                        kind: ProblemKind::ClockAhead,
                        incident_id: entry.incident_id().to_string(),
                        device_id: entry.device_id().to_string(),
                        seq: Some(entry.seq()),
                        entry_id: Some(entry.id().to_string()),
                        detail: format!(
                            "its clock reads {} ahead of this computer's clock; writes to this incident \
                             fail once the clock runs out",
                            muster_core::time::describe_span_ms(ahead)
                        ),
                    });
                }
                rows.push(Checked { raw, entry: Some(entry), signature_ok: false })
            }
            Err(e) => {
                report.problems.push(Problem {
                    kind: ProblemKind::Unreadable,
                    incident_id: uuid_text(&raw.incident_id),
                    device_id: hex::encode(&raw.device_id),
                    seq: u64::try_from(raw.seq).ok(),
                    entry_id: Some(uuid_text(&raw.id)),
                    detail: e.to_string(),
                });
                rows.push(Checked { raw, entry: None, signature_ok: false });
            }
        }
    }

    // Signatures, in batches, with progress.
    let decoded: Vec<usize> = (0..rows.len()).filter(|&i| rows[i].entry.is_some()).collect();
    let mut bad: Vec<bool> = vec![false; rows.len()];
    let mut done = 0u64;
    for chunk in decoded.chunks(4096) {
        let refs: Vec<&Entry> = chunk.iter().filter_map(|&i| rows[i].entry.as_ref()).collect();
        for (k, _) in verify_many(&refs) {
            bad[chunk[k]] = true;
        }
        done += chunk.len() as u64;
        progress(done, total);
    }
    for &i in &decoded {
        rows[i].signature_ok = !bad[i];
    }

    // Streams.
    let mut streams: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    for i in 1..=rows.len() {
        if i == rows.len()
            || rows[i].raw.incident_id != rows[start].raw.incident_id
            || rows[i].raw.device_id != rows[start].raw.device_id
        {
            if i > start {
                streams.push((start, i));
            }
            start = i;
        }
    }
    report.streams = streams.len() as u64;
    let mut devices: Vec<&[u8]> = rows.iter().map(|r| r.raw.device_id.as_slice()).collect();
    devices.sort();
    devices.dedup();
    report.devices = devices.len() as u64;

    let mut heads: StreamHeads = HashMap::new();
    let mut hstmt = conn.prepare("SELECT incident_id, device_id, seq, hash FROM stream_heads")?;
    for h in hstmt
        .query_map([], |r| Ok((r.get::<_, Vec<u8>>(0)?, r.get::<_, Vec<u8>>(1)?, r.get(2)?, r.get(3)?)))?
    {
        let (i, d, s, hash) = h?;
        heads.insert((i, d), (s, hash));
    }

    let mut reorder_budget = REORDER_CHECK_BUDGET;
    for (start, end) in streams {
        check_stream(&rows[start..end], &mut heads, &mut report.problems, &mut reorder_budget);
    }
    // Heads whose stream has no entries left at all.
    let mut orphans: Vec<_> = heads.into_iter().collect();
    orphans.sort();
    for ((incident, device), (seq, _)) in orphans {
        report.problems.push(Problem {
            kind: ProblemKind::Missing,
            incident_id: uuid_text(&incident),
            device_id: hex::encode(&device),
            seq: None,
            entry_id: None,
            detail: format!("all {seq} entries of this stream are missing (its head record remains)"),
        });
    }
    Ok(report)
}

/// This installation's streams that end before the head the stream anchor (kept in the OS
/// keyring, outside this database) records for them.
pub(crate) fn truncation(store: &crate::Store, anchor: &crate::anchor::StreamAnchor) -> Result<Vec<Problem>> {
    let mut problems = Vec::new();
    for (incident, anchored) in &anchor.heads {
        let head = store.head(*incident, anchor.device)?;
        let problem = |seq: u64, detail: String| Problem {
            kind: ProblemKind::Truncated,
            incident_id: incident.to_string(),
            device_id: anchor.device.to_string(),
            seq: Some(seq),
            entry_id: None,
            detail,
        };
        let restore = "`muster sync` fetches them again from the server if it holds them";
        if head.seq < anchored.seq {
            let first = head.seq + 1;
            let which = if first == anchored.seq {
                format!("entry seq {first} that this laptop signed is gone")
            } else {
                format!("entries seq {first} to {} that this laptop signed are gone", anchored.seq)
            };
            problems.push(problem(
                first,
                format!(
                    "{which} from its log, though the OS keyring records seq {} as the last one it wrote; {restore}",
                    anchored.seq
                ),
            ));
        } else if head.seq == anchored.seq && head.hash != anchored.hash {
            problems.push(problem(
                head.seq,
                format!(
                    "the last entry of this laptop's stream (seq {}) is not the one it signed, per the OS keyring's record",
                    head.seq
                ),
            ));
        }
    }
    Ok(problems)
}

/// How many entries failing their signature are examined for a move before the rest are simply
/// reported as edited: each examination costs up to 65 signature checks, and a log edited
/// wholesale should still verify in seconds.
const REORDER_CHECK_BUDGET: usize = 1_000;

fn check_stream(
    rows: &[Checked],
    heads: &mut StreamHeads,
    problems: &mut Vec<Problem>,
    reorder_budget: &mut usize,
) {
    let first = &rows[0].raw;
    let incident_id = uuid_text(&first.incident_id);
    let device_id = hex::encode(&first.device_id);
    let problem = |kind, row: Option<&RawRow>, seq: Option<u64>, detail: String| Problem {
        kind,
        incident_id: incident_id.clone(),
        device_id: device_id.clone(),
        seq,
        entry_id: row.map(|r| uuid_text(&r.id)),
        detail,
    };
    // Where each stored hash sits, to tell a reordered entry from an edited one.
    let seq_of_hash: HashMap<&[u8], i64> = rows.iter().map(|r| (r.raw.hash.as_slice(), r.raw.seq)).collect();

    let mut expected: i64 = 1;
    let mut prev: Option<&Checked> = None;
    for row in rows {
        let raw = &row.raw;
        let seq = u64::try_from(raw.seq).ok();
        if raw.seq > expected {
            let detail = if raw.seq == expected + 1 {
                format!("entry seq {expected} is missing before this one (deleted?)")
            } else {
                format!("entries seq {expected}..{} are missing before this one (deleted?)", raw.seq - 1)
            };
            problems.push(problem(ProblemKind::Missing, Some(raw), seq, detail));
        }
        if let Some(entry) = &row.entry {
            if !row.signature_ok {
                let moved = if *reorder_budget > 0 {
                    *reorder_budget -= 1;
                    signed_position(entry, &seq_of_hash)
                } else {
                    None
                };
                match moved {
                    Some(signed_seq) => problems.push(problem(
                        ProblemKind::Reordered,
                        Some(raw),
                        seq,
                        format!("signed as seq {signed_seq} of this stream but stored as seq {}", raw.seq),
                    )),
                    None => problems.push(problem(
                        ProblemKind::Edited,
                        Some(raw),
                        seq,
                        "its signature no longer matches its contents (changed after signing)".into(),
                    )),
                }
            } else {
                if raw.hash.as_slice() != entry.hash().as_bytes() {
                    problems.push(problem(
                        ProblemKind::HashMismatch,
                        Some(raw),
                        seq,
                        format!(
                            "stored hash {} but the entry hashes to {}",
                            hex::encode(&raw.hash),
                            entry.hash()
                        ),
                    ));
                }
                if raw.seq == expected {
                    // The previous entry's computed hash is authoritative; the stored column is a cache.
                    let prev_hash: Option<Hash32> = match prev {
                        Some(p) if p.raw.seq == raw.seq - 1 => match (&p.entry, p.signature_ok) {
                            (Some(e), true) => Some(e.hash()),
                            _ => None, // already reported as edited or unreadable
                        },
                        _ => Some(Hash32::ZERO),
                    };
                    if prev_hash.is_some_and(|h| h != entry.envelope.prev_hash) {
                        problems.push(problem(
                            ProblemKind::ChainBroken,
                            Some(raw),
                            seq,
                            format!(
                                "prev_hash {} does not name the entry stored before it",
                                entry.envelope.prev_hash.short()
                            ),
                        ));
                    }
                }
            }
        }
        expected = raw.seq + 1;
        prev = Some(row);
    }

    let last = &rows[rows.len() - 1].raw;
    match heads.remove(&(last.incident_id.clone(), last.device_id.clone())) {
        None => problems.push(problem(
            ProblemKind::HeadMismatch,
            None,
            None,
            "the stream has no head record".into(),
        )),
        Some((head_seq, head_hash)) => {
            if head_seq > last.seq {
                let detail = if head_seq == last.seq + 1 {
                    format!("entry seq {head_seq} is missing at the end of the stream (the head records it)")
                } else {
                    format!(
                        "entries seq {}..{head_seq} are missing at the end of the stream (the head records them)",
                        last.seq + 1
                    )
                };
                problems.push(problem(ProblemKind::Missing, None, u64::try_from(last.seq + 1).ok(), detail));
            } else if head_seq < last.seq || head_hash != last.hash {
                problems.push(problem(
                    ProblemKind::HeadMismatch,
                    Some(last),
                    u64::try_from(last.seq).ok(),
                    format!("the head record says seq {head_seq} but the last entry is seq {}", last.seq),
                ));
            }
        }
    }
}

/// If the entry verifies at another seq of its stream, returns that seq (it was moved).
/// Tries the position its prev_hash points at, then nearby positions: tampering touches few
/// rows, so this costs a handful of signature checks per suspicious entry.
fn signed_position(entry: &Entry, seq_of_hash: &HashMap<&[u8], i64>) -> Option<u64> {
    let prev = entry.envelope.prev_hash;
    let stored = entry.seq();
    let mut candidates: Vec<u64> = Vec::new();
    if prev == Hash32::ZERO {
        candidates.push(1);
    } else if let Some(s) = seq_of_hash.get(prev.as_bytes().as_slice()) {
        if let Ok(s) = u64::try_from(*s) {
            candidates.push(s + 1);
        }
    }
    for delta in 1..=32u64 {
        candidates.push(stored + delta);
        if stored > delta {
            candidates.push(stored - delta);
        }
    }
    let mut moved = entry.clone();
    for candidate in candidates {
        if candidate == stored {
            continue;
        }
        moved.envelope.seq = candidate;
        if moved.verify().is_ok() {
            return Some(candidate);
        }
    }
    None
}
