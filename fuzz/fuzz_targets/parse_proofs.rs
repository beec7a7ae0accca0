//! The auditor's parsers: verifier and private keys, signed notes, checkpoints and
//! tlog-proof files, and the offline audit of an inclusion proof. The seeds (see
//! `seeds`) are signed with the key below so that mutations reach past the signature.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::checkpoint::{
    Checkpoint, Note, SigningKey, TlogProof, VerifierKey, open_checkpoint, open_note,
};
use pactlog::codec;
use pactlog::ledger::prove::audit_inclusion;
use std::sync::OnceLock;

fn key() -> &'static VerifierKey {
    static KEY: OnceLock<VerifierKey> = OnceLock::new();
    KEY.get_or_init(|| {
        SigningKey::from_seed("example.org/log", [7; 32])
            .expect("a valid key name")
            .verifier_key()
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let keys = std::slice::from_ref(key());
    if let Ok(k) = VerifierKey::parse(text) {
        assert_eq!(VerifierKey::parse(&k.to_text()), Ok(k));
    }
    let _ = SigningKey::from_private_text(text);
    if let Ok(note) = Note::parse(text) {
        assert_eq!(Note::parse(&note.to_text()), Ok(note));
    }
    let _ = open_note(text, keys);
    let _ = open_checkpoint(text, keys);
    if let Ok(body) = Checkpoint::parse_body(text) {
        assert_eq!(Checkpoint::parse_body(&body.to_body()), Ok(body));
    }
    let proof = TlogProof::parse(text);
    if let Ok(p) = &proof {
        assert_eq!(TlogProof::parse(&p.to_text()).as_ref(), Ok(p));
        let _ = p.open_checkpoint(keys);
    }
    if let Ok(audited) = audit_inclusion(text, key()) {
        let proof = proof.expect("an audited proof parses");
        assert_eq!(audited.record.seq.get(), proof.index());
        let bytes = codec::encode(&audited.record).expect("encode");
        assert_eq!(Some(&bytes[..]), proof.extra());
    }
});
