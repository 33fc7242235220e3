//! The desktop sync loop (docs/design/sync-plan.md §8): a `std::thread` that owns its own
//! `Muster` (a second SQLite connection on the same WAL database), so it never takes
//! `AppState`'s mutex and a slow or absent network never blocks a local write.
//!
//! Each round calls the same library as `muster sync` (`muster_sync::session::sync_all`), then
//! reads the server's heads (for the "entries waiting" count, kept in the settings so it is right
//! offline and across restarts) and the clock offset. States, pushed to the window as
//! `sync-status` when they change:
//! - `off`: not logged in (no server, or no session token in the keyring): waits for a poke,
//!   looking again every period (a `muster login` from the CLI is noticed);
//! - `syncing`, then `synced`: sleeps until poked or for one period (20 s);
//! - `offline`: the server could not be reached or refused; retries after an exponential
//!   backoff with full jitter (base 1 s, cap 60 s), probing `/healthz` first, so it resumes by
//!   itself when the server is back. A local write while offline only recounts what waits.
//!
//! **Waking the loop.** `SyncHandle` is in `AppState` (`state.sync`). `AppState::changed` calls
//! `SyncHandle::local_change` for this window's writes and other processes' (sources `user`,
//! `external`): while synced, the entry is pushed at once. `SyncHandle::poke` cuts any wait
//! short, offline backoff included: "Sync now", a login or share, and any other thread that
//! learns the server has news (the live-channel listener: that the server is speaking proves it
//! is reachable) call it. Both are cheap and never block.

use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use muster_core::IncidentId;
use muster_store::Muster;
use muster_sync::session::{self, ServerHeads};
use muster_sync::{Client, SyncError, SyncReport, Transport};
use tauri::{AppHandle, Emitter, Manager, Runtime};

use crate::error::IpcError;
use crate::state::AppState;
use crate::views::{ChangeSource, SyncState, SyncStatus};

pub const EVENT_SYNC_STATUS: &str = "sync-status";
/// How long a synced loop sleeps when nothing pokes it.
pub const PERIOD: Duration = Duration::from_secs(20);
/// `MUSTER_SYNC_PERIOD_MS` overrides `PERIOD` (the end-to-end tests use a short one; until the
/// server's live channel wakes the loop, the period is how soon others' entries arrive).
const PERIOD_ENV: &str = "MUSTER_SYNC_PERIOD_MS";
pub const BACKOFF_BASE: Duration = Duration::from_secs(1);
pub const BACKOFF_CAP: Duration = Duration::from_secs(60);

/// The longest wait before the `attempt`th retry (0-based): base·2^attempt, at most the cap.
pub fn backoff_ceiling(attempt: u32) -> Duration {
    BACKOFF_BASE.saturating_mul(2u32.saturating_pow(attempt)).min(BACKOFF_CAP)
}

/// Full jitter: a uniformly random wait in [0, ceiling] (`unit` in [0, 1)), so laptops that lost
/// the server together do not come back in step.
pub fn backoff_delay(attempt: u32, unit: f64) -> Duration {
    backoff_ceiling(attempt).mul_f64(unit.clamp(0.0, 1.0))
}

/// Retry waits: each failure draws the next delay, a success starts over.
#[derive(Debug)]
pub struct Backoff {
    attempt: u32,
    rng: u64,
}

impl Backoff {
    pub fn new(seed: u64) -> Backoff {
        Backoff { attempt: 0, rng: seed | 1 }
    }

    fn seeded() -> Backoff {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| u64::from(d.subsec_nanos()) ^ d.as_secs());
        Backoff::new(nanos ^ u64::from(std::process::id()).rotate_left(32))
    }

    /// A number in [0, 1) (xorshift64*: jitter needs spread, not secrecy).
    fn unit(&mut self) -> f64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let x = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn next_delay(&mut self) -> Duration {
        let unit = self.unit();
        let d = backoff_delay(self.attempt, unit);
        self.attempt = self.attempt.saturating_add(1);
        d
    }

    pub fn reset(&mut self) {
        self.attempt = 0;
    }

    /// Failures since the last success.
    pub fn attempt(&self) -> u32 {
        self.attempt
    }
}

#[derive(Debug, Default)]
struct Pending {
    now: bool,
    changed: bool,
    stop: bool,
}

#[derive(Debug)]
struct Shared {
    pending: Mutex<Pending>,
    wake: Condvar,
    status: Mutex<SyncStatus>,
}

/// Wakes the sync loop and reads its status; cheap to clone, shared by every thread.
#[derive(Debug, Clone)]
pub struct SyncHandle(Arc<Shared>);

impl Default for SyncHandle {
    fn default() -> Self {
        SyncHandle::new()
    }
}

/// Why a wait ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Woken {
    Timeout,
    Changed,
    Now,
    Stop,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics while holding these; a poisoned one still holds consistent flags.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SyncHandle {
    pub fn new() -> SyncHandle {
        SyncHandle(Arc::new(Shared {
            pending: Mutex::new(Pending::default()),
            wake: Condvar::new(),
            status: Mutex::new(SyncStatus::off()),
        }))
    }

    /// Sync as soon as possible, cutting short any wait (the offline backoff too).
    pub fn poke(&self) {
        lock(&self.0.pending).now = true;
        self.0.wake.notify_all();
    }

    /// Local entries were written: push them now when synced; when offline, only recount what
    /// waits (the backoff runs its course).
    pub fn local_change(&self) {
        lock(&self.0.pending).changed = true;
        self.0.wake.notify_all();
    }

    /// Ends the loop after its current round (and the live-channel listener).
    pub fn stop(&self) {
        lock(&self.0.pending).stop = true;
        self.0.wake.notify_all();
    }

    pub fn is_stopped(&self) -> bool {
        lock(&self.0.pending).stop
    }

    pub fn status(&self) -> SyncStatus {
        lock(&self.0.status).clone()
    }

    /// Replaces the status; whether it differs from the one before.
    fn set_status(&self, status: SyncStatus) -> bool {
        let mut current = lock(&self.0.status);
        let changed = *current != status;
        *current = status;
        changed
    }

    fn wait(&self, deadline: Instant) -> Woken {
        let mut p = lock(&self.0.pending);
        loop {
            if p.stop {
                return Woken::Stop;
            }
            if p.now {
                p.now = false;
                p.changed = false;
                return Woken::Now;
            }
            if p.changed {
                p.changed = false;
                return Woken::Changed;
            }
            let now = Instant::now();
            if now >= deadline {
                return Woken::Timeout;
            }
            p = self.0.wake.wait_timeout(p, deadline - now).unwrap_or_else(PoisonError::into_inner).0;
        }
    }
}

/// Where the loop reports to: the window (`WindowReporter`) or a test.
pub trait Reporter {
    /// The status changed.
    fn status(&self, status: &SyncStatus);
    /// A round is about to commit to the database through the loop's own connection.
    fn will_write(&self);
    /// Entries, alerts or set-aside entries of this incident arrived.
    fn pulled(&self, incident: &str);
}

/// What the last round left the loop in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Off,
    Offline,
    Synced,
}

/// The loop over one installation (see the module documentation).
pub struct SyncLoop<P: Reporter> {
    m: Muster,
    handle: SyncHandle,
    reporter: P,
    period: Duration,
    backoff: Backoff,
    heads: ServerHeads,
    synced_at_ms: Option<i64>,
    clock_offset_ms: Option<i64>,
    /// The last round failed: probe `/healthz` before the next whole round.
    failed: bool,
}

impl<P: Reporter> std::fmt::Debug for SyncLoop<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SyncLoop").field("period", &self.period).finish_non_exhaustive()
    }
}

fn ipc(e: &SyncError) -> IpcError {
    IpcError::new(e.code(), e.to_string())
}

fn count(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl<P: Reporter> SyncLoop<P> {
    pub fn new(m: Muster, handle: SyncHandle, reporter: P) -> SyncLoop<P> {
        let heads = session::load_server_heads(m.store()).unwrap_or_default();
        let period = std::env::var(PERIOD_ENV)
            .ok()
            .and_then(|v| v.trim().parse::<u64>().ok())
            .filter(|ms| *ms > 0)
            .map_or(PERIOD, Duration::from_millis);
        SyncLoop {
            m,
            handle,
            reporter,
            period,
            backoff: Backoff::seeded(),
            heads,
            synced_at_ms: None,
            clock_offset_ms: None,
            failed: false,
        }
    }

    /// Sleeps this long between rounds when synced (default `PERIOD`).
    pub fn with_period(mut self, period: Duration) -> SyncLoop<P> {
        self.period = period;
        self
    }

    /// Runs until `SyncHandle::stop`.
    pub fn run(mut self) {
        loop {
            let (wait, mode) = self.round();
            let deadline = Instant::now() + wait;
            loop {
                match self.handle.wait(deadline) {
                    Woken::Stop => return,
                    Woken::Now | Woken::Timeout => break,
                    Woken::Changed if mode == Mode::Synced => break,
                    Woken::Changed => {
                        if mode == Mode::Offline {
                            let status = SyncStatus { waiting: self.waiting(), ..self.handle.status() };
                            self.publish(status);
                        }
                    }
                }
            }
        }
    }

    fn publish(&self, status: SyncStatus) {
        if self.handle.set_status(status.clone()) {
            self.reporter.status(&status);
        }
    }

    fn waiting(&self) -> u32 {
        let device = self.m.device_id().ok().flatten();
        count(session::waiting(self.m.store(), device, &self.heads).unwrap_or(0))
    }

    fn status(&self, state: SyncState, last_error: Option<IpcError>) -> SyncStatus {
        let settings = session::settings(&self.m).unwrap_or_default();
        // A failed read of the evidence is shown as such: "0 alerts" would say all is well.
        let (alerts, conflicts, evidence_error) = match self.m.sync_evidence_totals() {
            Ok((a, c)) => (a, c, None),
            Err(e) => (0, 0, Some(IpcError::from(e))),
        };
        let off = state == SyncState::Off;
        SyncStatus {
            state,
            server: settings.server,
            user: settings.user,
            synced_at_ms: self.synced_at_ms.map(|t| t as f64).filter(|_| !off),
            waiting: if off { 0 } else { self.waiting() },
            alerts: count(alerts),
            conflicts: count(conflicts),
            clock_offset_ms: self.clock_offset_ms.map(|t| t as f64).filter(|_| !off),
            last_error,
            evidence_error,
        }
    }

    fn offline(&mut self, e: &SyncError) -> (Duration, Mode) {
        // Codes only: messages may quote what the server said.
        tracing::error!("sync failed ({}); retrying", e.code());
        self.failed = true;
        let mode = if e.code() == "auth.bad_session" { SyncState::Off } else { SyncState::Offline };
        self.publish(self.status(mode, Some(ipc(e))));
        (self.backoff.next_delay(), Mode::Offline)
    }

    /// One round: what to wait for next, and the mode the loop is in.
    fn round(&mut self) -> (Duration, Mode) {
        let settings = match session::settings(&self.m) {
            Ok(s) => s,
            Err(e) => return self.offline(&e),
        };
        // A login to another server since (by the window or the CLI) forgot the heads seen.
        if let Ok(heads) = session::load_server_heads(self.m.store()) {
            self.heads = heads;
        }
        if settings.server.is_none() {
            self.failed = false;
            self.publish(self.status(SyncState::Off, None));
            return (self.period, Mode::Off);
        }
        let client = match session::client_for(&self.m) {
            Ok(c) => c,
            Err(SyncError::NotConfigured(_)) => {
                self.failed = false;
                self.publish(self.status(SyncState::Off, None));
                return (self.period, Mode::Off);
            }
            Err(e) => return self.offline(&e),
        };
        if self.failed {
            if let Err(e) = session::transport_for(&self.m).and_then(|t| session::probe(&t)) {
                return self.offline(&e);
            }
        }
        // A periodic check while synced with nothing waiting stays "synced" on screen; a round
        // with something to push, or after a failure or login, shows "syncing".
        if self.handle.status().state != SyncState::Synced || self.waiting() > 0 {
            self.publish(self.status(SyncState::Syncing, None));
        }
        self.reporter.will_write();
        let outcome = self.sync(&client);
        self.reporter.will_write();
        match outcome {
            Ok(report) => {
                self.failed = false;
                self.backoff.reset();
                self.synced_at_ms = Some(self.m.clock().now().timestamp_millis());
                for r in &report.incidents {
                    if r.pulled > 0 || r.alerts > 0 || r.conflicts > 0 {
                        self.reporter.pulled(&r.incident);
                    }
                }
                self.publish(self.status(SyncState::Synced, None));
                (self.period, Mode::Synced)
            }
            Err(e) => self.offline(&e),
        }
    }

    fn sync<T: Transport>(&mut self, client: &Client<T>) -> Result<SyncReport, SyncError> {
        let report = session::sync_all(&mut self.m, client, &[])?;
        let incidents: Vec<IncidentId> =
            report.incidents.iter().filter_map(|r| r.incident.parse().ok()).collect();
        let heads = session::server_heads(client, incidents)?;
        session::save_server_heads(self.m.store(), &heads)?;
        self.heads = heads;
        self.clock_offset_ms = Some(session::clock_offset_ms(client)?);
        Ok(report)
    }
}

/// Reports to the window: `sync-status`, and `store-changed` (source `sync`) for each incident
/// that received entries, so screens refresh as for any other change.
struct WindowReporter<R: Runtime>(AppHandle<R>);

impl<R: Runtime> Reporter for WindowReporter<R> {
    fn status(&self, status: &SyncStatus) {
        if let Err(e) = self.0.emit(EVENT_SYNC_STATUS, status) {
            tracing::warn!("could not push the sync status to the window: {e}");
        }
    }

    fn will_write(&self) {
        self.0.state::<AppState>().note_background_write();
    }

    fn pulled(&self, incident: &str) {
        let state = self.0.state::<AppState>();
        state.note_background_write();
        state.changed(&self.0, Some(incident.to_string()), ChangeSource::Sync);
    }
}

/// Starts the loop on its own thread with its own connection to the app's database.
pub fn spawn<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let handle = state.sync.clone();
    let data_dir = state.data_dir().to_path_buf();
    let options = state.open_options();
    let started = std::thread::Builder::new().name("muster-sync".into()).spawn(move || {
        match Muster::open(&data_dir, options) {
            Ok(m) => SyncLoop::new(m, handle, WindowReporter(app)).run(),
            Err(e) => {
                let status = SyncStatus {
                    state: SyncState::Offline,
                    last_error: Some(IpcError::from(e)),
                    ..SyncStatus::off()
                };
                handle.set_status(status.clone());
                WindowReporter(app).status(&status);
            }
        }
    });
    if let Err(e) = started {
        tracing::error!("the sync thread did not start: {e}");
    }
}

/// How long the live-channel listener waits before looking again when not logged in.
const LIVE_IDLE: Duration = Duration::from_secs(5);

/// Starts the live-channel listener: a thread holding `GET /v1/events` open to the configured
/// server and poking the loop at every event (another laptop's entry, an alert, a membership
/// change, a resync), so others' entries arrive within about a second instead of a period.
/// Its own connection to the database reads the settings and the session token; it writes
/// nothing. A broken channel is reopened after a jittered backoff; not logged in, it looks
/// again every few seconds.
pub fn spawn_live_channel<R: Runtime>(app: AppHandle<R>) {
    let state = app.state::<AppState>();
    let handle = state.sync.clone();
    let data_dir = state.data_dir().to_path_buf();
    let options = state.open_options();
    let started = std::thread::Builder::new().name("muster-live".into()).spawn(move || {
        let Ok(m) = Muster::open(&data_dir, options) else { return };
        let mut backoff = Backoff::seeded();
        while !handle.is_stopped() {
            let opened =
                session::transport_for(&m).and_then(|t| session::session_token(&m).map(|token| (t, token)));
            let (transport, token) = match opened {
                Ok(pair) => pair,
                Err(_) => {
                    std::thread::sleep(LIVE_IDLE);
                    continue;
                }
            };
            if let Ok(events) = transport.events(&token) {
                backoff.reset();
                // `ready` too: whatever happened while the channel was closed is synced.
                for event in events {
                    if event.is_err() || handle.is_stopped() {
                        break;
                    }
                    handle.poke();
                }
            }
            std::thread::sleep(backoff.next_delay().max(Duration::from_millis(500)));
        }
    });
    if let Err(e) = started {
        tracing::error!("the live-channel thread did not start: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_up_to_a_minute() {
        let ceilings: Vec<u64> = (0..9).map(|a| backoff_ceiling(a).as_secs()).collect();
        assert_eq!(ceilings, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff_ceiling(u32::MAX), BACKOFF_CAP);
    }

    #[test]
    fn full_jitter_spreads_each_wait_over_zero_to_the_ceiling() {
        assert_eq!(backoff_delay(3, 0.0), Duration::ZERO);
        assert_eq!(backoff_delay(3, 0.5), Duration::from_secs(4));
        assert!(backoff_delay(3, 0.999_999) <= Duration::from_secs(8));
        // Out-of-range draws stay within the bounds.
        assert_eq!(backoff_delay(10, 7.0), BACKOFF_CAP);
        assert_eq!(backoff_delay(10, -1.0), Duration::ZERO);

        let mut b = Backoff::new(42);
        let mut max_late = Duration::ZERO;
        for attempt in 0..40 {
            let d = b.next_delay();
            assert!(d <= backoff_ceiling(attempt), "attempt {attempt}: {d:?}");
            if attempt >= 6 {
                max_late = max_late.max(d);
            }
        }
        assert_eq!(b.attempt(), 40);
        // Jittered, not constant: 34 draws at the cap are spread out, none beyond it.
        assert!(max_late > Duration::from_secs(30) && max_late <= BACKOFF_CAP, "{max_late:?}");

        // A success starts over: the next wait is at most the base again.
        b.reset();
        assert_eq!(b.attempt(), 0);
        assert!(b.next_delay() <= BACKOFF_BASE);
    }

    #[test]
    fn draws_are_spread_over_the_unit_interval() {
        let mut b = Backoff::new(7);
        let draws: Vec<f64> = (0..2000).map(|_| b.unit()).collect();
        assert!(draws.iter().all(|u| (0.0..1.0).contains(u)));
        let low = draws.iter().filter(|u| **u < 0.5).count();
        assert!((900..1100).contains(&low), "{low} of 2000 below one half");
    }

    #[test]
    fn a_poke_cuts_a_wait_short_and_a_local_change_is_told_apart() {
        let h = SyncHandle::new();
        let far = Instant::now() + Duration::from_secs(600);
        h.local_change();
        assert_eq!(h.wait(far), Woken::Changed);
        h.local_change();
        h.poke();
        assert_eq!(h.wait(far), Woken::Now, "a poke wins and swallows the change");
        assert_eq!(h.wait(Instant::now() + Duration::from_millis(20)), Woken::Timeout);
        let other = h.clone();
        let t = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            other.poke();
        });
        let started = Instant::now();
        assert_eq!(h.wait(far), Woken::Now);
        assert!(started.elapsed() < Duration::from_secs(5));
        t.join().ok();
        h.stop();
        assert_eq!(h.wait(far), Woken::Stop);
    }
}
