//! The object-safe form of [`Resource`] that the dispatcher calls: cty values in and out, typed
//! models only inside. Implemented for every `Resource`.

use async_trait::async_trait;
use serde::Serialize;

use super::generate::{GenerateConfigRequest, GenerateConfigResponse, default_config};
use super::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, IdentityModel, ImportRequest,
    ImportResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest, ReadResponse, Resource,
    UpdateRequest, UpdateResponse,
};
use crate::cty::{self, Path, Type};
use crate::framework::bridge;
use crate::framework::context::{ClientCapabilities, Context, ValidateRequest, ValidateResponse};
use crate::framework::diag::Diagnostics;
use crate::framework::model::SchemaError;
use crate::framework::private::PrivateState;
use crate::framework::schema::Schema;

/// The cty types of a resource's state and identity, computed once from the schemas.
#[derive(Debug, Clone)]
pub struct ResourceTypes {
    /// The state's object type.
    pub state: Type,
    /// The identity's object type, when the resource has one.
    pub identity: Option<Type>,
}

/// A plan to adjust (create or update only).
#[derive(Debug, Clone)]
pub struct RawPlan {
    /// The configuration.
    pub config: cty::Value,
    /// The prior state (null when creating).
    pub prior: cty::Value,
    /// The plan so far.
    pub plan: cty::Value,
    /// Prior private state.
    pub private: PrivateState,
}

/// An adjusted plan.
#[derive(Debug, Clone)]
pub struct RawPlanned {
    /// The plan.
    pub plan: cty::Value,
    /// Paths forcing replacement named by the resource.
    pub requires_replace: Vec<Path>,
    /// Planned private state.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// A change to apply.
#[derive(Debug, Clone)]
pub struct RawApply {
    /// The configuration (null when deleting).
    pub config: cty::Value,
    /// The planned state (null when deleting).
    pub planned: cty::Value,
    /// The prior state (null when creating).
    pub prior: cty::Value,
    /// The planned identity.
    pub identity: Option<cty::Value>,
    /// Planned private state.
    pub private: PrivateState,
}

/// A state to refresh.
#[derive(Debug, Clone)]
pub struct RawRead {
    /// The stored state.
    pub state: cty::Value,
    /// The stored identity.
    pub identity: Option<cty::Value>,
    /// Stored private state.
    pub private: PrivateState,
}

/// The outcome of create, read, update, delete or import.
#[derive(Debug, Clone)]
pub struct RawResult {
    /// The new state; null when there is none (deleted, removed, or create failed early).
    pub state: cty::Value,
    /// The new identity.
    pub identity: Option<cty::Value>,
    /// Private state to store.
    pub private: PrivateState,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

impl Default for RawResult {
    fn default() -> Self {
        Self {
            state: cty::Value::Null,
            identity: None,
            private: PrivateState::default(),
            diagnostics: Diagnostics::new(),
        }
    }
}

/// A generated configuration.
#[derive(Debug, Clone)]
pub struct RawGenerated {
    /// The configuration (null for a null state).
    pub config: cty::Value,
    /// Problems found.
    pub diagnostics: Diagnostics,
}

/// The dispatcher's view of a resource, with the provider data type `D`.
#[async_trait]
pub trait AnyResource<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> String;
    /// The schema.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError>;
    /// The identity schema, when the resource has one.
    ///
    /// # Errors
    /// When the identity model has no Terraform form.
    fn identity_schema(&self) -> Result<Option<Schema>, SchemaError>;
    /// See [`Resource::upgrade_state`].
    fn upgrade_state(
        &self,
        from_version: i64,
        state: serde_json::Value,
        diagnostics: &mut Diagnostics,
    ) -> serde_json::Value;
    /// Runs the resource's own validation on a decoded config.
    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics;
    /// Runs the resource's plan adjustment.
    async fn modify_plan(
        &self,
        ctx: &Context<D>,
        types: &ResourceTypes,
        req: RawPlan,
    ) -> RawPlanned;
    /// Creates.
    async fn create(&self, ctx: &Context<D>, types: &ResourceTypes, req: RawApply) -> RawResult;
    /// Reads.
    async fn read(&self, ctx: &Context<D>, types: &ResourceTypes, req: RawRead) -> RawResult;
    /// Updates.
    async fn update(&self, ctx: &Context<D>, types: &ResourceTypes, req: RawApply) -> RawResult;
    /// Deletes.
    async fn delete(&self, ctx: &Context<D>, types: &ResourceTypes, req: RawApply) -> RawResult;
    /// The configuration to generate for `state` (see [`Resource::generate_config`]).
    fn generate_config(
        &self,
        schema: &Schema,
        types: &ResourceTypes,
        state: &cty::Value,
    ) -> RawGenerated;
    /// Imports by ID or identity.
    async fn import(
        &self,
        ctx: &Context<D>,
        types: &ResourceTypes,
        id: String,
        identity: Option<cty::Value>,
    ) -> RawResult;
}

fn encode<M: Serialize>(
    model: &M,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> cty::Value {
    match bridge::to_value(model, ty) {
        Ok(v) => v,
        Err(e) => {
            bridge::conversion_error(diagnostics, &e, what);
            cty::Value::Null
        }
    }
}

fn decode_identity<I: IdentityModel>(
    types: &ResourceTypes,
    value: Option<&cty::Value>,
    diagnostics: &mut Diagnostics,
) -> Option<I> {
    types.identity.as_ref()?;
    value
        .filter(|v| !v.is_null())
        .and_then(|v| bridge::decode_model(v, "identity", diagnostics))
}

fn encode_identity<I: IdentityModel>(
    types: &ResourceTypes,
    identity: Option<&I>,
    diagnostics: &mut Diagnostics,
) -> Option<cty::Value> {
    let ty = types.identity.as_ref()?;
    identity.map(|i| encode(i, ty, "identity", diagnostics))
}

/// Encodes what a create, read, update or import step left on its response into the raw answer;
/// a `None` state encodes as null (the object is gone, or was never made).
fn finish<M: Serialize, I: IdentityModel>(
    types: &ResourceTypes,
    state: Option<&M>,
    identity: Option<&I>,
    private: PrivateState,
    mut diagnostics: Diagnostics,
    what: &str,
) -> RawResult {
    let state = state.map_or(cty::Value::Null, |s| {
        encode(s, &types.state, what, &mut diagnostics)
    });
    let identity = encode_identity(types, identity, &mut diagnostics);
    RawResult {
        state,
        identity,
        private,
        diagnostics,
    }
}

#[async_trait]
impl<R: Resource> AnyResource<R::ProviderData> for R {
    fn type_name(&self) -> String {
        Resource::type_name(self)
    }

    fn schema(&self) -> Result<Schema, SchemaError> {
        Resource::schema(self)
    }

    fn identity_schema(&self) -> Result<Option<Schema>, SchemaError> {
        R::Identity::identity_schema()
    }

    fn upgrade_state(
        &self,
        from_version: i64,
        state: serde_json::Value,
        diagnostics: &mut Diagnostics,
    ) -> serde_json::Value {
        Resource::upgrade_state(self, from_version, state, diagnostics)
    }

    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        let Some(config) = bridge::decode_model(config, "configuration", &mut resp.diagnostics)
        else {
            return resp.diagnostics;
        };
        Resource::validate(
            self,
            ValidateRequest {
                config,
                capabilities,
            },
            &mut resp,
        )
        .await;
        resp.diagnostics
    }

    async fn modify_plan(
        &self,
        ctx: &Context<R::ProviderData>,
        types: &ResourceTypes,
        req: RawPlan,
    ) -> RawPlanned {
        let mut diagnostics = Diagnostics::new();
        let config = bridge::decode_model(&req.config, "configuration", &mut diagnostics);
        let plan: Option<R::Model> = bridge::decode_model(&req.plan, "plan", &mut diagnostics);
        let prior = if req.prior.is_null() {
            Some(None)
        } else {
            bridge::decode_model(&req.prior, "prior state", &mut diagnostics).map(Some)
        };
        let (Some(config), Some(plan), Some(prior)) = (config, plan, prior) else {
            return RawPlanned {
                plan: req.plan,
                requires_replace: Vec::new(),
                private: req.private,
                diagnostics,
            };
        };
        // The model may not carry every detail of the raw plan (number forms, skipped fields); keep
        // the raw plan unless the resource really changed something.
        let baseline = encode(&plan, &types.state, "plan", &mut diagnostics);
        let mut resp = ModifyPlanResponse {
            plan,
            requires_replace: Vec::new(),
            private: req.private.clone(),
            diagnostics,
        };
        Resource::modify_plan(
            self,
            ctx,
            ModifyPlanRequest {
                config,
                prior,
                private: req.private,
            },
            &mut resp,
        )
        .await;
        let mut diagnostics = resp.diagnostics;
        let after = encode(&resp.plan, &types.state, "plan", &mut diagnostics);
        let plan = if after == baseline { req.plan } else { after };
        RawPlanned {
            plan,
            requires_replace: resp.requires_replace,
            private: resp.private,
            diagnostics,
        }
    }

    async fn create(
        &self,
        ctx: &Context<R::ProviderData>,
        types: &ResourceTypes,
        req: RawApply,
    ) -> RawResult {
        let mut diagnostics = Diagnostics::new();
        let config = bridge::decode_model(&req.config, "configuration", &mut diagnostics);
        let plan = bridge::decode_model(&req.planned, "plan", &mut diagnostics);
        let (Some(config), Some(plan)) = (config, plan) else {
            return RawResult {
                diagnostics,
                ..RawResult::default()
            };
        };
        let mut resp = CreateResponse {
            state: None,
            identity: None,
            private: req.private.clone(),
            diagnostics,
        };
        Resource::create(
            self,
            ctx,
            CreateRequest {
                config,
                plan,
                private: req.private,
            },
            &mut resp,
        )
        .await;
        finish(
            types,
            resp.state.as_ref(),
            resp.identity.as_ref(),
            resp.private,
            resp.diagnostics,
            "new state",
        )
    }

    async fn read(
        &self,
        ctx: &Context<R::ProviderData>,
        types: &ResourceTypes,
        req: RawRead,
    ) -> RawResult {
        let mut diagnostics = Diagnostics::new();
        let identity =
            decode_identity::<R::Identity>(types, req.identity.as_ref(), &mut diagnostics);
        let Some(state) =
            bridge::decode_model::<R::Model>(&req.state, "stored state", &mut diagnostics)
        else {
            return RawResult {
                state: req.state,
                identity: req.identity,
                private: req.private,
                diagnostics,
            };
        };
        let mut resp = ReadResponse {
            state: Some(state.clone()),
            identity: identity.clone(),
            private: req.private.clone(),
            diagnostics,
        };
        Resource::read(
            self,
            ctx,
            ReadRequest {
                state,
                identity,
                private: req.private,
            },
            &mut resp,
        )
        .await;
        finish(
            types,
            resp.state.as_ref(),
            resp.identity.as_ref(),
            resp.private,
            resp.diagnostics,
            "refreshed state",
        )
    }

    async fn update(
        &self,
        ctx: &Context<R::ProviderData>,
        types: &ResourceTypes,
        req: RawApply,
    ) -> RawResult {
        let mut diagnostics = Diagnostics::new();
        let config = bridge::decode_model(&req.config, "configuration", &mut diagnostics);
        let plan: Option<R::Model> = bridge::decode_model(&req.planned, "plan", &mut diagnostics);
        let prior = bridge::decode_model(&req.prior, "prior state", &mut diagnostics);
        let identity =
            decode_identity::<R::Identity>(types, req.identity.as_ref(), &mut diagnostics);
        let (Some(config), Some(plan), Some(prior)) = (config, plan, prior) else {
            return RawResult {
                state: req.prior,
                identity: req.identity,
                private: req.private,
                diagnostics,
            };
        };
        let mut resp = UpdateResponse {
            state: plan.clone(),
            identity: identity.clone(),
            private: req.private.clone(),
            diagnostics,
        };
        Resource::update(
            self,
            ctx,
            UpdateRequest {
                config,
                plan,
                prior,
                identity,
                private: req.private,
            },
            &mut resp,
        )
        .await;
        finish(
            types,
            Some(&resp.state),
            resp.identity.as_ref(),
            resp.private,
            resp.diagnostics,
            "new state",
        )
    }

    async fn delete(
        &self,
        ctx: &Context<R::ProviderData>,
        _types: &ResourceTypes,
        req: RawApply,
    ) -> RawResult {
        let mut resp = DeleteResponse::default();
        let Some(prior) = bridge::decode_model(&req.prior, "prior state", &mut resp.diagnostics)
        else {
            return RawResult {
                state: req.prior,
                identity: req.identity,
                private: req.private,
                diagnostics: resp.diagnostics,
            };
        };
        Resource::delete(
            self,
            ctx,
            DeleteRequest {
                prior,
                private: req.private.clone(),
            },
            &mut resp,
        )
        .await;
        if resp.diagnostics.has_errors() {
            // The object may still exist: keep it in state so Terraform tries again.
            return RawResult {
                state: req.prior,
                identity: req.identity,
                private: req.private,
                diagnostics: resp.diagnostics,
            };
        }
        RawResult {
            diagnostics: resp.diagnostics,
            ..RawResult::default()
        }
    }

    fn generate_config(
        &self,
        schema: &Schema,
        types: &ResourceTypes,
        state: &cty::Value,
    ) -> RawGenerated {
        let mut diagnostics = Diagnostics::new();
        let default = default_config(schema, state);
        if state.is_null() {
            return RawGenerated {
                config: default,
                diagnostics,
            };
        }
        let decoded = bridge::decode_model::<R::Model>(state, "state", &mut diagnostics);
        let config = bridge::decode_model::<R::Model>(&default, "configuration", &mut diagnostics);
        let (Some(state), Some(config)) = (decoded, config) else {
            return RawGenerated {
                config: cty::Value::Null,
                diagnostics,
            };
        };
        // As for a plan: keep the raw default unless the resource really changed something.
        let baseline = encode(&config, &types.state, "configuration", &mut diagnostics);
        let mut resp = GenerateConfigResponse {
            config,
            diagnostics,
        };
        Resource::generate_config(self, GenerateConfigRequest { state }, &mut resp);
        let mut diagnostics = resp.diagnostics;
        let after = encode(
            &resp.config,
            &types.state,
            "configuration",
            &mut diagnostics,
        );
        RawGenerated {
            config: if after == baseline { default } else { after },
            diagnostics,
        }
    }

    async fn import(
        &self,
        ctx: &Context<R::ProviderData>,
        types: &ResourceTypes,
        id: String,
        identity: Option<cty::Value>,
    ) -> RawResult {
        let mut diagnostics = Diagnostics::new();
        let identity = decode_identity::<R::Identity>(types, identity.as_ref(), &mut diagnostics);
        if diagnostics.has_errors() {
            return RawResult {
                diagnostics,
                ..RawResult::default()
            };
        }
        let mut resp = ImportResponse {
            state: None,
            identity: identity.clone(),
            private: PrivateState::default(),
            diagnostics,
        };
        Resource::import(self, ctx, ImportRequest { id, identity }, &mut resp).await;
        finish(
            types,
            resp.state.as_ref(),
            resp.identity.as_ref(),
            resp.private,
            resp.diagnostics,
            "imported state",
        )
    }
}
