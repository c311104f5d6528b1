//! One source of truth: a typed model struct defines the Terraform schema.
//!
//! The model derives `schemars::JsonSchema` (plus serde's traits) for its shape and
//! [`TerraformModel`](derive::TerraformModel) (`#[derive(TerraformModel)]`, from the
//! `framework-derive` crate) for what JSON Schema cannot say. Doc comments become descriptions,
//! serde renames become attribute names, and `#[terraform(...)]` on a field gives its options as
//! Rust values, so a misspelt option, validator or plan modifier does not compile:
//!
//! ```text
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! #[terraform(version = 0, conflicts_with(color, colors))]
//! struct Example {
//!     #[terraform(optional, computed, sensitive, plan(RequiresReplace, UseStateForUnknown))]
//!     a: Value<String>,
//!     #[terraform(required, validate(NotBlank, LengthBetween { min: 1, max: 64 }))]
//!     b: Value<String>,
//!     #[terraform(optional, computed, default = 443, validate(IntBetween { min: 1, max: 65535 }))]
//!     port: Value<i64>,
//!     #[terraform(block, max_items = 1)]
//!     timeouts: Value<Timeouts>,
//!     #[terraform(optional, nested)]
//!     endpoint: Value<Endpoint>,
//! }
//! ```
//! Without a kind, a field is required when serde requires it and optional otherwise. Struct
//! fields marked `nested` become nested attributes (single), `Vec` of structs list-nested, sets
//! of structs set-nested, maps of structs map-nested; `block` makes a nested block instead.
//! String enums get a one-of validator. The derive also writes `<Model>Paths`
//! (`Example::paths().port()`), the typed attribute paths diagnostics use.

pub mod derive;

use std::sync::Arc;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::cty::Type;

use super::bridge;
use super::schema::{Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema};
use super::validators::OneOf;
use derive::{FieldOptions, ModelOptions, TerraformModel};

/// What a typed model (of a resource, data source, identity or provider config) must be.
pub trait Model:
    Serialize + DeserializeOwned + JsonSchema + TerraformModel + Send + Sync + 'static
{
}

impl<T: Serialize + DeserializeOwned + JsonSchema + TerraformModel + Send + Sync + 'static> Model
    for T
{
}

/// Why a model could not be turned into a Terraform schema: a programming error in the model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("model {model}, at {at}: {message}")]
pub struct SchemaError {
    /// The model's JSON Schema title (its type name).
    pub model: String,
    /// Where in the model, as a dotted path.
    pub at: String,
    /// What is wrong.
    pub message: String,
}

/// The Terraform schema of model `M`: its shape from `JsonSchema`, its options (and schema
/// version) from `#[derive(TerraformModel)]`.
///
/// # Errors
/// When the model uses a shape Terraform has no form for, or its options do not fit its shape.
pub fn schema_for<M: JsonSchema + TerraformModel>() -> Result<Schema, SchemaError> {
    let settings = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true);
    let root = settings.into_generator().into_root_schema_for::<M>();
    let json = root.as_value();
    let cx = Cx {
        model: M::schema_name().into_owned(),
    };
    let obj = json
        .as_object()
        .ok_or_else(|| cx.err("", "the model is not an object"))?;
    let options = M::terraform_options();
    let block = cx.block(obj, "", &options)?;
    Ok(Schema {
        version: options.version,
        block,
        validators: options.validators,
    })
}

struct Cx {
    model: String,
}

enum Member {
    Attribute(Box<Attribute>),
    Block(NestedBlock),
}

const STRAY_EXTENSION: &str = "x-terraform extensions are not read: declare the options with \
     #[derive(TerraformModel)] and #[terraform(...)]";

impl Cx {
    fn err(&self, at: &str, message: impl Into<String>) -> SchemaError {
        SchemaError {
            model: self.model.clone(),
            at: at.to_owned(),
            message: message.into(),
        }
    }

    fn block(
        &self,
        obj: &Map<String, Json>,
        at: &str,
        options: &ModelOptions,
    ) -> Result<Block, SchemaError> {
        if obj.contains_key("x-terraform") {
            return Err(self.err(at, STRAY_EXTENSION));
        }
        let mut block = Block {
            description: description(obj),
            ..Block::default()
        };
        let required: Vec<&str> = obj
            .get("required")
            .and_then(Json::as_array)
            .map(|r| r.iter().filter_map(Json::as_str).collect())
            .unwrap_or_default();
        if let Some(props) = obj.get("properties").and_then(Json::as_object) {
            for (name, prop) in props {
                let here = if at.is_empty() {
                    name.clone()
                } else {
                    format!("{at}.{name}")
                };
                let field = options.field(name).ok_or_else(|| {
                    self.err(
                        &here,
                        "no Terraform options for this field: derive TerraformModel on the struct",
                    )
                })?;
                let serde_required = required.contains(&name.as_str());
                match self.member(name, prop, serde_required, &here, field)? {
                    Member::Attribute(a) => block.attributes.push(*a),
                    Member::Block(b) => block.blocks.push(b),
                }
            }
        }
        block.attributes.sort_by(|a, b| a.name.cmp(&b.name));
        block.blocks.sort_by(|a, b| a.type_name.cmp(&b.type_name));
        Ok(block)
    }

    /// The options of the struct inside a nested attribute or block.
    fn nested_options(&self, field: &FieldOptions, at: &str) -> Result<ModelOptions, SchemaError> {
        field.nested.map(|options| options()).ok_or_else(|| {
            self.err(
                at,
                "a struct-typed field is a nested attribute or a block: mark it \
                 #[terraform(nested)] or #[terraform(block)]",
            )
        })
    }

    fn nested_attributes(
        &self,
        obj: &Map<String, Json>,
        at: &str,
        options: &ModelOptions,
    ) -> Result<Vec<Attribute>, SchemaError> {
        let block = self.block(obj, at, options)?;
        if let Some(b) = block.blocks.first() {
            return Err(self.err(
                &format!("{at}.{}", b.type_name),
                "nested blocks cannot sit inside nested attributes",
            ));
        }
        Ok(block.attributes)
    }

    fn member(
        &self,
        name: &str,
        prop: &Json,
        serde_required: bool,
        at: &str,
        field: &FieldOptions,
    ) -> Result<Member, SchemaError> {
        let prop = prop
            .as_object()
            .ok_or_else(|| self.err(at, "a field schema must be an object"))?;
        if prop.contains_key("x-terraform") {
            return Err(self.err(at, STRAY_EXTENSION));
        }
        let (core, nullable) = strip_null(prop);

        if let Some(options) = field.block {
            let (nesting, obj) = object_shape(&core).ok_or_else(|| {
                self.err(
                    at,
                    "a block must be a struct, or a list, set or map of structs",
                )
            })?;
            let mut block = self.block(obj, at, &self.nested_options(field, at)?)?;
            block.description = description(&core);
            return Ok(Member::Block(NestedBlock {
                type_name: name.to_owned(),
                block,
                nesting,
                min_items: options.min_items,
                max_items: options.max_items,
            }));
        }

        let ty = self.attribute_type(&core, at, field)?;
        let presence = match (field.required, field.optional, field.computed) {
            (true, false, false) => Presence::Required,
            (false, true, true) => Presence::OptionalComputed,
            (false, false, true) => Presence::Computed,
            (false, true, false) => Presence::Optional,
            (false, false, false) if serde_required && !nullable => Presence::Required,
            (false, false, false) => Presence::Optional,
            _ => return Err(self.err(at, "required excludes optional and computed")),
        };
        let mut attr = Attribute::new(name, ty, presence);
        attr.description = description(prop);
        attr.sensitive = field.sensitive;
        attr.write_only = field.write_only;
        attr.deprecated = field.deprecated.map(str::to_owned);
        if let Some(values) = string_enum(&core) {
            attr.validators.push(Arc::new(OneOf(values)));
        }
        attr.validators.extend(field.validators.iter().cloned());
        attr.plan_modifiers = field.plan_modifiers.clone();
        if let Some(default) = &field.default {
            if !presence.is_computed() {
                return Err(self.err(
                    at,
                    "a default needs the attribute to be computed (and optional)",
                ));
            }
            let default = default.as_ref().map_err(|e| self.err(at, e.clone()))?;
            let value = bridge::to_value(default, &attr.value_type())
                .map_err(|e| self.err(at, e.to_string()))?;
            attr.default = Some(value);
        }
        if attr.write_only && presence.is_computed() {
            return Err(self.err(at, "a write-only attribute cannot be computed"));
        }
        Ok(Member::Attribute(Box::new(attr)))
    }

    fn attribute_type(
        &self,
        core: &Map<String, Json>,
        at: &str,
        field: &FieldOptions,
    ) -> Result<AttributeType, SchemaError> {
        if let Some((nesting, obj)) = object_shape(core) {
            let options = self.nested_options(field, at)?;
            return Ok(AttributeType::Nested {
                nesting,
                attributes: self.nested_attributes(obj, at, &options)?,
            });
        }
        self.value_type(core, at).map(AttributeType::Type)
    }

    fn value_type(&self, core: &Map<String, Json>, at: &str) -> Result<Type, SchemaError> {
        let element = |key: &str| -> Result<Type, SchemaError> {
            match core.get(key) {
                Some(Json::Object(inner)) => self.value_type(&strip_null(inner).0, at),
                Some(Json::Bool(true)) | None => Ok(Type::Dynamic),
                Some(_) => Err(self.err(at, format!("unsupported {key}"))),
            }
        };
        match type_word(core) {
            Some("string") => Ok(Type::String),
            Some("integer" | "number") => Ok(Type::Number),
            Some("boolean") => Ok(Type::Bool),
            Some("array") if unique(core) => Ok(Type::set(element("items")?)),
            Some("array") => Ok(Type::list(element("items")?)),
            Some("object") => match core.get("properties").and_then(Json::as_object) {
                Some(props) => {
                    let mut attrs = Vec::new();
                    for (k, v) in props {
                        let inner = v
                            .as_object()
                            .map(strip_null)
                            .map(|(m, _)| m)
                            .unwrap_or_default();
                        attrs.push((k.clone(), self.value_type(&inner, &format!("{at}.{k}"))?));
                    }
                    Ok(Type::object(attrs))
                }
                None => Ok(Type::map(element("additionalProperties")?)),
            },
            None if core.is_empty() => Ok(Type::Dynamic),
            other => Err(self.err(
                at,
                format!("no Terraform type for JSON Schema type {other:?}"),
            )),
        }
    }
}

/// The Markdown description: the doc comment. The `title` schemars puts on the root (the type
/// name) is not prose, so it is left out.
fn description(obj: &Map<String, Json>) -> String {
    obj.get("description")
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

fn type_word(core: &Map<String, Json>) -> Option<&str> {
    match core.get("type") {
        Some(Json::String(t)) => Some(t),
        _ if core.contains_key("enum") => Some("string"),
        _ => None,
    }
}

fn unique(core: &Map<String, Json>) -> bool {
    core.get("uniqueItems")
        .and_then(Json::as_bool)
        .unwrap_or(false)
}

/// The values of a string enum, without the `null` an `Option` adds.
fn string_enum(core: &Map<String, Json>) -> Option<Vec<String>> {
    let values = core.get("enum")?.as_array()?;
    Some(
        values
            .iter()
            .filter_map(Json::as_str)
            .map(str::to_owned)
            .collect(),
    )
}

/// When the schema describes a struct (or a list, set or map of structs): the nesting and the
/// struct's schema.
fn object_shape(core: &Map<String, Json>) -> Option<(Nesting, &Map<String, Json>)> {
    let has_props = |m: &Map<String, Json>| m.get("properties").is_some_and(Json::is_object);
    match type_word(core)? {
        "object" if has_props(core) => Some((Nesting::Single, core)),
        "object" => {
            let inner = core.get("additionalProperties")?.as_object()?;
            has_props(inner).then_some((Nesting::Map, inner))
        }
        "array" => {
            let inner = core.get("items")?.as_object()?;
            let nesting = if unique(core) {
                Nesting::Set
            } else {
                Nesting::List
            };
            has_props(inner).then_some((nesting, inner))
        }
        _ => None,
    }
}

/// The schema without the `null` alternative an `Option` adds, and whether there was one.
/// Descriptions and extensions of the outer schema are kept.
fn strip_null(prop: &Map<String, Json>) -> (Map<String, Json>, bool) {
    let (mut core, nullable) = strip_null_only(prop);
    const_enum(&mut core);
    (core, nullable)
}

fn strip_null_only(prop: &Map<String, Json>) -> (Map<String, Json>, bool) {
    let mut core = prop.clone();
    if let Some(Json::Array(types)) = prop.get("type") {
        let rest: Vec<&Json> = types
            .iter()
            .filter(|t| t.as_str() != Some("null"))
            .collect();
        let nullable = rest.len() < types.len();
        if let [only] = rest.as_slice() {
            core.insert("type".to_owned(), (*only).clone());
        }
        if let Some(Json::Array(values)) = prop.get("enum") {
            core.insert(
                "enum".to_owned(),
                Json::Array(values.iter().filter(|v| !v.is_null()).cloned().collect()),
            );
        }
        return (core, nullable);
    }
    for key in ["anyOf", "oneOf"] {
        let Some(Json::Array(options)) = prop.get(key) else {
            continue;
        };
        let is_null = |o: &Json| o.get("type").and_then(Json::as_str) == Some("null");
        let rest: Vec<&Json> = options.iter().filter(|o| !is_null(o)).collect();
        if let ([Json::Object(only)], true) = (rest.as_slice(), rest.len() < options.len()) {
            core.remove(key);
            for (k, v) in only {
                core.entry(k.clone()).or_insert_with(|| v.clone());
            }
            return (core, true);
        }
    }
    (core, false)
}

/// A string enum whose variants carry doc comments comes as one `const` per variant: make it a
/// plain string enum.
fn const_enum(core: &mut Map<String, Json>) {
    for key in ["oneOf", "anyOf"] {
        let Some(Json::Array(options)) = core.get(key) else {
            continue;
        };
        // Undocumented variants are grouped into one `enum`; documented ones get a `const` each.
        let mut consts: Vec<Json> = Vec::new();
        let all_strings = options
            .iter()
            .all(|o| match (o.get("const"), o.get("enum")) {
                (Some(Json::String(c)), _) => {
                    consts.push(Json::from(c.as_str()));
                    true
                }
                (None, Some(Json::Array(values))) if values.iter().all(Json::is_string) => {
                    consts.extend(values.iter().cloned());
                    true
                }
                _ => false,
            });
        if !all_strings || consts.is_empty() {
            continue;
        }
        core.remove(key);
        core.insert("type".to_owned(), Json::from("string"));
        core.insert("enum".to_owned(), Json::Array(consts));
        return;
    }
}

#[cfg(test)]
mod tests;
