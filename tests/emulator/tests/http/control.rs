//! The `/_emulator/` control API and the `c1-emulator` binary.

use std::io::BufRead as _;
use std::process::{Command, Stdio};

use serde_json::{Value, json};

use crate::common::{Api, assertion, emulator, http, key_of};

async fn call(base: &str, method: reqwest::Method, path: &str, body: Value) -> Value {
    let r = http()
        .request(method, format!("{base}/_emulator/{path}"))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{path}");
    r.json().await.unwrap()
}

#[tokio::test]
async fn control_routes_drive_the_emulator() {
    let emu = emulator().await;
    let base = emu.conductorone_url();
    let post = reqwest::Method::POST;
    let xero = call(
        &base,
        post.clone(),
        "xero-apps",
        json!({"kind": "CustomConnection"}),
    )
    .await;
    assert_eq!(xero["client_id"].as_str().unwrap().len(), 32);
    let app = call(&base, post.clone(), "apps", json!({"display_name": "Xero"})).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let client = call(&base, post.clone(), "api-clients", json!({})).await;
    let (id, secret) = (
        client["client_id"].as_str().unwrap(),
        client["client_secret"].as_str().unwrap(),
    );
    let r =
        crate::common::token_request(&emu, id, &assertion(&key_of(secret), id, |_, _| {})).await;
    assert_eq!(r.status(), 200);
    assert!(
        call(&base, post.clone(), "oidc-token", json!({"subject": "ci"})).await["token"]
            .is_string()
    );
    call(
        &base,
        post.clone(),
        "faults",
        json!({"path_contains": "/api/v1/apps", "kind": {"status": {"code": 500}}, "times": 1}),
    )
    .await;
    let api = Api::new(&emu).await;
    assert_eq!(api.get("/api/v1/apps").await.0, 500);
    assert_eq!(api.get("/api/v1/apps").await.0, 200);
    let counters = call(&base, reqwest::Method::GET, "counters", json!(null)).await;
    assert_eq!(
        counters["api_requests"]["GET /api/v1/apps"], 2,
        "{counters}"
    );
    let c = crate::common::create_xero_connector(
        &api,
        &app,
        &(
            xero["client_id"].as_str().unwrap().into(),
            xero["client_secret"].as_str().unwrap().into(),
        ),
    )
    .await;
    let cid = c["id"].as_str().unwrap();
    call(
        &base,
        post.clone(),
        "out-of-band",
        json!({"app_id": app, "connector_id": cid, "deleted": true}),
    )
    .await;
    let state = call(&base, reqwest::Method::GET, "state", json!(null)).await;
    assert!(state["connectors"][0]["deletedAt"].is_string(), "{state}");
    assert!(
        !state
            .to_string()
            .contains(xero["client_secret"].as_str().unwrap()),
        "state shows no secret"
    );
    call(&base, post.clone(), "latency", json!({"ms": 0})).await;
    call(&base, reqwest::Method::DELETE, "counters", json!(null)).await;
    assert_eq!(emu.counters(), c1_emulator::Counters::default());
}

#[test]
fn the_binary_prints_one_json_line_and_stops_on_sigterm() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_c1-emulator"))
        .args(["--seed-xero", "--page-size", "3", "--sync-ms", "50"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    std::io::BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info: Value = serde_json::from_str(&line).unwrap();
    for key in [
        "conductorone_url",
        "xero_identity_url",
        "client_id",
        "client_secret",
        "app_id",
    ] {
        assert!(
            info[key].as_str().is_some_and(|s| !s.is_empty()),
            "{key} in {info}"
        );
    }
    assert!(
        info["conductorone_url"]
            .as_str()
            .unwrap()
            .starts_with("http://127.0.0.1:")
    );
    assert_eq!(info["user_ids"].as_array().unwrap().len(), 4);
    assert_eq!(
        info["xero_custom_connection"]["client_id"]
            .as_str()
            .unwrap()
            .len(),
        32
    );
    assert!(info["xero_web_app"]["client_secret"].is_string());
    let rt = tokio::runtime::Runtime::new().unwrap();
    let status = rt.block_on(async {
        let url = format!(
            "{}/api/v1/apps/{}",
            info["conductorone_url"].as_str().unwrap(),
            info["app_id"].as_str().unwrap()
        );
        http().get(url).send().await.unwrap().status()
    });
    assert_eq!(status, 401, "serving, and the API needs a token");
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    assert!(child.wait().unwrap().success(), "exits cleanly on SIGTERM");
}

/// Each `Route` is a route the emulator serves and counts under that name, once per request,
/// and every counted request has a `Route`: the enum and the route table cannot drift apart.
#[tokio::test]
async fn every_named_route_is_served_and_counted_under_its_name() {
    use c1_emulator::Route;
    let emu = emulator().await;
    emu.reset_counters();
    for route in Route::ALL {
        let (method, template) = route.key().split_once(' ').unwrap();
        // Placeholder IDs: the gate counts a request before the handler looks the IDs up.
        let path: String = template
            .split('/')
            .map(|seg| if seg.starts_with('{') { "none" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        let base = if route.is_xero() {
            emu.xero_identity_url()
        } else {
            emu.conductorone_url()
        };
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        http()
            .request(method, format!("{base}{path}"))
            .json(&json!({}))
            .send()
            .await
            .unwrap();
    }
    let c = emu.counters();
    for route in Route::ALL {
        assert_eq!(c.api(route), 1, "{route} not served under that name: {c:?}");
    }
    assert!(c.unnamed_routes().is_empty(), "{:?}", c.unnamed_routes());
    assert_eq!(c.api_total(), Route::ALL.len() as u64);
}
