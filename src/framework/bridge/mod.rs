//! The serde bridge between typed models and cty values.
//!
//! [`from_value`] reads a model from a cty value (config, plan or state) and [`to_value`] writes a
//! model back as a cty value of the schema's type. Null, unknown and known survive the trip when a
//! field is a [`super::Value`]; errors name the attribute path where they happened.

mod de;
mod ser;

use std::fmt;

use crate::cty::{self, Path, Step, Type};

pub use de::ValueDeserializer;
pub use ser::ValueSerializer;

/// Newtype-struct name through which [`super::Value`] asks the deserializer for null/unknown/known.
pub(crate) const VALUE_MARKER: &str = "$terraform_provider::framework::Value";
/// Newtype-struct name through which [`super::Value::Unknown`] tells the serializer "unknown".
pub(crate) const UNKNOWN_MARKER: &str = "$terraform_provider::framework::Unknown";

/// A mismatch between a model and a value or type, with the attribute path where it happened.
///
/// The (de)serializers carry no path: an error starts where it happened and each enclosing
/// element or attribute adds its step as the error passes out through it, so that a value that
/// converts cleanly, which is nearly every value, builds no path at all. [`from_value`] and
/// [`to_value`] put the steps in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct BridgeError {
    /// Where in the value; `None` for the root.
    pub path: Option<Path>,
    /// What went wrong.
    pub message: String,
    /// Steps gathered on the way out, innermost first.
    outward: Vec<Step>,
}

impl BridgeError {
    /// An error about the value being converted at the point where it is raised.
    fn here(message: impl fmt::Display) -> Self {
        Self {
            path: None,
            message: message.to_string(),
            outward: Vec::new(),
        }
    }

    /// Records that the error came out of `step`.
    fn within(mut self, step: impl FnOnce() -> Step) -> Self {
        self.outward.push(step());
        self
    }

    /// Puts the gathered steps in order, from the root.
    fn rooted(mut self) -> Self {
        if !self.outward.is_empty() {
            let mut steps = std::mem::take(&mut self.outward);
            steps.reverse();
            self.path = Some(Path(steps));
        }
        self
    }

    /// The path, the root when none was recorded.
    #[must_use]
    pub fn path(&self) -> Path {
        self.path.clone().unwrap_or_default()
    }
}

impl fmt::Display for BridgeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(path) if !path.is_root() => write!(f, "at {path}: {}", self.message),
            _ => f.write_str(&self.message),
        }
    }
}

impl serde::de::Error for BridgeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::here(msg)
    }
}

impl serde::ser::Error for BridgeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Self::here(msg)
    }
}

/// Reads a `T` from a cty value.
///
/// # Errors
/// When the value does not fit `T`, e.g. an unknown where `T` has no [`super::Value`] field.
pub fn from_value<'de, T: serde::Deserialize<'de>>(
    value: &'de cty::Value,
) -> Result<T, BridgeError> {
    T::deserialize(ValueDeserializer::new(value)).map_err(BridgeError::rooted)
}

/// Writes `value` as a cty value of type `ty`; object attributes the model lacks become null.
///
/// # Errors
/// When the model does not fit the type, e.g. a field that the schema does not have.
pub fn to_value<T: serde::Serialize + ?Sized>(
    value: &T,
    ty: &Type,
) -> Result<cty::Value, BridgeError> {
    value
        .serialize(ValueSerializer::new(ty))
        .map_err(BridgeError::rooted)
}

/// Reads a typed model from a cty value for a framework step, or adds the one diagnostic that a
/// value the schema accepted but the model does not fit gets (a bug in the provider's model).
pub(crate) fn decode_model<T: serde::de::DeserializeOwned>(
    value: &cty::Value,
    what: &str,
    diagnostics: &mut super::diag::Diagnostics,
) -> Option<T> {
    match from_value(value) {
        Ok(v) => Some(v),
        Err(e) => {
            conversion_error(diagnostics, &e, what);
            None
        }
    }
}

/// The diagnostic for a model that does not fit its own schema, reading or writing `what` (the
/// configuration, the plan, the state...).
pub(crate) fn conversion_diagnostic(e: &BridgeError, what: &str) -> super::diag::Diagnostic {
    super::diag::Diagnostic::error(
        "Value Conversion Error",
        format!(
            "The provider could not convert the {what}: {e}. This is a bug in the provider; please \
             report it."
        ),
    )
    .at(e.path())
}

/// Adds the [`conversion_diagnostic`] for `e`.
pub(crate) fn conversion_error(
    diagnostics: &mut super::diag::Diagnostics,
    e: &BridgeError,
    what: &str,
) {
    diagnostics.push(conversion_diagnostic(e, what));
}

#[cfg(test)]
mod tests;
