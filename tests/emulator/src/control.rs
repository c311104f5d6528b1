//! `/_emulator/…`: the control functions of [`crate::Emulator`] over HTTP, for the demo and for
//! tests running in another process. Not gated, not counted, not authenticated. JSON in and out:
//!
//! | route | body | answer |
//! |---|---|---|
//! | `GET /_emulator/counters`, `DELETE` resets | – | [`crate::Counters`] |
//! | `POST /_emulator/faults`, `DELETE` clears | [`crate::Fault`], e.g. `{"method":"GET","path_contains":"/connectors","kind":{"status":{"code":503,"retry_after":2}},"times":1,"after_effect":false}`; `kind` may also be `"drop"` or `{"latency":300}` (ms; with `"after_effect":true` the handler runs first and only its answer is late); with `"after_effect":true`, `"effect_hidden_ms":5000` keeps a connector the request creates out of lists and gets for 5 s | `{}` |
//! | `POST /_emulator/xero-apps` | `{"kind":"CustomConnection"\|"WebApp"}` | `{"client_id","client_secret","kind"}` |
//! | `POST /_emulator/apps` | `{"display_name"}` | `{"id"}` |
//! | `POST /_emulator/api-clients` | `{}` | `{"client_id","client_secret"}` |
//! | `POST /_emulator/oidc-token` | `{"subject"}` | `{"token"}` |
//! | `GET /_emulator/state` | – | `{"apps","connectors" (deleted too),"users","xero_apps","faults"}`, no secrets |
//! | `POST /_emulator/out-of-band` | `{"app_id","connector_id"}` + [`crate::OutOfBand`] fields, e.g. `"sync_schedule":{"cron_spec":"0 3 * * *","timezone":"UTC"}` or `"paused":true` (as made in the console) | `{}`, 404 if no such connector |
//! | `POST /_emulator/sync-behaviour` | `{"app_id","connector_id"}` + [`crate::SyncBehaviour`] fields, e.g. `"queued_ms":500,"duration_ms":2000,"outcome":{"fail":{"last_error":"…"}}` (`outcome` also `"credentials"`, `"succeed"`, `"never"`) | `{}`, 404 if no such connector |
//! | `POST /_emulator/latency` | `{"ms"}` | `{}` |
//! | `POST /_emulator/render-deleted` | `{"enabled"}` | `{}` |

use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::config::{Counters, Fault, OutOfBand, SyncBehaviour, XeroAppKind};
use crate::error::{ApiError, Body};
use crate::state::Shared;
use crate::{apps, auth, connectors, xero};

/// The control routes.
pub(crate) fn router() -> Router<Arc<Shared>> {
    Router::new()
        .route("/_emulator/counters", get(counters).delete(reset_counters))
        .route("/_emulator/faults", post(add_fault).delete(clear_faults))
        .route("/_emulator/xero-apps", post(xero_app))
        .route("/_emulator/apps", post(app))
        .route("/_emulator/api-clients", post(api_client))
        .route("/_emulator/oidc-token", post(oidc_token))
        .route("/_emulator/state", get(state))
        .route("/_emulator/out-of-band", post(out_of_band))
        .route("/_emulator/sync-behaviour", post(sync_behaviour))
        .route("/_emulator/latency", post(latency))
        .route("/_emulator/render-deleted", post(render_deleted))
}

async fn counters(State(s): State<Arc<Shared>>) -> Json<Counters> {
    Json(s.lock().counters.clone())
}

async fn reset_counters(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.lock().counters = Counters::default();
    Json(json!({}))
}

async fn add_fault(State(s): State<Arc<Shared>>, Body(f): Body<Fault>) -> Json<Value> {
    crate::add_fault(&s, f);
    Json(json!({}))
}

async fn clear_faults(State(s): State<Arc<Shared>>) -> Json<Value> {
    s.lock().faults.clear();
    Json(json!({}))
}

#[derive(Deserialize)]
struct XeroAppReq {
    kind: XeroAppKind,
}

async fn xero_app(State(s): State<Arc<Shared>>, Body(r): Body<XeroAppReq>) -> Json<Value> {
    let (client_id, client_secret) = xero::register(&mut s.lock(), r.kind);
    Json(json!({ "client_id": client_id, "client_secret": client_secret, "kind": r.kind }))
}

#[derive(Deserialize)]
struct AppReq {
    #[serde(alias = "displayName")]
    display_name: String,
}

async fn app(State(s): State<Arc<Shared>>, Body(r): Body<AppReq>) -> Json<Value> {
    let id = apps::insert(&mut s.lock(), &r.display_name, "", serde_json::Map::new());
    Json(json!({ "id": id }))
}

async fn api_client(State(s): State<Arc<Shared>>) -> Json<Value> {
    let (client_id, client_secret) = auth::register_client(&s, "API Client");
    Json(json!({ "client_id": client_id, "client_secret": client_secret }))
}

#[derive(Deserialize)]
struct OidcReq {
    subject: String,
}

async fn oidc_token(State(s): State<Arc<Shared>>, Body(r): Body<OidcReq>) -> Json<Value> {
    Json(json!({ "token": auth::mint_oidc(&s, &r.subject) }))
}

async fn state(State(s): State<Arc<Shared>>) -> Json<Value> {
    Json(crate::snapshot(&s))
}

#[derive(Deserialize)]
struct OutOfBandReq {
    app_id: String,
    connector_id: String,
    #[serde(flatten)]
    patch: OutOfBand,
}

async fn out_of_band(
    State(s): State<Arc<Shared>>,
    Body(r): Body<OutOfBandReq>,
) -> Result<Json<Value>, ApiError> {
    if connectors::out_of_band(&s, &r.app_id, &r.connector_id, r.patch) {
        Ok(Json(json!({})))
    } else {
        Err(ApiError::not_found(format!("connector {}", r.connector_id)))
    }
}

#[derive(Deserialize)]
struct SyncBehaviourReq {
    app_id: String,
    connector_id: String,
    #[serde(flatten)]
    behaviour: SyncBehaviour,
}

async fn sync_behaviour(
    State(s): State<Arc<Shared>>,
    Body(r): Body<SyncBehaviourReq>,
) -> Result<Json<Value>, ApiError> {
    if connectors::set_sync_behaviour(&s, &r.app_id, &r.connector_id, r.behaviour) {
        Ok(Json(json!({})))
    } else {
        Err(ApiError::not_found(format!("connector {}", r.connector_id)))
    }
}

#[derive(Deserialize)]
struct LatencyReq {
    ms: u64,
}

async fn latency(State(s): State<Arc<Shared>>, Body(r): Body<LatencyReq>) -> Json<Value> {
    s.lock().latency = Duration::from_millis(r.ms);
    Json(json!({}))
}

#[derive(Deserialize)]
struct RenderDeletedReq {
    enabled: bool,
}

async fn render_deleted(
    State(s): State<Arc<Shared>>,
    Body(r): Body<RenderDeletedReq>,
) -> Json<Value> {
    s.lock().render_deleted = r.enabled;
    Json(json!({}))
}
