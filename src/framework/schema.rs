//! The Terraform schema of a provider, resource or data source: attributes, nested attributes and
//! nested blocks, with their kinds, descriptions, validators, plan modifiers and defaults.
//!
//! Schemas are usually derived from a typed model (see [`super::model`]); this module is the
//! shape they take. Descriptions are Markdown.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::cty::{self, Type};

use super::plan_modifiers::PlanModifier;
use super::validators::{AttributeValidator, ConfigValidator};

/// A versioned schema: the block of a resource, data source or provider configuration.
#[derive(Debug, Clone, Default)]
pub struct Schema {
    /// The schema version, raised when stored state needs an upgrade.
    pub version: i64,
    /// The top-level block.
    pub block: Block,
    /// Checks of relations between attributes (conflicts, exactly-one-of).
    pub validators: Vec<Arc<dyn ConfigValidator>>,
}

/// A block: attributes and nested blocks.
#[derive(Debug, Clone, Default)]
pub struct Block {
    /// Attributes, sorted by name.
    pub attributes: Vec<Attribute>,
    /// Nested blocks, sorted by type name.
    pub blocks: Vec<NestedBlock>,
    /// Markdown description.
    pub description: String,
    /// Deprecation message; `Some` marks the block deprecated.
    pub deprecated: Option<String>,
}

/// Whether the user must, may, or may not set an attribute, and whether the provider fills it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Presence {
    /// The user must set it.
    Required,
    /// The user may set it; the provider does not fill it.
    Optional,
    /// Only the provider sets it.
    Computed,
    /// The user may set it; otherwise the provider fills it.
    OptionalComputed,
}

impl Presence {
    /// Whether the provider may choose the value.
    #[must_use]
    pub fn is_computed(self) -> bool {
        matches!(self, Self::Computed | Self::OptionalComputed)
    }

    /// Whether the user may write the attribute in configuration.
    #[must_use]
    pub fn is_configurable(self) -> bool {
        !matches!(self, Self::Computed)
    }
}

/// How a nested attribute object or nested block repeats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nesting {
    /// One object (null when absent, for attributes).
    Single,
    /// A list of objects.
    List,
    /// A set of objects.
    Set,
    /// A map of objects.
    Map,
}

/// An attribute's value type: a plain cty type, or nested attributes.
#[derive(Debug, Clone)]
pub enum AttributeType {
    /// A cty type (`string`, `list(string)`, …).
    Type(Type),
    /// An object (or collection of objects) of nested attributes.
    Nested {
        /// How the object repeats.
        nesting: Nesting,
        /// The object's attributes, sorted by name.
        attributes: Vec<Attribute>,
    },
}

/// One attribute of a block or of a nested attribute object.
#[derive(Debug, Clone)]
pub struct Attribute {
    /// The name as written in configuration.
    pub name: String,
    /// The value type.
    pub ty: AttributeType,
    /// Markdown description.
    pub description: String,
    /// Required, optional, computed or both.
    pub presence: Presence,
    /// Terraform hides the value in plan output.
    pub sensitive: bool,
    /// Terraform passes the value from configuration but never stores it (Terraform 1.11+).
    pub write_only: bool,
    /// Deprecation message; `Some` marks the attribute deprecated.
    pub deprecated: Option<String>,
    /// Checks of the configured value.
    pub validators: Vec<Arc<dyn AttributeValidator>>,
    /// Steps adjusting the planned value.
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
    /// The value planned when the configuration leaves a computed attribute null.
    pub default: Option<cty::Value>,
}

impl Attribute {
    /// An attribute of type `ty` with no description, validators or modifiers.
    #[must_use]
    pub fn new(name: impl Into<String>, ty: AttributeType, presence: Presence) -> Self {
        Self {
            name: name.into(),
            ty,
            description: String::new(),
            presence,
            sensitive: false,
            write_only: false,
            deprecated: None,
            validators: Vec::new(),
            plan_modifiers: Vec::new(),
            default: None,
        }
    }

    /// The cty type of the attribute's value.
    #[must_use]
    pub fn value_type(&self) -> Type {
        match &self.ty {
            AttributeType::Type(ty) => ty.clone(),
            AttributeType::Nested {
                nesting,
                attributes,
            } => nesting_type(*nesting, object_type(attributes)),
        }
    }

    /// The nested attributes, when this is a nested attribute.
    #[must_use]
    pub fn nested(&self) -> Option<(Nesting, &[Attribute])> {
        match &self.ty {
            AttributeType::Nested {
                nesting,
                attributes,
            } => Some((*nesting, attributes)),
            AttributeType::Type(_) => None,
        }
    }
}

/// A nested block of a block.
#[derive(Debug, Clone)]
pub struct NestedBlock {
    /// The block's type name as written in configuration.
    pub type_name: String,
    /// The block's contents.
    pub block: Block,
    /// How the block repeats.
    pub nesting: Nesting,
    /// Fewest occurrences accepted (list and set only).
    pub min_items: i64,
    /// Most occurrences accepted, 0 for no limit (list and set only).
    pub max_items: i64,
}

fn object_type(attributes: &[Attribute]) -> Type {
    Type::object(attributes.iter().map(|a| (a.name.clone(), a.value_type())))
}

fn nesting_type(nesting: Nesting, object: Type) -> Type {
    match nesting {
        Nesting::Single => object,
        Nesting::List => Type::list(object),
        Nesting::Set => Type::set(object),
        Nesting::Map => Type::map(object),
    }
}

impl Block {
    /// The cty object type of a value of this block.
    #[must_use]
    pub fn value_type(&self) -> Type {
        let mut attrs: BTreeMap<String, Type> = self
            .attributes
            .iter()
            .map(|a| (a.name.clone(), a.value_type()))
            .collect();
        for nb in &self.blocks {
            attrs.insert(
                nb.type_name.clone(),
                nesting_type(nb.nesting, nb.block.value_type()),
            );
        }
        Type::object(attrs)
    }

    /// The attribute named `name`.
    #[must_use]
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes.iter().find(|a| a.name == name)
    }

    /// The attribute named `name`, for adjusting a derived schema in code.
    pub fn attribute_mut(&mut self, name: &str) -> Option<&mut Attribute> {
        self.attributes.iter_mut().find(|a| a.name == name)
    }
}

impl Schema {
    /// A schema of version 0 with `block`.
    #[must_use]
    pub fn new(block: Block) -> Self {
        Self {
            version: 0,
            block,
            validators: Vec::new(),
        }
    }

    /// The cty type of a whole value (config, plan or state) of this schema.
    #[must_use]
    pub fn value_type(&self) -> Type {
        self.block.value_type()
    }

    /// The top-level attribute named `name`, for adjusting a derived schema in code.
    pub fn attribute_mut(&mut self, name: &str) -> Option<&mut Attribute> {
        self.block.attribute_mut(name)
    }

    /// Whether any attribute, at any depth, is write-only.
    #[must_use]
    pub fn has_write_only(&self) -> bool {
        fn any(attrs: &[Attribute]) -> bool {
            attrs
                .iter()
                .any(|a| a.write_only || a.nested().is_some_and(|(_, inner)| any(inner)))
        }
        fn block(b: &Block) -> bool {
            any(&b.attributes) || b.blocks.iter().any(|nb| block(&nb.block))
        }
        block(&self.block)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_type_of_nested_attributes_and_blocks() {
        let inner = vec![Attribute::new(
            "port",
            AttributeType::Type(Type::Number),
            Presence::Optional,
        )];
        let block = Block {
            attributes: vec![
                Attribute::new(
                    "name",
                    AttributeType::Type(Type::String),
                    Presence::Required,
                ),
                Attribute::new(
                    "endpoint",
                    AttributeType::Nested {
                        nesting: Nesting::Single,
                        attributes: inner.clone(),
                    },
                    Presence::Optional,
                ),
                Attribute::new(
                    "rules",
                    AttributeType::Nested {
                        nesting: Nesting::Set,
                        attributes: inner.clone(),
                    },
                    Presence::Optional,
                ),
            ],
            blocks: vec![NestedBlock {
                type_name: "timeouts".into(),
                block: Block {
                    attributes: inner,
                    ..Block::default()
                },
                nesting: Nesting::List,
                min_items: 0,
                max_items: 1,
            }],
            ..Block::default()
        };
        let port = Type::object([("port", Type::Number)]);
        let want = Type::object([
            ("name", Type::String),
            ("endpoint", port.clone()),
            ("rules", Type::set(port.clone())),
            ("timeouts", Type::list(port)),
        ]);
        assert_eq!(Schema::new(block).value_type(), want);
    }

    #[test]
    fn write_only_is_found_at_depth() {
        let mut secret = Attribute::new(
            "secret",
            AttributeType::Type(Type::String),
            Presence::Optional,
        );
        secret.write_only = true;
        let nested = Attribute::new(
            "auth",
            AttributeType::Nested {
                nesting: Nesting::Single,
                attributes: vec![secret],
            },
            Presence::Optional,
        );
        let schema = Schema::new(Block {
            attributes: vec![nested],
            ..Block::default()
        });
        assert!(schema.has_write_only());
        assert!(!Schema::default().has_write_only());
    }
}
