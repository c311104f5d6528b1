//! The [`Action`] trait: an operation Terraform runs on request (Terraform 1.14+:
//! `terraform apply -invoke=action.<type>.<name>`, or a resource's `action_trigger`), written
//! against its typed config model.
//!
//! `plan` checks the configuration (which may still hold unknown values); `invoke` does the work,
//! reports progress a person can follow through an [`ActionProgress`], and leaves its outcome as
//! diagnostics on the response: errors fail the apply.

use async_trait::async_trait;
use tokio::sync::mpsc;

use crate::cty;

use super::bridge;
use super::context::{ClientCapabilities, Context, ValidateRequest, ValidateResponse};
use super::diag::Diagnostics;
use super::model::{Model, SchemaError, schema_for};
use super::schema::Schema;

/// An action to plan.
#[derive(Debug, Clone)]
pub struct PlanActionRequest<C> {
    /// The configuration; may hold unknown values (fields should be [`super::Value`]s).
    pub config: C,
    /// What the calling Terraform can handle.
    pub capabilities: ClientCapabilities,
}

/// The result of planning an action.
#[derive(Debug, Clone, Default)]
pub struct PlanActionResponse {
    /// Problems found; errors stop the plan.
    pub diagnostics: Diagnostics,
}

/// An action to run.
#[derive(Debug, Clone)]
pub struct InvokeActionRequest<C> {
    /// The configuration (wholly known).
    pub config: C,
}

/// The outcome of an action.
#[derive(Debug, Clone, Default)]
pub struct InvokeActionResponse {
    /// Problems found; an error fails the apply.
    pub diagnostics: Diagnostics,
}

/// An action's events in the dispatcher's form.
#[derive(Debug, Clone)]
pub enum RawActionEvent {
    /// A progress note.
    Progress(String),
    /// The end of the action, with its outcome.
    Completed(Diagnostics),
}

/// Terraform stopped listening to the action (it was interrupted or exited).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("Terraform stopped listening to the action")]
pub struct ActionClosed;

/// Where an action sends progress notes; Terraform shows each as it arrives.
#[derive(Debug, Clone)]
pub struct ActionProgress {
    tx: mpsc::Sender<RawActionEvent>,
}

impl ActionProgress {
    /// A progress channel over `tx`; the dispatcher makes one per call, tests may too.
    #[must_use]
    pub fn new(tx: mpsc::Sender<RawActionEvent>) -> Self {
        Self { tx }
    }

    /// Sends one note, waiting while Terraform is behind.
    ///
    /// # Errors
    /// [`ActionClosed`] when Terraform stopped listening: stop the work.
    pub async fn send(&self, message: impl Into<String>) -> Result<(), ActionClosed> {
        self.tx
            .send(RawActionEvent::Progress(message.into()))
            .await
            .map_err(|_| ActionClosed)
    }
}

/// An action type.
#[async_trait]
pub trait Action: Send + Sync + 'static {
    /// The provider's data from `configure`.
    type ProviderData: Send + Sync + 'static;
    /// The typed configuration of an `action` block's `config`.
    type Config: Model + Clone;

    /// The full type name, e.g. `conductorone_xero_force_sync`.
    fn type_name(&self) -> String;

    /// The schema; derived from the config model by default.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError> {
        schema_for::<Self::Config>()
    }

    /// Checks the configuration beyond what attribute and schema validators check.
    async fn validate(&self, _req: ValidateRequest<Self::Config>, _resp: &mut ValidateResponse) {}

    /// Checks the configuration at plan, when the provider is configured; values may be unknown.
    async fn plan(
        &self,
        _ctx: &Context<Self::ProviderData>,
        _req: PlanActionRequest<Self::Config>,
        _resp: &mut PlanActionResponse,
    ) {
    }

    /// Runs the action. Long waits should watch [`Context::cancellation`] (Ctrl-C) and stop when
    /// a progress send fails.
    async fn invoke(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: InvokeActionRequest<Self::Config>,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    );
}

/// The dispatcher's view of an action, with provider data type `D`. Implemented for every
/// [`Action`].
#[async_trait]
pub trait AnyAction<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> String;
    /// The schema.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError>;
    /// Runs the action's own validation.
    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics;
    /// Plans.
    async fn plan(&self, ctx: &Context<D>, config: &cty::Value) -> Diagnostics;
    /// Invokes, sending progress through `progress`; returns the outcome.
    async fn invoke(
        &self,
        ctx: &Context<D>,
        config: &cty::Value,
        progress: ActionProgress,
    ) -> Diagnostics;
}

#[async_trait]
impl<A: Action> AnyAction<A::ProviderData> for A {
    fn type_name(&self) -> String {
        Action::type_name(self)
    }

    fn schema(&self) -> Result<Schema, SchemaError> {
        Action::schema(self)
    }

    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        if let Some(config) =
            bridge::decode_model(config, "action configuration", &mut resp.diagnostics)
        {
            Action::validate(
                self,
                ValidateRequest {
                    config,
                    capabilities,
                },
                &mut resp,
            )
            .await;
        }
        resp.diagnostics
    }

    async fn plan(&self, ctx: &Context<A::ProviderData>, config: &cty::Value) -> Diagnostics {
        let mut resp = PlanActionResponse::default();
        if let Some(config) =
            bridge::decode_model(config, "action configuration", &mut resp.diagnostics)
        {
            let capabilities = ctx.capabilities();
            Action::plan(
                self,
                ctx,
                PlanActionRequest {
                    config,
                    capabilities,
                },
                &mut resp,
            )
            .await;
        }
        resp.diagnostics
    }

    async fn invoke(
        &self,
        ctx: &Context<A::ProviderData>,
        config: &cty::Value,
        progress: ActionProgress,
    ) -> Diagnostics {
        let mut resp = InvokeActionResponse::default();
        if let Some(config) =
            bridge::decode_model(config, "action configuration", &mut resp.diagnostics)
        {
            Action::invoke(
                self,
                ctx,
                InvokeActionRequest { config },
                &progress,
                &mut resp,
            )
            .await;
        }
        resp.diagnostics
    }
}
