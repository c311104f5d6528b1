//! Part C: the provider side of the calls Terraform makes most, ours against the Go provider, for
//! work that needs no API: `ValidateResourceConfig`, `PlanResourceChange` for a create (prior
//! state null) and `UpgradeResourceState` (Terraform upgrades every stored resource on each
//! plan).
//!
//! Both providers run as Terraform runs them (AutoMTLS) and each call is timed from request sent
//! to answer decoded through the same tonic client; the calls alternate between the providers
//! and which goes first, after a warm-up. The provider side of a call is the CPU time the
//! provider process spent on it: the sum of its threads' run time (`/proc/PID/task/*/schedstat`,
//! nanoseconds) read just before the request and just after the answer, while nothing else asks
//! anything of it. Unlike the round trip, that does not include the client, the kernel's
//! scheduling delays on a loaded machine, or the other process. The requests are built from each
//! provider's own schema. Neither side may reach an API: ours is configured against an in-process emulator
//! whose counters must stay at zero, the Go provider against a local listener that counts the
//! connections it is offered, which must stay at zero too.

mod report;
mod shapes;

pub(crate) use report::markdown;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use c1_emulator::{Config, XeroAppKind};
use serde::Serialize;
use serde_json::json;
use terraform_provider_conductorone::cty::{self, Type, Value};
use terraform_provider_conductorone::proto::tfplugin6::{
    ClientCapabilities, Diagnostic, DynamicValue, RawState, configure_provider, get_metadata,
    get_provider_schema, plan_resource_change, upgrade_resource_state, validate_resource_config,
};

use crate::session::Session;
use crate::stats::Summary;

/// The calls timed, in the order each round makes them.
pub(crate) const CALLS: [Call; 4] = [
    Call::Validate,
    Call::PlanCreate,
    Call::Upgrade,
    Call::Metadata,
];

/// One of the timed calls.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) enum Call {
    /// `ValidateResourceConfig`.
    Validate,
    /// `PlanResourceChange` with a null prior state.
    PlanCreate,
    /// `UpgradeResourceState` from the current schema version.
    Upgrade,
    /// `GetMetadata`: next to no work in the provider, so the gRPC and TLS cost of any call.
    Metadata,
}

impl Call {
    /// The call as the report names it.
    pub(crate) fn label(self) -> &'static str {
        match self {
            Self::Validate => "`ValidateResourceConfig`",
            Self::PlanCreate => "`PlanResourceChange` (create: prior state null)",
            Self::Upgrade => "`UpgradeResourceState` (from the current version)",
            Self::Metadata => "`GetMetadata` (no resource work: the cost of any call, for reading)",
        }
    }

    /// Whether the per-call target applies (not to the reference call).
    pub(crate) fn judged(self) -> bool {
        self != Self::Metadata
    }
}

/// What part C measured.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct PerCall {
    /// Calls of each kind per provider after the warm-up.
    pub(crate) calls: usize,
    /// Warm-up calls of each kind per provider, not counted.
    pub(crate) warmup: usize,
    /// Our resource type and its size.
    pub(crate) ours: Side,
    /// The Go provider's resource type and its size.
    pub(crate) theirs: Side,
}

/// One provider's resource and its samples.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Side {
    /// The resource type measured.
    pub(crate) resource: String,
    /// Attributes and nested block types in its schema.
    pub(crate) attributes: usize,
    /// Nested block types in its schema.
    pub(crate) blocks: usize,
    /// Attributes the configuration sets.
    pub(crate) set: usize,
    /// Encoded request sizes in bytes, per [`CALLS`] entry.
    pub(crate) request_bytes: [usize; 4],
    /// Round trips, µs per call, one series per [`CALLS`] entry.
    pub(crate) samples_us: [Vec<f64>; 4],
    /// The provider process's CPU time per call, µs, one series per [`CALLS`] entry.
    pub(crate) cpu_us: [Vec<f64>; 4],
    /// API requests (or connections) seen while the calls ran: must be 0.
    pub(crate) api_requests: u64,
}

impl Side {
    /// Median and p99 of one call's round trips.
    pub(crate) fn round_trip(&self, call: Call) -> (Summary, f64) {
        let s = &self.samples_us[call_index(call)];
        (Summary::of(s), crate::stats::percentile(s, 0.99))
    }

    /// Median and p99 of the provider's CPU time for one call.
    pub(crate) fn cpu(&self, call: Call) -> (Summary, f64) {
        let s = &self.cpu_us[call_index(call)];
        (Summary::of(s), crate::stats::percentile(s, 0.99))
    }
}

fn call_index(call: Call) -> usize {
    CALLS.iter().position(|c| *c == call).unwrap_or(0)
}

/// The Go provider's resource: `workato_connection`, 19 attributes. Its create plan is the
/// framework's default plan (no `ModifyPlan` call reaches the API; the bench proves it with the
/// listener), and its size is close to ours (11 attributes and 2 blocks).
const THEIR_RESOURCE: &str = "workato_connection";
const OUR_RESOURCE: &str = "conductorone_xero_integration";

/// The requests for one provider's resource, built once and cloned for each call.
struct Requests {
    validate: validate_resource_config::Request,
    plan: plan_resource_change::Request,
    upgrade: upgrade_resource_state::Request,
}

/// Runs part C: `calls` timed calls of each kind per provider, after `warmup` untimed ones.
pub(crate) async fn run(
    ours_bin: &Path,
    theirs_bin: &Path,
    calls: usize,
    warmup: usize,
) -> anyhow::Result<PerCall> {
    let emu = c1_emulator::start(Config::default())
        .await
        .context("starting the emulator")?;
    let app_id = emu.create_app("Per-call bench app");
    let (xero_id, xero_secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
    let listener = Listener::start().await?;

    let mut ours = Session::start(ours_bin, &[])
        .await
        .context("our provider")?;
    let mut theirs = Session::start(theirs_bin, &[])
        .await
        .context("the Go provider")?;

    let our_provider = json!({
        "server_url": emu.conductorone_url(),
        "client_id": emu.client_id(),
        "client_secret": emu.client_secret(),
        "xero_identity_url": emu.xero_identity_url(),
    });
    // A create with credentials, as part B's, but with the Xero check off: the check is API work.
    let our_config = json!({
        "app_id": app_id,
        "xero_client_id": xero_id,
        "xero_client_secret_wo": xero_secret,
        "xero_client_secret_wo_version": 1,
        "validate_credentials": false,
    });
    let our_known = json!({
        "id": "2xR7bench0connector0id0000",
        "user_ids": ["2xR7bench0user0id00000000"],
        "wait_for_sync": false,
        "created_at": "2026-01-01T00:00:00Z",
        "xero_app_type": "unverified",
    });
    let their_provider = json!({
        "api_key": "bench-not-a-real-key",
        "base_url": listener.url(),
    });
    let their_config = json!({
        "name": "Bench connection",
        "connector_name": "salesforce",
        "folder_id": 1234,
        "input": "{\"host\":\"example.invalid\"}",
    });
    let their_known = json!({
        "id": "5678",
        "account_id": "1",
        "application": "salesforce",
        "applied_name": "Bench connection",
        "authorization_status": "success",
        "connector": "salesforce",
        "created_at": "2026-01-01T00:00:00Z",
        "updated_at": "2026-01-01T00:00:00Z",
    });

    let (our_req, mut our_side) = prepare(
        &mut ours,
        OUR_RESOURCE,
        &our_provider,
        &our_config,
        &our_known,
    )
    .await
    .context("our provider")?;
    let (their_req, mut their_side) = prepare(
        &mut theirs,
        THEIR_RESOURCE,
        &their_provider,
        &their_config,
        &their_known,
    )
    .await
    .context("the Go provider")?;
    emu.reset_counters();
    listener.reset();

    for round in 0..warmup + calls {
        for (k, call) in CALLS.into_iter().enumerate() {
            let first_ours = (round + k) % 2 == 0;
            for turn in 0..2 {
                let on_ours = (turn == 0) == first_ours;
                let (session, req, side) = if on_ours {
                    (&mut ours, &our_req, &mut our_side)
                } else {
                    (&mut theirs, &their_req, &mut their_side)
                };
                let cpu_before = session.cpu_ns()?;
                let took = timed_call(session, req, call, round == 0)
                    .await
                    .with_context(|| format!("{} of {}", call.label(), side.resource))?;
                let cpu = session.cpu_ns()?.saturating_sub(cpu_before);
                if round >= warmup {
                    side.samples_us[k].push(took.as_secs_f64() * 1e6);
                    side.cpu_us[k].push(cpu as f64 / 1e3);
                }
            }
        }
    }

    let counters = emu.counters();
    our_side.api_requests = counters.token_total() + counters.api_total() + counters.xero_total();
    their_side.api_requests = listener.count();
    ours.stop().await;
    theirs.stop().await;
    emu.shutdown().await;
    if our_side.api_requests > 0 || their_side.api_requests > 0 {
        bail!(
            "a call reached the network (ours: {} requests, theirs: {} connections): the per-call \
             bench must time work that needs no API",
            our_side.api_requests,
            their_side.api_requests
        );
    }
    Ok(PerCall {
        calls,
        warmup,
        ours: our_side,
        theirs: their_side,
    })
}

/// Reads the schema, configures the provider and builds the three requests.
async fn prepare(
    session: &mut Session,
    resource: &str,
    provider_config: &serde_json::Value,
    config: &serde_json::Value,
    known: &serde_json::Value,
) -> anyhow::Result<(Requests, Side)> {
    let schema = session
        .client
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .context("GetProviderSchema")?
        .into_inner();
    errors(&schema.diagnostics).context("GetProviderSchema")?;
    let provider_block = schema
        .provider
        .and_then(|s| s.block)
        .context("no provider schema")?;
    let resource_schema = schema
        .resource_schemas
        .get(resource)
        .with_context(|| format!("no resource {resource} in the schema"))?;
    let block = resource_schema
        .block
        .clone()
        .with_context(|| format!("{resource} has no block"))?;

    let provider_value = shapes::config(&provider_block, provider_config)?;
    let answer = session
        .client
        .configure_provider(configure_provider::Request {
            terraform_version: "1.15.5".to_owned(),
            config: Some(msgpack(
                &provider_value,
                &shapes::block_type(&provider_block)?,
            )?),
            client_capabilities: Some(capabilities()),
        })
        .await
        .context("ConfigureProvider")?
        .into_inner();
    errors(&answer.diagnostics).context("ConfigureProvider")?;

    let ty = shapes::block_type(&block)?;
    let config_value = shapes::config(&block, config)?;
    let proposed = shapes::proposed_create(&block, &config_value);
    let state = shapes::stored_state(&block, &proposed, known)?;
    let config_dv = msgpack(&config_value, &ty)?;
    let requests = Requests {
        validate: validate_resource_config::Request {
            type_name: resource.to_owned(),
            config: Some(config_dv.clone()),
            client_capabilities: Some(capabilities()),
        },
        plan: plan_resource_change::Request {
            type_name: resource.to_owned(),
            prior_state: Some(msgpack(&Value::Null, &ty)?),
            proposed_new_state: Some(msgpack(&proposed, &ty)?),
            config: Some(config_dv),
            client_capabilities: Some(capabilities()),
            ..Default::default()
        },
        upgrade: upgrade_resource_state::Request {
            type_name: resource.to_owned(),
            version: resource_schema.version,
            raw_state: Some(RawState {
                json: cty::json::encode(&state, &ty).context("state as JSON")?,
                ..Default::default()
            }),
        },
    };
    use prost::Message as _;
    let side = Side {
        resource: resource.to_owned(),
        attributes: block.attributes.len(),
        blocks: block.block_types.len(),
        set: config.as_object().map_or(0, serde_json::Map::len),
        request_bytes: [
            requests.validate.encoded_len(),
            requests.plan.encoded_len(),
            requests.upgrade.encoded_len(),
            0,
        ],
        ..Side::default()
    };
    Ok((requests, side))
}

/// What Terraform 1.15 advertises.
fn capabilities() -> ClientCapabilities {
    ClientCapabilities {
        deferral_allowed: true,
        write_only_attributes_allowed: true,
    }
}

fn msgpack(value: &Value, ty: &Type) -> anyhow::Result<DynamicValue> {
    Ok(DynamicValue {
        msgpack: cty::msgpack::encode(value, ty).context("encoding msgpack")?,
        json: Vec::new(),
    })
}

/// Fails with the summaries of any error diagnostics.
fn errors(diagnostics: &[Diagnostic]) -> anyhow::Result<()> {
    let errors: Vec<String> = diagnostics
        .iter()
        .filter(|d| d.severity == 1)
        .map(|d| format!("{}: {}", d.summary, d.detail))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        bail!("error diagnostics: {}", errors.join("; "))
    }
}

/// One call, timed from request sent to answer decoded. The request is cloned before the clock
/// starts; the answer is checked after it stops (fully on the first round, cheaply after).
async fn timed_call(
    session: &mut Session,
    req: &Requests,
    call: Call,
    check_fully: bool,
) -> anyhow::Result<Duration> {
    let client = &mut session.client;
    match call {
        Call::Validate => {
            let r = req.validate.clone();
            let start = Instant::now();
            let answer = client.validate_resource_config(r).await?.into_inner();
            let took = start.elapsed();
            errors(&answer.diagnostics)?;
            Ok(took)
        }
        Call::PlanCreate => {
            let r = req.plan.clone();
            let start = Instant::now();
            let answer = client.plan_resource_change(r).await?.into_inner();
            let took = start.elapsed();
            errors(&answer.diagnostics)?;
            let planned = answer.planned_state.context("no planned state")?;
            if check_fully && planned.msgpack.is_empty() {
                bail!("the planned state is empty");
            }
            Ok(took)
        }
        Call::Upgrade => {
            let r = req.upgrade.clone();
            let start = Instant::now();
            let answer = client.upgrade_resource_state(r).await?.into_inner();
            let took = start.elapsed();
            errors(&answer.diagnostics)?;
            answer.upgraded_state.context("no upgraded state")?;
            Ok(took)
        }
        Call::Metadata => {
            let start = Instant::now();
            let answer = client
                .get_metadata(get_metadata::Request {})
                .await?
                .into_inner();
            let took = start.elapsed();
            errors(&answer.diagnostics)?;
            Ok(took)
        }
    }
}

/// A local TCP port standing in for the Go provider's API: it counts the connections it is
/// offered and closes them, so any API call fails and is seen.
struct Listener {
    port: u16,
    count: Arc<AtomicU64>,
    task: tokio::task::JoinHandle<()>,
}

impl Listener {
    async fn start() -> anyhow::Result<Self> {
        let socket = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let port = socket.local_addr()?.port();
        let count = Arc::new(AtomicU64::new(0));
        let seen = Arc::clone(&count);
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = socket.accept().await {
                seen.fetch_add(1, Ordering::Relaxed);
                drop(stream);
            }
        });
        Ok(Self { port, count, task })
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}", self.port)
    }

    fn count(&self) -> u64 {
        self.count.load(Ordering::Relaxed)
    }

    fn reset(&self) {
        self.count.store(0, Ordering::Relaxed);
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        self.task.abort();
    }
}
