//! The clinical systems register: the hospital's clinical and supporting IT systems (EHR, PACS,
//! laboratory, pharmacy, infusion-pump server, ICU central monitoring...), how critical each is,
//! who owns it, what staff do while it is down, which other systems it needs, and which clinical
//! services it supports. When the incident commander proposes to isolate a system (for example to
//! pull it off the network during ransomware), [`impact`] lists every system and clinical service
//! that goes down with it, directly or through dependencies.
//!
//! Pure: the register is read from a `&str` ([`parse_csv`]) and written to a `String`
//! ([`to_csv`]). Every type here serialises to JSON without floats, so it can be embedded in the
//! body of a signed log entry. A register read back from JSON has not been checked: call
//! [`Register::validate`] before trusting it ([`impact`] does so itself).
//!
//! # The CSV format
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

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::error::{ErrorCode, ValidationError};

/// The CSV columns, in the order [`to_csv`] writes them. [`parse_csv`] accepts any order.
pub const COLUMNS: [&str; 8] =
    ["id", "name", "criticality", "department", "downtime_procedure", "depends_on", "services", "functions"];

/// Separates the items of the list cells (`depends_on`, `services`, `functions`).
pub const LIST_SEPARATOR: char = ';';

pub const MAX_ID_CHARS: usize = 64;
pub const MAX_NAME_CHARS: usize = 200;
pub const MAX_DEPARTMENT_CHARS: usize = 200;
pub const MAX_SERVICE_CHARS: usize = 200;
pub const MAX_DOWNTIME_PROCEDURE_CHARS: usize = 2000;

// Indices into COLUMNS.
const ID: usize = 0;
const NAME: usize = 1;
const CRITICALITY: usize = 2;
const DEPARTMENT: usize = 3;
const DOWNTIME_PROCEDURE: usize = 4;
const DEPENDS_ON: usize = 5;
const SERVICES: usize = 6;
const FUNCTIONS: usize = 7;

/// How much patient harm a system's loss risks. The derived order puts the most critical first:
/// `LifeCritical < High < Medium < Low`, so sorting ascending lists the most critical first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criticality {
    LifeCritical,
    High,
    Medium,
    Low,
}

/// Most critical first.
pub const CRITICALITIES: [Criticality; 4] =
    [Criticality::LifeCritical, Criticality::High, Criticality::Medium, Criticality::Low];

impl Criticality {
    pub fn slug(&self) -> &'static str {
        match self {
            Criticality::LifeCritical => "life-critical",
            Criticality::High => "high",
            Criticality::Medium => "medium",
            Criticality::Low => "low",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            Criticality::LifeCritical => "Life-critical",
            Criticality::High => "High",
            Criticality::Medium => "Medium",
            Criticality::Low => "Low",
        }
    }

    /// 1 is the most critical: a lower number is more critical.
    pub fn rank(&self) -> u8 {
        match self {
            Criticality::LifeCritical => 1,
            Criticality::High => 2,
            Criticality::Medium => 3,
            Criticality::Low => 4,
        }
    }

    /// Reads the slug case-insensitively, with spaces or underscores for hyphens:
    /// `life-critical`, `Life Critical`, `LIFE_CRITICAL`, `high`...
    pub fn parse(input: &str) -> Result<Criticality, ValidationError> {
        let key = word_key(input);
        CRITICALITIES.into_iter().find(|c| c.slug() == key).ok_or_else(|| {
            ValidationError::new(
                COLUMNS[CRITICALITY],
                input,
                "is not one of life-critical, high, medium, low",
            )
        })
    }
}

impl fmt::Display for Criticality {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A clinical function whose interruption (isolating the system) or resumption (restoring it)
/// needs a clinical liaison's sign-off. Sorted in declaration order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClinicalFunction {
    MedicationAdministration,
    Diagnostics,
}

pub const CLINICAL_FUNCTIONS: [ClinicalFunction; 2] =
    [ClinicalFunction::MedicationAdministration, ClinicalFunction::Diagnostics];

impl ClinicalFunction {
    pub fn slug(&self) -> &'static str {
        match self {
            ClinicalFunction::MedicationAdministration => "medication-administration",
            ClinicalFunction::Diagnostics => "diagnostics",
        }
    }

    pub fn label(&self) -> &'static str {
        match self {
            ClinicalFunction::MedicationAdministration => "Medication administration",
            ClinicalFunction::Diagnostics => "Diagnostics",
        }
    }

    /// Reads the slug case-insensitively, with spaces or underscores for hyphens.
    pub fn parse(input: &str) -> Result<ClinicalFunction, ValidationError> {
        let key = word_key(input);
        CLINICAL_FUNCTIONS.into_iter().find(|f| f.slug() == key).ok_or_else(|| {
            ValidationError::new(
                COLUMNS[FUNCTIONS],
                input,
                "is not one of medication-administration, diagnostics",
            )
        })
    }
}

impl fmt::Display for ClinicalFunction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Lowercase words joined by '-': "Life  Critical" and "life_critical" both give "life-critical".
fn word_key(input: &str) -> String {
    input
        .to_lowercase()
        .split(|c: char| c.is_whitespace() || c == '-' || c == '_')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

/// One system of the register. The lists are sorted and deduplicated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemRecord {
    /// Lowercase `a`-`z`, `0`-`9` and `-`, 1 to 64 characters, e.g. `pacs`.
    pub id: String,
    /// 1 to 200 characters on one line.
    pub name: String,
    pub criticality: Criticality,
    /// The owning department.
    pub department: String,
    /// What staff do while the system is down; up to 2000 characters, may span lines.
    pub downtime_procedure: String,
    /// Ids of the systems this one needs.
    pub depends_on: Vec<String>,
    /// Clinical services it supports, e.g. `Emergency Department`, `Radiology`.
    pub services: Vec<String>,
    pub functions: Vec<ClinicalFunction>,
}

impl SystemRecord {
    /// True when the system handles medication administration or diagnostics: isolating or
    /// restoring it needs a clinical liaison's sign-off.
    pub fn needs_clinical_signoff(&self) -> bool {
        self.functions
            .iter()
            .any(|f| matches!(f, ClinicalFunction::MedicationAdministration | ClinicalFunction::Diagnostics))
    }

    /// Sorts and deduplicates the lists.
    fn normalize(&mut self) {
        self.depends_on.sort();
        self.depends_on.dedup();
        self.services.sort();
        self.services.dedup();
        self.functions.sort();
        self.functions.dedup();
    }
}

/// The register: systems sorted by id, ids unique.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Register {
    pub systems: Vec<SystemRecord>,
}

impl Register {
    /// Builds a register from systems in any order with lists in any order: sorts and
    /// deduplicates, then validates.
    pub fn from_systems(mut systems: Vec<SystemRecord>) -> Result<Register, RegisterError> {
        for system in &mut systems {
            system.normalize();
        }
        systems.sort_by(|a, b| a.id.cmp(&b.id));
        let register = Register { systems };
        register.validate()?;
        Ok(register)
    }

    /// Checks every field as [`parse_csv`] does (ids well-formed, required fields present,
    /// lengths, no surrounding whitespace), that ids are unique, that systems are sorted by id
    /// and lists sorted and deduplicated, that every `depends_on` names a system of the register
    /// and that no system depends on itself. Cycles between different systems are allowed.
    pub fn validate(&self) -> Result<(), RegisterError> {
        let mut seen = HashSet::new();
        for system in &self.systems {
            check_record(system).map_err(|e| RegisterError::system(&system.id, e))?;
            check_normalized(system)?;
            if !seen.insert(system.id.as_str()) {
                return Err(RegisterError::DuplicateSystem { id: system.id.clone() });
            }
        }
        for pair in self.systems.windows(2) {
            if let [a, b] = pair {
                if a.id > b.id {
                    return Err(RegisterError::system(
                        &b.id,
                        ValidationError::new(
                            COLUMNS[ID],
                            &b.id,
                            format!(
                                "is out of order: systems are sorted by id, and it comes after {:?}",
                                a.id
                            ),
                        ),
                    ));
                }
            }
        }
        for system in &self.systems {
            if let Some(missing) = system.depends_on.iter().find(|d| !seen.contains(d.as_str())) {
                return Err(RegisterError::system(&system.id, unknown_dependency(missing)));
            }
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&SystemRecord> {
        self.systems.iter().find(|s| s.id == id)
    }
}

/// Why a register could not be read, is not valid, or cannot answer a question.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegisterError {
    #[error("the CSV has no header row: the first line must be {}", COLUMNS.join(","))]
    NoHeader,
    #[error("line {line}: unknown column {column:?}; the columns are {}", COLUMNS.join(", "))]
    UnknownColumn { line: u64, column: String },
    #[error("line {line}: column {column:?} appears more than once in the header")]
    DuplicateColumn { line: u64, column: String },
    #[error("line {line}: the header lacks column(s) {}", .columns.join(", "))]
    MissingColumns { line: u64, columns: Vec<String> },
    #[error("line {line}: the row has {found} cells but the header has {expected}")]
    CellCount { line: u64, expected: usize, found: usize },
    /// The text is not well-formed CSV.
    #[error("line {line}: {reason}")]
    Csv { line: u64, reason: String },
    /// A bad cell of the CSV.
    #[error("line {line}, field {field}: {value:?} {reason}")]
    Field { line: u64, field: String, value: String, reason: String },
    #[error("line {line}, field id: {id:?} is already the id of the system on line {first_line}")]
    DuplicateId { id: String, first_line: u64, line: u64 },
    /// A bad field of a register that did not come from CSV (see [`Register::validate`]).
    #[error("system {system:?}, field {field}: {value:?} {reason}")]
    System { system: String, field: String, value: String, reason: String },
    #[error("system {id:?} appears more than once in the register")]
    DuplicateSystem { id: String },
    /// A question about a system the register does not hold.
    #[error("{id:?} names no system in the register")]
    UnknownSystem { id: String },
}

impl RegisterError {
    fn field(line: u64, e: ValidationError) -> Self {
        RegisterError::Field { line, field: e.field, value: e.value, reason: e.reason }
    }

    fn system(id: &str, e: ValidationError) -> Self {
        // Shortened like the value, in case the bad field is the id itself.
        let system = ValidationError::new(COLUMNS[ID], id, "").value;
        RegisterError::System { system, field: e.field, value: e.value, reason: e.reason }
    }
}

impl ErrorCode for RegisterError {
    fn code(&self) -> &'static str {
        "register.invalid"
    }
}

fn unknown_dependency(id: &str) -> ValidationError {
    ValidationError::new(COLUMNS[DEPENDS_ON], id, "names no system in the register")
}

fn check_id(field: &str, id: &str) -> Result<(), ValidationError> {
    let count = id.chars().count();
    if count == 0
        || count > MAX_ID_CHARS
        || !id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(ValidationError::new(
            field,
            id,
            format!("is not a system id: use 1 to {MAX_ID_CHARS} lowercase letters a-z, digits and '-'"),
        ));
    }
    Ok(())
}

/// A required text field: not empty, no surrounding whitespace, at most `max` characters, and on
/// one line unless `multiline`.
fn check_text(field: &str, value: &str, max: usize, multiline: bool) -> Result<(), ValidationError> {
    let reason = if value.trim().is_empty() {
        Some(format!("is empty, but {field} is required"))
    } else if value.trim() != value {
        Some("has leading or trailing whitespace".to_string())
    } else if value.chars().count() > max {
        Some(format!("is longer than {max} characters"))
    } else if value.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        Some(if multiline {
            "contains a control character".to_string()
        } else {
            "contains a line break or other control character".to_string()
        })
    } else {
        None
    };
    match reason {
        Some(reason) => Err(ValidationError::new(field, value, reason)),
        None => Ok(()),
    }
}

/// Everything about one record that does not need the rest of the register.
fn check_record(r: &SystemRecord) -> Result<(), ValidationError> {
    check_id(COLUMNS[ID], &r.id)?;
    check_text(COLUMNS[NAME], &r.name, MAX_NAME_CHARS, false)?;
    check_text(COLUMNS[DEPARTMENT], &r.department, MAX_DEPARTMENT_CHARS, false)?;
    check_text(COLUMNS[DOWNTIME_PROCEDURE], &r.downtime_procedure, MAX_DOWNTIME_PROCEDURE_CHARS, true)?;
    for dependency in &r.depends_on {
        check_id(COLUMNS[DEPENDS_ON], dependency)?;
        if *dependency == r.id {
            return Err(ValidationError::new(
                COLUMNS[DEPENDS_ON],
                dependency,
                "is the system itself: a system cannot depend on itself",
            ));
        }
    }
    for service in &r.services {
        check_text(COLUMNS[SERVICES], service, MAX_SERVICE_CHARS, false)?;
        if service.contains(LIST_SEPARATOR) {
            return Err(ValidationError::new(
                COLUMNS[SERVICES],
                service,
                "contains ';', which separates the items of a list",
            ));
        }
    }
    Ok(())
}

fn check_normalized(r: &SystemRecord) -> Result<(), RegisterError> {
    fn strictly_ascending<T: Ord>(items: &[T]) -> bool {
        items.windows(2).all(|w| matches!(w, [a, b] if a < b))
    }
    let unsorted = if !strictly_ascending(&r.depends_on) {
        Some((DEPENDS_ON, r.depends_on.join("; ")))
    } else if !strictly_ascending(&r.services) {
        Some((SERVICES, r.services.join("; ")))
    } else if !strictly_ascending(&r.functions) {
        Some((FUNCTIONS, r.functions.iter().map(ClinicalFunction::slug).collect::<Vec<_>>().join("; ")))
    } else {
        None
    };
    match unsorted {
        Some((column, value)) => Err(RegisterError::system(
            &r.id,
            ValidationError::new(COLUMNS[column], value, "is not sorted and deduplicated"),
        )),
        None => Ok(()),
    }
}

/// Items of a list cell: split on ';', trimmed, empty ones dropped.
fn list_items(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(LIST_SEPARATOR).map(str::trim).filter(|item| !item.is_empty())
}

/// Reads a register from CSV (see the module documentation for the format). All-or-nothing.
pub fn parse_csv(text: &str) -> Result<Register, RegisterError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());

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

fn parse_header(record: &csv::StringRecord, line: u64) -> Result<[usize; 8], RegisterError> {
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

/// What isolating one system takes down.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Impact {
    /// The system proposed for isolation.
    pub system: SystemRecord,
    /// Every other system that needs it, directly or through other systems; most critical first,
    /// then by id.
    pub affected: Vec<AffectedSystem>,
    /// Clinical services supported by the isolated system or an affected one, sorted by name.
    pub services: Vec<AffectedService>,
    /// Whether isolating (and later restoring) the system needs a clinical liaison's sign-off:
    /// it, or a system that goes down with it, handles medication administration or
    /// diagnostics. Taking down the interface engine stops pharmacy orders as surely as taking
    /// down the pharmacy system, so the dependents count too.
    pub needs_clinical_signoff: bool,
    /// The systems (the isolated one first, then affected ones in `affected` order) that make a
    /// sign-off necessary.
    pub signoff_because: Vec<String>,
}

/// A system that goes down because the isolated system does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedSystem {
    pub id: String,
    pub name: String,
    pub criticality: Criticality,
    pub department: String,
    pub downtime_procedure: String,
    /// The chain of system ids from the isolated system to this one, both ends included: `via[0]`
    /// is the isolated system, the last item is this system, and each system of the chain
    /// depends on the one before it. `["lis", "blood-bank"]` reads "blood-bank needs lis, which
    /// is isolated"; `["hl7-engine", "pharmacy", "bcma"]` reads "bcma needs pharmacy, which needs
    /// the isolated hl7-engine". It is a shortest chain; among equally short chains, the one
    /// whose ids are smallest, compared position by position from the isolated system.
    pub via: Vec<String>,
    /// True when this system depends on the isolated system itself (`via` has two items).
    pub direct: bool,
    /// Medication administration or diagnostics, when it handles them.
    pub functions: Vec<ClinicalFunction>,
}

/// A clinical service touched by an isolation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AffectedService {
    pub service: String,
    /// Ids, sorted, of the systems among the isolated one and the affected ones that support it.
    pub systems: Vec<String>,
}

/// What isolating `system_id` takes down: every system that depends on it, directly or
/// transitively (cycles are followed once), and the clinical services of all of them.
/// Validates the register first.
pub fn impact(register: &Register, system_id: &str) -> Result<Impact, RegisterError> {
    register.validate()?;
    let root =
        register.get(system_id).ok_or_else(|| RegisterError::UnknownSystem { id: system_id.to_string() })?;

    // Who needs whom: systems are sorted by id, so each list of dependents is too.
    let mut dependents: HashMap<&str, Vec<&SystemRecord>> = HashMap::new();
    for system in &register.systems {
        for dependency in &system.depends_on {
            dependents.entry(dependency.as_str()).or_default().push(system);
        }
    }

    // Breadth-first from the isolated system. Each level is expanded in the order of its chains
    // and each system's dependents in id order, so the first chain to reach a system is the
    // shortest and, among the shortest, the smallest position by position.
    let mut chains: HashMap<&str, Vec<String>> = HashMap::from([(root.id.as_str(), vec![root.id.clone()])]);
    let mut queue = VecDeque::from([root]);
    let mut reached: Vec<(&SystemRecord, Vec<String>)> = Vec::new();
    while let Some(current) = queue.pop_front() {
        let chain = chains.get(current.id.as_str()).cloned().unwrap_or_default();
        for &dependent in dependents.get(current.id.as_str()).map(Vec::as_slice).unwrap_or_default() {
            if chains.contains_key(dependent.id.as_str()) {
                continue;
            }
            let mut via = chain.clone();
            via.push(dependent.id.clone());
            chains.insert(dependent.id.as_str(), via.clone());
            reached.push((dependent, via));
            queue.push_back(dependent);
        }
    }

    let mut services: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for system in std::iter::once(root).chain(reached.iter().map(|(s, _)| *s)) {
        for service in &system.services {
            services.entry(service.as_str()).or_default().insert(system.id.as_str());
        }
    }
    let services = services
        .into_iter()
        .map(|(service, ids)| AffectedService {
            service: service.to_string(),
            systems: ids.into_iter().map(str::to_string).collect(),
        })
        .collect();

    let mut affected: Vec<AffectedSystem> = reached
        .into_iter()
        .map(|(s, via)| AffectedSystem {
            id: s.id.clone(),
            name: s.name.clone(),
            criticality: s.criticality,
            department: s.department.clone(),
            downtime_procedure: s.downtime_procedure.clone(),
            direct: via.len() == 2,
            via,
            functions: s.functions.clone(),
        })
        .collect();
    affected.sort_by(|a, b| (a.criticality, &a.id).cmp(&(b.criticality, &b.id)));
    let signoff_because: Vec<String> = std::iter::once(root)
        .filter(|r| r.needs_clinical_signoff())
        .map(|r| r.id.clone())
        .chain(affected.iter().filter(|a| !a.functions.is_empty()).map(|a| a.id.clone()))
        .collect();

    Ok(Impact {
        system: root.clone(),
        affected,
        services,
        needs_clinical_signoff: !signoff_because.is_empty(),
        signoff_because,
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const HEADER: &str = "id,name,criticality,department,downtime_procedure,depends_on,services,functions";

    fn csv_of(rows: &[&str]) -> String {
        let mut text = format!("{HEADER}\n");
        for row in rows {
            text.push_str(row);
            text.push('\n');
        }
        text
    }

    fn err(rows: &[&str]) -> String {
        parse_csv(&csv_of(rows)).unwrap_err().to_string()
    }

    fn sys(id: &str, depends_on: &[&str], services: &[&str]) -> SystemRecord {
        SystemRecord {
            id: id.to_string(),
            name: format!("System {id}"),
            criticality: Criticality::Medium,
            department: "IT".to_string(),
            downtime_procedure: "Paper".to_string(),
            depends_on: depends_on.iter().map(|s| s.to_string()).collect(),
            services: services.iter().map(|s| s.to_string()).collect(),
            functions: vec![],
        }
    }

    fn register(systems: Vec<SystemRecord>) -> Register {
        Register::from_systems(systems).unwrap()
    }

    fn via_of(impact: &Impact, id: &str) -> Vec<String> {
        impact.affected.iter().find(|a| a.id == id).unwrap().via.clone()
    }

    fn path(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn parses_a_register_and_normalises_lists() {
        let text = csv_of(&[
            "pacs,PACS,High,Radiology,Read at modality,ad; network-core; ad,Radiology;;Emergency Department ; ,diagnostics",
            "network-core,Core network,life critical,IT Infrastructure,Downtime PCs,,,",
            "ad,Active Directory,HIGH,IT Infrastructure,Break-glass accounts,network-core,,",
        ]);
        let r = parse_csv(&text).unwrap();
        let ids: Vec<&str> = r.systems.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(ids, ["ad", "network-core", "pacs"]);
        let pacs = r.get("pacs").unwrap();
        assert_eq!(pacs.depends_on, ["ad", "network-core"]);
        assert_eq!(pacs.services, ["Emergency Department", "Radiology"]);
        assert_eq!(pacs.functions, [ClinicalFunction::Diagnostics]);
        assert!(pacs.needs_clinical_signoff());
        assert_eq!(r.get("network-core").unwrap().criticality, Criticality::LifeCritical);
        assert!(!r.get("ad").unwrap().needs_clinical_signoff());
        assert!(r.get("nope").is_none());
        r.validate().unwrap();
    }

    #[test]
    fn columns_may_come_in_any_order_and_blank_lines_are_skipped() {
        let text = "\n functions ,services,depends_on,downtime_procedure,department,criticality,name,id\n\n\
                    medication-administration,Pharmacy,,Paper MAR,Pharmacy,high,Pharmacy system,pharmacy\n\
                    ,,,,,,,\n   \n";
        let r = parse_csv(text).unwrap();
        assert_eq!(r.systems.len(), 1);
        assert_eq!(r.systems[0].functions, [ClinicalFunction::MedicationAdministration]);
        assert_eq!(r.systems[0].name, "Pharmacy system");
    }

    #[test]
    fn header_errors_name_the_columns() {
        assert_eq!(parse_csv("").unwrap_err(), RegisterError::NoHeader);
        assert_eq!(parse_csv("\n\n").unwrap_err(), RegisterError::NoHeader);

        let e = parse_csv("system,name\npacs,PACS\n").unwrap_err();
        assert_eq!(e, RegisterError::UnknownColumn { line: 1, column: "system".to_string() });

        let e = parse_csv(&format!("{HEADER},owner\n")).unwrap_err();
        assert_eq!(e, RegisterError::UnknownColumn { line: 1, column: "owner".to_string() });
        assert!(e.to_string().starts_with("line 1: unknown column \"owner\""), "{e}");

        let e = parse_csv("id,name,criticality,department,downtime_procedure,services\n").unwrap_err();
        assert_eq!(
            e,
            RegisterError::MissingColumns {
                line: 1,
                columns: vec!["depends_on".to_string(), "functions".to_string()]
            }
        );
        assert_eq!(e.to_string(), "line 1: the header lacks column(s) depends_on, functions");

        let e = parse_csv(&format!("{HEADER},id\n")).unwrap_err();
        assert_eq!(e, RegisterError::DuplicateColumn { line: 1, column: "id".to_string() });
        assert_eq!(e.code(), "register.invalid");
    }

    #[test]
    fn bad_criticality_names_line_field_and_value() {
        let e = err(&["ad,AD,high,IT,Paper,,,", "", "pacs,PACS,urgent,Radiology,Paper,,,"]);
        assert_eq!(
            e,
            r#"line 4, field criticality: "urgent" is not one of life-critical, high, medium, low"#
        );
    }

    #[test]
    fn bad_function_is_rejected() {
        let e = err(&["pacs,PACS,high,Radiology,Paper,,,diagnostics;surgery"]);
        assert_eq!(
            e,
            r#"line 2, field functions: "surgery" is not one of medication-administration, diagnostics"#
        );
    }

    #[test]
    fn bad_ids_are_rejected() {
        for bad in ["PACS", "pacs system", "pacs_1", "pâcs", &"a".repeat(65)] {
            let text = csv_of(&[&format!("{bad},PACS,high,Radiology,Paper,,,")]);
            match parse_csv(&text).unwrap_err() {
                RegisterError::Field { line, field, value, reason } => {
                    assert_eq!((line, field.as_str()), (2, "id"));
                    assert!(reason.starts_with("is not a system id"), "{reason}");
                    assert!(bad.starts_with(value.trim_end_matches("...")), "{value}");
                }
                other => panic!("{other:?}"),
            }
        }
        let e = err(&["pacs,PACS,high,Radiology,Paper,Network Core,,"]);
        assert!(e.starts_with(r#"line 2, field depends_on: "Network Core" is not a system id"#), "{e}");
        assert!(parse_csv(&csv_of(&[&format!("{},PACS,high,Radiology,Paper,,,", "a".repeat(64))])).is_ok());
    }

    #[test]
    fn duplicate_id_names_both_lines() {
        let e = parse_csv(&csv_of(&[
            "pacs,PACS,high,Radiology,Paper,,,",
            "ris,RIS,high,Radiology,Paper,,,",
            "pacs,PACS 2,low,Radiology,Paper,,,",
        ]))
        .unwrap_err();
        assert_eq!(e, RegisterError::DuplicateId { id: "pacs".to_string(), first_line: 2, line: 4 });
        assert_eq!(e.to_string(), r#"line 4, field id: "pacs" is already the id of the system on line 2"#);
    }

    #[test]
    fn unknown_dependency_names_line_and_value() {
        let e = err(&[
            "lis,LIS,high,Laboratory,Paper,,,",
            "ris,RIS,high,Radiology,Paper,,,",
            "pacs,PACS,high,Radiology,Paper,ris,,",
            "",
            "",
            "blood-bank,Blood bank,life-critical,Transfusion,O-neg,lis2; lis,,",
        ]);
        assert_eq!(e, r#"line 7, field depends_on: "lis2" names no system in the register"#);
    }

    #[test]
    fn self_dependency_is_rejected_but_cycles_are_not() {
        let e = err(&["lis,LIS,high,Laboratory,Paper,lis,,"]);
        assert!(e.starts_with(r#"line 2, field depends_on: "lis" is the system itself"#), "{e}");
        let r = parse_csv(&csv_of(&["a,A,high,X,Paper,b,,", "b,B,high,X,Paper,a,,"])).unwrap();
        r.validate().unwrap();
    }

    #[test]
    fn empty_required_fields_are_rejected() {
        let cases = [
            (",PACS,high,Radiology,Paper,,,", "id"),
            ("pacs,  ,high,Radiology,Paper,,,", "name"),
            ("pacs,PACS,,Radiology,Paper,,,", "criticality"),
            ("pacs,PACS,high,,Paper,,,", "department"),
            ("pacs,PACS,high,Radiology,,,,", "downtime_procedure"),
        ];
        for (row, field) in cases {
            match parse_csv(&csv_of(&[row])).unwrap_err() {
                RegisterError::Field { line: 2, field: f, .. } => assert_eq!(f, field, "{row}"),
                other => panic!("{row}: {other:?}"),
            }
        }
        assert_eq!(
            err(&["pacs,PACS,high,,Paper,,,"]),
            r#"line 2, field department: "" is empty, but department is required"#
        );
    }

    #[test]
    fn length_limits_and_line_breaks_in_one_line_fields() {
        let long = "x".repeat(2001);
        let e = err(&[&format!("pacs,PACS,high,Radiology,{long},,,")]);
        assert!(e.starts_with("line 2, field downtime_procedure:"), "{e}");
        assert!(e.ends_with("is longer than 2000 characters"), "{e}");
        assert!(e.len() < 200, "the value is shortened: {e}");
        let e = err(&["pacs,\"PACS\nserver\",high,Radiology,Paper,,,"]);
        assert!(e.contains("field name") && e.contains("line break"), "{e}");
    }

    #[test]
    fn row_with_wrong_number_of_cells_is_rejected() {
        let e = parse_csv(&csv_of(&["pacs,PACS,high,Radiology,Paper,,"])).unwrap_err();
        assert_eq!(e, RegisterError::CellCount { line: 2, expected: 8, found: 7 });
        let e = parse_csv(&csv_of(&["pacs,PACS,high,Radiology,Paper, with comma,,,"])).unwrap_err();
        assert_eq!(e, RegisterError::CellCount { line: 2, expected: 8, found: 9 });
    }

    #[test]
    fn quoted_fields_hold_commas_quotes_and_newlines_and_lines_count_physically() {
        let text = csv_of(&[
            "ehr,EHR,life-critical,Clinical Informatics,\"Paper charts, downtime reports\nprinted every 2 h;\nask for \"\"BCA\"\" PCs\",,\"Emergency Department; Inpatient Wards\",",
            "pacs,PACS,urgent,Radiology,Paper,,,",
        ]);
        let r = parse_csv(&text[..text.find("pacs,").unwrap()]).unwrap();
        assert_eq!(
            r.systems[0].downtime_procedure,
            "Paper charts, downtime reports\nprinted every 2 h;\nask for \"BCA\" PCs"
        );
        assert_eq!(r.systems[0].services, ["Emergency Department", "Inpatient Wards"]);
        // The record after the three-line one starts on physical line 5.
        let e = parse_csv(&text).unwrap_err();
        assert!(e.to_string().starts_with("line 5, field criticality"), "{e}");
    }

    #[test]
    fn line_numbers_count_blank_lines_and_any_line_ending() {
        for ending in ["\n", "\r\n", "\r"] {
            let text = [
                "",
                HEADER,
                "",
                "ad,AD,high,IT,\"Paper",
                "forms\",,,",
                "",
                "",
                "pacs,PACS,urgent,Radiology,Paper,,,",
            ]
            .join(ending);
            let e = parse_csv(&text).unwrap_err().to_string();
            assert!(e.starts_with("line 8, field criticality"), "{ending:?}: {e}");
            let e = parse_csv(&format!("\u{feff}{ending}{ending}x,y")).unwrap_err();
            assert_eq!(e, RegisterError::UnknownColumn { line: 3, column: "x".to_string() }, "{ending:?}");
        }
    }

    #[test]
    fn a_byte_order_mark_is_accepted() {
        let text = format!("\u{feff}{}", csv_of(&["pacs,PACS,high,Radiology,Paper,,,"]));
        let r = parse_csv(&text).unwrap();
        assert_eq!(r.systems[0].id, "pacs");
    }

    #[test]
    fn round_trips_through_csv() {
        let mut ehr = sys("ehr", &["ad"], &["Emergency Department", "Inpatient Wards"]);
        ehr.name = "EHR, \"Epic\"".to_string();
        ehr.criticality = Criticality::LifeCritical;
        ehr.downtime_procedure = "Paper charts;\r\nBCA PCs, printed \"MAR\"\n\tevery 4 h".to_string();
        ehr.department = "Clinical Informatics; EHR team".to_string();
        let mut pumps = sys("infusion-pumps", &["ehr", "ad"], &["Intensive Care"]);
        pumps.functions = vec![ClinicalFunction::Diagnostics, ClinicalFunction::MedicationAdministration];
        pumps.criticality = Criticality::Low;
        let ad = sys("ad", &["infusion-pumps"], &[]);
        let r = register(vec![pumps, ehr, ad]);
        let text = to_csv(&r);
        assert!(text.starts_with(&format!("{HEADER}\n")), "{text}");
        assert_eq!(parse_csv(&text).unwrap(), r);
        assert_eq!(parse_csv(&to_csv(&Register { systems: vec![] })).unwrap(), Register { systems: vec![] });
    }

    fn arbitrary_register() -> impl proptest::strategy::Strategy<Value = Register> {
        use proptest::prelude::*;
        let one_line = "[A-Za-z]([A-Za-z0-9,\";'é=+@ -]{0,15}[A-Za-z])?";
        let lines = "[A-Za-z]([A-Za-z0-9,\";'é \n\r\t-]{0,30}[A-Za-z])?";
        let service = "[A-Za-z]([A-Za-z0-9,\"'é -]{0,10}[A-Za-z])?";
        let system = (
            "[a-z0-9-]{1,8}",
            one_line,
            0..4usize,
            one_line,
            lines,
            proptest::collection::vec(0..6usize, 0..4),
            proptest::collection::vec(service, 0..3),
            proptest::collection::vec(0..2usize, 0..3),
        );
        proptest::collection::vec(system, 0..6).prop_map(|raw| {
            let mut ids: Vec<String> = raw.iter().map(|r| r.0.clone()).collect();
            ids.sort();
            ids.dedup();
            let systems = ids
                .iter()
                .filter_map(|id| raw.iter().find(|r| &r.0 == id))
                .map(|(id, name, criticality, department, procedure, deps, services, functions)| {
                    SystemRecord {
                        id: id.clone(),
                        name: name.clone(),
                        criticality: CRITICALITIES[*criticality],
                        department: department.clone(),
                        downtime_procedure: procedure.clone(),
                        depends_on: deps
                            .iter()
                            .filter_map(|&i| ids.get(i))
                            .filter(|d| *d != id)
                            .cloned()
                            .collect(),
                        services: services.clone(),
                        functions: functions.iter().map(|&i| CLINICAL_FUNCTIONS[i]).collect(),
                    }
                })
                .collect();
            Register::from_systems(systems).unwrap()
        })
    }

    proptest::proptest! {
        #[test]
        fn any_valid_register_round_trips(r in arbitrary_register()) {
            proptest::prop_assert_eq!(parse_csv(&to_csv(&r)), Ok(r.clone()));
            for s in &r.systems {
                let i = impact(&r, &s.id).unwrap();
                proptest::prop_assert!(i.affected.iter().all(|a| a.via.first() == Some(&s.id) && a.id != s.id));
            }
        }
    }

    #[test]
    fn validate_catches_what_the_csv_reader_would() {
        let good = register(vec![sys("a", &[], &[]), sys("b", &["a"], &[])]);
        good.validate().unwrap();

        let mut r = good.clone();
        r.systems.reverse();
        assert!(r.validate().unwrap_err().to_string().contains("out of order"));

        let mut r = good.clone();
        r.systems[1].depends_on = vec!["zz".to_string()];
        assert_eq!(
            r.validate().unwrap_err().to_string(),
            r#"system "b", field depends_on: "zz" names no system in the register"#
        );

        let mut r = good.clone();
        r.systems[1].id = "a".to_string();
        r.systems[1].depends_on = vec![];
        assert_eq!(r.validate().unwrap_err(), RegisterError::DuplicateSystem { id: "a".to_string() });

        let mut r = good.clone();
        r.systems[0].name = " padded".to_string();
        assert!(r.validate().unwrap_err().to_string().contains("whitespace"));

        let mut r = good.clone();
        r.systems[0].services = vec!["B".to_string(), "A".to_string()];
        assert!(r.validate().unwrap_err().to_string().contains("not sorted"));

        let mut r = good.clone();
        r.systems[0].services = vec!["A;B".to_string()];
        assert!(r.validate().unwrap_err().to_string().contains("';'"));

        let mut r = good;
        r.systems[0].depends_on = vec!["a".to_string()];
        assert!(r.validate().unwrap_err().to_string().contains("itself"));
    }

    #[test]
    fn chain_gives_direct_and_indirect_with_paths() {
        let mut c = sys("c", &["b"], &["Wards"]);
        c.criticality = Criticality::LifeCritical;
        let r = register(vec![sys("a", &[], &[]), sys("b", &["a"], &[]), c]);
        let i = impact(&r, "a").unwrap();
        assert_eq!(i.system.id, "a");
        let got: Vec<(&str, bool, Vec<String>)> =
            i.affected.iter().map(|a| (a.id.as_str(), a.direct, a.via.clone())).collect();
        // c is life-critical, so it comes first.
        assert_eq!(got, [("c", false, path(&["a", "b", "c"])), ("b", true, path(&["a", "b"]))]);
        assert!(impact(&r, "c").unwrap().affected.is_empty());
        assert_eq!(impact(&r, "zz").unwrap_err(), RegisterError::UnknownSystem { id: "zz".to_string() });
    }

    #[test]
    fn a_cycle_terminates() {
        let r = register(vec![sys("a", &["c"], &[]), sys("b", &["a"], &[]), sys("c", &["b"], &[])]);
        let i = impact(&r, "a").unwrap();
        assert_eq!(via_of(&i, "b"), path(&["a", "b"]));
        assert_eq!(via_of(&i, "c"), path(&["a", "b", "c"]));
        assert_eq!(i.affected.len(), 2, "the isolated system is not listed as affected");
    }

    #[test]
    fn diamond_gives_the_shortest_then_smallest_path() {
        let r = register(vec![
            sys("s", &[], &[]),
            sys("z", &["s"], &[]),
            sys("m", &["s"], &[]),
            sys("c", &["z", "m"], &[]),
            // Shorter through z than through the alphabetically smaller a0-a1 chain.
            sys("a0", &["s"], &[]),
            sys("a1", &["a0"], &[]),
            sys("e", &["a1", "z"], &[]),
            // Ties compare whole chains: [s, m, c, r] beats [s, z, p, r] although its last hop c > p.
            sys("p", &["z"], &[]),
            sys("r", &["p", "c"], &[]),
            sys("d", &["c", "s"], &[]),
        ]);
        let i = impact(&r, "s").unwrap();
        assert_eq!(via_of(&i, "c"), path(&["s", "m", "c"]));
        assert_eq!(via_of(&i, "e"), path(&["s", "z", "e"]));
        assert_eq!(via_of(&i, "r"), path(&["s", "m", "c", "r"]));
        assert_eq!(via_of(&i, "d"), path(&["s", "d"]));
        assert!(i.affected.iter().find(|a| a.id == "d").unwrap().direct);
        // Deterministic whatever the input order.
        let mut systems = r.systems.clone();
        systems.reverse();
        assert_eq!(impact(&register(systems), "s").unwrap(), i);
        let ids: Vec<&str> = i.affected.iter().map(|a| a.id.as_str()).collect();
        assert_eq!(ids, ["a0", "a1", "c", "d", "e", "m", "p", "r", "z"]);
    }

    #[test]
    fn services_are_the_union_with_their_systems() {
        let mut lis = sys("lis", &["hl7"], &["Laboratory", "Emergency Department"]);
        lis.functions = vec![ClinicalFunction::Diagnostics];
        let r = register(vec![
            sys("hl7", &[], &["Integration"]),
            lis,
            sys("bb", &["lis"], &["Emergency Department", "Transfusion"]),
            sys("other", &[], &["Laboratory"]),
        ]);
        let i = impact(&r, "hl7").unwrap();
        let got: Vec<(&str, Vec<String>)> =
            i.services.iter().map(|s| (s.service.as_str(), s.systems.clone())).collect();
        assert_eq!(
            got,
            [
                ("Emergency Department", path(&["bb", "lis"])),
                ("Integration", path(&["hl7"])),
                ("Laboratory", path(&["lis"])),
                ("Transfusion", path(&["bb"])),
            ]
        );
        assert!(i.needs_clinical_signoff, "hl7 handles no clinical function, but lis, which needs it, does");
        assert_eq!(i.signoff_because, ["lis"]);
        assert!(impact(&r, "lis").unwrap().needs_clinical_signoff);
    }

    #[test]
    fn impact_serialises_without_floats_and_back() {
        let r = register(vec![sys("a", &[], &["X"]), sys("b", &["a"], &["Y"])]);
        let i = impact(&r, "a").unwrap();
        let json = serde_json::to_string(&i).unwrap();
        assert!(json.contains(r#""criticality":"medium""#), "{json}");
        assert_eq!(serde_json::from_str::<Impact>(&json).unwrap(), i);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(serde_json::from_str::<Register>(&json).unwrap(), r);
        assert!(serde_json::from_str::<Register>(r#"{"systems":[],"extra":1}"#).is_err());
        assert_eq!(serde_json::to_string(&Criticality::LifeCritical).unwrap(), r#""life-critical""#);
        assert_eq!(
            serde_json::to_string(&ClinicalFunction::MedicationAdministration).unwrap(),
            r#""medication-administration""#
        );
    }

    #[test]
    fn criticality_parses_leniently_and_ranks() {
        for input in ["life-critical", "Life Critical", "LIFE_CRITICAL", " life  critical "] {
            assert_eq!(Criticality::parse(input).unwrap(), Criticality::LifeCritical, "{input}");
        }
        for c in CRITICALITIES {
            assert_eq!(Criticality::parse(c.slug()).unwrap(), c);
            assert_eq!(Criticality::parse(c.label()).unwrap(), c);
        }
        assert!(CRITICALITIES.windows(2).all(|w| w[0] < w[1] && w[0].rank() < w[1].rank()));
        assert_eq!(Criticality::LifeCritical.to_string(), "Life-critical");
        assert_eq!(
            ClinicalFunction::parse("Medication Administration").unwrap(),
            ClinicalFunction::MedicationAdministration
        );
    }

    #[test]
    fn demo_register_isolating_the_interface_engine() {
        let r = parse_csv(include_str!("../../../assets/demo/systems.csv")).unwrap();
        r.validate().unwrap();
        assert_eq!(r.systems.len(), 14);
        assert_eq!(parse_csv(&to_csv(&r)).unwrap(), r);

        let i = impact(&r, "hl7-engine").unwrap();
        for id in ["lis", "pharmacy"] {
            let a = i.affected.iter().find(|a| a.id == id).unwrap();
            assert!(a.direct, "{id}");
            assert_eq!(a.via, path(&["hl7-engine", id]));
        }
        let bcma = i.affected.iter().find(|a| a.id == "bcma").unwrap();
        assert_eq!((bcma.direct, bcma.via.clone()), (false, path(&["hl7-engine", "pharmacy", "bcma"])));
        assert!(i.affected.iter().all(|a| a.id != "ehr" && a.id != "ad" && a.id != "network-core"));

        let supporting =
            |service: &str| i.services.iter().find(|s| s.service == service).map(|s| s.systems.clone());
        assert!(supporting("Laboratory").unwrap().contains(&"lis".to_string()));
        assert!(supporting("Pharmacy").unwrap().contains(&"pharmacy".to_string()));
        for id in ["lis", "pharmacy"] {
            for service in &r.get(id).unwrap().services {
                assert!(supporting(service).unwrap().contains(&id.to_string()), "{service}");
            }
        }
        // Most critical first.
        assert!(i.affected.windows(2).all(|w| w[0].criticality <= w[1].criticality));
        assert!(r.get("pharmacy").unwrap().needs_clinical_signoff());
        assert!(impact(&r, "pharmacy").unwrap().needs_clinical_signoff);
    }
}
