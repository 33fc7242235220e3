//! "Trust nobody" 4, 6, 7 and 11 over a real socket (127.0.0.1:0): `Cache-Control: no-store` on
//! every answer, slow heads and slow bodies cut off, a connection cap that keeps the server
//! answering, a per-user push quota, login throttles and lockouts that treat known and unknown
//! names alike, and path and query errors that are JSON and do not repeat the input.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use ed25519_dalek::Signer;
use muster_core::body::Note;
use muster_core::entry::Author;
use muster_core::{DeviceId, Entry, EntryBody, IncidentId, SigningKey, StreamWriter, WallClock};
use muster_server::{serve, Limits, LoginPolicy, QuotaPolicy, ServeOptions, SqliteStorage, Storage};
use muster_wire::{login_proof_message, LoginResponse};
use serde_json::{json, Value};

struct Server {
    addr: SocketAddr,
    rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    storage: SqliteStorage,
}

fn start(options: ServeOptions) -> Server {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(serve(listener, storage.clone(), options));
    Server { addr, rt, _dir: dir, storage }
}

fn real_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

/// An answer: status, lower-cased head, body.
struct Answer {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    fn code(&self) -> String {
        self.json()["error"]["code"].as_str().unwrap_or_default().to_string()
    }

    fn header(&self, name: &str) -> Option<String> {
        let prefix = format!("{name}:");
        self.head.lines().find_map(|l| l.strip_prefix(&prefix).map(|v| v.trim().to_string()))
    }
}

fn request_text(method: &str, path: &str, token: Option<&str>, body: Option<&[u8]>, close: bool) -> Vec<u8> {
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    if close {
        head.push_str("Connection: close\r\n");
    }
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        head.push_str(&format!("Content-Type: application/json\r\nContent-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    let mut out = head.into_bytes();
    out.extend_from_slice(body.unwrap_or_default());
    out
}

/// Reads one answer (head, then `Content-Length` bytes) off `s`.
fn read_answer(s: &mut TcpStream) -> Answer {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        assert_eq!(s.read(&mut byte).unwrap(), 1, "the connection closed before an answer's head");
        raw.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    let length: usize =
        head.lines().find_map(|l| l.strip_prefix("content-length:")).map_or(0, |v| v.trim().parse().unwrap());
    let mut body = vec![0u8; length];
    s.read_exact(&mut body).unwrap();
    Answer { status, head, body }
}

fn call(addr: SocketAddr, method: &str, path: &str, token: Option<&str>, body: Option<Value>) -> Answer {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.map(|b| serde_json::to_vec(&b).unwrap());
    s.write_all(&request_text(method, path, token, body.as_deref(), true)).unwrap();
    read_answer(&mut s)
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn login_body(user: &str, token: &str, seed: u8) -> Value {
    json!({
        "user": user,
        "token": token,
        "device_id": DeviceId(key(seed).verifying_key().to_bytes()),
        "device_name": format!("P{seed}"),
        "proof": hex::encode(key(seed).sign(&login_proof_message(user, token)).to_bytes()),
    })
}

fn log_in(server: &Server, user: &str, seed: u8) -> String {
    let token = server.rt.block_on(server.storage.add_user(user, real_now())).unwrap();
    let a = call(server.addr, "POST", "/v1/login", None, Some(login_body(user, &token, seed)));
    assert_eq!(a.status, 200, "{}", a.json());
    serde_json::from_value::<LoginResponse>(a.json()).unwrap().session_token
}

/// The opening entry of `inc` signed by alice's device (seed 1): what registering it needs.
fn opening(inc: IncidentId) -> Entry {
    let recorded = WallClock { utc_ms: real_now(), offset_s: 0, zone: "UTC".into() };
    let author = Author { person: "P1".into(), position: None };
    let body = EntryBody::IncidentOpened(muster_core::body::IncidentOpened {
        title: "Registered".into(),
        drill: true,
        description: None,
    });
    StreamWriter::new(key(1), inc).write(recorded, author, body, [1, 0xee, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap()
}

fn notes(seed: u8, inc: IncidentId, n: usize) -> Vec<Entry> {
    let mut w = StreamWriter::new(key(seed), inc);
    (0..n)
        .map(|i| {
            let recorded = WallClock { utc_ms: real_now() + i as i64, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: format!("P{seed}"), position: None };
            let body = EntryBody::Note(Note { text: format!("n{seed}/{i}"), occurred_at: None });
            w.write(recorded, author, body, [seed, i as u8, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        })
        .collect()
}

/// Whether the server closed `s` (EOF or reset) within `within`, without answering 2xx.
fn closed_within(s: &mut TcpStream, within: Duration) -> bool {
    s.set_read_timeout(Some(within)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return true,
            // hyper may answer 408 before closing.
            Ok(n) => {
                assert!(!String::from_utf8_lossy(&buf[..n]).contains(" 200 "), "answered a slow request")
            }
            Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut) => {
                return false
            }
            Err(_) => return true,
        }
    }
}

fn short_limits(max_connections: usize) -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs(1),
        body_read_timeout: Duration::from_secs(1),
        max_connections,
    }
}

#[test]
fn every_answer_says_no_store_and_path_and_query_errors_are_json_that_repeat_nothing() {
    let server = start(ServeOptions::default());
    let alice = log_in(&server, "alice", 1);
    for (path, token) in
        [("/healthz", None), ("/v1/me", Some(alice.as_str())), ("/v1/me", None), ("/nope", None)]
    {
        let a = call(server.addr, "GET", path, token, None);
        assert_eq!(a.header("cache-control").as_deref(), Some("no-store"), "{path}: {}", a.head);
    }
    let probe = "%3Cscript%3Ealert(document.cookie)%3C%2Fscript%3E";
    let inc = IncidentId::from_parts(1, [1; 10]);
    for (method, path) in [
        ("GET", format!("/v1/incidents/{probe}/heads")),
        ("DELETE", format!("/v1/incidents/{probe}/members/bob")),
        ("GET", format!("/v1/incidents/{inc}/entries?after={probe}")),
        ("GET", format!("/v1/incidents/{inc}/alerts?after=-1{probe}")),
    ] {
        let a = call(server.addr, method, &path, Some(&alice), None);
        assert_eq!(a.status, 400, "{path}");
        assert_eq!(a.header("content-type").as_deref(), Some("application/json"), "{path}");
        assert!(
            ["request.bad_path", "request.bad_cursor"].contains(&a.code().as_str()),
            "{path}: {}",
            a.json()
        );
        let text = String::from_utf8_lossy(&a.body).to_lowercase();
        for echo in ["script", "cookie", "alert("] {
            assert!(!text.contains(echo), "{path} echoed {echo:?}: {text}");
        }
    }
}

#[test]
fn a_slow_head_and_a_slow_body_are_cut_off() {
    let server = start(ServeOptions { limits: short_limits(64), ..ServeOptions::default() });
    let started = Instant::now();
    let mut slow_head = TcpStream::connect(server.addr).unwrap();
    slow_head.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    let mut silent = TcpStream::connect(server.addr).unwrap();
    let mut slow_body = TcpStream::connect(server.addr).unwrap();
    slow_body
        .write_all(b"POST /v1/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n{\"user\":")
        .unwrap();
    assert!(closed_within(&mut slow_head, Duration::from_secs(5)), "a head sent halfway was not cut off");
    assert!(closed_within(&mut silent, Duration::from_secs(5)), "a silent connection was kept");
    let a = read_answer(&mut slow_body);
    assert_eq!((a.status, a.code().as_str()), (408, "request.timeout"));
    assert!(closed_within(&mut slow_body, Duration::from_secs(5)), "the slow body's connection was kept");
    assert!(started.elapsed() < Duration::from_secs(8));
    assert_eq!(call(server.addr, "GET", "/healthz", None, None).status, 200);
}

#[test]
fn beyond_the_connection_cap_new_connections_are_closed_and_open_ones_keep_answering() {
    // Cap 8: the kept connection holds one permit, so at most 7 of the 40 idle ones are let in.
    // Which 7 depends on the order the server's tasks run in, so the test counts, not indexes.
    let limits = Limits { header_read_timeout: Duration::from_secs(5), ..short_limits(8) };
    let server = start(ServeOptions { limits, ..ServeOptions::default() });
    let mut kept = TcpStream::connect(server.addr).unwrap();
    kept.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    kept.write_all(&request_text("GET", "/healthz", None, None, false)).unwrap();
    assert_eq!(read_answer(&mut kept).status, 200);
    let mut idle: Vec<TcpStream> = (0..40).map(|_| TcpStream::connect(server.addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // The connection already open is still served while the cap is full.
    kept.write_all(&request_text("GET", "/healthz", None, None, false)).unwrap();
    assert_eq!(read_answer(&mut kept).status, 200);
    let let_in =
        idle.iter_mut().map(|s| !closed_within(s, Duration::from_millis(250))).filter(|open| *open).count();
    assert!(let_in <= 7, "{let_in} of 40 connections beyond the cap were kept (at most 7 fit)");
    // Once the idle connections time out, new ones are served again.
    std::thread::sleep(Duration::from_secs(6));
    assert_eq!(call(server.addr, "GET", "/healthz", None, None).status, 200);
}

#[test]
fn a_user_over_the_push_quota_gets_429_until_the_window_ends_and_others_are_not_held() {
    let quota = QuotaPolicy { window: Duration::from_secs(3600), max_bytes: 1024 * 1024, max_entries: 4 };
    let server = start(ServeOptions { quota, ..ServeOptions::default() });
    let alice = log_in(&server, "alice", 1);
    let bob = log_in(&server, "bob", 2);
    let inc = IncidentId::from_parts(1_790_000_000_000, [1; 10]);
    let base = format!("/v1/incidents/{inc}");
    server.rt.block_on(async {
        let caller = server.storage.authenticate(&alice, real_now()).await.unwrap();
        server.storage.register_incident(&caller, inc, &opening(inc), real_now()).await.unwrap();
        server.storage.set_member(&caller, inc, "bob", muster_wire::Role::Member, real_now()).await.unwrap();
    });
    let stream = notes(1, inc, 6);
    let a = call(
        server.addr,
        "POST",
        &format!("{base}/entries"),
        Some(&alice),
        Some(json!({"entries": &stream[..3]})),
    );
    assert_eq!(a.status, 200, "{}", a.json());
    let a = call(
        server.addr,
        "POST",
        &format!("{base}/entries"),
        Some(&alice),
        Some(json!({"entries": &stream[3..]})),
    );
    assert_eq!((a.status, a.code().as_str()), (429, "quota.exceeded"), "{}", a.json());
    let retry: u64 = a.header("retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    let b = call(
        server.addr,
        "POST",
        &format!("{base}/entries"),
        Some(&bob),
        Some(json!({"entries": notes(2, inc, 2)})),
    );
    assert_eq!(b.status, 200, "{}", b.json());
}

#[test]
fn failed_logins_lock_out_the_name_then_the_address_and_known_and_unknown_names_look_alike() {
    let login = LoginPolicy {
        max_failures_per_user: 3,
        max_failures_per_address: 6,
        window: Duration::from_secs(60),
        lockout: Duration::from_secs(60),
    };
    let server = start(ServeOptions { login, ..ServeOptions::default() });
    let token = server.rt.block_on(server.storage.add_user("alice", real_now())).unwrap();
    let wrong = "f".repeat(token.len());
    let try_login = |user: &str, token: &str| {
        call(server.addr, "POST", "/v1/login", None, Some(login_body(user, token, 1)))
    };

    // Known and unknown names: the same answer, byte for byte.
    let known = try_login("alice", &wrong);
    let unknown = try_login("nobody", &wrong);
    assert_eq!((known.status, known.code().as_str()), (401, "auth.bad_enrolment"));
    assert_eq!((known.status, &known.body), (unknown.status, &unknown.body));

    for _ in 0..2 {
        assert_eq!(try_login("alice", &wrong).status, 401);
    }
    // Three failures for alice: even the right token is refused during the lockout.
    let locked = try_login("alice", &token);
    assert_eq!((locked.status, locked.code().as_str()), (429, "auth.throttled"));
    let retry: u64 = locked.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry), "{retry}");
    assert!(!String::from_utf8_lossy(&locked.body).contains(&token));

    // Four failures from this address so far; two more with fresh names lock the address out.
    assert_eq!(try_login("carol", &wrong).status, 401);
    assert_eq!(try_login("dave", &wrong).status, 401);
    let address = try_login("erin", &wrong);
    assert_eq!((address.status, address.code().as_str()), (429, "auth.throttled"));
}
