//! Connector endpoints: create (with credentials or delegated), get, update, delete, list, sync.

use std::collections::HashSet;
use std::sync::PoisonError;

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
        let wanted = Wanted {
            catalog_id: &new.catalog_id,
            config: Some(config),
            user_ids: &new.user_ids,
            // The API names a connector created with credentials itself.
            display_name: None,
        };
        self.create_with_reconcile(
            app_id,
            wanted,
            &path,
            "/api/v1/apps/{app_id}/connectors/create",
            &body,
            cancel,
        )
        .await
    }

    /// Creates a connector without credentials; its owners are asked to finish the setup.
    ///
    /// Creation is never blindly repeated: when a create gets no clear answer (timeout, dropped
    /// connection, 5xx) the app's connectors are listed and one that matches what the request
    /// carried (catalog ID, the non-secret configuration, the owners when given, the display name
    /// of a delegated create), was created since the request started (less the clock skew) and
    /// was not already returned by another create of this client is returned instead of creating
    /// another. A create that gets its answer costs no list.
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
        let wanted = Wanted {
            catalog_id: &new.catalog_id,
            config: None,
            user_ids: &new.user_ids,
            display_name: Some(&new.display_name),
        };
        self.create_with_reconcile(
            app_id,
            wanted,
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
        wanted: Wanted<'_>,
        path: &[&str],
        operation: &str,
        body: &B,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        let mut reconcile = ConnectorReconciler {
            client: self,
            app_id,
            wanted,
            since: Utc::now() - self.clock_skew(),
        };
        let answer: ConnectorAnswer = self
            .call(
                Endpoint::new(Method::POST, path, operation),
                Some(body),
                cancel,
                Some(&mut reconcile),
            )
            .await?;
        let connector = answer.into_connector(&format!("POST {operation}"))?;
        self.claimed_connectors()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(connector.id.clone());
        Ok(connector)
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

/// What a create request carried that a list read afterwards shows again: enough to tell the
/// connector it made from the app's others.
#[derive(Clone, Copy)]
struct Wanted<'a> {
    catalog_id: &'a str,
    /// The configuration sent, or `None` for a delegated create (which sends none).
    config: Option<&'a EnvConfig>,
    /// The owners sent; empty means the caller, whose user ID the client does not know.
    user_ids: &'a [String],
    /// The display name sent, when the connector keeps it.
    display_name: Option<&'a str>,
}

impl Wanted<'_> {
    /// Whether `c` is live, created at or after `since`, and holds what the request sent. One
    /// without a creation time never matches: nothing would show it is not an older connector.
    fn matches(&self, c: &Connector, since: DateTime<Utc>) -> bool {
        !c.is_deleted()
            && c.catalog_id == self.catalog_id
            && c.created_at.is_some_and(|t| t >= since)
            && (self.user_ids.is_empty() || same_set(self.user_ids, &c.user_ids))
            && self.display_name.is_none_or(|n| c.display_name == n)
            && config_matches(self.config, c.config.as_ref())
    }
}

fn same_set(a: &[String], b: &[String]) -> bool {
    let a: HashSet<&String> = a.iter().collect();
    let b: HashSet<&String> = b.iter().collect();
    a == b
}

/// Reads return only the non-secret keys: every key read back must be one that was sent, with
/// the value sent, and at least one must come back (else nothing ties the connector to this
/// request). A delegated create matches only a connector without configuration.
fn config_matches(sent: Option<&EnvConfig>, read: Option<&EnvConfig>) -> bool {
    let read = read.map(|r| &r.values).filter(|v| !v.is_empty());
    match (sent, read) {
        (None, None) => true,
        (None, Some(_)) | (Some(_), None) => false,
        (Some(sent), Some(read)) => read
            .iter()
            .all(|(k, v)| sent.get(k).is_some_and(|s| s.expose() == v.expose())),
    }
}

/// Finds the connector an ambiguous create made.
struct ConnectorReconciler<'a> {
    client: &'a Client,
    app_id: &'a str,
    wanted: Wanted<'a>,
    since: DateTime<Utc>,
}

#[async_trait::async_trait]
impl Reconcile<ConnectorAnswer> for ConnectorReconciler<'_> {
    async fn find(
        &mut self,
        cancel: &CancellationToken,
    ) -> Result<Option<ConnectorAnswer>, ApiError> {
        let all = self.client.list_connectors(self.app_id, cancel).await?;
        // Picking and claiming under one lock, so two creates reconciling at once never take the
        // same connector.
        let mut claimed = self
            .client
            .claimed_connectors()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let found = pick_created_connector(all, &self.wanted, &claimed, self.since);
        if let Some(c) = &found {
            claimed.insert(c.id.clone());
        }
        drop(claimed);
        if let Some(c) = &found {
            tracing::debug!(connector_id = %c.id, "an ambiguous connector create had taken effect; using it");
        }
        Ok(found.map(|c| ConnectorAnswer {
            connector_view: Some(ConnectorView { connector: Some(c) }),
        }))
    }
}

/// The earliest connector matching `wanted` since `since` that is not in `claimed`.
fn pick_created_connector(
    all: Vec<Connector>,
    wanted: &Wanted<'_>,
    claimed: &HashSet<String>,
    since: DateTime<Utc>,
) -> Option<Connector> {
    all.into_iter()
        .filter(|c| !claimed.contains(&c.id) && wanted.matches(c, since))
        .min_by_key(|c| c.created_at)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::secret::SecretString;

    fn conn(id: &str, catalog: &str, created: i64, deleted: bool) -> Connector {
        Connector {
            id: id.into(),
            catalog_id: catalog.into(),
            display_name: "Xero".into(),
            created_at: DateTime::from_timestamp(created, 0),
            deleted_at: deleted.then(Utc::now),
            config: Some(config("CID", None)),
            ..Connector::default()
        }
    }

    fn config(id: &str, secret: Option<&str>) -> EnvConfig {
        let mut pairs = vec![("xero_client_id", SecretString::new(id))];
        if let Some(s) = secret {
            pairs.push(("xero_client_secret", SecretString::new(s)));
        }
        EnvConfig::from_pairs(pairs)
    }

    fn ids(all: &[Connector], wanted: &Wanted<'_>, claimed: &[&str]) -> Option<String> {
        let claimed: HashSet<String> = claimed.iter().map(|s| (*s).to_owned()).collect();
        let since = DateTime::from_timestamp(1000, 0).unwrap();
        pick_created_connector(all.to_vec(), wanted, &claimed, since).map(|c| c.id)
    }

    #[test]
    fn picks_the_earliest_new_live_unclaimed_connector_holding_what_was_sent() {
        let sent = config("CID", Some("secret"));
        let wanted = Wanted {
            catalog_id: "X",
            config: Some(&sent),
            user_ids: &[],
            display_name: None,
        };
        let mut other_client = conn("other-client", "X", 1100, false);
        other_client.config = Some(config("OTHER", None));
        let mut no_time = conn("no-time", "X", 0, false);
        no_time.created_at = None;
        let mut delegated = conn("delegated", "X", 1100, false);
        delegated.config = None;
        let all = vec![
            conn("claimed", "X", 1050, false),
            conn("old", "X", 10, false),
            conn("zoom", "Z", 1100, false),
            conn("deleted", "X", 1100, true),
            other_client,
            no_time,
            delegated,
            conn("later", "X", 1300, false),
            conn("mine", "X", 1200, false),
        ];
        assert_eq!(ids(&all, &wanted, &["claimed"]), Some("mine".into()));
        assert_eq!(ids(&all, &wanted, &[]), Some("claimed".into()));
        assert_eq!(ids(&all, &wanted, &["claimed", "mine", "later"]), None);
        let y = Wanted {
            catalog_id: "Y",
            ..wanted
        };
        assert_eq!(ids(&all, &y, &[]), None);
        let other = config("OTHER", Some("s"));
        let other = Wanted {
            config: Some(&other),
            ..wanted
        };
        assert_eq!(ids(&all, &other, &[]), Some("other-client".into()));
    }

    #[test]
    fn owners_and_the_delegated_display_name_must_match_too() {
        let owners = ["u1".to_owned(), "u2".to_owned()];
        let mut a = conn("a", "X", 1100, false);
        a.config = None;
        a.user_ids = vec!["u2".into(), "u1".into()];
        let mut b = conn("b", "X", 1050, false);
        b.config = None;
        b.user_ids = vec!["u1".into()];
        let mut renamed = conn("renamed", "X", 1010, false);
        renamed.config = None;
        renamed.display_name = "Other".into();
        renamed.user_ids = owners.to_vec();
        let all = vec![a, b, renamed];
        let wanted = Wanted {
            catalog_id: "X",
            config: None,
            user_ids: &owners,
            display_name: Some("Xero"),
        };
        assert_eq!(ids(&all, &wanted, &[]), Some("a".into()));
        let anyone = Wanted {
            user_ids: &[],
            ..wanted
        };
        assert_eq!(ids(&all, &anyone, &[]), Some("b".into()));
        let named = Wanted {
            display_name: Some("Other"),
            ..wanted
        };
        assert_eq!(ids(&all, &named, &[]), Some("renamed".into()));
    }

    #[test]
    fn a_deleted_connector_is_not_found() {
        let err = live(conn("c", "X", 1, true), "GET x").unwrap_err();
        assert!(err.is_not_found());
        assert!(live(conn("c", "X", 1, false), "GET x").is_ok());
    }
}
