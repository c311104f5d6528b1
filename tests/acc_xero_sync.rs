//! Acceptance tests of `conductorone_xero_sync`: real Terraform (current and oldest supported)
//! driving the provider binary against the in-process emulator, whose lists answer two items a
//! page, so every list the data source reads takes several pages.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::time::Duration;

use c1_emulator::{Config, Emulator, XeroAppKind};
use serde_json::Value as Json;
use support::{Output, Terraform, Workdir, conductorone_provider, terraform_tests};
use terraform_provider_conductorone::conductorone::models::{
    Connector, EnvConfig, XERO_CATALOG_ID,
};
use terraform_provider_conductorone::conductorone::{
    Client, ClientConfig, ClientKey, Credentials, NewConnector,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio::runtime::Runtime;
use tokio_util::sync::CancellationToken;
use url::Url;

/// The six Xero organisation roles as ConductorOne names them (shared/reference), sorted the way
/// the data source sorts them: by display name.
fn sorted_role_names() -> Vec<String> {
    let mut names: Vec<String> = [
        "Read only",
        "Invoice only",
        "Standard",
        "Financial adviser",
        "Managed client",
        "Cashbook client",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    names.sort();
    names
}

/// An emulator running on its own runtime while the test thread runs Terraform.
struct Env {
    rt: Runtime,
    emu: Emulator,
    client: Client,
}

impl Env {
    fn start(config: Config) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emu = rt.block_on(c1_emulator::start(config)).unwrap();
        let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
        let credentials = Credentials::ClientSecret {
            client_id: emu.client_id(),
            key,
        };
        let client = {
            let _guard = rt.enter();
            Client::new(ClientConfig::new(
                Url::parse(&emu.conductorone_url()).unwrap(),
                credentials,
            ))
            .unwrap()
        };
        Env { rt, emu, client }
    }

    /// A working directory whose provider reaches this emulator through the environment.
    fn workdir(&self, tf: &Terraform) -> Workdir {
        let mut wd = Workdir::new(tf, &[conductorone_provider()]);
        wd.env("CONDUCTORONE_SERVER_URL", self.emu.conductorone_url())
            .env("CONDUCTORONE_CLIENT_ID", self.emu.client_id())
            .env("CONDUCTORONE_CLIENT_SECRET", self.emu.client_secret())
            .env("XERO_IDENTITY_URL", self.emu.xero_identity_url());
        wd
    }

    /// A Xero connector on `app_id` with the credentials of a new Xero app of `kind`, created
    /// through the API as another tool would; returns it and the Xero client ID and secret.
    fn xero_connector(&self, app_id: &str, kind: XeroAppKind) -> (Connector, String) {
        let (id, secret) = self.emu.register_xero_app(kind);
        let config = EnvConfig::from_pairs([
            ("xero_client_id", SecretString::new(id.as_str())),
            ("xero_client_secret", SecretString::new(secret)),
        ]);
        let new = NewConnector {
            catalog_id: XERO_CATALOG_ID.to_owned(),
            ..NewConnector::default()
        };
        let cancel = CancellationToken::new();
        let c = self
            .rt
            .block_on(self.client.create_connector(app_id, &new, &config, &cancel))
            .unwrap();
        (c, id)
    }

    /// A connector of another catalog entry on `app_id`.
    fn other_connector(&self, app_id: &str) -> Connector {
        let new = NewConnector {
            catalog_id: "2YotherCatalogEntry000000000".to_owned(),
            display_name: "Okta".to_owned(),
            user_ids: Vec::new(),
        };
        let cancel = CancellationToken::new();
        self.rt
            .block_on(
                self.client
                    .create_connector_delegated(app_id, &new, &cancel),
            )
            .unwrap()
    }

    /// The Xero tenant (ID, name) behind Xero client `client_id`, from the emulator's state.
    fn tenant_of(&self, client_id: &str) -> (String, String) {
        let url = format!("{}/_emulator/state", self.emu.conductorone_url());
        let state: Json = self
            .rt
            .block_on(async { reqwest::get(url).await.unwrap().json().await.unwrap() });
        let app = state["xero_apps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["client_id"] == client_id)
            .expect("the Xero app is registered");
        (
            app["tenant_id"].as_str().unwrap().to_owned(),
            app["tenant_name"].as_str().unwrap().to_owned(),
        )
    }
}

/// The `data` block and outputs that expose everything the data source read.
fn sync_config(body: &str) -> String {
    let provider = conductorone_provider().required_providers();
    format!(
        r#"{provider}
data "conductorone_xero_sync" "s" {{
{body}
}}

output "sync" {{
  value = {{
    integration_id = data.conductorone_xero_sync.s.integration_id
    sync_status    = data.conductorone_xero_sync.s.sync_status
    last_error     = data.conductorone_xero_sync.s.last_error
    last_synced_at = data.conductorone_xero_sync.s.last_synced_at
    organizations  = data.conductorone_xero_sync.s.organizations
    roles          = data.conductorone_xero_sync.s.roles
    user_count     = data.conductorone_xero_sync.s.user_count
  }}
}}
"#
    )
}

fn sync_output(wd: &Workdir) -> Json {
    let out = wd.run(&["output", "-json"]);
    out.assert_success();
    out.json()["sync"]["value"].clone()
}

/// Asserts `out` failed with `summary`, pointing at the line that sets `attribute`.
#[track_caller]
fn assert_error_on(out: &Output, summary: &str, attribute: &str) {
    out.assert_failure();
    let text = out.combined();
    assert!(text.contains(summary), "no {summary:?}:\n{out}");
    // Terraform quotes the configuration line of the attribute a diagnostic is about, as
    // `│   8:   app_id = "…"`.
    let quoted = text.lines().any(|l| {
        let t = l.trim_start_matches(|c: char| c == '│' || c.is_whitespace());
        t.split_once(':').is_some_and(|(n, rest)| {
            !n.is_empty()
                && n.chars().all(|c| c.is_ascii_digit())
                && rest.trim_start().starts_with(&format!("{attribute} "))
        })
    });
    assert!(quoted, "the error does not point at {attribute}:\n{out}");
}

fn assert_ok_sync(sync: &Json, env: &Env, xero_client_id: &str) {
    assert_eq!(sync["sync_status"], "done", "{sync}");
    assert!(sync["last_error"].is_null(), "{sync}");
    let synced_at = sync["last_synced_at"].as_str().expect("last_synced_at");
    chrono::DateTime::parse_from_rfc3339(synced_at).expect("RFC 3339");

    let (tenant_id, tenant_name) = env.tenant_of(xero_client_id);
    let orgs = sync["organizations"].as_array().unwrap();
    assert_eq!(orgs.len(), 1, "{sync}");
    assert_eq!(orgs[0]["external_id"], tenant_id.as_str());
    assert_eq!(orgs[0]["display_name"], tenant_name.as_str());

    let roles = sync["roles"].as_array().unwrap();
    let names: Vec<&str> = roles
        .iter()
        .map(|r| r["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, sorted_role_names(), "roles in display-name order");
    let grants: i64 = roles
        .iter()
        .map(|r| r["grant_count"].as_i64().unwrap())
        .sum();
    let users = sync["user_count"].as_i64().unwrap();
    assert!(users > 0, "{sync}");
    assert_eq!(grants, users, "each Xero user holds one role");
}

terraform_tests! {
    fn custom_connection_sync_reads_organisation_and_six_roles_across_pages(tf) {
        let env = Env::start(Config::default());
        let app_id = env.emu.create_app("Finance");
        let (connector, xero_id) = env.xero_connector(&app_id, XeroAppKind::CustomConnection);
        let wd = env.workdir(tf);
        wd.write(
            "main.tf",
            &sync_config(&format!("  app_id = \"{app_id}\"\n  wait_for_sync = true\n  timeout = \"2m\"")),
        );
        env.emu.reset_counters();
        wd.apply();
        let sync = sync_output(&wd);
        assert_eq!(sync["integration_id"], connector.id.as_str());
        assert_ok_sync(&sync, &env, &xero_id);
        // Six roles two a page: the role list alone took three pages.
        let pages = env
            .emu
            .counters()
            .api(c1_emulator::Route::ListResources);
        assert!(pages >= 1 + 3 + 3, "{pages} resource pages");
        wd.assert_no_changes();
    }

    fn wait_for_sync_in_the_same_apply_that_creates_the_integration(tf) {
        let env = Env::start(Config {
            sync_duration: Duration::from_secs(2),
            ..Config::default()
        });
        let app_id = env.emu.create_app("Finance");
        let (xero_id, xero_secret) = env.emu.register_xero_app(XeroAppKind::CustomConnection);
        let wd = env.workdir(tf);
        let config = format!(
            r#"resource "conductorone_xero_integration" "x" {{
  app_id             = "{app_id}"
  xero_client_id     = "{xero_id}"
  xero_client_secret = "{xero_secret}"
}}
{}"#,
            sync_config(
                "  app_id         = conductorone_xero_integration.x.app_id\n  \
                 integration_id = conductorone_xero_integration.x.id\n  wait_for_sync  = true"
            )
        );
        wd.write("main.tf", &config);
        let out = wd.apply();
        assert!(out.stdout.contains("conductorone_xero_integration.x: Creation complete"), "{out}");
        let sync = sync_output(&wd);
        let created = env.emu.connectors(&app_id);
        assert_eq!(created.len(), 1);
        assert_eq!(sync["integration_id"], created[0]["id"]);
        assert_ok_sync(&sync, &env, &xero_id);
    }

    // The same deferral without a managed resource: `timestamp()` is unknown until apply, so the
    // read happens during apply, while the sync started at setup is still running.
    fn a_read_deferred_to_apply_waits_for_the_running_sync(tf) {
        let env = Env::start(Config {
            sync_duration: Duration::from_secs(3),
            ..Config::default()
        });
        let app_id = env.emu.create_app("Finance");
        let (connector, xero_id) = env.xero_connector(&app_id, XeroAppKind::CustomConnection);
        let wd = env.workdir(tf);
        let id = &connector.id;
        wd.write(
            "main.tf",
            &sync_config(&format!(
                "  app_id         = \"{app_id}\"\n  \
                 integration_id = substr(\"{id}${{timestamp()}}\", 0, {})\n  \
                 wait_for_sync  = true",
                id.len()
            )),
        );
        let out = wd.apply();
        assert!(out.stdout.contains("data.conductorone_xero_sync.s: Read complete"), "{out}");
        let sync = sync_output(&wd);
        assert_eq!(sync["integration_id"], id.as_str());
        assert_ok_sync(&sync, &env, &xero_id);
    }

    fn web_app_credentials_read_back_as_a_failed_sync(tf) {
        let env = Env::start(Config::default());
        let app_id = env.emu.create_app("Finance");
        env.xero_connector(&app_id, XeroAppKind::WebApp);
        let wd = env.workdir(tf);
        wd.write(
            "main.tf",
            &sync_config(&format!("  app_id = \"{app_id}\"\n  wait_for_sync = true")),
        );
        wd.apply();
        let sync = sync_output(&wd);
        assert_eq!(sync["sync_status"], "error", "{sync}");
        // ConductorOne documents no wording for lastError: the data source passes on what it holds.
        let why = sync["last_error"].as_str().expect("last_error is set").to_owned();
        let recorded = env.emu.connectors(&app_id)[0]["status"]["lastError"].clone();
        assert!(!why.is_empty());
        assert_eq!(serde_json::Value::from(why.as_str()), recorded);
        assert_eq!(sync["organizations"], serde_json::json!([]));

        // A pipeline asserts on it: a postcondition (Terraform 1.2+) turns it into a failure.
        if tf.at_least(1, 2, 0) {
            let body = format!(
                "  app_id = \"{app_id}\"\n  wait_for_sync = true\n  lifecycle {{\n    postcondition {{\n      \
                 condition     = self.sync_status == \"done\"\n      \
                 error_message = \"Xero sync failed: ${{self.last_error}}\"\n    }}\n  }}"
            );
            wd.write("main.tf", &sync_config(&body));
            let out = wd.plan();
            out.assert_failure();
            let text = out.combined();
            assert!(text.contains("Xero sync failed"), "{out}");
            // Terraform wraps long diagnostics: compare with the line breaks and borders taken out.
            let flat = |t: &str| t.replace('│', " ").split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(flat(&text).contains(&flat(&why)), "{out}");
        }
    }

    fn several_xero_connectors_without_integration_id_are_listed_in_the_error(tf) {
        let env = Env::start(Config::default());
        let app_id = env.emu.create_app("Finance");
        let (a, _) = env.xero_connector(&app_id, XeroAppKind::CustomConnection);
        let (b, _) = env.xero_connector(&app_id, XeroAppKind::CustomConnection);
        let wd = env.workdir(tf);
        wd.write("main.tf", &sync_config(&format!("  app_id = \"{app_id}\"")));
        let out = wd.plan();
        out.assert_failure();
        let text = out.combined();
        assert!(text.contains("Several Xero Integrations in the App"), "{out}");
        assert!(text.contains(&a.id) && text.contains(&b.id), "both connectors listed:\n{out}");
        assert!(text.contains("integration_id"), "{out}");

        // Naming one of them reads it.
        wd.write(
            "main.tf",
            &sync_config(&format!("  app_id = \"{app_id}\"\n  integration_id = \"{}\"", b.id)),
        );
        wd.apply();
        assert_eq!(sync_output(&wd)["integration_id"], b.id.as_str());
    }

    fn a_connector_that_is_not_xero_is_an_error_on_integration_id(tf) {
        let env = Env::start(Config::default());
        let app_id = env.emu.create_app("Finance");
        let okta = env.other_connector(&app_id);
        let wd = env.workdir(tf);
        wd.write(
            "main.tf",
            &sync_config(&format!("  app_id = \"{app_id}\"\n  integration_id = \"{}\"", okta.id)),
        );
        assert_error_on(&wd.plan(), "Not a Xero Integration", "integration_id");
    }

    fn a_missing_app_is_an_error_on_app_id(tf) {
        let env = Env::start(Config::default());
        let wd = env.workdir(tf);
        wd.write("main.tf", &sync_config("  app_id = \"2ZnoSuchAppXXXXXXXXXXXXXXXX\""));
        assert_error_on(&wd.plan(), "App Not Found", "app_id");
    }

    fn blank_app_id_and_bad_timeout_are_errors_on_their_attribute(tf) {
        let env = Env::start(Config::default());
        let wd = env.workdir(tf);
        wd.write("main.tf", &sync_config("  app_id = \"   \""));
        assert_error_on(&wd.plan(), "Empty Value", "app_id");
        wd.write(
            "main.tf",
            &sync_config("  app_id = \"2abc\"\n  timeout = \"10 minutes\""),
        );
        assert_error_on(&wd.plan(), "Invalid Timeout", "timeout");
        assert_eq!(env.emu.counters().api_total(), 0, "validation needs no API call");
    }
}
