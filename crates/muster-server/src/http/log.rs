//! The request log, through `tracing`: one event per request (method, route template, status,
//! error code, duration — never the raw path, a query or a body, so no PHI, no user content and
//! no token), and `json_log_layer`, which writes each of the server's events as one JSON line
//! `{"code", "event", "level", "method", "ms", "route", "status", "ts_ms"}` as operators' log
//! shippers (and tests/tests/sync_e2e.rs) read it.

use std::fmt;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use serde_json::{Map, Value};
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::fmt::format::Writer;
use tracing_subscriber::fmt::{FmtContext, FormatEvent, FormatFields, MakeWriter};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use super::{now_ms, LoggedCode};

/// The target of request events (and the prefix `json_log_layer` lets through).
const REQUEST_TARGET: &str = "muster_server::request";

/// Logs each request once answered: `info` below 400, `warn` for refusals, `error` for 5xx.
pub(super) async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().to_string();
    let route = request.extensions().get::<MatchedPath>().map_or("-".to_owned(), |m| m.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    // `None` is recorded as no value, written as `null`: the field is always there.
    let code = response.extensions().get::<LoggedCode>().map(|c| c.0.as_str());
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    macro_rules! request_event {
        ($level:expr) => {
            tracing::event!(
                target: REQUEST_TARGET,
                $level,
                event = "request",
                method = method.as_str(),
                route = route.as_str(),
                status,
                code,
                ms
            )
        };
    }
    match status {
        500.. => request_event!(Level::ERROR),
        400.. => request_event!(Level::WARN),
        _ => request_event!(Level::INFO),
    }
    response
}

/// A `tracing` layer writing the server's events (target `muster_server...`, level `info` and
/// above; other crates' events are not let through) to `writer`, one JSON object per line.
/// `muster serve` installs it on stderr.
pub fn json_log_layer<S, W>(writer: W) -> impl Layer<S>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
{
    tracing_subscriber::fmt::layer()
        .event_format(JsonLine)
        .with_writer(writer)
        .with_filter(Targets::new().with_target("muster_server", Level::INFO))
}

/// One event as one JSON object: its fields (a declared field without a value is `null`),
/// `ts_ms` (Unix ms) and `level` in lower case. Keys are sorted (serde_json's map).
#[derive(Debug, Clone, Copy)]
struct JsonLine;

impl<S, N> FormatEvent<S, N> for JsonLine
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    N: for<'a> FormatFields<'a> + 'static,
{
    fn format_event(
        &self,
        _ctx: &FmtContext<'_, S, N>,
        mut writer: Writer<'_>,
        event: &Event<'_>,
    ) -> fmt::Result {
        let mut fields = Fields(Map::new());
        event.record(&mut fields);
        let mut line = fields.0;
        for field in event.metadata().fields() {
            line.entry(field.name()).or_insert(Value::Null);
        }
        line.insert("ts_ms".into(), now_ms().into());
        line.insert("level".into(), event.metadata().level().as_str().to_ascii_lowercase().into());
        writeln!(writer, "{}", Value::Object(line))
    }
}

/// Collects an event's fields as JSON values.
struct Fields(Map<String, Value>);

impl Fields {
    fn put(&mut self, field: &Field, value: Value) {
        self.0.insert(field.name().to_owned(), value);
    }
}

impl Visit for Fields {
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.put(field, value.into());
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field, value.into());
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field, value.into());
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field, value.into());
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field, value.into());
    }

    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.put(field, format!("{value:?}").into());
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use axum::body::Body;
    use tower::ServiceExt;
    use tracing_subscriber::layer::SubscriberExt;

    use super::*;
    use crate::{router_with, ServeOptions, SqliteStorage};

    /// Collects what the layer writes.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl Write for Buffer {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'w> MakeWriter<'w> for Buffer {
        type Writer = Buffer;

        fn make_writer(&'w self) -> Buffer {
            self.clone()
        }
    }

    fn requests(paths: &[(&str, &str)]) -> Vec<Value> {
        let dir = tempfile::tempdir().unwrap();
        let storage = SqliteStorage::open(&dir.path().join("server.sqlite3")).unwrap();
        let options = ServeOptions { log_requests: true, ..ServeOptions::default() };
        let router = router_with(storage, &options);
        let buffer = Buffer::default();
        let subscriber = tracing_subscriber::registry().with(json_log_layer(buffer.clone()));
        tracing::subscriber::with_default(subscriber, || {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            for (token, path) in paths {
                let request = axum::http::Request::get(*path)
                    .header("authorization", format!("Bearer {token}"))
                    .body(Body::empty())
                    .unwrap();
                rt.block_on(router.clone().oneshot(request)).unwrap();
            }
            // Not the server's: not let through.
            tracing::info!(target: "hyper", secret = "mst1_x", "a dependency's event");
        });
        let text = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    #[test]
    fn each_request_is_one_json_line_with_the_same_fields_and_no_content() {
        let incident = "0195f2a4c3d07b1e9a8f6e5d4c3b2a19";
        let lines =
            requests(&[("none", "/healthz"), ("mst1_secret", &format!("/v1/incidents/{incident}/heads"))]);
        assert_eq!(lines.len(), 2, "{lines:?}");
        let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        for line in &lines {
            assert_eq!(keys(line), ["code", "event", "level", "method", "ms", "route", "status", "ts_ms"]);
            assert_eq!(line["event"], "request");
            assert_eq!(line["method"], "GET");
            assert!(line["ms"].as_f64().unwrap() >= 0.0);
            assert!(line["ts_ms"].as_i64().unwrap() > 1_700_000_000_000);
        }
        assert_eq!(lines[0]["route"], "/healthz");
        assert_eq!(lines[0]["status"], 200);
        assert_eq!(lines[0]["level"], "info");
        assert_eq!(lines[0]["code"], Value::Null);
        assert_eq!(lines[1]["route"], "/v1/incidents/{id}/heads");
        assert_eq!(lines[1]["status"], 401);
        assert_eq!(lines[1]["level"], "warn");
        assert_eq!(lines[1]["code"], "auth.bad_session");
        let text = serde_json::to_string(&lines).unwrap();
        assert!(!text.contains(incident) && !text.contains("mst1_"), "{text}");
    }
}
