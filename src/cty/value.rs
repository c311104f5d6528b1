//! cty values: null, unknown (possibly refined), or known.

use std::collections::BTreeMap;

use super::{Number, Type};

/// What Terraform knows about an unknown value (protocol extension type 12). All fields empty
/// means a plain unknown (extension type 0). Refinements are decoded, kept and re-encoded so that
/// Terraform's knowledge is not lost when a value passes through the provider.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Refinement {
    /// `Some(false)`: the value will not be null. (`Some(true)`, "will be null", is what the
    /// wire's nullness key says too; decoders turn such an unknown into [`Value::Null`].)
    pub nullable: Option<bool>,
    /// A known prefix of a string value.
    pub string_prefix: Option<String>,
    /// Lower bound of a number: (bound, inclusive).
    pub number_lower: Option<(Number, bool)>,
    /// Upper bound of a number: (bound, inclusive).
    pub number_upper: Option<(Number, bool)>,
    /// Lower bound of a collection's length.
    pub length_lower: Option<u64>,
    /// Upper bound of a collection's length.
    pub length_upper: Option<u64>,
}

impl Refinement {
    /// Whether this carries no refinement at all (a plain unknown).
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// A cty value. Values are untyped here; codecs take the schema's [`Type`] alongside.
#[derive(Clone, PartialEq)]
pub enum Value {
    /// Null.
    Null,
    /// Not known until apply; with whatever Terraform knows about it.
    Unknown(Refinement),
    /// A known boolean.
    Bool(bool),
    /// A known number.
    Number(Number),
    /// A known string.
    String(String),
    /// A known list.
    List(Vec<Value>),
    /// A known set (element order is not significant).
    Set(Vec<Value>),
    /// A known tuple.
    Tuple(Vec<Value>),
    /// A known map.
    Map(BTreeMap<String, Value>),
    /// A known object: every attribute of its type is present.
    Object(BTreeMap<String, Value>),
    /// A value of a `dynamic`-typed place, carrying its concrete type.
    Dynamic(Box<Type>, Box<Value>),
}

/// Like a derived `Debug`, except that strings show only their length: a value may be a secret
/// (a sensitive or write-only attribute), and whatever formats a value (a log line, a panic
/// message, an error) must not be able to print one. Map keys and object attribute names,
/// which are schema names, are shown.
impl std::fmt::Debug for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Null => f.write_str("Null"),
            Self::Unknown(r) => {
                let prefix = r.string_prefix.as_ref().map(|p| p.len());
                f.debug_struct("Unknown")
                    .field("nullable", &r.nullable)
                    .field("string_prefix_bytes", &prefix)
                    .field("number_lower", &r.number_lower)
                    .field("number_upper", &r.number_upper)
                    .field("length_lower", &r.length_lower)
                    .finish_non_exhaustive()
            }
            Self::Bool(b) => f.debug_tuple("Bool").field(b).finish(),
            Self::Number(n) => f.debug_tuple("Number").field(n).finish(),
            Self::String(s) => write!(f, "String(<{} bytes>)", s.len()),
            Self::List(v) => f.debug_tuple("List").field(v).finish(),
            Self::Set(v) => f.debug_tuple("Set").field(v).finish(),
            Self::Tuple(v) => f.debug_tuple("Tuple").field(v).finish(),
            Self::Map(m) => f.debug_tuple("Map").field(m).finish(),
            Self::Object(m) => f.debug_tuple("Object").field(m).finish(),
            Self::Dynamic(t, v) => f.debug_tuple("Dynamic").field(t).field(v).finish(),
        }
    }
}

impl Value {
    /// A plain unknown.
    #[must_use]
    pub fn unknown() -> Self {
        Self::Unknown(Refinement::default())
    }

    /// Whether the value is null.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the value itself is unknown (not looking inside).
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown(_))
    }

    /// Whether the value and everything inside it is known.
    #[must_use]
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Self::Unknown(_) => false,
            Self::List(items) | Self::Set(items) | Self::Tuple(items) => {
                items.iter().all(Self::is_wholly_known)
            }
            Self::Map(items) | Self::Object(items) => items.values().all(Self::is_wholly_known),
            Self::Dynamic(_, inner) => inner.is_wholly_known(),
            _ => true,
        }
    }

    /// An attribute of an object value; `None` when this is not an object or has no such attribute.
    #[must_use]
    pub fn attr(&self, name: &str) -> Option<&Value> {
        match self {
            Self::Object(attrs) => attrs.get(name),
            _ => None,
        }
    }

    /// The string, when this is a known string.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Self::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, when this is a known bool.
    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Self::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The number, when this is a known number.
    #[must_use]
    pub fn as_number(&self) -> Option<&Number> {
        match self {
            Self::Number(n) => Some(n),
            _ => None,
        }
    }

    /// The elements, when this is a known list, set or tuple.
    #[must_use]
    pub fn as_elements(&self) -> Option<&[Value]> {
        match self {
            Self::List(items) | Self::Set(items) | Self::Tuple(items) => Some(items),
            _ => None,
        }
    }

    /// Null. cty values are untyped here, so one null serves every type; a null object is
    /// null itself, not an object of nulls.
    #[must_use]
    pub fn null() -> Self {
        Self::Null
    }
}

#[cfg(test)]
mod debug_tests {
    use super::*;

    #[test]
    fn formatting_a_value_never_shows_a_string_in_it() {
        let secret = "hunter2-very-secret";
        let value = Value::Object(BTreeMap::from([
            (
                "xero_client_secret".to_owned(),
                Value::String(secret.to_owned()),
            ),
            (
                "nested".to_owned(),
                Value::List(vec![Value::Map(BTreeMap::from([(
                    "k".to_owned(),
                    Value::String(secret.to_owned()),
                )]))]),
            ),
            (
                "pending".to_owned(),
                Value::Unknown(Refinement {
                    string_prefix: Some("hunter2".to_owned()),
                    ..Refinement::default()
                }),
            ),
        ]));
        for text in [format!("{value:?}"), format!("{value:#?}")] {
            assert!(!text.contains("hunter2"), "{text}");
            assert!(
                text.contains("xero_client_secret") && text.contains("19 bytes"),
                "{text}"
            );
        }
    }
}
