//! Connections: accepted while a slot is free (at most `max_connections` at once; the
//! rest wait in the kernel's queue), each served over HTTP/1.1 with a deadline for its
//! request headers (which also ends connections left idle), a bound on header size, and
//! a graceful end: once told to stop, no new connection is taken, idle ones are closed,
//! and requests in flight get the grace period to finish.

use super::app::App;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::io::Write;
use std::sync::Arc;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// The most a request's line and headers may take (431 beyond), and how many headers.
const MAX_HEADER_BYTES: usize = 64 << 10;
const MAX_HEADERS: usize = 100;

/// Serves `router` on `listener` until `stop` completes, then shuts down gracefully.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    app: Arc<App>,
    stop: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(app.limits.max_connections));
    let mut stop = std::pin::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = Arc::clone(&slots).acquire_owned() => match permit {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut stop => break,
        };
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    let _ = writeln!(std::io::stderr(), "accept failed: {e}");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let mut builder = http1::Builder::new();
        builder
            .timer(TokioTimer::new())
            .header_read_timeout(app.limits.header_timeout)
            .max_header_size(MAX_HEADER_BYTES)
            .max_headers(MAX_HEADERS)
            .keep_alive(true);
        let conn = builder.serve_connection(
            TokioIo::new(stream),
            TowerToHyperService::new(router.clone()),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection that fails (reset, timed out) concerns that client only.
            let _ = conn.await;
            drop(permit);
        });
    }
    // New connections are refused from now on, rather than left waiting in the queue.
    drop(listener);
    app.stopping.send_replace(true);
    let grace = app.limits.grace;
    if tokio::time::timeout(grace, graceful.shutdown())
        .await
        .is_err()
    {
        let _ = writeln!(
            std::io::stderr(),
            "stopping: requests still in flight after {}s were cut off",
            grace.as_secs()
        );
    }
}
