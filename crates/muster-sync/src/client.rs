//! The client side of the API v1: a `Transport` that moves bytes, and `Client`, which speaks
//! the typed requests of `muster_wire` over it. Errors from the server keep their `{code, message}`.

use ed25519_dalek::{Signer, SigningKey};
use muster_core::{DeviceId, Entry, IncidentId};
use serde::de::DeserializeOwned;
use serde::Serialize;
use thiserror::Error;

use muster_wire::{
    login_proof_message, Alert, ErrorBody, HeadsResponse, LoginRequest, LoginResponse, MeResponse,
    PullResponse, PushRequest, PushResponse, RegisterRequest, Role, SetMemberRequest,
};

/// Errors of the client and the engine.
#[derive(Debug, Error)]
pub enum SyncError {
    /// The server answered with an error body (a refusal for 4xx, a failure for 5xx).
    #[error("{message}")]
    Api { status: u16, code: String, message: String },
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach the sync server: {0}")]
    Transport(String),
    /// The server's answer is not what the API promises.
    #[error("unexpected answer from the sync server (HTTP {status}): {message}")]
    Protocol { status: u16, message: String },
    #[error(transparent)]
    Store(#[from] muster_store::StoreError),
    /// Client-side configuration missing (not logged in...).
    #[error("{0}")]
    NotConfigured(String),
}

impl SyncError {
    /// A stable machine-readable code: the server's own for API errors.
    pub fn code(&self) -> &str {
        match self {
            SyncError::Api { code, .. } => code,
            SyncError::Transport(_) => "sync.unreachable",
            SyncError::Protocol { .. } => "sync.protocol",
            SyncError::Store(e) => muster_core::error::ErrorCode::code(e),
            SyncError::NotConfigured(_) => "sync.not_configured",
        }
    }

    /// A refusal (4xx: the request was understood and declined) or bad local configuration,
    /// as opposed to a failure (network, 5xx).
    pub fn is_refusal(&self) -> bool {
        match self {
            SyncError::Api { status, .. } => (400..500).contains(status),
            SyncError::NotConfigured(_) => true,
            SyncError::Store(e) => e.is_user_error(),
            _ => false,
        }
    }
}

pub type Result<T, E = SyncError> = std::result::Result<T, E>;

/// HTTP methods the API uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

/// One request: the path is relative to the server's base URL (`/v1/...`).
#[derive(Debug, Clone)]
pub struct Request {
    pub method: Method,
    pub path: String,
    pub bearer: Option<String>,
    /// A JSON body.
    pub body: Option<Vec<u8>>,
    /// The client's wall clock (Unix ms), sent as `Muster-Client-Time`.
    pub client_time_ms: Option<i64>,
}

/// The status and body of an answer.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Moves one request to the server and back. Implementations answer every HTTP status as a
/// `Response` and use `Err` only when no answer came.
/// `Sync` because the engine fetches pages on a second thread while it ingests.
pub trait Transport: Sync {
    fn send(&self, request: Request) -> Result<Response>;
}

/// The blocking HTTP transport (ureq). `https://` goes through rustls (ring provider),
/// trusting either the Mozilla root certificates or only a CA given as PEM.
#[cfg(feature = "http")]
#[derive(Debug, Clone)]
pub struct HttpTransport {
    base: String,
    agent: ureq::Agent,
    /// The same TLS trust without the global timeout, for the live channel.
    streaming: ureq::Agent,
}

#[cfg(feature = "http")]
impl HttpTransport {
    /// `base` is the server URL, e.g. `http://127.0.0.1:7373` or `https://sync.example.org`
    /// (public root certificates).
    pub fn new(base: &str) -> Result<HttpTransport> {
        HttpTransport::with_ca(base, None)
    }

    /// As `new`, but an `https://` server must present a certificate issued by the CA in
    /// `ca_pem` (a hospital's own CA, or the server's self-signed certificate).
    pub fn with_ca(base: &str, ca_pem: Option<&str>) -> Result<HttpTransport> {
        use ureq::tls::{Certificate, RootCerts, TlsConfig};
        let base = base.trim().trim_end_matches('/').to_string();
        check_server_url(&base)?;
        let roots = match ca_pem {
            None => RootCerts::WebPki,
            Some(pem) => {
                let certs = ureq::tls::parse_pem(pem.as_bytes())
                    .filter_map(|item| match item {
                        Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<std::result::Result<Vec<Certificate<'static>>, _>>()
                    .map_err(|e| {
                        SyncError::NotConfigured(format!("the CA certificate is not valid PEM: {e}"))
                    })?;
                if certs.is_empty() {
                    return Err(SyncError::NotConfigured(
                        "the CA certificate file holds no CERTIFICATE block".into(),
                    ));
                }
                RootCerts::new_with_certs(&certs)
            }
        };
        let tls = TlsConfig::builder().root_certs(roots).build();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls.clone())
            .timeout_global(Some(std::time::Duration::from_secs(60)))
            .build()
            .into();
        let streaming = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .tls_config(tls)
            .timeout_connect(Some(std::time::Duration::from_secs(10)))
            .build()
            .into();
        Ok(HttpTransport { base, agent, streaming })
    }

    /// Opens the live channel (`GET /v1/events`) with a session token. The iterator blocks
    /// until the next event and ends when the connection does.
    pub fn events(&self, session_token: &str) -> Result<crate::events::EventStream> {
        let url = format!("{}/v1/events", self.base);
        let response = self
            .streaming
            .get(&url)
            .header("Authorization", format!("Bearer {session_token}"))
            .header("Accept", "text/event-stream")
            .call()
            .map_err(|e| SyncError::Transport(format!("{url}: {e}")))?;
        let status = response.status().as_u16();
        let body = response.into_body();
        if status != 200 {
            let bytes = body
                .into_with_config()
                .limit(1024 * 1024)
                .read_to_vec()
                .map_err(|e| SyncError::Transport(format!("{url}: {e}")))?;
            return Err(api_error(status, &bytes));
        }
        Ok(crate::events::EventStream::new(Box::new(body.into_reader())))
    }
}

#[cfg(feature = "http")]
impl Transport for HttpTransport {
    fn send(&self, request: Request) -> Result<Response> {
        let url = format!("{}{}", self.base, request.path);
        let bearer = request.bearer.map(|t| format!("Bearer {t}"));
        let time = request.client_time_ms.map(|t| t.to_string());
        let t = |e: ureq::Error| SyncError::Transport(format!("{url}: {e}"));
        macro_rules! headers {
            ($b:expr) => {{
                let mut b = $b;
                if let Some(v) = &bearer {
                    b = b.header("Authorization", v);
                }
                if let Some(v) = &time {
                    b = b.header("Muster-Client-Time", v);
                }
                b
            }};
        }
        let response = match (request.method, request.body) {
            (Method::Get, _) => headers!(self.agent.get(&url)).call(),
            (Method::Delete, _) => headers!(self.agent.delete(&url)).call(),
            (Method::Post, Some(b)) => {
                headers!(self.agent.post(&url)).header("Content-Type", "application/json").send(&b[..])
            }
            (Method::Put, Some(b)) => {
                headers!(self.agent.put(&url)).header("Content-Type", "application/json").send(&b[..])
            }
            (Method::Post, None) => headers!(self.agent.post(&url)).send_empty(),
            (Method::Put, None) => headers!(self.agent.put(&url)).send_empty(),
        }
        .map_err(t)?;
        let status = response.status().as_u16();
        let body = response.into_body().with_config().limit(64 * 1024 * 1024).read_to_vec().map_err(t)?;
        Ok(Response { status, body })
    }
}

/// The host of an `http://` or `https://` URL (brackets of an IPv6 address removed).
fn url_host(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    if let Some(v6) = host_port.strip_prefix('[') {
        return v6.split_once(']').map(|(h, _)| h);
    }
    Some(host_port.split(':').next().unwrap_or(host_port))
}

/// Whether `host` is this machine: `localhost`, 127.0.0.0/8 or ::1.
fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_end_matches('.');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Refuses a server URL that would send tokens and entries across a network in clear
/// ("Trust nobody" 4): `https://` anywhere, `http://` only to this machine (a server on
/// loopback, or a TLS proxy in front of one).
pub fn check_server_url(url: &str) -> Result<()> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let plain = lower.starts_with("http://");
    if !plain && !lower.starts_with("https://") {
        return Err(SyncError::NotConfigured(format!(
            "server URL {url:?} must start with https:// (or http:// to this machine)"
        )));
    }
    let Some(host) = url_host(url).filter(|h| !h.is_empty()) else {
        return Err(SyncError::NotConfigured(format!("server URL {url:?} names no host")));
    };
    if plain && !is_loopback_host(host) {
        return Err(SyncError::NotConfigured(format!(
            "refusing plain http:// to {host}: the enrolment token, the session token and every entry would cross \
             the network readable by anyone on the path. Use https:// (the server runs `muster serve --tls-cert \
             FILE --tls-key FILE`), and if its certificate is its own, pass it with --ca-cert FILE. Plain http:// \
             is accepted only to this machine (localhost, 127.0.0.1, ::1)."
        )));
    }
    Ok(())
}

/// The client's wall clock (Unix ms), sent with every request for the server's skew check.
pub type WallClockFn = std::sync::Arc<dyn Fn() -> i64 + Send + Sync>;

/// The typed API over a transport, with an optional session token.
pub struct Client<T> {
    transport: T,
    token: Option<String>,
    /// Must be the clock the entries are stamped with (the store's), so that the server judges
    /// the clock that matters; the system clock by default.
    clock: WallClockFn,
}

impl<T: std::fmt::Debug> std::fmt::Debug for Client<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("transport", &self.transport)
            .field("token", &self.token.is_some())
            .finish()
    }
}

/// The error of a non-2xx answer: the server's `{code, message}`, else a protocol error.
fn api_error(status: u16, body: &[u8]) -> SyncError {
    match serde_json::from_slice::<ErrorBody>(body) {
        Ok(b) => SyncError::Api { status, code: b.error.code, message: b.error.message },
        Err(_) => {
            SyncError::Protocol { status, message: String::from_utf8_lossy(body).chars().take(200).collect() }
        }
    }
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

impl<T: Transport> Client<T> {
    pub fn new(transport: T, token: Option<String>) -> Client<T> {
        Client { transport, token, clock: std::sync::Arc::new(now_ms) }
    }

    /// Uses `clock` as this client's wall clock (see `WallClockFn`).
    pub fn with_clock(mut self, clock: WallClockFn) -> Client<T> {
        self.clock = clock;
        self
    }

    fn call<B: Serialize>(&self, method: Method, path: String, body: Option<&B>) -> Result<Response> {
        let body = match body {
            Some(b) => Some(
                serde_json::to_vec(b)
                    .map_err(|e| SyncError::Protocol { status: 0, message: e.to_string() })?,
            ),
            None => None,
        };
        let response = self.transport.send(Request {
            method,
            path,
            bearer: self.token.clone(),
            body,
            client_time_ms: Some((self.clock)()),
        })?;
        if (200..300).contains(&response.status) {
            return Ok(response);
        }
        Err(api_error(response.status, &response.body))
    }

    fn json<R: DeserializeOwned, B: Serialize>(
        &self,
        method: Method,
        path: String,
        body: Option<&B>,
    ) -> Result<R> {
        let response = self.call(method, path, body)?;
        serde_json::from_slice(&response.body)
            .map_err(|e| SyncError::Protocol { status: response.status, message: e.to_string() })
    }

    /// Redeems an enrolment token, proving possession of the device key.
    pub fn login(
        &self,
        user: &str,
        token: &str,
        key: &SigningKey,
        device_name: &str,
    ) -> Result<LoginResponse> {
        let proof = hex::encode(key.sign(&login_proof_message(user, token)).to_bytes());
        let req = LoginRequest {
            user: user.to_string(),
            token: token.to_string(),
            device_id: DeviceId(key.verifying_key().to_bytes()),
            device_name: device_name.to_string(),
            proof,
        };
        self.json(Method::Post, "/v1/login".into(), Some(&req))
    }

    pub fn me(&self) -> Result<MeResponse> {
        self.json::<_, ()>(Method::Get, "/v1/me".into(), None)
    }

    /// Registers the incident (the caller becomes its commander) or confirms membership;
    /// `opening`, the incident's opening entry signed by this device, proves this laptop opened it.
    pub fn register(&self, incident: IncidentId, opening: &Entry) -> Result<()> {
        let req = RegisterRequest { opening: opening.clone() };
        self.call(Method::Put, format!("/v1/incidents/{incident}"), Some(&req)).map(|_| ())
    }

    pub fn heads(&self, incident: IncidentId) -> Result<HeadsResponse> {
        self.json::<_, ()>(Method::Get, format!("/v1/incidents/{incident}/heads"), None)
    }

    pub fn push(&self, incident: IncidentId, entries: Vec<Entry>) -> Result<PushResponse> {
        self.json(Method::Post, format!("/v1/incidents/{incident}/entries"), Some(&PushRequest { entries }))
    }

    pub fn pull(&self, incident: IncidentId, after: u64, limit: u64) -> Result<PullResponse> {
        self.json::<_, ()>(
            Method::Get,
            format!("/v1/incidents/{incident}/entries?after={after}&limit={limit}"),
            None,
        )
    }

    /// The server's alerts (quarantined entries) with an id above `after`.
    pub fn alerts(&self, incident: IncidentId, after: u64) -> Result<Vec<Alert>> {
        self.json::<_, ()>(Method::Get, format!("/v1/incidents/{incident}/alerts?after={after}"), None)
    }

    pub fn set_member(&self, incident: IncidentId, user: &str, role: Role) -> Result<()> {
        let path = format!("/v1/incidents/{incident}/members/{}", path_segment(user));
        self.call(Method::Put, path, Some(&SetMemberRequest { role })).map(|_| ())
    }

    pub fn remove_member(&self, incident: IncidentId, user: &str) -> Result<()> {
        let path = format!("/v1/incidents/{incident}/members/{}", path_segment(user));
        self.call::<()>(Method::Delete, path, None).map(|_| ())
    }
}

/// Percent-encodes a user name for a path segment.
fn path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;

    #[test]
    fn plain_http_is_refused_beyond_this_machine_with_the_fix_named() {
        for ok in [
            "http://127.0.0.1:7373",
            "http://127.9.0.1",
            "http://localhost:7373/",
            "HTTP://LOCALHOST",
            "http://[::1]:7373",
            "https://10.0.0.5:7373",
            "https://sync.example.org",
        ] {
            assert!(check_server_url(ok).is_ok(), "{ok}");
        }
        for refused in [
            "http://10.0.0.5:7373",
            "http://sync.example.org",
            "http://localhost.example.org",
            "http://127.0.0.1.example.org",
            "http://user@10.0.0.5",
            "http://[2001:db8::1]:7373",
            "http://0.0.0.0:7373",
        ] {
            let e = check_server_url(refused).expect_err(refused);
            assert_eq!(e.code(), "sync.not_configured");
            assert!(e.is_refusal());
            let m = e.to_string();
            assert!(m.contains("https://") && m.contains("--ca-cert"), "{m}");
        }
        assert!(check_server_url("ftp://x").is_err());
        assert!(check_server_url("http://").is_err());
    }
}
