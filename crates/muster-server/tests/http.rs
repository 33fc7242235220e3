//! The router on a real socket (127.0.0.1:0), spoken to in plain HTTP/1.1.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use ed25519_dalek::Signer;
use muster_core::body::Note;
use muster_core::entry::Author;
use muster_core::{DeviceId, Entry, EntryBody, IncidentId, SigningKey, StreamWriter, WallClock};
use muster_server::{serve, ServeOptions, SqliteStorage, Storage};
use muster_wire::{login_proof_message, ErrorBody, HeadsResponse, LoginResponse, PullResponse, PushResponse};
use serde_json::{json, Value};

const NOW: i64 = 1_790_000_000_000;

struct Server {
    addr: SocketAddr,
    _rt: tokio::runtime::Runtime,
    _dir: tempfile::TempDir,
    storage: SqliteStorage,
}

fn start() -> Server {
    let dir = tempfile::tempdir().unwrap();
    let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    rt.spawn(serve(listener, storage.clone(), ServeOptions::default()));
    Server { addr, _rt: rt, _dir: dir, storage }
}

/// One request; returns the status and the body.
fn call(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
    json: bool,
) -> (u16, Vec<u8>) {
    let mut s = TcpStream::connect(addr).unwrap();
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nMuster-Client-Time: {NOW}\r\n"
    );
    if let Some(t) = token {
        head.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        if json {
            head.push_str("Content-Type: application/json\r\n");
        }
        head.push_str(&format!("Content-Length: {}\r\n", b.len()));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    if let Some(b) = body {
        // The server may answer 413 and close before reading everything.
        let _ = s.write_all(b);
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text_end = out.windows(4).position(|w| w == b"\r\n\r\n").expect("a response head");
    let head = String::from_utf8_lossy(&out[..text_end]).to_string();
    let status: u16 = head.split(' ').nth(1).unwrap().parse().unwrap();
    assert!(!head.to_ascii_lowercase().contains("transfer-encoding: chunked"), "{head}");
    (status, out[text_end + 4..].to_vec())
}

fn call_json(
    addr: SocketAddr,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let bytes = body.map(|b| serde_json::to_vec(&b).unwrap());
    let (status, out) = call(addr, method, path, token, bytes.as_deref(), true);
    let v = if out.is_empty() { Value::Null } else { serde_json::from_slice(&out).unwrap() };
    (status, v)
}

fn error_code(v: &Value) -> String {
    serde_json::from_value::<ErrorBody>(v.clone()).unwrap().error.code
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn log_in(server: &Server, user: &str, seed: u8) -> String {
    // The router uses the real clock; the enrolment must be fresh by it.
    let real_now =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    let token = server._rt.block_on(server.storage.add_user(user, real_now)).unwrap();
    let req = json!({
        "user": user,
        "token": token,
        "device_id": DeviceId(key(seed).verifying_key().to_bytes()),
        "device_name": format!("P{seed}"),
        "proof": hex::encode(key(seed).sign(&login_proof_message(user, &token)).to_bytes()),
    });
    let (status, v) = call_json(server.addr, "POST", "/v1/login", None, Some(req.clone()));
    assert_eq!(status, 200, "{v}");
    // One-time.
    let (status, again) = call_json(server.addr, "POST", "/v1/login", None, Some(req));
    assert_eq!((status, error_code(&again).as_str()), (401, "auth.bad_enrolment"));
    serde_json::from_value::<LoginResponse>(v).unwrap().session_token
}

fn stream(seed: u8, inc: IncidentId, n: usize) -> Vec<Entry> {
    let mut w = StreamWriter::new(key(seed), inc);
    (0..n)
        .map(|i| {
            let recorded = WallClock { utc_ms: NOW + i as i64, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: format!("P{seed}"), position: None };
            let body = EntryBody::Note(Note { text: format!("n{seed}/{i}"), occurred_at: None });
            w.write(recorded, author, body, [seed, i as u8, 0, 0, 0, 0, 0, 0, 0, 1]).unwrap()
        })
        .collect()
}

fn opening(seed: u8, inc: IncidentId) -> Entry {
    let recorded = WallClock { utc_ms: NOW, offset_s: 0, zone: "UTC".into() };
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

#[test]
fn the_api_over_a_real_socket() {
    let server = start();
    let addr = server.addr;
    let (status, health) = call_json(addr, "GET", "/healthz", None, None);
    assert_eq!(
        (status, health["status"].as_str(), health["database"].as_str()),
        (200, Some("ok"), Some("sqlite"))
    );

    let alice = log_in(&server, "alice", 1);
    let bob = log_in(&server, "bob", 2);
    let (status, v) = call_json(addr, "GET", "/v1/me", None, None);
    assert_eq!((status, error_code(&v).as_str()), (401, "auth.bad_session"));
    let (status, v) = call_json(addr, "GET", "/v1/me", Some("mst1_wrong"), None);
    assert_eq!((status, error_code(&v).as_str()), (401, "auth.bad_session"));

    let inc = IncidentId::from_parts(1_790_000_000_000, [1; 10]);
    let unknown = IncidentId::from_parts(1_790_000_000_001, [2; 10]);
    let base = format!("/v1/incidents/{inc}");
    // Registration proves authorship: the opening entry alice's device signed.
    let (status, v) = call_json(addr, "PUT", &base, Some(&alice), None);
    assert_eq!((status, error_code(&v).as_str()), (422, "incident.bad_opening"));
    let opening = json!({ "opening": opening(1, inc) });
    let (status, v) = call_json(addr, "PUT", &base, Some(&bob), Some(opening.clone()));
    assert_eq!((status, error_code(&v).as_str()), (403, "incident.not_opener"));
    assert_eq!(call_json(addr, "PUT", &base, Some(&alice), Some(opening.clone())).0, 201);
    assert_eq!(call_json(addr, "PUT", &base, Some(&alice), Some(opening)).0, 200);
    let (_, me) = call_json(addr, "GET", "/v1/me", Some(&alice), None);
    assert_eq!(me["incidents"][0]["role"], "commander");

    // A non-member: the same 403 body (id aside) for an existing and an unknown incident.
    for route in ["heads", "entries?after=0", "members", "alerts?after=0"] {
        let (s1, b1) = call(addr, "GET", &format!("{base}/{route}"), Some(&bob), None, true);
        let (s2, b2) = call(addr, "GET", &format!("/v1/incidents/{unknown}/{route}"), Some(&bob), None, true);
        assert_eq!((s1, s2), (403, 403), "{route}");
        let b1 = String::from_utf8(b1).unwrap().replace(&inc.to_string(), "X");
        let b2 = String::from_utf8(b2).unwrap().replace(&unknown.to_string(), "X");
        assert_eq!(b1, b2, "{route}");
        assert!(b1.contains("incident.forbidden"));
    }

    let (status, _) =
        call_json(addr, "PUT", &format!("{base}/members/bob"), Some(&alice), Some(json!({"role": "member"})));
    assert_eq!(status, 201);
    let (status, v) = call_json(addr, "DELETE", &format!("{base}/members/alice"), Some(&alice), None);
    assert_eq!((status, error_code(&v).as_str()), (409, "incident.last_commander"));

    // Push, heads, pull.
    let a = stream(1, inc, 5);
    let b = stream(2, inc, 3);
    let (status, v) =
        call_json(addr, "POST", &format!("{base}/entries"), Some(&alice), Some(json!({"entries": a})));
    assert_eq!(status, 200, "{v}");
    let out: PushResponse = serde_json::from_value(v).unwrap();
    assert_eq!((out.accepted, out.last_rank), (5, 5));
    let clock = out.clock.unwrap();
    assert!(clock.warning, "the test's client clock is far from the server's");
    let (status, _) =
        call_json(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(json!({"entries": b})));
    assert_eq!(status, 200);
    let (_, v) = call_json(addr, "GET", &format!("{base}/heads"), Some(&bob), None);
    let heads: HeadsResponse = serde_json::from_value(v).unwrap();
    assert_eq!((heads.last_rank, heads.heads.len()), (8, 2));
    let (_, v) = call_json(addr, "GET", &format!("{base}/entries?after=3&limit=2"), Some(&bob), None);
    let page: PullResponse = serde_json::from_value(v).unwrap();
    assert_eq!((page.entries.len(), page.next, page.more), (2, 5, true));
    assert_eq!(page.entries[0].entry, a[3]);
    let (status, v) = call_json(addr, "GET", &format!("{base}/entries?after=x"), Some(&bob), None);
    assert_eq!((status, error_code(&v).as_str()), (400, "request.bad_cursor"));

    // Refusals, each followed by a good request.
    let more = stream(2, inc, 5);
    let (status, v) =
        call_json(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(json!({"entries": [more[4]]})));
    assert_eq!((status, error_code(&v).as_str()), (409, "ingest.seq_gap"));
    assert_eq!(
        (v["error"]["details"]["head"].as_u64(), v["error"]["details"]["got"].as_u64()),
        (Some(3), Some(5))
    );
    let mut changed = serde_json::to_value(&more[3..]).unwrap();
    changed[1]["body"]["text"] = json!("rewritten");
    let (status, v) =
        call_json(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(json!({"entries": changed})));
    assert_eq!(
        (status, error_code(&v).as_str(), v["error"]["details"]["index"].as_u64()),
        (400, "entry.malformed", Some(1))
    );
    let (status, v) = call(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(b"{not json"), true);
    assert_eq!(status, 400);
    assert_eq!(error_code(&serde_json::from_slice(&v).unwrap()), "request.malformed");
    let (status, _) = call(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(b"{}"), false);
    assert_eq!(status, 415);
    let big = vec![b' '; muster_server::MAX_BODY_BYTES + 10];
    let (status, v) = call(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(&big), true);
    assert_eq!(status, 413);
    assert_eq!(error_code(&serde_json::from_slice(&v).unwrap()), "request.too_large");
    let (status, v) =
        call_json(addr, "POST", &format!("{base}/entries"), Some(&bob), Some(json!({"entries": &more[3..]})));
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["last_rank"], 10);
    let (status, _) = call_json(addr, "GET", "/nope", None, None);
    assert_eq!(status, 404);
}
