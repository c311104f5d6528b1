//! Connector endpoints: create (with credentials or delegated), get, update, delete, list, sync.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::client::{Client, Endpoint};
use super::error::{ApiError, ErrorKind};
use super::models::{Connector, ConnectorView, EnvConfig};
use super::transport::Reconcile;

/// What a new connector is made of.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NewConnector {
    /// The catalog entry, e.g. [`super::models::XERO_CATALOG_ID`].
    pub catalog_id: String,
    /// The display name (sent by the delegated create only; the API names credentialed ones).
    pub display_name: String,
    /// The integration owners; empty means the caller.
    pub user_ids: Vec<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateBody<'a> {
    catalog_id: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    user_ids: &'a [String],
    config: &'a EnvConfig,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CreateDelegatedBody<'a> {
    catalog_id: &'a str,
    display_name: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    user_ids: &'a [String],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateBody<'a> {
    connector: &'a Connector,
    update_mask: String,
}

/// `{"connectorView": {"connector": …}, "expanded": […]}`.
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct ConnectorAnswer {
    connector_view: Option<ConnectorView>,
}

impl ConnectorAnswer {
    fn into_connector(self, op: &str) -> Result<Connector, ApiError> {
        self.connector_view
            .and_then(|v| v.connector)
            .ok_or_else(|| ApiError::new(ErrorKind::Server, op, "the answer holds no connector"))
    }
}

const ONE: &str = "/api/v1/apps/{app_id}/connectors/{id}";

impl Client {
    /// Creates a connector with its credentials (`POST …/connectors/create`). Never makes two: see
    /// [`Client::create_connector_delegated`].
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_connector(
        &self,
        app_id: &str,
        new: &NewConnector,
        config: &EnvConfig,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let body = CreateBody {
            catalog_id: &new.catalog_id,
            user_ids: &new.user_ids,
            config,
        };
        let path = ["api", "v1", "apps", app_id, "connectors", "create"];
        self.create_with_reconcile(
            app_id,
            &new.catalog_id,
            &path,
            "/api/v1/apps/{app_id}/connectors/create",
            &body,
            cancel,
        )
        .await
    }

    /// Creates a connector without credentials; its owners are asked to finish the setup.
    ///
    /// Creation is never blindly repeated: the app's connector IDs are read first, and when a
    /// create gets no clear answer (timeout, dropped connection, 5xx) the connectors are listed
    /// again and one of the same catalog ID, not known before and created since the request
    /// started, is returned instead of creating another.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_connector_delegated(
        &self,
        app_id: &str,
        new: &NewConnector,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let body = CreateDelegatedBody {
            catalog_id: &new.catalog_id,
            display_name: &new.display_name,
            user_ids: &new.user_ids,
        };
        let path = ["api", "v1", "apps", app_id, "connectors"];
        self.create_with_reconcile(
            app_id,
            &new.catalog_id,
            &path,
            "/api/v1/apps/{app_id}/connectors",
            &body,
            cancel,
        )
        .await
    }

    async fn create_with_reconcile<B: Serialize + Sync>(
        &self,
        app_id: &str,
        catalog_id: &str,
        path: &[&str],
        operation: &str,
        body: &B,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let since = Utc::now() - self.clock_skew();
        let known: HashSet<String> = self
            .list_connectors(app_id, cancel)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let mut reconcile = ConnectorReconciler {
            client: self,
            app_id,
            catalog_id,
            known,
            since,
        };
        let answer: ConnectorAnswer = self
            .call(
                Endpoint::new(Method::POST, path, operation),
                Some(body),
                cancel,
                Some(&mut reconcile),
            )
            .await?;
        answer.into_connector(&format!("POST {operation}"))
    }

    /// Reads a connector. A 404 or a soft-deleted connector is `NotFound`.
    ///
    /// # Errors
    /// `NotFound` when gone; any other [`ApiError`].
    pub async fn get_connector(
        &self,
        app_id: &str,
        id: &str,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let path = ["api", "v1", "apps", app_id, "connectors", id];
        let answer: ConnectorAnswer = self
            .call::<(), _>(Endpoint::new(Method::GET, &path, ONE), None, cancel, None)
            .await?;
        live(answer.into_connector(ONE)?, &format!("GET {ONE}"))
    }

    /// Updates the fields of `connector` named in `update_mask` (camelCase, e.g. `config`).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn update_connector(
        &self,
        connector: &Connector,
        update_mask: &[&str],
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let path = [
            "api",
            "v1",
            "apps",
            &connector.app_id,
            "connectors",
            &connector.id,
        ];
        self.update_at(&path, ONE, connector, update_mask, cancel)
            .await
    }

    /// Updates owners / display name without touching credentials (`…/delegated`).
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn update_connector_delegated(
        &self,
        connector: &Connector,
        update_mask: &[&str],
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let path = [
            "api",
            "v1",
            "apps",
            &connector.app_id,
            "connectors",
            &connector.id,
            "delegated",
        ];
        self.update_at(
            &path,
            "/api/v1/apps/{app_id}/connectors/{id}/delegated",
            connector,
            update_mask,
            cancel,
        )
        .await
    }

    async fn update_at(
        &self,
        path: &[&str],
        operation: &str,
        connector: &Connector,
        update_mask: &[&str],
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let body = UpdateBody {
            connector,
            update_mask: update_mask.join(","),
        };
        let answer: ConnectorAnswer = self
            .call(
                Endpoint::new(Method::POST, path, operation),
                Some(&body),
                cancel,
                None,
            )
            .await?;
        answer.into_connector(&format!("POST {operation}"))
    }

    /// Deletes a connector.
    ///
    /// # Errors
    /// `NotFound` when already gone; any other [`ApiError`].
    pub async fn delete_connector(
        &self,
        app_id: &str,
        id: &str,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let path = ["api", "v1", "apps", app_id, "connectors", id];
        let empty = serde_json::json!({});
        let _: serde_json::Value = self
            .call(
                Endpoint::new(Method::DELETE, &path, ONE),
                Some(&empty),
                cancel,
                None,
            )
            .await?;
        Ok(())
    }

    /// Lists every connector of an app (all pages), deleted ones included.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn list_connectors(
        &self,
        app_id: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<Connector>, ApiError> {
        let views: Vec<ConnectorView> = self
            .list_all(
                &["api", "v1", "apps", app_id, "connectors"],
                "/api/v1/apps/{app_id}/connectors",
                cancel,
            )
            .await?;
        Ok(views.into_iter().filter_map(|v| v.connector).collect())
    }

    /// Asks for a sync to start now.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn force_sync(
        &self,
        app_id: &str,
        connector_id: &str,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let path = [
            "api",
            "v1",
            "apps",
            app_id,
            "connectors",
            connector_id,
            "force_sync",
        ];
        let empty = serde_json::json!({});
        let op = "/api/v1/apps/{app_id}/connectors/{connector_id}/force_sync";
        let _: serde_json::Value = self
            .call(
                Endpoint::new(Method::POST, &path, op),
                Some(&empty),
                cancel,
                None,
            )
            .await?;
        Ok(())
    }
}

/// `NotFound` for a soft-deleted connector, so callers treat it like a 404.
///
/// # Errors
/// `NotFound` when `deletedAt` is set.
pub fn live(connector: Connector, operation: &str) -> Result<Connector, ApiError> {
    if connector.is_deleted() {
        return Err(ApiError::new(
            ErrorKind::NotFound,
            operation,
            "the connector was deleted",
        ));
    }
    Ok(connector)
}

/// Finds the connector an ambiguous create made.
struct ConnectorReconciler<'a> {
    client: &'a Client,
    app_id: &'a str,
    catalog_id: &'a str,
    known: HashSet<String>,
    since: DateTime<Utc>,
}

#[async_trait::async_trait]
impl Reconcile<ConnectorAnswer> for ConnectorReconciler<'_> {
    async fn find(
        &mut self,
        cancel: &CancellationToken,
    ) -> Result<Option<ConnectorAnswer>, ApiError> {
        let all = self.client.list_connectors(self.app_id, cancel).await?;
        let found = pick_created_connector(all, self.catalog_id, &self.known, self.since);
        if let Some(c) = &found {
            tracing::debug!(connector_id = %c.id, "an ambiguous connector create had taken effect; using it");
        }
        Ok(found.map(|c| ConnectorAnswer {
            connector_view: Some(ConnectorView { connector: Some(c) }),
        }))
    }
}

/// The earliest live connector of `catalog_id` not in `known` and created at or after `since`
/// (one without a creation time is accepted: the `known` set already rules out older ones).
fn pick_created_connector(
    all: Vec<Connector>,
    catalog_id: &str,
    known: &HashSet<String>,
    since: DateTime<Utc>,
) -> Option<Connector> {
    all.into_iter()
        .filter(|c| !c.is_deleted() && c.catalog_id == catalog_id && !known.contains(&c.id))
        .filter(|c| c.created_at.is_none_or(|t| t >= since))
        .min_by_key(|c| c.created_at)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn conn(id: &str, catalog: &str, created: i64, deleted: bool) -> Connector {
        Connector {
            id: id.into(),
            catalog_id: catalog.into(),
            created_at: DateTime::from_timestamp(created, 0),
            deleted_at: deleted.then(Utc::now),
            ..Connector::default()
        }
    }

    #[test]
    fn picks_only_a_new_live_connector_of_the_catalog() {
        let since = DateTime::from_timestamp(1000, 0).unwrap();
        let known: HashSet<String> = ["before".to_owned()].into();
        let all = vec![
            conn("before", "X", 1500, false),
            conn("old", "X", 10, false),
            conn("zoom", "Z", 1100, false),
            conn("deleted", "X", 1100, true),
            conn("later", "X", 1300, false),
            conn("mine", "X", 1200, false),
        ];
        assert_eq!(
            pick_created_connector(all.clone(), "X", &known, since).map(|c| c.id),
            Some("mine".into())
        );
        assert_eq!(pick_created_connector(all, "Y", &known, since), None);
    }

    #[test]
    fn a_deleted_connector_is_not_found() {
        let err = live(conn("c", "X", 1, true), "GET x").unwrap_err();
        assert!(err.is_not_found());
        assert!(live(conn("c", "X", 1, false), "GET x").is_ok());
    }
}
