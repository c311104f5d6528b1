//! The ConductorOne client's authentication against the emulator: one token for many concurrent
//! calls, refused assertions, OIDC exchange, ready tokens, and no secret in any error text.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use c1_emulator::{Config, Emulator};
use terraform_provider_conductorone::conductorone::{
    ApiError, Client, ClientConfig, ClientKey, CredentialKind, Credentials, ErrorKind, NewApp,
    RetryPolicy, client_assertion, encode_client_secret,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio_util::sync::CancellationToken;
use url::Url;

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        overall_deadline: Duration::from_secs(20),
    }
}

fn client(emu: &Emulator, credentials: Credentials) -> Client {
    let mut config = ClientConfig::new(Url::parse(&emu.conductorone_url()).unwrap(), credentials);
    config.retry = fast_policy();
    Client::new(config).unwrap()
}

fn secret_credentials(emu: &Emulator) -> Credentials {
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    Credentials::ClientSecret {
        client_id: emu.client_id(),
        key,
    }
}

/// Asserts neither the client secret, nor its key part, nor `extra` appears in the error's text.
fn assert_no_secret(err: &ApiError, emu: &Emulator, extra: &[&str]) {
    let secret = emu.client_secret();
    let key_part = secret.rsplit(':').next().unwrap().to_owned();
    let mut text = format!("{err} | {err:?}");
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(" | {s} | {s:?}"));
        source = s.source();
    }
    assert!(!text.contains(&key_part), "client secret leaked: {text}");
    for e in extra {
        assert!(!text.contains(e), "{e} leaked: {text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_calls_share_one_token_fetch() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Concurrent");
    // Latency keeps the first token request in flight while the other 49 calls arrive.
    emu.set_latency(Duration::from_millis(50));
    let client = Arc::new(client(&emu, secret_credentials(&emu)));
    let cancel = CancellationToken::new();
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let (client, cancel, app_id) = (client.clone(), cancel.clone(), app_id.clone());
        tasks.push(tokio::spawn(async move {
            client.get_app(&app_id, &cancel).await
        }));
    }
    for t in tasks {
        let app = t.await.unwrap().unwrap();
        assert_eq!(app.display_name, "Concurrent");
    }
    let counters = emu.counters();
    assert_eq!(counters.token_total(), 1, "{counters:?}");
    assert_eq!(client.tokens().fetch_count(), 1);
    assert_eq!(counters.api(c1_emulator::Route::GetApp), 50);
}

#[tokio::test]
async fn an_assertion_signed_with_another_key_is_refused_as_the_client_secret() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let forged = ClientKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[42; 32]));
    let client = client(
        &emu,
        Credentials::ClientSecret {
            client_id: emu.client_id(),
            key: forged,
        },
    );
    let err = client
        .get_app("whatever", &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Unauthenticated(CredentialKind::ClientSecret),
        "{err}"
    );
    assert!(
        err.to_string().contains("client_id and client_secret"),
        "{err}"
    );
    assert_eq!(
        emu.counters().api_total(),
        0,
        "no API call may go out without a token"
    );
    assert_no_secret(&err, &emu, &[]);
}

#[tokio::test]
async fn an_expired_assertion_is_refused_and_a_fresh_one_accepted() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    let token_url = format!("{}/auth/v1/token", emu.conductorone_url());
    let now = chrono::Utc::now().timestamp();
    let post = |assertion: String| {
        let form = [
            ("grant_type", "client_credentials".to_owned()),
            ("client_id", emu.client_id()),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer".to_owned(),
            ),
            ("client_assertion", assertion),
        ];
        reqwest::Client::new().post(&token_url).form(&form).send()
    };
    let expired = post(client_assertion(
        &emu.client_id(),
        &key,
        "127.0.0.1",
        now - 3600,
    ))
    .await
    .unwrap();
    assert!(expired.status().is_client_error(), "{}", expired.status());
    let fresh = post(client_assertion(&emu.client_id(), &key, "127.0.0.1", now))
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
    let wrong_audience = post(client_assertion(
        &emu.client_id(),
        &key,
        "evil.example",
        now,
    ))
    .await
    .unwrap();
    assert!(
        wrong_audience.status().is_client_error(),
        "{}",
        wrong_audience.status()
    );
}

#[tokio::test]
async fn oidc_exchange_and_ready_tokens_work_and_refusals_name_the_credential() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Oidc");
    let cancel = CancellationToken::new();

    let oidc = Credentials::Oidc {
        client_id: emu.client_id(),
        token: emu.mint_oidc_token("ci-run").into(),
    };
    let oidc_client = client(&emu, oidc);
    assert_eq!(
        oidc_client.get_app(&app_id, &cancel).await.unwrap().id,
        app_id
    );

    let bad_oidc = Credentials::Oidc {
        client_id: emu.client_id(),
        token: "not.a.jwt-oidc-xyz".into(),
    };
    let err = client(&emu, bad_oidc)
        .get_app(&app_id, &cancel)
        .await
        .unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Unauthenticated(CredentialKind::OidcToken),
        "{err}"
    );
    assert_no_secret(&err, &emu, &["not.a.jwt-oidc-xyz"]);

    let bogus = client(&emu, Credentials::AccessToken("bogus-token-xyz".into()));
    let err = bogus.get_app(&app_id, &cancel).await.unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::Unauthenticated(CredentialKind::AccessToken),
        "{err}"
    );
    assert_eq!(err.status().map(|s| s.as_u16()), Some(401));
    assert_no_secret(&err, &emu, &["bogus-token-xyz"]);
}

#[tokio::test]
async fn errors_never_show_secrets_or_tokens() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let c = client(&emu, secret_credentials(&emu));
    let not_found = c
        .get_app("2a000000000000000000000000z", &cancel)
        .await
        .unwrap_err();
    assert!(not_found.is_not_found(), "{not_found}");
    assert_no_secret(&not_found, &emu, &[]);

    // The contract marks an app's displayName required: a nameless create is refused, and the
    // refusal, like every error, names no secret.
    let rejected = c
        .create_app(&NewApp::default(), &cancel)
        .await
        .expect_err("an app without a display name is refused");
    assert_eq!(
        rejected.kind(),
        terraform_provider_conductorone::conductorone::ErrorKind::InvalidArgument,
        "{rejected}"
    );
    assert_no_secret(&rejected, &emu, &[]);

    // A secret of another key for the same client: refused, and the wrong secret is not echoed.
    let other = encode_client_secret(&ed25519_dalek::SigningKey::from_bytes(&[9; 32]));
    let key = ClientKey::parse(&other).unwrap();
    let err = client(
        &emu,
        Credentials::ClientSecret {
            client_id: emu.client_id(),
            key,
        },
    )
    .list_apps(&cancel)
    .await
    .unwrap_err();
    let other_key_part = other.expose().rsplit(':').next().unwrap().to_owned();
    assert_no_secret(&err, &emu, &[&other_key_part]);
    assert!(!format!("{c:?}").contains(&emu.client_secret()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_token_due_for_refresh_still_serves_callers_while_the_refresh_is_in_flight() {
    // A 4 s token is refreshed after 2 s and usable until 3 s.
    let emu = c1_emulator::start(Config {
        token_lifetime: Duration::from_secs(4),
        ..Config::default()
    })
    .await
    .unwrap();
    let app_id = emu.create_app("Refreshing");
    let client = Arc::new(client(&emu, secret_credentials(&emu)));
    let cancel = CancellationToken::new();
    client.get_app(&app_id, &cancel).await.unwrap();
    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The refresh is held up at the token endpoint for 1.5 s.
    emu.inject(c1_emulator::Fault::new(
        Some(c1_emulator::Method::POST),
        "/auth/v1/token",
        c1_emulator::FaultKind::Latency(Duration::from_millis(1500)),
        1,
    ));
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let refreshing = {
        let (client, cancel, app_id, tx) =
            (client.clone(), cancel.clone(), app_id.clone(), tx.clone());
        tokio::spawn(async move {
            client.get_app(&app_id, &cancel).await.unwrap();
            tx.send("refreshing caller").unwrap();
        })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    let later = {
        let (client, cancel, app_id) = (client.clone(), cancel.clone(), app_id.clone());
        tokio::spawn(async move {
            client.get_app(&app_id, &cancel).await.unwrap();
            tx.send("later caller").unwrap();
        })
    };
    refreshing.await.unwrap();
    later.await.unwrap();
    assert_eq!(
        rx.recv().await,
        Some("later caller"),
        "the later caller waited for the refresh"
    );
    assert_eq!(rx.recv().await, Some("refreshing caller"));
    assert_eq!(client.tokens().fetch_count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_fetch_does_not_strand_the_callers_waiting_on_it() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Stranded");
    emu.inject(c1_emulator::Fault::new(
        Some(c1_emulator::Method::POST),
        "/auth/v1/token",
        c1_emulator::FaultKind::Latency(Duration::from_millis(800)),
        1,
    ));
    let client = Arc::new(client(&emu, secret_credentials(&emu)));
    let first_cancel = CancellationToken::new();
    let first = {
        let (client, cancel, app_id) = (client.clone(), first_cancel.clone(), app_id.clone());
        tokio::spawn(async move { client.get_app(&app_id, &cancel).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    let waiting = {
        let (client, app_id) = (client.clone(), app_id.clone());
        tokio::spawn(async move { client.get_app(&app_id, &CancellationToken::new()).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    first_cancel.cancel();
    let first = first.await.unwrap().expect_err("cancelled");
    assert_eq!(first.kind(), ErrorKind::Cancelled);
    // The waiter takes over: it fetches a token itself and its call succeeds.
    let app = tokio::time::timeout(Duration::from_secs(10), waiting)
        .await
        .expect("the waiting caller was stranded")
        .unwrap()
        .unwrap();
    assert_eq!(app.display_name, "Stranded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn callers_waiting_on_a_refused_fetch_share_its_refusal() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Refused");
    emu.set_latency(Duration::from_millis(50));
    let other = ClientKey::from_signing_key(ed25519_dalek::SigningKey::from_bytes(&[9; 32]));
    let client = Arc::new(client(
        &emu,
        Credentials::ClientSecret {
            client_id: emu.client_id(),
            key: other,
        },
    ));
    let cancel = CancellationToken::new();
    let mut tasks = Vec::new();
    for _ in 0..10 {
        let (client, cancel, app_id) = (client.clone(), cancel.clone(), app_id.clone());
        tasks.push(tokio::spawn(async move {
            client.get_app(&app_id, &cancel).await
        }));
    }
    for t in tasks {
        let err = t.await.unwrap().expect_err("refused");
        assert_eq!(
            err.kind(),
            ErrorKind::Unauthenticated(CredentialKind::ClientSecret),
            "{err}"
        );
    }
    assert_eq!(
        client.tokens().fetch_count(),
        1,
        "one refused fetch, shared"
    );
}
