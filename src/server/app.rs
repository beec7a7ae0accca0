//! What every request handler shares: the ledger, the writer's progress, the limits, the
//! credentials, and whether the server is stopping.

use super::error::ApiError;
use super::metrics::Metrics;
use super::ops::RequestLog;
use pactlog::checkpoint::SigningKey;
use pactlog::{Ledger, SharedLedger, SledStore, Timestamp};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Semaphore, watch};

/// Bounds on what clients may cost.
#[derive(Clone, Debug)]
pub struct Limits {
    /// The largest request body, in bytes (413 beyond).
    pub max_body: usize,
    /// Connections served at once; more wait in the kernel's queue.
    pub max_connections: usize,
    /// Subscribers following `/api/records` at once (503 beyond).
    pub max_subscribers: usize,
    /// Imports running or waiting for the writer at once (503 beyond).
    pub max_imports: usize,
    /// The longest a request (other than a subscription) may take, body included.
    pub request_timeout: Duration,
    /// The longest a client may take to send a request's headers, or stay idle between
    /// requests on one connection.
    pub header_timeout: Duration,
    /// How long requests in flight may take to finish once the server is told to stop.
    pub grace: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_body: 64 << 20,
            max_connections: 1024,
            max_subscribers: 256,
            max_imports: 4,
            request_timeout: Duration::from_secs(60),
            header_timeout: Duration::from_secs(10),
            grace: Duration::from_secs(10),
        }
    }
}

/// The time appends are recorded at.
pub type Clock = fn() -> Result<Timestamp, String>;

/// The server's shared state.
pub struct App {
    /// The ledger: views for readers, one writer at a time.
    pub ledger: SharedLedger<SledStore>,
    /// Records durable so far (grows during an import, batch by batch): what
    /// subscriptions may send.
    pub durable: watch::Sender<u64>,
    /// The bearer token imports need; `None`: the server is read-only.
    pub token: Option<Vec<u8>>,
    /// The key `/checkpoint` is signed with.
    pub key: Option<SigningKey>,
    pub limits: Limits,
    pub metrics: Metrics,
    pub log: RequestLog,
    /// Set once the server is told to stop.
    pub stopping: watch::Sender<bool>,
    pub imports: Semaphore,
    pub subscribers: Arc<Semaphore>,
    pub clock: Clock,
    /// The witness of `POST /add-checkpoint`, when the server runs one.
    pub witness: Option<Arc<super::witness::Witness>>,
}

impl App {
    /// The state for a server over `ledger`.
    pub fn new(
        ledger: Ledger<SledStore>,
        token: Option<Vec<u8>>,
        key: Option<SigningKey>,
        limits: Limits,
        clock: Clock,
    ) -> App {
        let size = ledger.size();
        App {
            ledger: SharedLedger::new(ledger),
            durable: watch::Sender::new(size),
            token,
            key,
            metrics: Metrics::default(),
            log: RequestLog::start(),
            stopping: watch::Sender::new(false),
            imports: Semaphore::new(limits.max_imports),
            subscribers: Arc::new(Semaphore::new(limits.max_subscribers)),
            limits,
            clock,
            witness: None,
        }
    }

    /// Whether the server is stopping.
    pub fn is_stopping(&self) -> bool {
        *self.stopping.borrow()
    }
}

/// Runs `work` on a thread for blocking work (the library is synchronous): the ledger
/// is read from disk there, not on the threads that serve connections.
///
/// # Errors
/// Those of `work`; 500 if it panicked.
pub async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| ApiError::internal(format!("the request's work failed: {e}")))?
}
