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

/// The types the provider registers, straight from its registry (not a list kept here), each
/// list sorted: resources, data sources, list resources, actions.
struct Registered {
    resources: Vec<String>,
    data_sources: Vec<String>,
    list_resources: Vec<String>,
    actions: Vec<String>,
}

fn registered() -> Registered {
    use terraform_provider_conductorone::framework::Provider;
    let provider = terraform_provider_conductorone::provider::ConductorOneProvider::new();
    let sorted = |mut names: Vec<String>| {
        names.sort();
        names
    };
    Registered {
        resources: sorted(provider.resources().iter().map(|r| r.type_name()).collect()),
        data_sources: sorted(
            provider
                .data_sources()
                .iter()
                .map(|d| d.type_name())
                .collect(),
        ),
        list_resources: sorted(
            provider
                .list_resources()
                .iter()
                .map(|l| l.type_name())
                .collect(),
        ),
        actions: sorted(provider.actions().iter().map(|a| a.type_name()).collect()),
    }
}

#[test]
fn the_registry_pages_exist_for_every_type() {
    let docs = provider_docs();
    let types = registered();
    let names = |kind: &[(String, docgen::model::Schema)]| -> Vec<String> {
        kind.iter().map(|(name, _)| name.clone()).collect()
    };
    for (documented, registered, what) in [
        (&docs.resources, &types.resources, "resource"),
        (&docs.data_sources, &types.data_sources, "data source"),
        (&docs.list_resources, &types.list_resources, "list resource"),
        (&docs.actions, &types.actions, "action"),
    ] {
        assert_eq!(
            &names(documented),
            registered,
            "every registered {what} is documented"
        );
        assert!(!registered.is_empty(), "the provider has a {what}");
    }
    let short = |t: &str| t.strip_prefix("conductorone_").unwrap_or(t).to_owned();
    let pages = std::iter::once("index.md".to_owned()).chain(
        [
            ("resources", &types.resources),
            ("data-sources", &types.data_sources),
            ("list-resources", &types.list_resources),
            ("actions", &types.actions),
        ]
        .into_iter()
        .flat_map(|(dir, names)| names.iter().map(move |t| format!("{dir}/{}.md", short(t)))),
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
    for t in &types.resources {
        let page = format!("docs/resources/{}.md", short(t));
        let text = std::fs::read_to_string(root().join(&page)).expect("resource page");
        assert!(text.contains("## Import"), "{page} shows how to import");
        assert!(
            text.contains("identity"),
            "{page} shows the import by identity"
        );
    }
    for t in &types.list_resources {
        let page = format!("docs/list-resources/{}.md", short(t));
        let text = std::fs::read_to_string(root().join(&page)).expect("list resource page");
        assert!(
            text.contains(&format!("# {t} (List Resource)"))
                && text.contains(&format!("list \"{t}\"")),
            "{page} shows a .tfquery.hcl example"
        );
    }
}
