//! The `terraform-provider-conductorone` binary: everything happens in
//! [`terraform_provider_conductorone::plugin::main`].
//!
//! Not wired yet: the tfplugin6 dispatcher (`framework::server::ProviderService`) and the
//! provider (`provider::ConductorOneProvider`) have not landed. The integrator replaces `main`
//! with:
//!
//! ```ignore
//! fn main() -> std::process::ExitCode {
//!     use terraform_provider_conductorone::{framework, plugin, provider};
//!     plugin::main(
//!         plugin::PluginInfo {
//!             name: "conductorone",
//!             address: "registry.terraform.io/conductorone/conductorone",
//!             version: env!("CARGO_PKG_VERSION"),
//!         },
//!         || framework::server::ProviderService::new(provider::ConductorOneProvider::new()),
//!     )
//! }
//! ```
//!
//! `tests/plugin_handshake.rs` drives this binary and fails until that is done.

fn main() {}
