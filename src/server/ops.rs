//! Operating the server: `/healthz`, `/metrics`, and what every request goes through
//! (a 503 once the server is stopping, the request's metrics, one log line on stderr).

use super::app::App;
use super::error::ApiError;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{SyncSender, TrySendError};
use std::time::Instant;

/// Log lines waiting for standard error before new ones are dropped.
const LOG_QUEUE: usize = 4096;

/// The request log: lines go to a thread of their own that writes them to standard
/// error, so that a slow or stalled reader of stderr (a full pipe) never holds up a
/// request. When the queue is full, lines are dropped and counted (`/metrics`).
pub struct RequestLog {
    lines: Option<SyncSender<String>>,
    writer: Option<std::thread::JoinHandle<()>>,
    dropped: AtomicU64,
}

impl RequestLog {
    /// Starts the writing thread.
    pub fn start() -> RequestLog {
        let (lines, queue) = std::sync::mpsc::sync_channel::<String>(LOG_QUEUE);
        let writer = std::thread::spawn(move || {
            let mut err = std::io::stderr();
            for line in queue {
                // A closed stderr must not stop the server: the line is lost.
                let _ = err.write_all(line.as_bytes());
            }
        });
        RequestLog {
            lines: Some(lines),
            writer: Some(writer),
            dropped: AtomicU64::new(0),
        }
    }

    /// Queues `line` (with its line end), or counts it as dropped.
    pub fn write(&self, line: String) {
        let sent = self.lines.as_ref().map(|l| l.try_send(line));
        if let Some(Err(TrySendError::Full(_) | TrySendError::Disconnected(_))) = sent {
            self.dropped.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Lines dropped so far.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

impl Drop for RequestLog {
    /// Writes out what is queued before the server exits.
    fn drop(&mut self) {
        self.lines.take();
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

/// `GET /healthz`: `ready` (200) while serving, `stopping` (503) once told to stop.
pub async fn healthz(State(app): State<Arc<App>>) -> Response {
    let (status, body) = if app.is_stopping() {
        (StatusCode::SERVICE_UNAVAILABLE, "stopping\n")
    } else {
        (StatusCode::OK, "ready\n")
    };
    let mut r = (status, body).into_response();
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /metrics`: Prometheus text.
pub async fn metrics(State(app): State<Arc<App>>) -> Response {
    let size = app.ledger.view().size();
    let subscribers = app.limits.max_subscribers - app.subscribers.available_permits();
    let mut r = app
        .metrics
        .render(size, subscribers, app.log.dropped())
        .into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    r
}

/// Every request: refused with 503 while stopping (but `/healthz`), then counted and
/// logged as `METHOD PATH STATUS TIMEms` (the path escaped; no header, so never a
/// token).
pub async fn observe(
    State(app): State<Arc<App>>,
    matched: Option<MatchedPath>,
    request: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let route = matched.map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = request.method().clone();
    let path = pactlog::model::escape(request.uri().path()).into_owned();
    let response = if app.is_stopping() && route != "/healthz" {
        ApiError::unavailable("the server is stopping").into_response()
    } else {
        next.run(request).await
    };
    let took = start.elapsed();
    let status = response.status().as_u16();
    app.metrics.record(&route, status, took);
    app.log.write(format!(
        "{method} {path} {status} {:.1}ms\n",
        took.as_secs_f64() * 1000.0
    ));
    response
}
