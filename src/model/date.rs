//! TEMPORARY stand-in until the EDTF module lands (same API, fewer forms).
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Day(i32);
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DateError {
    #[error("{0:?} is not a valid date")]
    Invalid(String),
}
impl Day {
    pub const MIN: Day = Day(-719528);
    pub const MAX: Day = Day(2932896);
    pub fn from_ymd(y: i16, m: i8, d: i8) -> Result<Day, DateError> {
        let date = jiff::civil::Date::new(y, m, d)
            .map_err(|_| DateError::Invalid(format!("{y}-{m}-{d}")))?;
        let epoch = jiff::civil::date(1970, 1, 1);
        Ok(Day((date - epoch).get_days()))
    }
    pub fn parse(s: &str) -> Result<Day, DateError> {
        let bad = || DateError::Invalid(s.to_string());
        if s.len() != 10 || &s[4..5] != "-" || &s[7..8] != "-" {
            return Err(bad());
        }
        Day::from_ymd(
            s[0..4].parse().map_err(|_| bad())?,
            s[5..7].parse().map_err(|_| bad())?,
            s[8..10].parse().map_err(|_| bad())?,
        )
    }
    pub const fn from_days(days: i32) -> Day {
        Day(days)
    }
    pub const fn days(self) -> i32 {
        self.0
    }
    pub fn ymd(self) -> (i16, i8, i8) {
        let d = jiff::civil::date(1970, 1, 1) + jiff::Span::new().days(self.0 as i64);
        (d.year(), d.month(), d.day())
    }
    pub fn succ(self) -> Day {
        Day(self.0.saturating_add(1).min(Self::MAX.0))
    }
    pub fn pred(self) -> Day {
        Day(self.0.saturating_sub(1).max(Self::MIN.0))
    }
}
impl fmt::Display for Day {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}
impl FromStr for Day {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Day, DateError> {
        Day::parse(s)
    }
}
impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.collect_str(self)
        } else {
            s.serialize_i32(self.0)
        }
    }
}
impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Day, D::Error> {
        if d.is_human_readable() {
            let s = String::deserialize(d)?;
            Day::parse(&s).map_err(serde::de::Error::custom)
        } else {
            let v = i32::deserialize(d)?;
            if v < Self::MIN.0 || v > Self::MAX.0 {
                return Err(serde::de::Error::custom("day out of range"));
            }
            Ok(Day(v))
        }
    }
}
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Qualifier {
    None,
    Uncertain,
    Approximate,
    Both,
}
#[derive(Clone, PartialEq, Eq, Hash, Debug)]
pub struct EdtfDate {
    text: String,
    earliest: Day,
    latest: Day,
}
impl EdtfDate {
    pub fn parse(s: &str) -> Result<EdtfDate, DateError> {
        if let Some((a, b)) = s.split_once('/') {
            let (a, b) = (EdtfDate::parse(a)?, EdtfDate::parse(b)?);
            return Ok(EdtfDate {
                text: s.to_string(),
                earliest: a.earliest,
                latest: b.latest,
            });
        }
        let t = s.trim_end_matches(['~', '?', '%']);
        let (e, l) = match t.len() {
            4 => {
                let y: i16 = t.parse().map_err(|_| DateError::Invalid(s.into()))?;
                (Day::from_ymd(y, 1, 1)?, Day::from_ymd(y, 12, 31)?)
            }
            7 => {
                let a = Day::parse(&format!("{t}-01"))?;
                let mut l = a;
                while l.succ().ymd().1 == a.ymd().1 {
                    l = l.succ();
                }
                (a, l)
            }
            _ => {
                let d = Day::parse(t)?;
                (d, d)
            }
        };
        Ok(EdtfDate {
            text: s.to_string(),
            earliest: e,
            latest: l,
        })
    }
    pub fn as_str(&self) -> &str {
        &self.text
    }
    pub fn earliest(&self) -> Day {
        self.earliest
    }
    pub fn latest(&self) -> Day {
        self.latest
    }
    pub fn is_exact(&self) -> bool {
        self.earliest == self.latest && self.text.len() == 10
    }
    pub fn is_interval(&self) -> bool {
        false
    }
    pub fn qualifier(&self) -> Qualifier {
        Qualifier::None
    }
}
impl fmt::Display for EdtfDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}
impl FromStr for EdtfDate {
    type Err = DateError;
    fn from_str(s: &str) -> Result<Self, DateError> {
        EdtfDate::parse(s)
    }
}
impl Serialize for EdtfDate {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}
impl<'de> Deserialize<'de> for EdtfDate {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EdtfDate::parse(&s).map_err(serde::de::Error::custom)
    }
}
