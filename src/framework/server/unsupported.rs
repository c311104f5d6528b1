//! Answers for the protocol's features this framework does not offer: provider functions (an
//! empty list), ephemeral resources, state stores and resource moves (`Unimplemented`, which
//! Terraform only sees if it asks for a type this provider never declared).

use tonic::Status;

use crate::proto::tfplugin6 as pb;

pub(super) fn unimplemented(rpc: &str) -> Status {
    tracing::debug!(rpc, "unimplemented RPC called");
    Status::unimplemented(format!("{rpc} is not supported by this provider"))
}

pub(super) fn get_functions() -> pb::get_functions::Response {
    pb::get_functions::Response::default()
}

pub(super) fn call_function(req: &pb::call_function::Request) -> pb::call_function::Response {
    pb::call_function::Response {
        error: Some(pb::FunctionError {
            text: format!("This provider has no function {:?}.", req.name),
            function_argument: None,
        }),
        ..Default::default()
    }
}
