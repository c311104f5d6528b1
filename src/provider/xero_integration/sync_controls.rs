//! `sync_schedule` and `sync_paused`: the connector's cron schedule and its paused state.
//!
//! Applied after the connector is written, in this order: schedule, then pause or resume (a
//! connector paused before its schedule is set would still have the old schedule in force once
//! resumed elsewhere). Each step that fails leaves its attribute as it was before and says so on
//! that attribute.
//!
//! What is read back, and why:
//! - `sync_schedule` is read from `connectorSyncCronSchedule` whenever the state manages one, so
//!   a change made in ConductorOne shows as drift. Left out of the configuration, the provider
//!   does not touch the schedule and does not read it into the state. A block cannot be
//!   computed (Terraform plans a block exactly as configured), so "optional and computed" is not
//!   available; reading it only when managed is what gives no perpetual diff.
//! - `sync_paused` keeps the last applied value. The API documents no field meaning "paused"
//!   (`syncDisabledAt`, `syncDisabledReason`, `canResumeSync` and `SYNC_STATUS_DISABLED` are not
//!   tied to pause or resume), so a pause or resume made elsewhere is not detected; the
//!   `conductorone_xero_sync` data source reports those fields as they are.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;

use super::XeroIntegrationModel;
use crate::conductorone::models::Connector;
use crate::conductorone::{ApiError, Client, ErrorKind, ScheduleCron};
use crate::framework::validators::{CronExpression, NotBlank, TimeZoneName};
use crate::framework::{Diagnostics, TerraformModel, Value};
use crate::provider::api_error::api_error_at;

/// The connector's sync schedule: when ConductorOne syncs it by itself.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema, TerraformModel,
)]
pub struct SyncScheduleModel {
    /// A five-field cron expression: minute, hour, day of month, month, day of week (e.g.
    /// `0 2 * * *`, 02:00 every day; `0 */6 * * 1-5`, every six hours on weekdays). The API does
    /// not document its cron dialect or the shortest interval it allows: the provider checks
    /// the form, ConductorOne judges the rest and its refusal is shown on this block.
    #[terraform(required, validate(CronExpression))]
    pub cron: Value<String>,
    /// The IANA time zone the cron expression is read in, e.g. `Europe/London` or `UTC`.
    /// Required, because the API does not say what a schedule without a zone means. The
    /// provider checks the form of the name; whether the zone exists is ConductorOne's to judge.
    #[terraform(required, validate(NotBlank, TimeZoneName))]
    pub timezone: Value<String>,
}

impl SyncScheduleModel {
    fn request(&self) -> Option<ScheduleCron> {
        Some(ScheduleCron {
            cron_spec: self.cron.known()?.clone(),
            timezone: self.timezone.known()?.clone(),
        })
    }
}

/// Whether a configuration pauses syncs (so there is no sync to wait for).
pub(super) fn pauses(config: &XeroIntegrationModel) -> bool {
    config.sync_paused.known() == Some(&true)
}

/// Checks that need no network: waiting for a sync of a connector kept paused cannot end.
pub(super) fn validate(config: &XeroIntegrationModel, diags: &mut Diagnostics) {
    if pauses(config) && config.wait_for_sync.known() == Some(&true) {
        diags.warning_at(
            XeroIntegrationModel::paths().wait_for_sync(),
            "Nothing to Wait For",
            "wait_for_sync is true but sync_paused is true too: a paused connector runs no sync, so the \
             provider will not wait. Remove wait_for_sync, or set sync_paused = false.",
        );
    }
}

/// After a create: sets the configured schedule, then pauses when asked. A step that fails is
/// an error on its attribute and leaves that attribute (and any later step) unapplied in
/// `state`; the connector itself is kept.
pub(super) async fn apply_created(
    client: &Client,
    app_id: &str,
    id: &str,
    state: &mut XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let target = Connector {
        app_id: app_id.to_owned(),
        id: id.to_owned(),
        ..Connector::default()
    };
    let nothing_applied = XeroIntegrationModel {
        sync_schedule: Value::Null,
        sync_paused: Value::Null,
        ..XeroIntegrationModel::default()
    };
    apply(client, &target, &nothing_applied, state, cancel, diags).await;
}

/// After an update: sets the schedule when the plan's differs from the prior state's, pauses
/// when the plan turns `sync_paused` on, and resumes only when it turns a `true` it applied
/// into `false`. A schedule or pause left out of the plan is left to ConductorOne.
pub(super) async fn apply_updated(
    client: &Client,
    target: &Connector,
    prior: &XeroIntegrationModel,
    state: &mut XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    apply(client, target, prior, state, cancel, diags).await;
}

async fn apply(
    client: &Client,
    target: &Connector,
    prior: &XeroIntegrationModel,
    state: &mut XeroIntegrationModel,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let (app_id, id) = (target.app_id.as_str(), target.id.as_str());
    if let Some(want) = state
        .sync_schedule
        .known()
        .and_then(SyncScheduleModel::request)
        && !same_schedule(prior.sync_schedule.known(), &want)
        && let Err(e) = client.update_schedule(app_id, id, &want, cancel).await
    {
        schedule_refused(diags, &e);
        state.sync_schedule = prior.sync_schedule.clone();
        state.sync_paused = prior.sync_paused.clone();
        return;
    }
    let was_paused = prior.sync_paused.known() == Some(&true);
    let result = match state.sync_paused.known() {
        Some(true) if !was_paused => set_paused(client, target, true, cancel, diags).await,
        Some(false) if was_paused => set_paused(client, target, false, cancel, diags).await,
        _ => Ok(()),
    };
    if let Err(e) = result {
        let summary = if was_paused {
            "Cannot Resume Syncs"
        } else {
            "Cannot Pause Syncs"
        };
        api_error_at(
            diags,
            XeroIntegrationModel::paths().sync_paused(),
            summary,
            &e,
        );
        state.sync_paused = prior.sync_paused.clone();
    }
}

/// Pauses or resumes. A refusal may mean the connector already is so: paused in the console, or
/// by an earlier `sync_paused = true` that was then removed (which leaves it paused). The API
/// ties no field to a pause, so the fields that change with one in practice are read only to
/// explain a refusal, never to decide whether to call: when they agree the connector already is
/// as asked, that is a warning, not an error.
async fn set_paused(
    client: &Client,
    target: &Connector,
    pause: bool,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) -> Result<(), ApiError> {
    let (app_id, id) = (target.app_id.as_str(), target.id.as_str());
    let sent = if pause {
        client.pause_sync(app_id, id, cancel).await
    } else {
        client.resume_sync(app_id, id, cancel).await
    };
    let Err(e) = sent else { return Ok(()) };
    if e.kind() != ErrorKind::InvalidArgument {
        return Err(e);
    }
    let Ok(c) = client.get_connector(app_id, id, cancel).await else {
        return Err(e);
    };
    let disabled = c.sync_disabled_at.is_some()
        && c.status
            .as_ref()
            .is_some_and(|s| s.status == "SYNC_STATUS_DISABLED");
    if disabled != pause {
        return Err(e);
    }
    tracing::debug!(error = %e, pause, "refused, but the connector already is as asked");
    let (summary, state) = if pause {
        (
            "Connector Already Paused",
            "already shows its syncs disabled",
        )
    } else {
        ("Connector Not Paused", "shows its syncs enabled")
    };
    diags.warning_at(
        XeroIntegrationModel::paths().sync_paused(),
        summary,
        format!(
            "ConductorOne refused to {} the connector, and the connector {state}, so it is taken as \
             {}. This happens when it was paused or resumed in ConductorOne, or when an earlier \
             sync_paused = true was removed from the configuration (which leaves the connector paused).",
            if pause { "pause" } else { "resume" },
            if pause { "paused" } else { "resumed" },
        ),
    );
    Ok(())
}

/// Whether `had` is the schedule `want` asks for.
fn same_schedule(had: Option<&SyncScheduleModel>, want: &ScheduleCron) -> bool {
    had.and_then(SyncScheduleModel::request)
        .is_some_and(|h| same_cron(&h.cron_spec, &want.cron_spec) && h.timezone == want.timezone)
}

/// Cron expressions that differ only in the spaces between fields are the same schedule.
fn same_cron(a: &str, b: &str) -> bool {
    a.split_whitespace().eq(b.split_whitespace())
}

fn schedule_refused(diags: &mut Diagnostics, e: &ApiError) {
    let path = XeroIntegrationModel::paths().sync_schedule().at();
    if e.kind() == ErrorKind::InvalidArgument {
        diags.error_at(
            path,
            "Sync Schedule Refused",
            format!(
                "ConductorOne refused the sync schedule: {e}.\n\nThe provider checks only the form of the cron \
                 expression and of the time zone; ConductorOne's cron dialect, shortest interval and zone list \
                 are not documented. Check that the zone exists (e.g. \"Europe/London\") and try a plainer \
                 expression (e.g. \"0 2 * * *\"), then apply again."
            ),
        );
    } else {
        api_error_at(diags, path, "Cannot Set the Sync Schedule", e);
    }
}

/// After a refresh: the schedule ConductorOne holds, when the state manages one. The state's
/// spelling is kept when only the spaces between fields differ.
pub(super) fn read_into(state: &mut XeroIntegrationModel, connector: &Connector) {
    if state.sync_schedule.is_null() {
        return;
    }
    state.sync_schedule = schedule_of(connector, state.sync_schedule.known());
}

/// After an import: the schedule ConductorOne holds, if any (so a configuration that states it
/// plans clean); `sync_paused` stays unset, as nothing reliable tells whether it is paused.
pub(super) fn import_into(state: &mut XeroIntegrationModel, connector: &Connector) {
    state.sync_schedule = schedule_of(connector, None);
}

fn schedule_of(connector: &Connector, had: Option<&SyncScheduleModel>) -> Value<SyncScheduleModel> {
    let Some(s) = connector
        .connector_sync_cron_schedule
        .as_ref()
        .filter(|s| !s.cron_spec.is_empty())
    else {
        return Value::Null;
    };
    let cron = match had.and_then(|h| h.cron.known()) {
        Some(mine) if same_cron(mine, &s.cron_spec) => mine.clone(),
        _ => s.cron_spec.clone(),
    };
    Value::Known(SyncScheduleModel {
        cron: Value::Known(cron),
        timezone: Value::Known(s.timezone.clone()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conductorone::models::ConnectorSyncCronSchedule;

    fn schedule(cron: &str, zone: &str) -> SyncScheduleModel {
        SyncScheduleModel {
            cron: cron.into(),
            timezone: zone.into(),
        }
    }

    fn connector(schedule: Option<(&str, &str)>) -> Connector {
        Connector {
            connector_sync_cron_schedule: schedule.map(|(c, z)| ConnectorSyncCronSchedule {
                cron_spec: c.into(),
                timezone: z.into(),
                start: None,
            }),
            ..Connector::default()
        }
    }

    #[test]
    fn a_managed_schedule_reads_back_and_an_unmanaged_one_stays_out() {
        let mut state = XeroIntegrationModel {
            sync_schedule: Value::Known(schedule("0  2 * * *", "UTC")),
            ..XeroIntegrationModel::default()
        };
        read_into(&mut state, &connector(Some(("0 2 * * *", "UTC"))));
        assert_eq!(
            state.sync_schedule.known(),
            Some(&schedule("0  2 * * *", "UTC")),
            "only spacing differs: the state's spelling stays"
        );
        read_into(&mut state, &connector(Some(("0 3 * * *", "Asia/Tokyo"))));
        assert_eq!(
            state.sync_schedule.known(),
            Some(&schedule("0 3 * * *", "Asia/Tokyo")),
            "a change made elsewhere is drift"
        );
        read_into(&mut state, &connector(None));
        assert!(
            state.sync_schedule.is_null(),
            "a schedule gone is drift too"
        );

        let mut unmanaged = XeroIntegrationModel::default();
        read_into(&mut unmanaged, &connector(Some(("0 2 * * *", "UTC"))));
        assert!(unmanaged.sync_schedule.is_null());
        import_into(&mut unmanaged, &connector(Some(("0 2 * * *", "UTC"))));
        assert_eq!(
            unmanaged.sync_schedule.known(),
            Some(&schedule("0 2 * * *", "UTC"))
        );
    }

    #[test]
    fn waiting_while_paused_is_a_warning_on_wait_for_sync() {
        let config = |paused: bool| XeroIntegrationModel {
            wait_for_sync: Value::Known(true),
            sync_paused: Value::Known(paused),
            ..XeroIntegrationModel::default()
        };
        let mut d = Diagnostics::new();
        validate(&config(false), &mut d);
        assert!(d.is_empty());
        validate(&config(true), &mut d);
        let w = d.iter().next().expect("a warning");
        assert!(!w.is_error());
        assert_eq!(
            w.attribute,
            Some(XeroIntegrationModel::paths().wait_for_sync())
        );
    }

    #[test]
    fn schedules_compare_by_fields_and_zone() {
        let want = ScheduleCron {
            cron_spec: "0 2 * * *".into(),
            timezone: "UTC".into(),
        };
        assert!(same_schedule(Some(&schedule(" 0 2  * * * ", "UTC")), &want));
        assert!(!same_schedule(
            Some(&schedule("0 2 * * *", "Etc/UTC")),
            &want
        ));
        assert!(!same_schedule(Some(&schedule("0 3 * * *", "UTC")), &want));
        assert!(!same_schedule(None, &want));
    }
}
