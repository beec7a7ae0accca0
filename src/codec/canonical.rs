//! A record's canonical bytes checked where they lie, without building the record.
//!
//! [`canonical_head`] walks the bytes by the layout of their format (the field order of
//! the types in [`crate::model`], `record.rs` and `v1.rs`, under the encoding the parent
//! module describes) and applies, to each value, the check its type's decoding applies:
//! ids and scopes by their grammar, days by their range, dates as recorded dates,
//! currencies by the supported list, text as UTF-8, choice numbers below the number of
//! choices, yes/no and option bytes 0 or 1, every byte used, the size limit. It accepts
//! exactly the bytes [`super::decode`] accepts, so a full check of the chain (`verify`)
//! reads every record without allocating its strings and lists and encoding it again.
//! `tests/it/canonical_props.rs` holds both to that on mutated records.
//!
//! Why accepting is enough: every value a decode accepts encodes back to the bytes it was
//! read from (fixed-width integers, text kept as written and prefixed by its length,
//! choice numbers, 0/1 markers), so bytes that decode and are all used are canonical. A
//! refusal says nothing about why; [`super::decode`] says that.

use super::record::{ChainHash, RecordHead, Seq};
use super::{Format, MAX_RECORD_BYTES};
use crate::model::{Currency, Day, EdtfDate, EventId, PartyId, Scope, TermKey};

/// The seq and prev of a record whose bytes are canonical; `None` for bytes that
/// [`super::decode`] refuses.
#[must_use]
pub fn canonical_head(bytes: &[u8]) -> Option<RecordHead> {
    let (&version, body) = bytes.split_first()?;
    let format = Format::from_byte(version)?;
    // Every byte is used, and the decoder counts every byte it reads against the limit.
    if body.len() > MAX_RECORD_BYTES {
        return None;
    }
    let mut walk = Walk { rest: body };
    let seq = walk.u64()?;
    // recorded_at: any i64.
    walk.take(8)?;
    let prev: [u8; 32] = walk.take(32)?.try_into().ok()?;
    match walk.choice(2)? {
        0 => walk.party()?,
        _ => walk.event(format)?,
    }
    walk.rest.is_empty().then_some(RecordHead {
        seq: Seq::new(seq),
        prev: ChainHash::from_bytes(prev),
    })
}

/// The bytes not yet read. Each step returns `None` when the bytes are not canonical.
struct Walk<'a> {
    rest: &'a [u8],
}

impl<'a> Walk<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }

    /// A length before text or a list.
    fn len(&mut self) -> Option<usize> {
        usize::try_from(self.u64()?).ok()
    }

    /// An enum's choice number, below `choices`.
    fn choice(&mut self, choices: u32) -> Option<u32> {
        let n = u32::from_le_bytes(self.take(4)?.try_into().ok()?);
        (n < choices).then_some(n)
    }

    /// A 0/1 byte: `bool`, or whether an `Option` holds a value.
    fn flag(&mut self) -> Option<bool> {
        match self.take(1)?[0] {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    /// UTF-8 text that `valid` accepts.
    fn text(&mut self, valid: fn(&str) -> bool) -> Option<()> {
        let len = self.len()?;
        let text = std::str::from_utf8(self.take(len)?).ok()?;
        valid(text).then_some(())
    }

    /// Any UTF-8 text.
    fn plain(&mut self) -> Option<()> {
        self.text(|_| true)
    }

    fn option(&mut self, value: impl FnOnce(&mut Self) -> Option<()>) -> Option<()> {
        if self.flag()? { value(self) } else { Some(()) }
    }

    fn list(&mut self, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        // Each item uses at least one byte, so a false length runs out of bytes soon.
        for _ in 0..self.len()? {
            each(self)?;
        }
        Some(())
    }

    fn party_id(&mut self) -> Option<()> {
        self.text(PartyId::is_valid)
    }

    fn event_id(&mut self) -> Option<()> {
        self.text(EventId::is_valid)
    }

    fn day(&mut self) -> Option<()> {
        let days = i32::from_le_bytes(self.take(4)?.try_into().ok()?);
        Day::try_from_days(days).ok().map(|_| ())
    }

    fn date(&mut self) -> Option<()> {
        self.text(EdtfDate::is_recorded)
    }

    fn money(&mut self) -> Option<()> {
        self.u64()?;
        self.text(|code| Currency::new(code).is_ok())
    }

    /// `event-id#key`: a term or tranche reference.
    fn reference(&mut self) -> Option<()> {
        self.event_id()?;
        self.text(TermKey::is_valid)
    }

    fn party(&mut self) -> Option<()> {
        self.party_id()?;
        self.plain()?;
        self.list(Walk::plain)
    }

    fn event(&mut self, format: Format) -> Option<()> {
        self.event_id()?;
        self.date()?;
        self.day()?;
        self.plain()?;
        // Confidence.
        self.choice(3)?;
        self.list(Walk::party_id)?;
        self.option(Walk::event_id)?;
        self.list(|w| {
            w.plain()?;
            w.option(Walk::plain)?;
            w.option(Walk::day)
        })?;
        self.payload(format)
    }

    /// The payload, as its format numbers the kinds: format 1 has no payment (its
    /// choices from 2 on are format 2's from 3 on) and no `concerns`.
    fn payload(&mut self, format: Format) -> Option<()> {
        let v2 = format == Format::V2;
        let kind = match format {
            Format::V2 => self.choice(11)?,
            Format::V1 => match self.choice(10)? {
                n @ 0..=1 => n,
                n => n + 1,
            },
        };
        match kind {
            // Investment.
            1 => self.list(|w| w.tranche(format)),
            // Payment.
            2 => self.list(Walk::reference),
            // Agreement: title, terms, ends.
            3 => {
                self.option(Walk::plain)?;
                self.list(Walk::term)?;
                self.list(Walk::reference)
            }
            // Term ended: ends, reason.
            4 => {
                self.list(Walk::reference)?;
                self.option(Walk::plain)
            }
            // Legal: kind, by, against, stage, claim, resolves, concerns.
            5 => {
                self.choice(2)?;
                self.party_id()?;
                self.list(Walk::party_id)?;
                self.choice(6)?;
                self.option(Walk::plain)?;
                self.option(Walk::event_id)?;
                self.concerns(v2)
            }
            // Statement: by, about, concerns.
            6 => {
                self.party_id()?;
                self.option(Walk::event_id)?;
                self.concerns(v2)
            }
            // Product launch: by, product, stage.
            7 => {
                self.party_id()?;
                self.plain()?;
                self.choice(3).map(|_| ())
            }
            // Announcement, restructuring, retraction, other: nothing more.
            _ => Some(()),
        }
    }

    fn concerns(&mut self, present: bool) -> Option<()> {
        if present {
            self.list(Walk::reference)
        } else {
            Some(())
        }
    }

    /// A tranche: format 2 adds key, due and lapses around format 1's fields.
    fn tranche(&mut self, format: Format) -> Option<()> {
        let v2 = format == Format::V2;
        if v2 {
            self.option(|w| w.text(TermKey::is_valid))?;
        }
        self.party_id()?;
        self.party_id()?;
        self.money()?;
        if v2 {
            self.option(Walk::date)?;
        }
        self.option(Walk::plain)?;
        if v2 {
            self.option(Walk::date)?;
        }
        Some(())
    }

    /// A term: key, type, grantor, holder, scope, exclusive, amount, until.
    fn term(&mut self) -> Option<()> {
        self.text(TermKey::is_valid)?;
        self.choice(6)?;
        self.party_id()?;
        self.party_id()?;
        self.text(Scope::is_valid)?;
        self.flag()?;
        self.option(Walk::money)?;
        self.option(|w| match w.choice(2)? {
            0 => w.date(),
            _ => w.plain(),
        })
    }
}
