//! Listeners, connections, and the gate every emulated route passes through: latency, injected
//! faults and counters.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::MethodRouter;
use hyper_util::rt::TokioIo;
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};
use tokio::task::JoinSet;
use tower::ServiceExt as _;

use crate::config::FaultKind;
use crate::error::ApiError;
use crate::state::Shared;

/// Which service a listener emulates; fault answers take that service's shape.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Port {
    ConductorOne,
    Xero,
}

/// Set by a handler on its response to say how a token request ended, for the counters.
#[derive(Clone, Copy)]
pub(crate) struct Outcome(pub(crate) &'static str);

/// Put on a request by a fault with [`crate::Fault::effect_hidden_for`]: what its handler
/// creates stays out of reads until then.
#[derive(Clone, Copy)]
pub(crate) struct HiddenUntil(pub(crate) chrono::DateTime<chrono::Utc>);

/// Lets a handler close its own connection without answering.
#[derive(Clone)]
struct ConnKill(Arc<Notify>);

/// What the gate of one route knows.
#[derive(Clone)]
struct Gate {
    shared: Arc<Shared>,
    /// The route as the OpenAPI description spells it.
    template: &'static str,
    port: Port,
}

/// Adds the route `template` (OpenAPI spelling, e.g. `/api/v1/apps/{id}`) behind the gate.
/// Path parameters are renamed by position, because the router needs one name per position
/// while the OpenAPI description uses several (`{id}`, `{app_id}`, `{connector_app_id}`).
/// A router holding each `(template, handlers)` of `table`, each behind [`route`]'s gate.
pub(crate) fn routes(
    shared: &Arc<Shared>,
    port: Port,
    table: Vec<(&'static str, MethodRouter<Arc<Shared>>)>,
) -> Router<Arc<Shared>> {
    table
        .into_iter()
        .fold(Router::new(), |router, (template, handlers)| {
            route(router, shared, port, template, handlers)
        })
}

fn route(
    router: Router<Arc<Shared>>,
    shared: &Arc<Shared>,
    port: Port,
    template: &'static str,
    handlers: MethodRouter<Arc<Shared>>,
) -> Router<Arc<Shared>> {
    let gate = Gate {
        shared: Arc::clone(shared),
        template,
        port,
    };
    router.route(
        &router_path(template),
        handlers.layer(middleware::from_fn_with_state(gate, gate_fn)),
    )
}

fn router_path(template: &str) -> String {
    let mut prev = "";
    let mut out = Vec::new();
    for seg in template.split('/') {
        if seg.starts_with('{') {
            let name = match prev {
                "apps" => "app_id",
                "connectors" => "connector_id",
                "resource_types" => "resource_type_id",
                _ => "id",
            };
            out.push(format!("{{{name}}}"));
        } else {
            out.push(seg.to_owned());
        }
        prev = seg;
    }
    out.join("/")
}

async fn gate_fn(State(gate): State<Gate>, req: Request, next: Next) -> Response {
    let latency = gate.shared.lock().latency;
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    let key = format!("{} {}", req.method(), gate.template);
    let Some(hit) = gate.shared.take_fault(req.method(), req.uri().path()) else {
        return run_counted(&gate, &key, req, next).await;
    };
    let mut req = req;
    if hit.after_effect && !hit.effect_hidden_for.is_zero() {
        let until = chrono::Utc::now()
            + chrono::Duration::from_std(hit.effect_hidden_for).unwrap_or(chrono::Duration::MAX);
        req.extensions_mut().insert(HiddenUntil(until));
    }
    match hit.kind {
        FaultKind::Latency(d) if hit.after_effect => {
            // Committed at once, answered late: the answer is still on its way while reads
            // already show the effect.
            let resp = run_counted(&gate, &key, req, next).await;
            tokio::time::sleep(d).await;
            resp
        }
        FaultKind::Latency(d) => {
            tokio::time::sleep(d).await;
            run_counted(&gate, &key, req, next).await
        }
        FaultKind::Status { code, retry_after } => {
            count(&gate, &key, "fault");
            if hit.after_effect {
                let _ = next.run(req).await;
            }
            fault_answer(gate.port, code, retry_after)
        }
        FaultKind::Drop => {
            count(&gate, &key, "fault");
            let kill = req.extensions().get::<ConnKill>().cloned();
            if hit.after_effect {
                let _ = next.run(req).await;
            }
            match kill {
                Some(ConnKill(n)) => {
                    n.notify_one();
                    std::future::pending().await
                }
                // Served without our accept loop (in-process): nothing to close, so fail loudly.
                None => ApiError::status(StatusCode::BAD_GATEWAY, "injected connection drop")
                    .into_response(),
            }
        }
    }
}

async fn run_counted(gate: &Gate, key: &str, req: Request, next: Next) -> Response {
    if !is_token_route(gate.template) {
        count(gate, key, "");
        return next.run(req).await;
    }
    let resp = next.run(req).await;
    let outcome = resp
        .extensions()
        .get::<Outcome>()
        .map_or("invalid_request", |o| o.0);
    count(gate, key, outcome);
    resp
}

fn is_token_route(template: &str) -> bool {
    template == "/auth/v1/token" || template == "/connect/token"
}

fn count(gate: &Gate, key: &str, outcome: &str) {
    let mut inner = gate.shared.lock();
    let c = &mut inner.counters;
    let (map, k) = match gate.template {
        "/auth/v1/token" => (&mut c.token_requests, outcome),
        "/connect/token" => (&mut c.xero_token_requests, outcome),
        _ => (&mut c.api_requests, key),
    };
    *map.entry(k.to_owned()).or_default() += 1;
}

fn fault_answer(port: Port, code: u16, retry_after: Option<u64>) -> Response {
    let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut resp = match port {
        Port::ConductorOne => {
            ApiError::status(status, format!("injected fault: HTTP {code}")).into_response()
        }
        Port::Xero => {
            let body = json!({
                "Type": null,
                "Title": status.canonical_reason().unwrap_or("Error"),
                "Status": code,
                "Detail": "injected fault",
                "Instance": crate::ids::uuid(),
                "Extensions": {},
            });
            let mut r = (status, axum::Json(body)).into_response();
            if code == 429 {
                r.headers_mut()
                    .insert("x-rate-limit-problem", HeaderValue::from_static("minute"));
            }
            r
        }
    };
    if let Some(secs) = retry_after {
        resp.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    resp
}

/// Binds `127.0.0.1:port` (0 picks a free port).
pub(crate) async fn bind(port: u16) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], port))).await?;
    let addr = listener.local_addr()?;
    Ok((listener, addr))
}

/// Serves HTTP/1.1 on `listener` until `stop` changes or its sender is dropped; then every open
/// connection is closed too.
pub(crate) async fn serve(listener: TcpListener, router: Router, mut stop: watch::Receiver<bool>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                conns.spawn(connection(stream, router.clone()));
            }
            _ = stop.changed() => break,
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

async fn connection(stream: tokio::net::TcpStream, router: Router) {
    let kill = Arc::new(Notify::new());
    let handle = ConnKill(Arc::clone(&kill));
    let svc = hyper::service::service_fn(move |mut req: hyper::Request<hyper::body::Incoming>| {
        req.extensions_mut().insert(handle.clone());
        router.clone().oneshot(req.map(Body::new))
    });
    let conn =
        hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), svc);
    tokio::select! {
        result = conn => {
            if let Err(e) = result {
                tracing::debug!(error = %e, "emulator connection ended with an error");
            }
        }
        () = kill.notified() => {}
    }
}

#[cfg(test)]
mod tests {
    use super::router_path;

    #[test]
    fn params_renamed_by_position() {
        assert_eq!(router_path("/api/v1/apps/{id}"), "/api/v1/apps/{app_id}");
        assert_eq!(
            router_path("/api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated"),
            "/api/v1/apps/{app_id}/connectors/{connector_id}/delegated"
        );
        assert_eq!(
            router_path(
                "/api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}"
            ),
            "/api/v1/apps/{app_id}/resource_types/{resource_type_id}/resources/{id}"
        );
    }
}
