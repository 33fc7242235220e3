//! The HTTP API v1 (docs/design/sync-plan.md §3) over any `Storage`. Handlers only translate:
//! authentication, JSON (with our own rejection mapping), status codes and error bodies
//! `{"error": {code, message, details}}`. Also here: the live channel `GET /v1/events` (SSE,
//! `live`), one log event per request (no bodies, so no PHI; `log`), and `serve` with
//! optional TLS (`serve`).

mod live;
mod log;
mod serve;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use muster_core::IncidentId;
use muster_wire::{
    ClockReport, ErrorBody, ErrorDetail, LoginRequest, PushRequest, PushResponse, SetMemberRequest,
    DEFAULT_PULL_LIMIT,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

use self::live::{events, Notice, NOTICE_BUFFER};
pub use self::log::json_log_layer;
pub use self::serve::{serve, tls_config, ServeError, ServeOptions, TlsFiles};
use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, Put, RawPull, Storage};

/// Largest request body (a push of 1000 entries with long notes fits).
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// Clock difference above which a push answers `clock.warning = true` (`--max-clock-skew`).
pub const DEFAULT_MAX_CLOCK_SKEW_MS: i64 = 120_000;
/// The header carrying the client's wall clock (Unix ms) for skew detection.
pub const CLIENT_TIME_HEADER: &str = "muster-client-time";

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
pub(crate) struct ApiError {
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
pub(crate) struct Authed(pub Caller);

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
        flags: Option<muster_wire::EntryFlags>,
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

async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "request.no_route", "no such route", Map::new())
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
        if options.log_requests { routes.route_layer(middleware::from_fn(log::log_request)) } else { routes };
    routes.fallback(not_found).layer(DefaultBodyLimit::max(MAX_BODY_BYTES)).with_state(app)
}
