//! The resource's part of a plan: refuse a client ID that would be written without its secret,
//! check new or changed credentials with Xero as soon as they are known (the configuration holds
//! write-only values at plan time), and plan `xero_app_type`.

use super::credentials::{Configured, SECRET, check, needs_check, sends_credentials, type_name};
use super::{XeroIntegrationModel, app_type};
use crate::cty::Path;
use crate::framework::{Context, ModifyPlanRequest, ModifyPlanResponse, Value};
use crate::provider::ProviderData;

/// Adjusts the plan of a create or update.
pub(super) async fn modify_plan(
    ctx: &Context<ProviderData>,
    req: ModifyPlanRequest<XeroIntegrationModel>,
    resp: &mut ModifyPlanResponse<XeroIntegrationModel>,
) {
    let config = &req.config;
    let prior = req.prior.as_ref();
    let configured = Configured::of(config);
    let sends = sends_credentials(config, &resp.plan, prior);
    // new_app is a block, and blocks carry no plan modifiers: its replacement is said here.
    if prior.is_some_and(|p| p.new_app != resp.plan.new_app) {
        resp.requires_replace.push(Path::attr("new_app"));
    }

    if sends && !configured.id.is_null() && configured.secret.is_null() {
        resp.diagnostics.error_at(
            Path::attr(SECRET),
            "Missing Xero Client Secret",
            "xero_client_id is being set or changed, but no secret is configured, and ConductorOne needs the \
             Xero app's secret together with its ID. Set xero_client_secret_wo (Terraform 1.11 or later) or \
             xero_client_secret. (An imported connector may leave the secret out as long as its \
             xero_client_id stays the same; ConductorOne keeps the secret it holds.)",
        );
        return;
    }

    let planned_type = match needs_check(config, sends, prior, &req.private) {
        None => Value::Unknown,
        Some(true) => {
            let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
                return;
            };
            let Some((id, secret)) = configured.known() else {
                return;
            };
            let cancel = ctx.cancellation();
            match check(
                &data,
                &id,
                &secret,
                configured.secret_attr,
                cancel,
                &mut resp.diagnostics,
            )
            .await
            {
                Some(t) => Value::Known(type_name(t).to_owned()),
                None => return,
            }
        }
        Some(false) => {
            let unchecked_write = sends && resp.plan.validate_credentials.known() == Some(&false);
            match prior {
                Some(p) if !unchecked_write => p.xero_app_type.clone(),
                _ => Value::Known(app_type::UNVERIFIED.to_owned()),
            }
        }
    };
    resp.plan.xero_app_type = planned_type;
}
