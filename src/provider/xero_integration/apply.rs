//! Create, update and delete, and the wait for a sync.
//!
//! Every write is preceded by the credential check (when it is on and the credentials are new),
//! so refused credentials create nothing. The answer this process got when it planned the same
//! credentials moments before stands for it (see [`super::checked`]); an apply of a saved plan
//! asks Xero itself. A create that fails after making something either
//! deletes what it made or returns it as partial state (Terraform keeps it as tainted and
//! replaces it next time): nothing is ever left untracked.

use std::time::Duration;

use chrono::SecondsFormat;
use tokio_util::sync::CancellationToken;

use super::credentials::{
    Configured, check_if_due, refuse_missing_secret, scrub_private, sends_credentials,
};
use super::{XeroIntegrationIdentity, XeroIntegrationModel};
use crate::conductorone::models::{Connector, EnvConfig, XERO_CATALOG_ID};
use crate::conductorone::{
    ApiError, AppChanges, Client, CreatedConnector, ErrorKind, NewApp, NewConnector,
};
use crate::framework::{
    Context, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostics,
    UpdateRequest, UpdateResponse, Value,
};
use crate::provider::ProviderData;
use crate::provider::sync_wait::{
    self, PollPolicy, SyncStatus, WaitError, format_duration, parse_go_duration,
};
use crate::secret::SecretString;

/// How long `wait_for_sync` waits when `timeouts` does not say.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);
/// The display name a delegated connector is created with.
const DISPLAY_NAME: &str = "Xero";

pub(super) use crate::provider::api_error::api_error;

/// The owners in the order `preferred` lists them when they are the same set, else as the API
/// gave them: ConductorOne does not promise an order, and a reordering is no change.
pub(super) fn ordered_owners(preferred: &Value<Vec<String>>, api: &[String]) -> Value<Vec<String>> {
    if let Some(p) = preferred.known() {
        let mut a = p.clone();
        let mut b = api.to_vec();
        a.sort();
        b.sort();
        if a == b {
            return Value::Known(p.clone());
        }
    }
    Value::Known(api.to_vec())
}

/// Copies what ConductorOne says about `c` into `state` (never credentials).
pub(super) fn apply_connector(state: &mut XeroIntegrationModel, c: &Connector) {
    state.id = Value::Known(c.id.clone());
    if !c.app_id.is_empty() {
        state.app_id = Value::Known(c.app_id.clone());
    }
    if let Some(t) = c.created_at {
        state.created_at = Value::Known(t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
    }
    state.user_ids = ordered_owners(&state.user_ids, &c.user_ids);
}

/// Replaces what is still unknown with null: a state may not hold unknowns.
fn settle(state: &mut XeroIntegrationModel) {
    for v in [
        &mut state.id,
        &mut state.app_id,
        &mut state.created_at,
        &mut state.xero_app_type,
    ] {
        if v.is_unknown() {
            *v = Value::Null;
        }
    }
    if state.user_ids.is_unknown() {
        state.user_ids = Value::Null;
    }
}

fn env_config(id: &str, secret: &SecretString) -> EnvConfig {
    EnvConfig::from_pairs([
        ("xero_client_id", SecretString::new(id)),
        ("xero_client_secret", secret.clone()),
    ])
}

fn timeout_of(text: &Value<String>) -> Duration {
    text.as_str()
        .and_then(|t| parse_go_duration(t).ok())
        .unwrap_or(DEFAULT_TIMEOUT)
}

/// Creates the connector (and first its app, with `new_app`), after the credential check.
pub(super) async fn create(
    ctx: &Context<ProviderData>,
    req: CreateRequest<XeroIntegrationModel>,
    resp: &mut CreateResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
) {
    let diags = &mut resp.diagnostics;
    let Some(data) = ctx.require_data(diags) else {
        return;
    };
    let cancel = ctx.cancellation();
    let config = &req.config;
    let sends = sends_credentials(config, &req.plan, None);
    if refuse_missing_secret(config, sends, diags) {
        return;
    }
    let Some(checked) = check_if_due(ctx, config, sends, None, diags).await else {
        return;
    };
    let mut state = req.plan.clone();
    state.xero_app_type = checked.app_type(config, sends, None);

    let Some(made_app) = app_for(&data.client, config, cancel, diags).await else {
        return;
    };
    let app_id = made_app.id().to_owned();
    state.app_id = Value::Known(app_id.clone());
    let connector = match new_connector(&data.client, &app_id, config, cancel).await {
        Ok(c) => {
            super::strays::remember(&mut resp.private, c.ambiguity.as_ref());
            c.connector
        }
        Err(e) => {
            api_error(diags, "Cannot Create the Xero Connector", &e);
            if let AppFor::Made(app) = made_app {
                resp.state = undo_app(&data.client, &app, state, cancel, diags).await;
            }
            return;
        }
    };
    apply_connector(&mut state, &connector);
    settle(&mut state);
    super::sync_controls::apply_created(
        &data.client,
        &app_id,
        &connector.id,
        &mut state,
        cancel,
        diags,
    )
    .await;
    resp.identity = state.identity();
    let wait = state.wait_for_sync.known() == Some(&true)
        && sends
        && !super::sync_controls::pauses(&state)
        && !diags.has_errors();
    let timeout = state
        .timeouts
        .known()
        .map_or(DEFAULT_TIMEOUT, |t| timeout_of(&t.create));
    resp.state = Some(state);
    if wait {
        wait_for_sync(&data.client, &app_id, &connector.id, timeout, cancel, diags).await;
    }
}

/// The app a new connector goes into.
enum AppFor {
    /// `app_id`: an app that exists.
    Existing(String),
    /// `new_app`: the app just made for it (deleted again if the connector cannot be made).
    Made(String),
}

impl AppFor {
    fn id(&self) -> &str {
        match self {
            Self::Existing(id) | Self::Made(id) => id,
        }
    }
}

/// The configured app, creating it for `new_app`. `None` after adding an error.
async fn app_for(
    client: &Client,
    config: &XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) -> Option<AppFor> {
    let Some(new_app) = config.new_app.known() else {
        return Some(AppFor::Existing(
            config.app_id.as_str().unwrap_or_default().to_owned(),
        ));
    };
    let new = NewApp {
        display_name: new_app.display_name.as_str().unwrap_or_default().to_owned(),
        description: new_app.description.as_str().unwrap_or_default().to_owned(),
    };
    match client.create_app(&new, cancel).await {
        Ok(app) => Some(AppFor::Made(app.id)),
        Err(e) => {
            api_error(diags, "Cannot Create the App", &e);
            None
        }
    }
}

/// Creates the connector in `app_id`: with the configured credentials, or delegated without.
async fn new_connector(
    client: &Client,
    app_id: &str,
    config: &XeroIntegrationModel,
    cancel: &CancellationToken,
) -> Result<CreatedConnector, ApiError> {
    let new = NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        display_name: DISPLAY_NAME.to_owned(),
        user_ids: config.user_ids.known().cloned().unwrap_or_default(),
    };
    match Configured::of(config).known() {
        Some((id, secret)) => {
            client
                .create_connector_traced(app_id, &new, &env_config(&id, &secret), cancel)
                .await
        }
        None => {
            client
                .create_connector_delegated_traced(app_id, &new, cancel)
                .await
        }
    }
}

/// After a failed connector create: deletes the app `new_app` made. If that fails too, the app
/// is returned as partial state, so Terraform tracks it (as tainted) and deletes it on the next
/// apply.
async fn undo_app(
    client: &Client,
    app_id: &str,
    mut state: XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) -> Option<XeroIntegrationModel> {
    match client.delete_app(app_id, cancel).await {
        Ok(()) => None,
        Err(e) if e.is_not_found() => None,
        Err(e) => {
            diags.error(
                "Created App Kept in State",
                format!(
                    "The app {app_id} made for new_app could not be deleted after the connector failed ({e}). It \
                     is kept in the state as tainted, so the next apply deletes it and tries again."
                ),
            );
            state.id = Value::Null;
            settle(&mut state);
            Some(state)
        }
    }
}

/// Updates the connector in place, after the credential check: the credentials (with
/// `updateMask=config`) when they change, the owners through the delegated update, and the name
/// and description of the app `new_app` made.
pub(super) async fn update(
    ctx: &Context<ProviderData>,
    req: UpdateRequest<XeroIntegrationModel, XeroIntegrationIdentity>,
    resp: &mut UpdateResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
) {
    // Until something is written, an error leaves the prior state as it was.
    resp.state = req.prior.clone();
    let diags = &mut resp.diagnostics;
    let Some(data) = ctx.require_data(diags) else {
        return;
    };
    let cancel = ctx.cancellation();
    let (config, prior) = (&req.config, &req.prior);
    let sends = sends_credentials(config, &req.plan, Some(prior));
    if refuse_missing_secret(config, sends, diags) {
        return;
    }
    let Some(checked) = check_if_due(ctx, config, sends, Some(prior), diags).await else {
        return;
    };
    let Some(target) = existing_connector(prior, diags) else {
        return;
    };
    let mut state = req.plan.clone();
    state.xero_app_type = checked.app_type(config, sends, Some(prior));
    if sends && let Err(e) = write_credentials(&data.client, &target, config, cancel).await {
        return api_error(diags, "Cannot Update the Xero Credentials", &e);
    }
    update_owners(&data.client, &target, prior, &mut state, cancel, diags).await;
    rename_app(
        &data.client,
        &target.app_id,
        prior,
        &mut state,
        cancel,
        diags,
    )
    .await;
    super::sync_controls::apply_updated(&data.client, &target, prior, &mut state, cancel, diags)
        .await;
    scrub_private(&mut resp.private);
    settle(&mut state);
    resp.identity = state.identity();
    let wait = sends
        && state.wait_for_sync.known() == Some(&true)
        && !super::sync_controls::pauses(&state);
    let timeout = state
        .timeouts
        .known()
        .map_or(DEFAULT_TIMEOUT, |t| timeout_of(&t.update));
    resp.state = state;
    if wait {
        let (app_id, id) = (&target.app_id, &target.id);
        wait_for_sync(&data.client, app_id, id, timeout, cancel, diags).await;
    }
}

/// The connector a state names (app and connector ID only). `None`, with an error, when an
/// earlier create failed half-way and left no connector ID.
fn existing_connector(prior: &XeroIntegrationModel, diags: &mut Diagnostics) -> Option<Connector> {
    match (prior.app_id.known(), prior.id.known()) {
        (Some(app_id), Some(id)) if !app_id.is_empty() && !id.is_empty() => Some(Connector {
            id: id.clone(),
            app_id: app_id.clone(),
            ..Connector::default()
        }),
        _ => {
            diags.error(
                "Connector Not Created",
                "The state holds no connector ID (an earlier create failed half-way). Taint or replace the \
                 resource: terraform apply -replace=<address>.",
            );
            None
        }
    }
}

/// Sends the configured credentials to the connector (`updateMask=config`).
async fn write_credentials(
    client: &Client,
    target: &Connector,
    config: &XeroIntegrationModel,
    cancel: &CancellationToken,
) -> Result<(), ApiError> {
    // Validation and refuse_missing_secret let no incomplete pair through to a write.
    let Some((id, secret)) = Configured::of(config).known() else {
        return Err(ApiError::new(
            ErrorKind::InvalidArgument,
            "update connector",
            "the configuration holds no complete Xero client ID and secret",
        ));
    };
    let c = Connector {
        config: Some(env_config(&id, &secret)),
        ..target.clone()
    };
    client
        .update_connector(&c, &["config"], cancel)
        .await
        .map(drop)
}

/// Sets the connector's owners when the plan names others than the prior state; on failure the
/// state keeps the prior owners.
async fn update_owners(
    client: &Client,
    target: &Connector,
    prior: &XeroIntegrationModel,
    state: &mut XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let Some(want) = state.user_ids.known().cloned() else {
        return;
    };
    if ordered_owners(&prior.user_ids, &want) == prior.user_ids {
        return;
    }
    let c = Connector {
        user_ids: want.clone(),
        ..target.clone()
    };
    match client
        .update_connector_delegated(&c, &["userIds"], cancel)
        .await
    {
        Ok(c) => state.user_ids = ordered_owners(&Value::Known(want), &c.user_ids),
        Err(e) => {
            state.user_ids = prior.user_ids.clone();
            api_error(diags, "Cannot Update the Connector's Owners", &e);
        }
    }
}

/// Renames or re-describes the app `new_app` made (`Apps.Update` with a mask of what changed);
/// on failure the state keeps the prior `new_app`.
async fn rename_app(
    client: &Client,
    app_id: &str,
    prior: &XeroIntegrationModel,
    state: &mut XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let (Some(had), Some(want)) = (prior.new_app.known(), state.new_app.known()) else {
        return;
    };
    let text = |v: &Value<String>| v.as_str().unwrap_or_default().to_owned();
    let changes = AppChanges {
        display_name: (want.display_name != had.display_name).then(|| text(&want.display_name)),
        description: (text(&want.description) != text(&had.description))
            .then(|| text(&want.description)),
    };
    if changes.is_empty() {
        return;
    }
    if let Err(e) = client.update_app(app_id, &changes, cancel).await {
        state.new_app = prior.new_app.clone();
        api_error(diags, "Cannot Update the App Made for new_app", &e);
    }
}

/// Deletes the connector, then the app when `new_app` made it. Already gone is fine.
pub(super) async fn delete(
    ctx: &Context<ProviderData>,
    req: DeleteRequest<XeroIntegrationModel>,
    resp: &mut DeleteResponse,
) {
    let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
        return;
    };
    let cancel = ctx.cancellation();
    let prior = &req.prior;
    let app_id = prior.app_id.as_str().filter(|s| !s.is_empty());
    if let (Some(app_id), Some(id)) = (app_id, prior.id.as_str().filter(|s| !s.is_empty())) {
        match data.client.delete_connector(app_id, id, cancel).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                return api_error(
                    &mut resp.diagnostics,
                    "Cannot Delete the Xero Connector",
                    &e,
                );
            }
        }
    }
    if let (false, Some(app_id)) = (prior.new_app.is_null(), app_id) {
        match data.client.delete_app(app_id, cancel).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => api_error(
                &mut resp.diagnostics,
                "Cannot Delete the App Made for new_app",
                &e,
            ),
        }
    }
}

/// Waits for the connector's sync to end (see [`sync_wait::wait_for_sync`]); a failed or
/// disabled sync, a timeout or a cancellation is an error (the state is already recorded).
async fn wait_for_sync(
    client: &Client,
    app_id: &str,
    id: &str,
    timeout: Duration,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let c = match sync_wait::wait_for_sync(
        client,
        app_id,
        id,
        timeout,
        PollPolicy::default(),
        cancel,
    )
    .await
    {
        Ok(c) => c,
        Err(WaitError::Api(e)) => return api_error(diags, "Cannot Read the Sync Status", &e),
        Err(WaitError::Cancelled) => {
            return diags.error(
                "Wait for Sync Cancelled",
                "Terraform was interrupted while waiting for the connector's sync. The connector is saved; its \
                 sync goes on in ConductorOne.",
            );
        }
        Err(WaitError::Timeout { timeout, .. }) => {
            return diags.error(
                "Timed Out Waiting for the Xero Sync",
                format!(
                    "The connector was saved, but its sync had not finished after {}. It goes on in ConductorOne. \
                     Raise timeouts.create / timeouts.update, or set wait_for_sync = false.",
                    format_duration(timeout)
                ),
            );
        }
    };
    match SyncStatus::of(&c) {
        SyncStatus::Error => {
            let last = c.status.as_ref().map(|s| s.last_error.as_str()).filter(|s| !s.is_empty());
            diags.error(
                "Xero Sync Failed",
                format!(
                    "The connector was saved, but its sync failed. ConductorOne reports: {}\n\nFix the cause (for \
                     a Web app's credentials, see the warning about Custom Connections), then apply again; the \
                     connector stays in the state.",
                    last.unwrap_or("(no error message)")
                ),
            );
        }
        SyncStatus::Disabled => diags.error(
            "Xero Sync Disabled",
            "The connector's syncs are disabled in ConductorOne, so there is nothing to wait for. Enable syncing \
             in ConductorOne, or set wait_for_sync = false.",
        ),
        SyncStatus::Done | SyncStatus::Running | SyncStatus::Unspecified => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owners_keep_the_configured_order_when_only_the_order_differs() {
        let preferred = Value::Known(vec!["b".to_owned(), "a".to_owned()]);
        assert_eq!(
            ordered_owners(&preferred, &["a".into(), "b".into()]),
            preferred
        );
        assert_eq!(
            ordered_owners(&preferred, &["a".into(), "c".into()]),
            Value::Known(vec!["a".to_owned(), "c".to_owned()])
        );
        assert_eq!(
            ordered_owners(&Value::Unknown, &["x".into()]),
            Value::Known(vec!["x".to_owned()])
        );
    }
}
