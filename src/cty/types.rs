//! cty types, as Terraform names them in schemas and in type JSON.

use std::collections::{BTreeMap, BTreeSet};

/// A cty type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Type {
    /// A UTF-8 string.
    String,
    /// An arbitrary-precision number.
    Number,
    /// A boolean.
    Bool,
    /// Any type; values of it travel with their type on the wire.
    Dynamic,
    /// An ordered list of one element type.
    List(Box<Type>),
    /// An unordered set of one element type.
    Set(Box<Type>),
    /// A string-keyed map of one element type.
    Map(Box<Type>),
    /// An object with named attributes.
    Object(ObjectType),
    /// A fixed-length sequence of element types.
    Tuple(Vec<Type>),
}

/// The attributes of an object type, and which of them are optional (type constraints only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct ObjectType {
    /// Attribute names and their types.
    pub attributes: BTreeMap<String, Type>,
    /// Names of attributes that may be omitted in a type constraint.
    pub optional: BTreeSet<String>,
}

impl Type {
    /// A list of `element`.
    #[must_use]
    pub fn list(element: Type) -> Self {
        Self::List(Box::new(element))
    }

    /// A set of `element`.
    #[must_use]
    pub fn set(element: Type) -> Self {
        Self::Set(Box::new(element))
    }

    /// A map of `element`.
    #[must_use]
    pub fn map(element: Type) -> Self {
        Self::Map(Box::new(element))
    }

    /// An object type from `(name, type)` pairs, with no optional attributes.
    #[must_use]
    pub fn object<I, S>(attributes: I) -> Self
    where
        I: IntoIterator<Item = (S, Type)>,
        S: Into<String>,
    {
        Self::Object(ObjectType {
            attributes: attributes.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            optional: BTreeSet::new(),
        })
    }
}
