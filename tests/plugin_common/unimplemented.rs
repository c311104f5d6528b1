//! A provider that answers every RPC with `Unimplemented`: enough to exercise the transport.

use futures_util::stream::BoxStream;
use terraform_provider_conductorone::proto::tfplugin6::provider_server::Provider;
use terraform_provider_conductorone::proto::tfplugin6::*;
use tonic::{Request, Response, Status, Streaming};

/// Answers nothing; the transport tests only need the service to exist.
pub struct Unimplemented;

// `async_trait` rewrites the methods it can see, so the macro must emit the whole impl.
macro_rules! unimplemented_provider {
    ($($name:ident : $module:ident),* $(,)?) => {
        #[tonic::async_trait]
        impl Provider for Unimplemented {
            $(
                async fn $name(
                    &self,
                    _request: Request<$module::Request>,
                ) -> Result<Response<$module::Response>, Status> {
                    Err(Status::unimplemented(stringify!($name)))
                }
            )*

            type ListResourceStream = BoxStream<'static, Result<list_resource::Event, Status>>;
            async fn list_resource(
                &self,
                _request: Request<list_resource::Request>,
            ) -> Result<Response<Self::ListResourceStream>, Status> {
                Err(Status::unimplemented("list_resource"))
            }

            type ReadStateBytesStream =
                BoxStream<'static, Result<read_state_bytes::Response, Status>>;
            async fn read_state_bytes(
                &self,
                _request: Request<read_state_bytes::Request>,
            ) -> Result<Response<Self::ReadStateBytesStream>, Status> {
                Err(Status::unimplemented("read_state_bytes"))
            }

            async fn write_state_bytes(
                &self,
                _request: Request<Streaming<write_state_bytes::RequestChunk>>,
            ) -> Result<Response<write_state_bytes::Response>, Status> {
                Err(Status::unimplemented("write_state_bytes"))
            }

            type InvokeActionStream = BoxStream<'static, Result<invoke_action::Event, Status>>;
            async fn invoke_action(
                &self,
                _request: Request<invoke_action::Request>,
            ) -> Result<Response<Self::InvokeActionStream>, Status> {
                Err(Status::unimplemented("invoke_action"))
            }
        }
    };
}

unimplemented_provider!(
    get_metadata: get_metadata,
    get_provider_schema: get_provider_schema,
    validate_provider_config: validate_provider_config,
    validate_resource_config: validate_resource_config,
    validate_data_resource_config: validate_data_resource_config,
    upgrade_resource_state: upgrade_resource_state,
    get_resource_identity_schemas: get_resource_identity_schemas,
    upgrade_resource_identity: upgrade_resource_identity,
    configure_provider: configure_provider,
    read_resource: read_resource,
    plan_resource_change: plan_resource_change,
    apply_resource_change: apply_resource_change,
    import_resource_state: import_resource_state,
    move_resource_state: move_resource_state,
    read_data_source: read_data_source,
    generate_resource_config: generate_resource_config,
    validate_ephemeral_resource_config: validate_ephemeral_resource_config,
    open_ephemeral_resource: open_ephemeral_resource,
    renew_ephemeral_resource: renew_ephemeral_resource,
    close_ephemeral_resource: close_ephemeral_resource,
    validate_list_resource_config: validate_list_resource_config,
    get_functions: get_functions,
    call_function: call_function,
    validate_state_store_config: validate_state_store,
    configure_state_store: configure_state_store,
    lock_state: lock_state,
    unlock_state: unlock_state,
    get_states: get_states,
    delete_state: delete_state,
    plan_action: plan_action,
    validate_action_config: validate_action_config,
    stop_provider: stop_provider,
);
