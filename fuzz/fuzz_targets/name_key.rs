//! The party name key (NFKC, full case folding, the dot of a folded "İ" dropped): any
//! text to `PartyRegistry::name_key`. No panic; the key is its own key (idempotent);
//! a registry resolves a valid name, and its key, to the party it names.
#![no_main]

use libfuzzer_sys::fuzz_target;
use pactlog::model::{Party, PartyId, PartyRegistry, check_name, tidy};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let key = PartyRegistry::name_key(text);
    assert_eq!(PartyRegistry::name_key(&key), key, "{text:?}");
    let name = tidy(text, false);
    if check_name("name", &name, 500).is_ok() {
        let id = PartyId::new("fuzz").expect("a valid id");
        let registry = PartyRegistry::from_parties(vec![Party {
            id: id.clone(),
            name: name.clone(),
            aliases: Vec::new(),
        }]);
        assert_eq!(registry.resolve(&name), Ok(id.clone()), "{name:?}");
        assert_eq!(registry.resolve(&key), Ok(id), "{name:?}");
    }
});
