//! The streaming guarantees in isolation: cancellation, abort after the grace period, and the
//! answers for types the provider does not have.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use futures_util::StreamExt;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::stream::{Ending, supervise};
use super::*;
use crate::framework::list_resource::{ListItem, ListRequest, ListResource, ListSender};
use crate::framework::provider::{ConfigureRequest, ConfigureResponse};
use crate::framework::resource::NoIdentity;
use crate::proto::tfplugin6 as pb;

#[tokio::test]
async fn a_handler_that_ignores_cancellation_is_aborted_after_the_grace_period() {
    let (tx, _rx) = mpsc::channel::<()>(1);
    let cancel = CancellationToken::new();
    cancel.cancel();
    let grace = Duration::from_millis(50);
    let ending: Ending<()> = supervise("InvokeAction", "x_wait", &tx, &cancel, grace, async {
        tokio::time::sleep(Duration::from_secs(3600)).await;
    })
    .await;
    let Ending::Failed(d) = ending else {
        panic!("expected a failure, got {ending:?}");
    };
    assert_eq!(d.summary, "Cancelled");
    assert!(d.detail.contains("x_wait"), "{}", d.detail);
}

#[tokio::test]
async fn a_reader_that_goes_away_cancels_the_handler() {
    let (tx, rx) = mpsc::channel::<()>(1);
    let cancel = CancellationToken::new();
    let saw_cancel = Arc::new(AtomicBool::new(false));
    let (seen, token) = (saw_cancel.clone(), cancel.clone());
    drop(rx);
    let ending: Ending<()> = supervise(
        "ListResource",
        "x_thing",
        &tx,
        &cancel,
        super::stream::CANCEL_GRACE,
        async move {
            token.cancelled().await;
            seen.store(true, Ordering::SeqCst);
        },
    )
    .await;
    assert!(matches!(ending, Ending::Closed), "{ending:?}");
    assert!(saw_cancel.load(Ordering::SeqCst));
}

#[derive(Clone, Serialize, Deserialize, JsonSchema, crate::framework::TerraformModel)]
struct Empty {}

struct Orphan;

#[async_trait]
impl ListResource for Orphan {
    type ProviderData = ();
    type Config = Empty;
    type Model = Empty;
    type Identity = NoIdentity;

    fn type_name(&self) -> String {
        "orphan_thing".into()
    }

    async fn list(
        &self,
        _ctx: &Context<()>,
        _req: ListRequest<Empty>,
        results: &mut ListSender<Empty, NoIdentity>,
    ) {
        let _ = results
            .send(ListItem {
                identity: NoIdentity {},
                display_name: "never".into(),
                resource: None,
            })
            .await;
    }
}

struct OrphanProvider;

#[async_trait]
impl Provider for OrphanProvider {
    type Config = Empty;
    type Data = ();

    fn type_name(&self) -> String {
        "orphan".into()
    }

    async fn configure(&self, _req: ConfigureRequest<Empty>, resp: &mut ConfigureResponse<()>) {
        resp.data = Some(Arc::new(()));
    }

    fn resources(&self) -> Vec<Arc<dyn AnyResource<()>>> {
        Vec::new()
    }

    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<()>>> {
        Vec::new()
    }

    fn list_resources(&self) -> Vec<Arc<dyn AnyListResource<()>>> {
        vec![Arc::new(Orphan)]
    }
}

#[tokio::test]
async fn a_list_without_its_managed_resource_is_a_schema_error() {
    let service = ProviderService::new(OrphanProvider);
    let schema = metadata::get_provider_schema(&service.inner);
    assert_eq!(schema.diagnostics.len(), 1, "{:?}", schema.diagnostics);
    assert!(
        schema.diagnostics[0].detail.contains("orphan_thing"),
        "{}",
        schema.diagnostics[0].detail
    );
    assert!(schema.list_resource_schemas.is_empty());
    assert!(
        metadata::get_metadata(&service.inner)
            .list_resources
            .is_empty()
    );
}

#[tokio::test]
async fn unknown_list_and_action_types_answer_inside_the_stream() {
    let service = ProviderService::new(OrphanProvider);
    let req = pb::list_resource::Request {
        type_name: "orphan_nope".into(),
        limit: 10,
        ..Default::default()
    };
    let events: Vec<_> = listing::list(service.inner.clone(), req).collect().await;
    let [Ok(event)] = events.as_slice() else {
        panic!("expected one event, got {events:?}");
    };
    assert_eq!(event.diagnostic[0].summary, "Unknown List Resource Type");

    let req = pb::invoke_action::Request {
        action_type: "orphan_nope".into(),
        ..Default::default()
    };
    let events: Vec<_> = actions::invoke(service.inner.clone(), req).collect().await;
    let [
        Ok(pb::invoke_action::Event {
            r#type: Some(pb::invoke_action::event::Type::Completed(done)),
        }),
    ] = events.as_slice()
    else {
        panic!("expected one completion, got {events:?}");
    };
    assert_eq!(done.diagnostics[0].summary, "Unknown Action Type");
}
