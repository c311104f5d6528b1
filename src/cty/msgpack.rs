//! The msgpack codec for `DynamicValue.msgpack`: values decoded and encoded against a [`Type`].
//!
//! Wire rules: null is nil; an unknown is extension 0 (`d4 00 00`), a refined unknown extension
//! 12 whose payload maps small integer keys to refinements; any other extension is a plain
//! unknown. Numbers travel as int64, float64 or decimal string; lists, sets and tuples as arrays;
//! maps and objects as string-keyed maps (object keys sorted, every attribute present); values of
//! dynamic-typed places as `[type JSON bytes, value]`.
//!
//! The reader is hand-written so that input cannot make it allocate: a declared length never
//! reserves more elements than there are bytes left, and nesting is bounded by [`MAX_DEPTH`].

use std::collections::BTreeMap;

use refinement::{EXT_REFINED, EXT_UNKNOWN, MAX_REFINEMENT_BYTES, refinement_payload, unknown};
use wire::{Item, Reader, Writer, capacity, number, utf8};

use super::ops::{dedupe_set, refinement_fits};
use super::{CodecError, CodecErrorKind, MAX_DEPTH, Path, Refinement, Step, Type, Value};

/// Decodes msgpack `bytes` as a value of `ty`.
///
/// # Errors
/// [`CodecError`] with the path of the first problem: malformed or truncated input, a shape
/// that does not match `ty`, a missing or unsupported object attribute, invalid refinements,
/// nesting beyond [`MAX_DEPTH`], or bytes left over after the value.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut decoder = Decoder {
        reader: Reader { buf: bytes, pos: 0 },
        path: Vec::new(),
    };
    let value = decoder.value(ty, 0)?;
    let left = decoder.reader.buf.len() - decoder.reader.pos;
    if left > 0 {
        return Err(CodecError::new(
            Path::root(),
            CodecErrorKind::TrailingBytes(left),
        ));
    }
    Ok(value)
}

/// Encodes `value`, a value of `ty`, as msgpack.
///
/// # Errors
/// [`CodecError`] when `value` does not conform to `ty` (see [`Value::check_type`]) or is too
/// large for msgpack.
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut encoder = Encoder {
        out: Vec::new(),
        path: Vec::new(),
    };
    encoder.value(value, ty)?;
    Ok(encoder.out)
}

struct Decoder<'a> {
    reader: Reader<'a>,
    path: Vec<Step>,
}

impl<'a> Decoder<'a> {
    fn fail<T>(&self, kind: CodecErrorKind) -> Result<T, CodecError> {
        Err(CodecError::new(Path(self.path.clone()), kind))
    }

    fn item(&mut self) -> Result<Item<'a>, CodecError> {
        match self.reader.item() {
            Ok(item) => Ok(item),
            Err(kind) => Err(CodecError::new(Path(self.path.clone()), kind)),
        }
    }

    // Decoding recurses value → array/map → elements → value. The steps are separate small
    // functions so that each level's stack frame stays small even in debug builds.
    fn value(&mut self, ty: &Type, depth: usize) -> Result<Value, CodecError> {
        if depth > MAX_DEPTH {
            return self.fail(CodecErrorKind::TooDeep(MAX_DEPTH));
        }
        match self.item()? {
            Item::Ext(code, payload) => unknown(code, payload, ty).or_else(|kind| self.fail(kind)),
            Item::Nil => Ok(Value::Null),
            Item::Array(n) => self.array(ty, n, depth),
            Item::Map(n) => self.map(ty, n, depth),
            item => self.scalar(ty, &item),
        }
    }

    fn mismatch<T>(&self, ty: &Type, item: &Item<'_>) -> Result<T, CodecError> {
        let expected = if *ty == Type::Dynamic {
            "a [type, value] pair"
        } else {
            ty.kind_name()
        };
        self.fail(CodecErrorKind::Mismatch {
            expected,
            found: item.kind_name(),
        })
    }

    fn scalar(&self, ty: &Type, item: &Item<'_>) -> Result<Value, CodecError> {
        let value = match (ty, item) {
            (Type::Bool, Item::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Number, item) => number(item).map(Value::Number),
            (Type::String, Item::Str(bytes) | Item::Bin(bytes)) => utf8(bytes).map(Value::String),
            (ty, item) => return self.mismatch(ty, item),
        };
        value.or_else(|kind| self.fail(kind))
    }

    fn array(&mut self, ty: &Type, n: usize, depth: usize) -> Result<Value, CodecError> {
        match ty {
            Type::Dynamic if n == 2 => self.dynamic(depth),
            Type::List(elem) => Ok(Value::List(self.elements(n, |_| elem, depth)?)),
            Type::Set(elem) => {
                let mut items = self.elements(n, |_| elem, depth)?;
                dedupe_set(&mut items);
                Ok(Value::Set(items))
            }
            Type::Tuple(elems) if n == elems.len() => {
                Ok(Value::Tuple(self.elements(n, |i| &elems[i], depth)?))
            }
            Type::Tuple(elems) => self.fail(CodecErrorKind::TupleLength {
                expected: elems.len(),
                found: n,
            }),
            ty => self.mismatch(ty, &Item::Array(n)),
        }
    }

    fn map(&mut self, ty: &Type, n: usize, depth: usize) -> Result<Value, CodecError> {
        let attributes = match ty {
            Type::Object(object) => Some(&object.attributes),
            Type::Map(_) => None,
            ty => return self.mismatch(ty, &Item::Map(n)),
        };
        let mut entries = BTreeMap::new();
        for _ in 0..n {
            let key = self.key()?;
            let (entry_ty, step) = match (ty, attributes) {
                (Type::Map(elem), _) => (&**elem, Step::Key(key.clone())),
                (_, Some(attributes)) => match attributes.get(&key) {
                    Some(attr_ty) => (attr_ty, Step::Attribute(key.clone())),
                    None => return self.fail(CodecErrorKind::UnsupportedAttribute(key)),
                },
                _ => return self.mismatch(ty, &Item::Map(n)),
            };
            if entries.contains_key(&key) {
                return self.fail(CodecErrorKind::DuplicateKey(key));
            }
            self.path.push(step);
            let entry = self.value(entry_ty, depth + 1)?;
            self.path.pop();
            entries.insert(key, entry);
        }
        let Some(attributes) = attributes else {
            return Ok(Value::Map(entries));
        };
        if let Some(missing) = attributes.keys().find(|name| !entries.contains_key(*name)) {
            return self.fail(CodecErrorKind::MissingAttribute(missing.clone()));
        }
        Ok(Value::Object(entries))
    }

    fn elements<'t>(
        &mut self,
        n: usize,
        elem: impl Fn(usize) -> &'t Type,
        depth: usize,
    ) -> Result<Vec<Value>, CodecError> {
        let mut items = Vec::with_capacity(capacity(n, &self.reader));
        for i in 0..n {
            self.path.push(Step::Index(i as i64));
            items.push(self.value(elem(i), depth + 1)?);
            self.path.pop();
        }
        Ok(items)
    }

    fn key(&mut self) -> Result<String, CodecError> {
        match self.item()? {
            Item::Str(bytes) | Item::Bin(bytes) => utf8(bytes).or_else(|kind| self.fail(kind)),
            _ => self.fail(CodecErrorKind::NonStringKey),
        }
    }

    /// After the `[` of a `[type JSON, value]` pair.
    fn dynamic(&mut self, depth: usize) -> Result<Value, CodecError> {
        let ty = match self.item()? {
            Item::Bin(bytes) | Item::Str(bytes) => Type::from_json_bytes(bytes)
                .map_err(|e| CodecError::new(Path(self.path.clone()), e.kind))?,
            other => {
                let found = other.kind_name();
                return self.fail(CodecErrorKind::Mismatch {
                    expected: "type JSON bytes",
                    found,
                });
            }
        };
        let inner = self.value(&ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(inner)))
    }
}

struct Encoder {
    out: Vec<u8>,
    path: Vec<Step>,
}

impl Encoder {
    fn fail<T>(&self, kind: CodecErrorKind) -> Result<T, CodecError> {
        Err(CodecError::new(Path(self.path.clone()), kind))
    }

    /// Runs a [`Writer`] step on the output, attaching the current path to its error.
    fn write(
        &mut self,
        step: impl FnOnce(&mut Writer) -> Result<(), CodecErrorKind>,
    ) -> Result<(), CodecError> {
        let mut writer = Writer {
            out: std::mem::take(&mut self.out),
        };
        let result = step(&mut writer);
        self.out = writer.out;
        result.or_else(|kind| self.fail(kind))
    }

    // As in decoding, each level's work is split into small functions to keep frames small.
    fn value(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::Null, _) => self.write(|w| {
                w.out.push(0xc0);
                Ok(())
            }),
            (Value::Unknown(refinement), _) => self.unknown(refinement, ty),
            (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
                self.write(|w| {
                    w.array(2)?;
                    w.bin(&inner_ty.to_json_bytes())
                })?;
                self.value(inner, inner_ty)
            }
            (_, Type::Dynamic) => self.fail(CodecErrorKind::MissingDynamicType),
            (Value::List(_) | Value::Set(_) | Value::Tuple(_), _) => self.sequence(value, ty),
            (Value::Map(_) | Value::Object(_), _) => self.entries(value, ty),
            _ => self.scalar(value, ty),
        }
    }

    fn mismatch(&self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        self.fail(CodecErrorKind::Mismatch {
            expected: ty.kind_name(),
            found: value.kind_name().to_owned(),
        })
    }

    fn unknown(&mut self, refinement: &Refinement, ty: &Type) -> Result<(), CodecError> {
        refinement_fits(refinement, ty).or_else(|kind| self.fail(kind))?;
        if refinement.is_empty() || *ty == Type::Dynamic {
            return self.write(|w| w.ext(EXT_UNKNOWN, &[0]));
        }
        let payload = refinement_payload(refinement).or_else(|kind| self.fail(kind))?;
        if payload.len() > MAX_REFINEMENT_BYTES {
            return self.fail(CodecErrorKind::TooLarge(payload.len()));
        }
        self.write(|w| w.ext(EXT_REFINED, &payload))
    }

    fn scalar(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::Bool(b), Type::Bool) => self.write(|w| {
                w.out.push(if *b { 0xc3 } else { 0xc2 });
                Ok(())
            }),
            (Value::Number(n), Type::Number) => self.write(|w| w.number(n)),
            (Value::String(s), Type::String) => self.write(|w| w.str(s)),
            _ => self.mismatch(value, ty),
        }
    }

    fn sequence(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
                self.write(|w| w.array(items.len()))?;
                self.elements(items, |_| elem)
            }
            (Value::Tuple(items), Type::Tuple(elems)) if items.len() == elems.len() => {
                self.write(|w| w.array(items.len()))?;
                self.elements(items, |i| &elems[i])
            }
            (Value::Tuple(items), Type::Tuple(elems)) => self.fail(CodecErrorKind::TupleLength {
                expected: elems.len(),
                found: items.len(),
            }),
            _ => self.mismatch(value, ty),
        }
    }

    fn entries(&mut self, value: &Value, ty: &Type) -> Result<(), CodecError> {
        match (value, ty) {
            (Value::Map(items), Type::Map(elem)) => {
                self.write(|w| w.map(items.len()))?;
                for (key, item) in items {
                    self.write(|w| w.str(key))?;
                    self.path.push(Step::Key(key.clone()));
                    self.value(item, elem)?;
                    self.path.pop();
                }
                Ok(())
            }
            (Value::Object(attrs), Type::Object(object)) => {
                if let Some(extra) = attrs
                    .keys()
                    .find(|name| !object.attributes.contains_key(*name))
                {
                    return self.fail(CodecErrorKind::UnsupportedAttribute(extra.clone()));
                }
                self.write(|w| w.map(object.attributes.len()))?;
                // BTreeMap order is byte order, the order Terraform's encoder sorts keys in.
                for (name, attr_ty) in &object.attributes {
                    let Some(attr) = attrs.get(name) else {
                        return self.fail(CodecErrorKind::MissingAttribute(name.clone()));
                    };
                    self.write(|w| w.str(name))?;
                    self.path.push(Step::Attribute(name.clone()));
                    self.value(attr, attr_ty)?;
                    self.path.pop();
                }
                Ok(())
            }
            _ => self.mismatch(value, ty),
        }
    }

    fn elements<'t>(
        &mut self,
        items: &[Value],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<(), CodecError> {
        for (i, item) in items.iter().enumerate() {
            self.path.push(Step::Index(i as i64));
            self.value(item, elem(i))?;
            self.path.pop();
        }
        Ok(())
    }
}

mod refinement;
mod wire;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
