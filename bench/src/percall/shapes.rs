//! What a resource's requests look like, built from the schema the provider served: the cty type
//! of its block, a configuration from a few given attribute values, the proposed new state
//! Terraform would send for a create, and a stored state to upgrade.
//!
//! Built from `GetProviderSchema` rather than written by hand so that both providers get
//! requests that fit their own schemas exactly, the way Terraform builds them.

use std::collections::BTreeMap;

use anyhow::{Context as _, bail};
use terraform_provider_conductorone::cty::{Number, Type, Value};
use terraform_provider_conductorone::proto::tfplugin6::schema::{
    self, Attribute, Block, NestedBlock,
};

/// The cty type of a block: one object attribute per attribute and per nested block type.
pub(crate) fn block_type(block: &Block) -> anyhow::Result<Type> {
    let mut attrs = BTreeMap::new();
    for a in &block.attributes {
        attrs.insert(a.name.clone(), attribute_type(a)?);
    }
    for nb in &block.block_types {
        attrs.insert(nb.type_name.clone(), nested_block_type(nb)?);
    }
    Ok(Type::object(attrs))
}

fn attribute_type(a: &Attribute) -> anyhow::Result<Type> {
    if let Some(nested) = &a.nested_type {
        let mut attrs = BTreeMap::new();
        for inner in &nested.attributes {
            attrs.insert(inner.name.clone(), attribute_type(inner)?);
        }
        let object = Type::object(attrs);
        return Ok(
            match schema::object::NestingMode::try_from(nested.nesting) {
                Ok(schema::object::NestingMode::Single) => object,
                Ok(schema::object::NestingMode::List) => Type::list(object),
                Ok(schema::object::NestingMode::Set) => Type::set(object),
                Ok(schema::object::NestingMode::Map) => Type::map(object),
                _ => bail!("attribute {}: unknown nesting {}", a.name, nested.nesting),
            },
        );
    }
    Type::from_json_bytes(&a.r#type).with_context(|| format!("attribute {}: type JSON", a.name))
}

fn nested_block_type(nb: &NestedBlock) -> anyhow::Result<Type> {
    let block = nb
        .block
        .as_ref()
        .with_context(|| format!("block {} has no body", nb.type_name))?;
    let object = block_type(block)?;
    Ok(match nesting(nb)? {
        Nesting::Single => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    })
}

enum Nesting {
    /// SINGLE and GROUP: one object.
    Single,
    List,
    Set,
    Map,
}

fn nesting(nb: &NestedBlock) -> anyhow::Result<Nesting> {
    use schema::nested_block::NestingMode as M;
    Ok(match M::try_from(nb.nesting) {
        Ok(M::Single | M::Group) => Nesting::Single,
        Ok(M::List) => Nesting::List,
        Ok(M::Set) => Nesting::Set,
        Ok(M::Map) => Nesting::Map,
        _ => bail!("block {}: unknown nesting {}", nb.type_name, nb.nesting),
    })
}

/// A configuration: the attributes in `set` with those values (JSON, converted to each
/// attribute's type), every other attribute null, nested blocks absent.
pub(crate) fn config(block: &Block, set: &serde_json::Value) -> anyhow::Result<Value> {
    let given = set
        .as_object()
        .context("the attribute values are not an object")?;
    for name in given.keys() {
        if !block.attributes.iter().any(|a| &a.name == name) {
            bail!("the schema has no attribute {name}");
        }
    }
    let mut out = BTreeMap::new();
    for a in &block.attributes {
        let value = match given.get(&a.name) {
            Some(v) => from_json(v, &attribute_type(a)?)
                .with_context(|| format!("attribute {}", a.name))?,
            None => Value::Null,
        };
        out.insert(a.name.clone(), value);
    }
    for nb in &block.block_types {
        let empty = match nesting(nb)? {
            Nesting::Single => Value::Null,
            Nesting::List => Value::List(Vec::new()),
            Nesting::Set => Value::Set(Vec::new()),
            Nesting::Map => Value::Map(BTreeMap::new()),
        };
        out.insert(nb.type_name.clone(), empty);
    }
    Ok(Value::Object(out))
}

/// What Terraform proposes for a create: the configuration, with every computed attribute the
/// configuration leaves null unknown. (Nested blocks are absent in these configurations.)
pub(crate) fn proposed_create(block: &Block, config: &Value) -> Value {
    let Value::Object(attrs) = config else {
        return config.clone();
    };
    let mut out = attrs.clone();
    for a in &block.attributes {
        if a.computed && out.get(&a.name).is_none_or(Value::is_null) {
            out.insert(a.name.clone(), Value::unknown());
        }
    }
    Value::Object(out)
}

/// A stored state after that create: the proposal with each unknown made known (from
/// `known`, else a placeholder of its type) and every write-only attribute null.
pub(crate) fn stored_state(
    block: &Block,
    proposed: &Value,
    known: &serde_json::Value,
) -> anyhow::Result<Value> {
    let Value::Object(attrs) = proposed else {
        bail!("the proposal is not an object");
    };
    let mut out = attrs.clone();
    for a in &block.attributes {
        let ty = attribute_type(a)?;
        if a.write_only {
            out.insert(a.name.clone(), Value::Null);
        } else if out.get(&a.name).is_some_and(Value::is_unknown) {
            let value = match known.get(&a.name) {
                Some(v) => from_json(v, &ty).with_context(|| format!("attribute {}", a.name))?,
                None => placeholder(&ty),
            };
            out.insert(a.name.clone(), value);
        }
    }
    Ok(Value::Object(out))
}

/// A known value of `ty` standing for what the API would have answered.
fn placeholder(ty: &Type) -> Value {
    match ty {
        Type::String | Type::Dynamic => Value::String("placeholder".to_owned()),
        Type::Number => Number::from_f64(1.0).map_or(Value::Null, Value::Number),
        Type::Bool => Value::Bool(false),
        Type::List(_) => Value::List(Vec::new()),
        Type::Set(_) => Value::Set(Vec::new()),
        Type::Map(_) => Value::Map(BTreeMap::new()),
        Type::Tuple(items) => Value::Tuple(items.iter().map(placeholder).collect()),
        Type::Object(o) => Value::Object(
            o.attributes
                .iter()
                .map(|(k, t)| (k.clone(), placeholder(t)))
                .collect(),
        ),
    }
}

/// A JSON value as a cty value of `ty` (strings, numbers, bools, and collections of them).
fn from_json(v: &serde_json::Value, ty: &Type) -> anyhow::Result<Value> {
    use serde_json::Value as J;
    Ok(match (v, ty) {
        (J::Null, _) => Value::Null,
        (J::String(s), Type::String) => Value::String(s.clone()),
        (J::Number(n), Type::Number) => {
            Value::Number(Number::parse(&n.to_string()).context("not a number")?)
        }
        (J::Bool(b), Type::Bool) => Value::Bool(*b),
        (J::Array(items), Type::List(el)) => Value::List(
            items
                .iter()
                .map(|i| from_json(i, el))
                .collect::<anyhow::Result<_>>()?,
        ),
        (J::Array(items), Type::Set(el)) => Value::Set(
            items
                .iter()
                .map(|i| from_json(i, el))
                .collect::<anyhow::Result<_>>()?,
        ),
        _ => bail!("cannot make a {ty:?} of {v}"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attr(name: &str, ty: &str, f: impl FnOnce(&mut Attribute)) -> Attribute {
        let mut a = Attribute {
            name: name.to_owned(),
            r#type: ty.as_bytes().to_vec(),
            ..Attribute::default()
        };
        f(&mut a);
        a
    }

    fn block() -> Block {
        Block {
            attributes: vec![
                attr("name", "\"string\"", |a| a.required = true),
                attr("id", "\"string\"", |a| a.computed = true),
                attr("count", "\"number\"", |a| {
                    a.optional = true;
                    a.computed = true;
                }),
                attr("secret", "\"string\"", |a| {
                    a.optional = true;
                    a.write_only = true;
                }),
                attr("tags", "[\"list\",\"string\"]", |a| a.optional = true),
            ],
            block_types: vec![NestedBlock {
                type_name: "timeouts".to_owned(),
                block: Some(Block::default()),
                nesting: schema::nested_block::NestingMode::Single as i32,
                ..NestedBlock::default()
            }],
            ..Block::default()
        }
    }

    #[test]
    fn a_create_proposes_unknowns_for_computed_nulls_and_stores_no_write_only_value()
    -> anyhow::Result<()> {
        let b = block();
        let ty = block_type(&b)?;
        let config = config(&b, &serde_json::json!({"name": "n", "secret": "s"}))?;
        config.check_type(&ty)?;
        assert_eq!(config.attr("timeouts"), Some(&Value::Null));
        let proposed = proposed_create(&b, &config);
        assert!(proposed.attr("id").is_some_and(Value::is_unknown));
        assert!(proposed.attr("count").is_some_and(Value::is_unknown));
        assert_eq!(proposed.attr("tags"), Some(&Value::Null), "not computed");
        assert_eq!(proposed.attr("secret"), config.attr("secret"));
        let state = stored_state(&b, &proposed, &serde_json::json!({"id": "abc"}))?;
        state.check_type(&ty)?;
        assert_eq!(state.attr("id").and_then(Value::as_str), Some("abc"));
        assert!(state.attr("count").and_then(Value::as_number).is_some());
        assert_eq!(state.attr("secret"), Some(&Value::Null));
        assert!(state.is_wholly_known());
        Ok(())
    }

    #[test]
    fn unknown_attribute_names_and_mismatched_values_are_refused() {
        let b = block();
        assert!(config(&b, &serde_json::json!({"nope": 1})).is_err());
        assert!(config(&b, &serde_json::json!({"name": 1})).is_err());
    }
}
