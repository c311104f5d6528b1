//! Reading and rewriting values by attribute path, and walking a value alongside its schema.

use crate::cty::{self, Path, Step};

/// The value at `path` inside `root`; `None` when the path leads through a null, an unknown or a
/// missing element.
#[must_use]
pub fn get<'a>(root: &'a cty::Value, path: &Path) -> Option<&'a cty::Value> {
    let mut here = root;
    for step in &path.0 {
        here = match (here, step) {
            (cty::Value::Object(attrs), Step::Attribute(name)) => attrs.get(name)?,
            (cty::Value::Map(items), Step::Key(key)) => items.get(key)?,
            (cty::Value::List(items) | cty::Value::Tuple(items), Step::Index(index)) => {
                items.get(usize::try_from(*index).ok()?)?
            }
            _ => return None,
        };
    }
    Some(here)
}

/// A mutable reference to the value at `path`; `None` as for [`get`].
pub fn get_mut<'a>(root: &'a mut cty::Value, path: &Path) -> Option<&'a mut cty::Value> {
    let mut here = root;
    for step in &path.0 {
        here = match (here, step) {
            (cty::Value::Object(attrs), Step::Attribute(name)) => attrs.get_mut(name)?,
            (cty::Value::Map(items), Step::Key(key)) => items.get_mut(key)?,
            (cty::Value::List(items) | cty::Value::Tuple(items), Step::Index(index)) => {
                items.get_mut(usize::try_from(*index).ok()?)?
            }
            _ => return None,
        };
    }
    Some(here)
}

/// The first place inside `value` that is unknown, as a path below `at`.
#[must_use]
pub fn first_unknown(value: &cty::Value, at: &Path) -> Option<Path> {
    match value {
        cty::Value::Unknown(_) => Some(at.clone()),
        cty::Value::List(items) | cty::Value::Tuple(items) => {
            items.iter().enumerate().find_map(|(i, v)| {
                first_unknown(v, &at.join_index(i64::try_from(i).unwrap_or(i64::MAX)))
            })
        }
        // Set elements have no stable address; the set itself is the best we can name.
        cty::Value::Set(items) => items
            .iter()
            .find_map(|v| first_unknown(v, at).map(|_| at.clone())),
        cty::Value::Map(items) => items
            .iter()
            .find_map(|(k, v)| first_unknown(v, &at.join_key(k.clone()))),
        cty::Value::Object(attrs) => attrs
            .iter()
            .find_map(|(k, v)| first_unknown(v, &at.join_attr(k.clone()))),
        cty::Value::Dynamic(_, inner) => first_unknown(inner, at),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn obj(pairs: &[(&str, cty::Value)]) -> cty::Value {
        cty::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn get_follows_attributes_and_indexes() {
        let root = obj(&[(
            "tags",
            cty::Value::List(vec![
                cty::Value::String("a".into()),
                cty::Value::String("b".into()),
            ]),
        )]);
        assert_eq!(
            get(&root, &Path::attr("tags").join_index(1)),
            Some(&cty::Value::String("b".into()))
        );
        assert_eq!(get(&root, &Path::attr("tags").join_index(2)), None);
        assert_eq!(get(&root, &Path::attr("nope")), None);
        assert_eq!(get(&root, &Path::root()), Some(&root));
    }

    #[test]
    fn first_unknown_names_the_deepest_path() {
        let root = obj(&[
            ("a", cty::Value::String("x".into())),
            ("n", obj(&[("b", cty::Value::unknown())])),
        ]);
        assert_eq!(
            first_unknown(&root, &Path::root()),
            Some(Path::attr("n").join_attr("b"))
        );
        assert_eq!(first_unknown(&cty::Value::Null, &Path::root()), None);
    }
}
