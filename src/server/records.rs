//! Subscriptions: `GET /api/records?from=N` sends every record from `N` on, in the export
//! format (one JSON line per record, as `pactlog export` writes), then each new record as
//! it becomes durable, until the client leaves or the server stops. With
//! `Accept: text/event-stream` the same lines come as server-sent events whose `id` is
//! the record's seq, so an `EventSource` resumes where it stopped (`Last-Event-ID`).
//!
//! A subscription sends only durable records, each once, in order: a follower's copy is
//! a prefix of the ledger, and a chain it can check. The body is produced as the client
//! reads it, a bounded batch at a time, so a slow reader holds one batch, never a
//! backlog; the number of subscribers is bounded.

use super::app::{App, blocking};
use super::error::ApiError;
use super::params::Params;
use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use pactlog::Seq;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::OwnedSemaphorePermit;

/// Records read and sent at a time.
const BATCH: u64 = 256;
/// Comment lines keep an idle event stream open through proxies.
const KEEPALIVE: Duration = Duration::from_secs(15);

/// How records are framed.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Framing {
    Lines,
    Events,
}

/// One subscription's place in the ledger.
struct Follow {
    app: Arc<App>,
    next: u64,
    framing: Framing,
    durable: tokio::sync::watch::Receiver<u64>,
    stopping: tokio::sync::watch::Receiver<bool>,
    _permit: OwnedSemaphorePermit,
}

/// `GET /api/records?from=N`.
pub async fn records(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let p = Params::parse(raw.as_deref(), &["from"])?;
    let framing = if accepts_events(&headers) {
        Framing::Events
    } else {
        Framing::Lines
    };
    let resume = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .and_then(|seq| seq.checked_add(1));
    let from = p.number("from")?.or(resume).unwrap_or(0);
    let permit = Arc::clone(&app.subscribers)
        .try_acquire_owned()
        .map_err(|_| {
            ApiError::unavailable("too many subscribers follow the log: try again later")
        })?;
    let follow = Follow {
        durable: app.durable.subscribe(),
        stopping: app.stopping.subscribe(),
        app,
        next: from,
        framing,
        _permit: permit,
    };
    let stream = futures_util::stream::unfold(follow, |mut f| async move {
        match f.step().await {
            Some(Ok(bytes)) => Some((Ok::<Bytes, std::io::Error>(bytes), f)),
            Some(Err(e)) => Some((Err(std::io::Error::other(format!("{e:?}"))), f)),
            None => None,
        }
    });
    let mut r = Body::from_stream(stream).into_response();
    let content_type = match framing {
        Framing::Lines => "application/jsonl",
        Framing::Events => "text/event-stream",
    };
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(r)
}

fn accepts_events(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.contains("text/event-stream"))
}

impl Follow {
    /// The next piece of the body: a batch of records once some are durable, a comment
    /// to keep an idle event stream open, or the end (the server is stopping).
    async fn step(&mut self) -> Option<Result<Bytes, ApiError>> {
        loop {
            if *self.stopping.borrow() {
                return None;
            }
            let durable = *self.durable.borrow_and_update();
            if self.next < durable {
                let from = self.next;
                let to = durable.min(from + BATCH);
                let app = Arc::clone(&self.app);
                let framing = self.framing;
                let batch = blocking(move || lines(&app, from, to, framing)).await;
                if batch.is_ok() {
                    self.next = to;
                }
                return Some(batch.map(Bytes::from));
            }
            tokio::select! {
                changed = self.durable.changed() => if changed.is_err() { return None },
                _ = self.stopping.changed() => {},
                () = tokio::time::sleep(KEEPALIVE), if self.framing == Framing::Events => {
                    return Some(Ok(Bytes::from_static(b": keepalive\n\n")));
                }
            }
        }
    }
}

/// Records `from..to` (all durable), framed.
fn lines(app: &App, from: u64, to: u64, framing: Framing) -> Result<String, ApiError> {
    let view = app.ledger.view();
    let mut out = String::new();
    for seq in from..to {
        // Durable records past the view's size are in the store: the writer made them
        // durable before saying so.
        let stored = view
            .raw(Seq::new(seq))?
            .ok_or_else(|| ApiError::internal(format!("record {seq} is missing")))?;
        let line = pactlog::import::export_line(&stored)?;
        match framing {
            Framing::Lines => {
                out.push_str(&line);
                out.push('\n');
            }
            Framing::Events => out.push_str(&format!("id: {seq}\ndata: {line}\n\n")),
        }
    }
    Ok(out)
}
