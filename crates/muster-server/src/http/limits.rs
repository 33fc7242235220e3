//! What a slow or greedy client may hold ("Trust nobody" 4 and 6, docs/decisions/0024): a cap on
//! open connections (beyond it a new connection is closed at once, while those already open go
//! on answering), a time limit on a request's body, `Cache-Control: no-store` on every answer,
//! and the warning when the server speaks plain HTTP beyond this machine. The header timeout is
//! hyper's (`serve::serve`).

use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum_server::accept::Accept;
use serde_json::Map;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{now_ms, ApiError, MAX_BODY_BYTES};

/// How long a client may take and how many connections all clients may hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// A request's head (request line and headers) must arrive within this, counted from the
    /// connection's start or the previous answer: an idle kept-alive connection is closed after
    /// it too.
    pub header_read_timeout: Duration,
    /// A request's whole body must arrive within this once its head has.
    pub body_read_timeout: Duration,
    /// Open connections (TLS handshakes and the live channel included).
    pub max_connections: usize,
}

impl Default for Limits {
    /// 30 s for a head (past ureq's 15 s idle pool, so a client never reuses a connection the
    /// server is closing; hyper's own default), 60 s for a body (an 8 MiB push over a 1 Mbit/s
    /// link), 512 connections (a war room of 100 laptops holds about 200, and a process limit of
    /// 1,024 files leaves room for the database).
    fn default() -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(30),
            body_read_timeout: Duration::from_secs(60),
            max_connections: 512,
        }
    }
}

/// The body's length, as read by `read_body_within` (the push quota counts it).
#[derive(Debug, Clone, Copy)]
pub(crate) struct BodyLength(pub usize);

/// Reads the whole body within `timeout` (408 `request.timeout` otherwise, and the connection
/// closes) and at most `MAX_BODY_BYTES` (413), so that no handler waits on a slow client.
pub(crate) async fn read_body_within(
    State(timeout): State<Duration>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = match tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY_BYTES)).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(_)) => {
            let message =
                format!("the body exceeds {MAX_BODY_BYTES} bytes, or the connection broke while sending it");
            return ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "request.too_large", message, Map::new())
                .into_response();
        }
        Err(_) => {
            tracing::warn!(
                target: "muster_server::limits",
                event = "slow_body",
                method = parts.method.as_str(),
                timeout_s = timeout.as_secs()
            );
            let message = format!("the request body did not arrive within {} s", timeout.as_secs());
            let mut r = ApiError::new(StatusCode::REQUEST_TIMEOUT, "request.timeout", message, Map::new())
                .into_response();
            r.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
            return r;
        }
    };
    let mut request = Request::from_parts(parts, Body::from(bytes.clone()));
    request.extensions_mut().insert(BodyLength(bytes.len()));
    next.run(request).await
}

/// Every answer carries `Cache-Control: no-store`: no proxy or browser cache keeps a copy of
/// an incident's entries, members or tokens.
pub(crate) async fn no_store(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Whether serving plain HTTP on `addr` exposes tokens and entries to the network: any address
/// but loopback (`0.0.0.0` and `::` listen on every interface).
pub fn plain_http_is_exposed(addr: SocketAddr) -> bool {
    !addr.ip().is_loopback()
}

/// Warns (through `tracing`, on stderr under `muster serve`) when the server speaks plain HTTP
/// on an address other machines can reach.
pub(crate) fn warn_if_plain_http(addr: SocketAddr, tls: bool) {
    if !tls && plain_http_is_exposed(addr) {
        tracing::warn!(
            target: "muster_server::security",
            event = "plain_http",
            addr = addr.to_string().as_str(),
            message = "serving plain HTTP on an address other machines can reach: enrolment tokens, session \
                       tokens and entries cross the network readable by anyone on the path. Serve HTTPS \
                       (--tls-cert, --tls-key) or listen on 127.0.0.1 behind a TLS proxy."
        );
    }
}

/// Caps open connections: an acceptor that holds one permit per connection, for as long as the
/// connection lives. Without a permit the connection is closed at once (the cap's refusals are
/// logged at most once a second).
#[derive(Debug, Clone)]
pub(crate) struct ConnectionCap {
    permits: Arc<Semaphore>,
    max: usize,
    last_warned_ms: Arc<AtomicI64>,
}

impl ConnectionCap {
    pub(crate) fn new(max: usize) -> Self {
        let max = max.clamp(1, Semaphore::MAX_PERMITS);
        ConnectionCap {
            permits: Arc::new(Semaphore::new(max)),
            max,
            last_warned_ms: Arc::new(AtomicI64::new(0)),
        }
    }

    fn refused(&self) -> std::io::Error {
        let now = now_ms();
        let last = self.last_warned_ms.load(Ordering::Relaxed);
        if now.saturating_sub(last) >= 1000
            && self.last_warned_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
        {
            tracing::warn!(
                target: "muster_server::limits",
                event = "connection_cap",
                max_connections = self.max,
                message = "a new connection was closed: the server holds its maximum of open connections"
            );
        }
        std::io::Error::other("the connection cap is reached")
    }
}

impl<I, S> Accept<I, S> for ConnectionCap {
    type Stream = Capped<I>;
    type Service = S;
    type Future = std::future::Ready<std::io::Result<(Capped<I>, S)>>;

    fn accept(&self, stream: I, service: S) -> Self::Future {
        std::future::ready(match Arc::clone(&self.permits).try_acquire_owned() {
            Ok(permit) => Ok((Capped { inner: stream, _permit: permit }, service)),
            // Dropping `stream` here closes the connection.
            Err(_) => Err(self.refused()),
        })
    }
}

/// A connection holding its permit until it is dropped.
#[derive(Debug)]
pub(crate) struct Capped<I> {
    inner: I,
    _permit: OwnedSemaphorePermit,
}

impl<I: AsyncRead + Unpin> AsyncRead for Capped<I> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<I: AsyncWrite + Unpin> AsyncWrite for Capped<I> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn only_loopback_is_safe_for_plain_http() {
        for safe in ["127.0.0.1:7373", "127.8.9.10:1", "[::1]:7373"] {
            assert!(!plain_http_is_exposed(safe.parse().unwrap()), "{safe}");
        }
        for exposed in ["0.0.0.0:7373", "10.0.0.5:7373", "192.0.2.1:80", "[::]:7373", "[2001:db8::1]:1"] {
            assert!(plain_http_is_exposed(exposed.parse().unwrap()), "{exposed}");
        }
    }
}
