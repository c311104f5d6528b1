//! The file in which the provider processes of one Terraform command share their credential
//! checks: a random HMAC key and the digests Xero classified, with when.
//!
//! It lives in a directory of this user's that no one else may enter (`$XDG_RUNTIME_DIR`, else
//! the temporary directory, `terraform-provider-conductorone-<uid>`, mode 0700, refused if it is
//! a symbolic link or anyone else's), and is named by the parent process's ID and start time (so
//! a reused process ID never finds an old file). Files whose Terraform process has ended are
//! removed when the next provider opens its own. Where any of this is not possible, the checks
//! stay in the process.
//!
//! The file is a log. Its first line holds the key and is complete before the file appears under
//! its name (a temporary file is written, then hard-linked into place, which fails if another
//! process got there first). Each check is then one line appended with a single `write` to a
//! file opened for appending, so lines of concurrent processes never interleave and recording
//! costs the same however many checks the file already holds. A reader keeps what it has parsed
//! and where it stopped, and on each look reads only what was appended since: a walk of
//! thousands of resources reads the file once in all, not once per resource.

use std::collections::HashMap;
use std::fs::{self, DirBuilder, File, OpenOptions};
use std::io::{ErrorKind, Write as _};
use std::os::unix::fs::{DirBuilderExt as _, FileExt as _, MetadataExt as _, OpenOptionsExt as _};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rand::RngCore as _;

use super::{BLOCK, Digest32};
use crate::xero::XeroAppType;

const PREFIX: &str = "checks-";
/// The first line's opening words: what the file is, and the version of its format.
const HEADER: &str = "c1-xero-checks 1 ";
/// A file larger than this is not one this provider wrote (a line is 84 bytes).
const LIMIT: u64 = 16 << 20;

/// One Terraform command's shared checks.
pub(in crate::provider::xero_integration) struct CommandFile {
    file: File,
    key: [u8; BLOCK],
    /// What has been read of the file so far. The lock also keeps this process's readers from
    /// parsing the same new lines twice.
    log: Mutex<Log>,
}

/// The parsed part of the file.
#[derive(Default)]
struct Log {
    /// Bytes read and parsed, always up to the end of a line.
    parsed: u64,
    key: Option<[u8; BLOCK]>,
    /// The latest classification of each digest, with when (seconds since the Unix epoch).
    checks: HashMap<Digest32, (u64, XeroAppType)>,
    /// Set once the file failed a check: from then on nothing in it is used.
    untrusted: bool,
}

impl Log {
    /// Parses what was appended since the last call; `false` if the file cannot be trusted.
    fn catch_up(&mut self, file: &File) -> bool {
        if self.untrusted {
            return false;
        }
        let ok = self.read_new(file).is_some();
        if !ok {
            self.untrusted = true;
            self.checks.clear();
            tracing::debug!(
                "the file of shared Xero checks is not as this provider wrote it; not using it"
            );
        }
        ok
    }

    fn read_new(&mut self, file: &File) -> Option<()> {
        let meta = file.metadata().ok()?;
        if !private(&meta) || meta.len() > LIMIT || meta.len() < self.parsed {
            return None;
        }
        if meta.len() == self.parsed {
            return Some(());
        }
        let mut new = vec![0_u8; usize::try_from(meta.len() - self.parsed).ok()?];
        file.read_exact_at(&mut new, self.parsed).ok()?;
        // A line still being written is left for the next look.
        let Some(end) = new.iter().rposition(|&b| b == b'\n') else {
            return Some(());
        };
        for line in new[..end].split(|&b| b == b'\n') {
            let line = std::str::from_utf8(line).ok()?;
            match self.key {
                None => self.key = Some(parse_header(line)?),
                Some(_) => {
                    let (digest, at, t) = parse_check(line)?;
                    self.checks.insert(digest, (at, t));
                }
            }
        }
        self.parsed += u64::try_from(end + 1).ok()?;
        Some(())
    }
}

fn parse_header(line: &str) -> Option<[u8; BLOCK]> {
    let mut key = [0_u8; BLOCK];
    decode_hex(line.strip_prefix(HEADER)?, &mut key)?;
    Some(key)
}

/// One check line: `<digest, 64 hex digits> <w|c> <seconds since the epoch>`.
fn parse_check(line: &str) -> Option<(Digest32, u64, XeroAppType)> {
    let mut fields = line.split(' ');
    let mut digest = [0_u8; 32];
    decode_hex(fields.next()?, &mut digest)?;
    let t = match fields.next()? {
        "w" => XeroAppType::WebApp,
        "c" => XeroAppType::CustomConnection,
        _ => return None,
    };
    let at = fields.next()?.parse().ok()?;
    fields.next().is_none().then_some((digest, at, t))
}

fn check_line(digest: &Digest32, t: XeroAppType, at: u64) -> String {
    let t = match t {
        XeroAppType::WebApp => 'w',
        XeroAppType::CustomConnection => 'c',
    };
    format!("{} {t} {at}\n", hex(digest))
}

impl CommandFile {
    /// The file of the Terraform process that started this one, created if it is the first.
    /// `None` where there is no private place for it (or no `/proc` to name the parent by).
    pub(in crate::provider::xero_integration) fn for_parent() -> Option<Self> {
        let parent = std::os::unix::process::parent_id();
        let started = start_ticks(parent)?;
        let dir = private_dir()?;
        remove_ended(&dir);
        let file = Self::open(&dir, &format!("{PREFIX}{parent}-{started}.log"));
        if file.is_none() {
            tracing::debug!("no private file for sharing Xero checks; they stay in this process");
        }
        file
    }

    /// Opens `name` in `dir`, creating it with a fresh key if it does not exist.
    pub(in crate::provider::xero_integration) fn open(dir: &Path, name: &str) -> Option<Self> {
        let path = dir.join(name);
        let file = match open_existing(&path) {
            Err(e) if e.kind() == ErrorKind::NotFound => create(&path),
            opened => opened,
        }
        .ok()?;
        let mut log = Log::default();
        if !log.catch_up(&file) {
            return None;
        }
        let key = log.key?;
        Some(Self {
            file,
            key,
            log: Mutex::new(log),
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
        let mut log = self.log.lock().ok()?;
        if !log.catch_up(&self.file) {
            return None;
        }
        let (at, t) = *log.checks.get(digest)?;
        let age = Duration::from_secs(now_secs().checked_sub(at)?);
        (age < ttl).then_some((age, t))
    }

    /// Records `digest` as classified `t` now.
    pub(in crate::provider::xero_integration) fn record(&self, digest: &Digest32, t: XeroAppType) {
        let line = check_line(digest, t, now_secs());
        // One `write` of a short line to a file opened for appending lands whole at the end.
        let written = (&self.file).write(line.as_bytes());
        if !matches!(written, Ok(n) if n == line.len()) {
            tracing::debug!("could not record a Xero check for the next walk; it will ask again");
        }
    }
}

/// Opens an existing file for reading and appending, refusing a symbolic link or a file that
/// was swapped between the look and the open.
fn open_existing(path: &Path) -> std::io::Result<File> {
    let before = fs::symlink_metadata(path)?;
    if !before.is_file() {
        return Err(std::io::Error::other("not a regular file"));
    }
    let file = OpenOptions::new().read(true).append(true).open(path)?;
    let after = file.metadata()?;
    if (after.dev(), after.ino()) != (before.dev(), before.ino()) {
        return Err(std::io::Error::other("replaced while opening"));
    }
    Ok(file)
}

/// Creates the file at `path` with a fresh key, or opens the one another process created first.
fn create(path: &Path) -> std::io::Result<File> {
    let mut key = [0_u8; BLOCK];
    rand::thread_rng().fill_bytes(&mut key);
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".{}.tmp", std::process::id()));
    let tmp = PathBuf::from(tmp);
    // A file of that name is a crashed earlier process's with this process ID.
    let _ = fs::remove_file(&tmp);
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create_new(true)
        .mode(0o600)
        .open(&tmp)?;
    let written = file
        .write_all(format!("{HEADER}{}\n", hex(&key)).as_bytes())
        .and_then(|()| fs::hard_link(&tmp, path));
    let _ = fs::remove_file(&tmp);
    match written {
        Ok(()) => Ok(file),
        // Another process of the same command made it first: use its file and key.
        Err(e) if e.kind() == ErrorKind::AlreadyExists => open_existing(path),
        Err(e) => Err(e),
    }
}

/// Whether the file is a regular file of this user's that no one else may read or write.
fn private(meta: &fs::Metadata) -> bool {
    meta.is_file() && Some(meta.uid()) == own_uid() && meta.mode() & 0o077 == 0
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Fills `out` from exactly `2 * out.len()` lower-case hex digits.
fn decode_hex(text: &str, out: &mut [u8]) -> Option<()> {
    if text.len() != out.len() * 2 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = text.get(i * 2..i * 2 + 2)?;
        if !pair
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return None;
        }
        *byte = u8::from_str_radix(pair, 16).ok()?;
    }
    Some(())
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

    const NAME: &str = "checks-1-2.log";

    fn dir() -> tempfile::TempDir {
        let d = tempfile::tempdir().expect("tempdir");
        fs::set_permissions(
            d.path(),
            std::os::unix::fs::PermissionsExt::from_mode(0o700),
        )
        .expect("chmod");
        d
    }

    const MINUTE: Duration = Duration::from_secs(60);

    #[test]
    fn two_processes_of_one_command_share_key_and_checks() {
        let d = dir();
        let a = CommandFile::open(d.path(), NAME).expect("open");
        let b = CommandFile::open(d.path(), NAME).expect("open again");
        assert_eq!(
            a.key(),
            b.key(),
            "the second opener uses the first one's key"
        );
        let digest = [7_u8; 32];
        assert!(b.find(&digest, MINUTE).is_none());
        a.record(&digest, XeroAppType::CustomConnection);
        let (age, t) = b.find(&digest, MINUTE).expect("shared");
        assert_eq!(t, XeroAppType::CustomConnection);
        assert!(age < Duration::from_secs(5));
        assert!(b.find(&[8_u8; 32], MINUTE).is_none());
        assert!(
            b.find(&digest, Duration::ZERO).is_none(),
            "expired answers are not used"
        );
        b.record(&digest, XeroAppType::WebApp);
        assert_eq!(
            a.find(&digest, MINUTE).map(|(_, t)| t),
            Some(XeroAppType::WebApp),
            "the latest answer wins"
        );
        let mode = fs::metadata(d.path().join(NAME)).expect("meta").mode();
        assert_eq!(mode & 0o777, 0o600);
        let left: Vec<_> = fs::read_dir(d.path()).expect("ls").flatten().collect();
        assert_eq!(left.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn recording_appends_one_line_and_never_rewrites_the_file() {
        let d = dir();
        let a = CommandFile::open(d.path(), NAME).expect("open");
        let path = d.path().join(NAME);
        let header = fs::metadata(&path).expect("meta").len();
        let ino = fs::metadata(&path).expect("meta").ino();
        for i in 0..500_u16 {
            let mut digest = [0_u8; 32];
            digest[..2].copy_from_slice(&i.to_be_bytes());
            a.record(&digest, XeroAppType::WebApp);
        }
        let meta = fs::metadata(&path).expect("meta");
        assert_eq!(meta.ino(), ino, "the file is appended to, not replaced");
        let line = check_line(&[0; 32], XeroAppType::WebApp, now_secs()).len() as u64;
        assert_eq!(meta.len(), header + 500 * line);
        let b = CommandFile::open(d.path(), NAME).expect("open again");
        let mut digest = [0_u8; 32];
        digest[..2].copy_from_slice(&499_u16.to_be_bytes());
        assert!(b.find(&digest, MINUTE).is_some());
    }

    #[test]
    fn a_line_still_being_written_is_read_once_it_is_whole() {
        let d = dir();
        let a = CommandFile::open(d.path(), NAME).expect("open");
        let line = check_line(&[3; 32], XeroAppType::CustomConnection, now_secs());
        let (first, rest) = line.split_at(20);
        (&a.file).write_all(first.as_bytes()).expect("write");
        assert!(a.find(&[3; 32], MINUTE).is_none());
        (&a.file).write_all(rest.as_bytes()).expect("write");
        assert_eq!(
            a.find(&[3; 32], MINUTE).map(|(_, t)| t),
            Some(XeroAppType::CustomConnection)
        );
    }

    #[test]
    fn a_file_others_could_read_or_that_holds_garbage_is_not_trusted() {
        let d = dir();
        let a = CommandFile::open(d.path(), NAME).expect("open");
        a.record(&[1_u8; 32], XeroAppType::WebApp);
        let path = d.path().join(NAME);
        fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .expect("chmod");
        assert!(a.find(&[1_u8; 32], MINUTE).is_none());
        assert!(CommandFile::open(d.path(), NAME).is_none());

        let other = "checks-3-4.log";
        let b = CommandFile::open(d.path(), other).expect("open");
        b.record(&[2_u8; 32], XeroAppType::WebApp);
        fs::OpenOptions::new()
            .append(true)
            .open(d.path().join(other))
            .and_then(|mut f| f.write_all(b"not a check\n"))
            .expect("append");
        assert!(
            b.find(&[2_u8; 32], MINUTE).is_none(),
            "nothing of it is used"
        );
        assert!(CommandFile::open(d.path(), other).is_none());

        fs::write(d.path().join("checks-5-6.log"), "{}\n").expect("write");
        assert!(CommandFile::open(d.path(), "checks-5-6.log").is_none());
    }

    #[test]
    fn a_symbolic_link_is_not_followed() {
        let d = dir();
        let target = d.path().join("elsewhere");
        fs::write(&target, format!("{HEADER}{}\n", hex(&[0; BLOCK]))).expect("write");
        std::os::unix::fs::symlink(&target, d.path().join(NAME)).expect("symlink");
        assert!(CommandFile::open(d.path(), NAME).is_none());
    }

    #[test]
    fn files_of_ended_commands_are_removed() {
        let d = dir();
        let me = std::process::id();
        let mine = format!("{PREFIX}{me}-{}.log", start_ticks(me).expect("ticks"));
        let stale = format!("{PREFIX}{me}-1.log");
        let gone = format!("{PREFIX}4294967290-5.log.17.tmp");
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
