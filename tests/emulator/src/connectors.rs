//! Connectors of an app: create (configured or delegated), get, update with an update mask,
//! delegated update, soft delete, list, force sync, and the out-of-band edits tests make.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Extension, Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::Caller;
use crate::config::{OutOfBand, SyncBehaviour};
use crate::error::{ApiError, Body};
use crate::ids::{self, opt_time, rfc3339};
use crate::page::{PageRequest, list_body, page};
use crate::server::HiddenUntil;
use crate::state::{Connector, Inner, Shared, Status, SyncState};
use crate::sync;

/// The catalog entry of the Xero connector.
pub const XERO_CATALOG: &str = "2Yoxoe8HkSYWbW6VZ7Fy0h6cFko";
/// The `@type` of a connector configuration.
pub const ENV_CONFIG_TYPE: &str = "type.googleapis.com/c1.api.app.v1.EnvConfig";
const XERO_KEYS: [&str; 2] = ["xero_client_id", "xero_client_secret"];

/// Splits an `updateMask` into its camelCase paths; an empty mask or a snake_case path is a 400,
/// as the JSON form of a field mask is camelCase.
pub(crate) fn parse_mask(mask: Option<&str>) -> Result<Vec<String>, ApiError> {
    let paths: Vec<String> = mask
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    if paths.is_empty() {
        return Err(ApiError::invalid("updateMask must name at least one field"));
    }
    if let Some(bad) = paths.iter().find(|p| p.contains('_')) {
        return Err(ApiError::invalid(format!(
            "updateMask path {bad:?} is not camelCase"
        )));
    }
    Ok(paths)
}

/// Whether a configuration key holds a secret, which reads never show.
fn is_secret(key: &str) -> bool {
    key.contains("secret")
}

/// Validates a configuration `Any` and returns its `configuration` map.
fn parse_config(config: &Value, catalog_id: &str) -> Result<Map<String, Value>, ApiError> {
    let obj = config
        .as_object()
        .ok_or_else(|| ApiError::invalid("config must be an object"))?;
    let ty = obj.get("@type").and_then(Value::as_str).unwrap_or_default();
    if ty != ENV_CONFIG_TYPE {
        return Err(ApiError::invalid(format!(
            "config @type {ty:?} is not {ENV_CONFIG_TYPE}"
        )));
    }
    let map = match obj.get("configuration") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err(ApiError::invalid("config.configuration must be an object")),
    };
    for (key, value) in &map {
        if catalog_id == XERO_CATALOG && !XERO_KEYS.contains(&key.as_str()) {
            return Err(ApiError::invalid(format!(
                "unknown configuration field {key:?} for the Xero connector"
            )));
        }
        let ok = value
            .as_object()
            .is_some_and(|v| v.len() == 1 && v.get("stringValue").is_some_and(Value::is_string));
        if !ok {
            return Err(ApiError::invalid(format!(
                "configuration.{key} must be {{\"stringValue\": \"...\"}}"
            )));
        }
    }
    Ok(map)
}

/// A connector as the API renders it: secrets left out, every field present.
pub(crate) fn render(c: &Connector) -> Value {
    let config = c.config.as_ref().map_or(Value::Null, |m| {
        let shown: Map<String, Value> = m
            .iter()
            .filter(|(k, _)| !is_secret(k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        json!({ "@type": ENV_CONFIG_TYPE, "configuration": shown })
    });
    json!({
        "id": c.id,
        "appId": c.app_id,
        "catalogId": c.catalog_id,
        "displayName": c.display_name,
        "description": c.description,
        "userIds": c.user_ids,
        "config": config,
        "createdAt": rfc3339(c.created_at),
        "updatedAt": rfc3339(c.updated_at),
        "deletedAt": opt_time(c.deleted_at),
        "configUpdatedAt": opt_time(c.config_updated_at),
        "status": {
            "status": c.status.state.as_str(),
            "lastError": c.status.last_error,
            "startedAt": opt_time(c.status.started_at),
            "completedAt": opt_time(c.status.completed_at),
            "updatedAt": opt_time(c.status.updated_at),
        },
        "canResumeSync": c.paused.is_some(),
        "connectorSyncCronSchedule": c.schedule.as_ref().map_or(Value::Null, |s| json!({
            "cronSpec": s.cron_spec, "timezone": s.timezone, "start": null,
        })),
        "syncDisabledAt": opt_time(c.paused.as_ref().map(|p| p.at)),
        "syncDisabledReason": c.paused.as_ref().map_or("", |p| p.reason.as_str()),
        "syncDisabledCategory": "",
        "connectorApiVersion": 0, "disableCheckBadSync": false, "downloadUrl": "", "oauthAuthorizedAs": null,
        "parallelSyncWorkerCount": null, "profileAllowList": [], "profileIgnoreList": [],
        "syncConfig": null,
    })
}

fn view(c: &Connector) -> Value {
    json!({ "connector": render(c), "appPath": "", "capabilitiesPath": "", "usersPath": "" })
}

fn answer(c: &Connector) -> Json<Value> {
    Json(json!({ "connectorView": view(c), "expanded": [] }))
}

fn check_users(inner: &Inner, ids: &[String]) -> Result<(), ApiError> {
    match ids
        .iter()
        .find(|id| !inner.users.iter().any(|u| &u.id == *id))
    {
        Some(bad) => Err(ApiError::invalid(format!(
            "unknown user id {bad:?} in userIds"
        ))),
        None => Ok(()),
    }
}

fn default_name(catalog_id: &str) -> &'static str {
    if catalog_id == XERO_CATALOG {
        "Xero"
    } else {
        "Connector"
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateReq {
    #[serde(default, alias = "catalog_id")]
    catalog_id: Option<String>,
    #[serde(default, alias = "user_ids")]
    user_ids: Option<Vec<String>>,
    #[serde(default)]
    config: Option<Value>,
    #[serde(default, alias = "display_name")]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
}

fn create_common(
    shared: &Arc<Shared>,
    caller: &Caller,
    app_id: &str,
    req: CreateReq,
    with_config: bool,
    hidden: Option<HiddenUntil>,
) -> Result<Json<Value>, ApiError> {
    let catalog_id = req.catalog_id.unwrap_or_default();
    if catalog_id.is_empty() {
        return Err(ApiError::invalid("catalogId is required"));
    }
    let config = match req.config.filter(|_| with_config) {
        None | Some(Value::Null) => None,
        Some(v) => Some(parse_config(&v, &catalog_id)?),
    };
    let mut inner = shared.lock();
    inner
        .live_app(app_id)
        .ok_or_else(|| ApiError::not_found(format!("app {app_id}")))?;
    let user_ids = req
        .user_ids
        .filter(|u| !u.is_empty())
        .unwrap_or_else(|| vec![caller.user_id.clone()]);
    check_users(&inner, &user_ids)?;
    let now = Utc::now();
    let display_name = req.display_name.filter(|n| !with_config && !n.is_empty());
    let mut c = Connector {
        id: ids::ksuid(),
        app_id: app_id.to_owned(),
        display_name: display_name.unwrap_or_else(|| default_name(&catalog_id).to_owned()),
        catalog_id,
        description: req.description.unwrap_or_default(),
        user_ids,
        config_updated_at: config.as_ref().map(|_| now),
        config,
        created_at: now,
        updated_at: now,
        deleted_at: None,
        status: Status {
            state: SyncState::Unspecified,
            last_error: String::new(),
            started_at: None,
            completed_at: None,
            updated_at: None,
        },
        sync_generation: 0,
        hidden_until: hidden.map(|h| h.0),
        schedule: None,
        paused: None,
    };
    if c.config.is_some() {
        sync::begin(shared, &mut c);
    }
    let out = answer(&c);
    inner.connectors.push(c);
    Ok(out)
}

/// `POST /api/v1/apps/{app_id}/connectors/create`: a connector with credentials; a sync starts.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    hidden: Option<Extension<HiddenUntil>>,
    Path(app_id): Path<String>,
    Body(req): Body<CreateReq>,
) -> Result<Json<Value>, ApiError> {
    create_common(&shared, &caller, &app_id, req, true, hidden.map(|h| h.0))
}

/// `POST /api/v1/apps/{app_id}/connectors`: a connector whose owners finish the setup.
pub(crate) async fn create_delegated(
    State(shared): State<Arc<Shared>>,
    caller: Caller,
    hidden: Option<Extension<HiddenUntil>>,
    Path(app_id): Path<String>,
    Body(req): Body<CreateReq>,
) -> Result<Json<Value>, ApiError> {
    create_common(&shared, &caller, &app_id, req, false, hidden.map(|h| h.0))
}

fn not_found(app_id: &str, id: &str) -> ApiError {
    ApiError::not_found(format!("connector {id} of app {app_id}"))
}

/// `GET /api/v1/apps/{app_id}/connectors/{id}`; a soft-deleted connector is a 404 unless the
/// emulator was told to render deleted objects, and so is one a fault still hides.
pub(crate) async fn get(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    let now = Utc::now();
    inner
        .connectors
        .iter()
        .find(|c| {
            c.app_id == app_id
                && c.id == id
                && c.visible(now)
                && (c.deleted_at.is_none() || inner.render_deleted)
        })
        .map(answer)
        .ok_or_else(|| not_found(&app_id, &id))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateReq {
    #[serde(default)]
    connector: Option<Map<String, Value>>,
    #[serde(default, alias = "update_mask")]
    update_mask: Option<String>,
}

fn update_common(
    shared: &Arc<Shared>,
    app_id: &str,
    id: &str,
    req: UpdateReq,
    delegated: bool,
) -> Result<Json<Value>, ApiError> {
    let mask = parse_mask(req.update_mask.as_deref())?;
    let body = req.connector.unwrap_or_default();
    let mut guard = shared.lock();
    let inner = &mut *guard;
    let catalog_id = inner
        .connectors
        .iter()
        .find(|c| c.app_id == app_id && c.id == id && c.deleted_at.is_none())
        .map(|c| c.catalog_id.clone())
        .ok_or_else(|| not_found(app_id, id))?;
    let text = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::invalid(format!("connector.{k} must be a string"))),
    };
    let mut display_name = None;
    let mut description = None;
    let mut user_ids = None;
    let mut config = None;
    for field in &mask {
        match field.as_str() {
            "displayName" => display_name = Some(text("displayName")?),
            "description" => description = Some(text("description")?),
            "userIds" => {
                let ids: Vec<String> = match body.get("userIds") {
                    None | Some(Value::Null) => Vec::new(),
                    Some(v) => serde_json::from_value(v.clone()).map_err(|_| {
                        ApiError::invalid("connector.userIds must be a list of strings")
                    })?,
                };
                check_users(inner, &ids)?;
                user_ids = Some(ids);
            }
            "config" if !delegated => {
                let v = body.get("config").cloned().unwrap_or(Value::Null);
                if v.is_null() {
                    return Err(ApiError::invalid(
                        "updateMask names config but connector.config is empty",
                    ));
                }
                config = Some(parse_config(&v, &catalog_id)?);
            }
            other => {
                return Err(ApiError::invalid(format!(
                    "field {other:?} cannot be updated here"
                )));
            }
        }
    }
    let c = inner
        .connector_mut(app_id, id)
        .ok_or_else(|| not_found(app_id, id))?;
    let now = Utc::now();
    if let Some(n) = display_name {
        c.display_name = n;
    }
    if let Some(d) = description {
        c.description = d;
    }
    if let Some(u) = user_ids {
        c.user_ids = u;
    }
    if let Some(sent) = config {
        c.config.get_or_insert_with(Map::new).extend(sent);
        c.config_updated_at = Some(now);
        sync::begin(shared, c);
    }
    c.updated_at = now;
    Ok(answer(c))
}

/// `POST /api/v1/apps/{app_id}/connectors/{id}`: only masked fields change; `config` merges the
/// keys sent into the stored configuration and starts a sync.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(req): Body<UpdateReq>,
) -> Result<Json<Value>, ApiError> {
    update_common(&shared, &app_id, &id, req, false)
}

/// `POST /api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated`: owners, name and
/// description only.
pub(crate) async fn update_delegated(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(req): Body<UpdateReq>,
) -> Result<Json<Value>, ApiError> {
    update_common(&shared, &app_id, &id, req, true)
}

/// `DELETE /api/v1/apps/{app_id}/connectors/{id}`: soft delete.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(_): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut inner = shared.lock();
    let c = inner
        .connector_mut(&app_id, &id)
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| not_found(&app_id, &id))?;
    let now = Utc::now();
    c.deleted_at = Some(now);
    c.updated_at = now;
    Ok(Json(json!({})))
}

/// `GET /api/v1/apps/{app_id}/connectors`: live connectors only, none a fault still hides.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path(app_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let req = PageRequest::from_query(&q)?;
    let inner = shared.lock();
    inner
        .live_app(&app_id)
        .ok_or_else(|| ApiError::not_found(format!("app {app_id}")))?;
    let all: Vec<Value> = inner
        .connectors
        .iter()
        .filter(|c| c.app_id == app_id && c.deleted_at.is_none() && c.visible(Utc::now()))
        .map(view)
        .collect();
    let (items, next) = page(&all, &req, shared.config.page_size)?;
    Ok(Json(list_body(items, next, true)))
}

/// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/force_sync`: queues a sync (200 means
/// accepted, not started). It starts after the queue delay, or when the sync running now ends; a
/// connector never configured has nothing to sync and stays as it is. A paused connector refuses
/// (the facts leave this open; the emulator takes the stricter reading).
pub(crate) async fn force_sync(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(_): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut inner = shared.lock();
    let c = inner
        .connector_mut(&app_id, &id)
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| not_found(&app_id, &id))?;
    if c.paused.is_some() {
        return Err(ApiError::failed_precondition(
            "the connector's syncs are paused; resume it first",
        ));
    }
    sync::enqueue(&shared, &mut inner, &app_id, &id);
    Ok(Json(json!({})))
}

/// Sets how the syncs of connector `id` of `app_id` go; `false` when there is no such connector.
pub(crate) fn set_sync_behaviour(
    shared: &Shared,
    app_id: &str,
    id: &str,
    behaviour: SyncBehaviour,
) -> bool {
    let mut inner = shared.lock();
    if inner.connector_mut(app_id, id).is_none() {
        return false;
    }
    inner.sync_behaviours.insert(id.to_owned(), behaviour);
    true
}

/// Applies an out-of-band edit; `false` when there is no such connector.
pub(crate) fn out_of_band(shared: &Arc<Shared>, app_id: &str, id: &str, patch: OutOfBand) -> bool {
    let mut inner = shared.lock();
    let Some(c) = inner.connector_mut(app_id, id) else {
        return false;
    };
    let now = Utc::now();
    if let Some(u) = patch.user_ids {
        c.user_ids = u;
    }
    let mut new_config = false;
    for (key, value) in [
        ("xero_client_id", patch.xero_client_id),
        ("xero_client_secret", patch.xero_client_secret),
    ] {
        if let Some(v) = value {
            c.config
                .get_or_insert_with(Map::new)
                .insert(key.to_owned(), json!({ "stringValue": v }));
            new_config = true;
        }
    }
    if new_config {
        c.config_updated_at = Some(now);
        sync::begin(shared, c);
    }
    if let Some(s) = patch.sync_schedule {
        c.schedule = Some(crate::state::CronSchedule {
            cron_spec: s.cron_spec,
            timezone: s.timezone,
        });
    }
    match patch.paused {
        Some(true) if c.paused.is_none() => crate::sync_controls::pause(c, "Paused in the console"),
        Some(false) if c.paused.is_some() => crate::sync_controls::resume(shared, c),
        _ => {}
    }
    if patch.deleted && c.deleted_at.is_none() {
        c.deleted_at = Some(now);
    }
    c.updated_at = now;
    true
}

/// Every connector of `app_id`, soft-deleted ones included, as the API renders them.
pub(crate) fn all_rendered(inner: &Inner, app_id: &str) -> Vec<Value> {
    inner
        .connectors
        .iter()
        .filter(|c| c.app_id == app_id)
        .map(render)
        .collect()
}
