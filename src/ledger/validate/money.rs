//! The rules between events about money and matters: the tranches a payment pays and
//! those a report names, and the legal matter an event resolves, none dated before what
//! it settles. Imports and restores apply the same rules through these functions (an
//! investment's own tranches are [`crate::model::rules`]').

use super::events::Referrer;
use super::facts::{Facts, Grants, TrancheFact};
use crate::model::{Day, EdtfDate, EventId, PartyId, TrancheRef, a_kind};

/// What a payment needs to know of the event it pays: its kind, tranches and first
/// possible day.
pub(super) type Paid<'a> = (&'a str, &'a [TrancheFact], Day);

/// What is wrong with a payment `payer` paying `r`, when the event `r` names is `target`:
/// it must be an investment, the payment must not be dated wholly before it (money
/// cannot be paid before it is committed), and the tranche must pass
/// [`tranche_ref_problem`].
pub(super) fn pays_problem(
    payer: Referrer<'_>,
    r: &TrancheRef,
    target: Option<Paid<'_>>,
) -> Option<String> {
    if r.event == *payer.id {
        return Some(format!("`pays` names {r}, this same event"));
    }
    let Some((kind, tranches, committed)) = target else {
        return Some(format!(
            "`pays` names {r}, but there is no event {}",
            r.event
        ));
    };
    if kind != "investment" {
        return Some(format!(
            "`pays` names {r}, but {} is {} event, not an investment",
            r.event,
            a_kind(kind)
        ));
    }
    if payer.date.latest() < committed {
        return Some(format!(
            "`pays` names {r}, committed on {committed} at the earliest, but this payment is \
             dated {}: money cannot be paid before it is committed (check both dates)",
            payer.date
        ));
    }
    tranche_ref_problem("pays", payer, r, tranches)
}

/// What is wrong with `referrer` naming the tranche `r` in `field` (`pays`, or
/// `concerns` for a report) when the investment `r` names has `tranches`: it must have
/// a tranche of that key, and the referrer's parties must include that tranche's
/// investor and investee (so that it is listed, and counted, wherever the tranche is).
pub(super) fn tranche_ref_problem(
    field: &str,
    referrer: Referrer<'_>,
    r: &TrancheRef,
    tranches: &[TrancheFact],
) -> Option<String> {
    let Some(t) = tranches.iter().find(|t| t.key.as_ref() == Some(&r.key)) else {
        let keys: Vec<&str> = tranches
            .iter()
            .filter_map(|t| t.key.as_ref().map(|k| k.as_str()))
            .collect();
        let known = if keys.is_empty() {
            "none of its tranches has a `key`".to_string()
        } else {
            format!("its tranche keys: {}", keys.join(", "))
        };
        return Some(format!(
            "`{field}` names {r}, but {} has no tranche {:?} ({known})",
            r.event,
            r.key.as_str()
        ));
    };
    let missing: Vec<&PartyId> = [&t.investor, &t.investee]
        .into_iter()
        .filter(|p| !referrer.parties.contains(p))
        .collect();
    (!missing.is_empty()).then(|| {
        let missing: Vec<&str> = missing.iter().map(|p| p.as_str()).collect();
        let hint = if field == "pays" {
            "list both (or leave `parties` out to take them from the tranches)"
        } else {
            "list both"
        };
        format!(
            "`{field}` names {r}, a tranche from {} to {}, but `parties` leaves out {}: {hint}",
            t.investor,
            t.investee,
            missing.join(" and ")
        )
    })
}

/// What [`pays_problem`] needs to know of an event.
pub(super) fn target_of(e: &Facts) -> Paid<'_> {
    match e.grants() {
        Grants::Tranches(tranches) => (e.kind, tranches, e.earliest()),
        _ => (e.kind, &[], e.earliest()),
    }
}

/// An event dated `resolver`, wholly before the legal event `target` it resolves (first
/// possible day `opened`), would close the matter before it was opened.
pub(super) fn resolved_before_opened(
    resolver: &EdtfDate,
    target: &EventId,
    opened: Day,
) -> Option<String> {
    (resolver.latest() < opened).then(|| {
        format!(
            "`resolves` names {target}, dated {opened} at the earliest, but this event is \
             dated {resolver}: a matter cannot be closed before it is opened (check both dates)"
        )
    })
}
