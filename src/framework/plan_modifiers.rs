//! Attribute plan modifiers: small reusable steps that adjust one attribute's planned value, each
//! with a description that the generated docs reuse.
//!
//! The dispatcher runs them in order after defaults and after computed attributes missing from the
//! configuration were marked unknown; each sees the plan as the previous one left it.

use std::fmt;
use std::sync::Arc;

use crate::cty::{self, Path};

use super::diag::Diagnostics;

/// What a plan modifier is given about one attribute.
#[derive(Debug, Clone, Copy)]
pub struct PlanModifyRequest<'a> {
    /// Where the attribute is.
    pub path: &'a Path,
    /// The attribute's configured value (null when not configured).
    pub config: &'a cty::Value,
    /// The attribute's prior state (null when the resource is being created).
    pub state: &'a cty::Value,
    /// Whether the whole resource is being created (no prior state).
    pub creating: bool,
}

/// What a plan modifier may change: the planned value and whether a change forces replacement.
#[derive(Debug, Clone)]
pub struct PlanModifyResponse {
    /// The planned value, pre-filled with the plan so far.
    pub plan: cty::Value,
    /// Set to ask Terraform to replace the resource instead of updating it.
    pub requires_replace: bool,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// One step adjusting an attribute's plan.
pub trait PlanModifier: Send + Sync + fmt::Debug {
    /// A Markdown sentence saying what the modifier does, for the docs.
    fn description(&self) -> String;
    /// Adjusts `resp.plan` or sets `resp.requires_replace`.
    fn modify(&self, req: &PlanModifyRequest<'_>, resp: &mut PlanModifyResponse);
}

/// On an update, plans the prior state's value instead of "known after apply" for a computed
/// attribute the configuration leaves unset (an ID, a creation time, owners the API chose), so
/// updates do not show noise. A configured value still wins.
#[derive(Debug, Clone, Copy, Default)]
pub struct UseStateForUnknown;

impl PlanModifier for UseStateForUnknown {
    fn description(&self) -> String {
        "If the configuration does not set it, an update plans the value in the state instead of \"(known after apply)\".".to_owned()
    }

    fn modify(&self, req: &PlanModifyRequest<'_>, resp: &mut PlanModifyResponse) {
        // Only an unknown planned value that the user did not make unknown can be replaced.
        if req.creating || req.state.is_null() || !resp.plan.is_unknown() || req.config.is_unknown()
        {
            return;
        }
        resp.plan = req.state.clone();
    }
}

/// Any change of the attribute replaces the resource.
#[derive(Debug, Clone, Copy, Default)]
pub struct RequiresReplace;

impl PlanModifier for RequiresReplace {
    fn description(&self) -> String {
        "Changing this value replaces the resource.".to_owned()
    }

    fn modify(&self, req: &PlanModifyRequest<'_>, resp: &mut PlanModifyResponse) {
        if !req.creating && resp.plan != *req.state {
            resp.requires_replace = true;
        }
    }
}

/// The condition of a [`RequiresReplaceIf`]: given the request and the planned value, whether the
/// change needs a replacement.
pub type ReplaceCondition = Arc<dyn Fn(&PlanModifyRequest<'_>, &cty::Value) -> bool + Send + Sync>;

/// A change of the attribute replaces the resource when a condition holds.
#[derive(Clone)]
pub struct RequiresReplaceIf {
    condition: ReplaceCondition,
    description: String,
}

impl RequiresReplaceIf {
    /// A modifier replacing the resource when `condition` says so; `description` tells when.
    pub fn new(
        description: impl Into<String>,
        condition: impl Fn(&PlanModifyRequest<'_>, &cty::Value) -> bool + Send + Sync + 'static,
    ) -> Self {
        Self {
            condition: Arc::new(condition),
            description: description.into(),
        }
    }
}

impl fmt::Debug for RequiresReplaceIf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RequiresReplaceIf")
            .field("description", &self.description)
            .finish_non_exhaustive()
    }
}

impl PlanModifier for RequiresReplaceIf {
    fn description(&self) -> String {
        self.description.clone()
    }

    fn modify(&self, req: &PlanModifyRequest<'_>, resp: &mut PlanModifyResponse) {
        if !req.creating && resp.plan != *req.state && (self.condition)(req, &resp.plan) {
            resp.requires_replace = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> cty::Value {
        cty::Value::String(v.to_owned())
    }

    fn run(
        m: &dyn PlanModifier,
        config: cty::Value,
        state: cty::Value,
        plan: cty::Value,
    ) -> PlanModifyResponse {
        let path = Path::attr("x");
        let creating = state.is_null();
        let req = PlanModifyRequest {
            path: &path,
            config: &config,
            state: &state,
            creating,
        };
        let mut resp = PlanModifyResponse {
            plan,
            requires_replace: false,
            diagnostics: Diagnostics::new(),
        };
        m.modify(&req, &mut resp);
        resp
    }

    #[test]
    fn use_state_for_unknown_table() {
        let cases = [
            // (config, state, plan) → plan
            (
                cty::Value::Null,
                s("id-1"),
                cty::Value::unknown(),
                s("id-1"),
            ),
            (
                cty::Value::Null,
                cty::Value::Null,
                cty::Value::unknown(),
                cty::Value::unknown(),
            ),
            (
                cty::Value::unknown(),
                s("id-1"),
                cty::Value::unknown(),
                cty::Value::unknown(),
            ),
            (s("new"), s("old"), s("new"), s("new")),
        ];
        for (config, state, plan, want) in cases {
            let got = run(&UseStateForUnknown, config.clone(), state.clone(), plan);
            assert_eq!(got.plan, want, "config {config:?} state {state:?}");
        }
    }

    #[test]
    fn requires_replace_table() {
        assert!(run(&RequiresReplace, s("b"), s("a"), s("b")).requires_replace);
        assert!(!run(&RequiresReplace, s("a"), s("a"), s("a")).requires_replace);
        assert!(!run(&RequiresReplace, s("a"), cty::Value::Null, s("a")).requires_replace);
        let only_growth = RequiresReplaceIf::new("Replaces when shortened.", |req, plan| {
            plan.as_str().map(str::len) < req.state.as_str().map(str::len)
        });
        assert!(run(&only_growth, s("a"), s("ab"), s("a")).requires_replace);
        assert!(!run(&only_growth, s("abc"), s("ab"), s("abc")).requires_replace);
        assert_eq!(only_growth.description(), "Replaces when shortened.");
    }
}
