//! The bridge's HTTP routes (listed in main.rs). Every body the page or a test sends is input:
//! malformed JSON, unknown sessions and out-of-range clocks are answered with an error, never a
//! panic.

use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody, InvokeError, InvokeResponse};
use tauri::webview::InvokeRequest;
use tokio::sync::{broadcast, oneshot, Notify};

use crate::session::{Session, Sessions};
use crate::ui_files::UiFiles;

/// Large enough for a batch seeding thousands of entries; the bridge listens on loopback only.
const BODY_LIMIT: usize = 64 * 1024 * 1024;

#[derive(Clone)]
struct Bridge {
    sessions: Sessions,
    ui: UiFiles,
    quit: Arc<Notify>,
}

/// The router, and what `POST /quit` notifies.
pub fn router(sessions: Sessions, ui: UiFiles) -> (Router, Arc<Notify>) {
    let quit = Arc::new(Notify::new());
    let bridge = Bridge { sessions, ui, quit: quit.clone() };
    let router = Router::new()
        .route("/sessions", post(open_session))
        .route("/s/{id}", axum::routing::delete(close_session))
        .route("/s/{id}/invoke", post(invoke_one))
        .route("/s/{id}/batch", post(invoke_batch))
        .route("/s/{id}/events", get(events))
        .route("/s/{id}/clock", get(read_clock).post(set_clock))
        .route("/quit", post(quit_bridge))
        .fallback(get(ui_file))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .with_state(bridge);
    (router, quit)
}

fn refused(status: StatusCode, message: impl std::fmt::Display) -> Response {
    (status, Json(json!({ "bridge_error": message.to_string() }))).into_response()
}

fn no_session(id: &str) -> Response {
    refused(StatusCode::NOT_FOUND, format!("no session {id:?} (ended, or never opened)"))
}

async fn ui_file(State(bridge): State<Bridge>, uri: Uri) -> Response {
    bridge.ui.serve(uri.path())
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenSession {
    data_dir: Option<PathBuf>,
}

async fn open_session(State(bridge): State<Bridge>, body: Option<Json<OpenSession>>) -> Response {
    let data_dir = body.and_then(|Json(b)| b.data_dir);
    let sessions = bridge.sessions.clone();
    let opened = tokio::task::spawn_blocking(move || sessions.open(data_dir.as_deref())).await;
    match opened {
        Ok(Ok(s)) => {
            eprintln!("muster-bridge: session {} on {}", s.id, s.data_dir.display());
            Json(json!({ "id": s.id, "data_dir": s.data_dir, "now_ms": s.clock.now_ms() })).into_response()
        }
        Ok(Err(e)) => refused(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Err(e) => refused(StatusCode::INTERNAL_SERVER_ERROR, format!("opening the session failed: {e}")),
    }
}

async fn close_session(State(bridge): State<Bridge>, Path(id): Path<String>) -> Response {
    let sessions = bridge.sessions.clone();
    let key = id.clone();
    match tokio::task::spawn_blocking(move || sessions.close(&key)).await {
        Ok(true) => Json(json!({ "ended": id })).into_response(),
        Ok(false) => no_session(&id),
        Err(e) => refused(StatusCode::INTERNAL_SERVER_ERROR, format!("ending the session failed: {e}")),
    }
}

/// One call as the page makes it (`invoke(cmd, args)`), optionally at a given instant.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Call {
    cmd: String,
    #[serde(default)]
    args: Value,
    at_ms: Option<i64>,
}

/// Runs `cmd` through the app's own IPC handler, exactly as a call from the app's window: the
/// same command table, argument checks and capabilities, so the answer is the window's answer.
async fn invoke(session: &Session, cmd: String, args: Value) -> Result<Value, Value> {
    let url = "tauri://localhost".parse().map_err(|e| json!(format!("bad origin: {e}")))?;
    let request = InvokeRequest {
        cmd,
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url,
        body: InvokeBody::Json(if args.is_null() { json!({}) } else { args }),
        headers: Default::default(),
        invoke_key: session.invoke_key.clone(),
    };
    let (answer, answered) = oneshot::channel();
    let webview = session.window.as_ref().clone();
    // A command without `async` runs inside on_message: keep it off the async workers.
    let handed = tokio::task::spawn_blocking(move || {
        webview.on_message(
            request,
            Box::new(move |_webview, _cmd, response, _callback, _error| {
                let _ = answer.send(response);
            }),
        );
    })
    .await;
    if let Err(e) = handed {
        return Err(json!(format!("the command could not be handed to the app: {e}")));
    }
    match answered.await {
        Ok(InvokeResponse::Ok(body)) => {
            body.deserialize::<Value>().map_err(|e| json!(format!("the answer is not JSON: {e}")))
        }
        Ok(InvokeResponse::Err(InvokeError(error))) => Err(error),
        Err(_) => Err(json!("the command ended without answering")),
    }
}

fn answer(result: Result<Value, Value>) -> Value {
    match result {
        Ok(ok) => json!({ "ok": ok }),
        Err(error) => json!({ "error": error }),
    }
}

/// Holds the clock at the instant a call names (released by `invoke_at` once it is answered);
/// the refusal if that instant is not one.
fn clock_for(session: &Session, at_ms: Option<i64>) -> Option<Response> {
    let at = at_ms?;
    session.hold_clock(at).err().map(|e| refused(StatusCode::BAD_REQUEST, e))
}

/// A call, with the clock held at its instant while it runs.
async fn invoke_at(session: &Session, call: Call) -> Result<Value, Value> {
    let result = invoke(session, call.cmd, call.args).await;
    if call.at_ms.is_some() {
        session.release_clock();
    }
    result
}

async fn invoke_one(
    State(bridge): State<Bridge>,
    Path(id): Path<String>,
    Json(call): Json<Call>,
) -> Response {
    let Some(session) = bridge.sessions.get(&id) else { return no_session(&id) };
    if let Some(refusal) = clock_for(&session, call.at_ms) {
        return refusal;
    }
    Json(answer(invoke_at(&session, call).await)).into_response()
}

/// Calls in order through the same path as `invoke_one`; stops after the first refusal (later
/// calls may depend on it), so the answers are one per call made.
async fn invoke_batch(
    State(bridge): State<Bridge>,
    Path(id): Path<String>,
    Json(calls): Json<Vec<Call>>,
) -> Response {
    let Some(session) = bridge.sessions.get(&id) else { return no_session(&id) };
    let mut answers = Vec::with_capacity(calls.len());
    for call in calls {
        if let Some(refusal) = clock_for(&session, call.at_ms) {
            return refusal;
        }
        let result = invoke_at(&session, call).await;
        let failed = result.is_err();
        answers.push(answer(result));
        if failed {
            break;
        }
    }
    Json(Value::Array(answers)).into_response()
}

/// The app's events as server-sent events, from the moment of connecting (what was emitted
/// before is gone, as for a window that was not yet listening), until the session ends.
async fn events(State(bridge): State<Bridge>, Path(id): Path<String>) -> Response {
    let Some(session) = bridge.sessions.get(&id) else { return no_session(&id) };
    let state = (session.events.subscribe(), session.ended(), session.id.clone());
    let stream = futures_util::stream::unfold(state, |(mut events, mut ended, id)| async move {
        loop {
            tokio::select! {
                received = events.recv() => match received {
                    Ok(message) => {
                        let event = Event::default().data(message.as_ref());
                        return Some((Ok::<Event, Infallible>(event), (events, ended, id)));
                    }
                    Err(broadcast::error::RecvError::Lagged(missed)) => {
                        eprintln!("muster-bridge: session {id}: the page fell {missed} events behind; they are lost");
                    }
                    Err(broadcast::error::RecvError::Closed) => return None,
                },
                changed = ended.changed() => {
                    if changed.is_err() || *ended.borrow() {
                        return None;
                    }
                }
            }
        }
    });
    Sse::new(stream).keep_alive(KeepAlive::default()).into_response()
}

async fn read_clock(State(bridge): State<Bridge>, Path(id): Path<String>) -> Response {
    let Some(session) = bridge.sessions.get(&id) else { return no_session(&id) };
    Json(json!({ "now_ms": session.clock.now_ms() })).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SetClock {
    now_ms: i64,
}

async fn set_clock(
    State(bridge): State<Bridge>,
    Path(id): Path<String>,
    Json(set): Json<SetClock>,
) -> Response {
    let Some(session) = bridge.sessions.get(&id) else { return no_session(&id) };
    match session.set_clock(set.now_ms) {
        Ok(()) => Json(json!({ "now_ms": session.clock.now_ms() })).into_response(),
        Err(e) => refused(StatusCode::BAD_REQUEST, e),
    }
}

async fn quit_bridge(State(bridge): State<Bridge>) -> Response {
    bridge.quit.notify_one();
    Json(json!({ "quitting": true })).into_response()
}
