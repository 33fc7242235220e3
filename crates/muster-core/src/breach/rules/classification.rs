//! The classification matrix: scope -> severity SEV1..SEV4 and "major incident", with the rules
//! that fired. The most severe fired rule sets the severity; any fired rule marked `major` makes
//! it a major incident. A result that a count error of `borderline_margin_percent` either way
//! would change is borderline and asks for a second person's review.

use serde::{Deserialize, Serialize};

use super::{line_of, parse_toml, rule_id_on_line, Condition, Facts, RulesetError, RulesetHeader};
use crate::body::ScopeSet;
use crate::severity::Severity;

pub const BUILT_IN_FILE: &str = "classification.toml";
pub const BUILT_IN: &str = include_str!("../../../../../assets/rules/classification.toml");

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MatrixRule {
    pub id: String,
    pub description: String,
    pub severity: Severity,
    pub major: bool,
    pub when: Condition,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Matrix {
    pub header: RulesetHeader,
    pub borderline_margin_percent: u32,
    pub default_severity: Severity,
    pub rules: Vec<MatrixRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    ruleset: RulesetHeader,
    matrix: RawMatrix,
    #[serde(default)]
    rule: Vec<RawRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMatrix {
    borderline_margin_percent: toml::Spanned<u32>,
    default_severity: Severity,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: toml::Spanned<String>,
    description: String,
    severity: Severity,
    #[serde(default)]
    major: bool,
    #[serde(default)]
    when: Option<toml::Spanned<Condition>>,
}

/// A rule that fired, as shown to the user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FiredRule {
    pub id: String,
    pub description: String,
    pub severity: Severity,
    pub major: bool,
    /// What about the scope made it fire.
    pub because: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Verdict {
    pub severity: Severity,
    pub major: bool,
    pub borderline: bool,
    /// Why it is borderline, when it is.
    pub borderline_reason: Option<String>,
    pub fired: Vec<FiredRule>,
    pub matrix: String,
}

impl Matrix {
    pub fn built_in() -> Result<Matrix, RulesetError> {
        Matrix::parse(BUILT_IN_FILE, BUILT_IN)
    }

    pub fn parse(file: &str, text: &str) -> Result<Matrix, RulesetError> {
        let raw: RawFile = parse_toml(file, text)?;
        let margin = *raw.matrix.borderline_margin_percent.get_ref();
        if margin > 50 {
            return Err(RulesetError {
                file: file.into(),
                line: line_of(text, raw.matrix.borderline_margin_percent.span().start),
                field: "matrix.borderline_margin_percent".into(),
                message: format!("{margin} is more than 50"),
            });
        }
        let mut rules: Vec<MatrixRule> = Vec::new();
        for r in raw.rule {
            let (id, line) = rule_id_on_line(file, text, r.id, |id| rules.iter().any(|x| x.id == id))?;
            let when_line = r.when.as_ref().map_or(line, |w| line_of(text, w.span().start));
            let when = r.when.map(toml::Spanned::into_inner).unwrap_or_default();
            when.check(file, when_line)?;
            rules.push(MatrixRule {
                id,
                description: r.description,
                severity: r.severity,
                major: r.major,
                when,
            });
        }
        Ok(Matrix {
            header: raw.ruleset,
            borderline_margin_percent: margin,
            default_severity: raw.matrix.default_severity,
            rules,
        })
    }

    /// Classifies a scope.
    pub fn classify(&self, scope: Option<&ScopeSet>) -> Verdict {
        let facts = Facts { scope, major: false };
        let (severity, major, fired) = self.evaluate(&facts, &|n| n);
        let m = u64::from(self.borderline_margin_percent);
        // The whole numbers of individuals within m% of each count: a count of 1 is still at
        // least 1 with 10% less (0.9), and 454 is still fewer than 500 with 10% more (499.4).
        let low = |n: u64| n.saturating_mul(100 - m).div_ceil(100);
        let high = |n: u64| n.saturating_mul(100 + m) / 100;
        let (sev_low, major_low, _) = self.evaluate(&facts, &low);
        let (sev_high, major_high, _) = self.evaluate(&facts, &high);
        let borderline = m > 0 && (sev_low != sev_high || major_low != major_high);
        let borderline_reason = borderline.then(|| {
            format!(
                "a {m}% error in the counts of individuals would give {}{} to {}{}",
                sev_low,
                if major_low { " major" } else { "" },
                sev_high,
                if major_high { " major" } else { "" },
            )
        });
        let fired = fired
            .into_iter()
            .map(|r| FiredRule {
                id: r.id.clone(),
                description: r.description.clone(),
                severity: r.severity,
                major: r.major,
                because: r.when.explain(&facts),
            })
            .collect();
        Verdict { severity, major, borderline, borderline_reason, fired, matrix: self.header.label() }
    }

    fn evaluate(&self, facts: &Facts<'_>, adjust: &dyn Fn(u64) -> u64) -> (Severity, bool, Vec<&MatrixRule>) {
        let fired: Vec<&MatrixRule> =
            self.rules.iter().filter(|r| r.when.holds_adjusted(facts, adjust)).collect();
        let severity =
            fired.iter().map(|r| r.severity).min_by_key(|s| s.rank()).unwrap_or(self.default_severity);
        let major = fired.iter().any(|r| r.major);
        (severity, major, fired)
    }
}
