//! Property tests: no parser panics on any input, valid values round-trip,
//! and no single-character change to a signed checkpoint still verifies.

use proptest::prelude::*;

use super::*;

fn key() -> SigningKey {
    SigningKey::from_seed("example.com/log", [8; 32]).unwrap_or_else(|e| panic!("{e}"))
}

/// Strings made of the characters the formats care about, so that generated
/// inputs get past the first checks more often than arbitrary Unicode would.
fn format_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            Just("\n".to_owned()),
            Just("\u{2014} ".to_owned()),
            Just("+".to_owned()),
            Just("=".to_owned()),
            Just(" ".to_owned()),
            Just("index ".to_owned()),
            Just("extra ".to_owned()),
            Just("PRIVATE+KEY+".to_owned()),
            Just(TLOG_PROOF_HEADER.to_owned()),
            "[A-Za-z0-9/+]{1,12}",
            "[0-9]{1,22}",
            any::<char>().prop_map(String::from),
        ],
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Strings of `pattern` without the invisible and formatting characters names refuse.
fn printable(pattern: &'static str) -> impl Strategy<Value = String> {
    pattern.prop_filter("no invisible characters", |s| {
        !s.chars().any(crate::model::text::is_invisible)
    })
}

fn any_input() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), format_text()]
}

fn parse_everything(input: &str) {
    let keys = [key().verifier_key()];
    let _ = VerifierKey::parse(input);
    let _ = SigningKey::from_private_text(input);
    let _ = Note::parse(input);
    let _ = open_note(input, &keys);
    let _ = open_checkpoint(input, &keys);
    let _ = Checkpoint::parse_body(input);
    if let Ok(proof) = TlogProof::parse(input) {
        let _ = proof.open_checkpoint(&keys);
        assert_eq!(TlogProof::parse(&proof.to_text()), Ok(proof));
    }
}

proptest! {
    #[test]
    fn parsers_never_panic(input in any_input()) {
        parse_everything(&input);
    }

    #[test]
    fn parsers_never_panic_on_damaged_valid_inputs(
        cut in any::<prop::sample::Index>(),
        insert in any::<char>(),
    ) {
        let note = Checkpoint::new("example.com/log", 7, [1; 32], Vec::new())
            .and_then(|c| c.sign(&key()))
            .unwrap_or_else(|e| panic!("{e}"));
        let proof = TlogProof::new(Some(vec![1, 2]), 3, vec![[2; 32]; 3], note.clone())
            .unwrap_or_else(|e| panic!("{e}"))
            .to_text();
        let vkey = key().verifier_key().to_text();
        for valid in [note, proof, vkey, key().to_private_text()] {
            let chars: Vec<char> = valid.chars().collect();
            let at = cut.index(chars.len() + 1);
            let truncated: String = chars[..at].iter().collect();
            let mut inserted = chars.clone();
            inserted.insert(at, insert);
            let inserted: String = inserted.into_iter().collect();
            parse_everything(&truncated);
            parse_everything(&inserted);
        }
    }

    #[test]
    fn checkpoints_round_trip(
        origin in "[^\\p{Cc}]{1,40}",
        size in any::<u64>(),
        root in any::<[u8; 32]>(),
        extensions in prop::collection::vec("[^\\p{Cc}]{1,20}", 0..3),
    ) {
        let checkpoint = Checkpoint::new(&origin, size, root, extensions)?;
        prop_assert_eq!(Checkpoint::parse_body(&checkpoint.to_body())?, checkpoint.clone());
        let note = checkpoint.sign(&key())?;
        let (opened, _) = open_checkpoint(&note, &[key().verifier_key()])?;
        prop_assert_eq!(opened, checkpoint);
    }

    #[test]
    fn key_texts_round_trip(name in printable("[^\\s+\\p{Cc}]{1,30}"), seed in any::<[u8; 32]>()) {
        let signing = SigningKey::from_seed(&name, seed)?;
        let parsed = SigningKey::from_private_text(&signing.to_private_text())?;
        prop_assert_eq!(parsed.to_private_text(), signing.to_private_text());
        let verifier = VerifierKey::parse(&signing.verifier_key().to_text())?;
        prop_assert_eq!(verifier, signing.verifier_key());
    }

    #[test]
    fn any_one_character_change_breaks_a_signed_checkpoint(
        at in any::<prop::sample::Index>(),
        replacement in any::<char>(),
    ) {
        let checkpoint = Checkpoint::new("example.com/log", 1234, [3; 32], Vec::new())?;
        let note = checkpoint.sign(&key())?;
        let mut chars: Vec<char> = note.chars().collect();
        let i = at.index(chars.len());
        prop_assume!(chars[i] != replacement);
        chars[i] = replacement;
        let tampered: String = chars.into_iter().collect();
        let result = open_checkpoint(&tampered, &[key().verifier_key()]);
        prop_assert!(result.is_err(), "tampered note verified: {tampered:?}");
    }
}
