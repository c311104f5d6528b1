//! The generated tfplugin6 service trait, implemented by forwarding each RPC to its module.

use tonic::{Request, Response, Status, Streaming};

use super::{
    ProviderService, apply, data, guard, metadata, plan, provider_config, state, unsupported,
    validate,
};
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server;

type RpcResult<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl<P: Provider> provider_server::Provider for ProviderService<P> {
    async fn get_metadata(
        &self,
        _request: Request<pb::get_metadata::Request>,
    ) -> RpcResult<pb::get_metadata::Response> {
        let inner = self.inner.clone();
        let type_name = String::new();
        guard::run("GetMetadata", type_name, async move {
            metadata::get_metadata(&inner)
        })
        .await
    }

    async fn get_provider_schema(
        &self,
        _request: Request<pb::get_provider_schema::Request>,
    ) -> RpcResult<pb::get_provider_schema::Response> {
        let inner = self.inner.clone();
        let type_name = String::new();
        guard::run("GetProviderSchema", type_name, async move {
            metadata::get_provider_schema(&inner)
        })
        .await
    }

    async fn get_resource_identity_schemas(
        &self,
        _request: Request<pb::get_resource_identity_schemas::Request>,
    ) -> RpcResult<pb::get_resource_identity_schemas::Response> {
        let inner = self.inner.clone();
        let type_name = String::new();
        guard::run("GetResourceIdentitySchemas", type_name, async move {
            metadata::get_resource_identity_schemas(&inner)
        })
        .await
    }

    async fn upgrade_resource_identity(
        &self,
        request: Request<pb::upgrade_resource_identity::Request>,
    ) -> RpcResult<pb::upgrade_resource_identity::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("UpgradeResourceIdentity", type_name, async move {
            metadata::upgrade_resource_identity(&inner, &req)
        })
        .await
    }

    async fn validate_provider_config(
        &self,
        request: Request<pb::validate_provider_config::Request>,
    ) -> RpcResult<pb::validate_provider_config::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = String::new();
        guard::run("ValidateProviderConfig", type_name, async move {
            provider_config::validate(&inner, req).await
        })
        .await
    }

    async fn configure_provider(
        &self,
        request: Request<pb::configure_provider::Request>,
    ) -> RpcResult<pb::configure_provider::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = String::new();
        guard::run("ConfigureProvider", type_name, async move {
            provider_config::configure(&inner, req).await
        })
        .await
    }

    async fn validate_resource_config(
        &self,
        request: Request<pb::validate_resource_config::Request>,
    ) -> RpcResult<pb::validate_resource_config::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ValidateResourceConfig", type_name, async move {
            validate::resource(&inner, req).await
        })
        .await
    }

    async fn validate_data_resource_config(
        &self,
        request: Request<pb::validate_data_resource_config::Request>,
    ) -> RpcResult<pb::validate_data_resource_config::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ValidateDataResourceConfig", type_name, async move {
            validate::data_source(&inner, req).await
        })
        .await
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<pb::upgrade_resource_state::Request>,
    ) -> RpcResult<pb::upgrade_resource_state::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("UpgradeResourceState", type_name, async move {
            state::upgrade(&inner, &req)
        })
        .await
    }

    async fn read_resource(
        &self,
        request: Request<pb::read_resource::Request>,
    ) -> RpcResult<pb::read_resource::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ReadResource", type_name, async move {
            state::read(&inner, req).await
        })
        .await
    }

    async fn plan_resource_change(
        &self,
        request: Request<pb::plan_resource_change::Request>,
    ) -> RpcResult<pb::plan_resource_change::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("PlanResourceChange", type_name, async move {
            plan::plan(&inner, req).await
        })
        .await
    }

    async fn apply_resource_change(
        &self,
        request: Request<pb::apply_resource_change::Request>,
    ) -> RpcResult<pb::apply_resource_change::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ApplyResourceChange", type_name, async move {
            apply::apply(&inner, req).await
        })
        .await
    }

    async fn import_resource_state(
        &self,
        request: Request<pb::import_resource_state::Request>,
    ) -> RpcResult<pb::import_resource_state::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ImportResourceState", type_name, async move {
            state::import(&inner, req).await
        })
        .await
    }

    async fn read_data_source(
        &self,
        request: Request<pb::read_data_source::Request>,
    ) -> RpcResult<pb::read_data_source::Response> {
        let inner = self.inner.clone();
        let req = request.into_inner();
        let type_name = req.type_name.clone();
        guard::run("ReadDataSource", type_name, async move {
            data::read(&inner, req).await
        })
        .await
    }

    async fn move_resource_state(
        &self,
        _request: Request<pb::move_resource_state::Request>,
    ) -> RpcResult<pb::move_resource_state::Response> {
        Err(unsupported::unimplemented("MoveResourceState"))
    }

    async fn generate_resource_config(
        &self,
        _request: Request<pb::generate_resource_config::Request>,
    ) -> RpcResult<pb::generate_resource_config::Response> {
        Err(unsupported::unimplemented("GenerateResourceConfig"))
    }

    async fn validate_ephemeral_resource_config(
        &self,
        _request: Request<pb::validate_ephemeral_resource_config::Request>,
    ) -> RpcResult<pb::validate_ephemeral_resource_config::Response> {
        Err(unsupported::unimplemented(
            "ValidateEphemeralResourceConfig",
        ))
    }

    async fn open_ephemeral_resource(
        &self,
        _request: Request<pb::open_ephemeral_resource::Request>,
    ) -> RpcResult<pb::open_ephemeral_resource::Response> {
        Err(unsupported::unimplemented("OpenEphemeralResource"))
    }

    async fn renew_ephemeral_resource(
        &self,
        _request: Request<pb::renew_ephemeral_resource::Request>,
    ) -> RpcResult<pb::renew_ephemeral_resource::Response> {
        Err(unsupported::unimplemented("RenewEphemeralResource"))
    }

    async fn close_ephemeral_resource(
        &self,
        _request: Request<pb::close_ephemeral_resource::Request>,
    ) -> RpcResult<pb::close_ephemeral_resource::Response> {
        Err(unsupported::unimplemented("CloseEphemeralResource"))
    }

    async fn validate_list_resource_config(
        &self,
        _request: Request<pb::validate_list_resource_config::Request>,
    ) -> RpcResult<pb::validate_list_resource_config::Response> {
        Err(unsupported::unimplemented("ValidateListResourceConfig"))
    }

    async fn validate_state_store_config(
        &self,
        _request: Request<pb::validate_state_store::Request>,
    ) -> RpcResult<pb::validate_state_store::Response> {
        Err(unsupported::unimplemented("ValidateStateStoreConfig"))
    }

    async fn configure_state_store(
        &self,
        _request: Request<pb::configure_state_store::Request>,
    ) -> RpcResult<pb::configure_state_store::Response> {
        Err(unsupported::unimplemented("ConfigureStateStore"))
    }

    async fn lock_state(
        &self,
        _request: Request<pb::lock_state::Request>,
    ) -> RpcResult<pb::lock_state::Response> {
        Err(unsupported::unimplemented("LockState"))
    }

    async fn unlock_state(
        &self,
        _request: Request<pb::unlock_state::Request>,
    ) -> RpcResult<pb::unlock_state::Response> {
        Err(unsupported::unimplemented("UnlockState"))
    }

    async fn get_states(
        &self,
        _request: Request<pb::get_states::Request>,
    ) -> RpcResult<pb::get_states::Response> {
        Err(unsupported::unimplemented("GetStates"))
    }

    async fn delete_state(
        &self,
        _request: Request<pb::delete_state::Request>,
    ) -> RpcResult<pb::delete_state::Response> {
        Err(unsupported::unimplemented("DeleteState"))
    }

    async fn plan_action(
        &self,
        _request: Request<pb::plan_action::Request>,
    ) -> RpcResult<pb::plan_action::Response> {
        Err(unsupported::unimplemented("PlanAction"))
    }

    async fn validate_action_config(
        &self,
        _request: Request<pb::validate_action_config::Request>,
    ) -> RpcResult<pb::validate_action_config::Response> {
        Err(unsupported::unimplemented("ValidateActionConfig"))
    }

    type ListResourceStream = tokio_stream::Empty<Result<pb::list_resource::Event, Status>>;

    async fn list_resource(
        &self,
        _request: Request<pb::list_resource::Request>,
    ) -> RpcResult<Self::ListResourceStream> {
        Err(unsupported::unimplemented("ListResource"))
    }

    type ReadStateBytesStream = tokio_stream::Empty<Result<pb::read_state_bytes::Response, Status>>;

    async fn read_state_bytes(
        &self,
        _request: Request<pb::read_state_bytes::Request>,
    ) -> RpcResult<Self::ReadStateBytesStream> {
        Err(unsupported::unimplemented("ReadStateBytes"))
    }

    async fn write_state_bytes(
        &self,
        _request: Request<Streaming<pb::write_state_bytes::RequestChunk>>,
    ) -> RpcResult<pb::write_state_bytes::Response> {
        Err(unsupported::unimplemented("WriteStateBytes"))
    }

    type InvokeActionStream = tokio_stream::Empty<Result<pb::invoke_action::Event, Status>>;

    async fn invoke_action(
        &self,
        _request: Request<pb::invoke_action::Request>,
    ) -> RpcResult<Self::InvokeActionStream> {
        Err(unsupported::unimplemented("InvokeAction"))
    }

    async fn get_functions(
        &self,
        _request: Request<pb::get_functions::Request>,
    ) -> RpcResult<pb::get_functions::Response> {
        Ok(Response::new(unsupported::get_functions()))
    }

    async fn call_function(
        &self,
        request: Request<pb::call_function::Request>,
    ) -> RpcResult<pb::call_function::Response> {
        Ok(Response::new(unsupported::call_function(request.get_ref())))
    }

    async fn stop_provider(
        &self,
        _request: Request<pb::stop_provider::Request>,
    ) -> RpcResult<pb::stop_provider::Response> {
        tracing::debug!(rpc = "StopProvider", "cancelling in-flight work");
        self.inner.cancel.cancel();
        Ok(Response::new(pb::stop_provider::Response::default()))
    }
}
