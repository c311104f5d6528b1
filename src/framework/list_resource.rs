//! The [`ListResource`] trait: finds existing objects of a managed resource type for
//! `terraform query` (Terraform 1.14+), written against its typed config model.
//!
//! A list streams what it finds through a [`ListSender`] as it goes, so Terraform shows results
//! while later pages are still being fetched. The sender waits when Terraform reads slowly (no
//! result is dropped) and tells the list to stop once Terraform has enough (`limit`) or has gone.

use std::marker::PhantomData;

use async_trait::async_trait;
use serde::Serialize;
use tokio::sync::mpsc;

use crate::cty::{self, Type};

use super::bridge;
use super::context::{ClientCapabilities, Context, ValidateRequest, ValidateResponse};
use super::diag::{Diagnostic, Diagnostics};
use super::model::{Model, SchemaError, schema_for};
use super::resource::IdentityModel;
use super::schema::Schema;

/// A list to run.
#[derive(Debug, Clone)]
pub struct ListRequest<C> {
    /// The `config` block of the `list` block (wholly known).
    pub config: C,
}

/// One object found: what Terraform shows and what `-generate-config-out` imports.
#[derive(Debug, Clone)]
pub struct ListItem<M, I> {
    /// The identity of the object (what an `import { identity = ... }` block names).
    pub identity: I,
    /// A name a person recognises the object by.
    pub display_name: String,
    /// The object as a read gives it; only sent when Terraform asked for it (see
    /// [`ListSender::include_resource`]), so a list may skip building it otherwise.
    pub resource: Option<M>,
}

/// Why a list should stop sending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ListStopped {
    /// Terraform's `limit` of results has been sent.
    #[error("the requested number of results has been sent")]
    LimitReached,
    /// Terraform stopped reading (it had enough, was interrupted, or exited).
    #[error("Terraform stopped reading the results")]
    Closed,
}

/// The cty types a list encodes to: those of the managed resource of the same type name.
#[derive(Debug, Clone)]
pub struct ListTypes {
    /// The resource's state type (for resource objects).
    pub state: Type,
    /// The resource's identity type.
    pub identity: Type,
}

/// An object found, in the dispatcher's form.
#[derive(Debug, Clone)]
pub struct RawListItem {
    /// The identity value.
    pub identity: cty::Value,
    /// The display name.
    pub display_name: String,
    /// The resource object, when asked for.
    pub resource: Option<cty::Value>,
}

/// A list's result in the dispatcher's form.
#[derive(Debug, Clone)]
pub enum RawListEvent {
    /// An object found.
    Found(Box<RawListItem>),
    /// Problems met while listing; errors end Terraform's reading of the list.
    Diagnostics(Diagnostics),
}

/// Where a list sends what it finds; one per call.
#[derive(Debug)]
pub struct ListSender<M, I> {
    tx: mpsc::Sender<RawListEvent>,
    types: ListTypes,
    include_resource: bool,
    remaining: u64,
    _model: PhantomData<fn(M, I)>,
}

impl<M: Serialize, I: Serialize> ListSender<M, I> {
    /// A sender over `tx`; the dispatcher makes one per call, tests may too.
    #[must_use]
    pub fn new(
        tx: mpsc::Sender<RawListEvent>,
        types: ListTypes,
        include_resource: bool,
        limit: u64,
    ) -> Self {
        Self {
            tx,
            types,
            include_resource,
            remaining: limit,
            _model: PhantomData,
        }
    }

    /// Whether Terraform wants the full resource object of each item.
    #[must_use]
    pub fn include_resource(&self) -> bool {
        self.include_resource
    }

    /// How many more items Terraform takes.
    #[must_use]
    pub fn remaining(&self) -> u64 {
        self.remaining
    }

    /// Sends one item, waiting while Terraform is behind.
    ///
    /// # Errors
    /// [`ListStopped`] when the limit was reached or Terraform stopped reading: stop listing.
    pub async fn send(&mut self, item: ListItem<M, I>) -> Result<(), ListStopped> {
        if self.remaining == 0 {
            return Err(ListStopped::LimitReached);
        }
        let mut diagnostics = Diagnostics::new();
        let identity = encode(
            &item.identity,
            &self.types.identity,
            "identity",
            &mut diagnostics,
        );
        let resource = match (&item.resource, self.include_resource) {
            (Some(resource), true) => encode(
                resource,
                &self.types.state,
                "resource object",
                &mut diagnostics,
            ),
            _ => None,
        };
        let event = match identity {
            Some(identity) if !diagnostics.has_errors() => {
                RawListEvent::Found(Box::new(RawListItem {
                    identity,
                    display_name: item.display_name,
                    resource,
                }))
            }
            _ => RawListEvent::Diagnostics(diagnostics),
        };
        self.tx.send(event).await.map_err(|_| ListStopped::Closed)?;
        self.remaining -= 1;
        Ok(())
    }

    /// Sends problems met while listing. Warnings leave Terraform reading; an error ends the list
    /// on Terraform's side, so send errors only when nothing more can be listed.
    ///
    /// # Errors
    /// [`ListStopped::Closed`] when Terraform stopped reading.
    pub async fn diagnostics(&mut self, diagnostics: Diagnostics) -> Result<(), ListStopped> {
        if diagnostics.is_empty() {
            return Ok(());
        }
        self.tx
            .send(RawListEvent::Diagnostics(diagnostics))
            .await
            .map_err(|_| ListStopped::Closed)
    }

    /// Sends one problem; see [`ListSender::diagnostics`].
    ///
    /// # Errors
    /// [`ListStopped::Closed`] when Terraform stopped reading.
    pub async fn diagnostic(&mut self, diagnostic: Diagnostic) -> Result<(), ListStopped> {
        self.diagnostics(diagnostic.into()).await
    }
}

fn encode<T: Serialize>(
    model: &T,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<cty::Value> {
    match bridge::to_value(model, ty) {
        Ok(v) => Some(v),
        Err(e) => {
            diagnostics.error_at(
                e.path(),
                "Value Conversion Error",
                format!("The provider could not write the listed {what}: {e}. This is a bug in the provider; please report it."),
            );
            None
        }
    }
}

/// A list resource type: its type name is that of the managed resource whose objects it finds,
/// and that resource must have an identity.
#[async_trait]
pub trait ListResource: Send + Sync + 'static {
    /// The provider's data from `configure`.
    type ProviderData: Send + Sync + 'static;
    /// The `config` block of a `list` block: the list's schema.
    type Config: Model + Clone;
    /// The managed resource's model (the shape of a resource object).
    type Model: Model;
    /// The managed resource's identity model.
    type Identity: IdentityModel;

    /// The full type name, the same as the managed resource's.
    fn type_name(&self) -> String;

    /// The schema of the `config` block; derived from the config model by default.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError> {
        schema_for::<Self::Config>()
    }

    /// Checks the `config` block beyond what attribute and schema validators check.
    async fn validate(&self, _req: ValidateRequest<Self::Config>, _resp: &mut ValidateResponse) {}

    /// Finds the objects and sends each through `results`, stopping when a send says so. Long
    /// waits should also watch [`Context::cancellation`].
    async fn list(
        &self,
        ctx: &Context<Self::ProviderData>,
        req: ListRequest<Self::Config>,
        results: &mut ListSender<Self::Model, Self::Identity>,
    );
}

/// A list to run, in the dispatcher's form.
#[derive(Debug, Clone)]
pub struct RawListRequest {
    /// The `config` block.
    pub config: cty::Value,
    /// Whether to send resource objects.
    pub include_resource: bool,
    /// How many items Terraform takes.
    pub limit: u64,
}

/// The dispatcher's view of a list resource, with provider data type `D`. Implemented for every
/// [`ListResource`].
#[async_trait]
pub trait AnyListResource<D>: Send + Sync {
    /// The full type name.
    fn type_name(&self) -> String;
    /// The schema of the `config` block.
    ///
    /// # Errors
    /// When the model has no Terraform form.
    fn schema(&self) -> Result<Schema, SchemaError>;
    /// Runs the list resource's own validation.
    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics;
    /// Lists into `tx`; returns when done.
    async fn list(
        &self,
        ctx: &Context<D>,
        types: ListTypes,
        req: RawListRequest,
        tx: mpsc::Sender<RawListEvent>,
    );
}

#[async_trait]
impl<L: ListResource> AnyListResource<L::ProviderData> for L {
    fn type_name(&self) -> String {
        ListResource::type_name(self)
    }

    fn schema(&self) -> Result<Schema, SchemaError> {
        ListResource::schema(self)
    }

    async fn validate(&self, capabilities: ClientCapabilities, config: &cty::Value) -> Diagnostics {
        let mut resp = ValidateResponse::default();
        if let Some(config) =
            bridge::decode_model(config, "list configuration", &mut resp.diagnostics)
        {
            ListResource::validate(
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

    async fn list(
        &self,
        ctx: &Context<L::ProviderData>,
        types: ListTypes,
        req: RawListRequest,
        tx: mpsc::Sender<RawListEvent>,
    ) {
        let mut diagnostics = Diagnostics::new();
        let Some(config) =
            bridge::decode_model(&req.config, "list configuration", &mut diagnostics)
        else {
            // Nobody left to tell when Terraform already went.
            let _ = tx.send(RawListEvent::Diagnostics(diagnostics)).await;
            return;
        };
        let mut sender = ListSender::new(tx, types, req.include_resource, req.limit);
        if sender.remaining() == 0 {
            return;
        }
        ListResource::list(self, ctx, ListRequest { config }, &mut sender).await;
    }
}
