//! The rules for money: an investment's tranches (keys given once, `due` and `lapses`
//! dates that make sense), the tranches a payment pays and those a report names. Imports and restores apply
//! the same rules through these functions.

use crate::model::{EdtfDate, Event, PartyId, Payload, Tranche, TrancheRef, a_kind};

/// What is wrong with the tranches or the `pays` list of `e` on their own (without
/// looking at other events), one message per problem.
pub(super) fn own_problems(e: &Event) -> Vec<String> {
    match &e.payload {
        Payload::Investment { tranches } => tranche_problems(e, tranches),
        Payload::Payment { pays } if pays.is_empty() => {
            vec!["a payment needs `pays = [\"event-id#tranche-key\", ...]`".to_string()]
        }
        _ => Vec::new(),
    }
}

fn tranche_problems(e: &Event, tranches: &[Tranche]) -> Vec<String> {
    let mut out = Vec::new();
    for (i, t) in tranches.iter().enumerate() {
        let name = match &t.key {
            Some(k) => format!("tranche {:?}", k.as_str()),
            None => format!("tranche {}", i + 1),
        };
        if let Some(k) = &t.key
            && tranches[..i].iter().any(|o| o.key.as_ref() == Some(k))
        {
            out.push(format!(
                "{name}: tranche key {:?} is used twice in this event",
                k.as_str()
            ));
        }
        if let (Some(l), None) = (&t.lapses, &t.condition) {
            out.push(format!(
                "{name}: `lapses` {} needs a `condition`: only a condition that is not met \
                 lapses (a tranche without one is paid, or scheduled with `due`)",
                l.as_str()
            ));
        }
        for (field, date) in [("due", &t.due), ("lapses", &t.lapses)] {
            if let Some(d) = date
                && let Some(problem) = date_problem(e, field, d)
            {
                out.push(format!("{name}: {problem}"));
            }
        }
    }
    out
}

/// A `due` or `lapses` date must end somewhere, and not before the investment began.
fn date_problem(e: &Event, field: &str, d: &EdtfDate) -> Option<String> {
    if d.has_open_end() {
        return Some(format!(
            "`{field}` {} has an open or unknown end: give the day or the period, like \
             \"2026-03-31\" or \"2026-04/2026-06\"",
            d.as_str()
        ));
    }
    (d.latest() < e.date.earliest()).then(|| {
        format!(
            "`{field}` {} ends on {}, before the investment's earliest day {} (`date` {}): \
             {}; check both dates",
            d.as_str(),
            d.latest(),
            e.date.earliest(),
            e.date.as_str(),
            if field == "due" {
                "money cannot be due before it is committed"
            } else {
                "a condition cannot lapse before it is agreed"
            }
        )
    })
}

/// What is wrong with a payment `payer` paying `r`, when the event `r` names is `target`
/// (its kind and tranches): see [`tranche_ref_problem`].
pub(super) fn pays_problem(
    payer: &Event,
    r: &TrancheRef,
    target: Option<(&str, &[Tranche])>,
) -> Option<String> {
    if r.event == payer.id {
        return Some(format!("`pays` names {r}, this same event"));
    }
    let Some((kind, tranches)) = target else {
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
    tranche_ref_problem("pays", payer, r, tranches)
}

/// What is wrong with `referrer` naming the tranche `r` in `field` (`pays`, or
/// `concerns` for a report) when the investment `r` names has `tranches`: it must have
/// a tranche of that key, and the referrer's parties must include that tranche's
/// investor and investee (so that it is listed, and counted, wherever the tranche is).
pub(super) fn tranche_ref_problem(
    field: &str,
    referrer: &Event,
    r: &TrancheRef,
    tranches: &[Tranche],
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

/// The kind and tranches of an event, as [`pays_problem`] takes them.
pub(super) fn target_of(e: &Event) -> (&'static str, &[Tranche]) {
    match &e.payload {
        Payload::Investment { tranches } => (e.kind_name(), tranches),
        other => (other.kind_name(), &[]),
    }
}
