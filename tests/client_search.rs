//! The ConductorOne client's app search against the emulator: every page, filters, retries of a
//! failing page, and a page that still fails after them.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use c1_emulator::{Config, Emulator, Fault, FaultKind, Method, Route};
use terraform_provider_conductorone::conductorone::{
    AppPages, AppSearch, Client, ClientConfig, ClientKey, Credentials, ErrorKind, RetryPolicy,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio_util::sync::CancellationToken;
use url::Url;

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
        max_attempts: 3,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(20),
        overall_deadline: Duration::from_secs(10),
    };
    Client::new(config).unwrap()
}

fn search_fault(times: u32) -> Fault {
    Fault::new(
        Some(Method::POST),
        "/api/v1/search/apps",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        times,
    )
}

#[tokio::test]
async fn every_page_is_followed_and_deleted_apps_never_show() {
    // Pages of 2 (the emulator's cap) over 5 live apps: 3 pages.
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let ids: Vec<String> = (0..6)
        .map(|i| emu.create_app(&format!("app {i}")))
        .collect();
    let c = client(&emu);
    let cancel = CancellationToken::new();
    c.delete_app(&ids[3], &cancel).await.unwrap();
    emu.reset_counters();
    let apps = c.search_apps(&AppSearch::default(), &cancel).await.unwrap();
    let found: Vec<&str> = apps.iter().map(|a| a.id.as_str()).collect();
    let expected: Vec<&str> = ids
        .iter()
        .enumerate()
        .filter(|(i, _)| *i != 3)
        .map(|(_, id)| id.as_str())
        .collect();
    assert_eq!(found, expected);
    assert_eq!(emu.counters().api(Route::SearchApps), 3, "three pages");

    let only = AppSearch {
        app_ids: vec![ids[0].clone(), ids[5].clone()],
        page_size: 10,
        ..AppSearch::default()
    };
    let apps = c.search_apps(&only, &cancel).await.unwrap();
    assert_eq!(
        apps.iter().map(|a| a.id.as_str()).collect::<Vec<_>>(),
        [ids[0].as_str(), ids[5].as_str()]
    );
}

#[tokio::test]
async fn a_page_size_above_the_bound_is_refused_before_sending() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let c = client(&emu);
    emu.reset_counters();
    let err = c
        .search_apps(
            &AppSearch {
                page_size: 101,
                ..AppSearch::default()
            },
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
    assert_eq!(emu.counters().api(Route::SearchApps), 0);
}

#[tokio::test]
async fn a_failing_page_is_retried_and_one_that_keeps_failing_keeps_the_earlier_pages() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    for i in 0..5 {
        let _ = emu.create_app(&format!("app {i}"));
    }
    let c = client(&emu);
    let cancel = CancellationToken::new();
    emu.inject(search_fault(1));
    let apps = c.search_apps(&AppSearch::default(), &cancel).await.unwrap();
    assert_eq!(apps.len(), 5, "one 503 is retried");

    let search = AppSearch::default();
    let mut pages = AppPages::new(&search);
    let first = pages.next(&c, &cancel).await.unwrap().unwrap();
    assert_eq!(first.len(), 2);
    emu.inject(search_fault(0));
    let err = pages.next(&c, &cancel).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert!(
        pages.next(&c, &cancel).await.unwrap().is_none(),
        "the walk ends after an error"
    );
}
