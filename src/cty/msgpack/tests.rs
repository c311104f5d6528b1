//! Golden bytes, round trips and hostile input for the msgpack codec.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;

use super::{decode, encode};
use crate::cty::testing::{arb_type, arb_typed_value};
use crate::cty::{CodecErrorKind, Number, Refinement, Type, Value};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Vec<u8> {
    let text: String = text.split_whitespace().collect();
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

fn n(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn refined(refinement: Refinement) -> Value {
    Value::Unknown(refinement)
}

fn not_null() -> Refinement {
    Refinement {
        nullable: Some(false),
        ..Refinement::default()
    }
}

/// Values whose encoding is fixed by the protocol: each must encode to exactly these bytes and
/// decode back to an equal value.
#[test]
fn golden_encodings() {
    let obj_ty = Type::object([("b", Type::String), ("a", Type::Number)]);
    let long = format!("d920{}", "78".repeat(32));
    let big_uint = format!("b3{}", hex(b"9223372036854775808"));
    let cases: Vec<(Type, Value, &str)> = vec![
        (Type::String, Value::Null, "c0"),
        (obj_ty.clone(), Value::Null, "c0"),
        (Type::String, Value::unknown(), "d40000"),
        (Type::Dynamic, Value::unknown(), "d40000"),
        (Type::Bool, Value::Bool(true), "c3"),
        (Type::Bool, Value::Bool(false), "c2"),
        (Type::Number, n(0), "00"),
        (Type::Number, n(127), "7f"),
        (Type::Number, n(128), "cc80"),
        (Type::Number, n(65_536), "ce00010000"),
        (Type::Number, n(-1), "ff"),
        (Type::Number, n(-32), "e0"),
        (Type::Number, n(-33), "d0df"),
        (Type::Number, n(-200), "d1ff38"),
        (Type::Number, n(i64::MIN), "d38000000000000000"),
        (Type::Number, n(i64::MAX), "cf7fffffffffffffff"),
        // An integral float travels as an integer.
        (Type::Number, Value::Number(Number::Float(2.0)), "02"),
        (
            Type::Number,
            Value::Number(Number::Float(0.5)),
            "cb3fe0000000000000",
        ),
        (
            Type::Number,
            Value::Number(Number::Float(f64::INFINITY)),
            "cb7ff0000000000000",
        ),
        // Neither an int64 nor a non-integral float64: a decimal string.
        (
            Type::Number,
            Value::Number(Number::UInt(1 << 63)),
            &big_uint,
        ),
        (
            Type::Number,
            Value::Number(Number::parse("0.1").unwrap()),
            "a3302e31",
        ),
        (
            Type::Number,
            Value::Number(Number::parse("1e400").unwrap()),
            "a53165343030",
        ),
        (Type::String, s("hi"), "a26869"),
        (Type::String, s(&"x".repeat(32)), &long),
        (
            Type::list(Type::Bool),
            Value::List(vec![Value::Bool(true), Value::Bool(false)]),
            "92c3c2",
        ),
        (
            Type::set(Type::Number),
            Value::Set(vec![n(2), n(1)]),
            "920201",
        ),
        (
            Type::map(Type::Bool),
            Value::Map(BTreeMap::from([("k".into(), Value::Bool(true))])),
            "81a16bc3",
        ),
        (
            Type::Tuple(vec![Type::String, Type::Bool]),
            Value::Tuple(vec![s("a"), Value::Bool(true)]),
            "92a161c3",
        ),
        // Object keys sorted, every attribute present.
        (
            obj_ty.clone(),
            Value::Object(BTreeMap::from([("b".into(), s("x")), ("a".into(), n(1))])),
            "82a16101a162a178",
        ),
        (
            obj_ty,
            Value::Object(BTreeMap::from([
                ("b".into(), Value::Null),
                ("a".into(), Value::unknown()),
            ])),
            "82a161d40000a162c0",
        ),
        // Dynamic: [type JSON as bin, value].
        (
            Type::Dynamic,
            Value::Dynamic(Box::new(Type::String), Box::new(s("x"))),
            "92c40822737472696e6722a178",
        ),
        (Type::Dynamic, Value::Null, "c0"),
    ];
    for (ty, value, want) in cases {
        let bytes = encode(&value, &ty).unwrap();
        assert_eq!(hex(&bytes), want, "encoding {value:?} as {ty:?}");
        assert_eq!(decode(&bytes, &ty).unwrap(), value, "decoding {want}");
    }
}

#[test]
fn golden_refined_unknowns() {
    let prefix = Refinement {
        string_prefix: Some("ab".into()),
        ..not_null()
    };
    let bounds = Refinement {
        number_lower: Some((Number::Int(0), true)),
        number_upper: Some((Number::parse("0.1").unwrap(), false)),
        ..Refinement::default()
    };
    let lengths = Refinement {
        length_lower: Some(1),
        length_upper: Some(300),
        ..Refinement::default()
    };
    let cases = [
        (Type::String, not_null(), "c7030c8101c2"),
        (Type::String, prefix, "c7070c8201c202a26162"),
        (Type::Number, bounds, "c70c0c82039200c30492a3302e31c2"),
        (Type::list(Type::String), lengths, "c7070c82050106cd012c"),
    ];
    for (ty, refinement, want) in cases {
        let value = Value::Unknown(refinement);
        let bytes = encode(&value, &ty).unwrap();
        assert_eq!(hex(&bytes), want, "{value:?}");
        assert_eq!(decode(&bytes, &ty).unwrap(), value);
    }
    // Refinements of a dynamic-typed unknown are dropped, as Terraform never sends them.
    assert_eq!(
        hex(&encode(&refined(not_null()), &Type::Dynamic).unwrap()),
        "d40000"
    );
}

/// Wire forms other encoders may use, which must decode to these values.
#[test]
fn decodes_every_wire_form() {
    let cases: Vec<(Type, &str, Value)> = vec![
        (Type::Number, "d0ff", n(-1)),
        (Type::Number, "cd0100", n(256)),
        (Type::Number, "d2ffffffff", n(-1)),
        (
            Type::Number,
            "cfffffffffffffffff",
            Value::Number(Number::UInt(u64::MAX)),
        ),
        (
            Type::Number,
            "ca3f000000",
            Value::Number(Number::Float(0.5)),
        ),
        (Type::Number, "cb3ff0000000000000", n(1)),
        (Type::Number, "a3316533", n(1000)),
        (
            Type::Number,
            "c403302e35",
            Value::Number(Number::Float(0.5)),
        ),
        (Type::String, "c4026869", s("hi")),
        (Type::String, "da00026869", s("hi")),
        (
            Type::list(Type::Number),
            "dc000101",
            Value::List(vec![n(1)]),
        ),
        (
            Type::list(Type::Number),
            "dd0000000101",
            Value::List(vec![n(1)]),
        ),
        (
            Type::map(Type::Number),
            "de0001a16101",
            Value::Map(BTreeMap::from([("a".into(), n(1))])),
        ),
        // Sets hold each known value once.
        (
            Type::set(Type::Number),
            "93010102",
            Value::Set(vec![n(1), n(2)]),
        ),
        (
            Type::set(Type::Number),
            "92d40000d40000",
            Value::Set(vec![Value::unknown(), Value::unknown()]),
        ),
        // Any other extension, or a refined one without payload, is a plain unknown.
        (Type::String, "d40500", Value::unknown()),
        (Type::String, "c703078101c2", Value::unknown()),
        (Type::String, "c7000c", Value::unknown()),
        (Type::String, "d40c00", Value::unknown()),
        // Unknown refinement keys are skipped; a "definitely null" unknown is null.
        (Type::String, "c7070c82099201c001c2", refined(not_null())),
        (Type::String, "c7030c8101c3", Value::Null),
        // Refinements of a dynamic-typed unknown are ignored.
        (Type::Dynamic, "c7030c8101c2", Value::unknown()),
        // Bytes after the refinement map are reserved and ignored.
        (Type::String, "c7040c8101c2ff", refined(not_null())),
        // A dynamic value whose type JSON arrives as a string, and a dynamic value holding a dynamic one.
        (
            Type::Dynamic,
            "92a8226e756d6265722201",
            Value::Dynamic(Box::new(Type::Number), Box::new(n(1))),
        ),
        (
            Type::Dynamic,
            "92a92264796e616d69632292c408226e756d6265722201",
            Value::Dynamic(
                Box::new(Type::Dynamic),
                Box::new(Value::Dynamic(Box::new(Type::Number), Box::new(n(1)))),
            ),
        ),
    ];
    for (ty, bytes, want) in cases {
        assert_eq!(decode(&unhex(bytes), &ty).unwrap(), want, "{bytes}");
    }
}

#[test]
fn long_string_prefixes_are_shortened_once() {
    let prefix = "é".repeat(200); // 400 bytes
    let payload_len = 1 + 1 + 3 + prefix.len();
    let mut bytes = unhex(&format!("c8{payload_len:04x}0c8102da{:04x}", prefix.len()));
    bytes.extend_from_slice(prefix.as_bytes());
    let Value::Unknown(refinement) = decode(&bytes, &Type::String).unwrap() else {
        panic!("not unknown")
    };
    let short = refinement.string_prefix.clone().unwrap();
    assert!(
        short.len() < 256 && prefix.starts_with(&short) && !short.is_empty(),
        "{}",
        short.len()
    );
    let again = encode(&Value::Unknown(refinement.clone()), &Type::String).unwrap();
    assert_eq!(
        decode(&again, &Type::String).unwrap(),
        Value::Unknown(refinement)
    );
}

#[test]
fn errors_name_the_path_and_the_problem() {
    let ty = Type::object([("a", Type::Number), ("tags", Type::list(Type::Number))]);
    let (tuple, map) = (Type::Tuple(vec![Type::Bool]), Type::map(Type::Bool));
    let cases: Vec<(&Type, &str, &str, CodecErrorKind)> = vec![
        (
            &ty,
            "81a16101",
            "(root)",
            CodecErrorKind::MissingAttribute("tags".into()),
        ),
        (
            &ty,
            "83a16101a474616773c0a17a01",
            "(root)",
            CodecErrorKind::UnsupportedAttribute("z".into()),
        ),
        (
            &ty,
            "82a16101a16101",
            "(root)",
            CodecErrorKind::DuplicateKey("a".into()),
        ),
        (
            &ty,
            "82a16101a47461677392 01 c3",
            "tags[1]",
            CodecErrorKind::Mismatch {
                expected: "a number",
                found: "a bool".into(),
            },
        ),
        (&ty, "8201c0", "(root)", CodecErrorKind::NonStringKey),
        (
            &Type::String,
            "a568 69",
            "(root)",
            CodecErrorKind::Truncated,
        ),
        (
            &Type::String,
            "c0c0",
            "(root)",
            CodecErrorKind::TrailingBytes(1),
        ),
        (&Type::String, "a1ff", "(root)", CodecErrorKind::InvalidUtf8),
        (
            &Type::String,
            "01",
            "(root)",
            CodecErrorKind::Mismatch {
                expected: "a string",
                found: "a number".into(),
            },
        ),
        (
            &tuple,
            "92c3c3",
            "(root)",
            CodecErrorKind::TupleLength {
                expected: 1,
                found: 2,
            },
        ),
        (
            &map,
            "82a161c3a161c2",
            "(root)",
            CodecErrorKind::DuplicateKey("a".into()),
        ),
        (
            &Type::Dynamic,
            "91c0",
            "(root)",
            CodecErrorKind::Mismatch {
                expected: "a [type, value] pair",
                found: "an array of 1".into(),
            },
        ),
    ];
    for (ty, bytes, path, kind) in cases {
        let err = decode(&unhex(bytes), ty).unwrap_err();
        assert_eq!(
            (err.path.to_string().as_str(), &err.kind),
            (path, &kind),
            "{bytes}"
        );
    }
    let bad = [
        (Type::Number, "cb7ff8000000000000"),     // NaN
        (Type::Number, "a3616263"),               // "abc"
        (Type::String, "c1"),                     // never-used marker
        (Type::Number, "c7050c8102a26162"),       // string prefix on a number
        (Type::String, "c7050c81039200c3"),       // number bound on a string
        (Type::String, "c7030c810501"),           // length bound on a string
        (Type::list(Type::Bool), "c7030c8105ff"), // negative length
        (Type::String, "c7030c81a161c2"),         // non-integer key
        (Type::String, "c7030c9101c2"),           // payload not a map
        (Type::Number, "c7040c810391c3"),         // bound not a pair
        (Type::Dynamic, "92c4057374726e6701"),    // type JSON names no type
    ];
    for (ty, bytes) in bad {
        assert!(
            decode(&unhex(bytes), &ty).is_err(),
            "{bytes} should not decode"
        );
    }
    let mut oversize = unhex("c90000040c0c");
    oversize.extend(std::iter::repeat_n(0xc0, 0x40c));
    assert_eq!(
        decode(&oversize, &Type::String).unwrap_err().kind,
        CodecErrorKind::Refinement("refinements larger than 1 KiB")
    );
}

#[test]
fn encode_rejects_values_that_do_not_fit_the_type() {
    let ty = Type::object([("a", Type::String)]);
    let extra = Value::Object(BTreeMap::from([
        ("a".into(), Value::Null),
        ("b".into(), Value::Null),
    ]));
    assert_eq!(
        encode(&extra, &ty).unwrap_err().kind,
        CodecErrorKind::UnsupportedAttribute("b".into())
    );
    assert_eq!(
        encode(&Value::Object(BTreeMap::new()), &ty)
            .unwrap_err()
            .kind,
        CodecErrorKind::MissingAttribute("a".into())
    );
    let nested = Type::list(Type::Number);
    let err = encode(&Value::List(vec![n(1), s("x")]), &nested).unwrap_err();
    assert_eq!(err.path.to_string(), "[1]");
    assert_eq!(
        encode(&s("x"), &Type::Dynamic).unwrap_err().kind,
        CodecErrorKind::MissingDynamicType
    );
    assert!(encode(&Value::Number(Number::Float(f64::NAN)), &Type::Number).is_err());
    assert!(encode(&Value::Number(Number::Decimal("zz".into())), &Type::Number).is_err());
    let prefix_on_bool = refined(Refinement {
        string_prefix: Some("a".into()),
        ..Refinement::default()
    });
    assert!(encode(&prefix_on_bool, &Type::Bool).is_err());
}

/// Runs `f` and asserts it returns within a bound no allocation of gigabytes could meet.
fn quickly<T>(f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    assert!(
        start.elapsed() < Duration::from_millis(200),
        "took {:?}",
        start.elapsed()
    );
    out
}

#[test]
fn hostile_lengths_fail_fast_without_reserving_memory() {
    let hostile = [
        "ddffffffff",   // array32 of 2^32-1 elements
        "dfffffffff",   // map32
        "dbffffffff",   // str32
        "c6ffffffff",   // bin32
        "c9ffffffff0c", // ext32
        "ddffffffff01010101",
    ];
    for (ty, bytes) in [
        Type::list(Type::Number),
        Type::map(Type::Number),
        Type::String,
        Type::Dynamic,
        Type::set(Type::String),
    ]
    .iter()
    .flat_map(|ty| hostile.iter().map(move |b| (ty, *b)))
    {
        let err = quickly(|| decode(&unhex(bytes), ty)).unwrap_err();
        assert!(
            matches!(
                err.kind,
                CodecErrorKind::Truncated | CodecErrorKind::Mismatch { .. }
            ),
            "{bytes}: {err}"
        );
    }
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 10_000;
    let mut ty = Type::String;
    for _ in 0..depth {
        ty = Type::list(ty);
    }
    let mut bytes = vec![0x91; depth];
    bytes.push(0xa0);
    let err = quickly(|| decode(&bytes, &ty)).unwrap_err();
    assert_eq!(err.kind, CodecErrorKind::TooDeep(crate::cty::MAX_DEPTH));
    // Dynamic values nesting dynamic values need no deep type to go deep.
    let wrapper = unhex("92a92264796e616d696322");
    let bytes: Vec<u8> = wrapper
        .iter()
        .copied()
        .cycle()
        .take(wrapper.len() * depth)
        .chain([0xc0])
        .collect();
    let err = quickly(|| decode(&bytes, &Type::Dynamic)).unwrap_err();
    assert_eq!(err.kind, CodecErrorKind::TooDeep(crate::cty::MAX_DEPTH));
    // Refinement keys this codec skips cannot nest deeply either: the payload is at most 1 KiB.
    let mut payload = unhex("8109");
    payload.extend(std::iter::repeat_n(0x91, 600));
    payload.push(0xc0);
    let mut bytes = unhex(&format!("c8{:04x}0c", payload.len()));
    bytes.extend(payload);
    assert!(decode(&bytes, &Type::String).is_err());
}

#[test]
fn every_truncation_of_a_valid_encoding_errors() {
    let ty = Type::object([
        ("n", Type::Number),
        ("s", Type::set(Type::String)),
        ("d", Type::Dynamic),
        ("u", Type::String),
    ]);
    let value = Value::Object(BTreeMap::from([
        ("n".into(), Value::Number(Number::parse("1e400").unwrap())),
        ("s".into(), Value::Set(vec![s("a"), s("b")])),
        (
            "d".into(),
            Value::Dynamic(
                Box::new(Type::list(Type::Bool)),
                Box::new(Value::List(vec![Value::Bool(true)])),
            ),
        ),
        (
            "u".into(),
            refined(Refinement {
                string_prefix: Some("pre".into()),
                ..not_null()
            }),
        ),
    ]));
    let bytes = encode(&value, &ty).unwrap();
    assert_eq!(decode(&bytes, &ty).unwrap(), value);
    for cut in 0..bytes.len() {
        assert!(
            decode(&bytes[..cut], &ty).is_err(),
            "prefix of {cut} bytes decoded"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// encode → decode is the identity, and encoding is a fixpoint.
    #[test]
    fn round_trip((ty, value) in arb_typed_value()) {
        let bytes = encode(&value, &ty).unwrap();
        let back = decode(&bytes, &ty).unwrap();
        prop_assert_eq!(&back, &value);
        prop_assert_eq!(encode(&back, &ty).unwrap(), bytes);
    }

    /// Arbitrary bytes never panic, and whatever decodes re-encodes to the same value.
    #[test]
    fn arbitrary_bytes_never_panic(ty in arb_type(), bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        if let Ok(value) = decode(&bytes, &ty) {
            let again = encode(&value, &ty).unwrap();
            prop_assert_eq!(decode(&again, &ty).unwrap(), value);
        }
    }

    /// Mutations of valid encodings (the likeliest hostile input) behave the same.
    #[test]
    fn mutated_encodings_never_panic((ty, value) in arb_typed_value(), at in any::<prop::sample::Index>(), byte in any::<u8>()) {
        let mut bytes = encode(&value, &ty).unwrap();
        if !bytes.is_empty() {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(value) = decode(&bytes, &ty) {
            let again = encode(&value, &ty).unwrap();
            prop_assert_eq!(decode(&again, &ty).unwrap(), value);
        }
    }
}

#[test]
fn the_deepest_accepted_value_fits_a_small_stack() {
    // Every codec recurses once per level; MAX_DEPTH levels must fit well within the 2 MiB a
    // tokio worker thread has, even in a debug build. Mixed containers exercise every path.
    let depth = crate::cty::MAX_DEPTH;
    let (mut ty, mut value) = (Type::String, s("x"));
    for level in 0..depth {
        (ty, value) = match level % 3 {
            0 => (Type::list(ty), Value::List(vec![value])),
            1 => (
                Type::map(ty),
                Value::Map(BTreeMap::from([("k".into(), value)])),
            ),
            _ => (
                Type::object([("a", ty)]),
                Value::Object(BTreeMap::from([("a".into(), value)])),
            ),
        };
    }
    let worker = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let bytes = encode(&value, &ty).unwrap();
            assert_eq!(decode(&bytes, &ty).unwrap(), value);
            let text = crate::cty::json::encode(&value, &ty).unwrap();
            assert_eq!(crate::cty::json::decode(&text, &ty).unwrap(), value);
            value.check_type(&ty).unwrap();
            assert!(value.equal_semantically(&value.clone()));
            let type_json = ty.to_json_bytes();
            assert_eq!(Type::from_json_bytes(&type_json).unwrap(), ty);
            bytes.len()
        });
    assert!(worker.unwrap().join().unwrap() > depth);
}

#[test]
fn objects_decode_in_any_key_order_and_errors_name_the_nested_path() {
    let ty = Type::object([
        ("a", Type::Number),
        ("b", Type::list(Type::object([("c", Type::String)]))),
    ]);
    let want = Value::Object(BTreeMap::from([
        ("a".into(), n(1)),
        (
            "b".into(),
            Value::List(vec![Value::Object(BTreeMap::from([("c".into(), s("x"))]))]),
        ),
    ]));
    // {"a": 1, "b": [{"c": "x"}]}, sorted as Terraform sends it, then with the keys swapped.
    assert_eq!(
        decode(&unhex("82a16101a1629181a163a178"), &ty).unwrap(),
        want
    );
    assert_eq!(
        decode(&unhex("82a1629181a163a178a16101"), &ty).unwrap(),
        want
    );
    let cases = [
        // b[0].c is a number.
        ("82a16101a1629181a16301", "b[0].c", "mismatch"),
        // The same with the keys out of order.
        ("82a1629181a16301a16101", "b[0].c", "mismatch"),
        // "a" twice, in order and then out of it.
        ("82a16101a16101", "(root)", "duplicate"),
        // Only "a": "b" is missing.
        ("81a16101", "(root)", "missing"),
        // Only "b": "a" is missing, found after leaving the order.
        ("81a16290", "(root)", "missing"),
        // An attribute the type does not have, after "a".
        ("82a16101a17a01", "(root)", "unsupported"),
    ];
    for (bytes, path, what) in cases {
        let err = decode(&unhex(bytes), &ty).unwrap_err();
        let kind = match err.kind {
            CodecErrorKind::Mismatch { .. } => "mismatch",
            CodecErrorKind::DuplicateKey(_) => "duplicate",
            CodecErrorKind::MissingAttribute(_) => "missing",
            CodecErrorKind::UnsupportedAttribute(_) => "unsupported",
            _ => "other",
        };
        assert_eq!(
            (err.path.to_string().as_str(), kind),
            (path, what),
            "{bytes}"
        );
    }
    let map = Type::map(Type::list(Type::Bool));
    // {"k": [true, 1]}
    let err = decode(&unhex("81a16b92c301"), &map).unwrap_err();
    assert_eq!(err.path.to_string(), "[\"k\"][1]");
}
