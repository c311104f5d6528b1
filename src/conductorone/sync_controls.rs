//! Sync controls of one connector: its cron schedule, pause and resume. Each answers `{}`;
//! what they changed shows on the next read of the connector.

use http::Method;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::client::{Client, Endpoint};
use super::error::ApiError;

/// A cron schedule to set: a cron expression and the IANA time zone it is read in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleCron {
    /// The cron expression, e.g. `0 2 * * *`.
    pub cron_spec: String,
    /// The IANA time zone, e.g. `Europe/London`.
    pub timezone: String,
}

/// `UpdateConnectorScheduleRequest`: `cron` is the only member of its `schedule` oneof.
#[derive(Serialize)]
struct ScheduleBody<'a> {
    cron: &'a ScheduleCron,
}

const SCHEDULE: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/schedule";
const PAUSE: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/pause";
const RESUME: &str = "/api/v1/apps/{app_id}/connectors/{connector_id}/resume";

impl Client {
    /// Sets the connector's sync schedule (`ConnectorService.UpdateConnectorSchedule`, alpha).
    /// The server judges the cron expression and the zone; a refusal is `InvalidArgument`.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn update_schedule(
        &self,
        app_id: &str,
        connector_id: &str,
        cron: &ScheduleCron,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        self.control(
            app_id,
            connector_id,
            "schedule",
            SCHEDULE,
            &ScheduleBody { cron },
            cancel,
        )
        .await
    }

    /// Pauses the connector: no sync and no provisioning runs until it is resumed.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn pause_sync(
        &self,
        app_id: &str,
        connector_id: &str,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let empty = serde_json::json!({});
        self.control(app_id, connector_id, "pause", PAUSE, &empty, cancel)
            .await
    }

    /// Resumes the connector: clears the paused state and starts a new sync.
    ///
    /// # Errors
    /// Any [`ApiError`].
    pub async fn resume_sync(
        &self,
        app_id: &str,
        connector_id: &str,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let empty = serde_json::json!({});
        self.control(app_id, connector_id, "resume", RESUME, &empty, cancel)
            .await
    }

    /// One `POST …/connectors/{connector_id}/<action>` answering `{}`. Sent again after an
    /// ambiguous failure like the other updates: repeating sets the same schedule; a repeated
    /// pause or resume may be refused if the first took effect (the API does not say), which
    /// then surfaces as an error to act on rather than passing silently.
    async fn control<B: Serialize + Sync>(
        &self,
        app_id: &str,
        connector_id: &str,
        action: &str,
        operation: &str,
        body: &B,
        cancel: &CancellationToken,
    ) -> Result<(), ApiError> {
        let path = [
            "api",
            "v1",
            "apps",
            app_id,
            "connectors",
            connector_id,
            action,
        ];
        let _: serde_json::Value = self
            .call(
                Endpoint::new(Method::POST, &path, operation),
                Some(body),
                cancel,
                None,
            )
            .await?;
        Ok(())
    }
}
