//! Sync end to end through the real binaries: `muster serve` on 127.0.0.1:0 and three
//! installations (own data directory, own device key in the real OS keyring) that work offline
//! and sync in several orders. Run under `scripts/with-keyring`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use muster_tests::{server_user_add, Installation, ServeProcess};
use serde_json::Value;

/// A `muster serve` child on a free port (SQLite), killed on drop; its log in the temp dir.
struct Server {
    process: ServeProcess,
    url: String,
    db: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start() -> Server {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
        let process = ServeProcess::start(&db, &[], &dir.path().join("server.log"));
        Server { url: process.url.clone(), process, db, _dir: dir }
    }

    fn login(&self, who: &Installation, user: &str) {
        let token = server_user_add(&self.db, user);
        let v = who.json(&["login", "--server", &self.url, "--user", user, "--token", &token]);
        assert_eq!(v["user"], user);
    }

    /// The server's request log: one JSON object per line.
    fn log_lines(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.process.log)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("a log line is not JSON ({e}): {l}")))
            .collect()
    }
}

fn sync(who: &Installation) -> Value {
    who.json(&["sync"])
}

fn commander(who: &Installation) -> (String, Vec<String>) {
    let roster = who.json(&["roster"]);
    let holders = roster["commander"]["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["person"].as_str().unwrap().to_string())
        .collect();
    (roster["commander"]["state"].as_str().unwrap().to_string(), holders)
}

fn assert_converged(all: &[&Installation], expected_entries: i64) {
    let digest = all[0].digest();
    for (i, who) in all.iter().enumerate() {
        assert_eq!(who.digest(), digest, "installation {i} has another state");
        assert_eq!(who.stored_entries(), expected_entries, "installation {i} lost or lacks entries");
    }
}

#[test]
fn three_installations_work_offline_and_converge_in_any_sync_order() {
    let server = Server::start();
    let a = Installation::new("Okafor");
    let b = Installation::new("Lindqvist");
    let c = Installation::new("Haddad");
    server.login(&a, "alice");
    server.login(&b, "bob");
    server.login(&c, "carol");

    let opened = a.json(&["incident", "open", "--title", "Ransomware on PACS"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    a.ok(&["role", "assign", "deputy", "Lindqvist"]);
    a.json(&["share", "--with", "bob"]);
    a.json(&["share", "--with", "carol"]);
    let mut total = a.stored_entries();

    // A registers and pushes; B and C learn of the incident from the server and pull it.
    let first = sync(&a);
    assert_eq!(first["incidents"][0]["incident"], incident.as_str());
    assert_eq!(first["incidents"][0]["pushed"].as_u64().unwrap() as i64, total);
    for who in [&b, &c] {
        let r = sync(who);
        assert_eq!(r["incidents"][0]["pulled"].as_u64().unwrap() as i64, total);
        who.ok(&["incident", "use", &incident]);
    }
    assert_converged(&[&a, &b, &c], total);

    // Offline: notes everywhere; the commander hands command on while the deputy, cut off,
    // assumes it (both have the authority to).
    let all = [&a, &b, &c];
    for (i, who) in all.iter().enumerate() {
        let before = who.stored_entries();
        who.ok(&["note", &format!("offline note from laptop {i}")]);
        who.ok(&["note", &format!("second offline note from laptop {i}")]);
        total += who.stored_entries() - before;
    }
    for (who, person) in [(&a, "Nora Chen"), (&b, "Lindqvist")] {
        let before = who.stored_entries();
        who.ok(&["role", "assign", "ic", person]);
        total += who.stored_entries() - before;
    }

    // Three of the six orders, with more offline work before each, then a second round.
    let orders: [[usize; 3]; 3] = [[0, 1, 2], [2, 0, 1], [1, 2, 0]];
    for (round, order) in orders.iter().enumerate() {
        for &i in order {
            let before = all[i].stored_entries();
            all[i].ok(&["note", &format!("round {round}: laptop {i} before syncing")]);
            total += all[i].stored_entries() - before;
        }
        for &i in order {
            sync(all[i]);
        }
        for &i in order {
            sync(all[i]);
        }
        assert_converged(&all, total);
    }

    // The concurrent assignments survive as a conflict on every laptop...
    for who in all {
        let (state, holders) = commander(who);
        assert_eq!(state, "conflict");
        assert_eq!(holders.len(), 2);
        assert!(holders.contains(&"Nora Chen".to_string()) && holders.contains(&"Lindqvist".to_string()));
    }
    // ...until one of the two commanders resolves it, and the resolution reaches everyone.
    let before = b.stored_entries();
    b.ok(&["role", "assign", "ic", "Nora Chen"]);
    total += b.stored_entries() - before;
    for who in [&b, &a, &c] {
        sync(who);
    }
    assert_converged(&all, total);
    for who in all {
        assert_eq!(commander(who), ("held".to_string(), vec!["Nora Chen".to_string()]));
    }

    // A non-member is refused without learning whether the incident exists.
    let d = Installation::new("Mallory");
    server.login(&d, "dave");
    let (code, err) = d.fails(&["--json", "sync", "--fetch", &incident]);
    assert_eq!(code, 2, "{err}");
    let real: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(real["code"], "incident.forbidden");
    let mut fake = incident.clone();
    let last = if fake.ends_with('0') { '1' } else { '0' };
    fake.pop();
    fake.push(last);
    let (code, err) = d.fails(&["--json", "sync", "--fetch", &fake]);
    assert_eq!(code, 2, "{err}");
    let random: Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(random["code"], real["code"]);
    assert_eq!(
        random["message"].as_str().unwrap().replace(&fake, "ID"),
        real["message"].as_str().unwrap().replace(&incident, "ID"),
        "the refusal is the same for a foreign and a missing incident"
    );
    assert_eq!(d.stored_entries(), 0);
    assert_eq!(sync(&d)["incidents"], serde_json::json!([]), "nothing is listed for a non-member");

    // The server logged every request as JSON, with route templates and codes, and no word of
    // what the laptops wrote (no PHI in logs), no title, no person, no token.
    let lines = server.log_lines();
    assert!(lines.len() > 20, "{} log lines", lines.len());
    assert!(lines.iter().any(|l| l["route"] == "/v1/incidents/{id}/entries" && l["status"] == 200));
    assert!(lines.iter().any(|l| l["code"] == "incident.forbidden" && l["level"] == "warn"));
    let log = std::fs::read_to_string(&server.process.log).unwrap();
    for secret in ["offline note", "Ransomware on PACS", "Nora Chen", "Reyes", "mst1_", &incident] {
        assert!(!log.contains(secret), "the server log contains {secret:?}");
    }
}

fn error_code(err: &str) -> String {
    let v: Value = serde_json::from_str(err.trim()).unwrap_or_else(|e| panic!("{e}: {err:?}"));
    v["code"].as_str().unwrap().to_string()
}

#[test]
fn login_refusals_and_unsharing_keep_the_local_copy() {
    let server = Server::start();
    let a = Installation::new("Okafor");
    let (code, err) = a.fails(&["--json", "sync"]);
    assert_eq!((code, error_code(&err)), (2, "sync.not_configured".to_string()));

    let token = server_user_add(&server.db, "alice");
    let (code, err) =
        a.fails(&["--json", "login", "--server", &server.url, "--user", "alice", "--token", "00"]);
    assert_eq!((code, error_code(&err)), (2, "auth.bad_enrolment".to_string()));
    a.json(&["login", "--server", &server.url, "--user", "alice", "--token", &token]);
    // The enrolment token works once.
    let other = Installation::new("Someone");
    let (code, err) =
        other.fails(&["--json", "login", "--server", &server.url, "--user", "alice", "--token", &token]);
    assert_eq!((code, error_code(&err)), (2, "auth.bad_enrolment".to_string()));

    let b = Installation::new("Lindqvist");
    server.login(&b, "bob");
    let opened = a.json(&["incident", "open", "--title", "Phishing wave"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    let (code, err) = a.fails(&["--json", "share", "--with", "nobody"]);
    assert_eq!((code, error_code(&err)), (2, "user.unknown".to_string()));
    a.json(&["share", "--with", "bob"]);
    sync(&a);
    sync(&b);
    b.ok(&["incident", "use", &incident]);
    let held = b.stored_entries();
    assert!(held > 0);
    assert_eq!(b.digest(), a.digest());

    a.json(&["unshare", "--with", "bob"]);
    let r = sync(&b);
    assert_eq!(r["incidents"], serde_json::json!([]));
    assert_eq!(r["access_removed"], serde_json::json!([incident]));
    assert_eq!(b.stored_entries(), held, "the local copy is kept");
    let (code, err) = b.fails(&["--json", "sync", "--fetch", &incident]);
    assert_eq!((code, error_code(&err)), (2, "incident.forbidden".to_string()));
    let (code, err) = b.fails(&["--json", "share", "--with", "alice"]);
    assert_eq!((code, error_code(&err)), (2, "incident.forbidden".to_string()));

    // No server: a failure (exit 1), not a refusal, and local work goes on.
    drop(server);
    let (code, err) = a.fails(&["--json", "sync"]);
    assert_eq!((code, error_code(&err)), (1, "sync.unreachable".to_string()));
    a.ok(&["note", "written while the server is down"]);
}

/// Someone cuts the last entries off a laptop's log and fixes the head record (or an older copy
/// of the database is put back). The server still holds them: the next sync must bring them
/// back, `verify` must be clean again, and what the laptop writes next must reach the others.
#[test]
fn a_laptop_whose_log_lost_its_last_entries_restores_them_from_the_server() {
    let server = Server::start();
    let a = Installation::new("Okafor");
    let b = Installation::new("Lindqvist");
    server.login(&a, "alice");
    server.login(&b, "bob");
    let opened = a.json(&["incident", "open", "--title", "Ransomware on PACS"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    a.json(&["share", "--with", "bob"]);
    let ids: Vec<String> = (1..=4)
        .map(|i| a.json(&["note", &format!("note {i} before the loss")])["id"].as_str().unwrap().to_string())
        .collect();
    sync(&a);
    let total = a.stored_entries();

    let blob = |id: &str| format!("X'{}'", id.replace('-', ""));
    a.sql(&format!("DELETE FROM entries WHERE id IN ({}, {})", blob(&ids[2]), blob(&ids[3])));
    a.sql(&format!(
        "UPDATE stream_heads SET (seq, hash, hlc_wall_ms, hlc_counter) = \
         (SELECT seq, hash, hlc_wall_ms, hlc_counter FROM entries WHERE id = {k}) \
         WHERE (incident_id, device_id) = (SELECT incident_id, device_id FROM entries WHERE id = {k})",
        k = blob(&ids[1])
    ));
    assert_eq!(a.stored_entries(), total - 2);
    let (code, _) = a.fails(&["verify"]);
    assert_eq!(code, 3, "verify names the cut-off tail");

    let r = sync(&a);
    assert_eq!(r["incidents"][0]["restored"], 2, "{r}");
    assert_eq!(a.stored_entries(), total, "both entries are back");
    assert!(a.ok(&["verify"]).starts_with("OK"));
    let text = a.ok(&["timeline"]);
    assert!(text.contains("note 4 before the loss"), "{text}");

    // Writing goes on, and it reaches the other laptop.
    a.ok(&["note", "written after the restore"]);
    sync(&a);
    sync(&b);
    b.ok(&["incident", "use", &incident]);
    assert_converged(&[&a, &b], total + 1);
}
