//! The streaming RPCs (ListResource, InvokeAction) of the test provider, served in-process over
//! the real tonic server and client: results, limit, panics, slow readers and cancellation.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use hyper_util::rt::TokioIo;
use serde::Serialize;
use terraform_provider_conductorone::cty::{self, Type};
use terraform_provider_conductorone::framework::server::ProviderService;
use terraform_provider_conductorone::framework::{Value, bridge, schema_for};
use terraform_provider_conductorone::proto::tfplugin6 as pb;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_conductorone::proto::tfplugin6::provider_server::ProviderServer;
use tftest::{Store, TfTest, ThingIdentity, ThingListConfig, ThingModel, WaitConfig};
use tonic::Streaming;
use tonic::transport::{Channel, Endpoint, Server};

type Client = ProviderClient<Channel>;

async fn serve() -> Client {
    let (client_io, server_io) = tokio::io::duplex(1 << 20);
    tokio::spawn(async move {
        Server::builder()
            .add_service(ProviderServer::new(ProviderService::new(TfTest)))
            .serve_with_incoming(tokio_stream::once(Ok::<_, std::io::Error>(server_io)))
            .await
    });
    let mut client_io = Some(client_io);
    let channel = Endpoint::try_from("http://in-process")
        .expect("endpoint")
        .connect_with_connector(tower::service_fn(move |_| {
            let io = client_io.take();
            async move {
                io.map(TokioIo::new)
                    .ok_or_else(|| std::io::Error::other("connected twice"))
            }
        }))
        .await
        .expect("connect");
    ProviderClient::new(channel)
}

fn dv<T: Serialize>(model: &T, ty: &Type) -> Option<pb::DynamicValue> {
    let value = bridge::to_value(model, ty).expect("to cty");
    Some(pb::DynamicValue {
        msgpack: cty::msgpack::encode(&value, ty).expect("encode"),
        json: Vec::new(),
    })
}

fn ty<T: terraform_provider_conductorone::framework::Model>() -> Type {
    schema_for::<T>().expect("schema").value_type()
}

/// A configured provider over a directory holding things named `names`.
async fn provider_with(names: &[&str]) -> (Client, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = Store::open(dir.path().to_owned()).expect("store");
    for (i, name) in names.iter().enumerate() {
        let id = format!("thing-{i:03}");
        store.save(&id, &thing(&id, name)).expect("save");
    }
    let mut client = serve().await;
    let cfg_ty = Type::object([("dir", Type::String)]);
    let cfg = cty::Value::Object(BTreeMap::from([(
        "dir".to_owned(),
        cty::Value::String(dir.path().display().to_string()),
    )]));
    let resp = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: Some(pb::DynamicValue {
                msgpack: cty::msgpack::encode(&cfg, &cfg_ty).expect("encode"),
                json: Vec::new(),
            }),
            client_capabilities: None,
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    (client, dir)
}

fn thing(id: &str, name: &str) -> ThingModel {
    ThingModel {
        id: id.into(),
        name: name.into(),
        description: Value::Null,
        size: 1.into(),
        secret: Value::Null,
        password: Value::Null,
        zone: Value::Null,
        tags: Value::Null,
        endpoint: Value::Null,
        created_at: "0".into(),
        revision: 1.into(),
        fail_create: Value::Null,
        panic_on: Value::Null,
    }
}

fn list_config() -> ThingListConfig {
    ThingListConfig {
        name_prefix: Value::Null,
        delay_ms: Value::Null,
        panic_after: Value::Null,
        warn: Value::Null,
    }
}

async fn list(
    client: &mut Client,
    config: &ThingListConfig,
    include_resource: bool,
    limit: i64,
) -> Streaming<pb::list_resource::Event> {
    client
        .list_resource(pb::list_resource::Request {
            type_name: "tftest_thing".into(),
            config: dv(config, &ty::<ThingListConfig>()),
            include_resource_object: include_resource,
            limit,
        })
        .await
        .expect("list")
        .into_inner()
}

async fn all<T>(mut stream: Streaming<T>) -> Vec<T> {
    let mut out = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(10), stream.message())
        .await
        .expect("stream stalled")
        .expect("stream error")
    {
        out.push(event);
    }
    out
}

fn identity_of(event: &pb::list_resource::Event) -> String {
    let data = event
        .identity
        .as_ref()
        .and_then(|i| i.identity_data.as_ref())
        .expect("identity");
    let value = cty::msgpack::decode(&data.msgpack, &ty::<ThingIdentity>()).expect("identity");
    value
        .attr("id")
        .and_then(cty::Value::as_str)
        .expect("id")
        .to_owned()
}

fn summaries(diagnostics: &[pb::Diagnostic]) -> Vec<String> {
    diagnostics.iter().map(|d| d.summary.clone()).collect()
}

fn wait_config(label: &str, ms: i64, steps: i64) -> WaitConfig {
    WaitConfig {
        label: label.into(),
        ms: ms.into(),
        steps: steps.into(),
        fail: Value::Null,
        panic: Value::Null,
    }
}

async fn invoke(client: &mut Client, config: &WaitConfig) -> Streaming<pb::invoke_action::Event> {
    client
        .invoke_action(pb::invoke_action::Request {
            action_type: "tftest_wait".into(),
            config: dv(config, &ty::<WaitConfig>()),
            client_capabilities: None,
        })
        .await
        .expect("invoke")
        .into_inner()
}

/// Progress messages, then the completion's diagnostic summaries; panics unless exactly one
/// completion ends the stream.
fn progress_and_outcome(events: &[pb::invoke_action::Event]) -> (Vec<String>, Vec<String>) {
    use pb::invoke_action::event::Type;
    let (last, rest) = events.split_last().expect("no events");
    let progress = rest
        .iter()
        .map(|e| match &e.r#type {
            Some(Type::Progress(p)) => p.message.clone(),
            other => panic!("expected progress, got {other:?}"),
        })
        .collect();
    let Some(Type::Completed(done)) = &last.r#type else {
        panic!("the stream did not end with a completion: {last:?}");
    };
    (progress, summaries(&done.diagnostics))
}

/// Waits up to `within` for `<dir>/actions.log` to hold `line`.
async fn logged(dir: &Path, line: &str, within: Duration) -> bool {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let log = std::fs::read_to_string(dir.join("actions.log")).unwrap_or_default();
        if log.lines().any(|l| l == line) {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn metadata_and_schema_declare_the_list_and_the_action() {
    let mut client = serve().await;
    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    assert!(meta.diagnostics.is_empty(), "{:?}", meta.diagnostics);
    let lists: Vec<_> = meta
        .list_resources
        .iter()
        .map(|l| l.type_name.as_str())
        .collect();
    let actions: Vec<_> = meta.actions.iter().map(|a| a.type_name.as_str()).collect();
    assert_eq!(lists, ["tftest_thing"]);
    assert_eq!(actions, ["tftest_wait"]);
    let schema = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(schema.diagnostics.is_empty(), "{:?}", schema.diagnostics);
    let list_block = schema.list_resource_schemas["tftest_thing"]
        .block
        .clone()
        .expect("list block");
    let prefix = list_block
        .attributes
        .iter()
        .find(|a| a.name == "name_prefix")
        .expect("name_prefix");
    assert!(prefix.optional && !prefix.required);
    let action_block = schema.action_schemas["tftest_wait"]
        .schema
        .clone()
        .and_then(|s| s.block)
        .expect("action block");
    assert!(
        action_block
            .attributes
            .iter()
            .any(|a| a.name == "label" && a.required)
    );
}

#[tokio::test]
async fn list_streams_identities_names_and_objects_when_asked() {
    let (mut client, _dir) = provider_with(&["alpha", "beta", "alfa"]).await;
    let events = all(list(&mut client, &list_config(), true, 100).await).await;
    let ids: Vec<_> = events.iter().map(identity_of).collect();
    assert_eq!(ids, ["thing-000", "thing-001", "thing-002"]);
    assert_eq!(events[1].display_name, "beta (thing-001)");
    let object = events[1].resource_object.as_ref().expect("resource object");
    let state = cty::msgpack::decode(&object.msgpack, &ty::<ThingModel>()).expect("state");
    assert_eq!(
        state.attr("name").and_then(cty::Value::as_str),
        Some("beta")
    );
    assert!(events.iter().all(|e| e.diagnostic.is_empty()));

    // Without include_resource no object is sent; the prefix filters.
    let mut config = list_config();
    config.name_prefix = "al".into();
    let events = all(list(&mut client, &config, false, 100).await).await;
    let ids: Vec<_> = events.iter().map(identity_of).collect();
    assert_eq!(ids, ["thing-000", "thing-002"]);
    assert!(events.iter().all(|e| e.resource_object.is_none()));
}

#[tokio::test]
async fn list_honours_limit_and_sends_warnings_through() {
    let (mut client, _dir) = provider_with(&["a", "b", "c", "d", "e"]).await;
    let mut config = list_config();
    config.warn = "careful".into();
    let events = all(list(&mut client, &config, false, 2).await).await;
    assert_eq!(events.len(), 3, "{events:?}");
    assert_eq!(summaries(&events[0].diagnostic), ["Listing Warning"]);
    assert!(events[0].identity.is_none());
    assert_eq!(identity_of(&events[2]), "thing-001");
    let none = all(list(&mut client, &list_config(), false, 0).await).await;
    assert!(none.is_empty(), "{none:?}");
}

#[tokio::test]
async fn list_panic_becomes_a_diagnostic_event_and_the_provider_serves_on() {
    let (mut client, _dir) = provider_with(&["a", "b", "c"]).await;
    let mut config = list_config();
    config.panic_after = 1.into();
    let events = all(list(&mut client, &config, false, 100).await).await;
    assert_eq!(events.len(), 2, "{events:?}");
    assert_eq!(identity_of(&events[0]), "thing-000");
    assert_eq!(summaries(&events[1].diagnostic), ["Provider Panicked"]);
    assert!(
        events[1].diagnostic[0]
            .detail
            .contains("panic after 1 items")
    );
    let again = all(list(&mut client, &list_config(), false, 100).await).await;
    assert_eq!(again.len(), 3);
}

#[tokio::test]
async fn slow_reader_loses_no_event() {
    let names: Vec<String> = (0..120).map(|i| format!("n{i}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let (mut client, _dir) = provider_with(&refs).await;
    let mut stream = list(&mut client, &list_config(), true, 1000).await;
    // Let the provider fill every buffer between it and us before reading anything.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut ids = Vec::new();
    while let Some(event) = stream.message().await.expect("stream") {
        ids.push(identity_of(&event));
        if ids.len() % 10 == 0 {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let expected: Vec<String> = (0..120).map(|i| format!("thing-{i:03}")).collect();
    assert_eq!(ids, expected);
}

#[tokio::test]
async fn list_stops_when_terraform_drops_the_stream() {
    let names = ["a"; 20];
    let (mut client, dir) = provider_with(&names).await;
    let mut config = list_config();
    config.delay_ms = 300.into();
    let mut stream = list(&mut client, &config, false, 100).await;
    let first = stream.message().await.expect("stream").expect("event");
    assert_eq!(identity_of(&first), "thing-000");
    drop(stream);
    assert!(
        logged(dir.path(), "list: cancelled", Duration::from_secs(2)).await,
        "the list kept running after the client went away"
    );
}

#[tokio::test]
async fn action_streams_progress_then_one_completion() {
    let (mut client, dir) = provider_with(&[]).await;
    let events = all(invoke(&mut client, &wait_config("w", 30, 3)).await).await;
    let (progress, outcome) = progress_and_outcome(&events);
    assert_eq!(
        progress,
        ["w: step 1 of 3", "w: step 2 of 3", "w: step 3 of 3"]
    );
    assert!(outcome.is_empty(), "{outcome:?}");
    assert!(logged(dir.path(), "w: completed", Duration::ZERO).await);
}

#[tokio::test]
async fn action_failure_and_panic_complete_with_errors() {
    let (mut client, dir) = provider_with(&[]).await;
    let mut config = wait_config("f", 0, 1);
    config.fail = true.into();
    let events = all(invoke(&mut client, &config).await).await;
    assert_eq!(progress_and_outcome(&events).1, ["Action Failed"]);
    assert!(logged(dir.path(), "f: failed", Duration::ZERO).await);

    let mut config = wait_config("p", 0, 1);
    config.panic = true.into();
    let events = all(invoke(&mut client, &config).await).await;
    assert_eq!(
        progress_and_outcome(&events),
        (vec![], vec!["Provider Panicked".to_owned()])
    );
}

#[tokio::test]
async fn stop_provider_ends_a_running_action_promptly() {
    let (mut client, dir) = provider_with(&[]).await;
    let mut stream = invoke(&mut client, &wait_config("s", 60_000, 2)).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    client
        .stop_provider(pb::stop_provider::Request {})
        .await
        .expect("stop");
    // Well within the grace period: the action itself saw the cancellation.
    let mut events = Vec::new();
    while let Some(event) = tokio::time::timeout(Duration::from_secs(2), stream.message())
        .await
        .expect("the action did not stop")
        .expect("stream")
    {
        events.push(event);
    }
    assert_eq!(
        progress_and_outcome(&events),
        (vec![], vec!["Action Cancelled".to_owned()])
    );
    assert!(logged(dir.path(), "s: cancelled", Duration::ZERO).await);
}

#[tokio::test]
async fn action_stops_when_terraform_drops_the_stream() {
    let (mut client, dir) = provider_with(&[]).await;
    let stream = invoke(&mut client, &wait_config("d", 60_000, 1)).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(stream);
    assert!(
        logged(dir.path(), "d: cancelled", Duration::from_secs(2)).await,
        "the action kept running after the client went away"
    );
}

#[tokio::test]
async fn plan_allows_unknowns_and_validation_points_at_attributes() {
    let (mut client, _dir) = provider_with(&[]).await;
    let wait_ty = ty::<WaitConfig>();
    let plan = |config: WaitConfig| pb::plan_action::Request {
        action_type: "tftest_wait".into(),
        config: dv(&config, &wait_ty),
        client_capabilities: None,
    };
    let mut unknown = wait_config("u", 0, 3);
    unknown.ms = Value::Unknown;
    unknown.label = Value::Unknown;
    let resp = client
        .plan_action(plan(unknown))
        .await
        .expect("plan")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let resp = client
        .plan_action(plan(wait_config("u", 0, 3)))
        .await
        .expect("plan")
        .into_inner();
    assert_eq!(summaries(&resp.diagnostics), ["Steps Without Waiting"]);
    let step = &resp.diagnostics[0].attribute.as_ref().expect("path").steps[0];
    assert_eq!(
        step.selector,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "steps".into()
        ))
    );

    let resp = client
        .validate_action_config(pb::validate_action_config::Request {
            type_name: "tftest_wait".into(),
            config: dv(&wait_config(" ", 10, 1), &wait_ty),
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);

    let mut config = list_config();
    config.delay_ms = 999_999.into();
    let resp = client
        .validate_list_resource_config(pb::validate_list_resource_config::Request {
            type_name: "tftest_thing".into(),
            config: dv(&config, &ty::<ThingListConfig>()),
            ..Default::default()
        })
        .await
        .expect("validate list")
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
}
