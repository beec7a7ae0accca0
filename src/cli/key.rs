//! `pactlog key generate`: an Ed25519 key pair for signing checkpoints.

use super::{CliError, Code, read_input};
use clap::{Args, Subcommand};
use pactlog::checkpoint::MAX_KEY_FILE_BYTES;
use pactlog::checkpoint::{SigningKey, VerifierKey};
use pactlog::model::escape;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Manage checkpoint signing keys (C2SP signed-note Ed25519 keys)
///
/// Examples:
///   pactlog key generate pactlog.example.org/partnerships --out log.key
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    Generate(GenerateArgs),
}

/// Generate a signing key named NAME
///
/// Writes the private key (`PRIVATE+KEY+NAME+<keyid>+<base64>`) to a new file, readable
/// only by you (mode 0600), and never prints it. Prints the verifier key
/// (`NAME+<keyid>+<base64>`), which is public: give it to auditors. It is also written
/// beside the private key with the extension `.pub` (`log.key` -> `log.pub`).
///
/// Both files are new: if either exists, nothing is written. Both are written or
/// neither. `--out` must not end in `.pub`.
///
/// The name becomes the origin line of every checkpoint the key signs; use something
/// that names the log, such as `pactlog.example.org/partnerships`.
///
/// Examples:
///   pactlog key generate pactlog.example.org/partnerships --out log.key
///   pactlog key generate my-log
#[derive(Args, Debug)]
#[command(verbatim_doc_comment)]
pub struct GenerateArgs {
    /// The key's name (no spaces, no '+')
    name: String,

    /// Where to write the private key [default: ./<NAME>.key, with '/' replaced by '_']
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
}

pub fn run_key(args: KeyArgs) -> Result<Code, CliError> {
    let KeyCommand::Generate(g) = args.command;
    let key = SigningKey::generate(&g.name).map_err(|e| CliError::user(e.to_string()))?;
    let out = g
        .out
        .unwrap_or_else(|| PathBuf::from(format!("{}.key", g.name.replace(['/', '\\'], "_"))));
    let pub_path = verifier_path(&out)?;
    // Both paths must be free before anything is written, and both files are new
    // (create_new): no key file of either kind is ever replaced.
    for path in [&out, &pub_path] {
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(CliError::user(format!(
                "{} already exists: refusing to overwrite a key file (choose another --out)",
                path.display()
            )));
        }
    }
    write_new(&out, &key.to_private_text(), 0o600)?;
    let verifier = key.verifier_key().to_text();
    if let Err(e) = write_new(&pub_path, &verifier, 0o644) {
        // Both or neither: a private key without its verifier key is removed.
        let _ = std::fs::remove_file(&out);
        return Err(e);
    }
    errln!(
        "private key written to {} (mode 0600); keep it secret",
        out.display()
    );
    errln!("verifier key written to {}", pub_path.display());
    outln!("{verifier}")?;
    Ok(Code::Ok)
}

/// Where the verifier key of the private key file `out` goes: its extension replaced by
/// `.pub` (`log.key` -> `log.pub`), or `.pub` added when it has none. A private key
/// named `*.pub` is refused: it would be taken for the public half.
fn verifier_path(out: &Path) -> Result<PathBuf, CliError> {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            CliError::user(format!(
                "--out {} does not name a file: give a file name such as log.key",
                out.display()
            ))
        })?;
    if name.ends_with(".pub") {
        return Err(CliError::user(format!(
            "--out {}: a private key must not end in .pub, the verifier key's extension \
             (use a name such as log.key; the verifier key goes beside it as log.pub)",
            out.display()
        )));
    }
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name,
    };
    Ok(out.with_file_name(format!("{stem}.pub")))
}

/// Writes `text` and a newline to a new file at `path` with `mode` (Unix), synced.
fn write_new(path: &Path, text: &str, mode: u32) -> Result<(), CliError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(mode);
    }
    #[cfg(not(unix))]
    let _ = mode;
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::user(format!(
                "{} already exists: refusing to overwrite a key file (choose another --out)",
                path.display()
            ))
        } else {
            CliError::user(format!("cannot create {}: {e}", path.display()))
        }
    })?;
    let written = f
        .write_all(format!("{text}\n").as_bytes())
        .and_then(|()| f.sync_all());
    if let Err(e) = written {
        drop(f);
        let _ = std::fs::remove_file(path);
        return Err(CliError::internal(format!(
            "cannot write {}: {e}",
            path.display()
        )));
    }
    Ok(())
}

/// Where a verifier key comes from: its text (`--key`), or a file holding it
/// (`--key-file`). Text is never taken for a file name: a file planted in the working
/// folder under the name of a key cannot stand in for it.
#[derive(Args, Debug)]
#[group(id = "verifier", multiple = false)]
pub struct VerifierKeyArg {
    /// The verifier key itself (`name+keyid+base64`, as `key generate` prints it); never
    /// read as a file name
    #[arg(long, value_name = "VKEY")]
    key: Option<String>,

    /// A file holding the verifier key (such as log.pub, from `key generate`)
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,
}

impl VerifierKeyArg {
    /// The key given, if one was.
    pub fn read(&self) -> Result<Option<VerifierKey>, CliError> {
        match (&self.key, &self.key_file) {
            (Some(text), _) => VerifierKey::parse(text).map(Some).map_err(|e| {
                CliError::user(format!(
                    "--key {:?}: not a verifier key ({e}); --key takes the key itself \
                     (name+keyid+base64), a file holding it goes to --key-file",
                    text.chars().take(100).collect::<String>()
                ))
            }),
            (None, Some(path)) => {
                let text = read_input(path, MAX_KEY_FILE_BYTES, "the verifier key")?;
                VerifierKey::parse(text.trim()).map(Some).map_err(|e| {
                    CliError::user(format!(
                        "verifier key in {}: {e}",
                        pactlog::input::shown(path)
                    ))
                })
            }
            (None, None) => Ok(None),
        }
    }
}

/// Where a signing key comes from: a file (`--key-file`, as `key generate` writes it) or
/// its text (`--key`, which other users of the machine can see in the process list).
/// Text is never taken for a file name.
#[derive(Args, Debug)]
#[group(id = "signer", required = true, multiple = false)]
pub struct SigningKeyArg {
    /// The private key file (from `pactlog key generate`)
    #[arg(long, value_name = "FILE")]
    key_file: Option<PathBuf>,

    /// The private key itself (`PRIVATE+KEY+name+keyid+base64`); never read as a file
    /// name. Prefer --key-file: a command line is visible to other users
    #[arg(long, value_name = "SKEY")]
    key: Option<String>,
}

impl SigningKeyArg {
    /// The key given.
    pub fn read(&self) -> Result<SigningKey, CliError> {
        match (&self.key, &self.key_file) {
            (Some(text), _) => SigningKey::from_private_text(text).map_err(|e| {
                // The text may be a private key: only its length is shown.
                CliError::user(format!(
                    "--key (a text of {} characters): not a private key ({e}); --key takes \
                     the key itself, a file holding it goes to --key-file",
                    text.chars().count()
                ))
            }),
            (None, Some(path)) => read_signing_key(path),
            (None, None) => Err(CliError::user("give the signing key with --key-file FILE")),
        }
    }
}

/// The signing key in the file at `path` (as `key generate` writes it).
pub fn read_signing_key(path: &Path) -> Result<SigningKey, CliError> {
    let text = read_input(path, MAX_KEY_FILE_BYTES, "the signing key")?;
    SigningKey::from_private_text(text.trim())
        .map_err(|e| CliError::user(format!("{}: {e}", pactlog::input::shown(path))))
}

/// How a verdict names the key it used: its name (escaped) and key id.
pub fn key_named(name: &str, id: u32) -> String {
    format!("{} (key id {id:08x})", escape(name))
}
