//! Apps: create, get, update with an update mask, soft delete, list.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, Body};
use crate::ids::{self, opt_time, rfc3339};
use crate::page::{PageRequest, list_body, page};
use crate::state::{App, Inner, Shared};

/// Writable app fields the emulator stores without interpreting, with their zero values.
fn writable_defaults() -> Map<String, Value> {
    let v = json!({
        "certifyPolicyId": "", "grantPolicyId": "", "revokePolicyId": "", "iconUrl": "",
        "instructions": "", "monthlyCostUsd": 0, "identityMatching": "APP_USER_IDENTITY_MATCHING_UNSPECIFIED",
        "strictAccessEntitlementProvisioning": false, "defaultRequestCatalogId": "",
        "enableConnectorSourcedOwnership": false, "revokeGrantSources": false, "isManuallyManaged": false,
        "annotations": {},
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Adds an app; what `create_app` and `POST /api/v1/apps` share.
pub(crate) fn insert(
    inner: &mut Inner,
    display_name: &str,
    description: &str,
    extra: Map<String, Value>,
) -> String {
    let now = Utc::now();
    let id = ids::ksuid();
    let mut fields = writable_defaults();
    fields.extend(extra);
    inner.apps.push(App {
        id: id.clone(),
        display_name: display_name.to_owned(),
        description: description.to_owned(),
        extra: fields,
        created_at: now,
        updated_at: now,
        deleted_at: None,
    });
    id
}

/// An app as the API renders it: every field present, zero values for what is unset.
pub(crate) fn render(app: &App) -> Value {
    let mut v = json!({
        "id": app.id,
        "displayName": app.display_name,
        "description": app.description,
        "createdAt": rfc3339(app.created_at),
        "updatedAt": rfc3339(app.updated_at),
        "deletedAt": opt_time(app.deleted_at),
        "accessModel": "APP_ACCESS_MODEL_UNSPECIFIED",
        "appAccountId": "", "appAccountName": "", "appOwners": [], "appUserMapper": null,
        "connectorVersion": 0, "fieldMask": null, "isDirectory": false, "logoUri": "",
        "matchBatonRef": null, "parentAppId": "", "userCount": "0",
    });
    if let Value::Object(m) = &mut v {
        m.extend(app.extra.clone());
    }
    v
}

/// Checks a writable field against the type of its zero value, so a wrong JSON type is a 400.
fn check_writable(name: &str, value: &Value) -> Result<(), ApiError> {
    let defaults = writable_defaults();
    let zero = defaults
        .get(name)
        .ok_or_else(|| ApiError::invalid(format!("unknown field {name:?}")))?;
    let same = matches!(
        (zero, value),
        (Value::String(_), Value::String(_))
            | (Value::Number(_), Value::Number(_))
            | (Value::Bool(_), Value::Bool(_))
            | (Value::Object(_), Value::Object(_))
    );
    if same {
        Ok(())
    } else {
        Err(ApiError::invalid(format!("invalid value for {name}")))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateApp {
    #[serde(default, alias = "display_name")]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(flatten)]
    rest: Map<String, Value>,
}

/// `POST /api/v1/apps`.
pub(crate) async fn create(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Body(req): Body<CreateApp>,
) -> Result<Json<Value>, ApiError> {
    let name = req.display_name.unwrap_or_default();
    if name.trim().is_empty() {
        return Err(ApiError::invalid("displayName is required"));
    }
    let mut extra = Map::new();
    for (k, v) in req.rest {
        // Fields of the request the emulator does not model (owners, refs) are ignored.
        if writable_defaults().contains_key(&k) && !v.is_null() {
            check_writable(&k, &v)?;
            extra.insert(k, v);
        }
    }
    let mut inner = shared.lock();
    let id = insert(
        &mut inner,
        &name,
        &req.description.unwrap_or_default(),
        extra,
    );
    let app = inner.app(&id).ok_or_else(|| ApiError::not_found("app"))?;
    Ok(Json(json!({ "app": render(app) })))
}

fn visible<'a>(inner: &'a Inner, id: &str) -> Result<&'a App, ApiError> {
    let found = if inner.render_deleted {
        inner.app(id)
    } else {
        inner.live_app(id)
    };
    found.ok_or_else(|| ApiError::not_found(format!("app {id}")))
}

/// `GET /api/v1/apps/{id}`.
pub(crate) async fn get(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    Ok(Json(json!({ "app": render(visible(&inner, &id)?) })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateApp {
    #[serde(default)]
    app: Option<Map<String, Value>>,
    #[serde(default, alias = "update_mask")]
    update_mask: Option<String>,
}

/// `POST /api/v1/apps/{id}`: only the fields named in `updateMask` change.
pub(crate) async fn update(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path(id): Path<String>,
    Body(req): Body<UpdateApp>,
) -> Result<Json<Value>, ApiError> {
    let body = req.app.unwrap_or_default();
    let mask = crate::connectors::parse_mask(req.update_mask.as_deref())?;
    let mut inner = shared.lock();
    let app = inner
        .apps
        .iter_mut()
        .find(|a| a.id == id && a.deleted_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("app {id}")))?;
    let text = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(String::new()),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(ApiError::invalid(format!("{k} must be a string"))),
    };
    for field in &mask {
        match field.as_str() {
            "displayName" => {
                let name = text("displayName")?;
                if name.trim().is_empty() {
                    return Err(ApiError::invalid("displayName must not be empty"));
                }
                app.display_name = name;
            }
            "description" => app.description = text("description")?,
            other => {
                let value = body.get(other).cloned().unwrap_or(Value::Null);
                let value = if value.is_null() {
                    writable_defaults().get(other).cloned().ok_or_else(|| {
                        ApiError::invalid(format!("unknown field {other:?} in updateMask"))
                    })?
                } else {
                    value
                };
                check_writable(other, &value)?;
                app.extra.insert(other.to_owned(), value);
            }
        }
    }
    app.updated_at = Utc::now();
    Ok(Json(json!({ "app": render(app) })))
}

/// `DELETE /api/v1/apps/{id}`: soft delete; the app's connectors go with it.
pub(crate) async fn delete(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path(id): Path<String>,
    Body(_): Body<Value>,
) -> Result<Json<Value>, ApiError> {
    let mut inner = shared.lock();
    let now = Utc::now();
    let app = inner
        .apps
        .iter_mut()
        .find(|a| a.id == id && a.deleted_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("app {id}")))?;
    app.deleted_at = Some(now);
    app.updated_at = now;
    for c in inner
        .connectors
        .iter_mut()
        .filter(|c| c.app_id == id && c.deleted_at.is_none())
    {
        c.deleted_at = Some(now);
        c.updated_at = now;
    }
    Ok(Json(json!({})))
}

/// `GET /api/v1/apps`: live apps only.
pub(crate) async fn list(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let req = PageRequest::from_query(&q)?;
    let inner = shared.lock();
    let all: Vec<Value> = inner
        .apps
        .iter()
        .filter(|a| a.deleted_at.is_none())
        .map(render)
        .collect();
    let (items, next) = page(&all, &req, shared.config.page_size)?;
    Ok(Json(list_body(items, next, false)))
}
