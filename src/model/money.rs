//! Money: an integer number of whole currency units and an ISO 4217 currency.
//!
//! Amounts are never floats. Text such as `"15000000000 USD"`, `"15B USD"` or
//! `"1.5M EUR"` is read exactly; a suffix (K, M, B, T: thousand, million, billion,
//! trillion) may follow a decimal number as long as the result is a whole number of units.

use super::ModelError;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::fmt;

/// The currencies pactlog accepts: the ISO 4217 codes of the economies that appear in
/// corporate deal reporting. Unknown codes are rejected so that typos ("UDS") surface.
const CURRENCIES: &[&str] = &[
    "AED", "AUD", "BRL", "CAD", "CHF", "CNY", "DKK", "EUR", "GBP", "HKD", "IDR", "ILS", "INR",
    "JPY", "KRW", "MXN", "NOK", "NZD", "PLN", "QAR", "SAR", "SEK", "SGD", "THB", "TRY", "TWD",
    "USD", "ZAR",
];

/// An ISO 4217 currency code from the supported list.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Currency([u8; 3]);

impl Currency {
    /// Looks up a three-letter code (upper case).
    ///
    /// # Errors
    /// [`ModelError::UnknownCurrency`] when the code is not in the supported list.
    pub fn new(code: &str) -> Result<Currency, ModelError> {
        match CURRENCIES.iter().find(|c| **c == code) {
            Some(c) => {
                let b = c.as_bytes();
                Ok(Currency([b[0], b[1], b[2]]))
            }
            None => Err(ModelError::UnknownCurrency(super::shorten(code))),
        }
    }

    /// The code as text, such as `USD`.
    pub fn as_str(&self) -> &str {
        // INVARIANT: built only from the ASCII entries of CURRENCIES.
        std::str::from_utf8(&self.0).unwrap_or("???")
    }
}

impl TryFrom<String> for Currency {
    type Error = ModelError;
    fn try_from(s: String) -> Result<Self, ModelError> {
        Currency::new(&s)
    }
}

impl From<Currency> for String {
    fn from(c: Currency) -> String {
        c.as_str().to_string()
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An amount of money in whole units of a currency.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Money {
    /// Whole currency units (dollars, not cents).
    pub units: u64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Reads `"<amount> <CUR>"` where amount is whole units (`15000000000`), optionally
    /// grouped by thousands with one kind of separator (`15,000,000,000`, `1_500`), or a
    /// decimal with a K/M/B/T suffix (`1.5B`).
    ///
    /// # Errors
    /// [`ModelError::BadAmount`] for a malformed, negative, zero, fractional or
    /// overflowing amount, or a separator anywhere but between groups of three digits
    /// (a decimal comma such as `1,5B` gets a hint to write `1.5B`);
    /// [`ModelError::UnknownCurrency`] for an unknown code.
    ///
    /// ```
    /// use pactlog::model::Money;
    /// assert_eq!(Money::parse("15B USD").unwrap().units, 15_000_000_000);
    /// assert_eq!(Money::parse("1.5M EUR").unwrap().units, 1_500_000);
    /// assert_eq!(Money::parse("15,000,000 USD").unwrap().units, 15_000_000);
    /// assert!(Money::parse("1.5 USD").is_err());
    /// assert!(Money::parse("1,5B USD").is_err());
    /// ```
    pub fn parse(text: &str) -> Result<Money, ModelError> {
        let bad = |why: &str| ModelError::BadAmount {
            value: super::shorten(text),
            why: why.to_string(),
        };
        // One space between amount and code, nothing around them: an amount is text
        // people compare by eye, and a tab or a stray space is a typing slip.
        let shape = if text.contains(char::is_whitespace) {
            "write it as \"<amount> <currency>\" with one space between, like \
             \"15000000000 USD\" or \"15B USD\""
        } else {
            "write it as \"<amount> <currency>\", like \"15000000000 USD\" or \"15B USD\""
        };
        let Some((number, code)) = text.split_once(' ') else {
            return Err(bad(shape));
        };
        if number.is_empty()
            || code.is_empty()
            || text.chars().filter(|c| c.is_whitespace()).count() != 1
        {
            return Err(bad(shape));
        }
        if number.starts_with('-') {
            return Err(bad("amounts cannot be negative"));
        }
        if let Some(c @ ('k' | 'm' | 'b' | 't')) = number.chars().last() {
            return Err(bad(&format!(
                "write the suffix in capitals ({}), as K, M, B and T are written",
                c.to_ascii_uppercase()
            )));
        }
        let (digits, scale_zeros) = match number.chars().last() {
            Some('K') => (&number[..number.len() - 1], 3u32),
            Some('M') => (&number[..number.len() - 1], 6),
            Some('B') => (&number[..number.len() - 1], 9),
            Some('T') => (&number[..number.len() - 1], 12),
            _ => (number, 0),
        };
        if digits.len() > 1 && digits.starts_with('0') && !digits.starts_with("0.") {
            return Err(bad(
                "an amount does not start with 0 (write \"1,000 USD\", not \"001,000 USD\")",
            ));
        }
        let (int_part, frac_part) = match digits.split_once('.') {
            Some((_, "")) => return Err(bad("a decimal point needs digits after it")),
            Some((int, frac)) => (int, frac),
            None => (digits, ""),
        };
        let int_part = ungroup(int_part, frac_part, number).map_err(|why| bad(&why))?;
        if int_part.is_empty()
            || !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad(
                "the number must be digits, optionally with a decimal point and a K/M/B/T suffix",
            ));
        }
        let frac_part = frac_part.trim_end_matches('0');
        let frac_len = u32::try_from(frac_part.len()).map_err(|_| bad("too many decimals"))?;
        if frac_len > scale_zeros {
            return Err(bad("that is not a whole number of currency units"));
        }
        let overflow = || bad("the amount is too large (the limit is 18446744073709551615 units)");
        let mut units: u64 = 0;
        for b in int_part.bytes().chain(frac_part.bytes()) {
            units = units
                .checked_mul(10)
                .and_then(|u| u.checked_add(u64::from(b - b'0')))
                .ok_or_else(overflow)?;
        }
        let scale = 10u64
            .checked_pow(scale_zeros - frac_len)
            .ok_or_else(overflow)?;
        let units = units.checked_mul(scale).ok_or_else(overflow)?;
        if units == 0 {
            return Err(bad(NOT_POSITIVE));
        }
        let currency = Currency::new(code)?;
        Ok(Money { units, currency })
    }

    /// Checks what a value built without [`Money::parse`] (decoded from a record) may
    /// break: the amount must be more than zero.
    ///
    /// # Errors
    /// [`ModelError::BadAmount`] for zero, with the message [`Money::parse`] gives.
    ///
    /// ```
    /// use pactlog::model::{Currency, Money};
    /// let zero = Money { units: 0, currency: Currency::new("USD").unwrap() };
    /// assert_eq!(
    ///     zero.check().unwrap_err().to_string(),
    ///     "amount \"0 USD\": the amount must be more than zero"
    /// );
    /// ```
    pub fn check(&self) -> Result<(), ModelError> {
        if self.units == 0 {
            return Err(ModelError::BadAmount {
                value: self.to_string(),
                why: NOT_POSITIVE.to_string(),
            });
        }
        Ok(())
    }

    /// A short human form: `15B USD`, `1.5M EUR`, or the exact units when no suffix fits.
    pub fn short(&self) -> String {
        for (zeros, suffix) in [(12u32, "T"), (9, "B"), (6, "M"), (3, "K")] {
            let scale = 10u64.pow(zeros);
            if self.units >= scale {
                let whole = self.units / scale;
                let rest = self.units % scale;
                if rest == 0 {
                    return format!("{whole}{suffix} {}", self.currency);
                }
                // Show up to three decimals if that is exact.
                let thousandth = scale / 1000;
                if thousandth > 0 && rest.is_multiple_of(thousandth) {
                    let frac = format!("{:03}", rest / thousandth);
                    return format!(
                        "{whole}.{}{suffix} {}",
                        frac.trim_end_matches('0'),
                        self.currency
                    );
                }
                break;
            }
        }
        self.to_string()
    }
}

/// Why an amount of zero is refused.
const NOT_POSITIVE: &str = "the amount must be more than zero";

/// What the accepted grouping looks like, for messages.
const GROUPING: &str = "separators (, or _, one kind per number) may only group the whole \
     units by thousands, as in 15,000,000,000 or 1_500; or write 15000000000, or 15B";

/// The integer part of an amount without its thousands separators: `15,000,000` and
/// `1_500` read as `15000000` and `1500`. A separator must sit between a leading group of
/// one to three digits and groups of exactly three; `,` and `_` are not mixed; the
/// decimals (`frac`) hold none. `number` is the whole amount as written, for the hint
/// on a decimal comma.
///
/// # Errors
/// Why the grouping is refused, with the accepted forms.
fn ungroup<'a>(int: &'a str, frac: &str, number: &str) -> Result<Cow<'a, str>, String> {
    let is_sep = |c: char| c == ',' || c == '_';
    if frac.contains(is_sep) {
        return Err(format!(
            "a separator after the decimal point is not allowed: {GROUPING}"
        ));
    }
    let Some(sep) = int.chars().find(|&c| is_sep(c)) else {
        return Ok(Cow::Borrowed(int));
    };
    let groups: Vec<&str> = int.split(sep).collect();
    if int.contains(|c| is_sep(c) && c != sep) {
        return Err(format!("it mixes , and _: {GROUPING}"));
    }
    // A decimal comma: "1,5B", "12,25 USD" (one comma between digits, then not three).
    let digits = |g: &str| !g.is_empty() && g.bytes().all(|b| b.is_ascii_digit());
    if sep == ','
        && frac.is_empty()
        && groups.len() == 2
        && groups.iter().all(|g| digits(g))
        && groups[1].len() != 3
    {
        let suggestion = number.replacen(',', ".", 1);
        return Err(format!(
            "the comma reads as a decimal point, which is written with a dot: write \
             {suggestion}; {GROUPING}"
        ));
    }
    if groups.iter().any(|g| !g.is_empty() && !digits(g)) {
        // Not a number at all: the caller says what a number is.
        return Ok(Cow::Owned(groups.concat()));
    }
    let (first, rest) = (groups[0], &groups[1..]);
    let why = if first.is_empty() {
        Some("it starts with a separator")
    } else if first.len() > 3 {
        Some("the first group has more than three digits")
    } else if rest.iter().any(|g| g.is_empty()) {
        Some("two separators are next to each other, or one ends the number")
    } else if rest.iter().any(|g| g.len() != 3) {
        Some("a group after a separator does not have exactly three digits")
    } else {
        None
    };
    match why {
        Some(why) => Err(format!("{why}: {GROUPING}")),
        None => Ok(Cow::Owned(groups.concat())),
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.units, self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn units(s: &str) -> u64 {
        Money::parse(s).unwrap().units
    }

    #[test]
    fn plain_and_suffixed_amounts() {
        assert_eq!(units("15000000000 USD"), 15_000_000_000);
        assert_eq!(units("15_000_000_000 USD"), 15_000_000_000);
        assert_eq!(units("15,000 USD"), 15_000);
        assert_eq!(units("15B USD"), 15_000_000_000);
        assert_eq!(units("1.5M EUR"), 1_500_000);
        assert_eq!(units("2.25K USD"), 2_250);
        assert_eq!(units("0.5T USD"), 500_000_000_000);
        assert_eq!(units("1.50B USD"), 1_500_000_000);
        assert_eq!(units("0.25K USD"), 250);
    }

    #[test]
    fn rejections_say_why() {
        let cases = [
            ("-5 USD", "negative"),
            ("1.5 USD", "whole number"),
            ("1.0005K USD", "whole number"),
            ("0 USD", "more than zero"),
            ("99999999999999999999 USD", "too large"),
            ("20000000T USD", "too large"),
            ("15 B USD", "write it as"),
            ("15B", "write it as"),
            ("abc USD", "digits"),
            (".5M USD", "digits"),
            // Typing slips are refused, not read past.
            ("10\tUSD", "one space between"),
            (" 10 USD", "one space between"),
            ("10 USD ", "one space between"),
            ("10  USD", "one space between"),
            ("1.5b USD", "suffix in capitals (B)"),
            ("1.5b", "write it as"),
            ("001,000 USD", "does not start with 0"),
            ("01 USD", "does not start with 0"),
        ];
        for (text, want) in cases {
            let err = Money::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
        }
        assert_eq!(
            Money::parse("5 UDS"),
            Err(ModelError::UnknownCurrency("UDS".into()))
        );
        assert!(Money::parse("5 usd").is_err());
    }

    #[test]
    fn separators_group_whole_units_by_thousands() {
        for (text, want) in [
            ("15,000,000,000 USD", 15_000_000_000),
            ("15_000_000_000 USD", 15_000_000_000),
            ("1_500 USD", 1_500),
            ("1,500 USD", 1_500),
            ("999,999 USD", 999_999),
            ("1,000,000 EUR", 1_000_000),
            ("1,500K USD", 1_500_000),
            ("1,000.5K USD", 1_000_500),
            ("18,446,744,073,709,551,615 USD", u64::MAX),
        ] {
            assert_eq!(units(text), want, "{text}");
        }
    }

    #[test]
    fn separators_anywhere_else_are_refused_saying_why_and_what_is_accepted() {
        let cases = [
            // The issue's four: a decimal comma, repeated separators, a leading
            // separator, a separator after the decimal point.
            ("1,5B USD", "write 1.5B;"),
            ("1,,,0 USD", "next to each other"),
            (",5 USD", "starts with a separator"),
            ("1._5K USD", "after the decimal point"),
            // And the same class in other shapes.
            ("12,25 USD", "write 12.25;"),
            ("1,5 USD", "write 1.5;"),
            ("1,0000 USD", "write 1.0000;"),
            ("1,000_000 USD", "mixes , and _"),
            ("1_000,000 USD", "mixes , and _"),
            ("1234,567 USD", "more than three digits"),
            ("1,23,456 USD", "exactly three digits"),
            ("1,2345,678 USD", "exactly three digits"),
            ("1_5 USD", "exactly three digits"),
            ("1, USD", "one ends the number"),
            ("1,000, USD", "one ends the number"),
            ("_1000 USD", "starts with a separator"),
            ("1.5_0M USD", "after the decimal point"),
            ("1.5,0M USD", "after the decimal point"),
            ("1,000.,5K USD", "after the decimal point"),
            ("1. USD", "digits after it"),
            ("1.K USD", "digits after it"),
        ];
        for (text, want) in cases {
            let err = Money::parse(text).unwrap_err().to_string();
            assert!(err.contains(want), "{text}: {err}");
            if err.contains("separator") || err.contains("comma") {
                assert!(err.contains("15,000,000,000 or 1_500"), "{text}: {err}");
            }
        }
        // Not digits at all: the general message.
        let err = Money::parse("1,0a0 USD").unwrap_err().to_string();
        assert!(err.contains("must be digits"), "{err}");
    }

    #[test]
    fn short_form_round_trips() {
        for s in [
            "15B USD",
            "1.5M EUR",
            "38B USD",
            "250B USD",
            "1234 USD",
            "1.25T USD",
        ] {
            let m = Money::parse(s).unwrap();
            assert_eq!(Money::parse(&m.short()).unwrap(), m, "{s} -> {}", m.short());
        }
        assert_eq!(Money::parse("15000000000 USD").unwrap().short(), "15B USD");
    }
}
