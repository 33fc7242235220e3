//! Who is acting, at the IPC boundary: a fresh installation writes nothing until someone gives
//! their name, and the board sends the alert area's items with the instants they turn on. Needs
//! an OS keyring (scripts/with-keyring).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{console, open_incident_args};
use serde_json::{json, Value};

#[test]
fn nothing_is_written_until_someone_gives_their_name() {
    let c = console();
    let info = c.ok("app_info", json!({}));
    assert_eq!(info["operator_named"], false, "{info}");

    for (cmd, args) in
        [("open_incident", open_incident_args("Ransomware on PACS", "sev2")), ("load_demo", json!({}))]
    {
        let err = c.call(cmd, args).unwrap_err();
        assert_eq!(err["code"], "state.no_operator", "{cmd}: {err}");
        assert!(err["message"].as_str().unwrap().contains("give your name first"), "{err}");
    }
    assert_eq!(c.ok("list_incidents", json!({})), json!([]), "nothing stored");
    assert_eq!(c.ok("app_info", json!({}))["device"], Value::Null, "no device key was even made");

    // A bad name is refused at its field; still nothing stored.
    let err = c.call("set_operator", json!({ "name": "   " })).unwrap_err();
    assert_eq!(err["code"], "input.invalid", "{err}");
    assert_eq!(c.ok("app_info", json!({}))["operator_named"], false);

    let info = c.ok("set_operator", json!({ "name": "Dr. Amara Okafor" }));
    assert_eq!(
        (info["operator"].as_str(), info["operator_named"].as_bool()),
        (Some("Dr. Amara Okafor"), Some(true))
    );
    let opened = c.ok("open_incident", open_incident_args("Ransomware on PACS", "sev2"));
    let board = c.ok("incident_board", json!({ "incident_ref": opened["incident"] }));
    assert_eq!(board["commander"]["holders"][0]["person"], "Dr. Amara Okafor");
}

#[test]
fn the_board_lists_what_the_alert_area_shows_with_the_instants_it_turns_on() {
    let c = console();
    c.ok("set_operator", json!({ "name": "Dr. Amara Okafor" }));
    let incident =
        c.ok("open_incident", open_incident_args("Ransomware on PACS", "sev2"))["incident"].clone();
    c.ok("assign_role", json!({ "input": { "incident": incident, "position": "scribe", "person": "Dana" } }));
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    let alerts = board["alerts"].as_array().unwrap();
    let now = board["now_ms"].as_f64().unwrap();

    // The scribe's update (SEV2: 30 minutes), in the area once due, late 10 minutes after.
    let scribe = alerts.iter().find(|a| a["key"] == "status_update:scribe").expect("the scribe's update");
    assert_eq!(scribe["kind"], "status_update");
    assert_eq!(scribe["what"], "Scribe status update");
    assert_eq!(scribe["who"], "Dana");
    assert_eq!(scribe["position"], "scribe");
    let due = scribe["due_ms"].as_f64().unwrap();
    assert_eq!(scribe["shows_from_ms"], due);
    assert!((due - now - 30.0 * 60_000.0).abs() < 5_000.0, "due in 30 minutes: {scribe}");
    assert_eq!(scribe["late_from_ms"].as_f64().unwrap(), due + 10.0 * 60_000.0);

    // Escalation steps wait for their trigger: none listed before it is recorded.
    assert!(alerts.iter().all(|a| a["kind"] != "escalation_step"), "{alerts:?}");
    let confirmed = chrono::Utc::now() - chrono::Duration::minutes(1);
    c.ok(
        "record_trigger",
        json!({ "input": { "incident": incident, "trigger": "determination",
                           "at": confirmed.to_rfc3339(), "note": null } }),
    );
    let board = c.ok("incident_board", json!({ "incident_ref": incident }));
    let alerts = board["alerts"].as_array().unwrap();
    // Activating the response team is due 30 minutes after the confirmation; it joins the area
    // once overdue (the millisecond after its due instant).
    let step = alerts.iter().find(|a| a["key"] == "escalation_step:response-team").expect("the step");
    assert_eq!(step["kind"], "escalation_step");
    assert_eq!(step["what"], "Activate the incident response team");
    assert_eq!(step["rule"], "response-team");
    assert_eq!(step["who"], "Incident Commander: Dr. Amara Okafor");
    let due = step["due_ms"].as_f64().unwrap();
    assert!((due - confirmed.timestamp_millis() as f64 - 30.0 * 60_000.0).abs() < 60_000.0, "{step}");
    assert_eq!(
        (step["shows_from_ms"].as_f64(), step["late_from_ms"].as_f64()),
        (Some(due + 1.0), Some(due + 1.0))
    );

    // The most late (earliest due) first.
    let dues: Vec<f64> = alerts.iter().map(|a| a["due_ms"].as_f64().unwrap()).collect();
    assert!(dues.windows(2).all(|w| w[0] <= w[1]), "{dues:?}");
}
