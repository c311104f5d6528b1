//! Operations on values that the codecs and the framework share: type conformance, semantic
//! equality, set de-duplication.

use std::collections::HashSet;

use super::{CodecError, CodecErrorKind, NumberError, Path, Refinement, Step, Type, Value};

impl Type {
    /// Whether this is a list, set or map: the types whose unknowns may carry length bounds.
    #[must_use]
    pub fn is_collection(&self) -> bool {
        matches!(self, Self::List(_) | Self::Set(_) | Self::Map(_))
    }

    /// What a value of this type is called in error messages ("a string", "an object").
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::String => "a string",
            Self::Number => "a number",
            Self::Bool => "a bool",
            Self::Dynamic => "a dynamic value",
            Self::List(_) => "a list",
            Self::Set(_) => "a set",
            Self::Map(_) => "a map",
            Self::Object(_) => "an object",
            Self::Tuple(_) => "a tuple",
        }
    }
}

impl Value {
    /// What this value is called in error messages.
    #[must_use]
    pub fn kind_name(&self) -> &'static str {
        match self {
            Self::Null => "null",
            Self::Unknown(_) => "an unknown value",
            Self::Bool(_) => "a bool",
            Self::Number(_) => "a number",
            Self::String(_) => "a string",
            Self::List(_) => "a list",
            Self::Set(_) => "a set",
            Self::Tuple(_) => "a tuple",
            Self::Map(_) => "a map",
            Self::Object(_) => "an object",
            Self::Dynamic(..) => "a dynamic value",
        }
    }

    /// Checks that this value is a value of `ty`: right shapes, every object attribute present
    /// and none extra, numbers valid, refinements fitting the type, values of dynamic-typed
    /// places wrapped in [`Value::Dynamic`].
    ///
    /// # Errors
    /// The first mismatch, with its path.
    pub fn check_type(&self, ty: &Type) -> Result<(), CodecError> {
        check(self, ty, &mut Vec::new())
    }

    /// Whether two values are the same cty value: numbers compare by value, sets compare as
    /// sets, unknowns compare by their refinements. Types are not consulted, so compare values
    /// of the same type.
    #[must_use]
    pub fn equal_semantically(&self, other: &Value) -> bool {
        canonical_key(self) == canonical_key(other)
    }
}

fn check(value: &Value, ty: &Type, path: &mut Vec<Step>) -> Result<(), CodecError> {
    let fail = |path: &Vec<Step>, kind| Err(CodecError::new(Path(path.clone()), kind));
    let mismatch = |path: &Vec<Step>| {
        fail(
            path,
            CodecErrorKind::Mismatch {
                expected: ty.kind_name(),
                found: value.kind_name().to_owned(),
            },
        )
    };
    match (value, ty) {
        (Value::Null, _) => Ok(()),
        (Value::Unknown(refinement), _) => match refinement_fits(refinement, ty) {
            Ok(()) => Ok(()),
            Err(kind) => fail(path, kind),
        },
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => check(inner, inner_ty, path),
        (_, Type::Dynamic) => fail(path, CodecErrorKind::MissingDynamicType),
        (Value::Bool(_), Type::Bool) | (Value::String(_), Type::String) => Ok(()),
        (Value::Number(n), Type::Number) => match n.canonical() {
            Some(_) => Ok(()),
            None if matches!(n, super::Number::Float(_)) => {
                fail(path, CodecErrorKind::Number(NumberError::NaN))
            }
            None => fail(
                path,
                CodecErrorKind::Number(NumberError::Syntax(n.to_string())),
            ),
        },
        (Value::List(items), Type::List(elem)) | (Value::Set(items), Type::Set(elem)) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Step::Index(i as i64));
                check(item, elem, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Tuple(items), Type::Tuple(elems)) => {
            if items.len() != elems.len() {
                return fail(
                    path,
                    CodecErrorKind::TupleLength {
                        expected: elems.len(),
                        found: items.len(),
                    },
                );
            }
            for (i, (item, elem)) in items.iter().zip(elems).enumerate() {
                path.push(Step::Index(i as i64));
                check(item, elem, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Map(items), Type::Map(elem)) => {
            for (key, item) in items {
                path.push(Step::Key(key.clone()));
                check(item, elem, path)?;
                path.pop();
            }
            Ok(())
        }
        (Value::Object(attrs), Type::Object(object)) => {
            if let Some(extra) = attrs
                .keys()
                .find(|name| !object.attributes.contains_key(*name))
            {
                return fail(path, CodecErrorKind::UnsupportedAttribute(extra.clone()));
            }
            for (name, attr_ty) in &object.attributes {
                let Some(attr) = attrs.get(name) else {
                    return fail(path, CodecErrorKind::MissingAttribute(name.clone()));
                };
                path.push(Step::Attribute(name.clone()));
                check(attr, attr_ty, path)?;
                path.pop();
            }
            Ok(())
        }
        _ => mismatch(path),
    }
}

/// Whether an unknown of `ty` may carry these refinements (Terraform rejects the others).
pub(crate) fn refinement_fits(refinement: &Refinement, ty: &Type) -> Result<(), CodecErrorKind> {
    if *ty == Type::Dynamic {
        // Terraform never refines an unknown of dynamic type; the encoder drops any refinement.
        return Ok(());
    }
    if refinement.string_prefix.is_some() && *ty != Type::String {
        return Err(CodecErrorKind::Refinement(
            "a string prefix on a non-string value",
        ));
    }
    if (refinement.number_lower.is_some() || refinement.number_upper.is_some())
        && *ty != Type::Number
    {
        return Err(CodecErrorKind::Refinement(
            "number bounds on a non-number value",
        ));
    }
    for (bound, _) in refinement
        .number_lower
        .iter()
        .chain(&refinement.number_upper)
    {
        if bound.canonical().is_none() {
            return Err(CodecErrorKind::Refinement(
                "a number bound that is not a number",
            ));
        }
    }
    if (refinement.length_lower.is_some() || refinement.length_upper.is_some())
        && !ty.is_collection()
    {
        return Err(CodecErrorKind::Refinement(
            "length bounds on a value that is not a collection",
        ));
    }
    Ok(())
}

/// Drops later copies of wholly known set elements, as cty's sets hold each value once.
/// Elements with unknowns stay: cty treats every unknown as possibly distinct.
pub(crate) fn dedupe_set(items: &mut Vec<Value>) {
    if items.len() < 2 {
        return;
    }
    let mut seen = HashSet::with_capacity(items.len());
    items.retain(|item| !item.is_wholly_known() || seen.insert(canonical_key(item)));
}

/// A byte string that is equal for two values exactly when they are semantically equal.
/// Sets are keyed by their sorted element keys, numbers by their exact decimal text.
fn canonical_key(value: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_key(value, &mut out);
    out
}

fn write_key(value: &Value, out: &mut Vec<u8>) {
    fn bytes(out: &mut Vec<u8>, data: &[u8]) {
        out.extend_from_slice(&(data.len() as u64).to_le_bytes());
        out.extend_from_slice(data);
    }
    fn seq<'a>(out: &mut Vec<u8>, tag: u8, items: impl ExactSizeIterator<Item = &'a Value>) {
        out.push(tag);
        out.extend_from_slice(&(items.len() as u64).to_le_bytes());
        items.for_each(|item| write_key(item, out));
    }
    match value {
        Value::Null => out.push(0),
        Value::Unknown(r) => {
            out.push(1);
            // Debug output of the refinement is deterministic, and numbers in it are
            // canonicalized first so that equal bounds give equal keys.
            let bound = |b: &Option<(super::Number, bool)>| {
                b.as_ref().map(|(n, inclusive)| {
                    (n.exact_text().unwrap_or_else(|| n.to_string()), *inclusive)
                })
            };
            let text = format!(
                "{:?}",
                (
                    r.nullable,
                    &r.string_prefix,
                    bound(&r.number_lower),
                    bound(&r.number_upper),
                    r.length_lower,
                    r.length_upper
                )
            );
            bytes(out, text.as_bytes());
        }
        Value::Bool(b) => out.push(if *b { 3 } else { 2 }),
        Value::Number(n) => {
            out.push(4);
            bytes(
                out,
                n.exact_text()
                    .unwrap_or_else(|| format!("invalid {n:?}"))
                    .as_bytes(),
            );
        }
        Value::String(s) => {
            out.push(5);
            bytes(out, s.as_bytes());
        }
        Value::List(items) => seq(out, 6, items.iter()),
        Value::Tuple(items) => seq(out, 7, items.iter()),
        Value::Set(items) => {
            let mut keys: Vec<Vec<u8>> = items.iter().map(canonical_key).collect();
            keys.sort_unstable();
            out.push(8);
            out.extend_from_slice(&(keys.len() as u64).to_le_bytes());
            keys.iter().for_each(|key| bytes(out, key));
        }
        Value::Map(items) | Value::Object(items) => {
            out.push(if matches!(value, Value::Map(_)) {
                9
            } else {
                10
            });
            out.extend_from_slice(&(items.len() as u64).to_le_bytes());
            for (key, item) in items {
                bytes(out, key.as_bytes());
                write_key(item, out);
            }
        }
        Value::Dynamic(ty, inner) => {
            out.push(11);
            bytes(out, &ty.to_json_bytes());
            write_key(inner, out);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cty::Number;

    fn num(n: i64) -> Value {
        Value::Number(Number::Int(n))
    }

    #[test]
    fn semantic_equality_treats_sets_as_sets_and_numbers_by_value() {
        let a = Value::Set(vec![
            num(1),
            Value::Number(Number::Float(2.0)),
            Value::String("x".into()),
        ]);
        let b = Value::Set(vec![
            Value::String("x".into()),
            num(2),
            Value::Number(Number::Decimal("1e0".into())),
        ]);
        assert!(a.equal_semantically(&b));
        assert!(!a.equal_semantically(&Value::Set(vec![num(1), num(2)])));
        // Lists keep order.
        assert!(
            !Value::List(vec![num(1), num(2)])
                .equal_semantically(&Value::List(vec![num(2), num(1)]))
        );
        // A list is not a tuple, even with the same elements.
        assert!(!Value::List(vec![num(1)]).equal_semantically(&Value::Tuple(vec![num(1)])));
        // Nested sets compare as sets too.
        let nested = |x, y| Value::Set(vec![Value::Set(vec![num(x), num(y)])]);
        assert!(nested(1, 2).equal_semantically(&nested(2, 1)));
        // Unknowns compare by refinement.
        let refined = Value::Unknown(Refinement {
            nullable: Some(false),
            ..Refinement::default()
        });
        assert!(!refined.equal_semantically(&Value::unknown()));
        assert!(Value::unknown().equal_semantically(&Value::unknown()));
    }

    #[test]
    fn dedupe_keeps_first_copy_and_every_unknown() {
        let mut items = vec![
            num(1),
            Value::Number(Number::Float(1.0)),
            num(2),
            Value::unknown(),
            Value::unknown(),
        ];
        dedupe_set(&mut items);
        assert_eq!(items.len(), 4);
        assert!(matches!(items[0], Value::Number(Number::Int(1))));
    }

    #[test]
    fn check_type_reports_the_path_of_the_first_mismatch() {
        let ty = Type::object([
            ("tags", Type::map(Type::list(Type::Number))),
            ("name", Type::String),
        ]);
        let mut tags = BTreeMap::new();
        tags.insert(
            "k".to_owned(),
            Value::List(vec![num(1), Value::String("two".into())]),
        );
        let value = Value::Object(BTreeMap::from([
            ("tags".to_owned(), Value::Map(tags)),
            ("name".to_owned(), Value::Null),
        ]));
        let err = value.check_type(&ty).unwrap_err();
        assert_eq!(err.path.to_string(), "tags[\"k\"][1]");
        assert!(matches!(
            err.kind,
            CodecErrorKind::Mismatch {
                expected: "a number",
                ..
            }
        ));

        let missing = Value::Object(BTreeMap::from([("name".to_owned(), Value::Null)]));
        assert_eq!(
            missing.check_type(&ty).unwrap_err().kind,
            CodecErrorKind::MissingAttribute("tags".into())
        );
        let prefix_on_number = Value::Unknown(Refinement {
            string_prefix: Some("a".into()),
            ..Refinement::default()
        });
        assert!(prefix_on_number.check_type(&Type::Number).is_err());
        assert!(prefix_on_number.check_type(&Type::String).is_ok());
        assert_eq!(
            Value::String("x".into())
                .check_type(&Type::Dynamic)
                .unwrap_err()
                .kind,
            CodecErrorKind::MissingDynamicType
        );
        assert!(
            Value::Dynamic(Box::new(Type::String), Box::new(Value::String("x".into())))
                .check_type(&Type::Dynamic)
                .is_ok()
        );
    }
}
