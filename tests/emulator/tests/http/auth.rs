//! `POST /auth/v1/token` and the bearer check.

use std::time::Duration;

use c1_emulator::Config;
use serde_json::{Value, json};

use crate::common::{Api, assertion, emulator, http, key_of, token, token_request};

async fn refused(emu: &c1_emulator::Emulator, client_id: &str, a: &str) -> Value {
    let resp = token_request(emu, client_id, a).await;
    assert_eq!(resp.status(), 401);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_client", "{body}");
    body
}

#[tokio::test]
async fn a_valid_assertion_gets_a_bearer_token_that_opens_the_api() {
    let emu = emulator().await;
    let id = emu.client_id();
    assert!(id.ends_with("@127.0.0.1/pcc"), "{id}");
    let resp = token_request(
        &emu,
        &id,
        &assertion(&key_of(&emu.client_secret()), &id, |_, _| {}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    let api = Api {
        base: emu.conductorone_url(),
        token: body["access_token"].as_str().unwrap().into(),
        http: http(),
    };
    assert_eq!(api.get("/api/v1/apps").await.0, 200);
    let (status, me) = api.get("/api/v1/auth/introspect").await;
    assert_eq!(
        (status, me["userId"].as_str()),
        (200, Some(emu.user_ids()[0].as_str()))
    );
    assert_eq!(emu.counters().token_requests.get("issued"), Some(&1));
}

#[tokio::test]
async fn forged_expired_and_misaddressed_assertions_are_refused() {
    let emu = emulator().await;
    let id = emu.client_id();
    let key = key_of(&emu.client_secret());
    let other = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
    refused(&emu, &id, &assertion(&other, &id, |_, _| {})).await;
    let now = chrono::Utc::now().timestamp();
    let body = refused(
        &emu,
        &id,
        &assertion(&key, &id, |_, c| c["exp"] = json!(now - 600)),
    )
    .await;
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{body}"
    );
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |_, c| c["aud"] = json!(["acme.conductor.one"])),
    )
    .await;
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |_, c| c["aud"] = json!(["127.0.0.1:1234"])),
    )
    .await;
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |_, c| c["nbf"] = json!(now + 600)),
    )
    .await;
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |h, _| {
            h.as_object_mut().unwrap().remove("nonce");
        }),
    )
    .await;
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |_, c| c["sub"] = json!("someone-else")),
    )
    .await;
    refused(
        &emu,
        &id,
        &assertion(&key, &id, |h, _| h["alg"] = json!("HS256")),
    )
    .await;
    // Another registered client's key does not sign for this one.
    let (id2, secret2) = emu.register_api_client();
    refused(&emu, &id, &assertion(&key_of(&secret2), &id, |_, _| {})).await;
    assert_eq!(
        token_request(&emu, &id2, &assertion(&key_of(&secret2), &id2, |_, _| {}))
            .await
            .status(),
        200
    );
    refused(
        &emu,
        "nobody@127.0.0.1/pcc",
        &assertion(&key, "nobody@127.0.0.1/pcc", |_, _| {}),
    )
    .await;
    let c = emu.counters();
    assert_eq!(
        (
            c.token_requests.get("refused"),
            c.token_requests.get("issued")
        ),
        (Some(&10), Some(&1))
    );
}

#[tokio::test]
async fn token_exchange_accepts_only_the_trusted_issuer() {
    let emu = emulator().await;
    let exchange = |subject_token: String| {
        let url = format!("{}/auth/v1/token", emu.conductorone_url());
        let client_id = emu.client_id();
        async move {
            http()
                .post(url)
                .form(&[
                    (
                        "grant_type",
                        "urn:ietf:params:oauth:grant-type:token-exchange",
                    ),
                    ("subject_token_type", "urn:ietf:params:oauth:token-type:jwt"),
                    ("subject_token", subject_token.as_str()),
                    ("client_id", client_id.as_str()),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let ok = exchange(emu.mint_oidc_token("organization:acme:workspace:prod")).await;
    assert_eq!(ok.status(), 200);
    let body: Value = ok.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    // Same claims, other key: forged.
    let genuine = emu.mint_oidc_token("x");
    let parts: Vec<&str> = genuine.split('.').collect();
    let claims: Value = serde_json::from_slice(
        &base64::Engine::decode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, parts[1])
            .unwrap(),
    )
    .unwrap();
    let other = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
    let forged = crate::common::assertion(&other, "x", |_, c| *c = claims.clone());
    assert_eq!(exchange(forged).await.status(), 401);
    assert_eq!(exchange("not-a-jwt".into()).await.status(), 401);
}

#[tokio::test]
async fn malformed_token_requests_are_400() {
    let emu = emulator().await;
    let url = format!("{}/auth/v1/token", emu.conductorone_url());
    let r = http()
        .post(&url)
        .form(&[("grant_type", "password"), ("client_id", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        r.json::<Value>().await.unwrap()["error"],
        "unsupported_grant_type"
    );
    let r = http()
        .post(&url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", &emu.client_id()),
            ("client_secret", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(
        emu.counters().token_requests.get("invalid_request"),
        Some(&2)
    );
}

#[tokio::test]
async fn api_routes_need_a_live_bearer_token() {
    let emu = c1_emulator::start(Config {
        token_lifetime: Duration::from_secs(1),
        ..Config::default()
    })
    .await
    .unwrap();
    let url = format!("{}/api/v1/apps", emu.conductorone_url());
    let r = http().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["code"], 16, "{body}");
    assert!(body["message"].is_string());
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth("made-up")
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let t = token(&emu).await;
    assert_eq!(
        http()
            .get(&url)
            .bearer_auth(&t)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = http().get(&url).bearer_auth(&t).send().await.unwrap();
    assert_eq!(r.status(), 401);
    // Refused requests are counted too.
    assert_eq!(emu.counters().api(c1_emulator::Route::ListApps), 4);
}
