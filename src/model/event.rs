//! Events: what happened between parties, when, how sure we are, and where it was reported.
//!
//! An [`Event`] is immutable once recorded. Its [`Payload`] carries what the kind means:
//! money moved (tranches), terms granted (with keys, scopes and an `until`), terms ended,
//! legal steps, statements and launches. Cross-references (`supersedes`, `ends`,
//! `resolves`, `about`, `concerns`) name earlier events by id.

use super::date::{Day, EdtfDate};
use super::id::{EventId, PartyId, Scope, TermKey, TermRef, TrancheRef};
use super::money::Money;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How well an event is established.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Confidence {
    /// Confirmed by the parties themselves.
    Confirmed,
    /// Reported by media, not confirmed by the parties.
    Reported,
    /// Anonymous-source claims.
    Rumor,
}

impl Confidence {
    /// The keyword used in event files.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Confirmed => "confirmed",
            Confidence::Reported => "reported",
            Confidence::Rumor => "rumor",
        }
    }

    /// Parses the keyword used in event files.
    pub fn parse(s: &str) -> Option<Confidence> {
        Some(match s {
            "confirmed" => Confidence::Confirmed,
            "reported" => Confidence::Reported,
            "rumor" => Confidence::Rumor,
            _ => return None,
        })
    }
}

/// A published source for an event.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Source {
    /// Address of the article or statement.
    pub url: String,
    /// Who published it.
    pub publisher: Option<String>,
    /// The day it was published, when known.
    pub published: Option<Day>,
}

/// Money moving (or committed to move) from an investor to an investee.
///
/// A tranche with neither `due` nor `condition` was paid on its event's date. One with a
/// `due` date is scheduled for then, one with a `condition` is committed; either is paid
/// when a `payment` event names it (`event-id#key`). Field order is the order of the
/// record format (version 2) and of event files.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Tranche {
    /// Unique within the event; `event-id#key` names the tranche in a payment.
    pub key: Option<TermKey>,
    /// Who pays.
    pub investor: PartyId,
    /// Who receives.
    pub investee: PartyId,
    /// How much.
    pub amount: Money,
    /// When the payment is scheduled.
    pub due: Option<EdtfDate>,
    /// A condition still to be met: the tranche is committed, not paid.
    pub condition: Option<String>,
    /// When an unmet condition expires (the tranche lapses after its latest day).
    pub lapses: Option<EdtfDate>,
}

/// The type of right or obligation a term grants.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermType {
    /// The holder is the only one allowed (e.g. the only cloud).
    Exclusivity,
    /// A licence to intellectual property.
    IpLicense,
    /// The holder may match any competing offer first.
    RightOfFirstRefusal,
    /// A commitment to buy, build or pay.
    Commitment,
    /// A preferred (not exclusive) partner status.
    PreferredPartner,
    /// Anything else.
    Other,
}

impl TermType {
    /// Every type, in file order.
    pub const ALL: [TermType; 6] = [
        TermType::Exclusivity,
        TermType::IpLicense,
        TermType::RightOfFirstRefusal,
        TermType::Commitment,
        TermType::PreferredPartner,
        TermType::Other,
    ];

    /// The keyword used in event files.
    pub fn as_str(self) -> &'static str {
        match self {
            TermType::Exclusivity => "exclusivity",
            TermType::IpLicense => "ip-license",
            TermType::RightOfFirstRefusal => "right-of-first-refusal",
            TermType::Commitment => "commitment",
            TermType::PreferredPartner => "preferred-partner",
            TermType::Other => "other",
        }
    }

    /// Parses the keyword used in event files.
    pub fn parse(s: &str) -> Option<TermType> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }
}

/// When a term stops: after a date, or when a condition is met (which an event records).
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Until {
    /// The term lapses after the latest day of this date.
    Date(EdtfDate),
    /// The term runs until an event ends it.
    Condition(String),
}

impl Until {
    /// `until` as written in an event file: a date when it reads as one, else a
    /// condition (text that starts like a date but is not one is kept as a condition,
    /// which the rules then refuse: see [`Until::looks_like_date`]).
    pub fn read(text: &str) -> Until {
        match EdtfDate::parse(text) {
            Ok(d) => Until::Date(d),
            Err(_) => Until::Condition(text.to_string()),
        }
    }

    /// Whether text is meant as a date: it starts with a digit and holds no space
    /// (`2026-13-01`, `2026-Q1`), where a condition is words.
    pub fn looks_like_date(text: &str) -> bool {
        text.chars().next().is_some_and(|c| c.is_ascii_digit()) && !text.trim().contains(' ')
    }

    /// The last day the term can be in force, if it has a date.
    pub fn last_day(&self) -> Option<Day> {
        match self {
            Until::Date(d) => Some(d.latest()),
            Until::Condition(_) => None,
        }
    }
}

impl fmt::Display for Until {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Until::Date(d) => write!(f, "{d}"),
            Until::Condition(c) => f.write_str(c),
        }
    }
}

/// A right or obligation granted by an agreement.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Term {
    /// Unique within the event; `event-id#key` names the term everywhere.
    pub key: TermKey,
    /// What kind of right it is.
    pub kind: TermType,
    /// Who grants it.
    pub grantor: PartyId,
    /// Who holds it.
    pub holder: PartyId,
    /// What it covers.
    pub scope: Scope,
    /// Whether it excludes others.
    pub exclusive: bool,
    /// Money attached to the term, if any.
    pub amount: Option<Money>,
    /// When it lapses.
    pub until: Option<Until>,
}

/// Legal events: threats and actions.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegalKind {
    /// A threat or consideration of legal action.
    Threat,
    /// Legal action taken.
    Action,
}

/// Where a legal matter stands.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LegalStage {
    /// Legal action is being considered.
    Considering,
    /// Legal action has been threatened.
    Threatened,
    /// A claim has been filed.
    Filed,
    /// Settled between the parties.
    Settled,
    /// Dismissed.
    Dismissed,
    /// Withdrawn by the claimant.
    Withdrawn,
}

impl LegalStage {
    /// Every stage, in file order.
    pub const ALL: [LegalStage; 6] = [
        LegalStage::Considering,
        LegalStage::Threatened,
        LegalStage::Filed,
        LegalStage::Settled,
        LegalStage::Dismissed,
        LegalStage::Withdrawn,
    ];

    /// The keyword used in event files.
    pub fn as_str(self) -> &'static str {
        match self {
            LegalStage::Considering => "considering",
            LegalStage::Threatened => "threatened",
            LegalStage::Filed => "filed",
            LegalStage::Settled => "settled",
            LegalStage::Dismissed => "dismissed",
            LegalStage::Withdrawn => "withdrawn",
        }
    }

    /// Parses the keyword used in event files.
    pub fn parse(s: &str) -> Option<LegalStage> {
        Self::ALL.into_iter().find(|t| t.as_str() == s)
    }

    /// Whether this stage closes a matter (settled, dismissed, withdrawn).
    pub fn is_closing(self) -> bool {
        matches!(
            self,
            LegalStage::Settled | LegalStage::Dismissed | LegalStage::Withdrawn
        )
    }
}

/// How far a product has been released.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProductStage {
    /// Limited availability.
    Limited,
    /// Public preview.
    Preview,
    /// Generally available.
    General,
}

impl ProductStage {
    /// The keyword used in event files.
    pub fn as_str(self) -> &'static str {
        match self {
            ProductStage::Limited => "limited",
            ProductStage::Preview => "preview",
            ProductStage::General => "general",
        }
    }

    /// Parses the keyword used in event files.
    pub fn parse(s: &str) -> Option<ProductStage> {
        [
            ProductStage::Limited,
            ProductStage::Preview,
            ProductStage::General,
        ]
        .into_iter()
        .find(|t| t.as_str() == s)
    }
}

/// What an event of each kind carries.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Payload {
    /// A public announcement; no payload.
    Announcement,
    /// Money invested, by tranche (none when the amount was not disclosed).
    Investment { tranches: Vec<Tranche> },
    /// Scheduled or conditional tranches paid on the event's date.
    Payment { pays: Vec<TrancheRef> },
    /// An agreement granting terms, possibly ending earlier ones.
    Agreement {
        title: Option<String>,
        terms: Vec<Term>,
        ends: Vec<TermRef>,
    },
    /// Terms ended without a new agreement.
    TermEnded {
        ends: Vec<TermRef>,
        reason: Option<String>,
    },
    /// A legal threat or action; `resolves` closes an earlier one; `concerns` names the
    /// terms the claim is about, or keyed tranches it reports owed and unpaid.
    Legal {
        kind: LegalKind,
        by: PartyId,
        against: Vec<PartyId>,
        stage: LegalStage,
        claim: Option<String>,
        resolves: Option<EventId>,
        concerns: Vec<TermRef>,
    },
    /// A statement by one party, perhaps about an earlier event; `concerns` names the
    /// terms it is about, or keyed tranches it reports owed and unpaid.
    Statement {
        by: PartyId,
        about: Option<EventId>,
        concerns: Vec<TermRef>,
    },
    /// A product released by a party.
    ProductLaunch {
        by: PartyId,
        product: String,
        stage: ProductStage,
    },
    /// A change of corporate structure.
    Restructuring,
    /// Cancels the event it supersedes.
    Retraction,
    /// Anything else.
    Other,
}

impl Payload {
    /// The `kind` keyword of event files.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Payload::Announcement => "announcement",
            Payload::Investment { .. } => "investment",
            Payload::Agreement { .. } => "agreement",
            Payload::TermEnded { .. } => "term-ended",
            Payload::Legal {
                kind: LegalKind::Threat,
                ..
            } => "legal-threat",
            Payload::Legal {
                kind: LegalKind::Action,
                ..
            } => "legal-action",
            Payload::Statement { .. } => "statement",
            Payload::ProductLaunch { .. } => "product-launch",
            Payload::Payment { .. } => "payment",
            Payload::Restructuring => "restructuring",
            Payload::Retraction => "retraction",
            Payload::Other => "other",
        }
    }

    /// Every `kind` keyword, in the order the design lists them.
    pub const KINDS: [&'static str; 12] = [
        "announcement",
        "investment",
        "payment",
        "agreement",
        "term-ended",
        "legal-threat",
        "legal-action",
        "statement",
        "product-launch",
        "restructuring",
        "retraction",
        "other",
    ];

    /// The parties the payload itself names, in order of appearance, without repeats. A
    /// payment names none itself: its parties come from the tranches it pays.
    pub fn named_parties(&self) -> Vec<PartyId> {
        let mut out: Vec<PartyId> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut add = |p: &PartyId| {
            if seen.insert(p.clone()) {
                out.push(p.clone());
            }
        };
        match self {
            Payload::Investment { tranches } => {
                for t in tranches {
                    add(&t.investor);
                    add(&t.investee);
                }
            }
            Payload::Agreement { terms, .. } => {
                for t in terms {
                    add(&t.grantor);
                    add(&t.holder);
                }
            }
            Payload::Legal { by, against, .. } => {
                add(by);
                against.iter().for_each(add);
            }
            Payload::Statement { by, .. } | Payload::ProductLaunch { by, .. } => add(by),
            Payload::Announcement
            | Payload::TermEnded { .. }
            | Payload::Payment { .. }
            | Payload::Restructuring
            | Payload::Retraction
            | Payload::Other => {}
        }
        out
    }

    /// The term references this payload ends.
    pub fn ends(&self) -> &[TermRef] {
        match self {
            Payload::Agreement { ends, .. } | Payload::TermEnded { ends, .. } => ends,
            _ => &[],
        }
    }

    /// The tranche references this payload pays.
    pub fn pays(&self) -> &[TrancheRef] {
        match self {
            Payload::Payment { pays } => pays,
            _ => &[],
        }
    }

    /// What a legal event or a statement is about (its `concerns`): terms of agreements
    /// and keyed tranches of investments, each `event-id#key`.
    pub fn concerns(&self) -> &[TermRef] {
        match self {
            Payload::Legal { concerns, .. } | Payload::Statement { concerns, .. } => concerns,
            _ => &[],
        }
    }

    /// The `concerns` that can report on a tranche's payment: those of a statement, or
    /// of a legal event whose stage is not a closing one (a settlement or withdrawal
    /// reports nothing owed).
    pub fn reports(&self) -> &[TermRef] {
        match self {
            Payload::Legal {
                stage, concerns, ..
            } if !stage.is_closing() => concerns,
            Payload::Statement { concerns, .. } => concerns,
            _ => &[],
        }
    }
}

/// "an investment", "a statement": a `kind` keyword with its article, for messages.
pub fn a_kind(kind: &str) -> String {
    let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {kind}")
}

/// One recorded fact about a partnership.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Event {
    /// Unique, stable id.
    pub id: EventId,
    /// When it happened (valid time), possibly imprecise.
    pub date: EdtfDate,
    /// When it became public (defaults to the latest day of `date`).
    pub disclosed: Day,
    /// One or two sentences, in our own words.
    pub summary: String,
    /// How well it is established.
    pub confidence: Confidence,
    /// Every party the event touches, sorted, without repeats.
    pub parties: Vec<PartyId>,
    /// The earlier event this one replaces (or, for a retraction, cancels).
    pub supersedes: Option<EventId>,
    /// Where it was reported.
    pub sources: Vec<Source>,
    /// What the kind carries.
    pub payload: Payload,
}

impl Event {
    /// The `kind` keyword of event files.
    pub fn kind_name(&self) -> &'static str {
        self.payload.kind_name()
    }

    /// Every unordered pair of the event's parties, each sorted, in order.
    pub fn pairs(&self) -> Vec<(PartyId, PartyId)> {
        let mut out = Vec::new();
        for (i, a) in self.parties.iter().enumerate() {
            for b in &self.parties[i + 1..] {
                out.push((a.clone(), b.clone()));
            }
        }
        out
    }

    /// Every event this one refers to, with the field that names it: `supersedes`,
    /// then `ends`, `pays`, `resolves`, `about` and `concerns`, in that order (a target
    /// may repeat).
    pub fn references(&self) -> Vec<(&'static str, &EventId)> {
        let mut out: Vec<(&'static str, &EventId)> = Vec::new();
        if let Some(t) = &self.supersedes {
            out.push(("supersedes", t));
        }
        out.extend(self.payload.ends().iter().map(|r| ("ends", &r.event)));
        out.extend(self.payload.pays().iter().map(|r| ("pays", &r.event)));
        match &self.payload {
            Payload::Legal {
                resolves: Some(t), ..
            } => out.push(("resolves", t)),
            Payload::Statement { about: Some(t), .. } => out.push(("about", t)),
            _ => {}
        }
        out.extend(
            self.payload
                .concerns()
                .iter()
                .map(|r| ("concerns", &r.event)),
        );
        out
    }

    /// Whether the event names this party.
    pub fn touches(&self, party: &PartyId) -> bool {
        self.parties.binary_search(party).is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_round_trip() {
        for t in TermType::ALL {
            assert_eq!(TermType::parse(t.as_str()), Some(t));
        }
        for s in LegalStage::ALL {
            assert_eq!(LegalStage::parse(s.as_str()), Some(s));
        }
        for c in ["confirmed", "reported", "rumor"] {
            assert_eq!(Confidence::parse(c).map(Confidence::as_str), Some(c));
        }
        assert_eq!(TermType::parse("exclusive"), None);
        assert!(LegalStage::Settled.is_closing() && !LegalStage::Filed.is_closing());
    }

    #[test]
    fn named_parties_follow_the_payload() {
        let p = |s: &str| PartyId::new(s).unwrap();
        let legal = Payload::Legal {
            kind: LegalKind::Threat,
            by: p("microsoft"),
            against: vec![p("openai"), p("amazon"), p("openai")],
            stage: LegalStage::Considering,
            claim: None,
            resolves: None,
            concerns: Vec::new(),
        };
        assert_eq!(
            legal.named_parties(),
            vec![p("microsoft"), p("openai"), p("amazon")]
        );
        assert_eq!(legal.kind_name(), "legal-threat");
        assert!(Payload::Announcement.named_parties().is_empty());
    }
}
