//! The app's shared state: the one `Muster` (database + device key), the timeline index and
//! the signals that wake the status-prompt scheduler and tell the UI what changed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

use muster_core::{IncidentId, ViewerZone};
use muster_store::Muster;
use tauri::{AppHandle, Emitter, Runtime};
use tokio::sync::Notify;

use crate::dto::{StoreChanged, TimelinePage, TimelineQuery, TimelineRow};
use crate::error::{IpcError, IpcResult};
use crate::timeline::TimelineIndex;

pub const EVENT_STORE_CHANGED: &str = "store-changed";
pub const EVENT_PROMPT_FIRED: &str = "prompt-fired";

pub struct AppState {
    muster: Mutex<Muster>,
    pub zone: ViewerZone,
    /// Bumped on every change to the database; the timeline index is rebuilt when it lags.
    generation: AtomicU64,
    /// When this window last wrote (ms since start), so the change probe does not report our own
    /// writes a second time as external ones.
    last_own_write_ms: AtomicU64,
    timeline: Mutex<Option<TimelineIndex>>,
    pub scheduler_wake: Notify,
    pub started: Instant,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

fn poisoned() -> IpcError {
    IpcError::new(
        "app.internal",
        "an earlier operation failed midway; restart Muster (nothing stored was lost)",
    )
}

impl AppState {
    pub fn new(muster: Muster) -> Self {
        let zone = muster.clock().zone();
        AppState {
            muster: Mutex::new(muster),
            zone,
            generation: AtomicU64::new(1),
            last_own_write_ms: AtomicU64::new(0),
            timeline: Mutex::new(None),
            scheduler_wake: Notify::new(),
            started: Instant::now(),
        }
    }

    pub fn muster(&self) -> IpcResult<MutexGuard<'_, Muster>> {
        self.muster.lock().map_err(|_| poisoned())
    }

    /// Runs a read.
    pub fn read<T>(&self, f: impl FnOnce(&Muster) -> IpcResult<T>) -> IpcResult<T> {
        f(&*self.muster()?)
    }

    /// Runs a write, then tells the UI and the scheduler.
    pub fn write<R: Runtime, T>(
        &self,
        app: &AppHandle<R>,
        incident: Option<&str>,
        f: impl FnOnce(&mut Muster) -> IpcResult<T>,
    ) -> IpcResult<T> {
        let out = f(&mut *self.muster()?)?;
        self.last_own_write_ms.store(self.since_start_ms(), Ordering::SeqCst);
        self.changed(app, incident.map(str::to_string), "user");
        Ok(out)
    }

    pub fn since_start_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn last_own_write_ms(&self) -> u64 {
        self.last_own_write_ms.load(Ordering::SeqCst)
    }

    /// Something changed in the database: invalidate, wake the scheduler, push the event.
    pub fn changed<R: Runtime>(&self, app: &AppHandle<R>, incident: Option<String>, source: &str) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.scheduler_wake.notify_one();
        if let Err(e) = app.emit(EVENT_STORE_CHANGED, StoreChanged { incident, source: source.into() }) {
            eprintln!("muster-desktop: could not push a store change to the window: {e}");
        }
    }

    fn with_index<T>(&self, incident: IncidentId, f: impl FnOnce(&TimelineIndex) -> T) -> IpcResult<T> {
        let generation = self.generation.load(Ordering::SeqCst);
        let mut cache = self.timeline.lock().map_err(|_| poisoned())?;
        let fresh = cache.as_ref().is_some_and(|i| i.incident == incident && i.generation == generation);
        if !fresh {
            let timeline = self.read(|m| Ok(m.state(incident)?.timeline))?;
            *cache = Some(TimelineIndex::build(incident, generation, timeline));
        }
        match cache.as_ref() {
            Some(index) => Ok(f(index)),
            None => Err(poisoned()),
        }
    }

    pub fn timeline_query(&self, incident: IncidentId, q: &TimelineQuery) -> IpcResult<TimelinePage> {
        self.with_index(incident, |index| index.query(q, &self.zone))
    }

    pub fn latest(&self, incident: IncidentId, n: usize) -> IpcResult<Vec<TimelineRow>> {
        self.with_index(incident, |index| index.latest(n, &self.zone))
    }
}
