//! A serde `Deserializer` reading from a borrowed cty value.

use std::collections::btree_map;

use serde::de::value::BorrowedStrDeserializer;
use serde::de::{self, DeserializeSeed, IntoDeserializer, Visitor};

use super::{BridgeError, VALUE_MARKER};
use crate::cty::{self, Number, Step};

/// Deserializes one cty value. It knows nothing of where the value sits: an error gains its
/// path on the way out, one step per enclosing element or attribute (see [`BridgeError`]).
#[derive(Debug, Clone)]
pub struct ValueDeserializer<'de> {
    value: &'de cty::Value,
}

impl<'de> ValueDeserializer<'de> {
    /// A deserializer for `value`.
    #[must_use]
    pub fn new(value: &'de cty::Value) -> Self {
        Self { value }
    }

    fn unknown_error(&self) -> BridgeError {
        BridgeError::here("value is not known until apply; model this field as framework::Value<T>")
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        match self.value {
            cty::Value::Null => visitor.visit_unit(),
            cty::Value::Unknown(_) => Err(self.unknown_error()),
            cty::Value::Bool(b) => visitor.visit_bool(*b),
            cty::Value::Number(n) => visit_number(n, visitor),
            cty::Value::String(s) => visitor.visit_borrowed_str(s),
            cty::Value::List(items) | cty::Value::Set(items) | cty::Value::Tuple(items) => visitor
                .visit_seq(SeqAccess {
                    items: items.iter().enumerate(),
                }),
            cty::Value::Map(items) => visitor.visit_map(MapAccess {
                items: items.iter(),
                next: None,
                keys: true,
            }),
            cty::Value::Object(items) => visitor.visit_map(MapAccess {
                items: items.iter(),
                next: None,
                keys: false,
            }),
            cty::Value::Dynamic(_, inner) => ValueDeserializer::new(inner).any(visitor),
        }
    }
}

fn visit_number<'de, V: Visitor<'de>>(n: &Number, visitor: V) -> Result<V::Value, BridgeError> {
    match n {
        Number::Int(i) => visitor.visit_i64(*i),
        Number::UInt(u) => visitor.visit_u64(*u),
        Number::Float(f) => visitor.visit_f64(*f),
        Number::Decimal(s) => match n.as_i64() {
            Some(i) => visitor.visit_i64(i),
            None => match s.parse::<f64>() {
                Ok(f) if f.is_finite() => visitor.visit_f64(f),
                _ => Err(BridgeError::here(format!(
                    "number {s} does not fit a 64-bit number"
                ))),
            },
        },
    }
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'de> {
    type Error = BridgeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.any(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        match self.value {
            cty::Value::Null => visitor.visit_none(),
            cty::Value::Unknown(_) => Err(self.unknown_error()),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        visitor: V,
    ) -> Result<V::Value, BridgeError> {
        if name != VALUE_MARKER {
            return visitor.visit_newtype_struct(self);
        }
        match self.value {
            cty::Value::Null => visitor.visit_none(),
            cty::Value::Unknown(_) => visitor.visit_unit(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_i64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        // An integral float (e.g. from JSON state) still reads as an integer.
        match self.value.as_number().and_then(Number::as_i64) {
            Some(i) => visitor.visit_i64::<BridgeError>(i),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        match self.value.as_number() {
            Some(n) => visitor.visit_f64::<BridgeError>(n.as_f64()),
            None => self.deserialize_any(visitor),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, BridgeError> {
        match self.value {
            cty::Value::String(s) => {
                let d: de::value::StrDeserializer<'_, BridgeError> = s.as_str().into_deserializer();
                visitor.visit_enum(d)
            }
            cty::Value::Unknown(_) => Err(self.unknown_error()),
            _ => Err(BridgeError::here(
                "expected a string naming one of the allowed values",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        // Attributes the model does not name may be unknown; skipping them must not fail.
        visitor.visit_unit()
    }

    fn deserialize_i8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_i32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u8<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u16<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_u32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_i64(visitor)
    }
    fn deserialize_f32<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, BridgeError> {
        self.deserialize_f64(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i128 u64 u128 char str string bytes byte_buf unit unit_struct seq tuple
        tuple_struct map struct identifier
    }
}

struct SeqAccess<'de> {
    items: std::iter::Enumerate<std::slice::Iter<'de, cty::Value>>,
}

impl<'de> de::SeqAccess<'de> for SeqAccess<'de> {
    type Error = BridgeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, BridgeError> {
        let Some((i, item)) = self.items.next() else {
            return Ok(None);
        };
        seed.deserialize(ValueDeserializer::new(item))
            .map(Some)
            .map_err(|e| e.within(|| Step::Index(i64::try_from(i).unwrap_or(i64::MAX))))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapAccess<'de> {
    items: btree_map::Iter<'de, String, cty::Value>,
    next: Option<(&'de String, &'de cty::Value)>,
    /// Map keys (true) or object attribute names (false), for the path steps.
    keys: bool,
}

impl<'de> de::MapAccess<'de> for MapAccess<'de> {
    type Error = BridgeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, BridgeError> {
        let Some((k, v)) = self.items.next() else {
            return Ok(None);
        };
        self.next = Some((k, v));
        seed.deserialize(BorrowedStrDeserializer::new(k)).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, BridgeError> {
        let Some((k, v)) = self.next.take() else {
            return Err(BridgeError::here("map value requested before its key"));
        };
        let keys = self.keys;
        seed.deserialize(ValueDeserializer::new(v)).map_err(|e| {
            e.within(|| {
                if keys {
                    Step::Key(k.clone())
                } else {
                    Step::Attribute(k.clone())
                }
            })
        })
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}
