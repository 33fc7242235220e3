//! Shared by the backend-generic suites (revocation, audit): a server database per case on
//! SQLite and, when `MUSTER_TEST_POSTGRES_URL` is set (`scripts/with-postgres`), on PostgreSQL;
//! users, devices and signed streams.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::future::Future;

use ed25519_dalek::Signer;
use muster_core::body::{IncidentOpened, Note};
use muster_core::entry::Author;
use muster_core::{DeviceId, Entry, EntryBody, IncidentId, SigningKey, StreamWriter, WallClock};
use muster_server::{Caller, ClockPolicy, PgStorage, ServerError, SqliteStorage, Storage};
use muster_wire::{login_proof_message, LoginRequest};

pub const NOW: i64 = 1_790_000_000_000;
pub const CLOCK: ClockPolicy = ClockPolicy { client_skew_ms: None, threshold_ms: 120_000 };
pub const HOUR: i64 = 3600 * 1000;

pub fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(f)
}

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

/// The opening entry of `inc` signed by the device of `seed`: the proof of authorship that
/// registering an incident needs.
pub fn opening(seed: u8, inc: IncidentId) -> muster_core::Entry {
    let recorded = muster_core::WallClock { utc_ms: 1_790_000_000_000, offset_s: 0, zone: "UTC".into() };
    let author = muster_core::entry::Author { person: format!("Person {seed}"), position: None };
    let body = muster_core::EntryBody::IncidentOpened(muster_core::body::IncidentOpened {
        title: "Registered".into(),
        drill: true,
        description: None,
    });
    muster_core::StreamWriter::new(key(seed), inc)
        .write(recorded, author, body, [seed, 0xee, 0, 0, 0, 0, 0, 0, 0, 1])
        .unwrap()
}

pub fn device(seed: u8) -> DeviceId {
    DeviceId(key(seed).verifying_key().to_bytes())
}

pub fn incident(n: u8) -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000 + u64::from(n), [n; 10])
}

pub fn login_request(user: &str, token: &str, seed: u8) -> LoginRequest {
    LoginRequest {
        user: user.into(),
        token: token.into(),
        device_id: device(seed),
        // The person its entries are recorded by (the server checks them against it).
        device_name: format!("Person {seed}"),
        proof: hex::encode(key(seed).sign(&login_proof_message(user, token)).to_bytes()),
    }
}

/// Creates `user`, logs in at `at` with the device key of `seed`; the session token.
pub async fn enrol_at<S: Storage>(s: &S, user: &str, seed: u8, at: i64) -> String {
    let token = s.add_user(user, at).await.unwrap();
    s.login(login_request(user, &token, seed), at).await.unwrap().session_token
}

/// Creates `user` and logs in at `NOW`; the session's caller.
pub async fn enrol<S: Storage>(s: &S, user: &str, seed: u8) -> Caller {
    let session = enrol_at(s, user, seed, NOW).await;
    s.authenticate(&session, NOW).await.unwrap()
}

/// The next `n` entries of the stream of `seed`, stamped one second apart from `start_ms`; with
/// `open`, the first opens the incident.
pub fn stream_part(
    w: &mut StreamWriter,
    seed: u8,
    n: usize,
    start_ms: i64,
    text: &str,
    open: bool,
) -> Vec<Entry> {
    (0..n)
        .map(|i| {
            let body = if open && i == 0 {
                EntryBody::IncidentOpened(IncidentOpened {
                    title: "PACS outage at St Elsewhere".into(),
                    drill: true,
                    description: None,
                })
            } else {
                EntryBody::Note(Note { text: format!("{text} {i}"), occurred_at: None })
            };
            let recorded = WallClock { utc_ms: start_ms + i as i64 * 1000, offset_s: 0, zone: "UTC".into() };
            let author = Author { person: format!("Person {seed}"), position: None };
            let mut random = [seed, i as u8, 0, 0, 0, 0, 0, 0, 0, 1];
            random[2..10].copy_from_slice(&(start_ms as u64).to_be_bytes());
            w.write(recorded, author, body, random).unwrap()
        })
        .collect()
}

pub fn writer(seed: u8, inc: IncidentId) -> StreamWriter {
    StreamWriter::new(key(seed), inc)
}

pub fn code<T: std::fmt::Debug>(r: Result<T, ServerError>) -> (&'static str, ServerError) {
    let e = r.expect_err("expected a refusal");
    (e.code(), e)
}

/// The throwaway server's URL, or `None` (the case is skipped) unless `MUSTER_REQUIRE_POSTGRES=1`.
pub fn postgres_url(test: &str) -> Option<String> {
    match std::env::var("MUSTER_TEST_POSTGRES_URL") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("MUSTER_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "MUSTER_REQUIRE_POSTGRES=1 but MUSTER_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)"
            );
            eprintln!(
                "{test}: SKIPPED: MUSTER_TEST_POSTGRES_URL is not set (run under scripts/with-postgres)"
            );
            None
        }
    }
}

/// A fresh database `m_<random>` on the server of `url`; its URL.
pub async fn fresh_database(url: &str) -> String {
    static N: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = format!("m_{:x}_{}_{n}", nanos, std::process::id());
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    let driver = tokio::spawn(connection);
    client.batch_execute(&format!("CREATE DATABASE {name}")).await.unwrap();
    drop(client);
    driver.await.unwrap().unwrap();
    let base = url.split('?').next().unwrap();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{name}")
}

/// A fresh SQLite database (kept while the returned directory lives).
pub fn sqlite() -> (tempfile::TempDir, SqliteStorage) {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
    (dir, s)
}

/// A fresh PostgreSQL database, connected on the current runtime.
pub fn postgres(url: &str) -> PgStorage {
    block_on(async { PgStorage::connect(&fresh_database(url).await).await.unwrap() })
}
