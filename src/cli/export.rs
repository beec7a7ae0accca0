//! `pactlog export`: every record, byte for byte, as JSON Lines.

use super::{CliError, Code, Globals};
use clap::{Args, ValueEnum};
use pactlog::import::export;
use std::io::Write;
use std::path::PathBuf;

/// Export every record as JSON Lines, for backup or to hand to an auditor.
///
/// One line per record: {"seq", "id", "hash" (hex BLAKE3 chain hash), "bytes" (base64
/// canonical record bytes)}. `pactlog import FILE.jsonl` into an empty store reproduces
/// byte-identical records, the same head and the same Merkle root; into a store that
/// holds a prefix of it, it appends the rest. Reading an export needs no lock.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,

    /// Write to FILE instead of standard output (written whole, then renamed into place)
    #[arg(long, short, value_name = "FILE")]
    output: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum Format {
    /// JSON Lines
    Jsonl,
}

pub fn run_export(g: &Globals, args: ExportArgs) -> Result<Code, CliError> {
    let Format::Jsonl = args.format;
    let ledger = g.open_existing()?;
    let map = |e: pactlog::import::ExportError| CliError::internal(e.to_string());
    match args.output {
        None => {
            let stdout = std::io::stdout();
            let mut out = std::io::BufWriter::new(stdout.lock());
            export(&ledger, &mut out).map_err(map)?;
        }
        Some(path) => {
            let tmp = path.with_extension("jsonl.partial");
            let file = std::fs::File::create(&tmp)
                .map_err(|e| CliError::user(format!("cannot create {}: {e}", tmp.display())))?;
            let mut out = std::io::BufWriter::new(file);
            let n = export(&ledger, &mut out).map_err(map)?;
            let file = out
                .into_inner()
                .map_err(|e| CliError::internal(e.to_string()))?;
            file.sync_all()
                .map_err(|e| CliError::internal(e.to_string()))?;
            std::fs::rename(&tmp, &path).map_err(|e| CliError::internal(e.to_string()))?;
            writeln!(
                std::io::stderr(),
                "exported {n} records to {}",
                path.display()
            )
            .ok();
        }
    }
    Ok(Code::Ok)
}
