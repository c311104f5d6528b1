//! `sync_schedule` and `sync_paused` on `conductorone_xero_integration`, with real Terraform:
//! the schedule round trip, a schedule changed in ConductorOne showing as drift and put back,
//! a block removed leaving ConductorOne's schedule alone with no diff, pause and resume, the
//! provider's own checks of cron and zone on their attributes, ConductorOne's refusals on the
//! attribute they concern, and an import reading the schedule.

mod acc_xero_integration_env;
mod support;

use acc_xero_integration_env::{Env, attrs, changed, one, plan_code, q};
use c1_emulator::{Fault, FaultKind, Method, OutOfBand, Route, ScheduleSpec};
use serde_json::{Value as Json, json};
use support::{Workdir, terraform_tests};

/// The body of a connector with credentials in `app`, plus `extra`.
fn body(app: &str, creds: &(String, String), extra: &str) -> String {
    format!(
        "  app_id = {}\n  xero_client_id = {}\n  xero_client_secret = {}\n{extra}",
        q(app),
        q(&creds.0),
        q(&creds.1)
    )
}

fn schedule(cron: &str, zone: &str) -> String {
    format!(
        "  sync_schedule {{\n    cron     = {}\n    timezone = {}\n  }}\n",
        q(cron),
        q(zone)
    )
}

fn paused(p: bool) -> String {
    format!("  sync_paused = {p}\n")
}

/// Applies, refusing any output that says the provider broke its own plan; then the plan is empty.
fn apply_cleanly(wd: &Workdir) {
    let out = wd.apply();
    let text = out.combined().to_lowercase();
    for bad in ["inconsistent", "unexpected new value", "invalid"] {
        assert!(!text.contains(bad), "apply said {bad:?}:\n{text}");
    }
    wd.assert_no_changes();
}

/// The one live connector of `app`, as the API renders it.
fn connector(env: &Env, app: &str) -> Json {
    let live = env.live_connectors(app);
    assert_eq!(live.len(), 1, "one live connector in {app}: {live:?}");
    live[0].clone()
}

fn server_schedule(env: &Env, app: &str) -> Json {
    connector(env, app)["connectorSyncCronSchedule"].clone()
}

fn cron_json(cron: &str, zone: &str) -> Json {
    json!({"cronSpec": cron, "timezone": zone, "start": null})
}

fn console(env: &Env, app: &str, id: &str, patch: OutOfBand) {
    assert!(env.emu.update_connector_out_of_band(app, id, patch));
}

terraform_tests! {
    fn a_schedule_round_trips_shows_drift_and_is_left_alone_once_removed(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Scheduled");
        let creds = env.custom_connection();
        let wd = env.workdir(tf);

        env.emu.reset_counters();
        wd.write("main.tf", &one(&body(&app, &creds, &schedule("0 2 * * *", "Europe/London"))));
        apply_cleanly(&wd);
        assert_eq!(env.emu.counters().api(Route::UpdateSchedule), 1);
        assert_eq!(server_schedule(&env, &app), cron_json("0 2 * * *", "Europe/London"));
        let a = attrs(&wd, "x");
        assert_eq!(a["sync_schedule"], json!({"cron": "0 2 * * *", "timezone": "Europe/London"}));
        let id = a["id"].as_str().expect("id").to_owned();

        // Changed in the console: drift, which the next apply puts back.
        console(&env, &app, &id, OutOfBand {
            sync_schedule: Some(ScheduleSpec { cron_spec: "15 3 * * *".into(), timezone: "Asia/Tokyo".into() }),
            ..OutOfBand::default()
        });
        let (code, out) = plan_code(&wd);
        assert_eq!(code, Some(2), "a schedule changed in ConductorOne is drift:\n{out}");
        assert!(out.contains("15 3 * * *") && out.contains("Asia/Tokyo"), "{out}");
        apply_cleanly(&wd);
        assert_eq!(server_schedule(&env, &app), cron_json("0 2 * * *", "Europe/London"));

        // Changed in the configuration: one schedule call, in place, nothing else sent.
        wd.write("main.tf", &one(&body(&app, &creds, &schedule("0 */6 * * 1-5", "UTC"))));
        let plan = wd.plan_json();
        let (diff, actions) = changed(&plan, "conductorone_xero_integration.x");
        assert_eq!((diff, actions), (vec!["sync_schedule".to_owned()], vec!["update".to_owned()]));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        let c = env.emu.counters();
        assert_eq!(c.api(Route::UpdateSchedule), 1, "{c:?}");
        assert_eq!(c.api(Route::UpdateConnector) + c.api(Route::PauseSync) + c.api(Route::ResumeSync), 0, "{c:?}");
        assert_eq!(c.xero_total(), 0, "no credentials checked: {c:?}");
        assert_eq!(server_schedule(&env, &app), cron_json("0 */6 * * 1-5", "UTC"));

        // Respaced in the configuration: Terraform plans the new text, but it is the same
        // schedule, so nothing is sent; the respaced text then reads back as written.
        wd.write("main.tf", &one(&body(&app, &creds, &schedule("0  */6 * * 1-5", "UTC"))));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        assert_eq!(env.emu.counters().api(Route::UpdateSchedule), 0);

        // Removed from the configuration: ConductorOne's schedule stays, and so does a later
        // console change, with no diff either time.
        wd.write("main.tf", &one(&body(&app, &creds, "")));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        assert_eq!(env.emu.counters().api(Route::UpdateSchedule), 0);
        assert!(attrs(&wd, "x")["sync_schedule"].is_null());
        assert_eq!(server_schedule(&env, &app), cron_json("0 */6 * * 1-5", "UTC"));
        console(&env, &app, &id, OutOfBand {
            sync_schedule: Some(ScheduleSpec { cron_spec: "0 4 * * *".into(), timezone: "UTC".into() }),
            ..OutOfBand::default()
        });
        wd.assert_no_changes();
        wd.destroy();
    }

    fn pause_and_resume_round_trip_and_what_is_not_detected(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Paused");
        let creds = env.custom_connection();
        let wd = env.workdir(tf);

        // Created paused, with a schedule: both applied, after the connector.
        env.emu.reset_counters();
        let both = format!("{}{}", schedule("0 2 * * *", "UTC"), paused(true));
        wd.write("main.tf", &one(&body(&app, &creds, &both)));
        apply_cleanly(&wd);
        let c = env.emu.counters();
        assert_eq!((c.api(Route::UpdateSchedule), c.api(Route::PauseSync)), (1, 1), "{c:?}");
        let shown = connector(&env, &app);
        assert_eq!(shown["status"]["status"], "SYNC_STATUS_DISABLED");
        assert!(shown["syncDisabledAt"].is_string(), "{shown}");
        assert_eq!(attrs(&wd, "x")["sync_paused"], true);
        let id = shown["id"].as_str().expect("id").to_owned();

        // The data source shows what ConductorOne reports.
        let data = format!(
            "data \"conductorone_xero_sync\" \"s\" {{\n  app_id = {}\n  integration_id = conductorone_xero_integration.x.id\n}}\n\
             output \"disabled_at\" {{\n  value = data.conductorone_xero_sync.s.sync_disabled_at\n}}\n\
             output \"cron\" {{\n  value = data.conductorone_xero_sync.s.sync_schedule_cron\n}}\n",
            q(&app)
        );
        wd.write("data.tf", &data);
        wd.apply();
        let outputs = wd.run(&["output", "-json"]).assert_success().json();
        assert!(outputs["disabled_at"]["value"].is_string(), "{outputs}");
        assert_eq!(outputs["cron"]["value"], "0 2 * * *");
        wd.remove("data.tf");

        // true → false resumes (a sync starts); false → true pauses again.
        for (want, route, status) in [(false, Route::ResumeSync, "SYNC_STATUS_RUNNING"), (true, Route::PauseSync, "SYNC_STATUS_DISABLED")] {
            wd.write("main.tf", &one(&body(&app, &creds, &format!("{}{}", schedule("0 2 * * *", "UTC"), paused(want)))));
            let (diff, actions) = changed(&wd.plan_json(), "conductorone_xero_integration.x");
            assert_eq!((diff, actions), (vec!["sync_paused".to_owned()], vec!["update".to_owned()]));
            env.emu.reset_counters();
            apply_cleanly(&wd);
            let c = env.emu.counters();
            assert_eq!(c.api(route), 1, "{c:?}");
            assert_eq!(c.api(Route::UpdateSchedule), 0, "the schedule is unchanged: {c:?}");
            let now = connector(&env, &app)["status"]["status"].clone();
            assert!(now == status || (now == "SYNC_STATUS_DONE" && !want), "{now}");
        }

        // Removed from the configuration: nothing is called, the connector stays paused.
        wd.write("main.tf", &one(&body(&app, &creds, &schedule("0 2 * * *", "UTC"))));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        let c = env.emu.counters();
        assert_eq!(c.api(Route::PauseSync) + c.api(Route::ResumeSync), 0, "{c:?}");
        assert_eq!(connector(&env, &app)["status"]["status"], "SYNC_STATUS_DISABLED");

        // true again on the connector left paused: ConductorOne refuses a second pause, and the
        // connector shows it is paused already: a warning, and the state says paused.
        wd.write("main.tf", &one(&body(&app, &creds, &format!("{}{}", schedule("0 2 * * *", "UTC"), paused(true)))));
        let out = wd.apply();
        assert!(out.combined().contains("Connector Already Paused"), "{out}");
        assert_eq!(attrs(&wd, "x")["sync_paused"], true);
        wd.assert_no_changes();
        wd.write("main.tf", &one(&body(&app, &creds, "")));
        apply_cleanly(&wd);

        // false from the start calls nothing; a pause made in the console is not detected
        // (the API documents no field that shows one), as the attribute's docs say.
        console(&env, &app, &id, OutOfBand { paused: Some(false), ..OutOfBand::default() });
        wd.write("main.tf", &one(&body(&app, &creds, &paused(false))));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        assert_eq!(env.emu.counters().api(Route::ResumeSync), 0);
        console(&env, &app, &id, OutOfBand { paused: Some(true), ..OutOfBand::default() });
        wd.assert_no_changes();
        wd.destroy();
    }

    fn cron_and_zone_are_checked_on_their_attributes_before_anything_is_written(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Checked");
        let creds = env.custom_connection();
        let wd = env.workdir(tf);
        for (cron, zone, summary, line) in [
            ("@daily", "UTC", "Invalid Cron Expression", "cron     = \"@daily\""),
            ("0 0 2 * * *", "UTC", "Invalid Cron Expression", "6 fields"),
            ("0 24 * * *", "UTC", "Invalid Cron Expression", "hour"),
            ("0 2 * * *", "europe/london", "Invalid Time Zone", "timezone = \"europe/london\""),
            ("0 2 * * *", "+02:00", "Invalid Time Zone", "sync_schedule.timezone"),
        ] {
            wd.write("main.tf", &one(&body(&app, &creds, &schedule(cron, zone))));
            let out = wd.plan();
            out.assert_failure();
            let text = out.combined();
            assert!(text.contains(summary) && text.contains(line), "{cron} / {zone}:\n{text}");
        }
        assert!(env.emu.connectors(&app).is_empty(), "nothing was created");
    }

    fn conductorone_refusals_land_on_the_attribute_and_keep_what_was_applied(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Refused");
        let creds = env.custom_connection();
        let wd = env.workdir(tf);

        // A zone of the right form that ConductorOne does not know: refused at apply, on the
        // block; the connector is kept (tainted) and nothing after the schedule is tried.
        let bad = format!("{}{}", schedule("0 2 * * *", "Mars/Olympus_Mons"), paused(true));
        wd.write("main.tf", &one(&body(&app, &creds, &bad)));
        env.emu.reset_counters();
        let out = wd.try_apply();
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Sync Schedule Refused") && text.contains("Mars/Olympus_Mons"), "{text}");
        assert!(text.contains("sync_schedule {"), "points at the block:\n{text}");
        assert_eq!(env.emu.counters().api(Route::PauseSync), 0, "no pause after a refused schedule");
        assert_eq!(env.live_connectors(&app).len(), 1, "the connector is in the state, not lost");
        assert!(attrs(&wd, "x")["sync_schedule"].is_null());

        // Fixed: the tainted connector is replaced by one with the schedule, paused.
        let good = format!("{}{}", schedule("0 2 * * *", "Pacific/Auckland"), paused(true));
        wd.write("main.tf", &one(&body(&app, &creds, &good)));
        apply_cleanly(&wd);
        assert_eq!(server_schedule(&env, &app), cron_json("0 2 * * *", "Pacific/Auckland"));
        assert_eq!(connector(&env, &app)["status"]["status"], "SYNC_STATUS_DISABLED");

        // Refused on update: the state keeps the schedule that was applied, so the plan still
        // shows the change.
        wd.write("main.tf", &one(&body(&app, &creds, &format!("{}{}", schedule("0 2 * * *", "Mars/Olympus_Mons"), paused(false)))));
        let out = wd.try_apply();
        out.assert_failure();
        assert!(out.combined().contains("Sync Schedule Refused"), "{out}");
        assert_eq!(attrs(&wd, "x")["sync_schedule"]["timezone"], "Pacific/Auckland");
        assert_eq!(attrs(&wd, "x")["sync_paused"], true, "no resume after a refused schedule");
        assert_eq!(plan_code(&wd).0, Some(2));

        // A refused resume (here: permission denied) is on sync_paused and keeps `true`.
        wd.write("main.tf", &one(&body(&app, &creds, &format!("{}{}", schedule("0 2 * * *", "Pacific/Auckland"), paused(false)))));
        env.emu.inject(Fault::new(Some(Method::POST), "/resume", FaultKind::Status { code: 403, retry_after: None }, 1));
        let out = wd.try_apply();
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Cannot Resume Syncs") && text.contains("sync_paused = false"), "{text}");
        assert_eq!(attrs(&wd, "x")["sync_paused"], true);
        apply_cleanly(&wd);
        assert_ne!(connector(&env, &app)["status"]["status"], "SYNC_STATUS_DISABLED");
        wd.destroy();
    }

    fn an_import_reads_the_schedule(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Imported");
        let creds = env.custom_connection();
        let first = env.workdir(tf);
        first.write("main.tf", &one(&body(&app, &creds, "")));
        first.apply();
        let id = attrs(&first, "x")["id"].as_str().expect("id").to_owned();
        first.run(&["state", "rm", "conductorone_xero_integration.x"]).assert_success();
        console(&env, &app, &id, OutOfBand {
            sync_schedule: Some(ScheduleSpec { cron_spec: "30 1 * * 0".into(), timezone: "America/New_York".into() }),
            ..OutOfBand::default()
        });

        let wd = env.workdir(tf);
        let cfg = format!("  app_id = {}\n  xero_client_id = {}\n{}", q(&app), q(&creds.0), schedule("30 1 * * 0", "America/New_York"));
        wd.write("main.tf", &one(&cfg));
        wd.import("conductorone_xero_integration.x", &format!("{app}/{id}")).assert_success();
        let a = attrs(&wd, "x");
        assert_eq!(a["sync_schedule"], json!({"cron": "30 1 * * 0", "timezone": "America/New_York"}));
        assert!(a["sync_paused"].is_null(), "a pause cannot be read, so an import leaves it unset");
        wd.assert_no_changes();

        // A configuration without the block stops tracking the schedule, and leaves it as it is.
        wd.write("main.tf", &one(&format!("  app_id = {}\n  xero_client_id = {}\n", q(&app), q(&creds.0))));
        env.emu.reset_counters();
        apply_cleanly(&wd);
        assert_eq!(env.emu.counters().api(Route::UpdateSchedule), 0);
        assert_eq!(server_schedule(&env, &app), cron_json("30 1 * * 0", "America/New_York"));
        wd.destroy();
    }
}
