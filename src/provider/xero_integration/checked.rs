//! The Xero credential checks already done for the running Terraform command, so one
//! `terraform apply` asks Xero once per credential pair.
//!
//! Terraform runs a command's walks in separate provider processes: an interactive `apply` plans
//! in one process, then plans again and applies in another, moments apart. Every one of those
//! steps must know the credentials are good before it shows or writes them. The first check is
//! remembered for a few minutes, in memory and in a file private to the Terraform process that
//! started this provider (named by that parent's process ID and start time), which the next walk
//! of the same command reads. An apply of a saved plan file runs under another Terraform process,
//! finds no such file, and asks Xero again: credentials revoked after `terraform plan -out` are
//! still caught before anything is written.
//!
//! Only answers that classify the app are kept; a refusal or an unreachable Xero is asked again
//! every time. Entries are keyed by HMAC-SHA256 of the client ID and secret under a random key
//! that lives in that file and nowhere else: no plan, state or log holds anything from which a
//! secret could be tested, and the file (mode 0600, in a directory only this user can enter) is
//! removed by the next provider start after its Terraform process ends.

mod command_file;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rand::RngCore as _;
use sha2::{Digest as _, Sha256};

use self::command_file::CommandFile;
use crate::secret::SecretString;
use crate::xero::XeroAppType;

/// How long an answer is reused: long enough to span the walks of one `terraform apply` (and
/// the time a person takes to say "yes"), short enough that a revocation is noticed soon.
pub const CHECK_TTL: Duration = Duration::from_secs(300);

/// The size from which the in-memory map is pruned of expired entries.
const PRUNE_FROM: usize = 64;

/// SHA-256's block size, which HMAC pads its key to.
pub(super) const BLOCK: usize = 64;

/// An HMAC-SHA256 digest.
pub(super) type Digest32 = [u8; 32];

/// Where checks are remembered beyond this process, if anywhere.
enum Sharing {
    /// Only in this process (tests; or no private place for the file).
    ProcessOnly,
    /// In the file of the Terraform command that started this process, opened on first use.
    Command(Box<OnceLock<Option<CommandFile>>>),
}

/// The credential checks done for this Terraform command, shared by all resource calls.
pub struct CheckedCredentials {
    ttl: Duration,
    sharing: Sharing,
    fallback_key: [u8; BLOCK],
    entries: Mutex<HashMap<Digest32, (Instant, XeroAppType)>>,
}

impl Default for CheckedCredentials {
    /// Checks shared with the other walks of the Terraform command that started this process.
    fn default() -> Self {
        Self::new(CHECK_TTL, Sharing::Command(Box::default()))
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
    /// Checks remembered in this process only, for `ttl`.
    #[must_use]
    pub fn process_only(ttl: Duration) -> Self {
        Self::new(ttl, Sharing::ProcessOnly)
    }

    /// Checks remembered in this process and in `file`, for `ttl`.
    #[cfg(test)]
    fn shared_in(file: CommandFile, ttl: Duration) -> Self {
        let lock = OnceLock::new();
        let _ = lock.set(Some(file));
        Self::new(ttl, Sharing::Command(Box::new(lock)))
    }

    fn new(ttl: Duration, sharing: Sharing) -> Self {
        let mut fallback_key = [0_u8; BLOCK];
        rand::thread_rng().fill_bytes(&mut fallback_key);
        Self {
            ttl,
            sharing,
            fallback_key,
            entries: Mutex::new(HashMap::new()),
        }
    }

    fn file(&self) -> Option<&CommandFile> {
        match &self.sharing {
            Sharing::ProcessOnly => None,
            Sharing::Command(lock) => lock.get_or_init(CommandFile::for_parent).as_ref(),
        }
    }

    fn key(&self) -> &[u8; BLOCK] {
        self.file().map_or(&self.fallback_key, CommandFile::key)
    }

    /// Xero's classification of `id` + `secret`, when this command got one less than the TTL ago.
    pub(super) fn get(&self, id: &str, secret: &SecretString) -> Option<XeroAppType> {
        let digest = self.digest(id, secret);
        if let Ok(mut entries) = self.entries.lock() {
            match entries.get(&digest) {
                Some((at, t)) if at.elapsed() < self.ttl => return Some(*t),
                Some(_) => {
                    entries.remove(&digest);
                }
                None => {}
            }
        }
        let (age, t) = self.file()?.find(&digest, self.ttl)?;
        if let Ok(mut entries) = self.entries.lock() {
            let at = Instant::now().checked_sub(age).unwrap_or_else(Instant::now);
            entries.insert(digest, (at, t));
        }
        Some(t)
    }

    /// Records that Xero classified `id` + `secret` as `t` just now.
    pub(super) fn put(&self, id: &str, secret: &SecretString, t: XeroAppType) {
        let digest = self.digest(id, secret);
        if let Ok(mut entries) = self.entries.lock() {
            // Expired entries are dropped when the map doubles, not on every insert: a walk of
            // thousands of resources must not scan all it has checked for each one it adds.
            let n = entries.len();
            if n >= PRUNE_FROM && n.is_power_of_two() {
                let ttl = self.ttl;
                entries.retain(|_, (at, _)| at.elapsed() < ttl);
            }
            entries.insert(digest, (Instant::now(), t));
        }
        if let Some(file) = self.file() {
            file.record(&digest, t);
        }
    }

    /// The keyed digest of the length-prefixed ID followed by the secret, so moving characters
    /// between the two changes it.
    fn digest(&self, id: &str, secret: &SecretString) -> Digest32 {
        hmac_sha256(
            self.key(),
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
        let cache = CheckedCredentials::process_only(CHECK_TTL);
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
        let cache = CheckedCredentials::process_only(Duration::ZERO);
        let secret = SecretString::new("s");
        cache.put("ID", &secret, XeroAppType::CustomConnection);
        assert_eq!(cache.get("ID", &secret), None);
        assert!(format!("{cache:?}").contains("entries: 0"));
    }

    #[test]
    fn expired_entries_do_not_accumulate() {
        let cache = CheckedCredentials::process_only(Duration::ZERO);
        let secret = SecretString::new("s");
        for i in 0..=2 * PRUNE_FROM {
            cache.put(&format!("ID{i}"), &secret, XeroAppType::WebApp);
        }
        let debug = format!("{cache:?}");
        assert!(debug.contains("entries: 1,"), "{debug}");
    }

    #[test]
    fn the_next_walk_of_the_same_command_reuses_the_answer() {
        let dir = tempfile::tempdir().expect("tempdir");
        let open = || CommandFile::open(dir.path(), "checks-1-1.log").expect("open");
        let secret = SecretString::new("s3cr3t-value");
        let plan_walk = CheckedCredentials::shared_in(open(), CHECK_TTL);
        plan_walk.put("ID", &secret, XeroAppType::CustomConnection);
        let apply_walk = CheckedCredentials::shared_in(open(), CHECK_TTL);
        assert_eq!(
            apply_walk.get("ID", &secret),
            Some(XeroAppType::CustomConnection)
        );
        assert_eq!(apply_walk.get("ID", &SecretString::new("other")), None);
        // Another command (another file) knows nothing of it.
        let other = CommandFile::open(dir.path(), "checks-2-1.log").expect("open");
        let saved_plan_apply = CheckedCredentials::shared_in(other, CHECK_TTL);
        assert_eq!(saved_plan_apply.get("ID", &secret), None);
        let on_disk = std::fs::read_to_string(dir.path().join("checks-1-1.log")).expect("read");
        assert!(
            !on_disk.contains("s3cr3t") && !on_disk.contains("ID\""),
            "{on_disk}"
        );
    }

    #[test]
    fn keys_differ_between_caches() {
        let secret = SecretString::new("s");
        let a = CheckedCredentials::process_only(CHECK_TTL);
        let b = CheckedCredentials::process_only(CHECK_TTL);
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
