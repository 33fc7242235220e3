//! Timing marks for `scripts/bench-desktop` (only when MUSTER_BENCH_MARKS names a file).

use std::io::Write;
use std::sync::Mutex;

use crate::state::AppState;

/// Marks arrive from concurrent commands: one writer at a time, one line per write.
static FILE_LOCK: Mutex<()> = Mutex::new(());

pub const MARKS_ENV: &str = "MUSTER_BENCH_MARKS";

pub fn record(state: &AppState, name: &str, value_ms: f64) {
    let Ok(path) = std::env::var(MARKS_ENV) else {
        return;
    };
    let line = serde_json::json!({
        "name": name,
        "value_ms": value_ms,
        "since_start_ms": state.started.elapsed().as_secs_f64() * 1000.0,
    });
    let _guard = FILE_LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(format!("{line}\n").as_bytes()));
    if let Err(e) = written {
        eprintln!("muster-desktop: cannot write benchmark mark to {path}: {e}");
    }
}
