//! The HTTP API v1 (docs/design/sync-plan.md §3) over any `Storage`. Handlers only translate:
//! authentication, JSON (with our own rejection mapping), status codes and error bodies
//! `{"error": {code, message, details}}`. Also here: the live channel `GET /v1/events` (SSE,
//! `live`), one log event per request (no bodies, so no PHI; `log`), login throttling and push
//! quotas (`guard`), connection, time and cache limits (`limits`), and `serve` with optional
//! TLS (`serve`).

mod guard;
mod limits;
mod live;
mod log;
mod serve;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{ConnectInfo, DefaultBodyLimit, FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use muster_core::IncidentId;
use muster_wire::{
    ClockReport, ErrorBody, ErrorDetail, LoginRequest, PushRequest, PushResponse, RegisterRequest,
    SetMemberRequest, DEFAULT_PULL_LIMIT,
};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use tokio::sync::broadcast;

pub use self::guard::{LoginPolicy, QuotaPolicy};
use self::guard::{LoginThrottle, Quotas};
use self::limits::BodyLength;
pub use self::limits::{plain_http_is_exposed, Limits};
use self::live::{events, Notice, NOTICE_BUFFER};
pub use self::log::json_log_layer;
pub use self::serve::{serve, tls_config, ServeError, ServeOptions, TlsFiles};
use crate::error::ServerError;
use crate::storage::{Caller, ClockPolicy, Put, RawPull, SessionPolicy, Storage};

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
    sessions: SessionPolicy,
    logins: LoginThrottle,
    quotas: Quotas,
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

/// An error answer: status, the JSON error body and, for a 429, when to come back.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    body: ErrorBody,
    retry_after_s: Option<u64>,
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
            retry_after_s: None,
        }
    }

    /// 429 with `Retry-After: seconds` (also in `details.retry_after_s`).
    fn too_many(code: &str, message: impl Into<String>, seconds: u64) -> ApiError {
        let mut details = Map::new();
        details.insert("retry_after_s".into(), json!(seconds));
        ApiError {
            retry_after_s: Some(seconds),
            ..ApiError::new(StatusCode::TOO_MANY_REQUESTS, code, message, details)
        }
    }
}

impl From<ServerError> for ApiError {
    fn from(e: ServerError) -> ApiError {
        ApiError {
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            body: e.body(),
            retry_after_s: None,
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
        if let Some(seconds) = self.retry_after_s {
            if let Ok(v) = HeaderValue::from_str(&seconds.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
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

/// The client's address (from the connection; `None` in process, where there is none).
/// Behind a reverse proxy it is the proxy's: forwarded headers are not trusted.
fn peer(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

#[derive(Debug)]
pub(crate) struct Peer(Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Peer(peer(parts)))
    }
}

/// The authenticated caller (`Authorization: Bearer mst1_...`), with its address.
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
        let mut caller = app.storage.authenticate_with(token, now_ms(), app.sessions).await?;
        caller.address = peer(parts);
        Ok(Authed(caller))
    }
}

/// A path whose segments do not parse: a JSON error that does not repeat them (axum's own
/// rejection echoed the input in text/plain).
fn bad_path() -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "request.bad_path",
        "the path does not name an incident (32 hex digits) or a user name",
        Map::new(),
    )
}

/// `/v1/incidents/{id}...`: the incident.
#[derive(Debug)]
pub(crate) struct IncidentPath(IncidentId);

impl<S: Send + Sync> FromRequestParts<S> for IncidentPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state).await.map_err(|_| bad_path())?;
        raw.parse().map(IncidentPath).map_err(|_| bad_path())
    }
}

/// `/v1/incidents/{id}/members/{user}`: the incident and the user name.
#[derive(Debug)]
pub(crate) struct MemberPath(IncidentId, String);

impl<S: Send + Sync> FromRequestParts<S> for MemberPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((id, user)) =
            Path::<(String, String)>::from_request_parts(parts, state).await.map_err(|_| bad_path())?;
        Ok(MemberPath(id.parse().map_err(|_| bad_path())?, user))
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

/// A login attempt, logged with the user name as typed (at most 64 characters) and the source
/// address; never the token or the proof.
fn log_login(user: &str, address: Option<IpAddr>, outcome: &str) {
    let user: String = user.chars().take(64).collect();
    let address = address.map_or_else(|| "-".to_owned(), |a| a.to_string());
    let (user, address) = (user.as_str(), address.as_str());
    if outcome == "ok" {
        tracing::info!(target: "muster_server::auth", event = "login", user, address, outcome);
    } else {
        tracing::warn!(target: "muster_server::auth", event = "login", user, address, outcome);
    }
}

/// `POST /v1/login`, throttled per user name and per address: each failure counts, and a name
/// or address over its budget is answered 429 until its lockout ends, whatever the token.
async fn login<S: Storage>(
    State(app): State<Shared<S>>,
    Peer(address): Peer,
    body: Result<Json<LoginRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(json_rejection)?;
    let now = now_ms();
    let user = req.user.clone();
    if let Err(seconds) = app.logins.check(&user, address, now) {
        log_login(&user, address, "throttled");
        return Err(ApiError::too_many(
            "auth.throttled",
            format!(
                "too many failed logins for this user or from this address; try again in {seconds} s \
                 (an administrator can issue a new token with `muster server user add NAME --new-token`)"
            ),
            seconds,
        ));
    }
    match app.storage.login_from(req, now, address).await {
        Ok(answer) => {
            app.logins.succeeded(&user);
            log_login(&user, address, "ok");
            Ok(Json(answer).into_response())
        }
        Err(e) => {
            if (400..500).contains(&e.status()) {
                app.logins.failed(&user, address, now);
            }
            log_login(&user, address, e.code());
            Err(e.into())
        }
    }
}

async fn me<S: Storage>(State(app): State<Shared<S>>, Authed(c): Authed) -> Result<Response, ApiError> {
    Ok(Json(app.storage.me(&c, now_ms()).await?).into_response())
}

async fn register<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    IncidentPath(id): IncidentPath,
    body: Result<Json<RegisterRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    // An old client sends no body: it is told what registration now needs.
    let Json(req) = body.map_err(|_| {
        ApiError::from(ServerError::BadOpening {
            incident: id,
            message: "the request carries none (JSON {\"opening\": entry} expected; update Muster)".into(),
        })
    })?;
    let put = app.storage.register_incident(&c, id, &req.opening, now_ms()).await?;
    if put == Put::Created {
        app.notify(Notice::Membership { incident: id, user: c.user.clone() });
    }
    Ok((put_status(put), Json(json!({ "incident": id.to_string() }))).into_response())
}

async fn heads<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    IncidentPath(id): IncidentPath,
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
    IncidentPath(id): IncidentPath,
    headers: HeaderMap,
    length: Option<axum::Extension<BodyLength>>,
    body: Result<Json<PushRequest>, JsonRejection>,
) -> Result<Response, ApiError> {
    let Json(req) = body.map_err(json_rejection)?;
    let now = now_ms();
    let bytes = length.map_or(0, |l| l.0 .0) as u64;
    if let Err(seconds) = app.quotas.charge(c.user_id, bytes, req.entries.len() as u64, now) {
        let q = app.quotas.policy;
        tracing::warn!(target: "muster_server::limits", event = "quota", user = c.user.as_str(), retry_after_s = seconds);
        return Err(ApiError::too_many(
            "quota.exceeded",
            format!(
                "this server takes at most {} entries and {} MiB of pushes per user per {}; try again in {seconds} s",
                q.max_entries,
                q.max_bytes / (1024 * 1024),
                crate::procedures::span(i64::try_from(q.window.as_millis()).unwrap_or(i64::MAX)),
            ),
            seconds,
        ));
    }
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

/// A query that does not parse; the input is not repeated.
fn bad_cursor(_: QueryRejection) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        "request.bad_cursor",
        "`after` and `limit` must be whole numbers of 0 or more",
        Map::new(),
    )
}

async fn pull<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    IncidentPath(id): IncidentPath,
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
    IncidentPath(id): IncidentPath,
) -> Result<Response, ApiError> {
    Ok(Json(app.storage.members(&c, id).await?).into_response())
}

async fn set_member<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    MemberPath(id, user): MemberPath,
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
    MemberPath(id, user): MemberPath,
) -> Result<Response, ApiError> {
    app.storage.remove_member(&c, id, &user, now_ms()).await?;
    app.notify(Notice::Membership { incident: id, user });
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn alerts<S: Storage>(
    State(app): State<Shared<S>>,
    Authed(c): Authed,
    IncidentPath(id): IncidentPath,
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
    let app: Shared<S> = Arc::new(App {
        storage,
        max_clock_skew_ms: options.max_clock_skew_ms,
        notices,
        sessions: options.sessions,
        logins: LoginThrottle::new(options.login),
        quotas: Quotas::new(options.quota),
    });
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
    routes
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(options.limits.body_read_timeout, limits::read_body_within))
        .layer(middleware::from_fn(limits::no_store))
        .with_state(app)
}
