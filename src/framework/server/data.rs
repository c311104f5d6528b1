//! ReadDataSource.

use super::state::check_known;
use super::{Inner, convert};
use crate::framework::diag::Diagnostics;
use crate::framework::plan::mark_computed_unknown;
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;

pub(super) async fn read<P: Provider>(
    inner: &Inner<P>,
    req: pb::read_data_source::Request,
) -> pb::read_data_source::Response {
    let mut response = pb::read_data_source::Response::default();
    let found = inner.data_source(&req.type_name).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.ty, "configuration")?;
        Ok((entry, config))
    });
    let (entry, config) = match found {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    let mut diagnostics = Diagnostics::new();
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    if !config.is_wholly_known() {
        // Terraform normally waits for a known config before reading; if it asks anyway, answer
        // "known after apply" for what the read would compute, deferring where Terraform allows.
        let mut state = config;
        mark_computed_unknown(&entry.schema, &state.clone(), &mut state);
        if capabilities.deferral_allowed {
            response.deferred = Some(pb::Deferred {
                reason: pb::deferred::Reason::ResourceConfigUnknown as i32,
            });
        }
        response.state =
            convert::encode_into(&state, &entry.ty, "data source state", &mut diagnostics);
        response.diagnostics = convert::diagnostics(&diagnostics);
        return response;
    }
    let ctx = inner.context(capabilities);
    let (state, read_diagnostics) = entry.imp.read(&ctx, &entry.ty, &config).await;
    diagnostics.extend(read_diagnostics);
    if !diagnostics.has_errors() {
        check_known(&state, "reading the data source", &mut diagnostics);
    }
    if !diagnostics.has_errors() {
        response.state =
            convert::encode_into(&state, &entry.ty, "data source state", &mut diagnostics);
    }
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}
