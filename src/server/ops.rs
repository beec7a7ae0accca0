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
use std::time::Instant;

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
    let mut r = app.metrics.render(size, subscribers).into_response();
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
    // A closed stderr must not stop the server.
    let _ = writeln!(
        std::io::stderr(),
        "{method} {path} {status} {:.1}ms",
        took.as_secs_f64() * 1000.0
    );
    response
}
