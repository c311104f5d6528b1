//! What every framework method is given besides its request: provider data, cancellation, the
//! client's capabilities and Terraform's version.

use std::sync::Arc;

use tokio_util::sync::CancellationToken;

use super::diag::Diagnostics;

/// What the calling Terraform says it can handle (protocol 6.6+; all false from older Terraform).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientCapabilities {
    /// Terraform accepts a deferred answer (Terraform 1.9+, with deferral enabled).
    pub deferral_allowed: bool,
    /// Terraform handles write-only attributes (Terraform 1.11+).
    pub write_only_attributes_allowed: bool,
}

/// The environment of one framework call.
#[derive(Debug)]
pub struct Context<D> {
    data: Option<Arc<D>>,
    cancel: CancellationToken,
    capabilities: ClientCapabilities,
    terraform_version: Option<String>,
}

impl<D> Clone for Context<D> {
    fn clone(&self) -> Self {
        Self {
            data: self.data.clone(),
            cancel: self.cancel.clone(),
            capabilities: self.capabilities,
            terraform_version: self.terraform_version.clone(),
        }
    }
}

impl<D> Context<D> {
    /// A context; the dispatcher builds one per call, tests may too.
    #[must_use]
    pub fn new(
        data: Option<Arc<D>>,
        cancel: CancellationToken,
        capabilities: ClientCapabilities,
        terraform_version: Option<String>,
    ) -> Self {
        Self {
            data,
            cancel,
            capabilities,
            terraform_version,
        }
    }

    /// The provider's data from `configure`; `None` before configuration (validation runs then)
    /// or when configuration failed.
    #[must_use]
    pub fn provider_data(&self) -> Option<&Arc<D>> {
        self.data.as_ref()
    }

    /// The provider's data, or an error diagnostic saying that the provider is not configured.
    pub fn require_data(&self, diagnostics: &mut Diagnostics) -> Option<Arc<D>> {
        if self.data.is_none() {
            diagnostics.error(
                "Provider Not Configured",
                "The provider has not been configured yet, so this operation cannot reach its API. \
                 Check the provider block for errors reported earlier.",
            );
        }
        self.data.clone()
    }

    /// Cancelled when Terraform asks the provider to stop (Ctrl-C): long waits should select on it.
    #[must_use]
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Whether Terraform asked the provider to stop.
    #[must_use]
    pub fn is_cancelled(&self) -> bool {
        self.cancel.is_cancelled()
    }

    /// What the calling Terraform can handle.
    #[must_use]
    pub fn capabilities(&self) -> ClientCapabilities {
        self.capabilities
    }

    /// Terraform's version, as ConfigureProvider reported it.
    #[must_use]
    pub fn terraform_version(&self) -> Option<&str> {
        self.terraform_version.as_deref()
    }
}

/// A request to check a configuration (provider, resource or data source) before any plan.
#[derive(Debug, Clone)]
pub struct ValidateRequest<M> {
    /// The configuration; it may hold unknown values, so fields should be [`super::Value`]s.
    pub config: M,
    /// What the calling Terraform can handle.
    pub capabilities: ClientCapabilities,
}

/// The answer to a [`ValidateRequest`].
#[derive(Debug, Clone, Default)]
pub struct ValidateResponse {
    /// Problems found.
    pub diagnostics: Diagnostics,
}
