//! Raw-state JSON: Terraform's decoding rules, lossless numbers, round trips.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::{JsonOptions, decode, decode_with, encode};
use crate::cty::testing::arb_typed_value;
use crate::cty::{CodecErrorKind, Number, Refinement, Type, Value};

fn n(i: i64) -> Value {
    Value::Number(Number::Int(i))
}

fn s(text: &str) -> Value {
    Value::String(text.to_owned())
}

fn state_type() -> Type {
    Type::object([
        ("id", Type::String),
        ("count", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::map(Type::String)),
        ("ids", Type::set(Type::Number)),
    ])
}

#[test]
fn decodes_state_and_fills_absent_attributes_with_null() {
    let value = decode(
        br#"{"id":"x","count":3,"tags":{"a":"b"},"ids":[1,2,1]}"#,
        &state_type(),
    )
    .unwrap();
    let want = Value::Object(BTreeMap::from([
        ("id".into(), s("x")),
        ("count".into(), n(3)),
        ("enabled".into(), Value::Null),
        (
            "tags".into(),
            Value::Map(BTreeMap::from([("a".into(), s("b"))])),
        ),
        ("ids".into(), Value::Set(vec![n(1), n(2)])),
    ]));
    assert_eq!(value, want);
    assert_eq!(decode(b" null ", &state_type()).unwrap(), Value::Null);
}

#[test]
fn numbers_keep_every_digit() {
    let text = "123456789012345678901234567890.000000000000000000001";
    let value = decode(text.as_bytes(), &Type::Number).unwrap();
    assert_eq!(value, Value::Number(Number::Decimal(text.to_owned())));
    assert_eq!(encode(&value, &Type::Number).unwrap(), text.as_bytes());
    assert_eq!(
        decode(b"1e400", &Type::Number).unwrap(),
        Value::Number(Number::parse("1e400").unwrap())
    );
    assert_eq!(
        decode(b"-0.5", &Type::Number).unwrap(),
        Value::Number(Number::Float(-0.5))
    );
    assert_eq!(
        decode(b"18446744073709551615", &Type::Number).unwrap(),
        Value::Number(Number::UInt(u64::MAX))
    );
}

#[test]
fn unknown_attributes_fail_unless_ignored() {
    let text = br#"{"id":"x","removed_in_v2":true}"#;
    let err = decode(text, &state_type()).unwrap_err();
    assert_eq!(
        err.kind,
        CodecErrorKind::UnsupportedAttribute("removed_in_v2".into())
    );
    let options = JsonOptions {
        ignore_unknown_attributes: true,
    };
    let value = decode_with(text, &state_type(), options).unwrap();
    assert_eq!(value.attr("id"), Some(&s("x")));
    assert_eq!(value.attr("removed_in_v2"), None);
}

#[test]
fn primitives_convert_as_terraform_converts_them() {
    let cases: Vec<(Type, &str, Value)> = vec![
        (Type::Bool, r#""true""#, Value::Bool(true)),
        (Type::Bool, r#""0""#, Value::Bool(false)),
        (Type::Number, r#""42""#, n(42)),
        (Type::String, "12.50", s("12.50")),
        (Type::String, "false", s("false")),
        (
            Type::Dynamic,
            r#"{"type":["list","number"],"value":[1]}"#,
            Value::Dynamic(
                Box::new(Type::list(Type::Number)),
                Box::new(Value::List(vec![n(1)])),
            ),
        ),
        (
            Type::Tuple(vec![Type::String, Type::Bool]),
            r#"["a",true]"#,
            Value::Tuple(vec![s("a"), Value::Bool(true)]),
        ),
        (
            Type::map(Type::Number),
            r#"{"a":1,"a":2}"#,
            Value::Map(BTreeMap::from([("a".into(), n(2))])),
        ),
    ];
    for (ty, text, want) in cases {
        assert_eq!(decode(text.as_bytes(), &ty).unwrap(), want, "{text}");
    }
}

#[test]
fn mismatches_name_their_path() {
    let ty = Type::object([("items", Type::list(Type::object([("n", Type::Number)])))]);
    let err = decode(br#"{"items":[{"n":1},{"n":"x"}]}"#, &ty).unwrap_err();
    assert_eq!(err.path.to_string(), "items[1].n");
    assert!(matches!(err.kind, CodecErrorKind::Number(_)));
    for (ty, text) in [
        (Type::Bool, r#""yes""#),
        (Type::Number, "true"),
        (Type::String, "[]"),
        (Type::Tuple(vec![Type::Bool]), "[true,true]"),
        (Type::Dynamic, r#"{"value":1}"#),
        (Type::Dynamic, r#"{"type":"number"}"#),
        (Type::Dynamic, r#"{"type":"number","value":1,"extra":0}"#),
        (Type::Dynamic, r#"{"type":"nope","value":1}"#),
        (Type::Dynamic, "1"),
        (Type::String, r#""unterminated"#),
    ] {
        assert!(decode(text.as_bytes(), &ty).is_err(), "{text}");
    }
    let err = decode(b"[1, 2", &Type::list(Type::Number)).unwrap_err();
    assert!(
        matches!(err.kind, CodecErrorKind::Json { offset: 5, .. }),
        "{err}"
    );
}

#[test]
fn encodes_compact_json_and_refuses_unknowns() {
    let ty = Type::object([("b", Type::list(Type::Number)), ("a", Type::Dynamic)]);
    let value = Value::Object(BTreeMap::from([
        (
            "b".into(),
            Value::List(vec![
                n(1),
                Value::Number(Number::Float(0.5)),
                Value::Number(Number::Float(0.1)),
            ]),
        ),
        (
            "a".into(),
            Value::Dynamic(Box::new(Type::String), Box::new(s("q\""))),
        ),
    ]));
    let text = String::from_utf8(encode(&value, &ty).unwrap()).unwrap();
    assert_eq!(
        text,
        r#"{"a":{"value":"q\"","type":"string"},"b":[1,0.5,0.1000000000000000055511151231257827021181583404541015625]}"#
    );
    assert_eq!(decode(text.as_bytes(), &ty).unwrap(), value);
    let unknown = Value::List(vec![Value::Unknown(Refinement::default())]);
    let err = encode(&unknown, &Type::list(Type::String)).unwrap_err();
    assert_eq!(
        (err.path.to_string(), err.kind),
        ("[0]".to_owned(), CodecErrorKind::UnknownInJson)
    );
    assert!(encode(&Value::Number(Number::Float(f64::INFINITY)), &Type::Number).is_err());
    assert_eq!(
        encode(&n(1), &Type::String).unwrap_err().kind,
        CodecErrorKind::Mismatch {
            expected: "a string",
            found: "a number".into()
        }
    );
}

fn without_unknowns(value: &Value) -> bool {
    value.is_wholly_known()
        && !matches!(value, Value::Number(Number::Float(f)) if f.is_infinite())
        && match value {
            Value::List(items) | Value::Set(items) | Value::Tuple(items) => {
                items.iter().all(without_unknowns)
            }
            Value::Map(items) | Value::Object(items) => items.values().all(without_unknowns),
            Value::Dynamic(_, inner) => without_unknowns(inner),
            _ => true,
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// encode → decode is the identity for everything JSON can carry.
    #[test]
    fn round_trip((ty, value) in arb_typed_value().prop_filter("JSON carries no unknowns or infinities", |(_, v)| without_unknowns(v))) {
        let text = encode(&value, &ty).unwrap();
        let back = decode(&text, &ty).unwrap();
        prop_assert_eq!(&back, &value);
        prop_assert_eq!(encode(&back, &ty).unwrap(), text);
    }

    /// Arbitrary text never panics.
    #[test]
    fn arbitrary_text_never_panics(text in "[\\[\\]{}\",:0-9a-z.eE+\\- ]{0,40}") {
        let _ = decode(text.as_bytes(), &state_type());
        let _ = decode(text.as_bytes(), &Type::Dynamic);
    }
}
