//! The Xero credential check against the emulator's identity service.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use c1_emulator::{Config, Emulator, Fault, FaultKind, Method, XeroAppKind};
use terraform_provider_conductorone::net::{RetryPolicy, client as http_client};
use terraform_provider_conductorone::secret::SecretString;
use terraform_provider_conductorone::xero::{
    Identity, XeroAppType, XeroCheckError, check_credentials,
};
use tokio_util::sync::CancellationToken;
use url::Url;

fn identity(emu: &Emulator, policy: RetryPolicy) -> Identity {
    let http = http_client(Duration::from_secs(5), Duration::from_secs(2)).unwrap();
    Identity::new(&Url::parse(&emu.xero_identity_url()).unwrap(), http, policy).unwrap()
}

fn fast() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        overall_deadline: Duration::from_secs(10),
    }
}

fn token_fault(kind: FaultKind, times: u32) -> Fault {
    Fault {
        method: Some(Method::POST),
        path_contains: "/connect/token".into(),
        kind,
        times,
        after_effect: false,
        effect_hidden_for: Duration::ZERO,
    }
}

#[tokio::test]
async fn the_three_outcomes() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let url = Url::parse(&emu.xero_identity_url()).unwrap();
    let cancel = CancellationToken::new();

    let (web_id, web_secret) = emu.register_xero_app(XeroAppKind::WebApp);
    let got = check_credentials(
        &url,
        &web_id,
        &SecretString::new(web_secret.clone()),
        &cancel,
    )
    .await;
    assert_eq!(got, Ok(XeroAppType::WebApp));

    let (cc_id, cc_secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let got = check_credentials(&url, &cc_id, &SecretString::new(cc_secret), &cancel).await;
    assert_eq!(got, Ok(XeroAppType::CustomConnection));

    let got = check_credentials(
        &url,
        &web_id,
        &SecretString::new("wrong-secret-hunter2"),
        &cancel,
    )
    .await;
    assert_eq!(got, Err(XeroCheckError::InvalidCredentials));
    let got = check_credentials(
        &url,
        "00000000000000000000000000000000",
        &SecretString::new(web_secret),
        &cancel,
    )
    .await;
    assert_eq!(got, Err(XeroCheckError::InvalidCredentials));

    let counters = emu.counters();
    assert_eq!(counters.xero_total(), 4, "{counters:?}");
    assert_eq!(counters.xero_token_requests.get("issued"), Some(&1));
    assert_eq!(counters.xero_token_requests.get("invalid_client"), Some(&2));
}

#[tokio::test]
async fn rate_limits_and_server_failures_are_retried() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let (id, secret) = emu.register_xero_app(XeroAppKind::WebApp);
    let secret = SecretString::new(secret);
    let cancel = CancellationToken::new();

    emu.inject(token_fault(
        FaultKind::Status {
            code: 429,
            retry_after: Some(1),
        },
        1,
    ));
    let started = std::time::Instant::now();
    let honouring = RetryPolicy {
        max_delay: Duration::from_secs(30),
        ..fast()
    };
    assert_eq!(
        identity(&emu, honouring)
            .check_credentials(&id, &secret, &cancel)
            .await,
        Ok(XeroAppType::WebApp)
    );
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After not honoured: {:?}",
        started.elapsed()
    );

    emu.inject(token_fault(
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        2,
    ));
    emu.inject(token_fault(FaultKind::Drop, 1));
    assert_eq!(
        identity(&emu, fast())
            .check_credentials(&id, &secret, &cancel)
            .await,
        Ok(XeroAppType::WebApp)
    );
}

#[tokio::test]
async fn an_unreachable_identity_service_is_reported_as_could_not_verify() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let (id, secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let secret = SecretString::new(secret);
    emu.inject(token_fault(
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        0,
    ));
    let err = identity(&emu, fast())
        .check_credentials(&id, &secret, &CancellationToken::new())
        .await
        .unwrap_err();
    assert!(matches!(err, XeroCheckError::Unreachable { .. }), "{err:?}");
    assert!(err.to_string().starts_with("could not verify"), "{err}");
    assert_eq!(emu.counters().xero_total(), 4);
    let text = format!("{err} {err:?}");
    assert!(!text.contains(secret.expose()), "{text}");

    // Nothing listening at all.
    let closed = Url::parse("http://127.0.0.1:9").unwrap();
    let http = http_client(Duration::from_secs(2), Duration::from_secs(1)).unwrap();
    let err = Identity::new(&closed, http, fast())
        .unwrap()
        .check_credentials(&id, &secret, &CancellationToken::new())
        .await;
    assert!(
        matches!(err, Err(XeroCheckError::Unreachable { .. })),
        "{err:?}"
    );
}

#[tokio::test]
async fn cancel_stops_a_waiting_check() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let (id, secret) = emu.register_xero_app(XeroAppKind::WebApp);
    emu.inject(token_fault(
        FaultKind::Status {
            code: 429,
            retry_after: Some(30),
        },
        0,
    ));
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        c2.cancel();
    });
    let started = std::time::Instant::now();
    let policy = RetryPolicy {
        max_delay: Duration::from_secs(30),
        overall_deadline: Duration::from_secs(120),
        ..fast()
    };
    let got = identity(&emu, policy)
        .check_credentials(&id, &SecretString::new(secret), &cancel)
        .await;
    assert_eq!(got, Err(XeroCheckError::Cancelled));
    assert!(started.elapsed() < Duration::from_secs(3));
}
