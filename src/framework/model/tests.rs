use std::collections::BTreeSet;

use crate::framework::TerraformModel;
use crate::framework::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use crate::framework::validators::{LengthBetween, NotBlank};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::cty;
use crate::cty::Path;
use crate::framework::Value;

/// An endpoint to reach.
#[derive(Debug, Serialize, Deserialize, JsonSchema, TerraformModel)]
struct Endpoint {
    /// Host name.
    host: Value<String>,
    /// Port number.
    #[terraform(optional, computed, default = 443)]
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
#[derive(Debug, Serialize, Deserialize, JsonSchema, TerraformModel)]
#[terraform(conflicts_with(color, colors))]
struct Thing {
    /// The ID.
    #[terraform(computed, plan(UseStateForUnknown))]
    id: Value<String>,
    /// The name, **Markdown** allowed.
    #[terraform(validate(NotBlank, LengthBetween { min: 1, max: 8 }), plan(RequiresReplace))]
    name: Value<String>,
    /// A secret token.
    #[terraform(optional, sensitive, write_only)]
    token: Value<String>,
    /// An optional count.
    count: Option<i64>,
    /// Tags.
    #[serde(default)]
    tags: Value<Vec<String>>,
    /// Labels.
    #[terraform(optional)]
    labels: Value<BTreeSet<String>>,
    /// Where to connect.
    #[terraform(optional, nested)]
    endpoint: Value<Endpoint>,
    /// More endpoints.
    #[terraform(optional, nested)]
    mirrors: Value<Vec<Endpoint>>,
    /// One color.
    #[terraform(optional, deprecated = "Use colors.")]
    color: Value<Color>,
    /// Colors.
    #[terraform(optional)]
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

/// Mistakes the compiler cannot see are schema errors; the others do not compile (see the
/// `compile_fail` examples in `model::derive`).
#[test]
fn mistakes_in_the_model_are_errors() {
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct LeftoverExtension {
        #[schemars(extend("x-terraform" = {"optional": true}))]
        a: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct BadDefault {
        #[terraform(optional, computed, default = 3)]
        a: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct Inner {
        b: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct UnmarkedStruct {
        #[terraform(optional)]
        inner: Value<Inner>,
    }
    let errors = [
        schema_for::<LeftoverExtension>()
            .expect_err("extension")
            .message,
        schema_for::<BadDefault>().expect_err("bad default").message,
        schema_for::<UnmarkedStruct>()
            .expect_err("unmarked struct")
            .message,
    ];
    assert!(errors[0].contains("#[terraform(...)]"), "{errors:?}");
    assert!(errors[1].contains("expects a string"), "{errors:?}");
    assert!(errors[2].contains("#[terraform(nested)]"), "{errors:?}");
}

#[test]
fn typed_paths_name_the_attributes() {
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct Inner {
        #[serde(rename = "type")]
        kind: Value<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct Outer {
        #[terraform(optional, nested)]
        inner: Value<Inner>,
        #[terraform(block)]
        many: Vec<Inner>,
        plain: Value<String>,
    }
    assert_eq!(Outer::paths().plain(), Path::attr("plain"));
    assert_eq!(
        Outer::paths().inner().kind(),
        Path::attr("inner").join_attr("type")
    );
    assert_eq!(Outer::paths().inner().at(), Path::attr("inner"));
    assert_eq!(Outer::paths().many(), Path::attr("many"));
    assert!(Outer::paths().at().is_root());
}

#[test]
fn the_schema_version_comes_from_the_declaration() {
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    #[terraform(version = 3)]
    struct Versioned {
        a: Value<String>,
    }
    assert_eq!(schema_for::<Versioned>().expect("schema").version, 3);
}

#[test]
fn blocks_are_opt_in() {
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct Timeouts {
        create: Option<String>,
    }
    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct WithBlock {
        #[terraform(block, max_items = 1)]
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
