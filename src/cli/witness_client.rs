//! Asking witnesses over HTTP to cosign a checkpoint (C2SP tlog-witness
//! `add-checkpoint`), for `pactlog checkpoint --witness URL`: blocking, bounded in time
//! and in the bytes of each answer.

use pactlog::checkpoint::{CosignerKey, Note, NoteSignature, check_quorum};
use pactlog::cosigner::{
    MAX_RESPONSE_BYTES, SIZE_MEDIA_TYPE, parse_conflict_body, parse_cosignatures,
};
use pactlog::{Ledger, SledStore};
use std::time::Duration;

/// The longest one request may take, from connecting to the answer's last byte.
const TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a connection may take to open.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The most characters of a refusal's body shown.
const SHOWN_CHARS: usize = 300;

/// What one witness did.
pub struct Asked {
    /// The witness's URL prefix.
    pub url: String,
    /// The listed keys whose valid cosignatures it returned.
    pub cosigned_by: Vec<CosignerKey>,
    /// Why it gave none, when it gave none.
    pub error: Option<String>,
}

/// What a witness answered.
enum Answer {
    Cosigned(String),
    Conflict(u64),
    Refused(String),
}

/// Asks each witness in `urls` to cosign `note` (a checkpoint of `ledger` just signed),
/// first from the size `guess` (the checkpoint signed before this one: the size the
/// witness last cosigned when it cosigned every checkpoint), then once more from the
/// size a 409 names. Returns the note with every returned line that is a valid
/// cosignature by one of `keys` added (lines by other keys are dropped, as the spec
/// asks), and what each witness did.
pub fn collect(
    ledger: &Ledger<SledStore>,
    note: &str,
    guess: u64,
    keys: &[CosignerKey],
    urls: &[String],
) -> Result<(Note, Vec<Asked>), String> {
    let base = Note::parse(note).map_err(|e| format!("the checkpoint just signed: {e}"))?;
    let mut cosigned = base.clone();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(TIMEOUT))
        .timeout_connect(Some(CONNECT_TIMEOUT))
        .max_redirects(0)
        .build()
        .into();
    let mut asked = Vec::new();
    for url in urls {
        let answer = ask(&agent, ledger, url, note, guess);
        asked.push(keep(&base, &mut cosigned, keys, url, answer)?);
    }
    Ok((cosigned, asked))
}

/// Adds to `cosigned` the lines of `answer` that are valid cosignatures of `base` by one
/// of `keys`, and says what the witness at `url` (or the file) gave.
pub fn keep(
    base: &Note,
    cosigned: &mut Note,
    keys: &[CosignerKey],
    url: &str,
    answer: Result<Vec<NoteSignature>, String>,
) -> Result<Asked, String> {
    let mut done = Asked {
        url: url.to_string(),
        cosigned_by: Vec::new(),
        error: None,
    };
    match answer {
        Ok(lines) => {
            for line in lines {
                if let Some(k) = keys.iter().find(|k| is_cosignature(base, k, &line)) {
                    cosigned.push_signature(line).map_err(|e| e.to_string())?;
                    done.cosigned_by.push(k.clone());
                }
            }
            if done.cosigned_by.is_empty() {
                done.error =
                    Some("no valid cosignature of this checkpoint by a --witness-key key".into());
            }
        }
        Err(e) => done.error = Some(e),
    }
    Ok(done)
}

/// Whether `line` is `key`'s valid cosignature of `note`'s text: checked on a note of
/// that text and this line alone, so lines `note` already has cannot vouch for it.
fn is_cosignature(note: &Note, key: &CosignerKey, line: &NoteSignature) -> bool {
    Note::parse(&format!("{}\n{}", note.text(), line.to_line()))
        .is_ok_and(|one| check_quorum(&one, std::slice::from_ref(key), 1).is_ok())
}

/// One witness's cosignature lines, retrying once from the size a 409 names.
fn ask(
    agent: &ureq::Agent,
    ledger: &Ledger<SledStore>,
    url: &str,
    note: &str,
    guess: u64,
) -> Result<Vec<NoteSignature>, String> {
    let request = |old| {
        ledger
            .witness_request(old, note)
            .map(|r| r.to_text())
            .map_err(|e| e.to_string())
    };
    let mut old = guess;
    for attempt in 0..2 {
        match post(agent, url, &request(old)?)? {
            Answer::Cosigned(body) => {
                return parse_cosignatures(&body).map_err(|e| format!("its answer: {e}"));
            }
            Answer::Conflict(size) if size == old => {
                return Err(format!(
                    "HTTP 409: the witness last cosigned {size} records of this log with another \
                     root than this checkpoint's: the log forked"
                ));
            }
            // The witness is at another size; the request fails if the checkpoint is
            // smaller than that (a rolled-back log).
            Answer::Conflict(size) if attempt == 0 => old = size,
            Answer::Conflict(size) => {
                return Err(format!(
                    "HTTP 409: the witness's size changed while asking (now {size})"
                ));
            }
            Answer::Refused(why) => return Err(why),
        }
    }
    Err(format!(
        "the witness's size changed while asking (from {guess} to {old})"
    ))
}

/// Sends one request body to `url`/add-checkpoint.
fn post(agent: &ureq::Agent, url: &str, body: &str) -> Result<Answer, String> {
    let endpoint = format!("{}/add-checkpoint", url.trim_end_matches('/'));
    let mut answer = agent
        .post(&endpoint)
        .header("content-type", "text/plain; charset=utf-8")
        .send(body)
        .map_err(|e| format!("cannot reach {endpoint}: {e}"))?;
    let status = answer.status().as_u16();
    let media = answer
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let text = answer
        .body_mut()
        .with_config()
        .limit(MAX_RESPONSE_BYTES)
        .read_to_string()
        .map_err(|e| {
            format!(
                "cannot read the answer of {endpoint} (at most {MAX_RESPONSE_BYTES} bytes): {e}"
            )
        })?;
    match status {
        200 => Ok(Answer::Cosigned(text)),
        409 if media.starts_with(SIZE_MEDIA_TYPE) => parse_conflict_body(&text)
            .map(Answer::Conflict)
            .ok_or_else(|| "HTTP 409 whose body is not a tree size".to_string()),
        _ => Ok(Answer::Refused(format!(
            "HTTP {status}: {}",
            text.trim().chars().take(SHOWN_CHARS).collect::<String>()
        ))),
    }
}
