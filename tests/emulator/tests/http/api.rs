//! Apps and connectors: CRUD, update masks, soft delete, pagination, validation.

use c1_emulator::{ENV_CONFIG_TYPE, XERO_CATALOG, XeroAppKind};
use serde_json::{Value, json};

use crate::common::{Api, create_xero_connector, emulator};

#[tokio::test]
async fn apps_crud_with_update_mask_and_soft_delete() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let (s, created) = api
        .post(
            "/api/v1/apps",
            json!({"displayName": "Payroll", "description": "d1"}),
        )
        .await;
    assert_eq!(s, 200, "{created}");
    let app = &created["app"];
    let id = app["id"].as_str().unwrap();
    assert_eq!(id.len(), 27);
    assert!(app["deletedAt"].is_null());
    let (s, body) = api
        .post(&format!("/api/v1/apps/{id}"), json!({"app": {"displayName": "Payroll 2", "description": "ignored"}, "updateMask": "displayName"}))
        .await;
    assert_eq!(s, 200, "{body}");
    assert_eq!(
        (
            body["app"]["displayName"].as_str(),
            body["app"]["description"].as_str()
        ),
        (Some("Payroll 2"), Some("d1"))
    );
    assert_eq!(
        api.get(&format!("/api/v1/apps/{id}")).await.1["app"]["displayName"],
        "Payroll 2"
    );
    assert_eq!(
        api.post("/api/v1/apps", json!({"description": "no name"}))
            .await
            .1["code"],
        3
    );
    assert_eq!(
        api.delete(&format!("/api/v1/apps/{id}")).await,
        (200, json!({}))
    );
    let (s, gone) = api.get(&format!("/api/v1/apps/{id}")).await;
    assert_eq!((s, gone["code"].as_i64()), (404, Some(5)));
    assert_eq!(api.delete(&format!("/api/v1/apps/{id}")).await.0, 404);
    let stored = emu.apps().into_iter().find(|a| a["id"] == id).unwrap();
    assert!(
        stored["deletedAt"].is_string(),
        "the app is soft-deleted: {stored}"
    );
}

#[tokio::test]
async fn lists_paginate_with_the_configured_page_size() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let mut ids: Vec<String> = (0..5)
        .map(|i| emu.create_app(&format!("app {i}")))
        .collect();
    let (items, pages) = api.list_all("/api/v1/apps").await;
    let page = c1_emulator::Config::default().page_size;
    assert_eq!(
        pages,
        5usize.div_ceil(page),
        "5 apps in pages of the configured size"
    );
    let mut got: Vec<String> = items
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    got.sort();
    ids.sort();
    assert_eq!(got, ids);
    // A larger pageSize is capped; a smaller one is honoured; snake_case works too.
    assert_eq!(
        api.get("/api/v1/apps?pageSize=100").await.1["list"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        api.get("/api/v1/apps?page_size=1").await.1["list"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let (s, bad) = api.get("/api/v1/apps?pageToken=garbage").await;
    assert_eq!((s, bad["code"].as_i64()), (400, Some(3)));
    assert_eq!(api.get("/api/v1/apps?pageSize=-1").await.0, 400);

    let app = &ids[0];
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    for _ in 0..3 {
        create_xero_connector(&api, app, &creds).await;
    }
    let (items, pages) = api
        .list_all(&format!("/api/v1/apps/{app}/connectors"))
        .await;
    assert_eq!((items.len(), pages), (3, 3usize.div_ceil(page)));
    assert!(
        items
            .iter()
            .all(|v| v["connector"]["appId"] == app.as_str())
    );
}

#[tokio::test]
async fn configured_connector_reads_never_return_the_secret() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(id.len(), 27);
    assert_eq!(c["catalogId"], XERO_CATALOG);
    assert_eq!(c["displayName"], "Xero");
    assert_eq!(
        c["userIds"],
        json!([emu.user_ids()[0]]),
        "owners default to the creator"
    );
    assert_eq!(c["config"]["@type"], ENV_CONFIG_TYPE);
    assert_eq!(
        c["config"]["configuration"],
        json!({"xero_client_id": {"stringValue": creds.0}})
    );
    assert_eq!(c["status"]["status"], "SYNC_STATUS_RUNNING");
    let (_, got) = api
        .get(&format!("/api/v1/apps/{app}/connectors/{id}"))
        .await;
    assert_eq!(got["expanded"], json!([]));
    let (_, listed) = api.get(&format!("/api/v1/apps/{app}/connectors")).await;
    for text in [
        c.to_string(),
        got.to_string(),
        listed.to_string(),
        format!("{:?}", emu.connectors(&app)),
    ] {
        assert!(!text.contains(&creds.1), "secret leaked: {text}");
    }
}

#[tokio::test]
async fn update_mask_changes_only_named_fields_and_config_merges() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let users = emu.user_ids();
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    let path = format!(
        "/api/v1/apps/{app}/connectors/{}",
        c["id"].as_str().unwrap()
    );
    let (s, body) = api
        .post(&path, json!({"connector": {"displayName": "Xero NZ", "userIds": [users[1]]}, "updateMask": "displayName"}))
        .await;
    assert_eq!(s, 200, "{body}");
    let u = &body["connectorView"]["connector"];
    assert_eq!(
        (u["displayName"].as_str(), &u["userIds"]),
        (Some("Xero NZ"), &json!([users[0]]))
    );
    let (s, body) = api
        .post(
            &path,
            json!({"connector": {"userIds": [users[1], users[2]]}, "updateMask": "userIds"}),
        )
        .await;
    assert_eq!(
        (s, &body["connectorView"]["connector"]["userIds"]),
        (200, &json!([users[1], users[2]]))
    );
    // Sending only the secret keeps the stored client ID.
    let secret_only = json!({"connector": {"config": {"@type": ENV_CONFIG_TYPE,
        "configuration": {"xero_client_secret": {"stringValue": "new-secret"}}}}, "updateMask": "config"});
    let (s, body) = api.post(&path, secret_only).await;
    assert_eq!(s, 200, "{body}");
    let u = &body["connectorView"]["connector"];
    assert_eq!(
        u["config"]["configuration"]["xero_client_id"]["stringValue"],
        creds.0.as_str()
    );
    assert_eq!(
        u["status"]["status"], "SYNC_STATUS_RUNNING",
        "a config change starts a sync"
    );
    for (bad, why) in [
        (json!({"connector": {}, "updateMask": ""}), "empty mask"),
        (
            json!({"connector": {"displayName": "x"}, "updateMask": "display_name"}),
            "snake_case mask",
        ),
        (
            json!({"connector": {}, "updateMask": "catalogId"}),
            "read-only field",
        ),
        (
            json!({"connector": {"userIds": ["nobody"]}, "updateMask": "userIds"}),
            "unknown user",
        ),
        (
            json!({"connector": {"config": {"@type": "x"}}, "updateMask": "config"}),
            "wrong @type",
        ),
        (
            json!({"connector": {"config": {"@type": ENV_CONFIG_TYPE, "configuration": {"client_id": {"stringValue": "x"}}}}, "updateMask": "config"}),
            "unknown key",
        ),
    ] {
        let (s, body) = api.post(&path, bad).await;
        assert_eq!((s, body["code"].as_i64()), (400, Some(3)), "{why}: {body}");
    }
    let (s, body) = api
        .post(
            &format!("{path}/delegated"),
            json!({"connector": {"config": {}}, "updateMask": "config"}),
        )
        .await;
    assert_eq!(
        s, 400,
        "config is not updatable through the delegated route: {body}"
    );
    let (s, body) = api
        .post(
            &format!("{path}/delegated"),
            json!({"connector": {"displayName": "D"}, "updateMask": "displayName"}),
        )
        .await;
    assert_eq!(
        (
            s,
            body["connectorView"]["connector"]["displayName"].as_str()
        ),
        (200, Some("D"))
    );
}

#[tokio::test]
async fn connectors_soft_delete() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let (s, body) = api
        .post(
            &format!("/api/v1/apps/{app}/connectors"),
            json!({"catalogId": XERO_CATALOG, "displayName": "Xero"}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let id = body["connectorView"]["connector"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    assert_eq!(api.delete(&path).await, (200, json!({})));
    let (s, body) = api.get(&path).await;
    assert_eq!((s, body["code"].as_i64()), (404, Some(5)));
    assert_eq!(api.delete(&path).await.0, 404);
    assert_eq!(
        api.post(&format!("{path}/force_sync"), json!({})).await.0,
        404
    );
    assert!(
        api.get(&format!("/api/v1/apps/{app}/connectors")).await.1["list"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let all = emu.connectors(&app);
    assert_eq!(all.len(), 1);
    assert!(all[0]["deletedAt"].is_string());
    emu.set_render_deleted(true);
    let (s, body) = api.get(&path).await;
    assert_eq!(s, 200);
    assert!(body["connectorView"]["connector"]["deletedAt"].is_string());
}

#[tokio::test]
async fn create_validation() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let create = format!("/api/v1/apps/{app}/connectors/create");
    let cases: Vec<(Value, u16, i64)> = vec![
        (json!({}), 400, 3),
        (
            json!({"catalogId": XERO_CATALOG, "userIds": ["nobody"]}),
            400,
            3,
        ),
        (
            json!({"catalogId": XERO_CATALOG, "config": {"@type": "type.googleapis.com/other"}}),
            400,
            3,
        ),
        (
            json!({"catalogId": XERO_CATALOG, "config": {"@type": ENV_CONFIG_TYPE, "configuration": {"xero_client_id": "bare"}}}),
            400,
            3,
        ),
    ];
    for (body, status, code) in cases {
        let (s, answer) = api.post(&create, body.clone()).await;
        assert_eq!((s, answer["code"].as_i64()), (status, Some(code)), "{body}");
    }
    let (s, answer) = api
        .post(
            "/api/v1/apps/nope/connectors/create",
            json!({"catalogId": XERO_CATALOG}),
        )
        .await;
    assert_eq!((s, answer["code"].as_i64()), (404, Some(5)));
    let (s, answer) = api.send(reqwest::Method::POST, &create, None).await;
    assert_eq!(s, 400, "empty body lacks catalogId: {answer}");
    let r = api
        .http
        .post(format!("{}{create}", api.base))
        .bearer_auth(&api.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<Value>().await.unwrap()["code"], 3);
    // An unknown catalog is accepted, and the user list is kept as given.
    let users = emu.user_ids();
    let (s, answer) = api
        .post(
            &create,
            json!({"catalogId": "2OtherCatalog00000000000000", "userIds": [users[2]]}),
        )
        .await;
    assert_eq!(s, 200, "{answer}");
    assert_eq!(
        answer["connectorView"]["connector"]["userIds"],
        json!([users[2]])
    );
}

#[tokio::test]
async fn counters_key_requests_by_route_template() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    emu.reset_counters();
    api.get(&format!("/api/v1/apps/{app}/connectors/x")).await;
    api.get(&format!("/api/v1/apps/{app}/connectors/y")).await;
    api.post(
        &format!("/api/v1/apps/{app}/connectors/x/delegated"),
        json!({}),
    )
    .await;
    api.get(&format!("/api/v1/apps/{app}")).await;
    let c = emu.counters();
    assert_eq!(c.api(c1_emulator::Route::GetConnector), 2, "{c:?}");
    assert_eq!(c.api(c1_emulator::Route::UpdateDelegatedConnector), 1);
    assert_eq!(c.api(c1_emulator::Route::GetApp), 1);
    assert_eq!((c.api_total(), c.token_total()), (4, 0));
}
