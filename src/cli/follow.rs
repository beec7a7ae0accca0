//! `pactlog follow`: a verified local replica of a published log.

use super::http_source::HttpSource;
use super::key::VerifierKeyArg;
use super::witnesses::{Required, WitnessKeysArg, cosigned_json};
use super::{CliError, Code, Globals};
use crate::view::json::json_line;
use clap::Args;
use pactlog::import::ImportError;
use pactlog::model::escape;
use pactlog::publish::{DirSource, FollowError, FollowReport, TileSource, Trust, follow};
use serde_json::json;
use std::path::Path;

/// Follow a published log into a local replica, checking every record against its tiles
///
/// SOURCE is a folder written by `pactlog publish`, or the http(s) URL of one on a web
/// host, or of a running `pactlog serve` (it serves the same paths). Fetches the log's
/// checkpoint and checks that the log's key (--key VKEY, the key itself, or --key-file)
/// signed it, and that it is consistent with the last checkpoint this replica accepted
/// (kept in the file pactlog-followed in the store folder): not smaller (rolled back),
/// not another root (forked). Then fetches the new entry bundles and hash tiles, checks
/// every record against its tile, the tree of the replica's records and the new ones
/// against the checkpoint's root, every tile fetched against that tree, and the chain and
/// its head; only then appends the records, through the same checks as a restore. The
/// replica's head and root are then the published ones. Run it again to fetch only what
/// is new. Anything wrong with the log is refused, exit 3, naming what was wrong, and the
/// replica is left as it was. --store names the replica (created if missing).
///
/// With --witness VKEY (repeatable) or --witness-file FILE, the log's checkpoint must
/// also carry valid cosignatures by --quorum K distinct listed witnesses (all of them by
/// default), or nothing is fetched (exit 3); the report names those that cosigned. The
/// checkpoint accepted before is still checked with the log's key alone.
///
/// Examples:
///   pactlog --store replica.db follow https://example.com/log --key-file log.pub
///   pactlog --store replica.db follow public/log --key 'example.com/log+1234abcd+AQ...'
///   pactlog --store replica.db follow http://127.0.0.1:8080 --key-file log.pub --json
///   pactlog --store replica.db follow public/log --key-file log.pub --witness-file witnesses.txt
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct FollowArgs {
    /// The log: a folder, or an http:// or https:// URL (its prefix: where `checkpoint`
    /// and `tile/` are)
    #[arg(value_name = "SOURCE")]
    source: String,

    #[command(flatten)]
    key: VerifierKeyArg,

    #[command(flatten)]
    witnesses: WitnessKeysArg,

    /// Print JSON: {"source", "previous" (records before), "size", "appended", "fetched"
    /// (resources), "root" (base64), "head" (hex), "witnesses_cosigned" ([{"name",
    /// "key_id", "timestamp"}] or null)}
    #[arg(long)]
    json: bool,
}

pub fn run_follow(g: &Globals, args: FollowArgs) -> Result<Code, CliError> {
    let Some(key) = args.key.read()? else {
        return Err(CliError::user(
            "give the log's verifier key with --key VKEY or --key-file FILE",
        ));
    };
    let required = args.witnesses.read()?;
    let trust = match &required {
        Some(r) => Trust::new(key).with_witnesses(r.keys.clone(), r.quorum),
        None => Trust::new(key),
    };
    let mut source = source_of(&args.source)?;
    let (mut ledger, created) = g.open_for_import()?;
    let result = follow(&mut ledger, &g.store, source.as_mut(), &trust);
    drop(ledger);
    let report = match result {
        Ok(report) => report,
        Err(e) => {
            // A replica this run created holds nothing accepted: it goes.
            if let Some(created) = created {
                created.remove();
            }
            return Err(follow_error(e));
        }
    };
    if args.json {
        outln!("{}", json_line(&report_json(&report, required.as_ref())))?;
        return Ok(Code::Ok);
    }
    outln!(
        "followed {}: {} record{} ({} appended, {} resource{} fetched)",
        escape(&report.source),
        report.size,
        if report.size == 1 { "" } else { "s" },
        report.appended,
        report.fetched,
        if report.fetched == 1 { "" } else { "s" }
    )?;
    outln!("head {}", report.head)?;
    outln!("root {}", report.root)?;
    if let Some(r) = &required {
        outln!("checkpoint {}", r.verdict(&report.cosigned))?;
    }
    Ok(Code::Ok)
}

/// A URL, or a folder that exists.
fn source_of(text: &str) -> Result<Box<dyn TileSource>, CliError> {
    if text.starts_with("http://") || text.starts_with("https://") {
        return Ok(Box::new(HttpSource::new(text)));
    }
    let dir = Path::new(text);
    if !dir.is_dir() {
        return Err(CliError::user(format!(
            "{} is not a folder, nor an http:// or https:// URL: give the folder `pactlog \
             publish` wrote, or the URL it is served at",
            pactlog::input::shown(dir)
        )));
    }
    Ok(Box::new(DirSource::new(dir)))
}

fn report_json(r: &FollowReport, required: Option<&Required>) -> serde_json::Value {
    json!({
        "source": r.source,
        "previous": r.previous,
        "size": r.size,
        "appended": r.appended,
        "fetched": r.fetched,
        "root": r.root.to_string(),
        "head": r.head.to_hex(),
        "witnesses_cosigned": required.map(|_| cosigned_json(&r.cosigned)),
    })
}

/// What is wrong with the log, its records included, is a verification failure (exit
/// 3); an unreachable source or a failing replica, internal (exit 2).
fn follow_error(e: FollowError) -> CliError {
    match e {
        FollowError::Refused(m) => {
            let mut err = CliError::user(m);
            err.force_verify();
            err
        }
        FollowError::Records(ImportError::Invalid(problems)) => {
            let mut err = CliError::user(format!(
                "the log's records do not pass the ledger's checks ({} problem{}); nothing \
                 was appended",
                problems.total(),
                if problems.total() == 1 { "" } else { "s" }
            ))
            .with_problems(problems.into_vec());
            err.force_verify();
            err
        }
        other => CliError::internal(other.to_string()),
    }
}
