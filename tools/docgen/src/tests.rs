//! Unit tests over a tiny hand-built schema: the Schema section, page layout, templates, the
//! description check and the freshness check.

use std::fs;
use std::path::Path;

use crate::model::{
    Attribute, Block, IdentityAttribute, NestedAttributes, Nesting, ObjectField, ProviderDocs,
    Schema,
};
use crate::{Error, check, render, undescribed, write};

fn attr(name: &str, type_label: &str, description: &str) -> Attribute {
    Attribute {
        name: name.into(),
        type_label: type_label.into(),
        description: description.into(),
        ..Attribute::default()
    }
}

fn widget() -> Schema {
    Schema {
        description: "Manages a widget.\n\nA second paragraph.".into(),
        attributes: vec![
            Attribute {
                required: true,
                ..attr("name", "String", "The widget's name.")
            },
            Attribute {
                computed: true,
                ..attr("id", "String", "The widget's ID.")
            },
            Attribute {
                optional: true,
                sensitive: true,
                write_only: true,
                ..attr("secret_wo", "String", "A secret.\nSent, never stored.")
            },
            Attribute {
                optional: true,
                nested: Some(NestedAttributes {
                    nesting: Nesting::Single,
                    attributes: vec![
                        Attribute {
                            required: true,
                            ..attr("label", "String", "A label.")
                        },
                        Attribute {
                            optional: true,
                            ..attr("note", "String", "A note.")
                        },
                    ],
                }),
                ..attr("options", "", "Options.")
            },
            Attribute {
                computed: true,
                object_fields: vec![
                    ObjectField {
                        name: "id".into(),
                        type_label: "String".into(),
                    },
                    ObjectField {
                        name: "size".into(),
                        type_label: "Number".into(),
                    },
                ],
                ..attr("parts", "List of Object", "Parts.")
            },
        ],
        blocks: vec![Block {
            name: "timeouts".into(),
            description: "How long to wait.".into(),
            attributes: vec![Attribute {
                optional: true,
                ..attr("create", "String", "Create timeout.")
            }],
            ..Block::default()
        }],
        identity: vec![IdentityAttribute {
            name: "id".into(),
            type_label: "String".into(),
            description: "The widget's ID.".into(),
            required_for_import: true,
        }],
    }
}

fn docs() -> ProviderDocs {
    ProviderDocs {
        name: "demo".into(),
        provider: Schema {
            description: "The demo provider.".into(),
            attributes: vec![Attribute {
                optional: true,
                ..attr("url", "String", "Where the API is.")
            }],
            ..Schema::default()
        },
        resources: vec![("demo_widget".into(), widget())],
        data_sources: vec![(
            "demo_parts".into(),
            Schema {
                description: "Reads parts.".into(),
                attributes: vec![Attribute {
                    required: true,
                    ..attr("widget", "String", "Whose parts.")
                }],
                ..Schema::default()
            },
        )],
        list_resources: vec![(
            "demo_widget".into(),
            Schema {
                description: "Finds widgets.".into(),
                attributes: vec![Attribute {
                    optional: true,
                    ..attr("prefix", "String", "Only widgets named so.")
                }],
                ..Schema::default()
            },
        )],
        actions: vec![(
            "demo_polish".into(),
            Schema {
                description: "Polishes a widget.".into(),
                attributes: vec![Attribute {
                    required: true,
                    ..attr("widget", "String", "Which widget.")
                }],
                ..Schema::default()
            },
        )],
    }
}

const WIDGET_SCHEMA: &str = "## Schema

### Required

- `name` (String) The widget's name.

### Optional

- `options` (Attributes) Options. (see [below for nested schema](#nestedatt--options))
- `secret_wo` (String, Sensitive, Write-only) A secret.
  Sent, never stored.
- `timeouts` (Block) How long to wait. (see [below for nested schema](#nestedblock--timeouts))

### Read-Only

- `id` (String) The widget's ID.
- `parts` (List of Object) Parts. (see [below for nested schema](#nestedatt--parts))

<a id=\"nestedatt--options\"></a>
### Nested Schema for `options`

Required:

- `label` (String) A label.

Optional:

- `note` (String) A note.

<a id=\"nestedblock--timeouts\"></a>
### Nested Schema for `timeouts`

Optional:

- `create` (String) Create timeout.

<a id=\"nestedatt--parts\"></a>
### Nested Schema for `parts`

Read-Only:

- `id` (String)
- `size` (Number)";

#[test]
fn schema_section_groups_sorts_and_nests() {
    assert_eq!(render::schema_section(&widget()), WIDGET_SCHEMA);
}

#[test]
fn block_labels_carry_limits() {
    let schema = Schema {
        blocks: vec![Block {
            name: "rule".into(),
            description: "A rule.".into(),
            nesting: Nesting::List,
            min_items: 1,
            max_items: 3,
            ..Block::default()
        }],
        ..Schema::default()
    };
    let text = render::schema_section(&schema);
    assert!(
        text.contains("### Required\n\n- `rule` (Block List, Min: 1, Max: 3) A rule."),
        "{text}"
    );
}

/// Lays out a repository with examples for the tiny provider.
fn repo(root: &Path) {
    let files = [
        ("examples/provider/provider.tf", "provider \"demo\" {}\n"),
        (
            "examples/resources/demo_widget/resource.tf",
            "resource \"demo_widget\" \"w\" {\n  name = \"a\"\n}\n",
        ),
        (
            "examples/resources/demo_widget/import.sh",
            "terraform import demo_widget.w ID\n",
        ),
        (
            "examples/resources/demo_widget/import-by-identity.tf",
            "import {\n  to = demo_widget.w\n}\n",
        ),
        (
            "examples/data-sources/demo_parts/data-source.tf",
            "data \"demo_parts\" \"p\" {}\n",
        ),
        (
            "examples/list-resources/demo_widget/list-resource.tfquery.hcl",
            "list \"demo_widget\" \"all\" {\n  provider = demo\n}\n",
        ),
        (
            "examples/actions/demo_polish/action.tf",
            "action \"demo_polish\" \"p\" {}\n",
        ),
        (
            "tools/docgen/templates/index.md.tmpl",
            "{{frontmatter}}\n\n{{title}}\n\nHand-written intro.\n\n\n{{examples}}\n\n{{file \"extra.txt\"}}\n\n{{schema}}\n",
        ),
        ("extra.txt", "extra\n"),
    ];
    for (path, text) in files {
        let path = root.join(path);
        fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        fs::write(path, text).expect("write");
    }
}

#[test]
fn pages_follow_the_registry_layout() {
    let dir = tempfile::tempdir().expect("tempdir");
    repo(dir.path());
    let pages = crate::render_pages(&docs(), dir.path()).expect("render");
    let paths: Vec<_> = pages
        .iter()
        .map(|p| p.path.to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        paths,
        [
            "index.md",
            "resources/widget.md",
            "data-sources/parts.md",
            "list-resources/widget.md",
            "actions/polish.md"
        ]
    );

    let index = &pages[0].contents;
    assert!(index.starts_with("---\npage_title: \"demo Provider\"\nsubcategory: \"\"\ndescription: |-\n  The demo provider.\n---\n\n# demo Provider\n\nHand-written intro.\n\n## Example Usage\n\n```terraform\nprovider \"demo\" {}\n```\n\n```text\nextra\n```\n\n## Schema"), "{index}");

    let widget = &pages[1].contents;
    assert!(widget.contains("page_title: \"demo_widget Resource - terraform-provider-demo\""));
    // Only the first paragraph goes to the front matter; the page shows the whole description.
    assert!(
        widget.contains("description: |-\n  Manages a widget.\n---"),
        "{widget}"
    );
    assert!(widget.contains(
        "# demo_widget (Resource)\n\nManages a widget.\n\nA second paragraph.\n\n## Example Usage"
    ));
    assert!(widget.contains(WIDGET_SCHEMA));
    let import = widget.split("## Import").nth(1).expect("an Import section");
    assert!(
        import.contains("```terraform\nimport {\n  to = demo_widget.w\n}\n```"),
        "{import}"
    );
    assert!(
        import.contains("- `id` (String, required) The widget's ID."),
        "{import}"
    );
    assert!(
        import.contains("```shell\nterraform import demo_widget.w ID\n```"),
        "{import}"
    );
    assert!(
        !import.contains("names the import ID"),
        "no import-by-string-id.tf, so no such paragraph"
    );
    // The provider has a list resource of the same type: the Import section points to it.
    assert!(
        import.contains(
            "`terraform query` and write the `import` and `resource` blocks for them: see the \
             [`demo_widget` list resource](../list-resources/widget.md)."
        ),
        "{import}"
    );
    assert!(widget.ends_with(".md).\n") && !widget.ends_with("\n\n"));

    let parts = &pages[2].contents;
    assert!(parts.contains("# demo_parts (Data Source)"));
    assert!(!parts.contains("## Import"));

    let list = &pages[3].contents;
    assert!(
        list.starts_with(
            "---\npage_title: \"demo_widget List Resource - terraform-provider-demo\"\n"
        ),
        "{list}"
    );
    assert!(
        list.contains("# demo_widget (List Resource)\n\nFinds widgets.\n\n## Example Usage\n\n```terraform\nlist \"demo_widget\" \"all\" {"),
        "the .tfquery.hcl example: {list}"
    );
    assert!(
        list.contains("### Optional\n\n- `prefix` (String) Only widgets named so."),
        "{list}"
    );
    assert!(!list.contains("## Import"), "{list}");

    let action = &pages[4].contents;
    assert!(
        action.contains("page_title: \"demo_polish Action - terraform-provider-demo\""),
        "{action}"
    );
    assert!(
        action.contains("# demo_polish (Action)\n\nPolishes a widget.\n\n## Example Usage\n\n```terraform\naction \"demo_polish\""),
        "{action}"
    );
    assert!(action.contains("### Required\n\n- `widget` (String) Which widget."));
}

#[test]
fn a_resource_without_a_list_resource_links_to_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    repo(dir.path());
    let mut docs = docs();
    docs.list_resources.clear();
    let pages = crate::render_pages(&docs, dir.path()).expect("render");
    let widget = &pages[1].contents;
    assert!(widget.contains("## Import"), "{widget}");
    assert!(!widget.contains("list resource"), "{widget}");
    assert!(widget.ends_with("```\n"), "{widget}");
}

#[test]
fn unknown_directive_names_template_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    repo(dir.path());
    fs::write(
        dir.path().join("tools/docgen/templates/index.md.tmpl"),
        "intro\n{{bogus}}\n",
    )
    .expect("write");
    match crate::render_pages(&docs(), dir.path()) {
        Err(Error::Template { line, message, .. }) => {
            assert_eq!(line, 2);
            assert!(message.contains("bogus"), "{message}");
        }
        other => panic!("expected a template error, got {other:?}"),
    }
}

#[test]
fn missing_descriptions_are_listed_by_path() {
    let mut docs = docs();
    assert!(undescribed(&docs).is_empty());
    docs.resources[0].1.attributes[3]
        .nested
        .as_mut()
        .expect("nested")
        .attributes[1]
        .description
        .clear();
    docs.resources[0].1.blocks[0].attributes[0].description = "  ".into();
    docs.provider.attributes[0].description.clear();
    docs.list_resources[0].1.attributes[0].description.clear();
    docs.actions[0].1.description.clear();
    assert_eq!(
        undescribed(&docs),
        [
            "provider.url",
            "demo_widget.options.note",
            "demo_widget.timeouts.create",
            "demo_widget.prefix",
            "demo_polish.(schema description)"
        ]
    );
}

#[test]
fn check_reports_stale_missing_and_extra_pages() {
    let dir = tempfile::tempdir().expect("tempdir");
    repo(dir.path());
    let docs = docs();
    let report = check(&docs, dir.path()).expect("check");
    assert_eq!(report.stale.len(), 5, "nothing written yet: {report:?}");

    write(&docs, dir.path()).expect("write");
    let report = check(&docs, dir.path()).expect("check");
    assert!(report.is_clean(), "{report}");

    fs::write(
        dir.path().join("docs/resources/widget.md"),
        "edited by hand\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("docs/resources/old.md"),
        "a page of a removed resource\n",
    )
    .expect("write");
    let report = check(&docs, dir.path()).expect("check");
    assert_eq!(report.stale, [Path::new("resources/widget.md")]);
    assert_eq!(report.extra, [Path::new("resources/old.md")]);
    assert!(!report.is_clean());

    write(&docs, dir.path()).expect("write");
    assert!(
        !dir.path().join("docs/resources/old.md").exists(),
        "write removes pages no schema renders"
    );
    assert!(check(&docs, dir.path()).expect("check").is_clean());
}

mod from_framework {
    use std::sync::Arc;

    use terraform_provider_conductorone::cty::{Path, Type, Value};
    use terraform_provider_conductorone::framework::plan_modifiers::{
        RequiresReplace, UseStateForUnknown,
    };
    use terraform_provider_conductorone::framework::schema::{
        Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema,
    };
    use terraform_provider_conductorone::framework::validators::{ExactlyOneOf, NotBlank};

    use crate::from_framework::{ResourceSchemas, provider_docs_from, type_label};
    use crate::render;

    fn described(mut attr: Attribute, description: &str) -> Attribute {
        attr.description = description.into();
        attr
    }

    fn plain(name: &str, ty: Type, presence: Presence, description: &str) -> Attribute {
        described(
            Attribute::new(name, AttributeType::Type(ty), presence),
            description,
        )
    }

    fn widget() -> Schema {
        let mut name = plain("name", Type::String, Presence::Optional, "The name.");
        name.validators.push(Arc::new(NotBlank));
        name.plan_modifiers.push(Arc::new(RequiresReplace));
        let mut id = plain("id", Type::String, Presence::Computed, "The ID.");
        id.plan_modifiers.push(Arc::new(UseStateForUnknown));
        let mut wait = plain("wait", Type::Bool, Presence::OptionalComputed, "Wait.");
        wait.default = Some(Value::Bool(true));
        let mut secret = plain("secret_wo", Type::String, Presence::Optional, "A secret.");
        secret.sensitive = true;
        secret.write_only = true;
        let spec = described(
            Attribute::new(
                "spec",
                AttributeType::Nested {
                    nesting: Nesting::Single,
                    attributes: vec![plain("size", Type::Number, Presence::Required, "Size.")],
                },
                Presence::Optional,
            ),
            "A new spec.",
        );
        let roles = plain(
            "roles",
            Type::list(Type::object([
                ("id", Type::String),
                ("grants", Type::Number),
            ])),
            Presence::Computed,
            "Roles.",
        );
        let timeouts = NestedBlock {
            type_name: "timeouts".into(),
            block: Block {
                attributes: vec![plain("create", Type::String, Presence::Optional, "Create.")],
                description: "Timeouts.".into(),
                ..Block::default()
            },
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        };
        let mut schema = Schema::new(Block {
            attributes: vec![id, name, roles, secret, spec, wait],
            blocks: vec![timeouts],
            description: "Manages a widget.".into(),
            deprecated: None,
        });
        schema.validators.push(Arc::new(ExactlyOneOf::new(vec![
            Path::attr("name"),
            Path::attr("spec"),
        ])));
        schema
    }

    #[test]
    fn framework_schema_becomes_docs_with_its_sentences() {
        let provider = Schema::new(Block {
            attributes: vec![plain("url", Type::String, Presence::Optional, "The URL.")],
            description: "The provider.".into(),
            ..Block::default()
        });
        let identity = Schema::new(Block {
            attributes: vec![plain("id", Type::String, Presence::Required, "The ID.")],
            ..Block::default()
        });
        let widget = widget();
        let docs = provider_docs_from(
            "demo",
            &provider,
            &[ResourceSchemas {
                type_name: "demo_widget",
                schema: &widget,
                identity: Some(&identity),
            }],
            &[],
        );
        assert!(crate::undescribed(&docs).is_empty());
        let schema = &docs.resources[0].1;
        assert!(
            schema
                .description
                .starts_with("Manages a widget.\n\nExactly one of "),
            "{}",
            schema.description
        );
        assert_eq!(schema.identity[0].name, "id");
        assert!(schema.identity[0].required_for_import);

        let text = render::schema_section(schema);
        for line in [
            "- `name` (String) The name. Value must not be empty or start or end with whitespace. Changing this value replaces the resource.",
            "- `secret_wo` (String, Sensitive, Write-only) A secret.",
            "- `spec` (Attributes) A new spec. (see [below for nested schema](#nestedatt--spec))",
            "- `wait` (Boolean) Wait. Defaults to `true`.",
            "- `timeouts` (Block) Timeouts. (see [below for nested schema](#nestedblock--timeouts))",
            "- `id` (String) The ID. If the configuration does not set it, an update plans the value in the state instead of \"(known after apply)\".",
            "- `roles` (List of Object) Roles. (see [below for nested schema](#nestedatt--roles))",
            "Read-Only:\n\n- `grants` (Number)\n- `id` (String)",
            "Required:\n\n- `size` (Number) Size.",
        ] {
            assert!(text.contains(line), "missing {line:?} in:\n{text}");
        }
        // Optional+computed `wait` is listed with what the user may set, not as read-only.
        let read_only = text.split("### Read-Only").nth(1).expect("read-only list");
        assert!(
            !read_only
                .split("<a id")
                .next()
                .unwrap_or("")
                .contains("`wait`")
        );
    }

    #[test]
    fn an_undescribed_attribute_stays_undescribed_despite_its_sentences() {
        let mut widget = widget();
        widget
            .attribute_mut("name")
            .expect("name")
            .description
            .clear();
        let provider = Schema::new(Block {
            description: "P.".into(),
            ..Block::default()
        });
        let docs = provider_docs_from("demo", &provider, &[], &[("demo_widget", &widget)]);
        assert_eq!(crate::undescribed(&docs), ["demo_widget.name"]);
    }

    #[test]
    fn type_labels() {
        assert_eq!(
            type_label(&Type::map(Type::list(Type::Bool))),
            "Map of List of Boolean"
        );
        assert_eq!(type_label(&Type::set(Type::Number)), "Set of Number");
    }
}

#[test]
fn a_template_may_replace_the_front_matter_description() {
    let dir = tempfile::tempdir().expect("tempdir");
    repo(dir.path());
    let template = dir.path().join("tools/docgen/templates/index.md.tmpl");
    fs::write(
        &template,
        "{{frontmatter \"Manages widgets.\"}}\n\n{{title}}\n",
    )
    .expect("write");
    let pages = crate::render_pages(&docs(), dir.path()).expect("render");
    assert_eq!(
        pages[0].contents,
        "---\npage_title: \"demo Provider\"\nsubcategory: \"\"\ndescription: |-\n  Manages widgets.\n---\n\n# demo Provider\n"
    );
    fs::write(&template, "{{frontmatter unquoted}}\n").expect("write");
    assert!(matches!(
        crate::render_pages(&docs(), dir.path()),
        Err(Error::Template { line: 1, .. })
    ));
}
