//! The documentation model: what a page needs to know about a schema, and nothing of how the
//! framework represents it. [`crate::from_framework`] fills it from the provider's schema; tests
//! build it by hand.

/// The documentation of a whole provider: its own configuration, resources, data sources, list
/// resources and actions.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderDocs {
    /// The provider's local name, e.g. `conductorone`.
    pub name: String,
    /// The schema of the `provider` block.
    pub provider: Schema,
    /// Resource type names (with the provider prefix) and their schemas.
    pub resources: Vec<(String, Schema)>,
    /// Data source type names (with the provider prefix) and their schemas.
    pub data_sources: Vec<(String, Schema)>,
    /// List resource type names (for `terraform query`) and the schemas of their `config` block.
    pub list_resources: Vec<(String, Schema)>,
    /// Action type names and the schemas of their `config` block.
    pub actions: Vec<(String, Schema)>,
}

/// One schema: a provider configuration, a resource, a data source, or the `config` block of a
/// list resource or an action.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Schema {
    /// Markdown describing the whole thing; its first paragraph becomes the page's front-matter description.
    pub description: String,
    /// Top-level attributes.
    pub attributes: Vec<Attribute>,
    /// Top-level nested blocks.
    pub blocks: Vec<Block>,
    /// The resource identity's attributes (Terraform 1.12 and later), when the resource has one.
    pub identity: Vec<IdentityAttribute>,
}

/// One attribute, possibly with nested attributes of its own.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Attribute {
    /// The attribute's name.
    pub name: String,
    /// Its type as the docs show it: `String`, `List of String`, `Map of Number`, `Object` ….
    /// Ignored when [`Attribute::nested`] is set.
    pub type_label: String,
    /// Markdown description; sentences from defaults, validators and plan modifiers already appended.
    pub description: String,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Terraform hides its value in plan output.
    pub sensitive: bool,
    /// Never stored in plan or state (Terraform 1.11 and later).
    pub write_only: bool,
    /// A deprecation message, when the attribute is deprecated.
    pub deprecated: Option<String>,
    /// Attributes of a nested-attribute type (`nested_type` in the protocol).
    pub nested: Option<NestedAttributes>,
    /// Attributes of an object type (or list/set/map of objects), which carry no descriptions.
    pub object_fields: Vec<ObjectField>,
}

/// How values of a nested attribute or block are collected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Nesting {
    /// One object.
    #[default]
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// The attributes inside a nested attribute.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct NestedAttributes {
    /// How the objects are collected.
    pub nesting: Nesting,
    /// The objects' attributes.
    pub attributes: Vec<Attribute>,
}

/// One field of an object type, shown by name and type only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ObjectField {
    /// The field's name.
    pub name: String,
    /// Its type label.
    pub type_label: String,
}

/// A nested block, such as `timeouts { … }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Block {
    /// The block's type name.
    pub name: String,
    /// Markdown description.
    pub description: String,
    /// How the block's instances are collected.
    pub nesting: Nesting,
    /// Fewest instances; a block with at least one is required.
    pub min_items: u64,
    /// Most instances; 0 means no limit.
    pub max_items: u64,
    /// A deprecation message, when the block is deprecated.
    pub deprecated: Option<String>,
    /// The block's attributes.
    pub attributes: Vec<Attribute>,
    /// The block's own nested blocks.
    pub blocks: Vec<Block>,
}

/// One attribute of a resource identity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IdentityAttribute {
    /// The attribute's name.
    pub name: String,
    /// Its type label.
    pub type_label: String,
    /// Markdown description.
    pub description: String,
    /// Must be given in an import block's `identity`.
    pub required_for_import: bool,
}

impl Schema {
    /// Paths (dotted) of every attribute, block and identity attribute whose description is blank.
    pub fn undescribed(&self) -> Vec<String> {
        let mut missing = Vec::new();
        if self.description.trim().is_empty() {
            missing.push("(schema description)".to_owned());
        }
        collect_attributes("", &self.attributes, &mut missing);
        collect_blocks("", &self.blocks, &mut missing);
        for attr in &self.identity {
            if attr.description.trim().is_empty() {
                missing.push(format!("identity.{}", attr.name));
            }
        }
        missing
    }
}

fn collect_attributes(prefix: &str, attributes: &[Attribute], missing: &mut Vec<String>) {
    for attr in attributes {
        let path = format!("{prefix}{}", attr.name);
        if attr.description.trim().is_empty() {
            missing.push(path.clone());
        }
        if let Some(nested) = &attr.nested {
            collect_attributes(&format!("{path}."), &nested.attributes, missing);
        }
    }
}

fn collect_blocks(prefix: &str, blocks: &[Block], missing: &mut Vec<String>) {
    for block in blocks {
        let path = format!("{prefix}{}", block.name);
        if block.description.trim().is_empty() {
            missing.push(path.clone());
        }
        collect_attributes(&format!("{path}."), &block.attributes, missing);
        collect_blocks(&format!("{path}."), &block.blocks, missing);
    }
}
