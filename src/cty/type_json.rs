//! Type JSON: how schemas (`Schema.Attribute.type`) and dynamic values name a cty type.
//!
//! `"string"`, `"number"`, `"bool"`, `"dynamic"`, `["list",T]`, `["set",T]`, `["map",T]`,
//! `["object",{"name":T,…}]` with an optional third element listing optional attribute names,
//! and `["tuple",[T,…]]`. Terraform panics on type JSON it cannot parse, so the writer emits
//! exactly this form: compact, attribute names sorted.

use std::collections::{BTreeMap, BTreeSet};

use super::json_text::{self, Json};
use super::{CodecError, CodecErrorKind, ObjectType, Path, Type};

/// How deeply type JSON may nest (in JSON levels; each type level takes up to two).
const MAX_TYPE_JSON_DEPTH: usize = 2 * super::MAX_DEPTH;

impl Type {
    /// This type as type JSON.
    #[must_use]
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = String::new();
        write_type(self, &mut out);
        out.into_bytes()
    }

    /// Parses type JSON.
    ///
    /// # Errors
    /// [`CodecErrorKind::Json`] for malformed JSON, [`CodecErrorKind::TypeJson`] for JSON that
    /// names no type, [`CodecErrorKind::TooDeep`] beyond the nesting bound; the path is the root.
    pub fn from_json_bytes(bytes: &[u8]) -> Result<Type, CodecError> {
        let root = |kind| CodecError::new(Path::root(), kind);
        let json = json_text::parse(bytes, MAX_TYPE_JSON_DEPTH).map_err(root)?;
        from_json(&json).map_err(|message| root(CodecErrorKind::TypeJson(message)))
    }
}

fn write_type(ty: &Type, out: &mut String) {
    match ty {
        Type::String => out.push_str("\"string\""),
        Type::Number => out.push_str("\"number\""),
        Type::Bool => out.push_str("\"bool\""),
        Type::Dynamic => out.push_str("\"dynamic\""),
        Type::List(elem) | Type::Set(elem) | Type::Map(elem) => {
            out.push_str(match ty {
                Type::List(_) => "[\"list\",",
                Type::Set(_) => "[\"set\",",
                _ => "[\"map\",",
            });
            write_type(elem, out);
            out.push(']');
        }
        Type::Object(object) => {
            out.push_str("[\"object\",{");
            for (i, (name, attr)) in object.attributes.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_text::write_string(out, name);
                out.push(':');
                write_type(attr, out);
            }
            out.push('}');
            if !object.optional.is_empty() {
                out.push_str(",[");
                for (i, name) in object.optional.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    json_text::write_string(out, name);
                }
                out.push(']');
            }
            out.push(']');
        }
        Type::Tuple(elems) => {
            out.push_str("[\"tuple\",[");
            for (i, elem) in elems.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_type(elem, out);
            }
            out.push_str("]]");
        }
    }
}

/// The type a parsed type JSON document names; the error says why it names none.
pub(crate) fn from_json(json: &Json) -> Result<Type, String> {
    match json {
        Json::String(name) => match name.as_str() {
            "string" => Ok(Type::String),
            "number" => Ok(Type::Number),
            "bool" => Ok(Type::Bool),
            "dynamic" => Ok(Type::Dynamic),
            other => Err(format!("unknown primitive type {other:?}")),
        },
        Json::Array(items) => {
            let Some(Json::String(kind)) = items.first() else {
                return Err("a type array must start with its kind as a string".to_owned());
            };
            let args = &items[1..];
            match (kind.as_str(), args) {
                ("list", [elem]) => Ok(Type::list(from_json(elem)?)),
                ("set", [elem]) => Ok(Type::set(from_json(elem)?)),
                ("map", [elem]) => Ok(Type::map(from_json(elem)?)),
                ("tuple", [Json::Array(elems)]) => Ok(Type::Tuple(
                    elems.iter().map(from_json).collect::<Result<_, _>>()?,
                )),
                ("object", [Json::Object(members)]) => object_type(members, None),
                ("object", [Json::Object(members), Json::Array(optional)]) => {
                    object_type(members, Some(optional))
                }
                ("list" | "set" | "map" | "tuple" | "object", _) => {
                    Err(format!("malformed {kind} type"))
                }
                (other, _) => Err(format!("unknown type kind {other:?}")),
            }
        }
        other => Err(format!(
            "a type must be a string or an array, found {}",
            other.kind_name()
        )),
    }
}

fn object_type(members: &[(String, Json)], optional: Option<&Vec<Json>>) -> Result<Type, String> {
    let mut attributes = BTreeMap::new();
    for (name, attr) in members {
        if attributes.insert(name.clone(), from_json(attr)?).is_some() {
            return Err(format!("attribute {name:?} is declared twice"));
        }
    }
    let mut optional_names = BTreeSet::new();
    for name in optional.into_iter().flatten() {
        let Json::String(name) = name else {
            return Err("optional attribute names must be strings".to_owned());
        };
        if !attributes.contains_key(name) {
            return Err(format!(
                "optional attribute {name:?} is not an attribute of the object"
            ));
        }
        optional_names.insert(name.clone());
    }
    Ok(Type::Object(ObjectType {
        attributes,
        optional: optional_names,
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn writes_terraform_type_json() {
        let mut object = ObjectType::default();
        object
            .attributes
            .insert("b".into(), Type::list(Type::String));
        object.attributes.insert("a".into(), Type::Number);
        object.optional.insert("b".into());
        let cases = [
            (Type::String, r#""string""#),
            (Type::Dynamic, r#""dynamic""#),
            (
                Type::set(Type::map(Type::Bool)),
                r#"["set",["map","bool"]]"#,
            ),
            (
                Type::object([("z", Type::String), ("a", Type::Bool)]),
                r#"["object",{"a":"bool","z":"string"}]"#,
            ),
            (
                Type::Object(object),
                r#"["object",{"a":"number","b":["list","string"]},["b"]]"#,
            ),
            (
                Type::Tuple(vec![Type::String, Type::Number]),
                r#"["tuple",["string","number"]]"#,
            ),
            (Type::Tuple(vec![]), r#"["tuple",[]]"#),
        ];
        for (ty, want) in cases {
            assert_eq!(String::from_utf8(ty.to_json_bytes()).unwrap(), want);
            assert_eq!(
                Type::from_json_bytes(want.as_bytes()).unwrap(),
                ty,
                "{want}"
            );
        }
    }

    #[test]
    fn reads_whitespace_and_escapes() {
        let ty =
            Type::from_json_bytes(b" [ \"object\" , { \"a\\u0062\" : \"string\" } ] ").unwrap();
        assert_eq!(ty, Type::object([("ab", Type::String)]));
    }

    #[test]
    fn rejects_json_that_names_no_type() {
        for text in [
            r#""str""#,
            r#"["list"]"#,
            r#"["list","string","string"]"#,
            r#"["tuple","string"]"#,
            r#"["object",{"a":"string"},["b"]]"#,
            r#"["object",{"a":"string","a":"bool"}]"#,
            r#"["object",{"a":"string"},[1]]"#,
            r#"["capsule","x"]"#,
            r#"[]"#,
            "42",
            "null",
            "[\"list\",\"string\"",
        ] {
            let err = Type::from_json_bytes(text.as_bytes()).unwrap_err();
            assert!(
                matches!(
                    err.kind,
                    CodecErrorKind::TypeJson(_) | CodecErrorKind::Json { .. }
                ),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn deep_type_json_is_refused() {
        let deep = format!(
            "{}\"string\"{}",
            "[\"list\",".repeat(10_000),
            "]".repeat(10_000)
        );
        assert!(matches!(
            Type::from_json_bytes(deep.as_bytes()).unwrap_err().kind,
            CodecErrorKind::TooDeep(_)
        ));
    }
}
