//! The HTTP API v1 (docs/design/sync-plan.md §3) over any `Storage`. Handlers only translate:
//! authentication, JSON (with our own rejection mapping), status codes and error bodies
//! `{"error": {code, message, details}}`. Also here: the live channel `GET /v1/events` (SSE),
//! one JSON log line per request (no bodies, so no PHI), and `serve` with optional TLS.

use std::collections::HashSet;
use std::convert::Infallible;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, MatchedPath, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware::{self, Next};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use muster_core::IncidentId;
use muster_sync::wire::{
    ClockReport, ErrorBody, ErrorDetail, LoginRequest, PushRequest, PushResponse, SetMemberRequest,
    DEFAULT_PULL_LIMIT,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use tokio::sync::broadcast;

use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, Put, RawPull, Storage};

/// Largest request body (a push of 1000 entries with long notes fits).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Clock difference above which a push answers `clock.warning = true` (`--max-clock-skew`).
pub const DEFAULT_MAX_CLOCK_SKEW_MS: i64 = 120_000;
/// The header carrying the client's wall clock (Unix ms) for skew detection.
pub const CLIENT_TIME_HEADER: &str = "muster-client-time";

/// How `serve` runs: TLS, the clock-skew threshold, request logs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// PEM certificate chain and private key: serve HTTPS (rustls) instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    pub max_clock_skew_ms: i64,
    /// One JSON line per request on stderr.
    pub log_requests: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions { tls: None, max_clock_skew_ms: DEFAULT_MAX_CLOCK_SKEW_MS, log_requests: false }
    }
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
}

/// What happened, for the live channel. Subscribers see only their incidents' notices.
#[derive(Debug, Clone)]
enum Notice {
    /// New entries are stored, up to `rank`, pushed by the session of device `by`.
    Entries { incident: IncidentId, rank: u64, by: muster_core::DeviceId },
    /// An entry was quarantined: alert `id`.
    Alert { incident: IncidentId, id: u64 },
    /// `user`'s membership of `incident` changed.
    Membership { incident: IncidentId, user: String },
}

/// Notices buffered per subscriber before it is told to `resync`.
const NOTICE_BUFFER: usize = 1024;
/// The SSE keep-alive comment interval.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

#[derive(Debug)]
struct App<S> {
    storage: S,
    max_clock_skew_ms: i64,
    notices: broadcast::Sender<Notice>,
}

impl<S> App<S> {
    /// Tells the live channel's subscribers (none listening is fine).
    fn notify(&self, notice: Notice) {
        let _no_subscriber_is_fine = self.notices.send(notice);
    }
}

type Shared<S> = Arc<App<S>>;

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// An error answer: status and the JSON error body.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    fn new(
        status: StatusCode,
        code: &str,
        message: impl Into<String>,
        details: Map<String, Value>,
    ) -> ApiError {
        ApiError {
            status,
            body: ErrorBody { error: ErrorDetail { code: code.into(), message: message.into(), details } },
        }
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: e.body(),
        }
    }
}

/// The error code of an answer, for the request log (the message may quote request content).
#[derive(Debug, Clone)]
struct LoggedCode(String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let code = LoggedCode(self.body.error.code.clone());
        let mut response = (self.status, Json(self.body)).into_response();
        response.extensions_mut().insert(code);
        response
    }
}

/// Maps axum's JSON rejections to our error bodies: 413 for an oversized body, 415 without a
/// JSON content type, else 400. A push whose entry fails to decode (a changed body, a stated
/// hash that does not match) is `entry.malformed` with the entry's index.
fn json_rejection(r: JsonRejection) -> ApiError {
    let status = r.status();
    let text = r.body_text();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::new(
            status,
            "request.too_large",
            format!("the body exceeds {MAX_BODY_BYTES} bytes"),
            Map::new(),
        );
    }
    if status == StatusCode::UNSUPPORTED_MEDIA_TYPE {
        return ApiError::new(status, "request.content_type", text, Map::new());
    }
    if let Some(index) = entry_index(&text) {
        let mut details = Map::new();
        details.insert("index".into(), json!(index));
        return ApiError::new(StatusCode::BAD_REQUEST, "entry.malformed", text, details);
    }
    ApiError::new(StatusCode::BAD_REQUEST, "request.malformed", text, Map::new())
}

/// The N of an `entries[N]...` path in a deserialisation message.
fn entry_index(text: &str) -> Option<usize> {
    let rest = &text[text.find("entries[")? + "entries[".len()..];
    rest[..rest.find(']')?].parse().ok()
}

/// The authenticated caller (`Authorization: Bearer mst1_...`).
#[derive(Debug)]
pub struct Authed(pub Caller);

impl<S: Storage> FromRequestParts<Shared<S>> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &Shared<S>) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or(ServerError::BadSession)?;
        Ok(Authed(app.storage.authenticate(token, now_ms()).await?))
    }
}

fn put_status(p: Put) -> StatusCode {
    match p {
        Put::Created => StatusCode::CREATED,
        Put::Existing => StatusCode::OK,
    }
}

async fn healthz<S: Storage>(State(app): State<Shared<S>>) -> Response {
    match app.storage.health().await {
        Ok(()) => Json(json!({
            "status": "ok",
            "version": env!("CARGO_PKG_VERSION"),
            "database": S::BACKEND,
        }))
        .into_response(),
        Err(e) => ApiError::from(ServerError::Unavailable(e.to_string())).into_response(),
    }
}

async fn login<S: Storage>(
    State(app): State<Shared<S>>,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(json_rejection)?;
    Ok(Json(app.storage.login(req, now_ms()).await?).into_response())
}

async fn me<S: Storage>(State(app): State<Shared<S>>, Authed(c): Authed) -> Result<Response, ApiError> {
    Ok(Json(app.storage.me(&c, now_ms()).await?).into_response())
}

async fn register<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
) -> Result<Response, ApiError> {
    let put = app.storage.register_incident(&c, id, now_ms()).await?;
    if put == Put::Created {
        app.notify(Notice::Membership { incident: id, user: c.user.clone() });
    }
    Ok((put_status(put), Json(json!({ "incident": id.to_string() }))).into_response())
}

async fn heads<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
) -> Result<Response, ApiError> {
    Ok(Json(app.storage.heads(&c, id).await?).into_response())
}

/// The push-level clock verdict from `Muster-Client-Time` (absent header: no verdict).
fn clock_report(headers: &HeaderMap, now: i64, threshold_ms: i64) -> Option<ClockReport> {
    let client: i64 = headers.get(CLIENT_TIME_HEADER)?.to_str().ok()?.trim().parse().ok()?;
    let skew_ms = client.saturating_sub(now);
    Some(ClockReport { skew_ms, threshold_ms, warning: skew_ms.saturating_abs() > threshold_ms })
}

async fn push<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
    headers: HeaderMap,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(json_rejection)?;
    let now = now_ms();
    let clock = clock_report(&headers, now, app.max_clock_skew_ms);
    let policy =
        ClockPolicy { client_skew_ms: clock.map(|c| c.skew_ms), threshold_ms: app.max_clock_skew_ms };
    let out = app.storage.push(&c, id, req.entries, now, policy).await?;
    if out.accepted > 0 {
        app.notify(Notice::Entries { incident: id, rank: out.last_rank, by: c.device });
    }
    if let Some(alert) = out.quarantined.iter().map(|q| q.alert_id).max() {
        app.notify(Notice::Alert { incident: id, id: alert });
    }
    Ok(Json(PushResponse {
        accepted: out.accepted,
        duplicates: out.duplicates,
        quarantined: out.quarantined,
        heads: out.heads,
        last_rank: out.last_rank,
        clock,
    })
    .into_response())
}

#[derive(Debug, Deserialize)]
struct PullQuery {
    #[serde(default)]
    after: u64,
    limit: Option<u64>,
}

#[derive(Debug, Deserialize)]
struct AlertsQuery {
    #[serde(default)]
    after: u64,
}

fn bad_cursor(r: QueryRejection) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "request.bad_cursor", r.body_text(), Map::new())
}

async fn pull<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
    query: Result<Query<PullQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_cursor)?;
    let page = app.storage.pull_raw(&c, id, q.after, q.limit.unwrap_or(DEFAULT_PULL_LIMIT)).await?;
    Ok(raw_pull_body(&page)?.into_response())
}

/// A `PullResponse` body written around the stored entry JSON (verified when it was pushed),
/// without decoding and re-encoding each entry.
fn raw_pull_body(page: &RawPull) -> Result<Response, ApiError> {
    #[derive(serde::Serialize)]
    struct Pulled<'a> {
        rank: u64,
        #[serde(skip_serializing_if = "Option::is_none")]
        flags: Option<muster_sync::wire::EntryFlags>,
        entry: &'a serde_json::value::RawValue,
    }
    #[derive(serde::Serialize)]
    struct Page<'a> {
        entries: Vec<Pulled<'a>>,
        next: u64,
        more: bool,
    }
    let entries = page
        .entries
        .iter()
        .map(|e| {
            let entry = serde_json::from_str::<&serde_json::value::RawValue>(&e.entry_json)
                .map_err(|err| ServerError::Internal(format!("a stored entry is not JSON: {err}")))?;
            Ok(Pulled { rank: e.rank, flags: e.flags, entry })
        })
        .collect::<Result<Vec<_>, ServerError>>()?;
    Ok(Json(Page { entries, next: page.next, more: page.more }).into_response())
}

async fn members<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
) -> Result<Response, ApiError> {
    Ok(Json(app.storage.members(&c, id).await?).into_response())
}

async fn set_member<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path((id, user)): Path<(IncidentId, String)>,
    body: Result<Json<SetMemberRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(json_rejection)?;
    let put = app.storage.set_member(&c, id, &user, req.role, now_ms()).await?;
    app.notify(Notice::Membership { incident: id, user: user.clone() });
    Ok((put_status(put), Json(json!({ "user": user, "role": req.role }))).into_response())
}

async fn remove_member<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path((id, user)): Path<(IncidentId, String)>,
) -> Result<Response, ApiError> {
    app.storage.remove_member(&c, id, &user, now_ms()).await?;
    app.notify(Notice::Membership { incident: id, user });
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn alerts<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    Path(id): Path<IncidentId>,
    query: Result<Query<AlertsQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(bad_cursor)?;
    Ok(Json(app.storage.alerts(&c, id, q.after).await?).into_response())
}

/// One subscriber of the live channel: the caller and the incidents they may see.
struct Subscriber<S> {
    app: Shared<S>,
    caller: Caller,
    incidents: HashSet<IncidentId>,
    notices: broadcast::Receiver<Notice>,
    greeted: bool,
}

impl<S: Storage> Subscriber<S> {
    async fn refresh(&mut self) {
        // On a storage failure keep the old set: a missed notice is repaired by the next sync.
        if let Ok(me) = self.app.storage.me(&self.caller, now_ms()).await {
            self.incidents = me.incidents.into_iter().map(|i| i.id).collect();
        }
    }

    /// The next event for this subscriber, or `None` when the server shuts down.
    async fn next(&mut self) -> Option<Event> {
        if !self.greeted {
            self.greeted = true;
            return Some(Event::default().event("ready").data("{}"));
        }
        loop {
            let notice = match self.notices.recv().await {
                Ok(n) => n,
                // Too slow a reader: it missed notices and must sync everything it holds.
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(Event::default().event("resync").data("{}"));
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            };
            let event = match notice {
                // The pushing session holds what it pushed: telling it would only cost it an
                // empty sync round. The same user's other laptops (other devices) are told.
                Notice::Entries { incident, rank, by }
                    if self.incidents.contains(&incident) && by != self.caller.device =>
                {
                    Event::default()
                        .event("entries")
                        .data(json!({"incident": incident, "rank": rank}).to_string())
                }
                Notice::Alert { incident, id } if self.incidents.contains(&incident) => {
                    Event::default().event("alert").data(json!({"incident": incident, "id": id}).to_string())
                }
                Notice::Membership { incident, user } if user == self.caller.user => {
                    self.refresh().await;
                    Event::default().event("membership").data(json!({"incident": incident}).to_string())
                }
                _ => continue,
            };
            return Some(event);
        }
    }
}

/// `GET /v1/events`: the live channel (server-sent events) of the caller's incidents:
/// `ready {}` first, then `entries {incident, rank}`, `alert {incident, id}`,
/// `membership {incident}` (the caller was added or removed), `resync {}` (notices were
/// missed: sync everything); a keep-alive comment every 15 s. A non-member is never told
/// anything about an incident.
async fn events<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(caller): Authed,
) -> Result<Response, ApiError> {
    let notices = app.notices.subscribe();
    let me = app.storage.me(&caller, now_ms()).await?;
    let subscriber = Subscriber {
        incidents: me.incidents.into_iter().map(|i| i.id).collect(),
        app,
        caller,
        notices,
        greeted: false,
    };
    let stream = futures_util::stream::unfold(subscriber, |mut sub| async move {
        let event = sub.next().await?;
        Some((Ok::<Event, Infallible>(event), sub))
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)).into_response())
}

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "request.no_route", "no such route", Map::new())
}

/// One JSON line per request on stderr: time, method, route template (never the raw path or
/// a body, so no PHI and no user content), status, error code, duration.
async fn log_request(request: axum::extract::Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("-".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let line = json!({
        "ts_ms": now_ms(),
        "level": if status >= 500 { "error" } else if status >= 400 { "warn" } else { "info" },
        "event": "request",
        "method": method,
        "route": route,
        "status": status,
        "code": response.extensions().get::<LoggedCode>().map(|c| c.0.clone()),
        "ms": started.elapsed().as_secs_f64() * 1000.0,
    });
    eprintln!("{line}");
    response
}

/// The API router over `storage`, with default options.
pub fn router<S: Storage>(storage: S) -> Router {
    router_with(storage, &ServeOptions::default())
}

/// The API router over `storage`.
pub fn router_with<S: Storage>(storage: S, options: &ServeOptions) -> Router {
    let (notices, _) = broadcast::channel(NOTICE_BUFFER);
    let app: Shared<S> = Arc::new(App { storage, max_clock_skew_ms: options.max_clock_skew_ms, notices });
    let routes = Router::new()
        .route("/healthz", get(healthz::<S>))
        .route("/v1/login", post(login::<S>))
        .route("/v1/me", get(me::<S>))
        .route("/v1/events", get(events::<S>))
        .route("/v1/incidents/{id}", put(register::<S>))
        .route("/v1/incidents/{id}/heads", get(heads::<S>))
        .route("/v1/incidents/{id}/entries", post(push::<S>).get(pull::<S>))
        .route("/v1/incidents/{id}/members", get(members::<S>))
        .route("/v1/incidents/{id}/members/{user}", put(set_member::<S>).delete(remove_member::<S>))
        .route("/v1/incidents/{id}/alerts", get(alerts::<S>));
    let routes =
        if options.log_requests { routes.route_layer(middleware::from_fn(log_request)) } else { routes };
    routes.fallback(not_found).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(app)
}

/// Errors of `serve`.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot read the TLS {what} file {path}")]
    TlsFile { what: &'static str, path: PathBuf, source: std::io::Error },
    #[error("the TLS {what} file {path} holds no usable {what} (PEM expected): {message}")]
    TlsPem { what: &'static str, path: PathBuf, message: String },
    #[error("the TLS certificate and key do not make a valid server configuration: {0}")]
    TlsConfig(String),
    #[error("the server stopped: {0}")]
    Io(#[from] std::io::Error),
}

impl ServeError {
    /// A stable code; the TLS ones are the operator's input (bad file), the others failures.
    pub fn code(&self) -> &'static str {
        match self {
            ServeError::TlsFile { .. } => "tls.unreadable",
            ServeError::TlsPem { .. } => "tls.bad_pem",
            ServeError::TlsConfig(_) => "tls.bad_config",
            ServeError::Io(_) => "server.io",
        }
    }

    pub fn is_operator_error(&self) -> bool {
        !matches!(self, ServeError::Io(_))
    }
}

/// The rustls server configuration from PEM files (ring provider, HTTP/1.1).
pub fn tls_config(files: &TlsFiles) -> Result<rustls::ServerConfig, ServeError> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let read = |what: &'static str, path: &PathBuf| {
        std::fs::read(path).map_err(|source| ServeError::TlsFile { what, path: path.clone(), source })
    };
    let pem_error = |what: &'static str, path: &PathBuf, message: String| ServeError::TlsPem {
        what,
        path: path.clone(),
        message,
    };
    let cert_pem = read("certificate", &files.cert)?;
    let certs = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_error("certificate", &files.cert, e.to_string()))?;
    if certs.is_empty() {
        return Err(pem_error("certificate", &files.cert, "no CERTIFICATE block".into()));
    }
    let key_pem = read("key", &files.key)?;
    let key =
        PrivateKeyDer::from_pem_slice(&key_pem).map_err(|e| pem_error("key", &files.key, e.to_string()))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ServeError::TlsConfig(e.to_string()))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| ServeError::TlsConfig(e.to_string()))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

/// Serves the API on `listener` (plain HTTP, or HTTPS with `options.tls`) until the task is
/// dropped or the listener fails. The TLS files are read before serving, so a bad file is
/// reported at once.
pub async fn serve<S: Storage>(
    listener: std::net::TcpListener,
    storage: S,
    options: ServeOptions,
) -> Result<(), ServeError> {
    listener.set_nonblocking(true)?;
    let app = router_with(storage, &options).into_make_service();
    match &options.tls {
        None => axum_server::from_tcp(listener)?.serve(app).await?,
        Some(files) => {
            let config = axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(tls_config(files)?));
            axum_server::from_tcp_rustls(listener, config)?.serve(app).await?
        }
    }
    Ok(())
}
