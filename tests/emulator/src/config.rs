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
    /// Delay the request by this long, then answer normally.
    Latency(#[serde(with = "duration_ms")] Duration),
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
    /// Soft-delete the connector.
    #[serde(default)]
    pub deleted: bool,
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
