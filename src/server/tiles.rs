//! The C2SP tlog-tiles read API over HTTP: `GET /checkpoint`, `GET /tile/L/N[.p/W]` and
//! `GET /tile/entries/N[.p/W]`, the same bytes `pactlog publish` writes to a folder
//! (both come from `pactlog::tlog`), from a view of the ledger.
//!
//! The checkpoint is the newest one the ledger signed within the view (with `--key`, the
//! server signs one whenever an import grows the ledger) and may change at any time:
//! `Cache-Control: no-cache`. A tile of a given width is the same bytes at every tree
//! size that holds it (full tiles and partial ones alike), so tiles are `immutable`.

use super::app::{App, blocking};
use super::error::ApiError;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactlog::tlog::{TilePath, TlogError, read_tile};
use std::sync::Arc;

/// `GET /checkpoint`.
pub async fn checkpoint(State(app): State<Arc<App>>) -> Result<Response, ApiError> {
    let view = app.ledger.view();
    blocking(move || {
        let size = view.size();
        let newest = match view.latest_checkpoint()? {
            Some(c) if c.size <= size => Some(c),
            // Signed after this view was taken: the newest the view covers.
            Some(_) => view.checkpoints()?.into_iter().rfind(|c| c.size <= size),
            None => None,
        };
        let Some(c) = newest else {
            return Err(ApiError::not_found(
                "no checkpoint has been signed yet: run `pactlog checkpoint --key KEY`, or serve with --key",
            ));
        };
        let mut r = c.note.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("text/plain; charset=utf-8"),
        );
        r.headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        Ok(r)
    })
    .await
}

/// `GET /tile/{path}`: a hash tile or an entry bundle of the view's tree.
pub async fn tile(
    State(app): State<Arc<App>>,
    Path(rest): Path<String>,
) -> Result<Response, ApiError> {
    let path =
        TilePath::parse(&format!("tile/{rest}")).map_err(|e| ApiError::not_found(e.to_string()))?;
    let view = app.ledger.view();
    blocking(move || {
        let bytes = read_tile(&view, view.size(), &path).map_err(|e| match e {
            TlogError::EntryTooLarge { .. } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.to_string())
            }
            other => ApiError::internal(other.to_string()),
        })?;
        let Some(bytes) = bytes else {
            return Err(ApiError::not_found(format!(
                "the tree of {} records has no tile {}",
                view.size(),
                path
            )));
        };
        let mut r = bytes.into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/octet-stream"),
        );
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=31536000, immutable"),
        );
        Ok(r)
    })
    .await
}
