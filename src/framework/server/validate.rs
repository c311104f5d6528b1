//! ValidateResourceConfig and ValidateDataResourceConfig.

use super::{Inner, convert};
use crate::framework::context::ClientCapabilities;
use crate::framework::diag::Diagnostics;
use crate::framework::plan::refuse_write_only;
use crate::framework::provider::Provider;
use crate::framework::validate::validate_config;
use crate::proto::tfplugin6 as pb;

pub(super) async fn resource<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    let mut diagnostics = Diagnostics::new();
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    let checked = inner.resource(&req.type_name).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.types.state, "configuration")?;
        Ok((entry, config))
    });
    match checked {
        Ok((entry, config)) => {
            validate_config(&entry.schema, &config, &mut diagnostics);
            // Terraform older than 1.11 sends no capabilities and would store the value.
            refuse_write_only(
                &entry.schema,
                &config,
                capabilities.write_only_attributes_allowed,
                &mut diagnostics,
            );
            diagnostics.extend(entry.imp.validate(capabilities, &config).await);
        }
        Err(d) => diagnostics.push(d),
    }
    pb::validate_resource_config::Response {
        diagnostics: convert::diagnostics(&diagnostics),
    }
}

pub(super) async fn data_source<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    let mut diagnostics = Diagnostics::new();
    let checked = inner.data_source(&req.type_name).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.ty, "configuration")?;
        Ok((entry, config))
    });
    match checked {
        Ok((entry, config)) => {
            validate_config(&entry.schema, &config, &mut diagnostics);
            diagnostics.extend(
                entry
                    .imp
                    .validate(ClientCapabilities::default(), &config)
                    .await,
            );
        }
        Err(d) => diagnostics.push(d),
    }
    pb::validate_data_resource_config::Response {
        diagnostics: convert::diagnostics(&diagnostics),
    }
}
