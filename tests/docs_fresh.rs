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

/// The types the provider registers, straight from its registry (not a list kept here).
fn registered() -> (Vec<String>, Vec<String>) {
    use terraform_provider_conductorone::framework::Provider;
    let provider = terraform_provider_conductorone::provider::ConductorOneProvider::new();
    let mut resources: Vec<String> = provider.resources().iter().map(|r| r.type_name()).collect();
    let mut data_sources: Vec<String> = provider
        .data_sources()
        .iter()
        .map(|d| d.type_name())
        .collect();
    resources.sort();
    data_sources.sort();
    (resources, data_sources)
}

#[test]
fn the_registry_pages_exist_for_every_type() {
    let docs = provider_docs();
    let (resources, data_sources) = registered();
    let documented: Vec<String> = docs.resources.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        documented, resources,
        "every registered resource is documented"
    );
    let documented: Vec<String> = docs.data_sources.iter().map(|(n, _)| n.clone()).collect();
    assert_eq!(
        documented, data_sources,
        "every registered data source is documented"
    );
    assert!(!resources.is_empty() && !data_sources.is_empty());
    let short = |t: &str| t.strip_prefix("conductorone_").unwrap_or(t).to_owned();
    let pages = std::iter::once("index.md".to_owned())
        .chain(
            resources
                .iter()
                .map(|t| format!("resources/{}.md", short(t))),
        )
        .chain(
            data_sources
                .iter()
                .map(|t| format!("data-sources/{}.md", short(t))),
        );
    for page in pages {
        let text = std::fs::read_to_string(root().join("docs").join(&page))
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
    for t in &resources {
        let page = format!("docs/resources/{}.md", short(t));
        let text = std::fs::read_to_string(root().join(&page)).expect("resource page");
        assert!(text.contains("## Import"), "{page} shows how to import");
        assert!(
            text.contains("identity"),
            "{page} shows the import by identity"
        );
    }
}
