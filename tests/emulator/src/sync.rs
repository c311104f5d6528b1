//! Simulated connector syncs: `SYNC_STATUS_RUNNING` for the configured duration, then a check of
//! the stored Xero credentials against the registered Xero apps decides the outcome, and a
//! successful Xero sync brings the organisation, its users and its roles into the app.
//!
//! A forced sync is queued: the connector keeps showing its previous sync until the queued one
//! starts (after `Config::force_sync_queue`, or once the sync running then ends). A test can
//! set, per connector, how long syncs queue and run and how they end ([`SyncBehaviour`]).

use std::sync::Arc;

use chrono::Utc;
use serde_json::Value;

use crate::config::{SyncBehaviour, SyncOutcome, XeroAppKind};
use crate::connectors::XERO_CATALOG;
use crate::ids;
use crate::state::{Connector, Inner, Resource, ResourceType, Shared, Status, SyncState};
use crate::xero_data::{ROLES, Tenant};

/// Marks `c` running and schedules the end of its sync; a paused connector starts none.
pub(crate) fn begin(shared: &Arc<Shared>, c: &mut Connector) {
    if c.paused.is_some() {
        return;
    }
    let now = Utc::now();
    c.sync_generation += 1;
    c.status = Status {
        state: SyncState::Running,
        last_error: String::new(),
        started_at: Some(now),
        completed_at: None,
        updated_at: Some(now),
    };
    let (app_id, id, generation) = (c.app_id.clone(), c.id.clone(), c.sync_generation);
    let shared2 = Arc::clone(shared);
    shared.runtime.spawn(async move {
        // Read once the caller, who holds the lock, has let go of it.
        let behaviour = behaviour_of(&shared2, &id);
        if behaviour.outcome == SyncOutcome::Never {
            return;
        }
        let delay = behaviour.duration.unwrap_or(shared2.config.sync_duration);
        tokio::time::sleep(delay).await;
        finish(&shared2, &app_id, &id, generation);
    });
}

/// Queues a forced sync of `c`: it starts after the queue delay, or once the running sync ends.
/// A sync already waiting absorbs this one.
pub(crate) fn enqueue(shared: &Arc<Shared>, inner: &mut Inner, app_id: &str, id: &str) {
    if !inner.queued_syncs.insert(id.to_owned()) {
        return;
    }
    let running = inner
        .connectors
        .iter()
        .any(|c| c.id == id && c.status.state == SyncState::Running);
    if !running {
        schedule_queued(shared, app_id, id);
    }
}

fn schedule_queued(shared: &Arc<Shared>, app_id: &str, id: &str) {
    let (app_id, id) = (app_id.to_owned(), id.to_owned());
    let shared2 = Arc::clone(shared);
    shared.runtime.spawn(async move {
        let delay = behaviour_of(&shared2, &id)
            .queued_for
            .unwrap_or(shared2.config.force_sync_queue);
        tokio::time::sleep(delay).await;
        start_queued(&shared2, &app_id, &id);
    });
}

/// Starts the queued sync of a connector unless a sync is running (its end starts the queued
/// one) or the connector is gone or has nothing to sync with.
fn start_queued(shared: &Arc<Shared>, app_id: &str, id: &str) {
    let mut inner = shared.lock();
    let inner = &mut *inner;
    if !inner.queued_syncs.contains(id) {
        return;
    }
    let Some(c) = inner
        .connectors
        .iter_mut()
        .find(|c| c.app_id == app_id && c.id == id)
    else {
        inner.queued_syncs.remove(id);
        return;
    };
    if c.status.state == SyncState::Running {
        return;
    }
    inner.queued_syncs.remove(id);
    if c.deleted_at.is_none() && c.config.is_some() && c.paused.is_none() {
        begin(shared, c);
    }
}

fn behaviour_of(shared: &Shared, id: &str) -> SyncBehaviour {
    shared
        .lock()
        .sync_behaviours
        .get(id)
        .cloned()
        .unwrap_or_default()
}

fn config_value<'a>(c: &'a Connector, key: &str) -> &'a str {
    c.config
        .as_ref()
        .and_then(|m| m.get(key))
        .and_then(|v| v.get("stringValue"))
        .and_then(Value::as_str)
        .unwrap_or_default()
}

fn finish(shared: &Arc<Shared>, app_id: &str, id: &str, generation: u64) {
    let mut inner = shared.lock();
    let inner = &mut *inner;
    let Some(c) = inner
        .connectors
        .iter()
        .find(|c| c.app_id == app_id && c.id == id)
    else {
        return;
    };
    if c.sync_generation != generation || c.deleted_at.is_some() {
        return;
    }
    let outcome = inner
        .sync_behaviours
        .get(id)
        .map(|b| b.outcome.clone())
        .unwrap_or_default();
    let checked = credential_check(inner, c);
    let result = match outcome {
        SyncOutcome::Credentials | SyncOutcome::Never => checked,
        SyncOutcome::Succeed => Ok(checked.unwrap_or(None)),
        SyncOutcome::Fail { last_error } => Err(last_error),
    };
    let now = Utc::now();
    if let Ok(Some(client_id)) = &result
        && let Some(xero_app) = inner.xero_apps.get(client_id)
    {
        let (types, resources) = import(inner, app_id, &xero_app.tenant);
        inner.resource_types.retain(|t| t.app_id != app_id);
        inner.resource_types.extend(types);
        inner.resources.retain(|r| r.app_id != app_id);
        inner.resources.extend(resources);
    }
    let Some(c) = inner
        .connectors
        .iter_mut()
        .find(|c| c.app_id == app_id && c.id == id)
    else {
        return;
    };
    c.status.completed_at = Some(now);
    c.status.updated_at = Some(now);
    match result {
        Ok(_) => c.status.state = SyncState::Done,
        Err(why) => {
            c.status.state = SyncState::Error;
            c.status.last_error = why;
        }
    }
    if inner.queued_syncs.contains(id) {
        schedule_queued(shared, app_id, id);
    }
}

/// What the stored credentials let a sync do: reach the Xero app they belong to (its client
/// ID), reach nothing (another catalog entry), or fail with Xero's token error.
fn credential_check(inner: &Inner, c: &Connector) -> Result<Option<String>, String> {
    if c.catalog_id != XERO_CATALOG {
        return Ok(None);
    }
    let client_id = config_value(c, "xero_client_id");
    let secret = config_value(c, "xero_client_secret");
    match inner
        .xero_apps
        .get(client_id)
        .filter(|a| a.secret == secret)
    {
        None => Err(
            "xero: token request refused: invalid_client (unknown client ID or wrong client secret)"
                .to_owned(),
        ),
        Some(a) if a.kind == XeroAppKind::WebApp => Err(
            "xero: token request refused: unauthorized_client (the client_credentials grant is not allowed for \
             this app; a Custom Connection is required)"
                .to_owned(),
        ),
        Some(_) => Ok(Some(client_id.to_owned())),
    }
}

/// The resource types and resources a sync of `tenant` yields for `app_id`, keeping the IDs of
/// what an earlier sync already brought in.
fn import(inner: &Inner, app_id: &str, tenant: &Tenant) -> (Vec<ResourceType>, Vec<Resource>) {
    let now = Utc::now();
    let rt = |name: &str, traits: &[&str]| {
        let old = inner
            .resource_types
            .iter()
            .find(|t| t.app_id == app_id && t.display_name == name);
        ResourceType {
            id: old.map_or_else(ids::ksuid, |t| t.id.clone()),
            app_id: app_id.to_owned(),
            display_name: name.to_owned(),
            trait_ids: traits.iter().map(|t| (*t).to_owned()).collect(),
            created_at: old.map_or(now, |t| t.created_at),
            updated_at: now,
        }
    };
    let types = vec![
        rt("Organization", &["TRAIT_APP"]),
        rt("User", &["TRAIT_USER"]),
        rt("Role", &["TRAIT_ROLE"]),
    ];
    let (org_t, user_t, role_t) = (&types[0].id, &types[1].id, &types[2].id);
    let res = |type_id: &str,
               external_id: String,
               name: String,
               description: String,
               grants: u64,
               parent: &str| {
        let old = inner
            .resources
            .iter()
            .find(|r| r.app_id == app_id && r.external_id == external_id);
        Resource {
            id: old.map_or_else(ids::ksuid, |r| r.id.clone()),
            app_id: app_id.to_owned(),
            resource_type_id: type_id.to_owned(),
            display_name: name,
            description,
            external_id,
            grant_count: grants,
            parent_id: parent.to_owned(),
            parent_type_id: if parent.is_empty() {
                String::new()
            } else {
                org_t.clone()
            },
            created_at: old.map_or(now, |r| r.created_at),
            updated_at: now,
        }
    };
    let org = res(
        org_t,
        tenant.tenant_id.clone(),
        tenant.name.clone(),
        format!("Xero organisation {}", tenant.short_code),
        tenant.users.len() as u64,
        "",
    );
    let org_id = org.id.clone();
    let mut resources = vec![org];
    for u in &tenant.users {
        let name = format!("{} {}", u.first_name, u.last_name);
        resources.push(res(user_t, u.user_id.clone(), name, u.email(), 0, &org_id));
    }
    for (code, name) in ROLES {
        let external = format!("{}:role:{code}", tenant.tenant_id);
        let desc = format!("Xero organisation role {code}");
        resources.push(res(
            role_t,
            external,
            name.to_owned(),
            desc,
            tenant.role_count(code),
            &org_id,
        ));
    }
    (types, resources)
}
