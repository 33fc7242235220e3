//! "Trust nobody" 3 and 11 on both backends: sessions end (idle and absolute limits), sessions,
//! devices and users can be revoked and the server holds to it from the revocation on, the
//! membership history keeps every grant and removal, a removed member's later entries are held
//! when relayed, and an entry id says nothing about other incidents; an entry a registered device
//! signs in another person's name is held ("Trust nobody" 5). Also: a server database of
//! schema 2 keeps its rows through migrations 3 to 5.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;

use std::cell::RefCell;

use backends::*;
use muster_core::body::Note;
use muster_core::entry::Author;
use muster_core::{EntryBody, WallClock};
use muster_server::{PgStorage, SessionPolicy, SqliteStorage, Storage};
use muster_wire::{AlertKind, RevokedDevice, Role};
use sha2::{Digest, Sha256};

const DAY: i64 = 24 * HOUR;

fn suite<S: Storage>(make: impl Fn() -> S) {
    a_session_from_1970_is_refused_and_sessions_end_when_idle_or_old(make());
    a_revoked_session_ends_at_once(make());
    a_lost_laptop_is_revoked_from_that_instant_on(make());
    a_revoked_user_cannot_come_back(make());
    re_adding_a_member_keeps_their_removal_on_record(make());
    a_removed_members_entries_written_after_the_removal_are_held_when_relayed(make());
    an_entry_id_says_nothing_about_another_incident(make());
    an_entry_recorded_as_another_after_registration_is_held(make());
}

#[test]
fn sqlite_backend() {
    let dirs = RefCell::new(Vec::new());
    suite(|| {
        let (dir, s) = sqlite();
        dirs.borrow_mut().push(dir);
        s
    });
}

#[test]
fn postgres_backend() {
    let Some(url) = postgres_url("postgres_backend") else { return };
    suite(|| postgres(&url));
}

fn a_session_from_1970_is_refused_and_sessions_end_when_idle_or_old<S: Storage>(s: S) {
    block_on(async {
        let policy = SessionPolicy::default();
        // The probe: a session opened at the epoch still worked decades later.
        let old = enrol_at(&s, "old", 1, 0).await;
        let (c, e) = code(s.authenticate_with(&old, NOW, policy).await);
        assert_eq!((c, e.status()), ("auth.bad_session", 401));
        assert!(e.to_string().contains("14 days"), "{e}");
        // Ended for good: a laxer policy later does not revive it.
        let lax = SessionPolicy { idle_ms: i64::MAX / 2, lifetime_ms: i64::MAX / 2 };
        assert_eq!(code(s.authenticate_with(&old, NOW, lax).await).0, "auth.bad_session");

        // Used within 12 h it goes on; 12 h unused, it ends (automatic logoff).
        let alice = enrol_at(&s, "alice", 2, NOW).await;
        s.authenticate_with(&alice, NOW + 11 * HOUR, policy).await.unwrap();
        s.authenticate_with(&alice, NOW + 22 * HOUR, policy).await.unwrap();
        let (c, e) = code(s.authenticate_with(&alice, NOW + 34 * HOUR + 1000, policy).await);
        assert_eq!(c, "auth.bad_session");
        assert!(e.to_string().contains("12 h") && e.to_string().contains("automatic logoff"), "{e}");

        // Used every 6 h, a session still ends 14 days after its login.
        let bob = enrol_at(&s, "bob", 3, NOW).await;
        let mut at = NOW;
        while at + 6 * HOUR < NOW + 14 * DAY {
            at += 6 * HOUR;
            s.authenticate_with(&bob, at, policy).await.unwrap();
        }
        assert_eq!(code(s.authenticate_with(&bob, NOW + 14 * DAY, policy).await).0, "auth.bad_session");

        // The administrator sees what ended each.
        let sessions = s.sessions(None, NOW + 15 * DAY, policy).await.unwrap();
        let why: Vec<(&str, &str, Option<&str>)> =
            sessions.iter().map(|s| (s.user.as_str(), s.state, s.ended_by.as_deref())).collect();
        assert_eq!(
            why,
            vec![
                ("old", "ended", Some("lifetime")),
                ("alice", "ended", Some("idle")),
                ("bob", "ended", Some("lifetime"))
            ]
        );
    });
}

fn a_revoked_session_ends_at_once<S: Storage>(s: S) {
    block_on(async {
        let policy = SessionPolicy::default();
        let first = enrol_at(&s, "alice", 1, NOW).await;
        let token = s.new_enrolment("alice", NOW).await.unwrap();
        let second = s.login(login_request("alice", &token, 2), NOW).await.unwrap().session_token;
        let open = s.sessions(Some("alice"), NOW, policy).await.unwrap();
        assert_eq!(open.iter().map(|s| s.state).collect::<Vec<_>>(), ["active", "active"]);
        assert_eq!(open[0].ends_ms, NOW + 12 * HOUR, "idle logoff comes first");
        s.revoke_session(open[0].id, NOW + 1).await.unwrap();
        assert_eq!(code(s.authenticate(&first, NOW + 2).await).0, "auth.bad_session");
        s.authenticate(&second, NOW + 2).await.unwrap();
        assert_eq!(code(s.revoke_session(987_654, NOW).await).0, "session.unknown");
        let after = s.sessions(Some("alice"), NOW + 3, policy).await.unwrap();
        assert_eq!((after[0].state, after[0].ended_by.as_deref()), ("ended", Some("session")));
        assert_eq!(code(s.sessions(Some("nobody"), NOW, policy).await).0, "user.unknown");
    });
}

fn a_lost_laptop_is_revoked_from_that_instant_on<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(1);
        let alice = enrol(&s, "alice", 1).await;
        let bob_session = enrol_at(&s, "bob", 2, NOW).await;
        let bob = s.authenticate(&bob_session, NOW).await.unwrap();
        s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
        s.set_member(&alice, inc, "bob", Role::Member, NOW).await.unwrap();
        let opening = stream_part(&mut writer(1, inc), 1, 1, NOW, "a", true);
        s.push(&alice, inc, opening, NOW, CLOCK).await.unwrap();

        // Bob's laptop writes twice before it is lost; one entry reaches the server.
        let mut laptop = writer(2, inc);
        let before = stream_part(&mut laptop, 2, 2, NOW + 1_000, "before", false);
        s.push(&bob, inc, before[..1].to_vec(), NOW + 5_000, CLOCK).await.unwrap();

        // Lost: revoked at NOW + 10 s, by the start of its id.
        let revoked_at = NOW + 10_000;
        let (d, r) = s.revoke_device(&device(2).to_string()[..12], revoked_at).await.unwrap();
        assert_eq!((d.user.as_str(), d.revoked_ms, r.sessions), ("bob", Some(revoked_at), 1));
        assert_eq!(code(s.authenticate(&bob_session, revoked_at + 1).await).0, "auth.bad_session");
        // A fresh token does not bring the key back.
        let token = s.new_enrolment("bob", revoked_at + 1).await.unwrap();
        let (c, e) = code(s.login(login_request("bob", &token, 2), revoked_at + 1).await);
        assert_eq!((c, e.status()), ("device.revoked", 403));

        // Whoever holds the laptop goes on signing; a member relays all of it.
        let after = stream_part(&mut laptop, 2, 2, NOW + 20_000, "after", false);
        let relayed = vec![before[1].clone(), after[0].clone(), after[1].clone()];
        let out = s.push(&alice, inc, relayed, NOW + 30_000, CLOCK).await.unwrap();
        assert_eq!(out.accepted, 1, "written before the revocation: stored");
        let kinds: Vec<AlertKind> = out.quarantined.iter().map(|q| q.kind).collect();
        assert_eq!(kinds, [AlertKind::DeviceRevoked, AlertKind::DeviceRevoked]);
        let pulled: Vec<_> =
            s.pull(&alice, inc, 0, 100).await.unwrap().entries.into_iter().map(|p| p.entry).collect();
        assert!(pulled.contains(&before[1]) && !pulled.contains(&after[0]) && !pulled.contains(&after[1]));
        let alerts = s.alerts(&alice, inc, 0).await.unwrap();
        assert_eq!(alerts.iter().map(|a| a.kind).collect::<Vec<_>>(), kinds);

        // Members are told which device, whose, and since when.
        let me = s.me(&alice, NOW + 31_000).await.unwrap();
        let told = RevokedDevice {
            device_id: device(2),
            user: "bob".into(),
            name: "Person 2".into(),
            revoked_ms: revoked_at,
        };
        assert_eq!(me.incidents[0].revoked_devices, vec![told]);
        // Bob, on a new laptop, works on.
        let token = s.new_enrolment("bob", NOW + 40_000).await.unwrap();
        let session = s.login(login_request("bob", &token, 3), NOW + 40_000).await.unwrap().session_token;
        let bob = s.authenticate(&session, NOW + 40_000).await.unwrap();
        let me = s.me(&bob, NOW + 40_000).await.unwrap();
        assert_eq!(me.devices.iter().map(|d| d.revoked_ms).collect::<Vec<_>>(), [Some(revoked_at), None]);
        let fresh = stream_part(&mut writer(3, inc), 3, 1, NOW + 41_000, "new laptop", false);
        assert_eq!(s.push(&bob, inc, fresh, NOW + 42_000, CLOCK).await.unwrap().accepted, 1);
        assert_eq!(code(s.revoke_device("ffff", NOW).await).0, "device.unknown");
    });
}

fn a_revoked_user_cannot_come_back<S: Storage>(s: S) {
    block_on(async {
        let first = enrol_at(&s, "carol", 1, NOW).await;
        let token = s.new_enrolment("carol", NOW).await.unwrap();
        let second = s.login(login_request("carol", &token, 2), NOW).await.unwrap().session_token;
        let unused = s.new_enrolment("carol", NOW).await.unwrap();
        let r = s.revoke_user("carol", NOW + 1).await.unwrap();
        assert_eq!((r.devices, r.sessions), (2, 2));
        for t in [&first, &second] {
            assert_eq!(code(s.authenticate(t, NOW + 2).await).0, "auth.bad_session");
        }
        // Her unused token answers as a wrong token, or an unknown name, would.
        assert_eq!(code(s.login(login_request("carol", &unused, 5), NOW + 2).await).0, "auth.bad_enrolment");
        assert_eq!(code(s.new_enrolment("carol", NOW + 3).await).0, "user.revoked");
        let users = s.users().await.unwrap();
        assert_eq!(
            (users[0].name.as_str(), users[0].revoked_ms, users[0].devices),
            ("carol", Some(NOW + 1), 2)
        );
        assert_eq!(code(s.revoke_user("nobody", NOW).await).0, "user.unknown");
    });
}

/// A membership event as (user, action, role, by, at).
type HistoryRow = (String, String, Option<Role>, Option<String>, i64);

fn re_adding_a_member_keeps_their_removal_on_record<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(2);
        let alice = enrol(&s, "alice", 1).await;
        enrol(&s, "bob", 2).await;
        s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
        s.set_member(&alice, inc, "bob", Role::Member, NOW + 1).await.unwrap();
        s.remove_member(&alice, inc, "bob", NOW + 2).await.unwrap();
        s.set_member(&alice, inc, "bob", Role::Commander, NOW + 3).await.unwrap();
        s.set_member(&alice, inc, "bob", Role::Member, NOW + 4).await.unwrap();
        let history: Vec<HistoryRow> = s
            .membership_history(inc)
            .await
            .unwrap()
            .into_iter()
            .map(|e| (e.user, e.action, e.role, e.by, e.at_ms))
            .collect();
        let a = Some("alice".to_string());
        assert_eq!(
            history,
            vec![
                ("alice".into(), "granted".into(), Some(Role::Commander), a.clone(), NOW),
                ("bob".into(), "granted".into(), Some(Role::Member), a.clone(), NOW + 1),
                ("bob".into(), "removed".into(), None, a.clone(), NOW + 2),
                ("bob".into(), "granted".into(), Some(Role::Commander), a.clone(), NOW + 3),
                ("bob".into(), "role_changed".into(), Some(Role::Member), a, NOW + 4),
            ]
        );
    });
}

fn a_removed_members_entries_written_after_the_removal_are_held_when_relayed<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(3);
        let alice = enrol(&s, "alice", 1).await;
        let bob = enrol(&s, "bob", 2).await;
        s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
        s.set_member(&alice, inc, "bob", Role::Member, NOW).await.unwrap();
        let mut laptop = writer(2, inc);
        let while_member = stream_part(&mut laptop, 2, 2, NOW + 1_000, "member", false);
        s.push(&bob, inc, while_member[..1].to_vec(), NOW + 1_500, CLOCK).await.unwrap();
        s.remove_member(&alice, inc, "bob", NOW + 5_000).await.unwrap();
        let after = stream_part(&mut laptop, 2, 1, NOW + 6_000, "removed", false);
        // Bob himself is a non-member now.
        assert_eq!(code(s.push(&bob, inc, after.clone(), NOW + 7_000, CLOCK).await).0, "incident.forbidden");
        // Alice relays what her laptop got from his (say, over a file): written while a member
        // is stored; written after the removal is held.
        let relayed = vec![while_member[1].clone(), after[0].clone()];
        let out = s.push(&alice, inc, relayed, NOW + 8_000, CLOCK).await.unwrap();
        assert_eq!(out.accepted, 1);
        assert_eq!(out.quarantined.iter().map(|q| q.kind).collect::<Vec<_>>(), [AlertKind::MemberRemoved]);
        let pulled: Vec<_> =
            s.pull(&alice, inc, 0, 100).await.unwrap().entries.into_iter().map(|p| p.entry).collect();
        assert!(pulled.contains(&while_member[1]) && !pulled.contains(&after[0]));
    });
}

fn an_entry_id_says_nothing_about_another_incident<S: Storage>(s: S) {
    block_on(async {
        let (secret, own, unknown) = (incident(4), incident(5), incident(6));
        let alice = enrol(&s, "alice", 1).await;
        let mallory = enrol(&s, "mallory", 9).await;
        s.register_incident(&alice, secret, &opening(1, secret), NOW).await.unwrap();
        s.register_incident(&mallory, own, &opening(9, own), NOW).await.unwrap();
        let at = WallClock { utc_ms: NOW, offset_s: 0, zone: "UTC".into() };
        let note = |t: &str| EntryBody::Note(Note { text: t.into(), occurred_at: None });
        let author = |seed: u8| Author { person: format!("Person {seed}"), position: None };
        let random = [4; 10];
        let in_secret = writer(1, secret).write(at.clone(), author(1), note("x"), random).unwrap();
        s.push(&alice, secret, vec![in_secret.clone()], NOW, CLOCK).await.unwrap();
        // Mallory pushes, into her own incident, an entry with the same id: the answer is the
        // one a fresh id gets (it was 409 `ingest.id_reused`).
        let probe = writer(9, own).write(at, author(9), note("probe"), random).unwrap();
        assert_eq!(probe.id(), in_secret.id());
        assert_eq!(s.push(&mallory, own, vec![probe], NOW, CLOCK).await.unwrap().accepted, 1);

        // A non-member gets the unknown incident's 403 before any entry is looked at, even for a
        // page the entry checks would refuse (too many entries).
        let page = stream_part(&mut writer(9, secret), 9, 1001, NOW, "flood", false);
        let (c1, e1) = code(s.push(&mallory, secret, page.clone(), NOW, CLOCK).await);
        let (c2, e2) = code(s.push(&mallory, unknown, page, NOW, CLOCK).await);
        assert_eq!((c1, c2), ("incident.forbidden", "incident.forbidden"));
        let blank = |e: &muster_server::ServerError, i: muster_core::IncidentId| {
            serde_json::to_string(&e.body()).unwrap().replace(&i.to_string(), "X")
        };
        assert_eq!(blank(&e1, secret), blank(&e2, unknown));
    });
}

/// Rows of every table as a server written before schema 3 held them; `b` writes a blob literal
/// in the backend's syntax.
fn schema_2_rows(b: impl Fn(u8, usize) -> String, token: &str) -> String {
    let (inc, a, bb, d7) = (b(1, 16), b(0xaa, 32), b(0xbb, 32), b(7, 32));
    let (e1, e2, h1, h2) = (b(0xe1, 16), b(0xe2, 16), b(0xf1, 32), b(0xf2, 32));
    let token_hash = {
        let h = Sha256::digest(token.as_bytes());
        b(0, 0).replace("PLACEHOLDER", &hex::encode(h))
    };
    format!(
        "INSERT INTO users (id, name, created_ms) VALUES (1, 'alice', 10), (2, 'bob', 11);
         INSERT INTO devices (device_id, user_id, name, registered_ms)
             VALUES ({a}, 1, 'laptop a', 12), ({bb}, 2, 'laptop b', 13), ({d7}, 1, 'laptop 7', 14);
         INSERT INTO incidents (incident_id, created_by, created_ms, last_rank) VALUES ({inc}, 1, 14, 1);
         INSERT INTO memberships (incident_id, user_id, role, added_by, added_ms, removed_ms)
             VALUES ({inc}, 1, 'commander', 1, 14, NULL), ({inc}, 2, 'member', 1, 15, 16);
         INSERT INTO entries (incident_id, device_id, seq, rank, id, hash, hlc_wall_ms, hlc_counter, entry_json,
             received_ms, pushed_by) VALUES ({inc}, {a}, 1, 1, {e1}, {h1}, 17, 0, '{{}}', 18, 1);
         INSERT INTO stream_heads (incident_id, device_id, seq, hash, hlc_wall_ms, hlc_counter)
             VALUES ({inc}, {a}, 1, {h1}, 17, 0);
         INSERT INTO quarantine (id, incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json,
             pushed_by, received_ms) VALUES (41, {inc}, {a}, 2, {e2}, {h2}, {h1}, 'clock_ahead', '{{}}', 1, 19);
         INSERT INTO sessions (token_hash, user_id, device_id, created_ms, last_used_ms)
             VALUES ({token_hash}, 1, {d7}, {NOW}, {NOW});"
    )
}

/// Counts a migrated database must show (each query answers one integer).
const KEPT: &[(&str, i64)] = &[
    ("SELECT count(*) FROM users", 2),
    ("SELECT count(*) FROM devices WHERE revoked_ms IS NULL", 3),
    ("SELECT count(*) FROM entries", 1),
    ("SELECT count(*) FROM stream_heads", 1),
    ("SELECT id FROM quarantine WHERE seq = 2", 41),
    ("SELECT count(*) FROM memberships", 2),
    ("SELECT count(*) FROM membership_events WHERE action = 'granted'", 2),
    ("SELECT count(*) FROM membership_events WHERE action = 'removed' AND at_ms = 16 AND by_user IS NULL", 1),
    ("SELECT count(*) FROM sessions WHERE id IS NOT NULL AND revoked_ms IS NULL", 1),
    ("SELECT seq FROM audit_head", 0),
];

/// Through the storage: the old session still logs in, the history reads, new rows get new ids.
async fn assert_kept<S: Storage>(s: &S, token: &str) {
    let alice = s.authenticate(token, NOW + 1).await.unwrap();
    assert_eq!(alice.user, "alice");
    let devices: Vec<String> = s.devices(None).await.unwrap().into_iter().map(|d| d.name).collect();
    assert_eq!(devices, ["laptop a", "laptop b", "laptop 7"]);
    let inc = muster_core::IncidentId::from_bytes([1; 16]);
    let history: Vec<String> =
        s.membership_history(inc).await.unwrap().into_iter().map(|e| e.action).collect();
    assert_eq!(history, ["granted", "granted", "removed"]);
    assert_eq!(s.sessions(Some("alice"), NOW + 1, SessionPolicy::default()).await.unwrap().len(), 1);
}

#[test]
fn a_schema_2_sqlite_database_keeps_its_rows_through_later_migrations() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("server.sqlite3");
    let token = "mst1_kept";
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0001_server.sql")).unwrap();
        conn.execute_batch(include_str!("../migrations/sqlite/0002_clock_ahead.sql")).unwrap();
        conn.pragma_update(None, "user_version", 2).unwrap();
        let blob = |byte: u8, n: usize| {
            if n == 0 {
                "x'PLACEHOLDER'".to_string()
            } else {
                format!("x'{}'", hex::encode(vec![byte; n]))
            }
        };
        conn.execute_batch(&schema_2_rows(blob, token)).unwrap();
    }
    let s = SqliteStorage::open(&path).unwrap();
    let conn = rusqlite::Connection::open(&path).unwrap();
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(v, 6, "migrated to the latest schema");
    for (sql, want) in KEPT {
        assert_eq!(conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap(), *want, "{sql}");
    }
    block_on(assert_kept(&s, token));
    // The new alert kinds are allowed, and alert ids keep increasing.
    conn.execute(
        "INSERT INTO quarantine (incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json, \
         pushed_by, received_ms) VALUES (x'01', x'02', 9, x'03', x'04', x'05', 'device_revoked', '{}', 1, 1)",
        [],
    )
    .unwrap();
    let next: i64 = conn.query_row("SELECT id FROM quarantine WHERE seq = 9", [], |r| r.get(0)).unwrap();
    assert!(next > 41, "alert ids keep increasing after the rebuild: {next}");
}

#[test]
fn a_schema_2_postgres_database_keeps_its_rows_through_later_migrations() {
    let Some(url) = postgres_url("a_schema_2_postgres_database_keeps_its_rows_through_later_migrations")
    else {
        return;
    };
    block_on(async {
        let db = fresh_database(&url).await;
        let (client, connection) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        client.batch_execute(include_str!("../migrations/postgres/0001_server.sql")).await.unwrap();
        client.batch_execute(include_str!("../migrations/postgres/0002_clock_ahead.sql")).await.unwrap();
        client
            .batch_execute(
                "CREATE TABLE muster_schema (version BIGINT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now());
                 INSERT INTO muster_schema (version) VALUES (1), (2);",
            )
            .await
            .unwrap();
        let blob = |byte: u8, n: usize| {
            if n == 0 {
                "'\\xPLACEHOLDER'::bytea".to_string()
            } else {
                format!("'\\x{}'::bytea", hex::encode(vec![byte; n]))
            }
        };
        let token = "mst1_kept";
        client.batch_execute(&schema_2_rows(blob, token)).await.unwrap();
        client.batch_execute("SELECT setval('users_id_seq', 2)").await.unwrap();
        let s = PgStorage::connect(&db).await.unwrap();
        let v: i64 = client.query_one("SELECT max(version) FROM muster_schema", &[]).await.unwrap().get(0);
        assert_eq!(v, 6, "migrated to the latest schema");
        for (sql, want) in KEPT {
            let got: i64 = client.query_one(&format!("SELECT ({sql})::int8"), &[]).await.unwrap().get(0);
            assert_eq!(got, *want, "{sql}");
        }
        assert_kept(&s, token).await;
        client
            .batch_execute(
                "INSERT INTO quarantine (incident_id, device_id, seq, entry_id, hash, existing_hash, kind, entry_json, \
                 pushed_by, received_ms) VALUES ('\\x01', '\\x02', 9, '\\x03', '\\x04', '\\x05', 'member_removed', '{}', 1, 1)",
            )
            .await
            .unwrap();
    });
}

fn an_entry_recorded_as_another_after_registration_is_held<S: Storage>(s: S) {
    block_on(async {
        let inc = incident(7);
        let alice = enrol(&s, "alice", 1).await;
        let mallory = enrol(&s, "mallory", 2).await;
        s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
        s.set_member(&alice, inc, "mallory", Role::Member, NOW).await.unwrap();
        let at = |ms: i64| WallClock { utc_ms: ms, offset_s: 0, zone: "UTC".into() };
        let note = |t: &str| EntryBody::Note(Note { text: t.into(), occurred_at: None });
        let as_person = |p: &str| Author { person: p.into(), position: None };
        let mut laptop = writer(2, inc);
        // Written before Mallory's laptop was registered (a shared laptop, someone else at it):
        // the server cannot know who sat there, and stores it.
        let before =
            laptop.write(at(NOW - HOUR), as_person("Night scribe"), note("before"), [2; 10]).unwrap();
        // After the registration, her device signs only as her: "Person 1" (Alice) is held.
        let forged = laptop.write(at(NOW + 1_000), as_person("Person 1"), note("as alice"), [3; 10]).unwrap();
        let out =
            s.push(&mallory, inc, vec![before.clone(), forged.clone()], NOW + 2_000, CLOCK).await.unwrap();
        assert_eq!(out.accepted, 1);
        assert_eq!(out.quarantined.iter().map(|q| q.kind).collect::<Vec<_>>(), [AlertKind::RecorderMismatch]);
        let pulled: Vec<_> =
            s.pull(&alice, inc, 0, 100).await.unwrap().entries.into_iter().map(|p| p.entry).collect();
        assert!(pulled.contains(&before) && !pulled.contains(&forged));
    });
}
