//! The `terraform-provider-conductorone` binary: Terraform starts it, and everything happens in
//! [`terraform_provider_conductorone::plugin::main`], which serves the tfplugin6 dispatcher for
//! the `conductorone` provider.

use std::process::ExitCode;

use terraform_provider_conductorone::{framework, plugin, provider};

fn main() -> ExitCode {
    plugin::main(
        plugin::PluginInfo {
            name: "conductorone",
            address: "registry.terraform.io/conductorone/conductorone",
            version: env!("CARGO_PKG_VERSION"),
        },
        || framework::server::ProviderService::new(provider::ConductorOneProvider::new()),
    )
}
