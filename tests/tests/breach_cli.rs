//! The breach verbs end to end through the real `muster` binary: scope, classification and peer
//! review, clock triggers, `muster clocks --json/--ical`, communications, waivers, law-enforcement
//! delays, escalation, rulesets in the data directory (a malformed one keeps the last valid in
//! force), and the clinical systems register with isolation sign-off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::Installation;
use serde_json::Value;

fn obligations(m: &Installation) -> Vec<Value> {
    m.json(&["clocks"])["obligations"].as_array().unwrap().clone()
}

fn rule<'a>(list: &'a [Value], id: &str) -> &'a Value {
    list.iter().find(|o| o["rule"] == id).unwrap_or_else(|| panic!("no obligation {id} in {list:#?}"))
}

fn rules(list: &[Value]) -> Vec<String> {
    list.iter().map(|o| o["rule"].as_str().unwrap().to_string()).collect()
}

fn opened(person: &str) -> Installation {
    let m = Installation::new(person);
    m.ok(&["incident", "open", "--title", "PHI exfiltration from the imaging archive", "--severity", "sev3"]);
    m
}

#[test]
fn scope_and_triggers_give_the_documented_clock_contract() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-CA:600",
        "--affected",
        "US-TX:250",
        "--affected",
        "DE:20",
        "--data",
        "clinical-phi",
        "--exposure",
        "exfiltration-confirmed",
        "--role",
        "covered-entity",
        "--role",
        "controller",
    ]);
    // Before any trigger: obligations are listed, waiting, with no due instant.
    let list = obligations(&m);
    assert_eq!(rule(&list, "hipaa.hhs")["due"], Value::Null);
    assert_eq!(rule(&list, "hipaa.hhs")["trigger_at"], Value::Null);

    m.ok(&["trigger", "discovery", "--at", "2026-11-02T09:30:00-06:00"]);
    m.ok(&["trigger", "awareness", "--at", "2026-11-02T10:00:00-06:00"]);
    m.ok(&["trigger", "determination", "--at", "2026-11-03T10:00:00-06:00"]);
    let out = m.json(&["clocks"]);
    assert_eq!(out["zone"], "America/Chicago");
    let list = out["obligations"].as_array().unwrap().clone();
    let ids = rules(&list);
    for expected in [
        "hipaa.individuals",
        "hipaa.media",
        "hipaa.hhs",
        "gdpr.authority",
        "gdpr.data-subjects",
        "us-ca.residents",
        "us-ca.attorney-general",
        "us-tx.individuals",
        "us-tx.attorney-general",
    ] {
        assert!(ids.contains(&expected.to_string()), "{expected} missing from {ids:?}");
    }
    // 849 US individuals: HHS large (500 or more), not the annual log; no Texas consumer agencies.
    assert!(!ids.contains(&"hipaa.hhs-annual".to_string()));
    assert!(!ids.contains(&"us-tx.consumer-reporting".to_string()));
    for o in &list {
        for key in ["rule", "recipient", "trigger", "due", "status"] {
            assert!(o.get(key).is_some(), "{key} missing in {o}");
        }
    }
    // 60 calendar days from 2 Nov (CST) end on 1 Jan 2027 at 23:59:59 local = 05:59:59Z.
    let hhs = rule(&list, "hipaa.hhs");
    assert_eq!(hhs["due"], "2027-01-02T05:59:59Z");
    assert_eq!(hhs["trigger"], "discovery");
    assert_eq!(hhs["trigger_recorded_by"], "Dr Okafor");
    assert_eq!(hhs["status"], "pending");
    // GDPR Art. 33: exactly 72 hours after awareness.
    assert_eq!(rule(&list, "gdpr.authority")["due"], "2026-11-05T16:00:00Z");
    // Texas counts from determination, in Texas time: AG 30 days, individuals 60.
    assert_eq!(rule(&list, "us-tx.attorney-general")["due"], "2026-12-04T05:59:59Z");
    assert_eq!(rule(&list, "us-tx.individuals")["due"], "2027-01-03T05:59:59Z");
    // California counts in Pacific time: 30 days from 2 Nov, end of 2 Dec PST.
    assert_eq!(rule(&list, "us-ca.residents")["due"], "2026-12-03T07:59:59Z");
    // Art. 34 has no fixed deadline and no high-risk trigger yet.
    assert_eq!(rule(&list, "gdpr.data-subjects")["due"], Value::Null);
    // The GDPR clock has run out (today is after 5 Nov): overdue.
    assert_eq!(rule(&list, "gdpr.authority")["status"], "overdue");
}

#[test]
fn exactly_500_in_one_state_is_hhs_but_not_media() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "US-CA:500", "--data", "clinical-phi", "--role", "covered-entity"]);
    let ids = rules(&obligations(&m));
    assert!(ids.contains(&"hipaa.hhs".to_string()), "{ids:?}");
    assert!(!ids.contains(&"hipaa.media".to_string()), "{ids:?}");
    assert!(!ids.contains(&"us-ca.attorney-general".to_string()), "AG needs more than 500: {ids:?}");
    m.ok(&["scope", "set", "--affected", "US-CA:501"]);
    let ids = rules(&obligations(&m));
    assert!(ids.contains(&"hipaa.media".to_string()) && ids.contains(&"us-ca.attorney-general".to_string()));
}

#[test]
fn communications_meet_obligations_and_a_do_not_notify_decision_waives_one() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-CA:700",
        "--affected",
        "FR:30",
        "--data",
        "clinical-phi",
        "--role",
        "covered-entity",
        "--role",
        "controller",
    ]);
    let now = chrono::Utc::now().to_rfc3339();
    m.ok(&["trigger", "discovery", "--at", &now]);
    m.ok(&["trigger", "awareness", "--at", &now]);
    assert_eq!(rule(&obligations(&m), "hipaa.hhs")["status"], "pending");
    let sent = m.json(&[
        "comms",
        "sent",
        "--to",
        "HHS OCR",
        "--channel",
        "breach portal",
        "--summary",
        "Initial report filed",
        "--meets",
        "hipaa.hhs",
    ]);
    let list = obligations(&m);
    assert_eq!(rule(&list, "hipaa.hhs")["status"], "met");
    assert_eq!(rule(&list, "hipaa.hhs")["met_by"], sent["id"]);
    assert_eq!(rule(&list, "hipaa.hhs")["late"], false);

    m.ok(&[
        "notification",
        "gdpr.authority",
        "--choice",
        "do-not-notify",
        "--rationale",
        "Pseudonymised records; unlikely to result in a risk (Art. 33(1))",
    ]);
    let waived = rule(&obligations(&m), "gdpr.authority").clone();
    assert_eq!(waived["status"], "waived");
    assert!(waived["waiver_rationale"].as_str().unwrap().contains("unlikely to result in a risk"));
    // Changing one's mind supersedes the waiver: pending again.
    m.ok(&["notification", "gdpr.authority", "--choice", "notify", "--rationale", "DPO disagrees"]);
    assert_eq!(rule(&obligations(&m), "gdpr.authority")["status"], "pending");

    // A communication naming an unknown rule is refused, naming it; nothing is written.
    let before = m.stored_entries();
    let (code, err) =
        m.fails(&["comms", "sent", "--to", "x", "--channel", "y", "--summary", "z", "--meets", "hipaa.72h"]);
    assert_eq!(code, 2);
    assert!(err.contains("obligations") && err.contains("hipaa.72h"), "{err}");
    assert_eq!(m.stored_entries(), before);
}

#[test]
fn a_law_enforcement_delay_suspends_hipaa_but_not_state_clocks() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "US-TX:800", "--data", "clinical-phi", "--role", "covered-entity"]);
    m.ok(&["trigger", "discovery", "--at", "2026-10-01T12:00:00-05:00"]);
    m.ok(&["trigger", "determination", "--at", "2026-10-01T12:00:00-05:00"]);
    let before = obligations(&m);
    assert_eq!(rule(&before, "hipaa.hhs")["due"], "2026-12-01T05:59:59Z");
    m.ok(&[
        "delay",
        "--basis",
        "written",
        "--agency",
        "FBI Dallas field office",
        "--statement",
        "Notice would impede the investigation",
        "--from",
        "2026-10-05T00:00:00-05:00",
        "--until",
        "2026-10-15T00:00:00-05:00",
    ]);
    let after = obligations(&m);
    assert_eq!(rule(&after, "hipaa.hhs")["due"], "2026-12-11T05:59:59Z", "ten days suspended");
    assert_eq!(rule(&after, "us-tx.individuals")["due"], rule(&before, "us-tx.individuals")["due"]);
    // A written statement needs its end date; the refusal names the field.
    let (code, err) = m.fails(&[
        "delay",
        "--basis",
        "written",
        "--agency",
        "FBI",
        "--statement",
        "s",
        "--from",
        "2026-10-05T00:00:00-05:00",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("until"), "{err}");
}

#[test]
fn the_ical_export_lists_each_due_instant() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-FL:520",
        "--data",
        "clinical-phi",
        "--role",
        "covered-entity",
        "--role",
        "listed-company",
    ]);
    m.ok(&["trigger", "discovery", "--at", "2026-11-20T08:00:00-06:00"]);
    m.ok(&["trigger", "determination", "--at", "2026-11-20T08:00:00-06:00"]);
    m.ok(&["trigger", "materiality", "--at", "2026-09-02T08:00:00-05:00"]);
    let dues: Vec<String> =
        obligations(&m).iter().filter_map(|o| o["due"].as_str().map(str::to_string)).collect();
    let file = m.home.path().join("deadlines.ics");
    m.ok(&["clocks", "--ical", "--out", file.to_str().unwrap()]);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("BEGIN:VCALENDAR\r\n") && text.ends_with("END:VCALENDAR\r\n"));
    assert_eq!(text.matches("BEGIN:VEVENT").count(), dues.len());
    // SEC 8-K: four business days after Wednesday 2 Sep 2026 skip Labor Day: Wed 9 Sep, ET.
    assert!(text.contains("UID:") && text.contains("-sec.8k@muster"));
    assert!(text.contains("DTSTART:20260910T035959Z"), "{text}");
    assert!(text.lines().all(|l| l.len() <= 75));
}

#[test]
fn classification_records_rules_and_a_borderline_one_waits_for_a_second_person() {
    let m = opened("Dr Okafor");
    let (code, err) = m.fails(&["classify"]);
    assert_eq!(code, 2);
    assert!(err.contains("scope"), "{err}");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-TX:480",
        "--data",
        "clinical-phi",
        "--exposure",
        "unauthorised-access",
        "--role",
        "covered-entity",
    ]);
    let out = m.json(&["classify"]);
    let verdict = &out["verdict"];
    assert_eq!(verdict["severity"], "sev2");
    assert_eq!(verdict["borderline"], true, "480 is within 10% of the 500 threshold: {verdict}");
    let fired: Vec<&str> =
        verdict["fired"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap()).collect();
    assert!(fired.contains(&"phi-exposed"), "{fired:?}");
    assert_eq!(m.json(&["show"])["severity"], "sev2", "severity follows the classification");

    // The classifier cannot review their own classification.
    let (code, err) = m.fails(&["review", "--confirm"]);
    assert_eq!(code, 2);
    assert!(err.contains("second person"), "{err}");
    // A second person changes it; a change needs a rationale.
    let peer_cmd = |args: &[&str]| {
        let mut c = m.command(args);
        c.env("MUSTER_AS", "Elena Torres");
        c.output().unwrap()
    };
    let out = peer_cmd(&["review", "--severity", "sev1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("rationale"));
    let out = peer_cmd(&[
        "review",
        "--severity",
        "sev1",
        "--major",
        "true",
        "--rationale",
        "Count will pass 500 once the second share is analysed",
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(m.json(&["show"])["severity"], "sev1");

    // Lowering the severity by reclassification needs a rationale.
    m.ok(&["scope", "set", "--affected", "US-TX:3", "--exposure", "misdirected"]);
    let before = m.stored_entries();
    let (code, err) = m.fails(&["classify"]);
    assert_eq!(code, 2);
    assert!(err.contains("rationale") && err.contains("SEV3"), "{err}");
    assert_eq!(m.stored_entries(), before);
    m.ok(&["classify", "--rationale", "Only three letters misdirected; the share was not copied"]);
    assert_eq!(m.json(&["show"])["severity"], "sev3");
}

#[test]
fn bad_scope_input_names_the_flag_and_value_and_writes_nothing() {
    let m = opened("Dr Okafor");
    let before = m.stored_entries();
    for (args, needle) in [
        (vec!["scope", "set", "--affected", "US-XX:5"], "US-XX"),
        (vec!["scope", "set", "--affected", "US-CA:many"], "many"),
        (vec!["scope", "set", "--affected", "US-CA"], "JURISDICTION:COUNT"),
        (vec!["scope", "set", "--data", "x-rays"], "x-rays"),
        (vec!["scope", "set", "--system", "pacs:urgent"], "urgent"),
        (vec!["scope", "set", "--affected", "US-CA:5", "--affected", "us-ca:7"], "listed twice"),
        (vec!["trigger", "breakfast", "--at", "09:00"], "breakfast"),
    ] {
        let (code, err) = m.fails(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(m.stored_entries(), before);
}

#[test]
fn a_malformed_ruleset_is_reported_and_the_last_valid_one_stays_in_force() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "US-CA:50", "--data", "clinical-phi", "--role", "covered-entity"]);
    let dir = m.home.path().join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("regulatory-clocks.toml");
    let custom = "[ruleset]\nname = \"st-brigid-clocks\"\nversion = 7\nas_of = \"2026-11-01\"\n\n\
                  [[rule]]\nid = \"board.notice\"\nregime = \"Board policy\"\nrecipient = \"Board of directors\"\n\
                  citation = \"Policy IR-4\"\ntrigger = \"discovery\"\ndeadline = { hours = 48 }\n\
                  owed_by = \"covered-entity\"\n";
    std::fs::write(&file, custom).unwrap();
    assert_eq!(rules(&obligations(&m)), ["board.notice"]);
    assert_eq!(m.json(&["clocks"])["ruleset"], "st-brigid-clocks@7");

    // A typo: the deadline kind is unknown (line 12). Reported with file, line, field...
    std::fs::write(&file, custom.replace("hours = 48", "hourz = 48")).unwrap();
    let shown = m.json(&["rules", "show"]);
    let problem = &shown["problems"][0];
    assert_eq!(problem["line"], 12, "{shown}");
    assert_eq!(problem["field"], "hourz", "{shown}");
    assert!(problem["file"].as_str().unwrap().ends_with("regulatory-clocks.toml"));
    assert_eq!(problem["using"], "last_valid");
    // ...and the last valid copy stays in force.
    let out = m.output(&["--json", "clocks"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 12"));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["ruleset"], "st-brigid-clocks@7");

    let (code, err) = m.fails(&["rules", "check", file.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 12") && err.contains("hourz"), "{err}");
    // Removing the file brings back the built-in rules.
    std::fs::remove_file(&file).unwrap();
    assert!(rules(&obligations(&m)).contains(&"hipaa.hhs-annual".to_string()));
}

#[test]
fn an_installations_v2_clock_file_without_owed_by_is_reported_and_the_built_in_v3_is_used() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "US-CA:50", "--data", "clinical-phi", "--role", "covered-entity"]);
    let dir = m.home.path().join("rules");
    std::fs::create_dir_all(&dir).unwrap();
    // Written for ruleset v2: law_enforcement_delay and no owed_by.
    let v2 = "[ruleset]\nname = \"st-brigid-clocks\"\nversion = 2\nas_of = \"2026-11-01\"\n\n\
              [[rule]]\nid = \"board.notice\"\nregime = \"Board policy\"\nrecipient = \"Board of directors\"\n\
              citation = \"Policy IR-4\"\ntrigger = \"discovery\"\ndeadline = { hours = 48 }\n\
              law_enforcement_delay = true\n";
    std::fs::write(dir.join("regulatory-clocks.toml"), v2).unwrap();
    let shown = m.json(&["rules", "show"]);
    let problem = &shown["problems"][0];
    assert_eq!((problem["line"].as_u64(), problem["field"].as_str()), (Some(6), Some("owed_by")), "{shown}");
    assert_eq!(problem["using"], "built_in");
    let out = m.json(&["clocks"]);
    assert_eq!(out["ruleset"], "muster-regulatory-clocks@3");
    assert!(rules(out["obligations"].as_array().unwrap()).contains(&"hipaa.hhs-annual".to_string()));
    // With owed_by added it is in force, and its law_enforcement_delay still means HIPAA's.
    std::fs::write(dir.join("regulatory-clocks.toml"), format!("{v2}owed_by = \"covered-entity\"\n"))
        .unwrap();
    m.ok(&["trigger", "discovery", "--at", "2026-11-02T09:00:00Z"]);
    let o = &obligations(&m)[0];
    assert_eq!((o["rule"].as_str(), o["delayed_by"].as_str()), (Some("board.notice"), Some("hipaa")));
    assert_eq!(o["owed_by"], "covered-entity");
}

#[test]
fn a_vendor_owes_the_owner_a_notice_not_the_residents_and_each_obligation_says_who_owes_it() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-CA:900",
        "--affected",
        "US-TX:300",
        "--affected",
        "US-FL:1200",
        "--affected",
        "US-CO:1500",
        "--data",
        "clinical-phi",
        "--exposure",
        "exfiltration-confirmed",
        "--role",
        "business-associate",
    ]);
    let list = obligations(&m);
    assert_eq!(
        rules(&list),
        [
            "hipaa.business-associate",
            "us-ca.vendor-to-owner",
            "us-tx.vendor-to-owner",
            "us-fl.third-party-agent",
            "us-co.vendor-to-owner"
        ]
    );
    assert!(list.iter().all(|o| o["owed_by"] == "business-associate"), "{list:#?}");
    // The same organisation owns some of the data as well: the owner's notices appear, owed by
    // the data owner, with the consumer reporting agencies above 1,000 (Florida, Colorado).
    m.ok(&["scope", "set", "--role", "business-associate", "--role", "data-owner"]);
    let list = obligations(&m);
    for (id, owed_by) in [
        ("us-ca.residents", "data-owner"),
        ("us-tx.attorney-general", "data-owner"),
        ("us-fl.consumer-reporting", "data-owner"),
        ("us-co.consumer-reporting", "data-owner"),
        ("us-fl.third-party-agent", "business-associate"),
    ] {
        assert_eq!(rule(&list, id)["owed_by"], owed_by, "{id}");
    }
    // The text names the ruleset in force and who owes each notice.
    let text = m.ok(&["clocks"]);
    assert!(text.contains("Regulatory clocks ruleset v3 (2026-12-01, muster-regulatory-clocks)"), "{text}");
    assert!(text.contains("owed by data-owner | Cal. Civ. Code 1798.82(a)(1), (a)(2)"), "{text}");
    let json = m.json(&["clocks"]);
    assert_eq!(
        (json["ruleset_version"].as_u64(), json["ruleset_as_of"].as_str()),
        (Some(3), Some("2026-12-01"))
    );
}

#[test]
fn puerto_rico_typed_either_way_is_one_state_for_the_hipaa_media_notice() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "PR:600", "--data", "clinical-phi", "--role", "covered-entity"]);
    // Stored as the ISO 3166-2 subdivision, counted as a State (45 CFR 160.103).
    assert_eq!(m.json(&["scope", "show"])["scope"]["affected"][0]["jurisdiction"], "US-PR");
    let ids = rules(&obligations(&m));
    assert!(ids.contains(&"hipaa.media".to_string()), "{ids:?}");
    // Both spellings at once name one place twice: refused, nothing written.
    let before = m.stored_entries();
    let (code, err) = m.fails(&["scope", "set", "--affected", "PR:300", "--affected", "US-PR:300"]);
    assert_eq!(code, 2);
    assert!(err.contains("US-PR") && err.contains("twice"), "{err}");
    assert_eq!(m.stored_entries(), before);
    m.ok(&["scope", "set", "--affected", "us-vi:501"]);
    assert!(rules(&obligations(&m)).contains(&"hipaa.media".to_string()));
}

#[test]
fn a_delay_holds_back_only_the_notices_of_the_law_it_was_granted_under() {
    let m = opened("Dr Okafor");
    m.ok(&["scope", "set", "--affected", "US-TX:800", "--data", "clinical-phi", "--role", "covered-entity"]);
    m.ok(&["trigger", "discovery", "--at", "2026-10-01T12:00:00-05:00"]);
    m.ok(&["trigger", "determination", "--at", "2026-10-01T12:00:00-05:00"]);
    let before = obligations(&m);
    assert_eq!(rule(&before, "us-tx.individuals")["due"], "2026-12-01T05:59:59Z");
    // Texas: the notice to individuals is not due before the agency lets it go (521.053(d)).
    m.ok(&[
        "delay",
        "--regime",
        "us-tx",
        "--basis",
        "oral",
        "--agency",
        "Texas DPS",
        "--statement",
        "Notice would tip off the suspects",
        "--from",
        "2026-10-05T00:00:00-05:00",
        "--until",
        "2026-12-15T00:00:00-06:00",
    ]);
    let after = obligations(&m);
    let tx = rule(&after, "us-tx.individuals");
    assert_eq!(tx["due"], "2026-12-15T06:00:00Z");
    assert_eq!(tx["delayed_by"], "us-tx");
    // Neither the attorney general's notice (521.053(i)) nor HIPAA's clocks move.
    for id in ["us-tx.attorney-general", "hipaa.individuals", "hipaa.hhs"] {
        assert_eq!(rule(&after, id)["due"], rule(&before, id)["due"], "{id}");
    }
    // The entry names its law; an unknown law, or an oral Texas request with no end, is refused.
    let timeline = m.json(&["timeline", "--kind", "law-enforcement.delay"]);
    assert_eq!(timeline["entries"][0]["body"]["regime"], "us-tx", "{timeline}");
    let before_refusals = m.stored_entries();
    for (args, needle) in [
        (vec!["--regime", "interpol", "--basis", "oral"], "--regime"),
        (vec!["--regime", "us-tx", "--basis", "oral"], "until"),
        (vec!["--regime", "sec", "--basis", "oral"], "basis"),
    ] {
        let mut all = vec!["delay"];
        all.extend(args);
        all.extend(["--agency", "X", "--statement", "s", "--from", "2026-10-05T00:00:00-05:00"]);
        let (code, err) = m.fails(&all);
        assert_eq!(code, 2, "{all:?}");
        assert!(err.contains(needle), "{all:?}: {err}");
    }
    assert_eq!(m.stored_entries(), before_refusals);
}

#[test]
fn a_licensed_california_facility_reports_to_cdph_within_15_california_business_days() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-CA:4",
        "--data",
        "clinical-phi",
        "--exposure",
        "unauthorised-access",
        "--role",
        "licensed-health-facility",
    ]);
    // Detected Monday 23 March 2026: Cesar Chavez Day (31 March) is skipped, Good Friday is not.
    m.ok(&["trigger", "discovery", "--at", "2026-03-23T10:00:00-07:00"]);
    let list = obligations(&m);
    for id in ["us-ca.cdph", "us-ca.facility-patient"] {
        let o = rule(&list, id);
        assert_eq!(o["due_jurisdiction"], "2026-04-14T23:59:59-07:00", "{id}");
        assert_eq!(o["owed_by"], "licensed-health-facility");
        assert_eq!(o["deadline"], "15 business days");
    }
    assert!(!rules(&list).contains(&"hipaa.individuals".to_string()), "no HIPAA role recorded");
}

#[test]
fn escalation_checklist_is_ticked_off_by_entries() {
    let m = opened("Dr Okafor");
    m.ok(&[
        "scope",
        "set",
        "--affected",
        "US-TX:501",
        "--data",
        "clinical-phi",
        "--role",
        "covered-entity",
        "--litigation-exposure",
        "true",
    ]);
    m.ok(&["trigger", "determination", "--at", "2026-11-01T10:00:00-06:00"]);
    let list = m.json(&["escalation", "list"])["checklist"].as_array().unwrap().clone();
    let ids: Vec<&str> = list.iter().map(|i| i["rule"].as_str().unwrap()).collect();
    assert!(ids.contains(&"executives") && ids.contains(&"legal-counsel"), "{ids:?}");
    let team = list.iter().find(|i| i["rule"] == "response-team").unwrap();
    assert_eq!(team["due"], "2026-11-01T16:30:00.000Z");
    assert_eq!(team["status"], "overdue");
    m.ok(&["escalation", "done", "response-team", "--note", "IRT paged"]);
    let list = m.json(&["escalation", "list"])["checklist"].as_array().unwrap().clone();
    let team = list.iter().find(|i| i["rule"] == "response-team").unwrap();
    assert_eq!(team["status"], "done");
    assert_eq!(team["done_by"], "Dr Okafor");
    assert_eq!(team["late"], true);
    let (code, err) = m.fails(&["escalation", "done", "response-team"]);
    assert_eq!(code, 2);
    assert!(err.contains("already done"), "{err}");
    let (code, err) = m.fails(&["escalation", "done", "press-release"]);
    assert_eq!(code, 2);
    assert!(err.contains("press-release"), "{err}");
}

#[test]
fn isolating_a_system_shows_its_impact_and_needs_a_clinical_sign_off() {
    let m = opened("Dr Okafor");
    let register = concat!(env!("CARGO_MANIFEST_DIR"), "/../assets/demo/systems.csv");

    // A bad register names line and field and writes nothing.
    let bad = m.home.path().join("bad.csv");
    let text = std::fs::read_to_string(register).unwrap();
    std::fs::write(&bad, text.replacen(",high,", ",urgent,", 1)).unwrap();
    let before = m.stored_entries();
    let (code, err) = m.fails(&["systems", "import", bad.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line ") && err.contains("criticality") && err.contains("urgent"), "{err}");
    assert_eq!(m.stored_entries(), before);

    m.ok(&["systems", "import", register]);
    let impact = m.json(&["systems", "impact", "hl7-engine"]);
    let affected: Vec<&str> =
        impact["affected"].as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
    assert!(
        affected.contains(&"lis") && affected.contains(&"pharmacy") && affected.contains(&"bcma"),
        "{affected:?}"
    );
    let bcma = impact["affected"].as_array().unwrap().iter().find(|a| a["id"] == "bcma").unwrap();
    assert_eq!(bcma["via"], serde_json::json!(["hl7-engine", "pharmacy", "bcma"]));
    assert_eq!(impact["needs_clinical_signoff"], true);

    m.ok(&["systems", "propose", "hl7-engine", "--reason", "Lateral movement from PACS"]);
    let before = m.stored_entries();
    let (code, err) = m.fails(&["systems", "carry-out"]);
    assert_eq!(code, 2);
    assert!(err.contains("sign-off"), "{err}");
    // Only the clinical liaison signs off.
    let (code, err) = m.fails(&["systems", "signoff", "--note", "fine"]);
    assert_eq!(code, 2);
    assert!(err.contains("clinical liaison") || err.contains("Clinical Liaison"), "{err}");
    assert_eq!(m.stored_entries(), before);
    m.ok(&["role", "assign", "clinical-liaison", "Nurse Ada Obi"]);
    let mut signoff = m.command(&["systems", "signoff", "--note", "Lab and pharmacy on downtime procedures"]);
    signoff.env("MUSTER_AS", "Nurse Ada Obi");
    let out = signoff.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    m.ok(&["systems", "carry-out"]);
    let board = m.json(&["systems", "board"]);
    let line =
        |id: &str| board["systems"].as_array().unwrap().iter().find(|s| s["system"] == id).unwrap().clone();
    assert_eq!(line("hl7-engine")["status"], "non-functional");
    assert_eq!(line("hl7-engine")["isolated"], true);
    assert_eq!(line("pharmacy")["status"], "partially-functional");
    assert_eq!(line("pharmacy")["down_because"], serde_json::json!(["hl7-engine"]));
    assert_eq!(line("ehr")["status"], "fully-functional");
    m.ok(&["systems", "rate", "pharmacy", "non-functional", "--comment", "Order feed down"]);
    assert_eq!(
        m.json(&["systems", "board"])["systems"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["system"] == "pharmacy")
            .unwrap()["status"],
        "non-functional"
    );

    // The register exported as CSV reads back as the same register.
    let exported = m.home.path().join("exported.csv");
    m.ok(&["systems", "export", "--out", exported.to_str().unwrap()]);
    let a = muster_core::systems::parse_csv(&std::fs::read_to_string(&exported).unwrap()).unwrap();
    let b = muster_core::systems::parse_csv(&text).unwrap();
    assert_eq!(a, b);
    assert_eq!(m.ok(&["verify"]).lines().last().map(|l| l.starts_with("OK")), Some(true));
}
