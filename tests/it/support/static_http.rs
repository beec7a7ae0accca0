//! A plain static HTTP server for the tests, on a free loopback port: it answers `GET`
//! of a path with whatever its handler gives (a folder's files, or bytes fetched from
//! elsewhere and altered), one connection at a time, `Connection: close`. It stops when
//! dropped, or by itself after a while, so no test leaves it running.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The longest the server runs.
const LIFETIME: Duration = Duration::from_secs(300);
/// The longest request head it reads.
const MAX_HEAD: usize = 8 << 10;

/// What the server answers a path with: `None` is a 404.
pub type Handler = dyn Fn(&str) -> Option<Vec<u8>> + Send + Sync;

/// A running server.
pub struct StaticHttp {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl StaticHttp {
    /// Serves what `handler` answers.
    pub fn serve(handler: Box<Handler>) -> StaticHttp {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        listener.set_nonblocking(true).expect("nonblocking");
        let url = format!("http://{}", listener.local_addr().expect("an address"));
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let deadline = Instant::now() + LIFETIME;
            while !stopped.load(Ordering::Relaxed) && Instant::now() < deadline {
                match listener.accept() {
                    Ok((conn, _)) => answer(conn, &*handler),
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        StaticHttp {
            url,
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for StaticHttp {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request head and answers it.
fn answer(mut conn: TcpStream, handler: &Handler) {
    let _ = conn.set_nonblocking(false);
    let _ = conn.set_read_timeout(Some(Duration::from_secs(10)));
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD {
        match conn.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    let head = String::from_utf8_lossy(&head);
    let mut words = head.split_whitespace();
    let (method, path) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
    let found = (method == "GET").then(|| handler(path)).flatten();
    let (status, body, kind) = match found {
        Some(body) if path == "/checkpoint" => ("200 OK", body, "text/plain; charset=utf-8"),
        Some(body) => ("200 OK", body, "application/octet-stream"),
        None => ("404 Not Found", b"not found\n".to_vec(), "text/plain"),
    };
    let _ = write!(
        conn,
        "HTTP/1.1 {status}\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = conn.write_all(&body);
}
