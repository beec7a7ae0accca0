//! Calendar days and EDTF dates: the one place where pactlog turns date text into days.
//!
//! This module owns two value types and the error they share:
//! - [`Day`]: one day of the proleptic Gregorian calendar, from 0000-01-01 to 9999-12-31,
//!   stored as the number of days since 1970-01-01. Valid time, disclosure time and the
//!   `--as-of` / `--known-at` arguments are all `Day`s.
//! - [`EdtfDate`]: a date as a user writes it in an event file (EDTF, ISO 8601-2, level 0
//!   and level 1), kept as its exact text together with the closed range of days
//!   `[earliest, latest]` that it may denote.
//! - [`DateError`]: why a text is not a date. Its messages are shown to users as they are.
//!
//! It does no I/O and knows nothing of events or storage.
//!
//! # Accepted grammar
//!
//! ```text
//! edtf      = date | end "/" end         ; at most 64 characters, no whitespace
//! end       = date | ".." | ""           ; ".." open end, "" unknown end (not both sides);
//!                                        ; an end has no X digits (that is level 2)
//! date      = body [ "?" | "~" | "%" ]   ; uncertain, approximate, both
//! body      = YYYY                       ; a year, 0000-9999
//!           | YYYX | YYXX                ; a decade or a century (unspecified digits)
//!           | YYYY-MM                    ; a month, 01-12
//!           | YYYY-SS                    ; a season, 21-24
//!           | YYYY-XX | YYYY-XX-XX       ; some day of the year
//!           | YYYY-MM-XX                 ; some day of the month
//!           | YYYY-MM-DD                 ; a day
//! ```
//!
//! | text                    | earliest         | latest           |
//! |-------------------------|------------------|------------------|
//! | `2026-02-27`            | 2026-02-27       | 2026-02-27       |
//! | `2026-02`, `2026-02-XX` | 2026-02-01       | 2026-02-28       |
//! | `2021`, `2021-XX`       | 2021-01-01       | 2021-12-31       |
//! | `201X`                  | 2010-01-01       | 2019-12-31       |
//! | `20XX`                  | 2000-01-01       | 2099-12-31       |
//! | `2026-21` (spring)      | 2026-03-01       | 2026-05-31       |
//! | `2026-24` (winter)      | 2026-12-01       | 2027-02-28       |
//! | `A/B`                   | earliest of `A`  | latest of `B`    |
//! | `A/..`, `A/`            | earliest of `A`  | [`Day::MAX`]     |
//! | `../B`, `/B`            | [`Day::MIN`]     | latest of `B`    |
//!
//! A qualifier keeps the bounds; it only makes the date inexact ([`EdtfDate::qualifier`]).
//!
//! # Choices
//! - Seasons are the meteorological seasons of the Northern hemisphere, where almost every
//!   party we track reports: spring (21) is 03-01..05-31, summer (22) 06-01..08-31,
//!   autumn (23) 09-01..11-30 and winter (24) runs from 12-01 to the last day of February
//!   of the following year.
//! - Unspecified digits follow level 1 exactly: X replaces the last one or two digits of a
//!   year, a whole month or a whole day, always from the right. `XXXX` is rejected: a date
//!   that could be any day carries no information, and as an event date it would leave the
//!   event "possible" on every day; an open interval end (`2021/..`) says what is meant.
//!   `2021-XX-05` (level 2) is rejected too: it means one of twelve separate days, and the
//!   range 2021-01-05..2021-12-05 would claim every day in between.
//! - An unknown end (`2025-10-28/`) is treated like an open one (`2025-10-28/..`): we know
//!   no bound, so the range is unbounded on that side. An interval is never exact.
//! - Unspecified digits in an interval end (`201X/2021`, `2004-06-XX/2004-07-03`) are
//!   EDTF level 2 and are rejected in event files; so is every other level 2 feature.
//!   Stored records may hold such dates (the rule is the importer's, not the record
//!   format's): they still decode (see [`EdtfDate`]'s serde).
//! - Negative years (`-0100`) and `Y`-prefixed years (`Y170000002`, which EDTF allows only
//!   for years beyond four digits) are level 1, but fall outside the days a [`Day`] can
//!   hold (0000-01-01 to 9999-12-31): they are rejected with a message saying so, as are
//!   times of day.

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize, Serializer};

/// The longest date text accepted, in characters.
const MAX_LEN: usize = 64;
/// Days since 1970-01-01 of the first and the last supported day.
const MIN_DAYS: i32 = days_from_civil(0, 1, 1);
const MAX_DAYS: i32 = days_from_civil(9999, 12, 31);
/// Days in 400 Gregorian years, and from 0000-03-01 to 1970-01-01.
const DAYS_PER_ERA: i32 = 146_097;
const DAYS_0000_03_01_TO_EPOCH: i32 = 719_468;

const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A calendar day (proleptic Gregorian), stored as days since 1970-01-01.
///
/// Days order chronologically. Text form is `YYYY-MM-DD`. With serde, a human-readable
/// format (JSON, TOML) gets that text; any other (bincode, our hash preimage) gets the
/// day number as an `i32`.
///
/// ```
/// use pactlog::model::date::Day;
///
/// let day: Day = "2026-02-27".parse()?;
/// assert_eq!(day.ymd(), (2026, 2, 27));
/// assert_eq!(day.succ().to_string(), "2026-02-28");
/// # Ok::<(), pactlog::model::date::DateError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Day(i32);
// INVARIANT: MIN_DAYS <= self.0 <= MAX_DAYS, so every Day has a four-digit year and the
// calendar arithmetic below never overflows. Every constructor checks or clamps.

impl Day {
    /// The first supported day, 0000-01-01.
    pub const MIN: Day = Day(MIN_DAYS);
    /// The last supported day, 9999-12-31.
    pub const MAX: Day = Day(MAX_DAYS);

    /// The day with the given year, month (1-12) and day of the month.
    ///
    /// # Errors
    /// [`DateError::YearOutOfRange`] for a year outside 0000-9999, [`DateError::BadMonth`]
    /// or [`DateError::BadDay`] when the month or the day does not exist.
    ///
    /// ```
    /// use pactlog::model::date::Day;
    ///
    /// assert_eq!(Day::from_ymd(2024, 2, 29)?.to_string(), "2024-02-29");
    /// assert!(Day::from_ymd(2025, 2, 29).is_err());
    /// # Ok::<(), pactlog::model::date::DateError>(())
    /// ```
    pub fn from_ymd(year: i16, month: i8, day: i8) -> Result<Day, DateError> {
        if !(0..=9999).contains(&year) {
            return Err(DateError::YearOutOfRange { year });
        }
        let text = format!("{year:04}-{month:02}-{day:02}");
        if !(1..=12).contains(&month) {
            return Err(DateError::BadMonth {
                text,
                month,
                accepted: MONTHS_ONLY,
            });
        }
        check_day(&text, year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD` (a four-digit year 0000-9999, two-digit month and day).
    ///
    /// # Errors
    /// A [`DateError`] saying what is wrong: a shape other than `YYYY-MM-DD` (including
    /// every EDTF form that is not a single day), a month or day that does not exist.
    ///
    /// ```
    /// use pactlog::model::date::Day;
    ///
    /// assert_eq!(Day::parse("2000-02-29")?.ymd(), (2000, 2, 29));
    /// assert!(Day::parse("2026-2-3").is_err());
    /// assert!(Day::parse("2026-02").is_err());
    /// # Ok::<(), pactlog::model::date::DateError>(())
    /// ```
    pub fn parse(s: &str) -> Result<Day, DateError> {
        check_text(s)?;
        if s.contains('/') {
            return Err(malformed(s, DAY_ONLY));
        }
        // In `Mode::Day` parse_side only succeeds for a single day, so earliest == latest.
        parse_side(s, Mode::Day).map(|side| side.earliest)
    }

    /// The day `days` days after 1970-01-01 (before it if negative), clamped to
    /// [`Day::MIN`]..=[`Day::MAX`]. Use [`Day::try_from_days`] to reject instead.
    ///
    /// ```
    /// use pactlog::model::date::Day;
    ///
    /// assert_eq!(Day::from_days(0).to_string(), "1970-01-01");
    /// assert_eq!(Day::from_days(i32::MAX), Day::MAX);
    /// ```
    pub const fn from_days(days: i32) -> Day {
        if days < MIN_DAYS {
            Day::MIN
        } else if days > MAX_DAYS {
            Day::MAX
        } else {
            Day(days)
        }
    }

    /// The day `days` days after 1970-01-01, if it lies in the supported range.
    ///
    /// # Errors
    /// [`DateError::DaysOutOfRange`] if the day is before 0000-01-01 or after 9999-12-31.
    ///
    /// ```
    /// use pactlog::model::date::Day;
    ///
    /// assert_eq!(Day::try_from_days(-1)?.to_string(), "1969-12-31");
    /// assert!(Day::try_from_days(3_000_000).is_err());
    /// # Ok::<(), pactlog::model::date::DateError>(())
    /// ```
    pub fn try_from_days(days: i32) -> Result<Day, DateError> {
        if (MIN_DAYS..=MAX_DAYS).contains(&days) {
            Ok(Day(days))
        } else {
            Err(DateError::DaysOutOfRange { days })
        }
    }

    /// Days since 1970-01-01 (negative before it).
    pub const fn days(self) -> i32 {
        self.0
    }

    /// The year, month (1-12) and day of the month.
    pub fn ymd(self) -> (i16, i8, i8) {
        civil_from_days(self.0)
    }

    /// The next day; [`Day::MAX`] stays [`Day::MAX`].
    pub fn succ(self) -> Day {
        Day::from_days(self.0.saturating_add(1))
    }

    /// The previous day; [`Day::MIN`] stays [`Day::MIN`].
    pub fn pred(self) -> Day {
        Day::from_days(self.0.saturating_sub(1))
    }
}

impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = self.ymd();
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

impl FromStr for Day {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Day, DateError> {
        Day::parse(s)
    }
}

impl Serialize for Day {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if serializer.is_human_readable() {
            serializer.collect_str(self)
        } else {
            serializer.serialize_i32(self.0)
        }
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Day, D::Error> {
        if deserializer.is_human_readable() {
            deserializer.deserialize_str(TextVisitor(Day::parse))
        } else {
            let days = i32::deserialize(deserializer)?;
            Day::try_from_days(days).map_err(de::Error::custom)
        }
    }
}

/// How sure the record is of a date: EDTF's `?`, `~` and `%` qualifiers.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub enum Qualifier {
    /// No qualifier.
    #[default]
    None,
    /// `?`: the source is not sure the date is right.
    Uncertain,
    /// `~`: the date is about right.
    Approximate,
    /// `%`: both uncertain and approximate (or `?` on one end of an interval, `~` on the other).
    Both,
}

impl Qualifier {
    /// The qualifier that says both what `self` and `other` say.
    fn join(self, other: Qualifier) -> Qualifier {
        match (self, other) {
            (Qualifier::None, q) | (q, Qualifier::None) => q,
            (a, b) if a == b => a,
            _ => Qualifier::Both,
        }
    }
}

/// An EDTF (ISO 8601-2 level 0 and level 1) date, mapped to the closed interval of days
/// `[earliest, latest]` it may denote. See the [module documentation](self) for the
/// grammar and the meaning of each form.
///
/// It keeps the text exactly as written: [`EdtfDate::as_str`], `Display` and serde (always
/// a string, in every format) give it back unchanged.
///
/// ```
/// use pactlog::model::date::{Day, EdtfDate, Qualifier};
///
/// let date: EdtfDate = "2025-12~".parse()?;
/// assert_eq!(date.earliest(), Day::parse("2025-12-01")?);
/// assert_eq!(date.latest(), Day::parse("2025-12-31")?);
/// assert_eq!(date.qualifier(), Qualifier::Approximate);
/// assert!(!date.is_exact());
/// # Ok::<(), pactlog::model::date::DateError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EdtfDate {
    text: String,
    earliest: Day,
    latest: Day,
    qualifier: Qualifier,
    interval: bool,
}
// INVARIANT: earliest <= latest, and all fields are what `EdtfDate::parse(&text)` derives.

impl EdtfDate {
    /// Parses an EDTF level 0 or level 1 date (see the [module documentation](self)).
    ///
    /// # Errors
    /// A [`DateError`] naming what is wrong with the text: empty, longer than 64
    /// characters, whitespace, a malformed or nonexistent date, an interval that ends before
    /// it starts or has no known end, or a feature pactlog does not support (negative or
    /// extended years, times, level 2).
    ///
    /// ```
    /// use pactlog::model::date::{Day, EdtfDate};
    ///
    /// let open = EdtfDate::parse("2025-10-28/..")?;
    /// assert!(open.is_interval());
    /// assert_eq!(open.latest(), Day::MAX);
    ///
    /// let err = EdtfDate::parse("2026-02-30").unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     r#""2026-02-30" is not a real day (February 2026 has 28 days)"#
    /// );
    /// # Ok::<(), pactlog::model::date::DateError>(())
    /// ```
    pub fn parse(s: &str) -> Result<EdtfDate, DateError> {
        EdtfDate::parse_with(s, Ends::Level1)
    }

    /// Parses `s` as [`EdtfDate::parse`] does, and where `ends` is [`Ends::Recorded`] also
    /// accepts X digits in interval ends, which earlier builds accepted and recorded.
    fn parse_with(s: &str, ends: Ends) -> Result<EdtfDate, DateError> {
        let (earliest, latest, qualifier, interval) = EdtfDate::bounds_with(s, ends)?;
        Ok(EdtfDate {
            text: s.to_owned(),
            earliest,
            latest,
            qualifier,
            interval,
        })
    }

    /// Whether `s` is a date as a record holds it: what serde accepts when it decodes
    /// one (the check of [`EdtfDate::parse_with`] with [`Ends::Recorded`], without
    /// building the date).
    pub(crate) fn is_recorded(s: &str) -> bool {
        EdtfDate::bounds_with(s, Ends::Recorded).is_ok()
    }

    /// What [`EdtfDate::parse_with`] derives from `s`: earliest and latest day, qualifier,
    /// and whether it is an interval.
    fn bounds_with(s: &str, ends: Ends) -> Result<(Day, Day, Qualifier, bool), DateError> {
        check_text(s)?;
        let (earliest, latest, qualifier, interval) = match s.split_once('/') {
            None if s == ".." => return Err(malformed(s, OPEN_ALONE)),
            None => {
                let side = parse_side(s, Mode::Edtf)?;
                (side.earliest, side.latest, side.qualifier, false)
            }
            Some((_, end)) if end.contains('/') => return Err(malformed(s, ONE_SLASH)),
            Some((start, end)) => {
                let (start, end) = (parse_end(start, ends)?, parse_end(end, ends)?);
                match (start, end) {
                    (None, None) => return Err(DateError::NoKnownEnd { text: s.to_owned() }),
                    (Some(a), None) => (a.earliest, Day::MAX, a.qualifier, true),
                    (None, Some(b)) => (Day::MIN, b.latest, b.qualifier, true),
                    (Some(a), Some(b)) if b.latest < a.earliest => {
                        return Err(DateError::Reversed { text: s.to_owned() });
                    }
                    (Some(a), Some(b)) => {
                        (a.earliest, b.latest, a.qualifier.join(b.qualifier), true)
                    }
                }
            }
        };
        Ok((earliest, latest, qualifier, interval))
    }

    /// The text exactly as it was parsed.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The first day the date may denote ([`Day::MIN`] for an open or unknown start).
    pub fn earliest(&self) -> Day {
        self.earliest
    }

    /// The last day the date may denote ([`Day::MAX`] for an open or unknown end).
    pub fn latest(&self) -> Day {
        self.latest
    }

    /// True for a single day with no qualifier, such as `2026-02-27`.
    pub fn is_exact(&self) -> bool {
        !self.interval && self.qualifier == Qualifier::None && self.earliest == self.latest
    }

    /// True for `START/END` forms, including open and unknown ends.
    pub fn is_interval(&self) -> bool {
        self.interval
    }

    /// True for an interval whose end is open (`2025-10-28/..`) or unknown (`2026/`):
    /// its latest day is [`Day::MAX`] because nothing bounds it, not because it is known.
    pub fn has_open_end(&self) -> bool {
        self.interval && (self.text.ends_with('/') || self.text.ends_with("/.."))
    }

    /// The strongest qualifier present: `?` on one end of an interval and `~` on the
    /// other make [`Qualifier::Both`].
    pub fn qualifier(&self) -> Qualifier {
        self.qualifier
    }
}

impl fmt::Display for EdtfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FromStr for EdtfDate {
    type Err = DateError;

    fn from_str(s: &str) -> Result<EdtfDate, DateError> {
        EdtfDate::parse(s)
    }
}

impl Serialize for EdtfDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for EdtfDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<EdtfDate, D::Error> {
        // A recorded date decodes whatever the input rules were when it was recorded.
        deserializer.deserialize_str(TextVisitor(|s| EdtfDate::parse_with(s, Ends::Recorded)))
    }
}

/// Parses a borrowed string with `parse`. Borrowing (rather than deserializing a `String`)
/// matters: bincode would allocate whatever length a corrupt prefix claims before we could
/// reject it, and a failed allocation aborts the process.
struct TextVisitor<T>(fn(&str) -> Result<T, DateError>);

impl<T> de::Visitor<'_> for TextVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a date as text, such as 2026-02-27")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        (self.0)(v).map_err(E::custom)
    }
}

/// Why a text is not a date. The messages are written for the user who typed the text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    /// The text is empty.
    #[error("the date is empty: expected YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2026-02-27")]
    Empty,
    /// The text is longer than 64 characters.
    #[error("the date is {chars} characters long: dates are at most 64 characters")]
    TooLong { chars: usize },
    /// The text contains whitespace.
    #[error("{text:?} contains whitespace: write the date without spaces, e.g. 2026-02-27")]
    Whitespace { text: String },
    /// A character that never appears in a date.
    #[error(
        "{text:?} has an unexpected {ch:?}: a date is made of digits, '-', 'X', one final \
         ? ~ or %, and a '/' between the ends of an interval"
    )]
    UnexpectedChar { text: String, ch: char },
    /// The text has the wrong shape; `problem` says what is expected.
    #[error("{text:?} is not a valid date: {problem}")]
    Malformed { text: String, problem: &'static str },
    /// A month number that is neither a month nor (where accepted) a season.
    #[error("{text:?} has month {month:02}: {accepted}")]
    BadMonth {
        text: String,
        month: i8,
        accepted: &'static str,
    },
    /// A day of the month that does not exist.
    #[error(
        "{text:?} is not a real day ({} {year:04} has {days_in_month} days)",
        month_name(.month)
    )]
    BadDay {
        text: String,
        year: i16,
        month: i8,
        days_in_month: i8,
    },
    /// A year outside 0000-9999 given as a number.
    #[error("year {year} is outside the supported range 0000-9999")]
    YearOutOfRange { year: i16 },
    /// A day number outside the supported range.
    #[error(
        "day number {days} is outside the supported range {}..={} (0000-01-01 to 9999-12-31)",
        MIN_DAYS,
        MAX_DAYS
    )]
    DaysOutOfRange { days: i32 },
    /// A date whose last day would fall after 9999-12-31 (winter 9999).
    #[error("{text:?} ends after 9999-12-31, the last day pactlog supports")]
    PastLastDay { text: String },
    /// A valid EDTF feature that pactlog does not accept.
    #[error("{text:?} uses {feature}")]
    Unsupported { text: String, feature: &'static str },
    /// An interval whose end is before its start.
    #[error("{text:?} ends before it starts")]
    Reversed { text: String },
    /// An interval with neither end known (`../..`, `/`).
    #[error("{text:?} has no known end: an interval needs a date on at least one side")]
    NoKnownEnd { text: String },
}

const MONTHS_ONLY: &str = "months are 01-12";
const MONTHS_SEASONS: &str = "months are 01-12, seasons 21-24";

const YEAR_DIGITS: &str = "years have exactly four digits, 0000-9999 (e.g. 2026)";
const MONTH_DIGITS: &str = "months have exactly two digits, 01-12 (e.g. 2026-02)";
const DAY_DIGITS: &str = "days have exactly two digits, 01-31 (e.g. 2026-02-03)";
const TOO_MANY_PARTS: &str = "it has more than three parts: expected YYYY, YYYY-MM or YYYY-MM-DD";
const ONE_QUALIFIER: &str =
    "a date ends with at most one qualifier: ? (uncertain), ~ (approximate) or % (both)";
const ONE_SLASH: &str = "an interval has exactly one '/', between its start and its end";
const OPEN_ALONE: &str = "'..' marks an open end of an interval, e.g. 2025-10-28/..";
const X_YEAR_ALONE: &str = "a year with X digits stands alone (e.g. 201X): it has no month or day";
const SEASON_DAY: &str = "a season (21-24) has no day: write YYYY-21 to YYYY-24";
const LOWER_X: &str = "unspecified digits are written with a capital X (e.g. 201X)";
const DAY_ONLY: &str = "expected one exact day, YYYY-MM-DD (e.g. 2026-02-27)";

const NEGATIVE_YEAR: &str = "a negative year, which pactlog does not support: years are 0000-9999";
const EXTENDED_YEAR: &str = "an exponent or significant digits (E, S; EDTF level 2), which \
     pactlog does not support: years are 0000-9999, written with four digits";
const LETTER_YEAR: &str = "a Y-prefixed year, which EDTF keeps for years of more than four \
     digits: pactlog supports years 0000-9999, written with four digits (e.g. 2026)";
const X_IN_INTERVAL: &str = "X digits in an interval end (EDTF level 2), which pactlog does \
     not support: give the end as a year, month or day (e.g. 2010/2021), or a whole \
     unspecified date on its own (201X)";
const TIME: &str = "a time of day, which pactlog does not support: give a day, e.g. 2026-02-27";
const SETS: &str = "a set or list ([...] or {...}, EDTF level 2), which pactlog does not \
     support: use an interval START/END";
const INNER_QUALIFIER: &str = "a qualifier inside the date (EDTF level 2), which pactlog does \
     not support: put one ? ~ or % at the end, e.g. 2026-02-27?";
const X_NOT_RIGHTMOST: &str = "X in place of digits other than the last ones (EDTF level 2), \
     which pactlog does not support: X may replace the last one or two digits of a year \
     (201X, 20XX), a whole month (2021-XX) or a whole day (2021-03-XX)";
const X_WHOLE_YEAR: &str = "a fully unspecified year, which pactlog does not accept because \
     it says nothing about when: use an open interval end (2021/..) or X for at most the \
     last two digits of the year (20XX)";

/// The English name of a month 1..=12 (anything else gets a placeholder, never a panic).
fn month_name(month: &i8) -> &'static str {
    usize::try_from(*month)
        .ok()
        .and_then(|m| MONTH_NAMES.get(m.checked_sub(1)?))
        .copied()
        .unwrap_or("month")
}

fn malformed(text: &str, problem: &'static str) -> DateError {
    DateError::Malformed {
        text: text.to_owned(),
        problem,
    }
}

fn unsupported(text: &str, feature: &'static str) -> DateError {
    DateError::Unsupported {
        text: text.to_owned(),
        feature,
    }
}

/// The checks every date text passes before its shape is looked at.
fn check_text(s: &str) -> Result<(), DateError> {
    if s.is_empty() {
        return Err(DateError::Empty);
    }
    if s.chars().nth(MAX_LEN).is_some() {
        return Err(DateError::TooLong {
            chars: s.chars().count(),
        });
    }
    if s.chars().any(char::is_whitespace) {
        return Err(DateError::Whitespace { text: s.to_owned() });
    }
    Ok(())
}

/// What a parse accepts: one exact day ([`Day::parse`]) or any EDTF date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Day,
    Edtf,
}

/// One date (not an interval) with its bounds.
struct Side {
    earliest: Day,
    latest: Day,
    qualifier: Qualifier,
}

/// Which interval ends a parse accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ends {
    /// Level 1: an end is a date without X digits, or open, or unknown.
    Level1,
    /// Also ends with X digits (level 2), as recorded by earlier builds.
    Recorded,
}

/// One end of an interval: `None` for an open (`..`) or unknown (empty) end.
fn parse_end(text: &str, ends: Ends) -> Result<Option<Side>, DateError> {
    match text {
        "" | ".." => Ok(None),
        _ => {
            let side = parse_side(text, Mode::Edtf)?;
            if ends == Ends::Level1 && text.contains('X') {
                return Err(unsupported(text, X_IN_INTERVAL));
            }
            Ok(Some(side))
        }
    }
}

fn qualifier_of(c: u8) -> Option<Qualifier> {
    match c {
        b'?' => Some(Qualifier::Uncertain),
        b'~' => Some(Qualifier::Approximate),
        b'%' => Some(Qualifier::Both),
        _ => None,
    }
}

/// Parses one date: a body and an optional final qualifier.
fn parse_side(text: &str, mode: Mode) -> Result<Side, DateError> {
    let bytes = text.as_bytes();
    let (body, qualifier) = match bytes.last().copied().and_then(qualifier_of) {
        // The qualifier is one ASCII byte, so slicing it off stays on a char boundary.
        Some(q) => (&text[..text.len() - 1], q),
        None => (text, Qualifier::None),
    };
    if qualifier != Qualifier::None {
        if mode == Mode::Day {
            return Err(malformed(text, DAY_ONLY));
        }
        if body.bytes().last().and_then(qualifier_of).is_some() {
            return Err(malformed(text, ONE_QUALIFIER));
        }
    }
    for ch in body.chars() {
        match ch {
            '0'..='9' | 'X' | '-' => {}
            '?' | '~' | '%' => return Err(unsupported(text, INNER_QUALIFIER)),
            'Y' => return Err(unsupported(text, LETTER_YEAR)),
            'E' | 'S' => return Err(unsupported(text, EXTENDED_YEAR)),
            'T' | ':' => return Err(unsupported(text, TIME)),
            '[' | ']' | '{' | '}' | ',' => return Err(unsupported(text, SETS)),
            'x' | 'u' => return Err(malformed(text, LOWER_X)),
            _ => {
                return Err(DateError::UnexpectedChar {
                    text: text.to_owned(),
                    ch,
                });
            }
        }
    }
    if body.starts_with('-') {
        return Err(unsupported(text, NEGATIVE_YEAR));
    }
    if mode == Mode::Day && body.contains('X') {
        return Err(malformed(text, DAY_ONLY));
    }
    let mut parts = body.split('-');
    let year = parts.next().unwrap_or_default();
    let (month, day) = (parts.next(), parts.next());
    if parts.next().is_some() {
        return Err(malformed(text, TOO_MANY_PARTS));
    }
    let (first_year, last_year) = parse_year(text, year)?;
    let range = match month {
        None if mode == Mode::Day => return Err(malformed(text, DAY_ONLY)),
        None => (ymd(first_year, 1, 1), ymd(last_year, 12, 31)),
        Some(_) if first_year != last_year => return Err(malformed(text, X_YEAR_ALONE)),
        Some(month) => parse_month_day(text, first_year, month, day, mode)?,
    };
    Ok(Side {
        earliest: range.0,
        latest: range.1,
        qualifier,
    })
}

/// The first and last year a year part denotes: `2021`, `201X` or `20XX`.
fn parse_year(text: &str, year: &str) -> Result<(i16, i16), DateError> {
    let b = year.as_bytes();
    if b.len() != 4 {
        return Err(malformed(text, YEAR_DIGITS));
    }
    if let Some(n) = number(year) {
        return Ok((n, n));
    }
    if year == "XXXX" {
        return Err(unsupported(text, X_WHOLE_YEAR));
    }
    if let (Some(decade), b"X") = (number(&year[..3]), &b[3..]) {
        return Ok((decade * 10, decade * 10 + 9));
    }
    if let (Some(century), b"XX") = (number(&year[..2]), &b[2..]) {
        return Ok((century * 100, century * 100 + 99));
    }
    Err(unsupported(text, X_NOT_RIGHTMOST))
}

/// The bounds of `YYYY-MM`, `YYYY-SS`, `YYYY-XX`, `YYYY-XX-XX`, `YYYY-MM-XX` and `YYYY-MM-DD`.
fn parse_month_day(
    text: &str,
    year: i16,
    month: &str,
    day: Option<&str>,
    mode: Mode,
) -> Result<(Day, Day), DateError> {
    if month.len() != 2 {
        return Err(malformed(text, MONTH_DIGITS));
    }
    if let Some(day) = day
        && day.len() != 2
    {
        return Err(malformed(text, DAY_DIGITS));
    }
    // Mode::Day never gets here with an X (parse_side rejects it first).
    if month == "XX" {
        return match day {
            None | Some("XX") => Ok((ymd(year, 1, 1), ymd(year, 12, 31))),
            Some(_) => Err(unsupported(text, X_NOT_RIGHTMOST)),
        };
    }
    // INVARIANT: two ASCII digits, so the value is 0..=99 and fits an i8.
    let m = number(month).ok_or_else(|| unsupported(text, X_NOT_RIGHTMOST))? as i8;
    let accepted = if mode == Mode::Day {
        MONTHS_ONLY
    } else {
        MONTHS_SEASONS
    };
    match (m, day) {
        (1..=12, None | Some("XX")) if mode == Mode::Day => Err(malformed(text, DAY_ONLY)),
        (1..=12, None | Some("XX")) => Ok((ymd(year, m, 1), ymd(year, m, days_in_month(year, m)))),
        (1..=12, Some(d)) => {
            // INVARIANT: two ASCII digits again.
            let d = number(d).ok_or_else(|| unsupported(text, X_NOT_RIGHTMOST))? as i8;
            check_day(text, year, m, d).map(|day| (day, day))
        }
        (21..=24, Some(_)) if mode == Mode::Edtf => Err(malformed(text, SEASON_DAY)),
        (21..=24, None) if mode == Mode::Edtf => season(text, year, m),
        _ => Err(DateError::BadMonth {
            text: text.to_owned(),
            month: m,
            accepted,
        }),
    }
}

/// The meteorological seasons of the Northern hemisphere (see the module documentation).
fn season(text: &str, year: i16, code: i8) -> Result<(Day, Day), DateError> {
    Ok(match code {
        21 => (ymd(year, 3, 1), ymd(year, 5, 31)),
        22 => (ymd(year, 6, 1), ymd(year, 8, 31)),
        23 => (ymd(year, 9, 1), ymd(year, 11, 30)),
        _ if year >= 9999 => {
            return Err(DateError::PastLastDay {
                text: text.to_owned(),
            });
        }
        _ => (
            ymd(year, 12, 1),
            ymd(year + 1, 2, days_in_month(year + 1, 2)),
        ),
    })
}

/// The value of a string of ASCII digits (at most four, so it fits an i16).
fn number(s: &str) -> Option<i16> {
    if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(s.bytes().fold(0, |n, b| n * 10 + i16::from(b - b'0')))
}

/// The day, after checking that `day` exists in that month (the month is 1..=12).
fn check_day(text: &str, year: i16, month: i8, day: i8) -> Result<Day, DateError> {
    let days_in_month = days_in_month(year, month);
    if (1..=days_in_month).contains(&day) {
        Ok(ymd(year, month, day))
    } else {
        Err(DateError::BadDay {
            text: text.to_owned(),
            year,
            month,
            days_in_month,
        })
    }
}

/// A day from parts already checked: year 0..=9999, month 1..=12, day within the month.
fn ymd(year: i16, month: i8, day: i8) -> Day {
    Day(days_from_civil(year, month, day))
}

const fn is_leap(year: i16) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

const fn days_in_month(year: i16, month: i8) -> i8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a valid date with year 0..=9999.
///
/// Years are counted from March, so a leap day is the last day of its year, and shifted by
/// 400 years (one era of 146 097 days), so every intermediate value is non-negative.
const fn days_from_civil(year: i16, month: i8, day: i8) -> i32 {
    let (month, day) = (month as i32, day as i32);
    let shifted = year as i32 + 400 - if month <= 2 { 1 } else { 0 };
    let (era, year_of_era) = (shifted / 400, shifted % 400);
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era - 1) * DAYS_PER_ERA + day_of_era - DAYS_0000_03_01_TO_EPOCH
}

/// The inverse of [`days_from_civil`], for days in MIN_DAYS..=MAX_DAYS.
const fn civil_from_days(days: i32) -> (i16, i8, i8) {
    let shifted = days + DAYS_0000_03_01_TO_EPOCH + DAYS_PER_ERA;
    let (era, day_of_era) = (shifted / DAYS_PER_ERA, shifted % DAYS_PER_ERA);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let march_month = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * march_month + 2) / 5 + 1;
    let month = if march_month < 10 {
        march_month + 3
    } else {
        march_month - 9
    };
    let year = year_of_era + (era - 1) * 400 + if month <= 2 { 1 } else { 0 };
    // INVARIANT: the supported range keeps year in 0..=9999, month in 1..=12, day in 1..=31.
    (year as i16, month as i8, day as i8)
}

#[cfg(test)]
mod tests;
