//! The live channel (SSE) and TLS, on a real socket with the real blocking client.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use muster_core::body::Note;
use muster_core::entry::Author;
use muster_core::{Entry, EntryBody, IncidentId, SigningKey, StreamWriter, WallClock};
use muster_server::{serve, ServeOptions, SqliteStorage, Storage, TlsFiles};
use muster_sync::{Client, HttpTransport, LiveEvent, Method, Request, SyncError, Transport};
use muster_wire::Role;

struct Server {
    addr: SocketAddr,
    url: String,
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    storage: SqliteStorage,
    ca_pem: Option<String>,
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

fn start(tls: bool) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut options = ServeOptions::default();
    let mut ca_pem = None;
    if tls {
        let cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into(), "localhost".into()]).unwrap();
        let (cert_path, key_path) = (dir.path().join("cert.pem"), dir.path().join("key.pem"));
        std::fs::write(&cert_path, cert.cert.pem()).unwrap();
        std::fs::write(&key_path, cert.signing_key.serialize_pem()).unwrap();
        options.tls = Some(TlsFiles { cert: cert_path, key: key_path });
        ca_pem = Some(cert.cert.pem());
    }
    rt.spawn(serve(listener, storage.clone(), options));
    let url = format!("{}://{addr}", if tls { "https" } else { "http" });
    Server { addr, url, rt, _dir: dir, storage, ca_pem }
}

impl Server {
    fn transport(&self) -> HttpTransport {
        HttpTransport::with_ca(&self.url, self.ca_pem.as_deref()).unwrap()
    }

    /// A logged-in client for a new user with the device key of `seed`, and its session token.
    fn client(&self, user: &str, seed: u8) -> (Client<HttpTransport>, String) {
        let token = self.rt.block_on(self.storage.add_user(user, now_ms())).unwrap();
        self.log_in(user, &token, seed)
    }

    /// Another laptop of an existing user (a second enrolment), with the device key of `seed`.
    fn second_device(&self, user: &str, seed: u8) -> (Client<HttpTransport>, String) {
        let token = self.rt.block_on(self.storage.new_enrolment(user, now_ms())).unwrap();
        self.log_in(user, &token, seed)
    }

    fn log_in(&self, user: &str, enrolment: &str, seed: u8) -> (Client<HttpTransport>, String) {
        let login = Client::new(self.transport(), None).login(user, enrolment, &key(seed), "Okafor").unwrap();
        (Client::new(self.transport(), Some(login.session_token.clone())), login.session_token)
    }
}

/// `GET /healthz`, no session.
fn healthz() -> Request {
    Request { method: Method::Get, path: "/healthz".into(), bearer: None, body: None, client_time_ms: None }
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The opening entry of `inc` signed by the device of `seed`: the proof of authorship that
/// registering an incident needs.
fn opening(seed: u8, inc: IncidentId) -> Entry {
    let recorded = WallClock { utc_ms: 1_790_000_000_000, offset_s: 0, zone: "UTC".into() };
    let author = Author { person: format!("P{seed}"), position: None };
    let body = EntryBody::IncidentOpened(muster_core::body::IncidentOpened {
        title: "Registered".into(),
        drill: true,
        description: None,
    });
    StreamWriter::new(key(seed), inc)
        .write(recorded, author, body, [seed, 0xee, 0, 0, 0, 0, 0, 0, 0, 1])
        .unwrap()
}

fn incident(n: u8) -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000 + u64::from(n), [n; 10])
}

fn notes(w: &mut StreamWriter, n: usize, tag: &str) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let recorded = WallClock { utc_ms: now_ms(), offset_s: 0, zone: "UTC".into() };
            let author = Author { person: "Okafor".into(), position: None };
            let body = EntryBody::Note(Note { text: format!("{tag} {i}"), occurred_at: None });
            w.write(recorded, author, body, [i as u8, tag.len() as u8, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        })
        .collect()
}

/// Events from the live channel of `token`, read on a thread, after `Ready`.
fn subscribe(server: &Server, token: &str) -> mpsc::Receiver<(Instant, LiveEvent)> {
    let mut events = server.transport().events(token).unwrap();
    assert_eq!(events.next().unwrap().unwrap(), LiveEvent::Ready, "the channel opens with ready");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for e in events {
            if tx.send((Instant::now(), e.unwrap())).is_err() {
                break;
            }
        }
    });
    rx
}

#[test]
fn a_member_sees_another_members_entry_within_a_second_and_a_stranger_sees_nothing() {
    let server = start(false);
    let (alice, _) = server.client("alice", 1);
    let (_bob_client, bob) = server.client("bob", 2);
    let (carol_client, carol) = server.client("carol", 3);
    let (ward, pharmacy) = (incident(1), incident(2));
    alice.register(ward, &opening(1, ward)).unwrap();
    let bob_events = subscribe(&server, &bob);
    let carol_events = subscribe(&server, &carol);

    // Bob is added: he is told, and from then on sees the incident's entries.
    alice.set_member(ward, "bob", Role::Member).unwrap();
    let (_, e) = bob_events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(e, LiveEvent::Membership { incident: ward });

    let mut w = StreamWriter::new(key(1), ward);
    let mut latencies = Vec::new();
    for round in 0..5 {
        let sent = Instant::now();
        let out = alice.push(ward, notes(&mut w, 2, "ward")).unwrap();
        let (at, e) = bob_events.recv_timeout(Duration::from_secs(5)).expect("an event within 5 s");
        assert_eq!(e, LiveEvent::Entries { incident: ward, rank: out.last_rank }, "round {round}");
        latencies.push(at.duration_since(sent));
    }
    let worst = latencies.iter().max().unwrap();
    assert!(*worst < Duration::from_secs(1), "push to event: {latencies:?}");

    // Carol, not a member of the ward incident, heard nothing of it: the first event she gets
    // is about her own incident.
    carol_client.register(pharmacy, &opening(3, pharmacy)).unwrap();
    let (_, first) = carol_events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(first, LiveEvent::Membership { incident: pharmacy });
    // Her own push is not announced back to her (she holds it: an empty sync round saved)...
    let mut rx = StreamWriter::new(key(3), pharmacy);
    carol_client.push(pharmacy, notes(&mut rx, 1, "rx")).unwrap();
    // ...while the same user's other laptop, another device, is told.
    let (carol_ward_laptop, carol_second) = server.second_device("carol", 4);
    let second_events = subscribe(&server, &carol_second);
    let out = carol_client.push(pharmacy, notes(&mut rx, 1, "rx2")).unwrap();
    let (_, e) = second_events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(e, LiveEvent::Entries { incident: pharmacy, rank: out.last_rank });
    carol_ward_laptop.register(incident(4), &opening(4, incident(4))).unwrap();
    let (_, next) = carol_events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(next, LiveEvent::Membership { incident: incident(4) }, "no entries event came first");
    assert!(bob_events.try_recv().is_err(), "bob hears nothing of carol's incident");

    // Removed from the ward incident, bob is told and then hears nothing more of it.
    alice.remove_member(ward, "bob").unwrap();
    let (_, e) = bob_events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(e, LiveEvent::Membership { incident: ward });
    alice.push(ward, notes(&mut w, 1, "after")).unwrap();
    alice.register(incident(3), &opening(1, incident(3))).unwrap(); // an unrelated notice, to flush the channel
    std::thread::sleep(Duration::from_millis(300));
    assert!(bob_events.try_recv().is_err(), "a removed member hears nothing more");
}

#[test]
fn the_live_channel_refuses_a_bad_session() {
    let server = start(false);
    let err = server.transport().events("mst1_nope").unwrap_err();
    assert_eq!(err.code(), "auth.bad_session");
}

#[test]
fn tls_serves_https_to_a_client_that_trusts_the_certificate_only() {
    let server = start(true);
    assert!(server.url.starts_with("https://"));
    let health = server.transport().send(healthz()).unwrap();
    assert_eq!(health.status, 200);
    assert!(String::from_utf8_lossy(&health.body).contains("\"ok\""));
    // The whole API and the live channel work over TLS.
    let (alice, _) = server.client("alice", 1);
    alice.register(incident(1), &opening(1, incident(1))).unwrap();
    // Alice's second laptop listens (her own session is not told of her own pushes).
    let (_, second) = server.second_device("alice", 2);
    let events = subscribe(&server, &second);
    let out = alice.push(incident(1), notes(&mut StreamWriter::new(key(1), incident(1)), 3, "tls")).unwrap();
    assert_eq!(out.accepted, 3);
    let (_, e) = events.recv_timeout(Duration::from_secs(5)).unwrap();
    assert_eq!(e, LiveEvent::Entries { incident: incident(1), rank: 3 });

    // Without the server's certificate among its roots, the client refuses to talk.
    let untrusting = HttpTransport::new(&server.url).unwrap();
    let refused = untrusting.send(healthz()).unwrap_err();
    assert!(matches!(refused, SyncError::Transport(_)), "{refused:?}");
    // Plain HTTP to the TLS port gets no API answer.
    let plain = HttpTransport::new(&format!("http://{}", server.addr)).unwrap();
    let answer = plain.send(healthz());
    assert!(answer.map(|r| r.status != 200).unwrap_or(true));
}

#[test]
fn bad_tls_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let cert = dir.path().join("cert.pem");
    std::fs::write(&cert, "not a certificate").unwrap();
    let missing = TlsFiles { cert: cert.clone(), key: dir.path().join("absent.pem") };
    let e = muster_server::tls_config(&missing).unwrap_err();
    assert_eq!(e.code(), "tls.bad_pem", "{e}");
    assert!(e.to_string().contains("cert.pem"), "{e}");
    let c = rcgen::generate_simple_self_signed(vec!["localhost".into()]).unwrap();
    std::fs::write(&cert, c.cert.pem()).unwrap();
    let e = muster_server::tls_config(&missing).unwrap_err();
    assert_eq!(e.code(), "tls.unreadable");
    assert!(e.to_string().contains("absent.pem"), "{e}");
}
