//! Retries, create reconciliation, deadlines, cancellation and pagination of the ConductorOne
//! client against the emulator's injected faults.

#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use c1_emulator::{Config, Emulator, Fault, FaultKind, Method};
use terraform_provider_conductorone::conductorone::models::{EnvConfig, XERO_CATALOG_ID};
use terraform_provider_conductorone::conductorone::{
    Client, ClientConfig, ClientKey, Credentials, ErrorKind, NewApp, NewConnector, RetryPolicy,
};
use terraform_provider_conductorone::secret::SecretString;
use tokio_util::sync::CancellationToken;
use url::Url;

const CREATE: c1_emulator::Route = c1_emulator::Route::CreateConnector;

fn fast_policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        overall_deadline: Duration::from_secs(20),
    }
}

fn config_for(emu: &Emulator, policy: RetryPolicy, request_timeout: Duration) -> ClientConfig {
    let key = ClientKey::parse(&SecretString::new(emu.client_secret())).unwrap();
    let mut config = ClientConfig::new(
        Url::parse(&emu.conductorone_url()).unwrap(),
        Credentials::ClientSecret {
            client_id: emu.client_id(),
            key,
        },
    );
    config.retry = policy;
    config.request_timeout = request_timeout;
    config
}

fn client_with(emu: &Emulator, policy: RetryPolicy) -> Client {
    Client::new(config_for(emu, policy, Duration::from_secs(5))).unwrap()
}

fn fault(method: Method, path: &str, kind: FaultKind, after_effect: bool) -> Fault {
    Fault {
        method: Some(method),
        path_contains: path.into(),
        kind,
        times: 1,
        after_effect,
        effect_hidden_for: Duration::ZERO,
    }
}

fn xero_config() -> EnvConfig {
    EnvConfig::from_pairs([
        (
            "xero_client_id",
            SecretString::new("116F90CBBCFB407D9645A4DBC376E52B"),
        ),
        ("xero_client_secret", SecretString::new("xero-secret-value")),
    ])
}

fn new_xero() -> NewConnector {
    NewConnector {
        catalog_id: XERO_CATALOG_ID.into(),
        display_name: "Xero".into(),
        user_ids: vec![],
    }
}

fn live_connectors(emu: &Emulator, app_id: &str) -> Vec<String> {
    emu.connectors(app_id)
        .into_iter()
        .filter(|c| c["deletedAt"].is_null())
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_connection_dropped_after_the_create_took_effect_makes_no_duplicate() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Drop after effect");
    let client = client_with(&emu, fast_policy());
    emu.inject(fault(
        Method::POST,
        "/connectors/create",
        FaultKind::Drop,
        true,
    ));
    let created = client
        .create_connector(
            &app_id,
            &new_xero(),
            &xero_config(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert_eq!(live_connectors(&emu, &app_id), vec![created.id.clone()]);
    assert_eq!(
        emu.counters().api(CREATE),
        1,
        "the create must not be sent twice"
    );
    assert_eq!(created.catalog_id, XERO_CATALOG_ID);
}

#[tokio::test]
async fn a_503_after_the_effect_is_reconciled_and_a_503_before_it_is_retried() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let client = client_with(&emu, fast_policy());

    let app_a = emu.create_app("503 after");
    emu.inject(fault(
        Method::POST,
        "/connectors",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        true,
    ));
    let a = client
        .create_connector_delegated(&app_a, &new_xero(), &cancel)
        .await
        .unwrap();
    assert_eq!(live_connectors(&emu, &app_a), vec![a.id]);
    assert_eq!(
        emu.counters()
            .api(c1_emulator::Route::CreateDelegatedConnector),
        1
    );

    emu.reset_counters();
    let app_b = emu.create_app("503 before");
    emu.inject(fault(
        Method::POST,
        "/connectors/create",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        false,
    ));
    let b = client
        .create_connector(&app_b, &new_xero(), &xero_config(), &cancel)
        .await
        .unwrap();
    assert_eq!(live_connectors(&emu, &app_b), vec![b.id]);
    assert_eq!(
        emu.counters().api(CREATE),
        2,
        "refused once, then sent again"
    );
}

fn xero_config_for(client_id: &str) -> EnvConfig {
    EnvConfig::from_pairs([
        ("xero_client_id", SecretString::new(client_id)),
        ("xero_client_secret", SecretString::new("xero-secret-value")),
    ])
}

const LIST: c1_emulator::Route = c1_emulator::Route::ListConnectors;

#[tokio::test]
async fn a_create_that_gets_its_answer_lists_nothing() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Happy path");
    let client = client_with(&emu, fast_policy());
    let cancel = CancellationToken::new();
    let a = client
        .create_connector(&app_id, &new_xero(), &xero_config(), &cancel)
        .await
        .unwrap();
    let b = client
        .create_connector_delegated(&app_id, &new_xero(), &cancel)
        .await
        .unwrap();
    assert_ne!(a.id, b.id);
    let c = emu.counters();
    assert_eq!(c.api(LIST), 0, "{c:?}");
    assert_eq!(c.api(CREATE), 1, "{c:?}");
    assert_eq!(
        c.api(c1_emulator::Route::CreateDelegatedConnector),
        1,
        "{c:?}"
    );
}

#[tokio::test]
async fn a_lost_create_is_told_from_connectors_made_just_before_by_what_it_sent() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Neighbours");
    let client = client_with(&emu, fast_policy());
    let cancel = CancellationToken::new();
    // Made within the clock skew of the lost create, by another client (nothing claimed them):
    // one with another Xero client ID, one delegated, one with other owners.
    let other = client_with(&emu, fast_policy());
    let users = emu.user_ids();
    let before_a = other
        .create_connector(
            &app_id,
            &new_xero(),
            &xero_config_for("AAAA0000AAAA0000AAAA0000AAAA0000"),
            &cancel,
        )
        .await
        .unwrap();
    let before_b = other
        .create_connector_delegated(&app_id, &new_xero(), &cancel)
        .await
        .unwrap();
    let owned = NewConnector {
        user_ids: vec![users[1].clone()],
        ..new_xero()
    };
    let before_c = other
        .create_connector_delegated(&app_id, &owned, &cancel)
        .await
        .unwrap();

    emu.reset_counters();
    emu.inject(fault(
        Method::POST,
        "/connectors/create",
        FaultKind::Drop,
        true,
    ));
    let mine = client
        .create_connector(
            &app_id,
            &new_xero(),
            &xero_config_for("BBBB1111BBBB1111BBBB1111BBBB1111"),
            &cancel,
        )
        .await
        .unwrap();
    assert!(![&before_a.id, &before_b.id, &before_c.id].contains(&&mine.id));
    assert_eq!(
        mine.config
            .as_ref()
            .and_then(|c| c.get("xero_client_id"))
            .map(|s| s.expose().to_owned()),
        Some("BBBB1111BBBB1111BBBB1111BBBB1111".to_owned())
    );
    let c = emu.counters();
    assert_eq!(c.api(CREATE), 1, "sent once: {c:?}");
    assert!(c.api(LIST) >= 1, "reconciled by a list: {c:?}");
    assert_eq!(live_connectors(&emu, &app_id).len(), 4);

    // A lost delegated create with owners is not taken for the owner-less one made before.
    let other_owner = NewConnector {
        user_ids: vec![users[2].clone()],
        ..new_xero()
    };
    emu.inject(fault(
        Method::POST,
        "/connectors",
        FaultKind::Status {
            code: 503,
            retry_after: None,
        },
        true,
    ));
    let delegated = client
        .create_connector_delegated(&app_id, &other_owner, &cancel)
        .await
        .unwrap();
    assert!(![&before_b.id, &before_c.id].contains(&&delegated.id));
    assert_eq!(delegated.user_ids, vec![users[2].clone()]);
    assert_eq!(live_connectors(&emu, &app_id).len(), 5);
}

#[tokio::test]
async fn parallel_lost_creates_in_one_app_each_get_their_own_connector() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Parallel");
    let client = client_with(&emu, fast_policy());
    let cancel = CancellationToken::new();
    let mut f = fault(Method::POST, "/connectors/create", FaultKind::Drop, true);
    f.times = 4;
    emu.inject(f);
    let ids: Vec<String> = (0..4).map(|i| format!("{i:X}").repeat(32)).collect();
    let configs: Vec<EnvConfig> = ids.iter().map(|id| xero_config_for(id)).collect();
    let new = new_xero();
    let made = futures_util::future::join_all(
        configs
            .iter()
            .map(|config| client.create_connector(&app_id, &new, config, &cancel)),
    )
    .await;
    let mut got = Vec::new();
    for (want, made) in ids.iter().zip(made) {
        let c = made.unwrap();
        let sent = c
            .config
            .as_ref()
            .and_then(|c| c.get("xero_client_id"))
            .map(|s| s.expose().to_owned());
        assert_eq!(
            sent.as_deref(),
            Some(want.as_str()),
            "each got the one it asked for"
        );
        got.push(c.id);
    }
    got.sort();
    got.dedup();
    assert_eq!(got.len(), 4, "four different connectors");
    assert_eq!(live_connectors(&emu, &app_id).len(), 4);
    assert_eq!(emu.counters().api(CREATE), 4, "none sent twice");
}

#[tokio::test]
async fn a_429_is_retried_after_retry_after() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Rate limited");
    // The default cap (30 s) so the server's one second is honoured, not shortened.
    let client = client_with(
        &emu,
        RetryPolicy {
            base_delay: Duration::from_millis(5),
            ..RetryPolicy::default()
        },
    );
    emu.inject(fault(
        Method::POST,
        "/connectors/create",
        FaultKind::Status {
            code: 429,
            retry_after: Some(1),
        },
        false,
    ));
    let started = Instant::now();
    let c = client
        .create_connector(
            &app_id,
            &new_xero(),
            &xero_config(),
            &CancellationToken::new(),
        )
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(live_connectors(&emu, &app_id), vec![c.id]);
    assert_eq!(emu.counters().api(CREATE), 2);
}

#[tokio::test]
async fn an_app_create_whose_answer_is_lost_returns_the_app_it_made() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let client = client_with(&emu, fast_policy());
    emu.inject(fault(Method::POST, "/api/v1/apps", FaultKind::Drop, true));
    let new = NewApp {
        display_name: "Lost answer".into(),
        description: "d".into(),
    };
    let app = client
        .create_app(&new, &CancellationToken::new())
        .await
        .unwrap();
    let named: Vec<String> = emu
        .apps()
        .into_iter()
        .filter(|a| a["displayName"] == "Lost answer")
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(named, vec![app.id]);
    assert_eq!(emu.counters().api(c1_emulator::Route::CreateApp), 1);
}

#[tokio::test]
async fn gets_are_retried_through_503_and_dropped_connections() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Flaky reads");
    let client = client_with(&emu, fast_policy());
    emu.inject(Fault {
        times: 2,
        ..fault(
            Method::GET,
            "/api/v1/apps/",
            FaultKind::Status {
                code: 503,
                retry_after: None,
            },
            false,
        )
    });
    emu.inject(fault(Method::GET, "/api/v1/apps/", FaultKind::Drop, false));
    let app = client
        .get_app(&app_id, &CancellationToken::new())
        .await
        .unwrap();
    assert_eq!(app.id, app_id);
    assert_eq!(emu.counters().api(c1_emulator::Route::GetApp), 4);
}

#[tokio::test]
async fn retries_stop_at_the_attempt_limit_with_the_last_error() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Always failing");
    let client = client_with(&emu, fast_policy());
    emu.inject(Fault {
        times: 0,
        ..fault(
            Method::GET,
            "/api/v1/apps/",
            FaultKind::Status {
                code: 503,
                retry_after: None,
            },
            false,
        )
    });
    let err = client
        .get_app(&app_id, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Server, "{err}");
    assert_eq!(err.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(emu.counters().api(c1_emulator::Route::GetApp), 5);
}

#[tokio::test]
async fn cancel_ends_a_retry_wait_at_once_and_the_deadline_bounds_it() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Waiting");
    emu.inject(Fault {
        times: 0,
        ..fault(
            Method::GET,
            "/api/v1/apps/",
            FaultKind::Status {
                code: 429,
                retry_after: Some(30),
            },
            false,
        )
    });

    let client = client_with(&emu, RetryPolicy::default());
    let cancel = CancellationToken::new();
    let c2 = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c2.cancel();
    });
    let started = Instant::now();
    let err = client.get_app(&app_id, &cancel).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Cancelled, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    let short = client_with(
        &emu,
        RetryPolicy {
            overall_deadline: Duration::from_millis(500),
            ..RetryPolicy::default()
        },
    );
    let started = Instant::now();
    let err = short
        .get_app(&app_id, &CancellationToken::new())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::RateLimited, "{err}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn lists_follow_every_page_and_deleted_connectors_read_as_not_found() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let app_id = emu.create_app("Paged");
    let client = client_with(&emu, fast_policy());
    let mut made = Vec::new();
    for i in 0..5 {
        let new = NewConnector {
            display_name: format!("Xero {i}"),
            ..new_xero()
        };
        made.push(
            client
                .create_connector_delegated(&app_id, &new, &cancel)
                .await
                .unwrap()
                .id,
        );
    }
    emu.reset_counters();
    let listed: Vec<String> = client
        .list_connectors(&app_id, &cancel)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(listed.len(), 5);
    for id in &made {
        assert!(listed.contains(id), "{id} missing from {listed:?}");
    }
    // Page size 2: pages of 2, 2, 1.
    assert_eq!(emu.counters().api(c1_emulator::Route::ListConnectors), 3);

    for i in 0..3 {
        let _ = emu.create_app(&format!("Extra {i}"));
    }
    let apps = client.list_apps(&cancel).await.unwrap();
    assert!(
        apps.iter()
            .filter(|a| a.display_name.starts_with("Extra "))
            .count()
            == 3,
        "{apps:?}"
    );

    client
        .delete_connector(&app_id, &made[0], &cancel)
        .await
        .unwrap();
    let err = client
        .get_connector(&app_id, &made[0], &cancel)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    emu.set_render_deleted(true);
    let err = client
        .get_connector(&app_id, &made[0], &cancel)
        .await
        .unwrap_err();
    assert!(
        err.is_not_found(),
        "a connector with deletedAt set is gone too: {err}"
    );
}

#[tokio::test]
async fn update_sends_the_mask_and_the_config_is_read_back_without_the_secret() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let cancel = CancellationToken::new();
    let app_id = emu.create_app("Updates");
    let client = client_with(&emu, fast_policy());
    let mut c = client
        .create_connector(&app_id, &new_xero(), &xero_config(), &cancel)
        .await
        .unwrap();
    let read = client.get_connector(&app_id, &c.id, &cancel).await.unwrap();
    let cfg = read.config.clone().unwrap_or_default();
    assert_eq!(
        cfg.get("xero_client_id").map(SecretString::expose),
        Some("116F90CBBCFB407D9645A4DBC376E52B")
    );
    assert!(
        cfg.get("xero_client_secret").is_none(),
        "a secret is never read back"
    );

    c.config = Some(EnvConfig::from_pairs([(
        "xero_client_id",
        SecretString::new("NEWID"),
    )]));
    let updated = client
        .update_connector(&c, &["config"], &cancel)
        .await
        .unwrap();
    assert_eq!(
        updated
            .config
            .unwrap()
            .get("xero_client_id")
            .map(SecretString::expose),
        Some("NEWID")
    );

    let users = emu.user_ids();
    c.user_ids = vec![users[1].clone()];
    c.display_name = "Renamed".into();
    let updated = client
        .update_connector_delegated(&c, &["displayName", "userIds"], &cancel)
        .await
        .unwrap();
    assert_eq!(updated.user_ids, vec![users[1].clone()]);
    assert_eq!(updated.display_name, "Renamed");
    client.force_sync(&app_id, &c.id, &cancel).await.unwrap();
}

/// The case of issue 10: a backend commits creates whose answers are lost and whose connectors
/// lists show only 5 s later, while other creates of the same app and credentials go on.
#[tokio::test]
async fn lost_creates_hidden_from_lists_make_no_second_connector_and_no_shared_id() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("Hidden");
    let client = client_with(
        &emu,
        RetryPolicy {
            overall_deadline: Duration::from_secs(120),
            ..fast_policy()
        },
    );
    let cancel = CancellationToken::new();
    emu.inject(
        Fault::new(Some(Method::POST), "/connectors/create", FaultKind::Drop, 3)
            .after_effect_hidden_for(Duration::from_secs(5)),
    );
    let new = new_xero();
    let config = xero_config();
    let made = futures_util::future::join_all(
        (0..10).map(|_| client.create_connector(&app_id, &new, &config, &cancel)),
    )
    .await;
    let mut ids: Vec<String> = made.into_iter().map(|m| m.unwrap().id).collect();
    ids.sort();
    ids.dedup();
    let live = live_connectors(&emu, &app_id);
    assert_eq!(
        (live.len(), ids.len()),
        (10, 10),
        "10 live connectors, 10 distinct IDs returned: {live:?} / {ids:?}"
    );
    for id in &ids {
        assert!(live.contains(id), "{id} is not a live connector");
    }
}

/// A lost create must not take a connector whose own create is committed but still waiting for
/// its answer: that create would get the same connector.
#[tokio::test]
async fn a_lost_create_never_adopts_a_connector_whose_answer_is_on_its_way() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    let app_id = emu.create_app("In flight");
    let client = client_with(&emu, fast_policy());
    let cancel = CancellationToken::new();
    let slow = Fault {
        after_effect: true,
        ..Fault::new(
            Some(Method::POST),
            "/connectors/create",
            FaultKind::Latency(Duration::from_secs(2)),
            1,
        )
    };
    emu.inject(slow);
    emu.inject(fault(
        Method::POST,
        "/connectors/create",
        FaultKind::Drop,
        true,
    ));
    let new = new_xero();
    let config = xero_config();
    let slow_create = client.create_connector(&app_id, &new, &config, &cancel);
    let lost_create = async {
        // After the slow create committed, so its connector is the older one in the list.
        tokio::time::sleep(Duration::from_millis(300)).await;
        client
            .create_connector(&app_id, &new, &config, &cancel)
            .await
    };
    let (slow_made, lost_made) = tokio::join!(slow_create, lost_create);
    let (a, b) = (slow_made.unwrap().id, lost_made.unwrap().id);
    assert_ne!(a, b, "two creates, two connectors");
    let mut live = live_connectors(&emu, &app_id);
    live.sort();
    let mut ids = vec![a, b];
    ids.sort();
    assert_eq!(live, ids);
    assert_eq!(emu.counters().api(CREATE), 2, "none sent twice");
}

fn one_attempt() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 1,
        ..fast_policy()
    }
}

#[tokio::test]
async fn on_a_shared_http_client_each_request_has_the_configured_timeout() {
    let emu = c1_emulator::start(Config::default()).await.unwrap();
    emu.set_latency(Duration::from_millis(400));
    let cancel = CancellationToken::new();

    // The shared client's own limit is shorter than the answer takes; the configuration's is not.
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let client = Client::with_http(
        config_for(&emu, one_attempt(), Duration::from_secs(10)),
        impatient,
    )
    .unwrap();
    client.authenticate(&cancel).await.unwrap();

    // And the other way round: the configuration's limit holds on a client without one.
    let client = Client::with_http(
        config_for(&emu, one_attempt(), Duration::from_millis(100)),
        reqwest::Client::new(),
    )
    .unwrap();
    let err = client.authenticate(&cancel).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}
