//! The plan pipeline's framework steps, on cty values and the schema: defaults, marking computed
//! attributes unknown, attribute plan modifiers, and write-only handling.
//!
//! The dispatcher runs them in this order for a create or update, then the resource's own
//! `modify_plan`: the same order HashiCorp's framework uses, so plans look as Terraform users
//! expect. Elements of set-nested attributes have no stable path, so the steps do not descend
//! into them.

use crate::cty::{self, Path, Step};

use super::diag::Diagnostics;
use super::plan_modifiers::{PlanModifyRequest, PlanModifyResponse};
use super::schema::{Attribute, Block, NestedBlock, Nesting, Schema};
use super::walk;

/// Defines an attribute walker over `&mut cty::Value` or over `&cty::Value`. The two differ only
/// in the borrow; one definition keeps their order and paths the same, and lets a read-only
/// walk (validation) go without copying the whole value first.
macro_rules! attribute_walker {
    ($(#[$doc:meta])* $name:ident, ($($borrow:tt)+), $get:ident, $iter:ident) => {
        $(#[$doc])*
        pub fn $name(
            schema: &Schema,
            value: $($borrow)+ cty::Value,
            f: &mut dyn FnMut(&Attribute, &Path, $($borrow)+ cty::Value),
        ) {
            // One path, extended on the way down and cut back on the way up: a path per
            // attribute cloned from its parent's cost more than the visit itself.
            fn fields(
                attributes: &[Attribute],
                blocks: &[NestedBlock],
                value: $($borrow)+ cty::Value,
                path: &mut Path,
                f: &mut dyn FnMut(&Attribute, &Path, $($borrow)+ cty::Value),
            ) {
                let cty::Value::Object(attrs) = value else {
                    return;
                };
                for a in attributes {
                    if let Some(v) = attrs.$get(&a.name) {
                        path.0.push(Step::Attribute(a.name.clone()));
                        f(a, path, v);
                        if let Some((nesting, inner)) = a.nested() {
                            each(nesting, v, path, &mut |item, ip| fields(inner, &[], item, ip, f));
                        }
                        path.0.pop();
                    }
                }
                for nb in blocks {
                    let Some(v) = attrs.$get(&nb.type_name) else {
                        continue;
                    };
                    path.0.push(Step::Attribute(nb.type_name.clone()));
                    each(nb.nesting, v, path, &mut |item, ip| {
                        fields(&nb.block.attributes, &nb.block.blocks, item, ip, f)
                    });
                    path.0.pop();
                }
            }

            fn each(
                nesting: Nesting,
                v: $($borrow)+ cty::Value,
                p: &mut Path,
                f: &mut dyn FnMut($($borrow)+ cty::Value, &mut Path),
            ) {
                match (nesting, v) {
                    (Nesting::Single, v) => f(v, p),
                    (Nesting::List, cty::Value::List(items)) => {
                        for (i, item) in items.$iter().enumerate() {
                            p.0.push(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)));
                            f(item, p);
                            p.0.pop();
                        }
                    }
                    (Nesting::Map, cty::Value::Map(items)) => {
                        for (k, item) in items.$iter() {
                            p.0.push(Step::Key(k.clone()));
                            f(item, p);
                            p.0.pop();
                        }
                    }
                    _ => {}
                }
            }

            fields(&schema.block.attributes, &schema.block.blocks, value, &mut Path::root(), f);
        }
    };
}

attribute_walker!(
    /// Calls `f` on every attribute value of `value` (parents before their nested attributes),
    /// which it may change.
    visit_attributes,
    (&mut),
    get_mut,
    iter_mut
);

attribute_walker!(
    /// Calls `f` on every attribute value of `value` (parents before their nested attributes), in
    /// the order and with the paths of [`visit_attributes`].
    for_each_attribute,
    (&),
    get,
    iter
);

fn config_at<'a>(config: &'a cty::Value, path: &Path) -> &'a cty::Value {
    walk::get(config, path).unwrap_or(&cty::Value::Null)
}

/// Sets attributes with a default to it where the configuration leaves them null.
pub fn apply_defaults(schema: &Schema, config: &cty::Value, plan: &mut cty::Value) {
    visit_attributes(schema, plan, &mut |a, p, v| {
        if let Some(default) = &a.default
            && config_at(config, p).is_null()
        {
            *v = default.clone();
        }
    });
}

/// Plans a single nested block that the configuration leaves out as absent. Terraform 1.0 proposes
/// the prior state's block when the configuration removes it, and then refuses the plan ("planned
/// for existence but config wants absence"): a block has no computed part, so the configuration
/// alone decides whether it exists.
pub fn drop_unconfigured_blocks(block: &Block, config: &cty::Value, plan: &mut cty::Value) {
    let cty::Value::Object(attrs) = plan else {
        return;
    };
    for nb in &block.blocks {
        let Some(v) = attrs.get_mut(&nb.type_name) else {
            continue;
        };
        let configured = match config {
            cty::Value::Object(c) => c.get(&nb.type_name).unwrap_or(&cty::Value::Null),
            _ => &cty::Value::Null,
        };
        if matches!(nb.nesting, Nesting::Single) {
            if configured.is_null() {
                *v = cty::Value::Null;
            } else if !configured.is_unknown() {
                drop_unconfigured_blocks(&nb.block, configured, v);
            }
        }
    }
}

/// Marks computed attributes that the configuration leaves null as "known after apply", so the
/// resource may set them. Call it only when the resource changes.
pub fn mark_computed_unknown(schema: &Schema, config: &cty::Value, plan: &mut cty::Value) {
    visit_attributes(schema, plan, &mut |a, p, v| {
        if a.presence.is_computed() && a.default.is_none() && config_at(config, p).is_null() {
            *v = cty::Value::unknown();
        }
    });
}

/// Runs every attribute's plan modifiers; returns the paths that force replacement.
pub fn run_plan_modifiers(
    schema: &Schema,
    config: &cty::Value,
    prior: &cty::Value,
    plan: &mut cty::Value,
    diagnostics: &mut Diagnostics,
) -> Vec<Path> {
    let creating = prior.is_null();
    let mut replace = Vec::new();
    visit_attributes(schema, plan, &mut |a, p, v| {
        for modifier in &a.plan_modifiers {
            let state = walk::get(prior, p).unwrap_or(&cty::Value::Null);
            let req = PlanModifyRequest {
                path: p,
                config: config_at(config, p),
                state,
                creating,
            };
            let mut resp = PlanModifyResponse {
                plan: v.clone(),
                requires_replace: false,
                diagnostics: Diagnostics::new(),
            };
            modifier.modify(&req, &mut resp);
            *v = resp.plan;
            if resp.requires_replace {
                replace.push(p.clone());
            }
            let failed = resp.diagnostics.has_errors();
            diagnostics.extend(resp.diagnostics);
            if failed {
                break;
            }
        }
    });
    replace
}

/// Sets every write-only attribute to null: Terraform must never plan or store their values.
pub fn null_write_only(schema: &Schema, value: &mut cty::Value) {
    visit_attributes(schema, value, &mut |a, _, v| {
        if a.write_only {
            *v = cty::Value::Null;
        }
    });
}

/// The paths of write-only attributes that the configuration sets.
#[must_use]
pub fn configured_write_only(schema: &Schema, config: &cty::Value) -> Vec<Path> {
    let mut found = Vec::new();
    for_each_attribute(schema, config, &mut |a, p, v| {
        if a.write_only && !v.is_null() {
            found.push(p.clone());
        }
    });
    found
}

/// Adds an error at each configured write-only attribute when Terraform cannot handle them:
/// an older Terraform would store the value in state like any other.
pub fn refuse_write_only(
    schema: &Schema,
    config: &cty::Value,
    allowed: bool,
    diagnostics: &mut Diagnostics,
) {
    if allowed {
        return;
    }
    for path in configured_write_only(schema, config) {
        diagnostics.error_at(
            path.clone(),
            "Write-Only Attribute Not Supported",
            format!(
                "Attribute {path} is write-only: its value must never be stored in the state, and only \
                 Terraform 1.11 or later keeps it out. This Terraform does not support write-only \
                 attributes. Upgrade Terraform to 1.11 or later, or remove {path} from the configuration."
            ),
        );
    }
}

/// The framework's part of a plan: what the dispatcher hands the resource's `modify_plan`.
#[derive(Debug, Clone)]
pub struct PlanOutcome {
    /// The planned state.
    pub plan: cty::Value,
    /// Attributes whose change forces replacement.
    pub requires_replace: Vec<Path>,
    /// Problems found by plan modifiers.
    pub diagnostics: Diagnostics,
}

/// Plans a change from Terraform's proposed new state: a destroy (null proposal) passes through;
/// otherwise defaults, write-only nulling, unknown-marking when anything changes, and the
/// attribute plan modifiers.
#[must_use]
pub fn plan_change(
    schema: &Schema,
    prior: &cty::Value,
    proposed: &cty::Value,
    config: &cty::Value,
) -> PlanOutcome {
    let mut diagnostics = Diagnostics::new();
    if proposed.is_null() {
        return PlanOutcome {
            plan: cty::Value::Null,
            requires_replace: Vec::new(),
            diagnostics,
        };
    }
    let mut plan = proposed.clone();
    drop_unconfigured_blocks(&schema.block, config, &mut plan);
    apply_defaults(schema, config, &mut plan);
    null_write_only(schema, &mut plan);
    if plan != *prior {
        mark_computed_unknown(schema, config, &mut plan);
    }
    let mut requires_replace =
        run_plan_modifiers(schema, config, prior, &mut plan, &mut diagnostics);
    normalise_paths(&mut requires_replace);
    PlanOutcome {
        plan,
        requires_replace,
        diagnostics,
    }
}

/// Sorts and deduplicates requires-replace paths so that answers are deterministic.
pub fn normalise_paths(paths: &mut Vec<Path>) {
    paths.sort();
    paths.dedup();
}

#[cfg(test)]
mod tests;
