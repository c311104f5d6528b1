//! The emulator's answers checked against the project's contract in `tests/emulator/contract/`
//! (which `make contract-check` holds to the reference descriptions).

use c1_emulator::XeroAppKind;
use serde_json::{Value, json};

use crate::common::schema::Spec;
use crate::common::{Api, create_xero_connector, emulator, http, settled};

#[test]
fn the_checker_catches_mismatches() {
    let spec = Spec::load("conductorone.yaml", true, true);
    let schema = spec.schema("c1.api.app.v1.AppResource");
    let mut errors = Vec::new();
    spec.check(
        &schema,
        &json!({"grantCount": 3, "nhiType": "BOGUS", "surprise": 1, "createdAt": "yesterday"}),
        "$",
        &mut errors,
    );
    let text = errors.join("\n");
    for expected in [
        "$.grantCount",
        "$.nhiType",
        "$.surprise",
        "$.createdAt",
        "$.displayName: declared but missing",
    ] {
        assert!(
            text.contains(expected),
            "{expected} not reported in:\n{text}"
        );
    }
    let view = spec.schema("c1.api.app.v1.ConnectorView");
    let mut errors = Vec::new();
    spec.check(
        &view,
        &json!({"connector": "not an object"}),
        "$",
        &mut errors,
    );
    assert!(
        errors.iter().any(|e| e.contains("branches of oneOf")),
        "{errors:?}"
    );
}

#[tokio::test]
async fn conductorone_answers_match_the_spec() {
    let spec = Spec::load("conductorone.yaml", true, true);
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let check = |method: &str, template: &str, body: &Value| {
        spec.assert_valid(
            &spec.response(method, template),
            body,
            &format!("{method} {template}"),
        );
    };

    let (_, created) = api
        .post("/api/v1/apps", json!({"displayName": "Xero"}))
        .await;
    check("post", "/api/v1/apps", &created);
    let app = created["app"]["id"].as_str().unwrap().to_owned();
    check(
        "get",
        "/api/v1/apps/{id}",
        &api.get(&format!("/api/v1/apps/{app}")).await.1,
    );
    check("get", "/api/v1/apps", &api.get("/api/v1/apps").await.1);
    let (_, updated) = api
        .post(
            &format!("/api/v1/apps/{app}"),
            json!({"app": {"description": "d"}, "updateMask": "description"}),
        )
        .await;
    check("post", "/api/v1/apps/{id}", &updated);
    check(
        "get",
        "/api/v1/auth/introspect",
        &api.get("/api/v1/auth/introspect").await.1,
    );

    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    let id = c["id"].as_str().unwrap().to_owned();
    let base = format!("/api/v1/apps/{app}/connectors");
    check(
        "get",
        "/api/v1/apps/{app_id}/connectors/{id}",
        &api.get(&format!("{base}/{id}")).await.1,
    );
    settled(&api, &app, &id).await;
    let (_, got) = api.get(&format!("{base}/{id}")).await;
    check("get", "/api/v1/apps/{app_id}/connectors/{id}", &got);
    let (_, delegated) = api
        .post(
            &base,
            json!({"catalogId": c1_emulator::XERO_CATALOG, "displayName": "D"}),
        )
        .await;
    check("post", "/api/v1/apps/{app_id}/connectors", &delegated);
    check(
        "get",
        "/api/v1/apps/{app_id}/connectors",
        &api.get(&base).await.1,
    );
    let (_, up) = api
        .post(
            &format!("{base}/{id}"),
            json!({"connector": {"displayName": "X"}, "updateMask": "displayName"}),
        )
        .await;
    check("post", "/api/v1/apps/{app_id}/connectors/{id}", &up);
    let (_, up) = api
        .post(
            &format!("{base}/{id}/delegated"),
            json!({"connector": {"userIds": [emu.user_ids()[1]]}, "updateMask": "userIds"}),
        )
        .await;
    check(
        "post",
        "/api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated",
        &up,
    );

    let (types, _) = api
        .list_all(&format!("/api/v1/apps/{app}/resource_types"))
        .await;
    check(
        "get",
        "/api/v1/apps/{app_id}/resource_types",
        &api.get(&format!("/api/v1/apps/{app}/resource_types"))
            .await
            .1,
    );
    let type_id = types[2]["appResourceType"]["id"].as_str().unwrap();
    check(
        "get",
        "/api/v1/apps/{app_id}/resource_types/{id}",
        &api.get(&format!("/api/v1/apps/{app}/resource_types/{type_id}"))
            .await
            .1,
    );
    let list_path = format!("/api/v1/apps/{app}/resource_types/{type_id}/resources");
    let (_, resources) = api.get(&list_path).await;
    check(
        "get",
        "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources",
        &resources,
    );
    let rid = resources["list"][0]["appResource"]["id"].as_str().unwrap();
    check(
        "get",
        "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}",
        &api.get(&format!("{list_path}/{rid}")).await.1,
    );
    let (_, found) = api
        .post(
            "/api/v1/search/app_resource_types",
            json!({"appIds": [app], "displayName": "Role"}),
        )
        .await;
    assert_eq!(found["list"].as_array().unwrap().len(), 1);
    assert_eq!(found["list"][0]["displayName"], "Role");
    check("post", "/api/v1/search/app_resource_types", &found);
    let (_, found) = api
        .post(
            "/api/v1/search/app_resources",
            json!({"appId": app, "query": "standard"}),
        )
        .await;
    assert_eq!(found["list"][0]["appResource"]["displayName"], "Standard");
    check("post", "/api/v1/search/app_resources", &found);
    let (_, found) = api
        .post("/api/v1/search/apps", json!({"appIds": [app]}))
        .await;
    assert_eq!(found["list"][0]["id"], app.as_str());
    check("post", "/api/v1/search/apps", &found);

    let (_, synced) = api
        .post(&format!("{base}/{id}/force_sync"), json!({}))
        .await;
    check(
        "post",
        "/api/v1/apps/{app_id}/connectors/{connector_id}/force_sync",
        &synced,
    );
    check(
        "delete",
        "/api/v1/apps/{app_id}/connectors/{id}",
        &api.delete(&format!("{base}/{id}")).await.1,
    );
    check(
        "delete",
        "/api/v1/apps/{id}",
        &api.delete(&format!("/api/v1/apps/{app}")).await.1,
    );
    // What the control functions render is what the API renders.
    let connector = spec.schema("c1.api.app.v1.Connector");
    for c in emu.connectors(&app) {
        spec.assert_valid(&connector, &c, "Emulator::connectors");
    }
    let app_schema = spec.schema("c1.api.app.v1.App");
    for a in emu.apps() {
        spec.assert_valid(&app_schema, &a, "Emulator::apps");
    }
}

#[tokio::test]
async fn xero_answers_match_the_spec() {
    let identity = Spec::load("xero-identity.yaml", false, false);
    let accounting = Spec::load("xero-accounting.yaml", true, false);
    let emu = emulator().await;
    let (cid, csec) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let base = emu.xero_identity_url();
    let tok: Value = http()
        .post(format!("{base}/connect/token"))
        .basic_auth(&cid, Some(&csec))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    identity.assert_valid(&identity.schema("AccessToken"), &tok, "token answer");
    let bearer = tok["access_token"].as_str().unwrap();
    let conns: Value = http()
        .get(format!("{base}/connections"))
        .bearer_auth(bearer)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    identity.assert_valid(
        &identity.response("get", "/Connections"),
        &conns,
        "connections",
    );
    let strict_conn = Spec::load("xero-identity.yaml", true, true);
    strict_conn.assert_valid(&strict_conn.schema("Connection"), &conns[0], "a connection");
    let tenant = conns[0]["tenantId"].as_str().unwrap();
    for (path, name) in [("/Organisation", "Organisations"), ("/Users", "Users")] {
        let v: Value = http()
            .get(format!("{base}/api.xro/2.0{path}"))
            .bearer_auth(bearer)
            .header("xero-tenant-id", tenant)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The envelope fields (Id, Status, …) are not in the subset's schemas; check the payload.
        let payload = json!({ name: v[name] });
        accounting.assert_valid(&accounting.response("get", path), &payload, path);
        assert!(!v[name].as_array().unwrap().is_empty());
    }
}
