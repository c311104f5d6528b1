use std::sync::Arc;

use crate::framework::TerraformModel;
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::*;
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::{ValidateRequest, ValidateResponse, Value};
use crate::proto::tfplugin6 as pb;

#[derive(Clone, Serialize, Deserialize, JsonSchema, TerraformModel)]
struct Config {
    #[terraform(optional)]
    endpoint: Value<String>,
}

#[derive(Clone, Serialize, Deserialize, JsonSchema, TerraformModel)]
struct Broken {
    #[schemars(extend("x-terraform" = {"no_such_kind": true}))]
    a: Value<String>,
}

struct Minimal;

#[async_trait]
impl crate::framework::DataSource for Minimal {
    type ProviderData = ();
    type Model = Broken;

    fn type_name(&self) -> String {
        "minimal_broken".into()
    }

    async fn validate(&self, _req: ValidateRequest<Broken>, _resp: &mut ValidateResponse) {}

    async fn read(
        &self,
        _ctx: &Context<()>,
        _req: crate::framework::ReadDataRequest<Broken>,
        _resp: &mut crate::framework::ReadDataResponse<Broken>,
    ) {
    }
}

struct MinimalProvider;

#[async_trait]
impl Provider for MinimalProvider {
    type Config = Config;
    type Data = ();

    fn type_name(&self) -> String {
        "minimal".into()
    }

    async fn configure(&self, _req: ConfigureRequest<Config>, resp: &mut ConfigureResponse<()>) {
        resp.data = Some(Arc::new(()));
    }

    fn resources(&self) -> Vec<Arc<dyn AnyResource<()>>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<()>>> {
        vec![Arc::new(Minimal)]
    }
}

#[tokio::test]
async fn a_panicking_handler_becomes_a_diagnostic() {
    let resp: pb::read_resource::Response =
        guard::run("ReadResource", "x_thing".into(), async { panic!("boom") })
            .await
            .expect("ok answer")
            .into_inner();
    assert_eq!(resp.diagnostics.len(), 1);
    let d = &resp.diagnostics[0];
    assert_eq!(d.summary, "Provider Panicked");
    assert!(
        d.detail.contains("boom") && d.detail.contains("x_thing"),
        "{}",
        d.detail
    );
    assert_eq!(d.severity, pb::diagnostic::Severity::Error as i32);
}

#[tokio::test]
async fn schema_errors_and_unknown_types_are_diagnostics() {
    let service = ProviderService::new(MinimalProvider);
    let schema = metadata::get_provider_schema(&service.inner);
    assert_eq!(schema.diagnostics.len(), 1);
    assert!(
        schema.diagnostics[0]
            .detail
            .contains("x-terraform extensions are not read"),
        "{}",
        schema.diagnostics[0].detail
    );
    assert!(schema.data_source_schemas.is_empty());
    assert!(
        schema
            .provider
            .and_then(|p| p.block)
            .is_some_and(|b| b.attributes[0].name == "endpoint")
    );

    let req = pb::read_data_source::Request {
        type_name: "minimal_nope".into(),
        ..Default::default()
    };
    let resp = data::read(&service.inner, req).await;
    assert_eq!(resp.diagnostics[0].summary, "Unknown Data Source Type");
}

#[tokio::test]
async fn stop_provider_cancels_the_context_token() {
    use crate::proto::tfplugin6::provider_server::Provider as _;
    let service = ProviderService::new(MinimalProvider);
    let ctx = service.inner.context(ClientCapabilities::default());
    assert!(!ctx.is_cancelled());
    service
        .stop_provider(tonic::Request::new(pb::stop_provider::Request {}))
        .await
        .expect("stop");
    assert!(ctx.is_cancelled());
}
