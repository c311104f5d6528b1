//! `Value<T>`: a typed model field that can also be null or unknown.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

use super::bridge::{UNKNOWN_MARKER, VALUE_MARKER};

/// A model field as Terraform sees it: null, not known until apply, or a known `T`.
///
/// Its JSON Schema is `T`'s, so a model's schema reads as if the field were a plain `T`. Through
/// the framework's cty bridge all three states round-trip; through other formats (serde_json, for
/// private state) unknown is written as `null`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub enum Value<T> {
    /// No value.
    #[default]
    Null,
    /// Known only after apply.
    Unknown,
    /// A known value.
    Known(T),
}

impl<T> Value<T> {
    /// Whether the value is null.
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Self::Null)
    }

    /// Whether the value is unknown.
    #[must_use]
    pub fn is_unknown(&self) -> bool {
        matches!(self, Self::Unknown)
    }

    /// The known value, if any.
    #[must_use]
    pub fn known(&self) -> Option<&T> {
        match self {
            Self::Known(v) => Some(v),
            _ => None,
        }
    }

    /// The known value, consumed.
    #[must_use]
    pub fn into_known(self) -> Option<T> {
        match self {
            Self::Known(v) => Some(v),
            _ => None,
        }
    }

    /// A reference to the known value, keeping null and unknown.
    #[must_use]
    pub fn as_ref(&self) -> Value<&T> {
        match self {
            Self::Null => Value::Null,
            Self::Unknown => Value::Unknown,
            Self::Known(v) => Value::Known(v),
        }
    }

    /// Applies `f` to a known value, keeping null and unknown.
    #[must_use]
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Value<U> {
        match self {
            Self::Null => Value::Null,
            Self::Unknown => Value::Unknown,
            Self::Known(v) => Value::Known(f(v)),
        }
    }
}

impl Value<String> {
    /// The known string as `&str`.
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        self.known().map(String::as_str)
    }
}

impl<T> From<T> for Value<T> {
    fn from(value: T) -> Self {
        Self::Known(value)
    }
}

impl<T> From<Option<T>> for Value<T> {
    fn from(value: Option<T>) -> Self {
        value.map_or(Self::Null, Self::Known)
    }
}

impl From<&str> for Value<String> {
    fn from(value: &str) -> Self {
        Self::Known(value.to_owned())
    }
}

impl<T: JsonSchema> JsonSchema for Value<T> {
    fn inline_schema() -> bool {
        T::inline_schema()
    }

    fn schema_name() -> Cow<'static, str> {
        T::schema_name()
    }

    fn schema_id() -> Cow<'static, str> {
        T::schema_id()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        T::json_schema(generator)
    }
}

impl<T: Serialize> Serialize for Value<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => serializer.serialize_none(),
            Self::Unknown => serializer.serialize_newtype_struct(UNKNOWN_MARKER, &()),
            Self::Known(v) => serializer.serialize_some(v),
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Value<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_newtype_struct(VALUE_MARKER, ValueVisitor(PhantomData))
    }
}

struct ValueVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for ValueVisitor<T> {
    type Value = Value<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value, null, or unknown")
    }

    // The cty deserializer answers the marker with none / unit (unknown) / some.
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Value::Unknown)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        T::deserialize(deserializer).map(Value::Known)
    }

    // Other deserializers (serde_json) treat the marker as a plain newtype: read an option.
    fn visit_newtype_struct<D: Deserializer<'de>>(
        self,
        deserializer: D,
    ) -> Result<Self::Value, D::Error> {
        Option::<T>::deserialize(deserializer).map(Value::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip_maps_unknown_to_null() {
        let v: Vec<Value<i64>> = vec![Value::Known(3), Value::Null, Value::Unknown];
        let json = serde_json::to_string(&v).expect("serialize");
        assert_eq!(json, "[3,null,null]");
        let back: Vec<Value<i64>> = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, vec![Value::Known(3), Value::Null, Value::Null]);
    }

    #[test]
    fn schema_is_the_inner_type() {
        let a = schemars::schema_for!(Value<String>);
        let b = schemars::schema_for!(String);
        assert_eq!(a, b);
    }
}
