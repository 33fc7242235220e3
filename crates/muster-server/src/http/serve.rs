//! Serving the router: plain HTTP or HTTPS (rustls, ring provider) on a listener, with the
//! connection cap and the header timeout of `Limits`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use axum_server::tls_rustls::{RustlsAcceptor, RustlsConfig};

use super::limits::{warn_if_plain_http, ConnectionCap, Limits};
use super::{router_with, LoginPolicy, QuotaPolicy, DEFAULT_MAX_CLOCK_SKEW_MS};
use crate::storage::{SessionPolicy, Storage};

/// How `serve` runs: TLS, the clock-skew threshold, request logs, and the limits it holds
/// clients to (docs/decisions/0024).
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// PEM certificate chain and private key: serve HTTPS (rustls) instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    pub max_clock_skew_ms: i64,
    /// One `tracing` event per request (target `muster_server::request`); `muster serve` writes
    /// them to stderr as JSON lines through `json_log_layer`.
    pub log_requests: bool,
    /// Idle and absolute session limits.
    pub sessions: SessionPolicy,
    /// Failed logins before a lockout.
    pub login: LoginPolicy,
    /// What one user may push per window.
    pub quota: QuotaPolicy,
    /// Timeouts and the connection cap.
    pub limits: Limits,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            tls: None,
            max_clock_skew_ms: DEFAULT_MAX_CLOCK_SKEW_MS,
            log_requests: false,
            sessions: SessionPolicy::default(),
            login: LoginPolicy::default(),
            quota: QuotaPolicy::default(),
            limits: Limits::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct TlsFiles {
    pub cert: PathBuf,
    pub key: PathBuf,
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
    warn_if_plain_http(listener.local_addr()?, options.tls.is_some());
    let app = router_with(storage, &options).into_make_service_with_connect_info::<SocketAddr>();
    let limits = options.limits;
    let cap = ConnectionCap::new(limits.max_connections);
    match &options.tls {
        None => {
            let mut server = axum_server::from_tcp(listener)?.acceptor(cap);
            server.http_builder().http1().header_read_timeout(limits.header_read_timeout);
            server.first_request_timeout(limits.header_read_timeout).serve(app).await?
        }
        Some(files) => {
            let config = RustlsConfig::from_config(Arc::new(tls_config(files)?));
            // The cap is taken before the handshake, which must end within the header timeout.
            let acceptor =
                RustlsAcceptor::new(config).handshake_timeout(limits.header_read_timeout).acceptor(cap);
            let mut server = axum_server::from_tcp(listener)?.acceptor(acceptor);
            server.http_builder().http1().header_read_timeout(limits.header_read_timeout);
            server.first_request_timeout(limits.header_read_timeout).serve(app).await?
        }
    }
    Ok(())
}
