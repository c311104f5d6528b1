//! The provider installs the way users install it, without `dev_overrides`: `scripts/install.sh`
//! (`make install`) fills an unpacked filesystem mirror, `scripts/release.sh` (`make release`)
//! writes registry archives that a packed mirror serves, and a plain `terraform init` finds the
//! provider in either and records it in the lock file. The installed binary then answers
//! Terraform (its schema is read), so the mirror holds a working provider.

mod support;

use std::fs;
use std::path::Path;
use std::process::Command;

use support::{Workdir, conductorone_provider, terraform_tests};

const VERSION: &str = env!("CARGO_PKG_VERSION");
const ADDRESS: &str = "registry.terraform.io/conductorone/conductorone";

/// Terraform's name for this machine's platform.
fn os_arch() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{os}_{arch}")
}

/// Runs a repository script with `env`, panicking with its output unless it succeeds.
fn run_script(script: &str, env: &[(&str, &Path)]) -> String {
    let root = support::terraform::repo_root();
    let mut command = Command::new("bash");
    command
        .arg(root.join("scripts").join(script))
        .current_dir(&root);
    for (key, value) in env {
        command.env(key, value);
    }
    let out = command.output().expect("run bash");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "scripts/{script} failed:\n{text}");
    text
}

/// A CLI configuration that installs this provider from the mirror at `mirror` and nothing else.
fn mirror_config(wd: &Workdir, mirror: &Path) -> std::path::PathBuf {
    let path = wd.path().join("mirror.tfrc");
    let mirror = mirror
        .to_string_lossy()
        .replace('\\', "\\\\")
        .replace('"', "\\\"");
    fs::write(
        &path,
        format!(
            "provider_installation {{\n  filesystem_mirror {{\n    path    = \"{mirror}\"\n    include = [\"registry.terraform.io/conductorone/*\"]\n  }}\n}}\n"
        ),
    )
    .expect("write the CLI config");
    path
}

/// `terraform init` from the mirror, then checks the lock file and that the provider answers.
fn init_from_mirror(wd: &mut Workdir, mirror: &Path) {
    let config = mirror_config(wd, mirror);
    wd.env("TF_CLI_CONFIG_FILE", &config);
    wd.write(
        "main.tf",
        &format!(
            "terraform {{\n  required_providers {{\n    conductorone = {{\n      source  = \"conductorone/conductorone\"\n      version = \"{VERSION}\"\n    }}\n  }}\n}}\n"
        ),
    );
    let init = wd.run(&["init", "-input=false", "-no-color"]);
    init.assert_success();
    assert!(
        init.stdout
            .contains(&format!("conductorone/conductorone v{VERSION}")),
        "init names the installed provider and version:\n{init}"
    );

    let lock = fs::read_to_string(wd.path().join(".terraform.lock.hcl")).expect("a lock file");
    assert!(
        lock.contains(&format!("provider \"{ADDRESS}\"")),
        "the lock file records the provider:\n{lock}"
    );
    assert!(
        lock.contains(&format!("version     = \"{VERSION}\"")),
        "the lock file records version {VERSION}:\n{lock}"
    );
    assert!(
        lock.contains("\"h1:"),
        "the lock file holds the package hash:\n{lock}"
    );

    let schema = wd.providers_schema();
    let provider = &schema["provider_schemas"][ADDRESS];
    assert!(
        provider["resource_schemas"]["conductorone_xero_integration"].is_object(),
        "the installed provider serves its schema: {schema}"
    );
}

terraform_tests! {
    fn install_script_fills_an_unpacked_mirror(tf) {
        let prefix = tempfile::tempdir().expect("tempdir");
        let binary = conductorone_provider().path;
        let said = run_script("install.sh", &[("PREFIX", prefix.path()), ("BINARY", &binary)]);
        let installed = prefix
            .path()
            .join(ADDRESS)
            .join(VERSION)
            .join(os_arch())
            .join(format!("terraform-provider-conductorone_v{VERSION}"));
        assert!(installed.is_file(), "install.sh put nothing at {}:\n{said}", installed.display());
        assert_eq!(
            fs::read(&installed).expect("read installed"),
            fs::read(&binary).expect("read built"),
            "the installed binary is the built one"
        );

        let mut wd = Workdir::new(tf, &[]);
        init_from_mirror(&mut wd, prefix.path());
    }

    fn release_archive_installs_from_a_packed_mirror(tf) {
        let dist = tempfile::tempdir().expect("tempdir");
        let binary = conductorone_provider().path;
        run_script("release.sh", &[("DIST", dist.path()), ("BINARY", &binary)]);
        let prefix = format!("terraform-provider-conductorone_{VERSION}");
        let zip = dist.path().join(format!("{prefix}_{}.zip", os_arch()));
        assert!(zip.is_file(), "release.sh wrote no {}", zip.display());

        // The checksums cover the zip and the manifest, checked by an independent tool.
        let sums = format!("{prefix}_SHA256SUMS");
        let text = fs::read_to_string(dist.path().join(&sums)).expect("SHA256SUMS");
        assert!(text.contains(&format!("{prefix}_{}.zip", os_arch())), "{text}");
        assert!(text.contains(&format!("{prefix}_manifest.json")), "{text}");
        let check = Command::new("sha256sum")
            .args(["--check", "--strict", &sums])
            .current_dir(dist.path())
            .output()
            .expect("run sha256sum");
        assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));

        let manifest: serde_json::Value = serde_json::from_slice(
            &fs::read(dist.path().join(format!("{prefix}_manifest.json"))).expect("manifest"),
        )
        .expect("manifest JSON");
        assert_eq!(
            manifest,
            serde_json::json!({"version": 1, "metadata": {"protocol_versions": ["6.0"]}})
        );

        // Terraform itself unpacks the archive: a packed mirror holds the registry's zip as is.
        let mirror = tempfile::tempdir().expect("tempdir");
        let packed = mirror.path().join(ADDRESS);
        fs::create_dir_all(&packed).expect("mirror dir");
        fs::copy(&zip, packed.join(zip.file_name().expect("zip name"))).expect("copy zip");
        let mut wd = Workdir::new(tf, &[]);
        init_from_mirror(&mut wd, mirror.path());
    }
}
