//! The values inside synthetic events: money, terms, fuzzy dates, text and sources.

use super::{CONDITIONS, FIRST_DAY, PUBLISHERS, Rng, SCOPES, WORDS, capitalize};
use crate::model::{
    Currency, Day, EdtfDate, EventId, Money, PartyId, Scope, Source, Term, TermKey, TermType,
    Tranche, Until,
};
use std::fmt::Write as _;

pub(super) fn currency(rng: &mut Rng) -> Currency {
    let code = *rng.pick(&["USD", "USD", "USD", "USD", "EUR", "GBP", "JPY"]);
    // INVARIANT: every code above is in the supported list.
    Currency::new(code).expect("supported currency")
}

pub(super) fn money(rng: &mut Rng) -> Money {
    // Log-uniform between 1M and 20B.
    let units = (1e6 * (20_000f64).powf(rng.unit())) as u64;
    Money {
        units: units.max(1),
        currency: currency(rng),
    }
}

pub(super) fn tranche(rng: &mut Rng, investor: &PartyId, investee: &PartyId) -> Tranche {
    Tranche {
        key: None,
        investor: investor.clone(),
        investee: investee.clone(),
        amount: money(rng),
        due: None,
        condition: rng.percent(20).then(|| rng.pick(CONDITIONS).to_string()),
        lapses: None,
    }
}

pub(super) fn term(
    rng: &mut Rng,
    k: usize,
    grantor: &PartyId,
    holder: &PartyId,
    date: &EdtfDate,
) -> Term {
    let kind = *rng.pick(&TermType::ALL);
    // INVARIANT: the scopes above are dotted slugs and keys are slugs.
    let scope = Scope::new(rng.word(SCOPES)).expect("generated scopes are valid");
    let key = TermKey::new(&format!("{}-{}", kind.as_str(), k + 1)).expect("term key");
    let until = match rng.below(10) {
        0..=2 => {
            let start = date.earliest().days().max(FIRST_DAY);
            let end = Day::from_days(start + 180 + rng.below(3650) as i32);
            let (y, m, d) = end.ymd();
            let text = if rng.percent(50) {
                format!("{y:04}")
            } else {
                format!("{y:04}-{m:02}-{d:02}")
            };
            EdtfDate::parse(&text).ok().map(Until::Date)
        }
        3 | 4 => Some(Until::Condition(rng.pick(CONDITIONS).to_string())),
        _ => None,
    };
    Term {
        key,
        kind,
        grantor: grantor.clone(),
        holder: holder.clone(),
        scope,
        exclusive: kind == TermType::Exclusivity || rng.percent(20),
        amount: rng.percent(20).then(|| money(rng)),
        until,
    }
}

pub(super) fn ymd(day: Day) -> String {
    let (y, m, d) = day.ymd();
    format!("{y:04}-{m:02}-{d:02}")
}

/// A date around `day`: exact most of the time, otherwise as vague as real reporting.
pub(super) fn fuzzy_date(rng: &mut Rng, day: Day) -> EdtfDate {
    let (y, m, _) = day.ymd();
    let exact = ymd(day);
    let text = match rng.below(100) {
        0..=69 => exact.clone(),
        70..=81 => format!("{y:04}-{m:02}"),
        82..=85 => format!("{y:04}"),
        86..=89 => format!("{exact}~"),
        90..=92 => format!("{exact}?"),
        93..=96 => {
            let end = Day::from_days(day.days() + 1 + rng.below(60) as i32);
            format!("{exact}/{}", ymd(end))
        }
        97 | 98 => {
            let season = match m {
                3..=5 => 21,
                6..=8 => 22,
                9..=11 => 23,
                _ => 24,
            };
            // Winter runs from December into the next year: name it by its December.
            let year = if m <= 2 { y - 1 } else { y };
            format!("{year:04}-{season}")
        }
        _ => format!("{exact}/.."),
    };
    match EdtfDate::parse(&text) {
        Ok(d) => d,
        // INVARIANT: a day between 1995 and 2027 formats as a valid EDTF day.
        Err(_) => EdtfDate::parse(&exact).expect("an exact day is a valid EDTF date"),
    }
}

/// The disclosure day: the default (latest day) mostly, sometimes months later.
pub(super) fn disclosed(rng: &mut Rng, date: &EdtfDate) -> Day {
    let latest = date.latest();
    if latest == Day::MAX || !rng.percent(15) {
        return latest;
    }
    Day::from_days(latest.days() + 1 + rng.below(400) as i32)
}

pub(super) fn sentence(rng: &mut Rng, words: usize) -> String {
    let mut s = String::new();
    for w in 0..words {
        if w > 0 {
            s.push(' ');
        }
        s.push_str(rng.word(WORDS));
    }
    capitalize(&s)
}

/// A sentence of `min` to `min + spread - 1` words.
pub(super) fn sentence_of(rng: &mut Rng, min: usize, spread: u64) -> String {
    let words = min + rng.below(spread) as usize;
    sentence(rng, words)
}

pub(super) fn summary(rng: &mut Rng) -> String {
    let sentences = 1 + rng.below(3) as usize;
    let mut out = String::new();
    for k in 0..sentences {
        if k > 0 {
            out.push(' ');
        }
        let words = 8 + rng.below(14) as usize;
        out.push_str(&sentence(rng, words));
        out.push('.');
    }
    out
}

pub(super) fn sources(rng: &mut Rng, date: &EdtfDate, id: &EventId) -> Vec<Source> {
    let count = 1 + usize::from(rng.percent(35)) + usize::from(rng.percent(10));
    (0..count)
        .map(|_| {
            let (publisher, host) = *rng.pick(PUBLISHERS);
            let day = date.earliest().max(Day::from_days(FIRST_DAY));
            let (y, m, d) = day.ymd();
            let mut url = format!("https://www.{host}/{y:04}/{m:02}/{d:02}/");
            for w in 0..(3 + rng.below(5)) {
                if w > 0 {
                    url.push('-');
                }
                url.push_str(rng.word(WORDS));
            }
            let _ = write!(url, "-{}", id.as_str().len() as u64 * 7 + rng.below(1000));
            Source {
                url,
                publisher: rng.percent(90).then(|| publisher.to_string()),
                published: rng
                    .percent(70)
                    .then(|| Day::from_days(day.days() + rng.below(3) as i32)),
            }
        })
        .collect()
}
