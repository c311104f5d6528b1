//! What syncs bring in: app resource types and app resources, listed, fetched and searched.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, Body};
use crate::ids::rfc3339;
use crate::page::{PageRequest, list_body, page};
use crate::state::{Inner, Resource, ResourceType, Shared};

fn render_type(t: &ResourceType) -> Value {
    json!({
        "id": t.id, "appId": t.app_id, "displayName": t.display_name, "traitIds": t.trait_ids,
        "createdAt": rfc3339(t.created_at), "updatedAt": rfc3339(t.updated_at), "deletedAt": null,
    })
}

fn type_view(t: &ResourceType) -> Value {
    json!({ "appResourceType": render_type(t), "appPath": "" })
}

pub(crate) fn render_resource(r: &Resource) -> Value {
    json!({
        "id": r.id, "appId": r.app_id, "appResourceTypeId": r.resource_type_id,
        "displayName": r.display_name, "description": r.description, "externalId": r.external_id,
        "grantCount": r.grant_count.to_string(),
        "parentAppResourceId": r.parent_id, "parentAppResourceTypeId": r.parent_type_id,
        "createdAt": rfc3339(r.created_at), "updatedAt": rfc3339(r.updated_at), "deletedAt": null,
        "accessConfigId": "", "agentTrait": null, "annotations": {}, "customDescription": "",
        "matchBatonId": "", "nhiDetail": "", "nhiType": "NHI_TYPE_UNSPECIFIED", "profile": null,
        "secretTrait": null,
    })
}

fn resource_view(r: &Resource) -> Value {
    json!({
        "appResource": render_resource(r), "appPath": "", "resourceTypePath": "",
        "parentResourcePath": "", "parentResourceTypePath": "", "objectPermissions": null,
    })
}

fn live_app(inner: &Inner, app_id: &str) -> Result<(), ApiError> {
    inner
        .live_app(app_id)
        .map(|_| ())
        .ok_or_else(|| ApiError::not_found(format!("app {app_id}")))
}

fn find_type<'a>(inner: &'a Inner, app_id: &str, id: &str) -> Result<&'a ResourceType, ApiError> {
    live_app(inner, app_id)?;
    inner
        .resource_types
        .iter()
        .find(|t| t.app_id == app_id && t.id == id)
        .ok_or_else(|| ApiError::not_found(format!("resource type {id} of app {app_id}")))
}

/// `GET /api/v1/apps/{app_id}/resource_types`.
pub(crate) async fn list_types(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path(app_id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let req = PageRequest::from_query(&q)?;
    let inner = shared.lock();
    live_app(&inner, &app_id)?;
    let all: Vec<Value> = inner
        .resource_types
        .iter()
        .filter(|t| t.app_id == app_id)
        .map(type_view)
        .collect();
    let (items, next) = page(&all, &req, shared.config.page_size)?;
    Ok(Json(list_body(items, next, true)))
}

/// `GET /api/v1/apps/{app_id}/resource_types/{id}`.
pub(crate) async fn get_type(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    let t = find_type(&inner, &app_id, &id)?;
    Ok(Json(
        json!({ "appResourceTypeView": type_view(t), "expanded": [] }),
    ))
}

/// `GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources`.
pub(crate) async fn list_resources(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, type_id)): Path<(String, String)>,
    Query(q): Query<HashMap<String, String>>,
) -> Result<Json<Value>, ApiError> {
    let req = PageRequest::from_query(&q)?;
    let inner = shared.lock();
    find_type(&inner, &app_id, &type_id)?;
    let all: Vec<Value> = inner
        .resources
        .iter()
        .filter(|r| r.app_id == app_id && r.resource_type_id == type_id)
        .map(resource_view)
        .collect();
    let (items, next) = page(&all, &req, shared.config.page_size)?;
    Ok(Json(list_body(items, next, true)))
}

/// `GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}`.
pub(crate) async fn get_resource(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, type_id, id)): Path<(String, String, String)>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    find_type(&inner, &app_id, &type_id)?;
    let r = inner
        .resources
        .iter()
        .find(|r| r.app_id == app_id && r.resource_type_id == type_id && r.id == id)
        .ok_or_else(|| ApiError::not_found(format!("resource {id}")))?;
    Ok(Json(
        json!({ "appResourceView": resource_view(r), "expanded": [] }),
    ))
}

/// The filters of both searches that the emulator honours; others are ignored.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SearchReq {
    #[serde(default)]
    app_id: Option<String>,
    #[serde(default)]
    app_ids: Option<Vec<String>>,
    #[serde(default)]
    resource_type_ids: Option<Vec<String>>,
    #[serde(default)]
    resource_ids: Option<Vec<String>>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    page_size: Option<i64>,
    #[serde(default)]
    page_token: Option<String>,
}

impl SearchReq {
    fn page(&self) -> PageRequest {
        PageRequest {
            size: self.page_size,
            token: self.page_token.clone().unwrap_or_default(),
        }
    }

    fn app_ok(&self, app_id: &str) -> bool {
        let mut ids: Vec<&String> = self.app_ids.iter().flatten().collect();
        ids.extend(self.app_id.iter().filter(|a| !a.is_empty()));
        ids.is_empty() || ids.iter().any(|a| *a == app_id)
    }

    fn in_list(list: Option<&Vec<String>>, id: &str) -> bool {
        list.is_none_or(|l| l.is_empty() || l.iter().any(|x| x == id))
    }

    fn name_ok(&self, name: &str) -> bool {
        let exact = self
            .display_name
            .as_deref()
            .is_none_or(|d| d.is_empty() || d == name);
        let fuzzy = self
            .query
            .as_deref()
            .is_none_or(|q| name.to_lowercase().contains(&q.to_lowercase()));
        exact && fuzzy
    }
}

/// `POST /api/v1/search/app_resource_types`.
pub(crate) async fn search_types(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Body(req): Body<SearchReq>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    let all: Vec<Value> = inner
        .resource_types
        .iter()
        .filter(|t| inner.live_app(&t.app_id).is_some() && req.app_ok(&t.app_id))
        .filter(|t| {
            SearchReq::in_list(req.resource_type_ids.as_ref(), &t.id)
                && req.name_ok(&t.display_name)
        })
        // Unlike the per-app list, this search answers bare resource types, not views.
        .map(render_type)
        .collect();
    let (items, next) = page(&all, &req.page(), shared.config.page_size)?;
    Ok(Json(list_body(items, next, false)))
}

/// `POST /api/v1/search/app_resources`.
pub(crate) async fn search_resources(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Body(req): Body<SearchReq>,
) -> Result<Json<Value>, ApiError> {
    let inner = shared.lock();
    let all: Vec<Value> = inner
        .resources
        .iter()
        .filter(|r| inner.live_app(&r.app_id).is_some() && req.app_ok(&r.app_id))
        .filter(|r| SearchReq::in_list(req.resource_type_ids.as_ref(), &r.resource_type_id))
        .filter(|r| {
            SearchReq::in_list(req.resource_ids.as_ref(), &r.id) && req.name_ok(&r.display_name)
        })
        .map(resource_view)
        .collect();
    let (items, next) = page(&all, &req.page(), shared.config.page_size)?;
    Ok(Json(list_body(items, next, true)))
}
