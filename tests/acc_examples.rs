//! Every Terraform configuration under `examples/` must pass `terraform validate` against the real
//! provider: the registry examples (which the docs embed), the demo root module and the reusable
//! module. A configuration needing a newer Terraform than the one under test (write-only arguments,
//! identity import, check blocks) is validated on the versions that have the feature.

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{Terraform, Workdir, conductorone_provider, terraform_tests};

/// One thing to validate: a directory of `examples/`, optionally narrowed to some of its files
/// (a resource's import examples each target the same resource, so they are validated one at a
/// time beside `resource.tf`), and the oldest Terraform that can read it.
struct Case {
    dir: &'static str,
    files: &'static [&'static str],
    min: (u32, u32, u32),
    why: &'static str,
    /// Validate the `.tfquery.hcl` files too (`terraform validate -query`, Terraform 1.14+).
    query: bool,
}

const CASES: &[Case] = &[
    Case {
        dir: "provider",
        files: &[],
        min: (1, 0, 0),
        why: "",
        query: false,
    },
    Case {
        dir: "data-sources/conductorone_xero_sync",
        files: &[],
        min: (1, 0, 0),
        why: "",
        query: false,
    },
    Case {
        dir: "resources/conductorone_xero_integration",
        files: &["resource.tf"],
        min: (1, 11, 0),
        why: "write-only arguments",
        query: false,
    },
    Case {
        dir: "resources/conductorone_xero_integration",
        files: &["resource.tf", "import-by-string-id.tf"],
        min: (1, 11, 0),
        why: "write-only arguments",
        query: false,
    },
    Case {
        dir: "resources/conductorone_xero_integration",
        files: &["resource.tf", "import-by-identity.tf"],
        min: (1, 12, 0),
        why: "import by identity",
        query: false,
    },
    Case {
        dir: "actions/conductorone_xero_force_sync",
        files: &[],
        min: (1, 14, 0),
        why: "actions",
        query: false,
    },
    Case {
        dir: "list-resources/conductorone_xero_integration",
        files: &[],
        min: (1, 14, 0),
        why: "list blocks (terraform query)",
        query: true,
    },
    Case {
        dir: "modules/xero_roles",
        files: &[],
        min: (1, 5, 0),
        why: "check blocks",
        query: false,
    },
    Case {
        dir: "demo",
        files: &[],
        min: (1, 11, 0),
        why: "write-only arguments",
        query: false,
    },
];

fn examples_dir() -> PathBuf {
    support::terraform::repo_root().join("examples")
}

/// Whether `path` is a Terraform configuration or query file.
fn is_config(path: &Path) -> bool {
    let name = path.to_string_lossy();
    name.ends_with(".tf") || name.ends_with(".tfquery.hcl")
}

/// Directories below `dir` (relative to it) that hold `.tf` or `.tfquery.hcl` files.
fn config_dirs(dir: &Path, rel: &Path, found: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    if entries.iter().any(|p| is_config(p)) {
        found.push(rel.to_path_buf());
    }
    for path in entries.iter().filter(|p| p.is_dir()) {
        let name = path.file_name().expect("a name");
        config_dirs(path, &rel.join(name), found);
    }
}

/// Copies `from` into `to` recursively (configuration files only; no state or `.terraform`).
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("create dir");
    for entry in fs::read_dir(from).expect("read dir") {
        let path = entry.expect("entry").path();
        let name = path.file_name().expect("a name");
        if name == ".terraform" || name.to_string_lossy().contains("tfstate") {
            continue;
        }
        if path.is_dir() {
            copy_tree(&path, &to.join(name));
        } else {
            fs::copy(&path, to.join(name)).expect("copy file");
        }
    }
}

/// Lays out `case` in `wd` and runs `terraform validate` on it; returns the directory used.
fn validate(wd: &Workdir, case: &Case) -> String {
    let run_dir = if case.files.is_empty() {
        format!("examples/{}", case.dir)
    } else {
        // Beside the copied tree, so relative module sources would still resolve.
        let name = case.files.last().expect("files").trim_end_matches(".tf");
        let rel = format!("examples/{}/.case-{name}", case.dir);
        fs::create_dir_all(wd.path().join(&rel)).expect("case dir");
        for file in case.files {
            fs::copy(
                examples_dir().join(case.dir).join(file),
                wd.path().join(&rel).join(file),
            )
            .unwrap_or_else(|e| panic!("copy {}/{file}: {e}", case.dir));
        }
        rel
    };
    // Registry snippets leave out the `terraform` block the provider page shows; without it
    // Terraform would look for hashicorp/conductorone.
    let dir = wd.path().join(&run_dir);
    let declares = fs::read_dir(&dir).expect("read case dir").any(|e| {
        let path = e.expect("entry").path();
        path.extension().is_some_and(|x| x == "tf")
            && fs::read_to_string(&path).is_ok_and(|t| t.contains("required_providers"))
    });
    if !declares {
        fs::write(
            dir.join("zz_required_providers.tf"),
            conductorone_provider().required_providers(),
        )
        .expect("write required_providers");
    }
    let chdir = format!("-chdir={run_dir}");
    // Local modules must be installed before validate; `get` installs modules only, so the
    // dev-overridden provider is never looked up in a registry.
    wd.run(&[&chdir, "get", "-no-color"]).assert_success();
    let mut args = vec![chdir.as_str(), "validate", "-no-color", "-json"];
    if case.query {
        args.push("-query");
    }
    let out = wd.run(&args);
    let json = out.json();
    assert_eq!(
        json["valid"],
        true,
        "{run_dir} is not valid on Terraform {}:\n{out}",
        wd.terraform().version()
    );
    assert_eq!(json["error_count"], 0, "{run_dir} has errors:\n{out}");
    run_dir
}

fn validate_all(tf: &Terraform) {
    let wd = Workdir::new(tf, &[conductorone_provider()]);
    copy_tree(&examples_dir(), &wd.path().join("examples"));
    // The docs embed these files: they must be in Terraform's canonical format. Newer fmt
    // knows newer syntax (ephemeral variables, identity), so only a current Terraform judges.
    if tf.at_least(1, 11, 0) {
        let fmt = wd.run(&[
            "fmt",
            "-check",
            "-recursive",
            "-diff",
            "-no-color",
            "examples",
        ]);
        assert!(
            fmt.success(),
            "run `terraform fmt -recursive examples`:\n{fmt}"
        );
    }
    let mut validated = 0;
    for case in CASES {
        let (a, b, c) = case.min;
        if !tf.at_least(a, b, c) {
            eprintln!(
                "{} {:?}: needs Terraform {a}.{b}.{c} ({}); not validated on {}",
                case.dir,
                case.files,
                case.why,
                tf.version()
            );
            continue;
        }
        let dir = validate(&wd, case);
        eprintln!("valid on Terraform {}: {dir}", tf.version());
        validated += 1;
    }
    assert!(
        validated >= 2,
        "every Terraform under test validates some examples"
    );
}

terraform_tests! {
    fn every_example_validates(tf) {
        validate_all(tf);
    }
}

/// Each type the provider registers, with its examples directory and the files the registry's
/// layout expects there: from the provider's registry, so a new type cannot be forgotten here.
fn registered_example_dirs() -> Vec<(String, &'static [&'static str])> {
    use terraform_provider_conductorone::framework::Provider;
    let provider = terraform_provider_conductorone::provider::ConductorOneProvider::new();
    let mut dirs = Vec::new();
    for r in provider.resources() {
        let files: &'static [&'static str] = if r.identity_schema().ok().flatten().is_some() {
            &[
                "resource.tf",
                "import.sh",
                "import-by-string-id.tf",
                "import-by-identity.tf",
            ]
        } else {
            &["resource.tf", "import.sh", "import-by-string-id.tf"]
        };
        dirs.push((format!("resources/{}", r.type_name()), files));
    }
    for d in provider.data_sources() {
        dirs.push((
            format!("data-sources/{}", d.type_name()),
            &["data-source.tf"][..],
        ));
    }
    for a in provider.actions() {
        dirs.push((format!("actions/{}", a.type_name()), &["action.tf"][..]));
    }
    for l in provider.list_resources() {
        dirs.push((
            format!("list-resources/{}", l.type_name()),
            &["list-resource.tfquery.hcl"][..],
        ));
    }
    assert!(!dirs.is_empty(), "the provider registers types");
    dirs
}

/// The registry's layout, file by file, and no example directory left out of [`CASES`].
#[test]
fn examples_follow_the_registry_layout() {
    let root = examples_dir();
    let mut files = vec![
        "provider/provider.tf".to_owned(),
        "demo/main.tf".to_owned(),
        "modules/xero_roles/main.tf".to_owned(),
    ];
    for (dir, expected) in registered_example_dirs() {
        assert!(
            CASES.iter().any(|c| c.dir == dir),
            "examples/{dir} (a registered type) is validated by no case; add it to CASES"
        );
        files.extend(expected.iter().map(|f| format!("{dir}/{f}")));
    }
    for file in &files {
        assert!(root.join(file).is_file(), "examples/{file} is missing");
    }
    let mut dirs = Vec::new();
    config_dirs(&root, Path::new(""), &mut dirs);
    for dir in &dirs {
        let dir = dir.to_string_lossy();
        assert!(
            CASES.iter().any(|c| c.dir == dir),
            "examples/{dir} holds Terraform files but no case validates it; add it to CASES"
        );
    }
    for case in CASES {
        for file in case.files {
            assert!(
                root.join(case.dir).join(file).is_file(),
                "CASES names examples/{}/{file}, which does not exist",
                case.dir
            );
        }
    }
    // Every .tf file of a narrowed directory is covered by some case.
    for case in CASES.iter().filter(|c| !c.files.is_empty()) {
        for entry in fs::read_dir(root.join(case.dir)).expect("read dir") {
            let name = entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned();
            if name.ends_with(".tf") {
                assert!(
                    CASES
                        .iter()
                        .any(|c| c.dir == case.dir && c.files.contains(&name.as_str())),
                    "examples/{}/{name} is validated by no case",
                    case.dir
                );
            }
        }
    }
    let import = fs::read_to_string(root.join("resources/conductorone_xero_integration/import.sh"))
        .expect("import.sh");
    let command = import
        .lines()
        .find(|l| l.starts_with("terraform import"))
        .expect("a terraform import line");
    let id = command.split_whitespace().last().expect("an ID");
    let parts: Vec<&str> = id.split('/').collect();
    assert_eq!(parts.len(), 2, "the import ID is APP_ID/CONNECTOR_ID: {id}");
    assert!(
        parts
            .iter()
            .all(|p| p.len() == 27 && p.chars().all(|c| c.is_ascii_alphanumeric())),
        "the example IDs look like ConductorOne IDs (27 base62 characters): {id}"
    );
}
