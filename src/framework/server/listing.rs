//! ValidateListResourceConfig and ListResource (a server stream of found objects).

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::stream::{self, CANCEL_GRACE, CHANNEL_CAPACITY, Ending};
use super::{Inner, convert};
use crate::framework::context::ClientCapabilities;
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::list_resource::{ListTypes, RawListEvent, RawListRequest};
use crate::framework::provider::Provider;
use crate::proto::tfplugin6 as pb;

/// The events of one ListResource call, as tonic sends them.
pub(super) type ListStream =
    Pin<Box<dyn Stream<Item = Result<pb::list_resource::Event, tonic::Status>> + Send>>;

/// Starts the list in its own task and returns the stream of its events.
pub(super) fn list<P: Provider>(
    inner: Arc<Inner<P>>,
    req: pb::list_resource::Request,
) -> ListStream {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    let types = inner
        .list_resources
        .get(&req.type_name)
        .map(|entry| entry.types.clone());
    tokio::spawn(run(inner, req, tx));
    Box::pin(ReceiverStream::new(rx).map(move |event| Ok(to_proto(event, types.as_ref()))))
}

async fn run<P: Provider>(
    inner: Arc<Inner<P>>,
    req: pb::list_resource::Request,
    tx: mpsc::Sender<RawListEvent>,
) {
    let prepared = inner.list_resource(&req.type_name).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.ty, "list configuration")?;
        if !config.is_wholly_known() {
            return Err(Diagnostic::error(
                "List Configuration Unknown",
                "The list's configuration holds values known only after apply; a list runs \
                 before any apply, so use values known now (variables, literals).",
            ));
        }
        Ok((entry.imp.clone(), entry.types.clone(), config))
    });
    let (imp, types, config) = match prepared {
        Ok(v) => v,
        Err(d) => {
            // Nobody left to tell when Terraform already went.
            let _ = tx.send(RawListEvent::Diagnostics(d.into())).await;
            return;
        }
    };
    let cancel = inner.cancel.child_token();
    let ctx = inner.context_with(ClientCapabilities::default(), cancel.clone());
    let raw = RawListRequest {
        config,
        include_resource: req.include_resource_object,
        // Terraform always sends a limit (100 unless the block sets one); none means nothing.
        limit: u64::try_from(req.limit).unwrap_or(0),
    };
    let handler_tx = tx.clone();
    let handler = async move { imp.list(&ctx, types, raw, handler_tx).await };
    let ending = stream::supervise(
        "ListResource",
        &req.type_name,
        &tx,
        &cancel,
        CANCEL_GRACE,
        handler,
    )
    .await;
    if let Ending::Failed(d) = ending {
        let _ = tx.send(RawListEvent::Diagnostics(d.into())).await;
    }
}

fn to_proto(event: RawListEvent, types: Option<&ListTypes>) -> pb::list_resource::Event {
    let mut diagnostics = Diagnostics::new();
    let mut out = pb::list_resource::Event::default();
    match (event, types) {
        (RawListEvent::Diagnostics(d), _) => diagnostics = d,
        (RawListEvent::Found(item), Some(types)) => {
            out.identity = convert::encode_identity(
                Some(&item.identity),
                Some(&types.identity),
                &mut diagnostics,
            );
            out.display_name = item.display_name;
            out.resource_object = item.resource.and_then(|r| {
                convert::encode_into(&r, &types.state, "resource object", &mut diagnostics)
            });
            if diagnostics.has_errors() {
                out = pb::list_resource::Event::default();
            }
        }
        // Only a registered list finds anything; keep the stream well-formed regardless.
        (RawListEvent::Found(_), None) => diagnostics.error(
            "Unknown List Resource Type",
            "The provider listed an object for a type it does not have. This is a bug in the \
             provider; please report it.",
        ),
    }
    out.diagnostic = convert::diagnostics(&diagnostics);
    out
}
