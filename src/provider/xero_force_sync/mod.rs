//! The `conductorone_xero_force_sync` action: asks ConductorOne to sync a Xero connector now and,
//! unless told not to, follows that sync to its end, reporting progress to Terraform.
//!
//! ConductorOne answers a force sync with 200 meaning "queued", not "started", and the connector's
//! `status` describes only its latest sync, with no sync ID. So the action tells the sync it asked
//! for from the ones before by ConductorOne's own timestamps: it reads the connector just before
//! the request, and a sync counts as the requested one when its `status.startedAt` is later than
//! the `startedAt` read then (or when there was none). A `SYNC_STATUS_DONE` or `…_ERROR` left by an
//! earlier sync, or a sync already running at the request, is never taken for it, and no local
//! clock is compared with ConductorOne's, so clock skew cannot confuse it.

use std::time::Duration;

use crate::framework::TerraformModel;
use async_trait::async_trait;
use chrono::{DateTime, SecondsFormat, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderData;
use super::api_error::api_error;
use super::sync_wait::{
    PollPolicy, Poller, SyncStatus, WaitError, format_duration, parse_go_duration,
};
use super::validators::{ConductorOneId, GoDuration};
use super::xero_sync::{ConnectorRefs, app_problem, find_connector};
use crate::conductorone::models::Connector;
use crate::conductorone::{Client, ErrorKind};
use crate::framework::validate::validate_model;
use crate::framework::validators::NotBlank;
use crate::framework::{
    Action, ActionProgress, Context, Diagnostics, InvokeActionRequest, InvokeActionResponse, Path,
    PlanActionRequest, PlanActionResponse, Value,
};

/// How long the action waits for the sync when `timeout` is not set.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(600);

/// How often a progress note repeats while nothing changes.
const PROGRESS_EVERY: Duration = Duration::from_secs(10);

/// Asks ConductorOne to sync a Xero connector now, as the "Sync now" button of the console does,
/// and by default waits for that sync to end: `terraform apply
/// -invoke=action.conductorone_xero_force_sync.<name>`, or from a resource's `lifecycle {
/// action_trigger { … } }` (Terraform 1.14 or later). Terraform shows the progress (requested,
/// queued, running for how long, what ConductorOne's status says); a failed sync fails the apply
/// with ConductorOne's `lastError`, and a sync still going at `timeout` fails it saying how long
/// it waited and what the status was (the sync itself goes on in ConductorOne). Ctrl-C ends the
/// wait at once.
///
/// ConductorOne queues the sync and keeps showing the previous one until it starts; the action
/// counts a sync as the one it asked for only when its `startedAt` (ConductorOne's clock) is later
/// than the one the connector showed just before the request. If a sync was already running, the
/// action waits for the next one to start. The connector is looked up when the action runs, not
/// at plan, so an `after_create` trigger may name an app whose connector does not exist yet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema, TerraformModel)]
pub struct XeroForceSyncConfig {
    /// The ID of the app holding the Xero connector, e.g.
    /// `conductorone_xero_integration.finance.app_id`.
    #[terraform(required, validate(NotBlank, ConductorOneId))]
    pub app_id: Value<String>,
    /// The ID of the Xero connector to sync, e.g. `conductorone_xero_integration.finance.id`.
    /// When omitted, the app's only Xero connector is synced; an app with several needs this set.
    #[terraform(optional, validate(NotBlank, ConductorOneId))]
    pub integration_id: Value<String>,
    /// Wait for the sync to end, failing the apply if it fails. Defaults to `true`; with `false`
    /// the action only asks for the sync.
    #[terraform(optional)]
    pub wait: Value<bool>,
    /// How long to wait for the sync to end, as a Go duration (`"90s"`, `"10m"`, `"1h30m"`).
    /// Defaults to `10m`. A sync still queued or running then fails the action; it goes on in
    /// ConductorOne.
    #[terraform(optional, validate(GoDuration))]
    pub timeout: Value<String>,
}

/// The `conductorone_xero_force_sync` action.
#[derive(Debug, Clone, Copy)]
pub struct XeroForceSync {
    /// How often the wait reads the connector.
    pub poll: PollPolicy,
    /// How often a progress note repeats while the sync's state stays the same.
    pub progress_every: Duration,
}

impl Default for XeroForceSync {
    fn default() -> Self {
        Self {
            poll: PollPolicy::default(),
            progress_every: PROGRESS_EVERY,
        }
    }
}

#[async_trait]
impl Action for XeroForceSync {
    type ProviderData = ProviderData;
    type Config = XeroForceSyncConfig;

    fn type_name(&self) -> String {
        "conductorone_xero_force_sync".to_owned()
    }

    /// The same checks as at validation, now on values other resources' plans may have filled
    /// in; unknown values pass (they are checked when the action runs).
    async fn plan(
        &self,
        _ctx: &Context<ProviderData>,
        req: PlanActionRequest<XeroForceSyncConfig>,
        resp: &mut PlanActionResponse,
    ) {
        validate_model(&req.config, &mut resp.diagnostics);
    }

    async fn invoke(
        &self,
        ctx: &Context<ProviderData>,
        req: InvokeActionRequest<XeroForceSyncConfig>,
        progress: &ActionProgress,
        resp: &mut InvokeActionResponse,
    ) {
        let Some(data) = ctx.require_data(&mut resp.diagnostics) else {
            return;
        };
        self.run(
            &data.client,
            ctx.cancellation(),
            &req.config,
            progress,
            &mut resp.diagnostics,
        )
        .await;
    }
}

impl XeroForceSync {
    /// The action against a client: find the connector, ask for a sync, follow it when asked.
    /// Progress goes to `progress`, the outcome to `diags`.
    pub(crate) async fn run(
        &self,
        client: &Client,
        cancel: &CancellationToken,
        config: &XeroForceSyncConfig,
        progress: &ActionProgress,
        diags: &mut Diagnostics,
    ) {
        validate_model(config, diags);
        if diags.has_errors() {
            return;
        }
        let timeout = config
            .timeout
            .known()
            .and_then(|t| parse_go_duration(t).ok())
            .unwrap_or(DEFAULT_TIMEOUT);
        let app_id = config.app_id.as_str().unwrap_or_default();
        if let Err(e) = client.get_app(app_id, cancel).await {
            app_problem(XeroForceSyncConfig::paths().app_id(), &e, app_id, diags);
            return;
        }
        let integration_id = config.integration_id.as_str();
        let refs = ConnectorRefs {
            app_id: XeroForceSyncConfig::paths().app_id(),
            integration_id: XeroForceSyncConfig::paths().integration_id(),
        };
        let Some(connector) =
            find_connector(client, &refs, app_id, integration_id, cancel, diags).await
        else {
            return;
        };
        let name = describe(&connector);
        if connector
            .config
            .as_ref()
            .is_none_or(|c| c.values.is_empty())
        {
            diags.error_at(
                at_connector(integration_id),
                "Xero Integration Not Set Up",
                format!(
                    "{name} holds no Xero credentials yet (its setup was delegated and is not \
                     finished), so there is nothing to sync and no sync was requested. Set \
                     `xero_client_id` and `xero_client_secret` on the \
                     `conductorone_xero_integration`, or finish the setup in ConductorOne, then \
                     invoke the action again."
                ),
            );
            return;
        }
        // The sync the action asks for is the first to start after this one.
        let baseline = connector.status.as_ref().and_then(|s| s.started_at);
        if let Err(e) = client.force_sync(app_id, &connector.id, cancel).await {
            match e.kind() {
                ErrorKind::Cancelled => diags.error(
                    "Sync Request Cancelled",
                    format!(
                        "Terraform asked the provider to stop while it asked ConductorOne to sync \
                         {name}; the sync may or may not have been queued."
                    ),
                ),
                ErrorKind::NotFound => deleted(&name, integration_id, diags),
                _ => api_error(diags, "Cannot Request a Sync", &e),
            }
            return;
        }
        if !note(progress, format!("Requested a sync of {name}.")).await {
            return;
        }
        if config.wait.known() == Some(&false) {
            note(
                progress,
                "Not waiting for it (wait = false); follow it in ConductorOne or with the \
                 conductorone_xero_sync data source.",
            )
            .await;
            return;
        }
        let mut follow = Follow {
            action: self,
            name: &name,
            integration_id,
            baseline,
            progress,
            last_note: None,
            running_since: None,
        };
        let connector_id = connector.id.clone();
        let mut poller = Poller::new(client, app_id, &connector_id, timeout, self.poll, cancel);
        follow.run(&mut poller, connector, diags).await;
    }
}

/// Where the sync the action asked for stands, judged from one read of the connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// It has not started: the status still shows an earlier sync (or none).
    Queued,
    /// It is running.
    Running,
    /// It finished.
    Done,
    /// It failed; `lastError` says why.
    Failed,
    /// ConductorOne reports syncing as disabled for the connector.
    Disabled,
    /// It started, but the status is one the provider does not know (the enum may grow).
    Unrecognised,
}

impl Phase {
    /// The phase of the requested sync in `connector`, where `baseline` is the `startedAt` the
    /// connector showed just before the request.
    fn of(baseline: Option<DateTime<Utc>>, connector: &Connector) -> Self {
        let started = connector.status.as_ref().and_then(|s| s.started_at);
        let requested_one = match (started, baseline) {
            (Some(started), Some(before)) => started > before,
            (Some(_), None) => true,
            (None, _) => false,
        };
        match (SyncStatus::of(connector), requested_one) {
            (SyncStatus::Disabled, _) => Self::Disabled,
            (_, false) => Self::Queued,
            (SyncStatus::Running, true) => Self::Running,
            (SyncStatus::Done, true) => Self::Done,
            (SyncStatus::Error, true) => Self::Failed,
            (SyncStatus::Unspecified, true) => Self::Unrecognised,
        }
    }
}

/// The wait for the requested sync: reads, progress notes, and the outcome.
struct Follow<'a> {
    action: &'a XeroForceSync,
    name: &'a str,
    integration_id: Option<&'a str>,
    baseline: Option<DateTime<Utc>>,
    progress: &'a ActionProgress,
    /// The phase of the last note and when it was sent.
    last_note: Option<(Phase, Instant)>,
    /// When the requested sync was first seen running.
    running_since: Option<Instant>,
}

impl Follow<'_> {
    async fn run(&mut self, poller: &mut Poller<'_>, before: Connector, diags: &mut Diagnostics) {
        let mut last = before;
        loop {
            let connector = match poller.read().await {
                Ok(c) => c,
                Err(WaitError::Timeout { timeout, last }) => {
                    self.timed_out(timeout, &last, diags);
                    return;
                }
                Err(WaitError::Cancelled) => {
                    diags.error(
                        "Sync Wait Cancelled",
                        format!(
                            "Terraform asked the provider to stop {} into the wait for the sync of \
                             {}. The sync was requested and goes on in ConductorOne; the last \
                             status read: {}.",
                            rough(poller.elapsed()),
                            self.name,
                            status_text(&last)
                        ),
                    );
                    return;
                }
                Err(WaitError::Api(e)) if e.kind() == ErrorKind::NotFound => {
                    deleted(self.name, self.integration_id, diags);
                    return;
                }
                Err(WaitError::Api(e)) => {
                    api_error(diags, "Cannot Read the Sync Status", &e);
                    return;
                }
            };
            let phase = Phase::of(self.baseline, &connector);
            let finished = self
                .outcome(phase, &connector, poller.elapsed(), diags)
                .await;
            if finished || !self.maybe_note(phase, &connector, poller.elapsed()).await {
                return;
            }
            last = connector;
        }
    }

    /// Ends the wait when the sync has ended (or cannot run): a last note on success, an error
    /// otherwise. `true` when the wait is over.
    async fn outcome(
        &self,
        phase: Phase,
        connector: &Connector,
        waited: Duration,
        diags: &mut Diagnostics,
    ) -> bool {
        let status = connector.status.clone().unwrap_or_default();
        let took = match (status.started_at, status.completed_at) {
            (Some(start), Some(end)) => end
                .signed_duration_since(start)
                .to_std()
                .map_or_else(|_| rough(waited), rough),
            _ => rough(waited),
        };
        match phase {
            Phase::Done => {
                // A success completes without diagnostics, so the result is told as a last note;
                // whether Terraform still listens changes nothing now.
                let message = format!(
                    "Sync of {} finished ({}) in {took}.",
                    self.name, status.status
                );
                note(self.progress, message).await;
                true
            }
            Phase::Failed => {
                let why = if status.last_error.trim().is_empty() {
                    "ConductorOne gave no error text.".to_owned()
                } else {
                    format!("ConductorOne's last error: {}", status.last_error.trim())
                };
                diags.error(
                    "Xero Sync Failed",
                    format!(
                        "The sync of {} that Terraform asked for failed ({}) after {took}. {why}\n\n\
                         Fix what the error names (for a Xero token error: the integration's \
                         `xero_client_id` and `xero_client_secret`, and that the Xero app is a \
                         Custom Connection), then invoke the action again.",
                        self.name, status.status
                    ),
                );
                true
            }
            Phase::Disabled => {
                diags.error(
                    "Xero Sync Disabled",
                    format!(
                        "ConductorOne reports syncing as disabled for {} ({}), so the requested \
                         sync will not run. Check the connector in ConductorOne (a paused \
                         connector does not sync until it is resumed), then invoke the action \
                         again.",
                        self.name,
                        status_text(connector)
                    ),
                );
                true
            }
            Phase::Queued | Phase::Running | Phase::Unrecognised => false,
        }
    }

    /// Sends a note when the phase changed or the last note is `progress_every` old. `false`
    /// when Terraform stopped listening.
    async fn maybe_note(&mut self, phase: Phase, connector: &Connector, waited: Duration) -> bool {
        let now = Instant::now();
        if phase == Phase::Running {
            self.running_since.get_or_insert(now);
        }
        let due = self.last_note.is_none_or(|(p, at)| {
            p != phase || now.duration_since(at) >= self.action.progress_every
        });
        if !due {
            return true;
        }
        let first = self.last_note.is_none_or(|(p, _)| p != phase);
        self.last_note = Some((phase, now));
        let status = connector.status.clone().unwrap_or_default();
        let previous = if self.baseline.is_some() {
            "ConductorOne still shows the previous sync"
        } else {
            "no sync has started yet"
        };
        let message = match phase {
            Phase::Queued if first => format!("Queued: {previous} ({}).", status_text(connector)),
            Phase::Queued => format!(
                "Still queued after {}: {previous} ({}).",
                rough(waited),
                status_text(connector)
            ),
            Phase::Running if first => format!(
                "Sync started ({}, started {}).",
                status.status,
                time(status.started_at)
            ),
            Phase::Running => format!(
                "Sync running for {} ({}, started {}).",
                rough(self.running_since.map_or(Duration::ZERO, |t| t.elapsed())),
                status.status,
                time(status.started_at)
            ),
            _ => format!(
                "Sync started {}; ConductorOne's status is now {:?}, waiting for it to end.",
                time(status.started_at),
                status.status
            ),
        };
        note(self.progress, message).await
    }

    fn timed_out(&self, timeout: Duration, last: &Connector, diags: &mut Diagnostics) {
        let state = match Phase::of(self.baseline, last) {
            Phase::Queued => format!(
                "it had not started: ConductorOne still showed {} ({})",
                if self.baseline.is_some() {
                    "the previous sync"
                } else {
                    "no sync"
                },
                status_text(last)
            ),
            _ => format!("it was still going ({})", status_text(last)),
        };
        diags.error_at(
            XeroForceSyncConfig::paths().timeout(),
            "Sync Not Finished",
            format!(
                "Waited {} (`timeout`) for the sync of {}; {state}. The sync goes on in \
                 ConductorOne. Raise `timeout`, or set `wait = false` to only ask for the sync.",
                format_duration(timeout),
                self.name
            ),
        );
    }
}

/// Sends a progress note; `false` when Terraform stopped listening (stop the work).
async fn note(progress: &ActionProgress, message: impl Into<String>) -> bool {
    progress.send(message).await.is_ok()
}

fn deleted(name: &str, integration_id: Option<&str>, diags: &mut Diagnostics) {
    diags.error_at(
        at_connector(integration_id),
        "Xero Integration Deleted",
        format!("{name} was deleted while the provider asked for its sync or waited for it."),
    );
}

/// Where a problem with the connector points: `integration_id` when set, else `app_id` (whose
/// only Xero connector was used).
fn at_connector(integration_id: Option<&str>) -> Path {
    let paths = XeroForceSyncConfig::paths();
    if integration_id.is_some() {
        paths.integration_id()
    } else {
        paths.app_id()
    }
}

/// `Xero connector <id> ("<name>") of app <app>`, for messages.
fn describe(c: &Connector) -> String {
    format!(
        "Xero connector {} ({:?}) of app {}",
        c.id, c.display_name, c.app_id
    )
}

/// The status as ConductorOne gave it, e.g. `SYNC_STATUS_DONE, started …, completed …`.
fn status_text(c: &Connector) -> String {
    let Some(s) = &c.status else {
        return "no status".to_owned();
    };
    let mut text = if s.status.is_empty() {
        "no status".to_owned()
    } else {
        s.status.clone()
    };
    if let Some(t) = s.started_at {
        text.push_str(&format!(", started {}", time(Some(t))));
    }
    if let Some(t) = s.completed_at {
        text.push_str(&format!(", completed {}", time(Some(t))));
    }
    text
}

fn time(t: Option<DateTime<Utc>>) -> String {
    t.map_or_else(
        || "at an unknown time".to_owned(),
        |t| t.to_rfc3339_opts(SecondsFormat::Secs, true),
    )
}

/// A duration for people, Go style: to the nearest tenth of a second below 10 s (`1.5s`), whole
/// seconds above (`45s`, `1m30s`).
fn rough(d: Duration) -> String {
    let rounded = if d < Duration::from_secs(10) {
        let tenths = (d.as_millis() + 50) / 100;
        Duration::from_millis(u64::try_from(tenths * 100).unwrap_or(u64::MAX))
    } else {
        Duration::from_secs(d.as_secs())
    };
    format_duration(rounded)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
