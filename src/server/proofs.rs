//! Proofs over HTTP: the files `pactlog proof inclusion` and `pactlog proof consistency`
//! print, from a view of the ledger.

use super::answer::{etag, not_modified, ok, unchanged, with_type};
use super::app::{App, blocking};
use super::error::ApiError;
use super::params::Params;
use crate::view::Format;
use crate::view::{json, text};
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use pactlog::AuditError;
use std::sync::Arc;

/// Maps an error of proving: what the ledger cannot prove is the client's to fix (no
/// checkpoint yet: 409), storage failures are 500.
fn proof_error(e: AuditError) -> ApiError {
    match e {
        e if e.is_verification_failure() => ApiError::internal(e.to_string()),
        AuditError::Ledger(_) | AuditError::Merkle(_) => ApiError::internal(e.to_string()),
        AuditError::Unavailable(_) => ApiError::new(StatusCode::CONFLICT, e.to_string()),
        other => ApiError::bad_request(other.to_string()),
    }
}

/// `GET /api/proof/inclusion/{id}`: the C2SP tlog-proof of the event or party `id`
/// against the newest signed checkpoint.
pub async fn inclusion(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let view = app.ledger.view();
    blocking(move || {
        let seq = view
            .seq_of_id(&id)?
            .ok_or_else(|| ApiError::not_found(format!("no event or party {id} in the ledger")))?;
        let checkpoint = view.latest_checkpoint()?;
        let tag = checkpoint.as_ref().map(|c| {
            format!(
                "\"{seq}-{}-{}\"",
                c.size,
                blake3::hash(c.note.as_bytes()).to_hex()
            )
        });
        if let Some(t) = &tag
            && not_modified(&headers, t)
        {
            return Ok(unchanged(t));
        }
        let proof = view.inclusion_proof(seq).map_err(proof_error)?;
        Ok(with_type(
            "text/plain; charset=utf-8",
            proof.to_text(),
            tag.as_deref(),
        ))
    })
    .await
}

/// `GET /api/proof/consistency?old=&new=[&format=json]`: that the ledger at size `old`
/// is a prefix of the ledger at size `new`.
pub async fn consistency(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["old", "new", "format"])?;
    let format = p.format(&[Format::Json, Format::Table])?;
    let required = |name| {
        p.number(name)?
            .ok_or_else(|| ApiError::bad_request(format!("query parameter `{name}` is required")))
    };
    let (old, new) = (required("old")?, required("new")?);
    if old > new {
        return Err(ApiError::bad_request(format!(
            "old ({old}) must not be larger than new ({new})"
        )));
    }
    let view = app.ledger.view();
    blocking(move || {
        if new > view.size() {
            return Err(ApiError::bad_request(format!(
                "new ({new}) is larger than the ledger ({} records)",
                view.size()
            )));
        }
        let tag = etag(new, &view.head_at(new)?) + &format!("-{old}");
        if not_modified(&headers, &tag) {
            return Ok(unchanged(&tag));
        }
        let (old_root, new_root, proof) = view.consistency(old, new).map_err(proof_error)?;
        let (o, n) = ((old, &old_root), (new, &new_root));
        let body = match format {
            Format::Json => json::json_text(&json::consistency_json(o, n, &proof)) + "\n",
            _ => text::consistency_text(o, n, &proof),
        };
        Ok(ok(format, body, &tag))
    })
    .await
}
