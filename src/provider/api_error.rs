//! The one mapping from a failed ConductorOne call to a diagnostic, used by every resource, data
//! source and action: a summary naming what failed, ConductorOne's error (operation, status,
//! message, request ID), and what to do about it for that kind of failure.

use crate::conductorone::{ApiError, ErrorKind};
use crate::framework::{Diagnostics, Path};

/// Adds the error diagnostic for `e` under `summary` (e.g. "Cannot Read the Xero Connector").
pub(crate) fn api_error(diags: &mut Diagnostics, summary: &str, e: &ApiError) {
    diags.error(summary, detail(e));
}

/// [`api_error`] on the attribute the failure concerns (e.g. the `app_id` that names no app).
pub(crate) fn api_error_at(diags: &mut Diagnostics, at: Path, summary: &str, e: &ApiError) {
    diags.error_at(at, summary, detail(e));
}

/// The detail of [`api_error`]'s diagnostic, for callers that word the summary or pick the
/// severity themselves (a list warns about one app and goes on).
pub(crate) fn detail(e: &ApiError) -> String {
    let hint = match e.kind() {
        ErrorKind::NotFound => "The app or connector does not exist (any more). Check app_id and integration_id, or \
                                run `terraform refresh` to notice objects deleted outside Terraform."
            .to_owned(),
        ErrorKind::Unauthenticated(c) => format!(
            "ConductorOne refused the provider's credentials. Check {} in the provider block (or their \
             CONDUCTORONE_* environment variables).",
            c.attributes()
        ),
        ErrorKind::PermissionDenied => "The API client is not allowed to do this. Give its service user a role \
                                        that may manage apps and connectors (e.g. App Admin or Super Admin)."
            .to_owned(),
        ErrorKind::InvalidArgument => "ConductorOne rejected the request. Check the values in the configuration: \
                                       user_ids must be IDs of ConductorOne users, app_id of an existing app."
            .to_owned(),
        ErrorKind::RateLimited => "ConductorOne kept answering \"too many requests\". Wait a minute and run the \
                                   command again, or lower Terraform's -parallelism."
            .to_owned(),
        ErrorKind::Server | ErrorKind::Transport | ErrorKind::Timeout => {
            "ConductorOne could not be reached or failed. Check the provider's server_url and your network, \
             then run the command again."
                .to_owned()
        }
        ErrorKind::Cancelled => "Terraform was interrupted; run the command again.".to_owned(),
    };
    format!("{e}.\n\n{hint}")
}
