//! Helpers shared by the emulator's HTTP tests: a client that authenticates the way the
//! ConductorOne SDK does, and a small OpenAPI schema checker.
#![allow(dead_code, unreachable_pub)]

pub mod schema;

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use c1_emulator::{Config, Emulator};
use ed25519_dalek::{Signer as _, SigningKey};
use serde_json::{Value, json};

/// A fast emulator: short syncs.
pub async fn emulator() -> Emulator {
    c1_emulator::start(Config {
        sync_duration: Duration::from_millis(150),
        ..Config::default()
    })
    .await
    .expect("emulator starts")
}

pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("client")
}

/// The signing key inside a `secret-token:conductorone.com:v1:…` client secret.
pub fn key_of(secret: &str) -> SigningKey {
    let parts: Vec<&str> = secret.split(':').collect();
    assert_eq!(parts.len(), 4, "secret has four parts");
    assert_eq!(parts[2], "v1");
    let jwk: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(parts[3]).unwrap()).unwrap();
    assert_eq!(
        (jwk["kty"].as_str(), jwk["crv"].as_str()),
        (Some("OKP"), Some("Ed25519"))
    );
    let d = URL_SAFE_NO_PAD.decode(jwk["d"].as_str().unwrap()).unwrap();
    let key = SigningKey::from_bytes(&d.try_into().unwrap());
    let x = URL_SAFE_NO_PAD.decode(jwk["x"].as_str().unwrap()).unwrap();
    assert_eq!(
        key.verifying_key().as_bytes().as_slice(),
        x.as_slice(),
        "x matches d"
    );
    key
}

/// A compact EdDSA JWS; `edit` may change the header and claims first.
pub fn assertion(
    key: &SigningKey,
    client_id: &str,
    edit: impl FnOnce(&mut Value, &mut Value),
) -> String {
    let now = chrono::Utc::now().timestamp();
    let nonce: [u8; 16] = rand::random();
    let mut header = json!({"alg": "EdDSA", "typ": "JWT", "nonce": URL_SAFE_NO_PAD.encode(nonce)});
    let mut claims = json!({
        "iss": client_id, "sub": client_id, "aud": ["127.0.0.1"],
        "iat": now, "nbf": now - 120, "exp": now + 120,
    });
    edit(&mut header, &mut claims);
    let input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

/// Posts a client-credentials token request with `assertion`.
pub async fn token_request(emu: &Emulator, client_id: &str, assertion: &str) -> reqwest::Response {
    http()
        .post(format!("{}/auth/v1/token", emu.conductorone_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client_id),
            (
                "client_assertion_type",
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ),
            ("client_assertion", assertion),
        ])
        .send()
        .await
        .expect("token request")
}

/// A bearer token for the start-up API client.
pub async fn token(emu: &Emulator) -> String {
    let id = emu.client_id();
    let a = assertion(&key_of(&emu.client_secret()), &id, |_, _| {});
    let resp = token_request(emu, &id, &a).await;
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    body["access_token"].as_str().unwrap().to_owned()
}

/// An authenticated API client for one emulator.
pub struct Api {
    pub base: String,
    pub token: String,
    pub http: reqwest::Client,
}

impl Api {
    pub async fn new(emu: &Emulator) -> Self {
        Self {
            base: emu.conductorone_url(),
            token: token(emu).await,
            http: http(),
        }
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let resp = req.send().await.expect("request");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (
            status,
            serde_json::from_str(&text).unwrap_or(Value::String(text)),
        )
    }

    pub async fn get(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    pub async fn delete(&self, path: &str) -> (u16, Value) {
        self.send(reqwest::Method::DELETE, path, Some(json!({})))
            .await
    }

    /// Follows `nextPageToken` to the end; returns every item and the number of pages.
    pub async fn list_all(&self, path: &str) -> (Vec<Value>, usize) {
        let mut items = Vec::new();
        let mut token = String::new();
        let mut pages = 0;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let (status, body) = self.get(&format!("{path}{sep}pageToken={token}")).await;
            assert_eq!(status, 200, "{body}");
            pages += 1;
            items.extend(body["list"].as_array().unwrap().iter().cloned());
            token = body["nextPageToken"].as_str().unwrap().to_owned();
            if token.is_empty() {
                return (items, pages);
            }
            assert!(pages < 100, "pagination does not end");
        }
    }
}

/// Creates a Xero connector holding `creds` on `app_id`.
pub async fn create_xero_connector(api: &Api, app_id: &str, creds: &(String, String)) -> Value {
    let (status, body) = api
        .post(
            &format!("/api/v1/apps/{app_id}/connectors/create"),
            json!({
                "catalogId": c1_emulator::XERO_CATALOG,
                "config": {
                    "@type": c1_emulator::ENV_CONFIG_TYPE,
                    "configuration": {
                        "xero_client_id": {"stringValue": creds.0},
                        "xero_client_secret": {"stringValue": creds.1},
                    },
                },
            }),
        )
        .await;
    assert_eq!(status, 200, "{body}");
    body["connectorView"]["connector"].clone()
}

/// Polls the connector until its sync status is no longer running.
pub async fn settled(api: &Api, app_id: &str, id: &str) -> Value {
    for _ in 0..100 {
        let (status, body) = api
            .get(&format!("/api/v1/apps/{app_id}/connectors/{id}"))
            .await;
        assert_eq!(status, 200, "{body}");
        let c = body["connectorView"]["connector"].clone();
        if c["status"]["status"] != "SYNC_STATUS_RUNNING" {
            return c;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("sync never finished");
}
