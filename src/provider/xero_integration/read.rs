//! Refresh and import.
//!
//! A refresh shows owners and a client ID changed outside Terraform as drift, but never pulls a
//! client ID into a state that did not manage one (a delegated connector whose owners entered
//! credentials in ConductorOne stays without a diff). The secret is never read back: the API does
//! not return it.

use super::apply::{api_error, apply_connector, ordered_owners};
use super::credentials::scrub_private;
use super::{NewAppModel, XeroIntegrationIdentity, XeroIntegrationModel, app_type};
use crate::conductorone::models::Connector;
use crate::conductorone::{ApiError, Client};
use crate::framework::{Context, ImportRequest, ImportResponse, ReadRequest, ReadResponse, Value};
use crate::provider::ProviderData;

/// The import ID's form, for messages.
const ID_FORM: &str = "APP_ID/CONNECTOR_ID";

/// The connector's client ID as ConductorOne holds it.
pub(crate) fn client_id_of(c: &Connector) -> Option<String> {
    c.config
        .as_ref()?
        .get("xero_client_id")
        .map(|v| v.expose().to_owned())
        .filter(|v| !v.is_empty())
}

/// Refreshes the state; a connector that is gone (404 or soft-deleted) leaves the state.
pub(super) async fn read(
    ctx: &Context<ProviderData>,
    req: ReadRequest<XeroIntegrationModel, XeroIntegrationIdentity>,
    resp: &mut ReadResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
) {
    let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
        return;
    };
    let mut state = req.state;
    let (Some(app_id), Some(id)) = (state.app_id.known().cloned(), state.id.known().cloned())
    else {
        // A half-made create kept as tainted: nothing to read until it is replaced.
        return;
    };
    let connector = match data
        .client
        .get_connector(&app_id, &id, ctx.cancellation())
        .await
    {
        Ok(c) => c,
        Err(e) if e.is_not_found() => {
            tracing::debug!(connector_id = %id, "the connector is gone; removing it from state");
            return resp.remove();
        }
        Err(e) => return api_error(&mut resp.diagnostics, "Cannot Read the Xero Connector", &e),
    };
    let cancel = ctx.cancellation();
    super::strays::report(
        &data.client,
        &connector,
        &mut resp.private,
        cancel,
        &mut resp.diagnostics,
    )
    .await;
    apply_connector(&mut state, &connector);
    super::sync_controls::read_into(&mut state, &connector);
    if let Err(e) = refresh_new_app(&data.client, &app_id, &mut state, ctx).await {
        return api_error(
            &mut resp.diagnostics,
            "Cannot Read the App Made for new_app",
            &e,
        );
    }
    scrub_private(&mut resp.private);
    if !state.xero_client_id.is_null() {
        state.xero_client_id = client_id_of(&connector).into();
    }
    resp.identity = state.identity();
    resp.state = Some(state);
}

/// Reads the name and description of the app `new_app` made, so a change made in ConductorOne
/// shows as drift (and the next apply puts them back). An empty description reads as unset
/// when the configuration leaves it out. Only `new_app` integrations pay this second read.
async fn refresh_new_app(
    client: &Client,
    app_id: &str,
    state: &mut XeroIntegrationModel,
    ctx: &Context<ProviderData>,
) -> Result<(), ApiError> {
    let Some(made) = state.new_app.known() else {
        return Ok(());
    };
    let app = match client.get_app(app_id, ctx.cancellation()).await {
        Ok(app) => app,
        // The connector lives, so its app does; a race with a delete is left to the next read.
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e),
    };
    let description = if app.description.is_empty() && made.description.is_null() {
        Value::Null
    } else {
        Value::Known(app.description)
    };
    state.new_app = Value::Known(NewAppModel {
        display_name: Value::Known(app.display_name),
        description,
    });
    Ok(())
}

/// Parses `APP_ID/CONNECTOR_ID`.
fn parse_id(id: &str) -> Option<XeroIntegrationIdentity> {
    let (app_id, connector_id) = id.split_once('/')?;
    let valid = crate::conductorone::is_plain_segment;
    (valid(app_id) && valid(connector_id)).then(|| XeroIntegrationIdentity {
        app_id: app_id.to_owned(),
        id: connector_id.to_owned(),
    })
}

/// Imports by `APP_ID/CONNECTOR_ID` or by identity `{ app_id, id }`: reads the connector and sets
/// everything it shows, with the defaults a configuration would have, so the next plan shows only
/// what the configuration adds (the secret).
pub(super) async fn import(
    ctx: &Context<ProviderData>,
    req: ImportRequest<XeroIntegrationIdentity>,
    resp: &mut ImportResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
) {
    let wanted = match (&req.identity, req.id.as_str()) {
        (Some(identity), "") => Some(identity.clone()).filter(|i| {
            crate::conductorone::is_plain_segment(&i.app_id)
                && crate::conductorone::is_plain_segment(&i.id)
        }),
        (_, id) => parse_id(id),
    };
    let Some(wanted) = wanted else {
        return resp.diagnostics.error(
            "Invalid Import ID",
            format!(
                "The import ID (or identity) {:?} is not of the form {ID_FORM}: the app's ID and the \
                 connector's ID, each made of letters and digits, joined by one slash, e.g. terraform import conductorone_xero_integration.example \
                 2a0IcNQMHRLpXD0MrGSuaYhDRGo/2a0IcQj6o1dcvPpqbsbAzFMTEmQ. Both IDs are shown in ConductorOne's \
                 URL of the connector.",
                req.id
            ),
        );
    };
    let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
        return;
    };
    let connector = match data
        .client
        .get_connector(&wanted.app_id, &wanted.id, ctx.cancellation())
        .await
    {
        Ok(c) => c,
        Err(e) if e.is_not_found() => {
            return resp.diagnostics.error(
                "Cannot Import a Missing Connector",
                format!(
                    "There is no live connector {} in app {}. Check both IDs ({ID_FORM}).",
                    wanted.id, wanted.app_id
                ),
            );
        }
        Err(e) => return api_error(&mut resp.diagnostics, "Cannot Read the Xero Connector", &e),
    };
    let state = found_state(&wanted.app_id, &connector);
    resp.identity = state.identity();
    resp.state = Some(state);
}

/// The state of a connector found in ConductorOne rather than made by this resource: what an
/// import sets and a `terraform query` shows (the list resource uses this very function, so a
/// listed resource object is the imported state). Everything the connector shows, with the
/// defaults a configuration would have; a read of it changes nothing, and the next plan shows
/// only what the configuration adds (the secret).
pub(crate) fn found_state(app_id: &str, connector: &Connector) -> XeroIntegrationModel {
    let mut state = XeroIntegrationModel {
        app_id: Value::Known(app_id.to_owned()),
        validate_credentials: Value::Known(true),
        wait_for_sync: Value::Known(false),
        xero_app_type: Value::Known(app_type::UNVERIFIED.to_owned()),
        xero_client_id: client_id_of(connector).into(),
        ..XeroIntegrationModel::default()
    };
    apply_connector(&mut state, connector);
    super::sync_controls::import_into(&mut state, connector);
    state.user_ids = ordered_owners(&Value::Null, &connector.user_ids);
    state
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn import_ids() {
        let ok = parse_id("app1/conn1").expect("valid");
        assert_eq!((ok.app_id.as_str(), ok.id.as_str()), ("app1", "conn1"));
        for bad in [
            "",
            "app1",
            "/conn",
            "app/",
            "a/b/c",
            "a /b",
            "app1conn1",
            "../x",
            "app/..",
            "a/.",
        ] {
            assert!(parse_id(bad).is_none(), "{bad:?}");
        }
    }
}
