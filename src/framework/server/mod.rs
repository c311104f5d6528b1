//! The tfplugin6 dispatcher: [`ProviderService`] implements the generated `Provider` gRPC service
//! for any framework [`Provider`]. One module per RPC group; protobuf types stay in here.
//!
//! Every handler runs in its own task, so a panic in provider code becomes an error diagnostic
//! and the process keeps serving. Problems a user can fix are diagnostics in an `Ok` answer;
//! `tonic::Status` is only for RPCs this provider does not implement. The streaming RPCs
//! (ListResource, InvokeAction) keep the same promises; see [`stream`].

mod actions;
mod apply;
mod convert;
mod data;
mod generate;
mod guard;
mod listing;
mod metadata;
mod plan;
mod provider_config;
mod rpc;
mod schema_proto;
mod state;
mod stream;
mod unsupported;
mod validate;

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::cty::Type;
use crate::framework::action::AnyAction;
use crate::framework::context::{ClientCapabilities, Context};
use crate::framework::data_source::AnyDataSource;
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::list_resource::{AnyListResource, ListTypes};
use crate::framework::provider::Provider;
use crate::framework::resource::{AnyResource, ResourceTypes};
use crate::framework::schema::Schema;

/// The tfplugin6 service for provider `P`. Clone it freely: clones share one state.
pub struct ProviderService<P: Provider> {
    inner: Arc<Inner<P>>,
}

impl<P: Provider> Clone for ProviderService<P> {
    fn clone(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
        }
    }
}

impl<P: Provider> ProviderService<P> {
    /// Builds the service, deriving every schema once. Schema errors (bugs in a model) are kept
    /// and reported to Terraform as diagnostics on every schema request.
    #[must_use]
    pub fn new(provider: P) -> Self {
        let mut schema_errors = Diagnostics::new();
        let provider_schema = provider.schema().unwrap_or_else(|e| {
            schema_errors.push(invalid_schema(&provider.type_name(), &e));
            Schema::default()
        });
        let mut resources = BTreeMap::new();
        for imp in provider.resources() {
            let name = imp.type_name();
            match (imp.schema(), imp.identity_schema()) {
                (Ok(schema), Ok(identity)) => {
                    let types = ResourceTypes {
                        state: schema.value_type(),
                        identity: identity.as_ref().map(Schema::value_type),
                    };
                    resources.insert(
                        name,
                        ResourceEntry {
                            imp,
                            schema,
                            identity,
                            types,
                        },
                    );
                }
                (Err(e), _) | (_, Err(e)) => schema_errors.push(invalid_schema(&name, &e)),
            }
        }
        let mut data_sources = BTreeMap::new();
        for imp in provider.data_sources() {
            let name = imp.type_name();
            match imp.schema() {
                Ok(schema) => {
                    let ty = schema.value_type();
                    data_sources.insert(name, DataSourceEntry { imp, schema, ty });
                }
                Err(e) => schema_errors.push(invalid_schema(&name, &e)),
            }
        }
        let list_resources = list_resource_entries(&provider, &resources, &mut schema_errors);
        let mut actions = BTreeMap::new();
        for imp in provider.actions() {
            let name = imp.type_name();
            match imp.schema() {
                Ok(schema) => {
                    let ty = schema.value_type();
                    actions.insert(name, ActionEntry { imp, schema, ty });
                }
                Err(e) => schema_errors.push(invalid_schema(&name, &e)),
            }
        }
        let provider_type = provider_schema.value_type();
        Self {
            inner: Arc::new(Inner {
                provider,
                provider_schema,
                provider_type,
                resources,
                data_sources,
                list_resources,
                actions,
                schema_errors,
                configured: RwLock::new(Configured {
                    data: None,
                    terraform_version: None,
                }),
                cancel: CancellationToken::new(),
            }),
        }
    }

    /// The token cancelled by `StopProvider`.
    #[must_use]
    pub fn cancellation(&self) -> CancellationToken {
        self.inner.cancel.clone()
    }
}

fn invalid_schema(name: &str, e: &crate::framework::model::SchemaError) -> Diagnostic {
    Diagnostic::error(
        "Invalid Provider Schema",
        format!(
            "The schema of {name} could not be built: {e}. This is a bug in the provider; please report it."
        ),
    )
}

/// List resources by type name. Terraform reads a list's results with the identity and state
/// schemas of the managed resource of the same name, so a list without one is a schema error.
fn list_resource_entries<P: Provider>(
    provider: &P,
    resources: &BTreeMap<String, ResourceEntry<P::Data>>,
    schema_errors: &mut Diagnostics,
) -> BTreeMap<String, ListResourceEntry<P::Data>> {
    let mut entries = BTreeMap::new();
    for imp in provider.list_resources() {
        let name = imp.type_name();
        let schema = match imp.schema() {
            Ok(schema) => schema,
            Err(e) => {
                schema_errors.push(invalid_schema(&name, &e));
                continue;
            }
        };
        let Some((state, Some(identity))) = resources
            .get(&name)
            .map(|r| (r.types.state.clone(), r.types.identity.clone()))
        else {
            schema_errors.push(Diagnostic::error(
                "Invalid Provider Schema",
                format!(
                    "The list resource {name} has no managed resource of the same name with an \
                     identity, which Terraform needs to read its results. This is a bug in the \
                     provider; please report it."
                ),
            ));
            continue;
        };
        let ty = schema.value_type();
        entries.insert(
            name,
            ListResourceEntry {
                imp,
                schema,
                ty,
                types: ListTypes { state, identity },
            },
        );
    }
    entries
}

pub(crate) struct ListResourceEntry<D> {
    imp: Arc<dyn AnyListResource<D>>,
    schema: Schema,
    ty: Type,
    types: ListTypes,
}

pub(crate) struct ActionEntry<D> {
    imp: Arc<dyn AnyAction<D>>,
    schema: Schema,
    ty: Type,
}

pub(crate) struct ResourceEntry<D> {
    imp: Arc<dyn AnyResource<D>>,
    schema: Schema,
    identity: Option<Schema>,
    types: ResourceTypes,
}

pub(crate) struct DataSourceEntry<D> {
    imp: Arc<dyn AnyDataSource<D>>,
    schema: Schema,
    ty: Type,
}

struct Configured<D> {
    data: Option<Arc<D>>,
    terraform_version: Option<String>,
}

pub(crate) struct Inner<P: Provider> {
    provider: P,
    provider_schema: Schema,
    provider_type: Type,
    resources: BTreeMap<String, ResourceEntry<P::Data>>,
    data_sources: BTreeMap<String, DataSourceEntry<P::Data>>,
    list_resources: BTreeMap<String, ListResourceEntry<P::Data>>,
    actions: BTreeMap<String, ActionEntry<P::Data>>,
    schema_errors: Diagnostics,
    configured: RwLock<Configured<P::Data>>,
    cancel: CancellationToken,
}

impl<P: Provider> Inner<P> {
    fn context(&self, capabilities: ClientCapabilities) -> Context<P::Data> {
        self.context_with(capabilities, self.cancel.clone())
    }

    /// A context whose cancellation is `cancel` (a child of the provider's, for one stream).
    fn context_with(
        &self,
        capabilities: ClientCapabilities,
        cancel: CancellationToken,
    ) -> Context<P::Data> {
        // A poisoned lock only means a panic elsewhere while writing two plain fields.
        let configured = self
            .configured
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Context::new(
            configured.data.clone(),
            cancel,
            capabilities,
            configured.terraform_version.clone(),
        )
    }

    fn resource(&self, type_name: &str) -> Result<&ResourceEntry<P::Data>, Diagnostic> {
        self.resources
            .get(type_name)
            .ok_or_else(|| unknown_type("resource", type_name))
    }

    fn data_source(&self, type_name: &str) -> Result<&DataSourceEntry<P::Data>, Diagnostic> {
        self.data_sources
            .get(type_name)
            .ok_or_else(|| unknown_type("data source", type_name))
    }

    fn list_resource(&self, type_name: &str) -> Result<&ListResourceEntry<P::Data>, Diagnostic> {
        self.list_resources
            .get(type_name)
            .ok_or_else(|| unknown_type("list resource", type_name))
    }

    fn action(&self, type_name: &str) -> Result<&ActionEntry<P::Data>, Diagnostic> {
        self.actions
            .get(type_name)
            .ok_or_else(|| unknown_type("action", type_name))
    }
}

fn unknown_type(kind: &str, type_name: &str) -> Diagnostic {
    let title = match kind {
        "resource" => "Resource",
        "data source" => "Data Source",
        "list resource" => "List Resource",
        _ => "Action",
    };
    Diagnostic::error(
        format!("Unknown {title} Type"),
        format!(
            "This provider has no {kind} type {type_name:?}. Check the spelling, or upgrade the provider."
        ),
    )
}

#[cfg(test)]
mod stream_tests;
#[cfg(test)]
mod tests;
