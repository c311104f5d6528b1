//! Sync controls: the cron schedule, pause and resume, over HTTP, with their answers and the
//! connector they leave checked against the contract.

use std::time::Duration;

use c1_emulator::{OutOfBand, ScheduleSpec, XeroAppKind};
use serde_json::{Value, json};

use crate::common::schema::Spec;
use crate::common::{Api, create_xero_connector, emulator, settled};

const SCHEDULE: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/schedule";
const PAUSE: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/pause";
const RESUME: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/resume";
const GET: &str = "/api/v1/apps/{app_id}/connectors/{id}";

async fn connector(api: &Api, path: &str) -> Value {
    let (status, body) = api.get(path).await;
    assert_eq!(status, 200, "{body}");
    body["connectorView"]["connector"].clone()
}

#[tokio::test]
async fn a_schedule_is_stored_and_read_back_and_bad_ones_are_refused() {
    let spec = Spec::load("conductorone.yaml", true, true);
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let id = create_xero_connector(&api, &app, &creds).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    assert!(connector(&api, &path).await["connectorSyncCronSchedule"].is_null());

    let body = json!({"cron": {"cronSpec": "0 2 * * 1-5", "timezone": "Europe/London"}});
    let (status, answer) = api.post(&format!("{path}/schedule"), body).await;
    assert_eq!((status, &answer), (200, &json!({})));
    spec.assert_valid(&spec.response("post", SCHEDULE), &answer, "schedule answer");
    let c = connector(&api, &path).await;
    assert_eq!(
        c["connectorSyncCronSchedule"],
        json!({"cronSpec": "0 2 * * 1-5", "timezone": "Europe/London", "start": null})
    );
    spec.assert_valid(
        &spec.response("get", GET),
        &api.get(&path).await.1,
        "connector",
    );

    // The proto field name is accepted too, as proto3 JSON parsers do.
    let body = json!({"cron": {"cron_spec": "*/30 * * * *", "timezone": "UTC"}});
    assert_eq!(api.post(&format!("{path}/schedule"), body).await.0, 200);
    assert_eq!(
        connector(&api, &path).await["connectorSyncCronSchedule"]["cronSpec"],
        "*/30 * * * *"
    );

    for (body, needle) in [
        (json!({}), "cron must be set"),
        (json!({"cron": null}), "cron must be set"),
        (
            json!({"cron": {"cronSpec": "@hourly", "timezone": "UTC"}}),
            "cronSpec",
        ),
        (
            json!({"cron": {"cronSpec": "0 0 2 * * *", "timezone": "UTC"}}),
            "cronSpec",
        ),
        (json!({"cron": {"timezone": "UTC"}}), "cronSpec"),
        (
            json!({"cron": {"cronSpec": "0 2 * * *", "timezone": "Mars/Olympus_Mons"}}),
            "timezone",
        ),
        (
            json!({"cron": {"cronSpec": "0 2 * * *", "timezone": ""}}),
            "timezone",
        ),
        (json!({"cron": {"cronSpec": "0 2 * * *"}}), "timezone"),
        (
            json!({"cron": {"cronSpec": "0 2 * * *", "timezone": "UTC", "start": null}}),
            "unknown field",
        ),
        (
            json!({"cron": {"cronSpec": "0 2 * * *", "timezone": "UTC"}, "interval": 5}),
            "unknown field",
        ),
    ] {
        let (status, answer) = api.post(&format!("{path}/schedule"), body.clone()).await;
        assert_eq!(status, 400, "{body}: {answer}");
        assert_eq!(answer["code"], 3, "INVALID_ARGUMENT for {body}");
        assert!(
            answer["message"].as_str().unwrap().contains(needle),
            "{body}: {answer}"
        );
    }
    assert_eq!(
        connector(&api, &path).await["connectorSyncCronSchedule"]["cronSpec"],
        "*/30 * * * *",
        "a refused schedule changes nothing"
    );
    let ok = json!({"cron": {"cronSpec": "0 2 * * *", "timezone": "UTC"}});
    let missing = format!("/api/v1/apps/{app}/connectors/nope/schedule");
    assert_eq!(api.post(&missing, ok.clone()).await.0, 404);

    // Set "in the console": read back as it was given.
    let console = ScheduleSpec {
        cron_spec: "15 3 * * *".into(),
        timezone: "Asia/Tokyo".into(),
    };
    assert!(emu.update_connector_out_of_band(
        &app,
        &id,
        OutOfBand {
            sync_schedule: Some(console),
            ..OutOfBand::default()
        }
    ));
    assert_eq!(
        connector(&api, &path).await["connectorSyncCronSchedule"],
        json!({"cronSpec": "15 3 * * *", "timezone": "Asia/Tokyo", "start": null})
    );
}

#[tokio::test]
async fn pause_disables_syncs_until_resume_starts_one() {
    let spec = Spec::load("conductorone.yaml", true, true);
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let id = create_xero_connector(&api, &app, &creds).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    let done = settled(&api, &app, &id).await;
    assert_eq!(done["canResumeSync"], false);
    assert!(done["syncDisabledAt"].is_null());

    let (status, answer) = api.post(&format!("{path}/pause"), json!({})).await;
    assert_eq!((status, &answer), (200, &json!({})));
    spec.assert_valid(&spec.response("post", PAUSE), &answer, "pause answer");
    let paused = connector(&api, &path).await;
    assert_eq!(paused["status"]["status"], "SYNC_STATUS_DISABLED");
    assert!(paused["syncDisabledAt"].is_string(), "{paused}");
    assert!(!paused["syncDisabledReason"].as_str().unwrap().is_empty());
    assert_eq!(paused["canResumeSync"], true);
    spec.assert_valid(
        &spec.response("get", GET),
        &api.get(&path).await.1,
        "paused connector",
    );

    // Paused: no second pause, no forced sync, and nothing starts by itself.
    let (status, answer) = api.post(&format!("{path}/pause"), json!({})).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(9)),
        "{answer}"
    );
    let (status, answer) = api.post(&format!("{path}/force_sync"), json!({})).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(9)),
        "{answer}"
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        connector(&api, &path).await["status"]["status"],
        "SYNC_STATUS_DISABLED"
    );
    // Bodies are strict.
    let (status, _) = api
        .post(&format!("{path}/resume"), json!({"force": true}))
        .await;
    assert_eq!(status, 400);

    let (status, answer) = api.post(&format!("{path}/resume"), json!({})).await;
    assert_eq!((status, &answer), (200, &json!({})));
    spec.assert_valid(&spec.response("post", RESUME), &answer, "resume answer");
    let resumed = connector(&api, &path).await;
    assert_eq!(resumed["status"]["status"], "SYNC_STATUS_RUNNING");
    assert!(resumed["syncDisabledAt"].is_null());
    assert_eq!(resumed["syncDisabledReason"], "");
    assert_eq!(resumed["canResumeSync"], false);
    assert_eq!(
        settled(&api, &app, &id).await["status"]["status"],
        "SYNC_STATUS_DONE"
    );
    let (status, answer) = api.post(&format!("{path}/resume"), json!({})).await;
    assert_eq!(
        (status, answer["code"].clone()),
        (400, json!(9)),
        "{answer}"
    );
    let missing = format!("/api/v1/apps/{app}/connectors/nope/pause");
    assert_eq!(api.post(&missing, json!({})).await.0, 404);

    // Paused and resumed "in the console".
    let console = |paused| OutOfBand {
        paused: Some(paused),
        ..OutOfBand::default()
    };
    assert!(emu.update_connector_out_of_band(&app, &id, console(true)));
    assert_eq!(
        connector(&api, &path).await["status"]["status"],
        "SYNC_STATUS_DISABLED"
    );
    assert!(emu.update_connector_out_of_band(&app, &id, console(true)));
    assert!(emu.update_connector_out_of_band(&app, &id, console(false)));
    assert_eq!(
        settled(&api, &app, &id).await["status"]["status"],
        "SYNC_STATUS_DONE"
    );
}

#[tokio::test]
async fn a_pause_drops_the_running_sync_and_new_credentials_start_none() {
    let emu = emulator().await;
    let api = Api::new(&emu).await;
    let app = emu.create_app("Xero");
    let creds = emu.register_xero_app(XeroAppKind::CustomConnection);
    let c = create_xero_connector(&api, &app, &creds).await;
    assert_eq!(c["status"]["status"], "SYNC_STATUS_RUNNING");
    let id = c["id"].as_str().unwrap();
    let path = format!("/api/v1/apps/{app}/connectors/{id}");
    assert_eq!(api.post(&format!("{path}/pause"), json!({})).await.0, 200);
    let body = json!({"connector": {"config": {"@type": c1_emulator::ENV_CONFIG_TYPE,
        "configuration": {"xero_client_id": {"stringValue": creds.0}}}}, "updateMask": "config"});
    assert_eq!(api.post(&path, body).await.0, 200);
    tokio::time::sleep(Duration::from_millis(400)).await;
    assert_eq!(
        connector(&api, &path).await["status"]["status"],
        "SYNC_STATUS_DISABLED",
        "the sync running at the pause did not end it, and new credentials started none"
    );
}
