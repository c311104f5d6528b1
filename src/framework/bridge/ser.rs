//! A serde `Serializer` producing a cty value of a given type.

use std::collections::BTreeMap;

use serde::ser::{self, Impossible, Serialize};

use super::{BridgeError, UNKNOWN_MARKER};
use crate::cty::{self, Number, ObjectType, Step, Type};

/// Serializes into a cty value of type `ty`. Like the deserializer it carries no path; an
/// error gains one on its way out (see [`BridgeError`]).
#[derive(Debug, Clone)]
pub struct ValueSerializer<'t> {
    ty: &'t Type,
}

impl<'t> ValueSerializer<'t> {
    /// A serializer producing a value of `ty`.
    #[must_use]
    pub fn new(ty: &'t Type) -> Self {
        Self { ty }
    }

    fn mismatch(&self, what: &str) -> BridgeError {
        BridgeError::here(format!(
            "the model gives {what} where the schema expects {}",
            type_name(self.ty)
        ))
    }

    fn number(self, n: Number) -> Result<cty::Value, BridgeError> {
        match self.ty {
            Type::Number => Ok(cty::Value::Number(n)),
            Type::Dynamic => Ok(cty::Value::Dynamic(
                Box::new(Type::Number),
                Box::new(cty::Value::Number(n)),
            )),
            _ => Err(self.mismatch("a number")),
        }
    }

    fn string(self, s: String) -> Result<cty::Value, BridgeError> {
        match self.ty {
            Type::String => Ok(cty::Value::String(s)),
            Type::Dynamic => Ok(cty::Value::Dynamic(
                Box::new(Type::String),
                Box::new(cty::Value::String(s)),
            )),
            _ => Err(self.mismatch("a string")),
        }
    }
}

fn type_name(ty: &Type) -> &'static str {
    match ty {
        Type::String => "a string",
        Type::Number => "a number",
        Type::Bool => "a bool",
        Type::Dynamic => "any value",
        Type::List(_) => "a list",
        Type::Set(_) => "a set",
        Type::Map(_) => "a map",
        Type::Object(_) => "an object",
        Type::Tuple(_) => "a tuple",
    }
}

impl<'t> ser::Serializer for ValueSerializer<'t> {
    type Ok = cty::Value;
    type Error = BridgeError;
    type SerializeSeq = SeqSerializer<'t>;
    type SerializeTuple = SeqSerializer<'t>;
    type SerializeTupleStruct = SeqSerializer<'t>;
    type SerializeTupleVariant = Impossible<cty::Value, BridgeError>;
    type SerializeMap = MapSerializer<'t>;
    type SerializeStruct = MapSerializer<'t>;
    type SerializeStructVariant = Impossible<cty::Value, BridgeError>;

    fn serialize_bool(self, v: bool) -> Result<cty::Value, BridgeError> {
        match self.ty {
            Type::Bool => Ok(cty::Value::Bool(v)),
            Type::Dynamic => Ok(cty::Value::Dynamic(
                Box::new(Type::Bool),
                Box::new(cty::Value::Bool(v)),
            )),
            _ => Err(self.mismatch("a bool")),
        }
    }

    fn serialize_i8(self, v: i8) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result<cty::Value, BridgeError> {
        self.number(Number::Int(v))
    }
    fn serialize_u8(self, v: u8) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result<cty::Value, BridgeError> {
        self.serialize_i64(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result<cty::Value, BridgeError> {
        self.number(i64::try_from(v).map_or(Number::UInt(v), Number::Int))
    }

    fn serialize_f32(self, v: f32) -> Result<cty::Value, BridgeError> {
        self.serialize_f64(v.into())
    }

    fn serialize_f64(self, v: f64) -> Result<cty::Value, BridgeError> {
        if !v.is_finite() {
            return Err(BridgeError::here(
                "Terraform numbers cannot be infinite or NaN",
            ));
        }
        // Whole floats are kept as integers so that they compare equal to what the wire decodes.
        #[allow(clippy::cast_possible_truncation, clippy::cast_precision_loss)]
        let n = if v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64 {
            Number::Int(v as i64)
        } else {
            Number::Float(v)
        };
        self.number(n)
    }

    fn serialize_char(self, v: char) -> Result<cty::Value, BridgeError> {
        self.string(v.to_string())
    }

    fn serialize_str(self, v: &str) -> Result<cty::Value, BridgeError> {
        self.string(v.to_owned())
    }

    fn serialize_bytes(self, _v: &[u8]) -> Result<cty::Value, BridgeError> {
        Err(self.mismatch("bytes"))
    }

    fn serialize_none(self) -> Result<cty::Value, BridgeError> {
        Ok(cty::Value::Null)
    }

    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<cty::Value, BridgeError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<cty::Value, BridgeError> {
        Ok(cty::Value::Null)
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<cty::Value, BridgeError> {
        Ok(cty::Value::Null)
    }

    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<cty::Value, BridgeError> {
        self.string(variant.to_owned())
    }

    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<cty::Value, BridgeError> {
        if name == UNKNOWN_MARKER {
            return Ok(cty::Value::unknown());
        }
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        _value: &T,
    ) -> Result<cty::Value, BridgeError> {
        Err(BridgeError::here(format!(
            "enum variant {name}::{variant} with data has no Terraform form"
        )))
    }

    fn serialize_seq(self, len: Option<usize>) -> Result<SeqSerializer<'t>, BridgeError> {
        let kind = match self.ty {
            Type::List(e) => SeqKind::List(e),
            Type::Set(e) => SeqKind::Set(e),
            Type::Tuple(ts) => SeqKind::Tuple(ts),
            _ => return Err(self.mismatch("a sequence")),
        };
        Ok(SeqSerializer {
            kind,
            items: Vec::with_capacity(len.unwrap_or(0)),
        })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSerializer<'t>, BridgeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqSerializer<'t>, BridgeError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, BridgeError> {
        Err(self.mismatch("an enum variant with data"))
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSerializer<'t>, BridgeError> {
        let kind = match self.ty {
            Type::Map(e) => MapKind::Map(e),
            Type::Object(o) => MapKind::Object(o),
            _ => return Err(self.mismatch("a map")),
        };
        Ok(MapSerializer {
            kind,
            items: BTreeMap::new(),
            key: None,
        })
    }

    fn serialize_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<MapSerializer<'t>, BridgeError> {
        match self.ty {
            Type::Object(_) => self.serialize_map(Some(len)),
            _ => Err(self.mismatch("an object")),
        }
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, BridgeError> {
        Err(self.mismatch("an enum variant with data"))
    }
}

enum SeqKind<'t> {
    List(&'t Type),
    Set(&'t Type),
    Tuple(&'t [Type]),
}

/// Collects the elements of a list, set or tuple.
pub struct SeqSerializer<'t> {
    kind: SeqKind<'t>,
    items: Vec<cty::Value>,
}

impl SeqSerializer<'_> {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BridgeError> {
        let index = self.items.len();
        let ty = match &self.kind {
            SeqKind::List(e) | SeqKind::Set(e) => *e,
            SeqKind::Tuple(ts) => ts.get(index).ok_or_else(|| {
                BridgeError::here(format!("the tuple has only {} elements", ts.len()))
            })?,
        };
        let v = value
            .serialize(ValueSerializer::new(ty))
            .map_err(|e| e.within(|| Step::Index(i64::try_from(index).unwrap_or(i64::MAX))))?;
        self.items.push(v);
        Ok(())
    }

    fn finish(self) -> Result<cty::Value, BridgeError> {
        Ok(match self.kind {
            SeqKind::List(_) => cty::Value::List(self.items),
            SeqKind::Set(_) => cty::Value::Set(self.items),
            SeqKind::Tuple(ts) if ts.len() != self.items.len() => {
                return Err(BridgeError::here(format!(
                    "the tuple needs {} elements",
                    ts.len()
                )));
            }
            SeqKind::Tuple(_) => cty::Value::Tuple(self.items),
        })
    }
}

impl ser::SerializeSeq for SeqSerializer<'_> {
    type Ok = cty::Value;
    type Error = BridgeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BridgeError> {
        self.push(value)
    }
    fn end(self) -> Result<cty::Value, BridgeError> {
        self.finish()
    }
}

impl ser::SerializeTuple for SeqSerializer<'_> {
    type Ok = cty::Value;
    type Error = BridgeError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BridgeError> {
        self.push(value)
    }
    fn end(self) -> Result<cty::Value, BridgeError> {
        self.finish()
    }
}

impl ser::SerializeTupleStruct for SeqSerializer<'_> {
    type Ok = cty::Value;
    type Error = BridgeError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BridgeError> {
        self.push(value)
    }
    fn end(self) -> Result<cty::Value, BridgeError> {
        self.finish()
    }
}

enum MapKind<'t> {
    Map(&'t Type),
    Object(&'t ObjectType),
}

/// Collects the entries of a map or the attributes of an object.
pub struct MapSerializer<'t> {
    kind: MapKind<'t>,
    items: BTreeMap<String, cty::Value>,
    key: Option<String>,
}

impl MapSerializer<'_> {
    fn insert<T: Serialize + ?Sized>(&mut self, key: String, value: &T) -> Result<(), BridgeError> {
        let ty = match &self.kind {
            MapKind::Map(e) => *e,
            MapKind::Object(o) => o.attributes.get(&key).ok_or_else(|| {
                BridgeError::here(format!(
                    "the model has a field {key:?} that the schema does not"
                ))
            })?,
        };
        let map = matches!(self.kind, MapKind::Map(_));
        let v = value.serialize(ValueSerializer::new(ty)).map_err(|e| {
            e.within(|| {
                if map {
                    Step::Key(key.clone())
                } else {
                    Step::Attribute(key.clone())
                }
            })
        })?;
        self.items.insert(key, v);
        Ok(())
    }

    fn finish(mut self) -> Result<cty::Value, BridgeError> {
        Ok(match self.kind {
            MapKind::Map(_) => cty::Value::Map(self.items),
            MapKind::Object(o) => {
                // Every attribute must be present on the wire; those the model skips are null.
                for name in o.attributes.keys() {
                    if !self.items.contains_key(name) {
                        self.items.insert(name.clone(), cty::Value::Null);
                    }
                }
                cty::Value::Object(self.items)
            }
        })
    }
}

impl ser::SerializeMap for MapSerializer<'_> {
    type Ok = cty::Value;
    type Error = BridgeError;

    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), BridgeError> {
        let k = key.serialize(ValueSerializer::new(&Type::String))?;
        match k {
            cty::Value::String(s) => {
                self.key = Some(s);
                Ok(())
            }
            _ => Err(BridgeError::here("map keys must be strings")),
        }
    }

    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), BridgeError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| BridgeError::here("map value given before its key"))?;
        self.insert(key, value)
    }

    fn end(self) -> Result<cty::Value, BridgeError> {
        self.finish()
    }
}

impl ser::SerializeStruct for MapSerializer<'_> {
    type Ok = cty::Value;
    type Error = BridgeError;

    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), BridgeError> {
        self.insert(key.to_owned(), value)
    }

    fn end(self) -> Result<cty::Value, BridgeError> {
        self.finish()
    }
}
