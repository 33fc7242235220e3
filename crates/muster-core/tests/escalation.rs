//! The escalation paths of assets/rules/escalation.toml applied to folded incident logs: which
//! steps apply, when each is due after its anchor, its status (waiting, pending, overdue, done,
//! late), who holds the responsible position, and the errors a malformed ruleset gives.
#![allow(clippy::unwrap_used, clippy::expect_used)]
mod support;

use muster_core::breach::rules::escalation::{
    checklist, Anchor, ChecklistItem, EscalationRuleset, StepStatus,
};
use muster_core::breach::{
    DataCategory as D, Exposure as X, OrgRole as R, SystemCriticality as C, TriggerKind as T,
};
use muster_core::*;
use support::*;

const NY: &str = "America/New_York";

fn rules() -> EscalationRuleset {
    EscalationRuleset::built_in().expect("the built-in escalation ruleset parses")
}

fn items(log: &Log, now: &str) -> Vec<ChecklistItem> {
    checklist(&rules(), &log.state(), at(now))
}

fn ids(items: &[ChecklistItem]) -> Vec<&str> {
    items.iter().map(|i| i.rule.as_str()).collect()
}

fn item<'a>(items: &'a [ChecklistItem], rule: &str) -> &'a ChecklistItem {
    items
        .iter()
        .find(|i| i.rule == rule)
        .unwrap_or_else(|| panic!("{rule} is not on the checklist: {:?}", ids(items)))
}

/// Opened at 08:00 New York time on Monday 2 March 2026.
fn opened_log() -> Log {
    let mut log = Log::new("Okafor");
    log.add("2026-03-02T08:00:00-05:00", NY, opened("Ransomware at Mercy General"));
    log
}

#[test]
fn the_built_in_ruleset_parses() {
    let r = rules();
    assert_eq!(r.header.label(), "muster-escalation@1");
    let expected = [
        ("response-team", Position::IncidentCommander, Anchor::Determination, 30),
        ("privacy-officer", Position::IncidentCommander, Anchor::Determination, 60),
        ("executives", Position::IncidentCommander, Anchor::Determination, 120),
        ("executives-major", Position::IncidentCommander, Anchor::MajorIncident, 60),
        ("business-associates", Position::PrivacyOfficer, Anchor::Determination, 1440),
        ("covered-entity", Position::PrivacyOfficer, Anchor::Discovery, 1440),
        ("legal-counsel", Position::LegalLiaison, Anchor::LitigationFlagged, 240),
        ("clinical-leadership", Position::ClinicalLiaison, Anchor::Opened, 30),
    ];
    let got: Vec<(&str, Position, Anchor, u32)> =
        r.rules.iter().map(|x| (x.id.as_str(), x.position.clone(), x.anchor, x.minutes)).collect();
    assert_eq!(got, expected);
}

#[test]
fn which_steps_apply() {
    let phi = || scope().data(&[D::ClinicalPhi]).exposure(&[X::UnauthorisedAccess]);
    // (name, scope, classified major, steps)
    let cases: Vec<(&str, Option<Scope>, bool, Vec<&str>)> = vec![
        ("no scope yet", None, false, vec!["response-team"]),
        ("an empty scope", Some(scope()), false, vec!["response-team"]),
        (
            "PHI at a covered entity",
            Some(phi().roles(&[R::CoveredEntity]).affected("US-TX", 40)),
            false,
            vec!["response-team", "privacy-officer", "business-associates"],
        ),
        (
            "staff records: the privacy officer, no business associates",
            Some(scope().data(&[D::StaffPii]).roles(&[R::CoveredEntity]).affected("US-TX", 40)),
            false,
            vec!["response-team", "privacy-officer"],
        ),
        ("credentials only", Some(scope().data(&[D::Credentials])), false, vec!["response-team"]),
        // Executives within 2 hours when MORE THAN 500 are affected.
        (
            "exactly 500 affected",
            Some(scope().affected("US-TX", 300).affected("DE", 200)),
            false,
            vec!["response-team"],
        ),
        (
            "501 affected",
            Some(scope().affected("US-TX", 301).affected("DE", 200)),
            false,
            vec!["response-team", "executives"],
        ),
        ("a major incident", Some(scope()), true, vec!["response-team", "executives-major"]),
        (
            "a business associate",
            Some(scope().roles(&[R::BusinessAssociate])),
            false,
            vec!["response-team", "covered-entity"],
        ),
        (
            "litigation exposure",
            Some(scope().litigation(true)),
            false,
            vec!["response-team", "legal-counsel"],
        ),
        (
            "a high-criticality system",
            Some(scope().system("pacs", C::High)),
            false,
            vec!["response-team", "clinical-leadership"],
        ),
        (
            "a life-critical system",
            Some(scope().system("icu-monitoring", C::LifeCritical)),
            false,
            vec!["response-team", "clinical-leadership"],
        ),
        ("a medium system", Some(scope().system("wiki", C::Medium)), false, vec!["response-team"]),
        (
            "everything",
            Some(
                phi()
                    .roles(&[R::CoveredEntity, R::BusinessAssociate])
                    .affected("US-TX", 5000)
                    .litigation(true)
                    .system("icu-monitoring", C::LifeCritical),
            ),
            true,
            vec![
                "response-team",
                "privacy-officer",
                "executives",
                "executives-major",
                "business-associates",
                "covered-entity",
                "legal-counsel",
                "clinical-leadership",
            ],
        ),
    ];
    for (name, scope, major, expected) in cases {
        let mut log = opened_log();
        if let Some(s) = scope {
            log.add("2026-03-02T08:10:00-05:00", NY, s.body());
        }
        if major {
            log.add("2026-03-02T08:20:00-05:00", NY, classified(Severity::Sev1, true, false));
        }
        assert_eq!(ids(&items(&log, "2026-03-02T08:30:00-05:00")), expected, "{name}");
    }
}

#[test]
fn each_step_is_due_its_minutes_after_its_anchor() {
    let mut log = opened_log();
    log.add(
        "2026-03-02T08:10:00-05:00",
        NY,
        scope()
            .data(&[D::ClinicalPhi])
            .exposure(&[X::ExfiltrationConfirmed])
            .roles(&[R::CoveredEntity, R::BusinessAssociate])
            .affected("US-TX", 900)
            .system("pacs", C::High)
            .body(),
    );
    // Triggers are anchored when they happened, not when they were recorded.
    log.add("2026-03-02T11:00:00-05:00", NY, trigger(T::Discovery, "2026-03-02T07:45:00-05:00"));
    log.add("2026-03-02T11:05:00-05:00", NY, trigger(T::Determination, "2026-03-02T10:00:00-05:00"));
    log.add(
        "2026-03-02T12:15:00-05:00",
        NY,
        scope()
            .data(&[D::ClinicalPhi])
            .exposure(&[X::ExfiltrationConfirmed])
            .roles(&[R::CoveredEntity, R::BusinessAssociate])
            .affected("US-TX", 900)
            .system("pacs", C::High)
            .litigation(true)
            .body(),
    );
    log.add("2026-03-02T12:30:00-05:00", NY, classified(Severity::Sev1, true, false));
    // (rule, anchor instant, due)
    let expected = [
        ("response-team", "2026-03-02T10:00:00-05:00", "2026-03-02T10:30:00-05:00"),
        ("privacy-officer", "2026-03-02T10:00:00-05:00", "2026-03-02T11:00:00-05:00"),
        ("executives", "2026-03-02T10:00:00-05:00", "2026-03-02T12:00:00-05:00"),
        ("executives-major", "2026-03-02T12:30:00-05:00", "2026-03-02T13:30:00-05:00"),
        ("business-associates", "2026-03-02T10:00:00-05:00", "2026-03-03T10:00:00-05:00"),
        ("covered-entity", "2026-03-02T07:45:00-05:00", "2026-03-03T07:45:00-05:00"),
        ("legal-counsel", "2026-03-02T12:15:00-05:00", "2026-03-02T16:15:00-05:00"),
        ("clinical-leadership", "2026-03-02T08:00:00-05:00", "2026-03-02T08:30:00-05:00"),
    ];
    let all = items(&log, "2026-03-02T10:29:00-05:00");
    assert_eq!(ids(&all), expected.iter().map(|e| e.0).collect::<Vec<_>>());
    for (rule, anchor, due) in expected {
        let i = item(&all, rule);
        assert_eq!(i.anchor_at, Some(at(anchor)), "{rule}: anchor");
        assert_eq!(i.due, Some(at(due)), "{rule}: due");
        assert_eq!(
            i.due.unwrap() - i.anchor_at.unwrap(),
            chrono::Duration::minutes(i64::from(i.minutes)),
            "{rule}"
        );
        assert!(!i.applies_because.is_empty() && !i.title.is_empty(), "{rule}");
    }
    // The escalation's time is exact minutes, even across the DST change (8 March 2026).
    let mut log = opened_log();
    log.add("2026-03-08T01:50:00-05:00", NY, trigger(T::Determination, "2026-03-08T01:50:00-05:00"));
    let i = items(&log, "2026-03-08T01:50:00-05:00");
    assert_eq!(item(&i, "response-team").due, Some(at("2026-03-08T03:20:00-04:00")));
}

#[test]
fn legal_counsel_is_anchored_on_the_first_scope_that_flagged_litigation() {
    let base = || scope().data(&[D::ClinicalPhi]).exposure(&[X::Misdirected]).affected("US-NY", 12);
    let mut log = opened_log();
    let s1 = log.add("2026-03-02T09:00:00-05:00", NY, base().body());
    assert!(!ids(&items(&log, "2026-03-02T09:00:00-05:00")).contains(&"legal-counsel"));
    // Flagged at 10:00; the flag is restated at 11:00 in a scope that supersedes it.
    let s2 = log.add("2026-03-02T10:00:00-05:00", NY, base().litigation(true).supersedes(&[s1]).body());
    let s3 = log.add(
        "2026-03-02T11:00:00-05:00",
        NY,
        base().affected("US-NJ", 3).litigation(true).supersedes(&[s2]).body(),
    );
    let all = items(&log, "2026-03-02T11:30:00-05:00");
    let counsel = item(&all, "legal-counsel");
    assert_eq!(counsel.anchor, Anchor::LitigationFlagged);
    assert_eq!(counsel.anchor_at, Some(at("2026-03-02T10:00:00-05:00")));
    assert_eq!(counsel.due, Some(at("2026-03-02T14:00:00-05:00")));
    assert_eq!(counsel.status, StepStatus::Pending);
    assert_eq!(counsel.position, Position::LegalLiaison);
    // A later scope without the flag takes the step off the checklist...
    let s4 = log.add("2026-03-02T12:00:00-05:00", NY, base().supersedes(&[s3]).body());
    assert!(!ids(&items(&log, "2026-03-02T12:30:00-05:00")).contains(&"legal-counsel"));
    // ...and flagging again brings it back, still anchored on the first flag.
    log.add("2026-03-02T13:00:00-05:00", NY, base().litigation(true).supersedes(&[s4]).body());
    let all = items(&log, "2026-03-02T14:00:01-05:00");
    let counsel = item(&all, "legal-counsel");
    assert_eq!(counsel.anchor_at, Some(at("2026-03-02T10:00:00-05:00")));
    assert_eq!(counsel.status, StepStatus::Overdue);
}

#[test]
fn executives_major_is_anchored_when_the_incident_became_major() {
    // (name, entries after the scope: (recorded, what), anchor)
    enum Step {
        Classify(bool, bool),
        Review(bool, Option<bool>),
    }
    type Case = (&'static str, Vec<(&'static str, Step)>, Option<&'static str>);
    let cases: Vec<Case> = vec![
        ("not major", vec![("2026-03-02T09:00:00-05:00", Step::Classify(false, false))], None),
        (
            "classified major",
            vec![("2026-03-02T09:00:00-05:00", Step::Classify(true, false))],
            Some("2026-03-02T09:00:00-05:00"),
        ),
        (
            "classified major, confirmed later: still from the classification",
            vec![
                ("2026-03-02T09:00:00-05:00", Step::Classify(true, true)),
                ("2026-03-02T13:00:00-05:00", Step::Review(true, None)),
            ],
            Some("2026-03-02T09:00:00-05:00"),
        ),
        (
            "classified not major, made major by the review: from the review",
            vec![
                ("2026-03-02T09:00:00-05:00", Step::Classify(false, true)),
                ("2026-03-02T13:00:00-05:00", Step::Review(false, Some(true))),
            ],
            Some("2026-03-02T13:00:00-05:00"),
        ),
        (
            "classified major, unmarked by the review",
            vec![
                ("2026-03-02T09:00:00-05:00", Step::Classify(true, true)),
                ("2026-03-02T13:00:00-05:00", Step::Review(false, Some(false))),
            ],
            None,
        ),
        (
            "not major, then a new classification as major",
            vec![
                ("2026-03-02T09:00:00-05:00", Step::Classify(false, false)),
                ("2026-03-02T15:00:00-05:00", Step::Classify(true, false)),
            ],
            Some("2026-03-02T15:00:00-05:00"),
        ),
    ];
    for (name, steps, anchor) in cases {
        let mut log = opened_log();
        log.add("2026-03-02T08:30:00-05:00", NY, scope().affected("DE", 40).body());
        let mut last = None;
        for (recorded, step) in steps {
            let body = match step {
                Step::Classify(major, borderline) => {
                    classified(if major { Severity::Sev1 } else { Severity::Sev3 }, major, borderline)
                }
                Step::Review(confirmed, major) => reviewed(last.unwrap(), confirmed, major),
            };
            last = Some(log.add(recorded, NY, body));
        }
        let all = items(&log, "2026-03-02T16:00:00-05:00");
        match anchor {
            None => assert!(!ids(&all).contains(&"executives-major"), "{name}"),
            Some(a) => {
                let i = item(&all, "executives-major");
                assert_eq!(i.anchor_at, Some(at(a)), "{name}");
                assert_eq!(i.due, Some(at(a) + chrono::Duration::minutes(60)), "{name}");
            }
        }
    }
}

#[test]
fn statuses_follow_the_anchor_the_due_time_and_the_done_entries() {
    type Setup = fn(&mut Log);
    fn nothing(_: &mut Log) {}
    fn determined(log: &mut Log) {
        log.add("2026-03-02T10:05:00-05:00", NY, trigger(T::Determination, "2026-03-02T10:00:00-05:00"));
    }
    fn done_on_time(log: &mut Log) {
        determined(log);
        log.add("2026-03-02T10:20:00-05:00", NY, escalated("response-team"));
    }
    fn done_at_the_due_time(log: &mut Log) {
        determined(log);
        log.add("2026-03-02T10:30:00-05:00", NY, escalated("response-team"));
    }
    fn done_late(log: &mut Log) {
        determined(log);
        log.add("2026-03-02T10:30:01-05:00", NY, escalated("response-team"));
    }
    fn done_before_the_determination_was_recorded(log: &mut Log) {
        log.add("2026-03-02T09:50:00-05:00", NY, escalated("response-team"));
    }
    fn done_another_step(log: &mut Log) {
        determined(log);
        log.add("2026-03-02T10:20:00-05:00", NY, escalated("privacy-officer"));
    }
    fn done_then_retracted(log: &mut Log) {
        determined(log);
        let done = log.add("2026-03-02T10:20:00-05:00", NY, escalated("response-team"));
        log.add("2026-03-02T10:21:00-05:00", NY, retract(done));
    }
    fn done_twice(log: &mut Log) {
        determined(log);
        log.add("2026-03-02T10:20:00-05:00", NY, escalated("response-team"));
        log.add("2026-03-02T10:40:00-05:00", NY, escalated("response-team"));
    }
    // (name, setup, now, status, late, done at)
    type Case = (&'static str, Setup, &'static str, StepStatus, bool, Option<&'static str>);
    let cases: Vec<Case> = vec![
        ("no determination yet", nothing, "2026-03-03T00:00:00-05:00", StepStatus::Waiting, false, None),
        (
            "determined, before the due time",
            determined,
            "2026-03-02T10:29:59-05:00",
            StepStatus::Pending,
            false,
            None,
        ),
        (
            "determined, at the due time",
            determined,
            "2026-03-02T10:30:00-05:00",
            StepStatus::Pending,
            false,
            None,
        ),
        (
            "determined, past the due time",
            determined,
            "2026-03-02T10:30:01-05:00",
            StepStatus::Overdue,
            false,
            None,
        ),
        (
            "done on time",
            done_on_time,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Done,
            false,
            Some("2026-03-02T10:20:00-05:00"),
        ),
        (
            "done at the due time",
            done_at_the_due_time,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Done,
            false,
            Some("2026-03-02T10:30:00-05:00"),
        ),
        (
            "done a second late",
            done_late,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Done,
            true,
            Some("2026-03-02T10:30:01-05:00"),
        ),
        (
            "done before any determination",
            done_before_the_determination_was_recorded,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Done,
            false,
            Some("2026-03-02T09:50:00-05:00"),
        ),
        (
            "another step done",
            done_another_step,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Overdue,
            false,
            None,
        ),
        (
            "done, then retracted",
            done_then_retracted,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Overdue,
            false,
            None,
        ),
        (
            "done twice: the first counts",
            done_twice,
            "2026-03-02T12:00:00-05:00",
            StepStatus::Done,
            false,
            Some("2026-03-02T10:20:00-05:00"),
        ),
    ];
    for (name, setup, now, status, late, done_at) in cases {
        let mut log = opened_log();
        setup(&mut log);
        let all = items(&log, now);
        let i = item(&all, "response-team");
        assert_eq!(i.status, status, "{name}");
        assert_eq!(i.late, late, "{name}: late");
        assert_eq!(i.done.as_ref().map(|d| d.at), done_at.map(at), "{name}: done at");
        if let Some(d) = &i.done {
            assert_eq!(d.by.person, "Okafor", "{name}");
            assert!(log.entries.iter().any(|e| e.id() == d.entry), "{name}");
        }
        if status == StepStatus::Waiting {
            assert_eq!((i.anchor_at, i.due), (None, None), "{name}");
        }
    }
}

#[test]
fn holders_are_whoever_holds_the_position_now() {
    let mut log = opened_log();
    log.add("2026-03-02T08:05:00-05:00", NY, scope().data(&[D::StaffPii]).roles(&[R::CoveredEntity]).body());
    let holders = |log: &Log, rule: &str| -> Vec<String> {
        item(&items(log, "2026-03-02T09:00:00-05:00"), rule).holders.clone()
    };
    assert!(holders(&log, "response-team").is_empty(), "nobody in command yet");
    let okafor =
        log.add("2026-03-02T08:10:00-05:00", NY, assign(Position::IncidentCommander, "Okafor", vec![]));
    log.add("2026-03-02T08:11:00-05:00", NY, assign(Position::PrivacyOfficer, "Chen", vec![]));
    assert_eq!(holders(&log, "response-team"), ["Okafor"]);
    assert_eq!(
        holders(&log, "privacy-officer"),
        ["Okafor"],
        "the step is the commander's, not the privacy officer's"
    );
    // Handed over: the new commander holds it.
    let reyes =
        log.add("2026-03-02T08:20:00-05:00", NY, assign(Position::IncidentCommander, "Reyes", vec![okafor]));
    assert_eq!(holders(&log, "response-team"), ["Reyes"]);
    // Two assignments that do not supersede each other (a partition): both are shown.
    let lee = log.add_as(
        "Reyes",
        "2026-03-02T08:30:00-05:00",
        NY,
        assign(Position::IncidentCommander, "Lee", vec![]),
    );
    assert_eq!(holders(&log, "response-team"), ["Reyes", "Lee"]);
    // Relieved: nobody.
    log.add_as(
        "Lee",
        "2026-03-02T08:40:00-05:00",
        NY,
        relieve(Position::IncidentCommander, "Reyes", vec![reyes, lee]),
    );
    assert!(holders(&log, "response-team").is_empty());
    // The business-associate step is the privacy officer's.
    log.add(
        "2026-03-02T08:50:00-05:00",
        NY,
        scope().data(&[D::ClinicalPhi]).roles(&[R::CoveredEntity]).body(),
    );
    assert_eq!(holders(&log, "business-associates"), ["Chen"]);
}

const ESCALATION: &str = r#"[ruleset]
name = "test-escalation"
version = 2
as_of = "2026-11-22"

[[rule]]
id = "response-team"
title = "Activate the team"
position = "incident-commander"
anchor = "determination"
minutes = 30
source = "Plan"

[[rule]]
id = "legal"
title = "Engage counsel"
position = "legal-liaison"
anchor = "litigation-flagged"
minutes = 240
when = { litigation_exposure = true, affected_in = "US" }
"#;

#[test]
fn malformed_escalation_rulesets_name_file_line_and_field() {
    let good = EscalationRuleset::parse("escalation.toml", ESCALATION).unwrap();
    assert_eq!((good.header.label(), good.rules.len()), ("test-escalation@2".to_string(), 2));
    // (what, text to replace, replacement, line, field)
    let cases: Vec<(&str, &str, &str, usize, &str)> = vec![
        ("a TOML syntax error", "title = \"Engage counsel\"", "title = \"Engage counsel", 16, "title"),
        ("a duplicate key", "minutes = 30\n", "minutes = 30\nminutes = 45\n", 12, "minutes"),
        ("an unknown field", "source = \"Plan\"", "source = \"Plan\"\ncolour = \"red\"", 13, "colour"),
        (
            "an unknown field in a condition",
            "affected_in = \"US\"",
            "affected_in = \"US\", mood = 1",
            20,
            "mood",
        ),
        ("an unknown anchor", "anchor = \"determination\"", "anchor = \"breakfast\"", 10, "anchor"),
        ("an unknown position", "position = \"legal-liaison\"", "position = \"janitor\"", 17, "position"),
        ("minutes of the wrong type", "minutes = 240", "minutes = \"4 hours\"", 19, "minutes"),
        ("negative minutes", "minutes = 30", "minutes = -30", 11, "minutes"),
        ("zero minutes", "minutes = 240", "minutes = 0", 19, "minutes"),
        ("a duplicate id", "id = \"legal\"", "id = \"response-team\"", 15, "id"),
        ("an id with capitals", "id = \"legal\"", "id = \"Legal\"", 15, "id"),
        ("a bad region", "affected_in = \"US\"", "affected_in = \"America\"", 20, "when.affected_in"),
        ("a missing field", "minutes = 30\n", "", 6, "minutes"),
        (
            "a missing header",
            "[ruleset]\nname = \"test-escalation\"\nversion = 2\nas_of = \"2026-11-22\"\n",
            "",
            1,
            "ruleset",
        ),
        ("an unknown header field", "version = 2\n", "version = 2\nauthor = \"me\"\n", 4, "author"),
    ];
    for (what, from, to, line, field) in cases {
        assert!(ESCALATION.contains(from), "{what}: {from:?} is not in the file");
        let text = ESCALATION.replacen(from, to, 1);
        let e = EscalationRuleset::parse("escalation.toml", &text).expect_err(what);
        let numbered: Vec<String> =
            text.lines().enumerate().map(|(i, l)| format!("{:>3} {l}", i + 1)).collect();
        let context = format!("{what}: {e}\n{}", numbered.join("\n"));
        assert_eq!(e.file, "escalation.toml", "{context}");
        assert_eq!((e.line, e.field.as_str()), (line, field), "{context}");
        assert_eq!(e.code(), "ruleset.invalid");
    }
}
