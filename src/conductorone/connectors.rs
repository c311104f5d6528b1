//! Connector endpoints: create (with credentials or delegated), get, update, delete, list, sync.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use http::Method;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::client::{Client, Endpoint};
use super::create_lookup::Ticket;
use super::error::{ApiError, ErrorKind};
use super::models::{Connector, ConnectorView, EnvConfig};
use super::transport::Reconcile;
use crate::net::retry::{WaitAbort, wait};

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

/// A connector a create returned, and what its create went through.
#[derive(Debug, Clone)]
pub struct CreatedConnector {
    /// The connector.
    pub connector: Connector,
    /// Set when an attempt got no clear answer, so the connector was looked for.
    pub ambiguity: Option<Ambiguity>,
}

/// What a create that lost an answer leaves to check later: when the create was sent again
/// after its lookup window found nothing, a connector the lost attempt made may still show up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ambiguity {
    /// When the create was first sent (this machine's clock).
    pub requested_at: DateTime<Utc>,
    /// Whether the create was sent again after a lookup found nothing: only then can a stray
    /// connector exist.
    pub resent: bool,
    /// Connectors of the catalog made since the request that the last look saw and passed over
    /// (other creates' connectors), so a later check does not take them for strays.
    pub passed_over: Vec<String>,
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
        self.create_connector_traced(app_id, new, config, cancel)
            .await
            .map(|c| c.connector)
    }

    /// [`Client::create_connector`], also saying whether the create lost an answer.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_connector_traced(
        &self,
        app_id: &str,
        new: &NewConnector,
        config: &EnvConfig,
        cancel: &CancellationToken,
    ) -> Result<CreatedConnector, ApiError> {
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
    /// Creation is never blindly repeated. A create that gets no clear answer (timeout, dropped
    /// connection, 5xx) may still have been committed, and a backend may show it in lists only
    /// later, so the app's connectors are listed several times over a window
    /// ([`super::LookupWindow`], 15 s) before the create is sent again. A connector is taken
    /// for it when it is live, of the catalog sent, created since the request started (less the
    /// clock skew), held by the owners sent (when given), named as sent (delegated), with any
    /// configuration the list shows agreeing with what was sent (a list may show none), and
    /// not returned to another create of this client. A list is judged only once every other
    /// create of the app that was waiting for its answer when the list came has its answer, so
    /// a connector is never taken from a create whose answer is still on its way. A create that
    /// gets its answer costs no list.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_connector_delegated(
        &self,
        app_id: &str,
        new: &NewConnector,
        cancel: &CancellationToken,
    ) -> Result<Connector, ApiError> {
        self.create_connector_delegated_traced(app_id, new, cancel)
            .await
            .map(|c| c.connector)
    }

    /// [`Client::create_connector_delegated`], also saying whether the create lost an answer.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn create_connector_delegated_traced(
        &self,
        app_id: &str,
        new: &NewConnector,
        cancel: &CancellationToken,
    ) -> Result<CreatedConnector, ApiError> {
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
    ) -> Result<CreatedConnector, ApiError> {
        let requested_at = Utc::now();
        let ticket = InFlight {
            client: self,
            ticket: self.creates().start(app_id),
        };
        let mut reconcile = ConnectorReconciler {
            client: self,
            app_id,
            wanted,
            since: requested_at - self.clock_skew(),
            ticket: ticket.ticket,
            ambiguity: None,
            adopted: None,
            requested_at,
        };
        let result: Result<ConnectorAnswer, ApiError> = self
            .call(
                Endpoint::new(Method::POST, path, operation),
                Some(body),
                cancel,
                Some(&mut reconcile),
            )
            .await;
        let ambiguity = reconcile.ambiguity.take();
        let adopted = reconcile.adopted.take();
        let answer = result.map_err(|e| match &ambiguity {
            Some(_) => e.with_note(
                "an earlier attempt got no clear answer and may have created a connector: look for one \
                 created just now in the app, and delete it if nothing manages it",
            ),
            None => e,
        })?;
        let connector = answer.into_connector(&format!("POST {operation}"))?;
        if adopted.as_deref() != Some(connector.id.as_str())
            && !self.creates().end_with(ticket.ticket, &connector.id)
        {
            tracing::error!(connector_id = %connector.id,
                "a create was answered with a connector another create had already adopted");
        }
        drop(ticket);
        Ok(CreatedConnector {
            connector,
            ambiguity,
        })
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

/// Reads return only the non-secret keys, and a list may return none: every key read back must
/// be one that was sent, with the value sent; a connector read without configuration is not
/// ruled out by it. A delegated create (no configuration sent) rules out one that shows some.
fn config_matches(sent: Option<&EnvConfig>, read: Option<&EnvConfig>) -> bool {
    let read = read.map(|r| &r.values).filter(|v| !v.is_empty());
    match (sent, read) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(sent), Some(read)) => read
            .iter()
            .all(|(k, v)| sent.get(k).is_some_and(|s| s.expose() == v.expose())),
    }
}

/// Ends a create's in-flight mark however the create ends (an answer claims its connector
/// first, see [`super::create_lookup::CreateRegistry::end_with`]).
struct InFlight<'a> {
    client: &'a Client,
    ticket: Ticket,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.client.creates().end(self.ticket);
    }
}

/// Finds the connector an ambiguous create made, looking over the lookup window.
struct ConnectorReconciler<'a> {
    client: &'a Client,
    app_id: &'a str,
    wanted: Wanted<'a>,
    since: DateTime<Utc>,
    ticket: Ticket,
    requested_at: DateTime<Utc>,
    /// Filled by the first ambiguous attempt.
    ambiguity: Option<Ambiguity>,
    /// The connector taken from a list, already claimed.
    adopted: Option<String>,
}

impl ConnectorReconciler<'_> {
    /// One look: lists the app, waits for the answers of the other creates that may have made
    /// what the list shows, then claims the best match. Records what it passed over.
    async fn look(&mut self, cancel: &CancellationToken) -> Result<Option<Connector>, ApiError> {
        let all = self.client.list_connectors(self.app_id, cancel).await?;
        let pending = self.client.creates().pending(self.app_id, self.ticket);
        self.client.creates().wait_ended(&pending, cancel).await;
        let since = self.since;
        let wanted = self.wanted;
        let recent: Vec<String> = all
            .iter()
            .filter(|c| {
                c.catalog_id == wanted.catalog_id && c.created_at.is_some_and(|t| t >= since)
            })
            .map(|c| c.id.clone())
            .collect();
        let found = self.client.creates().claim_with(|claimed| {
            pick_created_connector(all, &wanted, claimed, since).map(|c| (c.id.clone(), c))
        });
        if let Some(a) = &mut self.ambiguity {
            a.passed_over = recent;
        }
        Ok(found)
    }
}

#[async_trait::async_trait]
impl Reconcile<ConnectorAnswer> for ConnectorReconciler<'_> {
    async fn find(
        &mut self,
        cancel: &CancellationToken,
    ) -> Result<Option<ConnectorAnswer>, ApiError> {
        // This attempt's answer is lost: others need not wait for it while it looks.
        self.client.creates().end(self.ticket);
        self.ambiguity.get_or_insert_with(|| Ambiguity {
            requested_at: self.requested_at,
            resent: false,
            passed_over: Vec::new(),
        });
        let policy = self.client.create_lookup().clone();
        let started = tokio::time::Instant::now();
        let far = started + policy.window + policy.max_delay;
        let mut delay = policy.first_delay;
        let mut last_error;
        loop {
            match self.look(cancel).await {
                Ok(Some(c)) => {
                    tracing::debug!(connector_id = %c.id, "an ambiguous connector create had taken effect; using it");
                    self.adopted = Some(c.id.clone());
                    return Ok(Some(ConnectorAnswer {
                        connector_view: Some(ConnectorView { connector: Some(c) }),
                    }));
                }
                Ok(None) => last_error = None,
                Err(e) if e.kind() == super::error::ErrorKind::Cancelled => return Err(e),
                Err(e) => {
                    tracing::debug!(error = %e, "a look for an ambiguous create failed");
                    last_error = Some(e);
                }
            }
            let left = policy.window.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match wait(delay.min(left), far, cancel).await {
                Ok(()) => {}
                Err(WaitAbort::Cancelled) => return Err(cancelled_lookup()),
                Err(WaitAbort::Deadline) => break,
            }
            delay = delay.saturating_mul(2).min(policy.max_delay);
        }
        if let Some(e) = last_error {
            // Never send again on a guess: without a list nothing shows the first attempt failed.
            return Err(e);
        }
        tracing::debug!("no connector from the ambiguous create showed up; sending it again");
        if let Some(a) = &mut self.ambiguity {
            a.resent = true;
        }
        // The transport sends the create again next (or gives up, and the guard ends this).
        let again = self.client.creates().start(self.app_id);
        self.client.creates().end(self.ticket);
        self.ticket = again;
        Ok(None)
    }
}

fn cancelled_lookup() -> ApiError {
    ApiError::new(
        ErrorKind::Cancelled,
        "GET /api/v1/apps/{app_id}/connectors",
        "the operation was cancelled",
    )
}

/// The connector matching `wanted` since `since` that is not in `claimed`: one whose
/// configuration was read back and agrees first, then the earliest.
fn pick_created_connector(
    all: Vec<Connector>,
    wanted: &Wanted<'_>,
    claimed: &HashSet<String>,
    since: DateTime<Utc>,
) -> Option<Connector> {
    all.into_iter()
        .filter(|c| !claimed.contains(&c.id) && wanted.matches(c, since))
        .min_by_key(|c| {
            let shows_config = c.config.as_ref().is_some_and(|k| !k.values.is_empty());
            (!shows_config, c.created_at)
        })
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
        // A list may leave the configuration out: that alone does not rule a connector out.
        assert_eq!(
            ids(&all, &wanted, &["claimed", "mine", "later"]),
            Some("delegated".into())
        );
        assert_eq!(
            ids(&all, &wanted, &["claimed", "mine", "later", "delegated"]),
            None
        );
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
