//! C2SP tlog-proof@v1: an inclusion proof bundled with its signed checkpoint.

use super::body::Checkpoint;
use super::error::CheckpointError;
use super::key::VerifierKey;
use super::note::{Note, VerifiedNote, line_count};
use super::text::{decode_base64, decode_hash, encode_base64, parse_decimal};

/// The first line of every proof.
pub const TLOG_PROOF_HEADER: &str = "c2sp.org/tlog-proof@v1";

/// The most hashes an RFC 6962 inclusion proof can have (tree sizes fit `u64`).
pub const MAX_PROOF_HASHES: usize = 64;

/// A parsed `c2sp.org/tlog-proof@v1` file.
///
/// Parsing checks the syntax of everything, including the embedded checkpoint
/// note, and that `index` is below the checkpoint's tree size. It checks no
/// signature and no hash: use [`TlogProof::open_checkpoint`], then verify
/// [`TlogProof::hashes`] against the opened root with the Merkle module.
// INVARIANT: `hashes.len() <= MAX_PROOF_HASHES`, `checkpoint_note` is a
// syntactically valid signed note whose text is a checkpoint body of size
// greater than `index`; hence `to_text` always parses back to `self`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlogProof {
    extra: Option<Vec<u8>>,
    index: u64,
    hashes: Vec<[u8; 32]>,
    checkpoint_note: String,
}

impl TlogProof {
    /// Bundles a proof for leaf `index` with the signed checkpoint note it was
    /// computed against. `extra` is optional opaque data; it is not
    /// authenticated, so readers must not trust it.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedProof`] for more than
    /// [`MAX_PROOF_HASHES`] hashes, a checkpoint note that does not parse, or
    /// an index not below its tree size. Lines are those of [`Self::to_text`].
    pub fn new(
        extra: Option<Vec<u8>>,
        index: u64,
        hashes: Vec<[u8; 32]>,
        checkpoint_note: String,
    ) -> Result<Self, CheckpointError> {
        let first_hash_line = 3 + usize::from(extra.is_some());
        if hashes.len() > MAX_PROOF_HASHES {
            return Err(CheckpointError::MalformedProof {
                line: first_hash_line + MAX_PROOF_HASHES,
                reason: format!("more than {MAX_PROOF_HASHES} proof hashes"),
            });
        }
        let note_line = first_hash_line + hashes.len() + 1;
        check_checkpoint_note(&checkpoint_note, index, note_line)?;
        Ok(Self {
            extra,
            index,
            hashes,
            checkpoint_note,
        })
    }

    /// Parses a proof file strictly.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedProof`] with the line (counted in the whole
    /// proof) for: a first line other than [`TLOG_PROOF_HEADER`]; an `extra`
    /// line that is not `extra <canonical base64>`; an index line that is not
    /// `index <canonical decimal>`; a hash that is not canonical base64 of 32
    /// bytes; more than [`MAX_PROOF_HASHES`] hashes; a missing blank line; an
    /// embedded checkpoint note that is malformed; an index not below the
    /// checkpoint's tree size.
    ///
    /// ```
    /// use pactlog::checkpoint::{Checkpoint, SigningKey, TlogProof};
    ///
    /// let key = SigningKey::from_seed("example.com/log", [1; 32])?;
    /// let note = Checkpoint::new("example.com/log", 2, [0; 32], Vec::new())?.sign(&key)?;
    /// let proof = TlogProof::new(None, 1, vec![[9; 32]], note)?;
    /// let text = proof.to_text();
    /// assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 1\n"));
    /// assert_eq!(TlogProof::parse(&text)?, proof);
    /// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let mut lines = Lines::new(text);
        let header = lines.next()?;
        if header != TLOG_PROOF_HEADER {
            return Err(lines.error(format!("first line is not {TLOG_PROOF_HEADER:?}")));
        }
        let mut line = lines.next()?;
        let mut extra = None;
        if let Some(data) = line.strip_prefix("extra ") {
            let bytes = decode_base64(data)
                .ok_or_else(|| lines.error("extra data is not canonical base64".to_owned()))?;
            extra = Some(bytes);
            line = lines.next()?;
        }
        let index = line.strip_prefix("index ").ok_or_else(|| {
            let expected = if extra.is_none() && lines.number == 2 {
                "\"extra <base64>\" or \"index <n>\""
            } else {
                "\"index <n>\""
            };
            lines.error(format!("expected {expected}"))
        })?;
        let index = parse_decimal(index).map_err(|e| lines.error(format!("index {e}")))?;
        let mut hashes = Vec::new();
        loop {
            let line = lines.next()?;
            if line.is_empty() {
                break;
            }
            if hashes.len() == MAX_PROOF_HASHES {
                return Err(lines.error(format!("more than {MAX_PROOF_HASHES} proof hashes")));
            }
            let hash = decode_hash(line).map_err(|e| lines.error(format!("proof hash: {e}")))?;
            hashes.push(hash);
        }
        let note_line = lines.number + 1;
        check_checkpoint_note(lines.rest, index, note_line)?;
        Ok(Self {
            extra,
            index,
            hashes,
            checkpoint_note: lines.rest.to_owned(),
        })
    }

    /// The proof file text.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = format!("{TLOG_PROOF_HEADER}\n");
        if let Some(extra) = &self.extra {
            out.push_str("extra ");
            out.push_str(&encode_base64(extra));
            out.push('\n');
        }
        out.push_str("index ");
        out.push_str(&self.index.to_string());
        out.push('\n');
        for hash in &self.hashes {
            out.push_str(&encode_base64(hash));
            out.push('\n');
        }
        out.push('\n');
        out.push_str(&self.checkpoint_note);
        out
    }

    /// Opens the embedded checkpoint note with the trusted `keys` and parses
    /// its body. Only after this (and a check of the origin) is the root
    /// trustworthy.
    ///
    /// # Errors
    ///
    /// As [`open_checkpoint`](super::open_checkpoint); line numbers count
    /// from the start of the proof.
    pub fn open_checkpoint(
        &self,
        keys: &[VerifierKey],
    ) -> Result<(Checkpoint, VerifiedNote), CheckpointError> {
        let offset = line_count(&self.to_text()) - line_count(&self.checkpoint_note);
        super::open_checkpoint(&self.checkpoint_note, keys).map_err(|e| shift_lines(e, offset))
    }

    /// The unauthenticated extra data, if any.
    #[must_use]
    pub fn extra(&self) -> Option<&[u8]> {
        self.extra.as_deref()
    }

    /// The zero-based index of the proven leaf.
    #[must_use]
    pub fn index(&self) -> u64 {
        self.index
    }

    /// The inclusion proof, from the leaf's sibling up to the root's child.
    #[must_use]
    pub fn hashes(&self) -> &[[u8; 32]] {
        &self.hashes
    }

    /// The signed checkpoint note, verbatim (not yet verified).
    #[must_use]
    pub fn checkpoint_note(&self) -> &str {
        &self.checkpoint_note
    }
}

/// Checks the syntax of an embedded checkpoint note starting at proof line
/// `first_line`, and that `index` is below its tree size.
fn check_checkpoint_note(note: &str, index: u64, first_line: usize) -> Result<(), CheckpointError> {
    let offset = first_line - 1;
    let parsed = Note::parse(note).map_err(|e| shift_lines(e, offset))?;
    let checkpoint = Checkpoint::parse_body(parsed.text()).map_err(|e| shift_lines(e, offset))?;
    if index >= checkpoint.size() {
        return Err(CheckpointError::MalformedProof {
            line: first_line + 1,
            reason: format!(
                "index {index} is not below the checkpoint's tree size {}",
                checkpoint.size()
            ),
        });
    }
    Ok(())
}

/// Restates an error about the embedded checkpoint note in proof lines.
fn shift_lines(error: CheckpointError, offset: usize) -> CheckpointError {
    match error {
        CheckpointError::MalformedNote { line, reason } => CheckpointError::MalformedProof {
            line: line + offset,
            reason: format!("checkpoint note: {reason}"),
        },
        CheckpointError::MalformedCheckpoint { line, reason } => CheckpointError::MalformedProof {
            line: line + offset,
            reason: format!("checkpoint: {reason}"),
        },
        CheckpointError::NoteTooLarge { bytes, max } => CheckpointError::MalformedProof {
            line: offset + 1,
            reason: format!("checkpoint note is {bytes} bytes; at most {max} are accepted"),
        },
        CheckpointError::BadSignature { name, key_id, line } => CheckpointError::BadSignature {
            name,
            key_id,
            line: line + offset,
        },
        other => other,
    }
}

/// Newline-terminated lines of the proof head, with their 1-based numbers.
struct Lines<'a> {
    rest: &'a str,
    number: usize,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            rest: text,
            number: 0,
        }
    }

    fn next(&mut self) -> Result<&'a str, CheckpointError> {
        self.number += 1;
        let (line, rest) = self.rest.split_once('\n').ok_or_else(|| {
            let reason = if self.rest.is_empty() {
                "unexpected end of proof (no checkpoint after the proof hashes)"
            } else {
                "line does not end with a newline"
            };
            self.error(reason.to_owned())
        })?;
        self.rest = rest;
        Ok(line)
    }

    fn error(&self, reason: String) -> CheckpointError {
        CheckpointError::MalformedProof {
            line: self.number,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::SigningKey;

    fn key() -> SigningKey {
        SigningKey::from_seed("example.com/log", [4; 32]).unwrap()
    }

    fn note(size: u64) -> String {
        Checkpoint::new("example.com/log", size, [6; 32], Vec::new())
            .unwrap()
            .sign(&key())
            .unwrap()
    }

    fn proof_line(text: &str) -> usize {
        match TlogProof::parse(text) {
            Err(CheckpointError::MalformedProof { line, .. }) => line,
            other => panic!("expected MalformedProof, got {other:?}"),
        }
    }

    #[test]
    fn text_format_is_pinned() {
        let checkpoint = note(5);
        let proof = TlogProof::new(
            Some(b"hello".to_vec()),
            3,
            vec![[0; 32], [0xff; 32]],
            checkpoint.clone(),
        )
        .unwrap();
        let expected = format!(
            "c2sp.org/tlog-proof@v1\n\
             extra aGVsbG8=\n\
             index 3\n\
             AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\
             //////////////////////////////////////////8=\n\
             \n\
             {checkpoint}"
        );
        assert_eq!(proof.to_text(), expected);
        assert_eq!(TlogProof::parse(&expected).unwrap(), proof);
        assert_eq!(proof.extra(), Some(&b"hello"[..]));
        assert_eq!(proof.index(), 3);
        assert_eq!(proof.hashes().len(), 2);
    }

    #[test]
    fn round_trips_without_extra_or_hashes() {
        let proof = TlogProof::new(None, 0, Vec::new(), note(1)).unwrap();
        let text = proof.to_text();
        assert!(text.starts_with("c2sp.org/tlog-proof@v1\nindex 0\n\nexample.com/log\n1\n"));
        assert_eq!(TlogProof::parse(&text).unwrap(), proof);
    }

    #[test]
    fn opens_its_checkpoint_and_reports_proof_lines() {
        let proof = TlogProof::new(None, 2, vec![[1; 32]], note(3)).unwrap();
        let (checkpoint, _) = proof.open_checkpoint(&[key().verifier_key()]).unwrap();
        assert_eq!(checkpoint.size(), 3);

        let tampered = proof.to_text().replacen("\n3\n", "\n4\n", 1);
        let tampered = TlogProof::parse(&tampered).unwrap();
        // header, index, hash, blank, 3 body lines, blank: signature on line 9.
        assert!(matches!(
            tampered.open_checkpoint(&[key().verifier_key()]),
            Err(CheckpointError::BadSignature { line: 9, .. })
        ));
        let other = SigningKey::from_seed("example.com/log", [5; 32]).unwrap();
        assert!(matches!(
            proof.open_checkpoint(&[other.verifier_key()]),
            Err(CheckpointError::NoKnownSignature { .. })
        ));
    }

    #[test]
    fn head_errors_name_their_line() {
        let n = note(5);
        let h = encode_base64(&[1; 32]);
        let cases = [
            (format!("c2sp.org/tlog-proof@v2\nindex 1\n\n{n}"), 1),
            (format!("\nc2sp.org/tlog-proof@v1\nindex 1\n\n{n}"), 1),
            (format!("c2sp.org/tlog-proof@v1\nindex 01\n\n{n}"), 2),
            (format!("c2sp.org/tlog-proof@v1\nindex  1\n\n{n}"), 2),
            (format!("c2sp.org/tlog-proof@v1\nindex\n\n{n}"), 2),
            (format!("c2sp.org/tlog-proof@v1\n1\n\n{n}"), 2),
            (format!("c2sp.org/tlog-proof@v1\nextra\nindex 1\n\n{n}"), 2),
            (
                format!("c2sp.org/tlog-proof@v1\nextra aGVsbG8\nindex 1\n\n{n}"),
                2,
            ),
            (format!("c2sp.org/tlog-proof@v1\nextra aGVsbG8=\n\n{n}"), 3),
            (
                format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\nAAAA\n\n{n}"),
                4,
            ),
            (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}x\n\n{n}"), 3),
            (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}\n"), 4),
            (format!("c2sp.org/tlog-proof@v1\nindex 1\n{h}"), 3),
            ("c2sp.org/tlog-proof@v1".to_owned(), 1),
            (String::new(), 1),
        ];
        for (text, line) in cases {
            assert_eq!(proof_line(&text), line, "{text:?}");
        }
    }

    #[test]
    fn embedded_note_errors_are_counted_in_proof_lines() {
        let n = note(5);
        // Checkpoint body line 2 (size) is proof line 5 here.
        let bad_size = format!(
            "c2sp.org/tlog-proof@v1\nindex 1\n\n{}",
            n.replacen("\n5\n", "\n05\n", 1)
        );
        assert_eq!(proof_line(&bad_size), 5);
        // No signature after the checkpoint: blank line at proof line 7.
        let unsigned = "c2sp.org/tlog-proof@v1\nindex 1\n\nexample.com/log\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\n";
        assert_eq!(proof_line(unsigned), 7);
        let missing_note = "c2sp.org/tlog-proof@v1\nindex 1\n\n";
        assert!(TlogProof::parse(missing_note).is_err());
        let control = format!(
            "c2sp.org/tlog-proof@v1\nindex 1\n\n{}",
            n.replacen("example", "exa\u{1}mple", 1)
        );
        assert_eq!(proof_line(&control), 4);
    }

    #[test]
    fn index_must_be_inside_the_tree() {
        assert_eq!(
            proof_line(&format!("c2sp.org/tlog-proof@v1\nindex 5\n\n{}", note(5))),
            5
        );
        assert!(TlogProof::new(None, 5, Vec::new(), note(5)).is_err());
        assert!(TlogProof::new(None, 0, Vec::new(), note(0)).is_err());
        assert!(TlogProof::new(None, 4, Vec::new(), note(5)).is_ok());
    }

    #[test]
    fn too_many_hashes_are_rejected() {
        let n = note(u64::MAX);
        let ok = TlogProof::new(None, 1, vec![[2; 32]; MAX_PROOF_HASHES], n.clone()).unwrap();
        assert_eq!(TlogProof::parse(&ok.to_text()).unwrap(), ok);
        let h = format!("{}\n", encode_base64(&[2; 32]));
        let text = format!(
            "c2sp.org/tlog-proof@v1\nindex 1\n{}\n{n}",
            h.repeat(MAX_PROOF_HASHES + 1)
        );
        assert_eq!(proof_line(&text), 3 + MAX_PROOF_HASHES);
        assert!(TlogProof::new(None, 1, vec![[2; 32]; MAX_PROOF_HASHES + 1], n).is_err());
    }
}
