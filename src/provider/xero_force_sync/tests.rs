//! The action against the in-process emulator, whose forced syncs queue before they run: the
//! requested sync told from the previous one, progress, failure, timeout, cancellation, choosing
//! the connector, and the checks.

use std::time::Duration;

use c1_emulator::{Config, Emulator, Route, SyncBehaviour, SyncOutcome, XeroAppKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::*;
use crate::conductorone::models::{ConnectorStatus, EnvConfig, XERO_CATALOG_ID};
use crate::conductorone::{ClientConfig, ClientKey, Credentials, NewConnector};
use crate::framework::action::RawActionEvent;
use crate::framework::{Diagnostic, Presence, schema_for};
use crate::secret::SecretString;

const ACTION: XeroForceSync = XeroForceSync {
    poll: PollPolicy {
        initial: Duration::from_millis(20),
        max: Duration::from_millis(50),
    },
    progress_every: Duration::from_secs(3600),
};

async fn emulator() -> Emulator {
    c1_emulator::start(Config {
        sync_duration: Duration::from_millis(300),
        force_sync_queue: Duration::from_millis(200),
        ..Config::default()
    })
    .await
    .unwrap()
}

fn client(emu: &Emulator) -> Client {
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    let credentials = Credentials::ClientSecret {
        client_id: emu.client_id(),
        key,
    };
    Client::new(ClientConfig::new(
        Url::parse(&emu.conductorone_url()).unwrap(),
        credentials,
    ))
    .unwrap()
}

/// A Xero connector with Custom Connection credentials on `app_id`, its first sync finished.
async fn synced_connector(emu: &Emulator, c: &Client, app_id: &str) -> Connector {
    let (id, secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let config = EnvConfig::from_pairs([
        ("xero_client_id", SecretString::new(id.as_str())),
        ("xero_client_secret", SecretString::new(secret)),
    ]);
    let new = NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        ..NewConnector::default()
    };
    let cancel = CancellationToken::new();
    let created = c
        .create_connector(app_id, &new, &config, &cancel)
        .await
        .unwrap();
    let policy = ACTION.poll;
    crate::provider::sync_wait::wait_for_sync(
        c,
        app_id,
        &created.id,
        Duration::from_secs(10),
        policy,
        &cancel,
    )
    .await
    .unwrap()
}

fn config(app_id: &str) -> XeroForceSyncConfig {
    XeroForceSyncConfig {
        app_id: Value::Known(app_id.to_owned()),
        ..XeroForceSyncConfig::default()
    }
}

/// What one run produced: its notes and its diagnostics.
struct Ran {
    notes: Vec<String>,
    diags: Diagnostics,
}

impl Ran {
    fn errors(&self) -> Vec<&Diagnostic> {
        self.diags.iter().filter(|d| d.is_error()).collect()
    }

    /// The one error, which must be on `attribute` (`""`: none).
    #[track_caller]
    fn only_error_at(&self, attribute: &str) -> &Diagnostic {
        let errs = self.errors();
        assert_eq!(errs.len(), 1, "{:?}", self.diags);
        let at = errs[0]
            .attribute
            .as_ref()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert_eq!(at, attribute, "{:?}", errs[0]);
        errs[0]
    }
}

async fn run_with(
    action: XeroForceSync,
    c: &Client,
    config: &XeroForceSyncConfig,
    cancel: &CancellationToken,
) -> Ran {
    let (tx, mut rx) = mpsc::channel(1000);
    let progress = ActionProgress::new(tx);
    let mut diags = Diagnostics::new();
    action.run(c, cancel, config, &progress, &mut diags).await;
    drop(progress);
    let mut notes = Vec::new();
    while let Some(event) = rx.recv().await {
        match event {
            RawActionEvent::Progress(m) => notes.push(m),
            RawActionEvent::Completed(d) => panic!("the action sent its own completion: {d:?}"),
        }
    }
    Ran { notes, diags }
}

async fn run(c: &Client, config: &XeroForceSyncConfig) -> Ran {
    run_with(ACTION, c, config, &CancellationToken::new()).await
}

fn status_of(emu: &Emulator, app_id: &str, id: &str) -> serde_json::Value {
    emu.connectors(app_id)
        .into_iter()
        .find(|c| c["id"] == id)
        .unwrap()["status"]
        .clone()
}

#[tokio::test]
async fn waits_past_the_previous_done_for_the_requested_sync() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let before = synced_connector(&emu, &c, &app).await;
    let before_start = before.status.clone().unwrap().started_at.unwrap();
    emu.reset_counters();

    let ran = run(&c, &config(&app)).await;
    assert!(ran.diags.is_empty(), "{:?}", ran.diags);
    assert_eq!(emu.counters().api(Route::ForceSync), 1);
    // The connector showed its first sync's DONE while the requested one queued: the action
    // waited on, and the sync that ended is a newer one.
    let after = status_of(&emu, &app, &before.id);
    assert_eq!(after["status"], "SYNC_STATUS_DONE");
    let after_start: DateTime<Utc> = after["startedAt"].as_str().unwrap().parse().unwrap();
    assert!(after_start > before_start, "{after} vs {before_start}");
    let notes = ran.notes.join("\n");
    assert!(
        ran.notes[0].starts_with(&format!("Requested a sync of Xero connector {}", before.id)),
        "{notes}"
    );
    assert!(
        notes.contains("Queued: ConductorOne still shows the previous sync (SYNC_STATUS_DONE"),
        "{notes}"
    );
    assert!(
        notes.contains("Sync started (SYNC_STATUS_RUNNING, started"),
        "{notes}"
    );
    assert!(
        ran.notes
            .last()
            .unwrap()
            .contains("finished (SYNC_STATUS_DONE) in"),
        "{notes}"
    );
}

#[tokio::test]
async fn a_failed_sync_is_an_error_with_conductorones_last_error() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    emu.set_sync_behaviour(
        &app,
        &conn.id,
        SyncBehaviour {
            outcome: SyncOutcome::Fail {
                last_error: "xero: 401 from the Accounting API: token expired".into(),
            },
            ..SyncBehaviour::default()
        },
    );
    let mut cfg = config(&app);
    cfg.integration_id = Value::Known(conn.id.clone());
    let ran = run(&c, &cfg).await;
    let e = ran.only_error_at("");
    assert_eq!(e.summary, "Xero Sync Failed");
    assert!(
        e.detail.contains(
            "ConductorOne's last error: xero: 401 from the Accounting API: token expired"
        ),
        "{}",
        e.detail
    );
    assert!(e.detail.contains("SYNC_STATUS_ERROR"), "{}", e.detail);
}

#[tokio::test]
async fn a_previous_failure_is_not_taken_for_the_requested_sync() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    let failing = SyncBehaviour {
        queued_for: Some(Duration::ZERO),
        outcome: SyncOutcome::Fail {
            last_error: "earlier failure".into(),
        },
        ..SyncBehaviour::default()
    };
    emu.set_sync_behaviour(&app, &conn.id, failing);
    let first = run(&c, &config(&app)).await;
    assert_eq!(first.only_error_at("").summary, "Xero Sync Failed");
    // Now the connector shows SYNC_STATUS_ERROR; the next sync, slow to start, succeeds.
    emu.set_sync_behaviour(
        &app,
        &conn.id,
        SyncBehaviour {
            queued_for: Some(Duration::from_millis(300)),
            outcome: SyncOutcome::Succeed,
            ..SyncBehaviour::default()
        },
    );
    let second = run(&c, &config(&app)).await;
    assert!(second.diags.is_empty(), "{:?}", second.diags);
    assert!(
        second
            .notes
            .join("\n")
            .contains("previous sync (SYNC_STATUS_ERROR"),
        "{:?}",
        second.notes
    );
}

#[tokio::test]
async fn a_timeout_says_how_long_it_waited_and_the_last_status() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    emu.set_sync_behaviour(
        &app,
        &conn.id,
        SyncBehaviour {
            queued_for: Some(Duration::ZERO),
            outcome: SyncOutcome::Never,
            ..SyncBehaviour::default()
        },
    );
    let mut cfg = config(&app);
    cfg.timeout = Value::Known("400ms".into());
    let ran = run(&c, &cfg).await;
    let e = ran.only_error_at("timeout");
    assert_eq!(e.summary, "Sync Not Finished");
    assert!(
        e.detail.starts_with("Waited 400ms (`timeout`)"),
        "{}",
        e.detail
    );
    assert!(
        e.detail
            .contains("it was still going (SYNC_STATUS_RUNNING, started"),
        "{}",
        e.detail
    );

    // Still queued at the timeout: said so, with the previous sync's status.
    let other = emu.create_app("Payroll");
    let queued = synced_connector(&emu, &c, &other).await;
    emu.set_sync_behaviour(
        &other,
        &queued.id,
        SyncBehaviour {
            queued_for: Some(Duration::from_secs(60)),
            ..SyncBehaviour::default()
        },
    );
    let mut cfg = config(&other);
    cfg.timeout = Value::Known("300ms".into());
    let ran = run(&c, &cfg).await;
    let e = ran.only_error_at("timeout");
    assert!(
        e.detail.contains(
            "it had not started: ConductorOne still showed the previous sync (SYNC_STATUS_DONE"
        ),
        "{}",
        e.detail
    );
}

#[tokio::test]
async fn cancellation_ends_the_wait_promptly_and_says_so() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    emu.set_sync_behaviour(
        &app,
        &conn.id,
        SyncBehaviour {
            outcome: SyncOutcome::Never,
            ..SyncBehaviour::default()
        },
    );
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        trigger.cancel();
    });
    let slow_poll = XeroForceSync {
        poll: PollPolicy {
            initial: Duration::from_secs(30),
            max: Duration::from_secs(30),
        },
        ..ACTION
    };
    let started = std::time::Instant::now();
    let ran = run_with(slow_poll, &c, &config(&app), &cancel).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the wait ran on for {:?}",
        started.elapsed()
    );
    let e = ran.only_error_at("");
    assert_eq!(e.summary, "Sync Wait Cancelled");
    assert!(e.detail.contains("goes on in ConductorOne"), "{}", e.detail);
}

#[tokio::test]
async fn wait_false_only_asks_for_the_sync() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    emu.reset_counters();
    let mut cfg = config(&app);
    cfg.wait = Value::Known(false);
    let ran = run(&c, &cfg).await;
    assert!(ran.diags.is_empty(), "{:?}", ran.diags);
    assert_eq!(ran.notes.len(), 2, "{:?}", ran.notes);
    assert!(ran.notes[1].contains("wait = false"));
    let counters = emu.counters();
    assert_eq!(counters.api(Route::ForceSync), 1);
    assert_eq!(
        counters.api(Route::GetConnector),
        0,
        "no wait, so no status reads"
    );
    // The requested sync is still on the queue: nothing waited for it.
    assert_eq!(
        status_of(&emu, &app, &conn.id)["startedAt"],
        conn.status
            .unwrap()
            .started_at
            .map_or(serde_json::Value::Null, |t| {
                serde_json::Value::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            })
    );
}

#[tokio::test]
async fn the_connector_is_chosen_like_the_data_source_chooses_it() {
    let emu = emulator().await;
    let c = client(&emu);
    let empty = emu.create_app("Empty");
    let ran = run(&c, &config(&empty)).await;
    assert_eq!(
        ran.only_error_at("app_id").summary,
        "No Xero Integration in the App"
    );

    let app = emu.create_app("Two");
    let one = synced_connector(&emu, &c, &app).await;
    let two = synced_connector(&emu, &c, &app).await;
    emu.reset_counters();
    let ran = run(&c, &config(&app)).await;
    let e = ran.only_error_at("integration_id");
    assert_eq!(e.summary, "Several Xero Integrations in the App");
    assert!(e.detail.contains("has 2 Xero connectors"), "{}", e.detail);
    assert!(e.detail.contains(&one.id) && e.detail.contains(&two.id));
    assert_eq!(emu.counters().api(Route::ForceSync), 0, "nothing requested");

    let mut cfg = config(&app);
    cfg.integration_id = Value::Known("2NoSuchConnector0000000000".into());
    let ran = run(&c, &cfg).await;
    assert_eq!(
        ran.only_error_at("integration_id").summary,
        "Xero Integration Not Found"
    );

    let ran = run(&c, &config("2NoSuchApp00000000000000000")).await;
    assert_eq!(ran.only_error_at("app_id").summary, "App Not Found");
}

#[tokio::test]
async fn a_connector_without_credentials_is_not_synced() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Delegated");
    let new = NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        display_name: "Xero".to_owned(),
        user_ids: Vec::new(),
    };
    c.create_connector_delegated(&app, &new, &CancellationToken::new())
        .await
        .unwrap();
    emu.reset_counters();
    let ran = run(&c, &config(&app)).await;
    let e = ran.only_error_at("app_id");
    assert_eq!(e.summary, "Xero Integration Not Set Up");
    assert_eq!(emu.counters().api(Route::ForceSync), 0);
}

#[tokio::test]
async fn bad_ids_and_timeouts_are_errors_on_their_attribute_and_unknowns_pass() {
    let cases = [
        (
            XeroForceSyncConfig {
                app_id: Value::Known(" ".into()),
                ..XeroForceSyncConfig::default()
            },
            "app_id",
        ),
        (
            XeroForceSyncConfig {
                integration_id: Value::Known("".into()),
                ..config("2App")
            },
            "integration_id",
        ),
        (
            XeroForceSyncConfig {
                timeout: Value::Known("10".into()),
                ..config("2App")
            },
            "timeout",
        ),
        (
            XeroForceSyncConfig {
                timeout: Value::Known("-1m".into()),
                ..config("2App")
            },
            "timeout",
        ),
    ];
    for (cfg, attribute) in cases {
        let mut diags = Diagnostics::new();
        crate::framework::validate::validate_model(&cfg, &mut diags);
        assert_eq!(diags.len(), 1, "{cfg:?}: {diags:?}");
        let d = diags.iter().next().unwrap();
        assert_eq!(
            d.attribute.as_ref().map(ToString::to_string).as_deref(),
            Some(attribute)
        );
        if attribute == "timeout" {
            assert_eq!(d.summary, "Invalid Timeout");
        }
    }
    let unknown = XeroForceSyncConfig {
        app_id: Value::Unknown,
        integration_id: Value::Unknown,
        wait: Value::Unknown,
        timeout: Value::Unknown,
    };
    let mut diags = Diagnostics::new();
    crate::framework::validate::validate_model(&unknown, &mut diags);
    assert!(diags.is_empty(), "{diags:?}");
}

#[test]
fn the_requested_sync_is_the_first_to_start_after_the_baseline() {
    let t = |s: i64| DateTime::<Utc>::from_timestamp(1_800_000_000 + s, 0).unwrap();
    let conn = |status: &str, started: Option<i64>| Connector {
        status: Some(ConnectorStatus {
            status: status.to_owned(),
            started_at: started.map(t),
            ..ConnectorStatus::default()
        }),
        ..Connector::default()
    };
    let cases = [
        (Some(t(0)), conn("SYNC_STATUS_DONE", Some(0)), Phase::Queued),
        (
            Some(t(0)),
            conn("SYNC_STATUS_ERROR", Some(0)),
            Phase::Queued,
        ),
        (
            Some(t(0)),
            conn("SYNC_STATUS_RUNNING", Some(0)),
            Phase::Queued,
        ),
        (
            Some(t(0)),
            conn("SYNC_STATUS_RUNNING", Some(5)),
            Phase::Running,
        ),
        (Some(t(0)), conn("SYNC_STATUS_DONE", Some(5)), Phase::Done),
        (
            Some(t(0)),
            conn("SYNC_STATUS_ERROR", Some(5)),
            Phase::Failed,
        ),
        (
            Some(t(0)),
            conn("SYNC_STATUS_DISABLED", Some(0)),
            Phase::Disabled,
        ),
        (Some(t(5)), conn("SYNC_STATUS_DONE", Some(0)), Phase::Queued),
        (None, conn("SYNC_STATUS_UNSPECIFIED", None), Phase::Queued),
        (None, conn("SYNC_STATUS_RUNNING", Some(0)), Phase::Running),
        (
            None,
            conn("SYNC_STATUS_SOMETHING_NEW", Some(0)),
            Phase::Unrecognised,
        ),
        (None, Connector::default(), Phase::Queued),
    ];
    for (baseline, c, want) in cases {
        assert_eq!(Phase::of(baseline, &c), want, "{baseline:?} {:?}", c.status);
    }
}

#[test]
fn schema_describes_every_attribute() {
    let schema = schema_for::<XeroForceSyncConfig>().unwrap();
    assert!(schema.block.description.contains("lastError"));
    for (name, presence) in [
        ("app_id", Presence::Required),
        ("integration_id", Presence::Optional),
        ("wait", Presence::Optional),
        ("timeout", Presence::Optional),
    ] {
        let a = schema.block.attribute(name).unwrap();
        assert_eq!(a.presence, presence, "{name}");
        assert!(!a.description.is_empty(), "{name}");
    }
    assert_eq!(XeroForceSyncConfig::default().wait, Value::Null);
}

#[test]
fn durations_read_as_people_say_them() {
    for (d, want) in [
        (Duration::ZERO, "0s"),
        (Duration::from_millis(40), "0s"),
        (Duration::from_millis(1460), "1.5s"),
        (Duration::from_millis(9960), "10s"),
        (Duration::from_millis(45_900), "45s"),
        (Duration::from_secs(90), "1m30s"),
    ] {
        assert_eq!(rough(d), want, "{d:?}");
    }
}

#[tokio::test]
async fn a_long_wait_repeats_its_note_with_the_time_so_far() {
    let emu = emulator().await;
    let c = client(&emu);
    let app = emu.create_app("Finance");
    let conn = synced_connector(&emu, &c, &app).await;
    emu.set_sync_behaviour(
        &app,
        &conn.id,
        SyncBehaviour {
            queued_for: Some(Duration::from_millis(1300)),
            duration: Some(Duration::from_millis(1300)),
            ..SyncBehaviour::default()
        },
    );
    let chatty = XeroForceSync {
        progress_every: Duration::from_millis(500),
        ..ACTION
    };
    let ran = run_with(chatty, &c, &config(&app), &CancellationToken::new()).await;
    assert!(ran.diags.is_empty(), "{:?}", ran.diags);
    let notes = ran.notes.join("\n");
    let count = |prefix: &str| ran.notes.iter().filter(|n| n.starts_with(prefix)).count();
    assert_eq!(count("Queued: "), 1, "{notes}");
    assert!(count("Still queued after ") >= 1, "{notes}");
    assert_eq!(count("Sync started ("), 1, "{notes}");
    assert!(count("Sync running for ") >= 1, "{notes}");
    assert!(notes.contains("Still queued after 1"), "{notes}");
}
