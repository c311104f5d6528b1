//! The JSON codec for `DynamicValue.json`: raw state handed to `UpgradeResourceState`.
//!
//! Decoding follows Terraform's rules: `null` is null for any type, an absent object attribute is
//! null, numbers keep every digit, strings stand for bools (`"true"`, `"1"`, `"false"`, `"0"`)
//! and numbers, numbers and bools stand for strings, and a dynamic-typed place holds
//! `{"value": V, "type": T}`. JSON cannot carry unknowns, so [`encode`] refuses them.

use std::collections::BTreeMap;

use super::json_text::{self, Json};
use super::ops::dedupe_set;
use super::type_json;
use super::{CodecError, CodecErrorKind, MAX_DEPTH, Number, Path, Step, Type, Value};

/// Choices for [`decode_with`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct JsonOptions {
    /// Drop object attributes the type does not declare instead of failing. State written by
    /// an older schema version may hold attributes since removed.
    pub ignore_unknown_attributes: bool,
}

/// Decodes JSON `bytes` as a value of `ty`; an attribute the type lacks is an error.
///
/// # Errors
/// [`CodecError`] for malformed JSON (root path, byte offset) or a value that does not fit `ty`.
pub fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    decode_with(bytes, ty, JsonOptions::default())
}

/// Decodes JSON `bytes` as a value of `ty` with `options`.
///
/// # Errors
/// As [`decode`].
pub fn decode_with(bytes: &[u8], ty: &Type, options: JsonOptions) -> Result<Value, CodecError> {
    // A dynamic value takes two JSON levels (the wrapper object and its value).
    let json = json_text::parse(bytes, 2 * MAX_DEPTH)
        .map_err(|kind| CodecError::new(Path::root(), kind))?;
    Decoder {
        options,
        path: Vec::new(),
    }
    .value(&json, ty)
}

/// Encodes `value`, a wholly known value of `ty`, as compact JSON (object keys sorted).
///
/// # Errors
/// [`CodecErrorKind::UnknownInJson`] for an unknown anywhere in the value; otherwise as
/// [`Value::check_type`].
pub fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let mut out = String::new();
    write_value(value, ty, &mut Vec::new(), &mut out)?;
    Ok(out.into_bytes())
}

struct Decoder {
    options: JsonOptions,
    path: Vec<Step>,
}

impl Decoder {
    fn fail<T>(&self, kind: CodecErrorKind) -> Result<T, CodecError> {
        Err(CodecError::new(Path(self.path.clone()), kind))
    }

    fn mismatch<T>(&self, expected: &'static str, found: &Json) -> Result<T, CodecError> {
        self.fail(CodecErrorKind::Mismatch {
            expected,
            found: found.kind_name().to_owned(),
        })
    }

    // Each level's work is split into small functions to keep recursion frames small.
    fn value(&mut self, json: &Json, ty: &Type) -> Result<Value, CodecError> {
        match (ty, json) {
            (_, Json::Null) => Ok(Value::Null),
            (Type::Dynamic, Json::Object(members)) => self.dynamic(members),
            (_, Json::Array(items)) => self.array(items, ty),
            (Type::Map(_) | Type::Object(_), Json::Object(members)) => self.members(members, ty),
            _ => self.scalar(json, ty),
        }
    }

    fn scalar(&self, json: &Json, ty: &Type) -> Result<Value, CodecError> {
        match (ty, json) {
            (Type::Dynamic, other) => self.mismatch("a {\"value\", \"type\"} object", other),
            (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
            (Type::Bool, Json::String(s)) => match s.as_str() {
                "true" | "1" => Ok(Value::Bool(true)),
                "false" | "0" => Ok(Value::Bool(false)),
                _ => self.mismatch("a bool", json),
            },
            (Type::Number, Json::Number(text) | Json::String(text)) => match Number::parse(text) {
                Ok(n) => Ok(Value::Number(n)),
                Err(e) => self.fail(e.into()),
            },
            (Type::String, Json::String(s) | Json::Number(s)) => Ok(Value::String(s.clone())),
            (Type::String, Json::Bool(b)) => Ok(Value::String(b.to_string())),
            (ty, other) => self.mismatch(ty.kind_name(), other),
        }
    }

    fn array(&mut self, items: &[Json], ty: &Type) -> Result<Value, CodecError> {
        match ty {
            Type::List(elem) => Ok(Value::List(self.elements(items, |_| elem)?)),
            Type::Set(elem) => {
                let mut items = self.elements(items, |_| elem)?;
                dedupe_set(&mut items);
                Ok(Value::Set(items))
            }
            Type::Tuple(elems) if items.len() == elems.len() => {
                Ok(Value::Tuple(self.elements(items, |i| &elems[i])?))
            }
            Type::Tuple(elems) => self.fail(CodecErrorKind::TupleLength {
                expected: elems.len(),
                found: items.len(),
            }),
            ty => self.mismatch(ty.kind_name(), &Json::Array(Vec::new())),
        }
    }

    /// A map's or an object's members. A repeated key replaces the earlier one, as in
    /// Terraform's decoder; an object's absent attributes are null.
    fn members(&mut self, members: &[(String, Json)], ty: &Type) -> Result<Value, CodecError> {
        let mut entries = BTreeMap::new();
        for (key, member) in members {
            let (entry_ty, step) = match ty {
                Type::Map(elem) => (&**elem, Step::Key(key.clone())),
                Type::Object(object) => match object.attributes.get(key) {
                    Some(attr_ty) => (attr_ty, Step::Attribute(key.clone())),
                    None if self.options.ignore_unknown_attributes => continue,
                    None => return self.fail(CodecErrorKind::UnsupportedAttribute(key.clone())),
                },
                ty => return self.mismatch(ty.kind_name(), &Json::Object(Vec::new())),
            };
            self.path.push(step);
            let entry = self.value(member, entry_ty)?;
            self.path.pop();
            entries.insert(key.clone(), entry);
        }
        let Type::Object(object) = ty else {
            return Ok(Value::Map(entries));
        };
        for name in object.attributes.keys() {
            entries.entry(name.clone()).or_insert(Value::Null);
        }
        Ok(Value::Object(entries))
    }

    fn elements<'t>(
        &mut self,
        items: &[Json],
        elem: impl Fn(usize) -> &'t Type,
    ) -> Result<Vec<Value>, CodecError> {
        let mut values = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            self.path.push(Step::Index(i as i64));
            values.push(self.value(item, elem(i))?);
            self.path.pop();
        }
        Ok(values)
    }

    fn dynamic(&mut self, members: &[(String, Json)]) -> Result<Value, CodecError> {
        let (mut ty, mut body) = (None, None);
        for (key, member) in members {
            match key.as_str() {
                "type" => match type_json::from_json(member) {
                    Ok(t) => ty = Some(t),
                    Err(message) => return self.fail(CodecErrorKind::TypeJson(message)),
                },
                "value" => body = Some(member),
                _ => return self.fail(CodecErrorKind::UnsupportedAttribute(key.clone())),
            }
        }
        let Some(ty) = ty else {
            return self.fail(CodecErrorKind::MissingAttribute("type".to_owned()));
        };
        let Some(body) = body else {
            return self.fail(CodecErrorKind::MissingAttribute("value".to_owned()));
        };
        let inner = self.value(body, &ty)?;
        Ok(Value::Dynamic(Box::new(ty), Box::new(inner)))
    }
}

// Each level's work is split into small functions to keep recursion frames small.
fn write_value(
    value: &Value,
    ty: &Type,
    path: &mut Vec<Step>,
    out: &mut String,
) -> Result<(), CodecError> {
    match (value, ty) {
        (Value::Null, _) => out.push_str("null"),
        (Value::Unknown(_), _) => {
            return Err(CodecError::new(
                Path(path.clone()),
                CodecErrorKind::UnknownInJson,
            ));
        }
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
            out.push_str("{\"value\":");
            write_value(inner, inner_ty, path, out)?;
            out.push_str(",\"type\":");
            out.push_str(&String::from_utf8_lossy(&inner_ty.to_json_bytes()));
            out.push('}');
        }
        (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
            write_elements(items, |_| elem, path, out)?;
        }
        (Value::Tuple(items), Type::Tuple(elems)) if items.len() == elems.len() => {
            write_elements(items, |i| &elems[i], path, out)?;
        }
        (Value::Map(items), Type::Map(elem)) => {
            write_entries(items, |_| Some(&**elem), Step::Key, path, out)?;
        }
        (Value::Object(attrs), Type::Object(object))
            if attrs.len() == object.attributes.len()
                && attrs.keys().all(|k| object.attributes.contains_key(k)) =>
        {
            write_entries(
                attrs,
                |name| object.attributes.get(name),
                Step::Attribute,
                path,
                out,
            )?;
        }
        _ => write_scalar(value, ty, path, out)?,
    }
    Ok(())
}

fn write_scalar(
    value: &Value,
    ty: &Type,
    path: &[Step],
    out: &mut String,
) -> Result<(), CodecError> {
    match (value, ty) {
        (Value::Bool(b), Type::Bool) => out.push_str(if *b { "true" } else { "false" }),
        (Value::Number(n), Type::Number) => match number_text(n) {
            Ok(text) => out.push_str(&text),
            Err(kind) => return Err(CodecError::new(Path(path.to_vec()), kind)),
        },
        (Value::String(s), Type::String) => json_text::write_string(out, s),
        // Every other combination is a conformance error; let the checker name it precisely.
        _ => {
            let err = value.check_type(ty).err().unwrap_or_else(|| {
                CodecError::new(
                    Path::root(),
                    CodecErrorKind::Mismatch {
                        expected: ty.kind_name(),
                        found: value.kind_name().to_owned(),
                    },
                )
            });
            let mut full = path.to_vec();
            full.extend(err.path.0);
            return Err(CodecError::new(Path(full), err.kind));
        }
    }
    Ok(())
}

/// A map or object: keys in order, each entry's type from `entry_type`.
fn write_entries<'t>(
    entries: &BTreeMap<String, Value>,
    entry_type: impl Fn(&str) -> Option<&'t Type>,
    step: fn(String) -> Step,
    path: &mut Vec<Step>,
    out: &mut String,
) -> Result<(), CodecError> {
    out.push('{');
    for (i, (key, entry)) in entries.iter().enumerate() {
        let Some(ty) = entry_type(key) else {
            let kind = CodecErrorKind::UnsupportedAttribute(key.clone());
            return Err(CodecError::new(Path(path.clone()), kind));
        };
        if i > 0 {
            out.push(',');
        }
        json_text::write_string(out, key);
        out.push(':');
        path.push(step(key.clone()));
        write_value(entry, ty, path, out)?;
        path.pop();
    }
    out.push('}');
    Ok(())
}

fn write_elements<'t>(
    items: &[Value],
    elem: impl Fn(usize) -> &'t Type,
    path: &mut Vec<Step>,
    out: &mut String,
) -> Result<(), CodecError> {
    out.push('[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        path.push(Step::Index(i as i64));
        write_value(item, elem(i), path, out)?;
        path.pop();
    }
    out.push(']');
    Ok(())
}

/// JSON text for a number that reads back as the same number: the short float form when it is
/// exact, the exact expansion otherwise.
fn number_text(n: &Number) -> Result<String, CodecErrorKind> {
    let invalid = || CodecErrorKind::Number(super::NumberError::Syntax(n.to_string()));
    match n.canonical() {
        Some(Number::Int(i)) => Ok(i.to_string()),
        Some(Number::UInt(u)) => Ok(u.to_string()),
        Some(Number::Decimal(text)) => Ok(text),
        Some(Number::Float(f)) if f.is_infinite() => Err(CodecErrorKind::Mismatch {
            expected: "a finite number",
            found: "infinity".to_owned(),
        }),
        Some(float @ Number::Float(f)) => {
            let plain = format!("{f}");
            let short = if plain.len() > 24 {
                format!("{f:e}")
            } else {
                plain
            };
            match Number::parse(&short) {
                Ok(parsed) if parsed == float => Ok(short),
                _ => float.exact_text().ok_or_else(invalid),
            }
        }
        None => Err(invalid()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
