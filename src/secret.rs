//! A wrapper for secret strings that cannot be printed by accident and are wiped when dropped.

use std::fmt;

use zeroize::Zeroize as _;

/// A secret (client secret, bearer token, Xero secret). `Debug` and `Display` print `<redacted>`,
/// so a secret inside a struct, an error or a log field never reaches output. The value is read
/// only through [`SecretString::expose`], which makes every use visible in review.
///
/// Dropping one overwrites its bytes with zeros first, so a freed secret does not linger in the
/// heap (where a later crash report or a reused allocation could show it). Clones are wiped too,
/// each when it is dropped; a copy made with [`SecretString::expose`] is the caller's to keep
/// short-lived.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct SecretString(String);

impl Drop for SecretString {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl SecretString {
    /// Wraps a secret value.
    #[must_use]
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself: only for putting it on the wire.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the secret is the empty string.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<String> for SecretString {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for SecretString {
    fn from(value: &str) -> Self {
        Self(value.to_owned())
    }
}

/// A secret read from JSON (e.g. a JWK's private member) goes straight into the wrapper.
impl<'de> serde::Deserialize<'de> for SecretString {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self)
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

impl fmt::Display for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

#[cfg(test)]
mod tests {
    use super::SecretString;

    #[test]
    fn debug_and_display_never_show_the_value() {
        let secret = SecretString::new("hunter2-very-secret");
        let printed = format!("{secret} {secret:?} {:?}", Some(&secret));
        assert!(!printed.contains("hunter2"), "{printed}");
        assert_eq!(printed.matches("<redacted>").count(), 3);
        assert_eq!(secret.expose(), "hunter2-very-secret");
    }
}
