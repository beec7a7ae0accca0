//! Money on a day: each tranche's status ([`MoneyStatus`], decided by one rule,
//! [`tranche_status`]) and the totals per currency and status.
//!
//! A tranche is committed, not paid, until the record says otherwise. Two kinds of event
//! speak of a tranche after its investment:
//! - a **payment** (`pays`) says it was paid;
//! - a **report** says the money is owed and, as far as it says, unpaid: a counted
//!   statement or legal event (not one with a closing stage) that names the tranche in
//!   its `concerns`. For a conditional tranche, the first report says its condition is
//!   met; a report dated after the money fell due says the payment was missed.
//!
//! The money *falls due* on the due date's latest day, or, for a conditional tranche,
//! on the latest day of the first report (or of its `due` date, if that is later). From
//! then on, with no payment counted, it is `unreported` (due, payment not reported: the
//! ledger asserts no default), and `overdue` only once a report whose every day comes
//! after that day says so: overdue is a claim, and it needs a source.

use crate::model::{Day, EdtfDate, EventId, Money, PartyId, TermKey, Tranche};
use std::collections::BTreeMap;

/// Where a tranche's money stands on a day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MoneyStatus {
    /// Paid: a counted payment pays it, or it had neither due date nor condition.
    Paid,
    /// Due after the day.
    Scheduled,
    /// Due on or before the day (its due date passed, or a report says its condition is
    /// met), and no payment counts: due, payment not reported.
    Unreported,
    /// Due, no payment counts, and a report dated after it fell due says it is unpaid.
    Overdue,
    /// Its condition is not reported met, and no payment counts.
    Conditional,
    /// Its `lapses` date passed with its condition not reported met and no payment.
    Lapsed,
}

impl MoneyStatus {
    /// Every status, in output order.
    pub const ALL: [MoneyStatus; 6] = [
        MoneyStatus::Paid,
        MoneyStatus::Scheduled,
        MoneyStatus::Unreported,
        MoneyStatus::Overdue,
        MoneyStatus::Conditional,
        MoneyStatus::Lapsed,
    ];

    /// The keyword for output.
    pub fn as_str(self) -> &'static str {
        match self {
            MoneyStatus::Paid => "paid",
            MoneyStatus::Scheduled => "scheduled",
            MoneyStatus::Unreported => "unreported",
            MoneyStatus::Overdue => "overdue",
            MoneyStatus::Conditional => "conditional",
            MoneyStatus::Lapsed => "lapsed",
        }
    }
}

/// A counted report on a tranche: a statement or legal event naming it in `concerns`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PaymentReport<'e> {
    /// The reporting event.
    pub event: &'e EventId,
    /// Its date.
    pub date: &'e EdtfDate,
}

/// A tranche's status on a day, with the reports it rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TrancheReading<'e> {
    /// The status.
    pub status: MoneyStatus,
    /// For a conditional tranche that fell due: the first report, which says the
    /// condition is met.
    pub met_by: Option<&'e EventId>,
    /// For an overdue tranche: the first report dated after it fell due.
    pub missed_by: Option<&'e EventId>,
}

impl TrancheReading<'_> {
    fn just(status: MoneyStatus) -> Self {
        TrancheReading {
            status,
            met_by: None,
            missed_by: None,
        }
    }
}

/// The status of tranche `t` on day `d` (the one rule; see the module docs), given
/// whether a counted payment pays it and the counted reports on it in fold order.
pub fn tranche_status<'e>(
    t: &Tranche,
    paid: bool,
    reports: &[PaymentReport<'e>],
    d: Day,
) -> TrancheReading<'e> {
    if paid {
        return TrancheReading::just(MoneyStatus::Paid);
    }
    let due = t.due.as_ref().map(EdtfDate::latest);
    let (falls_due, met_by) = match (&t.condition, due) {
        (None, None) => return TrancheReading::just(MoneyStatus::Paid),
        (None, Some(due)) => (due, None),
        (Some(_), _) => match reports.first() {
            Some(met) => (met.date.latest().max(due.unwrap_or(Day::MIN)), Some(met.event)),
            None if t.lapses.as_ref().is_some_and(|l| l.latest() < d) => {
                return TrancheReading::just(MoneyStatus::Lapsed);
            }
            None => return TrancheReading::just(MoneyStatus::Conditional),
        },
    };
    if d < falls_due {
        return TrancheReading {
            met_by,
            ..TrancheReading::just(MoneyStatus::Scheduled)
        };
    }
    let missed_by = reports
        .iter()
        .find(|r| r.date.earliest() > falls_due)
        .map(|r| r.event);
    TrancheReading {
        status: if missed_by.is_some() {
            MoneyStatus::Overdue
        } else {
            MoneyStatus::Unreported
        },
        met_by,
        missed_by,
    }
}

/// An investment tranche that counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvestmentState {
    /// The investment event.
    pub event: EventId,
    /// The tranche's position in its event, from 0 (it names the tranche across days).
    pub index: usize,
    /// The tranche's key, if it has one.
    pub key: Option<TermKey>,
    /// Who pays.
    pub investor: PartyId,
    /// Who receives.
    pub investee: PartyId,
    /// How much.
    pub amount: Money,
    /// When it is scheduled to be paid, if it is.
    pub due: Option<EdtfDate>,
    /// A condition still to be met (committed, not paid), if any.
    pub condition: Option<String>,
    /// When an unmet condition expires, if it does.
    pub lapses: Option<EdtfDate>,
    /// Where its money stands on the day.
    pub status: MoneyStatus,
    /// The earliest counted payment that pays it, if any.
    pub paid_by: Option<EventId>,
    /// The report saying its condition is met, when the status rests on one.
    pub met_by: Option<EventId>,
    /// The report of its missed payment, when it is overdue.
    pub missed_by: Option<EventId>,
}

/// Totals of investments per currency (ISO code) and status; a status appears only
/// when some tranche has it.
pub fn investment_totals(
    investments: &[InvestmentState],
) -> BTreeMap<String, BTreeMap<MoneyStatus, u128>> {
    let mut out: BTreeMap<String, BTreeMap<MoneyStatus, u128>> = BTreeMap::new();
    for i in investments {
        *out.entry(i.amount.currency.to_string())
            .or_default()
            .entry(i.status)
            .or_default() += u128::from(i.amount.units);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Currency, PartyId};

    fn day(s: &str) -> Day {
        Day::parse(s).unwrap()
    }

    fn date(s: &str) -> EdtfDate {
        EdtfDate::parse(s).unwrap()
    }

    fn tranche(due: Option<&str>, condition: Option<&str>, lapses: Option<&str>) -> Tranche {
        Tranche {
            key: Some(TermKey::new("t").unwrap()),
            investor: PartyId::new("acme").unwrap(),
            investee: PartyId::new("globex").unwrap(),
            amount: Money {
                units: 10,
                currency: Currency::new("USD").unwrap(),
            },
            due: due.map(date),
            condition: condition.map(str::to_string),
            lapses: lapses.map(date),
        }
    }

    fn status(t: &Tranche, reports: &[(&EventId, &EdtfDate)], d: &str) -> MoneyStatus {
        let reports: Vec<PaymentReport<'_>> = reports
            .iter()
            .map(|&(event, date)| PaymentReport { event, date })
            .collect();
        tranche_status(t, false, &reports, day(d)).status
    }

    #[test]
    fn a_due_date_passed_without_a_report_is_unreported_not_overdue() {
        let t = tranche(Some("2026-10-01"), None, None);
        assert_eq!(status(&t, &[], "2026-09-30"), MoneyStatus::Scheduled);
        assert_eq!(status(&t, &[], "2026-10-01"), MoneyStatus::Unreported);
        assert_eq!(status(&t, &[], "2027-12-31"), MoneyStatus::Unreported);
    }

    #[test]
    fn overdue_needs_a_report_dated_after_the_money_fell_due() {
        let t = tranche(Some("2026-10-01"), None, None);
        let (early, late) = (EventId::new("early").unwrap(), EventId::new("late").unwrap());
        let (on_the_day, after) = (date("2026-10-01"), date("2026-10-02/2026-10-05"));
        let reading = |reports: &[(&EventId, &EdtfDate)]| status(&t, reports, "2026-11-01");
        assert_eq!(reading(&[(&early, &on_the_day)]), MoneyStatus::Unreported);
        assert_eq!(reading(&[(&early, &on_the_day), (&late, &after)]), MoneyStatus::Overdue);
        let reports = [PaymentReport {
            event: &late,
            date: &after,
        }];
        let r = tranche_status(&t, false, &reports, day("2026-11-01"));
        assert_eq!((r.met_by, r.missed_by), (None, Some(&late)));
        // A payment outweighs every report.
        let paid = tranche_status(&t, true, &reports, day("2026-11-01"));
        assert_eq!(paid.status, MoneyStatus::Paid);
    }

    #[test]
    fn a_report_on_a_conditional_tranche_says_its_condition_is_met() {
        let t = tranche(None, Some("an IPO filing"), Some("2028-12-31"));
        let (met, missed) = (EventId::new("s1").unwrap(), EventId::new("late").unwrap());
        let (june, july) = (date("2026-06-08"), date("2026-07"));
        assert_eq!(status(&t, &[], "2026-06-08"), MoneyStatus::Conditional);
        assert_eq!(status(&t, &[], "2029-01-01"), MoneyStatus::Lapsed);
        assert_eq!(status(&t, &[(&met, &june)], "2026-06-08"), MoneyStatus::Unreported);
        // Once met, the condition no longer lapses.
        assert_eq!(status(&t, &[(&met, &june)], "2029-01-01"), MoneyStatus::Unreported);
        let both = [(&met, &june), (&missed, &july)];
        assert_eq!(status(&t, &both, "2026-08-01"), MoneyStatus::Overdue);
        let reports = [
            PaymentReport {
                event: &met,
                date: &june,
            },
            PaymentReport {
                event: &missed,
                date: &july,
            },
        ];
        let r = tranche_status(&t, false, &reports, day("2026-08-01"));
        assert_eq!((r.met_by, r.missed_by), (Some(&met), Some(&missed)));
    }

    #[test]
    fn a_met_condition_with_a_later_due_date_is_scheduled_until_then() {
        let t = tranche(Some("2026-12"), Some("a milestone"), None);
        let met = EventId::new("met").unwrap();
        let june = date("2026-06-08");
        assert_eq!(status(&t, &[(&met, &june)], "2026-12-30"), MoneyStatus::Scheduled);
        assert_eq!(status(&t, &[(&met, &june)], "2026-12-31"), MoneyStatus::Unreported);
    }
}
