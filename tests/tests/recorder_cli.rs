//! "Trust nobody" 5 through the real binaries (`muster serve` on 127.0.0.1:0, two installations
//! with their own keyrings; run under `scripts/with-keyring`): every entry says who recorded it
//! and for whom; a registered laptop records only as its person; an act reserved to a position
//! that its recorder had no authority for is kept on every laptop, shown as not in force, and
//! never changes the roster.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::{Installation, SyncServer};
use serde_json::Value;

fn commanders(who: &Installation) -> Vec<String> {
    who.json(&["roster"])["commander"]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["person"].as_str().unwrap().to_string())
        .collect()
}

fn entry_of_kind(who: &Installation, kind: &str) -> Value {
    let t = who.json(&["timeline", "--kind", kind]);
    t["entries"][0].clone()
}

#[test]
fn a_member_cannot_name_a_commander_in_anothers_name_and_an_act_without_authority_is_kept_but_not_in_force() {
    let server = SyncServer::start();
    let a = Installation::new("Okafor");
    let b = Installation::new("Mallory");
    server.login(&a, "alice");
    server.login(&b, "mallory");
    let opened = a.json(&["incident", "open", "--title", "Ransomware on PACS"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    a.json(&["share", "--with", "mallory"]);
    a.json(&["sync"]);
    b.json(&["sync"]);
    b.ok(&["incident", "use", &incident]);

    // Mallory's laptop is registered for Mallory: it cannot record as Okafor, and writes nothing.
    let before = b.stored_entries();
    let (code, err) = b.fails(&["--as", "Okafor", "role", "assign", "incident-commander", "Mallory"]);
    assert_ne!(code, 0);
    assert!(err.contains("registered with the sync server for Mallory") && err.contains("--for"), "{err}");
    assert_eq!(b.stored_entries(), before);

    // A scribe's note for the commander is normal: it says both, and is in force.
    b.json(&["--for", "Okafor", "note", "PACS isolated at 02:10"]);
    let note = entry_of_kind(&b, "note");
    assert_eq!(note["author"]["person"], "Mallory");
    assert_eq!(note["on_behalf"], "Okafor");
    assert!(note["not_in_force"].is_null());

    // Naming a commander "for Okafor" is Mallory's act, and Mallory does not command.
    b.json(&["--for", "Okafor", "role", "assign", "incident-commander", "Mallory"]);
    assert_eq!(commanders(&b), ["Okafor"], "not in force on the laptop that wrote it");
    b.json(&["sync"]);
    a.json(&["sync"]);
    assert_eq!(commanders(&a), ["Okafor"], "nor on the commander's laptop");
    let coup = entry_of_kind(&a, "role.assigned");
    assert_eq!(coup["author"]["person"], "Mallory");
    assert_eq!(coup["on_behalf"], "Okafor");
    let why = coup["not_in_force"].as_str().expect("marked not in force");
    assert!(why.contains("Mallory was not in command: Okafor commanded"), "{why}");
    // The text timeline says it too, and both laptops hold the same state.
    let text = a.ok(&["timeline"]);
    assert!(text.contains("Mallory for Okafor") && text.contains("NOT IN FORCE"), "{text}");
    assert_eq!(a.digest(), b.digest());
}
