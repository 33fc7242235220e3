//! Someone edits, deletes or reorders rows of the log directly in the SQLite file. `muster
//! verify` must name each affected entry, say what happened, and exit 3.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::Installation;
use serde_json::Value;

/// A demo incident plus a local stream of 6 notes (seq 1..6) from this installation.
fn setup() -> (Installation, Vec<String>) {
    let m = Installation::new("Okafor");
    m.ok(&["demo"]);
    let ids = (1..=6)
        .map(|i| m.json(&["note", &format!("local note {i}")])["id"].as_str().unwrap().to_string())
        .collect();
    assert!(m.ok(&["verify"]).starts_with("OK"));
    (m, ids)
}

fn verify(m: &Installation) -> Vec<Value> {
    let out = m.output(&["--json", "verify"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    if report["ok"] == true {
        assert_eq!(out.status.code(), Some(0));
    } else {
        assert_eq!(out.status.code(), Some(3), "verify exits 3 when it finds problems");
    }
    report["problems"].as_array().unwrap().clone()
}

fn blob(id: &str) -> String {
    format!("X'{}'", id.replace('-', ""))
}

fn find<'a>(problems: &'a [Value], kind: &str, entry: &str) -> &'a Value {
    problems
        .iter()
        .find(|p| p["kind"] == kind && p["entry_id"] == entry)
        .unwrap_or_else(|| panic!("no {kind} problem naming {entry} in {problems:#?}"))
}

#[test]
fn an_untouched_log_verifies() {
    let (m, _) = setup();
    assert!(verify(&m).is_empty());
    let text = m.ok(&["verify"]);
    assert!(text.contains("every signature and chain link verifies"), "{text}");
}

#[test]
fn an_edited_body_is_named() {
    let (m, ids) = setup();
    m.sql(&format!(
        "UPDATE entries SET body = replace(body, 'local note 3', 'nothing happened') WHERE id = {}",
        blob(&ids[2])
    ));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = find(&problems, "edited", &ids[2]);
    assert_eq!(p["seq"], 3);
    assert!(p["detail"].as_str().unwrap().contains("signature no longer matches"));
    let text = m.output(&["verify"]);
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains(&format!("EDITED: entry {}", ids[2])), "{text}");
}

#[test]
fn an_edited_author_or_time_is_named() {
    let (m, ids) = setup();
    m.sql(&format!("UPDATE entries SET author_person = 'Someone Else' WHERE id = {}", blob(&ids[0])));
    m.sql(&format!(
        "UPDATE entries SET recorded_utc_ms = recorded_utc_ms - 3600000 WHERE id = {}",
        blob(&ids[4])
    ));
    let problems = verify(&m);
    assert_eq!(problems.len(), 2, "{problems:#?}");
    find(&problems, "edited", &ids[0]);
    find(&problems, "edited", &ids[4]);
}

#[test]
fn a_deleted_entry_in_the_middle_is_named() {
    let (m, ids) = setup();
    m.sql(&format!("DELETE FROM entries WHERE id = {}", blob(&ids[2])));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = find(&problems, "missing", &ids[3]);
    assert!(p["detail"].as_str().unwrap().contains("entry seq 3 is missing"), "{p}");
}

#[test]
fn a_deleted_last_entry_is_named() {
    let (m, ids) = setup();
    m.sql(&format!("DELETE FROM entries WHERE id = {}", blob(&ids[5])));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0]["kind"], "missing");
    assert_eq!(problems[0]["seq"], 6);
    assert!(problems[0]["detail"].as_str().unwrap().contains("missing at the end of the stream"));
}

#[test]
fn swapped_stream_positions_are_named_as_reordered() {
    let (m, ids) = setup();
    // Swap seq 3 and 4 of the local stream (through a free value, for the UNIQUE constraint).
    m.sql(&format!(
        "UPDATE entries SET seq = -1 WHERE id = {a}; UPDATE entries SET seq = 3 WHERE id = {b}; UPDATE entries SET seq = 4 WHERE id = {a};",
        a = blob(&ids[2]),
        b = blob(&ids[3])
    ));
    let problems = verify(&m);
    let a = find(&problems, "reordered", &ids[2]);
    assert!(
        a["detail"].as_str().unwrap().contains("signed as seq 3 of this stream but stored as seq 4"),
        "{a}"
    );
    let b = find(&problems, "reordered", &ids[3]);
    assert!(
        b["detail"].as_str().unwrap().contains("signed as seq 4 of this stream but stored as seq 3"),
        "{b}"
    );
    assert!(problems.iter().all(|p| p["kind"] == "reordered"), "{problems:#?}");
}

#[test]
fn an_entry_moved_to_another_stream_position_is_named_as_reordered() {
    // The log is clustered by (incident, device, seq): a row only moves if its key is rewritten.
    let (m, ids) = setup();
    m.sql(&format!("UPDATE entries SET seq = 100 WHERE id = {}", blob(&ids[5])));
    let problems = verify(&m);
    let p = find(&problems, "reordered", &ids[5]);
    assert!(
        p["detail"].as_str().unwrap().contains("signed as seq 6 of this stream but stored as seq 100"),
        "{p}"
    );
    assert!(problems.iter().all(|p| p["kind"] != "edited"), "{problems:#?}");
}

#[test]
fn an_edited_hash_column_is_named_once() {
    let (m, ids) = setup();
    m.sql(&format!("UPDATE entries SET hash = zeroblob(32) WHERE id = {}", blob(&ids[1])));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let p = find(&problems, "hash_mismatch", &ids[1]);
    assert!(p["detail"].as_str().unwrap().starts_with("stored hash 0000"), "{p}");
}

#[test]
fn an_edited_prev_hash_is_named_as_an_edit() {
    // prev_hash is signed: rewriting it to splice entries elsewhere breaks the signature.
    let (m, ids) = setup();
    m.sql(&format!("UPDATE entries SET prev_hash = zeroblob(32) WHERE id = {}", blob(&ids[5])));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    find(&problems, "edited", &ids[5]);
}

#[test]
fn a_demo_entry_from_another_device_edited_is_named_too() {
    let (m, _) = setup();
    let timeline = m.json(&["timeline", "--kind", "decision.recorded"]);
    let decision = timeline["entries"][0]["id"].as_str().unwrap().to_string();
    m.sql(&format!("UPDATE entries SET body = replace(body, 'Lift diversion now\",\"options', 'Keep diversion\",\"options') WHERE id = {}", blob(&decision)));
    m.sql(&format!("UPDATE entries SET body = replace(body, '\"choice\":\"Lift diversion now\"', '\"choice\":\"Keep diversion until PACS is restored\"') WHERE id = {}", blob(&decision)));
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    find(&problems, "edited", &decision);
}

/// Cuts the last `n` entries off the local stream and fixes its head record to match, as
/// someone covering their tracks would: the log alone is consistent again.
fn cut_local_tail(m: &Installation, ids: &[String], n: usize) {
    let keep = &ids[ids.len() - n - 1];
    for id in &ids[ids.len() - n..] {
        m.sql(&format!("DELETE FROM entries WHERE id = {}", blob(id)));
    }
    m.sql(&format!(
        "UPDATE stream_heads SET (seq, hash, hlc_wall_ms, hlc_counter) = \
         (SELECT seq, hash, hlc_wall_ms, hlc_counter FROM entries WHERE id = {k}) \
         WHERE (incident_id, device_id) = (SELECT incident_id, device_id FROM entries WHERE id = {k})",
        k = blob(keep)
    ));
}

#[test]
fn a_cut_off_tail_with_its_head_fixed_is_named_as_truncated() {
    let (m, ids) = setup();
    cut_local_tail(&m, &ids, 2);
    let problems = verify(&m);
    assert_eq!(problems.len(), 1, "only the keyring's anchor can tell: {problems:#?}");
    assert_eq!(problems[0]["kind"], "truncated");
    assert_eq!(problems[0]["seq"], 5);
    let detail = problems[0]["detail"].as_str().unwrap();
    assert!(detail.contains("entries seq 5 to 6 that this laptop signed are gone"), "{detail}");
    let text = String::from_utf8(m.output(&["verify"]).stdout).unwrap();
    assert!(text.contains("TRUNCATED"), "{text}");
}
