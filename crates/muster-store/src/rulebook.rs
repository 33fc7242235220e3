//! The rulesets an installation runs on: the built-in ones from `assets/rules/`, unless the
//! installation has its own copy in `<data dir>/rules/` (an organisation's counsel may add a
//! state or tighten an escalation). A copy that does not parse is reported (file, line, field)
//! and the last valid copy stays in force: the last text that parsed is kept in the database,
//! so a typo saved at 3 a.m. never leaves the war room without clocks.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use muster_core::breach::rules::classification::{self, Matrix};
use muster_core::breach::rules::clocks::{self, ClockRuleset};
use muster_core::breach::rules::escalation::{self, EscalationRuleset};
use muster_core::breach::rules::RulesetError;
use serde::Serialize;

use crate::store::Store;

pub const RULES_DIR: &str = "rules";

/// Which copy of a ruleset is in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesetSource {
    BuiltIn,
    /// The installation's file in `<data dir>/rules/`.
    Installation,
    /// The installation's file is malformed; its last valid text is in force.
    LastValid,
}

/// A ruleset file that could not be used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RulesetProblem {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
    /// What is in force instead.
    pub using: RulesetSource,
}

#[derive(Clone, Debug, Serialize)]
pub struct RulesetInForce {
    pub file: String,
    pub name: String,
    pub version: u32,
    pub source: RulesetSource,
}

#[derive(Clone, Debug)]
pub struct Rulebook {
    pub clocks: ClockRuleset,
    pub matrix: Matrix,
    pub escalation: EscalationRuleset,
    pub in_force: Vec<RulesetInForce>,
    pub problems: Vec<RulesetProblem>,
}

impl Rulebook {
    /// The rulesets shipped with Muster. They are checked by tests, so failing here means a
    /// broken build; the error still names file, line and field.
    pub fn built_in() -> Result<Rulebook, RulesetError> {
        // Parsed once per process: the desktop reads the rules on every board refresh.
        static BUILT_IN: OnceLock<Result<Rulebook, RulesetError>> = OnceLock::new();
        BUILT_IN
            .get_or_init(|| {
                let clocks = ClockRuleset::built_in()?;
                let matrix = Matrix::built_in()?;
                let escalation = EscalationRuleset::built_in()?;
                let in_force = vec![
                    in_force(clocks::BUILT_IN_FILE, &clocks.header, RulesetSource::BuiltIn),
                    in_force(classification::BUILT_IN_FILE, &matrix.header, RulesetSource::BuiltIn),
                    in_force(escalation::BUILT_IN_FILE, &escalation.header, RulesetSource::BuiltIn),
                ];
                Ok(Rulebook { clocks, matrix, escalation, in_force, problems: Vec::new() })
            })
            .clone()
    }

    /// The rulesets in force for the installation at `data_dir`.
    pub fn load(data_dir: &Path, store: &Store) -> Result<Rulebook, RulesetError> {
        let built_in = Rulebook::built_in()?;
        let dir = data_dir.join(RULES_DIR);
        let mut report = Report { in_force: Vec::new(), problems: Vec::new() };
        let clocks = load_one(
            &dir,
            store,
            clocks::BUILT_IN_FILE,
            built_in.clocks,
            ClockRuleset::parse,
            |r| &r.header,
            &mut report,
        );
        let matrix = load_one(
            &dir,
            store,
            classification::BUILT_IN_FILE,
            built_in.matrix,
            Matrix::parse,
            |r| &r.header,
            &mut report,
        );
        let escalation = load_one(
            &dir,
            store,
            escalation::BUILT_IN_FILE,
            built_in.escalation,
            EscalationRuleset::parse,
            |r| &r.header,
            &mut report,
        );
        Ok(Rulebook { clocks, matrix, escalation, in_force: report.in_force, problems: report.problems })
    }
}

struct Report {
    in_force: Vec<RulesetInForce>,
    problems: Vec<RulesetProblem>,
}

fn in_force(
    file: &str,
    header: &muster_core::breach::rules::RulesetHeader,
    source: RulesetSource,
) -> RulesetInForce {
    RulesetInForce { file: file.to_string(), name: header.name.clone(), version: header.version, source }
}

fn setting_key(file: &str) -> String {
    format!("rules.last_valid.{file}")
}

fn load_one<T: Clone>(
    dir: &Path,
    store: &Store,
    file: &str,
    built_in: T,
    parse: fn(&str, &str) -> Result<T, RulesetError>,
    header: fn(&T) -> &muster_core::breach::rules::RulesetHeader,
    book: &mut Report,
) -> T {
    let path: PathBuf = dir.join(file);
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            book.in_force.push(in_force(file, header(&built_in), RulesetSource::BuiltIn));
            return built_in;
        }
        Err(e) => {
            let (using, ruleset) = fallback(store, file, built_in, parse);
            book.problems.push(RulesetProblem {
                file: shown,
                line: 0,
                field: "(file)".into(),
                message: format!("cannot be read: {e}"),
                using,
            });
            book.in_force.push(in_force(file, header(&ruleset), using));
            return ruleset;
        }
    };
    match parse(&shown, &text) {
        Ok(ruleset) => {
            // Remembered so that a later broken edit falls back to this text. Written only when
            // it changed: a read must not look like a change to the store's change probe. A
            // failure to remember only weakens that fallback, so it does not stop the load.
            if store.setting(&setting_key(file)).ok().flatten().as_deref() != Some(text.as_str()) {
                let _ = store.set_setting(&setting_key(file), &text);
            }
            book.in_force.push(in_force(file, header(&ruleset), RulesetSource::Installation));
            ruleset
        }
        Err(e) => {
            let (using, ruleset) = fallback(store, file, built_in, parse);
            book.problems.push(RulesetProblem {
                file: e.file,
                line: e.line,
                field: e.field,
                message: e.message,
                using,
            });
            book.in_force.push(in_force(file, header(&ruleset), using));
            ruleset
        }
    }
}

fn fallback<T>(
    store: &Store,
    file: &str,
    built_in: T,
    parse: fn(&str, &str) -> Result<T, RulesetError>,
) -> (RulesetSource, T) {
    let remembered = store.setting(&setting_key(file)).ok().flatten();
    match remembered.and_then(|text| parse(file, &text).ok()) {
        Some(r) => (RulesetSource::LastValid, r),
        None => (RulesetSource::BuiltIn, built_in),
    }
}
