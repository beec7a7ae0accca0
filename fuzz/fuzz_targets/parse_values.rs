//! The parsers of the values users type: EDTF dates, days and amounts of money.
//! What parses keeps its meaning through its own text form.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::model::{Day, EdtfDate, Money};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(date) = EdtfDate::parse(text) {
        assert!(date.earliest() <= date.latest(), "{text:?}");
        assert_eq!(date.as_str(), text);
    }
    if let Ok(day) = Day::parse(text) {
        assert_eq!(Day::parse(&day.to_string()), Ok(day));
    }
    if let Ok(money) = Money::parse(text) {
        assert_eq!(Money::parse(&money.to_string()), Ok(money), "{text:?}");
        assert_eq!(Money::parse(&money.short()), Ok(money), "{text:?}");
    }
});
