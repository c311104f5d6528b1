//! Terraform's value system ("cty"): types, values and their wire codecs.
//!
//! Values travel between Terraform and the provider as msgpack (or, for raw state, JSON). A value
//! is decoded against the type the schema gives it, because msgpack alone cannot tell a list from a
//! set or an object from a map.
//!
//! - [`msgpack::decode`] / [`msgpack::encode`]: `DynamicValue.msgpack`, unknowns and refinements included.
//! - [`json::decode`] / [`json::decode_with`] / [`json::encode`]: `DynamicValue.json` (raw state).
//! - [`Type::from_json_bytes`] / [`Type::to_json_bytes`]: type JSON, as in `Schema.Attribute.type`.
//! - [`Value::check_type`], [`Value::equal_semantically`], [`Number::parse`]: helpers the framework uses.

mod error;
pub mod json;
mod json_text;
pub mod msgpack;
mod number;
mod ops;
mod path;
mod type_json;
mod types;
mod value;

#[cfg(test)]
mod testing;

pub use error::{CodecError, CodecErrorKind, CodecResult};
pub use json::JsonOptions;
pub use number::{Number, NumberError};
pub use path::{Path, Step};
pub use types::{ObjectType, Type};
pub use value::{Refinement, Value};

/// How deeply containers may nest in a decoded value (type JSON: twice this many JSON levels).
/// Terraform's schemas stay far below it; hostile input cannot exhaust the stack.
pub const MAX_DEPTH: usize = 128;
