//! The real `muster` binary, driven as a person or a script would.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::Installation;
use serde_json::Value;

fn entries(v: &Value) -> &Vec<Value> {
    v["entries"].as_array().unwrap()
}

#[test]
fn an_incident_from_opening_to_handover_and_decisions() {
    let ic = Installation::new("Dr. Amara Okafor");
    let opened =
        ic.json(&["incident", "open", "--title", "Ransomware on PACS", "--description", "EDR alert"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    assert_eq!(opened["entries"].as_array().unwrap().len(), 3, "opened, commander assigned, severity set");

    let note = ic.json(&["note", "EDR alert on PACS-02", "--at", "2026-11-22T02:14:00-06:00"]);
    assert_eq!(note["kind"], "note");
    assert_eq!(note["seq"], 4);
    ic.ok(&["role", "assign", "scribe", "Søren Lindqvist"]);
    ic.ok(&["cadence", "15", "--position", "technical-lead"]);
    ic.ok(&[
        "status",
        "--conditions",
        "PACS isolated",
        "--actions",
        "imaging restore",
        "--needs",
        "forensics",
    ]);
    let d1 = ic.json(&[
        "decide",
        "--question",
        "Isolate PACS?",
        "--option",
        "isolate",
        "--option",
        "monitor",
        "--choice",
        "isolate",
        "--rationale",
        "lateral movement",
    ]);
    let d1_ref = d1["ref"].as_str().unwrap().to_string();
    let d2 = ic.json(&[
        "decide",
        "--question",
        "Isolate PACS?",
        "--option",
        "isolate",
        "--option",
        "restore",
        "--choice",
        "restore",
        "--rationale",
        "clean snapshot verified",
        "--supersedes",
        &format!("#{d1_ref}"),
    ]);
    // Handover: one entry that supersedes the outgoing commander.
    ic.ok(&["role", "assign", "ic", "Dr. Luis Reyes"]);

    let roster = ic.json(&["roster"]);
    assert_eq!(roster["commander"]["state"], "held");
    assert_eq!(roster["commander"]["holders"][0]["person"], "Dr. Luis Reyes");
    let ic_line = &roster["positions"][0];
    assert_eq!(ic_line["position"], "incident-commander");
    let history = ic_line["history"].as_array().unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[0]["person"], "Dr. Amara Okafor");
    assert_eq!(history[0]["relieved"], false);
    assert!(history[0]["until"]["utc"].is_string());

    let decisions = ic.json(&["decisions"]);
    let list = decisions["decisions"].as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["id"], d2["id"], "newest first");
    assert_eq!(list[0]["in_force"], true);
    assert_eq!(list[1]["in_force"], false);
    assert_eq!(list[1]["superseded_by"][0], d2["id"]);
    assert_eq!(list[1]["authority"]["position"], "incident-commander");

    let timeline = ic.json(&["timeline", "--oldest-first"]);
    assert_eq!(timeline["incident"]["id"], incident.as_str());
    assert_eq!(timeline["zone"], "America/Chicago");
    let items = entries(&timeline);
    assert_eq!(items.len(), 10);
    let kinds: Vec<&str> = items.iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "incident.opened",
            "role.assigned",
            "severity.set",
            "note",
            "role.assigned",
            "cadence.set",
            "status.update",
            "decision.recorded",
            "decision.recorded",
            "role.assigned"
        ]
    );
    let n = &items[3];
    assert_eq!(n["occurred_at"], "2026-11-22T02:14:00-06:00");
    assert!(n["recorded_at"]["utc"].as_str().unwrap().ends_with('Z'));
    assert_eq!(n["recorded_at"]["author_zone"], "America/Chicago");
    assert_eq!(n["author"]["person"], "Dr. Amara Okafor");
    assert_eq!(n["author"]["position"], "incident-commander");
    // The status update was written by the IC, so it reports for the IC's position.
    assert_eq!(items[6]["body"]["position"], "incident-commander");
    assert_eq!(ic.ok(&["verify"]).lines().next().unwrap().split(':').next().unwrap(), "OK");
}

#[test]
fn notes_are_corrected_by_amendment_and_retraction_not_edited() {
    let m = Installation::new("Søren Lindqvist");
    m.ok(&["incident", "open", "--title", "Phishing", "--drill"]);
    let n = m.json(&["note", "Forensics ETA 09:00"]);
    let r = n["ref"].as_str().unwrap();
    let a = m.json(&[
        "amend",
        r,
        "--reason",
        "firm called back",
        "--text",
        "Forensics ETA 10:30",
        "--at",
        "08:00",
    ]);
    let s = m.json(&["note", "4 West cabinets offline"]);
    let x = m.json(&["retract", s["ref"].as_str().unwrap(), "--reason", "unrelated firmware update"]);
    let timeline = m.json(&["timeline", "--oldest-first"]);
    let items = entries(&timeline);
    let note = items.iter().find(|e| e["id"] == n["id"]).unwrap();
    assert_eq!(note["summary"], "Forensics ETA 10:30");
    assert_eq!(note["body"]["text"], "Forensics ETA 09:00", "the original words stay");
    assert_eq!(note["amended_by"][0], a["id"]);
    assert!(note["occurred_at"].as_str().unwrap().contains("T08:00:00"));
    // Additions: the original words and time, and each correction's who, when and why.
    assert_eq!(note["original_summary"], "Forensics ETA 09:00");
    assert_eq!(note["original_occurred_at"], Value::Null);
    let correction = &note["corrections"][0];
    assert_eq!(correction["id"], a["id"]);
    assert_eq!(correction["kind"], "amended");
    assert_eq!(correction["by"]["person"], "Søren Lindqvist");
    assert_eq!(correction["reason"], "firm called back");
    assert_eq!(correction["text"], "Forensics ETA 10:30");
    assert!(correction["occurred_at"].as_str().unwrap().contains("T08:00:00"));
    assert!(correction["at"]["utc"].as_str().unwrap().ends_with('Z'));
    let retracted = items.iter().find(|e| e["id"] == s["id"]).unwrap();
    assert_eq!(retracted["retracted_by"][0], x["id"]);
    assert_eq!(retracted["corrections"][0]["kind"], "retracted");
    assert_eq!(retracted["corrections"][0]["text"], Value::Null);
    let text = m.ok(&["timeline"]);
    assert!(text.contains("RETRACTED by #"), "{text}");
    assert!(text.contains("[retracted] 4 West cabinets offline"));
    // The text output shows both wordings, the original marked, with who corrected it and why.
    assert!(text.contains("\n    Forensics ETA 10:30\n    Originally: Forensics ETA 09:00\n"), "{text}");
    assert!(text.contains("    Originally occurred: as recorded\n"), "{text}");
    let words = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let by = |r: &Value, why: &str| {
        format!("CST by Søren Lindqvist (Incident Commander) (#{}): {why}", r["ref"].as_str().unwrap())
    };
    assert!(words.contains("Originally occurred: as recorded Amended 20"), "{text}");
    assert!(words.contains(&by(&a, "firm called back")), "{text}");
    assert!(words.contains("[retracted] 4 West cabinets offline Retracted 20"), "{text}");
    assert!(words.contains(&by(&x, "unrelated firmware update")), "{text}");
}

#[test]
fn bad_input_names_the_field_and_value_exits_2_and_writes_nothing() {
    let m = Installation::new("Okafor");
    m.ok(&["incident", "open", "--title", "Outage"]);
    let d = m.json(&["decide", "--question", "Q?", "--option", "a", "--choice", "a", "--rationale", "r"]);
    let before = m.stored_entries();
    let d_ref = format!("#{}", d["ref"].as_str().unwrap());
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["note", "   "], "text: must not be empty"),
        (vec!["note", "x", "--at", "yesterday-ish"], "--at: cannot read this as a time"),
        (vec!["note", "x", "--at", "2099-01-01T00:00:00Z"], "--at: is in the future"),
        (vec!["note", "x", "--at", "2026-03-08 02:30"], "does not exist in America/Chicago"),
        (vec!["role", "assign", "incident-comander", "X"], "POSITION: unknown position"),
        (vec!["role", "assign", "scribe", ""], "PERSON: must not be empty"),
        (vec!["role", "relieve", "scribe"], "nobody holds Scribe"),
        (
            vec!["decide", "--question", "Q", "--option", "a", "--choice", "b", "--rationale", "r"],
            "choice: must be one of the options considered: a (got \"b\")",
        ),
        (vec!["cadence", "0"], "interval_minutes: must be between 1 and 1440"),
        (vec!["amend", &d_ref, "--reason", "x", "--text", "y"], "only notes are amended"),
        (vec!["amend", "#ffffffff", "--reason", "x", "--text", "y"], "no entry matches \"#ffffffff\""),
        (vec!["amend", "zz", "--reason", "x", "--text", "y"], "give a full id or at least 4 hex digits"),
        (vec!["status"], "a status update needs at least one of conditions, actions or needs"),
        (vec!["--incident", "#00000000", "note", "x"], "no incident matches"),
        (vec!["incident", "open", "--title", ""], "title: must not be empty"),
        (vec!["role", "assign", "ic", "Okafor"], "Okafor already holds Incident Commander"),
    ];
    for (args, expected) in cases {
        let (code, stderr) = m.fails(&args);
        assert_eq!(code, 2, "muster {args:?}: {stderr}");
        assert!(stderr.contains(expected), "muster {args:?}: expected {expected:?} in:\n{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(m.stored_entries(), before, "muster {args:?} wrote something");
    }
    // A closed incident takes no more notes until reopened.
    m.ok(&["incident", "close", "--summary", "resolved"]);
    let (code, stderr) = m.fails(&["note", "late"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("is closed; reopen it first"), "{stderr}");
    m.ok(&["incident", "reopen", "--reason", "new IOC"]);
    m.ok(&["note", "late"]);
}

#[test]
fn errors_in_json_mode_are_a_code_and_a_message() {
    let m = Installation::new("Okafor");
    let out = m.output(&["--json", "note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err: Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["code"], "state.refused");
    assert!(err["message"].as_str().unwrap().contains("none is open"));
    assert!(out.stdout.is_empty());
}

#[test]
fn times_are_shown_in_the_viewers_zone_with_the_zone_named() {
    let mut m = Installation::new("Okafor");
    m.tz = "Asia/Kolkata".into();
    m.ok(&["incident", "open", "--title", "Zone test"]);
    m.ok(&["note", "at a fixed time", "--at", "2026-11-22T02:14:00-06:00"]);
    let text = m.ok(&["timeline"]);
    assert!(text.contains("Times in Asia/Kolkata"), "{text}");
    assert!(text.contains("occurred 2026-11-22 13:44:00 IST"), "{text}");
    let json = m.json(&["timeline"]);
    assert!(json["entries"][0]["recorded_at"]["local"].as_str().unwrap().ends_with("+05:30"));
    m.tz = "Europe/Berlin".into();
    let text = m.ok(&["timeline"]);
    assert!(text.contains("occurred 2026-11-22 09:14:00 CET"), "{text}");
}

#[test]
fn export_and_import_round_trip_losslessly_and_verified() {
    let a = Installation::new("Okafor");
    a.ok(&["demo"]);
    a.ok(&["note", "added after the demo"]);
    let file = a.home.path().join("incident.jsonl");
    let exported = a.json(&["export", "--out", file.to_str().unwrap()]);
    assert_eq!(exported["entries"], 51);

    let b = Installation::new("Reyes");
    let out = b.ok(&["import", file.to_str().unwrap()]);
    assert!(out.contains("Imported 51 new entries (0 already held)"), "{out}");
    let incident = exported["incidents"][0].as_str().unwrap();
    b.ok(&["incident", "use", incident]);
    assert_eq!(a.digest(), b.digest(), "same entries, same state");
    assert_eq!(a.json(&["timeline"])["entries"], b.json(&["timeline"])["entries"]);
    assert!(b.ok(&["verify"]).starts_with("OK: 51 entries"));

    // Importing again acknowledges everything as already held.
    let again = b.ok(&["import", file.to_str().unwrap()]);
    assert!(again.contains("Imported 0 new entries (51 already held)"), "{again}");
    // B's export of the same incident holds the same entry lines, byte for byte.
    let file_b = b.home.path().join("b.jsonl");
    b.ok(&["export", "--out", file_b.to_str().unwrap()]);
    let lines = |p: &std::path::Path| {
        std::fs::read_to_string(p).unwrap().lines().skip(1).map(String::from).collect::<Vec<_>>()
    };
    assert_eq!(lines(&file), lines(&file_b));
}

#[test]
fn bad_import_files_are_refused_naming_the_line_and_nothing_is_written() {
    let a = Installation::new("Okafor");
    a.ok(&["demo"]);
    let file = a.home.path().join("good.jsonl");
    a.ok(&["export", "--out", file.to_str().unwrap()]);
    let good = std::fs::read_to_string(&file).unwrap();
    let lines: Vec<&str> = good.lines().collect();
    let b = Installation::new("Reyes");
    let write = |name: &str, body: String| {
        let p = b.home.path().join(name);
        std::fs::write(&p, body).unwrap();
        p
    };

    // A forged word in line 6.
    let mut forged: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    forged[5] = forged[5].replacen("\"text\":\"", "\"text\":\"FORGED ", 1);
    let p = write("forged.jsonl", forged.join("\n"));
    let (code, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 6: hash: stated") && err.contains("changed after it was written"), "{err}");
    // The same forgery with the hash field removed is caught by the signature.
    let mut unhashed: Value = serde_json::from_str(&forged[5]).unwrap();
    unhashed.as_object_mut().unwrap().remove("hash");
    let mut without_hash = forged.clone();
    without_hash[5] = unhashed.to_string();
    let p = write("forged-nohash.jsonl", without_hash.join("\n"));
    let (code, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(err.contains("line 6") && err.contains("signature does not match"), "{err}");

    // A missing entry: the chain breaks at the next entry of that stream.
    let mut gap: Vec<&str> = lines.clone();
    gap.remove(10);
    let mut gap: Vec<String> = gap.iter().map(|s| s.to_string()).collect();
    gap[0] = gap[0].replace("\"entries\":50", "\"entries\":49");
    let p = write("gap.jsonl", gap.join("\n"));
    let (code, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("does not follow the stream head") && err.contains("entries missing from the file"),
        "{err}"
    );

    // Truncated file: the header announces more entries than there are.
    let p = write("truncated.jsonl", lines[..20].join("\n"));
    let (_, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert!(err.contains("line 1") && err.contains("announces 50 entries but the file holds 19"), "{err}");

    // Not JSON at all on line 3.
    let mut garbage: Vec<String> = lines.iter().map(|s| s.to_string()).collect();
    garbage[2] = "{not json".into();
    let p = write("garbage.jsonl", garbage.join("\n"));
    let (_, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert!(err.contains("line 3"), "{err}");

    // Not an export.
    let p = write("other.csv", "Name of Covered Entity,State\n".into());
    let (_, err) = b.fails(&["import", p.to_str().unwrap()]);
    assert!(err.contains("line 1: not a Muster export header"), "{err}");

    assert_eq!(b.stored_entries(), 0, "nothing from any bad file was written");
}

#[test]
fn concurrent_commander_assignments_on_partitioned_laptops_show_a_conflict_until_resolved() {
    // Two laptops share an incident, then lose contact: the commander hands command on while
    // the deputy, cut off, assumes it (both have the authority to).
    let a = Installation::new("Okafor");
    let b = Installation::new("Lindqvist");
    let opened = a.json(&["incident", "open", "--title", "Partition"]);
    let incident = opened["incident"].as_str().unwrap();
    a.ok(&["role", "assign", "deputy-incident-commander", "Lindqvist"]);
    let base = a.home.path().join("base.jsonl");
    a.ok(&["export", "--out", base.to_str().unwrap()]);
    b.ok(&["import", base.to_str().unwrap()]);
    b.ok(&["incident", "use", incident]);

    a.ok(&["role", "assign", "ic", "Dr. Luis Reyes"]);
    b.ok(&["role", "assign", "ic", "Lindqvist"]);

    // Connectivity returns: each side imports the other's log.
    let fa = a.home.path().join("a.jsonl");
    let fb = b.home.path().join("b.jsonl");
    a.ok(&["export", "--out", fa.to_str().unwrap()]);
    b.ok(&["export", "--out", fb.to_str().unwrap()]);
    a.ok(&["import", fb.to_str().unwrap()]);
    b.ok(&["import", fa.to_str().unwrap()]);
    for side in [&a, &b] {
        let roster = side.json(&["roster"]);
        assert_eq!(roster["commander"]["state"], "conflict");
        let names: Vec<&str> = roster["commander"]["holders"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["person"].as_str().unwrap())
            .collect();
        assert_eq!(names.len(), 2);
        assert!(names.contains(&"Dr. Luis Reyes") && names.contains(&"Lindqvist"));
        assert!(side.ok(&["show"]).contains("COMMAND CONFLICT"));
    }
    assert_eq!(a.digest(), b.digest(), "both laptops converge to the same state");

    // One resolving entry by one of the two commanders supersedes both.
    b.ok(&["role", "assign", "ic", "Nora Chen"]);
    let fb = b.home.path().join("b2.jsonl");
    b.ok(&["export", "--out", fb.to_str().unwrap()]);
    a.ok(&["import", fb.to_str().unwrap()]);
    for side in [&a, &b] {
        let roster = side.json(&["roster"]);
        assert_eq!(roster["commander"]["state"], "held");
        assert_eq!(roster["commander"]["holders"][0]["person"], "Nora Chen");
    }
    assert_eq!(a.digest(), b.digest());
}

#[test]
fn installations_side_by_side_are_separate_devices() {
    let a = Installation::new("A");
    let b = Installation::new("B");
    a.ok(&["init", "--name", "Alice"]);
    b.ok(&["init", "--name", "Bob"]);
    let wa = a.json(&["whoami"]);
    let wb = b.json(&["whoami"]);
    assert_ne!(wa["device"], wb["device"]);
    assert_eq!(wa["device"].as_str().unwrap().len(), 64);
    assert_ne!(wa["installation"], wb["installation"]);
}

#[test]
fn rebuild_restores_damaged_projections_and_lists_follow_the_log() {
    let m = Installation::new("Okafor");
    m.ok(&["demo"]);
    let before = m.json(&["timeline"]);
    m.sql("UPDATE proj_corrections SET summary = 'tampered'; DELETE FROM proj_assignments;");
    assert_ne!(m.json(&["timeline"]), before);
    let out = m.json(&["rebuild"]);
    assert_eq!(out["entries"], 50);
    assert_eq!(m.json(&["timeline"]), before);
    let list = m.json(&["incident", "list"]);
    let incidents = list["incidents"].as_array().unwrap();
    assert_eq!(incidents.len(), 1);
    assert_eq!(incidents[0]["drill"], true);
    assert_eq!(incidents[0]["commanders"][0], "Dr. Luis Reyes");
    assert_eq!(incidents[0]["current"], true);
}

#[test]
fn a_database_from_a_newer_muster_is_refused_with_a_clear_message() {
    let m = Installation::new("Okafor");
    m.ok(&["demo"]);
    m.sql("PRAGMA user_version = 42;");
    let (code, err) = m.fails(&["timeline"]);
    assert_eq!(code, 1);
    assert!(err.contains("written by a newer Muster (schema 42"), "{err}");
}

#[test]
fn commands_act_on_the_current_incident_or_the_one_named() {
    let m = Installation::new("Okafor");
    let a = m.json(&["incident", "open", "--title", "A"]);
    let b = m.json(&["incident", "open", "--title", "B"]);
    let count = |id: &Value| {
        let r = format!("#{}", id["ref"].as_str().unwrap());
        m.json(&["--incident", &r, "timeline"])["entries"].as_array().unwrap().len()
    };
    // Opening makes an incident current.
    m.ok(&["note", "goes to B"]);
    assert_eq!((count(&a), count(&b)), (3, 4));
    // --incident takes the end of an id.
    let a_ref = format!("#{}", a["ref"].as_str().unwrap());
    m.ok(&["--incident", &a_ref, "note", "goes to A"]);
    assert_eq!((count(&a), count(&b)), (4, 4));
    // `incident use` switches the current one; the list marks it.
    m.ok(&["incident", "use", a["incident"].as_str().unwrap()]);
    m.ok(&["note", "also A"]);
    assert_eq!((count(&a), count(&b)), (5, 4));
    let list = m.json(&["incident", "list"]);
    let current: Vec<&str> = list["incidents"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["current"] == true)
        .map(|i| i["title"].as_str().unwrap())
        .collect();
    assert_eq!(current, ["A"]);
}

#[test]
fn status_prompts_follow_severity_snoozes_are_logged_and_command_passes_on_acceptance() {
    let ic = Installation::new("Okafor");
    ic.json(&["incident", "open", "--title", "Prompts", "--severity", "sev2"]);
    ic.ok(&["role", "assign", "technical-lead", "Kim"]);
    let prompts = ic.json(&["prompts"]);
    let tech = &prompts["prompts"][0];
    assert_eq!(tech["position"], "technical-lead");
    assert_eq!((tech["interval_minutes"].as_u64(), tech["state"].as_str()), (Some(30), Some("waiting")));
    assert_eq!(tech["cadence_from"], "default");

    ic.ok(&["severity", "sev1"]);
    assert_eq!(ic.json(&["prompts"])["prompts"][0]["interval_minutes"], 15);
    // Lowering the severity without a rationale is refused, naming the field; nothing written.
    let before = ic.stored_entries();
    let (code, err) = ic.fails(&["severity", "sev3"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("rationale"), "{err}");
    assert_eq!(ic.stored_entries(), before);

    ic.ok(&["snooze", "technical-lead", "--minutes", "10", "--reason", "restore running"]);
    let snoozed = &ic.json(&["prompts"])["prompts"][0]["snoozed"];
    assert_eq!(
        (snoozed["minutes"].as_u64(), snoozed["reason"].as_str()),
        (Some(10), Some("restore running"))
    );

    ic.ok(&["handover", "offer", "--to", "Reyes", "--situation", "PACS down", "--objectives", "Restore"]);
    // Still Okafor's until Reyes accepts; nobody else can accept.
    let roster = ic.json(&["roster"]);
    let holder = |r: &Value| r["positions"][0]["holders"][0]["person"].as_str().map(str::to_string);
    assert_eq!(holder(&roster).as_deref(), Some("Okafor"));
    let (code, err) = ic.fails(&["--as", "Chen", "handover", "accept"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("offered to Reyes"), "{err}");
    let accepted = ic.json(&["--as", "Reyes", "handover", "accept"]);
    assert_eq!(accepted["entries"].as_array().map(Vec::len), Some(2));
    assert_eq!(holder(&ic.json(&["roster"])).as_deref(), Some("Reyes"));
}
