use std::collections::BTreeMap;
use std::sync::Arc;

use super::*;
use crate::cty::Type;
use crate::framework::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use crate::framework::schema::{AttributeType, Presence};

fn s(v: &str) -> cty::Value {
    cty::Value::String(v.to_owned())
}

fn obj(pairs: &[(&str, cty::Value)]) -> cty::Value {
    cty::Value::Object(
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect::<BTreeMap<_, _>>(),
    )
}

fn attr(name: &str, presence: Presence) -> Attribute {
    Attribute::new(name, AttributeType::Type(Type::String), presence)
}

/// id: computed + use-state-for-unknown; name: required + requires-replace; note: optional;
/// tier: optional+computed with default "basic"; updated: computed; secret: write-only;
/// rules: list-nested with a computed `uid`.
fn schema() -> Schema {
    let mut id = attr("id", Presence::Computed);
    id.plan_modifiers.push(Arc::new(UseStateForUnknown));
    let mut name = attr("name", Presence::Required);
    name.plan_modifiers.push(Arc::new(RequiresReplace));
    let mut tier = attr("tier", Presence::OptionalComputed);
    tier.default = Some(s("basic"));
    let mut secret = attr("secret", Presence::Optional);
    secret.write_only = true;
    let rules = Attribute::new(
        "rules",
        AttributeType::Nested {
            nesting: Nesting::List,
            attributes: vec![
                attr("match", Presence::Required),
                attr("uid", Presence::Computed),
            ],
        },
        Presence::Optional,
    );
    Schema::new(Block {
        attributes: vec![
            id,
            name,
            attr("note", Presence::Optional),
            rules,
            secret,
            tier,
            attr("updated", Presence::Computed),
        ],
        ..Block::default()
    })
}

struct Case {
    name: &'static str,
    prior: cty::Value,
    config: cty::Value,
    want: cty::Value,
    replace: Vec<Path>,
}

fn state(id: &str, name: &str, note: cty::Value, tier: &str) -> cty::Value {
    obj(&[
        ("id", s(id)),
        ("name", s(name)),
        ("note", note),
        ("rules", cty::Value::Null),
        ("secret", cty::Value::Null),
        ("tier", s(tier)),
        ("updated", s("t1")),
    ])
}

fn config(name: &str, note: cty::Value, secret: cty::Value, rules: cty::Value) -> cty::Value {
    obj(&[
        ("id", cty::Value::Null),
        ("name", s(name)),
        ("note", note),
        ("rules", rules),
        ("secret", secret),
        ("tier", cty::Value::Null),
        ("updated", cty::Value::Null),
    ])
}

/// Terraform's proposed new state: config values, prior values for computed attributes the
/// config leaves null.
fn propose(prior: &cty::Value, config: &cty::Value) -> cty::Value {
    let (cty::Value::Object(c), p) = (config, prior) else {
        return cty::Value::Null;
    };
    let mut out = c.clone();
    for (k, v) in out.iter_mut() {
        if v.is_null()
            && matches!(k.as_str(), "id" | "tier" | "updated")
            && let Some(pv) = p.attr(k)
        {
            *v = pv.clone();
        }
    }
    cty::Value::Object(out)
}

#[test]
fn plan_pipeline_table() {
    let unknown = cty::Value::unknown;
    let rules_cfg = cty::Value::List(vec![obj(&[("match", s("a")), ("uid", cty::Value::Null)])]);
    let cases = vec![
        Case {
            name: "create: computed unknown, default applied, write-only nulled",
            prior: cty::Value::Null,
            config: config("n", cty::Value::Null, s("hunter2"), cty::Value::Null),
            want: obj(&[
                ("id", unknown()),
                ("name", s("n")),
                ("note", cty::Value::Null),
                ("rules", cty::Value::Null),
                ("secret", cty::Value::Null),
                ("tier", s("basic")),
                ("updated", unknown()),
            ]),
            replace: vec![],
        },
        Case {
            name: "no change: plan equals prior, nothing unknown",
            prior: state("i1", "n", cty::Value::Null, "basic"),
            config: config("n", cty::Value::Null, cty::Value::Null, cty::Value::Null),
            want: state("i1", "n", cty::Value::Null, "basic"),
            replace: vec![],
        },
        Case {
            name: "update: id kept by use-state-for-unknown, other computed unknown",
            prior: state("i1", "n", cty::Value::Null, "basic"),
            config: config("n", s("hello"), cty::Value::Null, cty::Value::Null),
            want: obj(&[
                ("id", s("i1")),
                ("name", s("n")),
                ("note", s("hello")),
                ("rules", cty::Value::Null),
                ("secret", cty::Value::Null),
                ("tier", s("basic")),
                ("updated", unknown()),
            ]),
            replace: vec![],
        },
        Case {
            name: "rename forces replacement",
            prior: state("i1", "n", cty::Value::Null, "basic"),
            config: config("m", cty::Value::Null, cty::Value::Null, cty::Value::Null),
            want: obj(&[
                ("id", s("i1")),
                ("name", s("m")),
                ("note", cty::Value::Null),
                ("rules", cty::Value::Null),
                ("secret", cty::Value::Null),
                ("tier", s("basic")),
                ("updated", unknown()),
            ]),
            replace: vec![Path::attr("name")],
        },
        Case {
            name: "default replaces a tier removed from config",
            prior: state("i1", "n", cty::Value::Null, "gold"),
            config: config("n", cty::Value::Null, cty::Value::Null, cty::Value::Null),
            want: obj(&[
                ("id", s("i1")),
                ("name", s("n")),
                ("note", cty::Value::Null),
                ("rules", cty::Value::Null),
                ("secret", cty::Value::Null),
                ("tier", s("basic")),
                ("updated", unknown()),
            ]),
            replace: vec![],
        },
        Case {
            name: "computed attribute inside a list-nested element",
            prior: cty::Value::Null,
            config: config("n", cty::Value::Null, cty::Value::Null, rules_cfg.clone()),
            want: obj(&[
                ("id", unknown()),
                ("name", s("n")),
                ("note", cty::Value::Null),
                (
                    "rules",
                    cty::Value::List(vec![obj(&[("match", s("a")), ("uid", unknown())])]),
                ),
                ("secret", cty::Value::Null),
                ("tier", s("basic")),
                ("updated", unknown()),
            ]),
            replace: vec![],
        },
    ];
    let schema = schema();
    for case in cases {
        let proposed = propose(&case.prior, &case.config);
        let out = plan_change(&schema, &case.prior, &proposed, &case.config);
        assert_eq!(out.plan, case.want, "{}", case.name);
        assert_eq!(out.requires_replace, case.replace, "{}", case.name);
        assert!(!out.diagnostics.has_errors(), "{}", case.name);
    }
}

#[test]
fn destroy_passes_through() {
    let out = plan_change(
        &schema(),
        &state("i1", "n", cty::Value::Null, "basic"),
        &cty::Value::Null,
        &cty::Value::Null,
    );
    assert_eq!(out.plan, cty::Value::Null);
    assert!(out.requires_replace.is_empty());
}

#[test]
fn write_only_is_refused_without_the_capability() {
    let schema = schema();
    let with_secret = config("n", cty::Value::Null, s("hunter2"), cty::Value::Null);
    let without = config("n", cty::Value::Null, cty::Value::Null, cty::Value::Null);

    let mut diags = Diagnostics::new();
    refuse_write_only(&schema, &with_secret, false, &mut diags);
    assert_eq!(diags.len(), 1);
    let d = diags.iter().next().expect("one diagnostic");
    assert_eq!(d.attribute, Some(Path::attr("secret")));
    assert!(d.detail.contains("1.11"), "{}", d.detail);

    for (config, allowed) in [(&with_secret, true), (&without, false)] {
        let mut diags = Diagnostics::new();
        refuse_write_only(&schema, config, allowed, &mut diags);
        assert!(diags.is_empty(), "allowed={allowed}");
    }
}

#[test]
fn a_single_block_removed_from_the_configuration_is_planned_absent() {
    use crate::framework::schema::NestedBlock;
    let inner = Block {
        attributes: vec![attr("create", Presence::Optional)],
        ..Block::default()
    };
    let schema = Schema::new(Block {
        attributes: vec![attr("name", Presence::Required)],
        blocks: vec![NestedBlock {
            type_name: "timeouts".into(),
            block: inner,
            nesting: Nesting::Single,
            min_items: 0,
            max_items: 0,
        }],
        ..Block::default()
    });
    let prior = obj(&[("name", s("a")), ("timeouts", obj(&[("create", s("5m"))]))]);
    let config = obj(&[("name", s("a")), ("timeouts", cty::Value::Null)]);
    // Terraform 1.0 proposes the prior block although the configuration removed it.
    let outcome = plan_change(&schema, &prior, &prior, &config);
    assert_eq!(
        outcome.plan,
        obj(&[("name", s("a")), ("timeouts", cty::Value::Null)])
    );
    // A configured block is planned as proposed.
    let kept = obj(&[("name", s("a")), ("timeouts", obj(&[("create", s("9m"))]))]);
    assert_eq!(plan_change(&schema, &prior, &kept, &kept).plan, kept);
}

#[test]
fn the_read_only_walk_visits_what_the_mutable_walk_visits_in_the_same_order() {
    let mut schema = schema();
    schema
        .block
        .blocks
        .push(crate::framework::schema::NestedBlock {
            type_name: "limits".to_owned(),
            block: Block {
                attributes: vec![attr("size", Presence::Optional)],
                ..Block::default()
            },
            nesting: Nesting::Map,
            min_items: 0,
            max_items: 0,
        });
    let value = obj(&[
        ("id", s("i")),
        ("name", s("n")),
        ("note", cty::Value::Null),
        (
            "rules",
            cty::Value::List(vec![
                obj(&[("match", s("a")), ("uid", s("u1"))]),
                obj(&[("match", s("b")), ("uid", cty::Value::Null)]),
            ]),
        ),
        ("secret", s("x")),
        ("tier", s("basic")),
        ("updated", s("t")),
        (
            "limits",
            cty::Value::Map(BTreeMap::from([
                ("east".to_owned(), obj(&[("size", s("1"))])),
                ("west".to_owned(), obj(&[("size", s("2"))])),
            ])),
        ),
    ]);
    let mut read = Vec::new();
    for_each_attribute(&schema, &value, &mut |a, p, v| {
        read.push((a.name.clone(), p.to_string(), v.clone()));
    });
    let mut written = Vec::new();
    let mut copy = value.clone();
    visit_attributes(&schema, &mut copy, &mut |a, p, v| {
        written.push((a.name.clone(), p.to_string(), v.clone()));
    });
    assert_eq!(read, written);
    let paths: Vec<&str> = read.iter().map(|(_, p, _)| p.as_str()).collect();
    assert!(paths.contains(&"rules[1].uid"), "{paths:?}");
    assert!(paths.contains(&"limits[\"west\"].size"), "{paths:?}");
    assert_eq!(read.len(), 7 + 4 + 2, "{paths:?}");
}
