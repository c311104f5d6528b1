//! Acceptance tests of the framework: real Terraform (current and oldest supported) driving the test
//! provider `tests/testprovider` (`registry.terraform.io/example/tftest`).
//!
//! Every scenario runs once per Terraform version (see `support::terraform_tests!`); the provider
//! keeps its objects as `<id>.json` files in a directory inside the test's working directory, so a
//! test can check what the provider really stored, not only what Terraform says.

mod support;

use std::path::PathBuf;

use serde_json::Value;
use support::{Terraform, Workdir, terraform_tests, test_provider};

const THING: &str = "tftest_thing.x";

/// Every `tftest_thing` below sets its optional single nested attribute: Terraform 1.0.x crashes
/// planning a new resource whose single nested attribute is null (hashicorp/terraform#29388), so
/// configurations meant for 1.0.3 must not leave one out.
const ENDPOINT: &str = "  endpoint = { host = \"h.example\" }\n";

/// A `tftest_thing.x` block with `body` (attribute lines) and the endpoint.
fn thing(body: &str) -> String {
    format!("resource \"tftest_thing\" \"x\" {{\n{body}{ENDPOINT}}}\n")
}

/// A working directory with the test provider configured to store objects under `objects/`.
fn tftest_workdir(tf: &Terraform) -> (Workdir, PathBuf) {
    let provider = test_provider();
    let wd = Workdir::new(tf, std::slice::from_ref(&provider));
    let objects = wd.path().join("objects");
    let header = format!(
        "{}\nprovider \"tftest\" {{\n  dir = {}\n}}\n",
        provider.required_providers(),
        Value::String(objects.to_string_lossy().into_owned())
    );
    wd.write("provider.tf", &header);
    (wd, objects)
}

/// The state's attributes of the managed resource at `address`, from the raw state file.
fn state_attributes(wd: &Workdir, address: &str) -> Value {
    let state = wd.state_json();
    let (kind, name) = address.split_once('.').expect("address is type.name");
    let resources = state["resources"].as_array().cloned().unwrap_or_default();
    let resource = resources
        .iter()
        .find(|r| r["mode"] == "managed" && r["type"] == kind && r["name"] == name)
        .unwrap_or_else(|| panic!("{address} not in state: {state:#}"));
    resource["instances"][0]["attributes"].clone()
}

/// The JSON files the provider holds, by file name.
fn stored_objects(objects: &PathBuf) -> Vec<(String, Value)> {
    let Ok(entries) = std::fs::read_dir(objects) else {
        return Vec::new();
    };
    let mut found: Vec<(String, Value)> = entries
        .map(|e| e.expect("read objects dir").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("read stored object");
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (
                name,
                serde_json::from_str(&text).expect("stored object is JSON"),
            )
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0));
    found
}

terraform_tests! {
    // The harness itself: the CLI config, environment and output capture work without any provider.
    fn harness_runs_terraform(tf) {
        let wd = Workdir::new(tf, &[]);
        let version = wd.run(&["version", "-json"]);
        version.assert_success();
        assert_eq!(version.json()["terraform_version"], tf.version().to_string());

        wd.write("main.tf", "output \"greeting\" {\n  value = \"hello\"\n}\n");
        wd.apply();
        assert_eq!(wd.state_json()["outputs"]["greeting"]["value"], "hello");
        wd.assert_no_changes();

        wd.write("main.tf", "output \"greeting\" {\n  value = \"changed\"\n}\n");
        let plan = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(plan.code(), Some(2), "a changed output is a pending change:\n{plan}");
        let broken = wd.write("main.tf", "output {").plan();
        broken.assert_failure();
        assert!(broken.stderr.contains("Error"), "a syntax error is reported on stderr:\n{broken}");
    }

    // GetProviderSchema as Terraform renders it: the provider block, the resource, the data source,
    // and (where Terraform knows them) the write-only attribute, the list resource and the action.
    fn schema_lists_resource_and_data_source(tf) {
        let (wd, _) = tftest_workdir(tf);
        let schema = wd.providers_schema();
        let provider = &schema["provider_schemas"]["registry.terraform.io/example/tftest"];
        assert!(provider.is_object(), "tftest missing from the schema: {schema:#}");

        let dir = &provider["provider"]["block"]["attributes"]["dir"];
        assert_eq!(dir["type"], "string", "{dir}");
        assert_eq!(dir["required"], true, "{dir}");

        let thing = &provider["resource_schemas"]["tftest_thing"]["block"]["attributes"];
        assert_eq!(thing["name"]["required"], true, "{thing:#}");
        assert_eq!(thing["id"]["computed"], true, "{thing:#}");
        assert_eq!(thing["secret"]["sensitive"], true, "{thing:#}");
        if tf.supports_write_only() {
            assert_eq!(thing["password"]["write_only"], true, "{thing:#}");
        }
        let echo = &provider["data_source_schemas"]["tftest_echo"]["block"]["attributes"];
        assert_eq!(echo["input"]["type"], "string", "{echo:#}");
        assert_eq!(echo["output"]["computed"], true, "{echo:#}");
        // Terraform 1.14+ asks for list resources and actions; older versions never see them.
        if tf.at_least(1, 14, 0) {
            let list = &provider["list_resource_schemas"]["tftest_thing"]["block"]["attributes"];
            assert_eq!(list["name_prefix"]["optional"], true, "{list:#}");
            let action = &provider["action_schemas"]["tftest_wait"]["block"]["attributes"];
            assert_eq!(action["label"]["required"], true, "{action:#}");
        }
    }

    // Create, an empty plan, an in-place update that keeps the ID, an empty plan, destroy: with the
    // provider's own store checked at each step.
    fn create_update_destroy(tf) {
        let (wd, objects) = tftest_workdir(tf);
        wd.write("main.tf", r#"
resource "tftest_thing" "x" {
  name        = "alpha"
  description = "first"
  tags        = ["a", "b"]
  endpoint    = { host = "h.example" }
}
"#);
        let plan = wd.plan_json();
        let change = &plan["resource_changes"][0];
        assert_eq!(change["address"], THING, "{plan:#}");
        assert_eq!(change["change"]["actions"], serde_json::json!(["create"]), "{plan:#}");
        assert!(stored_objects(&objects).is_empty(), "planning stored nothing");

        wd.apply();
        let created = state_attributes(&wd, THING);
        let id = created["id"].as_str().expect("id is a string").to_owned();
        assert!(!id.is_empty(), "{created:#}");
        assert_eq!(created["name"], "alpha");
        assert_eq!(created["size"], 1, "size defaults to 1: {created:#}");
        assert_eq!(created["endpoint"]["port"], 443, "nested default: {created:#}");
        let stored = stored_objects(&objects);
        assert_eq!(stored.len(), 1, "{stored:?}");
        assert_eq!(stored[0].0, format!("{id}.json"));
        wd.assert_no_changes();

        wd.write("main.tf", r#"
resource "tftest_thing" "x" {
  name        = "alpha"
  description = "second"
  tags        = ["a", "b"]
  endpoint    = { host = "h.example" }
}
"#);
        let plan = wd.plan_json();
        let actions = &plan["resource_changes"][0]["change"]["actions"];
        assert_eq!(*actions, serde_json::json!(["update"]), "{plan:#}");
        wd.apply();
        let updated = state_attributes(&wd, THING);
        assert_eq!(updated["id"], created["id"], "an update keeps the ID");
        assert_eq!(updated["description"], "second");
        assert_eq!(updated["created_at"], created["created_at"], "created_at is kept");
        assert_ne!(updated["revision"], created["revision"], "each update bumps revision");
        wd.assert_no_changes();

        wd.destroy();
        assert!(stored_objects(&objects).is_empty(), "destroy deleted the object");
        let remaining = wd.state_json()["resources"].as_array().map_or(0, Vec::len);
        assert_eq!(remaining, 0, "state is empty after destroy");
    }

    // Changing `zone` replaces the object: a new ID, the old file gone.
    fn requires_replace(tf) {
        let (wd, objects) = tftest_workdir(tf);
        wd.write("main.tf", &thing("  name = \"r\"\n  zone = \"a\"\n"));
        wd.apply();
        let before = state_attributes(&wd, THING)["id"].clone();
        wd.write("main.tf", &thing("  name = \"r\"\n  zone = \"b\"\n"));
        let plan = wd.plan_json();
        let actions = plan["resource_changes"][0]["change"]["actions"].clone();
        assert!(
            actions == serde_json::json!(["delete", "create"]) || actions == serde_json::json!(["create", "delete"]),
            "a zone change replaces: {plan:#}"
        );
        wd.apply();
        let after = state_attributes(&wd, THING)["id"].clone();
        assert_ne!(before, after, "a replacement gets a new ID");
        let stored = stored_objects(&objects);
        assert_eq!(stored.len(), 1, "the old object was deleted: {stored:?}");
        wd.assert_no_changes();
    }

    // An object created elsewhere is imported by ID and then matches the configuration exactly.
    fn import_then_no_changes(tf) {
        let (first, objects) = tftest_workdir(tf);
        let config = thing("  name = \"imported\"\n  size = 4\n");
        first.write("main.tf", &config);
        first.apply();
        let id = state_attributes(&first, THING)["id"].as_str().expect("id").to_owned();

        // A second working directory sharing the store, with no state of its own.
        let provider = test_provider();
        let second = Workdir::new(tf, std::slice::from_ref(&provider));
        second.write("provider.tf", &format!(
            "{}\nprovider \"tftest\" {{\n  dir = {}\n}}\n",
            provider.required_providers(),
            Value::String(objects.to_string_lossy().into_owned())
        ));
        second.write("main.tf", &config);
        second.import(THING, &id).assert_success();
        let imported = state_attributes(&second, THING);
        assert_eq!(imported["id"], id.as_str());
        assert_eq!(imported["name"], "imported");
        assert_eq!(imported["size"], 4);
        second.assert_no_changes();

        let missing = second.import("tftest_thing.y", "does-not-exist");
        missing.assert_failure();
    }

    // A write-only attribute reaches the provider but never Terraform's state; a Terraform too old to
    // know write-only attributes gets an error, rather than silently storing the value.
    fn write_only_attribute(tf) {
        let (wd, objects) = tftest_workdir(tf);
        let secret_value = "hunter2-never-in-state";
        wd.write("main.tf", &thing(&format!("  name = \"wo\"\n  password = \"{secret_value}\"\n")));
        let state_file = wd.path().join("terraform.tfstate");
        if tf.supports_write_only() {
            wd.apply();
            let attributes = state_attributes(&wd, THING);
            assert!(attributes["password"].is_null(), "write-only value in state: {attributes:#}");
            let raw = std::fs::read_to_string(&state_file).expect("read state");
            assert!(!raw.contains(secret_value), "the value appears somewhere in state:\n{raw}");
            let plan = wd.plan_json();
            // The configuration section quotes the literal as written; the values must not carry it.
            for part in ["planned_values", "resource_changes", "prior_state"] {
                let text = plan[part].to_string();
                assert!(!text.contains(secret_value), "the value appears in the plan's {part}: {text}");
            }
            wd.assert_no_changes();
        } else {
            let output = wd.try_apply();
            output.assert_failure();
            let text = output.combined().to_lowercase();
            assert!(text.contains("write-only"), "the diagnostic names write-only attributes:\n{output}");
            assert!(text.contains("password"), "the diagnostic names the attribute:\n{output}");
            let raw = std::fs::read_to_string(&state_file).unwrap_or_default();
            assert!(!raw.contains(secret_value), "the value reached state:\n{raw}");
            assert!(stored_objects(&objects).is_empty(), "nothing was created");
        }
    }

    // The data source computes from its input on every plan.
    fn data_source_reads(tf) {
        let (wd, _) = tftest_workdir(tf);
        wd.write("main.tf", r#"
data "tftest_echo" "e" {
  input = "héllo"
}
output "echoed" {
  value = data.tftest_echo.e.output
}
output "length" {
  value = data.tftest_echo.e.length
}
"#);
        wd.apply();
        let outputs = &wd.state_json()["outputs"];
        assert_eq!(outputs["echoed"]["value"], "héllo", "{outputs:#}");
        assert_eq!(outputs["length"]["value"], 5, "characters, not bytes: {outputs:#}");
        wd.assert_no_changes();
    }

    // The provider's tracing output reaches the user through Terraform's log, as hclog JSON that
    // Terraform parsed (level and message, not the raw JSON line).
    fn provider_debug_logs_are_relayed(tf) {
        let (mut wd, _) = tftest_workdir(tf);
        wd.write("main.tf", &thing("  name = \"logged\"\n"));
        wd.env("TF_LOG", "DEBUG");
        let output = wd.plan();
        output.assert_success();
        let relayed: Vec<&str> = output
            .stderr
            .lines()
            .filter(|l| l.contains("provider.terraform-provider-tftest"))
            .collect();
        assert!(
            relayed.iter().any(|l| l.contains("[DEBUG]") && l.contains("handling request")),
            "no relayed provider debug line:\n{}",
            relayed.join("\n")
        );
        assert!(
            relayed.iter().all(|l| !l.contains("\"@message\"")),
            "Terraform relayed unparsed JSON, so the provider's log line is not hclog JSON:\n{}",
            relayed.join("\n")
        );

        // Without TF_LOG the provider is silent.
        let mut quiet = wd;
        quiet.env("TF_LOG", "");
        let output = quiet.plan();
        output.assert_success();
        assert!(!output.stderr.contains("handling request"), "debug lines without TF_LOG:\n{output}");
    }
}

/// List resources and actions exist from Terraform 1.14 on, so these scenarios run on the newest
/// supported Terraform only; on 1.0.3 every scenario above runs against the same provider, which
/// now declares a list resource and an action, and shows that older Terraform sees no change.
mod query_and_actions {
    use super::*;
    use support::terraform::for_slot;

    /// Two things applied from `main.tf` (names alpha and beta), plus `extra` (blocks for main.tf).
    fn applied_things(tf: &Terraform, extra: &str) -> (Workdir, PathBuf) {
        let (wd, objects) = tftest_workdir(tf);
        let things = ["alpha", "beta"]
            .iter()
            .map(|n| {
                format!("resource \"tftest_thing\" \"{n}\" {{\n  name = \"{n}\"\n{ENDPOINT}}}\n")
            })
            .collect::<String>();
        wd.write("main.tf", &format!("{things}{extra}"));
        wd.apply();
        (wd, objects)
    }

    fn actions_log(objects: &std::path::Path) -> Vec<String> {
        std::fs::read_to_string(objects.join("actions.log"))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    const QUERY: &str = r#"
list "tftest_thing" "all" {
  provider = tftest
  config {
    name_prefix = ""
  }
}
"#;

    // `terraform query` streams every stored thing with its identity and display name, and
    // `-generate-config-out` writes import and resource blocks that plan as imports alone.
    #[test]
    fn query_lists_things_and_generates_config_terraform_1_15_5() {
        let Some(tf) = for_slot("1.15.5") else { return };
        let (wd, objects) = applied_things(&tf, "");
        // (id, name) of each stored thing: creation order, and so the IDs' order, varies.
        let things: Vec<(String, String)> = stored_objects(&objects)
            .into_iter()
            .map(|(_, v)| {
                let field = |k: &str| v[k].as_str().expect(k).to_owned();
                (field("id"), field("name"))
            })
            .collect();
        assert_eq!(things.len(), 2);
        wd.write("things.tfquery.hcl", QUERY);

        let query = wd.run(&["query", "-no-color"]);
        query.assert_success();
        let found: Vec<&str> = query
            .stdout
            .lines()
            .filter(|l| l.starts_with("list.tftest_thing.all"))
            .collect();
        assert_eq!(found.len(), 2, "{query}");
        for (id, name) in &things {
            assert!(
                found
                    .iter()
                    .any(|l| l.contains(&format!("id={id}"))
                        && l.contains(&format!("{name} ({id})"))),
                "{id} ({name}) not listed:\n{query}"
            );
        }

        wd.run(&["query", "-no-color", "-generate-config-out=generated.tf"])
            .assert_success();
        let generated =
            std::fs::read_to_string(wd.path().join("generated.tf")).expect("generated.tf");
        for (id, _) in &things {
            assert!(generated.contains(&format!("id = \"{id}\"")), "{generated}");
        }
        // Only the generated blocks (and the provider): Terraform plans two imports, nothing else.
        let adopt = Workdir::new(&tf, &[test_provider()]);
        let provider = std::fs::read_to_string(wd.path().join("provider.tf")).expect("provider.tf");
        adopt
            .write("provider.tf", &provider)
            .write("generated.tf", &generated);
        let plan = adopt.plan();
        plan.assert_success();
        assert!(
            plan.stdout
                .contains("Plan: 2 to import, 0 to add, 0 to change, 0 to destroy."),
            "{plan}"
        );
    }

    // A list that fails mid-way (the test provider panics after one item) reports the panic as an
    // error of `terraform query`, after the item it did find.
    #[test]
    fn query_reports_a_failing_list_terraform_1_15_5() {
        let Some(tf) = for_slot("1.15.5") else { return };
        let (wd, _) = applied_things(&tf, "");
        wd.write(
            "things.tfquery.hcl",
            "list \"tftest_thing\" \"all\" {\n  provider = tftest\n  config {\n    panic_after = 1\n  }\n}\n",
        );
        let query = wd.run(&["query", "-no-color"]);
        query.assert_failure();
        assert!(query.stderr.contains("Provider Panicked"), "{query}");
        assert!(query.stderr.contains("panic after 1 items"), "{query}");
    }

    const ACTIONS: &str = r#"
action "tftest_wait" "ok" {
  config {
    label = "ok"
    ms    = 100
    steps = 3
  }
}

action "tftest_wait" "bad" {
  config {
    label = "bad"
    fail  = true
  }
}
"#;

    // `apply -invoke` runs one action: its progress notes are shown as they come, and a failing
    // action fails the apply with the action's own diagnostic.
    #[test]
    fn invoked_action_shows_progress_and_fails_on_error_terraform_1_15_5() {
        let Some(tf) = for_slot("1.15.5") else { return };
        let (wd, objects) = applied_things(&tf, ACTIONS);
        assert!(
            actions_log(&objects).is_empty(),
            "actions ran at plain apply"
        );
        let ok = wd.run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.tftest_wait.ok",
        ]);
        ok.assert_success();
        for step in 1..=3 {
            assert!(ok.stdout.contains(&format!("ok: step {step} of 3")), "{ok}");
        }
        assert!(ok.stdout.contains("Actions: 1 invoked."), "{ok}");

        let bad = wd.run(&[
            "apply",
            "-auto-approve",
            "-no-color",
            "-invoke=action.tftest_wait.bad",
        ]);
        bad.assert_failure();
        assert!(bad.stderr.contains("Action Failed"), "{bad}");
        assert!(bad.stderr.contains("bad failed as asked"), "{bad}");
        assert_eq!(actions_log(&objects), ["ok: completed", "bad: failed"]);
    }

    // An action_trigger runs the action after the resource is created, and not again when nothing
    // changes.
    #[test]
    fn action_trigger_runs_after_create_terraform_1_15_5() {
        let Some(tf) = for_slot("1.15.5") else { return };
        let (wd, objects) = tftest_workdir(&tf);
        wd.write(
            "main.tf",
            &format!(
                r#"
resource "tftest_thing" "x" {{
  name = "triggered"
{ENDPOINT}  lifecycle {{
    action_trigger {{
      events  = [after_create]
      actions = [action.tftest_wait.created]
    }}
  }}
}}

action "tftest_wait" "created" {{
  config {{
    label = "created"
  }}
}}
"#
            ),
        );
        let first = wd.apply();
        assert!(first.stdout.contains("created: step 1 of 1"), "{first}");
        assert_eq!(actions_log(&objects), ["created: completed"]);
        wd.assert_no_changes();
        assert_eq!(actions_log(&objects), ["created: completed"]);
    }

    // Ctrl-C during `apply -invoke`: Terraform calls StopProvider, the running action sees the
    // cancellation at once, and Terraform reports the action's own "cancelled" error.
    #[test]
    fn interrupted_action_stops_promptly_terraform_1_15_5() {
        let Some(tf) = for_slot("1.15.5") else { return };
        let long = "action \"tftest_wait\" \"long\" {\n  config {\n    label = \"long\"\n    ms    = 120000\n    steps = 1000\n  }\n}\n";
        let (wd, objects) = applied_things(&tf, long);
        let started = std::time::Instant::now();
        let out = wd.run_interrupted(
            &[
                "apply",
                "-auto-approve",
                "-no-color",
                "-invoke=action.tftest_wait.long",
            ],
            "long: step 1 of 1000",
        );
        out.assert_failure();
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the interrupted action ran on for {:?}:\n{out}",
            started.elapsed()
        );
        assert!(out.combined().contains("Action Cancelled"), "{out}");
        assert_eq!(actions_log(&objects), ["long: cancelled"]);
    }
}
