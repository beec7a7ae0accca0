//! The record decoder: any bytes, as read back from a store or an export. Decoding must
//! refuse or be strict: what decodes re-encodes to exactly the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::codec;
use pactlog::codec::Seq;
use pactlog::ledger::StoredRecord;

fuzz_target!(|data: &[u8]| {
    if let Ok(record) = codec::decode(data) {
        let again = codec::encode(&record).expect("a decoded record encodes");
        assert_eq!(again, data, "decode accepted non-canonical bytes");
    }
    // The same bytes as a stored `records` value (two hashes, then the record).
    if let Ok(stored) = StoredRecord::from_value(Seq::new(0), data) {
        let _ = stored.decode();
        assert_eq!(stored.to_value(), data);
    }
});
