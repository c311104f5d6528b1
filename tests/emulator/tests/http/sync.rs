//! Simulated syncs for the three kinds of Xero credentials, delegated connectors, and what a
//! successful sync brings in.

use std::time::Duration;

use c1_emulator::{OutOfBand, SyncBehaviour, SyncOutcome, XERO_CATALOG, XeroAppKind};
use serde_json::{Value, json};

use crate::common::{Api, create_xero_connector, emulator, settled};

#[tokio::test]
async fn custom_connection_syncs_organisation_users_and_roles() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    assert_eq!(c["status"]["status"], "SYNC_STATUS_RUNNING");
    assert!(c["status"]["startedAt"].is_string() && c["status"]["completedAt"].is_null());
    let (_, types) = api.get(&format!("/api/v1/apps/{app}/resource_types")).await;
    assert!(
        types["list"].as_array().unwrap().is_empty(),
        "nothing before the sync ends"
    );
    let done = settled(&api, &app, c["id"].as_str().unwrap()).await;
    assert_eq!(done["status"]["status"], "SYNC_STATUS_DONE", "{done}");
    assert_eq!(done["status"]["lastError"], "");
    assert!(done["status"]["completedAt"].is_string());

    let (types, pages) = api
        .list_all(&format!("/api/v1/apps/{app}/resource_types"))
        .await;
    let page = c1_emulator::Config::default().page_size;
    assert_eq!(pages, 3usize.div_ceil(page));
    let names: Vec<&str> = types
        .iter()
        .map(|t| t["appResourceType"]["displayName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Organization", "User", "Role"]);
    let type_id = |name: &str| {
        types
            .iter()
            .find(|t| t["appResourceType"]["displayName"] == name)
            .unwrap()["appResourceType"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    };
    let (roles, pages) = api
        .list_all(&format!(
            "/api/v1/apps/{app}/resource_types/{}/resources",
            type_id("Role")
        ))
        .await;
    assert_eq!(
        pages,
        6usize.div_ceil(page),
        "six roles in pages of the configured size"
    );
    let mut role_names: Vec<&str> = roles
        .iter()
        .map(|r| r["appResource"]["displayName"].as_str().unwrap())
        .collect();
    role_names.sort_unstable();
    assert_eq!(
        role_names,
        [
            "Cashbook client",
            "Financial adviser",
            "Invoice only",
            "Managed client",
            "Read only",
            "Standard"
        ]
    );
    let grants: u64 = roles
        .iter()
        .map(|r| {
            r["appResource"]["grantCount"]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        })
        .sum();
    let (users, _) = api
        .list_all(&format!(
            "/api/v1/apps/{app}/resource_types/{}/resources",
            type_id("User")
        ))
        .await;
    assert_eq!(grants, users.len() as u64, "every user holds one role");
    let (orgs, _) = api
        .list_all(&format!(
            "/api/v1/apps/{app}/resource_types/{}/resources",
            type_id("Organization")
        ))
        .await;
    assert_eq!(
        orgs.len(),
        1,
        "a Custom Connection reaches one organisation"
    );
    let org_id = &orgs[0]["appResource"]["id"];
    assert!(
        roles
            .iter()
            .all(|r| &r["appResource"]["parentAppResourceId"] == org_id)
    );

    // A forced sync is queued: first the previous sync still shows, then a new one runs (a
    // later startedAt) and ends. It keeps resource IDs stable.
    let path = format!(
        "/api/v1/apps/{app}/connectors/{}",
        c["id"].as_str().unwrap()
    );
    assert_eq!(
        api.post(&format!("{path}/force_sync"), json!({})).await,
        (200, json!({}))
    );
    let queued = api.get(&path).await.1["connectorView"]["connector"]["status"].clone();
    assert_eq!(queued, done["status"], "the queued sync has not started");
    let started = next_sync(&api, &path, &done["status"]).await;
    assert_eq!(started["status"], "SYNC_STATUS_RUNNING", "{started}");
    assert!(started["completedAt"].is_null(), "{started}");
    let again = settled(&api, &app, c["id"].as_str().unwrap()).await;
    assert_eq!(again["status"]["status"], "SYNC_STATUS_DONE", "{again}");
    assert_eq!(again["status"]["startedAt"], started["startedAt"]);
    let (again, _) = api
        .list_all(&format!(
            "/api/v1/apps/{app}/resource_types/{}/resources",
            type_id("Role")
        ))
        .await;
    assert_eq!(ids(&again), ids(&roles));
}

/// Polls `path` until its status shows a sync that started after `before`'s; returns that status.
async fn next_sync(api: &Api, path: &str, before: &Value) -> Value {
    let time = |v: &Value| {
        v["startedAt"]
            .as_str()
            .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap())
    };
    let earlier = time(before);
    for _ in 0..200 {
        let status = api.get(path).await.1["connectorView"]["connector"]["status"].clone();
        let started = time(&status);
        if started.is_some() && started > earlier {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("no new sync started after {before}");
}

fn ids(list: &[Value]) -> Vec<String> {
    list.iter()
        .map(|r| r["appResource"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn web_app_and_unknown_credentials_end_in_error() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let web = emu.register_xero_app(XeroAppKind::WebApp);
    let custom = emu.register_xero_app(XeroAppKind::CustomConnection);
    for (creds, expected) in [
        (web.clone(), "unauthorized_client"),
        (
            (
                "0123456789ABCDEF0123456789ABCDEF".to_owned(),
                "s".to_owned(),
            ),
            "invalid_client",
        ),
        (
            (custom.0.clone(), "wrong secret".to_owned()),
            "invalid_client",
        ),
    ] {
        let c = create_xero_connector(&api, &app, &creds).await;
        let done = settled(&api, &app, c["id"].as_str().unwrap()).await;
        assert_eq!(done["status"]["status"], "SYNC_STATUS_ERROR", "{done}");
        let err = done["status"]["lastError"].as_str().unwrap();
        assert!(err.contains(expected), "{expected} not in {err:?}");
    }
    let (types, _) = api
        .list_all(&format!("/api/v1/apps/{app}/resource_types"))
        .await;
    assert!(types.is_empty(), "failed syncs bring nothing in");
}

#[tokio::test]
async fn delegated_connectors_do_not_sync_until_configured() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let users = emu.user_ids();
    let (s, body) = api
        .post(
            &format!("/api/v1/apps/{app}/connectors"),
            json!({"catalogId": XERO_CATALOG, "displayName": "Xero (pending)", "userIds": [users[1]]}),
        )
        .await;
    assert_eq!(s, 200, "{body}");
    let c = &body["connectorView"]["connector"];
    assert_eq!(
        (c["displayName"].as_str(), &c["userIds"]),
        (Some("Xero (pending)"), &json!([users[1]]))
    );
    assert!(c["config"].is_null());
    assert_eq!(c["status"]["status"], "SYNC_STATUS_UNSPECIFIED");
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    assert_eq!(
        api.post(&format!("{path}/force_sync"), json!({})).await.0,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert_eq!(
        api.get(&path).await.1["connectorView"]["connector"]["status"]["status"],
        "SYNC_STATUS_UNSPECIFIED"
    );
    // Configuring it later starts the first sync.
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let cfg = json!({"connector": {"config": {"@type": c1_emulator::ENV_CONFIG_TYPE, "configuration": {
        "xero_client_id": {"stringValue": creds.0}, "xero_client_secret": {"stringValue": creds.1}}}}, "updateMask": "config"});
    assert_eq!(api.post(&path, cfg).await.0, 200);
    assert_eq!(
        settled(&api, &app, id).await["status"]["status"],
        "SYNC_STATUS_DONE"
    );
}

#[tokio::test]
async fn out_of_band_edits_show_in_reads() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let custom = emu.register_xero_app(XeroAppKind::CustomConnection);
    let web = emu.register_xero_app(XeroAppKind::WebApp);
    let c = create_xero_connector(&api, &app, &custom).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(
        settled(&api, &app, id).await["status"]["status"],
        "SYNC_STATUS_DONE"
    );
    let users = emu.user_ids();
    let patch = OutOfBand {
        user_ids: Some(vec![users[3].clone()]),
        xero_client_id: Some(web.0.clone()),
        xero_client_secret: Some(web.1.clone()),
        ..OutOfBand::default()
    };
    assert!(emu.update_connector_out_of_band(&app, id, patch));
    let after = settled(&api, &app, id).await;
    assert_eq!(after["userIds"], json!([users[3]]));
    assert_eq!(
        after["config"]["configuration"]["xero_client_id"]["stringValue"],
        web.0.as_str()
    );
    assert_eq!(after["status"]["status"], "SYNC_STATUS_ERROR");
    assert!(emu.update_connector_out_of_band(
        &app,
        id,
        OutOfBand {
            deleted: true,
            ..OutOfBand::default()
        }
    ));
    assert_eq!(
        api.get(&format!("/api/v1/apps/{app}/connectors/{id}"))
            .await
            .0,
        404
    );
    assert!(!emu.update_connector_out_of_band(&app, "missing", OutOfBand::default()));
}

#[tokio::test]
async fn sync_behaviours_set_queueing_duration_and_outcome() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    let first = settled(&api, &app, id).await["status"].clone();
    assert_eq!(first["status"], "SYNC_STATUS_DONE");

    // Fail with a given lastError, after a long queue and a short run.
    assert!(emu.set_sync_behaviour(
        &app,
        id,
        SyncBehaviour {
            queued_for: Some(Duration::from_millis(400)),
            duration: Some(Duration::from_millis(50)),
            outcome: SyncOutcome::Fail {
                last_error: "xero: 503 from the Accounting API".into()
            },
        }
    ));
    api.post(&format!("{path}/force_sync"), json!({})).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let still = api.get(&path).await.1["connectorView"]["connector"]["status"].clone();
    assert_eq!(still, first, "still queued after 200 ms of 400");
    let started = next_sync(&api, &path, &first).await;
    let failed = settled(&api, &app, id).await["status"].clone();
    assert_eq!(failed["status"], "SYNC_STATUS_ERROR", "{failed}");
    assert_eq!(failed["lastError"], "xero: 503 from the Accounting API");
    assert_eq!(failed["startedAt"], started["startedAt"]);
    assert!(failed["completedAt"].is_string() && failed["updatedAt"].is_string());

    // A sync that never ends; forcing another while it runs queues one that never starts.
    assert!(emu.set_sync_behaviour(
        &app,
        id,
        SyncBehaviour {
            queued_for: Some(Duration::ZERO),
            outcome: SyncOutcome::Never,
            ..SyncBehaviour::default()
        }
    ));
    api.post(&format!("{path}/force_sync"), json!({})).await;
    let running = next_sync(&api, &path, &failed).await;
    assert_eq!(running["status"], "SYNC_STATUS_RUNNING");
    assert_eq!(running["lastError"], "", "a new sync clears the last error");
    api.post(&format!("{path}/force_sync"), json!({})).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    let later = api.get(&path).await.1["connectorView"]["connector"]["status"].clone();
    assert_eq!(later, running, "still the same sync, still running");

    // Over the control API, and refused for a connector that does not exist.
    let http = crate::common::http();
    let control = format!("{}/_emulator/sync-behaviour", emu.conductorone_url());
    let answer = http
        .post(&control)
        .json(&json!({"app_id": app, "connector_id": "nope", "outcome": "succeed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 404);
    let answer = http
        .post(&control)
        .json(&json!({"app_id": app, "connector_id": id, "duration_ms": 20, "outcome": "succeed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
}

#[tokio::test]
async fn a_sync_forced_while_one_runs_starts_when_it_ends_and_repeats_coalesce() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    let creating = &c["status"];
    assert_eq!(creating["status"], "SYNC_STATUS_RUNNING");
    for _ in 0..3 {
        api.post(&format!("{path}/force_sync"), json!({})).await;
    }
    let finished_first = settled(&api, &app, id).await["status"].clone();
    assert_eq!(finished_first["startedAt"], creating["startedAt"]);
    let second = next_sync(&api, &path, &finished_first).await;
    assert_eq!(second["status"], "SYNC_STATUS_RUNNING");
    let done = settled(&api, &app, id).await["status"].clone();
    assert_eq!(done["startedAt"], second["startedAt"]);
    tokio::time::sleep(Duration::from_millis(400)).await;
    let after = api.get(&path).await.1["connectorView"]["connector"]["status"].clone();
    assert_eq!(
        after, done,
        "three requests while running made one more sync, not three"
    );
}
