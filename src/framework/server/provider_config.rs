//! ValidateProviderConfig and ConfigureProvider.

use super::{Configured, Inner, convert};
use crate::framework::bridge;
use crate::framework::context::{ClientCapabilities, ValidateRequest, ValidateResponse};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse, Provider};
use crate::framework::validate::validate_config;
use crate::proto::tfplugin6 as pb;

fn typed_config<C: serde::de::DeserializeOwned>(
    config: &crate::cty::Value,
) -> Result<C, Diagnostic> {
    bridge::from_value(config)
        .map_err(|e| bridge::conversion_diagnostic(&e, "provider configuration"))
}

pub(super) async fn validate<P: Provider>(
    inner: &Inner<P>,
    req: pb::validate_provider_config::Request,
) -> pb::validate_provider_config::Response {
    let mut diagnostics = Diagnostics::new();
    match convert::decode(
        req.config.as_ref(),
        &inner.provider_type,
        "provider configuration",
    ) {
        Ok(config) => {
            validate_config(&inner.provider_schema, &config, &mut diagnostics);
            match typed_config::<P::Config>(&config) {
                Ok(config) => {
                    let mut resp = ValidateResponse::default();
                    let capabilities = ClientCapabilities::default();
                    inner
                        .provider
                        .validate(
                            ValidateRequest {
                                config,
                                capabilities,
                            },
                            &mut resp,
                        )
                        .await;
                    diagnostics.extend(resp.diagnostics);
                }
                Err(d) => diagnostics.push(d),
            }
        }
        Err(d) => diagnostics.push(d),
    }
    pb::validate_provider_config::Response {
        diagnostics: convert::diagnostics(&diagnostics),
    }
}

pub(super) async fn configure<P: Provider>(
    inner: &Inner<P>,
    req: pb::configure_provider::Request,
) -> pb::configure_provider::Response {
    let mut diagnostics = Diagnostics::new();
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    let config = convert::decode(
        req.config.as_ref(),
        &inner.provider_type,
        "provider configuration",
    )
    .and_then(|c| {
        Ok((
            crate::framework::provider::unknown_attributes::<P::Config>(&c),
            typed_config::<P::Config>(&c)?,
        ))
    });
    match config {
        Ok((unknown, config)) => {
            let mut resp = ConfigureResponse::default();
            let request = ConfigureRequest {
                config,
                unknown,
                terraform_version: req.terraform_version.clone(),
                capabilities,
            };
            inner.provider.configure(request, &mut resp).await;
            let mut configured = inner
                .configured
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *configured = Configured {
                data: resp.data,
                terraform_version: Some(req.terraform_version),
            };
            diagnostics.extend(resp.diagnostics);
        }
        Err(d) => diagnostics.push(d),
    }
    pb::configure_provider::Response {
        diagnostics: convert::diagnostics(&diagnostics),
    }
}
