//! Ed25519 signing and verifier keys in the C2SP signed-note text formats.

use std::fmt;
use std::str::FromStr;

use crate::model::text::is_invisible;
use sha2::{Digest, Sha256};

use super::error::{CheckpointError, KeyKind};
use super::text::{decode_base64, encode_base64};

/// The signed-note signature type byte of Ed25519, the only type supported.
pub const ED25519_SIGNATURE_TYPE: u8 = 0x01;

const PRIVATE_PREFIX: &str = "PRIVATE+KEY+";

/// Computes the signed-note key id of an Ed25519 key: the first four bytes,
/// big-endian, of `SHA-256(name || 0x0A || 0x01 || public_key)`.
///
/// The name is not checked here; [`VerifierKey`] and [`SigningKey`] only hold
/// valid names.
#[must_use]
pub fn key_id(name: &str, public_key: &[u8; 32]) -> u32 {
    typed_key_id(ED25519_SIGNATURE_TYPE, name, public_key)
}

/// The signed-note key id of a key of signature type `kind`: the first four bytes,
/// big-endian, of `SHA-256(name || 0x0A || kind || public_key)`.
pub(super) fn typed_key_id(kind: u8, name: &str, public_key: &[u8; 32]) -> u32 {
    let mut hasher = Sha256::new();
    hasher.update(name.as_bytes());
    hasher.update([b'\n', kind]);
    hasher.update(public_key);
    let [a, b, c, d, ..] = <[u8; 32]>::from(hasher.finalize());
    u32::from_be_bytes([a, b, c, d])
}

/// Checks the signed-note rules for key names (not empty, no '+', no white space), and
/// refuses what would let a name print as another: control characters and the invisible
/// and formatting characters of [`is_invisible`] (bidi controls such as U+202E,
/// zero-width characters), which `key generate`, `audit` and `checkpoint` would
/// otherwise print.
pub(super) fn check_key_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        Err("name is empty")
    } else if name.contains('+') {
        Err("name contains '+'")
    } else if name.chars().any(char::is_whitespace) {
        Err("name contains white space")
    } else if name.chars().any(char::is_control) {
        Err("name contains a control character")
    } else if name.chars().any(is_invisible) {
        Err(
            "name contains an invisible or formatting character (such as a bidi control or a zero-width character)",
        )
    } else {
        Ok(())
    }
}

fn valid_name(name: &str) -> Result<(), CheckpointError> {
    check_key_name(name).map_err(|reason| CheckpointError::InvalidKeyName {
        name: name.to_owned(),
        reason,
    })
}

/// A public Ed25519 key with its name: what an auditor trusts.
///
/// Its text form (`Display`, [`FromStr`]) is `name+keyid+base64(0x01 || key)`.
// INVARIANT: `name` is a valid key name, `id == key_id(name, key)`, and `key`
// is not of small order.
#[derive(Clone, PartialEq, Eq)]
pub struct VerifierKey {
    name: String,
    id: u32,
    key: ed25519_dalek::VerifyingKey,
}

impl VerifierKey {
    /// Parses a verifier key text `name+keyid+base64(0x01 || 32-byte key)`.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::InvalidKeyName`] for a bad name,
    /// [`CheckpointError::UnsupportedKeyType`] for a type byte other than
    /// `0x01`, [`CheckpointError::KeyIdMismatch`] when the key id does not
    /// match, and [`CheckpointError::MalformedKey`] for anything else
    /// (missing fields, key id not 8 lowercase hex digits, non-canonical
    /// base64, wrong length, invalid or small-order Ed25519 point).
    ///
    /// ```
    /// use pactlog::checkpoint::VerifierKey;
    ///
    /// let key: VerifierKey =
    ///     "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW".parse()?;
    /// assert_eq!(key.name(), "PeterNeumann");
    /// assert_eq!(key.key_id(), 0xc74f20a3);
    /// assert!(VerifierKey::parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW").is_err());
    /// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
    /// ```
    pub fn parse(text: &str) -> Result<Self, CheckpointError> {
        let kind = KeyKind::Verifier;
        let (name, id, bytes) = split_key_text(kind, text, ED25519_SIGNATURE_TYPE)?;
        let key = public_point(kind, &bytes)?;
        check_id(kind, name, id, key_id(name, &bytes))?;
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Builds a verifier key from a name and a raw 32-byte Ed25519 public key.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::InvalidKeyName`] for a bad name and
    /// [`CheckpointError::MalformedKey`] if the bytes are not a valid,
    /// non-small-order Ed25519 point.
    pub fn from_public_key(name: &str, public_key: [u8; 32]) -> Result<Self, CheckpointError> {
        valid_name(name)?;
        let text = format!(
            "{name}+{:08x}+{}",
            key_id(name, &public_key),
            encode_key_data(&public_key)
        );
        Self::parse(&text)
    }

    /// The key's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (see [`key_id`]).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The raw 32-byte Ed25519 public key.
    #[must_use]
    pub fn public_key(&self) -> [u8; 32] {
        self.key.to_bytes()
    }

    /// The verifier key text `name+keyid+base64(0x01 || key)`.
    #[must_use]
    pub fn to_text(&self) -> String {
        self.to_string()
    }

    /// A key whose id was not computed from its name and public key, to test
    /// how notes handle key-id collisions.
    #[cfg(test)]
    pub(super) fn forged_for_tests(name: &str, id: u32, key: VerifierKey) -> Self {
        Self {
            name: name.to_owned(),
            id,
            key: key.key,
        }
    }

    /// Whether `signature` is this key's valid Ed25519 signature of `message`
    /// (strict RFC 8032 verification).
    pub(super) fn verifies(&self, message: &[u8], signature: &[u8]) -> bool {
        let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
            return false;
        };
        let signature = ed25519_dalek::Signature::from_bytes(&bytes);
        self.key.verify_strict(message, &signature).is_ok()
    }
}

impl fmt::Display for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let data = encode_key_data(self.key.as_bytes());
        write!(f, "{}+{:08x}+{data}", self.name, self.id)
    }
}

impl fmt::Debug for VerifierKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("VerifierKey")
            .field(&self.to_string())
            .finish()
    }
}

impl FromStr for VerifierKey {
    type Err = CheckpointError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::parse(text)
    }
}

/// A private Ed25519 key with its name: what the ledger signs checkpoints with.
///
/// `Debug` shows only the name and key id; there is deliberately no `Display`.
/// The secret leaves only through [`SigningKey::to_private_text`]. The inner
/// key is zeroized on drop.
// INVARIANT: `name` is a valid key name and `id == key_id(name, public key)`.
#[derive(Clone)]
pub struct SigningKey {
    name: String,
    id: u32,
    key: ed25519_dalek::SigningKey,
}

impl SigningKey {
    /// Generates a new key with a fresh 32-byte seed from the operating system.
    ///
    /// # Errors
    ///
    /// [`CheckpointError::InvalidKeyName`] for a bad name and
    /// [`CheckpointError::Randomness`] if the system has no randomness to give.
    ///
    /// ```
    /// use pactlog::checkpoint::SigningKey;
    ///
    /// let key = SigningKey::generate("example.com/pactlog")?;
    /// assert!(key.to_private_text().starts_with("PRIVATE+KEY+example.com/pactlog+"));
    /// assert!(SigningKey::generate("two words").is_err());
    /// # Ok::<(), pactlog::checkpoint::CheckpointError>(())
    /// ```
    pub fn generate(name: &str) -> Result<Self, CheckpointError> {
        valid_name(name)?;
        let mut seed = [0u8; 32];
        getrandom::getrandom(&mut seed).map_err(|e| CheckpointError::Randomness {
            reason: e.to_string(),
        })?;
        Self::from_seed(name, seed)
    }

    /// Builds a key from a name and a 32-byte Ed25519 seed (RFC 8032 private key).
    ///
    /// # Errors
    ///
    /// [`CheckpointError::InvalidKeyName`] for a bad name.
    pub fn from_seed(name: &str, seed: [u8; 32]) -> Result<Self, CheckpointError> {
        valid_name(name)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let id = key_id(name, key.verifying_key().as_bytes());
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// Parses a private key text `PRIVATE+KEY+name+keyid+base64(0x01 || seed)`.
    ///
    /// # Errors
    ///
    /// As [`VerifierKey::parse`], with [`KeyKind::Private`]; also
    /// [`CheckpointError::MalformedKey`] when the `PRIVATE+KEY+` prefix is missing.
    pub fn from_private_text(text: &str) -> Result<Self, CheckpointError> {
        let kind = KeyKind::Private;
        let rest =
            text.strip_prefix(PRIVATE_PREFIX)
                .ok_or_else(|| CheckpointError::MalformedKey {
                    kind,
                    reason: format!("does not start with {PRIVATE_PREFIX:?}"),
                })?;
        let (name, id, seed) = split_key_text(kind, rest, ED25519_SIGNATURE_TYPE)?;
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        check_id(kind, name, id, key_id(name, key.verifying_key().as_bytes()))?;
        Ok(Self {
            name: name.to_owned(),
            id,
            key,
        })
    }

    /// The private key text `PRIVATE+KEY+name+keyid+base64(0x01 || seed)`.
    /// Anyone holding it can sign as this key: store it with care.
    #[must_use]
    pub fn to_private_text(&self) -> String {
        let data = encode_key_data(self.key.as_bytes());
        format!("{PRIVATE_PREFIX}{}+{:08x}+{data}", self.name, self.id)
    }

    /// The key's name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key id (see [`key_id`]).
    #[must_use]
    pub fn key_id(&self) -> u32 {
        self.id
    }

    /// The matching public key, to hand to auditors.
    #[must_use]
    pub fn verifier_key(&self) -> VerifierKey {
        VerifierKey {
            name: self.name.clone(),
            id: self.id,
            key: self.key.verifying_key(),
        }
    }

    /// The raw 32-byte Ed25519 public key.
    pub(super) fn public_key(&self) -> [u8; 32] {
        self.key.verifying_key().to_bytes()
    }

    /// The 64-byte Ed25519 signature of `message`.
    pub(super) fn sign(&self, message: &[u8]) -> [u8; 64] {
        use ed25519_dalek::Signer as _;
        self.key.sign(message).to_bytes()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("name", &self.name)
            .field("key_id", &format_args!("{:08x}", self.id))
            .finish_non_exhaustive()
    }
}

/// Decodes a public key: a valid Ed25519 point that is not of small order.
pub(super) fn public_point(
    kind: KeyKind,
    bytes: &[u8; 32],
) -> Result<ed25519_dalek::VerifyingKey, CheckpointError> {
    let key = ed25519_dalek::VerifyingKey::from_bytes(bytes).map_err(|_| {
        CheckpointError::MalformedKey {
            kind,
            reason: "public key is not a valid Ed25519 point".to_owned(),
        }
    })?;
    if key.is_weak() {
        return Err(CheckpointError::MalformedKey {
            kind,
            reason: "public key is a small-order (weak) Ed25519 point".to_owned(),
        });
    }
    Ok(key)
}

fn encode_key_data(key: &[u8; 32]) -> String {
    encode_typed_key_data(ED25519_SIGNATURE_TYPE, key)
}

/// `base64(kind || key)`, the key data of a key text.
pub(super) fn encode_typed_key_data(kind: u8, key: &[u8; 32]) -> String {
    let mut data = [0u8; 33];
    data[0] = kind;
    data[1..].copy_from_slice(key);
    encode_base64(&data)
}

/// Splits `name+keyid+base64(want_type || 32 bytes)` into its checked parts.
pub(super) fn split_key_text(
    kind: KeyKind,
    text: &str,
    want_type: u8,
) -> Result<(&str, u32, [u8; 32]), CheckpointError> {
    let malformed = |reason: String| CheckpointError::MalformedKey { kind, reason };
    let (name, rest) = text
        .split_once('+')
        .ok_or_else(|| malformed("expected name+keyid+keydata".to_owned()))?;
    valid_name(name)?;
    let (id_hex, data) = rest
        .split_once('+')
        .ok_or_else(|| malformed("expected name+keyid+keydata".to_owned()))?;
    let id_ok = id_hex.len() == 8
        && id_hex
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !id_ok {
        return Err(malformed(format!(
            "key id {id_hex:?} is not 8 lowercase hex digits"
        )));
    }
    let id = u32::from_str_radix(id_hex, 16)
        .map_err(|_| malformed(format!("key id {id_hex:?} is not hex")))?;
    let bytes =
        decode_base64(data).ok_or_else(|| malformed("key data is not canonical base64".into()))?;
    let Some((&found, key)) = bytes.split_first() else {
        return Err(malformed("key data is empty".to_owned()));
    };
    if found != want_type {
        return Err(CheckpointError::UnsupportedKeyType {
            kind,
            found,
            want: want_type,
        });
    }
    let key = <[u8; 32]>::try_from(key).map_err(|_| {
        malformed(format!(
            "key data is {} bytes; want 33 (type byte and 32-byte key)",
            bytes.len()
        ))
    })?;
    Ok((name, id, key))
}

pub(super) fn check_id(
    kind: KeyKind,
    name: &str,
    found: u32,
    expected: u32,
) -> Result<(), CheckpointError> {
    if found == expected {
        Ok(())
    } else {
        Err(CheckpointError::KeyIdMismatch {
            kind,
            name: name.to_owned(),
            found,
            expected,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test vector of Go's golang.org/x/mod/sumdb/note (also used by C2SP tools).
    const PETER_VKEY: &str = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
    const PETER_SKEY: &str =
        "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";

    fn verifier_text(name: &str, id: u32, data: &[u8]) -> String {
        format!("{name}+{id:08x}+{}", encode_base64(data))
    }

    #[test]
    fn key_id_is_sha256_of_name_newline_type_and_key() {
        let public = [0x42; 32];
        let mut preimage = b"example.com/log\n".to_vec();
        preimage.push(0x01);
        preimage.extend_from_slice(&public);
        let digest = sha2::Sha256::digest(&preimage);
        let independent = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]);
        assert_eq!(key_id("example.com/log", &public), independent);
    }

    #[test]
    fn key_id_matches_go_test_vector() {
        let key = VerifierKey::parse(PETER_VKEY).unwrap();
        assert_eq!(key.key_id(), 0xc74f_20a3);
        assert_eq!(key_id("PeterNeumann", &key.public_key()), 0xc74f_20a3);
    }

    #[test]
    fn verifier_key_text_round_trips() {
        let key: VerifierKey = PETER_VKEY.parse().unwrap();
        assert_eq!(key.to_text(), PETER_VKEY);
        assert_eq!(key.name(), "PeterNeumann");
        let again = VerifierKey::from_public_key("PeterNeumann", key.public_key()).unwrap();
        assert_eq!(again, key);
    }

    #[test]
    fn private_key_text_round_trips_and_matches_go_vector() {
        let key = SigningKey::from_private_text(PETER_SKEY).unwrap();
        assert_eq!(key.to_private_text(), PETER_SKEY);
        assert_eq!(key.verifier_key().to_text(), PETER_VKEY);

        let seeded = SigningKey::from_seed("example.com/log", [7; 32]).unwrap();
        let parsed = SigningKey::from_private_text(&seeded.to_private_text()).unwrap();
        assert_eq!(parsed.to_private_text(), seeded.to_private_text());
        assert_eq!(parsed.verifier_key(), seeded.verifier_key());
    }

    #[test]
    fn generated_keys_are_fresh_and_self_consistent() {
        let a = SigningKey::generate("example.com/log").unwrap();
        let b = SigningKey::generate("example.com/log").unwrap();
        assert_ne!(a.to_private_text(), b.to_private_text());
        let v = VerifierKey::parse(&a.verifier_key().to_text()).unwrap();
        assert_eq!(v.key_id(), key_id("example.com/log", &v.public_key()));
        assert_eq!(a.key_id(), v.key_id());
    }

    #[test]
    fn debug_of_signing_key_hides_the_secret() {
        let key = SigningKey::from_private_text(PETER_SKEY).unwrap();
        let debug = format!("{key:?}");
        assert_eq!(
            debug,
            "SigningKey { name: \"PeterNeumann\", key_id: c74f20a3, .. }"
        );
        let secret = PETER_SKEY.rsplit('+').next().unwrap();
        assert!(!debug.contains(secret));
        assert!(!format!("{key:#?}").contains(secret));
    }

    #[test]
    fn bad_names_are_rejected() {
        for name in [
            "",
            "a+b",
            "a b",
            "a\tb",
            "a\u{a0}b",
            "a\u{2003}b",
            "a\u{1}b",
            "a\nb",
        ] {
            let err = SigningKey::from_seed(name, [1; 32]).unwrap_err();
            assert!(
                matches!(err, CheckpointError::InvalidKeyName { .. }),
                "{name:?}: {err}"
            );
        }
        let err = SigningKey::generate("bad name").unwrap_err();
        assert!(matches!(err, CheckpointError::InvalidKeyName { .. }));
        let text = PETER_VKEY.replace("PeterNeumann", "Peter\u{3000}Neumann");
        assert!(matches!(
            VerifierKey::parse(&text),
            Err(CheckpointError::InvalidKeyName { .. })
        ));
    }

    /// Names that would print as other names (bidi controls, zero-width characters,
    /// DEL and C1 controls) are refused when a key is made and when a key text is read.
    #[test]
    fn names_with_bidi_zero_width_or_other_controls_are_rejected() {
        for name in [
            "log\u{202e}gol",
            "lo\u{200b}g",
            "log\u{2066}",
            "\u{feff}log",
            "log\u{7f}",
            "log\u{9b}",
            "lo\u{2028}g",
        ] {
            let err = SigningKey::from_seed(name, [1; 32]).unwrap_err();
            assert!(
                matches!(err, CheckpointError::InvalidKeyName { .. }),
                "{name:?}: {err}"
            );
            let text = PETER_VKEY.replace("PeterNeumann", name);
            assert!(
                matches!(
                    VerifierKey::parse(&text),
                    Err(CheckpointError::InvalidKeyName { .. })
                ),
                "{name:?}"
            );
        }
    }

    #[test]
    fn verifier_key_rejects_bad_key_ids() {
        let upper = PETER_VKEY.replace("c74f20a3", "C74F20A3");
        let short = PETER_VKEY.replace("c74f20a3", "c74f20a");
        let signed = PETER_VKEY.replace("c74f20a3", "+74f20a3");
        for text in [upper, short, signed] {
            let err = VerifierKey::parse(&text).unwrap_err();
            assert!(
                matches!(err, CheckpointError::MalformedKey { .. }),
                "{text}: {err}"
            );
        }
        let wrong = PETER_VKEY.replace("c74f20a3", "c74f20a4");
        assert_eq!(
            VerifierKey::parse(&wrong),
            Err(CheckpointError::KeyIdMismatch {
                kind: KeyKind::Verifier,
                name: "PeterNeumann".to_owned(),
                found: 0xc74f_20a4,
                expected: 0xc74f_20a3,
            })
        );
        let renamed = PETER_VKEY.replace("PeterNeumann", "PeterNeuman");
        assert!(matches!(
            VerifierKey::parse(&renamed),
            Err(CheckpointError::KeyIdMismatch { .. })
        ));
    }

    #[test]
    fn verifier_key_rejects_bad_key_data() {
        let public = VerifierKey::parse(PETER_VKEY).unwrap().public_key();
        let mut ecdsa = vec![0x02];
        ecdsa.extend_from_slice(&public);
        assert_eq!(
            VerifierKey::parse(&verifier_text("a", 1, &ecdsa)),
            Err(CheckpointError::UnsupportedKeyType {
                kind: KeyKind::Verifier,
                found: 2,
                want: 1,
            })
        );
        let mut long = vec![0x01];
        long.extend_from_slice(&[0; 33]);
        for text in [
            verifier_text("a", 1, &[]),
            verifier_text("a", 1, &[0x01]),
            verifier_text("a", 1, &long),
            format!("{PETER_VKEY}\n"),
            format!("{PETER_VKEY}="),
            PETER_VKEY.trim_end_matches('W').to_owned(),
            "PeterNeumann".to_owned(),
            "PeterNeumann+c74f20a3".to_owned(),
        ] {
            let err = VerifierKey::parse(&text).unwrap_err();
            assert!(
                matches!(err, CheckpointError::MalformedKey { .. }),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn verifier_key_rejects_invalid_and_weak_points() {
        // The identity point (y = 1) decodes but has small order.
        let mut identity = [0u8; 32];
        identity[0] = 1;
        let err = VerifierKey::from_public_key("a", identity).unwrap_err();
        assert!(
            matches!(err, CheckpointError::MalformedKey { ref reason, .. } if reason.contains("small-order"))
        );

        // About half of all y coordinates have no point on the curve; find one.
        let invalid = (2u8..=255)
            .map(|b| [b; 32])
            .find(|bytes| ed25519_dalek::VerifyingKey::from_bytes(bytes).is_err())
            .unwrap();
        let err = VerifierKey::from_public_key("a", invalid).unwrap_err();
        assert!(
            matches!(err, CheckpointError::MalformedKey { ref reason, .. } if reason.contains("not a valid"))
        );
    }

    #[test]
    fn private_key_text_is_parsed_strictly() {
        let err = SigningKey::from_private_text(PETER_VKEY).unwrap_err();
        assert!(matches!(
            err,
            CheckpointError::MalformedKey {
                kind: KeyKind::Private,
                ..
            }
        ));
        let wrong_id = PETER_SKEY.replace("c74f20a3", "00000000");
        assert!(matches!(
            SigningKey::from_private_text(&wrong_id),
            Err(CheckpointError::KeyIdMismatch {
                kind: KeyKind::Private,
                ..
            })
        ));
        let lower = PETER_SKEY.replace("PRIVATE+KEY", "private+key");
        assert!(SigningKey::from_private_text(&lower).is_err());
        // A private key text is not a verifier key.
        assert!(VerifierKey::parse(PETER_SKEY).is_err());
    }
}
