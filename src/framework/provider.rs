//! The [`Provider`] trait: provider configuration and the lists of resource, data source, list
//! resource and action types.

use std::sync::Arc;

use async_trait::async_trait;

use super::Path;
use super::action::AnyAction;
use super::context::{ClientCapabilities, ValidateRequest, ValidateResponse};
use super::data_source::AnyDataSource;
use super::diag::Diagnostics;
use super::list_resource::AnyListResource;
use super::model::derive::TerraformModel;
use super::model::{Model, SchemaError, schema_for};
use super::resource::AnyResource;
use super::schema::Schema;

/// A provider to configure.
#[derive(Debug, Clone)]
pub struct ConfigureRequest<C> {
    /// The provider block (may hold unknowns during plan, when it refers to other resources).
    pub config: C,
    /// The top-level attributes whose values are not (wholly) known yet, in the model's field
    /// order: a provider that needs them to plan says so on each.
    pub unknown: Vec<Path>,
    /// Terraform's version, e.g. `1.15.5`.
    pub terraform_version: String,
    /// What the calling Terraform can handle.
    pub capabilities: ClientCapabilities,
}

/// The top-level attributes of a provider block that are not wholly known, in the model's field
/// order (what [`ConfigureRequest::unknown`] holds).
#[must_use]
pub fn unknown_attributes<C: TerraformModel>(config: &crate::cty::Value) -> Vec<Path> {
    C::terraform_options()
        .fields
        .iter()
        .filter(|f| config.attr(f.name).is_some_and(|v| !v.is_wholly_known()))
        .map(|f| Path::attr(f.name))
        .collect()
}

/// The result of configuring: the data every resource and data source call receives.
#[derive(Debug)]
pub struct ConfigureResponse<D> {
    /// Shared with resources through their context; `None` leaves the provider unconfigured.
    pub data: Option<Arc<D>>,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

impl<D> Default for ConfigureResponse<D> {
    fn default() -> Self {
        Self {
            data: None,
            diagnostics: Diagnostics::new(),
        }
    }
}

/// A Terraform provider.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// The typed provider block.
    type Config: Model + Clone;
    /// What `configure` produces and resources share (API clients, settings).
    type Data: Send + Sync + 'static;

    /// The provider's type name, the prefix of its resource types (e.g. `conductorone`).
    fn type_name(&self) -> String;

    /// The provider block's schema; derived from the config model by default.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError> {
        schema_for::<Self::Config>()
    }

    /// Checks the provider block beyond what attribute and schema validators check.
    async fn validate(&self, _req: ValidateRequest<Self::Config>, _resp: &mut ValidateResponse) {}

    /// Configures the provider from its block.
    async fn configure(
        &self,
        req: ConfigureRequest<Self::Config>,
        resp: &mut ConfigureResponse<Self::Data>,
    );

    /// The managed resource types.
    fn resources(&self) -> Vec<Arc<dyn AnyResource<Self::Data>>>;

    /// The data source types.
    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<Self::Data>>>;

    /// The list resource types (for `terraform query`, Terraform 1.14+); each shares its type name
    /// with a managed resource that has an identity. None by default.
    fn list_resources(&self) -> Vec<Arc<dyn AnyListResource<Self::Data>>> {
        Vec::new()
    }

    /// The action types (Terraform 1.14+). None by default.
    fn actions(&self) -> Vec<Arc<dyn AnyAction<Self::Data>>> {
        Vec::new()
    }
}
