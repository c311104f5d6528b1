//! `tftest_thing`: a managed object stored as a JSON file. Reads top to bottom: model, schema
//! (derived), validate, plan, create, read, update, delete, import.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use terraform_provider_conductorone::cty::Path;
use terraform_provider_conductorone::framework::TerraformModel;
use terraform_provider_conductorone::framework::plan_modifiers::{
    RequiresReplace, UseStateForUnknown,
};
use terraform_provider_conductorone::framework::validators::{
    IntBetween, LengthBetween, NotBlank, OneOf,
};
use terraform_provider_conductorone::framework::{
    Context, CreateRequest, CreateResponse, DeleteRequest, DeleteResponse, Diagnostics,
    IdentityModel, ImportRequest, ImportResponse, ModifyPlanRequest, ModifyPlanResponse,
    ReadRequest, ReadResponse, Resource, UpdateRequest, UpdateResponse, ValidateRequest,
    ValidateResponse, Value,
};

use crate::store::{Store, now};

/// Where a thing lives; changing it replaces the thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// Zone A.
    A,
    /// Zone B.
    B,
    /// Zone C.
    C,
}

/// An endpoint of the thing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct Endpoint {
    /// Host name.
    pub host: Value<String>,
    /// Port; defaults to 443.
    #[terraform(optional, computed, default = 443)]
    pub port: Value<i64>,
}

/// A test object stored as a JSON file in the provider's directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct ThingModel {
    /// The thing's ID, chosen at create.
    #[terraform(computed, plan(UseStateForUnknown))]
    pub id: Value<String>,
    /// The thing's name.
    #[terraform(validate(NotBlank, LengthBetween { min: 1, max: 64 }))]
    pub name: Value<String>,
    /// Free text.
    #[terraform(optional)]
    pub description: Value<String>,
    /// A size; defaults to 1.
    #[terraform(optional, computed, default = 1, validate(IntBetween { min: 0, max: 100 }))]
    pub size: Value<i64>,
    /// A sensitive value, stored in state but hidden in plans.
    #[terraform(optional, sensitive)]
    pub secret: Value<String>,
    /// A write-only value: used at apply, never stored (Terraform 1.11+).
    #[terraform(optional, sensitive, write_only)]
    pub password: Value<String>,
    /// The zone; changing it replaces the thing.
    #[terraform(optional, plan(RequiresReplace))]
    pub zone: Value<Zone>,
    /// Tags.
    #[terraform(optional)]
    pub tags: Value<Vec<String>>,
    /// Where to reach the thing.
    #[terraform(optional, nested)]
    pub endpoint: Value<Endpoint>,
    /// When the thing was created (seconds since the epoch).
    #[terraform(computed, plan(UseStateForUnknown))]
    pub created_at: Value<String>,
    /// Bumped by each update.
    #[terraform(computed)]
    pub revision: Value<i64>,
    /// Test hook: create stores a partial object, then reports an error (Terraform taints it).
    #[terraform(optional)]
    pub fail_create: Value<bool>,
    /// Test hook: panic in `create`, `read`, `update` or `delete`.
    #[terraform(optional, validate(OneOf(vec!["create".into(), "read".into(), "update".into(), "delete".into()])))]
    pub panic_on: Value<String>,
}

/// The identity of a thing (Terraform 1.12+).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct ThingIdentity {
    /// The thing's ID.
    pub id: String,
}

impl IdentityModel for ThingIdentity {}

/// The `tftest_thing` resource.
#[derive(Debug, Clone, Copy, Default)]
pub struct Thing;

fn io_error(diagnostics: &mut Diagnostics, what: &str, e: &std::io::Error) {
    diagnostics.error(
        format!("Could Not {what} Thing"),
        format!("{e}. Check the provider's `dir`."),
    );
}

fn hook(model: &ThingModel, step: &str) {
    if model.panic_on.as_str() == Some(step) {
        panic!("tftest_thing was asked to panic in {step}");
    }
}

/// The state to store: the model without its write-only value.
fn stored(mut model: ThingModel) -> ThingModel {
    model.password = Value::Null;
    model
}

#[async_trait]
impl Resource for Thing {
    type ProviderData = Store;
    type Model = ThingModel;
    type Identity = ThingIdentity;

    fn type_name(&self) -> String {
        "tftest_thing".to_owned()
    }

    async fn validate(&self, req: ValidateRequest<ThingModel>, resp: &mut ValidateResponse) {
        if req
            .config
            .description
            .as_str()
            .is_some_and(|d| d.contains("forbidden"))
        {
            resp.diagnostics.error_at(
                Path::attr("description"),
                "Forbidden Description",
                "The description must not contain the word \"forbidden\"; choose another text.",
            );
        }
    }

    async fn modify_plan(
        &self,
        _ctx: &Context<Store>,
        req: ModifyPlanRequest<ThingModel>,
        resp: &mut ModifyPlanResponse<ThingModel>,
    ) {
        // Revision only moves when something the user set changes.
        if let Some(prior) = req.prior {
            let same = prior.name == resp.plan.name
                && prior.description == resp.plan.description
                && prior.size == resp.plan.size
                && prior.secret == resp.plan.secret
                && prior.tags == resp.plan.tags
                && prior.endpoint == resp.plan.endpoint;
            if same && resp.plan.revision.is_unknown() {
                resp.plan.revision = prior.revision;
            }
        }
    }

    async fn create(
        &self,
        ctx: &Context<Store>,
        req: CreateRequest<ThingModel>,
        resp: &mut CreateResponse<ThingModel, ThingIdentity>,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        hook(&req.plan, "create");
        let id = store.new_id();
        let mut thing = req.plan;
        thing.id = Value::Known(id.clone());
        thing.created_at = Value::Known(now());
        thing.revision = Value::Known(1);
        if thing.fail_create.known() == Some(&true) {
            let mut partial = thing.clone();
            partial.description = Value::Null;
            if let Err(e) = store.save(&id, &stored(partial.clone())) {
                return io_error(&mut resp.diagnostics, "Create", &e);
            }
            resp.state = Some(stored(partial));
            resp.identity = Some(ThingIdentity { id });
            resp.diagnostics.error(
                "Create Failed Halfway",
                "fail_create is set: the thing exists but is incomplete.",
            );
            return;
        }
        if let Some(password) = req.config.password.as_str() {
            // Proves the write-only value reached apply without storing it.
            if let Err(e) = resp
                .private
                .set("password_length", &password.chars().count())
            {
                resp.diagnostics.error("Private State Error", e.to_string());
            }
        }
        if let Err(e) = store.save(&id, &stored(thing.clone())) {
            return io_error(&mut resp.diagnostics, "Create", &e);
        }
        resp.state = Some(stored(thing));
        resp.identity = Some(ThingIdentity { id });
    }

    async fn read(
        &self,
        ctx: &Context<Store>,
        req: ReadRequest<ThingModel, ThingIdentity>,
        resp: &mut ReadResponse<ThingModel, ThingIdentity>,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        hook(&req.state, "read");
        let Some(id) = req.state.id.as_str() else {
            resp.remove();
            return;
        };
        match store.load(id) {
            Ok(Some(thing)) => {
                resp.identity = Some(ThingIdentity { id: id.to_owned() });
                resp.state = Some(thing);
            }
            Ok(None) => resp.remove(),
            Err(e) => io_error(&mut resp.diagnostics, "Read", &e),
        }
    }

    async fn update(
        &self,
        ctx: &Context<Store>,
        req: UpdateRequest<ThingModel, ThingIdentity>,
        resp: &mut UpdateResponse<ThingModel, ThingIdentity>,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        hook(&req.plan, "update");
        let mut thing = req.plan;
        if thing.revision.is_unknown() {
            thing.revision = Value::Known(req.prior.revision.known().copied().unwrap_or(0) + 1);
        }
        let Some(id) = thing.id.as_str().map(str::to_owned) else {
            resp.diagnostics.error(
                "Missing ID",
                "The stored thing has no ID; remove it from state and import it.",
            );
            return;
        };
        if let Err(e) = store.save(&id, &stored(thing.clone())) {
            return io_error(&mut resp.diagnostics, "Update", &e);
        }
        resp.state = stored(thing);
    }

    async fn delete(
        &self,
        ctx: &Context<Store>,
        req: DeleteRequest<ThingModel>,
        resp: &mut DeleteResponse,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        hook(&req.prior, "delete");
        if let Some(id) = req.prior.id.as_str()
            && let Err(e) = store.remove(id)
        {
            io_error(&mut resp.diagnostics, "Delete", &e);
        }
    }

    async fn import(
        &self,
        ctx: &Context<Store>,
        req: ImportRequest<ThingIdentity>,
        resp: &mut ImportResponse<ThingModel, ThingIdentity>,
    ) {
        let Some(store) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        let id = req.identity.map_or(req.id, |i| i.id);
        match store.load(&id) {
            Ok(Some(thing)) => {
                resp.state = Some(thing);
                resp.identity = Some(ThingIdentity { id });
            }
            Ok(None) => resp.diagnostics.error(
                "Cannot Import Missing Thing",
                format!(
                    "No thing with ID {id:?} exists in the provider's directory. Check the ID."
                ),
            ),
            Err(e) => io_error(&mut resp.diagnostics, "Import", &e),
        }
    }
}
