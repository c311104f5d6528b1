//! `make contract-check`: holds the project's API contract (`tests/emulator/contract/`) to the
//! reference OpenAPI descriptions (by default `../shared/specs/` beside the repository) and fails on
//! any disagreement over an endpoint or schema both describe.
//!
//! Usage: `contract-check [REFERENCE_DIR]`. Exit status 0: they agree; 1: they disagree; 2: a file
//! is missing or unreadable.

mod compare;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use serde_json::Value;

/// Our contract file, the reference file it is held to, and the operations only ours describes.
const PAIRS: [(&str, &str, &[&str]); 3] = [
    (
        "conductorone.yaml",
        "conductorone-openapi-subset.yaml",
        &["POST /auth/v1/token"],
    ),
    (
        "xero-identity.yaml",
        "xero-identity.yaml",
        &["POST /connect/token"],
    ),
    ("xero-accounting.yaml", "xero-accounting-subset.yaml", &[]),
];

fn main() -> ExitCode {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let reference = std::env::args_os()
        .nth(1)
        .map_or_else(|| manifest.join("../../../shared/specs"), PathBuf::from);
    if !reference.is_dir() {
        eprintln!(
            "contract-check: the reference descriptions are missing: {} is not a directory\n\
             (CI keeps them in ../shared/specs beside the repository; pass another directory as the argument)",
            reference.display()
        );
        return ExitCode::from(2);
    }
    match run(&manifest.join("contract"), &reference) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("contract-check: {e:#}");
            ExitCode::from(2)
        }
    }
}

/// Compares every pair; true when all agree.
fn run(ours_dir: &Path, reference_dir: &Path) -> anyhow::Result<bool> {
    let mut agree = true;
    for (ours, theirs, ours_only) in PAIRS {
        let report = compare::compare(
            &load(&ours_dir.join(ours))?,
            &load(&reference_dir.join(theirs))?,
            ours_only,
        );
        println!(
            "{ours} vs {theirs}: {} operations and {} schemas compared, {} only ours ({}), {} disagreements",
            report.compared.len(),
            report.schemas,
            report.only_ours.len(),
            report.only_ours.join(", "),
            report.disagreements.len()
        );
        for d in &report.disagreements {
            println!("  {d}");
        }
        agree &= report.disagreements.is_empty() && !report.compared.is_empty();
    }
    println!(
        "contract-check: {}",
        if agree {
            "the contract agrees with the reference"
        } else {
            "DISAGREEMENT (see above)"
        }
    );
    Ok(agree)
}

/// Reads a YAML (or JSON) OpenAPI description.
fn load(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_yaml_ng::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn contract(file: &str) -> Value {
        load(
            &PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("contract")
                .join(file),
        )
        .unwrap()
    }

    fn disagreements(ours: &Value, theirs: &Value) -> Vec<String> {
        compare::compare(ours, theirs, &["POST /auth/v1/token"]).disagreements
    }

    #[test]
    fn a_contract_agrees_with_itself_over_every_operation() {
        let c1 = contract("conductorone.yaml");
        let report = compare::compare(&c1, &c1, &[]);
        assert!(
            report.disagreements.is_empty(),
            "{:?}",
            report.disagreements
        );
        assert!(report.compared.len() >= 24, "{:?}", report.compared);
        assert!(
            report
                .compared
                .iter()
                .any(|o| o == "POST /api/v1/apps/{id}")
        );
    }

    #[test]
    fn a_changed_property_type_is_a_disagreement() {
        let ours = contract("conductorone.yaml");
        let mut theirs = ours.clone();
        theirs["components"]["schemas"]["c1.api.app.v1.App"]["properties"]["displayName"]["type"] =
            Value::from("integer");
        let d = disagreements(&ours, &theirs);
        assert!(
            d.iter()
                .any(|l| l.contains("c1.api.app.v1.App.displayName: type")),
            "{d:?}"
        );
    }

    #[test]
    fn read_only_required_params_and_properties_are_compared() {
        let ours = contract("conductorone.yaml");
        let mut theirs = ours.clone();
        theirs["components"]["schemas"]["c1.api.app.v1.App"]["properties"]["id"]
            .as_object_mut()
            .unwrap()
            .remove("readOnly");
        theirs["components"]["schemas"]["c1.api.app.v1.CreateAppRequest"]["required"] =
            serde_json::json!([]);
        theirs["components"]["schemas"]["c1.api.app.v1.Connector"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("catalogId");
        theirs["paths"]["/api/v1/apps/{id}"]["post"]["parameters"][0]["name"] =
            Value::from("app_id");
        let d = disagreements(&ours, &theirs).join("\n");
        for expected in [
            "c1.api.app.v1.App.id: readOnly",
            "c1.api.app.v1.CreateAppRequest: required",
            "catalogId only in ours",
            "POST /api/v1/apps/{id} parameters: path:id only in ours",
        ] {
            assert!(d.contains(expected), "{expected} not reported in:\n{d}");
        }
    }

    #[test]
    fn an_operation_the_reference_lacks_is_a_disagreement_unless_listed() {
        let ours = contract("conductorone.yaml");
        let mut theirs = ours.clone();
        theirs["paths"]
            .as_object_mut()
            .unwrap()
            .remove("/api/v1/search/apps");
        let d = disagreements(&ours, &theirs);
        assert_eq!(d, ["POST /api/v1/search/apps: not in the reference"]);
        let listed = compare::compare(&ours, &theirs, &["POST /api/v1/search/apps"]);
        assert!(
            listed.disagreements.is_empty(),
            "{:?}",
            listed.disagreements
        );
    }
}
