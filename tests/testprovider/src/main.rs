//! `terraform-provider-tftest`: the test provider's binary, served like any provider.

use std::process::ExitCode;

use terraform_provider_conductorone::framework::server::ProviderService;
use terraform_provider_conductorone::plugin::{self, PluginInfo};

fn main() -> ExitCode {
    let info = PluginInfo {
        name: "tftest",
        address: tftest::ADDRESS,
        version: env!("CARGO_PKG_VERSION"),
    };
    plugin::main(info, || ProviderService::new(tftest::TfTest))
}
