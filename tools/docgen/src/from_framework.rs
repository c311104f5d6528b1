//! Fills the docs model from the framework's schemas, so the docs say exactly what the provider
//! tells Terraform. The tree (nested attributes, blocks) comes from the schema itself; each
//! attribute's words (type label, section, description and the sentences of its validators, plan
//! modifiers and default) come from the framework's [`fw::Schema::doc_entries`], and the schema's
//! relation rules from [`fw::Schema::doc_constraints`].

use std::collections::HashMap;

use terraform_provider_conductorone::cty::Type;
use terraform_provider_conductorone::framework::docs::{DocEntry, DocKind};
use terraform_provider_conductorone::framework::schema::{self as fw, AttributeType};

use crate::model::{
    Attribute, Block, IdentityAttribute, NestedAttributes, Nesting, ObjectField, ProviderDocs,
    Schema,
};

/// A resource as docgen needs it: type name, schema, and identity schema when it has one.
#[derive(Debug, Clone, Copy)]
pub struct ResourceSchemas<'a> {
    /// Full type name, e.g. `conductorone_xero_integration`.
    pub type_name: &'a str,
    /// The resource's schema.
    pub schema: &'a fw::Schema,
    /// The resource identity's schema (Terraform 1.12 and later).
    pub identity: Option<&'a fw::Schema>,
}

/// The docs model of a provider named `name` with these schemas.
pub fn provider_docs_from(
    name: &str,
    provider: &fw::Schema,
    resources: &[ResourceSchemas<'_>],
    data_sources: &[(&str, &fw::Schema)],
) -> ProviderDocs {
    let mut resources: Vec<(String, Schema)> = resources
        .iter()
        .map(|r| {
            let mut schema = schema(r.schema);
            if let Some(identity) = r.identity {
                schema.identity = identity_attributes(identity);
            }
            (r.type_name.to_owned(), schema)
        })
        .collect();
    let mut data_sources: Vec<(String, Schema)> = data_sources
        .iter()
        .map(|(name, s)| ((*name).to_owned(), schema(s)))
        .collect();
    resources.sort_by(|a, b| a.0.cmp(&b.0));
    data_sources.sort_by(|a, b| a.0.cmp(&b.0));
    ProviderDocs {
        name: name.to_owned(),
        provider: schema(provider),
        resources,
        data_sources,
        list_resources: Vec::new(),
        actions: Vec::new(),
    }
}

/// The docs models of named schemas (list resources' or actions' `config` blocks), by name.
pub fn named_schemas(schemas: &[(&str, &fw::Schema)]) -> Vec<(String, Schema)> {
    let mut out: Vec<(String, Schema)> = schemas
        .iter()
        .map(|(name, s)| ((*name).to_owned(), schema(s)))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The docs model of one framework schema.
pub fn schema(schema: &fw::Schema) -> Schema {
    let mut description = schema.block.description.trim().to_owned();
    let rules: Vec<String> = schema
        .doc_constraints()
        .iter()
        .map(|rule| sentence(rule))
        .collect();
    if !rules.is_empty() {
        description.push_str("\n\n");
        description.push_str(&rules.join(" "));
    }
    let entries: HashMap<String, DocEntry> = schema
        .doc_entries()
        .into_iter()
        .map(|entry| (entry.path.clone(), entry))
        .collect();
    let cx = Entries(&entries);
    Schema {
        description,
        attributes: schema
            .block
            .attributes
            .iter()
            .map(|a| cx.attribute("", a))
            .collect(),
        blocks: schema
            .block
            .blocks
            .iter()
            .map(|b| cx.block("", b))
            .collect(),
        identity: Vec::new(),
    }
}

/// The framework's doc entries of one schema, by dotted path.
struct Entries<'a>(&'a HashMap<String, DocEntry>);

fn identity_attributes(identity: &fw::Schema) -> Vec<IdentityAttribute> {
    identity
        .block
        .attributes
        .iter()
        .map(|a| IdentityAttribute {
            name: a.name.clone(),
            type_label: type_label(&a.value_type()),
            description: a.description.trim().to_owned(),
            required_for_import: a.presence == fw::Presence::Required,
        })
        .collect()
}

impl Entries<'_> {
    fn attribute(&self, parent: &str, attr: &fw::Attribute) -> Attribute {
        let path = child_path(parent, &attr.name);
        let entry = self.0.get(&path);
        let mut description = entry
            .map_or(attr.description.as_str(), |e| e.description.as_str())
            .trim()
            .to_owned();
        // Only a described attribute gets the extra sentences: the freshness check must still
        // see a missing description as missing.
        let notes: Vec<String> = entry
            .map(|e| e.notes.iter().map(|n| sentence(n)).collect())
            .unwrap_or_default();
        if !description.is_empty() && !notes.is_empty() {
            description.push(' ');
            description.push_str(&notes.join(" "));
        }
        let (nested, object_fields) = match &attr.ty {
            AttributeType::Nested {
                nesting,
                attributes,
            } => (
                Some(NestedAttributes {
                    nesting: nesting_of(*nesting),
                    attributes: attributes
                        .iter()
                        .map(|a| self.attribute(&path, a))
                        .collect(),
                }),
                Vec::new(),
            ),
            AttributeType::Type(ty) => (None, object_fields(ty)),
        };
        let kind = entry.map(|e| e.kind);
        Attribute {
            name: attr.name.clone(),
            type_label: entry
                .map_or_else(|| type_label(&attr.value_type()), |e| e.type_label.clone()),
            description,
            required: kind == Some(DocKind::Required),
            optional: kind == Some(DocKind::Optional),
            computed: attr.presence.is_computed(),
            sensitive: attr.sensitive,
            write_only: attr.write_only,
            deprecated: attr.deprecated.clone(),
            nested,
            object_fields,
        }
    }

    fn block(&self, parent: &str, nested: &fw::NestedBlock) -> Block {
        let path = child_path(parent, &nested.type_name);
        Block {
            name: nested.type_name.clone(),
            description: nested.block.description.trim().to_owned(),
            nesting: nesting_of(nested.nesting),
            min_items: u64::try_from(nested.min_items).unwrap_or(0),
            max_items: u64::try_from(nested.max_items).unwrap_or(0),
            deprecated: nested.block.deprecated.clone(),
            attributes: nested
                .block
                .attributes
                .iter()
                .map(|a| self.attribute(&path, a))
                .collect(),
            blocks: nested
                .block
                .blocks
                .iter()
                .map(|b| self.block(&path, b))
                .collect(),
        }
    }
}

fn child_path(parent: &str, name: &str) -> String {
    if parent.is_empty() {
        name.to_owned()
    } else {
        format!("{parent}.{name}")
    }
}

fn nesting_of(nesting: fw::Nesting) -> Nesting {
    match nesting {
        fw::Nesting::Single => Nesting::Single,
        fw::Nesting::List => Nesting::List,
        fw::Nesting::Set => Nesting::Set,
        fw::Nesting::Map => Nesting::Map,
    }
}

/// How the docs name a type: `String`, `List of Number`, `Map of Object` ….
pub fn type_label(ty: &Type) -> String {
    match ty {
        Type::String => "String".to_owned(),
        Type::Number => "Number".to_owned(),
        Type::Bool => "Boolean".to_owned(),
        Type::Dynamic => "Dynamic".to_owned(),
        Type::List(inner) => format!("List of {}", type_label(inner)),
        Type::Set(inner) => format!("Set of {}", type_label(inner)),
        Type::Map(inner) => format!("Map of {}", type_label(inner)),
        Type::Object(_) => "Object".to_owned(),
        Type::Tuple(_) => "Tuple".to_owned(),
    }
}

/// The fields of an object type, or of the objects a collection holds.
fn object_fields(ty: &Type) -> Vec<ObjectField> {
    match ty {
        Type::Object(object) => object
            .attributes
            .iter()
            .map(|(name, ty)| ObjectField {
                name: name.clone(),
                type_label: type_label(ty),
            })
            .collect(),
        Type::List(inner) | Type::Set(inner) | Type::Map(inner) => object_fields(inner),
        _ => Vec::new(),
    }
}

/// `text` as a sentence: first letter upper-case, ending in a full stop.
fn sentence(text: &str) -> String {
    let text = text.trim();
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?']) {
        out.push('.');
    }
    out
}
