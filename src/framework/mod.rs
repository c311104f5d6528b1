//! The provider framework: everything between the tfplugin6 wire and a resource's domain logic.
//!
//! A resource is a typed model (the one source of truth for its schema, see [`model`]) and a
//! [`Resource`] implementation whose steps read the model and write it back. The
//! [`server::ProviderService`] dispatcher implements the tfplugin6 service for any [`Provider`]:
//! it decodes values, runs validators and the plan pipeline, calls the steps, and turns problems
//! into [`diag::Diagnostics`] with attribute paths. List resources ([`ListResource`], for
//! `terraform query`) and actions ([`Action`]) stream their results through the same dispatcher.

pub mod action;
pub mod bridge;
pub mod context;
pub mod data_source;
pub mod diag;
pub mod docs;
pub mod list_resource;
pub mod model;
pub mod plan;
pub mod plan_modifiers;
pub mod private;
pub mod provider;
pub mod resource;
pub mod schema;
pub mod server;
pub mod validate;
pub mod validators;
mod value;
pub mod walk;

/// Attribute paths, which diagnostics point at: what resources need of the cty layer.
pub use crate::cty::Path;
pub use action::{
    Action, ActionClosed, ActionProgress, InvokeActionRequest, InvokeActionResponse,
    PlanActionRequest, PlanActionResponse,
};
pub use context::{ClientCapabilities, Context, ValidateRequest, ValidateResponse};
pub use data_source::{DataSource, ReadDataRequest, ReadDataResponse};
pub use diag::{Diagnostic, Diagnostics, Severity};
pub use framework_derive::TerraformModel;
pub use list_resource::{ListItem, ListRequest, ListResource, ListSender, ListStopped};
pub use model::derive::TerraformModel as _;
pub use model::{Model, SchemaError, schema_for};
pub use private::PrivateState;
pub use provider::{ConfigureRequest, ConfigureResponse, Provider};
pub use resource::{
    CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, IdentityModel, ImportRequest,
    ImportResponse, ModifyPlanRequest, ModifyPlanResponse, NoIdentity, ReadRequest, ReadResponse,
    Resource, UpdateRequest, UpdateResponse,
};
pub use schema::{Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema};
pub use value::Value;
