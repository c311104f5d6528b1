//! Private state: bytes Terraform stores beside a resource's state and hands back on the next
//! call, invisible to the user. The framework keeps them as a JSON object of named entries.

use std::collections::BTreeMap;

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Why private state could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum PrivateStateError {
    /// The stored bytes are not a JSON object (written by another provider version?).
    #[error("private state is not a JSON object: {0}")]
    Malformed(#[source] serde_json::Error),
    /// An entry does not have the shape asked for.
    #[error("private state entry {key:?} has an unexpected shape: {source}")]
    Entry {
        /// The entry's key.
        key: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
}

/// Named JSON entries stored privately with a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivateState {
    entries: BTreeMap<String, serde_json::Value>,
}

impl PrivateState {
    /// Reads private state as Terraform returns it; empty bytes are an empty state.
    ///
    /// # Errors
    /// When the bytes are not a JSON object.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, PrivateStateError> {
        if bytes.is_empty() {
            return Ok(Self::default());
        }
        let entries = serde_json::from_slice(bytes).map_err(PrivateStateError::Malformed)?;
        Ok(Self { entries })
    }

    /// The bytes to hand Terraform; empty when there are no entries.
    #[must_use]
    pub fn to_bytes(&self) -> Vec<u8> {
        if self.entries.is_empty() {
            return Vec::new();
        }
        // A map of JSON values always serializes.
        serde_json::to_vec(&self.entries).unwrap_or_default()
    }

    /// The entry `key`, decoded as `T`; `None` when absent.
    ///
    /// # Errors
    /// When the entry exists but is not a `T`.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<Option<T>, PrivateStateError> {
        let Some(v) = self.entries.get(key) else {
            return Ok(None);
        };
        T::deserialize(v)
            .map(Some)
            .map_err(|source| PrivateStateError::Entry {
                key: key.to_owned(),
                source,
            })
    }

    /// Stores `value` as entry `key`.
    ///
    /// # Errors
    /// When `value` cannot be represented as JSON.
    pub fn set<T: Serialize + ?Sized>(
        &mut self,
        key: &str,
        value: &T,
    ) -> Result<(), PrivateStateError> {
        let v = serde_json::to_value(value).map_err(|source| PrivateStateError::Entry {
            key: key.to_owned(),
            source,
        })?;
        self.entries.insert(key.to_owned(), v);
        Ok(())
    }

    /// Removes entry `key`.
    pub fn remove(&mut self, key: &str) {
        self.entries.remove(key);
    }

    /// Whether there are no entries.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_bytes() {
        let mut p = PrivateState::default();
        assert!(p.to_bytes().is_empty());
        p.set("credential_hash", "abc").expect("set");
        p.set("checks", &3_u32).expect("set");
        let back = PrivateState::from_bytes(&p.to_bytes()).expect("parse");
        assert_eq!(
            back.get::<String>("credential_hash").expect("get"),
            Some("abc".to_owned())
        );
        assert_eq!(back.get::<u32>("checks").expect("get"), Some(3));
        assert_eq!(back.get::<u32>("missing").expect("get"), None);
        assert!(back.get::<u32>("credential_hash").is_err());
        assert!(PrivateState::from_bytes(b"[1]").is_err());
        assert_eq!(
            PrivateState::from_bytes(b"").expect("empty"),
            PrivateState::default()
        );
    }
}
