//! Framework schemas in protobuf form (GetProviderSchema, GetResourceIdentitySchemas).

use crate::framework::schema::{
    Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema,
};
use crate::proto::tfplugin6 as pb;

const MARKDOWN: i32 = pb::StringKind::Markdown as i32;

/// A schema in protobuf form; descriptions are Markdown.
pub(super) fn schema(s: &Schema) -> pb::Schema {
    pb::Schema {
        version: s.version,
        block: Some(block(&s.block, s.version)),
    }
}

fn block(b: &Block, version: i64) -> pb::schema::Block {
    pb::schema::Block {
        version,
        attributes: b.attributes.iter().map(attribute).collect(),
        block_types: b.blocks.iter().map(nested_block).collect(),
        description: b.description.clone(),
        description_kind: MARKDOWN,
        deprecated: b.deprecated.is_some(),
        deprecation_message: b.deprecated.clone().unwrap_or_default(),
    }
}

fn attribute(a: &Attribute) -> pb::schema::Attribute {
    let (r#type, nested_type) = match &a.ty {
        AttributeType::Type(ty) => (ty.to_json_bytes(), None),
        AttributeType::Nested {
            nesting,
            attributes,
        } => (
            Vec::new(),
            Some(pb::schema::Object {
                attributes: attributes.iter().map(attribute).collect(),
                nesting: object_nesting(*nesting) as i32,
                ..Default::default()
            }),
        ),
    };
    pb::schema::Attribute {
        name: a.name.clone(),
        r#type,
        nested_type,
        description: a.description.clone(),
        required: a.presence == Presence::Required,
        optional: matches!(a.presence, Presence::Optional | Presence::OptionalComputed),
        computed: a.presence.is_computed(),
        sensitive: a.sensitive,
        description_kind: MARKDOWN,
        deprecated: a.deprecated.is_some(),
        write_only: a.write_only,
        deprecation_message: a.deprecated.clone().unwrap_or_default(),
    }
}

fn object_nesting(n: Nesting) -> pb::schema::object::NestingMode {
    use pb::schema::object::NestingMode;
    match n {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    }
}

fn nested_block(nb: &NestedBlock) -> pb::schema::NestedBlock {
    use pb::schema::nested_block::NestingMode;
    let nesting = match nb.nesting {
        Nesting::Single => NestingMode::Single,
        Nesting::List => NestingMode::List,
        Nesting::Set => NestingMode::Set,
        Nesting::Map => NestingMode::Map,
    };
    pb::schema::NestedBlock {
        type_name: nb.type_name.clone(),
        block: Some(block(&nb.block, 0)),
        nesting: nesting as i32,
        min_items: nb.min_items,
        max_items: nb.max_items,
    }
}

/// An identity schema in protobuf form: required attributes are required for import.
pub(super) fn identity_schema(s: &Schema) -> pb::ResourceIdentitySchema {
    let identity_attributes = s
        .block
        .attributes
        .iter()
        .map(|a| pb::resource_identity_schema::IdentityAttribute {
            name: a.name.clone(),
            r#type: a.value_type().to_json_bytes(),
            required_for_import: a.presence == Presence::Required,
            optional_for_import: a.presence != Presence::Required,
            description: a.description.clone(),
        })
        .collect();
    pb::ResourceIdentitySchema {
        version: s.version,
        identity_attributes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Type;

    #[test]
    fn kinds_types_and_nesting_reach_the_wire() {
        let mut secret = Attribute::new(
            "secret",
            AttributeType::Type(Type::String),
            Presence::Optional,
        );
        secret.write_only = true;
        secret.sensitive = true;
        secret.description = "A *secret*.".into();
        let mut old = Attribute::new(
            "old",
            AttributeType::Type(Type::list(Type::String)),
            Presence::OptionalComputed,
        );
        old.deprecated = Some("Use new.".into());
        let nested = Attribute::new(
            "endpoint",
            AttributeType::Nested {
                nesting: Nesting::Single,
                attributes: vec![Attribute::new(
                    "host",
                    AttributeType::Type(Type::String),
                    Presence::Required,
                )],
            },
            Presence::Optional,
        );
        let id = Attribute::new("id", AttributeType::Type(Type::String), Presence::Computed);
        let s = Schema::new(Block {
            attributes: vec![nested, id, old, secret],
            ..Block::default()
        });
        let pb = schema(&s);
        let attrs = pb.block.expect("block").attributes;
        let get = |n: &str| {
            attrs
                .iter()
                .find(|a| a.name == n)
                .expect("attribute")
                .clone()
        };

        let cases = [
            // name, required, optional, computed, type JSON
            ("id", false, false, true, &b"\"string\""[..]),
            ("old", false, true, true, &b"[\"list\",\"string\"]"[..]),
            ("secret", false, true, false, &b"\"string\""[..]),
            ("endpoint", false, true, false, &b""[..]),
        ];
        for (name, required, optional, computed, ty) in cases {
            let a = get(name);
            assert_eq!(
                (a.required, a.optional, a.computed),
                (required, optional, computed),
                "{name}"
            );
            assert_eq!(a.r#type, ty, "{name}");
            assert_eq!(a.description_kind, MARKDOWN, "{name}");
        }
        let secret = get("secret");
        assert!(secret.write_only && secret.sensitive);
        assert_eq!(secret.description, "A *secret*.");
        let old = get("old");
        assert!(old.deprecated);
        assert_eq!(old.deprecation_message, "Use new.");
        let nested = get("endpoint").nested_type.expect("nested");
        assert_eq!(
            nested.nesting,
            pb::schema::object::NestingMode::Single as i32
        );
        assert!(nested.attributes[0].required);
    }
}
