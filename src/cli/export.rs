//! `pactlog export`: every record, byte for byte, as JSON Lines.

use super::progress::Progress;
use super::{CliError, Code, Globals};
use clap::{Args, ValueEnum};
use pactlog::import::{ExportError, export_reporting};
use pactlog::input::FileKind;
use std::fs;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Export every record as JSON Lines, for backup or to hand to an auditor
///
/// One line per record: {"seq", "id", "hash" (hex BLAKE3 chain hash), "bytes" (base64
/// canonical record bytes)}. `pactlog import FILE.jsonl` into an empty store reproduces
/// byte-identical records, the same head and the same Merkle root; into a store that
/// holds a prefix of it, it appends the rest. Reading an export needs no lock.
///
/// Examples:
///   pactlog export -o backup.jsonl
///   pactlog export | gzip > backup.jsonl.gz
///   pactlog --store restored.db import backup.jsonl
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct ExportArgs {
    /// Output format
    #[arg(long, value_enum, default_value = "jsonl")]
    format: Format,

    /// Write to FILE instead of standard output. FILE must be a regular file (or a
    /// link to one: its target is written) or not exist, outside the store. It is
    /// written whole to a new temporary file beside it, then renamed into place; on
    /// any error the temporary file is removed and FILE is left as it was
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
    // The target is checked before the store is opened: a refusal touches nothing.
    let output = match args.output {
        Some(path) => Some((target(&path, &g.store)?, path)),
        None => None,
    };
    let ledger = g.open_existing()?;
    let failed = |e: ExportError| CliError::internal(e.to_string());
    let progress = Progress::start(g.quiet, "exporting", Some(ledger.size()));
    let export = |out: &mut dyn std::io::Write| {
        export_reporting(&ledger, &mut &mut *out, |n| progress.set(n))
    };
    match output {
        None => {
            let mut out = super::out::pipe();
            let written = export(&mut out);
            progress.finish();
            if let Err(e) = written {
                return Err(if out.closed() {
                    CliError::closed()
                } else {
                    failed(e)
                });
            }
        }
        Some((target, path)) => {
            let n = replace_file(&target, |out| export(out).map_err(failed));
            progress.finish();
            let n = n?;
            errln!("exported {n} records to {}", path.display());
        }
    }
    Ok(Code::Ok)
}

/// The file `-o PATH` writes: PATH itself when it is a regular file or does not exist,
/// the target of a link to a regular file; anything else, or anything inside the
/// store, is refused.
fn target(path: &Path, store: &Path) -> Result<PathBuf, CliError> {
    let shown = path.display();
    let refuse_kind = |kind: FileKind| {
        CliError::user(format!(
            "{shown} is {kind}, not a regular file: refusing to replace it (leave out -o to \
             write the export to standard output, and redirect that)"
        ))
    };
    let target = match fs::symlink_metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => path.to_path_buf(),
        Err(e) => return Err(CliError::user(format!("cannot use {shown}: {e}"))),
        Ok(m) if m.file_type().is_symlink() => {
            let to = fs::canonicalize(path).map_err(|_| {
                CliError::user(format!(
                    "{shown} is a link whose target does not exist: give a file's path"
                ))
            })?;
            let meta = fs::metadata(&to)
                .map_err(|e| CliError::user(format!("cannot use {shown}: {e}")))?;
            if let Some(kind) = FileKind::of(meta.file_type()) {
                return Err(refuse_kind(kind));
            }
            to
        }
        Ok(m) if m.is_dir() => {
            return Err(CliError::user(format!(
                "{shown} is a directory: give a file name, such as {}",
                path.join("pactlog.jsonl").display()
            )));
        }
        Ok(m) => match FileKind::of(m.file_type()) {
            Some(kind) => return Err(refuse_kind(kind)),
            None => path.to_path_buf(),
        },
    };
    let name = target
        .file_name()
        .ok_or_else(|| CliError::user(format!("{shown} does not name a file")))?;
    let folder = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let folder = fs::canonicalize(folder).map_err(|e| {
        CliError::user(format!(
            "cannot write {shown}: its folder {}: {e}",
            folder.display()
        ))
    })?;
    let target = folder.join(name);
    // A store that does not exist holds nothing to protect (and is refused on open).
    if let Ok(store) = fs::canonicalize(store)
        && target.starts_with(&store)
    {
        return Err(CliError::user(format!(
            "{shown} is inside the store {}: write the export outside the store folder",
            store.display()
        )));
    }
    Ok(target)
}

/// Writes `target` whole through `write`: into a new temporary file beside it (created,
/// never reused), synced, then renamed over it. On any error the temporary file is
/// removed and `target` is untouched.
pub(super) fn replace_file<T>(
    target: &Path,
    write: impl FnOnce(&mut BufWriter<fs::File>) -> Result<T, CliError>,
) -> Result<T, CliError> {
    let io_error =
        |e: std::io::Error| CliError::internal(format!("cannot write {}: {e}", target.display()));
    let (file, temp) = create_temp(target)?;
    // A file replaced keeps its permissions.
    if let Ok(meta) = fs::metadata(target) {
        file.set_permissions(meta.permissions()).map_err(io_error)?;
    }
    let mut out = BufWriter::new(file);
    let value = write(&mut out)?;
    let file = out.into_inner().map_err(|e| io_error(e.into_error()))?;
    file.sync_all().map_err(io_error)?;
    drop(file);
    fs::rename(&temp.path, target).map_err(io_error)?;
    temp.keep();
    // The rename is durable once the folder is synced (Unix; elsewhere as the file
    // system makes it).
    #[cfg(unix)]
    if let Some(folder) = target.parent() {
        fs::File::open(folder)
            .and_then(|d| d.sync_all())
            .map_err(io_error)?;
    }
    Ok(value)
}

/// A temporary file, removed when dropped unless kept.
struct Temp {
    path: PathBuf,
    kept: bool,
}

impl Temp {
    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// A new, hidden temporary file beside `target`: `.NAME.<random>.partial`.
fn create_temp(target: &Path) -> Result<(fs::File, Temp), CliError> {
    let name = target.file_name().unwrap_or_default().to_string_lossy();
    let mut last = None;
    for _ in 0..8 {
        let mut random = [0u8; 8];
        getrandom::getrandom(&mut random).map_err(|e| CliError::internal(e.to_string()))?;
        let suffix: String = random.iter().map(|b| format!("{b:02x}")).collect();
        let path = target.with_file_name(format!(".{name}.{suffix}.partial"));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, Temp { path, kept: false })),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => {
                return Err(CliError::user(format!(
                    "cannot write {}: {e}",
                    target.display()
                )));
            }
        }
    }
    Err(CliError::internal(format!(
        "cannot create a temporary file beside {}: {}",
        target.display(),
        last.map_or_else(String::new, |e| e.to_string())
    )))
}
