//! Arbitrary text as raw state JSON against a derived type: decoding must never panic, and
//! whatever decodes must encode to JSON that decodes to the same value.

#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_conductorone_fuzz::cty::json;
use terraform_provider_conductorone_fuzz::split_type;

fuzz_target!(|data: &[u8]| {
    let (ty, input) = split_type(data);
    let Ok(value) = json::decode(input, &ty) else {
        return;
    };
    let text = json::encode(&value, &ty).expect("a decoded value encodes");
    let again = json::decode(&text, &ty).expect("encoded JSON decodes");
    assert_eq!(again, value, "round trip changed the value");
});
