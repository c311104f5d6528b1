//! The Validate*Config calls of resources, data sources, list resources and actions: decode the
//! configuration, run the schema's validators, then the type's own checks.

use futures_util::future::BoxFuture;

use super::{ActionEntry, DataSourceEntry, Inner, ListResourceEntry, ResourceEntry, convert};
use crate::cty::{self, Type};
use crate::framework::context::ClientCapabilities;
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::plan::refuse_write_only;
use crate::framework::provider::Provider;
use crate::framework::schema::Schema;
use crate::framework::validate::validate_config;
use crate::proto::tfplugin6 as pb;

/// What a validate call needs of a registered type.
trait Validated {
    /// The configuration's name in a decode error.
    const WHAT: &'static str;
    fn schema(&self) -> &Schema;
    fn config_type(&self) -> &Type;
    /// The type's own `validate` step.
    fn own_checks<'a>(
        &'a self,
        capabilities: ClientCapabilities,
        config: &'a cty::Value,
    ) -> BoxFuture<'a, Diagnostics>;
}

impl<D> Validated for ResourceEntry<D> {
    const WHAT: &'static str = "configuration";
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn config_type(&self) -> &Type {
        &self.types.state
    }
    fn own_checks<'a>(
        &'a self,
        capabilities: ClientCapabilities,
        config: &'a cty::Value,
    ) -> BoxFuture<'a, Diagnostics> {
        self.imp.validate(capabilities, config)
    }
}

impl<D> Validated for DataSourceEntry<D> {
    const WHAT: &'static str = "configuration";
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn config_type(&self) -> &Type {
        &self.ty
    }
    fn own_checks<'a>(
        &'a self,
        capabilities: ClientCapabilities,
        config: &'a cty::Value,
    ) -> BoxFuture<'a, Diagnostics> {
        self.imp.validate(capabilities, config)
    }
}

impl<D> Validated for ListResourceEntry<D> {
    const WHAT: &'static str = "list configuration";
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn config_type(&self) -> &Type {
        &self.ty
    }
    fn own_checks<'a>(
        &'a self,
        capabilities: ClientCapabilities,
        config: &'a cty::Value,
    ) -> BoxFuture<'a, Diagnostics> {
        self.imp.validate(capabilities, config)
    }
}

impl<D> Validated for ActionEntry<D> {
    const WHAT: &'static str = "action configuration";
    fn schema(&self) -> &Schema {
        &self.schema
    }
    fn config_type(&self) -> &Type {
        &self.ty
    }
    fn own_checks<'a>(
        &'a self,
        capabilities: ClientCapabilities,
        config: &'a cty::Value,
    ) -> BoxFuture<'a, Diagnostics> {
        self.imp.validate(capabilities, config)
    }
}

/// Decodes `config` for `entry`, runs the schema's validators, then `more`, then the type's own
/// checks (which only run on a configuration that decoded).
async fn validate_entry<E: Validated>(
    entry: Result<&E, Diagnostic>,
    config: Option<&pb::DynamicValue>,
    capabilities: ClientCapabilities,
    more: impl FnOnce(&E, &cty::Value, &mut Diagnostics),
) -> Vec<pb::Diagnostic> {
    let mut diagnostics = Diagnostics::new();
    let decoded = entry.and_then(|e| Ok((e, convert::decode(config, e.config_type(), E::WHAT)?)));
    match decoded {
        Ok((entry, config)) => {
            validate_config(entry.schema(), &config, &mut diagnostics);
            more(entry, &config, &mut diagnostics);
            diagnostics.extend(entry.own_checks(capabilities, &config).await);
        }
        Err(d) => diagnostics.push(d),
    }
    convert::diagnostics(&diagnostics)
}

pub(super) async fn resource<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_resource_config::Request,
) -> pb::validate_resource_config::Response {
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    // Terraform older than 1.11 sends no capabilities and would store a write-only value.
    let write_only = |entry: &ResourceEntry<_>, config: &cty::Value, d: &mut Diagnostics| {
        refuse_write_only(
            &entry.schema,
            config,
            capabilities.write_only_attributes_allowed,
            d,
        );
    };
    let entry = inner.resource(&req.type_name);
    pb::validate_resource_config::Response {
        diagnostics: validate_entry(entry, req.config.as_ref(), capabilities, write_only).await,
    }
}

pub(super) async fn data_source<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_data_resource_config::Request,
) -> pb::validate_data_resource_config::Response {
    let entry = inner.data_source(&req.type_name);
    let capabilities = ClientCapabilities::default();
    pb::validate_data_resource_config::Response {
        diagnostics: validate_entry(entry, req.config.as_ref(), capabilities, |_, _, _| {}).await,
    }
}

pub(super) async fn list_resource<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_list_resource_config::Request,
) -> pb::validate_list_resource_config::Response {
    let entry = inner.list_resource(&req.type_name);
    let capabilities = ClientCapabilities::default();
    pb::validate_list_resource_config::Response {
        diagnostics: validate_entry(entry, req.config.as_ref(), capabilities, |_, _, _| {}).await,
    }
}

pub(super) async fn action<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_action_config::Request,
) -> pb::validate_action_config::Response {
    let entry = inner.action(&req.type_name);
    let capabilities = ClientCapabilities::default();
    pb::validate_action_config::Response {
        diagnostics: validate_entry(entry, req.config.as_ref(), capabilities, |_, _, _| {}).await,
    }
}
