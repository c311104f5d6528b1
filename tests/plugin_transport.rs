//! In-process tests of the served transport: AutoMTLS with a pinned client certificate, the
//! health and controller services, and the message size limit.

#![allow(clippy::unwrap_used)]

mod plugin_common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use plugin_common::{ClientIdentity, Dial, Present, client_config, connect, plugin_health};
use rustls::pki_types::CertificateDer;
use terraform_provider_conductorone::plugin::listener::Listener;
use terraform_provider_conductorone::plugin::server::{ServeConfig, ServeError, serve};
use terraform_provider_conductorone::plugin::tls::{ServerIdentity, server_config};
use terraform_provider_conductorone::proto::plugin::Empty;
use terraform_provider_conductorone::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use terraform_provider_conductorone::proto::tfplugin6::{DynamicValue, validate_provider_config};
use tokio_util::sync::CancellationToken;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

struct Running {
    dial: Dial,
    server_cert: CertificateDer<'static>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<Result<(), ServeError>>,
}

async fn start(pinned: &ClientIdentity) -> Running {
    let identity = ServerIdentity::generate().unwrap();
    let tls = server_config(&identity, pinned.cert.clone()).unwrap();
    // Port 0: let the OS pick, so parallel tests never collide.
    let listener = Listener::bind_tcp(0, 0).await.unwrap();
    let dial = Dial::Tcp(listener.address());
    let shutdown = CancellationToken::new();
    let config = ServeConfig {
        tls: Some(tls),
        shutdown: shutdown.clone(),
        controller_stops_server: true,
    };
    let task = tokio::spawn(serve(
        plugin_common::unimplemented::Unimplemented,
        listener,
        config,
    ));
    Running {
        dial,
        server_cert: identity.cert_der().clone(),
        shutdown,
        task,
    }
}

#[tokio::test]
async fn pinned_p521_client_is_served_and_health_is_serving() {
    let terraform = ClientIdentity::generate();
    let server = start(&terraform).await;
    let alpn = Arc::new(Mutex::new(None));
    let config = client_config(
        &server.server_cert,
        Present::Cert(&terraform),
        &[&rustls::version::TLS13],
    );
    let channel = connect(&server.dial, Some(config), alpn.clone())
        .await
        .unwrap();
    let status = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .status();
    assert_eq!(status, ServingStatus::Serving);
    assert_eq!(alpn.lock().unwrap().as_deref(), Some(&b"h2"[..]));
    server.shutdown.cancel();
}

#[tokio::test]
async fn pinned_client_over_tls12_is_served() {
    let terraform = ClientIdentity::generate();
    let server = start(&terraform).await;
    let config = client_config(
        &server.server_cert,
        Present::Cert(&terraform),
        &[&rustls::version::TLS12],
    );
    let status = plugin_health(&server.dial, Some(config)).await.unwrap();
    assert_eq!(status, ServingStatus::Serving);
    server.shutdown.cancel();
}

#[tokio::test]
async fn another_self_signed_client_cert_is_refused() {
    let terraform = ClientIdentity::generate();
    let intruder = ClientIdentity::generate();
    let server = start(&terraform).await;
    for versions in [&[&rustls::version::TLS13], &[&rustls::version::TLS12]] {
        let config = client_config(&server.server_cert, Present::Cert(&intruder), versions);
        assert!(plugin_health(&server.dial, Some(config)).await.is_err());
    }
    server.shutdown.cancel();
}

#[tokio::test]
async fn missing_client_cert_is_refused() {
    let terraform = ClientIdentity::generate();
    let server = start(&terraform).await;
    let config = client_config(
        &server.server_cert,
        Present::Nothing,
        &[&rustls::version::TLS13],
    );
    assert!(plugin_health(&server.dial, Some(config)).await.is_err());
    server.shutdown.cancel();
}

#[tokio::test]
async fn pinned_cert_without_its_key_is_refused() {
    let terraform = ClientIdentity::generate();
    let thief = ClientIdentity::generate();
    let server = start(&terraform).await;
    for versions in [&[&rustls::version::TLS13], &[&rustls::version::TLS12]] {
        let config = client_config(
            &server.server_cert,
            Present::CertWithKey(&terraform, &thief),
            versions,
        );
        assert!(plugin_health(&server.dial, Some(config)).await.is_err());
    }
    server.shutdown.cancel();
}

#[tokio::test]
async fn messages_beyond_tonics_default_limit_are_accepted() {
    let terraform = ClientIdentity::generate();
    let server = start(&terraform).await;
    let config = client_config(
        &server.server_cert,
        Present::Cert(&terraform),
        &[&rustls::version::TLS13],
    );
    let channel = connect(&server.dial, Some(config), Arc::default())
        .await
        .unwrap();
    let mut client = ProviderClient::new(channel).max_encoding_message_size(usize::MAX);
    let request = validate_provider_config::Request {
        config: Some(DynamicValue {
            msgpack: vec![0xc0; 8 * 1024 * 1024],
            json: Vec::new(),
        }),
    };
    // Past the size check, the test service answers Unimplemented; a limit would say otherwise.
    let status = client.validate_provider_config(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented, "{status:?}");
    server.shutdown.cancel();
}

#[tokio::test]
async fn controller_shutdown_stops_the_server() {
    let terraform = ClientIdentity::generate();
    let server = start(&terraform).await;
    let config = client_config(
        &server.server_cert,
        Present::Cert(&terraform),
        &[&rustls::version::TLS13],
    );
    let channel = connect(&server.dial, Some(config), Arc::default())
        .await
        .unwrap();
    GrpcControllerClient::new(channel.clone())
        .shutdown(Empty {})
        .await
        .unwrap();
    drop(channel);
    let result = tokio::time::timeout(Duration::from_secs(5), server.task)
        .await
        .expect("server did not stop after Shutdown")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(server.shutdown.is_cancelled());
}
