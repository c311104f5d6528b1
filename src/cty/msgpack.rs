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
    };
    let value = decoder.value(ty, 0).map_err(Unwound::into_error)?;
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
    let mut encoder = Encoder { out: Vec::new() };
    encoder.value(value, ty).map_err(Unwound::into_error)?;
    Ok(encoder.out)
}

/// A codec error on its way out of the recursion: each level it leaves adds its own step, so
/// the steps arrive innermost first. Nothing builds a path for a value that codes cleanly,
/// which is every value but one.
struct Unwound {
    steps: Vec<Step>,
    kind: CodecErrorKind,
}

impl Unwound {
    fn new(kind: CodecErrorKind) -> Self {
        Self {
            steps: Vec::new(),
            kind,
        }
    }

    /// Records that the error happened inside `step` (called on the way out, so outermost last).
    fn within(mut self, step: impl FnOnce() -> Step) -> Self {
        self.steps.push(step());
        self
    }

    fn into_error(self) -> CodecError {
        let mut steps = self.steps;
        steps.reverse();
        CodecError::new(Path(steps), self.kind)
    }
}

impl From<CodecErrorKind> for Unwound {
    fn from(kind: CodecErrorKind) -> Self {
        Self::new(kind)
    }
}

type Coded<T> = Result<T, Unwound>;

struct Decoder<'a> {
    reader: Reader<'a>,
}

impl<'a> Decoder<'a> {
    fn item(&mut self) -> Coded<Item<'a>> {
        Ok(self.reader.item()?)
    }

    // Decoding recurses value → array/map → elements → value. The steps are separate small
    // functions so that each level's stack frame stays small even in debug builds.
    fn value(&mut self, ty: &Type, depth: usize) -> Coded<Value> {
        if depth > MAX_DEPTH {
            return Err(CodecErrorKind::TooDeep(MAX_DEPTH).into());
        }
        match self.item()? {
            Item::Ext(code, payload) => Ok(unknown(code, payload, ty)?),
            Item::Nil => Ok(Value::Null),
            Item::Array(n) => self.array(ty, n, depth),
            Item::Map(n) => self.map(ty, n, depth),
            item => scalar(ty, &item),
        }
    }

    fn array(&mut self, ty: &Type, n: usize, depth: usize) -> Coded<Value> {
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
            Type::Tuple(elems) => Err(CodecErrorKind::TupleLength {
                expected: elems.len(),
                found: n,
            }
            .into()),
            ty => mismatch(ty, &Item::Array(n)),
        }
    }

    fn map(&mut self, ty: &Type, n: usize, depth: usize) -> Coded<Value> {
        match ty {
            Type::Object(object) => self.object(&object.attributes, n, depth),
            Type::Map(elem) => {
                let mut entries = BTreeMap::new();
                for _ in 0..n {
                    let key = utf8(self.key()?)?;
                    if entries.contains_key(&key) {
                        return Err(CodecErrorKind::DuplicateKey(key).into());
                    }
                    match self.value(elem, depth + 1) {
                        Ok(entry) => entries.insert(key, entry),
                        Err(e) => return Err(e.within(|| Step::Key(key))),
                    };
                }
                Ok(Value::Map(entries))
            }
            ty => mismatch(ty, &Item::Map(n)),
        }
    }

    /// An object's attributes. Terraform sends every attribute, keys sorted bytewise: the order
    /// of `attributes` itself. So each key is first compared with the attribute expected next,
    /// which needs no lookup and no check for duplicates; a key out of that order (a sender
    /// that does not sort) falls back to looking each one up.
    fn object(
        &mut self,
        attributes: &BTreeMap<String, Type>,
        n: usize,
        depth: usize,
    ) -> Coded<Value> {
        let mut in_order: Vec<(String, Value)> = Vec::with_capacity(n.min(attributes.len()));
        let mut expected = attributes.iter();
        let mut remaining = n;
        while remaining > 0 {
            let key = self.key()?;
            let Some((name, attr_ty)) = expected.next().filter(|(name, _)| name.as_bytes() == key)
            else {
                let seen: BTreeMap<String, Value> = in_order.into_iter().collect();
                return self.object_unordered(attributes, seen, key, remaining, depth);
            };
            remaining -= 1;
            match self.value(attr_ty, depth + 1) {
                Ok(entry) => in_order.push((name.clone(), entry)),
                Err(e) => return Err(e.within(|| Step::Attribute(name.clone()))),
            }
        }
        if let Some((missing, _)) = expected.next() {
            return Err(CodecErrorKind::MissingAttribute(missing.clone()).into());
        }
        Ok(Value::Object(in_order.into_iter().collect()))
    }

    /// The rest of an object whose keys left the schema's order at `key`, with `remaining`
    /// entries (`key`'s among them) still to read.
    fn object_unordered(
        &mut self,
        attributes: &BTreeMap<String, Type>,
        mut entries: BTreeMap<String, Value>,
        first_key: &[u8],
        remaining: usize,
        depth: usize,
    ) -> Coded<Value> {
        let mut key = first_key;
        for left in (0..remaining).rev() {
            let name = utf8(key)?;
            let Some(attr_ty) = attributes.get(&name) else {
                return Err(CodecErrorKind::UnsupportedAttribute(name).into());
            };
            if entries.contains_key(&name) {
                return Err(CodecErrorKind::DuplicateKey(name).into());
            }
            match self.value(attr_ty, depth + 1) {
                Ok(entry) => entries.insert(name, entry),
                Err(e) => return Err(e.within(|| Step::Attribute(name))),
            };
            if left > 0 {
                key = self.key()?;
            }
        }
        if let Some(missing) = attributes.keys().find(|name| !entries.contains_key(*name)) {
            return Err(CodecErrorKind::MissingAttribute(missing.clone()).into());
        }
        Ok(Value::Object(entries))
    }

    fn elements<'t>(
        &mut self,
        n: usize,
        elem: impl Fn(usize) -> &'t Type,
        depth: usize,
    ) -> Coded<Vec<Value>> {
        let mut items = Vec::with_capacity(capacity(n, &self.reader));
        for i in 0..n {
            match self.value(elem(i), depth + 1) {
                Ok(item) => items.push(item),
                Err(e) => return Err(e.within(|| Step::Index(i as i64))),
            }
        }
        Ok(items)
    }

    /// A map key's bytes (not yet checked to be UTF-8).
    fn key(&mut self) -> Coded<&'a [u8]> {
        match self.item()? {
            Item::Str(bytes) | Item::Bin(bytes) => Ok(bytes),
            _ => Err(CodecErrorKind::NonStringKey.into()),
        }
    }

    /// After the `[` of a `[type JSON, value]` pair.
    fn dynamic(&mut self, depth: usize) -> Coded<Value> {
        let ty = match self.item()? {
            Item::Bin(bytes) | Item::Str(bytes) => {
                Type::from_json_bytes(bytes).map_err(|e| Unwound::new(e.kind))?
            }
            other => {
                let found = other.kind_name();
                return Err(CodecErrorKind::Mismatch {
                    expected: "type JSON bytes",
                    found,
                }
                .into());
            }
        };
        let inner = self.value(&ty, depth + 1)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(inner)))
    }
}

fn mismatch<T>(ty: &Type, item: &Item<'_>) -> Coded<T> {
    let expected = if *ty == Type::Dynamic {
        "a [type, value] pair"
    } else {
        ty.kind_name()
    };
    Err(CodecErrorKind::Mismatch {
        expected,
        found: item.kind_name(),
    }
    .into())
}

fn scalar(ty: &Type, item: &Item<'_>) -> Coded<Value> {
    match (ty, item) {
        (Type::Bool, Item::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Number, item) => Ok(Value::Number(number(item)?)),
        (Type::String, Item::Str(bytes) | Item::Bin(bytes)) => Ok(Value::String(utf8(bytes)?)),
        (ty, item) => mismatch(ty, item),
    }
}

struct Encoder {
    out: Vec<u8>,
}

impl Encoder {
    /// Runs a [`Writer`] step on the output.
    fn write(&mut self, step: impl FnOnce(&mut Writer) -> Result<(), CodecErrorKind>) -> Coded<()> {
        let mut writer = Writer {
            out: std::mem::take(&mut self.out),
        };
        let result = step(&mut writer);
        self.out = writer.out;
        Ok(result?)
    }

    // As in decoding, each level's work is split into small functions to keep frames small.
    fn value(&mut self, value: &Value, ty: &Type) -> Coded<()> {
        match (value, ty) {
            (Value::Null, _) => {
                self.out.push(0xc0);
                Ok(())
            }
            (Value::Unknown(refinement), _) => self.unknown(refinement, ty),
            (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
                self.write(|w| {
                    w.array(2)?;
                    w.bin(&inner_ty.to_json_bytes())
                })?;
                self.value(inner, inner_ty)
            }
            (_, Type::Dynamic) => Err(CodecErrorKind::MissingDynamicType.into()),
            (Value::List(_) | Value::Set(_) | Value::Tuple(_), _) => self.sequence(value, ty),
            (Value::Map(_) | Value::Object(_), _) => self.entries(value, ty),
            _ => self.scalar(value, ty),
        }
    }

    fn unknown(&mut self, refinement: &Refinement, ty: &Type) -> Coded<()> {
        refinement_fits(refinement, ty)?;
        if refinement.is_empty() || *ty == Type::Dynamic {
            return self.write(|w| w.ext(EXT_UNKNOWN, &[0]));
        }
        let payload = refinement_payload(refinement)?;
        if payload.len() > MAX_REFINEMENT_BYTES {
            return Err(CodecErrorKind::TooLarge(payload.len()).into());
        }
        self.write(|w| w.ext(EXT_REFINED, &payload))
    }

    fn scalar(&mut self, value: &Value, ty: &Type) -> Coded<()> {
        match (value, ty) {
            (Value::Bool(b), Type::Bool) => {
                self.out.push(if *b { 0xc3 } else { 0xc2 });
                Ok(())
            }
            (Value::Number(n), Type::Number) => self.write(|w| w.number(n)),
            (Value::String(s), Type::String) => self.write(|w| w.str(s)),
            _ => value_mismatch(value, ty),
        }
    }

    fn sequence(&mut self, value: &Value, ty: &Type) -> Coded<()> {
        match (value, ty) {
            (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
                self.write(|w| w.array(items.len()))?;
                self.elements(items, |_| elem)
            }
            (Value::Tuple(items), Type::Tuple(elems)) if items.len() == elems.len() => {
                self.write(|w| w.array(items.len()))?;
                self.elements(items, |i| &elems[i])
            }
            (Value::Tuple(items), Type::Tuple(elems)) => Err(CodecErrorKind::TupleLength {
                expected: elems.len(),
                found: items.len(),
            }
            .into()),
            _ => value_mismatch(value, ty),
        }
    }

    fn entries(&mut self, value: &Value, ty: &Type) -> Coded<()> {
        match (value, ty) {
            (Value::Map(items), Type::Map(elem)) => {
                self.write(|w| w.map(items.len()))?;
                for (key, item) in items {
                    self.write(|w| w.str(key))?;
                    self.value(item, elem)
                        .map_err(|e| e.within(|| Step::Key(key.clone())))?;
                }
                Ok(())
            }
            (Value::Object(attrs), Type::Object(object)) => {
                // Both maps iterate in byte order, the order Terraform's encoder sorts keys in,
                // so one walk over the two finds whether they hold the same names.
                let same_names = attrs.len() == object.attributes.len()
                    && attrs
                        .keys()
                        .zip(object.attributes.keys())
                        .all(|(a, b)| a == b);
                if !same_names {
                    return Err(object_shape_error(attrs, &object.attributes).into());
                }
                self.write(|w| w.map(object.attributes.len()))?;
                for ((name, attr_ty), attr) in object.attributes.iter().zip(attrs.values()) {
                    self.write(|w| w.str(name))?;
                    self.value(attr, attr_ty)
                        .map_err(|e| e.within(|| Step::Attribute(name.clone())))?;
                }
                Ok(())
            }
            _ => value_mismatch(value, ty),
        }
    }

    fn elements<'t>(&mut self, items: &[Value], elem: impl Fn(usize) -> &'t Type) -> Coded<()> {
        for (i, item) in items.iter().enumerate() {
            self.value(item, elem(i))
                .map_err(|e| e.within(|| Step::Index(i as i64)))?;
        }
        Ok(())
    }
}

/// Why an object's attributes are not its type's: an attribute the type lacks, else one it has.
fn object_shape_error(
    given: &BTreeMap<String, Value>,
    attributes: &BTreeMap<String, Type>,
) -> CodecErrorKind {
    if let Some(extra) = given.keys().find(|name| !attributes.contains_key(*name)) {
        return CodecErrorKind::UnsupportedAttribute(extra.clone());
    }
    let missing = attributes.keys().find(|name| !given.contains_key(*name));
    CodecErrorKind::MissingAttribute(missing.cloned().unwrap_or_default())
}

fn value_mismatch(value: &Value, ty: &Type) -> Coded<()> {
    Err(CodecErrorKind::Mismatch {
        expected: ty.kind_name(),
        found: value.kind_name().to_owned(),
    }
    .into())
}

mod refinement;
mod wire;

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
