//! Shared harness for the acceptance tests in `tests/*.rs` (each includes it with `mod support;`).
//!
//! It finds the Terraform CLIs to test against ([`terraform`]), builds and locates the provider
//! binaries under test ([`binaries`]), and runs Terraform in throw-away working directories wired to
//! those binaries through `dev_overrides` ([`workdir`]). Acceptance tests are written once per
//! scenario with [`terraform_tests!`], which expands to one `#[test]` per supported Terraform version.

// Each test crate uses a different part of the harness.
#![allow(dead_code, unused_imports, unused_macros)]

pub(crate) mod binaries;
pub(crate) mod terraform;
pub(crate) mod workdir;

pub(crate) use binaries::{ProviderBinary, conductorone_provider, test_provider};
pub(crate) use terraform::{SUPPORTED_VERSIONS, Terraform, Version};
pub(crate) use workdir::{Output, Workdir};

/// Expands to one `#[test]` per supported Terraform version, each calling `$body` with that
/// version's [`Terraform`]; a version left out of `TF_ACC_TERRAFORM_VERSIONS` returns early, saying so.
///
/// ```ignore
/// terraform_tests! {
///     fn apply_then_plan_is_empty(tf) { /* ... */ }
/// }
/// ```
/// produces `apply_then_plan_is_empty::terraform_1_15_5` and `apply_then_plan_is_empty::terraform_1_0_3`.
macro_rules! terraform_tests {
    ($(fn $name:ident($tf:ident) $body:block)+) => {$(
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            fn scenario($tf: &$crate::support::Terraform) $body

            #[test]
            fn terraform_1_15_5() {
                if let Some(tf) = $crate::support::terraform::for_slot("1.15.5") {
                    scenario(&tf);
                }
            }

            #[test]
            fn terraform_1_0_3() {
                if let Some(tf) = $crate::support::terraform::for_slot("1.0.3") {
                    scenario(&tf);
                }
            }
        }
    )+};
}
pub(crate) use terraform_tests;
