//! `conductorone_xero_integration`: ConductorOne's Xero connector on an app.
//!
//! Read top to bottom: the model (the schema's one source of truth), then the steps, each in its
//! own file: [`validate`] (no network), [`plan`] (credential check when the credentials change),
//! [`apply`] (create, update, delete, wait for the sync), [`read`] (refresh and import).
//! [`credentials`] holds what the steps share about the Xero client ID and secret, [`checked`]
//! the checks this process already did, [`strays`] the connectors a create that lost an answer
//! may have left behind.

mod apply;
mod checked;
mod credentials;
mod plan;
mod read;
mod strays;
mod sync_controls;
mod validate;

use crate::framework::TerraformModel;
use crate::framework::plan_modifiers::{RequiresReplace, UseStateForUnknown};
use crate::framework::validators::{Distinct, Each, NotBlank};
use crate::provider::validators::{ConductorOneId, GoDuration, HasOwner, XeroClientIdShape};
use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use self::checked::{CHECK_TTL, CheckedCredentials};
pub(crate) use self::read::{client_id_of, found_state};
pub use self::sync_controls::SyncScheduleModel;
use super::ProviderData;
use crate::framework::resource::{GenerateConfigRequest, GenerateConfigResponse};
use crate::framework::{
    Context, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, IdentityModel,
    ImportRequest, ImportResponse, ModifyPlanRequest, ModifyPlanResponse, ReadRequest,
    ReadResponse, Resource, UpdateRequest, UpdateResponse, ValidateRequest, ValidateResponse,
    Value,
};

/// The resource type name.
pub const TYPE_NAME: &str = "conductorone_xero_integration";

/// Manages ConductorOne's Xero connector on an app: the connector that syncs a Xero
/// organisation's users and roles into ConductorOne.
///
/// With `xero_client_id` and a secret the connector is created with those credentials (checked
/// with Xero first, unless `validate_credentials = false`). With neither, a *delegated*
/// connector is created and its owners are asked to finish the setup in ConductorOne; credentials
/// entered there later cause no diff.
#[derive(Clone, Default, Serialize, Deserialize, JsonSchema, TerraformModel)]
#[terraform(validate(
    validate::one_app(),
    validate::one_form_of_the_secret(),
    validate::secret_needs_client_id(),
    validate::version_needs_write_only_secret(),
))]
pub struct XeroIntegrationModel {
    /// The connector's ID.
    #[terraform(computed, plan(UseStateForUnknown))]
    pub id: Value<String>,
    /// The ID of an existing ConductorOne app to add the connector to. Exactly one of `app_id`
    /// and `new_app` must be set; with `new_app` this is the created app's ID.
    #[terraform(
        optional,
        computed,
        validate(NotBlank, ConductorOneId),
        plan(UseStateForUnknown, RequiresReplace)
    )]
    pub app_id: Value<String>,
    /// Creates a dedicated ConductorOne app for this connector, deleted with the resource.
    /// Exactly one of `app_id` and `new_app` must be set. Changing its `display_name` or
    /// `description` updates the app in place. Switching from `app_id` to `new_app` replaces the
    /// resource; switching from `new_app` to `app_id` replaces it too, unless `app_id` names the
    /// app `new_app` made: then connector and app stay, and the app is no longer deleted with the
    /// resource.
    //
    // A block rather than a nested attribute: Terraform 1.0 cannot plan a null nested attribute.
    // Blocks carry no plan modifiers, so the plan step says when it replaces.
    #[terraform(block)]
    pub new_app: Value<NewAppModel>,
    /// The user IDs of the connector's owners (at least one: a connector always has an owner).
    /// When not set, ConductorOne makes the API client's user the owner on create, and an update
    /// keeps the owners the connector has.
    #[terraform(
        optional,
        computed,
        validate(HasOwner, Each(NotBlank), Each(ConductorOneId), Distinct),
        plan(UseStateForUnknown)
    )]
    pub user_ids: Value<Vec<String>>,
    /// The Xero app's client ID (32 hexadecimal characters, from Xero's developer portal). Needs
    /// `xero_client_secret` or `xero_client_secret_wo` when the connector is created or the ID
    /// changes.
    #[terraform(optional, validate(NotBlank, XeroClientIdShape))]
    pub xero_client_id: Value<String>,
    /// The Xero app's client secret, kept (marked sensitive) in the state. On Terraform 1.11 or
    /// later prefer `xero_client_secret_wo`, which is never stored.
    #[terraform(optional, sensitive, validate(NotBlank))]
    pub xero_client_secret: Value<String>,
    /// The Xero app's client secret, write-only: never stored in the plan or the state (Terraform
    /// 1.11 or later). Sent when the connector is created and whenever
    /// `xero_client_secret_wo_version` changes.
    #[terraform(optional, sensitive, write_only, validate(NotBlank))]
    pub xero_client_secret_wo: Value<String>,
    /// Change this number to send a new `xero_client_secret_wo`.
    #[terraform(optional)]
    pub xero_client_secret_wo_version: Value<i64>,
    /// Check the client ID and secret with Xero before anything is written. Set to `false` to
    /// skip the check (e.g. when Xero cannot be reached from where Terraform runs).
    #[terraform(optional, computed, default = true)]
    pub validate_credentials: Value<bool>,
    /// After a create, or an update that sends credentials, wait until the connector's sync
    /// finishes (Connected) or fails.
    #[terraform(optional, computed, default = false)]
    pub wait_for_sync: Value<bool>,
    /// How long `wait_for_sync` may wait.
    #[terraform(block)]
    pub timeouts: Value<TimeoutsModel>,
    /// When ConductorOne syncs the connector by itself (the schedule endpoint, which the API
    /// marks alpha). Read back on every refresh, so a schedule changed in ConductorOne shows as
    /// drift and the next apply puts it back. Without this block the provider leaves
    /// ConductorOne's schedule as it is and does not track it; removing the block does not
    /// change or clear the schedule (the API documents no way to clear one). An import reads
    /// the schedule the connector has, if any.
    #[terraform(block)]
    pub sync_schedule: Value<SyncScheduleModel>,
    /// `true` pauses the connector (no sync and no provisioning runs until it is resumed);
    /// changing it from `true` to `false` resumes it, which starts a sync. Not set, or `false`
    /// from the start, the provider pauses and resumes nothing; removing it leaves the connector
    /// as it is (a paused one stays paused). The provider records the value
    /// it last applied and does not read it back: the API documents no field that shows a
    /// pause, so a pause or resume made in ConductorOne is not detected (the
    /// `conductorone_xero_sync` data source shows the sync-disabled fields ConductorOne
    /// reports). If ConductorOne refuses a pause or resume and the connector already shows its
    /// syncs disabled (or enabled) as asked, that is a warning, not an error. An import leaves
    /// it unset.
    #[terraform(optional)]
    pub sync_paused: Value<bool>,
    /// When the connector was created (RFC 3339).
    #[terraform(computed, plan(UseStateForUnknown))]
    pub created_at: Value<String>,
    /// The kind of Xero app the credentials belong to: `web_app`, `custom_connection`, or
    /// `unverified` when they were not checked (no credentials, or `validate_credentials = false`).
    #[terraform(computed)]
    pub xero_app_type: Value<String>,
}

/// The app `new_app` creates.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct NewAppModel {
    /// The app's display name.
    #[terraform(required, validate(NotBlank))]
    pub display_name: Value<String>,
    /// The app's description.
    #[terraform(optional, validate(NotBlank))]
    pub description: Value<String>,
}

/// Time limits, as Go duration strings (`"10m"`, `"1h30m"`); each defaults to 10 minutes.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct TimeoutsModel {
    /// The longest a create may wait for the sync.
    #[terraform(optional, validate(GoDuration))]
    pub create: Value<String>,
    /// The longest an update may wait for the sync.
    #[terraform(optional, validate(GoDuration))]
    pub update: Value<String>,
}

/// The resource identity (Terraform 1.12+): what names one connector.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel,
)]
pub struct XeroIntegrationIdentity {
    /// The ID of the app the connector belongs to.
    pub app_id: String,
    /// The connector's ID.
    pub id: String,
}

impl IdentityModel for XeroIntegrationIdentity {}

impl XeroIntegrationModel {
    /// The identity of the connector this state names, when both IDs are known.
    fn identity(&self) -> Option<XeroIntegrationIdentity> {
        Some(XeroIntegrationIdentity {
            app_id: self.app_id.known().filter(|s| !s.is_empty())?.clone(),
            id: self.id.known().filter(|s| !s.is_empty())?.clone(),
        })
    }
}

/// The values `xero_app_type` takes.
pub mod app_type {
    /// A Xero Web app.
    pub const WEB_APP: &str = "web_app";
    /// A Xero Custom Connection.
    pub const CUSTOM_CONNECTION: &str = "custom_connection";
    /// Not checked.
    pub const UNVERIFIED: &str = "unverified";
}

/// The `conductorone_xero_integration` resource type.
#[derive(Debug, Default, Clone, Copy)]
pub struct XeroIntegration;

#[async_trait]
impl Resource for XeroIntegration {
    type ProviderData = ProviderData;
    type Model = XeroIntegrationModel;
    type Identity = XeroIntegrationIdentity;

    fn type_name(&self) -> String {
        TYPE_NAME.to_owned()
    }

    async fn validate(
        &self,
        req: ValidateRequest<XeroIntegrationModel>,
        resp: &mut ValidateResponse,
    ) {
        validate::validate(&req.config, req.capabilities, &mut resp.diagnostics);
    }

    async fn modify_plan(
        &self,
        ctx: &Context<ProviderData>,
        req: ModifyPlanRequest<XeroIntegrationModel>,
        resp: &mut ModifyPlanResponse<XeroIntegrationModel>,
    ) {
        plan::modify_plan(ctx, req, resp).await;
    }

    async fn create(
        &self,
        ctx: &Context<ProviderData>,
        req: CreateRequest<XeroIntegrationModel>,
        resp: &mut CreateResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        apply::create(ctx, req, resp).await;
    }

    async fn read(
        &self,
        ctx: &Context<ProviderData>,
        req: ReadRequest<XeroIntegrationModel, XeroIntegrationIdentity>,
        resp: &mut ReadResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        read::read(ctx, req, resp).await;
    }

    async fn update(
        &self,
        ctx: &Context<ProviderData>,
        req: UpdateRequest<XeroIntegrationModel, XeroIntegrationIdentity>,
        resp: &mut UpdateResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        apply::update(ctx, req, resp).await;
    }

    async fn delete(
        &self,
        ctx: &Context<ProviderData>,
        req: DeleteRequest<XeroIntegrationModel>,
        resp: &mut DeleteResponse,
    ) {
        apply::delete(ctx, req, resp).await;
    }

    /// The framework's default (no computed-only attributes, no secrets, no
    /// `validate_credentials = true` or `wait_for_sync = false`), and never `new_app`: an
    /// adopted connector belongs to an app that exists, which `app_id` names. Written with
    /// `new_app`, the configuration would create a second app (and replace the connector).
    fn generate_config(
        &self,
        _req: GenerateConfigRequest<XeroIntegrationModel>,
        resp: &mut GenerateConfigResponse<XeroIntegrationModel>,
    ) {
        resp.config.new_app = Value::Null;
    }

    async fn import(
        &self,
        ctx: &Context<ProviderData>,
        req: ImportRequest<XeroIntegrationIdentity>,
        resp: &mut ImportResponse<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        read::import(ctx, req, resp).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::{Nesting, Presence, schema_for};

    #[test]
    fn schema_kinds_match_the_issue() {
        let schema = Resource::schema(&XeroIntegration).expect("schema");
        let cases: &[(&str, Presence, bool, bool)] = &[
            ("id", Presence::Computed, false, false),
            ("app_id", Presence::OptionalComputed, false, false),
            ("user_ids", Presence::OptionalComputed, false, false),
            ("xero_client_id", Presence::Optional, false, false),
            ("xero_client_secret", Presence::Optional, true, false),
            ("xero_client_secret_wo", Presence::Optional, true, true),
            (
                "xero_client_secret_wo_version",
                Presence::Optional,
                false,
                false,
            ),
            (
                "validate_credentials",
                Presence::OptionalComputed,
                false,
                false,
            ),
            ("wait_for_sync", Presence::OptionalComputed, false, false),
            ("created_at", Presence::Computed, false, false),
            ("xero_app_type", Presence::Computed, false, false),
            ("sync_paused", Presence::Optional, false, false),
        ];
        assert_eq!(schema.block.attributes.len(), cases.len());
        for (name, presence, sensitive, write_only) in cases {
            let a = schema
                .block
                .attribute(name)
                .unwrap_or_else(|| panic!("no {name}"));
            assert_eq!(
                (a.presence, a.sensitive, a.write_only),
                (*presence, *sensitive, *write_only),
                "{name}"
            );
            assert!(!a.description.is_empty(), "{name} undocumented");
        }
        let blocks: Vec<(&str, Nesting)> = schema
            .block
            .blocks
            .iter()
            .map(|b| (b.type_name.as_str(), b.nesting))
            .collect();
        assert_eq!(
            blocks,
            [
                ("new_app", Nesting::Single),
                ("sync_schedule", Nesting::Single),
                ("timeouts", Nesting::Single)
            ]
        );
        let replaces = |name: &str| {
            schema
                .block
                .attribute(name)
                .expect("attr")
                .plan_modifiers
                .iter()
                .any(|m| m.description().contains("replaces"))
        };
        assert!(replaces("app_id") && !replaces("user_ids"));
        let identity = schema_for::<XeroIntegrationIdentity>().expect("identity");
        for name in ["app_id", "id"] {
            assert_eq!(
                identity
                    .block
                    .attribute(name)
                    .expect("identity attr")
                    .presence,
                Presence::Required
            );
        }
    }

    #[test]
    fn generated_config_holds_only_what_a_person_writes() {
        use crate::framework::resource::{AnyResource, ResourceTypes};
        let schema = Resource::schema(&XeroIntegration).expect("schema");
        let types = ResourceTypes {
            state: schema.value_type(),
            identity: None,
        };
        let state = XeroIntegrationModel {
            id: Value::Known("c1".into()),
            app_id: Value::Known("a1".into()),
            new_app: Value::Known(NewAppModel {
                display_name: Value::Known("Made".into()),
                description: Value::Null,
            }),
            user_ids: Value::Known(vec!["u1".into()]),
            xero_client_id: Value::Known("116F90CBBCFB407D9645A4DBC376E52B".into()),
            xero_client_secret: Value::Known("hunter2".into()),
            validate_credentials: Value::Known(true),
            wait_for_sync: Value::Known(true),
            created_at: Value::Known("2025-01-01T00:00:00Z".into()),
            xero_app_type: Value::Known(app_type::UNVERIFIED.into()),
            ..XeroIntegrationModel::default()
        };
        let value = crate::framework::bridge::to_value(&state, &types.state).expect("state");
        let generated = AnyResource::generate_config(&XeroIntegration, &schema, &types, &value);
        assert!(
            generated.diagnostics.is_empty(),
            "{:?}",
            generated.diagnostics
        );
        let config: XeroIntegrationModel =
            crate::framework::bridge::from_value(&generated.config).expect("config");
        let expected = XeroIntegrationModel {
            app_id: state.app_id.clone(),
            user_ids: state.user_ids.clone(),
            xero_client_id: state.xero_client_id.clone(),
            // Not the default (false), so kept.
            wait_for_sync: Value::Known(true),
            ..XeroIntegrationModel::default()
        };
        assert_eq!(
            serde_json::to_value(&config).expect("json"),
            serde_json::to_value(&expected).expect("json")
        );
    }
}
