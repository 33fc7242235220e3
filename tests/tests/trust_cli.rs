//! "Trust nobody" 3 and 8 through the real binaries (`muster serve` on 127.0.0.1:0, two
//! installations with their own keyrings; run under `scripts/with-keyring`): a lost laptop
//! revoked by `muster server device revoke` can no longer sync, and the other members' laptops
//! show it in `muster alerts`; `muster server audit` verifies the access log and names a row
//! changed behind the server's back.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

use muster_tests::{muster_bin, server_user_add, Installation, ServeProcess, SyncServer};
use serde_json::Value;

/// The shared sync server, with the administrative verbs this file needs.
struct Server(SyncServer);

impl std::ops::Deref for Server {
    type Target = SyncServer;
    fn deref(&self) -> &SyncServer {
        &self.0
    }
}

impl Server {
    fn start() -> Server {
        Server(SyncServer::start())
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

/// `openssl` with the README's flags makes a certificate the client accepts (an end-entity
/// certificate, CA:FALSE, naming the server's address); the enrolment token is read from stdin,
/// so it is not in `ps`; and `muster sync --json` whose reader went away exits quietly.
#[test]
fn the_readme_certificate_works_the_token_comes_on_stdin_and_a_closed_pipe_is_quiet() {
    use std::io::Write;
    use std::process::Stdio;
    if Command::new("openssl").arg("version").output().map_or(true, |o| !o.status.success()) {
        eprintln!("SKIPPED: openssl is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    // The README's command, with 127.0.0.1 for the server's address.
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "365",
        ])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .args(["-subj", "/CN=muster sync server"])
        .args(["-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"])
        .args(["-addext", "basicConstraints=critical,CA:FALSE"])
        .args(["-addext", "keyUsage=critical,digitalSignature"])
        .args(["-addext", "extendedKeyUsage=serverAuth"])
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
    let tls = ["--tls-cert", cert.to_str().unwrap(), "--tls-key", key.to_str().unwrap()];
    let server = ServeProcess::start(&db, &tls, &dir.path().join("server.log"));
    assert!(server.url.starts_with("https://"), "{}", server.url);

    let a = Installation::new("Okafor");
    let token = server_user_add(&db, "alice");
    let ca = cert.to_str().unwrap();
    let args =
        ["--json", "login", "--server", &server.url, "--user", "alice", "--token-stdin", "--ca-cert", ca];
    let mut child =
        a.command(&args).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    child.stdin.take().unwrap().write_all(format!("{token}\n").as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["user"], "alice");
    a.json(&["incident", "open", "--title", "Ransomware on PACS"]);

    // A reader that is gone before the sync prints (`| true` reads nothing): no panic, no
    // message, exit 141 as for SIGPIPE, and the sync itself done.
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"("$0" --json sync; echo "exit=$?" >&2) | true"#)
        .arg(muster_bin())
        .env("MUSTER_HOME", a.home.path())
        .env("MUSTER_AS", &a.person)
        .env("TZ", "UTC")
        .env_remove("MUSTER_INCIDENT")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.trim(), "exit=141", "{stderr}");
    let again = a.json(&["sync"]);
    assert_eq!(again["incidents"][0]["pushed"], 0, "the first sync pushed everything: {again}");
}
