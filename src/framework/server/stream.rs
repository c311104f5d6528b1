//! The guarantees of the server-streaming RPCs (ListResource, InvokeAction), equal to those of
//! the unary ones:
//!
//! - the handler runs in its own task, so a panic becomes a final diagnostic event and the
//!   provider keeps serving;
//! - events go through a bounded channel: a handler that produces faster than Terraform reads
//!   waits (backpressure), and no event is dropped;
//! - the handler's context is cancelled when Terraform stops reading (it drops the stream, e.g.
//!   once a list's `limit` is reached) or calls StopProvider (Ctrl-C); a handler that does not
//!   stop within [`CANCEL_GRACE`] is aborted.

use std::future::Future;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::guard;
use crate::framework::diag::Diagnostic;

/// Events buffered between a handler and Terraform before the handler waits.
pub(super) const CHANNEL_CAPACITY: usize = 16;

/// How long a cancelled handler may take to wind down (and report why) before it is aborted.
pub(super) const CANCEL_GRACE: Duration = Duration::from_secs(5);

/// How a supervised handler ended.
#[derive(Debug)]
pub(super) enum Ending<R> {
    /// It returned `R`.
    Finished(R),
    /// It panicked, or was aborted after cancellation: the diagnostic says which.
    Failed(Diagnostic),
    /// Terraform stopped reading; nobody is left to tell.
    Closed,
}

/// Runs `handler` in its own task until it ends, Terraform stops reading `tx`'s stream, or
/// `cancel` fires (StopProvider, whose token `cancel` is a child of). `cancel` must be the token
/// of the handler's context, so the handler sees both kinds of cancellation; once cancelled, the
/// handler has `grace` (normally [`CANCEL_GRACE`]) to finish before it is aborted.
pub(super) async fn supervise<T, R, F>(
    rpc: &'static str,
    type_name: &str,
    tx: &mpsc::Sender<T>,
    cancel: &CancellationToken,
    grace: Duration,
    handler: F,
) -> Ending<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Future<Output = R> + Send + 'static,
{
    tracing::debug!(rpc, type_name = %type_name, "stream started");
    let mut handle = tokio::spawn(handler);
    let closed = tokio::select! {
        biased;
        joined = &mut handle => return joined_ending(rpc, type_name, joined),
        () = tx.closed() => true,
        () = cancel.cancelled() => false,
    };
    // Either way the handler is told through its context, then given time to finish.
    cancel.cancel();
    tracing::debug!(rpc, type_name = %type_name, closed, "stream cancelled");
    let ending = match tokio::time::timeout(grace, &mut handle).await {
        Ok(joined) => joined_ending(rpc, type_name, joined),
        Err(_) => {
            handle.abort();
            tracing::warn!(rpc, type_name = %type_name, "handler ignored cancellation; aborted");
            Ending::Failed(Diagnostic::error(
                "Cancelled",
                format!(
                    "{rpc} for {type_name} was cancelled (Terraform is stopping) and did not finish \
                     within {} ms, so the provider stopped it.",
                    grace.as_millis()
                ),
            ))
        }
    };
    if closed { Ending::Closed } else { ending }
}

fn joined_ending<R>(
    rpc: &'static str,
    type_name: &str,
    joined: Result<R, tokio::task::JoinError>,
) -> Ending<R> {
    match joined {
        Ok(r) => {
            tracing::debug!(rpc, type_name = %type_name, "stream handler finished");
            Ending::Finished(r)
        }
        Err(e) => Ending::Failed(guard::failure(rpc, type_name, e)),
    }
}
