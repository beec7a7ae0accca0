//! Successful answers: a body in one format, with the validator (`ETag`) that lets
//! caches and dashboards poll cheaply.
//!
//! An answer's ETag names the ledger prefix it was computed from: the size and chain
//! head of its receipt (of the record, for one event). The same URL over the same
//! prefix gives the same bytes, so a client that sends the ETag back in
//! `If-None-Match` gets `304 Not Modified` until the ledger grows.

use crate::view::Format;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactlog::ChainHash;

/// The ETag of an answer over the first `size` records, whose last has chain hash `head`.
pub fn etag(size: u64, head: &ChainHash) -> String {
    format!("\"{size}-{}\"", &head.to_hex()[..32])
}

/// Whether the request's `If-None-Match` names `etag` (or `*`).
pub fn not_modified(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// `304 Not Modified` for `etag`.
pub fn unchanged(etag: &str) -> Response {
    let mut r = StatusCode::NOT_MODIFIED.into_response();
    set(&mut r, header::ETAG, etag);
    r
}

/// `200` with `body` in `format`, tagged `etag`.
pub fn ok(format: Format, body: String, etag: &str) -> Response {
    with_type(format.content_type(), body, Some(etag))
}

/// `200` with `body` of media type `content_type`, tagged when `etag` is given.
pub fn with_type(content_type: &'static str, body: String, etag: Option<&str>) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Some(etag) = etag {
        set(&mut r, header::ETAG, etag);
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    }
    r
}

fn set(r: &mut Response, name: header::HeaderName, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        r.headers_mut().insert(name, v);
    }
}
