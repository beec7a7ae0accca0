//! `pactlog serve`: the ledger over HTTP, for many readers at once and one writer.
//!
//! The only async code in pactlog. It is a layer over the same library calls and the
//! same renderings (`crate::view`) as the CLI, so a query gives the same bytes in a
//! terminal and over HTTP. Readers answer from views of the ledger
//! ([`pactlog::SharedLedger`]) and never wait for the writer; imports take turns on the
//! one write path. Every handler's blocking work runs on tokio's blocking threads.
//!
//! - `api`: `state`, `conflicts`, `diff`, `log`, events, head; `proofs`: proof files;
//! - `import`: writes; `records`: subscriptions;
//! - `tiles`: the C2SP tlog-tiles read API; `pages`: the HTML pages (`crate::web`);
//! - `witness`: `POST /add-checkpoint`, the C2SP tlog-witness endpoint (with
//!   `--witness-key-file` and `--witness-state`);
//! - `ops`: health, metrics, the request log; `conn`: connections, limits, shutdown;
//! - `params`: query strings; `answer` and `error`: responses.
//!
//! The API reference is docs/server.md and `/api/openapi.json`.

mod answer;
mod api;
mod app;
mod conn;
mod error;
mod import;
mod marker;
mod metrics;
mod ops;
mod pages;
mod params;
mod proofs;
mod records;
mod tiles;
pub mod witness;

pub use app::{Clock, Limits};
pub use marker::serving_at;

use app::App;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use error::ApiError;
use pactlog::checkpoint::SigningKey;
use pactlog::{Ledger, SledStore};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::timeout::TimeoutLayer;

/// What `pactlog serve` was asked for.
pub struct Config {
    /// Where to listen.
    pub addr: SocketAddr,
    /// The store folder (the server leaves its address there while it runs).
    pub store: PathBuf,
    /// The bearer token for imports; `None`: read-only.
    pub token: Option<Vec<u8>>,
    /// The key checkpoints are signed with.
    pub key: Option<SigningKey>,
    /// The witness `POST /add-checkpoint` runs; `None`: no such route.
    pub witness: Option<witness::Witness>,
    pub limits: Limits,
    pub clock: Clock,
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// The address cannot be listened on.
    #[error("cannot listen on {addr}: {detail}")]
    Listen { addr: SocketAddr, detail: String },
    /// The runtime, the store folder or the first checkpoint failed.
    #[error("{0}")]
    Start(String),
}

/// Serves `ledger` until SIGINT or SIGTERM; `listening` is told the address once the
/// server accepts connections.
///
/// # Errors
/// [`ServeError`] when it cannot start.
pub fn run(
    config: Config,
    ledger: Ledger<SledStore>,
    listening: impl FnOnce(SocketAddr),
) -> Result<(), ServeError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(64)
        .build()
        .map_err(|e| ServeError::Start(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.addr)
            .await
            .map_err(|e| ServeError::Listen {
                addr: config.addr,
                detail: e.to_string(),
            })?;
        let local = listener.local_addr().map_err(|e| ServeError::Listen {
            addr: config.addr,
            detail: e.to_string(),
        })?;
        let marker = marker::Marker::create(&config.store, local).map_err(ServeError::Start)?;
        let mut app = App::new(
            ledger,
            config.token,
            config.key,
            config.limits,
            config.clock,
        );
        app.witness = config.witness.map(Arc::new);
        let app = Arc::new(app);
        sign_current(&app).await?;
        listening(local);
        conn::serve(listener, router(Arc::clone(&app)), app, stop_signal()).await;
        drop(marker);
        Ok(())
    })
}

/// Signs a checkpoint of the ledger as it is, when the server has a key and the newest
/// checkpoint is older: `/checkpoint` and proofs then cover every record.
async fn sign_current(app: &Arc<App>) -> Result<(), ServeError> {
    let app = Arc::clone(app);
    app::blocking(move || {
        let Some(key) = &app.key else { return Ok(()) };
        app.ledger.write(|ledger| {
            let latest = ledger.latest_checkpoint()?.map(|c| c.size);
            if ledger.size() > 0 && latest != Some(ledger.size()) {
                ledger
                    .sign_checkpoint(key)
                    .map_err(|e| ApiError::internal(format!("cannot sign a checkpoint: {e}")))?;
            }
            Ok(())
        })
    })
    .await
    .map_err(|e| ServeError::Start(format!("{e:?}")))
}

/// Every route, behind the request log and, but for subscriptions, the request timeout.
fn router(app: Arc<App>) -> Router {
    let limits = app.limits.clone();
    let mut timed = Router::new()
        .route("/api/state", get(api::state))
        .route("/api/conflicts", get(api::conflicts))
        .route("/api/diff", get(api::diff))
        .route("/api/log", get(api::log))
        .route("/api/events/{id}", get(api::event))
        .route("/api/head", get(api::head))
        .route("/api/proof/inclusion/{id}", get(proofs::inclusion))
        .route("/api/proof/consistency", get(proofs::consistency))
        .route("/api/import", post(import::import))
        .route("/api/openapi.json", get(openapi))
        .route("/checkpoint", get(tiles::checkpoint))
        .route("/tile/{*path}", get(tiles::tile))
        .route("/healthz", get(ops::healthz))
        .route("/metrics", get(ops::metrics))
        .merge(pages::routes());
    if app.witness.is_some() {
        timed = timed.route("/add-checkpoint", post(witness::add_checkpoint));
    }
    let timed = timed.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        limits.request_timeout,
    ));
    Router::new()
        .route("/api/records", get(records::records))
        .merge(timed)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(limits.max_body))
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&app),
            ops::observe,
        ))
        .with_state(app)
}

/// `GET /api/openapi.json`: the machine-readable description of this API.
async fn openapi() -> Response {
    let mut r = include_str!("openapi.json").into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

async fn not_found() -> ApiError {
    ApiError::not_found("no such route (GET /api/openapi.json lists them)")
}

/// Completes on SIGINT or SIGTERM.
async fn stop_signal() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = interrupt => {},
                    _ = term.recv() => {},
                }
            }
            Err(_) => {
                let _ = interrupt.await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = interrupt.await;
    }
}
