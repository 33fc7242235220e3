//! The CSV form of the clinical systems register.
//!
//! # The format
//!
//! - **Encoding**: UTF-8; a byte-order mark at the very start is accepted and ignored.
//! - **Header**: the first non-blank row must be a header holding exactly the columns
//!   `id,name,criticality,department,downtime_procedure,depends_on,services,functions`, each once,
//!   in any order (see [`COLUMNS`]). Column names are matched exactly after trimming surrounding
//!   whitespace. An unknown column is an error naming it; missing columns are an error naming them.
//! - **Rows**: one system per row, with as many cells as the header. Blank rows (no cells, or
//!   only empty or whitespace cells, as spreadsheets sometimes export) are skipped.
//! - **Quoting**: RFC 4180: a cell holding a comma, a double quote or a line break is enclosed in
//!   double quotes, and a double quote inside it is doubled (`"Call x4400, ask for ""IT"""`).
//!   A quoted cell may span several physical lines.
//! - **Cells**: surrounding whitespace is trimmed.
//!   - `id`: 1 to 64 characters among lowercase `a`-`z`, digits `0`-`9` and `-` (e.g. `pacs`,
//!     `icu-monitoring`); unique in the register.
//!   - `name`: 1 to 200 characters on one line (e.g. `Picture archiving (PACS)`).
//!   - `criticality`: `life-critical`, `high`, `medium` or `low`, case-insensitive; spaces or
//!     underscores may stand for the hyphen (`Life Critical`).
//!   - `department`: the owning department, 1 to 200 characters on one line.
//!   - `downtime_procedure`: what staff do while the system is down, 1 to 2000 characters; may
//!     span several lines.
//!   - `depends_on`: ids of the systems this one needs, each naming a system of the register,
//!     never the system itself. Cycles between different systems are allowed.
//!   - `services`: clinical services the system supports (e.g. `Emergency Department`), each 1 to
//!     200 characters on one line. Names are compared exactly, so spell a service the same way
//!     throughout the register.
//!   - `functions`: `medication-administration` and/or `diagnostics` (same leniency as
//!     criticality). A system with either needs a clinical liaison's sign-off to isolate or restore.
//!   - The three list cells (`depends_on`, `services`, `functions`) separate items with `;`; each
//!     item is trimmed, empty items are dropped, and the list is sorted and deduplicated. A list
//!     may be empty.
//! - **Errors**: the import is all-or-nothing: any error means no register. An error names the
//!   line (1-based, the physical line where the record starts), the field and the offending
//!   value, e.g. `line 4, field criticality: "urgent" is not one of life-critical, high, medium,
//!   low`, or `line 7, field depends_on: "lis2" names no system in the register`. A duplicate id
//!   names both lines.
//!
//! [`to_csv`] writes the columns in the order above, lists joined with `"; "`, lines ended with
//! `\n`, and quotes only the cells that need it; `parse_csv(&to_csv(&r)) == Ok(r)` for every `r`
//! that passes [`Register::validate`]. Cells are written verbatim: a spreadsheet may treat a cell
//! starting with `=`, `+`, `-` or `@` as a formula, so open exports from untrusted registers with
//! care.

use super::*;
use crate::error::ValidationError;

/// Items of a list cell: split on ';', trimmed, empty ones dropped.
fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(LIST_SEPARATOR).map(str::trim).filter(|item| !item.is_empty())
}

/// Reads a register from CSV (see the module documentation for the format). All-or-nothing.
pub fn parse_csv(text: &str) -> Result<Register, RegisterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader =
        ::csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());

    // For each of COLUMNS, its position in the rows; and the number of cells a row must have.
    let mut layout: Option<([usize; 8], usize)> = None;
    let mut rows: Vec<(u64, SystemRecord)> = Vec::new();
    let mut line_of: HashMap<String, u64> = HashMap::new();
    let mut lines = LineCounter { bytes: text.as_bytes(), offset: 0, line: 1 };

    for result in reader.records() {
        let record = result.map_err(|e| RegisterError::Csv {
            line: lines.line_at(e.position().map_or(0, |p| p.byte())),
            reason: e.to_string(),
        })?;
        let line = lines.line_at(record.position().map_or(0, |p| p.byte()));
        if record.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let Some((positions, width)) = layout else {
            layout = Some((parse_header(&record, line)?, record.len()));
            continue;
        };
        if record.len() != width {
            return Err(RegisterError::CellCount { line, expected: width, found: record.len() });
        }
        let cell = |column: usize| positions.get(column).and_then(|&i| record.get(i)).unwrap_or("").trim();
        let system = parse_row(cell).map_err(|e| RegisterError::field(line, e))?;
        if let Some(&first_line) = line_of.get(&system.id) {
            return Err(RegisterError::DuplicateId { id: system.id, first_line, line });
        }
        line_of.insert(system.id.clone(), line);
        rows.push((line, system));
    }
    if layout.is_none() {
        return Err(RegisterError::NoHeader);
    }
    for (line, system) in &rows {
        if let Some(missing) = system.depends_on.iter().find(|d| !line_of.contains_key(d.as_str())) {
            return Err(RegisterError::field(*line, unknown_dependency(missing)));
        }
    }
    let mut systems: Vec<SystemRecord> = rows.into_iter().map(|(_, system)| system).collect();
    systems.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(Register { systems })
}

/// Physical line numbers (1-based; a line ends with "\n", "\r\n" or a lone "\r") from byte
/// offsets. The csv crate's own `Position::line` is where its reader resumed, before the blank
/// lines it skips, and it does not count "\r" line ends.
struct LineCounter<'a> {
    bytes: &'a [u8],
    /// Byte offset up to which line breaks have been counted, and the line it is on.
    offset: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line on which the record read from byte offset `byte` starts, after any blank lines.
    fn line_at(&mut self, byte: u64) -> u64 {
        let mut start = usize::try_from(byte).unwrap_or(usize::MAX).min(self.bytes.len());
        while matches!(self.bytes.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start < self.offset {
            // Records come in order, so this does not happen; recount rather than go wrong.
            self.offset = 0;
            self.line = 1;
        }
        for i in self.offset..start {
            match self.bytes.get(i) {
                Some(b'\n') => self.line += 1,
                Some(b'\r') if self.bytes.get(i + 1) != Some(&b'\n') => self.line += 1,
                _ => {}
            }
        }
        self.offset = start;
        self.line
    }
}

fn parse_header(record: &::csv::StringRecord, line: u64) -> Result<[usize; 8], RegisterError> {
    let mut positions: [Option<usize>; 8] = [None; 8];
    for (i, name) in record.iter().enumerate() {
        let name = name.trim();
        let Some(column) = COLUMNS.iter().position(|c| *c == name) else {
            return Err(RegisterError::UnknownColumn { line, column: name.to_string() });
        };
        if positions[column].is_some() {
            return Err(RegisterError::DuplicateColumn { line, column: name.to_string() });
        }
        positions[column] = Some(i);
    }
    let missing: Vec<String> =
        COLUMNS.iter().zip(positions).filter(|(_, p)| p.is_none()).map(|(c, _)| c.to_string()).collect();
    if !missing.is_empty() {
        return Err(RegisterError::MissingColumns { line, columns: missing });
    }
    Ok(positions.map(|p| p.unwrap_or(0)))
}

/// One data row, given its trimmed cells by column index.
fn parse_row<'a>(cell: impl Fn(usize) -> &'a str) -> Result<SystemRecord, ValidationError> {
    let id = cell(ID);
    check_id(COLUMNS[ID], id)?;
    let criticality = Criticality::parse(cell(CRITICALITY))?;
    let functions =
        list_items(cell(FUNCTIONS)).map(ClinicalFunction::parse).collect::<Result<Vec<_>, _>>()?;
    let mut system = SystemRecord {
        id: id.to_string(),
        name: cell(NAME).to_string(),
        criticality,
        department: cell(DEPARTMENT).to_string(),
        downtime_procedure: cell(DOWNTIME_PROCEDURE).to_string(),
        depends_on: list_items(cell(DEPENDS_ON)).map(str::to_string).collect(),
        services: list_items(cell(SERVICES)).map(str::to_string).collect(),
        functions,
    };
    system.normalize();
    check_record(&system)?;
    Ok(system)
}

/// Writes the register as CSV (see the module documentation). `parse_csv` reads it back
/// unchanged when the register is valid.
pub fn to_csv(register: &Register) -> String {
    let mut out = String::new();
    write_row(&mut out, COLUMNS);
    for s in &register.systems {
        let functions: Vec<&str> = s.functions.iter().map(ClinicalFunction::slug).collect();
        let separator = format!("{LIST_SEPARATOR} ");
        write_row(
            &mut out,
            [
                s.id.as_str(),
                s.name.as_str(),
                s.criticality.slug(),
                s.department.as_str(),
                s.downtime_procedure.as_str(),
                &s.depends_on.join(&separator),
                &s.services.join(&separator),
                &functions.join(&separator),
            ],
        );
    }
    out
}

fn write_row(out: &mut String, cells: [&str; 8]) {
    for (i, cell) in cells.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push('\n');
}
