//! What the validator keeps of an event: the facts its rules read, of the event itself
//! (its own flaws, its parties, what it refers to, its date) and of it as the target of
//! another event's reference (its kind, the keys and parties of its terms and tranches,
//! its first possible day). Text, sources and amounts are left out: they are checked
//! once, when the facts are taken, and no rule between events reads them.
//!
//! Keeping facts instead of events is what lets an import check a million events in a
//! fraction of their memory ([`EventFacts`], [`super::Validator::event_facts`]).

use crate::model::{
    Day, EdtfDate, Event, EventId, PartyId, Payload, TermKey, TermRef, TrancheRef, rules,
};

/// A term as references see it: its key, grantor and holder.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TermFact {
    pub(super) key: TermKey,
    pub(super) grantor: PartyId,
    pub(super) holder: PartyId,
}

/// A tranche as references see it: its key (if any), investor and investee.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TrancheFact {
    pub(super) key: Option<TermKey>,
    pub(super) investor: PartyId,
    pub(super) investee: PartyId,
}

/// What an event grants that another event can name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Grants {
    /// An agreement's terms.
    Terms(Box<[TermFact]>),
    /// An investment's tranches.
    Tranches(Box<[TrancheFact]>),
    /// Nothing (any other kind).
    Nothing,
}

/// The references of an event's payload (`supersedes` is kept beside them: it is the
/// only one most events have).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(super) struct Refs {
    pub(super) ends: Vec<TermRef>,
    pub(super) pays: Vec<TrancheRef>,
    pub(super) resolves: Option<EventId>,
    pub(super) about: Option<EventId>,
    pub(super) concerns: Vec<TermRef>,
}

/// What the validator's rules read of one event. What most events lack is boxed apart
/// ([`More`]): a million facts are held at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Facts {
    pub(super) id: EventId,
    pub(super) date: EdtfDate,
    pub(super) kind: &'static str,
    /// As given; the validator fills in those of an event that names none.
    pub(super) parties: Vec<PartyId>,
    /// `None` when the event has none of them.
    more: Option<Box<More>>,
}

/// The facts of an event that most events lack.
#[derive(Clone, Debug, PartialEq, Eq)]
struct More {
    /// The parties the payload names, when `parties` leaves some out (a flaw) or is
    /// empty (to be filled in): they are checked against what is listed in the end.
    named: Box<[PartyId]>,
    supersedes: Option<EventId>,
    refs: Refs,
    grants: Grants,
    /// The messages of [`rules::event_flaws_apart`]: the flaws before `parties`, and
    /// those after it.
    flaws: Option<Box<(Vec<String>, Vec<String>)>>,
}

/// What an event grants when it grants nothing.
static NOTHING: Grants = Grants::Nothing;

/// The references of a payload.
fn refs_of(payload: &Payload) -> Refs {
    Refs {
        ends: payload.ends().to_vec(),
        pays: payload.pays().to_vec(),
        resolves: match payload {
            Payload::Legal { resolves, .. } => resolves.clone(),
            _ => None,
        },
        about: match payload {
            Payload::Statement { about, .. } => about.clone(),
            _ => None,
        },
        concerns: payload.concerns().to_vec(),
    }
}

/// What a payload grants.
fn grants_of(payload: &Payload) -> Grants {
    match payload {
        Payload::Agreement { terms, .. } => Grants::Terms(
            terms
                .iter()
                .map(|t| TermFact {
                    key: t.key.clone(),
                    grantor: t.grantor.clone(),
                    holder: t.holder.clone(),
                })
                .collect(),
        ),
        Payload::Investment { tranches } => Grants::Tranches(
            tranches
                .iter()
                .map(|t| TrancheFact {
                    key: t.key.clone(),
                    investor: t.investor.clone(),
                    investee: t.investee.clone(),
                })
                .collect(),
        ),
        _ => Grants::Nothing,
    }
}

impl Facts {
    /// The facts of `e`.
    pub(super) fn of(e: &Event) -> Facts {
        let named = e.payload.named_parties();
        let named = if e.parties.is_empty() || named.iter().any(|p| !e.parties.contains(p)) {
            named.into_boxed_slice()
        } else {
            Box::default()
        };
        let (before, after) = rules::event_flaws_apart(e);
        let messages = |f: Vec<rules::Flaw>| -> Vec<String> {
            f.into_iter().map(|f| f.message).collect()
        };
        let flaws = (!before.is_empty() || !after.is_empty())
            .then(|| Box::new((messages(before), messages(after))));
        let more = More {
            named,
            supersedes: e.supersedes.clone(),
            refs: refs_of(&e.payload),
            grants: grants_of(&e.payload),
            flaws,
        };
        let none = more.named.is_empty()
            && more.supersedes.is_none()
            && more.refs == Refs::default()
            && more.grants == Grants::Nothing
            && more.flaws.is_none();
        Facts {
            id: e.id.clone(),
            date: e.date.clone(),
            kind: e.kind_name(),
            parties: e.parties.clone(),
            more: (!none).then(|| Box::new(more)),
        }
    }

    fn refs(&self) -> Option<&Refs> {
        self.more.as_deref().map(|m| &m.refs)
    }

    /// The parties its payload names, when its `parties` leaves some out or is empty.
    fn named(&self) -> &[PartyId] {
        self.more.as_deref().map_or(&[], |m| &m.named)
    }

    /// The event it supersedes.
    pub(super) fn supersedes(&self) -> Option<&EventId> {
        self.more.as_deref().and_then(|m| m.supersedes.as_ref())
    }

    /// What it grants that others can name.
    pub(super) fn grants(&self) -> &Grants {
        self.more.as_deref().map_or(&NOTHING, |m| &m.grants)
    }

    /// The first possible day of its date.
    pub(super) fn earliest(&self) -> Day {
        self.date.earliest()
    }

    /// The term references it ends.
    pub(super) fn ends(&self) -> &[TermRef] {
        self.refs().map_or(&[], |r| &r.ends)
    }

    /// The tranche references it pays.
    pub(super) fn pays(&self) -> &[TrancheRef] {
        self.refs().map_or(&[], |r| &r.pays)
    }

    /// The terms and tranches it concerns.
    pub(super) fn concerns(&self) -> &[TermRef] {
        self.refs().map_or(&[], |r| &r.concerns)
    }

    /// The legal event it resolves.
    pub(super) fn resolves(&self) -> Option<&EventId> {
        self.refs().and_then(|r| r.resolves.as_ref())
    }

    /// The event it is a statement about.
    pub(super) fn about(&self) -> Option<&EventId> {
        self.refs().and_then(|r| r.about.as_ref())
    }

    /// Every event it refers to, with the field that names it, in the order of
    /// [`Event::references`].
    pub(super) fn references(&self) -> Vec<(&'static str, &EventId)> {
        let mut out: Vec<(&'static str, &EventId)> = Vec::new();
        if let Some(t) = self.supersedes() {
            out.push(("supersedes", t));
        }
        out.extend(self.ends().iter().map(|r| ("ends", &r.event)));
        out.extend(self.pays().iter().map(|r| ("pays", &r.event)));
        if let Some(t) = self.resolves() {
            out.push(("resolves", t));
        }
        if let Some(t) = self.about() {
            out.push(("about", t));
        }
        out.extend(self.concerns().iter().map(|r| ("concerns", &r.event)));
        out
    }

    /// Every rule it breaks on its own ([`rules::event_flaws`]), with its parties as
    /// they stand (filled in or not).
    pub(super) fn flaw_messages(&self) -> Vec<String> {
        let parties = rules::parties_flaws(&self.parties, self.named(), self.kind);
        let (before, after) = self
            .more
            .as_deref()
            .and_then(|m| m.flaws.as_deref())
            .map_or((&[][..], &[][..]), |(b, a)| (&b[..], &a[..]));
        let mut out: Vec<String> = before.to_vec();
        out.extend(parties.into_iter().map(|f| f.message));
        out.extend(after.iter().cloned());
        out
    }

    /// Every party it names: its parties and those its payload names.
    pub(super) fn named_parties(&self) -> impl Iterator<Item = &PartyId> {
        self.parties.iter().chain(self.named().iter())
    }
}

/// The facts of an event given to [`super::Validator::event_facts`], with a digest of
/// the event, so that only the very event checked can be appended in its place
/// ([`super::Staged::batch`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventFacts {
    pub(super) facts: Facts,
    pub(super) digest: Digest,
}

/// A BLAKE3 digest of an event's canonical encoding.
pub(super) type Digest = [u8; 32];

/// The digest of `e`: BLAKE3 of its canonical (bincode) encoding, or `None` when the
/// event does not encode (it cannot be recorded then either).
pub(super) fn digest(e: &Event) -> Option<Digest> {
    let bytes = crate::codec::encode_event(e).ok()?;
    Some(*blake3::hash(&bytes).as_bytes())
}

impl EventFacts {
    /// The facts of `e`, taken to check it without keeping it.
    ///
    /// # Errors
    /// [`crate::codec::CodecError`] when the event does not encode.
    pub fn of(e: &Event) -> Result<EventFacts, crate::codec::CodecError> {
        let bytes = crate::codec::encode_event(e)?;
        Ok(EventFacts {
            facts: Facts::of(e),
            digest: *blake3::hash(&bytes).as_bytes(),
        })
    }

    /// The event's id.
    pub fn id(&self) -> &EventId {
        &self.facts.id
    }
}
