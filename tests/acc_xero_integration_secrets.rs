//! `conductorone_xero_integration`: validation errors on their attributes, the write-only secret
//! (kept out of state, plan files and logs), one token per provider process, and exactly-once
//! creation under injected 429s and 503s.

mod acc_xero_integration_env;
mod support;

use std::time::Duration;

use acc_xero_integration_env::{Env, attrs, header, one, plan_code, q};
use c1_emulator::{Config, Fault, FaultKind, Method};
use support::{Terraform, Workdir, terraform_tests};

/// `terraform validate -json`'s diagnostics as (severity, summary, source line).
fn validate(wd: &Workdir) -> Vec<(String, String, String)> {
    let out = wd.run(&["validate", "-json", "-no-color"]);
    let json = out.json();
    json["diagnostics"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|d| {
            let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_owned();
            (
                s(&d["severity"]),
                s(&d["summary"]),
                s(&d["snippet"]["code"]),
            )
        })
        .collect()
}

terraform_tests! {
    fn validation_errors_point_at_their_attribute(tf) {
        let env = Env::start();
        let wd = env.workdir(tf);
        let id = "116F90CBBCFB407D9645A4DBC376E52B";
        let block = "  new_app {\n    display_name = \"X\"\n  }\n";
        // (body, severity, summary, text the diagnostic's source line holds)
        let cases: Vec<(String, &str, &str, &str)> = vec![
            ("  app_id = \" app1\"\n".into(), "error", "Value Has Surrounding Whitespace", "app_id"),
            ("  app_id = \"\"\n".into(), "error", "Empty Value", "app_id"),
            (format!("  app_id = \"a\"\n{block}"), "error", "Conflicting App Settings", "app_id"),
            ("  user_ids = []\n".into(), "error", "Missing App", ""),
            ("  app_id = \"a\"\n  xero_client_secret = \"s\"\n".into(), "error", "Missing Xero Client ID", ""),
            ("  app_id = \"a\"\n  xero_client_id = \"abc\"\n  xero_client_secret = \"s\"\n".into(), "warning", "Unusual Xero Client ID", "xero_client_id"),
            (format!("  app_id = \"a\"\n  xero_client_id = {}\n  xero_client_secret = \"s \"\n", q(id)), "error", "Value Has Surrounding Whitespace", "xero_client_secret"),
            ("  app_id = \"a\"\n  timeouts {\n    create = \"ten minutes\"\n  }\n".into(), "error", "Invalid Timeout", "create"),
            ("  new_app {\n    display_name = \"\"\n  }\n".into(), "error", "Empty Value", "display_name"),
        ];
        for (body, severity, summary, line) in cases {
            wd.write("main.tf", &one(&body));
            let diags = validate(&wd);
            assert!(
                diags.iter().any(|(sev, sum, code)| sev == severity && sum == summary && code.contains(line)),
                "{body}: want {severity} {summary:?} on a line with {line:?}, got {diags:?}"
            );
        }

        // The write-only secret: refused where Terraform would store it, both forms at once refused
        // where it is supported.
        let both = format!("  app_id = \"a\"\n  xero_client_id = {}\n  xero_client_secret = \"s\"\n  xero_client_secret_wo = \"w\"\n", q(id));
        wd.write("main.tf", &one(&both));
        let diags = validate(&wd);
        let want = if tf.supports_write_only() { "Two Forms of the Client Secret" } else { "Write-Only Attribute Not Supported" };
        assert!(
            diags.iter().any(|(sev, sum, code)| sev == "error" && sum == want && code.contains("xero_client_secret_wo")),
            "{diags:?}"
        );
        // Nothing was checked with Xero or written at validate time.
        let c = env.emu.counters();
        assert_eq!((c.xero_total(), c.api_total()), (0, 0), "{c:?}");
    }
}

fn tf_1_15() -> Option<Terraform> {
    support::terraform::for_slot("1.15.5")
}

/// Every entry of the zip at `path`, as bytes.
fn zip_entries(path: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys,zipfile,base64\nz=zipfile.ZipFile(sys.argv[1])\nfor n in z.namelist(): print(n, base64.b64encode(z.read(n)).decode())", &path.to_string_lossy()])
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    use base64::Engine as _;
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, b)| {
            (
                n.to_owned(),
                base64::engine::general_purpose::STANDARD
                    .decode(b)
                    .expect("base64"),
            )
        })
        .collect()
}

#[test]
fn write_only_secret_is_sent_on_version_change_and_never_stored_or_logged() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::start();
    let app_a = env.emu.create_app("Plain");
    let app_b = env.emu.create_app("WriteOnly");
    let (id_a, plain) = env.custom_connection();
    let (id_b, wo) = env.custom_connection();
    let mut wd = env.workdir(&tf);
    // The write-only value comes from an ephemeral variable, so neither the configuration files nor
    // the variables a plan file embeds hold it.
    let config = |wo_version: u32| {
        format!(
            "{}variable \"wo\" {{\n  type = string\n  ephemeral = true\n  sensitive = true\n}}\n\
             resource \"conductorone_xero_integration\" \"a\" {{\n  app_id = {}\n  xero_client_id = {}\n  xero_client_secret = {}\n}}\n\
             resource \"conductorone_xero_integration\" \"b\" {{\n  app_id = {}\n  xero_client_id = {}\n  xero_client_secret_wo = var.wo\n  xero_client_secret_wo_version = {wo_version}\n  wait_for_sync = true\n}}\n",
            header(),
            q(&app_a),
            q(&id_a),
            q(&plain),
            q(&app_b),
            q(&id_b)
        )
    };
    wd.write("main.tf", &config(1));
    wd.env("TF_VAR_wo", &wo).env("TF_LOG", "TRACE");
    let apply = wd.apply();
    assert_eq!(
        env.live_connectors(&app_b)[0]["status"]["status"],
        "SYNC_STATUS_DONE",
        "the write-only secret reached ConductorOne"
    );
    let plan = wd.run(&["plan", "-input=false", "-no-color", "-out=saved.tfplan"]);
    plan.assert_success();

    let state = std::fs::read_to_string(wd.path().join("terraform.tfstate")).expect("state");
    assert!(!state.contains(&wo), "write-only secret in state");
    assert_eq!(
        state.matches(&plain).count(),
        1,
        "the stored secret is in state once, as xero_client_secret"
    );
    let json: serde_json::Value = serde_json::from_str(&state).expect("json");
    let b = &json["resources"]
        .as_array()
        .expect("resources")
        .iter()
        .find(|r| r["name"] == "b")
        .expect("b")["instances"][0]["attributes"];
    assert!(
        b["xero_client_secret_wo"].is_null() && b["xero_client_secret"].is_null(),
        "{b}"
    );

    for (name, bytes) in zip_entries(&wd.path().join("saved.tfplan")) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            !text.contains(&wo),
            "write-only secret in the plan file's {name}"
        );
    }
    for (what, out) in [("apply", &apply), ("plan", &plan)] {
        let logs = out.combined();
        assert!(logs.contains("[TRACE]"), "TF_LOG=TRACE took effect");
        assert!(!logs.contains(&wo), "write-only secret in the {what} log");
        assert!(!logs.contains(&plain), "secret in the {what} log");
    }

    // A new write-only value alone is not sent (Terraform cannot see it); bumping the version sends it.
    let rotated = env.emu.rotate_xero_secret(&id_b).expect("rotate");
    wd.env("TF_VAR_wo", &rotated).env("TF_LOG", "");
    let (code, out) = plan_code(&wd);
    assert_eq!(code, Some(0), "{out}");
    wd.write("main.tf", &config(2));
    env.emu.reset_counters();
    wd.apply();
    assert_eq!(
        env.emu.counters().api(c1_emulator::Route::UpdateConnector),
        1
    );
    assert_eq!(
        env.live_connectors(&app_b)[0]["status"]["status"],
        "SYNC_STATUS_DONE",
        "the rotated secret works"
    );
    wd.assert_no_changes();
    wd.destroy();
}

#[test]
fn one_token_per_provider_process_for_fifty_resources() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::with(Config {
        page_size: 100,
        sync_duration: Duration::from_millis(200),
        ..Config::default()
    });
    let app = env.emu.create_app("Many");
    let mut wd = env.workdir(&tf);
    wd.write("main.tf", &format!("{}resource \"conductorone_xero_integration\" \"x\" {{\n  count = 50\n  app_id = {}\n}}\n", header(), q(&app)));
    wd.apply();
    assert_eq!(env.live_connectors(&app).len(), 50);
    env.emu.reset_counters();
    wd.env("TF_LOG", "TRACE");
    let out = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(out.code(), Some(0), "{out}");
    let configured = out
        .combined()
        .matches("GRPCProvider.v6: ConfigureProvider")
        .count() as u64;
    let c = env.emu.counters();
    assert_eq!(c.api(c1_emulator::Route::GetConnector), 50, "{c:?}");
    assert!(configured >= 1, "ConfigureProvider seen in the log");
    assert_eq!(
        c.token_total(),
        configured,
        "one token per configured provider process: {c:?}"
    );
    wd.env("TF_LOG", "");
    wd.destroy();
}

#[test]
fn rate_limits_and_ambiguous_failures_still_create_each_object_once() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::start();
    let wd = env.workdir(&tf);
    let mut cfg = header();
    for i in 0..3 {
        cfg.push_str(&format!("resource \"conductorone_xero_integration\" \"r{i}\" {{\n  new_app {{\n    display_name = \"Org {i}\"\n  }}\n}}\n"));
    }
    wd.write("main.tf", &cfg);
    let fault = |path: &str, kind: FaultKind, times: u32, after_effect: bool| Fault {
        method: Some(Method::POST),
        path_contains: path.to_owned(),
        kind,
        times,
        after_effect,
    };
    env.emu.inject(fault(
        "/api/v1/apps",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        2,
        true,
    ));
    env.emu.inject(fault(
        "/connectors",
        FaultKind::Status {
            code: 429,
            retry_after: Some(1),
        },
        2,
        false,
    ));
    env.emu.inject(fault(
        "/connectors",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        1,
        true,
    ));
    wd.apply();
    let apps = env.emu.apps();
    for i in 0..3 {
        let name = format!("Org {i}");
        let live: Vec<_> = apps
            .iter()
            .filter(|a| a["displayName"] == name.as_str() && a["deletedAt"].is_null())
            .collect();
        assert_eq!(live.len(), 1, "{name}: {apps:?}");
        let app_id = live[0]["id"].as_str().expect("id");
        assert_eq!(env.live_connectors(app_id).len(), 1, "{name}");
        assert_eq!(attrs(&wd, &format!("r{i}"))["app_id"], app_id);
    }
    wd.assert_no_changes();
    wd.destroy();
    for a in env.emu.apps() {
        assert!(
            !a["deletedAt"].is_null()
                || !a["displayName"]
                    .as_str()
                    .unwrap_or_default()
                    .starts_with("Org "),
            "{a}"
        );
    }
}
