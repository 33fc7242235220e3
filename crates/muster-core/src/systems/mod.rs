//! The clinical systems register: the hospital's clinical and supporting IT systems (EHR, PACS,
//! laboratory, pharmacy, infusion-pump server, ICU central monitoring...), how critical each is,
//! who owns it, what staff do while it is down, which other systems it needs, and which clinical
//! services it supports. When the incident commander proposes to isolate a system (for example to
//! pull it off the network during ransomware), [`impact()`] lists every system and clinical service
//! that goes down with it, directly or through dependencies.
//!
//! Pure: the register is read from a `&str` ([`parse_csv`]) and written to a `String`
//! ([`to_csv`]). Every type here serialises to JSON without floats, so it can be embedded in the
//! body of a signed log entry. A register read back from JSON has not been checked: call
//! [`Register::validate`] before trusting it ([`impact()`] does so itself).
//!

//! The CSV form of the register is in [`csv`]; what an isolation takes down in [`impact`].

mod csv;
mod impact;
#[cfg(test)]
mod tests;

pub use csv::{parse_csv, to_csv};
pub use impact::{impact, AffectedService, AffectedSystem, Impact};

use std::collections::{HashMap, HashSet};
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
