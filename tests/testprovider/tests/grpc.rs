//! The test provider served in-process over an in-memory duplex: the real tonic server and the
//! generated client, every value through the real msgpack codec.

use std::collections::BTreeMap;

use hyper_util::rt::TokioIo;
use terraform_provider_conductorone::cty::{self, Type};
use terraform_provider_conductorone::framework::bridge;
use terraform_provider_conductorone::framework::server::ProviderService;
use terraform_provider_conductorone::proto::tfplugin6 as pb;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_conductorone::proto::tfplugin6::provider_server::ProviderServer;
use tftest::{TfTest, ThingModel, Zone};
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

fn thing_type() -> Type {
    terraform_provider_conductorone::framework::schema_for::<ThingModel>()
        .expect("schema")
        .value_type()
}

fn dv(v: &cty::Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue {
        msgpack: cty::msgpack::encode(v, ty).expect("encode"),
        json: Vec::new(),
    })
}

fn undv(d: Option<&pb::DynamicValue>, ty: &Type) -> cty::Value {
    cty::msgpack::decode(&d.expect("value").msgpack, ty).expect("decode")
}

fn model(name: &str) -> ThingModel {
    ThingModel {
        id: Default::default(),
        name: name.into(),
        description: Default::default(),
        size: Default::default(),
        secret: "s3cret".into(),
        password: Default::default(),
        zone: Zone::A.into(),
        tags: vec!["x".to_owned()].into(),
        endpoint: Default::default(),
        created_at: Default::default(),
        revision: Default::default(),
        fail_create: Default::default(),
        panic_on: Default::default(),
    }
}

fn config(m: &ThingModel) -> cty::Value {
    bridge::to_value(m, &thing_type()).expect("config")
}

/// Terraform's proposal: config, with prior values for computed attributes the config leaves null.
fn propose(prior: &cty::Value, config: &cty::Value) -> cty::Value {
    let computed = ["id", "size", "created_at", "revision"];
    let (cty::Value::Object(c), cty::Value::Object(p)) = (config, prior) else {
        return config.clone();
    };
    let mut out: BTreeMap<String, cty::Value> = c.clone();
    for (k, v) in out.iter_mut() {
        if v.is_null() && computed.contains(&k.as_str()) {
            *v = p.get(k).cloned().unwrap_or(cty::Value::Null);
        }
    }
    cty::Value::Object(out)
}

fn caps() -> Option<pb::ClientCapabilities> {
    Some(pb::ClientCapabilities {
        deferral_allowed: false,
        write_only_attributes_allowed: true,
    })
}

async fn configure(client: &mut Client, dir: &std::path::Path) {
    let ty = Type::object([("dir", Type::String)]);
    let cfg = cty::Value::Object(BTreeMap::from([(
        "dir".to_owned(),
        cty::Value::String(dir.display().to_string()),
    )]));
    let resp = client
        .configure_provider(pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dv(&cfg, &ty),
            client_capabilities: caps(),
        })
        .await
        .expect("configure")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
}

async fn plan(
    client: &mut Client,
    prior: &cty::Value,
    config: &cty::Value,
) -> pb::plan_resource_change::Response {
    let ty = thing_type();
    client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "tftest_thing".into(),
            prior_state: dv(prior, &ty),
            proposed_new_state: dv(&propose(prior, config), &ty),
            config: dv(config, &ty),
            client_capabilities: caps(),
            ..Default::default()
        })
        .await
        .expect("plan")
        .into_inner()
}

async fn apply(
    client: &mut Client,
    prior: &cty::Value,
    planned: &pb::plan_resource_change::Response,
    config: &cty::Value,
) -> pb::apply_resource_change::Response {
    let ty = thing_type();
    client
        .apply_resource_change(pb::apply_resource_change::Request {
            type_name: "tftest_thing".into(),
            prior_state: dv(prior, &ty),
            planned_state: planned.planned_state.clone(),
            config: dv(config, &ty),
            planned_private: planned.planned_private.clone(),
            ..Default::default()
        })
        .await
        .expect("apply")
        .into_inner()
}

#[tokio::test]
async fn schema_reaches_the_wire() {
    let mut client = serve().await;
    let resp = client
        .get_provider_schema(pb::get_provider_schema::Request {})
        .await
        .expect("schema")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let caps = resp.server_capabilities.expect("capabilities");
    assert!(caps.plan_destroy && caps.get_provider_schema_optional);
    let block = resp.resource_schemas["tftest_thing"]
        .block
        .clone()
        .expect("block");
    let attr = |n: &str| {
        block
            .attributes
            .iter()
            .find(|a| a.name == n)
            .cloned()
            .expect(n)
    };
    assert!(attr("password").write_only && attr("password").sensitive);
    assert!(attr("id").computed && !attr("id").optional);
    assert!(attr("name").required);
    assert_eq!(attr("tags").r#type, br#"["list","string"]"#);
    assert_eq!(attr("name").description, "The thing's name.");
    let endpoint = attr("endpoint").nested_type.expect("nested");
    assert_eq!(
        endpoint.nesting,
        pb::schema::object::NestingMode::Single as i32
    );
    assert!(resp.data_source_schemas.contains_key("tftest_echo"));
    let ids = client
        .get_resource_identity_schemas(pb::get_resource_identity_schemas::Request {})
        .await
        .expect("identity")
        .into_inner();
    assert!(ids.identity_schemas["tftest_thing"].identity_attributes[0].required_for_import);
}

#[tokio::test]
async fn create_update_replace_import_delete() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve().await;
    configure(&mut client, dir.path()).await;
    let ty = thing_type();

    // Create: computed unknown, default applied, write-only never planned.
    let mut m = model("alpha");
    m.password = "hunter2".into();
    let cfg = config(&m);
    let planned = plan(&mut client, &cty::Value::Null, &cfg).await;
    assert!(planned.diagnostics.is_empty(), "{:?}", planned.diagnostics);
    let p = undv(planned.planned_state.as_ref(), &ty);
    assert!(p.attr("id").expect("id").is_unknown());
    assert_eq!(
        p.attr("size"),
        Some(&cty::Value::Number(cty::Number::Int(1)))
    );
    assert_eq!(p.attr("password"), Some(&cty::Value::Null));

    let applied = apply(&mut client, &cty::Value::Null, &planned, &cfg).await;
    assert!(applied.diagnostics.is_empty(), "{:?}", applied.diagnostics);
    let state = undv(applied.new_state.as_ref(), &ty);
    let id = state
        .attr("id")
        .and_then(cty::Value::as_str)
        .expect("id")
        .to_owned();
    assert_eq!(state.attr("password"), Some(&cty::Value::Null));
    assert!(state.is_wholly_known());
    assert!(String::from_utf8_lossy(&applied.private).contains("password_length"));
    let stored =
        std::fs::read_to_string(dir.path().join(format!("{id}.json"))).expect("stored file");
    assert!(
        !stored.contains("hunter2"),
        "write-only value stored: {stored}"
    );

    // Same config again: an empty plan.
    let again = plan(&mut client, &state, &cfg).await;
    assert_eq!(undv(again.planned_state.as_ref(), &ty), state);
    assert!(again.requires_replace.is_empty());

    // A description change: in place, ID and creation time kept, revision bumped at apply.
    m.description = "now described".into();
    let cfg2 = config(&m);
    let upd = plan(&mut client, &state, &cfg2).await;
    let up = undv(upd.planned_state.as_ref(), &ty);
    assert_eq!(up.attr("id"), state.attr("id"));
    assert_eq!(up.attr("created_at"), state.attr("created_at"));
    assert!(up.attr("revision").expect("revision").is_unknown());
    assert!(upd.requires_replace.is_empty());
    let updated = apply(&mut client, &state, &upd, &cfg2).await;
    assert!(updated.diagnostics.is_empty(), "{:?}", updated.diagnostics);
    let state2 = undv(updated.new_state.as_ref(), &ty);
    assert_eq!(
        state2.attr("revision"),
        Some(&cty::Value::Number(cty::Number::Int(2)))
    );

    // A zone change forces replacement.
    m.zone = Zone::B.into();
    let rep = plan(&mut client, &state2, &config(&m)).await;
    let zone = pb::AttributePath {
        steps: vec![pb::attribute_path::Step {
            selector: Some(pb::attribute_path::step::Selector::AttributeName(
                "zone".into(),
            )),
        }],
    };
    assert_eq!(rep.requires_replace, vec![zone]);

    // Import by ID and by identity.
    let by_id = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "tftest_thing".into(),
            id: id.clone(),
            ..Default::default()
        })
        .await
        .expect("import")
        .into_inner();
    assert!(by_id.diagnostics.is_empty(), "{:?}", by_id.diagnostics);
    assert_eq!(
        undv(by_id.imported_resources[0].state.as_ref(), &ty).attr("id"),
        state.attr("id")
    );
    let id_ty = Type::object([("id", Type::String)]);
    let identity = cty::Value::Object(BTreeMap::from([(
        "id".to_owned(),
        cty::Value::String(id.clone()),
    )]));
    let by_identity = client
        .import_resource_state(pb::import_resource_state::Request {
            type_name: "tftest_thing".into(),
            identity: Some(pb::ResourceIdentityData {
                identity_data: dv(&identity, &id_ty),
            }),
            ..Default::default()
        })
        .await
        .expect("import")
        .into_inner();
    assert!(
        by_identity.diagnostics.is_empty(),
        "{:?}",
        by_identity.diagnostics
    );
    assert_eq!(by_identity.imported_resources.len(), 1);

    // Destroy: the plan passes through, the apply removes the file.
    let destroy = client
        .plan_resource_change(pb::plan_resource_change::Request {
            type_name: "tftest_thing".into(),
            prior_state: dv(&state2, &ty),
            proposed_new_state: dv(&cty::Value::Null, &ty),
            config: dv(&cty::Value::Null, &ty),
            ..Default::default()
        })
        .await
        .expect("plan destroy")
        .into_inner();
    assert_eq!(undv(destroy.planned_state.as_ref(), &ty), cty::Value::Null);
    let deleted = apply(&mut client, &state2, &destroy, &cty::Value::Null).await;
    assert!(deleted.diagnostics.is_empty(), "{:?}", deleted.diagnostics);
    assert!(!dir.path().join(format!("{id}.json")).exists());
}

#[tokio::test]
async fn write_only_refused_without_capability_and_panics_become_diagnostics() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve().await;
    configure(&mut client, dir.path()).await;
    let ty = thing_type();

    let mut m = model("beta");
    m.password = "hunter2".into();
    for (capabilities, refused) in [(None, true), (caps(), false)] {
        let resp = client
            .validate_resource_config(pb::validate_resource_config::Request {
                type_name: "tftest_thing".into(),
                config: dv(&config(&m), &ty),
                client_capabilities: capabilities,
            })
            .await
            .expect("validate")
            .into_inner();
        assert_eq!(
            !resp.diagnostics.is_empty(),
            refused,
            "{:?}",
            resp.diagnostics
        );
        if refused {
            let d = &resp.diagnostics[0];
            assert_eq!(d.summary, "Write-Only Attribute Not Supported");
            let step = d
                .attribute
                .as_ref()
                .and_then(|p| p.steps[0].selector.clone());
            assert_eq!(
                step,
                Some(pb::attribute_path::step::Selector::AttributeName(
                    "password".into()
                ))
            );
        }
    }

    m.password = Default::default();
    m.panic_on = "create".into();
    let cfg = config(&m);
    let planned = plan(&mut client, &cty::Value::Null, &cfg).await;
    let applied = apply(&mut client, &cty::Value::Null, &planned, &cfg).await;
    assert_eq!(applied.diagnostics.len(), 1);
    assert_eq!(applied.diagnostics[0].summary, "Provider Panicked");
    assert!(
        applied.diagnostics[0]
            .detail
            .contains("asked to panic in create")
    );
    // Still serving.
    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    assert_eq!(meta.resources[0].type_name, "tftest_thing");

    // A validator error carries its attribute.
    m.panic_on = Default::default();
    m.name = " padded".into();
    let resp = client
        .validate_resource_config(pb::validate_resource_config::Request {
            type_name: "tftest_thing".into(),
            config: dv(&config(&m), &ty),
            client_capabilities: caps(),
        })
        .await
        .expect("validate")
        .into_inner();
    assert_eq!(resp.diagnostics.len(), 1, "{:?}", resp.diagnostics);
    let step = resp.diagnostics[0]
        .attribute
        .as_ref()
        .and_then(|p| p.steps[0].selector.clone());
    assert_eq!(
        step,
        Some(pb::attribute_path::step::Selector::AttributeName(
            "name".into()
        ))
    );
}

#[tokio::test]
async fn failed_create_returns_partial_state_and_data_source_echoes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut client = serve().await;
    configure(&mut client, dir.path()).await;
    let ty = thing_type();
    let mut m = model("gamma");
    m.fail_create = true.into();
    let cfg = config(&m);
    let planned = plan(&mut client, &cty::Value::Null, &cfg).await;
    let applied = apply(&mut client, &cty::Value::Null, &planned, &cfg).await;
    assert_eq!(applied.diagnostics[0].summary, "Create Failed Halfway");
    let partial = undv(applied.new_state.as_ref(), &ty);
    assert!(
        partial.attr("id").and_then(cty::Value::as_str).is_some(),
        "partial state keeps the ID"
    );

    let echo_ty = Type::object([
        ("input", Type::String),
        ("output", Type::String),
        ("length", Type::Number),
    ]);
    let echo_cfg = cty::Value::Object(BTreeMap::from([
        ("input".to_owned(), cty::Value::String("héllo".into())),
        ("output".to_owned(), cty::Value::Null),
        ("length".to_owned(), cty::Value::Null),
    ]));
    let read = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "tftest_echo".into(),
            config: dv(&echo_cfg, &echo_ty),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert!(read.diagnostics.is_empty(), "{:?}", read.diagnostics);
    let state = undv(read.state.as_ref(), &echo_ty);
    assert_eq!(
        state.attr("output").and_then(cty::Value::as_str),
        Some("héllo")
    );
    assert_eq!(
        state.attr("length"),
        Some(&cty::Value::Number(cty::Number::Int(5)))
    );

    // An unknown input: answered as unknown output without a read.
    let mut unknown_cfg = echo_cfg.clone();
    if let cty::Value::Object(a) = &mut unknown_cfg {
        a.insert("input".into(), cty::Value::unknown());
    }
    let read = client
        .read_data_source(pb::read_data_source::Request {
            type_name: "tftest_echo".into(),
            config: dv(&unknown_cfg, &echo_ty),
            ..Default::default()
        })
        .await
        .expect("read")
        .into_inner();
    assert!(
        undv(read.state.as_ref(), &echo_ty)
            .attr("output")
            .expect("output")
            .is_unknown()
    );
}

/// GenerateResourceConfig over the wire: the capability is announced, and the answer is the
/// state without computed-only, sensitive, write-only or defaulted values.
#[tokio::test]
async fn generated_config_keeps_only_what_a_person_writes() {
    let mut client = serve().await;
    let meta = client
        .get_metadata(pb::get_metadata::Request {})
        .await
        .expect("metadata")
        .into_inner();
    assert!(
        meta.server_capabilities
            .expect("capabilities")
            .generate_resource_config
    );
    let ty = thing_type();
    let state = ThingModel {
        id: "t1".into(),
        size: 1.into(),
        description: "d".into(),
        endpoint: tftest::Endpoint {
            host: "h".into(),
            port: 443.into(),
        }
        .into(),
        created_at: "1700000000".into(),
        revision: 3.into(),
        ..model("alpha")
    };
    let resp = client
        .generate_resource_config(pb::generate_resource_config::Request {
            type_name: "tftest_thing".into(),
            state: dv(&config(&state), &ty),
        })
        .await
        .expect("generate")
        .into_inner();
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let generated: ThingModel =
        bridge::from_value(&undv(resp.config.as_ref(), &ty)).expect("model");
    let expected = ThingModel {
        description: "d".into(),
        endpoint: tftest::Endpoint {
            host: "h".into(),
            port: Default::default(),
        }
        .into(),
        // Sensitive: never written into a generated file.
        secret: Default::default(),
        ..model("alpha")
    };
    assert_eq!(generated, expected);

    let unknown = client
        .generate_resource_config(pb::generate_resource_config::Request {
            type_name: "tftest_nope".into(),
            state: None,
        })
        .await
        .expect("generate")
        .into_inner();
    assert_eq!(unknown.diagnostics[0].summary, "Unknown Resource Type");
}
