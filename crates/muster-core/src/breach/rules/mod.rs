//! Rulesets shipped in `assets/rules/` (versioned TOML): the classification matrix, the
//! regulatory notification clocks and the escalation paths. Each is parsed into plain data and
//! applied to an incident's folded state by a pure function, so every reader with the same
//! ruleset and the same entries sees the same verdicts.
//!
//! A malformed file is reported with its file name, line and field; callers keep the last valid
//! ruleset (the built-in one to begin with).

pub mod classification;
pub mod clocks;
pub mod escalation;

use serde::Deserialize;
use thiserror::Error;

use crate::body::ScopeSet;
use crate::breach::{DataCategory, Exposure, OrgRole, SystemCriticality};
use crate::error::ErrorCode;

/// A ruleset file that cannot be used: which file, which line (1-based), which field, and why.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{file}, line {line}, field {field}: {message}")]
pub struct RulesetError {
    pub file: String,
    pub line: usize,
    pub field: String,
    pub message: String,
}

impl ErrorCode for RulesetError {
    fn code(&self) -> &'static str {
        "ruleset.invalid"
    }
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset.min(text.len())).map_or(1, |t| t.matches('\n').count() + 1)
}

/// The key written on a line (`when.affected_at_least = 5` -> `when.affected_at_least`), used to
/// name the field of a syntax or type error.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let l = text.lines().nth(line.saturating_sub(1))?;
    let (key, _) = l.split_once('=')?;
    let key = key.trim().trim_matches('"');
    (!key.is_empty() && !key.starts_with('[')).then(|| key.to_string())
}

/// Parses `text` as TOML into `T`, turning errors into `RulesetError`s.
pub(crate) fn parse_toml<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, RulesetError> {
    toml::from_str(text).map_err(|e| {
        let line = e.span().map_or(1, |s| line_of(text, s.start));
        let message = e.message().trim().to_string();
        // serde names the field in "missing field `x`" / "unknown field `x`"; otherwise the key
        // written on the offending line is the field.
        let named = message.split('`').nth(1).filter(|_| message.contains("field `")).map(str::to_string);
        let field = named.or_else(|| key_on_line(text, line)).unwrap_or_else(|| "(file)".into());
        RulesetError { file: file.to_string(), line, field, message }
    })
}

/// A condition on an incident's scope and classification. Every part that is present must hold;
/// an empty condition always holds. Thresholds are written exactly as the law writes them:
/// `affected_at_least = 500` ("500 or more") is not `affected_more_than = 500` ("more than 500").
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    #[serde(default)]
    pub roles_any: Vec<OrgRole>,
    /// Does not hold when every recorded role is in this list: an organisation that is only a
    /// vendor (business associate, processor) does not owe the data owner's notices. Holds when
    /// no role is recorded: nothing shows the organisation is not the owner.
    #[serde(default)]
    pub roles_not_only: Vec<OrgRole>,
    #[serde(default)]
    pub data_any: Vec<DataCategory>,
    #[serde(default)]
    pub exposure_any: Vec<Exposure>,
    /// Does not hold when every recorded exposure is in this list (a safe harbour such as a lost
    /// encrypted device). Holds when no exposure is recorded: nothing shows the harbour applies.
    #[serde(default)]
    pub exposure_not_only: Vec<Exposure>,
    /// Count individuals only in this region (country, subdivision, `EU` or `EEA`).
    #[serde(default)]
    pub affected_in: Option<String>,
    #[serde(default)]
    pub affected_at_least: Option<u64>,
    #[serde(default)]
    pub affected_more_than: Option<u64>,
    #[serde(default)]
    pub affected_fewer_than: Option<u64>,
    /// Some subdivision of `affected_in` (a state of the US) has more than this many.
    #[serde(default)]
    pub any_subdivision_more_than: Option<u64>,
    /// Some affected system is at least this critical.
    #[serde(default)]
    pub systems_at_least: Option<SystemCriticality>,
    #[serde(default)]
    pub major: Option<bool>,
    #[serde(default)]
    pub litigation_exposure: Option<bool>,
}

/// What conditions are checked against.
#[derive(Clone, Copy, Debug)]
pub struct Facts<'a> {
    pub scope: Option<&'a ScopeSet>,
    pub major: bool,
}

impl Condition {
    pub fn holds(&self, facts: &Facts<'_>) -> bool {
        self.holds_adjusted(facts, &|n| n)
    }

    /// `adjust` is applied to every count before it is compared (the classification matrix
    /// uses it to find results that a small error in the count would change).
    pub fn holds_adjusted(&self, facts: &Facts<'_>, adjust: &dyn Fn(u64) -> u64) -> bool {
        if let Some(major) = self.major {
            if facts.major != major {
                return false;
            }
        }
        if !self.needs_scope() {
            return true;
        }
        let Some(scope) = facts.scope else {
            return false;
        };
        if !self.roles_any.is_empty() && !self.roles_any.iter().any(|r| scope.roles.contains(r)) {
            return false;
        }
        if !self.roles_not_only.is_empty()
            && !scope.roles.is_empty()
            && scope.roles.iter().all(|r| self.roles_not_only.contains(r))
        {
            return false;
        }
        if !self.data_any.is_empty() && !self.data_any.iter().any(|d| scope.data.contains(d)) {
            return false;
        }
        if !self.exposure_any.is_empty() && !self.exposure_any.iter().any(|x| scope.exposure.contains(x)) {
            return false;
        }
        if !self.exposure_not_only.is_empty()
            && !scope.exposure.is_empty()
            && scope.exposure.iter().all(|x| self.exposure_not_only.contains(x))
        {
            return false;
        }
        if let Some(flag) = self.litigation_exposure {
            if scope.litigation_exposure != flag {
                return false;
            }
        }
        if let Some(level) = self.systems_at_least {
            if !scope.systems.iter().any(|s| s.criticality.rank() <= level.rank()) {
                return false;
            }
        }
        let region = self.affected_in.as_deref();
        let count = adjust(scope.individuals_in(region));
        let has_threshold = self.affected_at_least.is_some()
            || self.affected_more_than.is_some()
            || self.affected_fewer_than.is_some();
        if region.is_some() && !has_threshold && self.any_subdivision_more_than.is_none() && count == 0 {
            return false;
        }
        if self.affected_at_least.is_some_and(|n| count < n) {
            return false;
        }
        if self.affected_more_than.is_some_and(|n| count <= n) {
            return false;
        }
        if self.affected_fewer_than.is_some_and(|n| count >= n) {
            return false;
        }
        if let Some(n) = self.any_subdivision_more_than {
            let any = subdivisions_in(scope, region).any(|(_, individuals)| adjust(individuals) > n);
            if !any {
                return false;
            }
        }
        true
    }

    fn needs_scope(&self) -> bool {
        !(self.roles_any.is_empty()
            && self.roles_not_only.is_empty()
            && self.data_any.is_empty()
            && self.exposure_any.is_empty()
            && self.exposure_not_only.is_empty()
            && self.affected_in.is_none()
            && self.affected_at_least.is_none()
            && self.affected_more_than.is_none()
            && self.affected_fewer_than.is_none()
            && self.any_subdivision_more_than.is_none()
            && self.systems_at_least.is_none()
            && self.litigation_exposure.is_none())
    }

    /// Checks what serde cannot: a region the jurisdictions understand.
    pub(crate) fn check(&self, file: &str, line: usize) -> Result<(), RulesetError> {
        if let Some(region) = &self.affected_in {
            if !crate::breach::is_region(region) {
                return Err(RulesetError {
                    file: file.to_string(),
                    line,
                    field: "when.affected_in".into(),
                    message: format!(
                        "{region:?} is not a region: use an ISO 3166 code (US, US-CA, DE) or EU / EEA"
                    ),
                });
            }
        }
        Ok(())
    }

    /// Why the condition holds, for people: the parts that were checked.
    pub fn explain(&self, facts: &Facts<'_>) -> String {
        let mut parts = Vec::new();
        if let Some(scope) = facts.scope {
            let region = self.affected_in.as_deref();
            if region.is_some() || self.affected_at_least.is_some() || self.affected_more_than.is_some() {
                let n = scope.individuals_in(region);
                parts.push(format!("{n} individuals in {}", region.unwrap_or("all jurisdictions")));
            }
            if let Some(limit) = self.any_subdivision_more_than {
                let over: Vec<String> = subdivisions_in(scope, region)
                    .filter(|&(_, n)| n > limit)
                    .map(|(place, n)| format!("{place} {n}"))
                    .collect();
                parts.push(format!("more than {limit} in {}", over.join(", ")));
            }
            if !self.roles_any.is_empty() {
                let roles: Vec<&str> =
                    scope.roles.iter().filter(|r| self.roles_any.contains(r)).map(|r| r.slug()).collect();
                parts.push(format!("role {}", roles.join(", ")));
            }
            if !self.roles_not_only.is_empty() {
                let vendors: Vec<&str> = self.roles_not_only.iter().map(|r| r.slug()).collect();
                if scope.roles.is_empty() {
                    parts.push("no organisation role recorded (taken as the data owner)".into());
                } else {
                    let roles: Vec<&str> = scope.roles.iter().map(|r| r.slug()).collect();
                    parts.push(format!("roles {} (not only {})", roles.join(", "), vendors.join(" or ")));
                }
            }
            if !self.data_any.is_empty() {
                let data: Vec<&str> =
                    scope.data.iter().filter(|d| self.data_any.contains(d)).map(|d| d.slug()).collect();
                parts.push(format!("data {}", data.join(", ")));
            }
            if !self.exposure_any.is_empty() {
                let x: Vec<&str> = scope
                    .exposure
                    .iter()
                    .filter(|d| self.exposure_any.contains(d))
                    .map(|d| d.slug())
                    .collect();
                parts.push(format!("exposure {}", x.join(", ")));
            }
            if let Some(level) = self.systems_at_least {
                parts.push(format!("a {} system affected", level.slug()));
            }
            if self.litigation_exposure == Some(true) {
                parts.push("litigation exposure flagged".into());
            }
        }
        if self.major == Some(true) {
            parts.push("major incident".into());
        }
        if parts.is_empty() {
            "always".into()
        } else {
            parts.join("; ")
        }
    }
}

/// The subdivisions (each place once, `US-PR` however it was spelled) within `region` with
/// their individuals.
fn subdivisions_in<'a>(scope: &'a ScopeSet, region: Option<&'a str>) -> impl Iterator<Item = (&'a str, u64)> {
    scope.places().into_iter().filter(move |(place, _)| {
        place.contains('-') && region.is_none_or(|r| crate::breach::scope::place_within(place, r))
    })
}

/// The header every ruleset file starts with.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RulesetHeader {
    pub name: String,
    pub version: u32,
    /// The date the rules were last checked against their sources.
    pub as_of: String,
}

impl RulesetHeader {
    pub fn label(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// A ruleset file: its header and its rules.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RulesFile<R> {
    pub ruleset: RulesetHeader,
    #[serde(default = "Vec::new")]
    pub rule: Vec<R>,
}

/// A rule's id with the line it stands on, checked: well formed and not used by an earlier rule.
pub(crate) fn rule_id_on_line(
    file: &str,
    text: &str,
    id: toml::Spanned<String>,
    used: impl Fn(&str) -> bool,
) -> Result<(String, usize), RulesetError> {
    let line = line_of(text, id.span().start);
    let id = id.into_inner();
    check_rule_id(file, line, &id)?;
    if used(&id) {
        return Err(duplicate_id(file, line, "id", &id));
    }
    Ok((id, line))
}

pub(crate) fn duplicate_id(file: &str, line: usize, field: &str, id: &str) -> RulesetError {
    RulesetError {
        file: file.to_string(),
        line,
        field: field.to_string(),
        message: format!("rule id {id:?} is used twice"),
    }
}

pub(crate) fn check_rule_id(file: &str, line: usize, id: &str) -> Result<(), RulesetError> {
    crate::breach::rule_id("id", id).map_err(|e| RulesetError {
        file: file.to_string(),
        line,
        field: "id".into(),
        message: e.reason,
    })
}
