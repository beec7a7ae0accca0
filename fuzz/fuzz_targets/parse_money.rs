//! The money parser, thousands separators included: any text to `Money::parse`.
//! What it accepts prints (`Display` and the short form) and parses back to the same
//! value; what it refuses, it refuses without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::model::Money;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(money) = Money::parse(text) {
        assert!(money.units > 0, "{text:?}");
        assert_eq!(Money::parse(&money.to_string()), Ok(money), "{text:?}");
        assert_eq!(Money::parse(&money.short()), Ok(money), "{text:?}");
        // Grouping the printed units by thousands reads as the same amount.
        let digits = money.units.to_string();
        let mut grouped = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        let grouped = format!("{grouped} {}", money.currency);
        assert_eq!(Money::parse(&grouped), Ok(money), "{grouped:?}");
    }
});
