//! What a docs generator needs from a schema: one entry per attribute (nested ones included),
//! with its kind, type, description, and the descriptions of its validators, plan modifiers and
//! default, all from the same schema Terraform sees.

use crate::cty::Type;

use super::schema::{Attribute, AttributeType, Block, Nesting, Presence, Schema};

/// Which docs section an attribute belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DocKind {
    /// Must be set.
    Required,
    /// May be set.
    Optional,
    /// Set by the provider only ("Read-Only").
    ReadOnly,
}

/// One attribute, as the docs show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocEntry {
    /// Dotted path, e.g. `endpoint.host` (list and map elements are not numbered).
    pub path: String,
    /// Required, optional or read-only.
    pub kind: DocKind,
    /// Human type label, e.g. `String`, `List of String`, `Attributes`.
    pub type_label: String,
    /// The Markdown description.
    pub description: String,
    /// Whether the value is sensitive.
    pub sensitive: bool,
    /// Whether the value is write-only.
    pub write_only: bool,
    /// The deprecation message, when deprecated.
    pub deprecated: Option<String>,
    /// Sentences from validators, plan modifiers and the default, in that order.
    pub notes: Vec<String>,
}

fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".into(),
        Type::Number => "Number".into(),
        Type::Bool => "Boolean".into(),
        Type::Dynamic => "Dynamic".into(),
        Type::List(e) => format!("List of {}", type_label(e)),
        Type::Set(e) => format!("Set of {}", type_label(e)),
        Type::Map(e) => format!("Map of {}", type_label(e)),
        Type::Object(_) => "Object".into(),
        Type::Tuple(_) => "Tuple".into(),
    }
}

fn nesting_label(n: Nesting) -> &'static str {
    match n {
        Nesting::Single => "Attributes",
        Nesting::List => "Attributes List",
        Nesting::Set => "Attributes Set",
        Nesting::Map => "Attributes Map",
    }
}

fn entry(a: &Attribute, path: String) -> DocEntry {
    let kind = match a.presence {
        Presence::Required => DocKind::Required,
        Presence::Optional | Presence::OptionalComputed => DocKind::Optional,
        Presence::Computed => DocKind::ReadOnly,
    };
    let type_label = match &a.ty {
        AttributeType::Type(ty) => type_label(ty),
        AttributeType::Nested { nesting, .. } => nesting_label(*nesting).to_owned(),
    };
    let mut notes: Vec<String> = a
        .validators
        .iter()
        .map(|v| format!("Value {}.", v.description()))
        .collect();
    notes.extend(a.plan_modifiers.iter().map(|m| m.description()));
    if let Some(default) = &a.default {
        notes.push(format!("Defaults to `{}`.", default_text(default)));
    }
    DocEntry {
        path,
        kind,
        type_label,
        description: a.description.clone(),
        sensitive: a.sensitive,
        write_only: a.write_only,
        deprecated: a.deprecated.clone(),
        notes,
    }
}

fn default_text(v: &crate::cty::Value) -> String {
    match v {
        crate::cty::Value::String(s) => format!("{s:?}"),
        crate::cty::Value::Number(n) => n.to_string(),
        crate::cty::Value::Bool(b) => b.to_string(),
        crate::cty::Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

fn collect(attrs: &[Attribute], prefix: &str, out: &mut Vec<DocEntry>) {
    for a in attrs {
        let path = if prefix.is_empty() {
            a.name.clone()
        } else {
            format!("{prefix}.{}", a.name)
        };
        out.push(entry(a, path.clone()));
        if let Some((_, inner)) = a.nested() {
            collect(inner, &path, out);
        }
    }
}

fn collect_block(block: &Block, prefix: &str, out: &mut Vec<DocEntry>) {
    collect(&block.attributes, prefix, out);
    for nb in &block.blocks {
        let path = if prefix.is_empty() {
            nb.type_name.clone()
        } else {
            format!("{prefix}.{}", nb.type_name)
        };
        collect_block(&nb.block, &path, out);
    }
}

impl Schema {
    /// Every attribute, parents before their nested attributes, in schema order.
    #[must_use]
    pub fn doc_entries(&self) -> Vec<DocEntry> {
        let mut out = Vec::new();
        collect_block(&self.block, "", &mut out);
        out
    }

    /// The Markdown lines of the schema's relation validators (conflicts, exactly-one-of).
    #[must_use]
    pub fn doc_constraints(&self) -> Vec<String> {
        self.validators.iter().map(|v| v.description()).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::framework::TerraformModel;
    use crate::framework::plan_modifiers::UseStateForUnknown;
    use crate::framework::validators::NotBlank;
    use schemars::JsonSchema;
    use serde::{Deserialize, Serialize};

    use super::*;
    use crate::framework::{Value, schema_for};

    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct Inner {
        /// Host.
        host: Value<String>,
    }

    #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
    struct M {
        /// The ID.
        #[terraform(computed, plan(UseStateForUnknown))]
        id: Value<String>,
        /// Name.
        #[terraform(validate(NotBlank))]
        name: Value<String>,
        /// Tier.
        #[terraform(optional, computed, default = "basic")]
        tier: Value<String>,
        /// Where.
        #[terraform(optional, nested)]
        endpoint: Value<Inner>,
        /// Tags.
        #[terraform(optional)]
        tags: Value<Vec<String>>,
    }

    #[test]
    fn entries_carry_kind_type_and_notes() {
        let entries = schema_for::<M>().expect("schema").doc_entries();
        let got: Vec<(&str, DocKind, &str)> = entries
            .iter()
            .map(|e| (e.path.as_str(), e.kind, e.type_label.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("endpoint", DocKind::Optional, "Attributes"),
                ("endpoint.host", DocKind::Required, "String"),
                ("id", DocKind::ReadOnly, "String"),
                ("name", DocKind::Required, "String"),
                ("tags", DocKind::Optional, "List of String"),
                ("tier", DocKind::Optional, "String"),
            ]
        );
        let notes = |p: &str| {
            entries
                .iter()
                .find(|e| e.path == p)
                .map(|e| e.notes.clone())
                .unwrap_or_default()
        };
        assert_eq!(
            notes("id"),
            [
                "If the configuration does not set it, an update plans the value in the state instead of \"(known after apply)\"."
            ]
        );
        assert_eq!(
            notes("name"),
            ["Value must not be empty or start or end with whitespace."]
        );
        assert_eq!(notes("tier"), ["Defaults to `\"basic\"`."]);
    }
}
