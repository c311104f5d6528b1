use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::*;
use crate::cty::Number;
use crate::framework::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Inner {
    port: Value<i64>,
    host: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Mode {
    Fast,
    Careful,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Model {
    id: Value<String>,
    count: Value<i64>,
    ratio: Value<f64>,
    enabled: bool,
    tags: Value<Vec<String>>,
    labels: Value<BTreeSet<String>>,
    meta: Value<BTreeMap<String, String>>,
    inner: Value<Inner>,
    mode: Value<Mode>,
}

fn ty() -> Type {
    Type::object([
        ("id", Type::String),
        ("count", Type::Number),
        ("ratio", Type::Number),
        ("enabled", Type::Bool),
        ("tags", Type::list(Type::String)),
        ("labels", Type::set(Type::String)),
        ("meta", Type::map(Type::String)),
        (
            "inner",
            Type::object([("port", Type::Number), ("host", Type::String)]),
        ),
        ("mode", Type::String),
        // An attribute the model does not name: written as null, ignored when read.
        ("extra", Type::String),
    ])
}

fn s(v: &str) -> cty::Value {
    cty::Value::String(v.to_owned())
}

#[test]
fn round_trips_keep_null_unknown_and_known() {
    let cases = vec![
        Model {
            id: Value::Unknown,
            count: Value::Known(3),
            ratio: Value::Known(0.5),
            enabled: true,
            tags: Value::Known(vec!["a".into(), "b".into()]),
            labels: Value::Known(["x".to_owned()].into()),
            meta: Value::Known([("k".to_owned(), "v".to_owned())].into()),
            inner: Value::Known(Inner {
                port: Value::Unknown,
                host: Some("h".into()),
            }),
            mode: Value::Known(Mode::Careful),
        },
        Model {
            id: Value::Null,
            count: Value::Null,
            ratio: Value::Unknown,
            enabled: false,
            tags: Value::Unknown,
            labels: Value::Null,
            meta: Value::Unknown,
            inner: Value::Null,
            mode: Value::Unknown,
        },
    ];
    for model in cases {
        let value = to_value(&model, &ty()).expect("to_value");
        let back: Model = from_value(&value).expect("from_value");
        assert_eq!(back, model);
    }
}

#[test]
fn serializer_shapes_values_by_type() {
    let model = Model {
        id: Value::Unknown,
        count: Value::Known(3),
        ratio: Value::Known(2.0),
        enabled: true,
        tags: Value::Known(vec!["a".into()]),
        labels: Value::Known(["x".to_owned()].into()),
        meta: Value::Null,
        inner: Value::Known(Inner {
            port: Value::Null,
            host: None,
        }),
        mode: Value::Known(Mode::Fast),
    };
    let value = to_value(&model, &ty()).expect("to_value");
    assert_eq!(value.attr("id"), Some(&cty::Value::unknown()));
    assert_eq!(
        value.attr("count"),
        Some(&cty::Value::Number(Number::Int(3)))
    );
    // A whole float is an integer, as the wire would decode it.
    assert_eq!(
        value.attr("ratio"),
        Some(&cty::Value::Number(Number::Int(2)))
    );
    assert_eq!(value.attr("tags"), Some(&cty::Value::List(vec![s("a")])));
    assert_eq!(value.attr("labels"), Some(&cty::Value::Set(vec![s("x")])));
    assert_eq!(value.attr("meta"), Some(&cty::Value::Null));
    assert_eq!(value.attr("extra"), Some(&cty::Value::Null));
    assert_eq!(value.attr("mode"), Some(&s("fast")));
    let inner = value.attr("inner").expect("inner");
    assert_eq!(inner.attr("host"), Some(&cty::Value::Null));
}

#[test]
fn errors_name_the_path() {
    let mut value = to_value(
        &Model {
            id: Value::Known("i".into()),
            count: Value::Null,
            ratio: Value::Null,
            enabled: true,
            tags: Value::Known(vec!["a".into()]),
            labels: Value::Null,
            meta: Value::Null,
            inner: Value::Known(Inner {
                port: Value::Null,
                host: None,
            }),
            mode: Value::Null,
        },
        &ty(),
    )
    .expect("to_value");
    // An unknown where the model has a plain type.
    if let cty::Value::Object(attrs) = &mut value {
        attrs.insert("enabled".into(), cty::Value::unknown());
    }
    let err = from_value::<Model>(&value).expect_err("unknown bool");
    assert_eq!(err.path(), Path::attr("enabled"));

    // A wrong type deep inside.
    if let cty::Value::Object(attrs) = &mut value {
        attrs.insert("enabled".into(), cty::Value::Bool(true));
        attrs.insert(
            "tags".into(),
            cty::Value::List(vec![s("a"), cty::Value::Bool(false)]),
        );
    }
    let err = from_value::<Model>(&value).expect_err("bool in list of strings");
    assert_eq!(err.path(), Path::attr("tags").join_index(1));
    assert!(err.to_string().starts_with("at tags[1]: "), "{err}");

    // An unknown enum value.
    if let cty::Value::Object(attrs) = &mut value {
        attrs.insert("tags".into(), cty::Value::Null);
        attrs.insert("mode".into(), s("reckless"));
    }
    let err = from_value::<Model>(&value).expect_err("bad enum");
    assert_eq!(err.path(), Path::attr("mode"));
}

#[test]
fn serializer_refuses_fields_the_schema_lacks() {
    #[derive(Serialize)]
    struct Wrong {
        nope: String,
    }
    let err = to_value(
        &Wrong { nope: "x".into() },
        &Type::object([("yes", Type::String)]),
    )
    .expect_err("extra field");
    assert!(err.message.contains("nope"), "{err}");
    let err = to_value(&Value::Known(5_i64), &Type::String).expect_err("number for string");
    assert!(err.message.contains("expects a string"), "{err}");
}

#[test]
fn numbers_read_from_every_wire_form() {
    let cases = [
        (cty::Value::Number(Number::Int(7)), 7_i64),
        (cty::Value::Number(Number::Float(7.0)), 7),
        (cty::Value::Number(Number::Decimal("7".into())), 7),
    ];
    for (value, want) in cases {
        assert_eq!(from_value::<i64>(&value).expect("i64"), want, "{value:?}");
    }
    assert_eq!(
        from_value::<f64>(&cty::Value::Number(Number::Int(2))).expect("f64"),
        2.0
    );
    assert!(from_value::<i64>(&cty::Value::Number(Number::Float(1.5))).is_err());
}
