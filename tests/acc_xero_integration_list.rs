//! Acceptance tests of the `conductorone_xero_integration` list resource with real Terraform
//! 1.15.5 against the in-process emulator (pages of 2): `terraform query` over several apps,
//! `-generate-config-out` output that plans and then plans clean, `limit`, apps that do not
//! exist, the resource object, and the provider's GenerateResourceConfig behind an `import`
//! block's `-generate-config-out`.

mod acc_xero_integration_env;
mod support;

use std::collections::BTreeSet;

use acc_xero_integration_env::{Env, attrs, header, list, q};
use c1_emulator::Route;
use serde_json::Value as Json;
use support::terraform::for_slot;
use support::{Output, Terraform, Workdir};
use terraform_provider_conductorone::conductorone::models::{EnvConfig, XERO_CATALOG_ID};
use terraform_provider_conductorone::conductorone::{
    Client, ClientConfig, ClientKey, Credentials, NewConnector,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio_util::sync::CancellationToken;

/// An app ID that names no app.
const MISSING: &str = "2bNoSuchAppXXXXXXXXXXXXXXXX";

/// A tenant of five apps (three pages of the emulator's 2): "Finance" with a configured and a
/// delegated Xero connector, "Payroll" with a deleted Xero connector and an Okta one, "Ops" with
/// a configured Xero connector, and two apps without connectors.
struct Tenant {
    env: Env,
    finance: String,
    ops: String,
    /// (app ID, connector ID) of every live Xero connector.
    xero: BTreeSet<(String, String)>,
    /// The client ID of Ops's connector.
    ops_client_id: String,
}

fn tenant() -> Tenant {
    let env = Env::start();
    let finance = env.emu.create_app("Finance");
    let payroll = env.emu.create_app("Payroll");
    let ops = env.emu.create_app("Ops");
    for name in ["Empty A", "Empty B"] {
        let _ = env.emu.create_app(name);
    }
    let key = ClientKey::parse(&SecretString::new(env.emu.client_secret())).expect("key");
    let client = Client::new(ClientConfig::new(
        url::Url::parse(&env.emu.conductorone_url()).expect("url"),
        Credentials::ClientSecret {
            client_id: env.emu.client_id(),
            key,
        },
    ))
    .expect("client");
    let xero = |name: &str| NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        display_name: name.to_owned(),
        ..NewConnector::default()
    };
    let creds = |env: &Env| {
        let (id, secret) = env.custom_connection();
        let config = EnvConfig::from_pairs([
            ("xero_client_id", SecretString::new(id.as_str())),
            ("xero_client_secret", SecretString::new(secret)),
        ]);
        (id, config)
    };
    let (_, finance_creds) = creds(&env);
    let (ops_client_id, ops_creds) = creds(&env);
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let cancel = CancellationToken::new();
    rt.block_on(async {
        let c = &client;
        c.create_connector(&finance, &xero(""), &finance_creds, &cancel)
            .await
            .expect("finance");
        c.create_connector_delegated(&finance, &xero("Delegated"), &cancel)
            .await
            .expect("delegated");
        let old = c
            .create_connector_delegated(&payroll, &xero("Old"), &cancel)
            .await
            .expect("old");
        c.delete_connector(&payroll, &old.id, &cancel)
            .await
            .expect("delete");
        let okta = NewConnector {
            catalog_id: "2bOktaCatalogEntryXXXXXXXXX".to_owned(),
            display_name: "Okta".to_owned(),
            ..NewConnector::default()
        };
        c.create_connector_delegated(&payroll, &okta, &cancel)
            .await
            .expect("okta");
        c.create_connector(&ops, &xero(""), &ops_creds, &cancel)
            .await
            .expect("ops");
    });
    let mut all = BTreeSet::new();
    for app in [&finance, &ops] {
        for c in env.live_connectors(app) {
            if c["catalogId"] == XERO_CATALOG_ID {
                all.insert((app.clone(), c["id"].as_str().expect("id").to_owned()));
            }
        }
    }
    assert_eq!(all.len(), 3);
    Tenant {
        env,
        finance,
        ops,
        xero: all,
        ops_client_id,
    }
}

/// A working directory with the provider requirement and `query` as `discover.tfquery.hcl`.
fn query_dir(t: &Tenant, tf: &Terraform, query: &str) -> Workdir {
    let wd = t.env.workdir(tf);
    wd.write("main.tf", &header())
        .write("discover.tfquery.hcl", query);
    wd
}

/// A `list "conductorone_xero_integration" "all"` block with `inside` before its config block
/// and `config` in it.
fn list_block(inside: &str, config: &str) -> String {
    format!(
        "list \"conductorone_xero_integration\" \"all\" {{\n  provider = conductorone\n{inside}  config {{\n{config}  }}\n}}\n"
    )
}

/// The `list_resource_found` messages of `terraform query -json`.
fn found(out: &Output) -> Vec<Json> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|m| m["type"] == "list_resource_found")
        .map(|m| m["list_resource_found"].clone())
        .collect()
}

/// The provider's diagnostics in `terraform query -json` (not Terraform's own warning about
/// the development overrides the harness sets).
fn diagnostics(out: &Output) -> Vec<Json> {
    out.stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Json>(l).ok())
        .filter(|m| m["type"] == "diagnostic")
        .map(|m| m["diagnostic"].clone())
        .filter(|d| d["summary"] != "Provider development overrides are in effect")
        .collect()
}

fn identities(results: &[Json]) -> BTreeSet<(String, String)> {
    results
        .iter()
        .map(|r| {
            let id = |k: &str| r["identity"][k].as_str().expect(k).to_owned();
            (id("app_id"), id("id"))
        })
        .collect()
}

fn query_json(wd: &Workdir) -> Output {
    wd.run(&["query", "-json", "-no-color"])
}

// Every live Xero connector of every app, found through three pages of app search, once each,
// with its identity and a name that says which app and connector it is.
#[test]
fn query_lists_every_xero_connector_of_every_app_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let wd = query_dir(&t, &tf, &list_block("", ""));
    t.env.emu.reset_counters();
    let out = query_json(&wd);
    out.assert_success();
    let results = found(&out);
    assert_eq!(results.len(), 3, "{out}");
    assert_eq!(identities(&results), t.xero);
    let names: BTreeSet<&str> = results
        .iter()
        .filter_map(|r| r["display_name"].as_str())
        .collect();
    let ops_name = format!("Ops / Xero ({})", t.ops_client_id);
    assert!(names.contains(ops_name.as_str()), "{names:?}");
    assert!(names.contains("Finance / Delegated"), "{names:?}");
    assert!(diagnostics(&out).is_empty(), "{out}");
    let c = t.env.emu.counters();
    assert_eq!(c.api(Route::SearchApps), 3, "five apps, pages of 2: {c:?}");
    assert_eq!(c.api(Route::ListConnectors), 5, "{c:?}");

    // The human form shows the same, one line per connector.
    let text = wd.run(&["query", "-no-color"]);
    text.assert_success();
    let lines: Vec<&str> = text
        .stdout
        .lines()
        .filter(|l| l.starts_with("list.conductorone_xero_integration.all"))
        .collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines
            .iter()
            .any(|l| l.contains(&ops_name) && l.contains(&format!("app_id={}", t.ops))),
        "{text}"
    );
}

// `-generate-config-out` writes import and resource blocks holding only what a person writes;
// with nothing else, Terraform plans three imports and nothing more, and after that apply the
// plan is empty.
#[test]
fn generated_configuration_imports_then_plans_clean_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let wd = query_dir(&t, &tf, &list_block("", ""));
    wd.run(&["query", "-no-color", "-generate-config-out=generated.tf"])
        .assert_success();
    let generated = std::fs::read_to_string(wd.path().join("generated.tf")).expect("generated.tf");
    for (app, id) in &t.xero {
        assert!(
            generated.contains(&format!("app_id = {}", q(app)))
                && generated.contains(&format!("id     = {}", q(id))),
            "{app}/{id} not generated:\n{generated}"
        );
    }
    assert!(generated.contains(&t.ops_client_id), "{generated}");
    for never in [
        "new_app",
        "created_at",
        "xero_app_type",
        "validate_credentials",
        "wait_for_sync",
    ] {
        assert!(
            !generated.contains(never),
            "{never} generated:\n{generated}"
        );
    }

    let adopt = t.env.workdir(&tf);
    adopt
        .write("main.tf", &header())
        .write("generated.tf", &generated);
    let plan = adopt.plan();
    plan.assert_success();
    assert!(
        plan.stdout
            .contains("Plan: 3 to import, 0 to add, 0 to change, 0 to destroy."),
        "{plan}"
    );
    let applied = adopt.apply();
    assert!(applied.stdout.contains("3 imported"), "{applied}");
    adopt.assert_no_changes();
}

// `limit` ends the list after that many results.
#[test]
fn limit_is_honoured_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let wd = query_dir(&t, &tf, &list_block("  limit = 2\n", ""));
    let out = query_json(&wd);
    out.assert_success();
    let results = found(&out);
    assert_eq!(results.len(), 2, "{out}");
    assert!(identities(&results).is_subset(&t.xero));
}

// An app ID that names no app is a warning on its element; the other apps are still listed.
// When no app at all can be read, the query fails.
#[test]
fn a_missing_app_is_a_warning_and_the_rest_is_listed_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let ids = [t.finance.clone(), MISSING.to_owned()];
    let wd = query_dir(
        &t,
        &tf,
        &list_block("", &format!("    app_ids = {}\n", list(&ids))),
    );
    let out = query_json(&wd);
    out.assert_success();
    let listed = identities(&found(&out));
    let finance: BTreeSet<_> = t
        .xero
        .iter()
        .filter(|(app, _)| *app == t.finance)
        .cloned()
        .collect();
    assert_eq!(listed, finance, "{out}");
    let diags = diagnostics(&out);
    let warning = diags
        .iter()
        .find(|d| d["summary"] == "App Not Found")
        .unwrap_or_else(|| panic!("no warning: {out}"));
    assert_eq!(warning["severity"], "warning");
    assert!(
        warning["detail"]
            .as_str()
            .is_some_and(|d| d.contains(MISSING)),
        "{warning}"
    );

    let only_missing = query_dir(
        &t,
        &tf,
        &list_block("", &format!("    app_ids = [{}]\n", q(MISSING))),
    );
    let out = only_missing.run(&["query", "-no-color"]);
    out.assert_failure();
    assert!(
        out.stderr.contains("App Not Found") && out.stderr.contains(MISSING),
        "{out}"
    );
}

// With `include_resource`, each result carries the resource object, the same as the state an
// import of that connector holds after Terraform's read.
#[test]
fn the_resource_object_is_the_imported_state_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let wd = query_dir(
        &t,
        &tf,
        &list_block(
            "  include_resource = true\n",
            &format!("    app_ids = [{}]\n", q(&t.ops)),
        ),
    );
    let out = query_json(&wd);
    out.assert_success();
    let results = found(&out);
    let [result] = results.as_slice() else {
        panic!("one result: {out}");
    };
    let object = &result["resource_object"];
    assert_eq!(
        object["xero_client_id"],
        t.ops_client_id.as_str(),
        "{object}"
    );
    assert!(object["xero_client_secret"].is_null(), "{object}");

    let conn = result["identity"]["id"].as_str().expect("id");
    let imported = t.env.workdir(&tf);
    imported.write(
        "main.tf",
        &format!(
            "{}resource \"conductorone_xero_integration\" \"x\" {{\n  app_id = {}\n}}\n",
            header(),
            q(&t.ops)
        ),
    );
    imported
        .import(
            "conductorone_xero_integration.x",
            &format!("{}/{conn}", t.ops),
        )
        .assert_success();
    let state = attrs(&imported, "x");
    let keys: BTreeSet<&String> = state
        .as_object()
        .expect("attributes")
        .keys()
        .chain(object.as_object().expect("object").keys())
        .collect();
    for k in keys {
        assert_eq!(
            object.get(k).unwrap_or(&Json::Null),
            state.get(k).unwrap_or(&Json::Null),
            "{k}: listed {object} imported {state}"
        );
    }
}

// An `import` block with `plan -generate-config-out`: Terraform asks the provider for the
// configuration (the generic fallback would write `validate_credentials = true` and
// `wait_for_sync = false`), and the file plans clean after the import.
#[test]
fn import_blocks_generate_the_providers_configuration_terraform_1_15_5() {
    let Some(tf) = for_slot("1.15.5") else { return };
    let t = tenant();
    let (app, conn) = t
        .xero
        .iter()
        .find(|(app, _)| *app == t.ops)
        .cloned()
        .expect("ops connector");
    let wd = t.env.workdir(&tf);
    wd.write(
        "main.tf",
        &format!(
            "{}import {{\n  to = conductorone_xero_integration.ops\n  identity = {{\n    app_id = {}\n    id = {}\n  }}\n}}\n",
            header(),
            q(&app),
            q(&conn)
        ),
    );
    wd.run(&[
        "plan",
        "-input=false",
        "-no-color",
        "-generate-config-out=generated.tf",
    ])
    .assert_success();
    let generated = std::fs::read_to_string(wd.path().join("generated.tf")).expect("generated.tf");
    assert!(
        generated.contains(&q(&app)) && generated.contains(&t.ops_client_id),
        "{generated}"
    );
    for never in [
        "validate_credentials",
        "wait_for_sync",
        "xero_app_type",
        "created_at",
    ] {
        assert!(
            !generated.contains(never),
            "{never} generated:\n{generated}"
        );
    }
    let out = wd.apply();
    assert!(out.stdout.contains("1 imported"), "{out}");
    wd.assert_no_changes();
}
