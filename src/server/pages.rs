//! The HTML pages (`crate::web`) over HTTP: `/`, `/pair/{a}/{b}`, `/event/{id}`,
//! `/party/{id}`, `/conflicts` and the embedded style sheet. Each page comes from the
//! same library calls as the API and the CLI, from a view of the ledger, tagged with the
//! prefix its receipt names. A request the pages cannot answer gets an HTML page that
//! says why, with the status the API would give (400 for a bad day, 404 for an unknown
//! party or event), never a bare JSON body in a browser.

use super::answer::{etag, not_modified, unchanged, with_type};
use super::app::{App, blocking};
use super::error::ApiError;
use super::params::{Params, party};
use crate::web::links::{Axes, Links};
use crate::web::{self, html, pages};
use axum::Router;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use pactlog::model::{Day, EventId, PartyId};
use pactlog::{Ledger, Query, Select, SledStore};
use std::sync::Arc;

const HTML: &str = "text/html; charset=utf-8";

/// An [`ApiError`] answered as an HTML page.
pub struct PageError(ApiError);

impl From<ApiError> for PageError {
    fn from(e: ApiError) -> Self {
        PageError(e)
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let status = self.0.status();
        let reason = status.canonical_reason().unwrap_or("Error");
        let body = format!(
            "<h1>{reason}</h1>\n<p class=\"error\">{}</p>\n<p><a href=\"/\">All relationships</a></p>\n",
            html::esc(self.0.message())
        );
        let page = html::page(&Links::Server, reason, &body);
        let mut r = (status, page).into_response();
        r.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
        r
    }
}

/// The routes of the pages, for the server's router.
pub fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/", get(index))
        .route("/pair/{a}/{b}", get(pair))
        .route("/event/{id}", get(event))
        .route("/party/{id}", get(party_page))
        .route("/conflicts", get(conflicts))
        .route("/assets/style.css", get(style))
}

/// A day from a form field: empty means not given.
fn form_day(p: &Params, name: &str) -> Result<Option<Day>, ApiError> {
    match p.get(name) {
        None | Some("") => Ok(None),
        Some(v) => Day::parse(v)
            .map(Some)
            .map_err(|e| ApiError::bad_request(format!("{name}: {e}"))),
    }
}

/// The page's axes: `as_of` (today, by the server's clock, when not given) and
/// `known_at`.
fn axes(app: &App, p: &Params) -> Result<(Query, Axes), ApiError> {
    let as_of = match form_day(p, "as_of")? {
        Some(d) => d,
        None => web::day_of((app.clock)().map_err(ApiError::internal)?),
    };
    let known_at = form_day(p, "known_at")?;
    let query = Query {
        as_of,
        known_at,
        at_size: None,
    };
    Ok((
        query,
        Axes {
            as_of: Some(as_of),
            known_at,
        },
    ))
}

/// Runs `render` on a view on a blocking thread, answering 304 when the client holds
/// the page of this ledger prefix already. A page's bytes depend only on the prefix, the
/// newest checkpoint's size, its URL and `day` (the day it is for when the URL names
/// none), so the tag names them all.
async fn page_with(
    app: Arc<App>,
    headers: HeaderMap,
    day: Option<Day>,
    render: impl FnOnce(&Ledger<SledStore>) -> Result<String, ApiError> + Send + 'static,
) -> Result<Response, ApiError> {
    let view = app.ledger.view();
    blocking(move || {
        let prefix = etag(view.size(), &view.head());
        // Event pages link a proof once a checkpoint covers them: the checkpoint's size
        // is part of what the page says.
        let signed = view.latest_checkpoint()?.map_or(0, |c| c.size);
        let prefix = prefix.trim_end_matches('"');
        let tag = match day {
            Some(d) => format!("{prefix}-{d}-c{signed}\""),
            None => format!("{prefix}-c{signed}\""),
        };
        if not_modified(&headers, &tag) {
            return Ok(unchanged(&tag));
        }
        let body = render(&view)?;
        Ok(with_type(HTML, body, Some(&tag)))
    })
    .await
}

/// `GET /?as_of=&q=`: every relationship, busiest first.
async fn index(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::parse(raw.as_deref(), &["as_of", "q"])?;
    let (query, _) = axes(&app, &p)?;
    page_with(app, headers, Some(query.as_of), move |view| {
        let state = view.state(query, &Select::All)?;
        let q = p.get("q").filter(|q| !q.trim().is_empty());
        Ok(pages::index_page(
            &Links::Server,
            &state,
            view.parties()?,
            q,
        ))
    })
    .await
    .map_err(PageError)
}

/// `GET /pair/{a}/{b}?as_of=&known_at=`: the timeline of a relationship.
async fn pair(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path((a, b)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::parse(raw.as_deref(), &["as_of", "known_at"])?;
    let (query, axes) = axes(&app, &p)?;
    page_with(app, headers, Some(query.as_of), move |view| {
        let (a, b) = (party(view, &a)?, party(view, &b)?);
        let answer = view.timeline(query, &a, &b)?;
        Ok(pages::pair_page(
            &Links::Server,
            &axes,
            &answer,
            view.parties()?,
        ))
    })
    .await
    .map_err(PageError)
}

/// `GET /event/{id}`: one event, its record and its corrections.
async fn event(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, PageError> {
    let id = EventId::new(&id).map_err(|e| ApiError::bad_request(e.to_string()))?;
    page_with(app, headers, None, move |view| {
        let not_found = || ApiError::not_found(format!("no event {id} in the ledger"));
        let seq = view.event_seq(&id)?.ok_or_else(not_found)?;
        let raw = view.raw(seq)?.ok_or_else(not_found)?;
        let record = raw.decode()?;
        let e = view.event_at(seq)?;
        let superseded_by = superseded_by(view, &e)?;
        let covered = view.latest_checkpoint()?.map_or(0, |c| c.size);
        let facts = pages::EventRecord {
            seq,
            hash: &raw.hash,
            recorded_at: &record.recorded_at,
            superseded_by: &superseded_by,
            provable: seq.get() < covered,
        };
        Ok(pages::event_page(
            &Links::Server,
            &e,
            &facts,
            view.parties()?,
        ))
    })
    .await
    .map_err(PageError)
}

/// The events that name `e` in `supersedes` (they share its parties, so its first
/// party's log holds them).
fn superseded_by(
    view: &Ledger<SledStore>,
    e: &pactlog::model::Event,
) -> Result<Vec<EventId>, ApiError> {
    let Some(first) = e.parties.first() else {
        return Ok(Vec::new());
    };
    Ok(view
        .log(&Select::Party(first.clone()))?
        .into_iter()
        .filter(|l| l.event.supersedes.as_ref() == Some(&e.id))
        .map(|l| l.event.id)
        .collect())
}

/// `GET /party/{id}?as_of=`: every relationship of a party.
async fn party_page(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::parse(raw.as_deref(), &["as_of"])?;
    let (query, _) = axes(&app, &p)?;
    page_with(app, headers, Some(query.as_of), move |view| {
        let id: PartyId = party(view, &id)?;
        let state = view.state(query, &Select::Party(id.clone()))?;
        let parties = view.parties()?;
        let entry = parties
            .get(&id)
            .ok_or_else(|| ApiError::not_found(format!("no party {id}")))?;
        let own = pages::own_events(view.log(&Select::Party(id.clone()))?);
        Ok(pages::party_page(
            &Links::Server,
            entry,
            &state,
            &own,
            parties,
        ))
    })
    .await
    .map_err(PageError)
}

/// `GET /conflicts?as_of=`: the conflicts on a day.
async fn conflicts(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, PageError> {
    let p = Params::parse(raw.as_deref(), &["as_of"])?;
    let (query, _) = axes(&app, &p)?;
    page_with(app, headers, Some(query.as_of), move |view| {
        let answer = view.conflicts(query, &Select::All)?;
        Ok(pages::conflicts_page(&Links::Server, &answer))
    })
    .await
    .map_err(PageError)
}

/// `GET /assets/style.css`: the embedded style sheet.
async fn style() -> Response {
    let mut r = web::STYLE.into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/css; charset=utf-8"),
    );
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    r
}
