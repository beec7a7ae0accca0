//! Escaping for HTML text and attribute values, and the frame every page shares.

use super::links::Links;
use pactlog::model::text::is_invisible;
use std::fmt::Write;

/// `text` safe as HTML text and as a quoted attribute value: `& < > " '` become
/// character references, control characters (but tab and newline) become U+FFFD, which
/// HTML forbids or renders invisibly, and the invisible and formatting characters the
/// terminal output escapes (bidi controls, zero-width characters: `is_invisible`) are
/// written as their visible `\u{..}` escape, so that no text can reorder or hide what
/// follows it on the page.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' => out.push(c),
            c if c.is_control() => out.push('\u{FFFD}'),
            c if is_invisible(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out
}

/// A whole page: `title` (text), the navigation, and `body` (HTML) as its main content.
pub fn page(links: &Links, title: &str, body: &str) -> String {
    let mut out = String::with_capacity(body.len() + 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} · pactlog</title>\n\
         <link rel=\"icon\" href=\"data:,\">\n\
         <link rel=\"stylesheet\" href=\"{css}\">\n</head>\n<body>\n\
         <a class=\"skip\" href=\"#main\">Skip to content</a>\n\
         <header><nav aria-label=\"Site\"><a href=\"{home}\">pactlog</a> \
         <a href=\"{home}\">Relationships</a> <a href=\"{conflicts}\">Conflicts</a></nav></header>\n\
         <main id=\"main\">\n{body}</main>\n</body>\n</html>\n",
        title = esc(title),
        css = esc(&links.asset("style.css")),
        home = esc(&links.home(None)),
        conflicts = esc(&links.conflicts(None)),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_leaves_no_markup_and_no_control_characters() {
        let hostile = "<script>alert('x')</script> & \"q\" \u{0}\u{1b}[31m\nok";
        let out = esc(hostile);
        assert_eq!(
            out,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; \u{FFFD}\u{FFFD}[31m\nok"
        );
        assert!(!out.contains(['<', '>', '"', '\'']));
        assert_eq!(
            esc("a\u{202e}txt.exe\u{2066}b\u{200b}"),
            "a\\u{202e}txt.exe\\u{2066}b\\u{200b}"
        );
    }
}
