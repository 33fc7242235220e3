//! What every verb prints: JSON (`--json`), the line naming an entry written, progress bars.

use std::io::IsTerminal;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use muster_core::Entry;
use serde::Serialize;

use crate::views::WrittenView;

pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    write_stdout(text.as_bytes())
}

/// The exit status of a command whose reader went away (`muster sync --json | head -1`): what
/// a shell reports for a process ended by SIGPIPE, without a message.
pub const EXIT_BROKEN_PIPE: u8 = 141;

/// Writes to stdout; a reader that went away ends the process quietly (`EXIT_BROKEN_PIPE`)
/// instead of a panic or an error message: what was printed is all the reader wanted.
pub fn write_stdout(bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            std::process::exit(i32::from(EXIT_BROKEN_PIPE))
        }
        other => Ok(other?),
    }
}

/// `println!` panics when stdout's reader went away; this hook turns that one panic into the
/// quiet exit of `write_stdout`, so every verb's text output behaves alike. Other panics are
/// reported as before.
pub fn exit_quietly_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or_default();
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(i32::from(EXIT_BROKEN_PIPE));
        }
        default(info);
    }));
}

pub fn progress_bar(total: u64, what: &str, json: bool) -> ProgressBar {
    let bar = ProgressBar::new(total);
    if json || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let style = ProgressStyle::with_template("{msg:10} [{bar:40}] {pos}/{len} ({per_sec}, {eta} left)")
        .map(|s| s.progress_chars("=> "))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    bar.set_style(style);
    bar.set_message(what.to_string());
    bar
}

pub fn written(entry: &Entry, json: bool, what: &str) -> Result<()> {
    if json {
        print_json(&WrittenView::of(entry))
    } else {
        println!("Recorded {what} #{} (seq {})", entry.id().short(), entry.seq());
        Ok(())
    }
}
