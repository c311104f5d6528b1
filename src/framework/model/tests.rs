use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::cty;
use crate::framework::Value;

/// An endpoint to reach.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
struct Endpoint {
    /// Host name.
    host: Value<String>,
    /// Port number.
    #[schemars(extend("x-terraform" = {"optional": true, "computed": true, "default": 443}))]
    port: Value<i64>,
}

#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
enum Color {
    /// Documented variants make schemars write one `const` per variant.
    Red,
    Blue,
}

/// A thing for tests.
#[derive(Debug, Serialize, Deserialize, JsonSchema)]
#[schemars(extend("x-terraform" = {"conflicts_with": [["color", "colors"]]}))]
struct Thing {
    /// The ID.
    #[schemars(extend("x-terraform" = {"computed": true, "plan": ["use_state_for_unknown"]}))]
    id: Value<String>,
    /// The name, **Markdown** allowed.
    #[schemars(extend("x-terraform" = {"plan": ["requires_replace"], "validate": ["not_blank", {"length": [1, 8]}]}))]
    name: Value<String>,
    /// A secret token.
    #[schemars(extend("x-terraform" = {"optional": true, "sensitive": true, "write_only": true}))]
    token: Value<String>,
    /// An optional count.
    count: Option<i64>,
    /// Tags.
    #[serde(default)]
    tags: Value<Vec<String>>,
    /// Labels.
    #[schemars(extend("x-terraform" = {"optional": true}))]
    labels: Value<BTreeSet<String>>,
    /// Where to connect.
    #[schemars(extend("x-terraform" = {"optional": true}))]
    endpoint: Value<Endpoint>,
    /// More endpoints.
    #[schemars(extend("x-terraform" = {"optional": true}))]
    mirrors: Value<Vec<Endpoint>>,
    /// One color.
    #[schemars(extend("x-terraform" = {"optional": true, "deprecated": "Use colors."}))]
    color: Value<Color>,
    /// Colors.
    #[schemars(extend("x-terraform" = {"optional": true}))]
    colors: Value<Vec<Color>>,
}

fn attr<'a>(schema: &'a Schema, name: &str) -> &'a Attribute {
    schema
        .block
        .attribute(name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

#[test]
fn kinds_types_and_descriptions_come_from_the_model() {
    let schema = schema_for::<Thing>().expect("schema");
    assert_eq!(schema.block.description, "A thing for tests.");
    let names: Vec<&str> = schema
        .block
        .attributes
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "color", "colors", "count", "endpoint", "id", "labels", "mirrors", "name", "tags",
            "token"
        ]
    );

    let cases: &[(&str, Presence, bool, bool)] = &[
        ("id", Presence::Computed, false, false),
        ("name", Presence::Required, false, false),
        ("token", Presence::Optional, true, true),
        ("count", Presence::Optional, false, false),
        ("tags", Presence::Optional, false, false),
        ("endpoint", Presence::Optional, false, false),
    ];
    for (name, presence, sensitive, write_only) in cases {
        let a = attr(&schema, name);
        assert_eq!(a.presence, *presence, "{name}");
        assert_eq!(a.sensitive, *sensitive, "{name}");
        assert_eq!(a.write_only, *write_only, "{name}");
    }
    assert_eq!(
        attr(&schema, "name").description,
        "The name, **Markdown** allowed."
    );
    assert_eq!(
        attr(&schema, "color").deprecated.as_deref(),
        Some("Use colors.")
    );

    let endpoint_ty = cty::Type::object([("host", cty::Type::String), ("port", cty::Type::Number)]);
    let types: &[(&str, cty::Type)] = &[
        ("count", cty::Type::Number),
        ("tags", cty::Type::list(cty::Type::String)),
        ("labels", cty::Type::set(cty::Type::String)),
        ("endpoint", endpoint_ty.clone()),
        ("mirrors", cty::Type::list(endpoint_ty)),
        ("color", cty::Type::String),
        ("colors", cty::Type::list(cty::Type::String)),
    ];
    for (name, ty) in types {
        assert_eq!(&attr(&schema, name).value_type(), ty, "{name}");
    }
    let (nesting, inner) = attr(&schema, "mirrors").nested().expect("nested");
    assert_eq!(nesting, Nesting::List);
    assert_eq!(inner[0].description, "Host name.");
    assert_eq!(
        inner[1].default,
        Some(cty::Value::Number(cty::Number::Int(443)))
    );
    assert_eq!(inner[1].presence, Presence::OptionalComputed);
}

#[test]
fn validators_modifiers_and_enums_are_attached() {
    let schema = schema_for::<Thing>().expect("schema");
    let descriptions =
        |a: &Attribute| -> Vec<String> { a.validators.iter().map(|v| v.description()).collect() };
    assert_eq!(
        descriptions(attr(&schema, "name")),
        [
            "must not be empty or start or end with whitespace",
            "must be between 1 and 8 characters long"
        ]
    );
    assert_eq!(
        descriptions(attr(&schema, "color")),
        ["must be one of `blue`, `red`"]
    );
    assert_eq!(attr(&schema, "name").plan_modifiers.len(), 1);
    assert_eq!(
        attr(&schema, "id").plan_modifiers[0].description(),
        "If the configuration does not set it, an update plans the value in the state instead of \"(known after apply)\"."
    );
    assert_eq!(schema.validators.len(), 1);
    assert_eq!(
        schema.validators[0].description(),
        "At most one of `color`, `colors` may be set."
    );
}

#[test]
fn mistakes_in_the_model_are_errors() {
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Typo {
        #[schemars(extend("x-terraform" = {"optinal": true}))]
        a: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct DefaultNotComputed {
        #[schemars(extend("x-terraform" = {"optional": true, "default": "x"}))]
        a: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct BadDefault {
        #[schemars(extend("x-terraform" = {"optional": true, "computed": true, "default": 3}))]
        a: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct ComputedWriteOnly {
        #[schemars(extend("x-terraform" = {"computed": true, "write_only": true}))]
        a: Value<String>,
    }
    let errors = [
        schema_for::<Typo>().expect_err("typo").message,
        schema_for::<DefaultNotComputed>()
            .expect_err("default")
            .message,
        schema_for::<BadDefault>().expect_err("bad default").message,
        schema_for::<ComputedWriteOnly>()
            .expect_err("computed write-only")
            .message,
    ];
    assert!(errors[0].contains("optinal"), "{errors:?}");
    assert!(errors[1].contains("computed"), "{errors:?}");
    assert!(errors[2].contains("expects a string"), "{errors:?}");
    assert!(errors[3].contains("write-only"), "{errors:?}");
}

#[test]
fn blocks_are_opt_in() {
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct Timeouts {
        create: Option<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema)]
    struct WithBlock {
        #[schemars(extend("x-terraform" = {"block": true, "max_items": 1}))]
        timeouts: Vec<Timeouts>,
    }
    let schema = schema_for::<WithBlock>().expect("schema");
    assert!(schema.block.attributes.is_empty());
    let b = &schema.block.blocks[0];
    assert_eq!(
        (b.type_name.as_str(), b.nesting, b.max_items),
        ("timeouts", Nesting::List, 1)
    );
    assert_eq!(
        schema.value_type(),
        cty::Type::object([(
            "timeouts",
            cty::Type::list(cty::Type::object([("create", cty::Type::String)]))
        )])
    );
}
