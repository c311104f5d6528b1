//! Pages: which docs file each schema becomes, the examples that go with it, and the small
//! template language that lays a page out.
//!
//! A template is Markdown in which a line holding only a directive is replaced:
//! `{{frontmatter}}` (or `{{frontmatter "a description"}}` to replace the schema's first paragraph in
//! the front matter), `{{title}}`, `{{description}}`, `{{examples}}`, `{{schema}}`, `{{import}}`, or
//! `{{file "path/from/repo/root"}}` (that file as a code block). Every other line is kept as it is.
//! A page without a template of its own uses [`DEFAULT_TEMPLATE`].

use std::fs;
use std::path::{Path, PathBuf};

use crate::Error;
use crate::model::{ProviderDocs, Schema};
use crate::render;

/// The layout of a page that has no template of its own.
pub const DEFAULT_TEMPLATE: &str =
    "{{frontmatter}}\n\n{{title}}\n\n{{description}}\n\n{{examples}}\n\n{{schema}}\n\n{{import}}\n";

/// What a page documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The provider's own configuration (`docs/index.md`).
    Provider,
    /// A managed resource (`docs/resources/…`).
    Resource,
    /// A data source (`docs/data-sources/…`).
    DataSource,
    /// A list resource, for `terraform query` (`docs/list-resources/…`).
    ListResource,
    /// An action (`docs/actions/…`).
    Action,
}

impl Kind {
    /// How titles name the kind: `Resource`, `List Resource` ….
    fn label(self) -> &'static str {
        match self {
            Kind::Provider => "Provider",
            Kind::Resource => "Resource",
            Kind::DataSource => "Data Source",
            Kind::ListResource => "List Resource",
            Kind::Action => "Action",
        }
    }

    /// The directory below `docs/` and below `examples/` (empty for the provider).
    fn dir(self) -> &'static str {
        match self {
            Kind::Provider => "",
            Kind::Resource => "resources",
            Kind::DataSource => "data-sources",
            Kind::ListResource => "list-resources",
            Kind::Action => "actions",
        }
    }

    /// The example file the page shows, in the registry's naming.
    fn example_file(self) -> &'static str {
        match self {
            Kind::Provider => "provider.tf",
            Kind::Resource => "resource.tf",
            Kind::DataSource => "data-source.tf",
            Kind::ListResource => "list-resource.tfquery.hcl",
            Kind::Action => "action.tf",
        }
    }
}

/// One rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Path below `docs/`, e.g. `resources/xero_integration.md`.
    pub path: PathBuf,
    /// The page's Markdown.
    pub contents: String,
}

/// Everything a template's directives draw on.
struct Context<'a> {
    root: &'a Path,
    provider: &'a str,
    kind: Kind,
    /// Full type name (`conductorone_xero_sync`), or the provider name for the index.
    type_name: &'a str,
    schema: &'a Schema,
    /// Examples directory for this page, relative to the root.
    examples: PathBuf,
    /// For a resource: the page of the list resource of the same type, relative to this page,
    /// when the provider has one.
    list_page: Option<String>,
}

/// Renders every page of `docs` with the examples and templates found under `root`.
pub fn render_pages(docs: &ProviderDocs, root: &Path) -> Result<Vec<Page>, Error> {
    let mut pages = Vec::new();
    let mut add = |kind: Kind, type_name: &str, schema: &Schema| -> Result<(), Error> {
        let short = type_name
            .strip_prefix(&format!("{}_", docs.name))
            .unwrap_or(type_name);
        let (page, examples) = match kind {
            Kind::Provider => (
                PathBuf::from("index.md"),
                PathBuf::from("examples/provider"),
            ),
            _ => (
                PathBuf::from(kind.dir()).join(format!("{short}.md")),
                PathBuf::from("examples").join(kind.dir()).join(type_name),
            ),
        };
        let template_path = root
            .join("tools/docgen/templates")
            .join(page.with_extension("md.tmpl"));
        let template = match fs::read_to_string(&template_path) {
            Ok(text) => Some(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(Error::Io {
                    path: template_path,
                    source,
                });
            }
        };
        let list_page = (kind == Kind::Resource
            && docs
                .list_resources
                .iter()
                .any(|(name, _)| name == type_name))
        .then(|| format!("../{}/{short}.md", Kind::ListResource.dir()));
        let ctx = Context {
            root,
            provider: &docs.name,
            kind,
            type_name,
            schema,
            examples,
            list_page,
        };
        let contents = expand(
            &ctx,
            template.as_deref().unwrap_or(DEFAULT_TEMPLATE),
            &template_path,
        )?;
        pages.push(Page {
            path: page,
            contents,
        });
        Ok(())
    };
    add(Kind::Provider, &docs.name, &docs.provider)?;
    for (name, schema) in &docs.resources {
        add(Kind::Resource, name, schema)?;
    }
    for (name, schema) in &docs.data_sources {
        add(Kind::DataSource, name, schema)?;
    }
    for (name, schema) in &docs.list_resources {
        add(Kind::ListResource, name, schema)?;
    }
    for (name, schema) in &docs.actions {
        add(Kind::Action, name, schema)?;
    }
    Ok(pages)
}

fn expand(ctx: &Context<'_>, template: &str, template_path: &Path) -> Result<String, Error> {
    let mut out = Vec::new();
    for (number, line) in template.lines().enumerate() {
        let trimmed = line.trim();
        let Some(directive) = trimmed
            .strip_prefix("{{")
            .and_then(|rest| rest.strip_suffix("}}"))
        else {
            out.push(line.to_owned());
            continue;
        };
        let fail = |message: String| Error::Template {
            path: template_path.to_owned(),
            line: number + 1,
            message,
        };
        let directive = directive.trim();
        let text = match directive {
            "frontmatter" => front_matter(ctx, None),
            "title" => title(ctx),
            "description" => ctx.schema.description.trim().to_owned(),
            "examples" => examples(ctx)?,
            "schema" => render::schema_section(ctx.schema),
            "import" => import(ctx)?,
            other if other.starts_with("frontmatter ") => {
                let text = other["frontmatter ".len()..].trim();
                let Some(text) = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')) else {
                    return Err(fail(
                        "`frontmatter` takes one quoted description".to_owned(),
                    ));
                };
                front_matter(ctx, Some(text))
            }
            other => match other.strip_prefix("file ") {
                Some(arg) => {
                    let rel = arg.trim().trim_matches('"');
                    if rel.is_empty() {
                        return Err(fail("`file` needs a path".to_owned()));
                    }
                    code_block(&read(&ctx.root.join(rel))?, fence_language(rel))
                }
                None => return Err(fail(format!("unknown directive `{{{{{other}}}}}`"))),
            },
        };
        out.push(text);
    }
    Ok(tidy(&out.join("\n")))
}

/// Collapses runs of blank lines outside code fences, so an empty directive leaves no gap.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut in_fence = false;
    let mut blank_run = 0;
    for line in text.lines() {
        if line.trim_start().starts_with("```") {
            in_fence = !in_fence;
        }
        if !in_fence && line.trim().is_empty() {
            blank_run += 1;
            if blank_run > 1 {
                continue;
            }
        } else {
            blank_run = 0;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let trimmed = out.trim();
    format!("{trimmed}\n")
}

fn front_matter(ctx: &Context<'_>, description: Option<&str>) -> String {
    let page_title = match ctx.kind {
        Kind::Provider => format!("{} Provider", ctx.provider),
        kind => format!(
            "{} {} - terraform-provider-{}",
            ctx.type_name,
            kind.label(),
            ctx.provider
        ),
    };
    let first_paragraph = description.unwrap_or_else(|| {
        ctx.schema
            .description
            .trim()
            .split("\n\n")
            .next()
            .unwrap_or_default()
    });
    let mut out = format!(
        "---\npage_title: \"{}\"\nsubcategory: \"\"\ndescription: |-\n",
        page_title.replace('"', "\\\"")
    );
    for line in first_paragraph.lines() {
        out.push_str("  ");
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out.push_str("---");
    out
}

fn title(ctx: &Context<'_>) -> String {
    match ctx.kind {
        Kind::Provider => format!("# {} Provider", ctx.provider),
        kind => format!("# {} ({})", ctx.type_name, kind.label()),
    }
}

fn examples(ctx: &Context<'_>) -> Result<String, Error> {
    let path = ctx.examples.join(ctx.kind.example_file());
    let text = read(&ctx.root.join(&path))?;
    Ok(format!(
        "## Example Usage\n\n{}",
        code_block(&text, "terraform")
    ))
}

/// The Import section: import blocks by ID and by identity, then the CLI command. Empty for pages
/// that are not resources or whose resource has no import examples.
fn import(ctx: &Context<'_>) -> Result<String, Error> {
    if ctx.kind != Kind::Resource {
        return Ok(String::new());
    }
    let dir = ctx.root.join(&ctx.examples);
    let optional = |name: &str| -> Result<Option<String>, Error> {
        let path = dir.join(name);
        if path.exists() {
            read(&path).map(Some)
        } else {
            Ok(None)
        }
    };
    let (by_id, by_identity, command) = (
        optional("import-by-string-id.tf")?,
        optional("import-by-identity.tf")?,
        optional("import.sh")?,
    );
    if by_id.is_none() && by_identity.is_none() && command.is_none() {
        return Ok(String::new());
    }
    let mut out = String::from("## Import");
    if let Some(text) = by_id {
        out.push_str("\n\nTerraform 1.5 and later can import with an `import` block that names the import ID:\n\n");
        out.push_str(&code_block(&text, "terraform"));
    }
    if let Some(text) = by_identity {
        out.push_str("\n\nTerraform 1.12 and later can also import by the resource identity:\n\n");
        out.push_str(&code_block(&text, "terraform"));
        if !ctx.schema.identity.is_empty() {
            out.push_str("\n\nThe identity's attributes:\n\n");
            out.push_str(&render::identity_list(&ctx.schema.identity));
        }
    }
    if let Some(text) = command {
        out.push_str(
            "\n\nEvery Terraform version can import with the `terraform import` command:\n\n",
        );
        out.push_str(&code_block(&text, "shell"));
    }
    if let Some(page) = &ctx.list_page {
        out.push_str(&format!(
            "\n\nTerraform 1.14 and later can also find the objects that already exist with \
             `terraform query` and write the `import` and `resource` blocks for them: see the \
             [`{}` list resource]({page}).",
            ctx.type_name
        ));
    }
    Ok(out)
}

fn fence_language(path: &str) -> &'static str {
    match Path::new(path).extension().and_then(|e| e.to_str()) {
        Some("tf" | "hcl") => "terraform",
        Some("sh") => "shell",
        Some("json") => "json",
        _ => "text",
    }
}

fn code_block(text: &str, language: &str) -> String {
    format!("```{language}\n{}\n```", text.trim_end())
}

fn read(path: &Path) -> Result<String, Error> {
    fs::read_to_string(path).map_err(|source| Error::Io {
        path: path.to_owned(),
        source,
    })
}
