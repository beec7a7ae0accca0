//! Small strict readers shared by the key, note, checkpoint and proof parsers.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

/// Standard, padded base64 (RFC 4648 section 4).
pub(super) fn encode_base64(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Decodes standard, padded base64, accepting only its canonical form (the
/// engine rejects missing padding and non-zero trailing bits), so that every
/// value has exactly one text.
pub(super) fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text).ok()
}

/// Decodes canonical base64 of exactly 32 bytes (a SHA-256 hash).
pub(super) fn decode_hash(text: &str) -> Result<[u8; 32], String> {
    let bytes = decode_base64(text).ok_or_else(|| format!("{text:?} is not canonical base64"))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| format!("hash is {} bytes; want 32", bytes.len()))
}

/// Parses an ASCII decimal `u64` with no sign, no white space and no leading
/// zeros (only `0` itself may start with `0`).
pub(super) fn parse_decimal(text: &str) -> Result<u64, String> {
    if text.is_empty() {
        return Err("number is empty".to_owned());
    }
    if let Some(c) = text.chars().find(|c| !c.is_ascii_digit()) {
        return Err(format!(
            "{text:?} is not a decimal number ({c:?} is not a digit)"
        ));
    }
    if text.len() > 1 && text.starts_with('0') {
        return Err(format!("{text:?} has a leading zero"));
    }
    let mut value: u64 = 0;
    for digit in text.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(digit - b'0')))
            .ok_or_else(|| format!("{text:?} is larger than {}", u64::MAX))?;
    }
    Ok(value)
}

/// The first ASCII control character other than newline, which signed notes forbid.
pub(super) fn find_note_control(text: &str) -> Option<char> {
    text.chars().find(|&c| c < ' ' && c != '\n')
}

/// The description of a forbidden character for error messages.
pub(super) fn describe_char(c: char) -> String {
    format!("U+{:04X}", u32::from(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_accepts_canonical_numbers() {
        assert_eq!(parse_decimal("0"), Ok(0));
        assert_eq!(parse_decimal("10"), Ok(10));
        assert_eq!(parse_decimal("18446744073709551615"), Ok(u64::MAX));
    }

    #[test]
    fn decimal_rejects_everything_else() {
        for bad in [
            "",
            "00",
            "01",
            "+1",
            "-1",
            " 1",
            "1 ",
            "1_000",
            "0x10",
            "1e3",
            "١",
            "18446744073709551616",
            "99999999999999999999999",
        ] {
            assert!(parse_decimal(bad).is_err(), "{bad:?} was accepted");
        }
    }

    #[test]
    fn base64_must_be_canonical() {
        assert_eq!(decode_base64("AA=="), Some(vec![0]));
        assert_eq!(decode_base64("AB=="), None, "non-zero trailing bits");
        assert_eq!(decode_base64("AA"), None, "missing padding");
        assert_eq!(decode_base64("AA==\n"), None, "trailing newline");
        assert_eq!(decode_base64("A-=="), None, "URL-safe alphabet");
    }

    #[test]
    fn hash_must_be_32_bytes() {
        assert_eq!(decode_hash(&encode_base64(&[9; 32])), Ok([9; 32]));
        assert!(decode_hash(&encode_base64(&[9; 31])).is_err());
        assert!(decode_hash(&encode_base64(&[9; 33])).is_err());
    }
}
