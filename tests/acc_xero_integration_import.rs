//! Importing `conductorone_xero_integration`: `terraform import APP_ID/CONNECTOR_ID` (every
//! supported Terraform), import blocks by ID and by identity, and `-generate-config-out`
//! (Terraform 1.5+ / 1.12+, run on 1.15.5).

mod acc_xero_integration_env;
mod support;

use acc_xero_integration_env::{Env, attrs, changed, header, one, q};
use support::{Terraform, terraform_tests};

/// Creates a connector with credentials through Terraform in its own directory; returns
/// (app ID, connector ID, Xero client ID, secret).
fn existing(env: &Env, tf: &Terraform) -> (String, String, String, String) {
    let app = env.emu.create_app("Imported");
    let (id, secret) = env.custom_connection();
    let wd = env.workdir(tf);
    let cfg = format!(
        "  app_id = {}\n  xero_client_id = {}\n  xero_client_secret = {}\n",
        q(&app),
        q(&id),
        q(&secret)
    );
    wd.write("main.tf", &one(&cfg));
    wd.apply();
    let conn = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
    // Forget it here, so only the importing directory manages it.
    wd.run(&["state", "rm", "conductorone_xero_integration.x"])
        .assert_success();
    (app, conn, id, secret)
}

terraform_tests! {
    fn import_by_id_then_only_the_secret_is_planned(tf) {
        let env = Env::start();
        let (app, conn, id, secret) = existing(&env, tf);

        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&format!("  app_id = {}\n  xero_client_id = {}\n", q(&app), q(&id))));
        let bad = wd.import("conductorone_xero_integration.x", &conn);
        bad.assert_failure();
        assert!(bad.combined().contains("APP_ID/CONNECTOR_ID"), "{bad}");

        wd.import("conductorone_xero_integration.x", &format!("{app}/{conn}")).assert_success();
        let a = attrs(&wd, "x");
        assert_eq!(a["id"], conn.as_str());
        assert_eq!(a["xero_client_id"], id.as_str());
        assert_eq!(a["validate_credentials"], true);
        assert_eq!(a["wait_for_sync"], false);
        // Without a secret in the configuration (ConductorOne keeps its own), nothing to do.
        wd.assert_no_changes();

        // The configuration adds the secret: that is the only change (and the app type it reveals).
        let with_secret = format!("  app_id = {}\n  xero_client_id = {}\n  xero_client_secret = {}\n", q(&app), q(&id), q(&secret));
        wd.write("main.tf", &one(&with_secret));
        let plan = wd.plan_json();
        let (diff, actions) = changed(&plan, "conductorone_xero_integration.x");
        assert_eq!(actions, ["update"], "{plan}");
        assert!(diff.contains(&"xero_client_secret".to_owned()), "{diff:?}");
        for k in &diff {
            assert!(["xero_client_secret", "xero_app_type"].contains(&k.as_str()), "unexpected change of {k}: {diff:?}");
        }
        wd.apply();
        assert_eq!(attrs(&wd, "x")["xero_app_type"], "custom_connection");
        wd.assert_no_changes();
        wd.destroy();
        assert!(env.live_connectors(&app).is_empty());
    }
}

fn tf_1_15() -> Option<Terraform> {
    support::terraform::for_slot("1.15.5")
}

#[test]
fn import_blocks_by_id_and_by_identity() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::start();
    let (app, conn, id, _) = existing(&env, &tf);
    let resource = format!(
        "resource \"conductorone_xero_integration\" \"x\" {{\n  app_id = {}\n  xero_client_id = {}\n}}\n",
        q(&app),
        q(&id)
    );

    let by_id = env.workdir(&tf);
    by_id.write(
        "main.tf",
        &format!(
            "{}{resource}import {{\n  to = conductorone_xero_integration.x\n  id = {}\n}}\n",
            header(),
            q(&format!("{app}/{conn}"))
        ),
    );
    let out = by_id.apply();
    assert!(out.stdout.contains("1 imported"), "{out}");
    assert_eq!(attrs(&by_id, "x")["id"], conn.as_str());
    by_id.assert_no_changes();
    let state = by_id.state_json();
    let identity = &state["resources"][0]["instances"][0]["identity"];
    assert_eq!(
        identity["app_id"],
        app.as_str(),
        "identity kept in state: {state}"
    );
    assert_eq!(identity["id"], conn.as_str());

    let by_identity = env.workdir(&tf);
    by_identity.write(
        "main.tf",
        &format!(
            "{}{resource}import {{\n  to = conductorone_xero_integration.x\n  identity = {{\n    app_id = {}\n    id = {}\n  }}\n}}\n",
            header(),
            q(&app),
            q(&conn)
        ),
    );
    let out = by_identity.apply();
    assert!(out.stdout.contains("1 imported"), "{out}");
    assert_eq!(attrs(&by_identity, "x")["xero_client_id"], id.as_str());
    by_identity.assert_no_changes();

    let bad = env.workdir(&tf);
    bad.write(
        "main.tf",
        &format!("{}{resource}import {{\n  to = conductorone_xero_integration.x\n  id = \"no-slash\"\n}}\n", header()),
    );
    let out = bad.plan();
    out.assert_failure();
    assert!(out.combined().contains("APP_ID/CONNECTOR_ID"), "{out}");
}

#[test]
fn generated_configuration_is_valid_and_plans_clean() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::start();
    let (app, conn, id, _) = existing(&env, &tf);
    let wd = env.workdir(&tf);
    wd.write(
        "main.tf",
        &format!(
            "{}import {{\n  to = conductorone_xero_integration.x\n  id = {}\n}}\n",
            header(),
            q(&format!("{app}/{conn}"))
        ),
    );
    let out = wd.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-generate-config-out=gen.tf",
    ]);
    out.assert_success();
    let generated = std::fs::read_to_string(wd.path().join("gen.tf")).expect("gen.tf written");
    assert!(
        generated.contains(&app) && generated.contains(&id),
        "{generated}"
    );
    wd.run(&["validate", "-no-color"]).assert_success();
    let out = wd.apply();
    assert!(out.stdout.contains("1 imported"), "{out}");
    wd.assert_no_changes();
    assert_eq!(
        attrs(&wd, "x")["user_ids"],
        env.live_connectors(&app)[0]["userIds"]
    );
}
