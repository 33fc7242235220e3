//! The classification matrix of assets/rules/classification.toml: each rule fires on the scope it
//! describes and not just past its edge, the most severe fired rule sets the severity, any major
//! rule makes a major incident, an incident without scope is the default severity, results near a
//! threshold are borderline, and a malformed matrix names its file, line and field.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use muster_core::breach::rules::classification::{Matrix, Verdict};
use muster_core::breach::{DataCategory as D, Exposure as X, SystemCriticality as C};
use muster_core::*;
use support::*;

fn matrix() -> Matrix {
    Matrix::built_in().expect("the built-in matrix parses")
}

fn classify(scope: &Scope) -> Verdict {
    matrix().classify(Some(&scope.0))
}

fn fired(v: &Verdict) -> Vec<&str> {
    v.fired.iter().map(|f| f.id.as_str()).collect()
}

const PHI: &[D] = &[D::ClinicalPhi];

#[test]
fn the_built_in_matrix_parses() {
    let m = matrix();
    assert_eq!(m.header.label(), "muster-classification@1");
    assert_eq!(m.borderline_margin_percent, 10);
    assert_eq!(m.default_severity, Severity::Sev4);
}

struct Case {
    name: &'static str,
    scope: Scope,
    fired: Vec<&'static str>,
    severity: Severity,
    major: bool,
}

/// One scope per rule that makes it fire, with counts far from any threshold.
fn firing_cases() -> Vec<Case> {
    let c = |name, scope, fired, severity, major| Case { name, scope, fired, severity, major };
    vec![
        c(
            "life-critical-system",
            scope().system("icu-monitoring", C::LifeCritical),
            vec!["life-critical-system", "medium-system"],
            Severity::Sev1,
            true,
        ),
        c(
            "phi-exfiltration-500",
            scope().data(PHI).exposure(&[X::ExfiltrationConfirmed]).affected("US-TX", 5000),
            vec!["phi-exfiltration-500", "phi-500", "phi-exposed"],
            Severity::Sev1,
            true,
        ),
        c(
            "sensitive-categories-exfiltrated",
            scope().data(&[D::Genetic]).exposure(&[X::ExfiltrationConfirmed]).affected("US-TX", 20),
            vec!["sensitive-categories-exfiltrated", "phi-exposed"],
            Severity::Sev1,
            true,
        ),
        c(
            "phi-500",
            scope().data(PHI).exposure(&[X::Misdirected]).affected("DE", 5000),
            vec!["phi-500", "phi-misdirected-or-disposed"],
            Severity::Sev2,
            true,
        ),
        c(
            "ransomware-high-system",
            scope().exposure(&[X::RansomwareEncryption]).system("pacs", C::High),
            vec!["ransomware-high-system", "medium-system"],
            Severity::Sev2,
            false,
        ),
        c(
            "phi-exposed",
            scope().data(&[D::Financial]).exposure(&[X::UnauthorisedAccess]).affected("US-CA", 40),
            vec!["phi-exposed"],
            Severity::Sev2,
            false,
        ),
        c(
            "credentials-compromised",
            scope().data(&[D::Credentials]),
            vec!["credentials-compromised"],
            Severity::Sev3,
            false,
        ),
        c(
            "phi-misdirected-or-disposed",
            scope().data(&[D::MentalHealth]).exposure(&[X::ImproperDisposal]).affected("GB", 12),
            vec!["phi-misdirected-or-disposed"],
            Severity::Sev3,
            false,
        ),
        c(
            "staff-pii",
            scope().data(&[D::StaffPii]).exposure(&[X::UnauthorisedAccess]).affected("US-NY", 300),
            vec!["staff-pii"],
            Severity::Sev3,
            false,
        ),
        c(
            "medium-system",
            scope().system("intranet-wiki", C::Medium),
            vec!["medium-system"],
            Severity::Sev3,
            false,
        ),
    ]
}

#[test]
fn the_table_fires_every_built_in_rule() {
    let named: Vec<&str> = firing_cases().iter().map(|c| c.name).collect();
    let ids: Vec<String> = matrix().rules.iter().map(|r| r.id.clone()).collect();
    assert_eq!(named, ids, "one case per rule, in matrix order");
}

#[test]
fn each_rule_fires_on_its_scope() {
    for case in firing_cases() {
        let v = classify(&case.scope);
        let name = case.name;
        assert!(fired(&v).contains(&name), "{name} did not fire: {:?}", fired(&v));
        assert_eq!(fired(&v), case.fired, "{name}: fired");
        assert_eq!((v.severity, v.major), (case.severity, case.major), "{name}");
        assert!(!v.borderline, "{name}: {:?}", v.borderline_reason);
        assert_eq!(v.borderline_reason, None);
        assert_eq!(v.matrix, "muster-classification@1");
        let rule = v.fired.iter().find(|f| f.id == name).unwrap();
        let declared = matrix().rules.into_iter().find(|r| r.id == name).unwrap();
        assert_eq!((rule.severity, rule.major), (declared.severity, declared.major), "{name}");
        assert!(!rule.description.is_empty() && !rule.because.is_empty(), "{name}");
    }
}

#[test]
fn no_rule_fires_just_past_its_edge() {
    // (rule, why not, scope)
    let cases: Vec<(&str, &str, Scope)> = vec![
        ("life-critical-system", "only a high-criticality system", scope().system("pacs", C::High)),
        (
            "phi-exfiltration-500",
            "499 individuals",
            scope().data(PHI).exposure(&[X::ExfiltrationConfirmed]).affected("US-TX", 400).affected("DE", 99),
        ),
        (
            "phi-exfiltration-500",
            "accessed, not exfiltrated",
            scope().data(PHI).exposure(&[X::UnauthorisedAccess]).affected("US-TX", 5000),
        ),
        (
            "sensitive-categories-exfiltrated",
            "ordinary clinical PHI",
            scope().data(PHI).exposure(&[X::ExfiltrationConfirmed]).affected("US-TX", 20),
        ),
        (
            "sensitive-categories-exfiltrated",
            "substance-use records accessed, not exfiltrated",
            scope().data(&[D::SubstanceUse]).exposure(&[X::UnauthorisedAccess]).affected("US-TX", 20),
        ),
        (
            "sensitive-categories-exfiltrated",
            "nobody affected",
            scope().data(&[D::Genetic]).exposure(&[X::ExfiltrationConfirmed]),
        ),
        ("phi-500", "499 individuals", scope().data(PHI).exposure(&[X::Misdirected]).affected("DE", 499)),
        (
            "phi-500",
            "only an encrypted device lost",
            scope().data(PHI).exposure(&[X::EncryptedDeviceLost]).affected("DE", 5000),
        ),
        (
            "phi-500",
            "staff records, not PHI",
            scope().data(&[D::StaffPii]).exposure(&[X::Misdirected]).affected("DE", 5000),
        ),
        (
            "ransomware-high-system",
            "ransomware on a medium system",
            scope().exposure(&[X::RansomwareEncryption]).system("wiki", C::Medium),
        ),
        (
            "ransomware-high-system",
            "a high system, no ransomware",
            scope().exposure(&[X::Other]).system("pacs", C::High),
        ),
        (
            "phi-exposed",
            "PHI misdirected",
            scope().data(PHI).exposure(&[X::Misdirected]).affected("US-CA", 40),
        ),
        (
            "phi-exposed",
            "PHI of nobody",
            scope().data(PHI).exposure(&[X::UnauthorisedAccess]).affected("US-CA", 0),
        ),
        ("credentials-compromised", "staff records only", scope().data(&[D::StaffPii])),
        (
            "phi-misdirected-or-disposed",
            "PHI exfiltrated",
            scope().data(PHI).exposure(&[X::ExfiltrationConfirmed]).affected("US-CA", 40),
        ),
        (
            "staff-pii",
            "only an encrypted device lost",
            scope().data(&[D::StaffPii]).exposure(&[X::EncryptedDeviceLost]).affected("US-NY", 300),
        ),
        ("medium-system", "only a low-criticality system", scope().system("cafeteria-menu", C::Low)),
    ];
    for (rule, why, scope) in cases {
        let v = classify(&scope);
        assert!(!fired(&v).contains(&rule), "{rule} fired although {why}: {:?}", fired(&v));
    }
}

#[test]
fn the_most_severe_rule_sets_the_severity_and_any_major_rule_makes_it_major() {
    // (name, scope, severity, major, fired)
    let cases: Vec<(&str, Scope, Severity, bool, Vec<&str>)> = vec![
        (
            "sev3 and sev1: sev1",
            scope().data(&[D::Credentials]).system("icu-monitoring", C::LifeCritical),
            Severity::Sev1,
            true,
            vec!["life-critical-system", "credentials-compromised", "medium-system"],
        ),
        (
            "sev2 without major and sev2 with: major",
            scope()
                .data(PHI)
                .exposure(&[X::RansomwareEncryption])
                .system("pacs", C::High)
                .affected("US-TX", 900),
            Severity::Sev2,
            true,
            vec!["phi-500", "ransomware-high-system", "phi-exposed", "medium-system"],
        ),
        (
            "sev2 and sev3, none major",
            scope()
                .data(&[D::Financial, D::Credentials, D::StaffPii])
                .exposure(&[X::UnauthorisedAccess])
                .affected("US-TX", 40),
            Severity::Sev2,
            false,
            vec!["phi-exposed", "credentials-compromised", "staff-pii"],
        ),
        (
            "only sev3 rules",
            scope().data(&[D::Credentials, D::StaffPii]).system("wiki", C::Medium),
            Severity::Sev3,
            false,
            vec!["credentials-compromised", "staff-pii", "medium-system"],
        ),
        (
            "everything at once",
            scope()
                .data(&[D::SubstanceUse, D::Credentials, D::StaffPii])
                .exposure(&[X::ExfiltrationConfirmed, X::RansomwareEncryption, X::Misdirected])
                .system("icu-monitoring", C::LifeCritical)
                .system("pacs", C::High)
                .affected("US-TX", 5000),
            Severity::Sev1,
            true,
            vec![
                "life-critical-system",
                "phi-exfiltration-500",
                "sensitive-categories-exfiltrated",
                "phi-500",
                "ransomware-high-system",
                "phi-exposed",
                "credentials-compromised",
                "phi-misdirected-or-disposed",
                "staff-pii",
                "medium-system",
            ],
        ),
        (
            "a low system only: the default",
            scope().system("cafeteria-menu", C::Low),
            Severity::Sev4,
            false,
            vec![],
        ),
        (
            "PHI on an encrypted laptop: nothing fires",
            scope().data(PHI).exposure(&[X::EncryptedDeviceLost]).affected("US-CA", 5000),
            Severity::Sev4,
            false,
            vec![],
        ),
        ("an empty scope", scope(), Severity::Sev4, false, vec![]),
    ];
    for (name, scope, severity, major, expected) in cases {
        let v = classify(&scope);
        assert_eq!((v.severity, v.major), (severity, major), "{name}");
        assert_eq!(fired(&v), expected, "{name}");
    }
}

#[test]
fn no_scope_is_the_default_severity() {
    let v = matrix().classify(None);
    assert_eq!((v.severity, v.major, v.borderline), (Severity::Sev4, false, false));
    assert!(v.fired.is_empty());
    assert_eq!(v.borderline_reason, None);
    assert_eq!(v.matrix, "muster-classification@1");
}

#[test]
fn results_within_ten_percent_of_a_threshold_are_borderline() {
    let accessed = |n: u64| scope().data(PHI).exposure(&[X::UnauthorisedAccess]).affected("US-TX", n);
    let exfiltrated = |n: u64| scope().data(PHI).exposure(&[X::ExfiltrationConfirmed]).affected("US-TX", n);
    // (scope, severity, major, borderline)
    // The count is estimated: a result is borderline when the true count could be 10% off either
    // way and cross 500 (phi-500 is "500 or more"). 10% more than 454 is 499.4 (fewer than 500
    // people), 10% less than 555 is 499.5: the band is 455..=554.
    let cases: Vec<(&str, Scope, Severity, bool, bool)> = vec![
        ("1 individual (10% less is still someone)", accessed(1), Severity::Sev2, false, false),
        ("10 individuals", accessed(10), Severity::Sev2, false, false),
        ("453 individuals", accessed(453), Severity::Sev2, false, false),
        ("454 individuals", accessed(454), Severity::Sev2, false, false),
        ("455 individuals", accessed(455), Severity::Sev2, false, true),
        ("499 individuals", accessed(499), Severity::Sev2, false, true),
        ("500 individuals", accessed(500), Severity::Sev2, true, true),
        ("550 individuals", accessed(550), Severity::Sev2, true, true),
        ("554 individuals", accessed(554), Severity::Sev2, true, true),
        ("555 individuals", accessed(555), Severity::Sev2, true, false),
        ("5000 individuals", accessed(5000), Severity::Sev2, true, false),
        ("exfiltrated, 455", exfiltrated(455), Severity::Sev2, false, true),
        ("exfiltrated, 520", exfiltrated(520), Severity::Sev1, true, true),
        ("exfiltrated, 5000", exfiltrated(5000), Severity::Sev1, true, false),
        ("exfiltrated, 10", exfiltrated(10), Severity::Sev2, false, false),
        (
            "500 split across jurisdictions: the total counts",
            scope().data(PHI).exposure(&[X::UnauthorisedAccess]).affected("US-TX", 300).affected("DE", 200),
            Severity::Sev2,
            true,
            true,
        ),
        (
            "near 500 but with a life-critical system: sev1 major either way",
            accessed(500).system("icu-monitoring", C::LifeCritical),
            Severity::Sev1,
            true,
            false,
        ),
        (
            "misdirected PHI of 1 (sev3 either way)",
            scope().data(PHI).exposure(&[X::Misdirected]).affected("US-TX", 1),
            Severity::Sev3,
            false,
            false,
        ),
    ];
    for (name, scope, severity, major, borderline) in cases {
        let v = classify(&scope);
        assert_eq!(
            (v.severity, v.major, v.borderline),
            (severity, major, borderline),
            "{name}: {:?}",
            v.borderline_reason
        );
        assert_eq!(v.borderline_reason.is_some(), borderline, "{name}");
    }
    let reason = classify(&accessed(480)).borderline_reason.unwrap();
    assert_eq!(reason, "a 10% error in the counts of individuals would give SEV2 to SEV2 major");
    let reason = classify(&exfiltrated(520)).borderline_reason.unwrap();
    assert_eq!(reason, "a 10% error in the counts of individuals would give SEV2 to SEV1 major");
}

const MATRIX: &str = r#"# Test matrix; borderline_margin_percent is the count error that asks for a review.
[ruleset]
name = "test-matrix"
version = 3
as_of = "2026-11-22"

[matrix]
borderline_margin_percent = 10
default_severity = "sev4"

[[rule]]
id = "phi-500"
description = "PHI of 500 or more"
severity = "sev2"
major = true
when = { data_any = ["clinical-phi"], affected_at_least = 500 }

[[rule]]
id = "medium-system"
description = "A medium system"
severity = "sev3"
when = { systems_at_least = "medium" }
"#;

#[test]
fn a_custom_margin_moves_the_borderline_band() {
    let phi = |n: u64| scope().data(PHI).affected("US-TX", n);
    // (margin, count, borderline)
    let cases = [
        (0, 499, false),
        (0, 500, false),
        (20, 417, true),
        (20, 416, false),
        (50, 334, true),
        (50, 333, false),
    ];
    for (margin, n, borderline) in cases {
        let text = MATRIX
            .replace("borderline_margin_percent = 10", &format!("borderline_margin_percent = {margin}"));
        let m = Matrix::parse("classification.toml", &text).unwrap();
        assert_eq!(m.header.label(), "test-matrix@3");
        assert_eq!(m.classify(Some(&phi(n).0)).borderline, borderline, "{margin}% at {n}");
    }
}

#[test]
fn malformed_matrices_name_file_line_and_field() {
    // (what, text to replace, replacement, line, field)
    let cases: Vec<(&str, &str, &str, usize, &str)> = vec![
        ("a TOML syntax error", "severity = \"sev3\"", "severity = sev3", 21, "severity"),
        ("an unknown field in a rule", "major = true\n", "major = true\ncolour = \"red\"\n", 16, "colour"),
        (
            "an unknown field in [matrix]",
            "default_severity = \"sev4\"\n",
            "default_severity = \"sev4\"\nrounding = \"up\"\n",
            10,
            "rounding",
        ),
        (
            "an unknown field in a condition",
            "systems_at_least = \"medium\"",
            "systems_at_least = \"medium\", mood = 1",
            22,
            "mood",
        ),
        ("an unknown severity", "severity = \"sev2\"", "severity = \"sev5\"", 14, "severity"),
        (
            "an unknown default severity",
            "default_severity = \"sev4\"",
            "default_severity = \"sev0\"",
            9,
            "default_severity",
        ),
        ("an unknown criticality", "\"medium\" }", "\"vital\" }", 22, "when"),
        ("an unknown data category", "[\"clinical-phi\"]", "[\"clinical\"]", 16, "when"),
        ("a flag of the wrong type", "major = true", "major = \"yes\"", 15, "major"),
        ("a duplicate id", "id = \"medium-system\"", "id = \"phi-500\"", 19, "id"),
        ("an id with a space", "id = \"phi-500\"", "id = \"phi 500\"", 12, "id"),
        (
            "a bad region",
            "affected_at_least = 500",
            "affected_at_least = 500, affected_in = \"EUR\"",
            16,
            "when.affected_in",
        ),
        (
            "a margin over 50%",
            "borderline_margin_percent = 10",
            "borderline_margin_percent = 60",
            8,
            "matrix.borderline_margin_percent",
        ),
        (
            "a negative margin",
            "borderline_margin_percent = 10",
            "borderline_margin_percent = -1",
            8,
            "borderline_margin_percent",
        ),
        ("a missing field", "description = \"A medium system\"\n", "", 18, "description"),
        (
            "a missing [matrix]",
            "[matrix]\nborderline_margin_percent = 10\ndefault_severity = \"sev4\"\n",
            "",
            1,
            "matrix",
        ),
        ("a missing header field", "as_of = \"2026-11-22\"\n", "", 2, "as_of"),
    ];
    for (what, from, to, line, field) in cases {
        assert!(MATRIX.contains(from), "{what}: {from:?} is not in the file");
        let text = MATRIX.replacen(from, to, 1);
        let e = Matrix::parse("classification.toml", &text).expect_err(what);
        let numbered: Vec<String> =
            text.lines().enumerate().map(|(i, l)| format!("{:>3} {l}", i + 1)).collect();
        let context = format!("{what}: {e}\n{}", numbered.join("\n"));
        assert_eq!(e.file, "classification.toml", "{context}");
        assert_eq!((e.line, e.field.as_str()), (line, field), "{context}");
        assert_eq!(e.code(), "ruleset.invalid");
    }
    // The test file is valid before it is broken.
    assert_eq!(Matrix::parse("classification.toml", MATRIX).unwrap().rules.len(), 2);
}
