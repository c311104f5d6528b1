//! `docs/` is exactly what `make docs` renders from the provider's schema, examples and templates,
//! and every attribute, block and schema of the provider has a description to render.

use std::path::Path;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn provider_docs() -> docgen::ProviderDocs {
    docgen::provider_docs().unwrap_or_else(|e| panic!("cannot read the provider's schemas: {e}"))
}

#[test]
fn docs_match_a_fresh_render() {
    let report = docgen::check(&provider_docs(), root()).expect("render the docs");
    assert!(
        report.stale.is_empty() && report.extra.is_empty(),
        "{report}docs/ is stale: run `make docs` and commit docs/"
    );
}

#[test]
fn every_attribute_has_a_description() {
    let missing = docgen::undescribed(&provider_docs());
    assert!(
        missing.is_empty(),
        "describe these in the code (doc comments on the model fields):\n{}",
        missing.join("\n")
    );
}

#[test]
fn the_registry_pages_exist_for_every_type() {
    let docs = provider_docs();
    let types: Vec<&str> = docs
        .resources
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(types, ["conductorone_xero_integration"]);
    let types: Vec<&str> = docs
        .data_sources
        .iter()
        .map(|(name, _)| name.as_str())
        .collect();
    assert_eq!(types, ["conductorone_xero_sync"]);
    let names = |kind: &[(String, docgen::model::Schema)]| -> Vec<String> {
        kind.iter().map(|(name, _)| name.clone()).collect()
    };
    assert_eq!(
        names(&docs.list_resources),
        ["conductorone_xero_integration"]
    );
    assert_eq!(names(&docs.actions), ["conductorone_xero_force_sync"]);
    for page in [
        "index.md",
        "resources/xero_integration.md",
        "data-sources/xero_sync.md",
        "list-resources/xero_integration.md",
        "actions/xero_force_sync.md",
    ] {
        let text = std::fs::read_to_string(root().join("docs").join(page))
            .unwrap_or_else(|e| panic!("docs/{page}: {e}"));
        assert!(
            text.starts_with("---\npage_title: ")
                && text.contains("\nsubcategory: ")
                && text.contains("\ndescription: |-\n"),
            "docs/{page} has the registry's front matter"
        );
        assert!(
            text.contains("## Schema"),
            "docs/{page} has a Schema section"
        );
        assert!(
            text.contains("## Example Usage"),
            "docs/{page} has an example"
        );
    }
    let list = std::fs::read_to_string(root().join("docs/list-resources/xero_integration.md"))
        .expect("list resource page");
    assert!(
        list.contains("# conductorone_xero_integration (List Resource)")
            && list.contains("list \"conductorone_xero_integration\""),
        "the list resource page shows a .tfquery.hcl example"
    );
    let resource = std::fs::read_to_string(root().join("docs/resources/xero_integration.md"))
        .expect("resource page");
    assert!(
        resource.contains("## Import"),
        "the resource page shows how to import"
    );
    assert!(resource.contains("identity"), "and the import by identity");
}
