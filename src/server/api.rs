//! The query API: `state`, `conflicts`, `diff`, `log`, one event and the head, each
//! answering with exactly the bytes the CLI prints for the same options (`--json`, and
//! `format=csv` or `format=table` where the CLI has them), from a view of the ledger
//! that its receipt names.

use super::answer::{etag, not_modified, ok, unchanged, with_type};
use super::app::{App, blocking};
use super::error::ApiError;
use super::params::Params;
use crate::view::Format;
use crate::view::{csv, json, text};
use axum::extract::{Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::Response;
use pactlog::model::{Confidence, EventId};
use pactlog::{Ledger, LogFilter, SledStore};
use std::sync::Arc;

/// The ETag of an answer over the first `at_size` records (all, when `None`), or `None`
/// when that prefix is beyond the view (the query then says so).
fn prefix_etag(view: &Ledger<SledStore>, at_size: Option<u64>) -> Result<Option<String>, ApiError> {
    let size = at_size.unwrap_or(view.size());
    if size > view.size() {
        return Ok(None);
    }
    Ok(Some(etag(size, &view.head_at(size)?)))
}

/// Parses the query string once, then runs `answer` on a view of the ledger on a
/// blocking thread, answering 304 when the client holds the answer's ETag already.
async fn answer_with(
    app: Arc<App>,
    headers: HeaderMap,
    raw: Option<String>,
    allowed: &'static [&'static str],
    answer: impl FnOnce(&Ledger<SledStore>, &Params) -> Result<(Format, String), ApiError>
    + Send
    + 'static,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref(), allowed)?;
    let view = app.ledger.view();
    blocking(move || {
        let at_size = if allowed.contains(&"at_size") {
            params.number("at_size")?
        } else {
            None
        };
        let tag = prefix_etag(&view, at_size)?;
        if let Some(t) = &tag
            && not_modified(&headers, t)
        {
            return Ok(unchanged(t));
        }
        let (format, body) = answer(&view, &params)?;
        Ok(match &tag {
            Some(t) => ok(format, body, t),
            None => with_type(format.content_type(), body, None),
        })
    })
    .await
}

/// `GET /api/state`: `pactlog state`.
pub async fn state(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    const ALLOWED: &[&str] = &["as_of", "known_at", "at_size", "pair", "party", "format"];
    answer_with(app, headers, raw, ALLOWED, |view, p| {
        let format = p.format(&[Format::Json, Format::Csv, Format::Table])?;
        let query = p.axes()?;
        let answer = view.state(query, &p.select(view)?)?;
        let body = match format {
            Format::Json => json::json_text(&json::state_json(&answer)) + "\n",
            Format::Csv => csv::state_csv(&answer),
            Format::Table => text::state_text(&answer),
        };
        Ok((format, body))
    })
    .await
}

/// `GET /api/conflicts`: `pactlog conflicts`.
pub async fn conflicts(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    const ALLOWED: &[&str] = &["as_of", "known_at", "at_size", "pair", "party", "format"];
    answer_with(app, headers, raw, ALLOWED, |view, p| {
        let format = p.format(&[Format::Json, Format::Table])?;
        let query = p.axes()?;
        let answer = view.conflicts(query, &p.select(view)?)?;
        let body = match format {
            Format::Table => text::conflicts_text(&answer),
            _ => json::json_text(&json::conflicts_json(&answer)) + "\n",
        };
        Ok((format, body))
    })
    .await
}

/// `GET /api/diff`: `pactlog diff`.
pub async fn diff(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    const ALLOWED: &[&str] = &["from", "to", "pair", "party", "format"];
    answer_with(app, headers, raw, ALLOWED, |view, p| {
        let format = p.format(&[Format::Json, Format::Csv, Format::Table])?;
        let (from, to) = (p.required_day("from")?, p.required_day("to")?);
        let (receipt, diff) = view.diff(from, to, &p.select(view)?)?;
        let body = match format {
            Format::Json => json::json_text(&json::diff_json(&receipt, &diff)) + "\n",
            Format::Csv => csv::diff_csv(&diff),
            Format::Table => text::diff_text(&diff),
        };
        Ok((format, body))
    })
    .await
}

/// `GET /api/log`: `pactlog log`.
pub async fn log(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    const ALLOWED: &[&str] = &[
        "pair",
        "party",
        "kind",
        "confidence",
        "since",
        "until",
        "format",
    ];
    answer_with(app, headers, raw, ALLOWED, |view, p| {
        let format = p.format(&[Format::Json, Format::Csv, Format::Table])?;
        let filter = log_filter(p)?;
        let mut events = view.log(&p.select(view)?)?;
        events.retain(|l| filter.keeps(&l.event));
        let body = match format {
            Format::Json => json::json_text(&json::log_json(&events)) + "\n",
            Format::Csv => csv::log_csv(&events),
            Format::Table if events.is_empty() => "no events\n".to_string(),
            Format::Table => text::log_table(&events),
        };
        Ok((format, body))
    })
    .await
}

/// The filters of `log` from `kind`, `confidence`, `since` and `until`.
fn log_filter(p: &Params) -> Result<LogFilter, ApiError> {
    let confidences = p
        .list("confidence")?
        .iter()
        .map(|c| {
            Confidence::parse(c).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "confidence: `{}` is not one of confirmed, reported, rumor",
                    pactlog::model::shorten(c)
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let filter = LogFilter {
        kinds: p.list("kind")?,
        confidences,
        since: p.day("since")?,
        until: p.day("until")?,
    };
    filter
        .check()
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    Ok(filter)
}

/// `GET /api/events/{id}`: `pactlog show ID --json`. Tagged with the record's hash: an
/// event's record never changes.
pub async fn event(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = EventId::new(&id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    let view = app.ledger.view();
    blocking(move || {
        let not_found = || {
            ApiError::not_found(format!(
                "no event {id} in the ledger (GET /api/log lists events)"
            ))
        };
        let seq = view.event_seq(&id)?.ok_or_else(not_found)?;
        let raw = view.raw(seq)?.ok_or_else(not_found)?;
        let tag = format!("\"{}\"", raw.hash.to_hex());
        if not_modified(&headers, &tag) {
            return Ok(unchanged(&tag));
        }
        let record = raw.decode()?;
        let e = view.event_at(seq)?;
        let body =
            json::json_text(&json::show_json(&e, seq, &raw.hash, &record.recorded_at)) + "\n";
        Ok(ok(Format::Json, body, &tag))
    })
    .await
}

/// `GET /api/head`: the receipt of the whole ledger as the server sees it.
pub async fn head(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(raw.as_deref(), &[])?;
    let view = app.ledger.view();
    blocking(move || {
        let tag = etag(view.size(), &view.head());
        if not_modified(&headers, &tag) {
            return Ok(unchanged(&tag));
        }
        let receipt = view.receipt(view.size())?;
        Ok(ok(
            Format::Json,
            json::json_text(&json::receipt_json(&receipt)) + "\n",
            &tag,
        ))
    })
    .await
}
