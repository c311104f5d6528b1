//! The error every cty codec returns: what went wrong, and where in the value.

use super::{NumberError, Path};

/// A codec failure at a place in the value (the root for errors about the input as a whole).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{path}: {kind}")]
pub struct CodecError {
    /// Where in the value the problem is.
    pub path: Path,
    /// What the problem is.
    pub kind: CodecErrorKind,
}

impl CodecError {
    /// An error of `kind` at `path`.
    #[must_use]
    pub fn new(path: Path, kind: CodecErrorKind) -> Self {
        Self { path, kind }
    }
}

/// What went wrong while decoding, encoding or checking a value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CodecErrorKind {
    /// The input ended inside a value.
    #[error("unexpected end of input")]
    Truncated,
    /// Bytes follow the end of the value.
    #[error("{0} unexpected bytes after the value")]
    TrailingBytes(usize),
    /// Containers nest deeper than the codec allows.
    #[error("nesting deeper than {0} levels")]
    TooDeep(usize),
    /// The input holds a different kind of value than the type calls for.
    #[error("{expected} is required, found {found}")]
    Mismatch {
        /// What the type calls for (e.g. "a string").
        expected: &'static str,
        /// What the input held (e.g. "an array").
        found: String,
    },
    /// An object lacks one of its type's attributes.
    #[error("missing attribute {0:?}")]
    MissingAttribute(String),
    /// An object has an attribute its type does not declare.
    #[error("unsupported attribute {0:?}")]
    UnsupportedAttribute(String),
    /// A map or object names the same key twice.
    #[error("duplicate key {0:?}")]
    DuplicateKey(String),
    /// A map key is not a string.
    #[error("map keys must be strings")]
    NonStringKey,
    /// A tuple has the wrong number of elements.
    #[error("a tuple of {expected} elements is required, found {found}")]
    TupleLength {
        /// Elements the tuple type has.
        expected: usize,
        /// Elements the input has.
        found: usize,
    },
    /// A string is not valid UTF-8.
    #[error("string is not valid UTF-8")]
    InvalidUtf8,
    /// A number is malformed.
    #[error(transparent)]
    Number(#[from] NumberError),
    /// An unknown value's refinements are malformed or do not fit its type.
    #[error("invalid refinement: {0}")]
    Refinement(&'static str),
    /// Type JSON is malformed or names no cty type.
    #[error("invalid type JSON: {0}")]
    TypeJson(String),
    /// JSON text is malformed.
    #[error("invalid JSON at byte {offset}: {message}")]
    Json {
        /// Byte offset of the problem in the input.
        offset: usize,
        /// What is wrong there.
        message: &'static str,
    },
    /// JSON cannot carry unknown values.
    #[error("an unknown value cannot be written as JSON")]
    UnknownInJson,
    /// A string, array or map is too long for msgpack's 32-bit lengths, or refinements exceed
    /// the 1 KiB Terraform accepts.
    #[error("too large to encode ({0} bytes or elements)")]
    TooLarge(usize),
    /// A value in a dynamic-typed place must say its type: `Value::Dynamic(type, value)`.
    #[error("a value of a dynamic-typed place must be Value::Dynamic")]
    MissingDynamicType,
}

/// A `Result` with a [`CodecError`].
pub type CodecResult<T> = Result<T, CodecError>;
