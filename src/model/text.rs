//! Text from input, on the way in and on the way out: the one place that decides which
//! characters free text may hold, and how text read from files or records is printed.
//!
//! - On the way in, [`tidy`] trims a field (multi-line fields keep their line breaks,
//!   read the same from LF and CRLF files), and [`check_text`] says whether text may be
//!   kept: not empty, bounded in length, no control characters, nothing around it;
//!   [`check_name`] also refuses the invisible and formatting characters
//!   ([`is_invisible`]) that would let two different-looking names compare equal, or two
//!   equal-looking names differ. The checks take text as it is kept, so they apply alike
//!   to text read from an event file and to text decoded from a record.
//! - On the way out, [`escape`] turns every character that a terminal would act on or
//!   hide (controls, ESC, bidi and other formatting characters, line and paragraph
//!   separators, zero-width characters) into a visible `\u{..}` escape, and a line break
//!   into `\n`. Whatever a field holds, it prints as one line and cannot move the cursor,
//!   clear the screen, reorder what follows it or start a line of its own.
//! - `shorten` bounds how much of a value a message quotes.

use super::ModelError;
use std::borrow::Cow;
use std::fmt::Write as _;

/// Default_Ignorable_Code_Point (Unicode DerivedCoreProperties.txt, Unicode 16): code
/// points that render as nothing. They include the zero-width characters (U+200B-U+200D,
/// U+2060, U+FEFF), the bidi marks and controls (U+061C, U+200E, U+200F, U+202A-U+202E,
/// U+2066-U+2069), the soft hyphen, variation selectors, Hangul fillers and tags.
const DEFAULT_IGNORABLE: &[(char, char)] = &[
    ('\u{ad}', '\u{ad}'),
    ('\u{34f}', '\u{34f}'),
    ('\u{61c}', '\u{61c}'),
    ('\u{115f}', '\u{1160}'),
    ('\u{17b4}', '\u{17b5}'),
    ('\u{180b}', '\u{180f}'),
    ('\u{200b}', '\u{200f}'),
    ('\u{202a}', '\u{202e}'),
    ('\u{2060}', '\u{206f}'),
    ('\u{3164}', '\u{3164}'),
    ('\u{fe00}', '\u{fe0f}'),
    ('\u{feff}', '\u{feff}'),
    ('\u{ffa0}', '\u{ffa0}'),
    ('\u{fff0}', '\u{fff8}'),
    ('\u{1bca0}', '\u{1bca3}'),
    ('\u{1d173}', '\u{1d17a}'),
    ('\u{e0000}', '\u{e0fff}'),
];

/// Format characters (general category Cf) that are not default-ignorable: they change
/// how neighbouring text is shown (prepended number signs, interlinear annotation).
const OTHER_FORMAT: &[(char, char)] = &[
    ('\u{600}', '\u{605}'),
    ('\u{6dd}', '\u{6dd}'),
    ('\u{70f}', '\u{70f}'),
    ('\u{890}', '\u{891}'),
    ('\u{8e2}', '\u{8e2}'),
    ('\u{110bd}', '\u{110bd}'),
    ('\u{110cd}', '\u{110cd}'),
    ('\u{13430}', '\u{1343f}'),
    ('\u{fff9}', '\u{fffb}'),
];

fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
    ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// Whether `c` is invisible or changes how other text is shown: a default-ignorable code
/// point (zero-width characters, bidi controls, variation selectors...), another format
/// character, or the line and paragraph separators U+2028 and U+2029. Names refuse them;
/// output escapes them. Control characters are not included (see [`needs_escape`]).
pub fn is_invisible(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{2028}' | '\u{2029}')
            || in_ranges(c, DEFAULT_IGNORABLE)
            || in_ranges(c, OTHER_FORMAT))
}

/// Whether printing `c` as it is could act on a terminal or hide text: a control
/// character (C0 including line breaks and ESC, DEL, C1) or an [`is_invisible`] one.
pub fn needs_escape(c: char) -> bool {
    c.is_control() || is_invisible(c)
}

/// `text` safe to print on a terminal, on one line: a line break becomes `\n`, a
/// carriage return `\r`, a tab `\t`, and every other character that [`needs_escape`]
/// becomes `\u{hex}`. Everything else, backslashes included, is kept, so ordinary text
/// prints unchanged. Escaping is idempotent: escaped text has nothing left to escape.
///
/// ```
/// use pactlog::model::escape;
/// assert_eq!(escape("plain"), "plain");
/// assert_eq!(escape("a\u{1b}[2Jb\nc\u{202e}"), "a\\u{1b}[2Jb\\nc\\u{202e}");
/// ```
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if needs_escape(c) => {
                // Writing to a String cannot fail.
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// How a message names a character that a field may not hold.
pub fn describe_char(c: char) -> String {
    match c {
        '\r' => "a carriage return (Windows line ending)".to_string(),
        c if c.is_control() => format!("the control character U+{:04X}", c as u32),
        c => format!("the invisible formatting character U+{:04X}", c as u32),
    }
}

/// `text` as it may be quoted in a message: whole when short, else its first 60
/// characters and its length, so that a hostile multi-megabyte value cannot flood the
/// error output.
pub fn shorten(text: &str) -> String {
    const KEEP: usize = 60;
    let chars = text.chars().count();
    if chars <= KEEP + 20 {
        return text.to_string();
    }
    let head: String = text.chars().take(KEEP).collect();
    format!("{head}... ({chars} characters)")
}

/// A field's text as it is kept: without the white space around it, and, where
/// `multiline` is set, with each Windows line ending (CR LF) read as a line break, so the
/// field is the same from an LF or a CRLF file. This is how an import reads text;
/// [`check_text`] then says whether it may be kept.
pub fn tidy(text: &str, multiline: bool) -> String {
    if multiline && text.contains('\r') {
        text.replace("\r\n", "\n").trim().to_string()
    } else {
        text.trim().to_string()
    }
}

/// Checks a free-text field as it is kept (see [`tidy`]): not empty, at most `max`
/// characters, no control characters (where `multiline` is set, line breaks are
/// allowed; a carriage return is not), and no white space around it.
///
/// # Errors
/// [`ModelError::BadText`] naming the field and the problem.
///
/// ```
/// use pactlog::model::{check_text, tidy};
/// assert!(check_text("summary", &tidy(" One.\r\nTwo. ", true), 2000, true).is_ok());
/// assert!(check_text("summary", " One.", 2000, true).is_err());
/// assert!(check_text("title", "a\u{1b}[2J", 500, false).is_err());
/// ```
pub fn check_text(
    what: &'static str,
    text: &str,
    max: usize,
    multiline: bool,
) -> Result<(), ModelError> {
    let bad = |why: String| Err(ModelError::BadText { what, why });
    if text.trim().is_empty() {
        return bad("must not be empty".into());
    }
    let chars = text.chars().count();
    if chars > max {
        return bad(format!("is {chars} characters long; the limit is {max}"));
    }
    if let Some(c) = text
        .chars()
        .find(|&c| c.is_control() && !(multiline && c == '\n'))
    {
        return bad(format!("contains {}; remove it", describe_char(c)));
    }
    if text.trim() != text {
        return bad("begins or ends with white space".into());
    }
    Ok(())
}

/// Checks a party name or alias as it is kept: a one-line [`check_text`] that also
/// refuses invisible and formatting characters ([`is_invisible`]: zero-width characters,
/// bidi controls, other default-ignorable code points), which would make names that look
/// alike differ.
///
/// # Errors
/// [`ModelError::BadText`] naming the field and the code point.
pub fn check_name(what: &'static str, text: &str, max: usize) -> Result<(), ModelError> {
    check_text(what, text, max, false)?;
    if let Some(c) = text.chars().find(|&c| is_invisible(c)) {
        return Err(ModelError::BadText {
            what,
            why: format!(
                "contains {}, which does not show; remove it",
                describe_char(c)
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PartyId;

    #[test]
    fn text_is_tidied_then_checked() {
        assert_eq!(tidy("  hi  ", false), "hi");
        assert!(check_text("summary", "hi", 10, false).is_ok());
        assert!(check_text("summary", "   ", 10, false).is_err());
        assert!(check_text("summary", "a\u{7}b", 10, false).is_err());
        assert!(check_text("summary", "a\nb", 10, false).is_err());
        assert!(check_text("summary", "a\nb", 10, true).is_ok());
        let err = check_text("summary", &"x".repeat(11), 10, false).unwrap_err();
        assert!(err.to_string().contains("11 characters"), "{err}");
    }

    /// Text kept untidy (which only a record made elsewhere can hold) is refused.
    #[test]
    fn text_with_white_space_around_it_is_refused_as_kept() {
        for text in [" hi", "hi ", "hi\n", "\u{a0}hi"] {
            let err = check_text("summary", text, 10, true)
                .unwrap_err()
                .to_string();
            assert!(
                err.contains("begins or ends with white space"),
                "{text:?}: {err}"
            );
        }
    }

    #[test]
    fn windows_line_endings_read_as_line_breaks_and_a_lone_carriage_return_is_named() {
        assert_eq!(tidy("one\r\ntwo\r\n", true), "one\ntwo");
        let err = check_text("summary", &tidy("one\rtwo", true), 20, true).unwrap_err();
        assert!(
            err.to_string()
                .contains("a carriage return (Windows line ending)"),
            "{err}"
        );
        // A one-line field holds no line break of either kind.
        let err = check_text("title", &tidy("one\r\ntwo", false), 20, false).unwrap_err();
        assert!(err.to_string().contains("carriage return"), "{err}");
    }

    #[test]
    fn names_refuse_invisible_and_formatting_characters_naming_the_code_point() {
        assert!(check_name("name", &tidy(" Nestlé ", false), 20).is_ok());
        for (text, code) in [
            ("Micro\u{200b}soft", "U+200B"),
            ("Micro\u{200d}soft", "U+200D"),
            ("Micro\u{2060}soft", "U+2060"),
            ("\u{feff}Microsoft", "U+FEFF"),
            ("Acme\u{202e}Corp", "U+202E"),
            ("Acme\u{2066}Corp", "U+2066"),
            ("Acme\u{200e}", "U+200E"),
            ("Acme\u{200f}", "U+200F"),
            ("Acme\u{61c}", "U+061C"),
            ("Ac\u{ad}me", "U+00AD"),
            ("Acme\u{e0041}", "U+E0041"),
            ("Acme\u{2028}Corp", "U+2028"),
        ] {
            let err = check_name("alias", text, 50).unwrap_err().to_string();
            assert!(err.contains(code), "{text:?}: {err}");
        }
    }

    #[test]
    fn escaping_makes_every_active_or_hidden_character_visible_on_one_line() {
        assert!(matches!(escape("Microsoft, Inc. \\ ok"), Cow::Borrowed(_)));
        let hostile = "\u{1b}[2J\u{1b}[Hfake\r\nline\u{7f}\u{9b}\u{202e}\u{2066}\u{200b}\u{2028}\u{2029}\u{feff}\t";
        let shown = escape(hostile);
        assert_eq!(
            shown,
            "\\u{1b}[2J\\u{1b}[Hfake\\r\\nline\\u{7f}\\u{9b}\\u{202e}\\u{2066}\\u{200b}\\u{2028}\\u{2029}\\u{feff}\\t"
        );
        assert!(!shown.chars().any(needs_escape));
        assert_eq!(escape(&shown), shown, "idempotent");
        // Letters, accents, CJK and emoji are printed as they are.
        assert_eq!(escape("Nestlé 東京 ✓"), "Nestlé 東京 ✓");
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        assert_eq!(shorten("openai"), "openai");
        let long = "é".repeat(1_000_000);
        let short = shorten(&long);
        assert!(short.ends_with("... (1000000 characters)"), "{short}");
        assert!(short.chars().count() < 100, "{short}");
        let err = PartyId::new(&"a".repeat(10_000)).unwrap_err().to_string();
        assert!(err.len() < 200, "{err}");
    }
}
