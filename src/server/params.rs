//! Query strings, parsed strictly into the typed values the CLI's options give: the same
//! days, sizes, parties and filters, so that a query means the same thing in a terminal
//! and over HTTP.
//!
//! A query string is `name=value` pairs joined by `&`, percent-encoded (`+` is a space).
//! Every name must be one the route takes, at most once; values must be UTF-8 after
//! decoding. Anything else is refused with a message naming the parameter.

use super::error::ApiError;
use crate::view::Format;
use pactlog::model::{Day, PartyId, ResolveError};
use pactlog::{Ledger, Query, Select, SledStore};
use std::collections::BTreeMap;

/// The most parameters one request may carry, and the longest value.
const MAX_PARAMS: usize = 32;
const MAX_VALUE_BYTES: usize = 4096;

/// A request's parameters, each taken at most once.
#[derive(Debug, Default)]
pub struct Params {
    values: BTreeMap<String, String>,
    /// The values as sent (still percent-encoded), for lists: a literal `,` separates
    /// items, `%2C` is a comma inside one (a party named "Amazon.com, Inc.").
    raw: BTreeMap<String, String>,
}

impl Params {
    /// Parses `raw` (the part of the URL after `?`), allowing only the names in `allowed`.
    ///
    /// # Errors
    /// 400 for bad percent-encoding, bad UTF-8, an unknown or repeated name, too many
    /// parameters or an overlong value.
    pub fn parse(raw: Option<&str>, allowed: &[&str]) -> Result<Params, ApiError> {
        let mut values = BTreeMap::new();
        let mut raw_values = BTreeMap::new();
        for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
            if values.len() == MAX_PARAMS {
                return Err(ApiError::bad_request(format!(
                    "too many query parameters (at most {MAX_PARAMS})"
                )));
            }
            let (name, value_raw) = pair.split_once('=').unwrap_or((pair, ""));
            let name = decode(name)?;
            let value = decode(value_raw)?;
            if !allowed.contains(&name.as_str()) {
                return Err(ApiError::bad_request(format!(
                    "unknown query parameter `{}` (this route takes: {})",
                    pactlog::model::shorten(&name),
                    allowed.join(", ")
                )));
            }
            raw_values.insert(name.clone(), value_raw.to_string());
            if values.insert(name.clone(), value).is_some() {
                return Err(ApiError::bad_request(format!(
                    "query parameter `{name}` is given more than once"
                )));
            }
        }
        Ok(Params {
            values,
            raw: raw_values,
        })
    }

    /// The value of `name`, if given.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A day (YYYY-MM-DD), if given.
    ///
    /// # Errors
    /// 400 naming the parameter.
    pub fn day(&self, name: &str) -> Result<Option<Day>, ApiError> {
        self.get(name)
            .map(|v| Day::parse(v).map_err(|e| ApiError::bad_request(format!("{name}: {e}"))))
            .transpose()
    }

    /// A day that must be given.
    ///
    /// # Errors
    /// 400 when it is missing or not a day.
    pub fn required_day(&self, name: &str) -> Result<Day, ApiError> {
        self.day(name)?.ok_or_else(|| {
            ApiError::bad_request(format!("query parameter `{name}` (YYYY-MM-DD) is required"))
        })
    }

    /// A non-negative integer, if given.
    ///
    /// # Errors
    /// 400 naming the parameter.
    pub fn number(&self, name: &str) -> Result<Option<u64>, ApiError> {
        self.get(name)
            .map(|v| {
                if v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(ApiError::bad_request(format!(
                        "{name}: `{}` is not a non-negative integer",
                        pactlog::model::shorten(v)
                    )));
                }
                v.parse()
                    .map_err(|_| ApiError::bad_request(format!("{name}: {v} is too large")))
            })
            .transpose()
    }

    /// A comma-separated list (empty when not given): split at each literal `,`, then
    /// each item decoded, so that `%2C` is a comma inside an item.
    ///
    /// # Errors
    /// 400 for an item that does not decode.
    pub fn list(&self, name: &str) -> Result<Vec<String>, ApiError> {
        self.raw
            .get(name)
            .map(|v| v.split(',').map(decode).collect())
            .unwrap_or(Ok(Vec::new()))
    }

    /// The three time axes (`as_of` required).
    ///
    /// # Errors
    /// 400 for a missing or malformed day or size.
    pub fn axes(&self) -> Result<Query, ApiError> {
        Ok(Query {
            as_of: self.required_day("as_of")?,
            known_at: self.day("known_at")?,
            at_size: self.number("at_size")?,
        })
    }

    /// The output format: `format` among `offered`, JSON when not given.
    ///
    /// # Errors
    /// 400 for a format the route does not offer.
    pub fn format(&self, offered: &[Format]) -> Result<Format, ApiError> {
        let Some(asked) = self.get("format") else {
            return Ok(Format::Json);
        };
        offered
            .iter()
            .copied()
            .find(|f| f.name() == asked)
            .ok_or_else(|| {
                let names: Vec<&str> = offered.iter().map(|f| f.name()).collect();
                ApiError::bad_request(format!(
                    "format: `{}` is not one of {}",
                    pactlog::model::shorten(asked),
                    names.join(", ")
                ))
            })
    }

    /// Which relationships: `pair=A,B`, `party=A`, or every one. Parties resolve by id,
    /// name or alias, as on the command line.
    ///
    /// # Errors
    /// 400 for a malformed pair, both given, or an ambiguous name; 404 for an unknown
    /// party.
    pub fn select(&self, ledger: &Ledger<SledStore>) -> Result<Select, ApiError> {
        match (self.get("pair"), self.get("party")) {
            (Some(_), Some(_)) => Err(ApiError::bad_request("give `pair` or `party`, not both")),
            (Some(_), None) => {
                let names = self.list("pair")?;
                let [a, b] = names.as_slice() else {
                    return Err(ApiError::bad_request(
                        "pair: two parties separated by a comma (pair=microsoft,openai; \
                         a comma inside a name is %2C)",
                    ));
                };
                let (a, b) = (party(ledger, a)?, party(ledger, b)?);
                if a == b {
                    return Err(ApiError::bad_request(format!(
                        "pair needs two different parties; both name {a}"
                    )));
                }
                Ok(Select::Pair(a, b))
            }
            (None, Some(p)) => Ok(Select::Party(party(ledger, p)?)),
            (None, None) => Ok(Select::All),
        }
    }
}

/// Resolves a party name as the CLI does.
///
/// # Errors
/// 404 for an unknown name, 400 for an ambiguous one, 500 for storage errors.
pub fn party(ledger: &Ledger<SledStore>, name: &str) -> Result<PartyId, ApiError> {
    match ledger.resolve_party(name)? {
        Ok(id) => Ok(id),
        Err(e @ ResolveError::Unknown { .. }) => Err(ApiError::not_found(e.to_string())),
        Err(e) => Err(ApiError::bad_request(e.to_string())),
    }
}

/// Percent-decodes one name or value (`+` is a space), refusing malformed escapes and
/// text that is not UTF-8 once decoded.
fn decode(s: &str) -> Result<String, ApiError> {
    if s.len() > MAX_VALUE_BYTES * 3 {
        return Err(ApiError::bad_request(format!(
            "a query parameter is longer than {MAX_VALUE_BYTES} bytes"
        )));
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        ApiError::bad_request("malformed percent-encoding in the query string")
                    })?;
                out.push(hex);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    if out.len() > MAX_VALUE_BYTES {
        return Err(ApiError::bad_request(format!(
            "a query parameter is longer than {MAX_VALUE_BYTES} bytes"
        )));
    }
    String::from_utf8(out)
        .map_err(|_| ApiError::bad_request("a query parameter is not UTF-8 once decoded"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_decode_strictly_and_only_once() {
        let p = Params::parse(
            Some("as_of=2026-03-01&pair=Microsoft%20Corp,open+ai"),
            &["as_of", "pair"],
        )
        .unwrap();
        assert_eq!(p.get("pair"), Some("Microsoft Corp,open ai"));
        for (raw, why) in [
            ("as_of=1&as_of=2", "more than once"),
            ("nope=1", "unknown query parameter `nope`"),
            ("as_of=%zz", "percent-encoding"),
            ("as_of=%2", "percent-encoding"),
            ("as_of=%ff%fe", "not UTF-8"),
        ] {
            let e = Params::parse(Some(raw), &["as_of"]).unwrap_err();
            assert_eq!(e.status(), 400, "{raw}");
            assert!(format!("{e:?}").contains(why), "{raw}: {e:?}");
        }
        let p = Params::parse(Some("at_size=-1"), &["at_size"]).unwrap();
        assert!(p.number("at_size").is_err());
        let p = Params::parse(Some("at_size=18446744073709551616"), &["at_size"]).unwrap();
        assert!(format!("{:?}", p.number("at_size").unwrap_err()).contains("too large"));
        let long = "a".repeat(MAX_VALUE_BYTES + 1);
        assert!(Params::parse(Some(&format!("as_of={long}")), &["as_of"]).is_err());
        let many: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}=1")).collect();
        let names: Vec<String> = (0..=MAX_PARAMS).map(|i| format!("p{i}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        assert!(Params::parse(Some(&many.join("&")), &names).is_err());
    }
}
