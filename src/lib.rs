//! terraform-provider-conductorone: a Terraform provider, speaking plugin protocol 6, that manages
//! ConductorOne's Xero connector.
//!
//! The crate is layered; each layer is one module and knows nothing of the layers above it:
//!
//! | module | role |
//! |---|---|
//! | [`plugin`] | go-plugin handshake, AutoMTLS, the gRPC server and go-plugin's side services |
//! | [`proto`] | generated tfplugin6 and go-plugin protobuf types (used only by `plugin` and `framework::server`) |
//! | [`cty`] | Terraform's type system: types, values, msgpack and JSON codecs |
//! | [`framework`] | schema model, diagnostics, plan modifiers, validators, resource traits, the tfplugin6 dispatcher |
//! | [`net`] | the HTTP client builder, body cap and retry policy both API clients share |
//! | [`conductorone`] | the ConductorOne API client (auth, retries, pagination) |
//! | [`xero`] | the Xero credential check |
//! | [`provider`] | the `conductorone` provider: configuration, `conductorone_xero_integration`, `conductorone_xero_sync` |

// The name `#[derive(TerraformModel)]` writes paths with, so the derive works here as in other crates.
extern crate self as terraform_provider_conductorone;

pub mod conductorone;
pub mod cty;
pub mod framework;
pub mod logging;
pub mod net;
pub mod plugin;
pub mod proto;
pub mod provider;
pub mod secret;
pub mod xero;
