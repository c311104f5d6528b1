//! The `conductorone_xero_sync` data source: the state of a Xero connector's sync and what it
//! brought into the app (organisations, roles, a user count), optionally after waiting for a
//! running sync to finish.
//!
//! A failed sync is data, not an error: it reads as `sync_status = "error"` with `last_error`,
//! so a pipeline can assert on it in a `check` block or a postcondition.

use std::cmp::Ordering;
use std::time::Duration;

use crate::framework::TerraformModel;
use async_trait::async_trait;
use chrono::SecondsFormat;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::ProviderData;
use super::api_error::{api_error, api_error_at};
use super::sync_wait::{
    PollPolicy, SyncStatus, WaitError, format_duration, parse_go_duration, wait_for_sync,
};
use super::validators::{ConductorOneId, GoDuration};
use crate::conductorone::models::{AppResource, Connector, XERO_CATALOG_ID};
use crate::conductorone::{ApiError, Client, ErrorKind};
use crate::framework::Path;
use crate::framework::validate::validate_model;
use crate::framework::validators::NotBlank;
use crate::framework::{
    Context, DataSource, Diagnostics, ReadDataRequest, ReadDataResponse, Value,
};

/// How long `wait_for_sync` waits when `timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// The resource type display names a Xero sync creates.
const ORGANIZATION_TYPE: &str = "Organization";
const USER_TYPE: &str = "User";
const ROLE_TYPE: &str = "Role";

/// Reads the sync state of ConductorOne's Xero connector on an app and what the sync brought in:
/// the Xero organisations, the six Xero organisation roles with their grant counts, and how many
/// Xero users were synced. A failed sync is not an error: it reads as `sync_status = "error"`
/// with `last_error`, so a `check` block or a postcondition can assert on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct XeroSyncModel {
    /// The ID of the app holding the Xero connector.
    #[terraform(required, validate(NotBlank, ConductorOneId))]
    pub app_id: Value<String>,
    /// The ID of the Xero connector (e.g. `conductorone_xero_integration.x.id`). When omitted,
    /// the app's only Xero connector is used (and its ID is read back here); an app with several
    /// needs this set.
    #[terraform(optional, computed, validate(NotBlank, ConductorOneId))]
    pub integration_id: Value<String>,
    /// Wait until a running sync (or a first sync about to start) finishes before reading.
    /// Defaults to `false`: read whatever the last sync brought in.
    #[terraform(optional)]
    pub wait_for_sync: Value<bool>,
    /// How long `wait_for_sync` may wait, as a Go duration (`"90s"`, `"10m"`, `"1h30m"`).
    /// Defaults to `10m`. A sync still running then is an error.
    #[terraform(optional, validate(GoDuration))]
    pub timeout: Value<String>,
    /// The state of the connector's syncs: `running`, `done`, `error`, `disabled` or
    /// `unspecified` (no sync recorded yet).
    #[terraform(computed)]
    pub sync_status: Value<String>,
    /// The connector's last sync error; null when there is none.
    #[terraform(computed)]
    pub last_error: Value<String>,
    /// When the last sync completed (RFC 3339); null before the first sync completes.
    #[terraform(computed)]
    pub last_synced_at: Value<String>,
    /// The synced Xero organisations, sorted by display name, then ID.
    #[terraform(computed, nested)]
    pub organizations: Value<Vec<OrganizationModel>>,
    /// The synced Xero organisation roles, sorted by display name, then ID.
    #[terraform(computed, nested)]
    pub roles: Value<Vec<RoleModel>>,
    /// How many Xero users were synced.
    #[terraform(computed)]
    pub user_count: Value<i64>,
}

/// A synced Xero organisation.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel,
)]
pub struct OrganizationModel {
    /// The ConductorOne resource ID.
    #[terraform(computed)]
    pub id: Value<String>,
    /// The Xero tenant ID.
    #[terraform(computed)]
    pub external_id: Value<String>,
    /// The organisation's name.
    #[terraform(computed)]
    pub display_name: Value<String>,
}

/// A synced Xero organisation role.
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel,
)]
pub struct RoleModel {
    /// The ConductorOne resource ID.
    #[terraform(computed)]
    pub id: Value<String>,
    /// The role's ID in the source system.
    #[terraform(computed)]
    pub external_id: Value<String>,
    /// The role's name, e.g. `Standard` or `Read only`.
    #[terraform(computed)]
    pub display_name: Value<String>,
    /// How many users hold the role.
    #[terraform(computed)]
    pub grant_count: Value<i64>,
}

/// The `conductorone_xero_sync` data source.
#[derive(Debug, Clone, Copy, Default)]
pub struct XeroSync {
    /// How often a wait reads the connector.
    pub poll: PollPolicy,
}

#[async_trait]
impl DataSource for XeroSync {
    type ProviderData = ProviderData;
    type Model = XeroSyncModel;

    fn type_name(&self) -> String {
        "conductorone_xero_sync".to_owned()
    }

    async fn read(
        &self,
        ctx: &Context<ProviderData>,
        req: ReadDataRequest<XeroSyncModel>,
        resp: &mut ReadDataResponse<XeroSyncModel>,
    ) {
        let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        read_with(
            &data.client,
            self.poll,
            ctx.cancellation(),
            &req.config,
            resp,
        )
        .await;
    }
}

/// The read, against a client: find the connector, wait when asked, read its status and the
/// synced resources into `resp.state`. Problems go to `resp.diagnostics`.
pub(crate) async fn read_with(
    client: &Client,
    poll: PollPolicy,
    cancel: &CancellationToken,
    config: &XeroSyncModel,
    resp: &mut ReadDataResponse<XeroSyncModel>,
) {
    let diags = &mut resp.diagnostics;
    validate_model(config, diags);
    if diags.has_errors() {
        return;
    }
    let timeout = config
        .timeout
        .as_str()
        .and_then(|text| parse_go_duration(text).ok())
        .unwrap_or(DEFAULT_TIMEOUT);
    let app_id = config.app_id.as_str().unwrap_or_default();

    if let Err(e) = client.get_app(app_id, cancel).await {
        app_problem(XeroSyncModel::paths().app_id(), &e, app_id, diags);
        return;
    }
    let refs = ConnectorRefs {
        app_id: XeroSyncModel::paths().app_id(),
        integration_id: XeroSyncModel::paths().integration_id(),
    };
    let Some(mut connector) = find_connector(
        client,
        &refs,
        app_id,
        config.integration_id.as_str(),
        cancel,
        diags,
    )
    .await
    else {
        return;
    };
    if config.wait_for_sync.known() == Some(&true) {
        match wait_for_sync(client, app_id, &connector.id, timeout, poll, cancel).await {
            Ok(c) => connector = c,
            Err(e) => {
                wait_problem(&e, &connector, diags);
                return;
            }
        }
    }
    let synced = match read_synced(client, app_id, cancel).await {
        Ok(s) => s,
        Err(e) => {
            api_error(diags, "Cannot Read What the Sync Brought In", &e);
            return;
        }
    };

    let state = &mut resp.state;
    let status = connector.status.clone().unwrap_or_default();
    state.integration_id = Value::Known(connector.id.clone());
    state.sync_status = Value::Known(SyncStatus::of(&connector).as_str().to_owned());
    state.last_error = Some(status.last_error)
        .filter(|e| !e.trim().is_empty())
        .into();
    state.last_synced_at = status
        .completed_at
        .map(|t| t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        .into();
    state.organizations = Value::Known(synced.organizations);
    state.roles = Value::Known(synced.roles);
    state.user_count = Value::Known(synced.user_count);
}

/// What a sync brought into the app.
#[derive(Debug, Default)]
struct Synced {
    organizations: Vec<OrganizationModel>,
    roles: Vec<RoleModel>,
    user_count: i64,
}

/// Reads every page of the app's resource types and of the resources of the three Xero types.
/// Before a first successful sync the types do not exist: that reads as nothing synced.
async fn read_synced(
    client: &Client,
    app_id: &str,
    cancel: &CancellationToken,
) -> Result<Synced, ApiError> {
    let types = client.list_resource_types(app_id, cancel).await?;
    let of_type = async |name: &str| -> Result<Vec<AppResource>, ApiError> {
        let mut out = Vec::new();
        for t in types.iter().filter(|t| t.display_name == name) {
            out.extend(client.list_resources(app_id, &t.id, cancel).await?);
        }
        out.sort_by(by_name_then_id);
        Ok(out)
    };
    let organizations = of_type(ORGANIZATION_TYPE)
        .await?
        .into_iter()
        .map(|r| OrganizationModel {
            id: Value::Known(r.id),
            external_id: Value::Known(r.external_id),
            display_name: Value::Known(r.display_name),
        })
        .collect();
    let roles = of_type(ROLE_TYPE)
        .await?
        .into_iter()
        .map(|r| RoleModel {
            id: Value::Known(r.id),
            external_id: Value::Known(r.external_id),
            display_name: Value::Known(r.display_name),
            grant_count: Value::Known(r.grant_count),
        })
        .collect();
    let users = of_type(USER_TYPE).await?;
    Ok(Synced {
        organizations,
        roles,
        user_count: i64::try_from(users.len()).unwrap_or(i64::MAX),
    })
}

fn by_name_then_id(a: &AppResource, b: &AppResource) -> Ordering {
    a.display_name
        .cmp(&b.display_name)
        .then_with(|| a.id.cmp(&b.id))
}

/// The attributes that name a connector, where problems in finding it are reported (the data
/// source and the force-sync action name them alike, each through its own model's paths).
#[derive(Debug, Clone)]
pub(super) struct ConnectorRefs {
    /// The `app_id` attribute.
    pub(super) app_id: Path,
    /// The `integration_id` attribute.
    pub(super) integration_id: Path,
}

/// The connector named by `integration_id`, or else the app's only live Xero connector.
pub(super) async fn find_connector(
    client: &Client,
    refs: &ConnectorRefs,
    app_id: &str,
    integration_id: Option<&str>,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) -> Option<Connector> {
    if let Some(id) = integration_id {
        let connector = match client.get_connector(app_id, id, cancel).await {
            Ok(c) => c,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                diags.error_at(
                    refs.integration_id.clone(),
                    "Xero Integration Not Found",
                    format!(
                        "App {app_id} has no connector with ID {id} (it may have been deleted). \
                         Check `integration_id`, or leave it out to use the app's only Xero \
                         connector."
                    ),
                );
                return None;
            }
            Err(e) => {
                api_error_at(
                    diags,
                    refs.integration_id.clone(),
                    "Cannot Read the Xero Connector",
                    &e,
                );
                return None;
            }
        };
        if connector.catalog_id != XERO_CATALOG_ID {
            diags.error_at(
                refs.integration_id.clone(),
                "Not a Xero Integration",
                format!(
                    "Connector {id} ({:?}) of app {app_id} is made from catalog entry {:?}, not \
                     from Xero's ({XERO_CATALOG_ID}). Set `integration_id` to a Xero connector.",
                    connector.display_name, connector.catalog_id
                ),
            );
            return None;
        }
        return Some(connector);
    }

    let mut xero: Vec<Connector> = match client.list_connectors(app_id, cancel).await {
        Ok(all) => all
            .into_iter()
            .filter(|c| !c.is_deleted() && c.catalog_id == XERO_CATALOG_ID)
            .collect(),
        Err(e) => {
            api_error_at(
                diags,
                refs.app_id.clone(),
                "Cannot List the App's Connectors",
                &e,
            );
            return None;
        }
    };
    match xero.len() {
        0 => {
            diags.error_at(
                refs.app_id.clone(),
                "No Xero Integration in the App",
                format!(
                    "App {app_id} has no Xero connector (catalog ID {XERO_CATALOG_ID}). Create \
                     one with the `conductorone_xero_integration` resource, or check `app_id`."
                ),
            );
            None
        }
        1 => xero.pop(),
        n => {
            xero.sort_by(|a, b| {
                a.display_name
                    .cmp(&b.display_name)
                    .then_with(|| a.id.cmp(&b.id))
            });
            let choices: Vec<String> = xero
                .iter()
                .map(|c| format!("{} ({:?})", c.id, c.display_name))
                .collect();
            diags.error_at(
                refs.integration_id.clone(),
                "Several Xero Integrations in the App",
                format!(
                    "App {app_id} has {n} Xero connectors: {}. Set `integration_id` to the one \
                     to use.",
                    choices.join(", ")
                ),
            );
            None
        }
    }
}

pub(super) fn app_problem(at: Path, e: &ApiError, app_id: &str, diags: &mut Diagnostics) {
    if e.kind() == ErrorKind::NotFound {
        diags.error_at(
            at.clone(),
            "App Not Found",
            format!(
                "ConductorOne has no app with ID {app_id} (it may have been deleted). Check \
                 `app_id`."
            ),
        );
    } else {
        api_error_at(diags, at.clone(), "Cannot Read the App", e);
    }
}

fn wait_problem(e: &WaitError, connector: &Connector, diags: &mut Diagnostics) {
    let (id, app) = (&connector.id, &connector.app_id);
    match e {
        WaitError::Timeout { timeout, last } => diags.error_at(
            XeroSyncModel::paths().timeout(),
            "Sync Still Running",
            format!(
                "The sync of Xero connector {id} was still {} after {} (`timeout`). Raise \
                 `timeout`, or set `wait_for_sync = false` to read what the last sync brought in.",
                SyncStatus::of(last),
                format_duration(*timeout)
            ),
        ),
        WaitError::Cancelled => diags.error(
            "Wait Cancelled",
            format!(
                "Terraform asked the provider to stop while it waited for the sync of Xero \
                 connector {id} of app {app}; nothing was read."
            ),
        ),
        WaitError::Api(e) if e.kind() == ErrorKind::NotFound => diags.error_at(
            XeroSyncModel::paths().integration_id(),
            "Xero Integration Deleted",
            format!(
                "Xero connector {id} of app {app} was deleted while the provider waited for its \
                 sync."
            ),
        ),
        WaitError::Api(e) => {
            api_error(diags, "Cannot Read the Sync Status", e);
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
