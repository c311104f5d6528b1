//! Generated protobuf types and gRPC stubs.
//!
//! Only [`crate::plugin`] and the protocol adapter in [`crate::framework`] should touch these; the
//! layers above work with the framework's own types.

/// Terraform's plugin protocol, major version 6 (`proto/tfplugin6.proto`).
#[allow(
    missing_docs,
    unreachable_pub,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used,
    clippy::large_enum_variant
)]
pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

/// go-plugin's side services: controller, stdio relay and connection broker (`proto/grpc_*.proto`).
#[allow(
    missing_docs,
    unreachable_pub,
    clippy::all,
    clippy::pedantic,
    clippy::unwrap_used
)]
pub mod plugin {
    tonic::include_proto!("plugin");
}
