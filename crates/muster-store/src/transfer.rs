//! Export and import: a JSON Lines file, first line a header, then one signed entry per line in
//! fold order. Import checks the whole file (format, limits, every signature, every chain link,
//! equivocations) before writing anything, then writes in batches, each one durable when it is
//! acknowledged; an interrupted import is resumed by running it again (entries already held
//! count as duplicates).

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use muster_core::entry::verify_many;
use muster_core::{DeviceId, Entry, IncidentId};
use rusqlite::{params, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::error::{IngestReason, Result, StoreError};
use crate::rows::{i64_of, stream_head, Head, Source};
use crate::store::Store;

pub const EXPORT_FORMAT: u32 = 1;
/// Import commits this many entries per transaction by default.
pub const DEFAULT_BATCH: usize = 500;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportHeader {
    /// Format version of the file.
    pub muster_export: u32,
    pub exported_at: String,
    pub incidents: Vec<IncidentId>,
    /// Number of entry lines that follow: a truncated file is detected.
    pub entries: u64,
}

/// Writes the entries of `incidents` to `path` (through a temporary file renamed into place, so
/// a crash never leaves a partial export under the final name). Returns the entry count.
pub fn export(
    store: &Store,
    incidents: &[IncidentId],
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64> {
    let io = |source: std::io::Error| StoreError::Io { path: path.display().to_string(), source };
    let mut all: Vec<Entry> = Vec::new();
    for incident in incidents {
        let mut entries = store.entries(*incident)?;
        entries.sort_by_key(|e| e.order_key());
        all.extend(entries);
    }
    let total = all.len() as u64;
    let tmp = path.with_extension("partial");
    let file = File::create(&tmp).map_err(io)?;
    let mut out = BufWriter::new(file);
    let header = ExportHeader {
        muster_export: EXPORT_FORMAT,
        exported_at: store.clock().now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        incidents: incidents.to_vec(),
        entries: total,
    };
    let line = serde_json::to_string(&header).map_err(|e| StoreError::Internal(e.to_string()))?;
    writeln!(out, "{line}").map_err(io)?;
    for (i, e) in all.iter().enumerate() {
        let line = serde_json::to_string(e).map_err(|e| StoreError::Internal(e.to_string()))?;
        writeln!(out, "{line}").map_err(io)?;
        if i % 1000 == 999 {
            progress(i as u64 + 1, total);
        }
    }
    let file = out.into_inner().map_err(|e| io(e.into_error()))?;
    file.sync_all().map_err(io)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(io)?;
    progress(total, total);
    Ok(total)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ImportEvent {
    /// Every line parsed; `checked` entries verified so far.
    Checking { checked: u64, total: u64 },
    /// The first `committed` entries (in file order) are durably stored.
    Committed { committed: u64, total: u64 },
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub entries: u64,
    pub accepted: u64,
    pub duplicates: u64,
    pub incidents: Vec<IncidentId>,
}

const MAX_REPORTED: usize = 10;

struct Problems {
    file: String,
    list: Vec<(usize, String)>,
    total: usize,
}

impl Problems {
    fn push(&mut self, line: usize, reason: String) {
        self.total += 1;
        if self.list.len() < MAX_REPORTED {
            self.list.push((line, reason));
        }
    }

    fn into_result(self) -> Result<()> {
        let Some((line, reason)) = self.list.first().cloned() else {
            return Ok(());
        };
        let mut reason = reason;
        if self.total > 1 {
            let others: Vec<String> =
                self.list.iter().skip(1).map(|(l, r)| format!("line {l}: {r}")).collect();
            reason = format!(
                "{reason}\n  and {} more problem(s):\n  {}{}",
                self.total - 1,
                others.join("\n  "),
                if self.total > self.list.len() { "\n  ..." } else { "" }
            );
        }
        Err(StoreError::Import { file: self.file, line, reason })
    }
}

/// An export file read and checked on its own (format, limits, every signature), before
/// anything is compared with a store: its entries with the line each came from.
#[derive(Debug)]
pub struct ExportFile {
    pub header: ExportHeader,
    pub entries: Vec<Entry>,
    /// `line_of[i]` is the line (from 1) of `entries[i]`.
    pub line_of: Vec<usize>,
}

/// Reads an export file from `reader` (`file_name` names it in errors) and checks every line
/// and every signature. Touches no database: `import` starts with it, and the fuzzing target of
/// the import file drives it with hostile bytes.
pub fn read_export(
    reader: impl BufRead,
    file_name: &str,
    on_event: &mut dyn FnMut(ImportEvent),
) -> Result<ExportFile> {
    let mut lines = reader.lines();
    let import_error =
        |line: usize, reason: String| StoreError::Import { file: file_name.to_string(), line, reason };

    let header_line = match lines.next() {
        None => return Err(import_error(1, "the file is empty; expected a Muster export header".into())),
        Some(l) => l.map_err(|e| import_error(1, e.to_string()))?,
    };
    let header: ExportHeader = serde_json::from_str(&header_line).map_err(|e| {
        import_error(
            1,
            format!("not a Muster export header (expected {{\"muster_export\": {EXPORT_FORMAT}, ...}}): {e}"),
        )
    })?;
    if header.muster_export != EXPORT_FORMAT {
        return Err(import_error(
            1,
            format!(
                "export format {} is not supported by this Muster (it reads format {EXPORT_FORMAT})",
                header.muster_export
            ),
        ));
    }

    let mut problems = Problems { file: file_name.to_string(), list: Vec::new(), total: 0 };
    let mut entries: Vec<Entry> = Vec::new();
    let mut line_of: Vec<usize> = Vec::new();
    for (i, line) in lines.enumerate() {
        let line_no = i + 2;
        let text = match line {
            Ok(t) => t,
            Err(e) => {
                problems.push(line_no, format!("unreadable: {e}"));
                break;
            }
        };
        if text.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Entry>(&text) {
            Ok(e) => match e.validate() {
                Ok(()) => {
                    entries.push(e);
                    line_of.push(line_no);
                }
                Err(v) => problems.push(line_no, format!("entry {}: {v}", e.id())),
            },
            Err(e) => problems.push(line_no, strip_position(&e.to_string())),
        }
    }
    if problems.total == 0 && entries.len() as u64 != header.entries {
        problems.push(
            1,
            format!(
                "the header announces {} entries but the file holds {} (truncated or edited file?)",
                header.entries,
                entries.len()
            ),
        );
    }
    problems.into_result()?;

    let total = entries.len() as u64;
    let mut problems = Problems { file: file_name.to_string(), list: Vec::new(), total: 0 };
    for (start, chunk) in entries.chunks(4096).enumerate().map(|(i, c)| (i * 4096, c)) {
        let refs: Vec<&Entry> = chunk.iter().collect();
        for (k, err) in verify_many(&refs) {
            let e = &chunk[k];
            problems.push(line_of[start + k], format!("entry {}: {err}", e.id()));
        }
        on_event(ImportEvent::Checking { checked: (start + chunk.len()) as u64, total });
    }
    problems.into_result()?;
    Ok(ExportFile { header, entries, line_of })
}

/// Imports an export file. Nothing is written unless the whole file checks out.
pub fn import(
    store: &mut Store,
    path: &Path,
    batch: usize,
    on_event: &mut dyn FnMut(ImportEvent),
) -> Result<ImportReport> {
    let file_name = path.display().to_string();
    let file = File::open(path).map_err(|source| StoreError::Io { path: file_name.clone(), source })?;
    let ExportFile { entries, line_of, .. } = read_export(BufReader::new(file), &file_name, on_event)?;
    let total = entries.len() as u64;

    // Chain and equivocation checks against what is stored and within the file.
    let mut problems = Problems { file: file_name, list: Vec::new(), total: 0 };
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| (entries[i].incident_id(), entries[i].device_id(), entries[i].seq()));
    let mut heads: HashMap<(IncidentId, DeviceId), Head> = HashMap::new();
    let mut duplicate = vec![false; entries.len()];
    let conn = store.connection();
    for &i in &order {
        let e = &entries[i];
        let line = line_of[i];
        let key = (e.incident_id(), e.device_id());
        let head = match heads.get(&key) {
            Some(h) => *h,
            None => stream_head(conn, e.incident_id(), e.device_id())?,
        };
        if e.seq() <= head.seq {
            let stored: Option<Vec<u8>> = conn
                .prepare_cached(
                    "SELECT hash FROM entries WHERE incident_id = ?1 AND device_id = ?2 AND seq = ?3",
                )?
                .query_row(
                    params![&e.incident_id().as_bytes()[..], &e.device_id().as_bytes()[..], i64_of(e.seq())],
                    |r| r.get(0),
                )
                .optional()?;
            match stored {
                Some(h) if h.as_slice() == e.hash().as_bytes() => duplicate[i] = true,
                Some(_) => problems.push(
                    line,
                    format!(
                        "entry {}: equivocation: a different entry is already stored at seq {} of its stream",
                        e.id(),
                        e.seq()
                    ),
                ),
                None => {
                    // Within the file: the same position twice.
                    problems.push(
                        line,
                        format!("entry {}: seq {} appears twice for its stream", e.id(), e.seq()),
                    );
                }
            }
            continue;
        }
        if let Err(reason) = head.admits(e) {
            let hint = match reason {
                IngestReason::SeqGap { .. } => " (entries missing from the file?)",
                _ => "",
            };
            problems.push(line, format!("entry {}: {reason}{hint}", e.id()));
        }
        heads.insert(key, Head::of(e));
    }
    problems.into_result()?;

    // Write in file order when every stream appears in seq order (so "committed N" means the
    // first N entries of the file), else in stream order.
    let file_order_ok = {
        let mut last: HashMap<(IncidentId, DeviceId), u64> = HashMap::new();
        entries.iter().all(|e| {
            let prev = last.insert((e.incident_id(), e.device_id()), e.seq());
            prev.is_none_or(|p| p < e.seq())
        })
    };
    let write_order: Vec<usize> = if file_order_ok { (0..entries.len()).collect() } else { order };
    let mut report = ImportReport { entries: total, ..ImportReport::default() };
    let mut incidents: Vec<IncidentId> = entries.iter().map(|e| e.incident_id()).collect();
    incidents.sort();
    incidents.dedup();
    report.incidents = incidents;
    report.duplicates = duplicate.iter().filter(|d| **d).count() as u64;
    let mut committed = report.duplicates;
    let fresh: Vec<usize> = write_order.into_iter().filter(|&i| !duplicate[i]).collect();
    let batch = batch.max(1);
    if fresh.is_empty() {
        on_event(ImportEvent::Committed { committed: total, total });
    }
    for chunk in fresh.chunks(batch) {
        let batch_entries: Vec<Entry> = chunk.iter().map(|&i| entries[i].clone()).collect();
        let r = store.ingest_inner(&batch_entries, Source::Import, true)?;
        report.accepted += r.accepted as u64;
        committed += (r.accepted + r.duplicates) as u64;
        on_event(ImportEvent::Committed { committed, total });
    }
    Ok(report)
}

/// serde_json appends " at line 1 column 57" to its messages; the line is ours to report.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}
