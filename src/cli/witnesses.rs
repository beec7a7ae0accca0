//! The witnesses an auditor requires (`--witness VKEY`, `--witness-file F`, `--quorum
//! K`), shared by `verify --checkpoint`, `audit` and `follow`, and how a verdict names
//! the witnesses that cosigned.

use super::key::key_named;
use super::{CliError, read_input};
use clap::Args;
use pactlog::checkpoint::{
    CheckpointError, Cosigned, CosignerKey, MAX_KEY_FILE_BYTES, Note, check_quorum,
};
use serde_json::json;
use std::path::PathBuf;

/// The witnesses whose cosignatures a checkpoint needs.
#[derive(Args, Debug)]
pub struct WitnessKeysArg {
    /// A witness the checkpoint must be cosigned by: its cosigner key (`name+keyid+base64`,
    /// type 0x04, as `pactlog witness vkey` prints it; never read as a file name).
    /// Repeatable
    #[arg(long = "witness", value_name = "VKEY")]
    witness: Vec<String>,

    /// A file of witness cosigner keys, one a line (blank lines and lines starting with #
    /// are skipped); adds to --witness
    #[arg(long, value_name = "FILE")]
    witness_file: Option<PathBuf>,

    /// How many distinct listed witnesses must have cosigned [default: all of them]
    #[arg(long, value_name = "K")]
    quorum: Option<usize>,
}

/// The witnesses required and the quorum.
pub struct Required {
    pub keys: Vec<CosignerKey>,
    pub quorum: usize,
}

impl WitnessKeysArg {
    /// The witnesses listed and the quorum, or `None` when none are listed.
    ///
    /// The default quorum is every distinct witness listed: naming a witness says its
    /// cosignature is required; K of N is asked for with --quorum K.
    pub fn read(&self) -> Result<Option<Required>, CliError> {
        let mut keys = Vec::new();
        for text in &self.witness {
            keys.push(CosignerKey::parse(text).map_err(|e| {
                CliError::user(format!(
                    "--witness {:?}: not a witness's cosigner key ({e}); give the key \
                     `pactlog witness vkey` prints (type 0x04), a file of them to --witness-file",
                    text.chars().take(100).collect::<String>()
                ))
            })?);
        }
        if let Some(path) = &self.witness_file {
            let shown = pactlog::input::shown(path);
            let text = read_input(path, MAX_KEY_FILE_BYTES, "the witness file")?;
            for (i, line) in text.lines().enumerate() {
                let line = line.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                keys.push(CosignerKey::parse(line).map_err(|e| {
                    CliError::user(format!("{shown} line {}: not a cosigner key ({e})", i + 1))
                })?);
            }
        }
        let mut distinct: Vec<CosignerKey> = Vec::new();
        for k in keys {
            if !distinct.contains(&k) {
                distinct.push(k);
            }
        }
        match (distinct.is_empty(), self.quorum) {
            (true, None) => Ok(None),
            (true, Some(_)) => Err(CliError::user(
                "--quorum counts witnesses: list them with --witness VKEY or --witness-file FILE",
            )),
            (false, Some(k)) if k == 0 || k > distinct.len() => Err(CliError::user(format!(
                "--quorum {k}: want 1 to {} (the distinct witnesses listed)",
                distinct.len()
            ))),
            (false, quorum) => Ok(Some(Required {
                quorum: quorum.unwrap_or(distinct.len()),
                keys: distinct,
            })),
        }
    }
}

impl Required {
    /// Checks the cosignatures on `note` (a signed note's text, already opened with the
    /// log's key). A failure is a verification failure (exit 3).
    pub fn check(&self, note: &str) -> Result<Vec<Cosigned>, CliError> {
        let fail = |e: CheckpointError| {
            let mut err = CliError::user(format!("witnesses: {e}"));
            err.force_verify();
            err
        };
        let parsed = Note::parse(note).map_err(fail)?;
        check_quorum(&parsed, &self.keys, self.quorum).map_err(fail)
    }

    /// The verdict line: who cosigned, of how many listed, against which quorum.
    pub fn verdict(&self, cosigned: &[Cosigned]) -> String {
        let names: Vec<String> = cosigned
            .iter()
            .map(|c| format!("{} at {}", key_named(&c.name, c.key_id), when(c.timestamp)))
            .collect();
        format!(
            "cosigned by {} of {} listed witnesses (quorum {}): {}",
            cosigned.len(),
            self.keys.len(),
            self.quorum,
            names.join(", ")
        )
    }
}

/// The JSON of the witnesses that cosigned: `[{"name", "key_id", "timestamp"}]`.
pub fn cosigned_json(cosigned: &[Cosigned]) -> serde_json::Value {
    cosigned
        .iter()
        .map(|c| {
            json!({
                "name": c.name,
                "key_id": format!("{:08x}", c.key_id),
                "timestamp": c.timestamp,
            })
        })
        .collect()
}

/// A cosignature's time for people: RFC 3339 when it is a calendar instant.
fn when(timestamp: u64) -> String {
    i64::try_from(timestamp)
        .ok()
        .map(pactlog::Timestamp::from_unix)
        .filter(|t| t.is_calendar_instant())
        .map_or_else(|| format!("@{timestamp}"), |t| t.to_string())
}
