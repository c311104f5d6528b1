//! Terraform's value system ("cty"): types, values and their wire codecs.
//!
//! Values travel between Terraform and the provider as msgpack (or, for raw state, JSON). A value
//! is decoded against the type the schema gives it, because msgpack alone cannot tell a list from a
//! set or an object from a map.

mod number;
mod path;
mod types;
mod value;

pub use number::Number;
pub use path::{Path, Step};
pub use types::{ObjectType, Type};
pub use value::{Refinement, Value};
