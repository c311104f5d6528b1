//! Markdown for a schema: the "Schema" section in the registry's shape (Required / Optional /
//! Read-Only lists, then one "Nested Schema" section per nested attribute or block).

use std::collections::VecDeque;
use std::fmt::Write as _;

use crate::model::{Attribute, Block, IdentityAttribute, Nesting, Schema};

/// Which list an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Group {
    Required,
    Optional,
    ReadOnly,
}

impl Group {
    fn title(self) -> &'static str {
        match self {
            Group::Required => "Required",
            Group::Optional => "Optional",
            Group::ReadOnly => "Read-Only",
        }
    }
}

/// A nested schema still to be rendered below the lists that mention it.
enum Pending<'a> {
    Attributes {
        path: Vec<&'a str>,
        attributes: &'a [Attribute],
    },
    Object {
        path: Vec<&'a str>,
        attr: &'a Attribute,
    },
    Block {
        path: Vec<&'a str>,
        block: &'a Block,
    },
}

/// One list entry: its name, label, description, group and where its nested schema goes.
struct Item<'a> {
    name: &'a str,
    label: String,
    description: &'a str,
    group: Group,
    nested: Option<Pending<'a>>,
}

/// Renders the `## Schema` section of `schema`, ending without a trailing newline.
pub fn schema_section(schema: &Schema) -> String {
    let mut out = String::from("## Schema");
    let mut queue = VecDeque::new();
    let items = list_items(&[], &schema.attributes, &schema.blocks);
    write_groups(&mut out, &items, "###");
    queue.extend(items.into_iter().filter_map(|item| item.nested));

    while let Some(pending) = queue.pop_front() {
        let (anchor, path) = match &pending {
            Pending::Attributes { path, .. } | Pending::Object { path, .. } => ("nestedatt", path),
            Pending::Block { path, .. } => ("nestedblock", path),
        };
        let _ = write!(
            out,
            "\n\n<a id=\"{anchor}--{}\"></a>\n### Nested Schema for `{}`",
            path.join("--"),
            path.join(".")
        );
        match pending {
            Pending::Attributes { path, attributes } => {
                let items = list_items(&path, attributes, &[]);
                write_groups(&mut out, &items, "");
                queue.extend(items.into_iter().filter_map(|item| item.nested));
            }
            Pending::Block { path, block } => {
                let items = list_items(&path, &block.attributes, &block.blocks);
                write_groups(&mut out, &items, "");
                queue.extend(items.into_iter().filter_map(|item| item.nested));
            }
            Pending::Object { attr, .. } => {
                let heading = if attr.computed && !attr.optional && !attr.required {
                    "\n\nRead-Only:"
                } else {
                    ""
                };
                out.push_str(heading);
                out.push('\n');
                for field in &attr.object_fields {
                    let _ = write!(out, "\n- `{}` ({})", field.name, field.type_label);
                }
            }
        }
    }
    out
}

/// Renders the identity attributes as a list (for the Import section), without a trailing newline.
pub fn identity_list(identity: &[IdentityAttribute]) -> String {
    let mut out = String::new();
    for attr in identity {
        let need = if attr.required_for_import {
            "required"
        } else {
            "optional"
        };
        let _ = write!(out, "\n- `{}` ({}, {need})", attr.name, attr.type_label);
        push_description(&mut out, &attr.description);
    }
    out.trim_start().to_owned()
}

fn list_items<'a>(
    parent: &[&'a str],
    attributes: &'a [Attribute],
    blocks: &'a [Block],
) -> Vec<Item<'a>> {
    let mut items: Vec<Item<'a>> = attributes
        .iter()
        .map(|attr| attribute_item(parent, attr))
        .collect();
    items.extend(blocks.iter().map(|block| block_item(parent, block)));
    // Group order first, so nested sections come in the order the lists mention them.
    items.sort_by(|a, b| (a.group, a.name).cmp(&(b.group, b.name)));
    items
}

fn attribute_item<'a>(parent: &[&'a str], attr: &'a Attribute) -> Item<'a> {
    let path = child_path(parent, &attr.name);
    let (base, nested) = if let Some(nested) = &attr.nested {
        let label = match nested.nesting {
            Nesting::Single => "Attributes",
            Nesting::List => "Attributes List",
            Nesting::Set => "Attributes Set",
            Nesting::Map => "Attributes Map",
        };
        (
            label.to_owned(),
            Some(Pending::Attributes {
                path,
                attributes: &nested.attributes,
            }),
        )
    } else if !attr.object_fields.is_empty() {
        (
            attr.type_label.clone(),
            Some(Pending::Object { path, attr }),
        )
    } else {
        (attr.type_label.clone(), None)
    };
    let mut label = base;
    if attr.sensitive {
        label.push_str(", Sensitive");
    }
    if attr.write_only {
        label.push_str(", Write-only");
    }
    if attr.deprecated.is_some() {
        label.push_str(", Deprecated");
    }
    let group = if attr.required {
        Group::Required
    } else if attr.optional {
        Group::Optional
    } else {
        Group::ReadOnly
    };
    Item {
        name: &attr.name,
        label,
        description: &attr.description,
        group,
        nested,
    }
}

fn block_item<'a>(parent: &[&'a str], block: &'a Block) -> Item<'a> {
    let mut label = match block.nesting {
        Nesting::Single => "Block".to_owned(),
        Nesting::List => "Block List".to_owned(),
        Nesting::Set => "Block Set".to_owned(),
        Nesting::Map => "Block Map".to_owned(),
    };
    if block.min_items > 0 && block.nesting != Nesting::Single {
        let _ = write!(label, ", Min: {}", block.min_items);
    }
    if block.max_items > 0 && block.nesting != Nesting::Single {
        let _ = write!(label, ", Max: {}", block.max_items);
    }
    if block.deprecated.is_some() {
        label.push_str(", Deprecated");
    }
    let group = if block.min_items > 0 {
        Group::Required
    } else {
        Group::Optional
    };
    let path = child_path(parent, &block.name);
    Item {
        name: &block.name,
        label,
        description: &block.description,
        group,
        nested: Some(Pending::Block { path, block }),
    }
}

fn child_path<'a>(parent: &[&'a str], name: &'a str) -> Vec<&'a str> {
    let mut path = parent.to_vec();
    path.push(name);
    path
}

/// Writes the Required / Optional / Read-Only lists; `heading` is `###` at the top level and empty
/// inside nested sections, where the registry uses a plain "Required:" line instead.
fn write_groups(out: &mut String, items: &[Item<'_>], heading: &str) {
    for group in [Group::Required, Group::Optional, Group::ReadOnly] {
        let members: Vec<&Item<'_>> = items.iter().filter(|item| item.group == group).collect();
        if members.is_empty() {
            continue;
        }
        if heading.is_empty() {
            let _ = write!(out, "\n\n{}:\n", group.title());
        } else {
            let _ = write!(out, "\n\n{heading} {}\n", group.title());
        }
        for item in members {
            let _ = write!(out, "\n- `{}` ({})", item.name, item.label);
            push_description(out, item.description);
            if let Some(pending) = &item.nested {
                let (anchor, path) = match pending {
                    Pending::Attributes { path, .. } | Pending::Object { path, .. } => {
                        ("nestedatt", path)
                    }
                    Pending::Block { path, .. } => ("nestedblock", path),
                };
                let _ = write!(
                    out,
                    " (see [below for nested schema](#{anchor}--{}))",
                    path.join("--")
                );
            }
        }
    }
}

/// Appends a description to a list item; continuation lines are indented so they stay in the item.
fn push_description(out: &mut String, description: &str) {
    let description = description.trim();
    if description.is_empty() {
        return;
    }
    out.push(' ');
    for (i, line) in description.lines().enumerate() {
        if i > 0 {
            out.push('\n');
            if !line.trim().is_empty() {
                out.push_str("  ");
            }
        }
        out.push_str(line.trim_end());
    }
}
