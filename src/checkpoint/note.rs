//! C2SP signed notes: text plus one or more Ed25519 signature lines.

use super::error::CheckpointError;
use super::key::{SigningKey, VerifierKey, check_key_name};
use super::text::{decode_base64, describe_char, encode_base64, find_note_control};

/// The largest note accepted or produced, in bytes.
pub const MAX_NOTE_BYTES: usize = 1_000_000;

/// The most signatures a note may carry (the spec requires accepting at least 16).
pub const MAX_NOTE_SIGNATURES: usize = 100;

const SIGNATURE_PREFIX: &str = "\u{2014} ";

/// One signature line of a note: `— <name> base64(key id || signature)`.
// INVARIANT: `name` is a valid key name and `signature` is not empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NoteSignature {
    name: String,
    key_id: u32,
    signature: Vec<u8>,
}

impl NoteSignature {
    /// The key name on the signature line.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (the first four bytes of the decoded signature).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.key_id
    }

    /// The signature bytes after the key id (64 bytes for Ed25519).
    #[must_use]
    pub fn signature(&self) -> &[u8] {
        &self.signature
    }

    /// The signature line, including its final newline.
    #[must_use]
    pub fn to_line(&self) -> String {
        let mut data = self.key_id.to_be_bytes().to_vec();
        data.extend_from_slice(&self.signature);
        format!("{SIGNATURE_PREFIX}{} {}\n", self.name, encode_base64(&data))
    }

    /// Builds a signature line's value; `name` must be a valid key name.
    pub(super) fn new(name: &str, key_id: u32, signature: Vec<u8>) -> Self {
        Self {
            name: name.to_owned(),
            key_id,
            signature,
        }
    }

    /// Parses one signature line, with or without its final newline (a line of a
    /// witness's `add-checkpoint` response, for instance).
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedNote`] (line 1) when the line does not start with
    /// an em dash and a space, has a bad key name, or its signature is not canonical
    /// base64 of a key id and at least one byte.
    pub fn parse(line: &str) -> Result<Self, CheckpointError> {
        let line = line.strip_suffix('\n').unwrap_or(line);
        if let Some(c) = find_note_control(line) {
            return Err(CheckpointError::MalformedNote {
                line: 1,
                reason: format!("control character {} is not allowed", describe_char(c)),
            });
        }
        Self::parse_line(line, 1)
    }

    fn parse_line(line: &str, number: usize) -> Result<Self, CheckpointError> {
        let malformed = |reason: String| CheckpointError::MalformedNote {
            line: number,
            reason,
        };
        let rest = line.strip_prefix(SIGNATURE_PREFIX).ok_or_else(|| {
            malformed("signature line does not start with an em dash (U+2014) and a space".into())
        })?;
        let (name, data) = rest
            .split_once(' ')
            .ok_or_else(|| malformed("signature line has no space after the key name".into()))?;
        check_key_name(name).map_err(|reason| malformed(format!("key name {name:?}: {reason}")))?;
        let bytes = decode_base64(data)
            .ok_or_else(|| malformed("signature is not canonical base64".into()))?;
        let Some((id, signature)) = bytes
            .split_first_chunk::<4>()
            .filter(|(_, s)| !s.is_empty())
        else {
            return Err(malformed(format!(
                "signature is {} bytes; want a 4-byte key id and a signature",
                bytes.len()
            )));
        };
        Ok(Self {
            name: name.to_owned(),
            key_id: u32::from_be_bytes(*id),
            signature: signature.to_vec(),
        })
    }
}

/// A signed note whose syntax has been checked but whose signatures have not.
///
/// Obtain one with [`Note::parse`]; trust its text only through
/// [`Note::verify`] or [`open_note`].
// INVARIANT: `text` is valid note text (see `check_text`), there are 1 to
// MAX_NOTE_SIGNATURES signatures, and the encoded note fits MAX_NOTE_BYTES.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note {
    text: String,
    signatures: Vec<NoteSignature>,
}

impl Note {
    /// Parses a signed note without checking any signature.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::NoteTooLarge`] past [`MAX_NOTE_BYTES`], and
    /// [`CheckpointError::MalformedNote`] with the offending line for a control
    /// character, a missing final newline, no blank line, no signature after
    /// the last blank line, a bad signature line or too many signatures.
    pub fn parse(note: &str) -> Result<Self, CheckpointError> {
        if note.len() > MAX_NOTE_BYTES {
            return Err(CheckpointError::NoteTooLarge {
                bytes: note.len(),
                max: MAX_NOTE_BYTES,
            });
        }
        check_controls(note)?;
        if !note.ends_with('\n') {
            return Err(CheckpointError::MalformedNote {
                line: note.split('\n').count(),
                reason: "note does not end with a newline".to_owned(),
            });
        }
        // The last blank line separates the text from the signatures.
        let Some((before_blank, signature_block)) = note.rsplit_once("\n\n") else {
            return Err(CheckpointError::MalformedNote {
                line: 1,
                reason: "no blank line separates the text from the signatures".to_owned(),
            });
        };
        let text = format!("{before_blank}\n");
        let first_signature_line = line_count(&text) + 2;
        if signature_block.is_empty() {
            return Err(CheckpointError::MalformedNote {
                line: first_signature_line - 1,
                reason: "no signature line after the last blank line".to_owned(),
            });
        }
        let mut signatures = Vec::new();
        for (i, line) in signature_block.split_terminator('\n').enumerate() {
            let number = first_signature_line + i;
            if i == MAX_NOTE_SIGNATURES {
                return Err(CheckpointError::MalformedNote {
                    line: number,
                    reason: format!("more than {MAX_NOTE_SIGNATURES} signatures"),
                });
            }
            signatures.push(NoteSignature::parse_line(line, number)?);
        }
        Ok(Self { text, signatures })
    }

    /// The note text: every line before the last blank line, with final newline.
    /// Not authenticated unless this note came from [`VerifiedNote::note`].
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The signature lines, in order.
    #[must_use]
    pub fn signatures(&self) -> &[NoteSignature] {
        &self.signatures
    }

    /// Signs the text with `key` (a cosignature, for instance). A signature
    /// already present under the same key name and id is replaced in place;
    /// otherwise the new one is appended.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedNote`] if the note already has
    /// [`MAX_NOTE_SIGNATURES`] signatures and [`CheckpointError::NoteTooLarge`]
    /// if the result would exceed [`MAX_NOTE_BYTES`].
    pub fn add_signature(&mut self, key: &SigningKey) -> Result<(), CheckpointError> {
        self.push_signature(signature_by(&self.text, key))
    }

    /// Adds a signature line made elsewhere (a witness's cosignature, say), with the
    /// rules of [`Note::add_signature`]: one by the same key name and id is replaced in
    /// place. Nothing is checked here; [`Note::verify`] and
    /// [`check_quorum`](super::check_quorum) check signatures.
    ///
    /// # Errors
    ///
    /// As [`Note::add_signature`].
    pub fn push_signature(&mut self, signature: NoteSignature) -> Result<(), CheckpointError> {
        if let Some(old) = self
            .signatures
            .iter_mut()
            .find(|s| s.name == signature.name && s.key_id == signature.key_id)
        {
            *old = signature;
            return Ok(());
        }
        if self.signatures.len() == MAX_NOTE_SIGNATURES {
            return Err(CheckpointError::MalformedNote {
                line: line_count(&self.text) + 2 + MAX_NOTE_SIGNATURES,
                reason: format!("more than {MAX_NOTE_SIGNATURES} signatures"),
            });
        }
        let bytes = self.encoded_len() + signature.to_line().len();
        if bytes > MAX_NOTE_BYTES {
            return Err(CheckpointError::NoteTooLarge {
                bytes,
                max: MAX_NOTE_BYTES,
            });
        }
        self.signatures.push(signature);
        Ok(())
    }

    /// The signed note: text, blank line, signature lines.
    #[must_use]
    pub fn to_text(&self) -> String {
        let mut out = String::with_capacity(self.encoded_len());
        out.push_str(&self.text);
        out.push('\n');
        for signature in &self.signatures {
            out.push_str(&signature.to_line());
        }
        out
    }

    /// Checks the signatures against the trusted `keys`.
    ///
    /// A signature matches a trusted key when both key name and key id are
    /// equal; each such signature must verify. Signatures by other keys are
    /// ignored, as the signed-note spec requires.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::BadSignature`] when a trusted key's signature does
    /// not verify, [`CheckpointError::NoKnownSignature`] when no signature is
    /// by a trusted key, and [`CheckpointError::AmbiguousKey`] when two
    /// different trusted keys share a name and key id.
    pub fn verify(&self, keys: &[VerifierKey]) -> Result<VerifiedNote, CheckpointError> {
        let first_signature_line = line_count(&self.text) + 2;
        let mut verified: Vec<NoteSignature> = Vec::new();
        for (i, signature) in self.signatures.iter().enumerate() {
            let mut matching = keys
                .iter()
                .filter(|k| k.name() == signature.name && k.key_id() == signature.key_id);
            let Some(key) = matching.next() else {
                continue;
            };
            if matching.any(|other| other != key) {
                return Err(CheckpointError::AmbiguousKey {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                });
            }
            if !key.verifies(self.text.as_bytes(), &signature.signature) {
                return Err(CheckpointError::BadSignature {
                    name: signature.name.clone(),
                    key_id: signature.key_id,
                    line: first_signature_line + i,
                });
            }
            if !verified
                .iter()
                .any(|v| v.name == signature.name && v.key_id == signature.key_id)
            {
                verified.push(signature.clone());
            }
        }
        if verified.is_empty() {
            return Err(CheckpointError::NoKnownSignature {
                signers: self
                    .signatures
                    .iter()
                    .map(|s| format!("{}+{:08x}", s.name, s.key_id))
                    .collect(),
            });
        }
        Ok(VerifiedNote {
            note: self.clone(),
            verified,
        })
    }

    fn encoded_len(&self) -> usize {
        let lines: usize = self.signatures.iter().map(|s| s.to_line().len()).sum();
        self.text.len() + 1 + lines
    }
}

/// A note with at least one valid signature by a trusted key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedNote {
    note: Note,
    verified: Vec<NoteSignature>,
}

impl VerifiedNote {
    /// The authenticated text.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.note.text
    }

    /// The whole note, including signatures by keys that were not trusted.
    #[must_use]
    pub fn note(&self) -> &Note {
        &self.note
    }

    /// The signatures by trusted keys that verified, one per key.
    #[must_use]
    pub fn verified_signatures(&self) -> &[NoteSignature] {
        &self.verified
    }
}

/// Signs `text` with `key` and returns the signed note.
///
/// The text must be non-empty, end in a newline, and hold no ASCII control
/// character but newline. It may contain blank lines (the spec allows them;
/// checkpoint bodies never do).
///
/// # Errors
///
/// [`CheckpointError::MalformedNote`] for text breaking those rules, with its
/// line, and [`CheckpointError::NoteTooLarge`] past [`MAX_NOTE_BYTES`].
///
/// ```
/// use pactlog::checkpoint::{SigningKey, open_note, sign_note};
///
/// let key = SigningKey::from_seed("example.com/log", [1; 32])?;
/// let note = sign_note("hello\n", &key)?;
/// assert!(note.starts_with("hello\n\n\u{2014} example.com/log "));
/// assert_eq!(open_note(&note, &[key.verifier_key()])?.text(), "hello\n");
/// assert!(sign_note("no final newline", &key).is_err());
/// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
/// ```
pub fn sign_note(text: &str, key: &SigningKey) -> Result<String, CheckpointError> {
    check_text(text)?;
    let signature = signature_by(text, key);
    let note = Note {
        text: text.to_owned(),
        signatures: vec![signature],
    };
    let bytes = note.encoded_len();
    if bytes > MAX_NOTE_BYTES {
        return Err(CheckpointError::NoteTooLarge {
            bytes,
            max: MAX_NOTE_BYTES,
        });
    }
    Ok(note.to_text())
}

/// Parses `note` and checks it against the trusted `keys`: the
/// [`Note::parse`] and [`Note::verify`] steps in one call.
///
/// # Errors
///
/// Those of [`Note::parse`] (malformed) and [`Note::verify`] (bad signature,
/// no trusted signature, ambiguous keys), each a distinct variant.
pub fn open_note(note: &str, keys: &[VerifierKey]) -> Result<VerifiedNote, CheckpointError> {
    Note::parse(note)?.verify(keys)
}

fn signature_by(text: &str, key: &SigningKey) -> NoteSignature {
    NoteSignature {
        name: key.name().to_owned(),
        key_id: key.key_id(),
        signature: key.sign(text.as_bytes()).to_vec(),
    }
}

fn check_controls(text: &str) -> Result<(), CheckpointError> {
    for (i, line) in text.split('\n').enumerate() {
        if let Some(c) = find_note_control(line) {
            return Err(CheckpointError::MalformedNote {
                line: i + 1,
                reason: format!("control character {} is not allowed", describe_char(c)),
            });
        }
    }
    Ok(())
}

fn check_text(text: &str) -> Result<(), CheckpointError> {
    check_controls(text)?;
    if !text.ends_with('\n') {
        return Err(CheckpointError::MalformedNote {
            line: text.split('\n').count(),
            reason: "text is empty or does not end with a newline".to_owned(),
        });
    }
    Ok(())
}

/// The number of newline-terminated lines in `text`.
pub(super) fn line_count(text: &str) -> usize {
    text.bytes().filter(|&b| b == b'\n').count()
}

#[cfg(test)]
mod tests {
    use super::*;

    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
    const PETER_TEXT: &str = "If you think cryptography is the answer to your problem,\n\
                              then you don't know what your problem is.\n";
    const PETER_SIG: &str = "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

    fn key(name: &str, seed: u8) -> SigningKey {
        SigningKey::from_seed(name, [seed; 32]).unwrap()
    }

    fn flip_char_at(s: &str, at: usize) -> String {
        let mut out = s.to_owned();
        let c = out.as_bytes()[at];
        let replacement = if c == b'A' { "B" } else { "A" };
        out.replace_range(at..=at, replacement);
        out
    }

    #[test]
    fn signing_matches_go_test_vector() {
        let peter = SigningKey::from_private_text(PETER_SKEY).unwrap();
        let note = sign_note(PETER_TEXT, &peter).unwrap();
        assert_eq!(note, format!("{PETER_TEXT}\n{PETER_SIG}"));
    }

    #[test]
    fn sign_then_open_round_trips() {
        let k = key("example.com/log", 1);
        let note = sign_note("one\ntwo\n", &k).unwrap();
        let opened = open_note(&note, &[k.verifier_key()]).unwrap();
        assert_eq!(opened.text(), "one\ntwo\n");
        assert_eq!(opened.verified_signatures().len(), 1);
        assert_eq!(opened.verified_signatures()[0].key_id(), k.key_id());
        assert_eq!(opened.note().to_text(), note);
        assert_eq!(Note::parse(&note).unwrap().to_text(), note);
    }

    #[test]
    fn text_may_contain_blank_lines() {
        let k = key("a", 1);
        for text in ["\n", "x\n\ny\n", "x\n\n", "\n\nx\n"] {
            let note = sign_note(text, &k).unwrap();
            assert_eq!(open_note(&note, &[k.verifier_key()]).unwrap().text(), text);
        }
    }

    #[test]
    fn unknown_signatures_are_ignored() {
        let (log, witness) = (key("log", 1), key("witness", 2));
        let mut note = Note::parse(&sign_note("t\n", &log).unwrap()).unwrap();
        note.add_signature(&witness).unwrap();
        // A garbage signature by an unknown key is ignored too.
        let text = format!("{}\u{2014} stranger AAAAAAA=\n", note.to_text());
        let opened = open_note(&text, &[log.verifier_key()]).unwrap();
        assert_eq!(opened.note().signatures().len(), 3);
        assert_eq!(opened.verified_signatures()[0].name(), "log");
        let both = open_note(&text, &[log.verifier_key(), witness.verifier_key()]).unwrap();
        assert_eq!(both.verified_signatures().len(), 2);
    }

    #[test]
    fn add_signature_replaces_the_same_key() {
        let k = key("a", 1);
        let mut note = Note::parse(&sign_note("t\n", &k).unwrap()).unwrap();
        let before = note.to_text();
        note.add_signature(&k).unwrap();
        assert_eq!(note.to_text(), before);
    }

    #[test]
    fn bad_signature_is_its_own_error() {
        let k = key("a", 1);
        let note = sign_note("t\n", &k).unwrap();
        let sig_start = note.find("a ").unwrap() + 2;
        let forged = flip_char_at(&note, sig_start + 10);
        assert_eq!(
            open_note(&forged, &[k.verifier_key()]),
            Err(CheckpointError::BadSignature {
                name: "a".to_owned(),
                key_id: k.key_id(),
                line: 3
            })
        );
    }

    #[test]
    fn tampered_text_is_a_bad_signature() {
        let k = key("a", 1);
        let note = sign_note("size 10\n", &k).unwrap();
        let tampered = note.replacen("10", "11", 1);
        assert!(matches!(
            open_note(&tampered, &[k.verifier_key()]),
            Err(CheckpointError::BadSignature { line: 3, .. })
        ));
    }

    #[test]
    fn wrong_key_name_or_key_finds_no_known_signature() {
        let k = key("a", 1);
        let note = sign_note("t\n", &k).unwrap();
        let other_name = key("b", 1).verifier_key();
        let other_key = key("a", 2).verifier_key();
        let err = open_note(&note, &[other_name, other_key]).unwrap_err();
        assert_eq!(
            err,
            CheckpointError::NoKnownSignature {
                signers: vec![format!("a+{:08x}", k.key_id())]
            }
        );
        // Same key, renamed signature line: the name no longer matches.
        let renamed = note.replace("\u{2014} a ", "\u{2014} b ");
        assert!(matches!(
            open_note(&renamed, &[k.verifier_key(), key("b", 1).verifier_key()]),
            Err(CheckpointError::NoKnownSignature { .. })
        ));
        assert!(matches!(
            open_note(&note, &[]),
            Err(CheckpointError::NoKnownSignature { .. })
        ));
    }

    #[test]
    fn missing_signature_lines_are_malformed() {
        for (note, line) in [("t\n", 1), ("t\n\n", 2), ("t\n\n\n", 3), ("", 1)] {
            assert!(
                matches!(
                    Note::parse(note),
                    Err(CheckpointError::MalformedNote { line: l, .. }) if l == line
                ),
                "{note:?}: {:?}",
                Note::parse(note)
            );
        }
    }

    #[test]
    fn extra_blank_lines_change_the_text() {
        let k = key("a", 1);
        let note = sign_note("t\n", &k).unwrap();
        let trailing = format!("{note}\n");
        assert!(matches!(
            open_note(&trailing, &[k.verifier_key()]),
            Err(CheckpointError::MalformedNote { line: 4, .. })
        ));
        // A blank line between two signatures moves the first one into the
        // text (the last blank line separates), so the second no longer verifies.
        let mut two = Note::parse(&note).unwrap();
        two.add_signature(&key("b", 2)).unwrap();
        let split = two.to_text().replacen("\n\u{2014} b", "\n\n\u{2014} b", 1);
        assert!(matches!(
            open_note(&split, &[key("b", 2).verifier_key()]),
            Err(CheckpointError::BadSignature { .. })
        ));
        let leading = format!("\n{note}");
        assert!(matches!(
            open_note(&leading, &[k.verifier_key()]),
            Err(CheckpointError::BadSignature { .. })
        ));
    }

    #[test]
    fn malformed_signature_lines_are_rejected() {
        let bad = [
            "- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            "\u{2014}PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            "\u{2014} PeterNeumann",
            "\u{2014} PeterNeumann  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            "\u{2014} Peter+Neumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
            "\u{2014} PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM",
            "\u{2014} PeterNeumann AAAAAA==",
            "\u{2014}  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
        ];
        for line in bad {
            let note = format!("{PETER_TEXT}\n{line}\n");
            assert!(
                matches!(
                    Note::parse(&note),
                    Err(CheckpointError::MalformedNote { line: 4, .. })
                ),
                "{line:?}: {:?}",
                Note::parse(&note)
            );
        }
    }

    #[test]
    fn control_characters_are_rejected_with_their_line() {
        let note = format!("ok\nbad\rline\n\n{PETER_SIG}");
        assert!(matches!(
            Note::parse(&note),
            Err(CheckpointError::MalformedNote { line: 2, ref reason }) if reason.contains("U+000D")
        ));
        let k = key("a", 1);
        assert!(matches!(
            sign_note("tab\there\n", &k),
            Err(CheckpointError::MalformedNote { line: 1, .. })
        ));
    }

    #[test]
    fn sign_note_rejects_text_without_final_newline() {
        let k = key("a", 1);
        for text in ["", "abc", "a\nb"] {
            assert!(matches!(
                sign_note(text, &k),
                Err(CheckpointError::MalformedNote { .. })
            ));
        }
    }

    #[test]
    fn too_many_signatures_are_rejected() {
        let ok = format!("{PETER_TEXT}\n{}", PETER_SIG.repeat(MAX_NOTE_SIGNATURES));
        assert!(Note::parse(&ok).is_ok());
        let too_many = format!(
            "{PETER_TEXT}\n{}",
            PETER_SIG.repeat(MAX_NOTE_SIGNATURES + 1)
        );
        assert!(matches!(
            Note::parse(&too_many),
            Err(CheckpointError::MalformedNote { line, .. }) if line == 4 + MAX_NOTE_SIGNATURES
        ));
        let mut full = Note::parse(&ok).unwrap();
        assert!(full.add_signature(&key("x", 1)).is_err());
    }

    #[test]
    fn oversized_notes_are_rejected() {
        let text = "a".repeat(MAX_NOTE_BYTES) + "\n";
        assert!(matches!(
            sign_note(&text, &key("a", 1)),
            Err(CheckpointError::NoteTooLarge { .. })
        ));
        let note = format!("{text}\n{PETER_SIG}");
        assert!(matches!(
            Note::parse(&note),
            Err(CheckpointError::NoteTooLarge { .. })
        ));
    }

    #[test]
    fn duplicate_trusted_keys_are_fine_but_colliding_ones_are_not() {
        let k = key("a", 1);
        let note = sign_note("t\n", &k).unwrap();
        assert!(open_note(&note, &[k.verifier_key(), k.verifier_key()]).is_ok());
        // A real collision needs ~2^32 tries; forge the key id instead.
        let impostor = VerifierKey::forged_for_tests("a", k.key_id(), key("a", 2).verifier_key());
        assert_eq!(
            open_note(&note, &[k.verifier_key(), impostor]),
            Err(CheckpointError::AmbiguousKey {
                name: "a".to_owned(),
                key_id: k.key_id()
            })
        );
    }
}
