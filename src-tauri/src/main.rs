// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// WebKitGTK's accelerated compositing: off unless the person set it (docs/decisions/0013).
const WEBKIT_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

fn main() -> anyhow::Result<()> {
    // Before any thread exists. Without compositing, WebKitGTK paints the console directly: the
    // timeline scrolls at full frame rate and the web process holds about 75 MiB less on
    // machines without a usable GPU (docs/benchmarks.md); a text console loses nothing by it.
    if std::env::var_os(WEBKIT_COMPOSITING).is_none() {
        std::env::set_var(WEBKIT_COMPOSITING, "1");
    }
    // What the app logs goes to stderr through `tracing` (never a title, note or name: only
    // codes and what failed). RUST_LOG-style filtering is not needed: warnings and errors only.
    tracing_subscriber::fmt().with_writer(std::io::stderr).with_target(false).init();
    muster_desktop::run(std::env::args().collect())?;
    Ok(())
}
