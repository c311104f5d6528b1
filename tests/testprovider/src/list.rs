//! The `tftest_thing` list resource: every stored thing, for `terraform query`.

use async_trait::async_trait;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use terraform_provider_conductorone::framework::TerraformModel;
use terraform_provider_conductorone::framework::validators::IntBetween;
use terraform_provider_conductorone::framework::{
    Context, Diagnostic, ListItem, ListRequest, ListResource, ListSender, Value,
};

use crate::store::Store;
use crate::thing::{ThingIdentity, ThingModel};

/// The `config` block of `list "tftest_thing"`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct ThingListConfig {
    /// Only things whose name starts with this.
    #[terraform(optional)]
    pub name_prefix: Value<String>,
    /// Test hook: wait this long (milliseconds) before each item.
    #[terraform(optional, validate(IntBetween { min: 0, max: 60000 }))]
    pub delay_ms: Value<i64>,
    /// Test hook: panic after sending this many items.
    #[terraform(optional, validate(IntBetween { min: 0, max: 1000 }))]
    pub panic_after: Value<i64>,
    /// Test hook: send a warning before the items.
    #[terraform(optional)]
    pub warn: Value<String>,
}

/// Lists `tftest_thing` objects.
#[derive(Debug, Clone, Copy, Default)]
pub struct ThingList;

#[async_trait]
impl ListResource for ThingList {
    type ProviderData = Store;
    type Config = ThingListConfig;
    type Model = ThingModel;
    type Identity = ThingIdentity;

    fn type_name(&self) -> String {
        "tftest_thing".to_owned()
    }

    async fn list(
        &self,
        ctx: &Context<Store>,
        req: ListRequest<ThingListConfig>,
        results: &mut ListSender<ThingModel, ThingIdentity>,
    ) {
        let mut diagnostics = Default::default();
        let Some(store) = ctx.require_data(&mut diagnostics) else {
            let _ = results.diagnostics(diagnostics).await;
            return;
        };
        if let Some(warning) = req.config.warn.as_str() {
            let _ = results
                .diagnostic(Diagnostic::warning("Listing Warning", warning))
                .await;
        }
        let ids = match store.ids() {
            Ok(ids) => ids,
            Err(e) => {
                let _ = results
                    .diagnostic(Diagnostic::error(
                        "Could Not List Things",
                        format!("{e}. Check the provider's `dir`."),
                    ))
                    .await;
                return;
            }
        };
        let prefix = req.config.name_prefix.as_str().unwrap_or_default();
        let delay = u64::try_from(req.config.delay_ms.known().copied().unwrap_or(0)).unwrap_or(0);
        let panic_after = req.config.panic_after.known().copied();
        let mut sent = 0_i64;
        for id in ids {
            let thing = match store.load(&id) {
                Ok(Some(thing)) => thing,
                // Deleted since the directory was read.
                Ok(None) => continue,
                Err(e) => {
                    // One unreadable file must not hide the others: warn and go on.
                    let warning =
                        Diagnostic::warning("Unreadable Thing", format!("Skipped {id:?}: {e}."));
                    if results.diagnostic(warning).await.is_err() {
                        return;
                    }
                    continue;
                }
            };
            let name = thing.name.as_str().unwrap_or_default().to_owned();
            if !name.starts_with(prefix) {
                continue;
            }
            if panic_after == Some(sent) {
                panic!("tftest_thing list was asked to panic after {sent} items");
            }
            if delay > 0 {
                tokio::select! {
                    () = tokio::time::sleep(std::time::Duration::from_millis(delay)) => {}
                    () = ctx.cancellation().cancelled() => {
                        let _ = store.log_action("list: cancelled");
                        return;
                    }
                }
            }
            let item = ListItem {
                identity: ThingIdentity { id: id.clone() },
                display_name: format!("{name} ({id})"),
                resource: results.include_resource().then_some(thing),
            };
            if results.send(item).await.is_err() {
                return;
            }
            sent += 1;
        }
    }
}
