//! docgen renders the provider's Terraform Registry documentation (`docs/`: the provider, its
//! resources, data sources, list resources and actions) from the provider's own schema, so
//! descriptions live in one place: the code. `make docs` writes the pages;
//! `docgen --check` (and the test `tests/docs_fresh.rs`) fails when `docs/` differs from a fresh
//! render or when anything in the schema lacks a description.
//!
//! [`model`] is what a page needs to know, [`from_framework`] fills it from the provider,
//! [`render`] writes the Schema section and [`pages`] lays out whole pages from templates in
//! `tools/docgen/templates/`.

use std::fs;
use std::path::{Path, PathBuf};

pub mod from_framework;
pub mod model;
pub mod pages;
pub mod render;

pub use model::ProviderDocs;

pub use pages::{Page, render_pages};
use terraform_provider_conductorone::framework::{Provider, Schema as FwSchema, SchemaError};

/// Why docs could not be rendered or written.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: std::io::Error,
    },
    /// A template has a directive docgen does not know.
    #[error("{}:{line}: {message}", path.display())]
    Template {
        /// The template file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// The provider's schema could not be turned into the docs model.
    #[error("provider schema: {0}")]
    Schema(String),
}

/// What a comparison of `docs/` with a fresh render found; [`Report::is_clean`] when nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// Attributes, blocks or schemas without a description, as `type.path`.
    pub undescribed: Vec<String>,
    /// Pages (below `docs/`) that are missing or differ from the render.
    pub stale: Vec<PathBuf>,
    /// Markdown files below `docs/` that no schema renders.
    pub extra: Vec<PathBuf>,
}

impl Report {
    /// True when the docs are fresh and every description is present.
    pub fn is_clean(&self) -> bool {
        self.undescribed.is_empty() && self.stale.is_empty() && self.extra.is_empty()
    }
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for path in &self.undescribed {
            writeln!(f, "no description: {path}")?;
        }
        for path in &self.stale {
            writeln!(f, "out of date: docs/{}", path.display())?;
        }
        for path in &self.extra {
            writeln!(f, "not generated: docs/{}", path.display())?;
        }
        Ok(())
    }
}

/// The docs model of this repository's provider, `conductorone`, read from its schemas.
pub fn provider_docs() -> Result<ProviderDocs, Error> {
    docs_for(&terraform_provider_conductorone::provider::ConductorOneProvider::new())
}

/// The docs model of any framework provider, from the schemas it serves to Terraform.
pub fn docs_for<P: Provider>(provider: &P) -> Result<ProviderDocs, Error> {
    let failed = |what: &str, e: SchemaError| Error::Schema(format!("{what}: {e}"));
    let provider_schema = provider.schema().map_err(|e| failed("provider", e))?;
    let mut resources = Vec::new();
    for resource in provider.resources() {
        let name = resource.type_name();
        let schema = resource.schema().map_err(|e| failed(&name, e))?;
        let identity = resource.identity_schema().map_err(|e| failed(&name, e))?;
        resources.push((name, schema, identity));
    }
    let mut data_sources = Vec::new();
    for data_source in provider.data_sources() {
        let name = data_source.type_name();
        let schema = data_source.schema().map_err(|e| failed(&name, e))?;
        data_sources.push((name, schema));
    }
    let resources: Vec<from_framework::ResourceSchemas<'_>> = resources
        .iter()
        .map(
            |(type_name, schema, identity)| from_framework::ResourceSchemas {
                type_name,
                schema,
                identity: identity.as_ref(),
            },
        )
        .collect();
    let mut list_resources = Vec::new();
    for list in provider.list_resources() {
        let name = list.type_name();
        let schema = list.schema().map_err(|e| failed(&name, e))?;
        list_resources.push((name, schema));
    }
    let mut actions = Vec::new();
    for action in provider.actions() {
        let name = action.type_name();
        let schema = action.schema().map_err(|e| failed(&name, e))?;
        actions.push((name, schema));
    }
    let mut docs = from_framework::provider_docs_from(
        &provider.type_name(),
        &provider_schema,
        &resources,
        &borrowed(&data_sources),
    );
    docs.list_resources = from_framework::named_schemas(&borrowed(&list_resources));
    docs.actions = from_framework::named_schemas(&borrowed(&actions));
    Ok(docs)
}

/// `(name, schema)` pairs as the docs model's builders take them.
fn borrowed(named: &[(String, FwSchema)]) -> Vec<(&str, &FwSchema)> {
    named
        .iter()
        .map(|(name, schema)| (name.as_str(), schema))
        .collect()
}

/// Every attribute, block or schema of the provider that has no description.
pub fn undescribed(docs: &ProviderDocs) -> Vec<String> {
    let mut missing: Vec<String> = docs
        .provider
        .undescribed()
        .into_iter()
        .map(|path| format!("provider.{path}"))
        .collect();
    let kinds = [
        &docs.resources,
        &docs.data_sources,
        &docs.list_resources,
        &docs.actions,
    ];
    for (name, schema) in kinds.into_iter().flatten() {
        missing.extend(
            schema
                .undescribed()
                .into_iter()
                .map(|path| format!("{name}.{path}")),
        );
    }
    missing
}

/// Renders the pages and compares them with what is in `root/docs/`.
pub fn check(docs: &ProviderDocs, root: &Path) -> Result<Report, Error> {
    let pages = render_pages(docs, root)?;
    let docs_dir = root.join("docs");
    let mut report = Report {
        undescribed: undescribed(docs),
        ..Report::default()
    };
    for page in &pages {
        let path = docs_dir.join(&page.path);
        match fs::read_to_string(&path) {
            Ok(current) if current == page.contents => {}
            Ok(_) => report.stale.push(page.path.clone()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                report.stale.push(page.path.clone())
            }
            Err(source) => return Err(Error::Io { path, source }),
        }
    }
    report.extra = extra_pages(&docs_dir, &pages)?;
    Ok(report)
}

/// Renders the pages into `root/docs/` and removes Markdown files no schema renders any more.
pub fn write(docs: &ProviderDocs, root: &Path) -> Result<Vec<Page>, Error> {
    let pages = render_pages(docs, root)?;
    let docs_dir = root.join("docs");
    for page in &pages {
        let path = docs_dir.join(&page.path);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|source| Error::Io {
                path: parent.to_owned(),
                source,
            })?;
        }
        fs::write(&path, &page.contents).map_err(|source| Error::Io {
            path: path.clone(),
            source,
        })?;
    }
    for extra in extra_pages(&docs_dir, &pages)? {
        let path = docs_dir.join(extra);
        fs::remove_file(&path).map_err(|source| Error::Io { path, source })?;
    }
    Ok(pages)
}

/// Markdown files below `docs_dir` (relative paths) that are not among `pages`.
fn extra_pages(docs_dir: &Path, pages: &[Page]) -> Result<Vec<PathBuf>, Error> {
    let mut found = Vec::new();
    let mut dirs = vec![docs_dir.to_owned()];
    while let Some(dir) = dirs.pop() {
        let entries = match fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(source) => return Err(Error::Io { path: dir, source }),
        };
        for entry in entries {
            let entry = entry.map_err(|source| Error::Io {
                path: dir.clone(),
                source,
            })?;
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|ext| ext == "md") {
                let rel = path
                    .strip_prefix(docs_dir)
                    .map(Path::to_path_buf)
                    .unwrap_or(path.clone());
                if !pages.iter().any(|page| page.path == rel) {
                    found.push(rel);
                }
            }
        }
    }
    found.sort();
    Ok(found)
}

#[cfg(test)]
mod tests;
