//! Arbitrary bytes against a type derived from their first bytes: decoding must never panic,
//! and whatever decodes must re-encode, decode to the same value, and encode to the same bytes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use terraform_provider_conductorone_fuzz::cty::msgpack;
use terraform_provider_conductorone_fuzz::split_type;

fuzz_target!(|data: &[u8]| {
    let (ty, input) = split_type(data);
    let Ok(value) = msgpack::decode(input, &ty) else {
        return;
    };
    let bytes = msgpack::encode(&value, &ty).expect("a decoded value re-encodes");
    let again = msgpack::decode(&bytes, &ty).expect("a re-encoded value decodes");
    assert_eq!(again, value, "round trip changed the value");
    assert_eq!(
        msgpack::encode(&again, &ty).expect("re-encodes"),
        bytes,
        "encoding is not canonical"
    );
});
