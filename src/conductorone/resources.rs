//! What a sync brought in: resource types of an app and the resources of each type.

use serde::Deserialize;
use tokio_util::sync::CancellationToken;

use super::client::Client;
use super::error::ApiError;
use super::models::{AppResource, AppResourceType};

/// `{"appResourceType": …}` list item.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct TypeView {
    app_resource_type: Option<AppResourceType>,
}

/// `{"appResource": …}` list item.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ResourceView {
    app_resource: Option<AppResource>,
}

impl Client {
    /// Lists every resource type of an app (all pages).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_resource_types(
        &self,
        app_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<AppResourceType>, ApiError> {
        let views: Vec<TypeView> = self
            .list_all(
                &["api", "v1", "apps", app_id, "resource_types"],
                "/api/v1/apps/{app_id}/resource_types",
                cancel,
            )
            .await?;
        Ok(views
            .into_iter()
            .filter_map(|v| v.app_resource_type)
            .collect())
    }

    /// Lists every resource of one resource type (all pages).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_resources(
        &self,
        app_id: &str,
        resource_type_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<AppResource>, ApiError> {
        let path = [
            "api",
            "v1",
            "apps",
            app_id,
            "resource_types",
            resource_type_id,
            "resources",
        ];
        let op = "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources";
        let views: Vec<ResourceView> = self.list_all(&path, op, cancel).await?;
        Ok(views.into_iter().filter_map(|v| v.app_resource).collect())
    }
}
