//! The generated tfplugin6 service trait, implemented by forwarding each RPC to its module: one
//! table of the RPCs served, one of those refused, then the few that need their own code.

use tonic::{Request, Response, Status, Streaming};

use super::{
    ProviderService, actions, apply, data, generate, guard, listing, metadata, plan,
    provider_config, state, unsupported, validate,
};
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;
use crate::proto::tfplugin6::provider_server;

type RpcResult<T> = Result<Response<T>, Status>;

/// The type name a request is about, for the panic guard's diagnostics.
macro_rules! type_name_of {
    (typed, $req:ident) => {
        $req.type_name.clone()
    };
    (action, $req:ident) => {
        $req.action_type.clone()
    };
    (untyped, $req:ident) => {
        String::new()
    };
}

/// Implements the tfplugin6 service from two tables: unary RPCs forwarded to their module under
/// the panic guard (`method: RpcName, typed|action|untyped, |inner, req| body;`, where the message
/// module is named like the method), and RPCs this provider does not offer
/// (`method(message module): RpcName;`). Anything else (streams, functions, StopProvider) is
/// written out after them; the streams are guarded by [`super::stream`].
macro_rules! provider_service {
    (
        forwarded { $( $method:ident : $rpc:literal, $kind:ident, |$inner:ident, $req:ident| $body:expr ; )* }
        unimplemented { $( $umethod:ident ( $umsg:ident ) : $urpc:literal ; )* }
        $($rest:tt)*
    ) => {
        #[tonic::async_trait]
        impl<P: Provider> provider_server::Provider for ProviderService<P> {
            $(
                async fn $method(
                    &self,
                    request: Request<pb::$method::Request>,
                ) -> RpcResult<pb::$method::Response> {
                    let $inner = self.inner.clone();
                    let $req = request.into_inner();
                    let type_name = type_name_of!($kind, $req);
                    guard::run($rpc, type_name, async move { $body }).await
                }
            )*
            $(
                async fn $umethod(
                    &self,
                    _request: Request<pb::$umsg::Request>,
                ) -> RpcResult<pb::$umsg::Response> {
                    Err(unsupported::unimplemented($urpc))
                }
            )*
            $($rest)*
        }
    };
}

provider_service! {
    forwarded {
        get_metadata: "GetMetadata", untyped, |inner, _req| metadata::get_metadata(&inner);
        get_provider_schema: "GetProviderSchema", untyped, |inner, _req| metadata::get_provider_schema(&inner);
        get_resource_identity_schemas: "GetResourceIdentitySchemas", untyped,
            |inner, _req| metadata::get_resource_identity_schemas(&inner);
        upgrade_resource_identity: "UpgradeResourceIdentity", typed,
            |inner, req| metadata::upgrade_resource_identity(&inner, &req);
        validate_provider_config: "ValidateProviderConfig", untyped,
            |inner, req| provider_config::validate(&inner, req).await;
        configure_provider: "ConfigureProvider", untyped, |inner, req| provider_config::configure(&inner, req).await;
        validate_resource_config: "ValidateResourceConfig", typed, |inner, req| validate::resource(&inner, req).await;
        validate_data_resource_config: "ValidateDataResourceConfig", typed,
            |inner, req| validate::data_source(&inner, req).await;
        upgrade_resource_state: "UpgradeResourceState", typed, |inner, req| state::upgrade(&inner, &req);
        read_resource: "ReadResource", typed, |inner, req| state::read(&inner, req).await;
        plan_resource_change: "PlanResourceChange", typed, |inner, req| plan::plan(&inner, req).await;
        apply_resource_change: "ApplyResourceChange", typed, |inner, req| apply::apply(&inner, req).await;
        import_resource_state: "ImportResourceState", typed, |inner, req| state::import(&inner, req).await;
        read_data_source: "ReadDataSource", typed, |inner, req| data::read(&inner, req).await;
        generate_resource_config: "GenerateResourceConfig", typed,
            |inner, req| generate::generate(&inner, &req);
        validate_list_resource_config: "ValidateListResourceConfig", typed,
            |inner, req| validate::list_resource(&inner, req).await;
        validate_action_config: "ValidateActionConfig", typed, |inner, req| validate::action(&inner, req).await;
        plan_action: "PlanAction", action, |inner, req| actions::plan(&inner, req).await;
    }
    unimplemented {
        move_resource_state(move_resource_state): "MoveResourceState";
        validate_ephemeral_resource_config(validate_ephemeral_resource_config): "ValidateEphemeralResourceConfig";
        open_ephemeral_resource(open_ephemeral_resource): "OpenEphemeralResource";
        renew_ephemeral_resource(renew_ephemeral_resource): "RenewEphemeralResource";
        close_ephemeral_resource(close_ephemeral_resource): "CloseEphemeralResource";
        validate_state_store_config(validate_state_store): "ValidateStateStoreConfig";
        configure_state_store(configure_state_store): "ConfigureStateStore";
        lock_state(lock_state): "LockState";
        unlock_state(unlock_state): "UnlockState";
        get_states(get_states): "GetStates";
        delete_state(delete_state): "DeleteState";
    }

    type ListResourceStream = listing::ListStream;

    async fn list_resource(
        &self,
        request: Request<pb::list_resource::Request>,
    ) -> RpcResult<Self::ListResourceStream> {
        Ok(Response::new(listing::list(self.inner.clone(), request.into_inner())))
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

    type InvokeActionStream = actions::InvokeStream;

    async fn invoke_action(
        &self,
        request: Request<pb::invoke_action::Request>,
    ) -> RpcResult<Self::InvokeActionStream> {
        Ok(Response::new(actions::invoke(self.inner.clone(), request.into_inner())))
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
