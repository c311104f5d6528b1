//! GetMetadata, GetProviderSchema (list resources and actions included), GetResourceIdentitySchemas, UpgradeResourceIdentity.

use super::{Inner, convert, schema_proto};
use crate::framework::diag::Diagnostics;
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;

fn server_capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: true,
        move_resource_state: false,
        // Every resource answers it (the framework's default, or the resource's own).
        generate_resource_config: true,
    }
}

pub(super) fn get_metadata<P: Provider>(inner: &Inner<P>) -> pb::get_metadata::Response {
    pb::get_metadata::Response {
        server_capabilities: Some(server_capabilities()),
        diagnostics: convert::diagnostics(&inner.schema_errors),
        resources: inner
            .resources
            .keys()
            .map(|t| pb::get_metadata::ResourceMetadata {
                type_name: t.clone(),
            })
            .collect(),
        data_sources: inner
            .data_sources
            .keys()
            .map(|t| pb::get_metadata::DataSourceMetadata {
                type_name: t.clone(),
            })
            .collect(),
        // Empty for a provider without them: an older Terraform never sees a difference.
        list_resources: inner
            .list_resources
            .keys()
            .map(|t| pb::get_metadata::ListResourceMetadata {
                type_name: t.clone(),
            })
            .collect(),
        actions: inner
            .actions
            .keys()
            .map(|t| pb::get_metadata::ActionMetadata {
                type_name: t.clone(),
            })
            .collect(),
        ..Default::default()
    }
}

pub(super) fn get_provider_schema<P: Provider>(
    inner: &Inner<P>,
) -> pb::get_provider_schema::Response {
    pb::get_provider_schema::Response {
        provider: Some(schema_proto::schema(&inner.provider_schema)),
        resource_schemas: inner
            .resources
            .iter()
            .map(|(t, e)| (t.clone(), schema_proto::schema(&e.schema)))
            .collect(),
        data_source_schemas: inner
            .data_sources
            .iter()
            .map(|(t, e)| (t.clone(), schema_proto::schema(&e.schema)))
            .collect(),
        list_resource_schemas: inner
            .list_resources
            .iter()
            .map(|(t, e)| (t.clone(), schema_proto::schema(&e.schema)))
            .collect(),
        action_schemas: inner
            .actions
            .iter()
            .map(|(t, e)| {
                let schema = Some(schema_proto::schema(&e.schema));
                (t.clone(), pb::ActionSchema { schema })
            })
            .collect(),
        diagnostics: convert::diagnostics(&inner.schema_errors),
        server_capabilities: Some(server_capabilities()),
        ..Default::default()
    }
}

pub(super) fn get_resource_identity_schemas<P: Provider>(
    inner: &Inner<P>,
) -> pb::get_resource_identity_schemas::Response {
    pb::get_resource_identity_schemas::Response {
        identity_schemas: inner
            .resources
            .iter()
            .filter_map(|(t, e)| {
                e.identity
                    .as_ref()
                    .map(|s| (t.clone(), schema_proto::identity_schema(s)))
            })
            .collect(),
        diagnostics: Vec::new(),
    }
}

pub(super) fn upgrade_resource_identity<P: Provider>(
    inner: &Inner<P>,
    req: &pb::upgrade_resource_identity::Request,
) -> pb::upgrade_resource_identity::Response {
    let mut diagnostics = Diagnostics::new();
    let upgraded = (|| {
        let entry = inner.resource(&req.type_name)?;
        let Some(ty) = entry.types.identity.as_ref() else {
            return Err(crate::framework::Diagnostic::error(
                "Resource Has No Identity",
                format!(
                    "{} has no resource identity, so a stored identity cannot be upgraded.",
                    req.type_name
                ),
            ));
        };
        let json = req
            .raw_identity
            .as_ref()
            .map(|r| r.json.as_slice())
            .unwrap_or_default();
        let value = convert::decode_raw_json(json, ty, "resource identity")?;
        convert::encode(&value, ty, "resource identity")
    })();
    let upgraded_identity = match upgraded {
        Ok(dv) => Some(pb::ResourceIdentityData {
            identity_data: Some(dv),
        }),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    pb::upgrade_resource_identity::Response {
        upgraded_identity,
        diagnostics: convert::diagnostics(&diagnostics),
    }
}
