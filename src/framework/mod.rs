//! The provider framework: everything between the tfplugin6 wire and a resource's domain logic.
//!
//! A resource is a typed model (the one source of truth for its schema, see [`model`]) and a
//! [`Resource`] implementation whose steps read the model and write it back. The
//! [`server::ProviderService`] dispatcher implements the tfplugin6 service for any [`Provider`]:
//! it decodes values, runs validators and the plan pipeline, calls the steps, and turns problems
//! into [`diag::Diagnostics`] with attribute paths.

pub mod bridge;
pub mod diag;
pub mod model;
pub mod plan_modifiers;
pub mod schema;
pub mod validators;
mod value;
pub mod walk;

pub use diag::{Diagnostic, Diagnostics, Severity};
pub use model::{Model, SchemaError, schema_for};
pub use schema::{Attribute, AttributeType, Block, NestedBlock, Nesting, Presence, Schema};
pub use value::Value;
