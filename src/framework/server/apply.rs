//! ApplyResourceChange: create, update or delete, chosen by which of prior and planned is null.

use super::state::{check_known, private_state};
use super::{Inner, convert};
use crate::framework::diag::Diagnostics;
use crate::framework::plan::null_write_only;
use crate::framework::provider::Provider;
use crate::framework::resource::RawApply;
use crate::proto::tfplugin6 as pb;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Create,
    Update,
    Delete,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Self::Create => "create",
            Self::Update => "update",
            Self::Delete => "delete",
        }
    }
}

pub(super) async fn apply<P: Provider>(
    inner: &Inner<P>,
    req: pb::apply_resource_change::Request,
) -> pb::apply_resource_change::Response {
    let mut response = pb::apply_resource_change::Response::default();
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
        let planned = convert::decode(req.planned_state.as_ref(), &types.state, "planned state")?;
        let config = convert::decode(req.config.as_ref(), &types.state, "configuration")?;
        let identity =
            convert::decode_identity(req.planned_identity.as_ref(), types.identity.as_ref())?;
        Ok((prior, planned, config, identity))
    })();
    let (prior, planned, config, identity) = match decoded {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    let mut diagnostics = Diagnostics::new();
    let private = private_state(&req.planned_private, &mut diagnostics);
    // Apply requests carry no capabilities; write-only refusal happened at validate and plan.
    let ctx = inner.context(crate::framework::ClientCapabilities::default());
    let op = match (prior.is_null(), planned.is_null()) {
        (_, true) => Op::Delete,
        (true, false) => Op::Create,
        (false, false) => Op::Update,
    };
    let raw = RawApply {
        config,
        planned: planned.clone(),
        prior: prior.clone(),
        identity,
        private,
    };
    let result = match op {
        Op::Delete => entry.imp.delete(&ctx, types, raw).await,
        Op::Create => entry.imp.create(&ctx, types, raw).await,
        Op::Update => entry.imp.update(&ctx, types, raw).await,
    };
    diagnostics.extend(result.diagnostics);
    let mut state = result.state;
    if diagnostics.has_errors() {
        if op == Op::Update && state == planned {
            // The resource left the plan untouched: the object most likely did not change.
            state = prior;
        }
        // A partly created object comes back with what is known; Terraform taints it.
        convert::unknown_as_null(&mut state);
    } else if op == Op::Create && state.is_null() {
        diagnostics.error(
            "Missing Resource State After Create",
            "The provider reported success but returned no state. This is a bug in the provider; please report it.",
        );
    } else {
        check_known(&state, op.name(), &mut diagnostics);
        if diagnostics.has_errors() {
            convert::unknown_as_null(&mut state);
        }
    }
    null_write_only(&entry.schema, &mut state);
    response.new_state = convert::encode_into(&state, &types.state, "new state", &mut diagnostics);
    response.new_identity = convert::encode_identity(
        result.identity.as_ref(),
        types.identity.as_ref(),
        &mut diagnostics,
    );
    response.private = result.private.to_bytes();
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}
