//! A loopback emulator of the ConductorOne API subset the provider uses and of Xero's identity
//! service, for tests and the demo.
//!
//! [`start`] binds two listeners on `127.0.0.1`: the ConductorOne API (token endpoint, apps, app search,
//! connectors, synced resources, plus the `/_emulator/` control routes) and Xero identity
//! (`/connect/token`, `/connections`, and the accounting reads `/api.xro/2.0/…`). Answers follow
//! the shapes of the project's API contract in `contract/` (held to ConductorOne's and Xero's
//! public descriptions by `make contract-check`) and the behaviour in
//! `shared/reference/`: proto3 JSON, soft deletes, update masks, page tokens, simulated syncs
//! whose outcome depends on the kind of Xero app whose credentials a connector holds.

#![cfg_attr(test, allow(clippy::unwrap_used))]

mod app_search;
mod apps;
mod auth;
mod config;
mod connectors;
mod control;
mod error;
mod ids;
mod jwt;
mod page;
mod resources;
mod routes;
mod server;
mod state;
mod sync;
mod sync_controls;
mod xero;
mod xero_data;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::routing::{get, post};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use config::{
    Config, Counters, Fault, FaultKind, Method, OutOfBand, ScheduleSpec, SyncBehaviour,
    SyncOutcome, XeroAppKind,
};
pub use connectors::{ENV_CONFIG_TYPE, XERO_CATALOG};
pub use routes::Route;
pub use sync_controls::KNOWN_ZONES;

use server::{Port, routes};
use state::{ActiveFault, Shared};

/// A running emulator. Dropping it stops both listeners; [`Emulator::shutdown`] also waits.
pub struct Emulator {
    shared: Arc<Shared>,
    c1_addr: SocketAddr,
    xero_addr: SocketAddr,
    client_id: String,
    client_secret: String,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

/// Starts an emulator on two free loopback ports.
///
/// # Errors
/// When a listener cannot be bound.
pub async fn start(config: Config) -> std::io::Result<Emulator> {
    start_on(config, 0, 0).await
}

/// Starts an emulator on the given loopback ports (0 picks a free one).
///
/// # Errors
/// When a listener cannot be bound.
pub async fn start_on(config: Config, c1_port: u16, xero_port: u16) -> std::io::Result<Emulator> {
    let (c1_listener, c1_addr) = server::bind(c1_port).await?;
    let (xero_listener, xero_addr) = server::bind(xero_port).await?;
    let shared = Shared::new(config, format!("http://{c1_addr}/_emulator/oidc"));
    let (client_id, client_secret) = auth::register_client(&shared, "Terraform Service");
    {
        let mut inner = shared.lock();
        for (name, email) in [
            ("Ada Owner", "ada"),
            ("Ben Admin", "ben"),
            ("Cleo Auditor", "cleo"),
        ] {
            inner.users.push(state::User {
                id: ids::ksuid(),
                display_name: name.to_owned(),
                email: format!("{email}@example.com"),
            });
        }
    }
    let (stop, stop_rx) = watch::channel(false);
    let tasks = vec![
        tokio::spawn(server::serve(
            c1_listener,
            conductorone_router(&shared),
            stop_rx.clone(),
        )),
        tokio::spawn(server::serve(xero_listener, xero_router(&shared), stop_rx)),
    ];
    Ok(Emulator {
        shared,
        c1_addr,
        xero_addr,
        client_id,
        client_secret,
        stop,
        tasks,
    })
}

fn conductorone_router(s: &Arc<Shared>) -> Router {
    // Templates are spelled as in the OpenAPI subset: the counters key requests by them.
    routes(
        s,
        Port::ConductorOne,
        vec![
            ("/auth/v1/token", post(auth::token)),
            ("/api/v1/auth/introspect", get(auth::introspect)),
            ("/api/v1/apps", get(apps::list).post(apps::create)),
            (
                "/api/v1/apps/{id}",
                get(apps::get).post(apps::update).delete(apps::delete),
            ),
            (
                "/api/v1/apps/{app_id}/connectors",
                get(connectors::list).post(connectors::create_delegated),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/create",
                post(connectors::create),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/{id}",
                get(connectors::get)
                    .post(connectors::update)
                    .delete(connectors::delete),
            ),
            (
                "/api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated",
                post(connectors::update_delegated),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/{connector_id}/force_sync",
                post(connectors::force_sync),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/{connector_id}/pause",
                post(sync_controls::pause_route),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/{connector_id}/resume",
                post(sync_controls::resume_route),
            ),
            (
                "/api/v1/apps/{app_id}/connectors/{connector_id}/schedule",
                post(sync_controls::schedule_route),
            ),
            (
                "/api/v1/apps/{app_id}/resource_types",
                get(resources::list_types),
            ),
            (
                "/api/v1/apps/{app_id}/resource_types/{id}",
                get(resources::get_type),
            ),
            (
                "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources",
                get(resources::list_resources),
            ),
            (
                "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}",
                get(resources::get_resource),
            ),
            (
                "/api/v1/search/app_resource_types",
                post(resources::search_types),
            ),
            (
                "/api/v1/search/app_resources",
                post(resources::search_resources),
            ),
            ("/api/v1/search/apps", post(app_search::search)),
        ],
    )
    .merge(control::router())
    .fallback(|| async { error::ApiError::not_found("route") })
    .with_state(Arc::clone(s))
}

fn xero_router(s: &Arc<Shared>) -> Router {
    routes(
        s,
        Port::Xero,
        vec![
            ("/connect/token", post(xero::token)),
            ("/connections", get(xero::connections)),
            ("/Connections", get(xero::connections)),
            ("/api.xro/2.0/Organisation", get(xero::organisation)),
            ("/api.xro/2.0/Users", get(xero::users)),
        ],
    )
    .fallback(|| async { axum::http::StatusCode::NOT_FOUND })
    .layer(axum::middleware::map_response(xero::correlation))
    .with_state(Arc::clone(s))
}

pub(crate) fn add_fault(shared: &Shared, fault: Fault) {
    let remaining = (fault.times > 0).then_some(fault.times);
    shared.lock().faults.push(ActiveFault { fault, remaining });
}

/// Everything the emulator holds, without secrets: what `GET /_emulator/state` answers.
pub(crate) fn snapshot(shared: &Shared) -> Value {
    let inner = shared.lock();
    let connectors: Vec<Value> = inner
        .apps
        .iter()
        .flat_map(|a| connectors::all_rendered(&inner, &a.id))
        .collect();
    let users: Vec<Value> = inner
        .users
        .iter()
        .map(|u| json!({"id": u.id, "displayName": u.display_name, "email": u.email}))
        .collect();
    let xero_apps: Vec<Value> = inner
        .xero_apps
        .iter()
        .map(|(id, a)| json!({"client_id": id, "kind": a.kind, "tenant_id": a.tenant.tenant_id, "tenant_name": a.tenant.name}))
        .collect();
    json!({
        "apps": inner.apps.iter().map(apps::render).collect::<Vec<_>>(),
        "connectors": connectors,
        "users": users,
        "xero_apps": xero_apps,
        "faults": inner.faults.len(),
    })
}

impl Emulator {
    /// The ConductorOne base URL, `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn conductorone_url(&self) -> String {
        format!("http://{}", self.c1_addr)
    }

    /// The Xero identity base URL, `http://127.0.0.1:PORT2`; the token endpoint is `/connect/token`.
    #[must_use]
    pub fn xero_identity_url(&self) -> String {
        format!("http://{}", self.xero_addr)
    }

    /// The client ID of the API client registered at start.
    #[must_use]
    pub fn client_id(&self) -> String {
        self.client_id.clone()
    }

    /// The client secret of the API client registered at start.
    #[must_use]
    pub fn client_secret(&self) -> String {
        self.client_secret.clone()
    }

    /// Registers another API client (with its own service user); returns its ID and secret.
    #[must_use]
    pub fn register_api_client(&self) -> (String, String) {
        auth::register_client(&self.shared, "API Client")
    }

    /// A JWT from the emulator's trusted OIDC issuer for `subject`, accepted by the token exchange.
    #[must_use]
    pub fn mint_oidc_token(&self, subject: &str) -> String {
        auth::mint_oidc(&self.shared, subject)
    }

    /// Registers a Xero app of `kind`; returns its client ID and secret.
    #[must_use]
    pub fn register_xero_app(&self, kind: XeroAppKind) -> (String, String) {
        xero::register(&mut self.shared.lock(), kind)
    }

    /// Gives the Xero app `client_id` a new secret (the old one stops working); `None` when
    /// there is no such app.
    #[must_use]
    pub fn rotate_xero_secret(&self, client_id: &str) -> Option<String> {
        xero::rotate(&mut self.shared.lock(), client_id)
    }

    /// Seeds an app, as an identity provider would have created it; returns its ID.
    #[must_use]
    pub fn create_app(&self, display_name: &str) -> String {
        apps::insert(
            &mut self.shared.lock(),
            display_name,
            "",
            serde_json::Map::new(),
        )
    }

    /// The IDs of the seeded users, the start-up API client's own user first.
    #[must_use]
    pub fn user_ids(&self) -> Vec<String> {
        self.shared
            .lock()
            .users
            .iter()
            .map(|u| u.id.clone())
            .collect()
    }

    /// Request counts since start or the last reset.
    #[must_use]
    pub fn counters(&self) -> Counters {
        self.shared.lock().counters.clone()
    }

    /// Sets every counter back to zero.
    pub fn reset_counters(&self) {
        self.shared.lock().counters = Counters::default();
    }

    /// Injects a fault; faults are tried in the order they were injected.
    pub fn inject(&self, fault: Fault) {
        add_fault(&self.shared, fault);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        self.shared.lock().faults.clear();
    }

    /// Sets the delay added to every request on both ports.
    pub fn set_latency(&self, d: Duration) {
        self.shared.lock().latency = d;
    }

    /// When `true`, reads of a soft-deleted app or connector answer 200 with `deletedAt` set
    /// instead of 404, the other way the API may say "gone".
    pub fn set_render_deleted(&self, enabled: bool) {
        self.shared.lock().render_deleted = enabled;
    }

    /// Every connector of `app_id`, soft-deleted ones included, as the API renders them.
    #[must_use]
    pub fn connectors(&self, app_id: &str) -> Vec<Value> {
        connectors::all_rendered(&self.shared.lock(), app_id)
    }

    /// The configuration connector `id` of `app_id` holds, secrets included, as last written
    /// (`None` when there is no such connector; empty when it was never configured). The API never
    /// shows a secret; tests use this to check that the secret written is the one configured.
    #[must_use]
    pub fn stored_configuration(
        &self,
        app_id: &str,
        id: &str,
    ) -> Option<std::collections::BTreeMap<String, String>> {
        let inner = self.shared.lock();
        let c = inner
            .connectors
            .iter()
            .find(|c| c.app_id == app_id && c.id == id)?;
        Some(
            c.config
                .iter()
                .flatten()
                .filter_map(|(k, v)| Some((k.clone(), v.get("stringValue")?.as_str()?.to_owned())))
                .collect(),
        )
    }

    /// Every synced resource of `app_id`, as the API renders an `appResource`: what a test
    /// compares the provider's reading with, rather than assuming how the emulator names things.
    #[must_use]
    pub fn resources(&self, app_id: &str) -> Vec<Value> {
        self.shared
            .lock()
            .resources
            .iter()
            .filter(|r| r.app_id == app_id)
            .map(resources::render_resource)
            .collect()
    }

    /// The user an API client acts as (the one ConductorOne makes a connector's owner when the
    /// create names none), or `None` for an unknown client ID.
    #[must_use]
    pub fn user_of_client(&self, client_id: &str) -> Option<String> {
        self.shared
            .lock()
            .clients
            .get(client_id)
            .map(|c| c.user_id.clone())
    }

    /// Every app, soft-deleted ones included, as the API renders them.
    #[must_use]
    pub fn apps(&self) -> Vec<Value> {
        self.shared.lock().apps.iter().map(apps::render).collect()
    }

    /// Renames and re-describes a live app behind the API's back, as a person would in the
    /// console; `false` when there is no such app.
    pub fn update_app_out_of_band(
        &self,
        app_id: &str,
        display_name: &str,
        description: &str,
    ) -> bool {
        let mut inner = self.shared.lock();
        let Some(app) = inner
            .apps
            .iter_mut()
            .find(|a| a.id == app_id && a.deleted_at.is_none())
        else {
            return false;
        };
        app.display_name = display_name.to_owned();
        app.description = description.to_owned();
        app.updated_at = chrono::Utc::now();
        true
    }

    /// Edits a connector behind the API's back; `false` when there is no such connector.
    pub fn update_connector_out_of_band(
        &self,
        app_id: &str,
        connector_id: &str,
        patch: OutOfBand,
    ) -> bool {
        connectors::out_of_band(&self.shared, app_id, connector_id, patch)
    }

    /// Sets how the syncs of connector `connector_id` of `app_id` go from now on (how long a
    /// forced sync queues, how long a sync runs, how it ends); `false` when there is no such
    /// connector.
    pub fn set_sync_behaviour(
        &self,
        app_id: &str,
        connector_id: &str,
        behaviour: SyncBehaviour,
    ) -> bool {
        connectors::set_sync_behaviour(&self.shared, app_id, connector_id, behaviour)
    }

    /// Stops both listeners, closes open connections and waits for them.
    pub async fn shutdown(mut self) {
        let _ = self.stop.send(true);
        for t in std::mem::take(&mut self.tasks) {
            let _ = t.await;
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
