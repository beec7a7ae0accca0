//! C2SP tlog-checkpoint bodies: origin, tree size, root hash, extension lines.

use super::error::CheckpointError;
use super::key::{SigningKey, VerifierKey};
use super::note::{VerifiedNote, open_note, sign_note};
use super::text::{decode_hash, describe_char, encode_base64, parse_decimal};

/// The signed statement "the log `origin` had `size` leaves with this root".
// INVARIANT: `origin` and every extension are non-empty and free of control
// characters (so of newlines), hence `to_body` always parses back to `self`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    origin: String,
    size: u64,
    root: [u8; 32],
    extensions: Vec<String>,
}

impl Checkpoint {
    /// Builds a checkpoint for the tree of `size` leaves whose RFC 6962 root
    /// is `root`. `extensions` are optional opaque lines (the spec advises
    /// against them); pass `Vec::new()` for none.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedCheckpoint`] if the origin or an extension
    /// is empty or holds a control character (newlines included); the line is
    /// the one it would occupy in the body.
    ///
    /// ```
    /// use pactlog::checkpoint::Checkpoint;
    ///
    /// let c = Checkpoint::new("example.com/log", 2, [0; 32], Vec::new())?;
    /// assert_eq!(
    ///     c.to_body(),
    ///     "example.com/log\n2\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    /// );
    /// assert!(Checkpoint::new("two\nlines", 2, [0; 32], Vec::new()).is_err());
    /// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
    /// ```
    pub fn new(
        origin: &str,
        size: u64,
        root: [u8; 32],
        extensions: Vec<String>,
    ) -> Result<Self, CheckpointError> {
        check_line(origin, 1, "origin")?;
        for (i, extension) in extensions.iter().enumerate() {
            check_line(extension, 4 + i, "extension line")?;
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// Parses a checkpoint body (the text of a checkpoint note) strictly.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::MalformedCheckpoint`] with the offending line when
    /// the body does not end in a newline, has fewer than three lines, has an
    /// empty line or a control character, a tree size that is not canonical
    /// decimal (no sign, no leading zeros, fits `u64`), or a root hash that is
    /// not canonical base64 of 32 bytes.
    pub fn parse_body(body: &str) -> Result<Self, CheckpointError> {
        let malformed =
            |line: usize, reason: String| CheckpointError::MalformedCheckpoint { line, reason };
        let Some(lines) = body.strip_suffix('\n') else {
            return Err(malformed(
                body.split('\n').count(),
                "body does not end with a newline".to_owned(),
            ));
        };
        let mut lines = lines.split('\n');
        let origin = lines.next().unwrap_or_default();
        check_line(origin, 1, "origin")?;
        let size = lines
            .next()
            .ok_or_else(|| malformed(2, "missing tree size line".to_owned()))?;
        let size = parse_decimal(size).map_err(|e| malformed(2, format!("tree size {e}")))?;
        let root = lines
            .next()
            .ok_or_else(|| malformed(3, "missing root hash line".to_owned()))?;
        let root = decode_hash(root).map_err(|e| malformed(3, format!("root hash: {e}")))?;
        let mut extensions = Vec::new();
        for (i, line) in lines.enumerate() {
            check_line(line, 4 + i, "extension line")?;
            extensions.push(line.to_owned());
        }
        Ok(Self {
            origin: origin.to_owned(),
            size,
            root,
            extensions,
        })
    }

    /// The body: `origin\nsize\nbase64(root)\n` then each extension line.
    #[must_use]
    pub fn to_body(&self) -> String {
        let mut body = format!(
            "{}\n{}\n{}\n",
            self.origin,
            self.size,
            encode_base64(&self.root)
        );
        for extension in &self.extensions {
            body.push_str(extension);
            body.push('\n');
        }
        body
    }

    /// Signs the body with `key` and returns the checkpoint note. The key's
    /// name should equal the origin.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::NoteTooLarge`] if the origin and extensions make the
    /// note longer than [`MAX_NOTE_BYTES`](super::MAX_NOTE_BYTES).
    pub fn sign(&self, key: &SigningKey) -> Result<String, CheckpointError> {
        sign_note(&self.to_body(), key)
    }

    /// The log's identity, first line of the body.
    #[must_use]
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The number of leaves in the tree.
    #[must_use]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The RFC 6962 SHA-256 root hash of the tree.
    #[must_use]
    pub fn root(&self) -> &[u8; 32] {
        &self.root
    }

    /// The extension lines, without newlines.
    #[must_use]
    pub fn extensions(&self) -> &[String] {
        &self.extensions
    }
}

/// Opens a signed checkpoint note with the trusted `keys` and parses its body.
///
/// The caller must still check that [`Checkpoint::origin`] is the log it
/// expects.
///
/// # Errors
///
/// Those of [`open_note`] and of [`Checkpoint::parse_body`]; line numbers
/// are those of the note.
pub fn open_checkpoint(
    note: &str,
    keys: &[VerifierKey],
) -> Result<(Checkpoint, VerifiedNote), CheckpointError> {
    let verified = open_note(note, keys)?;
    let checkpoint = Checkpoint::parse_body(verified.text())?;
    Ok((checkpoint, verified))
}

/// Checks one origin or extension line: non-empty, no control character.
/// Unlike signed-note text in general, a checkpoint also refuses DEL and the
/// C1 controls: they have no business in a log's name.
fn check_line(line: &str, number: usize, what: &str) -> Result<(), CheckpointError> {
    if line.is_empty() {
        return Err(CheckpointError::MalformedCheckpoint {
            line: number,
            reason: format!("{what} is empty"),
        });
    }
    if let Some(c) = line.chars().find(|c| c.is_control()) {
        return Err(CheckpointError::MalformedCheckpoint {
            line: number,
            reason: format!("{what} contains control character {}", describe_char(c)),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ROOT_B64: &str = "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=";

    fn body(origin: &str, size: &str, root: &str) -> String {
        format!("{origin}\n{size}\n{root}\n")
    }

    fn malformed_line(result: Result<Checkpoint, CheckpointError>) -> usize {
        match result {
            Err(CheckpointError::MalformedCheckpoint { line, .. }) => line,
            other => panic!("expected MalformedCheckpoint, got {other:?}"),
        }
    }

    #[test]
    fn spec_example_parses() {
        let c = Checkpoint::parse_body(&body("example.com/behind-the-sofa", "20852163", ROOT_B64))
            .unwrap();
        assert_eq!(c.origin(), "example.com/behind-the-sofa");
        assert_eq!(c.size(), 20_852_163);
        assert_eq!(encode_base64(c.root()), ROOT_B64);
        assert!(c.extensions().is_empty());
    }

    #[test]
    fn body_round_trips_with_extensions() {
        let c = Checkpoint::new(
            "example.com/log",
            u64::MAX,
            [0xab; 32],
            vec!["ext one".to_owned(), "— two".to_owned()],
        )
        .unwrap();
        let text = c.to_body();
        assert_eq!(
            text,
            format!(
                "example.com/log\n18446744073709551615\n{}\next one\n— two\n",
                encode_base64(&[0xab; 32])
            )
        );
        assert_eq!(Checkpoint::parse_body(&text).unwrap(), c);
    }

    #[test]
    fn size_must_be_canonical_decimal() {
        for bad in [
            "007",
            "00",
            "-1",
            "+1",
            " 1",
            "1 ",
            "18446744073709551616",
            "",
            "0x1f",
        ] {
            assert_eq!(
                malformed_line(Checkpoint::parse_body(&body("o", bad, ROOT_B64))),
                2,
                "{bad:?}"
            );
        }
        assert_eq!(
            Checkpoint::parse_body(&body("o", "0", ROOT_B64))
                .unwrap()
                .size(),
            0
        );
    }

    #[test]
    fn root_must_be_32_bytes_of_canonical_base64() {
        let short = encode_base64(&[1; 31]);
        let long = encode_base64(&[1; 33]);
        let unpadded = ROOT_B64.trim_end_matches('=');
        let trailing_bits = ROOT_B64.replace("2I=", "2J=");
        for bad in [
            short.as_str(),
            &long,
            unpadded,
            &trailing_bits,
            "",
            "not base64!",
        ] {
            assert_eq!(
                malformed_line(Checkpoint::parse_body(&body("o", "1", bad))),
                3,
                "{bad:?}"
            );
        }
    }

    #[test]
    fn origin_must_be_non_empty_without_control_characters() {
        for bad in ["", "a\tb", "a\u{7f}b", "a\u{85}b", "a\rb"] {
            assert_eq!(
                malformed_line(Checkpoint::parse_body(&body(bad, "1", ROOT_B64))),
                1,
                "{bad:?}"
            );
            assert_eq!(
                malformed_line(Checkpoint::new(bad, 1, [0; 32], Vec::new())),
                1
            );
        }
        assert_eq!(
            malformed_line(Checkpoint::new("a\nb", 1, [0; 32], Vec::new())),
            1
        );
    }

    #[test]
    fn origin_may_be_non_ascii_or_contain_spaces_per_spec() {
        // tlog-checkpoint: "clients MUST NOT assume that the origin is following
        // this format" (a schema-less URL), so only emptiness and control
        // characters are errors.
        for origin in ["例え.jp/ログ", "my log", "a+b"] {
            let c = Checkpoint::parse_body(&body(origin, "1", ROOT_B64)).unwrap();
            assert_eq!(c.origin(), origin);
            assert_eq!(Checkpoint::parse_body(&c.to_body()).unwrap(), c);
        }
    }

    #[test]
    fn blank_lines_and_truncation_are_rejected() {
        let good = body("o", "1", ROOT_B64);
        assert_eq!(
            malformed_line(Checkpoint::parse_body(&format!("{good}\n"))),
            4
        );
        assert_eq!(
            malformed_line(Checkpoint::parse_body(&format!("{good}x\n\ny\n"))),
            5
        );
        assert_eq!(
            malformed_line(Checkpoint::parse_body(&format!("\n{good}"))),
            1
        );
        assert_eq!(malformed_line(Checkpoint::parse_body(good.trim_end())), 3);
        assert_eq!(malformed_line(Checkpoint::parse_body("o\n1\n")), 3);
        assert_eq!(malformed_line(Checkpoint::parse_body("o\n")), 2);
        assert_eq!(malformed_line(Checkpoint::parse_body("")), 1);
        assert_eq!(
            malformed_line(Checkpoint::new("o", 1, [0; 32], vec![String::new()])),
            4
        );
        assert_eq!(
            malformed_line(Checkpoint::new(
                "o",
                1,
                [0; 32],
                vec!["x".into(), "a\nb".into()]
            )),
            5
        );
    }

    #[test]
    fn signed_checkpoint_opens_and_rejects_tampering() {
        let key = SigningKey::from_seed("example.com/log", [3; 32]).unwrap();
        let c = Checkpoint::new("example.com/log", 9, [5; 32], Vec::new()).unwrap();
        let note = c.sign(&key).unwrap();
        let keys = [key.verifier_key()];
        let (opened, verified) = open_checkpoint(&note, &keys).unwrap();
        assert_eq!(opened, c);
        assert_eq!(verified.text(), c.to_body());

        let bigger = note.replacen("\n9\n", "\n10\n", 1);
        assert!(matches!(
            open_checkpoint(&bigger, &keys),
            Err(CheckpointError::BadSignature { line: 5, .. })
        ));
    }

    #[test]
    fn signed_note_that_is_not_a_checkpoint_is_malformed() {
        let key = SigningKey::from_seed("example.com/log", [3; 32]).unwrap();
        let keys = [key.verifier_key()];
        for (text, line) in [
            ("example.com/log\n9\n", 3),
            (
                "example.com/log\n09\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
                2,
            ),
            (
                "example.com/log\n\n9\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
                2,
            ),
        ] {
            let note = sign_note(text, &key).unwrap();
            assert!(
                matches!(
                    open_checkpoint(&note, &keys),
                    Err(CheckpointError::MalformedCheckpoint { line: l, .. }) if l == line
                ),
                "{text:?}"
            );
        }
    }
}
