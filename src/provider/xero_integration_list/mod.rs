//! The `conductorone_xero_integration` list resource: finds the Xero connectors that already
//! exist, for `terraform query` (Terraform 1.14+), so they can be adopted with
//! `-generate-config-out`.
//!
//! The apps come from the configured `app_ids` (each read on its own, so a wrong ID is named) or
//! from ConductorOne's app search, page by page. Each app's connectors are listed by a bounded
//! pool of concurrent requests, and each Xero connector is sent to Terraform as soon as its app
//! is done, so a tenant with hundreds of apps lists in seconds and results show while later apps
//! are still being read. An app that cannot be read is a warning and the others are still listed;
//! only when no app at all could be read is it an error.

mod walk;

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::ProviderData;
use super::xero_integration::{TYPE_NAME, XeroIntegrationIdentity, XeroIntegrationModel};
use crate::conductorone::MAX_SEARCH_PAGE_SIZE;
use crate::framework::TerraformModel;
use crate::framework::validators::{Distinct, Each, NotBlank};
use crate::framework::{Context, ListRequest, ListResource, ListSender, Value};
use crate::provider::validators::{ConductorOneId, NamesApps};

pub use walk::Listing;

/// How many apps have their connectors read at once by default: enough that a tenant of 300
/// apps lists in seconds, few enough not to trip ConductorOne's rate limit.
pub const DEFAULT_PARALLELISM: usize = 8;

/// Finds the Xero connectors that already exist in a ConductorOne tenant, for `terraform query`
/// (Terraform 1.14 and later), so they can be adopted with `-generate-config-out`.
///
/// Each live Xero connector is one result, named by the resource identity (`app_id`, `id`) and
/// shown as `<app> / <connector> (<Xero client ID>)`, the client ID only when the connector has
/// one. With `include_resource = true` a result also carries the resource object, the same state
/// an import of that connector gives. Deleted connectors and connectors of other catalog entries
/// are never listed.
///
/// Without `app_ids` every app of the tenant is searched, all pages. Apps are read several at a
/// time and results arrive as each app is done, so their order varies from run to run.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct XeroIntegrationListConfig {
    /// The IDs of the ConductorOne apps to look in, e.g. `["2a0IcNQMHRLpXD0MrGSuaYhDRGo"]`. Left
    /// out, every app of the tenant is searched (all pages of ConductorOne's app search).
    #[terraform(
        optional,
        validate(NamesApps, Each(NotBlank), Each(ConductorOneId), Distinct)
    )]
    pub app_ids: Value<Vec<String>>,
}

/// The `conductorone_xero_integration` list resource type.
#[derive(Debug, Clone, Copy)]
pub struct XeroIntegrationList {
    /// How many apps have their connectors read at once.
    pub parallelism: usize,
    /// The apps asked per page of the app search (at most [`MAX_SEARCH_PAGE_SIZE`]).
    pub page_size: u32,
}

impl Default for XeroIntegrationList {
    fn default() -> Self {
        Self {
            parallelism: DEFAULT_PARALLELISM,
            page_size: MAX_SEARCH_PAGE_SIZE,
        }
    }
}

#[async_trait]
impl ListResource for XeroIntegrationList {
    type ProviderData = ProviderData;
    type Config = XeroIntegrationListConfig;
    type Model = XeroIntegrationModel;
    type Identity = XeroIntegrationIdentity;

    fn type_name(&self) -> String {
        TYPE_NAME.to_owned()
    }

    async fn list(
        &self,
        ctx: &Context<ProviderData>,
        req: ListRequest<XeroIntegrationListConfig>,
        results: &mut ListSender<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        let mut diagnostics = crate::framework::Diagnostics::new();
        let Some(data) = ctx.require_data(&mut diagnostics) else {
            // Nobody left to tell when Terraform already went.
            let _ = results.diagnostics(diagnostics).await;
            return;
        };
        Listing {
            client: &data.client,
            cancel: ctx.cancellation(),
            parallelism: self.parallelism,
            page_size: self.page_size,
        }
        .run(&req.config, results)
        .await;
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
