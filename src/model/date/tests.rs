//! Tests of the EDTF date module.
use super::*;
use proptest::prelude::*;

fn day(s: &str) -> Day {
    Day::parse(s).unwrap()
}

fn edtf(s: &str) -> EdtfDate {
    EdtfDate::parse(s).unwrap()
}

fn err(s: &str) -> DateError {
    EdtfDate::parse(s).unwrap_err()
}

fn bad(text: &str, problem: &'static str) -> DateError {
    malformed(text, problem)
}

fn to_bincode<T: Serialize>(value: &T) -> Vec<u8> {
    bincode::serde::encode_to_vec(value, bincode::config::legacy()).unwrap()
}

fn from_bincode<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    bincode::serde::decode_from_slice(bytes, bincode::config::legacy())
        .map(|(value, _)| value)
        .map_err(|e| e.to_string())
}

#[test]
fn day_range_and_epoch() {
    assert_eq!(Day::MIN.days(), -719_528);
    assert_eq!(Day::MAX.days(), 2_932_896);
    assert_eq!(Day::MIN.to_string(), "0000-01-01");
    assert_eq!(Day::MAX.to_string(), "9999-12-31");
    assert_eq!(Day::from_days(0), day("1970-01-01"));
    assert_eq!(day("2026-02-27").days(), 20_511);
    assert_eq!(Day::from_days(i32::MIN), Day::MIN);
    assert_eq!(Day::from_days(i32::MAX), Day::MAX);
}

/// Checks our calendar arithmetic against jiff on every supported day.
#[test]
fn every_supported_day_agrees_with_jiff() {
    let mut expected = jiff::civil::date(0, 1, 1);
    for days in MIN_DAYS..=MAX_DAYS {
        let d = Day::from_days(days);
        let (y, m, dd) = d.ymd();
        assert_eq!(
            (y, m, dd),
            (expected.year(), expected.month(), expected.day())
        );
        assert_eq!(Day::from_ymd(y, m, dd), Ok(d));
        if days < MAX_DAYS {
            expected = expected.tomorrow().unwrap();
        }
    }
    assert_eq!(expected, jiff::civil::date(9999, 12, 31));
}

#[test]
fn leap_years() {
    assert_eq!(Day::from_ymd(2024, 2, 29), Ok(day("2024-02-29")));
    assert_eq!(Day::from_ymd(2000, 2, 29), Ok(day("2000-02-29")));
    assert_eq!(
        Day::parse("1900-02-29").unwrap_err().to_string(),
        r#""1900-02-29" is not a real day (February 1900 has 28 days)"#
    );
    assert!(Day::from_ymd(2025, 2, 29).is_err());
    assert_eq!(edtf("2024-02").latest(), day("2024-02-29"));
    assert_eq!(edtf("2025-02").latest(), day("2025-02-28"));
    assert_eq!(edtf("1900-02").latest(), day("1900-02-28"));
    assert_eq!(edtf("2000-02").latest(), day("2000-02-29"));
    assert_eq!(
        edtf("2024").latest().days() - edtf("2024").earliest().days(),
        365
    );
    assert_eq!(
        edtf("2025").latest().days() - edtf("2025").earliest().days(),
        364
    );
}

#[test]
fn from_ymd_rejects_impossible_parts() {
    assert_eq!(
        Day::from_ymd(10_000, 1, 1),
        Err(DateError::YearOutOfRange { year: 10_000 })
    );
    assert_eq!(
        Day::from_ymd(-1, 1, 1),
        Err(DateError::YearOutOfRange { year: -1 })
    );
    assert_eq!(
        Day::from_ymd(2026, 13, 1).unwrap_err().to_string(),
        r#""2026-13-01" has month 13: months are 01-12"#
    );
    assert!(matches!(
        Day::from_ymd(2026, 0, 1),
        Err(DateError::BadMonth { month: 0, .. })
    ));
    assert!(matches!(
        Day::from_ymd(2026, -3, 1),
        Err(DateError::BadMonth { .. })
    ));
    assert!(matches!(
        Day::from_ymd(2026, 1, 0),
        Err(DateError::BadDay { .. })
    ));
    assert!(matches!(
        Day::from_ymd(2026, 1, 32),
        Err(DateError::BadDay { .. })
    ));
    assert!(matches!(
        Day::from_ymd(2026, 4, 31),
        Err(DateError::BadDay { .. })
    ));
    assert_eq!(Day::from_ymd(2026, 1, 31), Ok(day("2026-01-31")));
}

#[test]
fn succ_pred_and_try_from_days() {
    assert_eq!(day("1999-12-31").succ(), day("2000-01-01"));
    assert_eq!(day("2024-03-01").pred(), day("2024-02-29"));
    assert_eq!(Day::MAX.succ(), Day::MAX);
    assert_eq!(Day::MIN.pred(), Day::MIN);
    assert_eq!(Day::try_from_days(MAX_DAYS), Ok(Day::MAX));
    assert_eq!(Day::try_from_days(MIN_DAYS), Ok(Day::MIN));
    assert_eq!(
        Day::try_from_days(MAX_DAYS + 1),
        Err(DateError::DaysOutOfRange { days: MAX_DAYS + 1 })
    );
    assert!(Day::try_from_days(MIN_DAYS - 1).is_err());
    assert!(day("2026-02-27") < day("2026-02-28"));
}

#[test]
fn day_parse_is_strict() {
    let cases = [
        ("", DateError::Empty),
        ("2026-2-3", bad("2026-2-3", MONTH_DIGITS)),
        ("2026-02-3", bad("2026-02-3", DAY_DIGITS)),
        ("26-02-01", bad("26-02-01", YEAR_DIGITS)),
        ("20260-01-01", bad("20260-01-01", YEAR_DIGITS)),
        ("2026-02", bad("2026-02", DAY_ONLY)),
        ("2026", bad("2026", DAY_ONLY)),
        ("2026-02-27?", bad("2026-02-27?", DAY_ONLY)),
        ("2026-02-XX", bad("2026-02-XX", DAY_ONLY)),
        ("202X-02-01", bad("202X-02-01", DAY_ONLY)),
        (
            "2026-02-27/2026-02-28",
            bad("2026-02-27/2026-02-28", DAY_ONLY),
        ),
        ("2026-02-27-01", bad("2026-02-27-01", TOO_MANY_PARTS)),
        (
            "2026-21-01",
            DateError::BadMonth {
                text: "2026-21-01".into(),
                month: 21,
                accepted: MONTHS_ONLY,
            },
        ),
        (
            "2026-00-01",
            DateError::BadMonth {
                text: "2026-00-01".into(),
                month: 0,
                accepted: MONTHS_ONLY,
            },
        ),
        (
            " 2026-02-27",
            DateError::Whitespace {
                text: " 2026-02-27".into(),
            },
        ),
        (
            "2026-02-27\n",
            DateError::Whitespace {
                text: "2026-02-27\n".into(),
            },
        ),
        ("-2026-01-01", unsupported("-2026-01-01", NEGATIVE_YEAR)),
        ("2026-02-27T10:00", unsupported("2026-02-27T10:00", TIME)),
        (
            "２０２６-01-01",
            DateError::UnexpectedChar {
                text: "２０２６-01-01".into(),
                ch: '２',
            },
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(Day::parse(text), Err(expected), "{text:?}");
    }
    assert!(matches!(
        Day::parse("2026-02-30"),
        Err(DateError::BadDay { .. })
    ));
    assert!(matches!(
        Day::parse("2025-02-29"),
        Err(DateError::BadDay { .. })
    ));
    assert_eq!("0000-01-01".parse::<Day>(), Ok(Day::MIN));
    assert_eq!("9999-12-31".parse::<Day>(), Ok(Day::MAX));
}

#[test]
fn day_display_round_trips() {
    for text in [
        "0000-01-01",
        "0001-02-03",
        "1969-12-31",
        "1970-01-01",
        "2026-02-27",
    ] {
        assert_eq!(day(text).to_string(), text);
    }
}

/// (text, earliest, latest, qualifier, exact, interval): DESIGN.md 2 and the brief.
const ACCEPTED: &[(&str, &str, &str, Qualifier, bool, bool)] = {
    use Qualifier::{Approximate as A, Both as B, None as N, Uncertain as U};
    &[
        ("2026-02-27", "2026-02-27", "2026-02-27", N, true, false),
        ("2026-02", "2026-02-01", "2026-02-28", N, false, false),
        ("2021", "2021-01-01", "2021-12-31", N, false, false),
        ("0000", "0000-01-01", "0000-12-31", N, false, false),
        ("9999-12-31", "9999-12-31", "9999-12-31", N, true, false),
        (
            "2026-02-20/2026-02-28",
            "2026-02-20",
            "2026-02-28",
            N,
            false,
            true,
        ),
        (
            "2026-02-27/2026-02-27",
            "2026-02-27",
            "2026-02-27",
            N,
            false,
            true,
        ),
        ("2026/2026-01", "2026-01-01", "2026-01-31", N, false, true),
        (
            "2026-02-20/2026-02",
            "2026-02-20",
            "2026-02-28",
            N,
            false,
            true,
        ),
        ("2026-02-27?", "2026-02-27", "2026-02-27", U, false, false),
        ("2025-12~", "2025-12-01", "2025-12-31", A, false, false),
        ("2021%", "2021-01-01", "2021-12-31", B, false, false),
        ("201X", "2010-01-01", "2019-12-31", N, false, false),
        ("20XX", "2000-01-01", "2099-12-31", N, false, false),
        ("000X", "0000-01-01", "0009-12-31", N, false, false),
        ("99XX", "9900-01-01", "9999-12-31", N, false, false),
        ("201X?", "2010-01-01", "2019-12-31", U, false, false),
        ("2021-XX", "2021-01-01", "2021-12-31", N, false, false),
        ("2021-XX-XX", "2021-01-01", "2021-12-31", N, false, false),
        ("2021-03-XX", "2021-03-01", "2021-03-31", N, false, false),
        ("2024-02-XX~", "2024-02-01", "2024-02-29", A, false, false),
        ("2026-21", "2026-03-01", "2026-05-31", N, false, false),
        ("2026-22", "2026-06-01", "2026-08-31", N, false, false),
        ("2026-23", "2026-09-01", "2026-11-30", N, false, false),
        ("2026-24", "2026-12-01", "2027-02-28", N, false, false),
        ("2027-24", "2027-12-01", "2028-02-29", N, false, false),
        ("9998-24?", "9998-12-01", "9999-02-28", U, false, false),
        ("2025-10-28/..", "2025-10-28", "9999-12-31", N, false, true),
        ("../2025-10-28", "0000-01-01", "2025-10-28", N, false, true),
        ("2025-10-28/", "2025-10-28", "9999-12-31", N, false, true),
        ("/2025-10-28", "0000-01-01", "2025-10-28", N, false, true),
        ("2025?/2026~", "2025-01-01", "2026-12-31", B, false, true),
        ("2025?/2026?", "2025-01-01", "2026-12-31", U, false, true),
        ("2025%/2026", "2025-01-01", "2026-12-31", B, false, true),
        ("../2025-12~", "0000-01-01", "2025-12-31", A, false, true),
        (
            "2026-21/2026-23",
            "2026-03-01",
            "2026-11-30",
            N,
            false,
            true,
        ),
    ]
};

#[test]
fn accepted_forms_map_to_their_days() {
    for &(text, earliest, latest, qualifier, exact, interval) in ACCEPTED {
        let date = edtf(text);
        assert_eq!(date.as_str(), text);
        assert_eq!(date.to_string(), text);
        assert_eq!(date.earliest().to_string(), earliest, "{text}");
        assert_eq!(date.latest().to_string(), latest, "{text}");
        assert_eq!(date.qualifier(), qualifier, "{text}");
        assert_eq!(date.is_exact(), exact, "{text}");
        assert_eq!(date.is_interval(), interval, "{text}");
        assert_eq!(text.parse::<EdtfDate>(), Ok(date));
    }
}

#[test]
fn messages_for_the_brief_examples() {
    let cases = [
        (
            "2026-02-30",
            r#""2026-02-30" is not a real day (February 2026 has 28 days)"#,
        ),
        (
            "2025-02-29",
            r#""2025-02-29" is not a real day (February 2025 has 28 days)"#,
        ),
        (
            "2026-13",
            r#""2026-13" has month 13: months are 01-12, seasons 21-24"#,
        ),
        ("2026/2025", r#""2026/2025" ends before it starts"#),
        (
            "2026-00",
            r#""2026-00" has month 00: months are 01-12, seasons 21-24"#,
        ),
        (
            "",
            "the date is empty: expected YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2026-02-27",
        ),
    ];
    for (text, message) in cases {
        assert_eq!(err(text).to_string(), message);
    }
}

#[test]
fn rejections_name_the_problem() {
    let long = "2".repeat(65);
    let cases = [
        (
            "2026-02-27abc",
            DateError::UnexpectedChar {
                text: "2026-02-27abc".into(),
                ch: 'a',
            },
        ),
        (
            "2026-02-27 ",
            DateError::Whitespace {
                text: "2026-02-27 ".into(),
            },
        ),
        (
            "2026 -02",
            DateError::Whitespace {
                text: "2026 -02".into(),
            },
        ),
        ("2026-2-3", bad("2026-2-3", MONTH_DIGITS)),
        ("26-02-01", bad("26-02-01", YEAR_DIGITS)),
        ("2026-", bad("2026-", MONTH_DIGITS)),
        ("2026-02-", bad("2026-02-", DAY_DIGITS)),
        ("2026-02-27-01", bad("2026-02-27-01", TOO_MANY_PARTS)),
        ("?", bad("?", YEAR_DIGITS)),
        ("2026??", bad("2026??", ONE_QUALIFIER)),
        ("2026?~", bad("2026?~", ONE_QUALIFIER)),
        ("2026/2027/2028", bad("2026/2027/2028", ONE_SLASH)),
        ("..", bad("..", OPEN_ALONE)),
        ("201X-XX", bad("201X-XX", X_YEAR_ALONE)),
        ("20XX-05-01", bad("20XX-05-01", X_YEAR_ALONE)),
        ("2026-21-05", bad("2026-21-05", SEASON_DAY)),
        ("201x", bad("201x", LOWER_X)),
        (
            "2026-02-27.",
            DateError::UnexpectedChar {
                text: "2026-02-27.".into(),
                ch: '.',
            },
        ),
        ("Y170000002", unsupported("Y170000002", LETTER_YEAR)),
        ("Y-170000002", unsupported("Y-170000002", LETTER_YEAR)),
        ("Y2026", unsupported("Y2026", LETTER_YEAR)),
        ("2026/Y10000", unsupported("Y10000", LETTER_YEAR)),
        ("1950S2", unsupported("1950S2", EXTENDED_YEAR)),
        ("Y17E7", unsupported("Y17E7", LETTER_YEAR)),
        ("-0100", unsupported("-0100", NEGATIVE_YEAR)),
        ("2020/-0100", unsupported("-0100", NEGATIVE_YEAR)),
        ("2026S2", unsupported("2026S2", EXTENDED_YEAR)),
        ("-1985", unsupported("-1985", NEGATIVE_YEAR)),
        ("-1985/2000", unsupported("-1985", NEGATIVE_YEAR)),
        ("XXXX", unsupported("XXXX", X_WHOLE_YEAR)),
        ("XXXX-12-XX", unsupported("XXXX-12-XX", X_WHOLE_YEAR)),
        ("1XXX", unsupported("1XXX", X_NOT_RIGHTMOST)),
        ("2X21", unsupported("2X21", X_NOT_RIGHTMOST)),
        ("2021-XX-05", unsupported("2021-XX-05", X_NOT_RIGHTMOST)),
        ("2021-1X", unsupported("2021-1X", X_NOT_RIGHTMOST)),
        ("2021-03-1X", unsupported("2021-03-1X", X_NOT_RIGHTMOST)),
        ("2004?-06", unsupported("2004?-06", INNER_QUALIFIER)),
        ("2026-02-27T10:00", unsupported("2026-02-27T10:00", TIME)),
        ("[2026,2027]", unsupported("[2026,2027]", SETS)),
        (
            "9999-24",
            DateError::PastLastDay {
                text: "9999-24".into(),
            },
        ),
        (
            "../..",
            DateError::NoKnownEnd {
                text: "../..".into(),
            },
        ),
        ("/", DateError::NoKnownEnd { text: "/".into() }),
        ("../", DateError::NoKnownEnd { text: "../".into() }),
        (
            "2026/2025-12",
            DateError::Reversed {
                text: "2026/2025-12".into(),
            },
        ),
        (
            "2026-03/2026-02",
            DateError::Reversed {
                text: "2026-03/2026-02".into(),
            },
        ),
        (
            "2026-02-28/2026-02-27",
            DateError::Reversed {
                text: "2026-02-28/2026-02-27".into(),
            },
        ),
        (
            "..?/2026",
            DateError::UnexpectedChar {
                text: "..?".into(),
                ch: '.',
            },
        ),
        (long.as_str(), DateError::TooLong { chars: 65 }),
    ];
    for (text, expected) in cases {
        assert_eq!(err(text), expected, "{text:?}");
        assert!(!expected.to_string().is_empty());
    }
    let seasons_too = |text: &str, month| DateError::BadMonth {
        text: text.into(),
        month,
        accepted: MONTHS_SEASONS,
    };
    assert_eq!(err("2026-25"), seasons_too("2026-25", 25));
    assert_eq!(err("2026-20~"), seasons_too("2026-20~", 20));
    assert_eq!(
        err("2026-02-30/2026-03-01"),
        Day::parse("2026-02-30").unwrap_err()
    );
    assert_eq!(
        err("2026-04-31?"),
        DateError::BadDay {
            text: "2026-04-31?".into(),
            year: 2026,
            month: 4,
            days_in_month: 30
        }
    );
    // The length limit counts characters, and 64 is still allowed.
    assert!(!matches!(err(&"2".repeat(64)), DateError::TooLong { .. }));
    assert_eq!(err(&"é".repeat(65)), DateError::TooLong { chars: 65 });
    // Hand-made errors with impossible months still format without panicking.
    for month in [i8::MIN, -1, 0, 13, i8::MAX] {
        let e = DateError::BadDay {
            text: "x".into(),
            year: 1,
            month,
            days_in_month: 0,
        };
        assert!(e.to_string().contains("month"));
    }
}

/// X digits in an interval end are EDTF level 2: refused on either side, open or not,
/// while a lone unspecified date (level 1) is accepted.
#[test]
fn unspecified_digits_in_interval_ends_are_level_2_and_refused() {
    for (text, end) in [
        ("201X/2021-XX", "201X"),
        ("2010/2021-XX", "2021-XX"),
        ("2004-06-XX/2004-07-03", "2004-06-XX"),
        ("2004-06-01/2004-07-XX", "2004-07-XX"),
        ("2021-XX/..", "2021-XX"),
        ("../201X", "201X"),
        ("20XX/", "20XX"),
        ("/2021-03-XX~", "2021-03-XX~"),
    ] {
        assert_eq!(err(text), unsupported(end, X_IN_INTERVAL), "{text}");
        assert!(err(text).to_string().contains("EDTF level 2"), "{text}");
    }
    for text in ["201X", "20XX", "2021-XX", "2021-03-XX", "2021-XX-XX"] {
        assert!(EdtfDate::parse(text).is_ok(), "{text}");
    }
}

/// Records hold the text of their dates: one recorded while X digits were accepted in
/// interval ends still decodes, with the same days, so old ledgers stay readable.
#[test]
fn a_recorded_level_2_interval_still_decodes() {
    let json = r#""201X/2021-XX""#;
    let date: EdtfDate = serde_json::from_str(json).unwrap();
    assert_eq!(date.earliest(), day("2010-01-01"));
    assert_eq!(date.latest(), day("2021-12-31"));
    assert_eq!(serde_json::to_string(&date).unwrap(), json);
    assert_eq!(from_bincode::<EdtfDate>(&to_bincode(&date)), Ok(date));
    assert!(serde_json::from_str::<EdtfDate>(r#""2021-XX-05/2022""#).is_err());
}

/// Open and unknown ends are told apart from dates that merely end late.
#[test]
fn open_ends_are_told_apart_from_late_ends() {
    for text in ["2025-10-28/..", "2026/", "2025?/..", "2026-21/"] {
        assert!(edtf(text).has_open_end(), "{text}");
    }
    for text in [
        "9999",
        "../2025",
        "/2025",
        "2025/2026",
        "2025",
        "9999-12-31",
        "2025/9999",
    ] {
        assert!(!edtf(text).has_open_end(), "{text}");
    }
}

#[test]
fn day_serde_forms() {
    let d = day("2026-02-27");
    assert_eq!(serde_json::to_string(&d).unwrap(), r#""2026-02-27""#);
    assert_eq!(serde_json::from_str::<Day>(r#""2026-02-27""#).unwrap(), d);
    assert!(serde_json::from_str::<Day>(r#""2026-02-30""#).is_err());
    assert!(serde_json::from_str::<Day>(r#""2026-02""#).is_err());
    assert!(serde_json::from_str::<Day>("20511").is_err());
    assert_eq!(to_bincode(&d), 20_511_i32.to_le_bytes());
    assert_eq!(from_bincode::<Day>(&to_bincode(&d)), Ok(d));
    for bad_days in [MAX_DAYS + 1, MIN_DAYS - 1, i32::MAX, i32::MIN] {
        let message = from_bincode::<Day>(&bad_days.to_le_bytes()).unwrap_err();
        assert!(message.contains("outside the supported range"), "{message}");
    }
    assert!(from_bincode::<Day>(&[1, 2, 3]).is_err());
}

/// A corrupt bincode length prefix must give an error, not a huge allocation that
/// aborts the process (as deserializing into a `String` first would).
#[test]
fn huge_length_prefix_is_an_error_not_an_abort() {
    let mut bytes = u64::MAX.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"2026");
    assert!(from_bincode::<EdtfDate>(&bytes).is_err());
    let mut bytes = 0x2000_0000_0000_u64.to_le_bytes().to_vec();
    bytes.extend_from_slice(b"2026");
    assert!(from_bincode::<EdtfDate>(&bytes).is_err());
}

#[test]
fn edtf_serde_is_always_the_text() {
    for &(text, ..) in ACCEPTED {
        let date = edtf(text);
        let json = serde_json::to_string(&date).unwrap();
        assert_eq!(json, serde_json::to_string(text).unwrap());
        assert_eq!(serde_json::from_str::<EdtfDate>(&json).unwrap(), date);
        let bytes = to_bincode(&date);
        assert_eq!(bytes, to_bincode(&text));
        assert_eq!(from_bincode::<EdtfDate>(&bytes), Ok(date));
    }
    assert!(serde_json::from_str::<EdtfDate>(r#""2026/2025""#).is_err());
    assert!(serde_json::from_str::<EdtfDate>("2026").is_err());
    let message = from_bincode::<EdtfDate>(&to_bincode(&"2026-13")).unwrap_err();
    assert!(message.contains("has month 13"), "{message}");
}

fn arb_day() -> impl Strategy<Value = Day> {
    (MIN_DAYS..=MAX_DAYS).prop_map(Day::from_days)
}

fn days_in(year: u16, month: u8) -> u8 {
    let first = jiff::civil::date(year as i16, month as i8, 1);
    first.days_in_month() as u8
}

/// Any level 0 or level 1 date body, built from the grammar (not from the parser).
fn arb_body() -> impl Strategy<Value = String> {
    let year = 0_u16..=9999;
    prop_oneof![
        year.clone().prop_map(|y| format!("{y:04}")),
        (0_u16..=999).prop_map(|d| format!("{d:03}X")),
        (0_u16..=99).prop_map(|c| format!("{c:02}XX")),
        (year.clone(), 1_u8..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}")),
        (0_u16..=9998, 21_u8..=24).prop_map(|(y, s)| format!("{y:04}-{s}")),
        year.clone().prop_map(|y| format!("{y:04}-XX")),
        year.clone().prop_map(|y| format!("{y:04}-XX-XX")),
        (year.clone(), 1_u8..=12).prop_map(|(y, m)| format!("{y:04}-{m:02}-XX")),
        (year, 1_u8..=12, 1_u8..=31)
            .prop_map(|(y, m, d)| { format!("{y:04}-{m:02}-{:02}", d.min(days_in(y, m))) }),
    ]
}

fn arb_date() -> impl Strategy<Value = String> {
    let qualifier = prop_oneof![Just(""), Just("?"), Just("~"), Just("%")];
    (arb_body(), qualifier).prop_map(|(body, q)| body + q)
}

proptest! {
    #[test]
    fn day_text_round_trips(d in arb_day()) {
        prop_assert_eq!(Day::parse(&d.to_string()), Ok(d));
        let (y, m, dd) = d.ymd();
        prop_assert_eq!(Day::from_ymd(y, m, dd), Ok(d));
        prop_assert_eq!(Day::try_from_days(d.days()), Ok(d));
    }

    #[test]
    fn day_serde_round_trips(d in arb_day()) {
        let json = serde_json::to_string(&d).unwrap();
        prop_assert_eq!(serde_json::from_str::<Day>(&json).unwrap(), d);
        prop_assert_eq!(from_bincode::<Day>(&to_bincode(&d)), Ok(d));
    }

    #[test]
    fn generated_dates_parse(text in arb_date()) {
        let date = EdtfDate::parse(&text).unwrap();
        prop_assert!(date.earliest() <= date.latest());
        prop_assert_eq!(date.as_str(), text.as_str());
        prop_assert_eq!(date.to_string(), text.clone());
        prop_assert!(!date.is_interval());
        prop_assert_eq!(date.is_exact(), date.earliest() == date.latest() && text.len() == 10);
        prop_assert_eq!(from_bincode::<EdtfDate>(&to_bincode(&date)), Ok(date));
    }

    #[test]
    fn generated_intervals_parse(a in arb_date(), b in arb_date(), ends in 0_u8..5) {
        let (first, second) = (EdtfDate::parse(&a).unwrap(), EdtfDate::parse(&b).unwrap());
        // Order the two sides so the interval is valid (if B ends before A starts,
        // then A ends after B starts).
        let (a, b) = if second.latest() < first.earliest() { (b, a) } else { (a, b) };
        let text = match ends {
            0 => format!("{a}/.."),
            1 => format!("../{b}"),
            2 => format!("{a}/"),
            3 => format!("/{b}"),
            _ => format!("{a}/{b}"),
        };
        // An end with X digits is level 2: refused as input, still decoded as recorded.
        let parsed = EdtfDate::parse(&text);
        prop_assert_eq!(parsed.is_err(), text.contains('X'), "{}", text);
        let recorded: EdtfDate = serde_json::from_value(serde_json::Value::String(text.clone()))
            .unwrap();
        let date = parsed.unwrap_or(recorded);
        prop_assert!(date.earliest() <= date.latest());
        prop_assert!(date.is_interval() && !date.is_exact());
        prop_assert_eq!(date.as_str(), text.as_str());
        if ends == 0 || ends == 2 {
            prop_assert_eq!(date.earliest(), EdtfDate::parse(&a).unwrap().earliest());
            prop_assert_eq!(date.latest(), Day::MAX);
        }
        if ends == 1 || ends == 3 {
            prop_assert_eq!(date.earliest(), Day::MIN);
            prop_assert_eq!(date.latest(), EdtfDate::parse(&b).unwrap().latest());
        }
    }

    #[test]
    fn month_bounds_agree_with_from_ymd(y in 0_i16..=9999, m in 1_i8..=12) {
        let date = EdtfDate::parse(&format!("{y:04}-{m:02}")).unwrap();
        prop_assert_eq!(Ok(date.earliest()), Day::from_ymd(y, m, 1));
        let last = date.latest().ymd().2;
        prop_assert_eq!(Ok(date.latest()), Day::from_ymd(y, m, last));
        prop_assert!(Day::from_ymd(y, m, last + 1).is_err());
        prop_assert_eq!(date.latest().succ().ymd().2, 1);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        let _ = Day::parse(&text);
        if let Ok(date) = EdtfDate::parse(&text) {
            prop_assert!(date.earliest() <= date.latest());
        }
    }

    #[test]
    fn near_miss_text_never_panics(text in "[0-9X?~%/.\\-Y ]{0,24}") {
        let _ = Day::parse(&text);
        match EdtfDate::parse(&text) {
            Ok(date) => {
                prop_assert!(date.earliest() <= date.latest());
                prop_assert_eq!(date.as_str(), text.as_str());
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_in_decode(bytes in prop::collection::vec(any::<u8>(), 0..40)) {
        let _ = from_bincode::<Day>(&bytes);
        let _ = from_bincode::<EdtfDate>(&bytes);
        let _ = serde_json::from_slice::<Day>(&bytes);
        let _ = serde_json::from_slice::<EdtfDate>(&bytes);
    }

    #[test]
    fn decoded_day_numbers_are_range_checked(days in any::<i32>()) {
        let decoded = from_bincode::<Day>(&days.to_le_bytes());
        prop_assert_eq!(decoded.is_ok(), (MIN_DAYS..=MAX_DAYS).contains(&days));
    }
}
