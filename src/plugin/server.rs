//! The gRPC server: accepts connections (TLS or plaintext), serves the provider next to
//! go-plugin's side services, and shuts down gracefully.

use std::sync::Arc;
use std::time::Duration;

use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::listener::{Conn, Listener};
use super::services::{self, Broker, Controller, Stdio};
use crate::proto::plugin::{
    grpc_broker_server::GrpcBrokerServer, grpc_controller_server::GrpcControllerServer,
    grpc_stdio_server::GrpcStdioServer,
};
use crate::proto::tfplugin6::provider_server::{Provider, ProviderServer};

/// Largest message accepted or sent; schemas and states can be large, and Go providers use this.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;
/// How long in-flight calls may run on after shutdown starts. Terraform kills the process 2 s
/// after asking it to stop, so finishing sooner lets the socket directory be removed by us.
pub const SHUTDOWN_GRACE: Duration = Duration::from_millis(1500);
/// A connection that has not finished its TLS handshake by then is dropped.
const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Why serving stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The gRPC transport failed.
    #[error("gRPC server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How to serve.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// TLS configuration (AutoMTLS), or `None` for plaintext.
    pub tls: Option<Arc<rustls::ServerConfig>>,
    /// Cancelled to stop the server.
    pub shutdown: CancellationToken,
    /// Whether `GRPCController/Shutdown` stops the server (false in debug mode).
    pub controller_stops_server: bool,
}

/// Serves `provider` on `listener` until `config.shutdown` is cancelled, then drains in-flight
/// calls for at most [`SHUTDOWN_GRACE`].
pub async fn serve<S: Provider>(
    provider: S,
    listener: Listener,
    config: ServeConfig,
) -> Result<(), ServeError> {
    let shutdown = config.shutdown.clone();
    let incoming = accept_loop(listener, config.tls.clone(), shutdown.clone());
    let provider = ProviderServer::new(provider)
        .max_decoding_message_size(MAX_MESSAGE_SIZE)
        .max_encoding_message_size(MAX_MESSAGE_SIZE);
    let server = tonic::transport::Server::builder()
        .add_service(services::health().await)
        .add_service(GrpcControllerServer::new(Controller::new(
            shutdown.clone(),
            config.controller_stops_server,
        )))
        .add_service(GrpcStdioServer::new(Stdio::new(shutdown.clone())))
        .add_service(GrpcBrokerServer::new(Broker::new(shutdown.clone())))
        .add_service(provider)
        .serve_with_incoming_shutdown(incoming, shutdown.clone().cancelled_owned());

    let grace = async {
        shutdown.cancelled().await;
        tokio::time::sleep(SHUTDOWN_GRACE).await;
    };
    tokio::select! {
        result = server => result.map_err(ServeError::from),
        () = grace => {
            tracing::debug!("in-flight calls did not finish within the shutdown grace period");
            Ok(())
        }
    }
}

/// Accepts connections until shutdown, running TLS handshakes concurrently so that one slow or
/// hostile client cannot hold up the next.
fn accept_loop(
    listener: Listener,
    tls: Option<Arc<rustls::ServerConfig>>,
    shutdown: CancellationToken,
) -> ReceiverStream<Result<Conn, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => accepted,
            };
            let conn = match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection failed");
                    // Back off so a persistent error (e.g. out of descriptors) cannot spin.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let Some(acceptor) = acceptor.clone() else {
                if tx.send(Ok(conn)).await.is_err() {
                    break;
                }
                continue;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, acceptor.accept(conn)).await {
                    Ok(Ok(stream)) => {
                        // The server has stopped when the receiver is gone; nothing to do then.
                        let _ = tx.send(Ok(Conn::tls(stream))).await;
                    }
                    Ok(Err(e)) => tracing::warn!(error = %e, "refused a TLS connection"),
                    Err(_) => tracing::warn!("dropped a connection that stalled its TLS handshake"),
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

/// Shuts the server down when the process that started it is gone.
///
/// Terraform ends a provider through the controller, but a Terraform that crashes or is killed
/// never does; the orphan would live on, holding the pipes its parent's parent may wait on.
/// Re-parenting (the parent PID changing) is the portable sign that the parent died.
pub fn watch_parent(shutdown: CancellationToken) {
    #[cfg(unix)]
    {
        let parent = std::os::unix::process::parent_id();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(PARENT_POLL);
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = tick.tick() => {
                        if std::os::unix::process::parent_id() != parent {
                            tracing::warn!("the process that started the provider is gone; shutting down");
                            shutdown.cancel();
                            break;
                        }
                    }
                }
            }
        });
    }
    #[cfg(not(unix))]
    drop(shutdown);
}

/// How often [`watch_parent`] looks: cheap, and well inside Terraform's own timeouts.
const PARENT_POLL: Duration = Duration::from_millis(500);

/// Which signals end the process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalPolicy {
    /// Started by Terraform: Ctrl-C in the terminal reaches us too, but Terraform cancels work
    /// through `StopProvider` and ends us through the controller, so SIGINT is ignored; SIGTERM
    /// still shuts down gracefully.
    Plugin,
    /// Started by a developer with `--debug`: Ctrl-C (and SIGTERM) end the server.
    Debug,
}

/// Installs the signal handling for `policy`; shutdown is requested by cancelling `shutdown`.
pub fn handle_signals(policy: SignalPolicy, shutdown: CancellationToken) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // Registering replaces the default action (terminate) for the rest of the process.
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    _ = terminate.recv() => {
                        tracing::debug!("SIGTERM received; shutting down");
                        shutdown.cancel();
                    }
                    _ = interrupt.recv() => match policy {
                        SignalPolicy::Plugin => tracing::debug!("ignoring SIGINT; Terraform stops providers itself"),
                        SignalPolicy::Debug => shutdown.cancel(),
                    },
                }
            }
        });
    }
    #[cfg(not(unix))]
    {
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    r = tokio::signal::ctrl_c() => {
                        if r.is_err() { break; }
                        if policy == SignalPolicy::Debug { shutdown.cancel(); }
                    }
                }
            }
        });
    }
    Ok(())
}
