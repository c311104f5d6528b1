//! Acceptance tests of the `conductorone_xero_force_sync` action: real Terraform 1.15.5 invoking
//! it (`apply -invoke`, and a resource's `action_trigger`) against the in-process emulator, whose
//! forced syncs queue before they run; failing, never-ending and interrupted syncs; and
//! Terraform 1.0.3, which knows no actions, seeing no change.

mod acc_xero_integration_env;
mod support;

use std::time::{Duration, Instant};

use acc_xero_integration_env::{Env, attrs, header, q};
use c1_emulator::{Config, Route, SyncBehaviour, SyncOutcome};
use support::terraform::for_slot;
use support::{Output, Workdir, terraform_tests};

/// Forced syncs queue for 600 ms and run for 1.5 s: long enough that the previous sync's DONE
/// shows after the request, and that progress notes come from several reads.
fn env() -> Env {
    Env::with(Config {
        page_size: 2,
        sync_duration: Duration::from_millis(1500),
        force_sync_queue: Duration::from_millis(600),
        ..Config::default()
    })
}

/// `conductorone_xero_integration.x` on `app` with new Custom Connection credentials, plus
/// `extra` (blocks for main.tf; `lifecycle` goes in `inside`).
fn config(env: &Env, app: &str, inside: &str, extra: &str) -> String {
    let (id, secret) = env.custom_connection();
    integration(app, &id, &secret, inside, extra)
}

fn integration(app: &str, id: &str, secret: &str, inside: &str, extra: &str) -> String {
    format!(
        "{}\nresource \"conductorone_xero_integration\" \"x\" {{\n  app_id = {}\n  \
         xero_client_id = {}\n  xero_client_secret = {}\n{inside}}}\n{extra}",
        header(),
        q(app),
        q(id),
        q(secret)
    )
}

/// An `action "conductorone_xero_force_sync" "<name>"` block with `body` in its `config`.
fn action(name: &str, body: &str) -> String {
    format!(
        "\naction \"conductorone_xero_force_sync\" \"{name}\" {{\n  config {{\n{body}  }}\n}}\n"
    )
}

fn invoke(wd: &Workdir, name: &str) -> Output {
    wd.run(&[
        "apply",
        "-auto-approve",
        "-no-color",
        &format!("-invoke=action.conductorone_xero_force_sync.{name}"),
    ])
}

/// `startedAt` of the status of connector `id` of `app`, as the emulator renders it.
fn started_at(env: &Env, app: &str, id: &str) -> chrono::DateTime<chrono::FixedOffset> {
    let c = env
        .live_connectors(app)
        .into_iter()
        .find(|c| c["id"] == id)
        .expect("the connector");
    chrono::DateTime::parse_from_rfc3339(c["status"]["startedAt"].as_str().expect("startedAt"))
        .expect("RFC 3339")
}

// `apply -invoke` with `integration_id` left out (the app has one Xero connector): the action
// asks for one sync, shows it queued behind the previous sync's DONE, running, then finished,
// and succeeds; a plain apply never runs it.
#[test]
fn invoked_action_requests_one_sync_and_shows_its_progress_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let env = env();
    let app = env.emu.create_app("Finance");
    let wd = env.workdir(&tf);
    let sync = action("x", "    app_id = conductorone_xero_integration.x.app_id\n");
    wd.write("main.tf", &config(&env, &app, "", &sync));
    wd.apply();
    let id = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
    assert_eq!(
        env.emu.counters().api(Route::ForceSync),
        0,
        "a plain apply runs no action"
    );
    wd.assert_no_changes();
    // The sync the create started has ended by now or ends while the forced one queues.
    std::thread::sleep(Duration::from_millis(1600));
    let before = started_at(&env, &app, &id);

    env.emu.reset_counters();
    let out = invoke(&wd, "x");
    out.assert_success();
    assert_eq!(env.emu.counters().api(Route::ForceSync), 1, "{out}");
    for text in [
        format!("Requested a sync of Xero connector {id}"),
        "Queued: ConductorOne still shows the previous sync (SYNC_STATUS_DONE".to_owned(),
        "Sync started (SYNC_STATUS_RUNNING".to_owned(),
        "finished (SYNC_STATUS_DONE) in".to_owned(),
        "Actions: 1 invoked.".to_owned(),
    ] {
        assert!(out.stdout.contains(&text), "no {text:?}:\n{out}");
    }
    assert!(started_at(&env, &app, &id) > before, "a new sync ran");
    wd.assert_no_changes();
}

// Through `action_trigger`: the action runs after the integration is created (its ID unknown at
// plan) and after it is updated, each time waiting for a sync that started after its request,
// and not when nothing changes.
#[test]
fn action_trigger_syncs_after_create_and_after_update_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let env = env();
    let app = env.emu.create_app("Finance");
    let wd = env.workdir(&tf);
    let lifecycle = "  lifecycle {\n    action_trigger {\n      events  = [after_create, after_update]\n      \
                     actions = [action.conductorone_xero_force_sync.after]\n    }\n  }\n";
    let sync = action(
        "after",
        "    app_id         = conductorone_xero_integration.x.app_id\n    \
         integration_id = conductorone_xero_integration.x.id\n    timeout        = \"1m\"\n",
    );
    let (xero_id, secret) = env.custom_connection();
    wd.write(
        "main.tf",
        &integration(&app, &xero_id, &secret, lifecycle, &sync),
    );
    let created = wd.apply();
    assert_eq!(env.emu.counters().api(Route::ForceSync), 1, "{created}");
    assert!(
        created
            .stdout
            .contains("Requested a sync of Xero connector"),
        "{created}"
    );
    assert!(
        created.stdout.contains("finished (SYNC_STATUS_DONE)"),
        "{created}"
    );
    wd.assert_no_changes();
    assert_eq!(
        env.emu.counters().api(Route::ForceSync),
        1,
        "no change, no action"
    );

    // Rotating the secret updates the integration in place: the action runs again.
    let rotated = env.emu.rotate_xero_secret(&xero_id).expect("rotate");
    wd.write(
        "main.tf",
        &integration(&app, &xero_id, &rotated, lifecycle, &sync),
    );
    env.emu.reset_counters();
    let updated = wd.apply();
    assert!(updated.stdout.contains("1 changed"), "{updated}");
    assert_eq!(env.emu.counters().api(Route::ForceSync), 1, "{updated}");
    assert!(
        updated.stdout.contains("finished (SYNC_STATUS_DONE)"),
        "{updated}"
    );
}

// A failed sync fails the apply with ConductorOne's lastError; a sync that never ends fails it
// at `timeout`, saying how long it waited and what the status was; two Xero connectors and no
// `integration_id` is an error listing them, before anything is requested.
#[test]
fn failed_timed_out_and_ambiguous_syncs_are_errors_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let env = env();
    let app = env.emu.create_app("Finance");
    let wd = env.workdir(&tf);
    let actions = [
        action(
            "fails",
            "    app_id = conductorone_xero_integration.x.app_id\n",
        ),
        action(
            "slow",
            "    app_id  = conductorone_xero_integration.x.app_id\n    timeout = \"3s\"\n",
        ),
    ]
    .concat();
    wd.write("main.tf", &config(&env, &app, "", &actions));
    wd.apply();
    let id = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();

    env.emu.set_sync_behaviour(
        &app,
        &id,
        SyncBehaviour {
            outcome: SyncOutcome::Fail {
                last_error: "xero: token request refused: invalid_client".into(),
            },
            ..SyncBehaviour::default()
        },
    );
    let failed = invoke(&wd, "fails");
    failed.assert_failure();
    let text = failed.combined();
    assert!(text.contains("Xero Sync Failed"), "{failed}");
    assert!(
        text.contains("ConductorOne's last error: xero: token request refused: invalid_client"),
        "{failed}"
    );

    env.emu.set_sync_behaviour(
        &app,
        &id,
        SyncBehaviour {
            queued_for: Some(Duration::ZERO),
            outcome: SyncOutcome::Never,
            ..SyncBehaviour::default()
        },
    );
    let slow = invoke(&wd, "slow");
    slow.assert_failure();
    let text = slow.combined();
    assert!(text.contains("Sync Not Finished"), "{slow}");
    assert!(text.contains("Waited 3s (`timeout`)"), "{slow}");
    assert!(text.contains("still going (SYNC_STATUS_RUNNING"), "{slow}");

    // A second Xero connector in the app: without integration_id the action cannot choose.
    let other = env.workdir(&tf);
    other.write("main.tf", &config(&env, &app, "", ""));
    other.apply();
    env.emu.reset_counters();
    let ambiguous = invoke(&wd, "fails");
    ambiguous.assert_failure();
    let text = ambiguous.combined();
    assert!(
        text.contains("Several Xero Integrations in the App"),
        "{ambiguous}"
    );
    assert!(text.contains("has 2 Xero connectors"), "{ambiguous}");
    assert_eq!(env.emu.counters().api(Route::ForceSync), 0, "{ambiguous}");
}

// Ctrl-C while the action waits for a sync that never ends: Terraform calls StopProvider, the
// wait ends at once, and the error says it was cancelled and that the sync goes on.
#[test]
fn interrupted_wait_stops_promptly_and_says_so_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let env = env();
    let app = env.emu.create_app("Finance");
    let wd = env.workdir(&tf);
    let sync = action(
        "long",
        "    app_id = conductorone_xero_integration.x.app_id\n",
    );
    wd.write("main.tf", &config(&env, &app, "", &sync));
    wd.apply();
    let id = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
    env.emu.set_sync_behaviour(
        &app,
        &id,
        SyncBehaviour {
            queued_for: Some(Duration::ZERO),
            outcome: SyncOutcome::Never,
            ..SyncBehaviour::default()
        },
    );
    let started = Instant::now();
    let out = wd.run_interrupted(
        &[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.conductorone_xero_force_sync.long",
        ],
        "Sync started (SYNC_STATUS_RUNNING",
    );
    out.assert_failure();
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "the interrupted wait ran on for {:?}:\n{out}",
        started.elapsed()
    );
    let text = out.combined();
    assert!(text.contains("Sync Wait Cancelled"), "{out}");
    assert!(text.contains("goes on in ConductorOne"), "{out}");
}

// Bad values are found at plan, on their attribute, before anything runs.
#[test]
fn bad_timeout_and_ids_are_plan_errors_on_their_attribute_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let env = env();
    let app = env.emu.create_app("Finance");
    let wd = env.workdir(&tf);
    let sync = action(
        "bad",
        "    app_id  = conductorone_xero_integration.x.app_id\n    timeout = \"10 minutes\"\n",
    );
    wd.write("main.tf", &config(&env, &app, "", &sync));
    let out = invoke(&wd, "bad");
    out.assert_failure();
    let text = out.combined();
    assert!(text.contains("Invalid Timeout"), "{out}");
    assert!(
        text.contains("timeout = \"10 minutes\""),
        "the error quotes the line:\n{out}"
    );
    assert_eq!(env.emu.counters().api(Route::ForceSync), 0);
    assert!(env.live_connectors(&app).is_empty(), "nothing was applied");
}

terraform_tests! {
    // Terraform 1.0.3 never asks for actions: the schema it reads has none, and a configuration
    // without action blocks applies and plans clean as before. (1.15.5 lists the action.)
    fn the_action_is_in_the_schema_only_for_terraform_that_knows_actions(tf) {
        let env = env();
        let app = env.emu.create_app("Finance");
        let wd = env.workdir(tf);
        wd.write("main.tf", &config(&env, &app, "", ""));
        wd.apply();
        wd.assert_no_changes();
        let schema = wd.providers_schema();
        let provider = &schema["provider_schemas"]["registry.terraform.io/conductorone/conductorone"];
        assert!(provider.is_object(), "{schema:#}");
        let action = &provider["action_schemas"]["conductorone_xero_force_sync"];
        if tf.at_least(1, 14, 0) {
            let attributes = &action["block"]["attributes"];
            assert_eq!(attributes["app_id"]["required"], true, "{action:#}");
            for optional in ["integration_id", "wait", "timeout"] {
                assert_eq!(attributes[optional]["optional"], true, "{optional}: {action:#}");
            }
        } else {
            assert!(provider.get("action_schemas").is_none(), "{provider:#}");
        }
    }
}
