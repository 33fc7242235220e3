//! muster-bridge: Muster's desktop app, the very one `muster-desktop` registers (its commands,
//! capabilities, scheduler, sync loop), on Tauri's mock runtime, served to a browser over
//! loopback HTTP so that the UI's browser tests run on the real backend (decision 0020).
//!
//! ```text
//! muster-bridge --ui ui/dist [--listen 127.0.0.1:0] [--sessions-dir DIR]
//! ```
//!
//! Prints `{"event":"listening","url":"http://127.0.0.1:PORT/"}` on its first stdout line, then
//! serves until `POST /quit`:
//! - `GET /…`: the built UI from `--ui` (one origin with everything below);
//! - `POST /sessions {data_dir?}` → `{id, data_dir}`: a new installation (a temporary data
//!   directory unless one is given, as `muster-desktop --data-dir`) with its own app instance;
//!   `DELETE /s/{id}` ends it;
//! - `POST /s/{id}/invoke {cmd, args, at_ms?}` → `{ok}` or `{error}`: the command through the
//!   app's own IPC handler, answered as the app answers the window; `at_ms` sets the clock first;
//! - `POST /s/{id}/batch [{cmd, args, at_ms?}]` → the answers, in order, up to the first refusal;
//! - `GET /s/{id}/events`: every event the app emits, as server-sent events `{event, payload}`;
//! - `GET|POST /s/{id}/clock {now_ms}`: the installation's clock, read or set (it keeps running
//!   from where it is set; the scheduler looks again when it moves).
//!
//! Nothing here computes a product result: every answer comes from the app. The page's side is
//! `ui/tests/browser/tauri-shim.js`.

mod routes;
mod session;
mod ui_files;

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};

#[derive(Debug)]
struct Args {
    ui: PathBuf,
    listen: SocketAddr,
    sessions_dir: Option<PathBuf>,
}

const USAGE: &str = "usage: muster-bridge --ui DIR [--listen 127.0.0.1:PORT] [--sessions-dir DIR]";

fn parse_args() -> anyhow::Result<Args> {
    let mut ui = None;
    let mut listen: SocketAddr = SocketAddr::from(([127, 0, 0, 1], 0));
    let mut sessions_dir = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().with_context(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--ui" => ui = Some(PathBuf::from(value()?)),
            "--listen" => {
                listen = value()?.parse().context("--listen takes an address such as 127.0.0.1:0")?
            }
            "--sessions-dir" => sessions_dir = Some(PathBuf::from(value()?)),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    let ui = ui.with_context(|| format!("--ui is required\n{USAGE}"))?;
    if !ui.join("index.html").is_file() {
        bail!("{} holds no index.html: build the UI first (cd ui && npx vite build)", ui.display());
    }
    // It drives installations and their keyring entries for whoever connects: never off this machine.
    if !listen.ip().is_loopback() {
        bail!("--listen {listen}: the bridge serves loopback addresses only");
    }
    Ok(Args { ui, listen, sessions_dir })
}

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| format!("cannot listen on {}", args.listen))?;
        let address = listener.local_addr().context("the listening socket has no address")?;
        let sessions = session::Sessions::new(args.sessions_dir)?;
        let (router, quit) = routes::router(sessions.clone(), ui_files::UiFiles::new(args.ui));
        println!("{}", serde_json::json!({ "event": "listening", "url": format!("http://{address}/") }));
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                quit.notified().await;
            })
            .await
            .context("the HTTP server failed")?;
        // Each app's background tasks end and every temporary data directory goes.
        tokio::task::spawn_blocking(move || sessions.end_all()).await.context("ending the sessions")?;
        Ok(())
    })
}
