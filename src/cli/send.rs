//! `pactlog import --server URL`: event files sent to a running `pactlog serve`, which
//! checks and appends them through its one write path; the report and the problems are
//! the server's, printed as a local import prints them.

use super::{CliError, Code, read_input};
use crate::view::json::json_line;
use pactlog::import::{self, MAX_FILE_BYTES, Problem};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The longest the server may take to answer an import.
const TIMEOUT: Duration = Duration::from_secs(600);
/// The largest answer read from the server.
const MAX_ANSWER_BYTES: u64 = 64 << 20;

/// Sends `paths` (files or folders) to the server at `url`, authorized by the token in
/// `token_file`.
pub fn run_import_remote(
    url: &str,
    token_file: &Path,
    paths: &[PathBuf],
    json: bool,
) -> Result<Code, CliError> {
    if import::is_export(paths) {
        return Err(CliError::user(
            "an export (*.jsonl) is restored locally: stop the server, then `pactlog import FILE.jsonl`",
        ));
    }
    let token = read_input(token_file, 4096, "the token file")?
        .trim()
        .to_string();
    let files = import::collect_files(paths)?;
    for note in files.skipped.iter().filter(|_| !json) {
        errln!("note: {note}");
    }
    let mut parts = Vec::with_capacity(files.files.len());
    for f in &files.files {
        let bytes = pactlog::input::read(f, MAX_FILE_BYTES).map_err(|e| {
            CliError::user(format!(
                "cannot read {}: {}",
                pactlog::input::shown(f),
                e.refusal
            ))
        })?;
        parts.push((f.display().to_string(), bytes));
    }
    let (boundary, body) = multipart(&parts);
    let endpoint = format!("{}/api/import", url.trim_end_matches('/'));
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .max_redirects(0)
        .build()
        .into();
    let answer = agent
        .post(&endpoint)
        .header("authorization", &format!("Bearer {token}"))
        .header(
            "content-type",
            &format!("multipart/form-data; boundary={boundary}"),
        )
        .send(&body[..])
        .map_err(|e| CliError::internal(format!("cannot reach the server at {url}: {e}")))?;
    let status = answer.status().as_u16();
    let mut answer = answer;
    let text = answer
        .body_mut()
        .with_config()
        .limit(MAX_ANSWER_BYTES)
        .read_to_string()
        .map_err(|e| CliError::internal(format!("the server's answer cannot be read: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|_| {
        CliError::internal(format!(
            "the server at {url} answered {status} with something that is not pactlog's JSON"
        ))
    })?;
    if status == 200 {
        print_report(&value, json)?;
        return Ok(Code::Ok);
    }
    Err(server_error(status, &value))
}

/// The files as one `multipart/form-data` body, each part named by its path, with a
/// boundary found in none of them.
fn multipart(parts: &[(String, Vec<u8>)]) -> (String, Vec<u8>) {
    let mut seed = [0u8; 16];
    let _ = getrandom::getrandom(&mut seed);
    let mut boundary: String = seed.iter().map(|b| format!("{b:02x}")).collect();
    while parts
        .iter()
        .any(|(_, b)| b.windows(boundary.len()).any(|w| w == boundary.as_bytes()))
    {
        boundary.push('x');
    }
    let mut body = Vec::new();
    for (name, bytes) in parts {
        let quoted = name.replace('\\', "\\\\").replace('"', "\\\"");
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{quoted}\"\r\n\
                 Content-Type: application/toml\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (boundary, body)
}

/// Prints the server's import report as `pactlog import` prints its own.
fn print_report(v: &Value, json: bool) -> Result<(), CliError> {
    if json {
        outln!("{}", json_line(v))?;
        return Ok(());
    }
    let n = |k: &str| v[k].as_u64().unwrap_or(0);
    let plural = |n: u64| if n == 1 { "" } else { "s" };
    let (events, parties, files, skipped) = (
        n("events_added"),
        n("parties_added"),
        n("files"),
        n("events_skipped"),
    );
    outln!(
        "imported {events} event{} and {parties} part{} from {files} file{} ({skipped} event{} already recorded)",
        plural(events),
        if parties == 1 { "y" } else { "ies" },
        plural(files),
        plural(skipped),
    )?;
    outln!(
        "ledger: {} records, head {}",
        n("ledger_size"),
        pactlog::model::escape(v["head"].as_str().unwrap_or(""))
    )?;
    Ok(())
}

/// The server's error as the CLI's: its problems, its message, and the exit code of its
/// status (4xx: 1, else 2).
fn server_error(status: u16, v: &Value) -> CliError {
    let e = &v["error"];
    let message = e["message"]
        .as_str()
        .unwrap_or("the server refused the import");
    let problems: Vec<Problem> = e["problems"]
        .as_array()
        .map(|ps| ps.iter().map(problem_of).collect())
        .unwrap_or_default();
    let notes: Vec<String> = e["notes"]
        .as_array()
        .map(|ns| {
            ns.iter()
                .filter_map(|n| n.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    let err = if (400..500).contains(&status) {
        CliError::user(format!("the server answered {status}: {message}"))
    } else {
        CliError::internal(format!("the server answered {status}: {message}"))
    };
    err.with_problems(problems).with_notes(notes)
}

fn problem_of(p: &Value) -> Problem {
    Problem {
        file: PathBuf::from(p["file"].as_str().unwrap_or("")),
        line: p["line"].as_u64().unwrap_or(0) as usize,
        id: p["id"].as_str().map(str::to_string),
        message: p["message"].as_str().unwrap_or("").to_string(),
    }
}
