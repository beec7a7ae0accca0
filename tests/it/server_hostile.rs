//! Hostile clients of `pactlog serve`: malformed requests get clear errors, change
//! nothing, and leave the server answering. Every request loop is bounded and every
//! wait has a deadline.

use crate::support::server::Server;
use crate::support::{TempStore, small_fixture};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

const TOKEN: &str = "a-test-token-of-enough-length";

fn seeded() -> (TempStore, std::path::PathBuf) {
    let store = TempStore::new();
    store.import(&[&small_fixture()]);
    let token = store.dir.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    (store, token)
}

/// The status code of a raw HTTP/1.1 answer (0 when the server sent nothing).
fn status_of(answer: &[u8]) -> u16 {
    let text = String::from_utf8_lossy(answer);
    text.split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0)
}

fn request(method: &str, target: &[u8], headers: &str, body: &[u8]) -> Vec<u8> {
    let mut r = Vec::new();
    r.extend_from_slice(method.as_bytes());
    r.push(b' ');
    r.extend_from_slice(target);
    r.extend_from_slice(b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    r.extend_from_slice(headers.as_bytes());
    if !body.is_empty() || method == "POST" {
        r.extend_from_slice(format!("Content-Length: {}\r\n", body.len()).as_bytes());
    }
    r.extend_from_slice(b"\r\n");
    r.extend_from_slice(body);
    r
}

#[test]
fn malformed_requests_get_clear_errors_change_nothing_and_the_server_goes_on() {
    let (store, token) = seeded();
    let server = Server::start(
        &store.path,
        &[
            "--token-file",
            token.to_str().unwrap(),
            "--max-body",
            "100000",
        ],
    );
    let head = server.get("/api/head").body;
    let auth = format!("Authorization: Bearer {TOKEN}\r\n");
    let wait = Duration::from_secs(20);
    let multipart = format!("{auth}Content-Type: multipart/form-data; boundary=XyZ\r\n");
    let big_header = format!("X-Big: {}\r\n", "a".repeat(70_000));
    let many_headers: String = (0..200).map(|i| format!("X-{i}: 1\r\n")).collect();
    let cases: Vec<(&str, Vec<u8>, Vec<u16>)> = vec![
        ("bad UTF-8 in the query", request("GET", b"/api/state?as_of=%ff%fe", "", b""), vec![400]),
        ("raw bytes in the target", request("GET", b"/api/events/\xff\xfe", "", b""), vec![400]),
        ("a traversal in an id", request("GET", b"/api/events/..%2F..%2Fetc%2Fpasswd", "", b""), vec![400]),
        ("a traversal in the path", request("GET", b"/../../etc/passwd", "", b""), vec![400, 404]),
        ("a duplicated parameter", request("GET", b"/api/state?as_of=2026-01-01&as_of=2026-01-02", "", b""), vec![400]),
        ("an unknown method", request("DELETE", b"/api/state", "", b""), vec![405]),
        ("a huge header", request("GET", b"/api/head", &big_header, b""), vec![431]),
        ("too many headers", request("GET", b"/api/head", &many_headers, b""), vec![431]),
        ("no content type", request("POST", b"/api/import", &auth, b"[[event]]"), vec![415]),
        ("a wrong content type", request("POST", b"/api/import", &format!("{auth}Content-Type: text/html\r\n"), b"<p>"), vec![415]),
        ("a truncated multipart body", request("POST", b"/api/import", &multipart, b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a.toml\"\r\n\r\n[[ev"), vec![400]),
        ("a part without a filename", request("POST", b"/api/import", &multipart, b"--XyZ\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n--XyZ--\r\n"), vec![400]),
        ("a body over --max-body", request("POST", b"/api/import?name=a.toml", &format!("{auth}Content-Type: application/toml\r\n"), &vec![b'#'; 200_000]), vec![413]),
        ("not TOML", request("POST", b"/api/import?name=a.toml", &format!("{auth}Content-Type: application/toml\r\n"), b"\xff\xfe not text"), vec![400]),
        ("a name with a control character", request("POST", b"/api/import?name=a%1b.toml", &format!("{auth}Content-Type: application/toml\r\n"), b"x = 1"), vec![400]),
        ("a garbage request line", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n".to_vec(), vec![400, 0]),
    ];
    for (what, raw, statuses) in cases {
        let answer = server.raw(&raw, wait);
        let status = status_of(&answer);
        assert!(
            statuses.contains(&status),
            "{what}: got {status}, expected one of {statuses:?}:\n{}",
            String::from_utf8_lossy(&answer[..answer.len().min(400)])
        );
    }
    // A chunked body over the limit is cut off when it passes it.
    let chunk = format!("{:x}\r\n{}\r\n", 150_000, "#".repeat(150_000));
    let chunked = [
        format!("POST /api/import?name=a.toml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{auth}Content-Type: application/toml\r\nTransfer-Encoding: chunked\r\n\r\n").into_bytes(),
        chunk.into_bytes(),
        b"0\r\n\r\n".to_vec(),
    ]
    .concat();
    assert_eq!(
        status_of(&server.raw(&chunked, wait)),
        413,
        "a chunked body over the limit"
    );
    assert_eq!(server.get("/healthz").text(), "ready\n");
    assert_eq!(server.get("/api/head").body, head, "nothing was appended");
    let stderr = server.stop();
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn slow_and_idle_connections_are_closed_and_connections_are_bounded() {
    let (store, _) = seeded();
    let server = Server::start(
        &store.path,
        &["--header-timeout", "1", "--max-connections", "1"],
    );
    // A client that starts a request and never finishes it is cut off.
    let mut slow = TcpStream::connect(server.addr()).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    slow.write_all(b"GET /api/head HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    let started = Instant::now();
    // While it holds the only slot, the next request waits; it is served once the
    // slow one is closed.
    let answer = server.get("/api/head");
    assert_eq!(answer.status, 200);
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the slow connection was closed by the server, not by the test's deadline"
    );
    server.stop();
}

#[test]
fn a_server_whose_stderr_nobody_reads_goes_on_answering_and_counts_the_lost_log_lines() {
    let (store, _) = seeded();
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("pactlog"))
        .arg("--store")
        .arg(&store.path)
        .args(["serve", "--addr", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(child.stdout.take().unwrap()),
        &mut line,
    )
    .unwrap();
    let addr = line
        .trim()
        .trim_start_matches("listening on http://")
        .to_string();
    // Far more log lines than a pipe and the log's queue hold, on one connection.
    let mut conn = TcpStream::connect(&addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let mut reader = std::io::BufReader::new(conn.try_clone().unwrap());
    for i in 0..8000 {
        conn.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut got = String::new();
        loop {
            let mut l = String::new();
            if std::io::BufRead::read_line(&mut reader, &mut l).unwrap_or(0) == 0 {
                panic!("request {i}: the server stopped answering");
            }
            got.push_str(&l);
            if got.ends_with("ready\n") {
                break;
            }
        }
    }
    conn.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut metrics = String::new();
    let _ = reader.read_to_string(&mut metrics);
    let dropped: u64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("pactlog_log_lines_dropped_total "))
        .and_then(|v| v.trim().parse().ok())
        .expect("the dropped-lines counter");
    assert!(dropped > 0, "{metrics}");
    let _ = child.kill();
    let _ = child.wait();
}

/// The page cache is a bounded option: a size sled cannot work with is a usage error,
/// and a server with a small cache answers as one with the default.
#[test]
fn the_page_cache_size_is_checked_and_any_allowed_size_serves_the_same_answers() {
    let (store, _token) = seeded();
    let out = store
        .cmd()
        .args(["serve", "--addr", "127.0.0.1:0", "--cache-mib", "8"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("--cache-mib"));
    let query = "/api/state?as_of=2026-03-01";
    let small = Server::start(&store.path, &["--cache-mib", "16"]);
    let with_small = small.get(query);
    small.stop();
    let default = Server::start(&store.path, &[]);
    let with_default = default.get(query);
    default.stop();
    assert_eq!(with_small.status, 200);
    assert_eq!(with_small.body, with_default.body);
}
