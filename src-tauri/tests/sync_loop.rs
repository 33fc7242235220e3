//! The desktop sync loop against a real server on 127.0.0.1 (in process: `SqliteStorage` +
//! `muster_server::serve`), two laptops each with the window's installation and the loop's own
//! connection to the same database: a write is pushed within about a second, reaches the other
//! laptop, and an outage is ridden out (offline, entries counted as waiting, then back by
//! itself once the server returns).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use muster_core::{IncidentId, Severity};
use muster_desktop::sync_loop::{Reporter, SyncHandle, SyncLoop};
use muster_desktop::views::{SyncState, SyncStatus};
use muster_server::{SqliteStorage, Storage};
use muster_store::{Muster, OpenOptions, SecretStore};
use muster_sync::session;

/// The OS keyring's stand-in: one per laptop, shared by its window and its loop.
#[derive(Default)]
struct MemorySecrets(Mutex<HashMap<String, String>>);

impl SecretStore for MemorySecrets {
    fn get(&self, account: &str) -> muster_store::Result<Option<String>> {
        Ok(self.0.lock().unwrap().get(account).cloned())
    }
    fn set(&self, account: &str, secret: &str) -> muster_store::Result<()> {
        self.0.lock().unwrap().insert(account.into(), secret.into());
        Ok(())
    }
    fn delete(&self, account: &str) -> muster_store::Result<()> {
        self.0.lock().unwrap().remove(account);
        Ok(())
    }
}

struct Server {
    rt: tokio::runtime::Runtime,
    addr: SocketAddr,
}

fn start_server(db: &Path, addr: &str) -> Server {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let storage = SqliteStorage::open(db).unwrap();
    let listener = std::net::TcpListener::bind(addr).unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(muster_server::serve(listener, storage, muster_server::ServeOptions::default()));
    Server { rt, addr }
}

fn enrol(db: &Path, name: &str) -> String {
    let storage = SqliteStorage::open(db).unwrap();
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    rt.block_on(storage.add_user(name, chrono::Utc::now().timestamp_millis())).unwrap()
}

#[derive(Clone, Default)]
struct Recorder {
    statuses: Arc<Mutex<Vec<SyncStatus>>>,
    pulled: Arc<Mutex<Vec<String>>>,
}

impl Reporter for Recorder {
    fn status(&self, status: &SyncStatus) {
        self.statuses.lock().unwrap().push(status.clone());
    }
    fn will_write(&self) {}
    fn pulled(&self, incident: &str) {
        self.pulled.lock().unwrap().push(incident.to_string());
    }
}

struct Laptop {
    _dir: tempfile::TempDir,
    path: PathBuf,
    secrets: Arc<MemorySecrets>,
    /// The window's installation (what `AppState` holds).
    window: Muster,
    handle: SyncHandle,
    recorder: Recorder,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Laptop {
    fn new(name: &str) -> Laptop {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_path_buf();
        let secrets = Arc::new(MemorySecrets::default());
        let window = Muster::open(&path, Laptop::options(&secrets)).unwrap();
        window.set_operator_name(name).unwrap();
        Laptop {
            _dir: dir,
            path,
            secrets,
            window,
            handle: SyncHandle::new(),
            recorder: Recorder::default(),
            thread: None,
        }
    }

    fn options(secrets: &Arc<MemorySecrets>) -> OpenOptions {
        OpenOptions { secrets: secrets.clone(), ..OpenOptions::default() }
    }

    /// Starts the loop on its own connection, as `sync::spawn` does.
    fn start_loop(&mut self) {
        let m = Muster::open(&self.path, Laptop::options(&self.secrets)).unwrap();
        let sync =
            SyncLoop::new(m, self.handle.clone(), self.recorder.clone()).with_period(Duration::from_secs(30));
        self.thread = Some(std::thread::spawn(move || sync.run()));
    }

    /// A local write, announced as `AppState::changed` does.
    fn note(&mut self, incident: IncidentId, text: &str) {
        self.window.add_note(incident, text, None).unwrap();
        self.handle.local_change();
    }

    fn wait_for(&self, what: &str, timeout: Duration, ok: impl Fn(&SyncStatus) -> bool) -> SyncStatus {
        let deadline = Instant::now() + timeout;
        loop {
            let s = self.handle.status();
            if ok(&s) {
                return s;
            }
            assert!(Instant::now() < deadline, "{what}: still {s:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn holds_note(&self, incident: IncidentId, text: &str) -> bool {
        self.window.store().entries(incident).unwrap_or_default().iter().any(|e| e.body_json().contains(text))
    }
}

impl Drop for Laptop {
    fn drop(&mut self) {
        self.handle.stop();
        if let Some(t) = self.thread.take() {
            t.join().ok();
        }
    }
}

#[test]
fn the_loop_pushes_a_write_at_once_reaches_the_other_laptop_and_rides_out_an_outage() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.sqlite3");
    let server = start_server(&db, "127.0.0.1:0");
    let url = format!("http://{}", server.addr);

    let mut a = Laptop::new("Amara Okafor");
    let mut b = Laptop::new("Søren Lindqvist");

    // Not logged in: off, and every screen works without a server.
    a.start_loop();
    let s = a.wait_for("a laptop that never logged in is off", Duration::from_secs(5), |s| {
        s.state == SyncState::Off
    });
    assert_eq!((s.server.clone(), s.waiting, s.last_error.clone()), (None, 0, None));
    let (incident, _) =
        a.window.open_incident("Ransomware on PACS", false, None, None, Severity::Sev1).unwrap();

    // Logging in (what the sync_login command does) and a poke: synced, nothing waiting.
    session::login(&mut a.window, &url, "alice", &enrol(&db, "alice")).unwrap();
    a.handle.poke();
    let s = a
        .wait_for("after login", Duration::from_secs(10), |s| s.state == SyncState::Synced && s.waiting == 0);
    assert_eq!(s.server.as_deref(), Some(url.as_str()));
    assert_eq!(s.user.as_deref(), Some("alice"));
    assert!(s.synced_at_ms.is_some() && s.clock_offset_ms.is_some(), "{s:?}");
    assert!(s.clock_offset_ms.unwrap().abs() < 5_000.0, "same machine, same clock: {s:?}");

    session::login(&mut b.window, &url, "bob", &enrol(&db, "bob")).unwrap();
    session::share(
        &a.window,
        &session::client_for(&a.window).unwrap(),
        incident,
        "bob",
        muster_wire::Role::Member,
    )
    .unwrap();
    b.start_loop();
    b.wait_for("B pulls the shared incident", Duration::from_secs(10), |s| s.state == SyncState::Synced);
    assert!(b.window.store().entries(incident).unwrap().len() >= 2, "B holds the opened incident");
    assert!(b.recorder.pulled.lock().unwrap().contains(&incident.to_string()), "the window was told");

    // A local write is on the server within about a second, without waiting for the period.
    let written = Instant::now();
    a.note(incident, "EDR alert on PACS-02");
    let a_device = a.window.device_id().unwrap().unwrap();
    let local_seq = a.window.store().head(incident, a_device).unwrap().seq;
    let client = session::client_for(&a.window).unwrap();
    loop {
        let heads = session::server_heads(&client, [incident]).unwrap();
        if heads[&incident].get(&a_device).copied() == Some(local_seq) {
            break;
        }
        assert!(written.elapsed() < Duration::from_secs(2), "not pushed within 2 s: {heads:?}");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(written.elapsed() < Duration::from_millis(1500), "pushed after {:?}", written.elapsed());
    // B's loop pulls it when woken (the server's live channel will poke it; here, by hand).
    b.handle.poke();
    let deadline = Instant::now() + Duration::from_secs(5);
    while !b.holds_note(incident, "EDR alert on PACS-02") {
        assert!(Instant::now() < deadline, "B never received A's note");
        std::thread::sleep(Duration::from_millis(20));
    }

    // The server goes away: A's next write leaves it offline, entries counted as waiting.
    let addr = server.addr;
    server.rt.shutdown_background();
    a.note(incident, "Imaging on downtime procedures");
    let s = a.wait_for("offline after the server went away", Duration::from_secs(10), |s| {
        s.state == SyncState::Offline
    });
    assert_eq!(s.last_error.as_ref().map(|e| e.code.as_str()), Some("sync.unreachable"), "{s:?}");
    assert_eq!(s.waiting, 1, "{s:?}");
    assert!(s.synced_at_ms.is_some(), "the last success is still shown");
    a.note(incident, "Second note while offline");
    a.wait_for("the waiting count follows local writes", Duration::from_secs(5), |s| s.waiting == 2);

    // It comes back on the same address: the loop probes, resumes by itself and pushes both.
    let restarted = start_server(&db, &addr.to_string());
    let s = a.wait_for("back by itself", Duration::from_secs(30), |s| {
        s.state == SyncState::Synced && s.waiting == 0
    });
    assert_eq!(s.last_error, None);
    let states: Vec<SyncState> = a.recorder.statuses.lock().unwrap().iter().map(|s| s.state).collect();
    assert!(
        states.windows(2).any(|w| w[0] == SyncState::Offline && w[1] == SyncState::Syncing),
        "{states:?}"
    );
    drop(a);
    drop(b);
    restarted.rt.shutdown_background();
}

#[test]
fn the_waiting_count_survives_a_restart_while_offline() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.sqlite3");
    let server = start_server(&db, "127.0.0.1:0");
    let url = format!("http://{}", server.addr);
    let mut a = Laptop::new("Amara Okafor");
    session::login(&mut a.window, &url, "alice", &enrol(&db, "alice")).unwrap();
    let (incident, _) = a.window.open_incident("Phishing wave", false, None, None, Severity::Sev3).unwrap();
    a.start_loop();
    a.wait_for("first sync", Duration::from_secs(10), |s| s.state == SyncState::Synced && s.waiting == 0);
    a.handle.stop();
    a.thread.take().unwrap().join().unwrap();
    server.rt.shutdown_background();

    // Offline, two notes, then the app starts again: its loop knows what the server holds.
    a.window.add_note(incident, "one", None).unwrap();
    a.window.add_note(incident, "two", None).unwrap();
    a.handle = SyncHandle::new();
    a.start_loop();
    let s = a.wait_for("offline after a restart", Duration::from_secs(10), |s| s.state == SyncState::Offline);
    assert_eq!(s.waiting, 2, "only the two new notes wait: {s:?}");
}

#[test]
fn a_forked_device_key_reaches_another_laptops_status_and_evidence() {
    let server_dir = tempfile::tempdir().unwrap();
    let db = server_dir.path().join("server.sqlite3");
    let server = start_server(&db, "127.0.0.1:0");
    let url = format!("http://{}", server.addr);

    // A's device key copied onto a second laptop (a restored backup, a stolen key).
    let mut a = Laptop::new("Amara Okafor");
    let mut copy = Laptop::new("Amara Okafor");
    a.window.device_key().unwrap();
    let key_of = |l: &Laptop| muster_store::device_key_account(&l.window.installation_id().unwrap());
    let secret = a.secrets.get(&key_of(&a)).unwrap().unwrap();
    copy.secrets.set(&key_of(&copy), &secret).unwrap();
    assert_eq!(
        copy.window.device_key().unwrap().verifying_key(),
        a.window.device_key().unwrap().verifying_key()
    );

    session::login(&mut a.window, &url, "alice", &enrol(&db, "alice")).unwrap();
    let second = {
        let storage = SqliteStorage::open(&db).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        rt.block_on(storage.new_enrolment("alice", chrono::Utc::now().timestamp_millis())).unwrap()
    };
    session::login(&mut copy.window, &url, "alice", &second).unwrap();
    let (incident, _) =
        a.window.open_incident("Ransomware on PACS", false, None, None, Severity::Sev1).unwrap();
    let a_client = session::client_for(&a.window).unwrap();
    session::sync_all(&mut a.window, &a_client, &[]).unwrap();
    let copy_client = session::client_for(&copy.window).unwrap();
    session::sync_all(&mut copy.window, &copy_client, &[]).unwrap();

    let mut b = Laptop::new("Søren Lindqvist");
    session::login(&mut b.window, &url, "bob", &enrol(&db, "bob")).unwrap();
    session::share(&a.window, &a_client, incident, "bob", muster_wire::Role::Member).unwrap();
    b.start_loop();
    b.wait_for("B synced", Duration::from_secs(10), |s| s.state == SyncState::Synced);
    assert_eq!((b.handle.status().alerts, b.handle.status().conflicts), (0, 0));

    // Both write on the same stream: two histories signed by one key. The copy is one entry
    // ahead, so its push carries an entry that continues a history the server does not hold
    // (a fork); its pull then meets the original's entry where the copy has its own, sets that
    // aside and reports its own back (an equivocation).
    a.window.add_note(incident, "note from the original", None).unwrap();
    copy.window.add_note(incident, "note from the copy", None).unwrap();
    copy.window.add_note(incident, "second note from the copy", None).unwrap();
    session::sync_all(&mut a.window, &a_client, &[]).unwrap();
    let report = session::sync_all(&mut copy.window, &copy_client, &[]).unwrap();
    let r = &report.incidents[0];
    assert_eq!((r.quarantined, r.conflicts, r.alerts), (2, 1, 2), "{report:?}");

    b.handle.poke();
    let s = b.wait_for("B hears of the alerts", Duration::from_secs(10), |s| s.alerts == 2);
    assert_eq!(s.state, SyncState::Synced);
    let alerts = b.window.store().sync_alert_rows(incident).unwrap();
    let kinds: Vec<&str> = alerts.iter().map(|a| a.kind.as_str()).collect();
    assert_eq!(kinds, ["fork", "equivocation"]);
    for alert in &alerts {
        assert_eq!(alert.device, a.window.device_id().unwrap().unwrap());
        assert_eq!(alert.pushed_by.as_deref(), Some("alice"));
    }
    assert!(b.recorder.pulled.lock().unwrap().iter().filter(|i| **i == incident.to_string()).count() >= 2);
    // B holds the original's note (first on the server), never the copy's.
    assert!(b.holds_note(incident, "note from the original"));
    assert!(!b.holds_note(incident, "note from the copy"));
    drop(b);
    server.rt.shutdown_background();
}
