//! "Trust nobody" 8 on both backends: the access log holds one row per change (in its
//! transaction) and per read that returned something, with who, which device, which incident,
//! what and from where, and nothing of the incident's content; its chain verifies, and a row
//! changed or deleted behind the server's back is named.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod backends;

use std::cell::RefCell;

use backends::*;
use muster_server::audit::{AuditProblem, AuditRow, ChainCheck};
use muster_server::Storage;
use muster_wire::Role;

async fn all_rows<S: Storage>(s: &S) -> Vec<AuditRow> {
    s.audit_rows(0, 10_000).await.unwrap()
}

async fn check<S: Storage>(s: &S) -> ChainCheck {
    let mut c = ChainCheck::default();
    for row in all_rows(s).await {
        c.row(&row);
    }
    let (seq, hash) = s.audit_head().await.unwrap();
    c.finish(seq, hash)
}

/// A small war room's first minutes; the log's actions in order.
async fn war_room<S: Storage>(s: &S) -> Vec<&'static str> {
    let inc = incident(1);
    let alice = enrol(s, "alice", 1).await;
    let bob = enrol(s, "bob", 2).await;
    s.register_incident(&alice, inc, &opening(1, inc), NOW).await.unwrap();
    s.set_member(&alice, inc, "bob", Role::Member, NOW).await.unwrap();
    let opening = stream_part(&mut writer(1, inc), 1, 1, NOW, "-", true);
    s.push(&alice, inc, opening, NOW, CLOCK).await.unwrap();
    let notes = stream_part(&mut writer(2, inc), 2, 3, NOW, "patient Jane Roe, bed 4, MRN 0042", false);
    s.push(&bob, inc, notes.clone(), NOW, CLOCK).await.unwrap();
    // A duplicate push changes nothing and is not a row; an empty pull reads nothing.
    s.push(&bob, inc, notes, NOW, CLOCK).await.unwrap();
    s.pull(&alice, inc, 0, 100).await.unwrap();
    s.pull(&alice, inc, 4, 100).await.unwrap();
    s.members(&bob, inc).await.unwrap();
    s.remove_member(&alice, inc, "bob", NOW + 1).await.unwrap();
    s.revoke_device(&device(2).to_string(), NOW + 2).await.unwrap();
    vec![
        "user.add",
        "login",
        "user.add",
        "login",
        "incident.register",
        "member.set",
        "push",
        "push",
        "pull",
        "members.read",
        "member.remove",
        "device.revoke",
    ]
}

fn suite<S: Storage>(make: impl Fn() -> S) {
    every_change_and_read_is_a_row_naming_who_and_nothing_of_the_content(make());
}

fn every_change_and_read_is_a_row_naming_who_and_nothing_of_the_content<S: Storage>(s: S) {
    block_on(async {
        let expected = war_room(&s).await;
        let rows = all_rows(&s).await;
        let actions: Vec<&str> = rows.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, expected);
        assert_eq!(
            rows.iter().map(|r| r.seq).collect::<Vec<_>>(),
            (1..=expected.len() as u64).collect::<Vec<_>>()
        );
        let push = &rows[7];
        assert_eq!(
            (push.actor.as_str(), push.device, push.incident),
            ("bob", Some(device(2)), Some(incident(1)))
        );
        let detail: serde_json::Value = serde_json::from_str(&push.detail).unwrap();
        assert_eq!((detail["accepted"].as_u64(), detail["last_rank"].as_u64()), (Some(3), Some(4)));
        let pull: serde_json::Value = serde_json::from_str(&rows[8].detail).unwrap();
        assert_eq!(
            (pull["entries"].as_u64(), pull["from_rank"].as_u64(), pull["to_rank"].as_u64()),
            (Some(4), Some(1), Some(4))
        );
        assert_eq!(rows[10].detail, r#"{"user":"bob"}"#);
        assert_eq!((rows[11].actor.as_str(), rows[11].source.as_str()), ("server-admin", "cli"));
        assert!(rows.iter().all(|r| r.at_ms > 0 && !r.source.is_empty()));
        let text = format!("{rows:?}");
        for content in ["Jane Roe", "MRN", "PACS outage", "St Elsewhere"] {
            assert!(!text.contains(content), "the audit log holds {content:?}");
        }
        let c = check(&s).await;
        assert!(c.is_intact(), "{:?}", c.problems);
        assert_eq!(c.rows, expected.len() as u64);
    });
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

#[test]
fn sqlite_refuses_to_rewrite_the_log_and_names_a_row_changed_or_deleted_behind_its_back() {
    let (dir, s) = sqlite();
    block_on(war_room(&s));
    let conn = rusqlite::Connection::open(dir.path().join("server.sqlite3")).unwrap();
    let refused = conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", []).unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    assert!(conn.execute("DELETE FROM audit_log WHERE seq = 5", []).is_err());
    // Someone with the file drops the triggers first.
    conn.execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;").unwrap();
    conn.execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3", []).unwrap();
    conn.execute("DELETE FROM audit_log WHERE seq = 5", []).unwrap();
    let problems = block_on(check(&s)).problems;
    assert_eq!(problems, vec![AuditProblem::Changed { seq: 3 }, AuditProblem::Missing { from: 5, to: 5 }]);
    // The last rows deleted: the head still names them.
    conn.execute("DELETE FROM audit_log WHERE seq >= 11", []).unwrap();
    let problems = block_on(check(&s)).problems;
    assert_eq!(problems.last(), Some(&AuditProblem::Missing { from: 11, to: 12 }));
}

#[test]
fn postgres_refuses_to_rewrite_the_log_and_names_a_row_changed_behind_its_back() {
    let Some(url) = postgres_url("postgres_refuses_to_rewrite_the_log") else { return };
    block_on(async {
        let db = fresh_database(&url).await;
        let s = muster_server::PgStorage::connect(&db).await.unwrap();
        war_room(&s).await;
        let (client, connection) = tokio_postgres::connect(&db, tokio_postgres::NoTls).await.unwrap();
        tokio::spawn(connection);
        let refused =
            client.batch_execute("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").await.unwrap_err();
        assert!(format!("{refused:?}").contains("append-only"), "{refused:?}");
        assert!(client.batch_execute("TRUNCATE audit_log").await.is_err());
        client.batch_execute("ALTER TABLE audit_log DISABLE TRIGGER USER").await.unwrap();
        client.batch_execute("UPDATE audit_log SET detail = '{}' WHERE seq = 8").await.unwrap();
        client.batch_execute("DELETE FROM audit_log WHERE seq = 2").await.unwrap();
        let problems = check(&s).await.problems;
        assert_eq!(
            problems,
            vec![AuditProblem::Missing { from: 2, to: 2 }, AuditProblem::Changed { seq: 8 }]
        );
    });
}
