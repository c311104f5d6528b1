//! PlanResourceChange: the framework's plan steps, then the resource's own `modify_plan`.

use super::state::private_state;
use super::{Inner, convert};
use crate::framework::diag::Diagnostics;
use crate::framework::plan::{normalise_paths, null_write_only, plan_change, refuse_write_only};
use crate::framework::provider::Provider;
use crate::framework::resource::RawPlan;
use crate::proto::tfplugin6 as pb;

pub(super) async fn plan<P: Provider>(
    inner: &Inner<P>,
    req: pb::plan_resource_change::Request,
) -> pb::plan_resource_change::Response {
    let mut response = pb::plan_resource_change::Response::default();
    let entry = match inner.resource(&req.type_name) {
        Ok(e) => e,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    let types = &entry.types;
    let decoded = (|| {
        let prior = convert::decode(req.prior_state.as_ref(), &types.state, "prior state")?;
        let proposed = convert::decode(
            req.proposed_new_state.as_ref(),
            &types.state,
            "proposed new state",
        )?;
        let config = convert::decode(req.config.as_ref(), &types.state, "configuration")?;
        Ok((prior, proposed, config))
    })();
    let (prior, proposed, config) = match decoded {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    // Destroy (plan_destroy capability): nothing to plan, keep private state and identity.
    if proposed.is_null() {
        response.planned_state = req.proposed_new_state;
        response.planned_private = req.prior_private;
        response.planned_identity = req.prior_identity;
        return response;
    }

    let mut diagnostics = Diagnostics::new();
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    refuse_write_only(
        &entry.schema,
        &config,
        capabilities.write_only_attributes_allowed,
        &mut diagnostics,
    );
    if diagnostics.has_errors() {
        response.diagnostics = convert::diagnostics(&diagnostics);
        return response;
    }

    let outcome = plan_change(&entry.schema, &prior, &proposed, &config);
    diagnostics.extend(outcome.diagnostics);
    if diagnostics.has_errors() {
        response.diagnostics = convert::diagnostics(&diagnostics);
        return response;
    }

    let private = private_state(&req.prior_private, &mut diagnostics);
    let ctx = inner.context(capabilities);
    let raw = RawPlan {
        config,
        prior,
        plan: outcome.plan,
        private,
    };
    let planned = entry.imp.modify_plan(&ctx, types, raw).await;
    diagnostics.extend(planned.diagnostics);

    let mut plan = planned.plan;
    // The resource may not plan a write-only value either.
    null_write_only(&entry.schema, &mut plan);
    let mut requires_replace = outcome.requires_replace;
    requires_replace.extend(planned.requires_replace);
    normalise_paths(&mut requires_replace);

    response.planned_state = convert::encode_into(&plan, &types.state, "plan", &mut diagnostics);
    response.requires_replace = requires_replace.iter().map(convert::path).collect();
    response.planned_private = planned.private.to_bytes();
    response.planned_identity = req.prior_identity;
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}
