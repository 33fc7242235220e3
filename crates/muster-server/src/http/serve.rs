//! Serving the router: plain HTTP or HTTPS (rustls, ring provider) on a listener.

use std::path::PathBuf;
use std::sync::Arc;

use super::{router_with, DEFAULT_MAX_CLOCK_SKEW_MS};
use crate::storage::Storage;

/// How `serve` runs: TLS, the clock-skew threshold, request logs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// PEM certificate chain and private key: serve HTTPS (rustls) instead of plain HTTP.
    pub tls: Option<TlsFiles>,
    pub max_clock_skew_ms: i64,
    /// One `tracing` event per request (target `muster_server::request`); `muster serve` writes
    /// them to stderr as JSON lines through `json_log_layer`.
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
