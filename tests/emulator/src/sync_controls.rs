//! Sync controls of one connector: the cron schedule, pause and resume.
//!
//! The facts leave much open (cron dialect, what an empty zone means, whether pausing a paused
//! connector is an error); where they do, the emulator takes the stricter reading, so a client
//! that works here does not lean on a leniency the real API may not have:
//! - a schedule needs `cron` with a five-field `cronSpec` (digits, names, `*`, `,`, `-`, `/`)
//!   and a `timezone` from [`KNOWN_ZONES`] (a short list: a real zone missing from it is refused
//!   too); unknown fields are refused;
//! - pausing a paused connector, or resuming one that is not paused, is `FAILED_PRECONDITION`;
//! - a pause stops the sync running then (its result is dropped) and the queued one.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::{ApiError, Body};
use crate::state::{Connector, CronSchedule, Paused, Shared, Status, SyncState};
use crate::sync;

/// The IANA zones the emulator's schedule endpoint accepts.
pub const KNOWN_ZONES: &[&str] = &[
    "UTC",
    "Etc/UTC",
    "Etc/GMT",
    "GMT",
    "Africa/Johannesburg",
    "Africa/Lagos",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/New_York",
    "America/Sao_Paulo",
    "America/Toronto",
    "America/Argentina/Buenos_Aires",
    "Asia/Kolkata",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Australia/Melbourne",
    "Australia/Sydney",
    "Europe/Berlin",
    "Europe/Dublin",
    "Europe/London",
    "Europe/Paris",
    "Pacific/Auckland",
];

/// The reason a pause through the API records.
const PAUSE_REASON: &str = "Paused through the API";

/// A body with no fields: anything in it is an unknown field.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Empty {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ScheduleReq {
    #[serde(default)]
    cron: Option<CronReq>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CronReq {
    #[serde(default, alias = "cron_spec")]
    cron_spec: Option<String>,
    #[serde(default)]
    timezone: Option<String>,
}

/// Whether `spec` has five fields made of what cron fields are made of.
fn five_fields(spec: &str) -> bool {
    let fields: Vec<&str> = spec.split_whitespace().collect();
    fields.len() == 5
        && fields.iter().all(|f| {
            f.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '*' | ',' | '-' | '/'))
        })
}

fn check(req: ScheduleReq) -> Result<CronSchedule, ApiError> {
    let Some(cron) = req.cron else {
        return Err(ApiError::invalid(
            "schedule: cron must be set (it is the only kind of schedule)",
        ));
    };
    let spec = cron.cron_spec.unwrap_or_default();
    if !five_fields(&spec) {
        return Err(ApiError::invalid(format!(
            "cron.cronSpec {spec:?} is not a valid cron expression"
        )));
    }
    let zone = cron.timezone.unwrap_or_default();
    if !KNOWN_ZONES.contains(&zone.as_str()) {
        return Err(ApiError::invalid(format!(
            "cron.timezone {zone:?} is not a known time zone"
        )));
    }
    Ok(CronSchedule {
        cron_spec: spec,
        timezone: zone,
    })
}

fn live<'a>(
    inner: &'a mut crate::state::Inner,
    app_id: &str,
    id: &str,
) -> Result<&'a mut Connector, ApiError> {
    inner
        .connector_mut(app_id, id)
        .filter(|c| c.deleted_at.is_none())
        .ok_or_else(|| ApiError::not_found(format!("connector {id} of app {app_id}")))
}

/// Pauses `c`: no sync runs until it is resumed (the running one's result is dropped).
pub(crate) fn pause(c: &mut Connector, reason: &str) {
    let now = Utc::now();
    c.paused = Some(Paused {
        at: now,
        reason: reason.to_owned(),
    });
    // A sync still running cannot overwrite the paused state.
    c.sync_generation += 1;
    c.status.state = SyncState::Disabled;
    c.status.updated_at = Some(now);
    c.updated_at = now;
}

/// Resumes `c`: clears the paused state and starts a sync (a connector never configured has
/// nothing to sync and shows no sync).
pub(crate) fn resume(shared: &Arc<Shared>, c: &mut Connector) {
    let now = Utc::now();
    c.paused = None;
    c.updated_at = now;
    if c.config.is_some() {
        sync::begin(shared, c);
    } else {
        c.status = Status {
            state: SyncState::Unspecified,
            last_error: String::new(),
            started_at: None,
            completed_at: None,
            updated_at: Some(now),
        };
    }
}

/// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/schedule`: sets the cron schedule
/// (`connectorSyncCronSchedule` on later reads).
pub(crate) async fn schedule_route(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(req): Body<ScheduleReq>,
) -> Result<Json<Value>, ApiError> {
    let schedule = check(req)?;
    let mut inner = shared.lock();
    let c = live(&mut inner, &app_id, &id)?;
    c.schedule = Some(schedule);
    c.updated_at = Utc::now();
    Ok(Json(json!({})))
}

/// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/pause`.
pub(crate) async fn pause_route(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<Value>, ApiError> {
    let mut inner = shared.lock();
    let inner = &mut *inner;
    let c = live(inner, &app_id, &id)?;
    if c.paused.is_some() {
        return Err(ApiError::failed_precondition(
            "the connector's syncs are already paused",
        ));
    }
    pause(c, PAUSE_REASON);
    inner.queued_syncs.remove(&id);
    Ok(Json(json!({})))
}

/// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/resume`.
pub(crate) async fn resume_route(
    State(shared): State<Arc<Shared>>,
    _caller: Caller,
    Path((app_id, id)): Path<(String, String)>,
    Body(Empty {}): Body<Empty>,
) -> Result<Json<Value>, ApiError> {
    let mut inner = shared.lock();
    let c = live(&mut inner, &app_id, &id)?;
    if c.paused.is_none() {
        return Err(ApiError::failed_precondition(
            "the connector's syncs are not paused",
        ));
    }
    resume(&shared, c);
    Ok(Json(json!({})))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_specs() {
        for ok in ["0 2 * * *", "*/15 0-6 1,15 JAN-DEC mon-fri", " 5  4 * * 0 "] {
            assert!(five_fields(ok), "{ok}");
        }
        for bad in [
            "",
            "@hourly",
            "0 2 * *",
            "0 0 2 * * *",
            "0 2 ? * *",
            "0 2 * * L#2",
        ] {
            assert!(!five_fields(bad), "{bad}");
        }
    }
}
