//! `pactlog key generate`: an Ed25519 key pair for signing checkpoints.

use super::{CliError, Code};
use clap::{Args, Subcommand};
use pactlog::checkpoint::{SigningKey, VerifierKey};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Manage checkpoint signing keys (C2SP signed-note Ed25519 keys).
#[derive(Args, Debug)]
pub struct KeyArgs {
    #[command(subcommand)]
    command: KeyCommand,
}

#[derive(Subcommand, Debug)]
enum KeyCommand {
    Generate(GenerateArgs),
}

/// Generate a signing key named NAME.
///
/// Writes the private key (`PRIVATE+KEY+NAME+<keyid>+<base64>`) to a new file, readable
/// only by you (mode 0600), and never prints it. Prints the verifier key
/// (`NAME+<keyid>+<base64>`), which is public: give it to auditors. It is also written
/// beside the private key with the extension `.pub`.
///
/// The name becomes the origin line of every checkpoint the key signs; use something
/// that names the log, such as `pactlog.example.org/partnerships`.
#[derive(Args, Debug)]
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
    write_private(&out, &key.to_private_text())?;
    let verifier = key.verifier_key().to_text();
    let pub_path = out.with_extension("pub");
    std::fs::write(&pub_path, format!("{verifier}\n"))
        .map_err(|e| CliError::internal(format!("cannot write {}: {e}", pub_path.display())))?;
    eprintln!(
        "private key written to {} (mode 0600); keep it secret",
        out.display()
    );
    eprintln!("verifier key written to {}", pub_path.display());
    println!("{verifier}");
    Ok(Code::Ok)
}

fn write_private(path: &Path, text: &str) -> Result<(), CliError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            CliError::user(format!(
                "{} already exists: refusing to overwrite a key (choose another --out)",
                path.display()
            ))
        } else {
            CliError::internal(format!("cannot create {}: {e}", path.display()))
        }
    })?;
    f.write_all(format!("{text}\n").as_bytes())
        .and_then(|()| f.sync_all())
        .map_err(|e| CliError::internal(format!("cannot write {}: {e}", path.display())))
}

/// Reads a signing key from a file.
pub fn read_signing_key(path: &Path) -> Result<SigningKey, CliError> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| CliError::user(format!("cannot read signing key {}: {e}", path.display())))?;
    SigningKey::from_private_text(text.trim())
        .map_err(|e| CliError::user(format!("{}: {e}", path.display())))
}

/// Reads a verifier key given as text, or as a file holding it.
pub fn read_verifier_key(arg: &str) -> Result<VerifierKey, CliError> {
    let path = Path::new(arg);
    let text = if path.is_file() {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::user(format!("cannot read {}: {e}", path.display())))?
    } else {
        arg.to_string()
    };
    VerifierKey::parse(text.trim()).map_err(|e| CliError::user(format!("verifier key: {e}")))
}
