//! The `--json` output is a contract (docs/cli-json.md): these are its keys. Adding a key means
//! adding it here and to the document; renaming or removing one breaks scripts people wrote.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::Installation;
use serde_json::Value;

fn keys(v: &Value) -> Vec<String> {
    let mut k: Vec<String> =
        v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect();
    k.sort();
    k
}

fn expect(v: &Value, wanted: &[&str]) {
    let mut wanted: Vec<String> = wanted.iter().map(|s| s.to_string()).collect();
    wanted.sort();
    assert_eq!(keys(v), wanted, "in {v:#}");
}

const TIME: &[&str] = &["utc", "local", "author_zone"];
const AUTHOR: &[&str] = &["person", "position"];
const INCIDENT: &[&str] = &["id", "ref", "title", "drill", "status"];
const ASSIGNMENT: &[&str] =
    &["entry", "person", "since", "assigned_by", "until", "ended_by", "relieved", "reason"];
const ENTRY: &[&str] = &[
    "id",
    "ref",
    "kind",
    "recorded_at",
    "occurred_at",
    "author",
    "on_behalf",
    "not_in_force",
    "device",
    "seq",
    "summary",
    "target",
    "amended_by",
    "retracted_by",
    "original_summary",
    "original_occurred_at",
    "corrections",
    "body",
];
const WRITTEN: &[&str] = &["id", "ref", "incident", "kind", "device", "seq", "hash", "summary"];
const DECISION: &[&str] = &[
    "id",
    "ref",
    "question",
    "options",
    "choice",
    "rationale",
    "authority",
    "recorded",
    "supersedes",
    "superseded_by",
    "in_force",
];

#[test]
fn every_json_output_has_the_documented_keys() {
    let m = Installation::new("Dr. Amara Okafor");
    expect(&m.json(&["demo"]), &["incident", "entries"]);

    let timeline = m.json(&["timeline", "--limit", "50"]);
    expect(&timeline, &["incident", "zone", "entries"]);
    expect(&timeline["incident"], INCIDENT);
    for e in timeline["entries"].as_array().unwrap() {
        expect(e, ENTRY);
        expect(&e["recorded_at"], TIME);
        expect(&e["author"], AUTHOR);
    }

    let roster = m.json(&["roster"]);
    expect(&roster, &["incident", "zone", "commander", "positions"]);
    expect(&roster["commander"], &["state", "holders"]);
    for p in roster["positions"].as_array().unwrap() {
        expect(p, &["position", "title", "conflict", "holders", "history"]);
        for a in p["history"].as_array().unwrap() {
            expect(a, ASSIGNMENT);
            expect(&a["since"], TIME);
        }
    }

    // With no server: every list empty, the shape the same (filled in tests/tests/sync_evidence.rs).
    let alerts = m.json(&["alerts"]);
    expect(&alerts, &["incident", "zone", "alerts", "set_aside", "clock_flagged", "revoked_devices"]);
    expect(&alerts["incident"], INCIDENT);
    for list in ["alerts", "set_aside", "clock_flagged", "revoked_devices"] {
        assert_eq!(alerts[list], serde_json::json!([]), "{list}");
    }

    let decisions = m.json(&["decisions"]);
    expect(&decisions, &["incident", "zone", "decisions"]);
    for d in decisions["decisions"].as_array().unwrap() {
        expect(d, DECISION);
        expect(&d["recorded"], &["entry", "at", "by"]);
    }

    let show = m.json(&["show"]);
    expect(
        &show,
        &[
            "incident",
            "zone",
            "commander",
            "severity",
            "roster",
            "decisions_in_force",
            "recent",
            "entry_count",
            "state_digest",
        ],
    );

    // The breach verbs, on the demo incident (scope, triggers, register, an isolation).
    let clocks = m.json(&["clocks"]);
    expect(
        &clocks,
        &["incident", "zone", "ruleset", "ruleset_version", "ruleset_as_of", "now", "obligations"],
    );
    expect(
        &clocks["obligations"][0],
        &[
            "rule",
            "regime",
            "recipient",
            "citation",
            "owed_by",
            "delayed_by",
            "trigger",
            "trigger_at",
            "trigger_recorded_by",
            "after",
            "deadline",
            "due",
            "due_local",
            "due_jurisdiction",
            "jurisdiction_zone",
            "provisional",
            "status",
            "met_by",
            "met_at",
            "late",
            "waived_by",
            "waiver_rationale",
            "suspended_until",
            "applies_because",
            "note",
        ],
    );
    let scope = m.json(&["scope", "show"]);
    expect(&scope, &["incident", "scope", "entry", "conflict", "individuals"]);
    expect(&scope["scope"], &["affected", "data", "exposure", "systems", "roles", "supersedes"]);
    let checklist = m.json(&["escalation", "list"]);
    expect(&checklist, &["incident", "zone", "checklist"]);
    expect(
        &checklist["checklist"][0],
        &[
            "rule",
            "title",
            "position",
            "holders",
            "anchor",
            "anchor_at",
            "minutes",
            "due",
            "status",
            "done_by",
            "done_at",
            "late",
            "applies_because",
        ],
    );
    let board = m.json(&["systems", "board"]);
    expect(&board, &["incident", "systems"]);
    expect(
        &board["systems"][0],
        &[
            "system",
            "name",
            "criticality",
            "department",
            "status",
            "isolated",
            "rated",
            "comment",
            "down_because",
            "unsigned",
            "downtime_procedure",
        ],
    );
    let impact = m.json(&["systems", "impact", "pharmacy"]);
    expect(&impact, &["system", "affected", "services", "needs_clinical_signoff", "signoff_because"]);
    expect(
        &impact["affected"][0],
        &["id", "name", "criticality", "department", "downtime_procedure", "via", "direct", "functions"],
    );
    expect(&m.json(&["rules", "show"]), &["in_force", "problems"]);
    expect(&m.json(&["comms", "list"]), &["incident", "communications"]);

    let list = m.json(&["incident", "list"]);
    expect(&list, &["zone", "incidents"]);
    expect(
        &list["incidents"][0],
        &[
            "id",
            "ref",
            "title",
            "drill",
            "status",
            "opened_at",
            "opened_by",
            "entry_count",
            "commanders",
            "current",
        ],
    );

    expect(&m.json(&["verify"]), &["ok", "entries", "streams", "devices", "problems"]);
    expect(&m.json(&["rebuild"]), &["incidents", "entries"]);
    expect(&m.json(&["whoami"]), &["operator", "device", "installation", "data_dir", "zone", "keyring"]);
    expect(&m.json(&["init", "--name", "Dr. Amara Okafor"]), &["operator", "device", "data_dir"]);

    let opened = m.json(&["incident", "open", "--title", "Contract"]);
    expect(&opened, &["incident", "ref", "entries"]);
    expect(&opened["entries"][0], WRITTEN);
    expect(&m.json(&["note", "n"]), WRITTEN);
    expect(&m.json(&["incident", "use", opened["incident"].as_str().unwrap()]), &["incident"]);

    let file = m.home.path().join("x.jsonl");
    expect(&m.json(&["export", "--out", file.to_str().unwrap()]), &["file", "incidents", "entries"]);
    let header: Value =
        serde_json::from_str(std::fs::read_to_string(&file).unwrap().lines().next().unwrap()).unwrap();
    expect(&header, &["muster_export", "exported_at", "incidents", "entries"]);

    // import prints one JSON object per line.
    let out = m.ok(&["--json", "import", file.to_str().unwrap()]);
    let events: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    expect(&events[0], &["event", "checked", "total"]);
    assert!(events.iter().any(|e| e["event"] == "committed"));
    let done = events.last().unwrap();
    expect(done, &["event", "report"]);
    expect(&done["report"], &["entries", "accepted", "duplicates", "incidents"]);
}
