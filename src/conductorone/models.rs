//! The ConductorOne API objects the provider reads and writes, as proto3 JSON.
//!
//! Every struct takes `#[serde(default)]` (the server omits or nulls unset fields) and ignores
//! unknown fields (the API grows). 64-bit integers are accepted as strings or numbers. Configuration
//! values are held as [`SecretString`] because one `EnvConfig` mixes secret and plain keys: a
//! `Debug` of a connector never shows a Xero client secret.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::secret::SecretString;

/// The catalog ID of ConductorOne's Xero connector.
pub const XERO_CATALOG_ID: &str = "2Yoxoe8HkSYWbW6VZ7Fy0h6cFko";
/// The `@type` of a connector configuration.
pub const ENV_CONFIG_TYPE: &str = "type.googleapis.com/c1.api.app.v1.EnvConfig";

/// An app: the ConductorOne object a connector belongs to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct App {
    /// The app's ID.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Its display name.
    pub display_name: String,
    /// Its description.
    pub description: String,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was deleted; set means gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The number of app users (int64, sent as a string).
    #[serde(deserialize_with = "lenient_i64", skip_serializing)]
    pub user_count: i64,
}

impl App {
    /// Whether the app is soft-deleted.
    #[must_use]
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// A connector: the piece of an app that syncs from a source such as Xero.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Connector {
    /// The connector's ID.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// The app it belongs to.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub app_id: String,
    /// The catalog entry it was made from ([`XERO_CATALOG_ID`] for Xero).
    #[serde(skip_serializing_if = "String::is_empty")]
    pub catalog_id: String,
    /// Its display name.
    pub display_name: String,
    /// Its description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// The integration owners' user IDs.
    #[serde(deserialize_with = "null_as_default")]
    pub user_ids: Vec<String>,
    /// The configuration (credentials); reads carry only the non-secret keys.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<EnvConfig>,
    /// When it was created.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When it was deleted; set means gone.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// The state of its syncs.
    #[serde(skip_serializing)]
    pub status: Option<ConnectorStatus>,
    /// The cron schedule of its syncs (`connectorSyncCronSchedule`); `None` when the server
    /// shows none. Written through [`crate::conductorone::Client::update_schedule`], never
    /// through an update.
    #[serde(skip_serializing)]
    pub connector_sync_cron_schedule: Option<ConnectorSyncCronSchedule>,
    /// When syncing was disabled (read-only; the API does not say what sets it).
    #[serde(skip_serializing)]
    pub sync_disabled_at: Option<DateTime<Utc>>,
    /// Why syncing was disabled, empty when it is not.
    #[serde(skip_serializing, deserialize_with = "null_as_default")]
    pub sync_disabled_reason: String,
    /// The kind of reason (free text: the API lists no values), empty when none.
    #[serde(skip_serializing, deserialize_with = "null_as_default")]
    pub sync_disabled_category: String,
    /// Whether syncing can be resumed (the API does not describe it further).
    #[serde(skip_serializing, deserialize_with = "null_as_default")]
    pub can_resume_sync: bool,
}

/// A connector's cron schedule as reads show it. Not the request's type: it also has `start`,
/// which the schedule request cannot set.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorSyncCronSchedule {
    /// The cron expression.
    #[serde(deserialize_with = "null_as_default")]
    pub cron_spec: String,
    /// The IANA time zone.
    #[serde(deserialize_with = "null_as_default")]
    pub timezone: String,
    /// Not described by the API.
    pub start: Option<DateTime<Utc>>,
}

impl Connector {
    /// Whether the connector is soft-deleted (ConductorOne keeps deleted connectors readable).
    #[must_use]
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }
}

/// A connector with paths into the `expanded` list of its answer (only the connector is used).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorView {
    /// The connector, when the server sent one.
    pub connector: Option<Connector>,
}

/// A connector's configuration: an `Any` of type [`ENV_CONFIG_TYPE`] holding string values.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EnvConfig {
    /// The configuration keys and their values (values redacted in `Debug`).
    pub values: BTreeMap<String, SecretString>,
}

impl EnvConfig {
    /// A configuration of the given keys and values.
    #[must_use]
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, SecretString)>) -> Self {
        Self {
            values: pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
        }
    }

    /// The value of `key`, when present.
    #[must_use]
    pub fn get(&self, key: &str) -> Option<&SecretString> {
        self.values.get(key)
    }
}

#[derive(Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct WireValue {
    #[serde(skip_serializing_if = "Option::is_none")]
    string_value: Option<String>,
}

#[derive(Serialize, Deserialize, Default)]
#[serde(default)]
struct WireEnvConfig {
    #[serde(rename = "@type")]
    type_url: String,
    #[serde(deserialize_with = "null_as_default")]
    configuration: BTreeMap<String, WireValue>,
}

impl Serialize for EnvConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        WireEnvConfig {
            type_url: ENV_CONFIG_TYPE.to_owned(),
            configuration: self
                .values
                .iter()
                .map(|(k, v)| {
                    (
                        k.clone(),
                        WireValue {
                            string_value: Some(v.expose().to_owned()),
                        },
                    )
                })
                .collect(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for EnvConfig {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let wire = WireEnvConfig::deserialize(d)?;
        // Another `@type`, or non-string values, carry nothing this provider manages.
        let values = wire
            .configuration
            .into_iter()
            .filter_map(|(k, v)| v.string_value.map(|s| (k, SecretString::new(s))))
            .collect();
        Ok(Self { values })
    }
}

/// The state of a connector's syncs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ConnectorStatus {
    /// `SYNC_STATUS_UNSPECIFIED`, `…_RUNNING`, `…_DONE`, `…_ERROR` or `…_DISABLED`.
    pub status: String,
    /// The last sync error, empty when none.
    pub last_error: String,
    /// When the last sync started.
    pub started_at: Option<DateTime<Utc>>,
    /// When the last sync completed.
    pub completed_at: Option<DateTime<Utc>>,
    /// When the status last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A type of resource a sync brings in (for Xero: Organization, User, Role).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppResourceType {
    /// Its ID.
    pub id: String,
    /// The app it belongs to.
    pub app_id: String,
    /// Its display name.
    pub display_name: String,
    /// The traits of its resources.
    #[serde(deserialize_with = "null_as_default")]
    pub trait_ids: Vec<String>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One synced resource (a Xero organisation, user or role).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AppResource {
    /// Its ID.
    pub id: String,
    /// The app it belongs to.
    pub app_id: String,
    /// The resource type it is of.
    pub app_resource_type_id: String,
    /// Its display name.
    pub display_name: String,
    /// Its description.
    pub description: String,
    /// Its ID in the source system.
    pub external_id: String,
    /// How many grants it has (int64, sent as a string).
    #[serde(deserialize_with = "lenient_i64")]
    pub grant_count: i64,
    /// The resource it sits under, empty when none.
    pub parent_app_resource_id: String,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was last changed.
    pub updated_at: Option<DateTime<Utc>>,
}

/// One page of a list answer: `{"list": [...], "nextPageToken": "..."}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase", default, bound = "T: Deserialize<'de>")]
pub(crate) struct Page<T> {
    #[serde(deserialize_with = "null_as_default")]
    pub(crate) list: Vec<T>,
    #[serde(deserialize_with = "null_as_default")]
    pub(crate) next_page_token: String,
}

impl<T> Default for Page<T> {
    fn default() -> Self {
        Self {
            list: Vec::new(),
            next_page_token: String::new(),
        }
    }
}

/// Accepts a 64-bit integer as a JSON string (proto3 JSON) or number; null or "" is 0.
fn lenient_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Num(i64),
        Float(f64),
        Str(String),
    }
    match Option::<Raw>::deserialize(d)? {
        None => Ok(0),
        Some(Raw::Num(n)) => Ok(n),
        Some(Raw::Float(f)) if f.fract() == 0.0 && f.abs() < 9.0e15 => Ok(f as i64),
        Some(Raw::Float(f)) => Err(serde::de::Error::custom(format!("{f} is not an integer"))),
        Some(Raw::Str(s)) if s.trim().is_empty() => Ok(0),
        Some(Raw::Str(s)) => s.trim().parse().map_err(serde::de::Error::custom),
    }
}

/// Treats an explicit JSON `null` like an absent field.
fn null_as_default<'de, D: Deserializer<'de>, T: Deserialize<'de> + Default>(
    d: D,
) -> Result<T, D::Error> {
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn connector_reads_proto3_json_with_nulls_unknowns_and_config() {
        let json = serde_json::json!({
            "id": "c1", "appId": "a1", "catalogId": XERO_CATALOG_ID, "displayName": "Xero",
            "userIds": null, "futureField": {"x": 1}, "deletedAt": null,
            "createdAt": "2024-05-01T10:00:00.123Z",
            "config": {"@type": ENV_CONFIG_TYPE, "configuration": {
                "xero_client_id": {"stringValue": "ABC"}, "other": {"boolValue": true}}},
            "status": {"status": "SYNC_STATUS_DONE", "lastError": ""}
        });
        let c: Connector = serde_json::from_value(json).unwrap();
        assert_eq!(c.catalog_id, XERO_CATALOG_ID);
        assert!(c.user_ids.is_empty());
        assert!(!c.is_deleted());
        let cfg = c.config.unwrap();
        assert_eq!(
            cfg.get("xero_client_id").map(SecretString::expose),
            Some("ABC")
        );
        assert!(cfg.get("other").is_none());
        assert_eq!(c.status.unwrap().status, "SYNC_STATUS_DONE");
    }

    #[test]
    fn connector_reads_schedule_and_sync_disabled_state() {
        let json = serde_json::json!({
            "connectorSyncCronSchedule": {"cronSpec": "0 2 * * *", "timezone": "UTC", "start": null},
            "syncDisabledAt": "2024-05-01T10:00:00Z", "syncDisabledReason": "Paused",
            "syncDisabledCategory": null, "canResumeSync": true
        });
        let c: Connector = serde_json::from_value(json).unwrap();
        let s = c.connector_sync_cron_schedule.clone().unwrap();
        assert_eq!(
            (s.cron_spec.as_str(), s.timezone.as_str()),
            ("0 2 * * *", "UTC")
        );
        assert!(s.start.is_none());
        assert!(c.sync_disabled_at.is_some() && c.can_resume_sync);
        assert_eq!(c.sync_disabled_reason, "Paused");
        assert_eq!(c.sync_disabled_category, "");
        let none: Connector = serde_json::from_value(serde_json::json!({
            "connectorSyncCronSchedule": null, "syncDisabledAt": null, "canResumeSync": null
        }))
        .unwrap();
        assert!(none.connector_sync_cron_schedule.is_none() && !none.can_resume_sync);
        // Read-only state never goes back in an update body.
        let body = serde_json::to_value(&c).unwrap();
        for key in [
            "connectorSyncCronSchedule",
            "syncDisabledAt",
            "syncDisabledReason",
            "canResumeSync",
        ] {
            assert!(body.get(key).is_none(), "{key} in {body}");
        }
    }

    #[test]
    fn env_config_writes_the_any_shape_and_debug_hides_values() {
        let cfg = EnvConfig::from_pairs([("xero_client_secret", SecretString::new("hunter2"))]);
        let v = serde_json::to_value(&cfg).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"@type": ENV_CONFIG_TYPE,
                "configuration": {"xero_client_secret": {"stringValue": "hunter2"}}})
        );
        let c = Connector {
            config: Some(cfg),
            ..Connector::default()
        };
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn int64_as_string_or_number() {
        for (raw, want) in [
            ("\"42\"", 42),
            ("42", 42),
            ("null", 0),
            ("\"\"", 0),
            ("42.0", 42),
        ] {
            let r: AppResource =
                serde_json::from_str(&format!("{{\"grantCount\": {raw}}}")).unwrap();
            assert_eq!(r.grant_count, want, "{raw}");
        }
        assert!(serde_json::from_str::<AppResource>("{\"grantCount\": \"x\"}").is_err());
        assert!(serde_json::from_str::<AppResource>("{\"grantCount\": 1.5}").is_err());
    }

    #[test]
    fn page_with_missing_token_ends() {
        let p: Page<AppResourceType> = serde_json::from_str(r#"{"list":[{"id":"t"}]}"#).unwrap();
        assert_eq!(p.list.len(), 1);
        assert!(p.next_page_token.is_empty());
    }
}
