//! The client engine (`muster_sync::engine`) against the real router, in process: a transport
//! that drives the axum `Router` with `tower::ServiceExt::oneshot` (no sockets, no keyring).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use chrono::{DateTime, Utc};
use muster_core::body::{IncidentOpened, Note};
use muster_core::{fold, Author, DeviceId, EntryBody, IncidentId, SigningKey, ViewerZone};
use muster_server::{SqliteStorage, Storage};
use muster_store::{Draft, FixedClock, Source, Store};
use muster_sync::wire::Role;
use muster_sync::{sync_once, Client, Method, Request, Response, SyncError, SyncPlan, Transport};
use tower::ServiceExt;

struct RouterTransport {
    router: Router,
    rt: Arc<tokio::runtime::Runtime>,
}

impl Transport for RouterTransport {
    fn send(&self, req: Request) -> Result<Response, SyncError> {
        let method = match req.method {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        };
        let mut b = axum::http::Request::builder().method(method).uri(&req.path);
        if let Some(t) = &req.bearer {
            b = b.header("authorization", format!("Bearer {t}"));
        }
        if let Some(t) = req.client_time_ms {
            b = b.header("muster-client-time", t.to_string());
        }
        let body = match req.body {
            Some(bytes) => {
                b = b.header("content-type", "application/json");
                Body::from(bytes)
            }
            None => Body::empty(),
        };
        let request = b.body(body).map_err(|e| SyncError::Transport(e.to_string()))?;
        let router = self.router.clone();
        self.rt.block_on(async move {
            let response = router.oneshot(request).await.map_err(|e| SyncError::Transport(e.to_string()))?;
            let status = response.status().as_u16();
            let body = axum::body::to_bytes(response.into_body(), usize::MAX)
                .await
                .map_err(|e| SyncError::Transport(e.to_string()))?;
            Ok(Response { status, body: body.to_vec() })
        })
    }
}

struct World {
    _dir: tempfile::TempDir,
    storage: SqliteStorage,
    router: Router,
    rt: Arc<tokio::runtime::Runtime>,
}

struct Laptop {
    store: Store,
    key: SigningKey,
    client: Client<RouterTransport>,
}

fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock {
        now: DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").unwrap().with_timezone(&Utc),
        zone: ViewerZone::from_name("UTC").unwrap(),
    })
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

impl World {
    fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
        let router = muster_server::router(storage.clone());
        let rt = Arc::new(tokio::runtime::Builder::new_multi_thread().worker_threads(2).build().unwrap());
        World { _dir: dir, storage, router, rt }
    }

    fn transport(&self) -> RouterTransport {
        RouterTransport { router: self.router.clone(), rt: Arc::clone(&self.rt) }
    }

    fn laptop(&self, user: &str, seed: u8) -> Laptop {
        let token = self.rt.block_on(self.storage.add_user(user, Utc::now().timestamp_millis())).unwrap();
        let k = key(seed);
        let session = Client::new(self.transport(), None).login(user, &token, &k, "laptop").unwrap();
        let path = self._dir.path().join(format!("{user}.sqlite3"));
        let store = Store::open(&path, clock()).unwrap();
        Laptop { store, key: k, client: Client::new(self.transport(), Some(session.session_token)) }
    }

    /// A laptop whose clock (its store's and its client's) reads the real time plus `offset_ms`.
    fn laptop_off_by(&self, user: &str, seed: u8, offset_ms: i64) -> Laptop {
        let mut l = self.laptop(user, seed);
        let now = Utc::now() + chrono::Duration::milliseconds(offset_ms);
        let fixed = Arc::new(FixedClock { now, zone: ViewerZone::from_name("UTC").unwrap() });
        let path = self._dir.path().join(format!("{user}.sqlite3"));
        l.store = Store::open(&path, fixed).unwrap();
        let stamp = now.timestamp_millis();
        l.client = l.client.with_clock(Arc::new(move || stamp));
        l
    }
}

impl Laptop {
    fn write(&mut self, inc: IncidentId, open: bool, notes: usize, tag: &str) {
        let author = Author { person: tag.into(), position: None };
        let mut drafts = Vec::new();
        if open {
            drafts.push(Draft {
                incident_id: inc,
                author: author.clone(),
                body: EntryBody::IncidentOpened(IncidentOpened {
                    title: "PACS outage".into(),
                    drill: true,
                    description: None,
                }),
            });
        }
        for i in 0..notes {
            drafts.push(Draft {
                incident_id: inc,
                author: author.clone(),
                body: EntryBody::Note(Note { text: format!("{tag} {i}"), occurred_at: None }),
            });
        }
        self.store.append(&self.key, drafts).unwrap();
    }

    fn sync(&mut self, inc: IncidentId, register: bool) -> muster_sync::IncidentReport {
        let plan = SyncPlan {
            incidents: vec![inc],
            register: if register { [inc].into() } else { BTreeSet::new() },
            access_removed: vec![],
        };
        let mut r = sync_once(&mut self.store, &self.client, &plan).unwrap();
        r.incidents.remove(0)
    }

    fn digest(&self, inc: IncidentId) -> muster_core::Hash32 {
        let state = self.store.fold_from_log(inc).unwrap();
        assert_eq!(state.digest(), fold(inc, self.store.entries(inc).unwrap()).unwrap().digest());
        state.digest()
    }

    fn device(&self) -> DeviceId {
        DeviceId(self.key.verifying_key().to_bytes())
    }
}

fn incident() -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000, [7; 10])
}

#[test]
fn pushes_in_pages_pulls_in_pages_relays_and_recovers_a_bad_cursor() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    let mut b = world.laptop("bob", 2);
    let mut c = world.laptop("carol", 3);

    // 1203 entries: three push pages of at most 500.
    a.write(inc, true, 1202, "alice");
    let r = a.sync(inc, true);
    assert_eq!((r.pushed, r.push_duplicates, r.pulled, r.cursor), (1203, 0, 0, 1203));
    a.client.set_member(inc, "bob", Role::Member).unwrap();
    a.client.set_member(inc, "carol", Role::Member).unwrap();

    // Two pull pages (1000 + 203).
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.cursor), (0, 1203, 1203));
    assert_eq!(b.digest(inc), a.digest(inc));

    // Relay: carol's offline entries reach bob by hand; bob pushes them for her.
    c.store.ingest(&b.store.entries(inc).unwrap(), Source::Sync).unwrap();
    c.write(inc, false, 7, "carol");
    let carols = c.store.entries_after(inc, c.device(), 0, 100).unwrap();
    b.store.ingest(&carols, Source::Sync).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.cursor), (7, 0, 1210));
    // Carol's own push finds them there; she only advances her cursor.
    let r = c.sync(inc, false);
    assert_eq!((r.pushed, r.push_duplicates, r.pulled, r.cursor), (0, 0, 0, 1210));
    let r = a.sync(inc, false);
    assert_eq!((r.pulled, r.cursor), (7, 1210));
    for who in [&b, &c] {
        assert_eq!(who.digest(inc), a.digest(inc));
        assert_eq!(who.store.entry_count().unwrap(), 1210);
    }

    // A cursor beyond the server's last rank (a server restored from backup) starts over.
    b.store.set_sync_cursor(inc, 99_999).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.cursor), (0, 1210));
    assert_eq!(b.store.sync_cursor(inc).unwrap(), 1210);

    // A refusal keeps the server's code and message.
    let d = world.laptop("dave", 4);
    let err = d.client.heads(inc).unwrap_err();
    assert_eq!(err.code(), "incident.forbidden");
    assert!(err.is_refusal());
}

#[test]
fn entries_of_an_unregistered_device_wait_locally_while_the_rest_syncs() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    a.write(inc, true, 3, "alice");
    // A log from a laptop that never logged in to this server, received by hand.
    let mut stranger = Laptop {
        store: Store::open(&a.store.path().with_file_name("stranger.sqlite3"), clock()).unwrap(),
        key: key(9),
        client: Client::new(world.transport(), None),
    };
    stranger.store.ingest(&a.store.entries(inc).unwrap(), Source::Sync).unwrap();
    stranger.write(inc, false, 5, "stranger");
    let theirs = stranger.store.entries_after(inc, stranger.device(), 0, 100).unwrap();
    a.store.ingest(&theirs, Source::Sync).unwrap();
    a.write(inc, false, 2, "alice later");

    let r = a.sync(inc, true);
    assert_eq!((r.pushed, r.waiting, r.cursor), (6, 5, 6));
    let mut b = world.laptop("bob", 2);
    a.client.set_member(inc, "bob", Role::Member).unwrap();
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.waiting), (6, 0));
    assert_eq!(b.store.entry_count().unwrap(), 6);
}

#[test]
fn a_pulled_branch_that_conflicts_with_the_local_copy_is_set_aside_the_relayed_one_raises_an_alert() {
    let world = World::new();
    let inc = incident();
    let mut a = world.laptop("alice", 1);
    let mut b = world.laptop("bob", 2);
    a.write(inc, true, 2, "alice");
    a.sync(inc, true);
    a.client.set_member(inc, "bob", Role::Member).unwrap();

    // A copy of alice's laptop (same key) writes seq 4 one way; alice writes it another way.
    let mut copy = Laptop {
        store: Store::open(&a.store.path().with_file_name("copy.sqlite3"), clock()).unwrap(),
        key: key(1),
        client: Client::new(world.transport(), None),
    };
    copy.store.ingest(&a.store.entries(inc).unwrap(), Source::Sync).unwrap();
    copy.write(inc, false, 2, "the copy");
    a.write(inc, false, 1, "alice");
    a.sync(inc, false);

    // Bob got the copy's branch by hand; the server's seq 4 conflicts with it.
    b.store.ingest(&copy.store.entries(inc).unwrap(), Source::Sync).unwrap();
    b.write(inc, false, 1, "bob");
    // Relaying the copy's seq 5 makes the server quarantine it as a fork and raise an alert.
    let r = b.sync(inc, false);
    assert_eq!((r.pushed, r.quarantined, r.pulled, r.conflicts, r.alerts, r.cursor), (1, 1, 0, 1, 1, 5));
    // Later entries of alice's branch are set aside too; everything else keeps flowing.
    a.write(inc, false, 1, "alice");
    let r = a.sync(inc, false);
    assert_eq!((r.pushed, r.pulled, r.alerts), (1, 1, 1), "bob's note and the alert reached alice");
    assert_eq!(a.store.sync_alert_count(inc).unwrap(), 1);
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.conflicts, r.cursor), (0, 1, 6));
    assert_eq!(b.store.pulled_quarantine(inc, None).unwrap(), 2);
    let r = b.sync(inc, false);
    assert_eq!((r.pulled, r.conflicts, r.alerts), (0, 0, 0), "nothing is set aside or alerted twice");
    assert_eq!(b.store.sync_alert_count(inc).unwrap(), 1);
}

#[test]
fn a_laptop_whose_clock_is_off_is_warned_and_its_entries_are_kept_and_flagged_everywhere() {
    let w = World::new();
    let inc = incident();
    let mut on_time = w.laptop_off_by("alice", 1, 0);
    let mut fast = w.laptop_off_by("bob", 2, 7 * 60_000);
    on_time.write(inc, true, 2, "alice");
    on_time.sync(inc, true);
    on_time.client.set_member(inc, "bob", Role::Member).unwrap();
    fast.sync(inc, false);
    fast.write(inc, false, 3, "bob");

    let plan = SyncPlan { incidents: vec![inc], register: BTreeSet::new(), access_removed: vec![] };
    let report = sync_once(&mut fast.store, &fast.client, &plan).unwrap();
    let clock = report.clock.expect("a push reports the server's clock verdict");
    assert!(clock.warning, "{clock:?}");
    assert!((clock.skew_ms - 7 * 60_000).abs() < 60_000, "about 7 minutes fast: {clock:?}");
    assert_eq!(report.incidents[0].pushed, 3, "the entries are kept");

    // Alice pulls bob's entries with their flags; her own are not flagged.
    let r = on_time.sync(inc, false);
    assert_eq!((r.pulled, r.clock_flagged), (3, 3));
    let flags = on_time.store.clock_flags(inc).unwrap();
    let bobs: Vec<_> = on_time
        .store
        .fold_from_log(inc)
        .unwrap()
        .timeline
        .iter()
        .filter(|t| t.author.person == "bob")
        .map(|t| t.entry_id)
        .collect();
    assert_eq!(bobs.len(), 3);
    for id in &bobs {
        let skew = flags[id];
        assert!((skew - 7 * 60_000).abs() < 60_000, "{skew}");
    }
    assert_eq!(flags.len(), 3, "only bob's entries are flagged");
    // The flags do not change the incident: both laptops hold the same state.
    fast.sync(inc, false);
    assert_eq!(on_time.digest(inc), fast.digest(inc));

    // An on-time push gets no warning.
    on_time.write(inc, false, 1, "alice");
    let report = sync_once(&mut on_time.store, &on_time.client, &plan).unwrap();
    assert!(!report.clock.unwrap().warning);
}
