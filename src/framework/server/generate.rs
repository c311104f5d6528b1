//! GenerateResourceConfig: the configuration Terraform writes with `-generate-config-out`.

use super::{Inner, convert};
use crate::framework::diag::Diagnostics;
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;

pub(super) fn generate<P: Provider>(
    inner: &Inner<P>,
    req: &pb::generate_resource_config::Request,
) -> pb::generate_resource_config::Response {
    let mut response = pb::generate_resource_config::Response::default();
    let found = inner.resource(&req.type_name).and_then(|entry| {
        let state = convert::decode(req.state.as_ref(), &entry.types.state, "state")?;
        Ok((entry, state))
    });
    let (entry, state) = match found {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    let generated = entry
        .imp
        .generate_config(&entry.schema, &entry.types, &state);
    let mut diagnostics: Diagnostics = generated.diagnostics;
    if !diagnostics.has_errors() {
        response.config = convert::encode_into(
            &generated.config,
            &entry.types.state,
            "generated configuration",
            &mut diagnostics,
        );
    }
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}
