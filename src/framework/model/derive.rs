//! What `#[derive(TerraformModel)]` writes against: the options of a model's fields as values.
//!
//! A model's Terraform options (presence kind, sensitivity, validators, plan modifiers,
//! defaults, blocks, schema version, relations between attributes) are declared with
//! `#[terraform(...)]` on the struct and its fields; the derive turns them into a
//! [`ModelOptions`] that [`schema_for`](super::schema_for) joins with the struct's shape.
//!
//! ```
//! use schemars::JsonSchema;
//! use serde::{Deserialize, Serialize};
//! use terraform_provider_conductorone::framework::validators::NotBlank;
//! use terraform_provider_conductorone::framework::{Path, TerraformModel, Value, schema_for};
//!
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(required, validate(NotBlank))]
//!     name: Value<String>,
//! }
//! assert_eq!(Example::paths().name(), Path::attr("name"));
//! assert_eq!(schema_for::<Example>().unwrap().block.attributes[0].validators.len(), 1);
//! ```
//!
//! What makes no sense does not compile. A misspelt option:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(optinal)]
//!     name: Value<String>,
//! }
//! ```
//! A misspelt validator (or plan modifier):
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! # use terraform_provider_conductorone::framework::validators::NotBlank;
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(required, validate(NotBlnak))]
//!     name: Value<String>,
//! }
//! ```
//! A plan modifier where a validator belongs:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! # use terraform_provider_conductorone::framework::plan_modifiers::RequiresReplace;
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(required, validate(RequiresReplace))]
//!     name: Value<String>,
//! }
//! ```
//! A misspelt attribute path:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     name: Value<String>,
//! }
//! let _ = Example::paths().nmae();
//! ```
//! A relation naming a field that does not exist:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! #[terraform(conflicts_with(name, nmae))]
//! struct Example {
//!     name: Value<String>,
//! }
//! ```
//! Options a block cannot have (here a plan modifier):
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! # use terraform_provider_conductorone::framework::plan_modifiers::RequiresReplace;
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Inner { a: Value<String> }
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(block, plan(RequiresReplace))]
//!     inner: Value<Inner>,
//! }
//! ```
//! A default on an attribute that is not computed, and a computed write-only attribute:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(optional, default = "x")]
//!     name: Value<String>,
//! }
//! ```
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(computed, write_only)]
//!     name: Value<String>,
//! }
//! ```
//! `nested` on a field that is not a model:
//! ```compile_fail
//! # use schemars::JsonSchema; use serde::{Deserialize, Serialize};
//! # use terraform_provider_conductorone::framework::{TerraformModel, Value};
//! #[derive(Serialize, Deserialize, JsonSchema, TerraformModel)]
//! struct Example {
//!     #[terraform(optional, nested)]
//!     name: Value<String>,
//! }
//! ```

use std::sync::Arc;

use serde::Serialize;
use serde_json::Value as Json;

use crate::cty::Path;
use crate::framework::plan_modifiers::PlanModifier;
use crate::framework::validators::{AttributeValidator, ConfigValidator};

/// A model whose Terraform options are declared with `#[derive(TerraformModel)]`.
pub trait TerraformModel {
    /// The model's typed attribute paths (`<Model>Paths`).
    type Paths;

    /// The typed paths of this model placed at `at` (the attribute or block holding it).
    fn paths_at(at: Path) -> Self::Paths;

    /// The options of the model and its fields.
    fn terraform_options() -> ModelOptions;
}

/// The options of one model (a schema, or a nested attribute's or block's object).
#[derive(Debug, Default)]
pub struct ModelOptions {
    /// The schema version (used at the root only).
    pub version: i64,
    /// One entry per serialised field, by attribute name.
    pub fields: Vec<FieldOptions>,
    /// Relations between the model's attributes.
    pub validators: Vec<Arc<dyn ConfigValidator>>,
}

impl ModelOptions {
    /// The options of the field with attribute name `name`.
    #[must_use]
    pub fn field(&self, name: &str) -> Option<&FieldOptions> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// The options of one field.
#[derive(Debug)]
pub struct FieldOptions {
    /// The attribute (or block) name.
    pub name: &'static str,
    /// Must be set in configuration.
    pub required: bool,
    /// May be set in configuration.
    pub optional: bool,
    /// The provider may set it.
    pub computed: bool,
    /// Terraform hides the value in plans and output.
    pub sensitive: bool,
    /// Sent in configuration, never stored in plan or state.
    pub write_only: bool,
    /// Deprecation message.
    pub deprecated: Option<&'static str>,
    /// Checks of the attribute's value.
    pub validators: Vec<Arc<dyn AttributeValidator>>,
    /// Plan modifiers, in order.
    pub plan_modifiers: Vec<Arc<dyn PlanModifier>>,
    /// The default value, as JSON (or why it could not be serialised).
    pub default: Option<Result<Json, String>>,
    /// Set when the field is a nested block.
    pub block: Option<BlockOptions>,
    /// The options of the nested model, for a nested attribute or block.
    pub nested: Option<fn() -> ModelOptions>,
}

/// The options of a nested block.
#[derive(Debug, Clone, Copy, Default)]
pub struct BlockOptions {
    /// The fewest blocks allowed (0: no minimum).
    pub min_items: i64,
    /// The most blocks allowed (0: no maximum).
    pub max_items: i64,
}

/// A validator value as the schema holds it.
pub fn validator(v: impl AttributeValidator + 'static) -> Arc<dyn AttributeValidator> {
    Arc::new(v)
}

/// A plan modifier value as the schema holds it.
pub fn plan_modifier(m: impl PlanModifier + 'static) -> Arc<dyn PlanModifier> {
    Arc::new(m)
}

/// A relation between attributes as the schema holds it.
pub fn config_validator(v: impl ConfigValidator + 'static) -> Arc<dyn ConfigValidator> {
    Arc::new(v)
}

/// A default value as JSON.
///
/// # Errors
/// When the value cannot be serialised (a programming error, reported by `schema_for`).
pub fn default_value(v: impl Serialize) -> Result<Json, String> {
    serde_json::to_value(v).map_err(|e| e.to_string())
}
