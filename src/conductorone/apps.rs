//! App endpoints: create, get, update, delete, list.

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::client::{Client, Endpoint};
use super::error::{ApiError, ErrorKind};
use super::models::App;
use super::transport::Reconcile;

/// What a new app is made of.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NewApp {
    /// Its display name (also how an ambiguous create is matched, so make it distinctive).
    pub display_name: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AppAnswer {
    app: Option<App>,
}

impl AppAnswer {
    fn into_app(self, op: &str) -> Result<App, ApiError> {
        self.app
            .ok_or_else(|| ApiError::new(ErrorKind::Server, op, "the answer holds no app"))
    }
}

/// The writable app fields an update changes; `None` leaves a field as it is. Only the fields
/// set go into the request body and its `updateMask`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppChanges {
    /// A new display name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// A new description (empty clears it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl AppChanges {
    /// The `updateMask` paths (App JSON names) of the fields set.
    #[must_use]
    pub fn mask(&self) -> Vec<&'static str> {
        let mut mask = Vec::new();
        if self.display_name.is_some() {
            mask.push("displayName");
        }
        if self.description.is_some() {
            mask.push("description");
        }
        mask
    }

    /// Whether nothing would change.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.mask().is_empty()
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateApp<'a> {
    app: &'a AppChanges,
    update_mask: String,
}

impl Client {
    /// Creates an app. If the request gets no clear answer, the apps are searched for one of the
    /// same display name created since the request started, and that one is returned rather than
    /// making a second.
    ///
    /// # Errors
    /// Any [`ApiError`]; `InvalidArgument` for a rejected body.
    pub async fn create_app(
        &self,
        app: &NewApp,
        cancel: &CancellationToken,
    ) -> Result<App, ApiError> {
        let started = Utc::now() - self.clock_skew();
        let mut reconcile = AppReconciler {
            client: self,
            display_name: &app.display_name,
            since: started,
        };
        let answer: AppAnswer = self
            .call(
                Endpoint::new(Method::POST, &["api", "v1", "apps"], "/api/v1/apps"),
                Some(app),
                cancel,
                Some(&mut reconcile),
            )
            .await?;
        answer.into_app("POST /api/v1/apps")
    }

    /// Reads an app. A 404 or a soft-deleted app is `NotFound`.
    ///
    /// # Errors
    /// `NotFound` when gone; any other [`ApiError`].
    pub async fn get_app(&self, app_id: &str, cancel: &CancellationToken) -> Result<App, ApiError> {
        let op = "/api/v1/apps/{id}";
        let answer: AppAnswer = self
            .call::<(), _>(
                Endpoint::new(Method::GET, &["api", "v1", "apps", app_id], op),
                None,
                cancel,
                None,
            )
            .await?;
        let app = answer.into_app(op)?;
        if app.is_deleted() {
            return Err(ApiError::new(
                ErrorKind::NotFound,
                format!("GET {op}"),
                "the app was deleted",
            ));
        }
        Ok(app)
    }

    /// Changes the fields `changes` sets on app `app_id` (`Apps.Update`, with an `updateMask`
    /// naming exactly those fields) and returns the app as it is afterwards. The body carries
    /// no read-only field: the path names the app.
    ///
    /// # Errors
    /// Any [`ApiError`]; `NotFound` when the app is gone.
    pub async fn update_app(
        &self,
        app_id: &str,
        changes: &AppChanges,
        cancel: &CancellationToken,
    ) -> Result<App, ApiError> {
        let op = "/api/v1/apps/{id}";
        let body = UpdateApp {
            app: changes,
            update_mask: changes.mask().join(","),
        };
        let answer: AppAnswer = self
            .call(
                Endpoint::new(Method::POST, &["api", "v1", "apps", app_id], op),
                Some(&body),
                cancel,
                None,
            )
            .await?;
        answer.into_app(op)
    }

    /// Deletes an app.
    ///
    /// # Errors
    /// `NotFound` when it is already gone; any other [`ApiError`].
    pub async fn delete_app(
        &self,
        app_id: &str,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let empty = serde_json::json!({});
        let _: serde_json::Value = self
            .call(
                Endpoint::new(
                    Method::DELETE,
                    &["api", "v1", "apps", app_id],
                    "/api/v1/apps/{id}",
                ),
                Some(&empty),
                cancel,
                None,
            )
            .await?;
        Ok(())
    }

    /// Lists every app (all pages).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_apps(&self, cancel: &CancellationToken) -> Result<Vec<App>, ApiError> {
        self.list_all(&["api", "v1", "apps"], "/api/v1/apps", cancel)
            .await
    }
}

/// Finds the app an ambiguous create made: same display name, created since the request started.
struct AppReconciler<'a> {
    client: &'a Client,
    display_name: &'a str,
    since: DateTime<Utc>,
}

#[async_trait::async_trait]
impl Reconcile<AppAnswer> for AppReconciler<'_> {
    async fn find(&mut self, cancel: &CancellationToken) -> Result<Option<AppAnswer>, ApiError> {
        let apps = self.client.list_apps(cancel).await?;
        let found = pick_created_app(apps, self.display_name, self.since);
        if let Some(app) = &found {
            tracing::debug!(app_id = %app.id, "an ambiguous app create had taken effect; using that app");
        }
        Ok(found.map(|app| AppAnswer { app: Some(app) }))
    }
}

/// The earliest live app named `display_name` created at or after `since`.
fn pick_created_app(apps: Vec<App>, display_name: &str, since: DateTime<Utc>) -> Option<App> {
    apps.into_iter()
        .filter(|a| !a.is_deleted() && a.display_name == display_name)
        .filter(|a| a.created_at.is_some_and(|t| t >= since))
        .min_by_key(|a| a.created_at)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn app(id: &str, name: &str, created: i64, deleted: bool) -> App {
        App {
            id: id.into(),
            display_name: name.into(),
            created_at: DateTime::from_timestamp(created, 0),
            deleted_at: deleted.then(Utc::now),
            ..App::default()
        }
    }

    #[test]
    fn an_update_sends_only_the_changed_fields_and_names_them_in_camel_case() {
        let changes = AppChanges {
            description: Some(String::new()),
            ..AppChanges::default()
        };
        let body = serde_json::to_value(UpdateApp {
            app: &changes,
            update_mask: changes.mask().join(","),
        })
        .unwrap();
        assert_eq!(
            body,
            serde_json::json!({"app": {"description": ""}, "updateMask": "description"})
        );
        let both = AppChanges {
            display_name: Some("B".into()),
            description: Some("d".into()),
        };
        assert_eq!(both.mask().join(","), "displayName,description");
        assert!(AppChanges::default().is_empty());
    }

    #[test]
    fn picks_the_earliest_matching_live_app_created_since_the_start() {
        let since = DateTime::from_timestamp(1000, 0).unwrap();
        let apps = vec![
            app("old", "Xero", 900, false),
            app("other", "Zoom", 1100, false),
            app("gone", "Xero", 1050, true),
            app("late", "Xero", 1200, false),
            app("mine", "Xero", 1010, false),
        ];
        assert_eq!(
            pick_created_app(apps.clone(), "Xero", since).map(|a| a.id),
            Some("mine".into())
        );
        assert_eq!(pick_created_app(apps, "Nope", since), None);
    }
}
