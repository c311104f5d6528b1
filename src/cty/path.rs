//! Attribute paths: where in a value a diagnostic or a codec error points.

use std::fmt;

/// One step into a value: an attribute of an object, a map key, or a list/tuple index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Step {
    /// An attribute (or nested block) of an object.
    Attribute(String),
    /// A key of a map (or, for sets, the string form of an element).
    Key(String),
    /// An index into a list or tuple.
    Index(i64),
}

/// A path from the root of a resource's value to one part of it. The empty path is the root.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Path(pub Vec<Step>);

impl Path {
    /// The root of the value.
    #[must_use]
    pub fn root() -> Self {
        Self(Vec::new())
    }

    /// A path naming one top-level attribute.
    #[must_use]
    pub fn attr(name: impl Into<String>) -> Self {
        Self(vec![Step::Attribute(name.into())])
    }

    /// This path extended by one attribute step.
    #[must_use]
    pub fn join_attr(&self, name: impl Into<String>) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Attribute(name.into()));
        Self(steps)
    }

    /// This path extended by one map-key step.
    #[must_use]
    pub fn join_key(&self, key: impl Into<String>) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.into()));
        Self(steps)
    }

    /// This path extended by one index step.
    #[must_use]
    pub fn join_index(&self, index: i64) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Index(index));
        Self(steps)
    }

    /// Whether this is the root path.
    #[must_use]
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            return f.write_str("(root)");
        }
        for (i, step) in self.0.iter().enumerate() {
            match step {
                Step::Attribute(name) if i == 0 => write!(f, "{name}")?,
                Step::Attribute(name) => write!(f, ".{name}")?,
                Step::Key(key) => write!(f, "[{key:?}]")?,
                Step::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}
