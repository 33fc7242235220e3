//! "Trust nobody" 3 and 8 through the real binaries (`muster serve` on 127.0.0.1:0, two
//! installations with their own keyrings; run under `scripts/with-keyring`): a lost laptop
//! revoked by `muster server device revoke` can no longer sync, and the other members' laptops
//! show it in `muster alerts`; `muster server audit` verifies the access log and names a row
//! changed behind the server's back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use muster_tests::{muster_bin, server_user_add, Installation, ServeProcess};
use serde_json::Value;

struct Server {
    _process: ServeProcess,
    url: String,
    db: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
        let process = ServeProcess::start(&db, &[], &dir.path().join("server.log"));
        Server { url: process.url.clone(), _process: process, db, _dir: dir }
    }

    fn login(&self, who: &Installation, user: &str) {
        let token = server_user_add(&self.db, user);
        who.json(&["login", "--server", &self.url, "--user", user, "--token", &token]);
    }

    /// `muster --json server ARGS --database DB`: exit code and parsed stdout.
    fn admin(&self, args: &[&str]) -> (i32, Value) {
        let out = Command::new(muster_bin())
            .arg("--json")
            .arg("server")
            .args(args)
            .args(["--database", &self.db])
            .output()
            .unwrap();
        let v = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
        (out.status.code().unwrap_or(-1), v)
    }
}

#[test]
fn a_revoked_laptop_stops_syncing_members_see_it_and_the_audit_log_names_a_tampered_row() {
    let server = Server::start();
    let a = Installation::new("Okafor");
    let b = Installation::new("Lindqvist");
    server.login(&a, "alice");
    server.login(&b, "bob");
    let opened = a.json(&["incident", "open", "--title", "Ransomware on PACS"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    a.json(&["share", "--with", "bob"]);
    a.json(&["sync"]);
    b.json(&["sync"]);
    b.ok(&["incident", "use", &incident]);

    // Bob's laptop is lost: the administrator revokes its device.
    let (_, devices) = server.admin(&["device", "list", "--user", "bob"]);
    let lost = devices["devices"][0]["device"].as_str().unwrap().to_string();
    let (code, revoked) = server.admin(&["device", "revoke", &lost[..12]]);
    assert_eq!(code, 0, "{revoked}");

    // Whoever holds the laptop cannot sync what they write on it.
    b.ok(&["note", "written on the lost laptop"]);
    let (_, stderr) = b.fails(&["sync"]);
    assert!(stderr.to_lowercase().contains("log in") || stderr.contains("session"), "{stderr}");

    // Alice's laptop learns of the revocation at its next sync and shows it.
    a.json(&["sync"]);
    let alerts = a.json(&["alerts"]);
    let shown = alerts["revoked_devices"].as_array().unwrap();
    assert_eq!(shown.len(), 1, "{alerts}");
    assert_eq!((shown[0]["device"].as_str(), shown[0]["user"].as_str()), (Some(lost.as_str()), Some("bob")));
    let text = a.ok(&["alerts"]);
    assert!(text.contains("revoked"), "{text}");

    // The access log: intact, with the revocation and the reads and writes of the incident.
    let (code, audit) = server.admin(&["audit"]);
    assert_eq!((code, audit["intact"].as_bool()), (0, Some(true)), "{audit}");
    let actions: Vec<&str> =
        audit["rows"].as_array().unwrap().iter().map(|r| r["action"].as_str().unwrap()).collect();
    for expected in ["login", "incident.register", "member.set", "push", "pull", "device.revoke"] {
        assert!(actions.contains(&expected), "no {expected} in {actions:?}");
    }
    assert!(!audit.to_string().contains("Ransomware"), "the audit log holds the incident's title");

    // Someone with the database file drops the guard and edits a row: the audit names it.
    let conn = rusqlite::Connection::open(&server.db).unwrap();
    conn.execute_batch(
        "DROP TRIGGER audit_log_no_update; UPDATE audit_log SET actor = 'mallory' WHERE seq = 2;",
    )
    .unwrap();
    drop(conn);
    let (code, audit) = server.admin(&["audit"]);
    assert_eq!((code, audit["intact"].as_bool()), (3, Some(false)), "{audit}");
    assert_eq!(audit["problems"][0]["seq"].as_u64(), Some(2), "{audit}");
}
