//! The list against the in-process emulator (pages of 2): which connectors are listed, their
//! identity, name and resource object, the limit, bounded parallelism, and failures of one app,
//! of every app and of the search.

use std::collections::BTreeSet;
use std::time::Duration;

use c1_emulator::{Config, Emulator, Fault, FaultKind, Method, Route, XeroAppKind};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::*;
use crate::conductorone::models::{EnvConfig, XERO_CATALOG_ID};
use crate::conductorone::{
    Client, ClientConfig, ClientKey, Credentials, NewConnector, RetryPolicy,
};
use crate::framework::list_resource::{ListTypes, RawListEvent, RawListItem};
use crate::framework::{Diagnostic, Diagnostics, Resource, Severity, schema_for};
use crate::provider::xero_integration::{XeroIntegration, found_state};
use crate::secret::SecretString;

fn client(emu: &Emulator) -> Client {
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    let mut config = ClientConfig::new(
        Url::parse(&emu.conductorone_url()).unwrap(),
        Credentials::ClientSecret {
            client_id: emu.client_id(),
            key,
        },
    );
    config.retry = RetryPolicy {
        max_attempts: 2,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(10),
        overall_deadline: Duration::from_secs(10),
    };
    Client::new(config).unwrap()
}

fn types() -> ListTypes {
    ListTypes {
        state: Resource::schema(&XeroIntegration).unwrap().value_type(),
        identity: schema_for::<XeroIntegrationIdentity>()
            .unwrap()
            .value_type(),
    }
}

/// A tenant: app "Finance" with a configured and a delegated Xero connector, app "Payroll" with
/// a deleted Xero connector and one of another catalog entry, app "Ops" with one configured Xero
/// connector, and app "Empty" with none.
struct Tenant {
    emu: Emulator,
    client: Client,
    finance: String,
    payroll: String,
    ops: String,
    finance_client_id: String,
}

async fn tenant() -> Tenant {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let client = client(&emu);
    let cancel = CancellationToken::new();
    let finance = emu.create_app("Finance");
    let payroll = emu.create_app("Payroll");
    let ops = emu.create_app("Ops");
    let _ = emu.create_app("Empty");
    let xero = |name: &str| NewConnector {
        catalog_id: XERO_CATALOG_ID.to_owned(),
        display_name: name.to_owned(),
        ..NewConnector::default()
    };
    let configured = |emu: &Emulator| {
        let (id, secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
        let config = EnvConfig::from_pairs([
            ("xero_client_id", SecretString::new(id.as_str())),
            ("xero_client_secret", SecretString::new(secret)),
        ]);
        (id, config)
    };
    let (finance_client_id, config) = configured(&emu);
    client
        .create_connector(&finance, &xero(""), &config, &cancel)
        .await
        .unwrap();
    client
        .create_connector_delegated(&finance, &xero("Delegated"), &cancel)
        .await
        .unwrap();
    let gone = client
        .create_connector_delegated(&payroll, &xero("Old"), &cancel)
        .await
        .unwrap();
    client
        .delete_connector(&payroll, &gone.id, &cancel)
        .await
        .unwrap();
    let other = NewConnector {
        catalog_id: "2bOtherCatalogEntryXXXXXXXX".to_owned(),
        display_name: "Okta".to_owned(),
        ..NewConnector::default()
    };
    client
        .create_connector_delegated(&payroll, &other, &cancel)
        .await
        .unwrap();
    let (_, config) = configured(&emu);
    client
        .create_connector(&ops, &xero(""), &config, &cancel)
        .await
        .unwrap();
    Tenant {
        emu,
        client,
        finance,
        payroll,
        ops,
        finance_client_id,
    }
}

/// What one run sent: the items and the diagnostics, in order.
#[derive(Debug, Default)]
struct Sent {
    items: Vec<RawListItem>,
    diagnostics: Vec<Diagnostic>,
}

impl Sent {
    fn identities(&self) -> BTreeSet<(String, String)> {
        self.items
            .iter()
            .map(|i| {
                let id: XeroIntegrationIdentity =
                    crate::framework::bridge::from_value(&i.identity).unwrap();
                (id.app_id, id.id)
            })
            .collect()
    }

    fn names(&self) -> BTreeSet<String> {
        self.items.iter().map(|i| i.display_name.clone()).collect()
    }
}

/// Starts one run in its own task, sending into a channel of `capacity` events.
fn start(
    list: XeroIntegrationList,
    client: &Client,
    config: XeroIntegrationListConfig,
    include_resource: bool,
    limit: u64,
    capacity: usize,
) -> mpsc::Receiver<RawListEvent> {
    let (tx, rx) = mpsc::channel(capacity);
    let client = client.clone();
    tokio::spawn(async move {
        let mut sender = ListSender::new(tx, types(), include_resource, limit);
        let cancel = CancellationToken::new();
        Listing {
            client: &client,
            cancel: &cancel,
            parallelism: list.parallelism,
            page_size: list.page_size,
        }
        .run(&config, &mut sender)
        .await;
    });
    rx
}

/// Everything a run sends, until it ends.
async fn collect(mut rx: mpsc::Receiver<RawListEvent>) -> Sent {
    let mut sent = Sent::default();
    while let Some(event) = rx.recv().await {
        match event {
            RawListEvent::Found(item) => sent.items.push(*item),
            RawListEvent::Diagnostics(d) => sent.diagnostics.extend(d.into_vec()),
        }
    }
    sent
}

async fn run(
    list: XeroIntegrationList,
    client: &Client,
    config: XeroIntegrationListConfig,
    include_resource: bool,
    limit: u64,
) -> Sent {
    collect(start(list, client, config, include_resource, limit, 1000)).await
}

fn every_app() -> XeroIntegrationListConfig {
    XeroIntegrationListConfig::default()
}

fn apps(ids: &[&str]) -> XeroIntegrationListConfig {
    XeroIntegrationListConfig {
        app_ids: Value::Known(ids.iter().map(|s| (*s).to_owned()).collect()),
    }
}

fn connector_ids(emu: &Emulator, app_id: &str) -> Vec<String> {
    emu.connectors(app_id)
        .iter()
        .filter(|c| c["deletedAt"].is_null() && c["catalogId"] == XERO_CATALOG_ID)
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_live_xero_connector_of_every_app_is_listed_once_with_a_readable_name() {
    let t = tenant().await;
    t.emu.reset_counters();
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        every_app(),
        false,
        100,
    )
    .await;
    assert!(sent.diagnostics.is_empty(), "{:?}", sent.diagnostics);
    let mut expected = BTreeSet::new();
    for app in [&t.finance, &t.ops] {
        for id in connector_ids(&t.emu, app) {
            expected.insert((app.clone(), id));
        }
    }
    assert_eq!(expected.len(), 3);
    assert_eq!(sent.identities(), expected);
    assert_eq!(sent.items.len(), 3, "each once");
    assert!(
        sent.items.iter().all(|i| i.resource.is_none()),
        "no resource object unless asked"
    );
    let names = sent.names();
    assert!(
        names.contains(&format!("Finance / Xero ({})", t.finance_client_id)),
        "{names:?}"
    );
    assert!(names.contains("Finance / Delegated"), "{names:?}");
    assert!(
        !names.iter().any(|n| n.starts_with("Payroll")),
        "deleted and non-Xero connectors are never listed: {names:?}"
    );
    let c = t.emu.counters();
    assert_eq!(c.api(Route::SearchApps), 2, "4 apps in pages of 2: {c:?}");
    assert_eq!(c.api(Route::ListConnectors), 4, "{c:?}");
    assert_eq!(c.api(Route::GetApp), 0, "searched apps are not read again");
}

#[tokio::test]
async fn the_resource_object_is_the_imported_state() {
    let t = tenant().await;
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        apps(&[&t.ops]),
        true,
        100,
    )
    .await;
    assert!(sent.diagnostics.is_empty(), "{:?}", sent.diagnostics);
    let [item] = sent.items.as_slice() else {
        panic!("one item: {:?}", sent.items);
    };
    let listed: XeroIntegrationModel =
        crate::framework::bridge::from_value(item.resource.as_ref().unwrap()).unwrap();
    let id = connector_ids(&t.emu, &t.ops).remove(0);
    let connector = t
        .client
        .get_connector(&t.ops, &id, &CancellationToken::new())
        .await
        .unwrap();
    let imported = found_state(&t.ops, &connector);
    assert_eq!(
        serde_json::to_value(&listed).unwrap(),
        serde_json::to_value(&imported).unwrap()
    );
    assert_eq!(listed.id.known(), Some(&id));
    assert_eq!(listed.app_id.known(), Some(&t.ops));
    assert!(listed.xero_client_id.known().is_some());
    assert!(
        listed.xero_client_secret.is_null(),
        "the secret is never read back"
    );
}

#[tokio::test]
async fn the_limit_stops_the_list_and_its_requests() {
    let t = tenant().await;
    let sent = run(
        XeroIntegrationList {
            parallelism: 1,
            ..XeroIntegrationList::default()
        },
        &t.client,
        every_app(),
        false,
        1,
    )
    .await;
    assert_eq!(sent.items.len(), 1);
    assert!(sent.diagnostics.is_empty(), "{:?}", sent.diagnostics);
    let c = t.emu.counters();
    assert!(
        c.api(Route::ListConnectors) < 4,
        "apps after the limit are not read: {c:?}"
    );
}

#[tokio::test]
async fn an_app_that_does_not_exist_is_a_warning_on_its_element_and_the_others_are_listed() {
    let t = tenant().await;
    let missing = "2bNoSuchAppXXXXXXXXXXXXXXXX";
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        apps(&[&t.finance, missing, &t.payroll, &t.finance]),
        false,
        100,
    )
    .await;
    assert_eq!(sent.items.len(), 2, "Finance's two, read once");
    let [d] = sent.diagnostics.as_slice() else {
        panic!("one diagnostic: {:?}", sent.diagnostics);
    };
    assert_eq!(
        (d.severity, d.summary.as_str()),
        (Severity::Warning, "App Not Found")
    );
    assert!(d.detail.contains(missing), "{d:?}");
    assert_eq!(
        d.attribute.as_ref().map(ToString::to_string).as_deref(),
        Some("app_ids[1]")
    );
}

#[tokio::test]
async fn a_refused_app_is_a_warning_and_when_no_app_can_be_read_it_is_an_error() {
    let t = tenant().await;
    t.emu.inject(Fault::new(
        Some(Method::GET),
        &format!("/api/v1/apps/{}/connectors", t.finance),
        FaultKind::Status {
            code: 403,
            retry_after: None,
        },
        0,
    ));
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        every_app(),
        false,
        100,
    )
    .await;
    assert_eq!(
        sent.identities()
            .into_iter()
            .map(|(app, _)| app)
            .collect::<Vec<_>>(),
        std::slice::from_ref(&t.ops)
    );
    let [d] = sent.diagnostics.as_slice() else {
        panic!("one diagnostic: {:?}", sent.diagnostics);
    };
    assert_eq!(d.severity, Severity::Warning);
    assert!(
        d.detail.contains(&t.finance) && d.detail.contains("permission denied"),
        "{d:?}"
    );

    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        apps(&[&t.finance]),
        false,
        100,
    )
    .await;
    assert!(sent.items.is_empty());
    assert!(
        sent.diagnostics.iter().all(Diagnostic::is_error) && sent.diagnostics.len() == 1,
        "nothing could be read: an error {:?}",
        sent.diagnostics
    );
}

fn search_down() -> Fault {
    Fault::new(
        Some(Method::POST),
        "/api/v1/search/apps",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        0,
    )
}

#[tokio::test]
async fn a_search_page_that_keeps_failing_keeps_the_apps_of_the_earlier_pages() {
    let t = tenant().await;
    // One app at a time and room for one result: the list cannot ask for the second page
    // (Ops, Empty) before the test has taken Finance's results, so the fault injected once the
    // first result waits hits exactly the later page.
    let rx = start(
        XeroIntegrationList {
            parallelism: 1,
            ..XeroIntegrationList::default()
        },
        &t.client,
        every_app(),
        false,
        100,
        1,
    );
    while rx.is_empty() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    t.emu.inject(search_down());
    let sent = collect(rx).await;
    assert_eq!(
        sent.identities()
            .into_iter()
            .map(|(app, _)| app)
            .collect::<Vec<_>>(),
        [t.finance.clone(), t.finance.clone()],
        "the first page's apps are listed"
    );
    let [d] = sent.diagnostics.as_slice() else {
        panic!("one diagnostic: {:?}", sent.diagnostics);
    };
    assert_eq!(
        (d.severity, d.summary.as_str()),
        (Severity::Warning, "App Search Failed")
    );
    assert!(
        d.detail.contains("503") || d.detail.contains("server error"),
        "{d:?}"
    );
}

#[tokio::test]
async fn a_search_that_fails_from_its_first_page_is_an_error() {
    let t = tenant().await;
    t.emu.inject(search_down());
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        every_app(),
        false,
        100,
    )
    .await;
    assert!(sent.items.is_empty());
    let [d] = sent.diagnostics.as_slice() else {
        panic!("one diagnostic: {:?}", sent.diagnostics);
    };
    assert_eq!(
        (d.severity, d.summary.as_str()),
        (Severity::Error, "App Search Failed"),
        "no app read at all: an error"
    );
}

#[tokio::test]
async fn apps_are_read_several_at_once_but_no_more_than_the_parallelism() {
    let t = tenant().await;
    for i in 0..12 {
        let _ = t.emu.create_app(&format!("More {i}"));
    }
    // Each connector list takes 100 ms: 16 apps one at a time take 1.6 s, 8 at a time 0.2 s.
    t.emu.inject(Fault::new(
        Some(Method::GET),
        "/connectors",
        FaultKind::Latency(Duration::from_millis(100)),
        0,
    ));
    let started = std::time::Instant::now();
    let sent = run(
        XeroIntegrationList::default(),
        &t.client,
        every_app(),
        false,
        100,
    )
    .await;
    let parallel = started.elapsed();
    assert_eq!(sent.items.len(), 3, "{:?}", sent.diagnostics);
    let started = std::time::Instant::now();
    let _ = run(
        XeroIntegrationList {
            parallelism: 2,
            ..XeroIntegrationList::default()
        },
        &t.client,
        every_app(),
        false,
        100,
    )
    .await;
    let two = started.elapsed();
    assert!(
        two >= Duration::from_millis(800),
        "16 apps two at a time take 8 rounds of 100 ms: {two:?}"
    );
    assert!(
        parallel >= Duration::from_millis(200),
        "16 apps, at most 8 at once: at least 2 rounds of 100 ms: {parallel:?}"
    );
    assert!(
        parallel * 2 < two,
        "8 at once is faster than 2 at once: {parallel:?} vs {two:?}"
    );
}

#[test]
fn the_schema_refuses_empty_lists_blank_or_unplain_ids_and_repeats() {
    let check = |config: &XeroIntegrationListConfig| {
        let mut d = Diagnostics::new();
        crate::framework::validate::validate_model(config, &mut d);
        d.iter()
            .map(|d| {
                (
                    d.severity,
                    d.attribute.as_ref().map(ToString::to_string).unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(check(&apps(&[])), [(Severity::Error, "app_ids".to_owned())]);
    assert_eq!(
        check(&apps(&["a1", " ", "a/b", "a1"])),
        [
            (Severity::Error, "app_ids[1]".to_owned()),
            (Severity::Error, "app_ids[2]".to_owned()),
            (Severity::Error, "app_ids[3]".to_owned()),
        ]
    );
    assert!(check(&every_app()).is_empty());
    assert!(check(&apps(&["a1", "b2"])).is_empty());
}
