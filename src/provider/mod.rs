//! The `conductorone` provider: its configuration block, the clients it builds once per
//! process, and the resource, data source, list resource and action types it serves.
//!
//! Configuration is resolved by [`config::resolve`] (attribute beats environment variable); the
//! result becomes one [`conductorone::Client`] and one [`xero::Identity`], shared through
//! [`ProviderData`] by every resource and data source call of the process, so a plan touching
//! many resources fetches one bearer token.

mod api_error;
pub mod config;
mod ids;
pub mod sync_wait;
pub mod validators;
pub mod xero_force_sync;
pub mod xero_integration;
pub mod xero_integration_list;
pub mod xero_sync;

use std::sync::Arc;
use std::time::Duration;

use crate::framework::TerraformModel;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::conductorone::{self, ClientConfig, RetryPolicy};
use crate::framework::Path;
use crate::framework::action::AnyAction;
use crate::framework::data_source::AnyDataSource;
use crate::framework::list_resource::AnyListResource;
use crate::framework::resource::AnyResource;
use crate::framework::{ConfigureRequest, ConfigureResponse, Diagnostics, Provider, Value};
use crate::secret::SecretString;
use crate::xero;

use self::config::{ConfigProblem, ProviderConfigInput, process_env, resolve};

/// The provider block.
///
/// Every attribute may instead come from its environment variable; a value set here wins.
#[derive(Clone, Default, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct ProviderConfig {
    /// The ConductorOne server, e.g. `https://acme.conductor.one`. Defaults to the tenant named by
    /// `tenant_domain`, else to the host in `client_id`. Environment: `CONDUCTORONE_SERVER_URL`.
    #[terraform(optional)]
    pub server_url: Value<String>,
    /// The API client's ID, of the form `<id>@<tenant host>/<use case>`. Environment:
    /// `CONDUCTORONE_CLIENT_ID`.
    #[terraform(optional)]
    pub client_id: Value<String>,
    /// The API client's secret (`secret-token:conductorone.com:v1:…`). Environment:
    /// `CONDUCTORONE_CLIENT_SECRET`.
    #[terraform(optional, sensitive)]
    pub client_secret: Value<String>,
    /// The tenant's name (`acme`) or host (`acme.conductor.one`), used for the server URL when
    /// `server_url` is not set. Environment: `CONDUCTORONE_TENANT_DOMAIN`.
    #[terraform(optional)]
    pub tenant_domain: Value<String>,
    /// A ready ConductorOne bearer token; when set, no other credential is used. Environment:
    /// `CONDUCTORONE_ACCESS_TOKEN`.
    #[terraform(optional, sensitive)]
    pub access_token: Value<String>,
    /// An OIDC token (e.g. Terraform Cloud workload identity) exchanged for a ConductorOne token;
    /// needs `client_id`. Environment: `CONDUCTORONE_OIDC_TOKEN`, then
    /// `TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE`, `TFC_WORKLOAD_IDENTITY_TOKEN_C1`, and
    /// `TFC_WORKLOAD_IDENTITY_TOKEN` only with `CONDUCTORONE_WORKLOAD_IDENTITY=1`.
    #[terraform(optional, sensitive)]
    pub oidc_token: Value<String>,
    /// Xero's identity service, used to check Xero credentials before they are written. Defaults
    /// to `https://identity.xero.com`. Environment: `XERO_IDENTITY_URL`.
    #[terraform(optional)]
    pub xero_identity_url: Value<String>,
}

/// What `configure` builds once per provider process and every resource call shares.
#[derive(Debug)]
pub struct ProviderData {
    /// The ConductorOne API client (its token is fetched once and reused).
    pub client: conductorone::Client,
    /// Xero's identity service, for the credential check.
    pub xero: xero::Identity,
    /// The credential checks this process has done, so an apply reuses its own plan's check.
    pub xero_checks: xero_integration::CheckedCredentials,
}

/// The `conductorone` provider.
#[derive(Debug, Default, Clone, Copy)]
pub struct ConductorOneProvider;

impl ConductorOneProvider {
    /// The provider.
    #[must_use]
    pub fn new() -> Self {
        Self
    }
}

impl ProviderConfig {
    fn input(&self) -> ProviderConfigInput {
        // Destructured, not read field by field: an attribute added to the block does not compile
        // until it is resolved here too.
        let Self {
            server_url,
            client_id,
            client_secret,
            tenant_domain,
            access_token,
            oidc_token,
            xero_identity_url,
        } = self;
        let text = |v: &Value<String>| v.known().cloned();
        let secret = |v: &Value<String>| v.known().map(|s| SecretString::new(s.as_str()));
        ProviderConfigInput {
            server_url: text(server_url),
            client_id: text(client_id),
            client_secret: secret(client_secret),
            tenant_domain: text(tenant_domain),
            access_token: secret(access_token),
            oidc_token: secret(oidc_token),
            xero_identity_url: text(xero_identity_url),
        }
    }
}

fn report(problems: Vec<ConfigProblem>, diagnostics: &mut Diagnostics) {
    for p in problems {
        diagnostics.error_at(Path::attr(p.attribute), p.summary, p.detail);
    }
}

/// Builds the clients from a resolved configuration.
///
/// # Errors
/// A diagnostic when the HTTP stack cannot start.
fn build(resolved: config::ResolvedConfig, diagnostics: &mut Diagnostics) -> Option<ProviderData> {
    // One HTTP client for both APIs: each build loads the system's root certificates (a few
    // milliseconds of every configured provider process). Its 30 s limit is the Xero check's;
    // the ConductorOne client sets its own on each request.
    let http = match crate::net::client(Duration::from_secs(30), Duration::from_secs(10)) {
        Ok(h) => h,
        Err(e) => {
            diagnostics.error(
                "Cannot Create the HTTPS Client",
                format!(
                    "The provider could not set up its HTTPS client: {e}. Check that the system's \
                     root certificates can be read (e.g. `SSL_CERT_FILE`)."
                ),
            );
            return None;
        }
    };
    let client = match conductorone::Client::with_http(
        ClientConfig::new(resolved.server_url, resolved.credentials),
        http.clone(),
    ) {
        Ok(c) => c,
        Err(e) => {
            diagnostics.error(
                "Cannot Create the ConductorOne Client",
                format!("The provider could not set up its ConductorOne client: {e}. Check `server_url`."),
            );
            return None;
        }
    };
    // Fewer, shorter retries than the API calls: a credential check is asked for interactively.
    let policy = RetryPolicy {
        max_attempts: 4,
        overall_deadline: Duration::from_secs(60),
        ..RetryPolicy::default()
    };
    match xero::Identity::new(&resolved.xero_identity_url, http, policy) {
        Ok(xero) => Some(ProviderData {
            client,
            xero,
            xero_checks: xero_integration::CheckedCredentials::default(),
        }),
        Err(e) => {
            diagnostics.error_at(
                ProviderConfig::paths().xero_identity_url(),
                "Invalid Xero Identity URL",
                format!("{e}. Set `xero_identity_url` to the identity service's base URL, e.g. https://identity.xero.com."),
            );
            None
        }
    }
}

#[async_trait]
impl Provider for ConductorOneProvider {
    type Config = ProviderConfig;
    type Data = ProviderData;

    fn type_name(&self) -> String {
        "conductorone".to_owned()
    }

    async fn configure(
        &self,
        req: ConfigureRequest<ProviderConfig>,
        resp: &mut ConfigureResponse<ProviderData>,
    ) {
        for path in &req.unknown {
            resp.diagnostics.error_at(
                path.clone(),
                "Unknown Provider Configuration Value",
                format!(
                    "The provider attribute `{path}` refers to a value that is known only after apply, but \
                     the provider needs it to plan. Set it to a value known at plan time (a literal, a \
                     variable, or a data source that reads without depending on managed resources), or \
                     use its environment variable, or apply the resources it depends on first with \
                     `terraform apply -target=...`."
                ),
            );
        }
        if !req.unknown.is_empty() {
            return;
        }
        match resolve(&req.config.input(), &process_env) {
            Ok(resolved) => {
                tracing::debug!(server = %resolved.server_url.host_str().unwrap_or_default(), "provider configured");
                resp.data = build(resolved, &mut resp.diagnostics).map(Arc::new);
            }
            Err(problems) => report(problems, &mut resp.diagnostics),
        }
    }

    fn resources(&self) -> Vec<Arc<dyn AnyResource<ProviderData>>> {
        vec![Arc::new(xero_integration::XeroIntegration)]
    }

    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<ProviderData>>> {
        vec![Arc::new(xero_sync::XeroSync::default())]
    }

    fn list_resources(&self) -> Vec<Arc<dyn AnyListResource<ProviderData>>> {
        vec![Arc::new(
            xero_integration_list::XeroIntegrationList::default(),
        )]
    }

    fn actions(&self) -> Vec<Arc<dyn AnyAction<ProviderData>>> {
        vec![Arc::new(xero_force_sync::XeroForceSync::default())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::ClientCapabilities;

    #[test]
    fn schema_has_every_attribute_described_and_secrets_sensitive() {
        let schema = ConductorOneProvider.schema().expect("schema");
        let names: Vec<&str> = schema
            .block
            .attributes
            .iter()
            .map(|a| a.name.as_str())
            .collect();
        assert_eq!(
            names,
            [
                "access_token",
                "client_id",
                "client_secret",
                "oidc_token",
                "server_url",
                "tenant_domain",
                "xero_identity_url"
            ]
        );
        for a in &schema.block.attributes {
            let name = a.name.as_str();
            assert!(!a.description.is_empty(), "{name} has no description");
            let secret = matches!(name, "client_secret" | "access_token" | "oidc_token");
            assert_eq!(a.sensitive, secret, "{name}");
        }
    }

    /// A configure request as the framework builds it from the provider block.
    fn request(config: ProviderConfig) -> ConfigureRequest<ProviderConfig> {
        let schema = ConductorOneProvider.schema().expect("schema");
        let value = crate::framework::bridge::to_value(&config, &schema.value_type())
            .expect("provider block value");
        ConfigureRequest {
            unknown: crate::framework::provider::unknown_attributes::<ProviderConfig>(&value),
            config,
            terraform_version: "1.15.5".into(),
            capabilities: ClientCapabilities::default(),
        }
    }

    #[tokio::test]
    async fn unknown_values_are_errors_on_their_attribute() {
        let config = ProviderConfig {
            server_url: Value::Unknown,
            access_token: Value::Unknown,
            ..ProviderConfig::default()
        };
        let mut resp = ConfigureResponse::default();
        ConductorOneProvider
            .configure(request(config), &mut resp)
            .await;
        assert!(resp.data.is_none());
        let paths: Vec<String> = resp
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, ["server_url", "access_token"]);
    }

    #[tokio::test]
    async fn problems_never_quote_a_secret() {
        let config = ProviderConfig {
            server_url: Value::Known("http://127.0.0.1:1".into()),
            client_id: Value::Known("abc@127.0.0.1/pcc".into()),
            client_secret: Value::Known("not-a-real-secret-value-xyz".into()),
            ..ProviderConfig::default()
        };
        let mut resp = ConfigureResponse::default();
        ConductorOneProvider
            .configure(request(config), &mut resp)
            .await;
        assert!(resp.diagnostics.has_errors());
        for d in resp.diagnostics.iter() {
            assert!(!d.to_string().contains("not-a-real-secret"), "{d}");
        }
    }
}
