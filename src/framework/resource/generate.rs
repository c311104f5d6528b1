//! GenerateResourceConfig (Terraform 1.14+): the configuration Terraform writes for an object
//! found by `terraform query` or imported by an `import` block, with `-generate-config-out`.
//!
//! Terraform writes every attribute of the answer that is not computed-and-null, so the answer
//! decides what the generated file holds. The framework's default reads like a person wrote it:
//! the state with what no person writes left null, namely computed-only attributes, write-only
//! and sensitive ones (a secret never goes into a generated file; Terraform would print
//! `null # sensitive` anyway), deprecated ones, and values equal to their attribute's default.
//! A resource adjusts that in [`super::Resource::generate_config`].

use crate::cty;
use crate::framework::diag::Diagnostics;
use crate::framework::plan::visit_attributes;
use crate::framework::schema::{Attribute, Schema};

/// A state to write as configuration.
#[derive(Debug, Clone)]
pub struct GenerateConfigRequest<M> {
    /// The object's state, as import and read (or a list's resource object) give it.
    pub state: M,
}

/// The configuration to write, pre-filled with the framework's default (see the module docs).
#[derive(Debug, Clone)]
pub struct GenerateConfigResponse<M> {
    /// What Terraform writes: null attributes are left out (or written as `= null` when the
    /// attribute is not computed).
    pub config: M,
    /// Problems found; an error stops Terraform from writing the file.
    pub diagnostics: Diagnostics,
}

/// Whether a person could write `a` in a configuration and would, with value `v`.
fn written(a: &Attribute, v: &cty::Value) -> bool {
    a.presence.is_configurable()
        && !a.write_only
        && !a.sensitive
        && a.deprecated.is_none()
        && a.default.as_ref() != Some(v)
}

/// The framework's configuration for `state`: the state with every attribute no person would
/// write set to null. A null state (a list result without its object) gives null.
#[must_use]
pub fn default_config(schema: &Schema, state: &cty::Value) -> cty::Value {
    let mut config = state.clone();
    visit_attributes(schema, &mut config, &mut |a, _, v| {
        if !written(a, v) {
            *v = cty::Value::Null;
        }
    });
    config
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::cty::Type;
    use crate::framework::schema::{AttributeType, Block, NestedBlock, Nesting, Presence};

    fn attr(name: &str, presence: Presence) -> Attribute {
        Attribute::new(name, AttributeType::Type(Type::String), presence)
    }

    fn s(text: &str) -> cty::Value {
        cty::Value::String(text.to_owned())
    }

    fn obj(pairs: &[(&str, cty::Value)]) -> cty::Value {
        cty::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    fn schema() -> Schema {
        let mut secret = attr("secret", Presence::Optional);
        secret.sensitive = true;
        let mut password = attr("password", Presence::Optional);
        password.write_only = true;
        let mut old = attr("old", Presence::Optional);
        old.deprecated = Some("use name".into());
        let mut size = Attribute::new(
            "size",
            AttributeType::Type(Type::Number),
            Presence::OptionalComputed,
        );
        size.default = Some(cty::Value::Number(1_i64.into()));
        let nested = Attribute::new(
            "endpoint",
            AttributeType::Nested {
                nesting: Nesting::Single,
                attributes: vec![
                    attr("host", Presence::Required),
                    attr("ip", Presence::Computed),
                ],
            },
            Presence::Optional,
        );
        Schema::new(Block {
            attributes: vec![
                nested,
                attr("id", Presence::Computed),
                attr("name", Presence::Required),
                old,
                password,
                secret,
                size,
                attr("zone", Presence::OptionalComputed),
            ],
            blocks: vec![NestedBlock {
                type_name: "rule".into(),
                block: Block {
                    attributes: vec![
                        attr("port", Presence::Optional),
                        attr("arn", Presence::Computed),
                    ],
                    ..Block::default()
                },
                nesting: Nesting::List,
                min_items: 0,
                max_items: 0,
            }],
            ..Block::default()
        })
    }

    #[test]
    fn only_what_a_person_writes_is_kept_at_every_depth() {
        let state = obj(&[
            ("endpoint", obj(&[("host", s("h")), ("ip", s("10.0.0.1"))])),
            ("id", s("x1")),
            ("name", s("alpha")),
            ("old", s("legacy")),
            ("password", cty::Value::Null),
            ("secret", s("hunter2")),
            ("size", cty::Value::Number(1_i64.into())),
            ("zone", s("b")),
            (
                "rule",
                cty::Value::List(vec![obj(&[("port", s("443")), ("arn", s("arn:1"))])]),
            ),
        ]);
        let config = default_config(&schema(), &state);
        assert_eq!(
            config,
            obj(&[
                (
                    "endpoint",
                    obj(&[("host", s("h")), ("ip", cty::Value::Null)])
                ),
                ("id", cty::Value::Null),
                ("name", s("alpha")),
                ("old", cty::Value::Null),
                ("password", cty::Value::Null),
                ("secret", cty::Value::Null),
                ("size", cty::Value::Null),
                ("zone", s("b")),
                (
                    "rule",
                    cty::Value::List(vec![obj(&[("port", s("443")), ("arn", cty::Value::Null)])]),
                ),
            ])
        );
        let changed = obj(&[("size", cty::Value::Number(3_i64.into()))]);
        assert_eq!(
            default_config(&schema(), &changed),
            changed,
            "a value other than the default is kept"
        );
        assert_eq!(
            default_config(&schema(), &cty::Value::Null),
            cty::Value::Null
        );
    }
}
