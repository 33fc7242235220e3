//! Shared by the in-process engine tests: a transport that drives the axum `Router` with
//! `tower::ServiceExt::oneshot` (no sockets, no keyring), a server world, and laptops.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::body::Body;
use axum::Router;
use chrono::{DateTime, Utc};
use muster_core::body::{IncidentOpened, Note};
use muster_core::{fold, Author, DeviceId, EntryBody, IncidentId, SigningKey, ViewerZone};
use muster_server::{SqliteStorage, Storage};
use muster_store::{Draft, FixedClock, Store};
use muster_sync::{sync_once, Client, Method, Request, Response, SyncError, SyncPlan, Transport};
use tower::ServiceExt;

pub struct RouterTransport {
    pub router: Router,
    pub rt: Arc<tokio::runtime::Runtime>,
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

pub struct World {
    pub _dir: tempfile::TempDir,
    pub storage: SqliteStorage,
    pub router: Router,
    pub rt: Arc<tokio::runtime::Runtime>,
}

pub struct Laptop {
    pub store: Store,
    pub key: SigningKey,
    /// Whom the device was registered for: the recorder of everything it writes.
    pub person: String,
    pub client: Client<RouterTransport>,
}

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock {
        now: DateTime::parse_from_rfc3339("2026-11-22T08:00:00Z").unwrap().with_timezone(&Utc),
        zone: ViewerZone::from_name("UTC").unwrap(),
    })
}

pub fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

impl World {
    pub fn new() -> World {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
        let router = muster_server::router(storage.clone());
        let rt = Arc::new(
            tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap(),
        );
        World { _dir: dir, storage, router, rt }
    }

    pub fn transport(&self) -> RouterTransport {
        RouterTransport { router: self.router.clone(), rt: Arc::clone(&self.rt) }
    }

    pub fn laptop(&self, user: &str, seed: u8) -> Laptop {
        let token = self.rt.block_on(self.storage.add_user(user, Utc::now().timestamp_millis())).unwrap();
        let k = key(seed);
        let session = Client::new(self.transport(), None).login(user, &token, &k, user).unwrap();
        let path = self._dir.path().join(format!("{user}.sqlite3"));
        let store = Store::open(&path, clock()).unwrap();
        Laptop {
            store,
            key: k,
            person: user.to_string(),
            client: Client::new(self.transport(), Some(session.session_token)),
        }
    }

    /// A laptop whose clock (its store's and its client's) reads the real time plus `offset_ms`.
    pub fn laptop_off_by(&self, user: &str, seed: u8, offset_ms: i64) -> Laptop {
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
    pub fn write(&mut self, inc: IncidentId, open: bool, notes: usize, tag: &str) {
        let author = Author { person: self.person.clone(), position: None };
        let mut drafts = Vec::new();
        if open {
            drafts.push(Draft {
                incident_id: inc,
                author: author.clone(),
                on_behalf: None,
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
                on_behalf: None,
                body: EntryBody::Note(Note { text: format!("{tag} {i}"), occurred_at: None }),
            });
        }
        self.store.append(&self.key, drafts).unwrap();
    }

    pub fn sync(&mut self, inc: IncidentId, register: bool) -> muster_sync::IncidentReport {
        let plan = SyncPlan {
            incidents: vec![inc],
            register: if register {
                let opening = self.store.entries_after(inc, self.device(), 0, 1).unwrap().remove(0);
                [(inc, opening)].into()
            } else {
                BTreeMap::new()
            },
            access_removed: vec![],
        };
        let mut r = sync_once(&mut self.store, &self.client, &plan).unwrap();
        r.incidents.remove(0)
    }

    pub fn digest(&self, inc: IncidentId) -> muster_core::Hash32 {
        let state = self.store.fold_from_log(inc).unwrap();
        assert_eq!(state.digest(), fold(inc, self.store.entries(inc).unwrap()).unwrap().digest());
        state.digest()
    }

    pub fn device(&self) -> DeviceId {
        DeviceId(self.key.verifying_key().to_bytes())
    }
}

pub fn incident() -> IncidentId {
    IncidentId::from_parts(1_790_000_000_000, [7; 10])
}
