//! The public knobs of the emulator: its configuration, injected faults, out-of-band edits and
//! request counters. Every type here also travels as JSON over the `/_emulator/` control API.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use axum::http::Method;

/// How the emulator behaves; `Config::default()` suits most tests.
#[derive(Clone, Debug)]
pub struct Config {
    /// The largest page any list answers with. Small by default so that every client loop that
    /// follows `nextPageToken` is exercised; a larger `pageSize` in a request is capped to it.
    pub page_size: usize,
    /// How long a simulated connector sync stays `SYNC_STATUS_RUNNING`.
    pub sync_duration: Duration,
    /// How long a forced sync waits on the queue before it starts. Meanwhile the connector still
    /// shows its previous sync, as ConductorOne's does: `force_sync` answering 200 means
    /// "accepted", not "started".
    pub force_sync_queue: Duration,
    /// Delay added before answering every request on both ports.
    pub latency: Duration,
    /// Lifetime of the bearer tokens `/auth/v1/token` issues.
    pub token_lifetime: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            page_size: 2,
            sync_duration: Duration::from_millis(300),
            force_sync_queue: Duration::from_millis(100),
            latency: Duration::ZERO,
            token_lifetime: Duration::from_secs(3600),
        }
    }
}

/// The two kinds of Xero app that matter to a credential check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum XeroAppKind {
    /// May use `authorization_code` and `refresh_token` only; `client_credentials` is refused with
    /// `unauthorized_client`.
    #[serde(alias = "web_app")]
    WebApp,
    /// May use `client_credentials`: a connector holding these credentials syncs.
    #[serde(alias = "custom_connection")]
    CustomConnection,
}

/// A fault to inject into matching requests on either port.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Fault {
    /// Only requests with this method match; `None` matches any method.
    #[serde(default, with = "method_serde")]
    pub method: Option<Method>,
    /// A request matches when its path contains this string (an empty string matches all).
    #[serde(default)]
    pub path_contains: String,
    /// What happens to a matching request.
    pub kind: FaultKind,
    /// How many matching requests the fault hits; 0 means every one until the faults are cleared.
    #[serde(default)]
    pub times: u32,
    /// Run the request's handler first (its effect is applied) and only then fail; with `false`
    /// the request never reaches the handler.
    #[serde(default)]
    pub after_effect: bool,
    /// With `after_effect`: a connector the request creates is left out of lists and gets for
    /// this long (JSON `effect_hidden_ms`), as a backend that commits before its reads catch up
    /// would. Zero shows it at once.
    #[serde(default, rename = "effect_hidden_ms", with = "duration_ms")]
    pub effect_hidden_for: Duration,
}

impl Fault {
    /// A fault of `kind` for requests of `method` whose path contains `path_contains`, hitting
    /// `times` requests (0: all), before the handler runs and without hiding anything.
    #[must_use]
    pub fn new(method: Option<Method>, path_contains: &str, kind: FaultKind, times: u32) -> Self {
        Self {
            method,
            path_contains: path_contains.to_owned(),
            kind,
            times,
            after_effect: false,
            effect_hidden_for: Duration::ZERO,
        }
    }

    /// The same fault, run after the handler took effect; what it creates stays hidden for
    /// `hidden` (see [`Fault::effect_hidden_for`]).
    #[must_use]
    pub fn after_effect_hidden_for(self, hidden: Duration) -> Self {
        Self {
            after_effect: true,
            effect_hidden_for: hidden,
            ..self
        }
    }
}

/// The ways a request can be made to fail.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this HTTP status (and `Retry-After` when given) instead of the real answer.
    Status {
        /// The HTTP status code.
        code: u16,
        /// Seconds for the `Retry-After` header.
        #[serde(default)]
        retry_after: Option<u64>,
    },
    /// Close the connection without any answer.
    Drop,
    /// Delay the request by this long, then answer normally; with `after_effect`, run the
    /// handler first and delay only its answer.
    Latency(#[serde(with = "duration_ms")] Duration),
}

/// How the syncs of one connector go, for tests (set with `Emulator::set_sync_behaviour` or
/// `POST /_emulator/sync-behaviour`). Applies to every sync that starts while it is set.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncBehaviour {
    /// How long a forced sync stays queued (JSON `queued_ms`); `None`: `Config::force_sync_queue`.
    #[serde(default, rename = "queued_ms", with = "opt_duration_ms")]
    pub queued_for: Option<Duration>,
    /// How long a sync runs (JSON `duration_ms`); `None`: `Config::sync_duration`.
    #[serde(default, rename = "duration_ms", with = "opt_duration_ms")]
    pub duration: Option<Duration>,
    /// How a sync ends.
    #[serde(default)]
    pub outcome: SyncOutcome,
}

/// How a simulated sync ends.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SyncOutcome {
    /// As the stored credentials decide: a Xero Custom Connection syncs, anything else fails
    /// with Xero's token error as `lastError`.
    #[default]
    Credentials,
    /// `SYNC_STATUS_DONE` whatever the credentials (what they reach is brought in, if anything).
    Succeed,
    /// `SYNC_STATUS_ERROR` with this `lastError` (JSON `{"fail": {"last_error": "…"}}`).
    Fail {
        /// The error the connector reports.
        last_error: String,
    },
    /// The sync stays `SYNC_STATUS_RUNNING` for good (JSON `"never"`).
    Never,
}

/// An edit made to a connector behind the provider's back, as an admin in the UI would.
#[derive(Clone, Default, Serialize, Deserialize)]
pub struct OutOfBand {
    /// New owners.
    #[serde(default)]
    pub user_ids: Option<Vec<String>>,
    /// New Xero client ID in the connector's configuration (starts a sync).
    #[serde(default)]
    pub xero_client_id: Option<String>,
    /// New Xero client secret in the connector's configuration (starts a sync).
    #[serde(default)]
    pub xero_client_secret: Option<String>,
    /// A new sync schedule, as if set in the console (no check of the cron or zone).
    #[serde(default)]
    pub sync_schedule: Option<ScheduleSpec>,
    /// `true` pauses the connector's syncs (as the console's pause does), `false` resumes them
    /// (starting a sync); either is ignored when the connector is already so.
    #[serde(default)]
    pub paused: Option<bool>,
    /// Soft-delete the connector.
    #[serde(default)]
    pub deleted: bool,
}

/// A cron schedule given out of band (JSON `{"cron_spec": "0 2 * * *", "timezone": "UTC"}`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScheduleSpec {
    /// The cron expression.
    pub cron_spec: String,
    /// The IANA time zone.
    pub timezone: String,
}

impl std::fmt::Debug for OutOfBand {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OutOfBand")
            .field("user_ids", &self.user_ids)
            .field("xero_client_id", &self.xero_client_id)
            .field(
                "xero_client_secret",
                &self.xero_client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("sync_schedule", &self.sync_schedule)
            .field("paused", &self.paused)
            .field("deleted", &self.deleted)
            .finish()
    }
}

/// Request counts since start or the last reset.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counters {
    /// `POST /auth/v1/token` requests by outcome: `issued`, `refused` (bad credentials),
    /// `invalid_request` (malformed or unsupported grant) or `fault` (an injected fault hit it).
    pub token_requests: BTreeMap<String, u64>,
    /// Every other request by `"METHOD /route/template"`, the template spelled as in the OpenAPI
    /// description, e.g. `"GET /api/v1/apps/{app_id}/connectors/{id}"`; refused ones included.
    pub api_requests: BTreeMap<String, u64>,
    /// Xero `POST /connect/token` requests by outcome: `issued`, the OAuth error code
    /// (`invalid_client`, `unauthorized_client`, …) or `fault`.
    pub xero_token_requests: BTreeMap<String, u64>,
}

impl Counters {
    /// All ConductorOne token requests, whatever their outcome.
    #[must_use]
    pub fn token_total(&self) -> u64 {
        self.token_requests.values().sum()
    }

    /// Requests to one route, e.g. `counters.api(Route::CreateConnector)`. Typed so that a
    /// misspelt or renamed route cannot read as "never requested".
    #[must_use]
    pub fn api(&self, route: crate::Route) -> u64 {
        self.api_requests.get(route.key()).copied().unwrap_or(0)
    }

    /// Counted keys that name no [`crate::Route`]: a route served but missing from the enum.
    #[must_use]
    pub fn unnamed_routes(&self) -> Vec<&str> {
        self.api_requests
            .keys()
            .map(String::as_str)
            .filter(|k| crate::Route::from_key(k).is_none())
            .collect()
    }

    /// All API requests, every route together.
    #[must_use]
    pub fn api_total(&self) -> u64 {
        self.api_requests.values().sum()
    }

    /// All Xero token requests, whatever their outcome.
    #[must_use]
    pub fn xero_total(&self) -> u64 {
        self.xero_token_requests.values().sum()
    }
}

mod method_serde {
    use axum::http::Method;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(m: &Option<Method>, s: S) -> Result<S::Ok, S::Error> {
        match m {
            Some(m) => s.serialize_some(m.as_str()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Method>, D::Error> {
        let text = Option::<String>::deserialize(d)?;
        text.map(|t| Method::from_bytes(t.to_ascii_uppercase().as_bytes()))
            .transpose()
            .map_err(serde::de::Error::custom)
    }
}

mod opt_duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    #[allow(clippy::ref_option)] // serde's `with` hands a reference to the field
    pub(super) fn serialize<S: Serializer>(d: &Option<Duration>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_some(&u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Duration>, D::Error> {
        Ok(Option::<u64>::deserialize(d)?.map(Duration::from_millis))
    }
}

mod duration_ms {
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        u64::deserialize(d).map(Duration::from_millis)
    }
}
