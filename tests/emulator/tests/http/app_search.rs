//! App search: filters, paging with the documented page-size bounds, deleted apps, strict bodies.

use c1_emulator::Config;
use serde_json::{Value, json};

use crate::common::{Api, emulator};

const SEARCH: &str = "/api/v1/search/apps";

/// Sends `body` again with each `nextPageToken` until the end; every app and the page count.
async fn search_all(api: &Api, body: Value) -> (Vec<Value>, usize) {
    let mut items = Vec::new();
    let mut body = body;
    for pages in 1..100 {
        let (s, answer) = api.post(SEARCH, body.clone()).await;
        assert_eq!(s, 200, "{answer}");
        items.extend(answer["list"].as_array().unwrap().iter().cloned());
        let next = answer["nextPageToken"].as_str().unwrap();
        if next.is_empty() {
            return (items, pages);
        }
        body["pageToken"] = json!(next);
    }
    panic!("paging does not end");
}

fn names(apps: &[Value]) -> Vec<&str> {
    apps.iter()
        .map(|a| a["displayName"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn an_empty_body_pages_through_every_live_app_as_bare_apps() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let ids: Vec<String> = ["A", "B", "C", "D", "E"]
        .iter()
        .map(|n| emu.create_app(n))
        .collect();
    assert_eq!(api.delete(&format!("/api/v1/apps/{}", ids[1])).await.0, 200);
    let (apps, pages) = search_all(&api, json!({})).await;
    assert_eq!(names(&apps), ["A", "C", "D", "E"], "deleted B left out");
    assert_eq!(pages, 2, "the configured page size (2) caps each page");
    assert!(
        apps.iter()
            .all(|a| a.get("app").is_none() && a["id"].is_string()),
        "bare App objects, no view wrapper: {apps:?}"
    );
    let (_, first) = api.post(SEARCH, json!({})).await;
    assert!(
        first.get("expanded").is_none(),
        "no expanded in a search answer: {first}"
    );
}

#[tokio::test]
async fn page_size_bounds_are_the_documented_ones() {
    // A large cap, so the documented sizes themselves show.
    let emu = c1_emulator::start(Config {
        page_size: 1000,
        ..Config::default()
    })
    .await
    .unwrap();
    let api = Api::new(&emu).await;
    for i in 0..30 {
        let _ = emu.create_app(&format!("app {i}"));
    }
    let count = |body: Value| {
        let api = &api;
        async move {
            let (s, answer) = api.post(SEARCH, body).await;
            assert_eq!(s, 200, "{answer}");
            answer["list"].as_array().unwrap().len()
        }
    };
    assert_eq!(count(json!({})).await, 25, "no pageSize: the default 25");
    assert_eq!(count(json!({"pageSize": 0})).await, 25, "0: the default");
    assert_eq!(
        count(json!({"pageSize": 3})).await,
        10,
        "below 10 is raised"
    );
    assert_eq!(count(json!({"pageSize": 12})).await, 12);
    assert_eq!(count(json!({"pageSize": 100})).await, 30);
    for bad in [101, -1] {
        let (s, answer) = api.post(SEARCH, json!({"pageSize": bad})).await;
        assert_eq!(
            (s, answer["code"].as_i64()),
            (400, Some(3)),
            "pageSize {bad}: {answer}"
        );
    }
}

#[tokio::test]
async fn filters_combine() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let xero = emu.create_app("Xero Finance");
    let payroll = emu.create_app("Payroll");
    let other = emu.create_app("xero finance");
    let (s, body) = api
        .post(
            &format!("/api/v1/apps/{payroll}"),
            json!({"app": {"description": "pays via Xero", "grantPolicyId": "pol1"},
                   "updateMask": "description,grantPolicyId"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let found = |body: Value| {
        let api = &api;
        async move {
            let (apps, _) = search_all(api, body).await;
            apps.iter()
                .map(|a| a["id"].as_str().unwrap().to_owned())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        found(json!({"appIds": [xero, payroll]})).await,
        [xero.as_str(), &payroll]
    );
    assert_eq!(
        found(json!({"excludeAppIds": [xero]})).await,
        [payroll.as_str(), &other]
    );
    assert_eq!(
        found(json!({"displayName": "XERO FINANCE"})).await,
        [xero.as_str(), &other],
        "case-insensitive, the whole name"
    );
    assert!(found(json!({"displayName": "Xero"})).await.is_empty());
    assert_eq!(
        found(json!({"query": "xero"})).await,
        [xero.as_str(), &payroll, &other],
        "query matches name or description"
    );
    assert_eq!(
        found(json!({"query": "xero", "excludeAppIds": [other]})).await,
        [xero.as_str(), &payroll],
        "filters combine with AND"
    );
    assert_eq!(
        found(json!({"policyRefs": [{"id": "pol1"}]})).await,
        [payroll.as_str()]
    );
    assert!(found(json!({"onlyDirectories": true})).await.is_empty());
    assert_eq!(
        found(json!({"appIds": [], "query": ""})).await.len(),
        3,
        "empty filters filter nothing"
    );
}

#[tokio::test]
async fn bodies_that_are_not_a_search_request_are_refused() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let _ = emu.create_app("A");
    for (bad, why) in [
        (json!({"app_ids": ["x"]}), "snake_case field"),
        (json!({"surprise": 1}), "unknown field"),
        (json!({"appIds": "x"}), "appIds not a list"),
        (json!({"pageSize": "many"}), "pageSize not a number"),
        (
            json!({"policyRefs": [{"name": "p"}]}),
            "unknown policyRef field",
        ),
        (
            json!({"pageToken": "junk"}),
            "a token the server never gave",
        ),
    ] {
        let (s, body) = api.post(SEARCH, bad).await;
        assert_eq!((s, body["code"].as_i64()), (400, Some(3)), "{why}: {body}");
    }
    let anonymous = api
        .http
        .post(format!("{}{SEARCH}", api.base))
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401, "a token is required");
}
