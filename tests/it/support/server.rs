//! `pactlog serve` as its clients meet it: started on a free loopback port, spoken to
//! over HTTP, stopped with a signal. Every wait is bounded.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// The longest a test waits for the server to start or stop.
const PATIENCE: Duration = Duration::from_secs(60);

/// A running server, killed if the test ends without stopping it.
pub struct Server {
    child: Option<Child>,
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    agent: ureq::Agent,
    /// What the server wrote to stderr (its request log), read as it comes: a server
    /// whose stderr is not read must still answer, but tests read it.
    stderr: Option<std::thread::JoinHandle<String>>,
}

/// An answer: status, headers (lower-case names), body.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    /// Starts `pactlog --store STORE serve --addr 127.0.0.1:0 ARGS...` and waits for its
    /// `listening on` line.
    pub fn start(store: &Path, args: &[&str]) -> Server {
        Server::start_in(Path::new("."), store, args)
    }

    /// [`Server::start`] in the working folder `dir`, where relative paths in `args` are.
    pub fn start_in(dir: &Path, store: &Path, args: &[&str]) -> Server {
        let bin = assert_cmd::cargo::cargo_bin("pactlog");
        let mut child = std::process::Command::new(bin)
            .current_dir(dir)
            .arg("--store")
            .arg(store)
            .args(["serve", "--addr", "127.0.0.1:0"])
            .args(args)
            .env("PACTLOG_NOW", super::NOW)
            .env_remove("PACTLOG_STORE")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start pactlog serve");
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(PATIENCE).unwrap_or_default();
        let mut pipe = child.stderr.take().expect("piped stderr");
        let stderr = Some(std::thread::spawn(move || {
            let mut err = String::new();
            let _ = pipe.read_to_string(&mut err);
            err
        }));
        let Some(url) = line.trim().strip_prefix("listening on ") else {
            let _ = child.kill();
            let _ = child.wait();
            let err = stderr.and_then(|e| e.join().ok()).unwrap_or_default();
            panic!("pactlog serve did not start: {line:?}\n{err}");
        };
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(PATIENCE))
            .max_redirects(0)
            .build()
            .into();
        Server {
            url: url.to_string(),
            child: Some(child),
            agent,
            stderr,
        }
    }

    /// The server's address (`127.0.0.1:PORT`).
    pub fn addr(&self) -> String {
        self.url.trim_start_matches("http://").to_string()
    }

    /// `GET path` (with its query string).
    pub fn get(&self, path: &str) -> Answer {
        self.get_with(path, &[])
    }

    /// `GET path` with extra request headers.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut req = self.agent.get(format!("{}{path}", self.url));
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        answer(req.call().expect("the server answers"))
    }

    /// `POST path` with `body` of `content_type` and extra headers.
    pub fn post(
        &self,
        path: &str,
        content_type: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Answer {
        let mut req = self
            .agent
            .post(format!("{}{path}", self.url))
            .header("content-type", content_type);
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        answer(req.send(body).expect("the server answers"))
    }

    /// Sends `raw` bytes as they are and returns what comes back before the server
    /// closes the connection or `wait` passes.
    pub fn raw(&self, raw: &[u8], wait: Duration) -> Vec<u8> {
        let mut s = TcpStream::connect(self.addr()).expect("connect");
        s.set_read_timeout(Some(wait)).expect("timeout");
        let _ = s.write_all(raw);
        let mut out = Vec::new();
        let deadline = Instant::now() + wait;
        let mut buf = [0u8; 8192];
        while Instant::now() < deadline {
            match s.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => out.extend_from_slice(&buf[..n]),
            }
        }
        out
    }

    /// The process id, for signals.
    pub fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends `signal` (`INT`, `TERM`) and waits for the server to exit; returns its exit
    /// status and its stderr.
    pub fn stop_with(mut self, signal: &str) -> (ExitStatus, String) {
        let status = std::process::Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.pid().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{signal}");
        let mut child = self.child.take().expect("running");
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status;
            }
            if Instant::now() > deadline {
                let _ = child.kill();
                panic!("pactlog serve did not stop within {PATIENCE:?} of SIGINT/SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let err = self
            .stderr
            .take()
            .and_then(|e| e.join().ok())
            .unwrap_or_default();
        (status, err)
    }

    /// Stops with SIGINT; the server must exit 0.
    pub fn stop(self) -> String {
        let (status, err) = self.stop_with("INT");
        assert!(status.success(), "pactlog serve exited {status}: {err}");
        err
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn answer(mut r: ureq::http::Response<ureq::Body>) -> Answer {
    let status = r.status().as_u16();
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let body = r
        .body_mut()
        .with_config()
        .limit(256 << 20)
        .read_to_vec()
        .expect("read the body");
    Answer {
        status,
        headers,
        body,
    }
}
