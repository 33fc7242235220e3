//! The IPC boundary with the app's real configuration, capabilities and commands on Tauri's mock
//! runtime (no window system): argument names, the `{code, message}` error, permissions, and
//! that a refused write stores nothing. Needs an OS keyring (scripts/with-keyring).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::console;
use muster_store::{Muster, OpenOptions};
use serde_json::{json, Value};

#[test]
fn commands_work_with_the_arguments_the_ui_sends_and_refusals_write_nothing() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Amara Okafor" }));
    let incident = c.open_incident("Ransomware on PACS", "sev1");
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    assert_eq!(board["title"], "Ransomware on PACS");
    assert_eq!(board["severity"]["label"], "SEV1");
    assert_eq!(board["commander"]["state"], "held");
    assert_eq!(board["commander"]["holders"][0]["person"], "Amara Okafor");
    assert_eq!(board["entry_count"], 3.0);

    // Bad input: the one error shape, naming the field; nothing stored.
    let err = c
        .call("add_note", json!({ "input": { "incident": incident, "text": "   ", "occurred_at": null } }))
        .unwrap_err();
    assert_eq!(err["code"], "input.invalid", "{err}");
    assert!(err["message"].as_str().unwrap().contains("text"), "{err}");
    let err = c
        .call("add_note", json!({ "input": { "incident": incident, "text": "x", "occurred_at": "25:99" } }))
        .unwrap_err();
    assert_eq!(err["code"], "input.invalid", "{err}");
    assert!(err["message"].as_str().unwrap().contains("occurred_at"), "{err}");
    // The field it belongs to, and what is wrong in words a form shows under that field.
    assert_eq!(err["field"], "occurred_at", "{err}");
    assert!(err["reason"].as_str().unwrap().starts_with("cannot read this as a time; write a time of day"));
    let err =
        c.call("close_incident", json!({ "input": { "incident": incident, "reason": " " } })).unwrap_err();
    assert_eq!((err["field"].as_str(), err["reason"].as_str()), (Some("summary"), Some("must not be empty")));
    let err = c.call("accept_handover", json!({ "incident_ref": incident })).unwrap_err();
    assert_eq!((err["code"].as_str(), err["field"].as_str()), (Some("state.refused"), None));
    assert_eq!(c.ok("incident_board", json!({ "incident_ref": incident }))["entry_count"], 3.0);

    c.ok(
        "add_note",
        json!({ "input": { "incident": incident, "text": "EDR alert on PACS-02", "occurred_at": null } }),
    );
    let page = c.ok(
        "timeline_query",
        json!({ "query": { "incident": incident, "newest_first": true, "kinds": [], "positions": [],
                           "authors": [], "text": "", "offset": 0, "limit": 50 } }),
    );
    assert_eq!(page["total"], 4);
    assert_eq!(page["rows"][0]["summary"], "EDR alert on PACS-02");
    let notes = c.ok(
        "timeline_query",
        json!({ "query": { "incident": incident, "newest_first": false, "kinds": ["severity.set"],
                           "positions": [], "authors": [], "text": "", "offset": 0, "limit": 50 } }),
    );
    assert_eq!((notes["matched"].as_u64(), notes["total"].as_u64()), (Some(1), Some(4)));
    let err = c
        .call(
            "timeline_query",
            json!({ "query": { "incident": incident, "newest_first": true, "kinds": [], "positions": [],
                               "authors": [], "text": "", "offset": 0, "limit": 100000 } }),
        )
        .unwrap_err();
    assert_eq!(err["code"], "input.invalid");

    // A handover offered to Reyes cannot be accepted by anyone else.
    c.ok(
        "offer_handover",
        json!({ "incident_ref": incident, "input": { "to": "Luis Reyes", "situation": "PACS down",
                           "objectives": "Restore imaging" } }),
    );
    let err = c.call("accept_handover", json!({ "incident_ref": incident })).unwrap_err();
    assert_eq!(err["code"], "state.refused", "{err}");
    c.ok("set_operator", json!({ "name": "Luis Reyes" }));
    let written = c.ok("accept_handover", json!({ "incident_ref": incident }));
    assert_eq!(written.as_array().map(Vec::len), Some(2));
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    assert_eq!(board["commander"]["holders"][0]["person"], "Luis Reyes");
    assert_eq!(board["handovers"][0]["outcome"], "accepted");
}

#[test]
fn a_handover_briefs_the_decisions_in_force_isolated_systems_and_open_deadlines() {
    let c = console();
    // Nothing is written before someone says who is acting (the first launch asks).
    c.ok("set_operator", json!({ "name": "Dr. Luis Reyes" }));
    let incident = c.ok("load_demo", json!({}))["incident"].as_str().unwrap().to_string();
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    let preview = &board["handover_preview"];
    let questions: Vec<&str> =
        preview["decisions"].as_array().unwrap().iter().map(|d| d["question"].as_str().unwrap()).collect();
    assert_eq!(
        questions,
        vec![
            "Isolate the PACS VLAN and the HL7 interface engine from the core network?",
            "Divert ambulances for stroke and trauma while imaging is down?",
        ],
        "both decisions in force, none awaiting approval: {preview}"
    );
    assert_eq!(preview["isolated_systems"][0]["system"], "hl7-engine", "{preview}");
    assert!(!preview["deadlines"].as_array().unwrap().is_empty(), "{preview}");

    c.ok(
        "offer_handover",
        json!({ "incident_ref": incident, "input": { "to": "Dr. Amara Okafor",
                "situation": "PACS-01 read-only", "objectives": "Restore HL7" } }),
    );
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    let briefing = &board["pending_handover"]["briefing"];
    assert_eq!(briefing["decisions"], preview["decisions"]);
    assert_eq!(briefing["isolated_systems"], preview["isolated_systems"]);
    assert_eq!(briefing["deadlines"], preview["deadlines"]);
    assert_eq!(briefing["situation"], "PACS-01 read-only");
}

#[test]
fn a_row_opens_in_full_with_its_original_words_and_corrections() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Dana" }));
    let incident = c.open_incident("Ambulance diversion", "sev2");
    let note = c.ok(
        "add_note",
        json!({ "input": { "incident": incident, "text": "Ambulance ETA 25 min", "occurred_at": null } }),
    );
    c.ok(
        "amend_note",
        json!({ "input": { "incident": incident, "target": note["entry_id"], "reason": "dispatch called back",
                           "text": "Ambulance ETA 35 min", "occurred_at": null } }),
    );
    let detail = c.ok("timeline_entry", json!({ "input": { "incident": incident, "entry": note["short"] } }));
    let row = &detail["row"];
    assert_eq!(row["summary"], "Ambulance ETA 35 min");
    assert_eq!(row["original_summary"], "Ambulance ETA 25 min");
    assert_eq!(row["corrections"][0]["kind"], "amended");
    assert_eq!(row["corrections"][0]["by"], "Dana");
    assert_eq!(row["corrections"][0]["reason"], "dispatch called back");
    assert_eq!((row["can_amend"].as_bool(), row["can_retract"].as_bool()), (Some(true), Some(true)));
    assert_eq!(detail["this_device"], true);
    assert_eq!(detail["device_id"].as_str().map(str::len), Some(64));
    // Search finds it by either wording.
    for words in ["25 min", "35 min"] {
        let page = c.ok(
            "timeline_query",
            json!({ "query": { "incident": incident, "newest_first": true, "kinds": ["note"], "positions": [],
                               "authors": [], "text": words, "offset": 0, "limit": 50 } }),
        );
        assert_eq!(page["matched"], 1, "{words}: {page}");
    }
    let err = c.call("timeline_entry", json!({ "input": { "incident": incident, "entry": "#ffffffff" } }));
    assert_eq!(err.unwrap_err()["code"], "input.not_found");
}

#[test]
fn the_timeline_orders_by_when_things_happened_or_were_recorded() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Dana" }));
    let incident = c.open_incident("Order", "sev2");
    let add = |text: &str, at: Option<&str>| {
        c.ok("add_note", json!({ "input": { "incident": incident, "text": text, "occurred_at": at } }));
    };
    add("recorded first, happened last", None);
    add("recorded second, happened first", Some("2000-01-01 00:00"));
    add("recorded third, happened second", Some("2000-01-02 00:00"));
    let summaries = |order: &str, newest_first: bool| -> Vec<String> {
        let page = c.ok(
            "timeline_query",
            json!({ "query": { "incident": incident, "newest_first": newest_first, "order": order,
                               "kinds": ["note"], "positions": [], "authors": [], "text": "",
                               "offset": 0, "limit": 50 } }),
        );
        page["rows"].as_array().unwrap().iter().map(|r| r["summary"].as_str().unwrap().to_string()).collect()
    };
    assert_eq!(
        summaries("occurred", false),
        vec![
            "recorded second, happened first",
            "recorded third, happened second",
            "recorded first, happened last"
        ]
    );
    assert_eq!(summaries("occurred", true)[0], "recorded first, happened last");
    assert_eq!(summaries("recorded", false)[0], "recorded first, happened last");
    assert_eq!(summaries("recorded", true)[0], "recorded third, happened second");
}

#[test]
fn the_window_cannot_call_what_its_capability_does_not_grant() {
    let c = console();
    // The notification plugin is loaded for the backend's own use; the window has no permission.
    let err = c
        .call("plugin:notification|notify", json!({ "options": { "title": "x" } }))
        .expect_err("the UI must not be able to send notifications itself");
    assert!(err.to_string().contains("not allowed") || err.to_string().contains("denied"), "{err}");
    assert!(c.call("no_such_command", json!({})).is_err());
}

#[test]
fn breach_commands_take_the_ui_arguments_and_keep_clocks_running_on_the_last_valid_ruleset() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Amara Okafor" }));
    let incident = c.open_incident("PHI on the imaging share", "sev3");
    let view = c.ok("breach_view", json!({ "incident_ref": incident }));
    assert_eq!(view["scope"], Value::Null);
    assert_eq!(view["obligations"], json!([]));

    // A bad jurisdiction: the one error shape, naming the field and value; nothing stored.
    let scope = |jurisdiction: &str, individuals: f64| {
        json!({ "input": { "incident": incident, "affected": [{ "jurisdiction": jurisdiction, "individuals": individuals }],
                           "data": ["clinical-phi"], "exposure": ["exfiltration-confirmed"], "systems": [],
                           "roles": ["covered-entity"], "litigation_exposure": false } })
    };
    let err = c.call("set_scope", scope("US-ZZ", 10.0)).unwrap_err();
    assert_eq!(err["code"], "input.invalid", "{err}");
    assert!(err["message"].as_str().unwrap().contains("US-ZZ"), "{err}");
    let err = c.call("set_scope", scope("US-CA", 2.5)).unwrap_err();
    assert!(err["message"].as_str().unwrap().contains("whole number"), "{err}");
    assert_eq!(c.ok("breach_view", json!({ "incident_ref": incident }))["scope"], Value::Null);

    c.ok("set_scope", scope("US-CA", 600.0));
    c.ok(
        "record_trigger",
        json!({ "input": { "incident": incident, "trigger": "discovery", "at": "2026-11-02T09:30:00-06:00", "note": null } }),
    );
    let view = c.ok("breach_view", json!({ "incident_ref": incident }));
    assert_eq!(view["preview"]["severity"], "SEV1");
    let hhs =
        view["obligations"].as_array().unwrap().iter().find(|o| o["rule"] == "hipaa.hhs").unwrap().clone();
    assert!(hhs["due_utc"].as_str().unwrap().starts_with("2027-01-0"), "{hhs}");
    assert!(hhs["due_jurisdiction"].is_string() && hhs["due_text"].is_string(), "{hhs}");

    let written = c.ok("classify_incident", json!({ "input": { "incident": incident, "rationale": null } }));
    assert_eq!(written.as_array().unwrap().len(), 2, "classification and severity: {written}");

    // A malformed copy of the clocks in the data directory: reported, the built-in copy stays.
    let data_dir = c.ok("app_info", json!({}))["data_dir"].as_str().unwrap().to_string();
    std::fs::create_dir_all(format!("{data_dir}/rules")).unwrap();
    std::fs::write(
        format!("{data_dir}/rules/regulatory-clocks.toml"),
        "[ruleset]\nname = \"x\"\nversion = \"one\"\n",
    )
    .unwrap();
    let view = c.ok("breach_view", json!({ "incident_ref": incident }));
    let problem = &view["problems"][0];
    assert_eq!(problem["line"], 3.0, "{view}");
    assert_eq!(problem["field"], "version");
    assert_eq!(problem["using"], "the built-in ruleset");
    assert!(view["obligations"].as_array().unwrap().iter().any(|o| o["rule"] == "hipaa.hhs"));
}

#[test]
fn export_file_saves_the_register_and_the_deadlines_as_files_the_importers_read() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Amara Okafor" }));
    let incident = c.open_incident("Interface engine compromise", "sev2");
    let export =
        |kind: &str| c.call("export_file", json!({ "input": { "incident": incident, "kind": kind } }));

    // No register yet: refused with the reason, no file.
    let err = export("systems-csv").unwrap_err();
    assert_ne!(err["code"], "app.internal", "{err}");
    let err = export("pdf").unwrap_err();
    assert_eq!(err["code"], "input.invalid", "{err}");
    assert!(err["message"].as_str().unwrap().contains("kind"), "{err}");

    let register = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/demo/systems.csv"),
    )
    .unwrap();
    c.ok(
        "import_systems",
        json!({ "input": { "incident": incident, "file_name": "systems.csv", "csv": register } }),
    );
    let saved = export("systems-csv").unwrap();
    let path = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    assert!(path.file_name().unwrap().to_str().unwrap().ends_with(".csv"), "{saved}");
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(saved["bytes"].as_f64().unwrap() as usize, written.len());
    // What was saved is the register in force: it imports back as it is.
    let again = muster_core::systems::parse_csv(&written).unwrap();
    let original = muster_core::systems::parse_csv(&register).unwrap();
    assert_eq!(again, original);
    assert_eq!(saved["summary"], format!("{} systems", original.systems.len()));
    std::fs::remove_file(&path).unwrap();

    let scope = json!({ "input": { "incident": incident, "affected": [{ "jurisdiction": "US-CA", "individuals": 600.0 }],
                                   "data": ["clinical-phi"], "exposure": ["exfiltration-confirmed"], "systems": [],
                                   "roles": ["covered-entity"], "litigation_exposure": false } });
    c.ok("set_scope", scope);
    c.ok(
        "record_trigger",
        json!({ "input": { "incident": incident, "trigger": "discovery", "at": "2026-11-02T09:30:00-06:00", "note": null } }),
    );
    let saved = export("deadlines-ics").unwrap();
    let path = std::path::PathBuf::from(saved["path"].as_str().unwrap());
    let ics = std::fs::read_to_string(&path).unwrap();
    assert!(ics.starts_with("BEGIN:VCALENDAR"), "{ics}");
    let events = ics.matches("BEGIN:VEVENT").count();
    assert!(events >= 3, "HIPAA and California deadlines: {ics}");
    assert_eq!(saved["summary"], format!("{events} deadlines"));
    assert!(ics.contains("hipaa.hhs"), "{ics}");
    assert!(!path.with_extension("ics.partial").exists());
    std::fs::remove_file(&path).unwrap();
}

#[test]
fn sync_commands_work_without_a_server_and_list_the_evidence_sync_stored() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Amara Okafor" }));
    // Not logged in: off, and the one error shape for whatever needs a server.
    assert_eq!(c.ok("sync_status", json!({}))["state"], "off");
    assert_eq!(c.ok("sync_now", json!({}))["state"], "off");
    let login = |server: &str| {
        c.call("sync_login", json!({ "input": { "server": server, "user": "alice", "token": "0011" } }))
            .unwrap_err()
    };
    let err = login("10.0.0.5:7373");
    assert_eq!(err["code"], "sync.not_configured", "{err}");
    assert!(err["message"].as_str().unwrap().contains("http://"), "{err}");
    // Nothing listens on the discard port: unreachable, and still logged out.
    let err = login("http://127.0.0.1:9");
    assert_eq!(err["code"], "sync.unreachable", "{err}");
    assert_eq!(c.ok("sync_status", json!({}))["state"], "off");

    let incident = c.open_incident("Ransomware on PACS", "sev1");
    let err = c
        .call("sync_share", json!({ "input": { "incident": incident, "user": "bob", "commander": false } }))
        .unwrap_err();
    assert_eq!(err["code"], "sync.not_configured", "{err}");
    let err = c
        .call("sync_share", json!({ "input": { "incident": "ffffffff", "user": "bob", "commander": false } }))
        .unwrap_err();
    assert_eq!(err["code"], "input.not_found", "{err}");

    let none = c.ok("sync_alerts", json!({ "incident_ref": incident }));
    assert_eq!(
        (none["alerts"].as_array().unwrap().len(), none["conflicts"].as_array().unwrap().len()),
        (0, 0)
    );

    // What a sync round stores when the server reports an equivocation and a pulled entry
    // conflicts with this laptop's copy (through another connection, as the loop's).
    let data_dir = c.ok("app_info", json!({}))["data_dir"].as_str().unwrap().to_string();
    let store = muster_store::Store::open(
        &std::path::Path::new(&data_dir).join(muster_store::DB_FILE),
        std::sync::Arc::new(muster_store::SystemClock::new()),
    )
    .unwrap();
    let id: muster_core::IncidentId = incident.parse().unwrap();
    let entries = store.entries(id).unwrap();
    let device = entries[0].device_id();
    let alert = json!({ "pushed_by": "bob", "received_ms": 1_790_000_000_000_i64 }).to_string();
    store.record_sync_alerts(id, &[(7, "equivocation".into(), device, 2, alert)]).unwrap();
    store.quarantine_pulled(&entries[2..3], "ingest.prev_hash_mismatch").unwrap();

    let evidence = c.ok("sync_alerts", json!({ "incident_ref": incident }));
    let a = &evidence["alerts"][0];
    assert_eq!(a["kind"], "equivocation");
    assert_eq!(a["device"], device.short());
    assert_eq!(a["seq"], 2);
    assert_eq!(a["pushed_by"], "bob");
    assert!(a["description"].as_str().unwrap().starts_with("two histories signed by one device key"), "{a}");
    assert!(
        a["received_text"]
            .as_str()
            .unwrap()
            .ends_with(c.ok("app_info", json!({}))["zone_abbreviation"].as_str().unwrap()),
        "{a}"
    );
    let q = &evidence["conflicts"][0];
    assert_eq!((q["reason"].as_str(), q["seq"].as_u64()), (Some("ingest.prev_hash_mismatch"), Some(3)));
    assert_eq!(evidence["incident"], incident.as_str());
}

#[test]
fn timeline_rows_carry_the_sync_servers_clock_flags() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Amara Okafor" }));
    let incident = c.open_incident("Ransomware on PACS", "sev2");
    c.ok(
        "add_note",
        json!({ "input": { "incident": incident, "text": "from a fast laptop", "occurred_at": null } }),
    );
    let query = json!({ "query": { "incident": incident, "newest_first": true, "kinds": [], "positions": [],
                                   "authors": [], "text": "", "offset": 0, "limit": 50 } });
    let page = c.ok("timeline_query", query.clone());
    assert!(page["rows"].as_array().unwrap().iter().all(|r| r["clock_skew_ms"].is_null()));

    // What the sync loop stores when a pull brings the server's flag for the note.
    let flagged = page["rows"][0]["id"].as_str().unwrap().to_string();
    let other = Muster::open(c.dir.path(), OpenOptions::default()).unwrap();
    other
        .store()
        .record_clock_flags(incident.parse().unwrap(), &[(flagged.parse().unwrap(), 420_000)])
        .unwrap();
    let page = c.ok("timeline_query", query);
    let rows = page["rows"].as_array().unwrap();
    assert_eq!(rows[0]["id"], flagged.as_str());
    assert_eq!(rows[0]["clock_skew_ms"], 420_000.0);
    assert!(rows[1..].iter().all(|r| r["clock_skew_ms"].is_null()), "only the flagged entry");
}
