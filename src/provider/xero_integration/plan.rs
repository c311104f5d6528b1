//! The resource's part of a plan: replace only when the connector moves to another app, refuse a
//! client ID that would be written without its secret, check new or changed credentials with
//! Xero as soon as they are known (the configuration holds write-only values at plan time), and
//! plan `xero_app_type`.

use super::XeroIntegrationModel;
use super::credentials::{check_if_due, refuse_missing_secret, sends_credentials};
use crate::framework::{Context, ModifyPlanRequest, ModifyPlanResponse};
use crate::provider::ProviderData;

/// Adjusts the plan of a create or update.
pub(super) async fn modify_plan(
    ctx: &Context<ProviderData>,
    req: ModifyPlanRequest<XeroIntegrationModel>,
    resp: &mut ModifyPlanResponse<XeroIntegrationModel>,
) {
    let config = &req.config;
    let prior = req.prior.as_ref();
    if prior.is_some_and(|p| moves_to_another_app(p, &resp.plan)) {
        resp.requires_replace
            .push(XeroIntegrationModel::paths().new_app().at());
    }
    let sends = sends_credentials(config, &resp.plan, prior);
    if refuse_missing_secret(config, sends, &mut resp.diagnostics) {
        return;
    }
    let Some(checked) = check_if_due(ctx, config, sends, prior, &mut resp.diagnostics).await else {
        return;
    };
    resp.plan.xero_app_type = checked.app_type(config, sends, prior);
}

/// Whether the plan moves the connector to another app: from `app_id` to a `new_app`, or from
/// `new_app` to an `app_id` naming a different app. (A changed `app_id` replaces through its own
/// plan modifier; a renamed or re-described `new_app` is updated in place; and `new_app` replaced
/// by an `app_id` naming the app it made keeps connector and app, which is then no longer deleted
/// with the resource.)
fn moves_to_another_app(prior: &XeroIntegrationModel, plan: &XeroIntegrationModel) -> bool {
    match (prior.new_app.is_null(), plan.new_app.is_null()) {
        (true, false) => true,
        (false, true) => plan.app_id.known() != prior.app_id.known() || plan.app_id.is_unknown(),
        _ => false,
    }
}
