//! Acceptance tests of `conductorone_xero_integration`: real Terraform against the in-process
//! emulator. Lifecycle (create → no diff → rotate → owners → drift → re-create → destroy), the
//! delegated form, and what the credential check does.

mod acc_xero_integration_env;
mod support;

use acc_xero_integration_env::{Env, attrs, list, one, plan_code, q};
use c1_emulator::{OutOfBand, XeroAppKind};
use support::terraform_tests;

fn body(app_id: &str, id: &str, secret: &str, extra: &str) -> String {
    format!(
        "  app_id = {}\n  xero_client_id = {}\n  xero_client_secret = {}\n{extra}",
        q(app_id),
        q(id),
        q(secret)
    )
}

terraform_tests! {
    fn lifecycle_with_the_secret_in_state(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Finance");
        let (id, secret) = env.custom_connection();
        let wd = env.workdir(tf);

        wd.write("main.tf", &one(&body(&app, &id, &secret, "")));
        wd.apply();
        let a = attrs(&wd, "x");
        assert_eq!(a["xero_app_type"], "custom_connection");
        assert_eq!(a["app_id"], app.as_str());
        assert_eq!(a["validate_credentials"], true);
        assert_eq!(a["wait_for_sync"], false);
        let conn = &env.live_connectors(&app)[0];
        assert_eq!(conn["id"], a["id"]);
        assert_eq!(conn["config"]["configuration"]["xero_client_id"]["stringValue"], id.as_str());
        // ConductorOne made the API client's user the owner; that is no diff.
        let creator = env.emu.user_of_client(&env.emu.client_id()).expect("the provider's API client");
        assert_eq!(a["user_ids"], serde_json::json!([creator]));
        assert_eq!(conn["userIds"], serde_json::json!([creator]));
        wd.assert_no_changes();

        // Rotate the secret (same Xero app): one config update, nothing else.
        let rotated = env.emu.rotate_xero_secret(&id).expect("rotate");
        env.emu.reset_counters();
        wd.write("main.tf", &one(&body(&app, &id, &rotated, "")));
        wd.apply();
        let c = env.emu.counters();
        assert_eq!(c.api(c1_emulator::Route::UpdateConnector), 1, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::UpdateDelegatedConnector), 0, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::CreateConnector), 0, "{c:?}");
        wd.assert_no_changes();

        // Owners.
        let users = env.emu.user_ids();
        let owners = vec![users[1].clone(), users[2].clone()];
        let with_owners = body(&app, &id, &rotated, &format!("  user_ids = {}\n", list(&owners)));
        wd.write("main.tf", &one(&with_owners));
        env.emu.reset_counters();
        wd.apply();
        let c = env.emu.counters();
        assert_eq!(c.api(c1_emulator::Route::UpdateDelegatedConnector), 1, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::UpdateConnector), 0, "owners never resend credentials: {c:?}");
        let conn_id = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
        assert_eq!(env.live_connectors(&app)[0]["userIds"], serde_json::json!(owners));
        wd.assert_no_changes();

        // Owners and client ID changed outside Terraform are drift; apply puts them back.
        let (other_id, _) = env.custom_connection();
        assert!(env.emu.update_connector_out_of_band(&app, &conn_id, OutOfBand {
            user_ids: Some(vec![users[0].clone()]),
            xero_client_id: Some(other_id),
            ..OutOfBand::default()
        }));
        let (code, out) = plan_code(&wd);
        assert_eq!(code, Some(2), "drift is a diff:\n{out}");
        assert!(out.contains("user_ids") && out.contains("xero_client_id"), "{out}");
        wd.apply();
        let conn = &env.live_connectors(&app)[0];
        assert_eq!(conn["userIds"], serde_json::json!(owners));
        assert_eq!(conn["config"]["configuration"]["xero_client_id"]["stringValue"], id.as_str());
        wd.assert_no_changes();

        // Deleted outside Terraform: the next plan re-creates it.
        assert!(env.emu.update_connector_out_of_band(&app, &conn_id, OutOfBand { deleted: true, ..OutOfBand::default() }));
        let (code, out) = plan_code(&wd);
        assert_eq!(code, Some(2), "{out}");
        assert!(out.contains("will be created"), "{out}");
        wd.apply();
        assert_eq!(env.live_connectors(&app).len(), 1);
        assert_ne!(attrs(&wd, "x")["id"], conn_id.as_str());
        wd.run(&["refresh", "-input=false", "-no-color"]).assert_success();
        wd.assert_no_changes();

        wd.destroy();
        assert!(env.live_connectors(&app).is_empty(), "{:?}", env.emu.connectors(&app));
        assert!(!env.emu.connectors(&app).is_empty(), "connectors were made and deleted");
    }

    fn delegated_connector_ignores_credentials_set_later(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Payroll");
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&format!("  app_id = {}\n", q(&app))));
        wd.apply();
        let c = env.emu.counters();
        assert_eq!(c.api(c1_emulator::Route::CreateDelegatedConnector), 1, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::CreateConnector), 0, "{c:?}");
        assert_eq!(c.xero_total(), 0, "nothing to check: {c:?}");
        let a = attrs(&wd, "x");
        assert_eq!(a["xero_app_type"], "unverified");
        assert!(a["xero_client_id"].is_null());
        let conn = &env.live_connectors(&app)[0];
        assert_eq!(conn["displayName"], "Xero");
        wd.assert_no_changes();

        // The owners finish the setup in ConductorOne: still no diff.
        let (id, secret) = env.custom_connection();
        let conn_id = a["id"].as_str().expect("id");
        assert!(env.emu.update_connector_out_of_band(&app, conn_id, OutOfBand {
            xero_client_id: Some(id),
            xero_client_secret: Some(secret),
            ..OutOfBand::default()
        }));
        wd.run(&["refresh", "-input=false", "-no-color"]).assert_success();
        assert!(attrs(&wd, "x")["xero_client_id"].is_null(), "an out-of-band client ID is not pulled in");
        wd.assert_no_changes();
        wd.destroy();
        assert!(env.live_connectors(&app).is_empty());
    }

    fn new_app_is_created_first_and_deleted_with_the_connector(tf) {
        let env = Env::start();
        let (id, secret) = env.custom_connection();
        let wd = env.workdir(tf);
        let cfg = format!(
            "  new_app {{\n    display_name = \"Xero Org\"\n  }}\n  xero_client_id = {}\n  xero_client_secret = {}\n  wait_for_sync = true\n  timeouts {{\n    create = \"30s\"\n  }}\n",
            q(&id), q(&secret)
        );
        wd.write("main.tf", &one(&cfg));
        wd.apply();
        let a = attrs(&wd, "x");
        let app = a["app_id"].as_str().expect("app id").to_owned();
        let conn = &env.live_connectors(&app)[0];
        assert_eq!(conn["status"]["status"], "SYNC_STATUS_DONE", "waited for the sync: {conn}");
        wd.assert_no_changes();
        wd.destroy();
        assert!(env.live_connectors(&app).is_empty());
        let apps = env.emu.apps();
        let made = apps.iter().find(|a| a["id"] == app.as_str()).expect("the app");
        assert!(!made["deletedAt"].is_null(), "the app new_app made is deleted with it: {made}");
    }

    fn invalid_credentials_create_nothing(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Finance");
        let (id, _) = env.custom_connection();
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&body(&app, &id, "wrong-secret-value", "")));
        env.emu.reset_counters();
        let out = wd.try_apply();
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Xero Refused the Client Credentials"), "{text}");
        assert!(text.contains("xero_client_secret"), "{text}");
        // Terraform quotes the configuration line itself ("  10:   xero_client_secret = ..."); the
        // provider's own words must not.
        let ours: Vec<&str> = text.lines().filter(|l| l.trim_start().split(':').next().is_none_or(|n| n.parse::<u32>().is_err())).collect();
        assert!(!ours.join("\n").contains("wrong-secret-value"), "the secret is never quoted: {text}");
        let c = env.emu.counters();
        assert_eq!(c.api(c1_emulator::Route::CreateConnector), 0, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::CreateDelegatedConnector), 0, "{c:?}");
        assert!(env.emu.connectors(&app).is_empty());
        assert!(c.xero_token_requests.get("invalid_client").copied().unwrap_or(0) >= 1, "{c:?}");
    }

    fn an_apply_checks_each_pair_once_and_lists_no_connectors(tf) {
        // `terraform apply` plans in one provider process and applies in another, which plans
        // again first: the plan walk's check stands for the apply walk's (same Terraform
        // process, minutes apart, same credentials), so Xero is asked once per pair.
        const N: u64 = 3;
        let env = Env::start();
        let mut cfg = String::new();
        let mut pairs = Vec::new();
        for i in 0..N {
            let app = env.emu.create_app(&format!("Org {i}"));
            let (id, secret) = env.custom_connection();
            cfg.push_str(&format!("resource \"conductorone_xero_integration\" \"r{i}\" {{\n{}}}\n", body(&app, &id, &secret, "")));
            pairs.push((app, id, secret));
        }
        let wd = env.workdir(tf);
        wd.write("main.tf", &format!("{}{cfg}", acc_xero_integration_env::header()));
        env.emu.reset_counters();
        wd.apply();
        let c = env.emu.counters();
        eprintln!("create apply of {N}: xero token requests {}, connector lists {}, creates {}", c.xero_total(), c.api(c1_emulator::Route::ListConnectors), c.api(c1_emulator::Route::CreateConnector));
        assert_eq!(c.xero_total(), N, "{c:?}");
        assert_eq!(c.xero_token_requests.get("issued").copied(), Some(N), "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::CreateConnector), N, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::ListConnectors), 0, "no list on the happy path: {c:?}");
        for (app, _, _) in &pairs {
            assert_eq!(env.live_connectors(app).len(), 1);
        }
        wd.assert_no_changes();

        // Rotating every secret: again one check per pair, one update each.
        let mut cfg = String::new();
        for (i, (app, id, _)) in pairs.iter().enumerate() {
            let rotated = env.emu.rotate_xero_secret(id).expect("rotate");
            cfg.push_str(&format!("resource \"conductorone_xero_integration\" \"r{i}\" {{\n{}}}\n", body(app, id, &rotated, "")));
        }
        wd.write("main.tf", &format!("{}{cfg}", acc_xero_integration_env::header()));
        env.emu.reset_counters();
        wd.apply();
        let c = env.emu.counters();
        eprintln!("rotate apply of {N}: xero token requests {}", c.xero_total());
        assert_eq!(c.xero_total(), N, "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::UpdateConnector), N, "{c:?}");
        wd.assert_no_changes();
        wd.destroy();
    }

    fn credentials_revoked_after_a_saved_plan_stop_its_apply(tf) {
        // `apply planfile` starts a new provider process (it re-plans each resource there before
        // applying), so the answer the `plan -out` process got cannot stand in for the check
        // before the write: Xero is asked again, refuses, and nothing is written.
        let env = Env::start();
        let app = env.emu.create_app("Finance");
        let (id, secret) = env.custom_connection();
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&body(&app, &id, &secret, "")));
        wd.run(&["plan", "-input=false", "-no-color", "-out=saved.tfplan"]).assert_success();
        let rotated = env.emu.rotate_xero_secret(&id).expect("rotate");
        env.emu.reset_counters();
        let out = wd.run(&["apply", "-input=false", "-no-color", "saved.tfplan"]);
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Xero Refused the Client Credentials"), "{text}");
        let c = env.emu.counters();
        assert_eq!(c.xero_token_requests.get("invalid_client").copied(), Some(1), "{c:?}");
        assert_eq!(c.api(c1_emulator::Route::CreateConnector), 0, "{c:?}");
        assert!(env.emu.connectors(&app).is_empty(), "nothing was created");

        // The same for an update: a saved plan rotating to a secret that is then revoked.
        wd.write("main.tf", &one(&body(&app, &id, &rotated, "")));
        wd.apply();
        let conn_id = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
        let newer = env.emu.rotate_xero_secret(&id).expect("rotate");
        wd.write("main.tf", &one(&body(&app, &id, &newer, "")));
        wd.run(&["plan", "-input=false", "-no-color", "-out=saved.tfplan"]).assert_success();
        let _ = env.emu.rotate_xero_secret(&id).expect("rotate");
        env.emu.reset_counters();
        let out = wd.run(&["apply", "-input=false", "-no-color", "saved.tfplan"]);
        out.assert_failure();
        assert!(out.combined().contains("Xero Refused the Client Credentials"), "{out}");
        let c = env.emu.counters();
        assert_eq!(c.api(c1_emulator::Route::UpdateConnector), 0, "nothing was written: {c:?}");
        assert_eq!(attrs(&wd, "x")["id"], conn_id.as_str());
    }

    fn web_app_passes_with_a_warning_and_a_failed_sync_is_an_error(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Finance");
        let (id, secret) = env.emu.register_xero_app(XeroAppKind::WebApp);
        let wd = env.workdir(tf);
        wd.write("main.tf", &one(&body(&app, &id, &secret, "")));
        let out = wd.apply();
        let text = out.combined();
        assert!(text.contains("Xero Web App Cannot Sync on Its Own"), "{text}");
        assert!(text.contains("Custom Connection"), "{text}");
        assert_eq!(attrs(&wd, "x")["xero_app_type"], "web_app");
        wd.assert_no_changes();

        // Waiting for its sync: the failure is an error quoting ConductorOne's lastError.
        let rotated = env.emu.rotate_xero_secret(&id).expect("rotate");
        wd.write("main.tf", &one(&body(&app, &id, &rotated, "  wait_for_sync = true\n")));
        let out = wd.try_apply();
        out.assert_failure();
        let text = out.combined();
        let recorded = env.live_connectors(&app)[0]["status"]["lastError"].as_str().unwrap_or_default().to_owned();
        assert!(!recorded.is_empty(), "the emulator recorded why the sync failed");
        // Terraform wraps long diagnostics: compare with the line breaks and borders taken out.
        let flat = |t: &str| t.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(text.contains("Xero Sync Failed") && flat(&text).contains(&flat(&recorded)), "{text}");
        assert_eq!(env.live_connectors(&app).len(), 1, "the connector is still tracked");
    }

    fn unreachable_xero_names_validate_credentials(tf) {
        let env = Env::start();
        let app = env.emu.create_app("Finance");
        let (id, secret) = env.custom_connection();
        let mut wd = env.workdir(tf);
        // A port nothing listens on.
        let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let url = format!("http://{}", closed.local_addr().expect("addr"));
        drop(closed);
        wd.env("XERO_IDENTITY_URL", &url);
        wd.write("main.tf", &one(&body(&app, &id, &secret, "")));
        let out = wd.try_apply();
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Cannot Verify the Xero Credentials") && text.contains("validate_credentials = false"), "{text}");
        assert!(env.emu.connectors(&app).is_empty());

        wd.write("main.tf", &one(&body(&app, &id, &secret, "  validate_credentials = false\n")));
        wd.apply();
        assert_eq!(attrs(&wd, "x")["xero_app_type"], "unverified");
        wd.assert_no_changes();
    }
}
