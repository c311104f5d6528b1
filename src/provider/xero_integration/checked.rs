//! The Xero credential checks this provider process has already done, so one apply asks Xero
//! once per credential pair and not twice.
//!
//! Terraform's apply walk calls `PlanResourceChange` and then `ApplyResourceChange` for the same
//! resource in the same provider process, moments apart; both must check new credentials (the
//! plan when they are known, the apply before any write). Remembering the plan's answer for a
//! few minutes lets the apply reuse it. An apply from a saved plan file runs in a new process
//! whose cache is empty, so it asks Xero again: credentials revoked after `terraform plan -out`
//! are still caught before anything is written.
//!
//! Only answers that classify the app are kept; a refusal or an unreachable Xero is asked again
//! every time. Entries are keyed by HMAC-SHA256 under a key drawn at random when the provider is
//! configured, so the cache never holds the secret, and its keys mean nothing outside this
//! process.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use crate::secret::SecretString;
use crate::xero::XeroAppType;

/// How long an answer is reused: long enough to span an apply walk's plan and apply of one
/// resource, short enough that a revocation is noticed by the next command.
pub const CHECK_TTL: Duration = Duration::from_secs(300);

/// SHA-256's block size, which HMAC pads its key to.
const BLOCK: usize = 64;

type Digest32 = [u8; 32];

/// The credential checks one configured provider has done, shared by all its resource calls.
pub struct CheckedCredentials {
    key: [u8; BLOCK],
    ttl: Duration,
    entries: Mutex<HashMap<Digest32, (Instant, XeroAppType)>>,
}

impl Default for CheckedCredentials {
    fn default() -> Self {
        Self::with_ttl(CHECK_TTL)
    }
}

impl fmt::Debug for CheckedCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.entries.lock().map_or(0, |e| e.len());
        f.debug_struct("CheckedCredentials")
            .field("entries", &n)
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

impl CheckedCredentials {
    /// An empty cache whose answers last `ttl`, under a fresh random key.
    #[must_use]
    pub fn with_ttl(ttl: Duration) -> Self {
        let mut key = [0_u8; BLOCK];
        rand::thread_rng().fill_bytes(&mut key);
        Self {
            key,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// Xero's classification of `id` + `secret`, when this process got one less than the TTL ago.
    pub(super) fn get(&self, id: &str, secret: &SecretString) -> Option<XeroAppType> {
        let digest = self.digest(id, secret);
        let mut entries = self.entries.lock().ok()?;
        match entries.get(&digest) {
            Some((at, t)) if at.elapsed() < self.ttl => Some(*t),
            Some(_) => {
                entries.remove(&digest);
                None
            }
            None => None,
        }
    }

    /// Records that Xero classified `id` + `secret` as `t` just now.
    pub(super) fn put(&self, id: &str, secret: &SecretString, t: XeroAppType) {
        let digest = self.digest(id, secret);
        if let Ok(mut entries) = self.entries.lock() {
            let ttl = self.ttl;
            entries.retain(|_, (at, _)| at.elapsed() < ttl);
            entries.insert(digest, (Instant::now(), t));
        }
    }

    /// The keyed digest of the length-prefixed ID followed by the secret, so moving characters
    /// between the two changes it.
    fn digest(&self, id: &str, secret: &SecretString) -> Digest32 {
        hmac_sha256(
            &self.key,
            &[
                &(id.len() as u64).to_be_bytes(),
                id.as_bytes(),
                secret.expose().as_bytes(),
            ],
        )
    }
}

/// HMAC-SHA256 (RFC 2104) of the concatenated `parts` under a key of one block.
fn hmac_sha256(key: &[u8; BLOCK], parts: &[&[u8]]) -> Digest32 {
    let mut inner = Sha256::new();
    inner.update(key.map(|k| k ^ 0x36));
    for part in parts {
        inner.update(part);
    }
    let mut outer = Sha256::new();
    outer.update(key.map(|k| k ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_only_the_same_pair_and_never_holds_the_secret() {
        let cache = CheckedCredentials::default();
        let secret = SecretString::new("s3cr3t-value");
        assert_eq!(cache.get("ID", &secret), None);
        cache.put("ID", &secret, XeroAppType::WebApp);
        assert_eq!(cache.get("ID", &secret), Some(XeroAppType::WebApp));
        assert_eq!(cache.get("ID", &SecretString::new("other")), None);
        assert_eq!(cache.get("ID2", &secret), None);
        assert_eq!(cache.get("I", &SecretString::new("Ds3cr3t-value")), None);
        let debug = format!("{cache:?}");
        assert!(
            !debug.contains("s3cr3t") && debug.contains("entries: 1"),
            "{debug}"
        );
    }

    #[test]
    fn answers_expire() {
        let cache = CheckedCredentials::with_ttl(Duration::ZERO);
        let secret = SecretString::new("s");
        cache.put("ID", &secret, XeroAppType::CustomConnection);
        assert_eq!(cache.get("ID", &secret), None);
        assert!(format!("{cache:?}").contains("entries: 0"));
    }

    #[test]
    fn keys_differ_between_caches() {
        let secret = SecretString::new("s");
        let a = CheckedCredentials::default();
        let b = CheckedCredentials::default();
        assert_ne!(a.digest("ID", &secret), b.digest("ID", &secret));
        assert_eq!(a.digest("ID", &secret), a.digest("ID", &secret));
    }

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2: key "Jefe", data split across parts as the digest splits its input.
        let mut key = [0_u8; BLOCK];
        key[..4].copy_from_slice(b"Jefe");
        let got = hmac_sha256(&key, &[b"what do ya ", b"want for nothing?"]);
        let hex: String = got.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
