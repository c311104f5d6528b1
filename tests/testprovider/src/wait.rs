//! The `tftest_wait` action: waits, reporting progress, then succeeds or fails on request. Each
//! outcome is appended to `actions.log` in the provider's directory, so tests see what ran.

use std::time::Duration;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use terraform_provider_conductorone::cty::Path;
use terraform_provider_conductorone::framework::TerraformModel;
use terraform_provider_conductorone::framework::validators::{IntBetween, NotBlank};
use terraform_provider_conductorone::framework::{
    Action, ActionProgress, Context, InvokeActionRequest, InvokeActionResponse, PlanActionRequest,
    PlanActionResponse, Value,
};

use crate::store::Store;

/// The `config` block of `action "tftest_wait"`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct WaitConfig {
    /// A label written to `actions.log` with the outcome.
    #[terraform(validate(NotBlank))]
    pub label: Value<String>,
    /// How long to wait in total, in milliseconds.
    #[terraform(optional, validate(IntBetween { min: 0, max: 600000 }))]
    pub ms: Value<i64>,
    /// How many progress notes to send while waiting (at least one); defaults to 1.
    #[terraform(optional, validate(IntBetween { min: 1, max: 1000 }))]
    pub steps: Value<i64>,
    /// Test hook: end with an error.
    #[terraform(optional)]
    pub fail: Value<bool>,
    /// Test hook: panic in `invoke`.
    #[terraform(optional)]
    pub panic: Value<bool>,
}

/// The `tftest_wait` action.
#[derive(Debug, Clone, Copy, Default)]
pub struct Wait;

fn log(store: &Store, label: &str, outcome: &str, resp: &mut InvokeActionResponse) {
    if let Err(e) = store.log_action(&format!("{label}: {outcome}")) {
        resp.diagnostics.warning(
            "Could Not Record Action",
            format!("{e}. Check the provider's `dir`."),
        );
    }
}

#[async_trait]
impl Action for Wait {
    type ProviderData = Store;
    type Config = WaitConfig;

    fn type_name(&self) -> String {
        "tftest_wait".to_owned()
    }

    async fn plan(
        &self,
        _ctx: &Context<Store>,
        req: PlanActionRequest<WaitConfig>,
        resp: &mut PlanActionResponse,
    ) {
        // Cross-field check, skipped while either value is unknown.
        if let (Some(ms), Some(steps)) = (req.config.ms.known(), req.config.steps.known())
            && *steps > 1
            && *ms == 0
        {
            resp.diagnostics.error_at(
                Path::attr("steps"),
                "Steps Without Waiting",
                "Several steps need a wait to spread over; set `ms` above 0 or leave `steps` out.",
            );
        }
    }

    async fn invoke(
        &self,
        ctx: &Context<Store>,
        req: InvokeActionRequest<WaitConfig>,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        let config = req.config;
        let label = config.label.as_str().unwrap_or_default().to_owned();
        if config.panic.known() == Some(&true) {
            panic!("tftest_wait was asked to panic");
        }
        let total = u64::try_from(config.ms.known().copied().unwrap_or(0)).unwrap_or(0);
        let steps = u64::try_from(config.steps.known().copied().unwrap_or(1)).unwrap_or(1);
        for step in 1..=steps {
            tokio::select! {
                () = tokio::time::sleep(Duration::from_millis(total / steps)) => {}
                () = ctx.cancellation().cancelled() => {
                    log(&store, &label, "cancelled", resp);
                    resp.diagnostics.error(
                        "Action Cancelled",
                        format!("{label} was cancelled after {} of {steps} steps.", step - 1),
                    );
                    return;
                }
            }
            if progress
                .send(format!("{label}: step {step} of {steps}"))
                .await
                .is_err()
            {
                log(&store, &label, "abandoned", resp);
                return;
            }
        }
        if config.fail.known() == Some(&true) {
            log(&store, &label, "failed", resp);
            resp.diagnostics.error(
                "Action Failed",
                format!("{label} failed as asked (fail = true)."),
            );
            return;
        }
        log(&store, &label, "completed", resp);
    }
}
