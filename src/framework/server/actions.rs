//! ValidateActionConfig, PlanAction and InvokeAction (a server stream of progress notes ending
//! with exactly one completion).

use std::pin::Pin;
use std::sync::Arc;

use futures_util::{Stream, StreamExt};
use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;

use super::stream::{self, CANCEL_GRACE, CHANNEL_CAPACITY, Ending};
use super::{Inner, convert};
use crate::framework::action::{ActionProgress, RawActionEvent};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::provider::Provider;
use crate::framework::validate::validate_config;
use crate::proto::tfplugin6 as pb;

/// The events of one InvokeAction call, as tonic sends them.
pub(super) type InvokeStream =
    Pin<Box<dyn Stream<Item = Result<pb::invoke_action::Event, tonic::Status>> + Send>>;

pub(super) async fn plan<P: Provider>(
    inner: &Inner<P>,
    req: pb::plan_action::Request,
) -> pb::plan_action::Response {
    let mut diagnostics = Diagnostics::new();
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    let checked = inner.action(&req.action_type).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.ty, "action configuration")?;
        Ok((entry, config))
    });
    match checked {
        Ok((entry, config)) => {
            // Validators skip unknown values, so this is safe at plan.
            validate_config(&entry.schema, &config, &mut diagnostics);
            if !diagnostics.has_errors() {
                let ctx = inner.context(capabilities);
                diagnostics.extend(entry.imp.plan(&ctx, &config).await);
            }
        }
        Err(d) => diagnostics.push(d),
    }
    pb::plan_action::Response {
        diagnostics: convert::diagnostics(&diagnostics),
        deferred: None,
    }
}

/// Starts the action in its own task and returns the stream of its events.
pub(super) fn invoke<P: Provider>(
    inner: Arc<Inner<P>>,
    req: pb::invoke_action::Request,
) -> InvokeStream {
    let (tx, rx) = mpsc::channel(CHANNEL_CAPACITY);
    tokio::spawn(run(inner, req, tx));
    Box::pin(ReceiverStream::new(rx).map(|event| Ok(to_proto(event))))
}

async fn run<P: Provider>(
    inner: Arc<Inner<P>>,
    req: pb::invoke_action::Request,
    tx: mpsc::Sender<RawActionEvent>,
) {
    let prepared = inner.action(&req.action_type).and_then(|entry| {
        let config = convert::decode(req.config.as_ref(), &entry.ty, "action configuration")?;
        if !config.is_wholly_known() {
            return Err(Diagnostic::error(
                "Action Configuration Unknown",
                "Terraform invoked the action with values still unknown. This is a bug in \
                 Terraform or the provider; please report it.",
            ));
        }
        Ok((entry.imp.clone(), config))
    });
    let (imp, config) = match prepared {
        Ok(v) => v,
        Err(d) => {
            let _ = tx.send(RawActionEvent::Completed(d.into())).await;
            return;
        }
    };
    let capabilities = convert::capabilities(req.client_capabilities.as_ref());
    let cancel = inner.cancel.child_token();
    let ctx = inner.context_with(capabilities, cancel.clone());
    let progress = ActionProgress::new(tx.clone());
    let handler = async move { imp.invoke(&ctx, &config, progress).await };
    let ending = stream::supervise(
        "InvokeAction",
        &req.action_type,
        &tx,
        &cancel,
        CANCEL_GRACE,
        handler,
    )
    .await;
    let outcome = match ending {
        Ending::Finished(diagnostics) => diagnostics,
        Ending::Failed(d) => d.into(),
        Ending::Closed => return,
    };
    // Nobody left to tell when Terraform already went.
    let _ = tx.send(RawActionEvent::Completed(outcome)).await;
}

fn to_proto(event: RawActionEvent) -> pb::invoke_action::Event {
    use pb::invoke_action::event::{Completed, Progress, Type};
    let kind = match event {
        RawActionEvent::Progress(message) => Type::Progress(Progress { message }),
        RawActionEvent::Completed(diagnostics) => Type::Completed(Completed {
            diagnostics: convert::diagnostics(&diagnostics),
        }),
    };
    pb::invoke_action::Event { r#type: Some(kind) }
}
