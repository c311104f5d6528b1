//! The provider binaries under test, and the registry addresses Terraform knows them by.
//!
//! The main crate's binary is built by Cargo for these tests (`CARGO_BIN_EXE_*`). The test provider
//! is another workspace package, which Cargo does not build for us, so the first test that needs it
//! runs `cargo build -p terraform-provider-tftest` into the same target directory and profile as the
//! running test binary (so `CARGO_TARGET_DIR` and `--release` are respected), once per test process.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// A provider executable and the source address that `dev_overrides` maps to it.
#[derive(Clone, Debug)]
pub(crate) struct ProviderBinary {
    /// Full source address, e.g. `registry.terraform.io/example/tftest`.
    pub(crate) address: &'static str,
    /// The executable; Terraform runs `<dir>/terraform-provider-<type>` from its directory.
    pub(crate) path: PathBuf,
}

impl ProviderBinary {
    /// The directory `dev_overrides` must name.
    pub(crate) fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// The provider's local name (the last part of its address), e.g. `tftest`.
    pub(crate) fn local_name(&self) -> &'static str {
        self.address.rsplit('/').next().unwrap_or(self.address)
    }

    /// A `terraform { required_providers { ... } }` block naming this provider, for configurations.
    pub(crate) fn required_providers(&self) -> String {
        format!(
            "terraform {{\n  required_providers {{\n    {} = {{ source = \"{}\" }}\n  }}\n}}\n",
            self.local_name(),
            self.address
        )
    }
}

/// The provider this repository ships, as Cargo built it for this test run.
pub(crate) fn conductorone_provider() -> ProviderBinary {
    ProviderBinary {
        address: "registry.terraform.io/conductorone/conductorone",
        path: PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-conductorone")),
    }
}

/// The framework's test provider (`tests/testprovider`), built on first use.
///
/// Panics with Cargo's output if the build fails.
pub(crate) fn test_provider() -> ProviderBinary {
    static BUILT: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let path = BUILT
        .get_or_init(|| {
            build_workspace_binary("terraform-provider-tftest", "terraform-provider-tftest")
        })
        .clone()
        .unwrap_or_else(|e| panic!("{e}"));
    ProviderBinary {
        address: "registry.terraform.io/example/tftest",
        path,
    }
}

/// Builds `bin` of workspace package `package` and returns its path.
fn build_workspace_binary(package: &str, bin: &str) -> Result<PathBuf, String> {
    let (target_dir, profile_dir) = target_layout()?;
    // The profile directory is named after the profile, except `dev`, which builds into `debug`.
    let profile = if profile_dir == "debug" {
        "dev"
    } else {
        profile_dir.as_str()
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(&cargo)
        .current_dir(super::terraform::repo_root())
        .args([
            "build",
            "--quiet",
            "-p",
            package,
            "--bin",
            bin,
            "--profile",
            profile,
        ])
        .arg("--target-dir")
        .arg(&target_dir)
        .output()
        .map_err(|e| format!("cannot run cargo to build {package}: {e}"))?;
    if !output.status.success() {
        return Err(format!(
            "cargo build -p {package} failed ({}):\n{}",
            output.status,
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    let path = target_dir.join(&profile_dir).join(bin);
    if path.is_file() {
        Ok(path)
    } else {
        Err(format!(
            "cargo built {package} but {} does not exist",
            path.display()
        ))
    }
}

/// The target directory and profile directory of the running test binary, which Cargo places at
/// `<target>/<profile>/deps/<test>-<hash>` (nextest runs the same files in place).
fn target_layout() -> Result<(PathBuf, String), String> {
    let exe = std::env::current_exe().map_err(|e| format!("cannot find the test binary: {e}"))?;
    let deps = exe.parent().filter(|d| d.ends_with("deps"));
    let profile_dir = deps.and_then(Path::parent);
    let target = profile_dir.and_then(Path::parent);
    match (profile_dir.and_then(|p| p.file_name()), target) {
        (Some(profile), Some(target)) => {
            Ok((target.to_path_buf(), profile.to_string_lossy().into_owned()))
        }
        _ => Err(format!(
            "{} is not in a Cargo target directory",
            exe.display()
        )),
    }
}
