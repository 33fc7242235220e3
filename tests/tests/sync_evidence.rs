//! Sync through the real binaries where something is wrong: an https server with a certificate
//! of its own (trusted only with `login --ca-cert`), a laptop whose clock runs ten minutes
//! ahead (libfaketime), and a cloned laptop whose device key signs two histories. What users
//! see of each: `sync`'s warning, and `muster alerts`. Run under `scripts/with-keyring`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use muster_tests::{server_user_add, Installation, ServeProcess};
use serde_json::Value;

/// A `muster serve` child on a free port (SQLite), killed on drop.
struct Server {
    process: ServeProcess,
    db: String,
    _dir: tempfile::TempDir,
}

impl Server {
    fn start(extra: &[&str]) -> Server {
        let dir = tempfile::tempdir().unwrap();
        Self::start_in(dir, extra)
    }

    fn start_in(dir: tempfile::TempDir, extra: &[&str]) -> Server {
        let db = dir.path().join("server.sqlite3").to_str().unwrap().to_string();
        let process = ServeProcess::start(&db, extra, &dir.path().join("server.log"));
        Server { process, db, _dir: dir }
    }

    fn url(&self) -> &str {
        &self.process.url
    }

    fn login(&self, who: &Installation, user: &str, extra: &[&str]) {
        let token = server_user_add(&self.db, user);
        let mut args = vec!["login", "--server", self.url(), "--user", user, "--token", &token];
        args.extend_from_slice(extra);
        assert_eq!(who.json(&args)["user"], user);
    }
}

fn error_code(err: &str) -> String {
    let v: Value = serde_json::from_str(err.trim()).unwrap_or_else(|e| panic!("{e}: {err:?}"));
    v["code"].as_str().unwrap().to_string()
}

/// Opens an incident on `a`, shares it with `user` and syncs both; returns the incident id.
fn shared_incident(a: &Installation, b: &Installation, user: &str) -> String {
    let opened = a.json(&["incident", "open", "--title", "EHR outage, suspected ransomware"]);
    let incident = opened["incident"].as_str().unwrap().to_string();
    a.json(&["share", "--with", user]);
    a.json(&["sync"]);
    b.json(&["sync"]);
    b.ok(&["incident", "use", &incident]);
    incident
}

#[test]
fn an_https_server_with_its_own_certificate_is_trusted_only_through_login_ca_cert() {
    let dir = tempfile::tempdir().unwrap();
    let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
    let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
    std::fs::write(&cert_path, cert.cert.pem()).unwrap();
    std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();

    // A missing key file is named, and no server starts.
    let missing = dir.path().join("no-such-key.pem");
    let out = std::process::Command::new(muster_tests::muster_bin())
        .args(["serve", "--listen", "127.0.0.1:0", "--database"])
        .arg(dir.path().join("unused.sqlite3"))
        .arg("--tls-cert")
        .arg(&cert_path)
        .arg("--tls-key")
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no-such-key.pem"), "the error names the file: {err}");
    assert!(out.stdout.is_empty(), "nothing was listening: {}", String::from_utf8_lossy(&out.stdout));

    let (c, k) = (cert_path.to_str().unwrap().to_string(), key_path.to_str().unwrap().to_string());
    let server = Server::start_in(dir, &["--tls-cert", &c, "--tls-key", &k]);
    assert!(server.url().starts_with("https://127.0.0.1:"), "{}", server.url());

    // Without the certificate the laptop does not trust the server, and says why.
    let a = Installation::new("Okafor");
    let token = server_user_add(&server.db, "alice");
    let (code, err) =
        a.fails(&["--json", "login", "--server", server.url(), "--user", "alice", "--token", &token]);
    assert_eq!((code, error_code(&err)), (1, "sync.unreachable".to_string()));
    assert!(err.to_lowercase().contains("certificate"), "the message says it is the certificate: {err}");
    // The refused attempt did not use up the token or leave a half login behind.
    let (code, err) = a.fails(&["--json", "sync"]);
    assert_eq!((code, error_code(&err)), (2, "sync.not_configured".to_string()));
    let a_login =
        a.json(&["login", "--server", server.url(), "--user", "alice", "--token", &token, "--ca-cert", &c]);
    assert_eq!(a_login["user"], "alice");

    let b = Installation::new("Lindqvist");
    server.login(&b, "bob", &["--ca-cert", &c]);
    shared_incident(&a, &b, "bob");
    a.ok(&["note", "Sent over TLS: the EHR read-only replica is up"]);
    assert_eq!(a.json(&["sync"])["incidents"][0]["pushed"], 1);
    assert_eq!(b.json(&["sync"])["incidents"][0]["pulled"], 1);
    assert_eq!(a.digest(), b.digest());
    let notes = b.json(&["timeline", "--kind", "note"]);
    assert!(notes.to_string().contains("EHR read-only replica"));
}

/// The libfaketime preload of this machine (`scripts/setup` installs it).
fn faketime_library() -> &'static Path {
    let lib = Path::new("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1");
    assert!(lib.exists(), "libfaketime is not installed (scripts/setup installs it): {}", lib.display());
    lib
}

#[test]
fn a_laptop_ten_minutes_fast_is_warned_and_its_entries_arrive_flagged_and_intact() {
    let server = Server::start(&["--max-clock-skew", "120"]);
    let fast = Installation::new("Okafor");
    let on_time = Installation::new("Lindqvist");
    server.login(&fast, "alice", &[]);
    server.login(&on_time, "bob", &[]);
    let incident = shared_incident(&fast, &on_time, "bob");

    // Every `muster` of the fast laptop runs ten minutes ahead (wall clock only).
    let ahead = |args: &[&str]| {
        let out = fast
            .command(args)
            .env("LD_PRELOAD", faketime_library())
            .env("FAKETIME", "+10m")
            .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
            .output()
            .unwrap();
        assert!(out.status.success(), "muster {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        out
    };
    ahead(&["note", "Pharmacy on downtime procedure (written on a fast clock)"]);
    ahead(&["note", "Second note on the fast clock"]);
    let out = ahead(&["sync"]);
    let warning = String::from_utf8_lossy(&out.stderr);
    assert!(warning.contains("clock is 10.0 min ahead of the server's"), "warning on stderr: {warning}");
    // The verdict comes with a push: one more entry, and the JSON report carries it.
    ahead(&["status", "--conditions", "Pharmacy on paper", "--actions", "Runners", "--needs", "None"]);
    let out = ahead(&["--json", "sync"]);
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let skew = report["clock"]["skew_ms"].as_i64().unwrap();
    assert!((590_000..610_000).contains(&skew), "skew {skew} ms");
    assert_eq!(report["clock"]["warning"], true);

    let pulled = on_time.json(&["sync"]);
    assert_eq!(pulled["incidents"][0]["pulled"], 3);
    assert_eq!(pulled["incidents"][0]["clock_flagged"], 3);
    assert_eq!(on_time.digest(), fast.digest(), "the entries are kept as written");

    let alerts = on_time.json(&["alerts"]);
    assert_eq!(alerts["incident"]["id"], incident.as_str());
    let flagged = alerts["clock_flagged"].as_array().unwrap();
    assert_eq!(flagged.len(), 3, "{alerts}");
    let kinds: Vec<&str> = flagged.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["note", "note", "status.update"], "oldest first");
    for f in flagged {
        assert_eq!(f["author"]["person"], "Okafor");
        let skew = f["clock_skew_ms"].as_i64().unwrap();
        assert!((590_000..610_000).contains(&skew), "flag {f}");
    }
    assert_eq!(alerts["alerts"], serde_json::json!([]));
    let text = on_time.ok(&["alerts"]);
    assert!(text.contains("clock 10.0 min ahead"), "{text}");
    // The on-time laptop's own sync is not warned.
    on_time.ok(&["note", "on time"]);
    let out = on_time.output(&["sync"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("warning"));
}

/// A second installation with the same database and so the same installation id, device key
/// and server session: a laptop restored from a disk image while the original kept working.
fn clone_of(original: &Installation) -> Installation {
    let copy = Installation::new(&original.person);
    for file in std::fs::read_dir(original.home.path()).unwrap() {
        let file = file.unwrap();
        if file.file_type().unwrap().is_file() {
            std::fs::copy(file.path(), copy.home.path().join(file.file_name())).unwrap();
        }
    }
    copy
}

#[test]
fn a_cloned_laptop_that_signs_two_histories_raises_an_alert_everyone_can_read() {
    let server = Server::start(&[]);
    let a = Installation::new("Okafor");
    let b = Installation::new("Lindqvist");
    server.login(&a, "alice", &[]);
    server.login(&b, "bob", &[]);
    shared_incident(&a, &b, "bob");
    let device = a.json(&["whoami"])["device"].as_str().unwrap().to_string();
    let twin = clone_of(&a);
    assert_eq!(twin.json(&["whoami"])["device"], device.as_str(), "the clone signs with the same key");

    a.ok(&["note", "Isolated the PACS VLAN"]);
    twin.ok(&["note", "PACS VLAN left up for radiology"]);
    assert_eq!(a.json(&["sync"])["incidents"][0]["pushed"], 1);
    let r = twin.json(&["sync"]);
    let r = &r["incidents"][0];
    assert_eq!((r["pushed"].as_u64(), r["quarantined"].as_u64()), (Some(0), Some(1)), "{r}");
    assert_eq!(r["conflicts"], 1, "the server's branch is set aside on the clone: {r}");

    // Bob hears of it; nothing of either branch is lost: the server keeps the quarantined one.
    let r = b.json(&["sync"]);
    assert_eq!(r["incidents"][0]["alerts"], 1);
    let alerts = b.json(&["alerts"]);
    let list = alerts["alerts"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{alerts}");
    assert_eq!(list[0]["kind"], "equivocation");
    assert_eq!(list[0]["device"], device.as_str());
    assert_eq!(list[0]["pushed_by"], "alice");
    assert!(list[0]["received_at"]["utc"].as_str().unwrap().ends_with('Z'));
    assert!(list[0]["description"].as_str().unwrap().contains("two histories signed by one device key"));
    let text = b.ok(&["alerts"]);
    assert!(text.contains("Server alerts (1, times America/Chicago)"), "{text}");
    assert!(text.contains("equivocation at device"), "{text}");

    let on_twin = twin.json(&["alerts"]);
    let aside = on_twin["set_aside"].as_array().unwrap();
    assert_eq!(aside.len(), 1, "{on_twin}");
    assert_eq!(aside[0]["reason"], "ingest.equivocation");
    assert_eq!(aside[0]["device"], device.as_str());

    // A laptop that never synced has nothing to show, and says so.
    let fresh = Installation::new("Haddad");
    fresh.ok(&["incident", "open", "--title", "Local drill", "--drill"]);
    assert!(fresh.ok(&["alerts"]).contains("nothing kept aside or flagged by sync"));
}
