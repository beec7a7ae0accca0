//! Reading the pages as a crawler does, for the page tests: the tags of a page with their
//! attributes, the links they hold, the text of an element by id, and entity decoding.
//! A small scanner, enough for markup whose attribute values are double-quoted (as
//! every page writes them); it is strict where that matters (an attribute it cannot
//! read fails the test).

/// One start tag: its name (lower case) and its attributes (name, decoded value).
#[derive(Clone, Debug)]
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    /// The value of attribute `name`.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// `text` with the character references the pages write (`&amp; &lt; &gt; &quot; &#39;`
/// and numeric ones) decoded.
pub fn decode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|&e| e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let name = &rest[1..end];
        let c = match name {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            n if n.starts_with("#x") => u32::from_str_radix(&n[2..], 16)
                .ok()
                .and_then(char::from_u32),
            n if n.starts_with('#') => n[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match c {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Every start tag of `page`, in order (comments and the doctype skipped).
pub fn tags(page: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('/') || rest.starts_with('!') {
            continue;
        }
        let end = rest.find('>').unwrap_or_else(|| {
            panic!("a tag that does not end: {:?}", &rest[..rest.len().min(80)])
        });
        let inner = rest[..end].trim_end_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace())
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        assert!(
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
            "a `<` that starts no tag: {:?}",
            &rest[..end.min(80)]
        );
        out.push(Tag {
            name,
            attrs: attributes(&inner[name_end..]),
        });
        rest = &rest[end + 1..];
    }
    out
}

/// The attributes of a tag's inside: `name="value"` or a bare `name`.
fn attributes(mut s: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    loop {
        s = s.trim_start();
        if s.is_empty() {
            return out;
        }
        let name_end = s
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(s.len());
        let name = s[..name_end].to_ascii_lowercase();
        s = &s[name_end..];
        if let Some(after) = s.strip_prefix("=\"") {
            let close = after
                .find('"')
                .unwrap_or_else(|| panic!("attribute {name} has no closing quote"));
            out.push((name, decode(&after[..close])));
            s = &after[close + 1..];
        } else {
            assert!(
                !s.starts_with('='),
                "attribute {name} is not double-quoted: {s:?}"
            );
            out.push((name, String::new()));
        }
    }
}

/// Every URL the page refers to: `href`, `src` and `action` values, with their tag.
pub fn links(page: &str) -> Vec<(Tag, String)> {
    tags(page)
        .into_iter()
        .flat_map(|t| {
            ["href", "src", "action", "xlink:href"]
                .iter()
                .filter_map(|a| t.attr(a).map(str::to_string))
                .collect::<Vec<_>>()
                .into_iter()
                .map(move |v| (t.clone(), v))
        })
        .collect()
}

/// The decoded text inside the first element whose start tag has `id="ID"` (up to the
/// end tag of its name; the element must not nest another of its name).
pub fn text_of(page: &str, tag: &str, id: &str) -> Option<String> {
    let start = page.find(&format!("id=\"{id}\""))?;
    let open = page[..start].rfind(&format!("<{tag}"))?;
    let body = open + page[open..].find('>')? + 1;
    let end = body + page[body..].find(&format!("</{tag}>"))?;
    Some(decode(&page[body..end]))
}

/// Every `id="..."` value of the page.
pub fn ids(page: &str) -> Vec<String> {
    tags(page)
        .into_iter()
        .filter_map(|t| t.attr("id").map(str::to_string))
        .collect()
}
