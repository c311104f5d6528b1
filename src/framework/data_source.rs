//! The [`DataSource`] trait: a read-only lookup, written against its typed model.

use async_trait::async_trait;

use crate::cty::{self, Type};

use super::bridge;
use super::context::{ClientCapabilities, Context, ValidateRequest, ValidateResponse};
use super::diag::Diagnostics;
use super::model::{Model, SchemaError, schema_for};
use super::schema::Schema;

/// A data source read.
#[derive(Debug, Clone)]
pub struct ReadDataRequest<M> {
    /// The configuration (wholly known: the framework answers unknown configs itself).
    pub config: M,
}

/// The data read.
#[derive(Debug, Clone)]
pub struct ReadDataResponse<M> {
    /// The state, pre-filled with the configuration; set the computed attributes.
    pub state: M,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A data source type.
#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// The provider's data from `configure`.
    type ProviderData: Send + Sync + 'static;
    /// The typed model: the schema and the shape of config and state.
    type Model: Model + Clone;

    /// The full type name, e.g. `conductorone_xero_sync`.
    fn type_name(&self) -> String;

    /// The schema; derived from the model unless a data source adjusts it in code.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError> {
        schema_for::<Self::Model>()
    }

    /// Checks the configuration beyond what attribute and schema validators check.
    async fn validate(&self, _req: ValidateRequest<Self::Model>, _resp: &mut ValidateResponse) {}

    /// Reads the data.
    async fn read(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: ReadDataRequest<Self::Model>,
        resp: &mut ReadDataResponse<Self::Model>,
    );
}

/// The dispatcher's view of a data source, with provider data type `D`. Implemented for every
/// [`DataSource`].
#[async_trait]
pub trait AnyDataSource<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> String;
    /// The schema.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError>;
    /// Runs the data source's own validation.
    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics;
    /// Reads; returns the state (null on failure) and diagnostics.
    async fn read(
        &self,
        ctx: &Context<D>,
        ty: &Type,
        config: &cty::Value,
    ) -> (cty::Value, Diagnostics);
}

#[async_trait]
impl<S: DataSource> AnyDataSource<S::ProviderData> for S {
    fn type_name(&self) -> String {
        DataSource::type_name(self)
    }

    fn schema(&self) -> Result<Schema, SchemaError> {
        DataSource::schema(self)
    }

    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        if let Some(config) = bridge::decode_model(config, "configuration", &mut resp.diagnostics) {
            let req = ValidateRequest {
                config,
                capabilities,
            };
            DataSource::validate(self, req, &mut resp).await;
        }
        resp.diagnostics
    }

    async fn read(
        &self,
        ctx: &Context<S::ProviderData>,
        ty: &Type,
        config: &cty::Value,
    ) -> (cty::Value, Diagnostics) {
        let mut diagnostics = Diagnostics::new();
        let Some(config) =
            bridge::decode_model::<S::Model>(config, "configuration", &mut diagnostics)
        else {
            return (cty::Value::Null, diagnostics);
        };
        let mut resp = ReadDataResponse {
            state: config.clone(),
            diagnostics,
        };
        DataSource::read(self, ctx, ReadDataRequest { config }, &mut resp).await;
        let mut diagnostics = resp.diagnostics;
        match bridge::to_value(&resp.state, ty) {
            Ok(v) => (v, diagnostics),
            Err(e) => {
                bridge::conversion_error(&mut diagnostics, &e, "data source state");
                (cty::Value::Null, diagnostics)
            }
        }
    }
}
