//! Sessions: one installation each (a data directory, its device key in the OS keyring) with its
//! own instance of the desktop app on Tauri's mock runtime, its own settable clock and the
//! events that app emits. Tests get one each, so they share nothing and may run side by side.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{mpsc, Arc, Mutex, MutexGuard, PoisonError};

use anyhow::{anyhow, Context};
use chrono::{DateTime, TimeDelta, Utc};
use muster_core::ViewerZone;
use muster_desktop::state::AppState;
use muster_store::{Clock, Muster, OpenOptions, SystemClock};
use tauri::test::MockRuntime;
use tauri::{AppHandle, Listener, Manager, RunEvent, WebviewWindow};
use tokio::sync::{broadcast, watch};

/// Events kept for a page that reads them slower than the app emits them.
const EVENT_BUFFER: usize = 4096;

/// The installation's clock: the machine's, shifted by whatever the test set. It keeps running
/// at the machine's pace from the instant it is set, as a real clock would after being changed;
/// while a call that names its instant runs, it is held at that instant, so what the call
/// records is stamped exactly then (a test's boundaries do not move with the machine's load).
#[derive(Debug)]
pub struct SessionClock {
    offset_ms: AtomicI64,
    /// `NOT_HELD`, or the instant the clock reads while a call runs.
    held_ms: AtomicI64,
    zone: ViewerZone,
}

const NOT_HELD: i64 = i64::MIN;

impl SessionClock {
    fn new() -> SessionClock {
        // The zone the machine's clock would have (TZ when set): the page is told the same one.
        SessionClock {
            offset_ms: AtomicI64::new(0),
            held_ms: AtomicI64::new(NOT_HELD),
            zone: SystemClock::new().zone(),
        }
    }

    pub fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Sets the clock to `at_ms` (ms since the Unix epoch, between the years 1970 and 9999).
    pub fn set(&self, at_ms: i64) -> anyhow::Result<()> {
        const YEAR_9999_MS: i64 = 253_402_300_799_000;
        if !(0..=YEAR_9999_MS).contains(&at_ms) {
            return Err(anyhow!("{at_ms} is not an instant between 1970 and 9999 (ms since the epoch)"));
        }
        self.offset_ms.store(at_ms - Utc::now().timestamp_millis(), Ordering::SeqCst);
        Ok(())
    }

    /// Holds the clock at `at_ms` until `release`.
    pub fn hold(&self, at_ms: i64) -> anyhow::Result<()> {
        self.set(at_ms)?;
        self.held_ms.store(at_ms, Ordering::SeqCst);
        Ok(())
    }

    /// Lets a held clock run on from the instant it was held at.
    pub fn release(&self) {
        let held = self.held_ms.swap(NOT_HELD, Ordering::SeqCst);
        if held != NOT_HELD {
            self.offset_ms.store(held - Utc::now().timestamp_millis(), Ordering::SeqCst);
        }
    }
}

impl Clock for SessionClock {
    fn now(&self) -> DateTime<Utc> {
        let held = self.held_ms.load(Ordering::SeqCst);
        if held != NOT_HELD {
            if let Some(t) = DateTime::<Utc>::from_timestamp_millis(held) {
                return t;
            }
        }
        let real = Utc::now();
        TimeDelta::try_milliseconds(self.offset_ms.load(Ordering::SeqCst))
            .and_then(|offset| real.checked_add_signed(offset))
            .unwrap_or(real)
    }

    fn zone(&self) -> ViewerZone {
        self.zone
    }
}

/// One installation and the app over it.
pub struct Session {
    pub id: String,
    pub data_dir: PathBuf,
    pub clock: Arc<SessionClock>,
    pub app: AppHandle<MockRuntime>,
    pub window: WebviewWindow<MockRuntime>,
    pub invoke_key: String,
    /// Every event the app emits, as the JSON `{event, payload}` the page receives.
    pub events: broadcast::Sender<Arc<str>>,
    /// Turns true when the session ends, closing its event streams.
    ended: watch::Sender<bool>,
    /// Runs the app until its window is destroyed.
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
    /// The temporary data directory, removed after the app has stopped (None: the caller's).
    own_dir: Mutex<Option<tempfile::TempDir>>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("id", &self.id).field("data_dir", &self.data_dir).finish()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these; what they hold stays consistent.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// What the session's thread hands back once the app is up.
struct Started {
    app: AppHandle<MockRuntime>,
    window: WebviewWindow<MockRuntime>,
    invoke_key: String,
}

/// Builds the app the desktop builds (`app_builder` with the app's own context) over the
/// installation at `data_dir`, relays its events into `events` and runs it as the desktop does:
/// its setup opens the main window and starts the scheduler, the change probe and the sync
/// loop; it ends when that window is destroyed. The app lives on a thread of its own because
/// running it blocks (and `tauri::App` need not be `Send`).
fn run_app(
    data_dir: PathBuf,
    clock: Arc<SessionClock>,
    events: broadcast::Sender<Arc<str>>,
    started: mpsc::Sender<anyhow::Result<Started>>,
) {
    let built = (|| -> anyhow::Result<tauri::App<MockRuntime>> {
        let options = OpenOptions { clock, ..OpenOptions::default() };
        let muster = Muster::open(&data_dir, options)
            .with_context(|| format!("cannot open the installation at {}", data_dir.display()))?;
        let app = muster_desktop::app_builder::<MockRuntime>(muster)?.build(muster_desktop::context())?;
        for name in muster_desktop::EVENTS {
            let relay = events.clone();
            app.listen_any(*name, move |event| {
                let name = serde_json::to_string(name).unwrap_or_default();
                let message = format!("{{\"event\":{name},\"payload\":{}}}", event.payload());
                // No page listening is not an error: the window would not have heard it either.
                let _ = relay.send(Arc::from(message));
            });
        }
        Ok(app)
    })();
    let app = match built {
        Ok(app) => app,
        Err(e) => {
            let _ = started.send(Err(e));
            return;
        }
    };
    let mut started = Some(started);
    app.run_return(move |handle, event| {
        let ready = matches!(event, RunEvent::Ready);
        muster_desktop::on_run_event(handle, &event);
        if let (true, Some(started)) = (ready, started.take()) {
            let window = handle
                .get_webview_window("main")
                .ok_or_else(|| anyhow!("the app's setup opened no main window"));
            let _ = started.send(window.map(|window| Started {
                app: handle.clone(),
                window,
                invoke_key: handle.invoke_key().to_string(),
            }));
        }
    });
}

impl Session {
    fn start(id: String, data_dir: PathBuf, own_dir: Option<tempfile::TempDir>) -> anyhow::Result<Session> {
        let clock = Arc::new(SessionClock::new());
        let (events, _) = broadcast::channel(EVENT_BUFFER);
        let (started_tx, started_rx) = mpsc::channel();
        let thread = {
            let (dir, clock, events) = (data_dir.clone(), clock.clone(), events.clone());
            std::thread::Builder::new()
                .name(format!("bridge-{id}"))
                .spawn(move || run_app(dir, clock, events, started_tx))
                .context("cannot start the session's thread")?
        };
        let Started { app, window, invoke_key } =
            started_rx.recv().context("the session's app stopped while starting")??;
        Ok(Session {
            id,
            data_dir,
            clock,
            app,
            window,
            invoke_key,
            events,
            ended: watch::channel(false).0,
            thread: Mutex::new(Some(thread)),
            own_dir: Mutex::new(own_dir),
        })
    }

    /// Turns true when the session ends.
    pub fn ended(&self) -> watch::Receiver<bool> {
        self.ended.subscribe()
    }

    /// Holds the clock at `at_ms` for one call (see `SessionClock::hold`) and tells the app.
    pub fn hold_clock(&self, at_ms: i64) -> anyhow::Result<()> {
        self.clock.hold(at_ms)?;
        self.app.state::<AppState>().clock_moved();
        Ok(())
    }

    /// Lets the clock run on from where the call held it.
    pub fn release_clock(&self) {
        self.clock.release();
    }

    /// Sets the clock and tells the app, so that its scheduler looks again at once.
    pub fn set_clock(&self, at_ms: i64) -> anyhow::Result<()> {
        self.clock.set(at_ms)?;
        self.app.state::<AppState>().clock_moved();
        Ok(())
    }

    /// Closes the app as the desktop closes (its window destroyed, the exit event stops the
    /// background tasks), then removes a temporary data directory. Blocks until the app's
    /// thread is done (the mock runtime looks at its messages once a second): call off the
    /// async workers.
    fn end(&self) {
        self.ended.send_replace(true);
        if let Err(e) = self.window.destroy() {
            eprintln!("muster-bridge: session {}: cannot close its window: {e}", self.id);
        }
        if let Some(thread) = lock(&self.thread).take() {
            let _ = thread.join();
        }
        if let Some(dir) = lock(&self.own_dir).take() {
            if let Err(e) = dir.close() {
                eprintln!("muster-bridge: session {}: cannot remove its data directory: {e}", self.id);
            }
        }
    }
}

/// Every session of this bridge.
#[derive(Debug, Clone)]
pub struct Sessions(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    by_id: Mutex<HashMap<String, Arc<Session>>>,
    next: AtomicU64,
    /// Where temporary data directories are made (default: the system's temporary directory).
    parent: Option<PathBuf>,
}

impl Sessions {
    pub fn new(parent: Option<PathBuf>) -> anyhow::Result<Sessions> {
        if let Some(dir) = &parent {
            std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        Ok(Sessions(Arc::new(Inner { by_id: Mutex::new(HashMap::new()), next: AtomicU64::new(1), parent })))
    }

    /// A new session over the installation at `data_dir` (created if absent), or over a new
    /// temporary one. Blocks while the app starts: call off the async workers.
    pub fn open(&self, data_dir: Option<&Path>) -> anyhow::Result<Arc<Session>> {
        let id = format!("s{}", self.0.next.fetch_add(1, Ordering::SeqCst));
        let (dir, own) = match data_dir {
            Some(dir) => (dir.to_path_buf(), None),
            None => {
                let prefix = format!("muster-bridge-{id}-");
                let mut builder = tempfile::Builder::new();
                builder.prefix(&prefix);
                let made = match &self.0.parent {
                    Some(parent) => builder.tempdir_in(parent),
                    None => builder.tempdir(),
                }
                .context("cannot create a data directory")?;
                (made.path().to_path_buf(), Some(made))
            }
        };
        let session = Arc::new(Session::start(id.clone(), dir, own)?);
        lock(&self.0.by_id).insert(id, session.clone());
        Ok(session)
    }

    pub fn get(&self, id: &str) -> Option<Arc<Session>> {
        lock(&self.0.by_id).get(id).cloned()
    }

    /// Ends a session; false if there was none of that id. Blocks: call off the async workers.
    pub fn close(&self, id: &str) -> bool {
        let found = lock(&self.0.by_id).remove(id);
        match found {
            Some(session) => {
                session.end();
                true
            }
            None => false,
        }
    }

    /// Ends every session (the bridge is quitting). Blocks.
    pub fn end_all(&self) {
        let all: Vec<Arc<Session>> = lock(&self.0.by_id).drain().map(|(_, s)| s).collect();
        for session in all {
            session.end();
        }
    }
}
