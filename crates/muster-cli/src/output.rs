//! What every verb prints: JSON (`--json`), the line naming an entry written, progress bars.

use std::io::IsTerminal;

use anyhow::Result;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use muster_core::Entry;
use serde::Serialize;

use crate::views::WrittenView;

pub fn print_json<T: Serialize>(value: &T) -> Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
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
