//! Record format 1: the model as it was when format 1 was the only one, mirrored here so
//! that records written then decode, verify and re-encode byte for byte.
//!
//! Each type below has the fields and variants of its format-1 original, in the same
//! order (the order is the encoding). Types that format 2 left unchanged (parties,
//! terms, sources, ids, dates, money) are shared. A format-1 record converts into the
//! current model without loss; a current value converts back only when format 1 can
//! express it (no tranche key, due or lapses; no payment), else [`CodecError::NotInFormat`].

use super::CodecError;
use super::record::{ChainHash, Entry, Format, Record, Seq, Timestamp};
use crate::model::{
    Confidence, Day, EdtfDate, Event, EventId, LegalKind, LegalStage, Money, Party, PartyId,
    Payload, ProductStage, Source, Term, TermRef, Tranche,
};
use serde::{Deserialize, Serialize};

/// [`Record`] in format 1.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub(super) struct V1Record {
    seq: Seq,
    recorded_at: Timestamp,
    prev: ChainHash,
    entry: V1Entry,
}

/// [`Entry`] in format 1.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
enum V1Entry {
    Party(Party),
    Event(V1Event),
}

/// [`Event`] in format 1.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct V1Event {
    id: EventId,
    date: EdtfDate,
    disclosed: Day,
    summary: String,
    confidence: Confidence,
    parties: Vec<PartyId>,
    supersedes: Option<EventId>,
    sources: Vec<Source>,
    payload: V1Payload,
}

/// [`Tranche`] in format 1: no key, due or lapses.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
struct V1Tranche {
    investor: PartyId,
    investee: PartyId,
    amount: Money,
    condition: Option<String>,
}

/// [`Payload`] in format 1: no payment; legal events and statements as they were.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
enum V1Payload {
    Announcement,
    Investment {
        tranches: Vec<V1Tranche>,
    },
    Agreement {
        title: Option<String>,
        terms: Vec<Term>,
        ends: Vec<TermRef>,
    },
    TermEnded {
        ends: Vec<TermRef>,
        reason: Option<String>,
    },
    Legal {
        kind: LegalKind,
        by: PartyId,
        against: Vec<PartyId>,
        stage: LegalStage,
        claim: Option<String>,
        resolves: Option<EventId>,
    },
    Statement {
        by: PartyId,
        about: Option<EventId>,
    },
    ProductLaunch {
        by: PartyId,
        product: String,
        stage: ProductStage,
    },
    Restructuring,
    Retraction,
    Other,
}

impl From<V1Record> for Record {
    fn from(r: V1Record) -> Record {
        Record {
            seq: r.seq,
            recorded_at: r.recorded_at,
            prev: r.prev,
            entry: match r.entry {
                V1Entry::Party(p) => Entry::Party(p),
                V1Entry::Event(e) => Entry::Event(e.into()),
            },
            format: Format::V1,
        }
    }
}

impl From<V1Event> for Event {
    fn from(e: V1Event) -> Event {
        Event {
            id: e.id,
            date: e.date,
            disclosed: e.disclosed,
            summary: e.summary,
            confidence: e.confidence,
            parties: e.parties,
            supersedes: e.supersedes,
            sources: e.sources,
            payload: e.payload.into(),
        }
    }
}

impl From<V1Payload> for Payload {
    fn from(p: V1Payload) -> Payload {
        match p {
            V1Payload::Announcement => Payload::Announcement,
            V1Payload::Investment { tranches } => Payload::Investment {
                tranches: tranches
                    .into_iter()
                    .map(|t| Tranche {
                        key: None,
                        investor: t.investor,
                        investee: t.investee,
                        amount: t.amount,
                        due: None,
                        condition: t.condition,
                        lapses: None,
                    })
                    .collect(),
            },
            V1Payload::Agreement { title, terms, ends } => {
                Payload::Agreement { title, terms, ends }
            }
            V1Payload::TermEnded { ends, reason } => Payload::TermEnded { ends, reason },
            V1Payload::Legal {
                kind,
                by,
                against,
                stage,
                claim,
                resolves,
            } => Payload::Legal {
                kind,
                by,
                against,
                stage,
                claim,
                resolves,
                concerns: Vec::new(),
            },
            V1Payload::Statement { by, about } => Payload::Statement {
                by,
                about,
                concerns: Vec::new(),
            },
            V1Payload::ProductLaunch { by, product, stage } => {
                Payload::ProductLaunch { by, product, stage }
            }
            V1Payload::Restructuring => Payload::Restructuring,
            V1Payload::Retraction => Payload::Retraction,
            V1Payload::Other => Payload::Other,
        }
    }
}

/// `record` in format 1, when format 1 can express it.
///
/// # Errors
/// [`CodecError::NotInFormat`] naming what format 1 cannot hold.
pub(super) fn to_v1(record: &Record) -> Result<V1Record, CodecError> {
    Ok(V1Record {
        seq: record.seq,
        recorded_at: record.recorded_at,
        prev: record.prev,
        entry: match &record.entry {
            Entry::Party(p) => V1Entry::Party(p.clone()),
            Entry::Event(e) => V1Entry::Event(V1Event {
                id: e.id.clone(),
                date: e.date.clone(),
                disclosed: e.disclosed,
                summary: e.summary.clone(),
                confidence: e.confidence,
                parties: e.parties.clone(),
                supersedes: e.supersedes.clone(),
                sources: e.sources.clone(),
                payload: payload_to_v1(&e.payload).map_err(|why| CodecError::NotInFormat {
                    version: Format::V1.byte(),
                    why: format!("event {}: {why}", e.id),
                })?,
            }),
        },
    })
}

fn payload_to_v1(p: &Payload) -> Result<V1Payload, String> {
    Ok(match p.clone() {
        Payload::Announcement => V1Payload::Announcement,
        Payload::Investment { tranches } => V1Payload::Investment {
            tranches: tranches
                .into_iter()
                .map(tranche_to_v1)
                .collect::<Result<_, _>>()?,
        },
        Payload::Payment { .. } => return Err("format 1 has no payment events".into()),
        Payload::Agreement { title, terms, ends } => V1Payload::Agreement { title, terms, ends },
        Payload::TermEnded { ends, reason } => V1Payload::TermEnded { ends, reason },
        Payload::Legal { concerns, .. } | Payload::Statement { concerns, .. }
            if !concerns.is_empty() =>
        {
            return Err("format 1 has no `concerns`".into());
        }
        Payload::Legal {
            kind,
            by,
            against,
            stage,
            claim,
            resolves,
            ..
        } => V1Payload::Legal {
            kind,
            by,
            against,
            stage,
            claim,
            resolves,
        },
        Payload::Statement { by, about, .. } => V1Payload::Statement { by, about },
        Payload::ProductLaunch { by, product, stage } => {
            V1Payload::ProductLaunch { by, product, stage }
        }
        Payload::Restructuring => V1Payload::Restructuring,
        Payload::Retraction => V1Payload::Retraction,
        Payload::Other => V1Payload::Other,
    })
}

fn tranche_to_v1(t: Tranche) -> Result<V1Tranche, String> {
    if t.key.is_some() || t.due.is_some() || t.lapses.is_some() {
        return Err("format 1 tranches have no key, due or lapses".into());
    }
    Ok(V1Tranche {
        investor: t.investor,
        investee: t.investee,
        amount: t.amount,
        condition: t.condition,
    })
}
