//! Runs one RPC handler, logs it, and turns a panic into an error diagnostic so the provider
//! process keeps serving.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Instant;

use futures_util::FutureExt;

use super::convert;
use crate::framework::diag::Diagnostic;
use crate::proto::tfplugin6 as pb;

/// A response message that carries diagnostics.
pub(super) trait WithDiagnostics: Default + Send + 'static {
    fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic>;
}

macro_rules! with_diagnostics {
    ($($t:ty),* $(,)?) => {
        $(impl WithDiagnostics for $t {
            fn diagnostics_mut(&mut self) -> &mut Vec<pb::Diagnostic> {
                &mut self.diagnostics
            }
        })*
    };
}

with_diagnostics!(
    pb::get_metadata::Response,
    pb::get_provider_schema::Response,
    pb::get_resource_identity_schemas::Response,
    pb::upgrade_resource_identity::Response,
    pb::validate_provider_config::Response,
    pb::configure_provider::Response,
    pb::validate_resource_config::Response,
    pb::validate_data_resource_config::Response,
    pb::upgrade_resource_state::Response,
    pb::read_resource::Response,
    pb::plan_resource_change::Response,
    pb::apply_resource_change::Response,
    pb::import_resource_state::Response,
    pb::read_data_source::Response,
    pb::generate_resource_config::Response,
    pb::validate_list_resource_config::Response,
    pb::validate_action_config::Response,
    pb::plan_action::Response,
);

fn panic_message(payload: &(dyn Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

/// The error diagnostic for a handler task that did not finish: it panicked, or was cancelled.
pub(super) fn failure(rpc: &str, type_name: &str, e: tokio::task::JoinError) -> Diagnostic {
    if e.is_panic() {
        panicked(rpc, type_name, e.into_panic().as_ref())
    } else {
        let of = of_type(type_name);
        Diagnostic::error(
            "Request Cancelled",
            format!("The provider's handler for {rpc}{of} was cancelled before it finished."),
        )
    }
}

/// The error diagnostic for a handler that panicked with `payload`.
fn panicked(rpc: &str, type_name: &str, payload: &(dyn Any + Send)) -> Diagnostic {
    tracing::error!(rpc, type_name = %type_name, "handler panicked");
    let of = of_type(type_name);
    Diagnostic::error(
        "Provider Panicked",
        format!(
            "The provider crashed while handling {rpc}{of}: {}. The provider is still running. \
             This is a bug in the provider; please report it with the log from TF_LOG_PROVIDER=debug.",
            panic_message(payload)
        ),
    )
}

fn of_type(type_name: &str) -> String {
    if type_name.is_empty() {
        String::new()
    } else {
        format!(" for {type_name}")
    }
}

/// Runs `handler`, turning a panic into an error diagnostic; logs the RPC at debug (type name
/// and outcome, never values).
///
/// The handler runs in the call's own task (hyper's, one per stream) rather than a task of its
/// own: a spawn per call cost an allocation and a scheduler round on every call, and the
/// single-threaded runtime gains no parallelism from it.
pub(super) async fn run<T, F>(
    rpc: &'static str,
    type_name: String,
    handler: F,
) -> Result<tonic::Response<T>, tonic::Status>
where
    T: WithDiagnostics,
    F: Future<Output = T> + Send + 'static,
{
    tracing::debug!(rpc, type_name = %type_name, "handling request");
    let started = Instant::now();
    let mut response = match AssertUnwindSafe(handler).catch_unwind().await {
        Ok(response) => response,
        Err(payload) => {
            let mut response = T::default();
            response
                .diagnostics_mut()
                .push(convert::diagnostic(&panicked(
                    rpc,
                    &type_name,
                    payload.as_ref(),
                )));
            response
        }
    };
    let errors = response
        .diagnostics_mut()
        .iter()
        .filter(|d| d.severity == pb::diagnostic::Severity::Error as i32)
        .count();
    tracing::debug!(
        rpc,
        type_name = %type_name,
        errors,
        elapsed_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
        "handled request"
    );
    Ok(tonic::Response::new(response))
}
