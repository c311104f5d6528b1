//! What the `acc_xero_integration*` tests share: an in-process emulator on its own runtime, a
//! working directory whose provider talks to it, and small HCL and JSON helpers.

#![allow(dead_code)]

use std::time::Duration;

use c1_emulator::{Config, Emulator, XeroAppKind};
use serde_json::Value as Json;

use crate::support::{Terraform, Workdir, conductorone_provider};

/// The emulator and the runtime that serves it (kept alive as long as the test).
pub(crate) struct Env {
    pub(crate) emu: Emulator,
    _rt: tokio::runtime::Runtime,
}

impl Env {
    /// An emulator with small pages and a 200 ms sync, as the tests want it fast.
    pub(crate) fn start() -> Env {
        Self::with(Config {
            page_size: 2,
            sync_duration: Duration::from_millis(200),
            ..Config::default()
        })
    }

    /// An emulator with `config`.
    pub(crate) fn with(config: Config) -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let emu = rt
            .block_on(c1_emulator::start(config))
            .expect("start the emulator");
        Env { emu, _rt: rt }
    }

    /// A working directory whose provider is configured (through its environment) for this emulator.
    pub(crate) fn workdir(&self, tf: &Terraform) -> Workdir {
        let mut wd = Workdir::new(tf, &[conductorone_provider()]);
        wd.env("CONDUCTORONE_SERVER_URL", self.emu.conductorone_url())
            .env("CONDUCTORONE_CLIENT_ID", self.emu.client_id())
            .env("CONDUCTORONE_CLIENT_SECRET", self.emu.client_secret())
            .env("XERO_IDENTITY_URL", self.emu.xero_identity_url());
        wd
    }

    /// A Custom Connection's client ID and secret.
    pub(crate) fn custom_connection(&self) -> (String, String) {
        self.emu.register_xero_app(XeroAppKind::CustomConnection)
    }

    /// The live connectors of `app_id`.
    pub(crate) fn live_connectors(&self, app_id: &str) -> Vec<Json> {
        self.emu
            .connectors(app_id)
            .into_iter()
            .filter(|c| c["deletedAt"].is_null())
            .collect()
    }
}

/// The provider requirement every configuration starts with.
pub(crate) fn header() -> String {
    conductorone_provider().required_providers()
}

/// An HCL string literal.
pub(crate) fn q(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// An HCL list of string literals.
pub(crate) fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", ")
    )
}

/// A configuration of one `conductorone_xero_integration.x` with `body` inside.
pub(crate) fn one(body: &str) -> String {
    format!(
        "{}\nresource \"conductorone_xero_integration\" \"x\" {{\n{body}\n}}\n",
        header()
    )
}

/// The state's attributes of `conductorone_xero_integration.<name>` (from the raw state file).
pub(crate) fn attrs(wd: &Workdir, name: &str) -> Json {
    let state = wd.state_json();
    state["resources"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["type"] == "conductorone_xero_integration" && r["name"] == name)
        })
        .map(|r| r["instances"][0]["attributes"].clone())
        .unwrap_or_else(|| panic!("no conductorone_xero_integration.{name} in state: {state}"))
}

/// `terraform plan -detailed-exitcode`'s code: 0 no changes, 2 changes, 1 error.
pub(crate) fn plan_code(wd: &Workdir) -> (Option<i32>, String) {
    let out = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    (out.code(), out.combined())
}

/// The attributes a JSON plan changes for `address`, and its actions.
pub(crate) fn changed(plan: &Json, address: &str) -> (Vec<String>, Vec<String>) {
    let rc = plan["resource_changes"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == address))
        .unwrap_or_else(|| panic!("no change for {address}: {plan}"));
    let actions = rc["change"]["actions"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let actions = actions
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    let before = rc["change"]["before"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let after = rc["change"]["after"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let unknown = rc["change"]["after_unknown"]
        .as_object()
        .cloned()
        .unwrap_or_default();
    let mut keys: Vec<String> = before.keys().chain(after.keys()).cloned().collect();
    keys.sort();
    keys.dedup();
    let diff = keys
        .into_iter()
        .filter(|k| {
            before.get(k) != after.get(k) || unknown.get(k).is_some_and(|u| u != &Json::Bool(false))
        })
        .collect();
    (diff, actions)
}
