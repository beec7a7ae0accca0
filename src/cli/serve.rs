//! `pactlog serve`: the ledger over HTTP (see `crate::server`).

use super::key::read_signing_key;
use super::{CliError, Code, Globals, now, read_input};
use crate::server::{self, Config, Limits};
use clap::Args;
use pactlog::checkpoint::Cosigner;
use pactlog::cosigner::WitnessState;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

/// The shortest token accepted: a guessable token is no protection.
const MIN_TOKEN_CHARS: usize = 16;

/// Serve the ledger over HTTP: queries, proofs, the tlog-tiles log, imports, subscriptions
///
/// Opens the store once (creating an empty one where there is none) and answers many
/// clients at once while one import at a time appends; queries never wait for an
/// import and answer from the ledger prefix their receipt names. Stops on SIGINT or
/// SIGTERM: no new requests, those in flight get --grace seconds, then it exits 0.
///
/// Routes (full reference: docs/server.md, and GET /api/openapi.json):
///   GET  /api/state?as_of=DAY[&known_at=DAY][&at_size=N][&pair=A,B|&party=A][&format=csv|table]
///   GET  /api/conflicts?as_of=DAY[...], /api/diff?from=DAY&to=DAY[...], /api/log[?...]
///   GET  /api/events/ID, /api/head, /api/proof/inclusion/ID, /api/proof/consistency?old=&new=
///   GET  /checkpoint, /tile/L/N[.p/W], /tile/entries/N[.p/W]     (C2SP tlog-tiles)
///   GET  /api/records?from=N      every record from N on, then new ones as they come
///   POST /api/import              event files (application/toml or multipart/form-data)
///   GET  /healthz, /metrics
/// Answers are the bytes `pactlog COMMAND --json` prints for the same options, with an
/// ETag: send it back in If-None-Match and get 304 until the ledger grows.
///
/// While it runs, other pactlog commands on this store stop at once with the server's
/// address: ask the server instead.
///
/// Imports need --token-file (a file holding a secret of at least 16 characters) and
/// `Authorization: Bearer <secret>`; without it the server is read-only. With --key-file the
/// server signs a checkpoint whenever the ledger grows.
///
/// With --witness-key-file F and --witness-state DIR it is also a C2SP tlog-witness:
/// POST /add-checkpoint cosigns the checkpoints of the logs `pactlog witness add-log`
/// added to DIR, with the same checks as `pactlog witness cosign`, answering the spec's
/// status codes (403 not signed by the log, 404 unknown log, 400 malformed, 409 with
/// the witness's size as text/x.tlog.size, 422 bad proof).
///
/// Examples:
///   pactlog serve
///   pactlog --store /srv/pactlog.db serve --addr 127.0.0.1:9000 --key-file log.key --token-file token
///   curl 'http://127.0.0.1:8080/api/state?as_of=2026-03-01&pair=microsoft,openai'
///   pactlog import --server http://127.0.0.1:8080 --token-file token events/
///   pactlog --store w.db serve --addr 127.0.0.1:9100 --witness-key-file witness.key --witness-state wstate
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ServeArgs {
    /// Where to listen (loopback unless you say otherwise; port 0 picks a free one)
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    addr: SocketAddr,

    /// A file holding the bearer token imports must carry
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,

    /// The private key file checkpoints are signed with (from `pactlog key generate`)
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// The witness's private key file: serve POST /add-checkpoint (with --witness-state)
    #[arg(long, value_name = "FILE", requires = "witness_state")]
    witness_key_file: Option<PathBuf>,

    /// The witness's state folder, whose logs `pactlog witness add-log` added (with
    /// --witness-key-file)
    #[arg(long, value_name = "DIR", requires = "witness_key_file")]
    witness_state: Option<PathBuf>,

    /// The largest request body, in bytes (larger ones get 413)
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    max_body: usize,

    /// Connections served at once
    #[arg(long, value_name = "N", default_value_t = 1024,
          value_parser = clap::value_parser!(u32).range(1..))]
    max_connections: u32,

    /// Seconds a request may take (subscriptions excepted)
    #[arg(long, value_name = "SECS", default_value_t = 60,
          value_parser = clap::value_parser!(u64).range(1..))]
    request_timeout: u64,

    /// Seconds a client may take to send a request's headers, or stay idle between
    /// requests on one connection
    #[arg(long, value_name = "SECS", default_value_t = 10,
          value_parser = clap::value_parser!(u64).range(1..))]
    header_timeout: u64,

    /// Seconds requests in flight get to finish once the server is told to stop
    #[arg(long, value_name = "SECS", default_value_t = 10)]
    grace: u64,

    /// sled's page cache, in MiB: a ceiling the process's memory grows to as it reads.
    /// A server reads the same tiles, index pages and records again and again; with the
    /// 64 MiB the one-shot commands use, a 1M-record store's proofs slow tenfold at the
    /// p99 once queries have filled the cache (benches/RESULTS.md)
    #[arg(long, value_name = "MIB", default_value_t = pactlog::LONG_RUNNING_CACHE_BYTES >> 20,
          value_parser = clap::value_parser!(u64).range(16..=1 << 20))]
    cache_mib: u64,
}

pub fn run_serve(g: &Globals, args: ServeArgs) -> Result<Code, CliError> {
    now()?;
    let token = args.token_file.as_deref().map(read_token).transpose()?;
    let key = args.key_file.as_deref().map(read_signing_key).transpose()?;
    let witness = match (&args.witness_key_file, &args.witness_state) {
        (Some(file), Some(dir)) => Some(server::witness::Witness {
            cosigner: Cosigner::new(read_signing_key(file)?),
            state: WitnessState::open(dir).map_err(super::witness::witness_error)?,
        }),
        _ => None,
    };
    let (ledger, _created) = g.with_cache(args.cache_mib << 20).open_for_import()?;
    let limits = Limits {
        max_body: args.max_body,
        max_connections: args.max_connections as usize,
        request_timeout: Duration::from_secs(args.request_timeout),
        header_timeout: Duration::from_secs(args.header_timeout),
        grace: Duration::from_secs(args.grace),
        ..Limits::default()
    };
    let config = Config {
        addr: args.addr,
        store: g.store.clone(),
        token,
        key,
        witness,
        limits,
        clock: || now().map_err(|e| e.message().to_string()),
    };
    server::run(config, ledger, |addr| {
        // Scripts wait for this line; a closed stdout must not stop the server.
        let _ = outln!("listening on http://{addr}");
        let _ = super::out::flush();
    })
    .map_err(|e| CliError::internal(e.to_string()))?;
    Ok(Code::Ok)
}

/// The token in `path`: its text without surrounding white space.
fn read_token(path: &std::path::Path) -> Result<Vec<u8>, CliError> {
    let text = read_input(path, 4096, "the token file")?;
    let token = text.trim();
    if token.chars().count() < MIN_TOKEN_CHARS || token.chars().any(|c| c.is_control()) {
        return Err(CliError::user(format!(
            "{}: the token must be at least {MIN_TOKEN_CHARS} characters on one line \
             (for example: head -c 24 /dev/urandom | base64 > token)",
            path.display()
        )));
    }
    Ok(token.as_bytes().to_vec())
}
