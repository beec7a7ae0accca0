//! Money as committed vs paid, and record format 2 beside format 1: a ledger begun in
//! format 1 (an old export) takes format-2 records after it, verifies, and exports and
//! restores byte for byte; tranche statuses on a day (paid, scheduled, unreported,
//! overdue, conditional, lapsed) through `state` and `diff`, human and JSON, and the
//! reports (statements and legal events naming a tranche) that overdue rests on.

use crate::support;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use pactlog::codec::{Entry, Timestamp};
use pactlog::ledger::Ledger;
use pactlog::model::{EventId, Payload, TrancheRef};
use pactlog::store::SledStore;
use serde_json::Value;
use std::path::PathBuf;
use support::{SMALL_SIZE, TempStore, repo_path};

/// An export of fixtures/import/small written in record format 1.
fn old_export() -> PathBuf {
    repo_path("fixtures/tampered/clean.jsonl")
}

fn money_fixture() -> PathBuf {
    repo_path("fixtures/import/money")
}

/// Records in the money fixture.
const MONEY_SIZE: u64 = 2;

/// The version byte of each line of an export.
fn versions(export: &[u8]) -> Vec<u8> {
    String::from_utf8_lossy(export)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).expect("an export line is JSON");
            let bytes = STANDARD
                .decode(v["bytes"].as_str().expect("bytes"))
                .expect("base64");
            bytes[0]
        })
        .collect()
}

fn export(store: &TempStore) -> Vec<u8> {
    let out = store.cmd().arg("export").output().expect("export");
    assert!(out.status.success(), "{out:?}");
    out.stdout
}

/// A store restored from the old export, with the money fixture imported after it.
fn mixed_store() -> TempStore {
    let store = TempStore::new();
    store.import(&[&old_export()]);
    store.import(&[&money_fixture()]);
    store
}

#[test]
fn format_1_records_and_format_2_records_share_a_ledger() {
    let store = mixed_store();
    let verify = store.json(&["verify", "--json"]);
    assert_eq!(verify["ok"], true, "{verify}");
    assert_eq!(verify["checked"], SMALL_SIZE + MONEY_SIZE);
    let first = export(&store);
    let mut want = vec![1u8; SMALL_SIZE as usize];
    want.extend([2u8; MONEY_SIZE as usize]);
    assert_eq!(versions(&first), want, "old records keep format 1");
    // The old records' lines are the old export's, byte for byte.
    let old = std::fs::read(old_export()).expect("read the old export");
    assert!(first.starts_with(&old));

    // Restored elsewhere: same records, same head, and the same export again.
    let copy_file = store.dir.path().join("mixed.jsonl");
    std::fs::write(&copy_file, &first).expect("write the export");
    let copy = TempStore::new();
    copy.import(&[&copy_file]);
    let again = copy.json(&["verify", "--json"]);
    assert_eq!(again["ok"], true, "{again}");
    assert_eq!(again["head"], verify["head"]);
    assert_eq!(again["root"], verify["root"]);
    assert_eq!(export(&copy), first);
}

#[test]
fn events_recorded_in_format_1_are_the_same_events_when_imported_again() {
    let store = mixed_store();
    let report = store.import(&[&repo_path("fixtures/import/small")]);
    assert_eq!(report["events_added"], 0, "{report}");
    assert_eq!(report["parties_added"], 0, "{report}");
}

// ---------------------------------------------------------------------------------------
// Money statuses. The small fixture adds acme -> globex 500M USD paid and 1.5B USD
// conditional (2024); the money fixture 1B paid, 2B due 2026-03-01 (paid that day, the
// payment disclosed 2026-03-05), 3B due in 2026-06, 4B conditional lapsing after
// 2026-12-31 and 5M EUR due 2026-02-01.

const ROUND: &str = "2026-01-10-acme-invests-more-in-globex";

fn state_text(store: &TempStore, args: &[&str]) -> String {
    let mut all = vec!["state", "--pair", "acme", "globex"];
    all.extend(args);
    let out = store.cmd().args(&all).output().expect("state");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).expect("utf-8")
}

/// The status of tranche `key` of the money fixture's round in `state --json`.
fn status_of(store: &TempStore, args: &[&str], key: &str) -> Value {
    let mut all = vec!["state", "--pair", "acme", "globex", "--json"];
    all.extend(args);
    let v = store.json(&all);
    let investments = v["relationships"][0]["investments"]
        .as_array()
        .expect("investments")
        .clone();
    investments
        .into_iter()
        .find(|i| i["event"] == ROUND && i["key"] == key)
        .unwrap_or_else(|| panic!("no tranche {key} in {v}"))
}

#[test]
fn state_shows_each_tranche_status_and_totals_per_currency_and_status() {
    let store = mixed_store();
    let text = state_text(&store, &["--as-of", "2026-02-01"]);
    for line in [
        "acme -> globex  2B USD  scheduled, due 2026-03-01  (2026-01-10-acme-invests-more-in-globex#first)",
        "acme -> globex  4B USD  conditional: If Globex ships its model (lapses 2026-12-31)  (2026-01-10-acme-invests-more-in-globex#milestone)",
        "acme -> globex  5M EUR  unreported, due 2026-02-01 (no payment reported)  (2026-01-10-acme-invests-more-in-globex#euro)",
        "total: 5M EUR unreported",
        "total: 1.5B USD paid, 5B USD scheduled, 5.5B USD conditional",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
    let v = store.json(&[
        "state",
        "--as-of",
        "2026-02-01",
        "--pair",
        "acme",
        "globex",
        "--json",
    ]);
    let totals = &v["relationships"][0]["investment_totals"];
    let want = serde_json::json!({
        "EUR": {"unreported": "5000000"},
        "USD": {"paid": "1500000000", "scheduled": "5000000000", "conditional": "5500000000"},
    });
    assert_eq!(totals, &want);
    let first = status_of(&store, &["--as-of", "2026-02-01"], "first");
    assert_eq!(
        (&first["status"], &first["due"], &first["lapses"]),
        (&"scheduled".into(), &"2026-03-01".into(), &Value::Null)
    );
    let milestone = status_of(&store, &["--as-of", "2026-02-01"], "milestone");
    assert_eq!(
        (&milestone["status"], &milestone["lapses"]),
        (&"conditional".into(), &"2026-12-31".into())
    );
}

#[test]
fn a_payment_counts_from_its_day_and_only_once_it_is_known() {
    let store = mixed_store();
    let on = |args: &[&str]| status_of(&store, args, "first");
    assert_eq!(on(&["--as-of", "2026-02-28"])["status"], "scheduled");
    // Due on 2026-03-01 and paid that day.
    let paid = on(&["--as-of", "2026-03-01"]);
    assert_eq!(paid["status"], "paid");
    assert_eq!(paid["paid_by"], "2026-03-01-acme-pays-first-instalment");
    // Known on 2026-03-04, the payment was not yet disclosed: due, payment not reported
    // (and not overdue: nobody reported it missed).
    let unknown = on(&["--as-of", "2026-03-04", "--known-at", "2026-03-04"]);
    assert_eq!(unknown["status"], "unreported");
    assert_eq!(unknown["paid_by"], Value::Null);
    let known = on(&["--as-of", "2026-03-05", "--known-at", "2026-03-05"]);
    assert_eq!(known["status"], "paid");
    // A ledger prefix without the payment record says the same.
    let before = on(&[
        "--as-of",
        "2026-03-05",
        "--at-size",
        &(SMALL_SIZE + 1).to_string(),
    ]);
    assert_eq!(before["status"], "unreported");
}

#[test]
fn a_due_period_is_scheduled_until_its_last_day_and_a_condition_lapses_after_its_date() {
    let store = mixed_store();
    let second = |day: &str| status_of(&store, &["--as-of", day], "second")["status"].clone();
    assert_eq!(second("2026-05-31"), "scheduled");
    assert_eq!(second("2026-06-15"), "scheduled");
    assert_eq!(second("2026-06-29"), "scheduled");
    assert_eq!(second("2026-06-30"), "unreported");
    let milestone = |day: &str| status_of(&store, &["--as-of", day], "milestone")["status"].clone();
    assert_eq!(milestone("2026-12-31"), "conditional");
    assert_eq!(milestone("2027-01-01"), "lapsed");
    let text = state_text(&store, &["--as-of", "2027-01-01"]);
    assert!(
        text.contains("4B USD  lapsed 2026-12-31: If Globex ships its model"),
        "{text}"
    );
}

#[test]
fn diff_reports_tranches_whose_status_changed() {
    let store = mixed_store();
    let v = store.json(&[
        "diff",
        "--from",
        "2026-02-01",
        "--to",
        "2027-01-01",
        "--pair",
        "acme",
        "globex",
        "--json",
    ]);
    let money = &v["relationships"][0]["money"];
    let want = serde_json::json!([
        {"event": ROUND, "key": "first", "investor": "acme", "investee": "globex",
         "amount": "2000000000", "currency": "USD", "from": "scheduled", "to": "paid"},
        {"event": ROUND, "key": "second", "investor": "acme", "investee": "globex",
         "amount": "3000000000", "currency": "USD", "from": "scheduled", "to": "unreported"},
        {"event": ROUND, "key": "milestone", "investor": "acme", "investee": "globex",
         "amount": "4000000000", "currency": "USD", "from": "conditional", "to": "lapsed"},
    ]);
    assert_eq!(money, &want, "{v}");
    assert_eq!(
        v["relationships"][0]["investments_added"],
        serde_json::json!([])
    );
    let out = store
        .cmd()
        .args(["diff", "--from", "2026-02-01", "--to", "2026-03-01"])
        .output()
        .expect("diff");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "  ~ money: acme -> globex 2B USD scheduled -> paid by 2026-03-01-acme-pays-first-instalment  (2026-01-10-acme-invests-more-in-globex#first)"
        ),
        "{text}"
    );
}

/// The mixed store with the reports of fixtures/import/money-reports imported after it.
fn reported_store() -> TempStore {
    let store = mixed_store();
    store.import(&[&repo_path("fixtures/import/money-reports")]);
    store
}

#[test]
fn overdue_needs_a_report_of_the_missed_payment_and_a_report_can_meet_a_condition() {
    let store = reported_store();
    let on = |day: &str, key: &str| status_of(&store, &["--as-of", day], key);
    // Due 2026-02-01; reported missing on 2026-02-10.
    assert_eq!(on("2026-02-09", "euro")["status"], "unreported");
    let euro = on("2026-02-10", "euro");
    assert_eq!(euro["status"], "overdue");
    assert_eq!(
        euro["missed_by"],
        "2026-02-10-globex-says-euro-instalment-missing"
    );
    // As known before the report, the same tranche reads unreported again.
    let known = status_of(
        &store,
        &["--as-of", "2026-03-01", "--known-at", "2026-02-09"],
        "euro",
    );
    assert_eq!(known["status"], "unreported");
    // The condition is reported met on 2026-04-01: due, not reported paid, and no longer
    // lapsing; the threat of 2026-05-02 reports it missed.
    assert_eq!(on("2026-03-31", "milestone")["status"], "conditional");
    let met = on("2026-04-01", "milestone");
    assert_eq!(
        (&met["status"], &met["met_by"], &met["missed_by"]),
        (
            &"unreported".into(),
            &"2026-04-01-globex-ships-its-model".into(),
            &Value::Null
        )
    );
    let missed = on("2027-06-01", "milestone");
    assert_eq!(missed["status"], "overdue");
    assert_eq!(
        missed["missed_by"],
        "2026-05-02-globex-threatens-acme-over-milestone"
    );
    // A withdrawn claim reports nothing.
    assert_eq!(on("2026-08-01", "second")["status"], "unreported");
    let text = state_text(&store, &["--as-of", "2026-06-01"]);
    for line in [
        "5M EUR  overdue, due 2026-02-01 (missed payment reported by 2026-02-10-globex-says-euro-instalment-missing)",
        "4B USD  overdue, condition met per 2026-04-01-globex-ships-its-model (missed payment reported by 2026-05-02-globex-threatens-acme-over-milestone)",
    ] {
        assert!(text.contains(line), "no {line:?} in:\n{text}");
    }
}

#[test]
fn a_report_must_name_a_keyed_tranche_and_list_its_investor_and_investee() {
    let store = mixed_store();
    let file = store.dir.path().join("report.toml");
    std::fs::write(
        &file,
        r#"[[event]]
id = "2026-02-10-initech-says-acme-has-not-paid"
date = "2026-02-10"
kind = "statement"
summary = "Initech says Acme has not paid Globex."
confidence = "rumor"
parties = ["acme", "initech"]
by = "initech"
concerns = ["2026-01-10-acme-invests-more-in-globex#euro", "2026-01-10-acme-invests-more-in-globex#none"]

[[event.source]]
url = "https://example.com/initech"
"#,
    )
    .expect("write");
    let out = store
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("import");
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "`concerns` names 2026-01-10-acme-invests-more-in-globex#euro, a tranche from acme to globex, but `parties` leaves out globex: list both",
        "`concerns` names 2026-01-10-acme-invests-more-in-globex#none, but 2026-01-10-acme-invests-more-in-globex has no tranche \"none\" (its tranche keys: first, second, milestone, euro)",
    ] {
        assert!(err.contains(want), "no {want:?} in {err}");
    }
}

#[test]
fn a_restore_applies_the_payment_rules_of_an_import() {
    // A payment of a tranche key the investment does not have, appended without the
    // validator, then exported: restoring the export is refused at that record.
    let store = mixed_store();
    let file = store.dir.path().join("bad.jsonl");
    {
        let mut ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("open");
        let mut payment = ledger
            .event(&EventId::new("2026-03-01-acme-pays-first-instalment").expect("id"))
            .expect("read")
            .expect("recorded")
            .1;
        payment.id = EventId::new("2026-04-01-acme-pays-nothing-known").expect("id");
        payment.payload = Payload::Payment {
            pays: vec![TrancheRef::parse(&format!("{ROUND}#no-such-key")).expect("ref")],
        };
        ledger
            .append_unchecked(vec![Entry::Event(payment)], Timestamp::from_unix(0))
            .expect("append");
        let mut out = std::fs::File::create(&file).expect("create");
        pactlog::import::export(&ledger, &mut out).expect("export");
    }
    let copy = TempStore::new();
    let out = copy
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("restore");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = SMALL_SIZE + MONEY_SIZE + 1;
    assert!(
        stderr.contains(&format!("bad.jsonl:{line}: "))
            && stderr.contains(&format!(
                "`pays` names {ROUND}#no-such-key, but {ROUND} has no tranche \"no-such-key\" (its tranche keys: first, second, milestone, euro)"
            )),
        "{stderr}"
    );
    assert!(!copy.path.exists(), "a refused restore leaves no store");
}

#[test]
fn a_restore_applies_the_report_rules_of_an_import() {
    // Reports as import admits them restore; one that leaves the investee out of its
    // parties, appended without the validator, is refused at that record.
    let store = reported_store();
    let good = store.dir.path().join("good.jsonl");
    std::fs::write(&good, export(&store)).expect("write the export");
    let copy = TempStore::new();
    copy.import(&[&good]);
    assert_eq!(
        status_of(&copy, &["--as-of", "2026-02-10"], "euro")["status"],
        "overdue"
    );
    let file = store.dir.path().join("bad.jsonl");
    {
        let mut ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("open");
        let mut report = ledger
            .event(&EventId::new("2026-02-10-globex-says-euro-instalment-missing").expect("id"))
            .expect("read")
            .expect("recorded")
            .1;
        report.id = EventId::new("2026-02-11-acme-alone").expect("id");
        report.parties = vec![pactlog::model::PartyId::new("acme").expect("party")];
        ledger
            .append_unchecked(vec![Entry::Event(report)], Timestamp::from_unix(0))
            .expect("append");
        let mut out = std::fs::File::create(&file).expect("create");
        pactlog::import::export(&ledger, &mut out).expect("export");
    }
    let fresh = TempStore::new();
    let out = fresh
        .cmd()
        .arg("import")
        .arg(&file)
        .output()
        .expect("restore");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "`concerns` names {ROUND}#euro, a tranche from acme to globex, but `parties` leaves out globex"
        )),
        "{stderr}"
    );
}

/// Several payments of one tranche (issue 19, item 10) are accepted, by the rule
/// docs/records.md states: the tranche is paid from the earliest counted payment that
/// names it (`paid_by`); a later one is an event of the relationship that changes
/// nothing; once the earliest is retracted, the next one pays it.
#[test]
fn of_several_payments_of_one_tranche_the_earliest_counted_pays_it() {
    let store = mixed_store();
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("again.toml");
    let payment = |id: &str, date: &str| {
        format!(
            "[[event]]\nid = \"{id}\"\ndate = \"{date}\"\nkind = \"payment\"\n\
             summary = \"Acme pays the first instalment (reported again).\"\n\
             confidence = \"reported\"\npays = [\"{ROUND}#first\"]\n\n\
             [[event.source]]\nurl = \"https://example.com/{id}\"\n\n"
        )
    };
    // One a day before the recorded payment, one after it.
    let text = payment("2026-02-28-acme-pays-early", "2026-02-28")
        + &payment("2026-03-10-acme-pays-again", "2026-03-10");
    std::fs::write(&file, text).expect("write");
    store.import(&[&file]);
    let on = |day: &str| status_of(&store, &["--as-of", day], "first");
    assert_eq!(on("2026-02-27")["status"], "scheduled");
    let early = on("2026-02-28");
    assert_eq!(
        (&early["status"], &early["paid_by"]),
        (&"paid".into(), &"2026-02-28-acme-pays-early".into())
    );
    assert_eq!(on("2026-03-20")["paid_by"], "2026-02-28-acme-pays-early");
    // Retracting the earliest: the next counted payment pays it, from its own day.
    let retract = dir.path().join("retract.toml");
    std::fs::write(
        &retract,
        "[[event]]\nid = \"2026-03-15-early-payment-retracted\"\ndate = \"2026-03-15\"\n\
         kind = \"retraction\"\nsummary = \"The early payment was misreported.\"\n\
         confidence = \"confirmed\"\nsupersedes = \"2026-02-28-acme-pays-early\"\n\n\
         [[event.source]]\nurl = \"https://example.com/retracted\"\n",
    )
    .expect("write");
    store.import(&[&retract]);
    assert_eq!(
        on("2026-03-20")["paid_by"],
        "2026-03-01-acme-pays-first-instalment"
    );
}

/// A payment dated before the investment it pays, and a settlement dated before the
/// threat it resolves, are refused in a restore as in an import (issue 19, item 10).
#[test]
fn a_restore_refuses_a_payment_or_settlement_dated_before_what_it_settles() {
    let store = mixed_store();
    let ledger = Ledger::open(SledStore::open(&store.path).expect("open")).expect("open");
    let mut early = ledger
        .event(&EventId::new("2026-03-01-acme-pays-first-instalment").expect("id"))
        .expect("read")
        .expect("recorded")
        .1;
    early.id = EventId::new("2025-12-31-acme-pays-before-committing").expect("id");
    early.date = pactlog::model::EdtfDate::parse("2025-12-31").expect("date");
    early.disclosed = pactlog::model::Day::parse("2025-12-31").expect("day");
    let threat = EventId::new("2025-01-15-initech-threatens-acme-and-globex").expect("id");
    let mut settled = ledger
        .event(&EventId::new("2025-02-20-initech-settles-with-acme-and-globex").expect("id"))
        .expect("read")
        .expect("recorded")
        .1;
    settled.id = EventId::new("2025-01-01-settled-before-the-threat").expect("id");
    settled.date = pactlog::model::EdtfDate::parse("2025-01-01").expect("date");
    settled.disclosed = pactlog::model::Day::parse("2025-01-01").expect("day");
    drop(ledger);
    for (event, wanted) in [
        (
            early,
            format!(
                "`pays` names {ROUND}#first, committed on 2026-01-10 at the earliest, but this \
                 payment is dated 2025-12-31: money cannot be paid before it is committed"
            ),
        ),
        (
            settled,
            format!(
                "`resolves` names {threat}, dated 2025-01-15 at the earliest, but this event is \
                 dated 2025-01-01: a matter cannot be closed before it is opened"
            ),
        ),
    ] {
        let copy = TempStore::new();
        copy.import(&[&old_export()]);
        copy.import(&[&money_fixture()]);
        let file = copy.dir.path().join("forged.jsonl");
        {
            let mut l = Ledger::open(SledStore::open(&copy.path).expect("open")).expect("open");
            l.append_unchecked(vec![Entry::Event(event)], Timestamp::from_unix(0))
                .expect("append");
            let mut out = std::fs::File::create(&file).expect("create");
            pactlog::import::export(&l, &mut out).expect("export");
        }
        let fresh = TempStore::new();
        let out = fresh
            .cmd()
            .arg("import")
            .arg(&file)
            .output()
            .expect("restore");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        let line = SMALL_SIZE + MONEY_SIZE + 1;
        assert!(
            stderr.contains(&format!("forged.jsonl:{line}: ")) && stderr.contains(&wanted),
            "{wanted}\n{stderr}"
        );
    }
}

/// `state --format csv` carries what `--format json` carries about money (issue 19,
/// item 9): each tranche's key, status on the day, due and lapse dates and the payment
/// that paid it, so three tranches of one amount are told apart and paid is not
/// scheduled; `diff --format csv` has the money section (status changes).
#[test]
fn csv_carries_the_tranche_key_status_due_lapse_and_payment_that_json_carries() {
    let store = mixed_store();
    let csv = |args: &[&str]| {
        let out = store.cmd().args(args).output().expect("run");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).expect("UTF-8")
    };
    let state = csv(&[
        "state",
        "--pair",
        "acme",
        "globex",
        "--as-of",
        "2026-03-01",
        "--format",
        "csv",
    ]);
    let header = state.lines().next().expect("a header");
    assert!(
        header.ends_with(",stage,money_status,due,lapses,paid_by,confidence"),
        "{header}"
    );
    for row in [
        format!(
            "{ROUND},first,,acme,globex,,,2000000000,USD,,,,,paid,2026-03-01,,2026-03-01-acme-pays-first-instalment,"
        ),
        format!("{ROUND},second,,acme,globex,,,3000000000,USD,,,,,scheduled,2026-06,,,"),
        format!(
            "{ROUND},milestone,,acme,globex,,,4000000000,USD,If Globex ships its model,,,,conditional,,2026-12-31,,"
        ),
        format!("{ROUND},euro,,acme,globex,,,5000000,EUR,,,,,unreported,2026-02-01,,,"),
    ] {
        assert!(
            state.contains(&format!(
                "2026-03-01,acme,globex,active,investment,{row}\r\n"
            )),
            "no {row:?} in:\n{state}"
        );
    }
    // Every tranche JSON lists is a row, with the same status.
    let json = store.json(&[
        "state",
        "--pair",
        "acme",
        "globex",
        "--as-of",
        "2026-03-01",
        "--json",
    ]);
    let investments = json["relationships"][0]["investments"].as_array().unwrap();
    let rows: Vec<&str> = state
        .lines()
        .filter(|l| l.contains(",investment,"))
        .collect();
    assert_eq!(rows.len(), investments.len());
    for (row, i) in rows.iter().zip(investments) {
        assert!(
            row.contains(&format!(",{},", i["status"].as_str().unwrap())),
            "{row}"
        );
    }
    let diff = csv(&[
        "diff",
        "--from",
        "2026-02-01",
        "--to",
        "2026-03-02",
        "--pair",
        "acme",
        "globex",
        "--format",
        "csv",
    ]);
    assert!(
        diff.lines()
            .next()
            .unwrap()
            .ends_with(",confidence,money_status_from"),
        "{diff}"
    );
    assert!(
        diff.contains(&format!(
            "2026-02-01,2026-03-02,acme,globex,active,active,money,{ROUND},first,,acme,globex,,,\
             2000000000,USD,,,,,paid,2026-03-01,,2026-03-01-acme-pays-first-instalment,,scheduled\r\n"
        )),
        "{diff}"
    );
}

/// CSV prints no terminal control, bidi or invisible character raw (issue 19, item 11):
/// a summary holding U+202E, U+2028 and zero-width characters, imported from an event
/// file, is escaped as text output escapes it.
#[test]
fn csv_escapes_bidi_separators_and_invisible_characters_of_imported_text() {
    let store = TempStore::new();
    store.import(&[&repo_path("fixtures/import/small")]);
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("bidi.toml");
    std::fs::write(
        &file,
        "[[event]]\nid = \"2026-01-01-bidi\"\ndate = \"2026-01-01\"\nkind = \"announcement\"\n\
         summary = \"Acme \\u202Eevil\\u202C pays\\u2028forged line \\u200Bhidden\\uFEFF.\"\n\
         confidence = \"rumor\"\nparties = [\"acme\", \"globex\"]\n\n\
         [[event.source]]\nurl = \"https://example.com/bidi\"\n",
    )
    .expect("write");
    store.import(&[&file]);
    let out = store
        .cmd()
        .args(["log", "--format", "csv", "--pair", "acme", "globex"])
        .output()
        .expect("run");
    let csv = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(
        csv.contains(
            "Acme \\u{202e}evil\\u{202c} pays\\u{2028}forged line \\u{200b}hidden\\u{feff}."
        ),
        "{csv}"
    );
    assert!(
        !csv.chars()
            .any(|c| pactlog::model::text::needs_escape(c) && c != '\r' && c != '\n'),
        "{csv:?}"
    );
}
