//! `POST /add-checkpoint`: the C2SP tlog-witness endpoint, mounted when `pactlog serve`
//! is given a witness key and state folder. The checks and the record are the
//! library's (`pactlog::cosigner::WitnessState`, the same the CLI's `witness cosign`
//! runs), on a blocking thread; this layer bounds the body and maps a refusal to the
//! spec's status code, a 409 answering the witness's size as `text/x.tlog.size`.

use super::app::{App, blocking};
use super::error::ApiError;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use pactlog::checkpoint::Cosigner;
use pactlog::cosigner::{
    AddCheckpoint, CosignerError, MAX_REQUEST_BYTES, SIZE_MEDIA_TYPE, WitnessState, conflict_body,
};
use std::sync::Arc;

/// The witness a server runs: its state folder and its key.
pub struct Witness {
    pub state: WitnessState,
    pub cosigner: Cosigner,
}

/// `POST /add-checkpoint`.
pub async fn add_checkpoint(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    match answer(app, &headers, body).await {
        Ok(r) | Err(r) => r,
    }
}

async fn answer(app: Arc<App>, headers: &HeaderMap, body: Body) -> Result<Response, Response> {
    let Some(witness) = app.witness.clone() else {
        return Err(ApiError::not_found("this server runs no witness").into_response());
    };
    let too_large = |why: String| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "{why}: an add-checkpoint body is at most 63 proof lines and one checkpoint \
                 note, {MAX_REQUEST_BYTES} bytes"
            ),
        )
        .into_response()
    };
    // A declared length over the limit is refused before any of the body is read.
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > MAX_REQUEST_BYTES as u64) {
        return Err(too_large(format!("the request body is {n} bytes")));
    }
    let bytes = axum::body::to_bytes(body, MAX_REQUEST_BYTES)
        .await
        .map_err(|e| too_large(format!("the request body cannot be read ({e})")))?;
    let text = String::from_utf8(bytes.to_vec())
        .map_err(|_| ApiError::bad_request("the request body is not UTF-8 text").into_response())?;
    let request = AddCheckpoint::parse(&text).map_err(refusal)?;
    let now = (app.clock)().map_err(|e| ApiError::internal(e).into_response())?;
    let timestamp = u64::try_from(now.unix()).map_err(|_| {
        ApiError::internal(format!("the clock says {now}, before 1970")).into_response()
    })?;
    let result = blocking(move || {
        Ok(witness
            .state
            .add_checkpoint(&request, &witness.cosigner, timestamp))
    })
    .await
    .map_err(IntoResponse::into_response)?;
    let line = result.map_err(refusal)?;
    let mut r = line.to_line().into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    Ok(r)
}

/// A refusal with the spec's status; a 409's body is the witness's size.
fn refusal(e: CosignerError) -> Response {
    let status = StatusCode::from_u16(e.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let CosignerError::Conflict { size, .. } = &e {
        let mut r = (status, conflict_body(*size)).into_response();
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(SIZE_MEDIA_TYPE),
        );
        return r;
    }
    ApiError::new(status, e.to_string()).into_response()
}
