//! `POST /api/import`: event files through the one write path, with the checks and the
//! all-or-nothing rule of `pactlog import`.
//!
//! The body is one event file (`Content-Type: application/toml`, named by `?name=FILE`
//! in messages) or several (`multipart/form-data`, one part per file, named by its
//! filename). Imports need `Authorization: Bearer <token>`, compared in constant time with
//! the token file the server was started with; a server started without one is
//! read-only (403). One import writes at a time; a bounded number wait for it (503
//! beyond). Readers go on answering from their views meanwhile, and subscribers see the
//! records as each batch becomes durable.

use super::app::{App, blocking};
use super::error::ApiError;
use super::params::Params;
use crate::view::json::{import_json, json_line};
use axum::body::Bytes;
use axum::extract::{FromRequest, Multipart, RawQuery, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactlog::import::{self, MAX_FILE_BYTES, NamedText};
use std::path::PathBuf;
use std::sync::Arc;

/// The most files one request may carry.
const MAX_FILES: usize = 10_000;
/// The longest file name accepted.
const MAX_NAME_CHARS: usize = 255;

/// `POST /api/import[?name=FILE]`.
pub async fn import(
    State(app): State<Arc<App>>,
    RawQuery(raw): RawQuery,
    request: Request,
) -> Result<Response, ApiError> {
    authorize(&app, request.headers())?;
    let params = Params::parse(raw.as_deref(), &["name"])?;
    let texts = match media_type(request.headers()).as_deref() {
        Some("application/toml") => {
            let name = file_name(params.get("name").unwrap_or("request.toml"))?;
            let bytes = Bytes::from_request(request, &())
                .await
                .map_err(|e| body_error(e.status(), &e.body_text()))?;
            vec![NamedText {
                name,
                bytes: bytes.to_vec(),
            }]
        }
        Some("multipart/form-data") => {
            if params.get("name").is_some() {
                return Err(ApiError::bad_request(
                    "name: a multipart body names each file by its part's filename",
                ));
            }
            let parts = Multipart::from_request(request, &()).await.map_err(|e| {
                ApiError::bad_request(format!("not a multipart/form-data body: {}", e.body_text()))
            })?;
            files_of(parts).await?
        }
        other => {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!(
                    "Content-Type {}: send one event file as application/toml, or several as multipart/form-data",
                    other.unwrap_or("(none)")
                ),
            ));
        }
    };
    if texts.is_empty() {
        return Err(ApiError::bad_request("the request holds no event file"));
    }
    let _turn = app.imports.try_acquire().map_err(|_| {
        ApiError::unavailable("too many imports are waiting for the writer: try again later")
    })?;
    let worker = Arc::clone(&app);
    let body = blocking(move || append(&worker, texts)).await?;
    let mut r = (body + "\n").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    Ok(r)
}

/// Checks the bearer token: 403 when the server takes no imports, 401 when the token is
/// missing or wrong.
fn authorize(app: &App, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(token) = &app.token else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "this server is read-only: start it with --token-file to accept imports",
        ));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.as_bytes().strip_prefix(b"Bearer "));
    match given {
        Some(given) if constant_time_eq(given, token) => Ok(()),
        _ => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "imports need `Authorization: Bearer <token>` with the server's token",
        )),
    }
}

/// Equality whose time depends on the lengths only, not on where the bytes differ.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The media type of the body, lower-cased, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let v = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    Some(v.split(';').next()?.trim().to_ascii_lowercase())
}

/// A file name as sent, checked: not empty, not too long, no control characters.
fn file_name(name: &str) -> Result<PathBuf, ApiError> {
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(ApiError::bad_request(format!(
            "file name `{}`: 1 to {MAX_NAME_CHARS} characters, none of them control characters",
            pactlog::model::escape(&pactlog::model::shorten(name))
        )));
    }
    Ok(PathBuf::from(name))
}

/// The files of a multipart body, each part named by its filename.
async fn files_of(mut parts: Multipart) -> Result<Vec<NamedText>, ApiError> {
    let mut out = Vec::new();
    loop {
        let part = parts
            .next_field()
            .await
            .map_err(|e| ApiError::bad_request(format!("the multipart body is malformed: {e}")))?;
        let Some(part) = part else {
            return Ok(out);
        };
        if out.len() == MAX_FILES {
            return Err(ApiError::bad_request(format!(
                "more than {MAX_FILES} files in one request: send them in several"
            )));
        }
        let name = file_name(part.file_name().ok_or_else(|| {
            ApiError::bad_request("every part needs a filename (Content-Disposition: form-data; name=\"file\"; filename=\"...\")")
        })?)?;
        let bytes = part
            .bytes()
            .await
            .map_err(|e| body_error(e.status(), &e.body_text()))?;
        if bytes.len() as u64 > MAX_FILE_BYTES {
            return Err(ApiError::bad_request(format!(
                "{}: larger than {MAX_FILE_BYTES} bytes: split it into smaller files",
                name.display()
            )));
        }
        out.push(NamedText {
            name,
            bytes: bytes.to_vec(),
        });
    }
}

/// A body that could not be read: too large (413, at the server's `--max-body`), cut
/// off or malformed (400).
fn body_error(status: StatusCode, text: &str) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::new(
            status,
            format!("the body is larger than this server takes: {text}"),
        )
    } else {
        ApiError::bad_request(format!("cannot read the body: {text}"))
    }
}

/// Checks and appends `texts` on the writer's turn, signing a checkpoint of the result
/// when the server has a key; the report is what `pactlog import --json` prints.
fn append(app: &App, texts: Vec<NamedText>) -> Result<String, ApiError> {
    let at = (app.clock)().map_err(ApiError::internal)?;
    app.ledger.write(|ledger| {
        let plan = import::plan_texts(ledger, texts)?;
        let base = ledger.size();
        let report = import::apply_reporting(ledger, plan, at, |n| {
            app.durable.send_replace(base + n);
        })?;
        if let Some(key) = &app.key
            && ledger.size() > base
        {
            ledger
                .sign_checkpoint(key)
                .map_err(|e| ApiError::internal(format!("imported, but signing failed: {e}")))?;
        }
        Ok(json_line(&import_json(&report, &ledger.head())))
    })
}
