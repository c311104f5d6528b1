//! `tftest`: a small provider that exercises the framework end to end, built only for tests.
//!
//! Address `registry.terraform.io/example/tftest`. Every Terraform command starts a new provider
//! process, so objects live as JSON files in a directory:
//!
//! ```hcl
//! provider "tftest" {
//!   dir = "/tmp/some-dir"   # required: where objects are stored, one <id>.json each
//! }
//!
//! resource "tftest_thing" "x" {
//!   name        = "alpha"                           # required, not blank, 1..64 chars
//!   description = "optional text"                   # optional
//!   size        = 3                                 # optional, defaults to 1
//!   secret      = "shown as (sensitive value)"      # optional, sensitive, stored
//!   password    = "never stored"                    # optional, write-only (Terraform 1.11+)
//!   zone        = "a"                               # optional, one of a/b/c, change replaces
//!   tags        = ["x", "y"]                        # optional list
//!   endpoint    = { host = "h", port = 8443 }       # optional single nested; port defaults to 443
//!   fail_create = false                             # optional: create stores a partial object, then fails
//!   panic_on    = "create"                          # optional: panic in create/read/update/delete
//! }
//! # computed: id (kept across updates), created_at (kept), revision (bumped by each update)
//!
//! data "tftest_echo" "e" {
//!   input = "hello"   # computed: output = input, length = characters of input
//! }
//! ```
//! Import: `terraform import tftest_thing.x <id>`, or `import { identity = { id = "<id>" } }`.
//!
//! ```hcl
//! # things.tfquery.hcl (terraform query, Terraform 1.14+)
//! list "tftest_thing" "all" {
//!   provider = tftest
//!   config {
//!     name_prefix = "al"   # optional
//!     delay_ms    = 0      # optional test hook: wait before each item
//!     panic_after = 2      # optional test hook: panic after that many items
//!     warn        = "..."  # optional test hook: send a warning first
//!   }
//! }
//!
//! action "tftest_wait" "w" {      # terraform apply -invoke=action.tftest_wait.w
//!   config {
//!     label = "w"   # required; the outcome is appended to <dir>/actions.log
//!     ms    = 100   # optional: total wait
//!     steps = 3     # optional: progress notes, defaults to 1
//!     fail  = true  # optional: end with an error
//!     panic = true  # optional: panic in invoke
//!   }
//! }
//! ```

mod echo;
mod list;
mod store;
mod thing;
mod wait;

use std::sync::Arc;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use terraform_provider_conductorone::cty::Path;
use terraform_provider_conductorone::framework::TerraformModel;
use terraform_provider_conductorone::framework::action::AnyAction;
use terraform_provider_conductorone::framework::data_source::AnyDataSource;
use terraform_provider_conductorone::framework::list_resource::AnyListResource;
use terraform_provider_conductorone::framework::resource::AnyResource;
use terraform_provider_conductorone::framework::{
    ConfigureRequest, ConfigureResponse, Provider, Value,
};

pub use echo::{Echo, EchoModel};
pub use list::{ThingList, ThingListConfig};
pub use store::Store;
pub use thing::{Endpoint, Thing, ThingIdentity, ThingModel, Zone};
pub use wait::{Wait, WaitConfig};

/// The provider's registry address.
pub const ADDRESS: &str = "registry.terraform.io/example/tftest";

/// The `tftest` provider block.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct ProviderConfig {
    /// Directory where objects are stored as JSON files (created if missing).
    pub dir: Value<String>,
}

/// The test provider.
#[derive(Debug, Clone, Copy, Default)]
pub struct TfTest;

#[async_trait]
impl Provider for TfTest {
    type Config = ProviderConfig;
    type Data = Store;

    fn type_name(&self) -> String {
        "tftest".to_owned()
    }

    async fn configure(
        &self,
        req: ConfigureRequest<ProviderConfig>,
        resp: &mut ConfigureResponse<Store>,
    ) {
        let dir = match req.config.dir {
            Value::Known(dir) => dir,
            // Unknown during plan (refers to another resource): stay unconfigured for now.
            Value::Unknown => return,
            Value::Null => {
                resp.diagnostics
                    .error("Missing Directory", "Set `dir` in the provider block.");
                return;
            }
        };
        match Store::open(dir.clone().into()) {
            Ok(store) => resp.data = Some(Arc::new(store)),
            Err(e) => resp.diagnostics.error_at(
                Path::attr("dir"),
                "Unusable Directory",
                format!("Could not create {dir:?}: {e}. Choose a writable directory."),
            ),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn AnyResource<Store>>> {
        vec![Arc::new(Thing)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<Store>>> {
        vec![Arc::new(Echo)]
    }

    fn list_resources(&self) -> Vec<Arc<dyn AnyListResource<Store>>> {
        vec![Arc::new(ThingList)]
    }

    fn actions(&self) -> Vec<Arc<dyn AnyAction<Store>>> {
        vec![Arc::new(Wait)]
    }
}
