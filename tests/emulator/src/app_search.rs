//! App search (`AppSearch.Search`, `POST /api/v1/search/apps`): every filter of the request,
//! paged, bare App objects in `list`.
//!
//! Where the API documents nothing the emulator picks the strict reading and says so here:
//! `displayName` matches the whole name (case-insensitively), the filters combine with AND, an
//! empty body returns every live app, deleted apps never appear, and the order is creation order.
//! A body field the request message does not have is refused (the gateway may drop it; a client
//! that sends one has a typo the emulator should show), and so is a `pageSize` outside 0–100.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use serde_json::Value;

use crate::apps::render;
use crate::auth::Caller;
use crate::error::{ApiError, Body};
use crate::page::{PageRequest, list_body, page};
use crate::state::{App, Shared};

/// The page size the API uses when a request asks for none (`pageSize` 0 or left out).
const DEFAULT_PAGE_SIZE: i64 = 25;
/// The smallest page the API answers with: a smaller `pageSize` is raised to it.
const MIN_PAGE_SIZE: i64 = 10;
/// The largest `pageSize` a request may ask for.
const MAX_PAGE_SIZE: i64 = 100;

/// A policy reference (`c1.api.policy.v1.PolicyRef`).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyRef {
    #[serde(default)]
    id: String,
}

/// The request message, `c1.api.app.v1.SearchAppsRequest`; every field optional.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SearchApps {
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    app_ids: Option<Vec<String>>,
    #[serde(default)]
    exclude_app_ids: Option<Vec<String>>,
    #[serde(default)]
    only_directories: Option<bool>,
    #[serde(default)]
    policy_refs: Option<Vec<PolicyRef>>,
    #[serde(default)]
    page_size: Option<i64>,
    #[serde(default)]
    page_token: Option<String>,
}

impl SearchApps {
    /// The page size the API answers with, per the documented bounds.
    fn page_size(&self) -> Result<i64, ApiError> {
        match self.page_size.unwrap_or(0) {
            0 => Ok(DEFAULT_PAGE_SIZE),
            n if !(0..=MAX_PAGE_SIZE).contains(&n) => Err(ApiError::invalid(format!(
                "pageSize {n} is out of range: it must be between 0 and {MAX_PAGE_SIZE}"
            ))),
            n => Ok(n.max(MIN_PAGE_SIZE)),
        }
    }

    /// Whether `app` (live) passes every filter; `rendered` is its API form.
    fn matches(&self, app: &App, rendered: &Value) -> bool {
        let listed = non_empty(self.app_ids.as_deref()).is_none_or(|ids| ids.contains(&app.id));
        let excluded =
            non_empty(self.exclude_app_ids.as_deref()).is_some_and(|ids| ids.contains(&app.id));
        let name = self
            .display_name
            .as_deref()
            .filter(|d| !d.is_empty())
            .is_none_or(|d| d.to_lowercase() == app.display_name.to_lowercase());
        let fuzzy = self
            .query
            .as_deref()
            .filter(|q| !q.is_empty())
            .is_none_or(|q| {
                let q = q.to_lowercase();
                app.display_name.to_lowercase().contains(&q)
                    || app.description.to_lowercase().contains(&q)
            });
        let directory = !self.only_directories.unwrap_or(false)
            || rendered["isDirectory"].as_bool().unwrap_or(false);
        let policy = self
            .policy_refs
            .as_ref()
            .filter(|refs| !refs.is_empty())
            .is_none_or(|refs| {
                ["grantPolicyId", "revokePolicyId", "certifyPolicyId"]
                    .iter()
                    .filter_map(|k| rendered[k].as_str())
                    .any(|used| refs.iter().any(|r| !r.id.is_empty() && r.id == used))
            });
        listed && !excluded && name && fuzzy && directory && policy
    }
}

/// A list filter that filters: an empty list is the same as none.
fn non_empty(list: Option<&[String]>) -> Option<&[String]> {
    list.filter(|l| !l.is_empty())
}

/// `POST /api/v1/search/apps`.
pub(crate) async fn search(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Body(req): Body<SearchApps>,
) -> Result<Json<Value>, ApiError> {
    let size = req.page_size()?;
    let inner = shared.lock();
    let found: Vec<Value> = inner
        .apps
        .iter()
        .filter(|a| a.deleted_at.is_none())
        .filter_map(|a| {
            let rendered = render(a);
            req.matches(a, &rendered).then_some(rendered)
        })
        .collect();
    let paging = PageRequest {
        size: Some(size),
        token: req.page_token.clone().unwrap_or_default(),
    };
    // The configured page size still caps the answer, so tests see several pages.
    let (items, next) = page(&found, &paging, shared.config.page_size)?;
    Ok(Json(list_body(items, next, false)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_sizes_follow_the_documented_bounds() {
        let size = |n: Option<i64>| {
            SearchApps {
                page_size: n,
                ..SearchApps::default()
            }
            .page_size()
            .ok()
        };
        assert_eq!(size(None), Some(25));
        assert_eq!(size(Some(0)), Some(25));
        assert_eq!(size(Some(1)), Some(10));
        assert_eq!(size(Some(10)), Some(10));
        assert_eq!(size(Some(100)), Some(100));
        assert_eq!(size(Some(101)), None);
        assert_eq!(size(Some(-1)), None);
    }
}
