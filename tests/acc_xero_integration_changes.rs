//! Changing an existing `conductorone_xero_integration`, as users do: renaming the app `new_app`
//! made (in place), moving the connector to another app (a replacement, in Terraform's default
//! order and with `create_before_destroy`), switching between `app_id` and `new_app`, removing a
//! block, and owners that cannot be empty. After every step the emulator holds exactly what the
//! configuration says, and a second plan is empty.

mod acc_xero_integration_env;
mod support;

use acc_xero_integration_env::{Env, attrs, changed, header, one, plan_code, q};
use serde_json::Value as Json;
use support::{Workdir, terraform_tests};

/// The credentials part of a body.
fn creds(id: &str, secret: &str) -> String {
    format!(
        "  xero_client_id = {}\n  xero_client_secret = {}\n",
        q(id),
        q(secret)
    )
}

fn new_app(name: &str, description: Option<&str>) -> String {
    let description =
        description.map_or(String::new(), |d| format!("    description = {}\n", q(d)));
    format!(
        "  new_app {{\n    display_name = {}\n{description}  }}\n",
        q(name)
    )
}

fn app_json(env: &Env, id: &str) -> Json {
    env.emu
        .apps()
        .into_iter()
        .find(|a| a["id"] == id)
        .unwrap_or_else(|| panic!("no app {id}"))
}

fn live_apps(env: &Env) -> Vec<Json> {
    env.emu
        .apps()
        .into_iter()
        .filter(|a| a["deletedAt"].is_null())
        .collect()
}

/// Applies, refusing any output that says the provider broke its own plan.
fn apply_cleanly(wd: &Workdir) {
    let out = wd.apply();
    let text = out.combined();
    for bad in ["inconsistent", "unexpected new value", "invalid"] {
        assert!(
            !text.to_lowercase().contains(bad),
            "apply said {bad:?}:\n{text}"
        );
    }
    wd.assert_no_changes();
}

/// The one live connector of `app`, with its stored client ID.
fn only_connector(env: &Env, app: &str) -> (String, String) {
    let live = env.live_connectors(app);
    assert_eq!(live.len(), 1, "one live connector in {app}: {live:?}");
    let c = &live[0];
    (
        c["id"].as_str().unwrap_or_default().to_owned(),
        c["config"]["configuration"]["xero_client_id"]["stringValue"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

terraform_tests! {
    fn renaming_the_app_new_app_made_updates_it_in_place(tf) {
        let env = Env::start();
        let (id, secret) = env.custom_connection();
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&format!("{}{}", new_app("A", None), creds(&id, &secret))));
        apply_cleanly(&wd);
        let a = attrs(&wd, "x");
        let (app, conn) = (a["app_id"].as_str().expect("app").to_owned(), a["id"].clone());
        assert_eq!(a["xero_app_type"], "custom_connection");

        for (name, description) in [("B", Some("Finance")), ("B", None), ("C", Some("x"))] {
            wd.write("main.tf", &one(&format!("{}{}", new_app(name, description), creds(&id, &secret))));
            let plan = wd.plan_json();
            let (diff, actions) = changed(&plan, "conductorone_xero_integration.x");
            assert_eq!(actions, ["update"], "a rename is an update: {diff:?}");
            env.emu.reset_counters();
            apply_cleanly(&wd);
            let c = env.emu.counters();
            assert_eq!(c.api(c1_emulator::Route::UpdateApp), 1, "one app update: {c:?}");
            assert_eq!(c.xero_total(), 0, "no credentials sent, none checked: {c:?}");
            let a = attrs(&wd, "x");
            assert_eq!((a["app_id"].as_str(), &a["id"]), (Some(app.as_str()), &conn), "same app and connector");
            let made = app_json(&env, &app);
            assert_eq!(made["displayName"], name);
            assert_eq!(made["description"], description.unwrap_or(""));
            assert_eq!(only_connector(&env, &app).1, id);
        }
        // Renamed in ConductorOne's console: drift, which the next apply puts back.
        assert!(env.emu.update_app_out_of_band(&app, "Renamed by hand", "by hand"));
        let (code, out) = plan_code(&wd);
        assert_eq!(code, Some(2), "a rename outside Terraform is drift:\n{out}");
        assert!(out.contains("Renamed by hand"), "{out}");
        apply_cleanly(&wd);
        assert_eq!(app_json(&env, &app)["displayName"], "C");
        assert_eq!(app_json(&env, &app)["description"], "x");
        wd.destroy();
        assert!(live_apps(&env).is_empty(), "the made app goes with the resource");
    }

    fn moving_to_another_app_replaces_and_leaves_nothing_behind(tf) {
        let env = Env::start();
        let (id, secret) = env.custom_connection();
        let first = env.emu.create_app("First");
        let second = env.emu.create_app("Second");
        let third = env.emu.create_app("Third");
        let wd = env.workdir(tf);
        let at = |app: &str, extra: &str| one(&format!("  app_id = {}\n{}{extra}", q(app), creds(&id, &secret)));
        let cbd = "  lifecycle {\n    create_before_destroy = true\n  }\n";

        wd.write("main.tf", &at(&first, ""));
        apply_cleanly(&wd);
        // Default order (destroy, then create), then create_before_destroy.
        for (app, extra) in [(&second, ""), (&third, cbd)] {
            wd.write("main.tf", &at(app, extra));
            apply_cleanly(&wd);
            assert_eq!(only_connector(&env, app).1, id);
            assert_eq!(attrs(&wd, "x")["xero_app_type"], "custom_connection");
        }
        for app in [&first, &second] {
            assert!(env.live_connectors(app).is_empty(), "nothing left in {app}");
        }

        // app_id → new_app: a new app and connector; nothing left in the old app.
        wd.write("main.tf", &one(&format!("{}{}", new_app("Own", None), creds(&id, &secret))));
        apply_cleanly(&wd);
        let made = attrs(&wd, "x")["app_id"].as_str().expect("app").to_owned();
        assert!(env.live_connectors(&third).is_empty());
        assert_eq!(only_connector(&env, &made).1, id);

        // new_app → another app_id, with create_before_destroy: the made app goes too.
        wd.write("main.tf", &at(&first, cbd));
        apply_cleanly(&wd);
        assert_eq!(only_connector(&env, &first).1, id);
        assert!(!app_json(&env, &made)["deletedAt"].is_null(), "the app new_app made is deleted");

        // Back to new_app, then an app_id naming the made app: kept in place, app and all.
        wd.write("main.tf", &one(&format!("{}{}", new_app("Kept", None), creds(&id, &secret))));
        apply_cleanly(&wd);
        let kept = attrs(&wd, "x")["app_id"].as_str().expect("app").to_owned();
        let (conn, _) = only_connector(&env, &kept);
        wd.write("main.tf", &at(&kept, ""));
        let plan = wd.plan_json();
        assert_eq!(changed(&plan, "conductorone_xero_integration.x").1, ["update"]);
        apply_cleanly(&wd);
        assert_eq!(only_connector(&env, &kept).0, conn, "the same connector");
        wd.destroy();
        assert!(env.live_connectors(&kept).is_empty());
        assert!(app_json(&env, &kept)["deletedAt"].is_null(), "an app given by app_id stays");
        let left: Vec<String> = live_apps(&env).iter().filter_map(|a| a["displayName"].as_str().map(str::to_owned)).collect();
        assert_eq!(left.len(), 4, "the three given apps and the adopted one: {left:?}");
    }

    fn removing_a_block_plans_it_absent(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Blocks");
        let (id, secret) = env.custom_connection();
        let wd = env.workdir(tf);
        let timeouts = "  timeouts {\n    create = \"5m\"\n  }\n";
        wd.write("main.tf", &one(&format!("  app_id = {}\n{}{timeouts}", q(&app), creds(&id, &secret))));
        apply_cleanly(&wd);
        wd.write("main.tf", &one(&format!("  app_id = {}\n{}", q(&app), creds(&id, &secret))));
        apply_cleanly(&wd);
        assert!(attrs(&wd, "x")["timeouts"].is_null());

        // new_app → app_id naming another app: the block goes, the connector moves.
        wd.write("main.tf", &one(&format!("{}{}", new_app("Gone", None), creds(&id, &secret))));
        apply_cleanly(&wd);
        wd.write("main.tf", &one(&format!("  app_id = {}\n{}", q(&app), creds(&id, &secret))));
        apply_cleanly(&wd);
        assert!(attrs(&wd, "x")["new_app"].is_null());
        assert_eq!(only_connector(&env, &app).1, id);
        wd.destroy();
    }

    fn an_empty_owner_list_is_refused_on_its_attribute(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Owners");
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&format!("  app_id = {}\n  user_ids = []\n", q(&app))));
        let out = wd.run(&["plan", "-input=false", "-no-color"]);
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("No Connector Owners") && text.contains("user_ids"), "{text}");
        assert!(env.emu.connectors(&app).is_empty());

        // Owners given, then left to ConductorOne: the owners stay, and there is no diff.
        let users = env.emu.user_ids();
        wd.write("main.tf", &one(&format!("  app_id = {}\n  user_ids = [{}]\n", q(&app), q(&users[1]))));
        apply_cleanly(&wd);
        wd.write("main.tf", &one(&format!("  app_id = {}\n", q(&app))));
        let (code, out) = plan_code(&wd);
        assert_eq!(code, Some(0), "{out}");
        assert_eq!(env.live_connectors(&app)[0]["userIds"], serde_json::json!([users[1]]));
        let _ = header();
        wd.destroy();
    }
}
