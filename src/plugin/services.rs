//! go-plugin's side services, which Terraform's plugin client expects next to the provider:
//! controller (shutdown), stdio relay, connection broker, and gRPC health.

use std::pin::Pin;

use futures_util::{Stream, StreamExt as _};
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use crate::proto::plugin::{
    ConnInfo, Empty, StdioData, grpc_broker_server, grpc_controller_server, grpc_stdio_server,
};

/// The service name go-plugin's client asks the health service about.
pub const HEALTH_SERVICE_NAME: &str = "plugin";

/// A stream that yields nothing and ends when the server shuts down.
type IdleStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

fn idle_until<T: Send + 'static>(shutdown: CancellationToken) -> IdleStream<T> {
    Box::pin(
        futures_util::stream::once(async move { shutdown.cancelled_owned().await })
            .filter_map(|()| std::future::ready(None)),
    )
}

/// `plugin.GRPCController`: Terraform's way of asking the process to exit.
#[derive(Debug, Clone)]
pub struct Controller {
    shutdown: CancellationToken,
    honour_shutdown: bool,
}

impl Controller {
    /// A controller that cancels `shutdown` on request; with `honour_shutdown` false (debug mode,
    /// where one server outlives many Terraform runs) the request is only logged.
    pub fn new(shutdown: CancellationToken, honour_shutdown: bool) -> Self {
        Self {
            shutdown,
            honour_shutdown,
        }
    }
}

#[tonic::async_trait]
impl grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        if self.honour_shutdown {
            tracing::debug!("shutdown requested by Terraform");
            // Graceful: the server lets this reply (and any other in-flight call) finish.
            self.shutdown.cancel();
        } else {
            tracing::debug!("shutdown request ignored in debug mode; stop with Ctrl-C");
        }
        Ok(Response::new(Empty {}))
    }
}

/// `plugin.GRPCStdio`: an open stream that carries nothing, since logs go straight to stderr
/// (which go-plugin relays line by line) and stdout stays silent after the handshake.
#[derive(Debug, Clone)]
pub struct Stdio {
    shutdown: CancellationToken,
}

impl Stdio {
    /// A relay whose stream ends when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = IdleStream<StdioData>;

    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// `plugin.GRPCBroker`: accepted and held open; this provider brokers no extra connections.
#[derive(Debug, Clone)]
pub struct Broker {
    shutdown: CancellationToken,
}

impl Broker {
    /// A broker whose stream ends when `shutdown` is cancelled.
    pub fn new(shutdown: CancellationToken) -> Self {
        Self { shutdown }
    }
}

#[tonic::async_trait]
impl grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = IdleStream<ConnInfo>;

    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        let mut incoming = request.into_inner();
        let shutdown = self.shutdown.clone();
        // Drain what the host sends so its side of the stream never blocks.
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    msg = incoming.next() => match msg {
                        Some(Ok(info)) => tracing::debug!(
                            service_id = info.service_id,
                            "ignoring broker connection info"
                        ),
                        Some(Err(_)) | None => break,
                    },
                }
            }
        });
        Ok(Response::new(idle_until(self.shutdown.clone())))
    }
}

/// Builds the gRPC health service with [`HEALTH_SERVICE_NAME`] reported as serving.
pub async fn health()
-> tonic_health::pb::health_server::HealthServer<impl tonic_health::pb::health_server::Health> {
    let (reporter, service) = tonic_health::server::health_reporter();
    reporter
        .set_service_status(HEALTH_SERVICE_NAME, tonic_health::ServingStatus::Serving)
        .await;
    service
}
