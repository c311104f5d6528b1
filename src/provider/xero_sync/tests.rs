//! The read against the in-process emulator (page size 2, so every list takes several pages):
//! what a sync brings in, waiting, failed syncs, choosing the connector, and the errors.

use std::time::Duration;

use c1_emulator::{Config, Emulator, XeroAppKind};
use serde_json::Value as Json;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::*;
use crate::conductorone::models::EnvConfig;
use crate::conductorone::{ClientConfig, ClientKey, Credentials, NewConnector};
use crate::framework::{Diagnostic, Model, schema_for};
use crate::secret::SecretString;

/// The six Xero organisation roles, as ConductorOne names them (shared/reference).
const ROLE_NAMES: [&str; 6] = [
    "Read only",
    "Invoice only",
    "Standard",
    "Financial adviser",
    "Managed client",
    "Cashbook client",
];

const FAST: PollPolicy = PollPolicy {
    initial: Duration::from_millis(20),
    max: Duration::from_millis(100),
};

fn client(emu: &Emulator) -> Client {
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    let credentials = Credentials::ClientSecret {
        client_id: emu.client_id(),
        key,
    };
    Client::new(ClientConfig::new(
        Url::parse(&emu.conductorone_url()).unwrap(),
        credentials,
    ))
    .unwrap()
}

/// A Xero connector on `app_id` holding the credentials of a new Xero app of `kind`; returns the
/// connector and the Xero client ID.
async fn xero_connector(
    emu: &Emulator,
    c: &Client,
    app_id: &str,
    kind: XeroAppKind,
) -> (Connector, String) {
    let (id, secret) = emu.register_xero_app(kind);
    let config = EnvConfig::from_pairs([
        ("xero_client_id", SecretString::new(id.as_str())),
        ("xero_client_secret", SecretString::new(secret)),
    ]);
    let new = NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        ..NewConnector::default()
    };
    let cancel = CancellationToken::new();
    let connector = c
        .create_connector(app_id, &new, &config, &cancel)
        .await
        .unwrap();
    (connector, id)
}

fn config(app_id: &str) -> XeroSyncModel {
    XeroSyncModel {
        app_id: Value::Known(app_id.to_owned()),
        ..XeroSyncModel::default()
    }
}

fn waiting(app_id: &str) -> XeroSyncModel {
    XeroSyncModel {
        wait_for_sync: Value::Known(true),
        ..config(app_id)
    }
}

async fn read(c: &Client, config: XeroSyncModel) -> ReadDataResponse<XeroSyncModel> {
    read_cancellable(c, config, &CancellationToken::new()).await
}

async fn read_cancellable(
    c: &Client,
    config: XeroSyncModel,
    cancel: &CancellationToken,
) -> ReadDataResponse<XeroSyncModel> {
    let mut resp = ReadDataResponse {
        state: config.clone(),
        diagnostics: Diagnostics::new(),
    };
    read_with(c, FAST, cancel, &config, &mut resp).await;
    resp
}

fn errors(resp: &ReadDataResponse<XeroSyncModel>) -> Vec<&Diagnostic> {
    resp.diagnostics.iter().filter(|d| d.is_error()).collect()
}

/// The one error of `resp`, which must be on `attribute`.
#[track_caller]
fn only_error_at<'a>(resp: &'a ReadDataResponse<XeroSyncModel>, attribute: &str) -> &'a Diagnostic {
    let errs = errors(resp);
    assert_eq!(errs.len(), 1, "{:?}", resp.diagnostics);
    let e = errs[0];
    assert_eq!(
        e.attribute.as_ref().map(ToString::to_string).as_deref(),
        Some(attribute),
        "{e:?}"
    );
    e
}

/// The Xero organisation behind Xero client `client_id`, from the emulator's own state.
async fn tenant_of(emu: &Emulator, client_id: &str) -> (String, String) {
    let state: Json = reqwest::get(format!("{}/_emulator/state", emu.conductorone_url()))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let app = state["xero_apps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["client_id"] == client_id)
        .unwrap();
    (
        app["tenant_id"].as_str().unwrap().to_owned(),
        app["tenant_name"].as_str().unwrap().to_owned(),
    )
}

fn known<T: Clone>(v: &Value<T>) -> T {
    v.known().cloned().unwrap_or_else(|| panic!("not known"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_custom_connection_sync_reads_its_organisation_roles_and_users_over_many_pages() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    let (connector, xero_id) =
        xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;
    emu.reset_counters();

    let resp = read(&c, waiting(&app_id)).await;
    assert!(resp.diagnostics.is_empty(), "{:?}", resp.diagnostics);
    let s = &resp.state;
    assert_eq!(known(&s.integration_id), connector.id);
    assert_eq!(known(&s.sync_status), "done");
    assert!(s.last_error.is_null());
    let synced_at = known(&s.last_synced_at);
    chrono::DateTime::parse_from_rfc3339(&synced_at).unwrap();

    let (_, tenant_name) = tenant_of(&emu, &xero_id).await;
    // What ConductorOne holds for the app, as its API renders it: the read must pass on these
    // IDs, whatever form the connector gives them.
    let synced = emu.resources(&app_id);
    let external_of = |id: &str| {
        synced
            .iter()
            .find(|r| r["id"] == id)
            .map(|r| r["externalId"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_else(|| panic!("no resource {id} in {synced:?}"))
    };
    let orgs = known(&s.organizations);
    assert_eq!(orgs.len(), 1, "{orgs:?}");
    assert_eq!(
        known(&orgs[0].external_id),
        external_of(&known(&orgs[0].id))
    );
    assert_eq!(known(&orgs[0].display_name), tenant_name);
    assert!(!known(&orgs[0].id).is_empty());

    let roles = known(&s.roles);
    let names: Vec<String> = roles.iter().map(|r| known(&r.display_name)).collect();
    let mut want: Vec<String> = ROLE_NAMES.iter().map(|n| (*n).to_owned()).collect();
    want.sort();
    assert_eq!(names, want, "roles are sorted by display name");
    assert!(roles.iter().all(|r| !known(&r.id).is_empty()));
    for r in &roles {
        assert_eq!(known(&r.external_id), external_of(&known(&r.id)), "{r:?}");
    }
    // Each Xero user holds one role, so the role grants add up to the users.
    let grants: i64 = roles.iter().map(|r| known(&r.grant_count)).sum();
    let users = known(&s.user_count);
    assert!(users > 0);
    assert_eq!(grants, users);

    // Every page the emulator's page size makes is read, and no more: one list call per page of
    // each type's resources and of the types.
    let page = Config::default().page_size as u64;
    let pages = |n: u64| n.div_ceil(page).max(1);
    let counters = emu.counters();
    let resources = counters.api(c1_emulator::Route::ListResources);
    let users = u64::try_from(users).unwrap();
    let role_count = roles.len() as u64;
    assert_eq!(resources, pages(1) + pages(role_count) + pages(users));
    assert_eq!(
        counters.api(c1_emulator::Route::ListResourceTypes),
        pages(3)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_waiting_a_running_sync_reads_as_running_and_waiting_reads_its_end() {
    let emu = c1_emulator::start(Config {
        sync_duration: Duration::from_millis(800),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;

    let now = read(&c, config(&app_id)).await;
    assert!(now.diagnostics.is_empty(), "{:?}", now.diagnostics);
    assert_eq!(known(&now.state.sync_status), "running");
    assert!(now.state.last_synced_at.is_null());
    assert!(known(&now.state.roles).is_empty(), "nothing synced yet");
    assert_eq!(known(&now.state.user_count), 0);

    let waited = read(&c, waiting(&app_id)).await;
    assert!(waited.diagnostics.is_empty(), "{:?}", waited.diagnostics);
    assert_eq!(known(&waited.state.sync_status), "done");
    assert_eq!(known(&waited.state.roles).len(), 6);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_web_app_sync_fails_and_reads_as_error_with_its_last_error() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    xero_connector(&emu, &c, &app_id, XeroAppKind::WebApp).await;

    let resp = read(&c, waiting(&app_id)).await;
    assert!(!resp.diagnostics.has_errors(), "{:?}", resp.diagnostics);
    assert_eq!(known(&resp.state.sync_status), "error");
    // ConductorOne documents no wording for lastError: the read passes on what it holds, verbatim.
    let why = known(&resp.state.last_error);
    let recorded = emu.connectors(&app_id)[0]["status"]["lastError"].clone();
    assert!(!why.is_empty());
    assert_eq!(serde_json::Value::from(why), recorded);
    assert!(known(&resp.state.organizations).is_empty());
    assert!(known(&resp.state.last_synced_at).len() > 10);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn several_xero_connectors_need_integration_id_and_the_error_lists_them() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    let (a, _) = xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;
    let (b, _) = xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;

    let resp = read(&c, config(&app_id)).await;
    let e = only_error_at(&resp, "integration_id");
    assert!(
        e.detail.contains(&a.id) && e.detail.contains(&b.id),
        "{e:?}"
    );

    let chosen = read(
        &c,
        XeroSyncModel {
            integration_id: Value::Known(b.id.clone()),
            ..waiting(&app_id)
        },
    )
    .await;
    assert!(chosen.diagnostics.is_empty(), "{:?}", chosen.diagnostics);
    assert_eq!(known(&chosen.state.integration_id), b.id);
    assert_eq!(known(&chosen.state.sync_status), "done");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connectors_that_are_not_xero_are_refused_or_ignored() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    let cancel = CancellationToken::new();
    let other = NewConnector {
        catalog_id: "2YotherCatalogEntry000000000".to_owned(),
        display_name: "Okta".to_owned(),
        user_ids: Vec::new(),
    };
    let okta = c
        .create_connector_delegated(&app_id, &other, &cancel)
        .await
        .unwrap();

    let named = read(
        &c,
        XeroSyncModel {
            integration_id: Value::Known(okta.id.clone()),
            ..config(&app_id)
        },
    )
    .await;
    let e = only_error_at(&named, "integration_id");
    assert_eq!(e.summary, "Not a Xero Integration");

    // Without integration_id only Xero connectors count: none here.
    let e = read(&c, config(&app_id)).await;
    let d = only_error_at(&e, "app_id");
    assert!(d.detail.contains(XERO_CATALOG_ID), "{d:?}");

    let (xero, _) = xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;
    let one = read(&c, config(&app_id)).await;
    assert!(one.diagnostics.is_empty(), "{:?}", one.diagnostics);
    assert_eq!(known(&one.state.integration_id), xero.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_app_and_missing_connector_are_errors_on_their_attribute() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    let missing = read(&c, config("2ZnoSuchAppXXXXXXXXXXXXXXXX")).await;
    let e = only_error_at(&missing, "app_id");
    assert_eq!(e.summary, "App Not Found");

    let app_id = emu.create_app("Finance");
    let gone = read(
        &c,
        XeroSyncModel {
            integration_id: Value::Known("2ZnoSuchConnectorXXXXXXXXXX".into()),
            ..config(&app_id)
        },
    )
    .await;
    only_error_at(&gone, "integration_id");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sync_outlasting_the_timeout_is_an_error_on_timeout() {
    let emu = c1_emulator::start(Config {
        sync_duration: Duration::from_secs(30),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;

    let started = std::time::Instant::now();
    let resp = read(
        &c,
        XeroSyncModel {
            timeout: Value::Known("300ms".into()),
            ..waiting(&app_id)
        },
    )
    .await;
    let e = only_error_at(&resp, "timeout");
    assert!(
        e.detail.contains("300ms") && e.detail.contains("running"),
        "{e:?}"
    );
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(10),
        "{took:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopping_the_provider_ends_the_wait_at_once() {
    let emu = c1_emulator::start(Config {
        sync_duration: Duration::from_secs(60),
        ..Config::default()
    })
    .await
    .unwrap();
    let c = client(&emu);
    let app_id = emu.create_app("Finance");
    xero_connector(&emu, &c, &app_id, XeroAppKind::CustomConnection).await;

    let cancel = CancellationToken::new();
    let stopper = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        stopper.cancel();
    });
    let started = std::time::Instant::now();
    let resp = read_cancellable(&c, waiting(&app_id), &cancel).await;
    assert!(started.elapsed() < Duration::from_secs(5));
    let errs = errors(&resp);
    assert_eq!(errs.len(), 1, "{:?}", resp.diagnostics);
    assert_eq!(errs[0].summary, "Wait Cancelled");
}

#[tokio::test]
async fn blank_ids_and_bad_timeouts_are_errors_on_their_attribute() {
    let cases: &[(XeroSyncModel, &str)] = &[
        (config(""), "app_id"),
        (config("   "), "app_id"),
        (config(" 2abc"), "app_id"),
        (
            XeroSyncModel {
                integration_id: Value::Known(" ".into()),
                ..config("app")
            },
            "integration_id",
        ),
        (
            XeroSyncModel {
                timeout: Value::Known("10".into()),
                ..config("app")
            },
            "timeout",
        ),
        (
            XeroSyncModel {
                timeout: Value::Known("ten minutes".into()),
                ..config("app")
            },
            "timeout",
        ),
        (
            XeroSyncModel {
                timeout: Value::Known("-1m".into()),
                ..config("app")
            },
            "timeout",
        ),
    ];
    for (model, attribute) in cases {
        let mut diagnostics = Diagnostics::new();
        crate::framework::validate::validate_model(model, &mut diagnostics);
        let paths: Vec<String> = diagnostics
            .iter()
            .filter_map(|d| d.attribute.as_ref().map(ToString::to_string))
            .collect();
        assert_eq!(paths, [*attribute], "{model:?}");
    }

    // Unknown values (known only after apply) are not judged yet.
    let unknown = XeroSyncModel {
        app_id: Value::Unknown,
        integration_id: Value::Unknown,
        timeout: Value::Unknown,
        ..XeroSyncModel::default()
    };
    let mut diagnostics = Diagnostics::new();
    crate::framework::validate::validate_model(&unknown, &mut diagnostics);
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

#[test]
fn schema_kinds_match_the_interface() {
    use crate::framework::Presence;
    fn assert_model<M: Model>() {}
    assert_model::<XeroSyncModel>();
    let schema = schema_for::<XeroSyncModel>().unwrap();
    let kinds = [
        ("app_id", Presence::Required),
        ("integration_id", Presence::OptionalComputed),
        ("wait_for_sync", Presence::Optional),
        ("timeout", Presence::Optional),
        ("sync_status", Presence::Computed),
        ("last_error", Presence::Computed),
        ("last_synced_at", Presence::Computed),
        ("organizations", Presence::Computed),
        ("roles", Presence::Computed),
        ("user_count", Presence::Computed),
    ];
    assert_eq!(schema.block.attributes.len(), kinds.len());
    for (name, presence) in kinds {
        let a = schema.block.attribute(name).unwrap();
        assert_eq!(a.presence, presence, "{name}");
        assert!(!a.description.is_empty(), "{name} has no description");
    }
    assert_eq!(
        schema.block.attribute("roles").unwrap().value_type(),
        crate::cty::Type::list(crate::cty::Type::object([
            ("display_name", crate::cty::Type::String),
            ("external_id", crate::cty::Type::String),
            ("grant_count", crate::cty::Type::Number),
            ("id", crate::cty::Type::String),
        ]))
    );
}
