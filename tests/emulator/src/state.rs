//! The emulator's in-memory world: API clients, tokens, users, apps, connectors, synced
//! resources, Xero apps, injected faults and counters, behind one mutex.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::http::Method;
use chrono::{DateTime, Utc};
use ed25519_dalek::{SigningKey, VerifyingKey};
use serde_json::Value;

use crate::config::{Config, Counters, Fault, FaultKind, SyncBehaviour, XeroAppKind};

/// State shared by every handler and by the [`crate::Emulator`] handle.
pub(crate) struct Shared {
    /// The configuration the emulator was started with.
    pub(crate) config: Config,
    /// The key of the trusted OIDC issuer whose tokens the token exchange accepts.
    pub(crate) oidc_key: SigningKey,
    /// The `iss` of the tokens that issuer mints.
    pub(crate) oidc_issuer: String,
    /// Where sync simulations are spawned, so they can be started from outside the runtime.
    pub(crate) runtime: tokio::runtime::Handle,
    inner: Mutex<Inner>,
}

/// Everything that changes.
#[derive(Default)]
pub(crate) struct Inner {
    pub(crate) latency: Duration,
    pub(crate) render_deleted: bool,
    pub(crate) clients: HashMap<String, ApiClient>,
    pub(crate) tokens: HashMap<String, Token>,
    pub(crate) users: Vec<User>,
    pub(crate) apps: Vec<App>,
    pub(crate) connectors: Vec<Connector>,
    pub(crate) resource_types: Vec<ResourceType>,
    pub(crate) resources: Vec<Resource>,
    pub(crate) xero_apps: HashMap<String, XeroApp>,
    pub(crate) xero_tokens: HashMap<String, XeroToken>,
    pub(crate) faults: Vec<ActiveFault>,
    pub(crate) counters: Counters,
    /// Test-set sync behaviours, by connector ID (IDs are unique across apps).
    pub(crate) sync_behaviours: HashMap<String, SyncBehaviour>,
    /// Connectors with a forced sync waiting on the queue (one at most each: forcing again
    /// while one waits adds nothing).
    pub(crate) queued_syncs: HashSet<String>,
}

/// A registered ConductorOne API client (its secret is given out once and not kept).
pub(crate) struct ApiClient {
    pub(crate) public_key: VerifyingKey,
    pub(crate) user_id: String,
}

/// An issued ConductorOne bearer token.
pub(crate) struct Token {
    pub(crate) user_id: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// A ConductorOne user.
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) email: String,
}

/// An app; `extra` holds the writable fields the emulator does not interpret.
pub(crate) struct App {
    pub(crate) id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) extra: serde_json::Map<String, Value>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) deleted_at: Option<DateTime<Utc>>,
}

/// The sync states of a connector.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum SyncState {
    Unspecified,
    Running,
    Done,
    Error,
    /// Paused: no sync and no provisioning runs until the connector is resumed.
    Disabled,
}

impl SyncState {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "SYNC_STATUS_UNSPECIFIED",
            Self::Running => "SYNC_STATUS_RUNNING",
            Self::Done => "SYNC_STATUS_DONE",
            Self::Error => "SYNC_STATUS_ERROR",
            Self::Disabled => "SYNC_STATUS_DISABLED",
        }
    }
}

/// A connector's sync status.
pub(crate) struct Status {
    pub(crate) state: SyncState,
    pub(crate) last_error: String,
    pub(crate) started_at: Option<DateTime<Utc>>,
    pub(crate) completed_at: Option<DateTime<Utc>>,
    pub(crate) updated_at: Option<DateTime<Utc>>,
}

/// A connector; `config` maps configuration keys to their value objects (`{"stringValue": …}`),
/// secrets included, `None` for a delegated connector that was never configured.
pub(crate) struct Connector {
    pub(crate) id: String,
    pub(crate) app_id: String,
    pub(crate) catalog_id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) user_ids: Vec<String>,
    pub(crate) config: Option<serde_json::Map<String, Value>>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
    pub(crate) config_updated_at: Option<DateTime<Utc>>,
    pub(crate) deleted_at: Option<DateTime<Utc>>,
    pub(crate) status: Status,
    /// Bumped by every sync start, so a stale sync cannot overwrite a newer one's result.
    pub(crate) sync_generation: u64,
    /// Until then lists and gets leave it out (see [`Fault::effect_hidden_for`]).
    pub(crate) hidden_until: Option<DateTime<Utc>>,
    /// The cron schedule set through the schedule endpoint (none until one is set).
    pub(crate) schedule: Option<CronSchedule>,
    /// Set while the connector is paused.
    pub(crate) paused: Option<Paused>,
}

/// A connector's cron schedule, as `connectorSyncCronSchedule` renders it (`start` stays null:
/// the schedule request cannot set it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CronSchedule {
    pub(crate) cron_spec: String,
    pub(crate) timezone: String,
}

/// Why and since when a connector's syncs are paused (`syncDisabledAt`, `syncDisabledReason`).
#[derive(Clone, Debug)]
pub(crate) struct Paused {
    pub(crate) at: DateTime<Utc>,
    pub(crate) reason: String,
}

impl Connector {
    /// Whether reads show it yet.
    pub(crate) fn visible(&self, now: DateTime<Utc>) -> bool {
        self.hidden_until.is_none_or(|t| t <= now)
    }
}

/// A resource type brought in by a sync.
pub(crate) struct ResourceType {
    pub(crate) id: String,
    pub(crate) app_id: String,
    pub(crate) display_name: String,
    pub(crate) trait_ids: Vec<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// A resource brought in by a sync.
pub(crate) struct Resource {
    pub(crate) id: String,
    pub(crate) app_id: String,
    pub(crate) resource_type_id: String,
    pub(crate) display_name: String,
    pub(crate) description: String,
    pub(crate) external_id: String,
    pub(crate) grant_count: u64,
    pub(crate) parent_id: String,
    pub(crate) parent_type_id: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// A Xero app registered with the emulated identity service, with the one organisation it
/// reaches.
pub(crate) struct XeroApp {
    pub(crate) secret: String,
    pub(crate) kind: XeroAppKind,
    pub(crate) scopes: Vec<&'static str>,
    pub(crate) tenant: crate::xero_data::Tenant,
}

/// An access token issued by the emulated Xero identity service.
pub(crate) struct XeroToken {
    pub(crate) client_id: String,
    pub(crate) expires_at: DateTime<Utc>,
}

/// What a fault that hit a request does: its kind, whether the handler runs first, and how long
/// what the handler creates stays hidden.
pub(crate) struct FaultHit {
    pub(crate) kind: FaultKind,
    pub(crate) after_effect: bool,
    pub(crate) effect_hidden_for: Duration,
}

/// A fault with its remaining uses.
pub(crate) struct ActiveFault {
    pub(crate) fault: Fault,
    /// `None`: unlimited.
    pub(crate) remaining: Option<u32>,
}

impl Shared {
    pub(crate) fn new(config: Config, oidc_issuer: String) -> Arc<Self> {
        let latency = config.latency;
        Arc::new(Self {
            config,
            oidc_key: SigningKey::generate(&mut rand::rngs::OsRng),
            oidc_issuer,
            runtime: tokio::runtime::Handle::current(),
            inner: Mutex::new(Inner {
                latency,
                ..Inner::default()
            }),
        })
    }

    /// Locks the state; a panic in another holder does not make the state unusable for tests.
    pub(crate) fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Takes one use of the first fault matching the request, if any.
    pub(crate) fn take_fault(&self, method: &Method, path: &str) -> Option<FaultHit> {
        let mut inner = self.lock();
        let idx = inner.faults.iter().position(|f| {
            f.fault.method.as_ref().is_none_or(|m| m == method)
                && path.contains(&f.fault.path_contains)
        })?;
        let active = &mut inner.faults[idx];
        let hit = FaultHit {
            kind: active.fault.kind.clone(),
            after_effect: active.fault.after_effect,
            effect_hidden_for: active.fault.effect_hidden_for,
        };
        if let Some(n) = &mut active.remaining {
            *n -= 1;
            if *n == 0 {
                inner.faults.remove(idx);
            }
        }
        Some(hit)
    }
}

impl Inner {
    pub(crate) fn app(&self, id: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.id == id)
    }

    pub(crate) fn live_app(&self, id: &str) -> Option<&App> {
        self.app(id).filter(|a| a.deleted_at.is_none())
    }

    pub(crate) fn connector_mut(&mut self, app_id: &str, id: &str) -> Option<&mut Connector> {
        self.connectors
            .iter_mut()
            .find(|c| c.app_id == app_id && c.id == id)
    }
}
