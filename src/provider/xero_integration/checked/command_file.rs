//! The file in which the provider processes of one Terraform command share their credential
//! checks: a random HMAC key and the digests Xero classified, with when.
//!
//! It lives in a directory of this user's that no one else may enter (`$XDG_RUNTIME_DIR`, else
//! the temporary directory, `terraform-provider-conductorone-<uid>`, mode 0700, refused if it is
//! a symbolic link or anyone else's), is named by the parent process's ID and start time (so a
//! reused process ID never finds an old file), and is written whole through a rename, so a reader
//! never sees half of it. Files whose Terraform process has ended are removed when the next
//! provider opens its own. Where any of this is not possible, the checks stay in the process.

use std::fs::{self, DirBuilder, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore as _;
use serde::{Deserialize, Serialize};

use super::{BLOCK, Digest32};
use crate::xero::XeroAppType;

const PREFIX: &str = "checks-";

/// One Terraform command's shared checks.
pub(in crate::provider::xero_integration) struct CommandFile {
    path: PathBuf,
    key: [u8; BLOCK],
    /// The contents last read or written, with the file's [`Stamp`] then: a walk of hundreds
    /// of resources parses the file again only when another process changed it. The lock also
    /// serialises this process's read-modify-write cycles.
    cache: Mutex<Cached>,
}

#[derive(Default)]
struct Cached {
    stamp: Option<Stamp>,
    contents: Contents,
}

impl Cached {
    /// Brings the cache up to date with the file; `false` if the file cannot be trusted.
    fn refresh(&mut self, path: &Path) -> bool {
        let now = stamp(path);
        if now.is_some() && now == self.stamp {
            return true;
        }
        match read(path) {
            Some(contents) => {
                self.contents = contents;
                self.stamp = now;
                true
            }
            None => false,
        }
    }
}

/// What tells one version of the file from another: inode (a rename replaces it), length, and
/// the change time (which also moves on a change of mode or owner).
type Stamp = (u64, u64, i64, i64);

fn stamp(path: &Path) -> Option<Stamp> {
    let meta = fs::symlink_metadata(path).ok()?;
    Some((meta.ino(), meta.len(), meta.ctime(), meta.ctime_nsec()))
}

#[derive(Serialize, Deserialize, Default)]
struct Contents {
    key: String,
    #[serde(default)]
    checks: Vec<Entry>,
}

#[derive(Serialize, Deserialize, Clone)]
struct Entry {
    digest: String,
    app_type: AppType,
    /// Seconds since the Unix epoch.
    checked_at: u64,
}

#[derive(Serialize, Deserialize, Clone, Copy)]
#[serde(rename_all = "snake_case")]
enum AppType {
    WebApp,
    CustomConnection,
}

impl From<XeroAppType> for AppType {
    fn from(t: XeroAppType) -> Self {
        match t {
            XeroAppType::WebApp => Self::WebApp,
            XeroAppType::CustomConnection => Self::CustomConnection,
        }
    }
}

impl From<AppType> for XeroAppType {
    fn from(t: AppType) -> Self {
        match t {
            AppType::WebApp => Self::WebApp,
            AppType::CustomConnection => Self::CustomConnection,
        }
    }
}

impl CommandFile {
    /// The file of the Terraform process that started this one, created if it is the first.
    /// `None` where there is no private place for it (or no `/proc` to name the parent by).
    pub(in crate::provider::xero_integration) fn for_parent() -> Option<Self> {
        let parent = std::os::unix::process::parent_id();
        let started = start_ticks(parent)?;
        let dir = private_dir()?;
        remove_ended(&dir);
        let file = Self::open(&dir, &format!("{PREFIX}{parent}-{started}.json"));
        if file.is_none() {
            tracing::debug!("no private file for sharing Xero checks; they stay in this process");
        }
        file
    }

    /// Opens `name` in `dir`, creating it with a fresh key if it does not exist.
    pub(in crate::provider::xero_integration) fn open(dir: &Path, name: &str) -> Option<Self> {
        let path = dir.join(name);
        let key = match read(&path) {
            Some(contents) => decode_key(&contents.key)?,
            None => {
                let mut key = [0_u8; BLOCK];
                rand::thread_rng().fill_bytes(&mut key);
                let contents = Contents {
                    key: hex(&key),
                    checks: Vec::new(),
                };
                match create_new(&path, &contents) {
                    Ok(()) => key,
                    // Another process of the same command made it first: use its key.
                    Err(e) if e.kind() == ErrorKind::AlreadyExists => {
                        decode_key(&read(&path)?.key)?
                    }
                    Err(_) => return None,
                }
            }
        };
        Some(Self {
            path,
            key,
            cache: Mutex::new(Cached::default()),
        })
    }

    /// The HMAC key digests are made with.
    pub(in crate::provider::xero_integration) fn key(&self) -> &[u8; BLOCK] {
        &self.key
    }

    /// The classification of `digest` and its age, if recorded less than `ttl` ago.
    pub(in crate::provider::xero_integration) fn find(
        &self,
        digest: &Digest32,
        ttl: Duration,
    ) -> Option<(Duration, XeroAppType)> {
        let wanted = hex(digest);
        let now = now_secs();
        let mut cache = self.cache.lock().ok()?;
        if !cache.refresh(&self.path) {
            return None;
        }
        cache
            .contents
            .checks
            .iter()
            .filter(|e| e.digest == wanted)
            .find_map(|e| {
                let age = Duration::from_secs(now.checked_sub(e.checked_at)?);
                (age < ttl).then_some((age, e.app_type.into()))
            })
    }

    /// Records `digest` as classified `t` now, dropping entries older than `ttl`.
    pub(in crate::provider::xero_integration) fn record(
        &self,
        digest: &Digest32,
        t: XeroAppType,
        ttl: Duration,
    ) {
        let Ok(mut cache) = self.cache.lock() else {
            return;
        };
        if !cache.refresh(&self.path) {
            return;
        }
        let mut contents = Contents {
            key: cache.contents.key.clone(),
            checks: cache.contents.checks.clone(),
        };
        let now = now_secs();
        let digest = hex(digest);
        contents.checks.retain(|e| {
            e.digest != digest && now.saturating_sub(e.checked_at) < ttl.as_secs().max(1)
        });
        contents.checks.push(Entry {
            digest,
            app_type: t.into(),
            checked_at: now,
        });
        let tmp = self
            .path
            .with_extension(format!("json.{}.tmp", std::process::id()));
        match create_new(&tmp, &contents).and_then(|()| fs::rename(&tmp, &self.path)) {
            Ok(()) => {
                cache.stamp = stamp(&self.path);
                cache.contents = contents;
            }
            Err(_) => {
                let _ = fs::remove_file(&tmp);
                tracing::debug!(
                    "could not record a Xero check for the next walk; it will ask again"
                );
            }
        }
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn decode_key(text: &str) -> Option<[u8; BLOCK]> {
    let mut key = [0_u8; BLOCK];
    if text.len() != BLOCK * 2 {
        return None;
    }
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(key)
}

/// The file's contents, if it is ours, private, and well-formed.
fn read(path: &Path) -> Option<Contents> {
    let meta = fs::symlink_metadata(path).ok()?;
    if !meta.is_file() || meta.uid() != own_uid()? || meta.mode() & 0o077 != 0 {
        return None;
    }
    // Small by construction; a larger file is not one this provider wrote.
    if meta.len() > 1 << 20 {
        return None;
    }
    serde_json::from_slice(&fs::read(path).ok()?).ok()
}

/// Writes `contents` to a new file (mode 0600); fails if `path` exists.
fn create_new(path: &Path, contents: &Contents) -> std::io::Result<()> {
    let bytes = serde_json::to_vec(contents).map_err(std::io::Error::other)?;
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(&bytes)
}

/// This process's effective user ID (the owner of the files it creates). Not read from the
/// owner of `/proc/self`: a process that is not dumpable shows `/proc/self` as root's.
fn own_uid() -> Option<u32> {
    Some(rustix::process::geteuid().as_raw())
}

/// A process's start time in clock ticks since boot (field 22 of `/proc/PID/stat`).
fn start_ticks(pid: u32) -> Option<u64> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) is in parentheses and may itself hold spaces or parentheses.
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    after_name.split_whitespace().nth(19)?.parse().ok()
}

/// This user's private directory for the files, created if need be; `None` if it is not
/// private (someone else's, a symbolic link, or open to others).
fn private_dir() -> Option<PathBuf> {
    let uid = own_uid()?;
    let base = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|p| p.is_absolute() && p.is_dir())
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("terraform-provider-conductorone-{uid}"));
    match DirBuilder::new().mode(0o700).create(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
        Err(_) => return None,
    }
    let meta = fs::symlink_metadata(&dir).ok()?;
    (meta.is_dir() && meta.uid() == uid && meta.mode() & 0o077 == 0).then_some(dir)
}

/// Removes the files (and left-over temporary files) of Terraform processes that have ended.
fn remove_ended(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(owner) = name.to_str().and_then(|n| n.strip_prefix(PREFIX)) else {
            continue;
        };
        let Some((pid, rest)) = owner.split_once('-') else {
            continue;
        };
        let ticks = rest.split('.').next().and_then(|t| t.parse::<u64>().ok());
        let alive = pid
            .parse::<u32>()
            .ok()
            .and_then(start_ticks)
            .is_some_and(|now| Some(now) == ticks);
        if !alive {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        fs::set_permissions(
            d.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .expect("chmod");
        d
    }

    #[test]
    fn two_processes_of_one_command_share_key_and_checks() {
        let d = dir();
        let a = CommandFile::open(d.path(), "checks-1-2.json").expect("open");
        let b = CommandFile::open(d.path(), "checks-1-2.json").expect("open again");
        assert_eq!(
            a.key(),
            b.key(),
            "the second opener uses the first one's key"
        );
        let digest = [7_u8; 32];
        assert!(b.find(&digest, Duration::from_secs(60)).is_none());
        a.record(
            &digest,
            XeroAppType::CustomConnection,
            Duration::from_secs(60),
        );
        let (age, t) = b.find(&digest, Duration::from_secs(60)).expect("shared");
        assert_eq!(t, XeroAppType::CustomConnection);
        assert!(age < Duration::from_secs(5));
        assert!(b.find(&[8_u8; 32], Duration::from_secs(60)).is_none());
        assert!(
            b.find(&digest, Duration::ZERO).is_none(),
            "expired answers are not used"
        );
        let mode = fs::metadata(d.path().join("checks-1-2.json"))
            .expect("meta")
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn a_file_others_could_read_is_not_trusted() {
        let d = dir();
        let a = CommandFile::open(d.path(), "checks-1-2.json").expect("open");
        a.record(&[1_u8; 32], XeroAppType::WebApp, Duration::from_secs(60));
        let path = d.path().join("checks-1-2.json");
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .expect("chmod");
        assert!(a.find(&[1_u8; 32], Duration::from_secs(60)).is_none());
        assert!(CommandFile::open(d.path(), "checks-1-2.json").is_none());
    }

    #[test]
    fn files_of_ended_commands_are_removed() {
        let d = dir();
        let me = std::process::id();
        let mine = format!("{PREFIX}{me}-{}.json", start_ticks(me).expect("ticks"));
        let stale = format!("{PREFIX}{me}-1.json");
        let gone = format!("{PREFIX}4294967290-5.json.17.tmp");
        for name in [&mine, &stale, &gone, &"unrelated".to_owned()] {
            fs::write(d.path().join(name), "{}").expect("write");
        }
        remove_ended(d.path());
        let mut left: Vec<String> = fs::read_dir(d.path())
            .expect("ls")
            .flatten()
            .filter_map(|e| e.file_name().into_string().ok())
            .collect();
        left.sort();
        assert_eq!(left, [mine, "unrelated".to_owned()]);
    }

    #[test]
    fn the_parent_is_named_by_pid_and_start_time() {
        let parent = std::os::unix::process::parent_id();
        assert!(start_ticks(parent).is_some());
        assert!(start_ticks(u32::MAX).is_none());
    }
}
