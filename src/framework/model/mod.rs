//! One source of truth: a typed model struct defines the Terraform schema.
//!
//! The model derives `schemars::JsonSchema` (plus serde's traits). Doc comments become
//! descriptions, serde renames become attribute names, and an `x-terraform` extension on a field
//! gives what JSON Schema cannot say:
//!
//! ```text
//! #[schemars(extend("x-terraform" = {
//!     "optional": true, "computed": true, "sensitive": true, "write_only": true,
//!     "deprecated": "Use `other` instead.",
//!     "plan": ["requires_replace", "use_state_for_unknown"],
//!     "default": "value",
//!     "validate": ["not_blank", {"length": [1, 64]}, {"one_of": ["a", "b"]}, {"starts_with": "c1_"},
//!                  {"alphanumeric_plus": "-_"}, {"int_between": [1, 10]}],
//!     "block": true
//! }))]
//! ```
//! Without a kind, a field is required when serde requires it and optional otherwise. Structs
//! become nested attributes (single), `Vec` of structs list-nested, sets of structs set-nested,
//! maps of structs map-nested; `"block": true` makes a nested block instead. String enums get a
//! one-of validator. On the container, `"conflicts_with"`, `"exactly_one_of"` and
//! `"required_together"` take lists of attribute-name lists.

use std::sync::Arc;

use schemars::JsonSchema;
use schemars::generate::SchemaSettings;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Map, Value as Json};

use crate::cty::{Path, Type};

use super::bridge;
use super::plan_modifiers::{PlanModifier, RequiresReplace, UseStateForUnknown};
use super::schema::{Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema};
use super::validators::{
    AlphanumericPlus, AttributeValidator, ConfigValidator, ConflictsWith, ExactlyOneOf, IntBetween,
    LengthBetween, NotBlank, OneOf, RequiredTogether, StartsWith,
};

/// What a typed model (of a resource, data source, identity or provider config) must be.
pub trait Model: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static {}

impl<T: Serialize + DeserializeOwned + JsonSchema + Send + Sync + 'static> Model for T {}

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

/// The Terraform schema of model `M` (version 0).
///
/// # Errors
/// When the model uses a shape Terraform has no form for, or an unknown `x-terraform` key.
pub fn schema_for<M: JsonSchema>() -> Result<Schema, SchemaError> {
    let settings = SchemaSettings::draft2020_12().with(|s| s.inline_subschemas = true);
    let root = settings.into_generator().into_root_schema_for::<M>();
    let json = root.as_value();
    let cx = Cx {
        model: M::schema_name().into_owned(),
    };
    let obj = json
        .as_object()
        .ok_or_else(|| cx.err("", "the model is not an object"))?;
    let block = cx.block(obj, "")?;
    let validators = cx.config_validators(obj)?;
    Ok(Schema {
        version: 0,
        block,
        validators,
    })
}

struct Cx {
    model: String,
}

enum Member {
    Attribute(Attribute),
    Block(NestedBlock),
}

const ATTRIBUTE_KEYS: &[&str] = &[
    "required",
    "optional",
    "computed",
    "sensitive",
    "write_only",
    "deprecated",
    "plan",
    "default",
    "validate",
    "block",
    "min_items",
    "max_items",
];

impl Cx {
    fn err(&self, at: &str, message: impl Into<String>) -> SchemaError {
        SchemaError {
            model: self.model.clone(),
            at: at.to_owned(),
            message: message.into(),
        }
    }

    fn block(&self, obj: &Map<String, Json>, at: &str) -> Result<Block, SchemaError> {
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
                match self.member(name, prop, required.contains(&name.as_str()), &here)? {
                    Member::Attribute(a) => block.attributes.push(a),
                    Member::Block(b) => block.blocks.push(b),
                }
            }
        }
        block.attributes.sort_by(|a, b| a.name.cmp(&b.name));
        block.blocks.sort_by(|a, b| a.type_name.cmp(&b.type_name));
        Ok(block)
    }

    fn nested_attributes(
        &self,
        obj: &Map<String, Json>,
        at: &str,
    ) -> Result<Vec<Attribute>, SchemaError> {
        let block = self.block(obj, at)?;
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
    ) -> Result<Member, SchemaError> {
        let prop = prop
            .as_object()
            .ok_or_else(|| self.err(at, "a field schema must be an object"))?;
        let empty = Map::new();
        let ext = match prop.get("x-terraform") {
            None => &empty,
            Some(Json::Object(ext)) => ext,
            Some(_) => return Err(self.err(at, "x-terraform must be an object")),
        };
        if let Some(key) = ext.keys().find(|k| !ATTRIBUTE_KEYS.contains(&k.as_str())) {
            return Err(self.err(at, format!("unknown x-terraform key {key:?}")));
        }
        let (core, nullable) = strip_null(prop);
        let flag = |k: &str| ext.get(k).and_then(Json::as_bool).unwrap_or(false);

        if flag("block") {
            return self.nested_block(name, &core, ext, at).map(Member::Block);
        }

        let ty = self.attribute_type(&core, at)?;
        let presence = match (flag("required"), flag("optional"), flag("computed")) {
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
        attr.sensitive = flag("sensitive");
        attr.write_only = flag("write_only");
        attr.deprecated = match ext.get("deprecated") {
            None | Some(Json::Bool(false)) => None,
            Some(Json::String(msg)) => Some(msg.clone()),
            Some(Json::Bool(true)) => Some(String::new()),
            Some(_) => return Err(self.err(at, "deprecated must be a message or a bool")),
        };
        if let Some(values) = string_enum(&core) {
            attr.validators.push(Arc::new(OneOf(values)));
        }
        attr.validators
            .extend(self.validators(ext.get("validate"), at)?);
        attr.plan_modifiers = self.plan_modifiers(ext.get("plan"), at)?;
        if let Some(default) = ext.get("default") {
            if !presence.is_computed() {
                return Err(self.err(
                    at,
                    "a default needs the attribute to be computed (and optional)",
                ));
            }
            let value = bridge::to_value(default, &attr.value_type())
                .map_err(|e| self.err(at, e.to_string()))?;
            attr.default = Some(value);
        }
        if attr.write_only && presence.is_computed() {
            return Err(self.err(at, "a write-only attribute cannot be computed"));
        }
        Ok(Member::Attribute(attr))
    }

    fn nested_block(
        &self,
        name: &str,
        core: &Map<String, Json>,
        ext: &Map<String, Json>,
        at: &str,
    ) -> Result<NestedBlock, SchemaError> {
        let (nesting, obj) = match object_shape(core) {
            Some(shape) => shape,
            None => {
                return Err(self.err(
                    at,
                    "a block must be a struct, or a list, set or map of structs",
                ));
            }
        };
        let count = |k: &str| ext.get(k).and_then(Json::as_i64).unwrap_or(0);
        let mut block = self.block(obj, at)?;
        block.description = description(core);
        Ok(NestedBlock {
            type_name: name.to_owned(),
            block,
            nesting,
            min_items: count("min_items"),
            max_items: count("max_items"),
        })
    }

    fn attribute_type(
        &self,
        core: &Map<String, Json>,
        at: &str,
    ) -> Result<AttributeType, SchemaError> {
        if let Some((nesting, obj)) = object_shape(core) {
            return Ok(AttributeType::Nested {
                nesting,
                attributes: self.nested_attributes(obj, at)?,
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

    fn validators(
        &self,
        spec: Option<&Json>,
        at: &str,
    ) -> Result<Vec<Arc<dyn AttributeValidator>>, SchemaError> {
        let Some(spec) = spec else {
            return Ok(Vec::new());
        };
        let items = spec
            .as_array()
            .ok_or_else(|| self.err(at, "validate must be a list"))?;
        items.iter().map(|item| self.validator(item, at)).collect()
    }

    fn validator(&self, item: &Json, at: &str) -> Result<Arc<dyn AttributeValidator>, SchemaError> {
        let bad = || self.err(at, format!("unknown validator {item}"));
        if item.as_str() == Some("not_blank") {
            return Ok(Arc::new(NotBlank));
        }
        let obj = item.as_object().filter(|o| o.len() == 1).ok_or_else(bad)?;
        let (name, arg) = obj.iter().next().ok_or_else(bad)?;
        let pair = || -> Option<(i64, i64)> {
            let a = arg.as_array().filter(|a| a.len() == 2)?;
            Some((a[0].as_i64()?, a[1].as_i64()?))
        };
        Ok(match name.as_str() {
            "length" => {
                let (min, max) = pair().ok_or_else(bad)?;
                let min = usize::try_from(min).map_err(|_| bad())?;
                let max = usize::try_from(max).map_err(|_| bad())?;
                Arc::new(LengthBetween { min, max })
            }
            "int_between" => {
                let (min, max) = pair().ok_or_else(bad)?;
                Arc::new(IntBetween { min, max })
            }
            "one_of" => {
                let values = arg.as_array().ok_or_else(bad)?;
                Arc::new(OneOf(
                    values
                        .iter()
                        .filter_map(Json::as_str)
                        .map(str::to_owned)
                        .collect(),
                ))
            }
            "starts_with" => Arc::new(StartsWith(arg.as_str().ok_or_else(bad)?.to_owned())),
            "alphanumeric_plus" => {
                Arc::new(AlphanumericPlus(arg.as_str().ok_or_else(bad)?.to_owned()))
            }
            _ => return Err(bad()),
        })
    }

    fn plan_modifiers(
        &self,
        spec: Option<&Json>,
        at: &str,
    ) -> Result<Vec<Arc<dyn PlanModifier>>, SchemaError> {
        let Some(spec) = spec else {
            return Ok(Vec::new());
        };
        let items = spec
            .as_array()
            .ok_or_else(|| self.err(at, "plan must be a list"))?;
        items
            .iter()
            .map(|item| -> Result<Arc<dyn PlanModifier>, SchemaError> {
                match item.as_str() {
                    Some("requires_replace") => Ok(Arc::new(RequiresReplace)),
                    Some("use_state_for_unknown") => Ok(Arc::new(UseStateForUnknown)),
                    _ => Err(self.err(at, format!("unknown plan modifier {item}"))),
                }
            })
            .collect()
    }

    fn config_validators(
        &self,
        obj: &Map<String, Json>,
    ) -> Result<Vec<Arc<dyn ConfigValidator>>, SchemaError> {
        let mut out: Vec<Arc<dyn ConfigValidator>> = Vec::new();
        let Some(ext) = obj.get("x-terraform").and_then(Json::as_object) else {
            return Ok(out);
        };
        for (key, groups) in ext {
            let groups = groups
                .as_array()
                .ok_or_else(|| self.err("", format!("{key} must be a list of lists")))?;
            for group in groups {
                let names = group
                    .as_array()
                    .ok_or_else(|| self.err("", format!("{key} must be a list of lists")))?;
                let paths: Vec<Path> = names
                    .iter()
                    .filter_map(Json::as_str)
                    .map(Path::attr)
                    .collect();
                out.push(match key.as_str() {
                    "conflicts_with" => Arc::new(ConflictsWith(paths)),
                    "exactly_one_of" => Arc::new(ExactlyOneOf(paths)),
                    "required_together" => Arc::new(RequiredTogether(paths)),
                    _ => {
                        return Err(
                            self.err("", format!("unknown container x-terraform key {key:?}"))
                        );
                    }
                });
            }
        }
        Ok(out)
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
