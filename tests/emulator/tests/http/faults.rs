//! Injected faults and latency on both ports.

use std::time::{Duration, Instant};

use c1_emulator::{Fault, FaultKind, Method, XERO_CATALOG};
use serde_json::{Value, json};

use crate::common::{Api, assertion, emulator, http, key_of, token_request};

fn fault(
    method: Option<Method>,
    path: &str,
    kind: FaultKind,
    times: u32,
    after_effect: bool,
) -> Fault {
    Fault {
        method,
        path_contains: path.to_owned(),
        kind,
        times,
        after_effect,
    }
}

#[tokio::test]
async fn status_faults_hit_the_given_number_of_requests() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    emu.inject(fault(
        Some(Method::GET),
        "/connectors",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        2,
        false,
    ));
    let path = format!("/api/v1/apps/{app}/connectors");
    let (s, body) = api.get(&path).await;
    assert_eq!((s, body["code"].as_i64()), (503, Some(14)), "{body}");
    // The method filter: a POST to the same path is untouched.
    let (s, _) = api.post(&path, json!({"catalogId": XERO_CATALOG})).await;
    assert_eq!(s, 200);
    assert_eq!(api.get(&path).await.0, 503);
    assert_eq!(api.get(&path).await.0, 200, "the fault is used up");
    assert_eq!(emu.counters().api(c1_emulator::Route::ListConnectors), 3);
}

#[tokio::test]
async fn rate_limit_on_the_token_endpoint_carries_retry_after() {
    let emu = emulator().await;
    emu.inject(fault(
        None,
        "/auth/v1/token",
        FaultKind::Status {
            code: 429,
            retry_after: Some(2),
        },
        1,
        false,
    ));
    let id = emu.client_id();
    let key = key_of(&emu.client_secret());
    let r = token_request(&emu, &id, &assertion(&key, &id, |_, _| {})).await;
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["retry-after"], "2");
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 8);
    assert_eq!(
        token_request(&emu, &id, &assertion(&key, &id, |_, _| {}))
            .await
            .status(),
        200
    );
    let c = emu.counters();
    assert_eq!(
        (
            c.token_requests.get("fault"),
            c.token_requests.get("issued")
        ),
        (Some(&1), Some(&1))
    );
}

#[tokio::test]
async fn dropped_connections_with_and_without_the_effect() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let path = format!("{}/api/v1/apps/{app}/connectors", api.base);
    let create = || {
        http()
            .post(&path)
            .bearer_auth(&api.token)
            .json(&json!({"catalogId": XERO_CATALOG}))
            .send()
    };

    emu.inject(fault(
        Some(Method::POST),
        "/connectors",
        FaultKind::Drop,
        1,
        false,
    ));
    assert!(create().await.is_err(), "no answer");
    assert!(
        emu.connectors(&app).is_empty(),
        "dropped before the handler ran"
    );

    emu.inject(fault(
        Some(Method::POST),
        "/connectors",
        FaultKind::Drop,
        1,
        true,
    ));
    assert!(create().await.is_err(), "no answer");
    assert_eq!(
        emu.connectors(&app).len(),
        1,
        "the create happened, only the answer was lost"
    );

    assert_eq!(create().await.unwrap().status(), 200);
    assert_eq!(emu.connectors(&app).len(), 2);
}

#[tokio::test]
async fn latency_faults_and_global_latency_delay_answers() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    emu.inject(fault(
        None,
        "/api/v1/apps",
        FaultKind::Latency(Duration::from_millis(300)),
        1,
        false,
    ));
    let t = Instant::now();
    assert_eq!(api.get("/api/v1/apps").await.0, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    let t = Instant::now();
    api.get("/api/v1/apps").await;
    assert!(t.elapsed() < Duration::from_millis(300), "used up");
    emu.set_latency(Duration::from_millis(200));
    let t = Instant::now();
    let r = http()
        .post(format!("{}/connect/token", emu.xero_identity_url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(200),
        "latency applies to the Xero port too"
    );
    assert_eq!(r.status(), 400);
    emu.set_latency(Duration::ZERO);
}

#[tokio::test]
async fn xero_port_faults() {
    let emu = emulator().await;
    emu.inject(fault(
        None,
        "/connect/token",
        FaultKind::Status {
            code: 429,
            retry_after: Some(5),
        },
        0,
        false,
    ));
    let url = format!("{}/connect/token", emu.xero_identity_url());
    for _ in 0..2 {
        let r = http()
            .post(&url)
            .form(&[("grant_type", "client_credentials")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        assert_eq!(r.headers()["retry-after"], "5");
        assert_eq!(r.headers()["x-rate-limit-problem"], "minute");
        assert!(r.headers().contains_key("xero-correlation-id"));
    }
    emu.clear_faults();
    let r = http()
        .post(&url)
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(emu.counters().xero_token_requests.get("fault"), Some(&2));
}
