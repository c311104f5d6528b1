//! The compatibility smoke lifecycle: what `make compat` runs on every Terraform release it
//! installs (`TERRAFORM=.tools/terraform-<v>/terraform`), and `make test` on each supported slot.
//!
//! Steps, in order: create, clean re-plan, data source, `terraform import`, import block (1.5+),
//! import by identity (1.12+), write-only secret (1.11+), destroy. Each step's outcome (`ok`,
//! `FAIL`, `n/a` for a feature the version lacks, `not run` after a failure) goes to stderr and,
//! when `COMPAT_REPORT` names a file, into it as `step<TAB>outcome` lines for the table.

mod acc_xero_integration_env;
mod support;

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::PathBuf;

use acc_xero_integration_env::{Env, attrs, one, q};
use support::{SUPPORTED_VERSIONS, Terraform};

/// The steps, as the table's rows name them.
const STEPS: [&str; 8] = [
    "create",
    "re-plan",
    "data source",
    "import",
    "import block",
    "identity",
    "write-only",
    "destroy",
];

/// Records each step's outcome and stops running steps after the first failure.
struct Steps {
    rows: Vec<(&'static str, &'static str)>,
    failure: Option<Box<dyn std::any::Any + Send>>,
}

impl Steps {
    fn run(&mut self, name: &'static str, applies: bool, f: impl FnOnce()) {
        let outcome = if self.failure.is_some() {
            "not run"
        } else if !applies {
            "n/a"
        } else {
            match catch_unwind(AssertUnwindSafe(f)) {
                Ok(()) => "ok",
                Err(e) => {
                    self.failure = Some(e);
                    "FAIL"
                }
            }
        };
        self.rows.push((name, outcome));
    }

    /// Writes the report and fails the test with the first failure's own panic.
    fn finish(self, tf: &Terraform) {
        let names: Vec<&str> = self.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, STEPS, "every step has one row, in the table's order");
        let text: String = self
            .rows
            .iter()
            .map(|(step, outcome)| format!("{step}\t{outcome}\n"))
            .collect();
        eprintln!("compat smoke on Terraform {}:\n{text}", tf.version());
        if let Some(path) = std::env::var_os("COMPAT_REPORT").map(PathBuf::from) {
            std::fs::write(&path, &text)
                .unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        }
        if let Some(e) = self.failure {
            resume_unwind(e);
        }
    }
}

fn integration(app: &str, client_id: &str, secret_line: &str) -> String {
    one(&format!(
        "  app_id = {}\n  xero_client_id = {}\n{secret_line}",
        q(app),
        q(client_id)
    ))
}

fn smoke(tf: &Terraform) {
    let env = Env::start();
    let app = env.emu.create_app("Compat");
    let (client_id, secret) = env.custom_connection();
    let wd = env.workdir(tf);
    let plain = integration(
        &app,
        &client_id,
        &format!("  xero_client_secret = {}\n", q(&secret)),
    );
    let mut conn = String::new();
    let mut steps = Steps {
        rows: Vec::new(),
        failure: None,
    };

    steps.run("create", true, || {
        wd.write("main.tf", &plain);
        wd.apply();
        conn = attrs(&wd, "x")["id"].as_str().expect("id").to_owned();
        assert_eq!(env.live_connectors(&app).len(), 1);
    });
    steps.run("re-plan", true, || wd.assert_no_changes());
    steps.run("data source", true, || {
        let data = format!(
            "{plain}\ndata \"conductorone_xero_sync\" \"s\" {{\n  app_id = {}\n  integration_id = conductorone_xero_integration.x.id\n  wait_for_sync = true\n}}\n\
             output \"status\" {{\n  value = data.conductorone_xero_sync.s.sync_status\n}}\n\
             output \"roles\" {{\n  value = length(data.conductorone_xero_sync.s.roles)\n}}\n",
            q(&app)
        );
        wd.write("main.tf", &data);
        wd.apply();
        let out = wd.run(&["output", "-json"]);
        out.assert_success();
        let json: serde_json::Value = serde_json::from_str(&out.stdout).expect("output JSON");
        assert_eq!(json["status"]["value"], "done", "{json}");
        assert!(json["roles"]["value"].as_u64().unwrap_or(0) > 0, "{json}");
        // Back to the resource alone (the apply drops the outputs), still with nothing to change.
        wd.write("main.tf", &plain);
        wd.apply();
        wd.assert_no_changes();
    });
    // Each import runs in its own directory and lets go of the connector afterwards, so the
    // first directory stays its only manager.
    let without_secret = integration(&app, &client_id, "");
    let forget = |dir: &support::Workdir| {
        dir.run(&["state", "rm", "conductorone_xero_integration.x"])
            .assert_success();
    };
    steps.run("import", true, || {
        let other = env.workdir(tf);
        other.write("main.tf", &without_secret);
        other
            .import("conductorone_xero_integration.x", &format!("{app}/{conn}"))
            .assert_success();
        assert_eq!(attrs(&other, "x")["id"], conn.as_str());
        other.assert_no_changes();
        forget(&other);
    });
    let import_block = |target: String| {
        let other = env.workdir(tf);
        other.write(
            "main.tf",
            &format!(
                "{without_secret}\nimport {{\n  to = conductorone_xero_integration.x\n{target}}}\n"
            ),
        );
        let out = other.apply();
        assert!(out.stdout.contains("1 imported"), "{out}");
        assert_eq!(attrs(&other, "x")["id"], conn.as_str());
        other.write("main.tf", &without_secret);
        other.assert_no_changes();
        forget(&other);
    };
    steps.run("import block", tf.at_least(1, 5, 0), || {
        import_block(format!("  id = {}\n", q(&format!("{app}/{conn}"))));
    });
    steps.run("identity", tf.at_least(1, 12, 0), || {
        import_block(format!(
            "  identity = {{\n    app_id = {}\n    id = {}\n  }}\n",
            q(&app),
            q(&conn)
        ));
    });
    steps.run("write-only", tf.supports_write_only(), || {
        let rotated = env.emu.rotate_xero_secret(&client_id).expect("rotate");
        wd.write(
            "main.tf",
            &integration(
                &app,
                &client_id,
                &format!(
                    "  xero_client_secret_wo = {}\n  xero_client_secret_wo_version = 1\n",
                    q(&rotated)
                ),
            ),
        );
        wd.apply();
        let a = attrs(&wd, "x");
        assert!(
            a["xero_client_secret_wo"].is_null() && a["xero_client_secret"].is_null(),
            "no secret in state: {a}"
        );
        assert!(!wd.state_json().to_string().contains(&rotated));
        wd.assert_no_changes();
    });
    steps.run("destroy", true, || {
        wd.destroy();
        assert!(env.live_connectors(&app).is_empty());
    });
    steps.finish(tf);
}

/// With `TERRAFORM` set (what `make compat` does) the lifecycle runs on that binary alone;
/// otherwise on every supported slot `TF_ACC_TERRAFORM_VERSIONS` selects.
#[test]
fn smoke_lifecycle() {
    let explicit = std::env::var_os("TERRAFORM").is_some_and(|p| !p.is_empty());
    let slots: &[&str] = if explicit {
        &SUPPORTED_VERSIONS[..1]
    } else {
        &SUPPORTED_VERSIONS
    };
    for slot in slots {
        if let Some(tf) = support::terraform::for_slot(slot) {
            smoke(&tf);
        }
    }
}
