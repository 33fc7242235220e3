//! The app's shared state: the one `Muster` (database + device key), the timeline index and
//! the signals that wake the status-prompt scheduler and tell the UI what changed.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use muster_core::{IncidentId, ViewerZone};
use muster_store::{Clock, Muster, OpenOptions, Store};
use tauri::{AppHandle, Emitter, Manager, Runtime};
use tokio::sync::Notify;

use crate::error::{IpcError, IpcResult};
use crate::sync_loop::SyncHandle;
use crate::timeline_index::{row_view, TimelineIndex};
use crate::views::{
    ChangeSource, StoreChanged, TimelineIndexed, TimelineOrder, TimelinePage, TimelineQuery, TimelineRow,
};

pub const EVENT_STORE_CHANGED: &str = "store-changed";
pub const EVENT_PROMPT_FIRED: &str = "prompt-fired";
pub const EVENT_DEADLINE_FIRED: &str = "deadline-fired";
pub const EVENT_TIMELINE_INDEXED: &str = "timeline-indexed";

pub struct AppState {
    muster: Mutex<Muster>,
    pub zone: ViewerZone,
    /// Bumped on every change to the database; the timeline index is rebuilt when it lags.
    generation: AtomicU64,
    /// When this window last wrote (ms since start), so the change probe does not report our own
    /// writes a second time as external ones.
    last_own_write_ms: AtomicU64,
    timeline: Mutex<Option<Arc<TimelineIndex>>>,
    /// The (incident, generation) an index is being built for in the background.
    indexing: Mutex<Option<(IncidentId, u64)>>,
    db_path: PathBuf,
    data_dir: PathBuf,
    pub scheduler_wake: Notify,
    /// Wakes the sync loop (`sync::spawn`) and holds its status.
    pub sync: SyncHandle,
    pub started: Instant,
    /// The installation's clock (the machine's, or a test's): every "now" of the app.
    clock: Arc<dyn Clock>,
    /// Set at exit: the background tasks end.
    shut_down: AtomicBool,
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
        let clock = muster.shared_clock();
        let db_path = muster.database_path().to_path_buf();
        let data_dir = muster.data_dir().to_path_buf();
        AppState {
            muster: Mutex::new(muster),
            zone,
            generation: AtomicU64::new(1),
            last_own_write_ms: AtomicU64::new(0),
            timeline: Mutex::new(None),
            indexing: Mutex::new(None),
            db_path,
            data_dir,
            scheduler_wake: Notify::new(),
            sync: SyncHandle::new(),
            started: Instant::now(),
            clock,
            shut_down: AtomicBool::new(false),
        }
    }

    /// Now, by the installation's clock.
    pub fn now(&self) -> chrono::DateTime<chrono::Utc> {
        self.clock.now()
    }

    /// How another connection to this installation is opened (the sync loop, the sync
    /// commands): with the same clock.
    pub fn open_options(&self) -> OpenOptions {
        OpenOptions { clock: self.clock.clone(), ..OpenOptions::default() }
    }

    /// The clock was set (a test moved it; the machine's clock is looked at every 30 s
    /// anyway): the scheduler looks again now.
    pub fn clock_moved(&self) {
        self.scheduler_wake.notify_one();
    }

    /// Ends the background tasks (scheduler, change probe, sync loop, live channel) at exit.
    pub fn shut_down(&self) {
        self.shut_down.store(true, Ordering::SeqCst);
        self.scheduler_wake.notify_one();
        self.sync.stop();
    }

    pub fn is_shut_down(&self) -> bool {
        self.shut_down.load(Ordering::SeqCst)
    }

    pub fn muster(&self) -> IpcResult<MutexGuard<'_, Muster>> {
        self.muster.lock().map_err(|_| poisoned())
    }

    /// Runs a read.
    pub fn read<T>(&self, f: impl FnOnce(&Muster) -> IpcResult<T>) -> IpcResult<T> {
        f(&*self.muster()?)
    }

    /// Runs a write, then tells the UI and the scheduler. Refused until someone has said who is
    /// acting at this laptop: every entry is signed with that name, and a console that signs
    /// "operator" (or the OS account's name) tells nobody who did what.
    pub fn write<R: Runtime, T>(
        &self,
        app: &AppHandle<R>,
        incident: Option<&str>,
        f: impl FnOnce(&mut Muster) -> IpcResult<T>,
    ) -> IpcResult<T> {
        self.write_settings(app, incident, |m| {
            if m.operator_name()?.is_none() {
                return Err(IpcError::new(
                    "state.no_operator",
                    "give your name first (Acting as…): every entry is signed with the name of who is acting",
                ));
            }
            f(m)
        })
    }

    /// Runs a write that needs no acting person (who is acting itself), then tells the UI and
    /// the scheduler.
    pub fn write_settings<R: Runtime, T>(
        &self,
        app: &AppHandle<R>,
        incident: Option<&str>,
        f: impl FnOnce(&mut Muster) -> IpcResult<T>,
    ) -> IpcResult<T> {
        let out = f(&mut *self.muster()?)?;
        self.last_own_write_ms.store(self.since_start_ms(), Ordering::SeqCst);
        self.changed(app, incident.map(str::to_string), ChangeSource::User);
        Ok(out)
    }

    pub fn since_start_ms(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    pub fn last_own_write_ms(&self) -> u64 {
        self.last_own_write_ms.load(Ordering::SeqCst)
    }

    /// The installation's data directory (where the sync loop and the sync commands open their
    /// own connections).
    pub fn data_dir(&self) -> &std::path::Path {
        &self.data_dir
    }

    /// A background thread of this app (the sync loop) commits through its own connection:
    /// it announces what changed itself, so the change probe does not report it again.
    pub fn note_background_write(&self) {
        self.last_own_write_ms.store(self.since_start_ms(), Ordering::SeqCst);
    }

    /// Something changed in the database: invalidate, wake the scheduler, push the event. Local
    /// entries (this window's, or another process's such as the CLI) wake the sync loop too.
    pub fn changed<R: Runtime>(&self, app: &AppHandle<R>, incident: Option<String>, source: ChangeSource) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.scheduler_wake.notify_one();
        if matches!(source, ChangeSource::User | ChangeSource::External) {
            self.sync.local_change();
        }
        if let Err(e) = app.emit(EVENT_STORE_CHANGED, StoreChanged { incident, source }) {
            tracing::warn!("could not push a store change to the window: {e}");
        }
    }

    fn fresh_index(&self, incident: IncidentId) -> IpcResult<Option<Arc<TimelineIndex>>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let cache = self.timeline.lock().map_err(|_| poisoned())?;
        Ok(cache.as_ref().filter(|i| i.incident == incident && i.generation == generation).cloned())
    }

    /// Builds the index from a connection of its own, so the window's writes do not wait on it.
    fn build_index(&self, incident: IncidentId) -> IpcResult<Arc<TimelineIndex>> {
        let generation = self.generation.load(Ordering::SeqCst);
        let reader = Store::open(&self.db_path, self.clock.clone())?;
        let timeline = reader.state(incident)?.timeline;
        let index = Arc::new(TimelineIndex::build(incident, generation, timeline));
        *self.timeline.lock().map_err(|_| poisoned())? = Some(index.clone());
        Ok(index)
    }

    /// Starts building the index in the background unless that is already under way; the
    /// window hears `timeline-indexed` when it is ready.
    fn index_in_background<R: Runtime>(&self, app: &AppHandle<R>, incident: IncidentId) -> IpcResult<()> {
        let key = (incident, self.generation.load(Ordering::SeqCst));
        {
            let mut busy = self.indexing.lock().map_err(|_| poisoned())?;
            if busy.as_ref() == Some(&key) {
                return Ok(());
            }
            *busy = Some(key);
        }
        let app = app.clone();
        std::thread::spawn(move || {
            let state = app.state::<AppState>();
            match state.build_index(incident) {
                Ok(_) => {
                    let event = TimelineIndexed { incident: incident.to_string() };
                    if let Err(e) = app.emit(EVENT_TIMELINE_INDEXED, event) {
                        tracing::warn!("could not tell the window the timeline is indexed: {e}");
                    }
                }
                Err(e) => {
                    tracing::error!("indexing the timeline failed: {} ({})", e.code, e.message)
                }
            }
            if let Ok(mut busy) = state.indexing.lock() {
                if busy.as_ref() == Some(&key) {
                    *busy = None;
                }
            };
        });
        Ok(())
    }

    /// A page of the timeline. With a current index: filtered in memory. Without one, an
    /// unfiltered page in the log's order comes straight from the store (what a large incident
    /// shows first) while the index is built in the background; a filtered one, or one ordered
    /// by when things happened, waits for the index.
    pub fn timeline_query<R: Runtime>(
        &self,
        app: &AppHandle<R>,
        incident: IncidentId,
        q: &TimelineQuery,
    ) -> IpcResult<TimelinePage> {
        if let Some(index) = self.fresh_index(incident)? {
            return self.with_clock_flags(incident, index.query(q, &self.zone));
        }
        let filtered = !q.kinds.is_empty()
            || !q.positions.is_empty()
            || !q.authors.is_empty()
            || !q.text.trim().is_empty()
            || q.order == TimelineOrder::Occurred;
        if filtered {
            let page = self.build_index(incident)?.query(q, &self.zone);
            return self.with_clock_flags(incident, page);
        }
        let started = Instant::now();
        let (items, total) = self.read(|m| {
            let items = m.timeline_page(incident, q.newest_first, u64::from(q.offset), u64::from(q.limit))?;
            Ok((items, m.structure(incident)?.entry_count))
        })?;
        self.index_in_background(app, incident)?;
        let total = u32::try_from(total).unwrap_or(u32::MAX);
        self.with_clock_flags(
            incident,
            TimelinePage {
                total,
                matched: total,
                offset: q.offset.min(total),
                rows: items.iter().map(|i| row_view(i, &self.zone)).collect(),
                kinds: Vec::new(),
                positions: Vec::new(),
                authors: Vec::new(),
                query_ms: started.elapsed().as_secs_f64() * 1000.0,
                indexing: true,
            },
        )
    }

    /// Marks the page's rows the sync server flagged for their author's clock (a side table:
    /// the index and the entries know nothing of it).
    fn with_clock_flags(&self, incident: IncidentId, mut page: TimelinePage) -> IpcResult<TimelinePage> {
        let flags = self.read(|m| Ok(m.clock_flags(incident)?))?;
        if flags.is_empty() {
            return Ok(page);
        }
        let by_id: HashMap<String, i64> =
            flags.into_iter().map(|(id, skew)| (id.to_string(), skew)).collect();
        for row in &mut page.rows {
            row.clock_skew_ms = by_id.get(&row.id).map(|s| *s as f64);
        }
        Ok(page)
    }

    /// The newest `n` entries (the wallboard's feed), straight from the store.
    pub fn latest(&self, incident: IncidentId, n: u64) -> IpcResult<Vec<TimelineRow>> {
        self.read(|m| {
            let items = m.timeline_page(incident, true, 0, n)?;
            Ok(items.iter().map(|i| row_view(i, &self.zone)).collect())
        })
    }
}
