//! The [`Resource`] trait: a managed resource type, written against its typed model.
//!
//! A resource file reads top to bottom: model, schema (derived), validate, plan, create, read,
//! update, delete, import. Each step gets a named request and a pre-filled response on which it
//! leaves its result and diagnostics.

mod erased;
pub mod generate;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::cty::Path;

pub use erased::{
    AnyResource, RawApply, RawGenerated, RawPlan, RawPlanned, RawRead, RawResult, ResourceTypes,
};
pub use generate::{GenerateConfigRequest, GenerateConfigResponse};

use super::context::{Context, ValidateRequest, ValidateResponse};
use super::diag::Diagnostics;
use super::model::{Model, SchemaError, schema_for};
use super::private::PrivateState;
use super::schema::Schema;
use crate::framework::TerraformModel;

/// A resource identity model (Terraform 1.12+): the attributes that name a remote object, used
/// by `import { identity = {...} }` and kept beside the state. Required fields of the model are
/// required for import; others optional.
pub trait IdentityModel: Model + Clone {
    /// The identity schema; `None` means the resource has no identity.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn identity_schema() -> Result<Option<Schema>, SchemaError> {
        schema_for::<Self>().map(Some)
    }
}

/// The identity of a resource that has none.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel,
)]
pub struct NoIdentity {}

impl IdentityModel for NoIdentity {
    fn identity_schema() -> Result<Option<Schema>, SchemaError> {
        Ok(None)
    }
}

/// A plan being made for a create or an update.
#[derive(Debug, Clone)]
pub struct ModifyPlanRequest<M> {
    /// The configuration (may hold unknowns).
    pub config: M,
    /// The prior state; `None` when the resource is being created.
    pub prior: Option<M>,
    /// Private state from the last apply or read.
    pub private: PrivateState,
}

/// What a resource may change in a plan.
#[derive(Debug, Clone)]
pub struct ModifyPlanResponse<M> {
    /// The plan after defaults, unknown-marking and attribute plan modifiers.
    pub plan: M,
    /// Attributes whose change forces replacement, besides those the plan modifiers named.
    pub requires_replace: Vec<Path>,
    /// Private state to carry to apply.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A resource to create.
#[derive(Debug, Clone)]
pub struct CreateRequest<M> {
    /// The configuration (wholly known at apply).
    pub config: M,
    /// The plan: unknowns mark what the resource must fill.
    pub plan: M,
    /// Private state from the plan.
    pub private: PrivateState,
}

/// The result of a create: the new state (leave it set with an error to have Terraform keep a
/// partly created object as tainted).
#[derive(Debug, Clone)]
pub struct CreateResponse<M, I> {
    /// The new state, `None` until the resource sets it.
    pub state: Option<M>,
    /// The new identity.
    pub identity: Option<I>,
    /// Private state to store.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A resource to refresh.
#[derive(Debug, Clone)]
pub struct ReadRequest<M, I> {
    /// The stored state.
    pub state: M,
    /// The stored identity.
    pub identity: Option<I>,
    /// Private state.
    pub private: PrivateState,
}

/// The refreshed state; [`ReadResponse::remove`] says the remote object is gone.
#[derive(Debug, Clone)]
pub struct ReadResponse<M, I> {
    /// The refreshed state, pre-filled with the stored one; `None` removes it.
    pub state: Option<M>,
    /// The identity, pre-filled with the stored one.
    pub identity: Option<I>,
    /// Private state, pre-filled with the stored one.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

impl<M, I> ReadResponse<M, I> {
    /// Marks the remote object as gone: Terraform removes it from state and plans a create.
    pub fn remove(&mut self) {
        self.state = None;
    }
}

/// A resource to update in place.
#[derive(Debug, Clone)]
pub struct UpdateRequest<M, I> {
    /// The configuration.
    pub config: M,
    /// The plan.
    pub plan: M,
    /// The prior state.
    pub prior: M,
    /// The planned identity (the prior one).
    pub identity: Option<I>,
    /// Private state from the plan.
    pub private: PrivateState,
}

/// The result of an update.
#[derive(Debug, Clone)]
pub struct UpdateResponse<M, I> {
    /// The new state, pre-filled with the plan; unknowns in it must be replaced.
    pub state: M,
    /// The new identity, pre-filled with the planned one.
    pub identity: Option<I>,
    /// Private state, pre-filled with the planned one.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A resource to delete.
#[derive(Debug, Clone)]
pub struct DeleteRequest<M> {
    /// The prior state.
    pub prior: M,
    /// Private state.
    pub private: PrivateState,
}

/// The result of a delete; without errors, the resource leaves state.
#[derive(Debug, Clone, Default)]
pub struct DeleteResponse {
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// An existing object to bring under management.
#[derive(Debug, Clone)]
pub struct ImportRequest<I> {
    /// The ID given by `terraform import` or `import { id = ... }`; empty when importing by identity.
    pub id: String,
    /// The identity given by `import { identity = {...} }` (Terraform 1.12+).
    pub identity: Option<I>,
}

/// The imported state, which Terraform then reads.
#[derive(Debug, Clone)]
pub struct ImportResponse<M, I> {
    /// The state to read from: set at least what `read` needs to find the object.
    pub state: Option<M>,
    /// The identity.
    pub identity: Option<I>,
    /// Private state.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A managed resource type.
///
/// Fields of `Model` that config or plan may leave unknown should be [`super::Value`]s.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    /// The provider's data from `configure`.
    type ProviderData: Send + Sync + 'static;
    /// The typed model: the schema and the shape of config, plan and state.
    type Model: Model + Clone;
    /// The identity model, or [`NoIdentity`].
    type Identity: IdentityModel;

    /// The full type name, e.g. `conductorone_xero_integration`.
    fn type_name(&self) -> String;

    /// The schema; derived from the model unless a resource adjusts it in code.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError> {
        schema_for::<Self::Model>()
    }

    /// Rewrites stored JSON state of an older schema version into the current shape. The default
    /// keeps it (attributes the schema no longer has are dropped by the framework).
    fn upgrade_state(
        &self,
        _from_version: i64,
        state: serde_json::Value,
        _diagnostics: &mut Diagnostics,
    ) -> serde_json::Value {
        state
    }

    /// Checks the configuration beyond what attribute and schema validators check.
    async fn validate(&self, _req: ValidateRequest<Self::Model>, _resp: &mut ValidateResponse) {}

    /// Adjusts the plan of a create or update after the framework's own steps.
    async fn modify_plan(
        &self,
        _ctx: &Context<Self::ProviderData>,
        _req: ModifyPlanRequest<Self::Model>,
        _resp: &mut ModifyPlanResponse<Self::Model>,
    ) {
    }

    /// Creates the remote object.
    async fn create(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: CreateRequest<Self::Model>,
        resp: &mut CreateResponse<Self::Model, Self::Identity>,
    );

    /// Refreshes the state from the remote object.
    async fn read(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: ReadRequest<Self::Model, Self::Identity>,
        resp: &mut ReadResponse<Self::Model, Self::Identity>,
    );

    /// Updates the remote object in place.
    async fn update(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: UpdateRequest<Self::Model, Self::Identity>,
        resp: &mut UpdateResponse<Self::Model, Self::Identity>,
    );

    /// Deletes the remote object.
    async fn delete(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: DeleteRequest<Self::Model>,
        resp: &mut DeleteResponse,
    );

    /// The configuration a person would write for `req.state`, which Terraform writes with
    /// `-generate-config-out` (for `terraform query` and for `import` blocks, Terraform 1.14+).
    /// The response comes pre-filled with the framework's default (the state without computed-only,
    /// write-only, sensitive and deprecated attributes, and without values equal to their
    /// default; see [`generate`]); a resource adjusts it, e.g. to leave out an attribute a
    /// person would not write for an existing object.
    fn generate_config(
        &self,
        _req: GenerateConfigRequest<Self::Model>,
        _resp: &mut GenerateConfigResponse<Self::Model>,
    ) {
    }

    /// Imports an existing object; the default refuses.
    async fn import(
        &self,
        _ctx: &Context<Self::ProviderData>,
        _req: ImportRequest<Self::Identity>,
        resp: &mut ImportResponse<Self::Model, Self::Identity>,
    ) {
        resp.diagnostics.error(
            "Resource Import Not Implemented",
            format!(
                "{} cannot be imported; create it with Terraform instead.",
                self.type_name()
            ),
        );
    }
}
