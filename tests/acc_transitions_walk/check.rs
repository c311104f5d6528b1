//! After a step: does the emulator's state equal the configuration? Each connector live in the
//! right app, with the configured owners, client ID and secret; `new_app` apps named as configured;
//! nothing orphaned; in-place changes kept their IDs.

use std::collections::{BTreeMap, BTreeSet};

use c1_emulator::{Emulator, XeroAppKind};
use serde_json::Value as Json;

use super::model::{AppChoice, World};

/// The IDs a resource had in the Terraform state after a step.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) id: String,
    pub(crate) app_id: String,
}

/// What the walk reads back from the raw state file.
pub(crate) struct StateView {
    /// Each `conductorone_xero_integration` by name, with its attributes.
    pub(crate) resources: BTreeMap<String, Json>,
    /// The `conductorone_xero_sync` data source's attributes, if present.
    pub(crate) sync: Option<Json>,
}

impl StateView {
    /// Reads `state` (the raw `terraform.tfstate`).
    pub(crate) fn of(state: &Json) -> StateView {
        let mut resources = BTreeMap::new();
        let mut sync = None;
        for r in state["resources"].as_array().into_iter().flatten() {
            let attrs = r["instances"][0]["attributes"].clone();
            match (r["mode"].as_str(), r["type"].as_str()) {
                (Some("managed"), Some("conductorone_xero_integration")) => {
                    let name = r["name"].as_str().unwrap_or_default().to_owned();
                    resources.insert(name, attrs);
                }
                (Some("data"), Some("conductorone_xero_sync")) => sync = Some(attrs),
                _ => {}
            }
        }
        StateView { resources, sync }
    }

    /// The IDs of every resource.
    pub(crate) fn ids(&self) -> BTreeMap<String, Ids> {
        self.resources
            .iter()
            .map(|(name, a)| {
                let s = |k: &str| a[k].as_str().unwrap_or_default().to_owned();
                (
                    name.clone(),
                    Ids {
                        id: s("id"),
                        app_id: s("app_id"),
                    },
                )
            })
            .collect()
    }
}

/// Whether the connector of a resource should have stayed where it was (no replacement) across a
/// step from `before` to `after`: it existed, and its app choice names the same app (the same
/// pre-created app, or `new_app` both times: a rename or re-description is an update in place).
fn stays(before: &World, after: &World, label: &str) -> bool {
    match (
        before.get(label).map(|r| &r.app),
        after.get(label).map(|r| &r.app),
    ) {
        (Some(AppChoice::Existing(a)), Some(AppChoice::Existing(b))) => a == b,
        (Some(AppChoice::New { .. }), Some(AppChoice::New { .. })) => true,
        _ => false,
    }
}

fn kind_type(kind: XeroAppKind) -> &'static str {
    match kind {
        XeroAppKind::CustomConnection => "custom_connection",
        XeroAppKind::WebApp => "web_app",
    }
}

/// Everything the emulator holds that differs from what `after` configures; empty when it
/// matches. `prior_ids` are the state's IDs before the step (for the in-place check).
pub(crate) fn differences(
    emu: &Emulator,
    precreated: &[String],
    users: &[String],
    before: &World,
    after: &World,
    prior_ids: &BTreeMap<String, Ids>,
    state: &StateView,
) -> Vec<String> {
    let mut bad = Vec::new();
    let apps = emu.apps();
    let live_apps: BTreeMap<String, &Json> = apps
        .iter()
        .filter(|a| a["deletedAt"].is_null())
        .map(|a| (a["id"].as_str().unwrap_or_default().to_owned(), a))
        .collect();
    let live_connectors: BTreeMap<String, Json> = apps
        .iter()
        .flat_map(|a| emu.connectors(a["id"].as_str().unwrap_or_default()))
        .filter(|c| c["deletedAt"].is_null())
        .map(|c| (c["id"].as_str().unwrap_or_default().to_owned(), c))
        .collect();

    let names: BTreeSet<&String> = state.resources.keys().collect();
    let want: BTreeSet<&String> = after.resources.iter().map(|r| &r.label).collect();
    if names != want {
        bad.push(format!("resources in state {names:?}, configured {want:?}"));
    }
    let ids = state.ids();
    for r in &after.resources {
        let Some(got) = ids.get(&r.label) else {
            continue;
        };
        let attrs = &state.resources[&r.label];
        let who = &r.label;
        let Some(conn) = live_connectors.get(&got.id) else {
            bad.push(format!(
                "{who}: connector {} is not live in the emulator",
                got.id
            ));
            continue;
        };
        if conn["appId"] != got.app_id.as_str() {
            bad.push(format!(
                "{who}: connector {} is in app {}, state says {}",
                got.id, conn["appId"], got.app_id
            ));
        }
        match &r.app {
            AppChoice::Existing(n) => {
                if got.app_id != precreated[*n] {
                    bad.push(format!(
                        "{who}: app_id {} is not pre-created app #{n} ({})",
                        got.app_id, precreated[*n]
                    ));
                }
            }
            AppChoice::New { name, description } => match live_apps.get(&got.app_id) {
                None => bad.push(format!("{who}: its new_app {} is not live", got.app_id)),
                Some(app) => {
                    if precreated.contains(&got.app_id) {
                        bad.push(format!("{who}: new_app points at a pre-created app"));
                    }
                    if app["displayName"] != name.as_str() {
                        bad.push(format!(
                            "{who}: app display name {}, configured {name:?}",
                            app["displayName"]
                        ));
                    }
                    let d = description.as_deref().unwrap_or_default();
                    if app["description"] != d {
                        bad.push(format!(
                            "{who}: app description {}, configured {d:?}",
                            app["description"]
                        ));
                    }
                }
            },
        }
        if let Some(owners) = &r.owners {
            let mut want: Vec<&str> = owners.iter().map(|i| users[*i].as_str()).collect();
            let mut have: Vec<&str> = conn["userIds"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Json::as_str)
                .collect();
            want.sort_unstable();
            have.sort_unstable();
            if want != have {
                bad.push(format!("{who}: owners {have:?}, configured {want:?}"));
            }
        }
        if let Some(c) = &r.creds {
            let stored = emu
                .stored_configuration(&got.app_id, &got.id)
                .unwrap_or_default();
            if stored.get("xero_client_id") != Some(&c.client_id) {
                bad.push(format!(
                    "{who}: stored client ID {:?}, configured {:?}",
                    stored.get("xero_client_id"),
                    c.client_id
                ));
            }
            if stored.get("xero_client_secret") != Some(&c.secret) {
                let what = if stored.contains_key("xero_client_secret") {
                    "another secret"
                } else {
                    "no secret"
                };
                bad.push(format!(
                    "{who}: the connector holds {what}, not the configured one ({:?})",
                    c.form
                ));
            }
            if r.checked() && attrs["xero_app_type"] != kind_type(c.kind) {
                bad.push(format!(
                    "{who}: xero_app_type {}, the credentials are a {}",
                    attrs["xero_app_type"],
                    kind_type(c.kind)
                ));
            }
        }
        if let Some((cron, zone)) = r.schedule {
            let s = &conn["connectorSyncCronSchedule"];
            if s["cronSpec"] != cron || s["timezone"] != zone {
                bad.push(format!(
                    "{who}: schedule {s}, configured {cron:?} in {zone:?}"
                ));
            }
        }
        let disabled = conn["status"]["status"] == "SYNC_STATUS_DISABLED";
        if disabled != r.server_paused {
            bad.push(format!(
                "{who}: status {}, but the connector should {}be paused (sync_paused = {:?})",
                conn["status"]["status"],
                if r.server_paused { "" } else { "not " },
                r.paused
            ));
        }
        if stays(before, after, &r.label)
            && let Some(old) = prior_ids.get(&r.label)
            && old != got
        {
            bad.push(format!(
                "{who}: replaced, though only an in-place change was configured \
                 (connector {} → {}, app {} → {})",
                old.id, got.id, old.app_id, got.app_id
            ));
        }
    }

    // Nothing orphaned: live connectors are exactly the resources', live apps the pre-created
    // ones and those new_app made.
    let tracked: BTreeSet<&str> = ids.values().map(|i| i.id.as_str()).collect();
    for (id, c) in &live_connectors {
        if !tracked.contains(id.as_str()) {
            bad.push(format!("orphaned connector {id} in app {}", c["appId"]));
        }
    }
    let mut allowed: BTreeSet<&str> = precreated.iter().map(String::as_str).collect();
    for r in &after.resources {
        if let (AppChoice::New { .. }, Some(got)) = (&r.app, ids.get(&r.label)) {
            allowed.insert(got.app_id.as_str());
        }
    }
    for (id, app) in &live_apps {
        if !allowed.contains(id.as_str()) {
            bad.push(format!("orphaned app {id} ({})", app["displayName"]));
        }
    }
    for id in precreated {
        if !live_apps.contains_key(id) {
            bad.push(format!("pre-created app {id} was deleted"));
        }
    }

    match (&after.sync_on, &state.sync) {
        (Some(label), Some(sync)) => {
            if let Some(got) = ids.get(label)
                && (sync["integration_id"] != got.id.as_str()
                    || sync["app_id"] != got.app_id.as_str())
            {
                bad.push(format!(
                    "data source read {}/{}, {label} is {}/{}",
                    sync["app_id"], sync["integration_id"], got.app_id, got.id
                ));
            }
        }
        (Some(label), None) => bad.push(format!("no data source in state (on {label})")),
        (None, Some(_)) => bad.push("a removed data source is still in state".to_owned()),
        (None, None) => {}
    }
    bad
}

/// After the final destroy: only the pre-created apps are live, and no connector.
pub(crate) fn leftovers(emu: &Emulator, precreated: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for app in emu.apps() {
        let id = app["id"].as_str().unwrap_or_default();
        if app["deletedAt"].is_null() && !precreated.iter().any(|p| p == id) {
            bad.push(format!(
                "app {id} ({}) left after destroy",
                app["displayName"]
            ));
        }
        for c in emu.connectors(id) {
            if c["deletedAt"].is_null() {
                bad.push(format!("connector {} left after destroy", c["id"]));
            }
        }
    }
    bad
}
