//! `conductorone_xero_integration` under creates whose answers are lost while the backend still
//! commits them and its lists lag: every resource gets its own connector, and no second
//! connector is made for a create that did take effect.

mod acc_xero_integration_env;
mod support;

use std::collections::HashSet;
use std::time::Duration;

use acc_xero_integration_env::{Env, header, q};
use c1_emulator::{Config, Fault, FaultKind, Method, Route};

fn tf_1_15() -> Option<support::Terraform> {
    support::terraform::for_slot("1.15.5")
}

#[test]
fn thirty_creates_with_lost_hidden_answers_make_thirty_connectors() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::with(Config {
        page_size: 100,
        sync_duration: Duration::from_millis(200),
        ..Config::default()
    });
    let app = env.emu.create_app("Ambiguous");
    let (client_id, secret) = env.custom_connection();
    let wd = env.workdir(&tf);
    // 20 identical configurations with credentials and 10 identical delegated ones, one app.
    wd.write(
        "main.tf",
        &format!(
            "{}resource \"conductorone_xero_integration\" \"creds\" {{\n  count = 20\n  app_id = {app}\n  \
             xero_client_id = {id}\n  xero_client_secret = {secret}\n}}\n\
             resource \"conductorone_xero_integration\" \"delegated\" {{\n  count = 10\n  app_id = {app}\n}}\n",
            header(),
            app = q(&app),
            id = q(&client_id),
            secret = q(&secret),
        ),
    );
    // The first six creates (of either kind) take effect, lose their answers, and stay out of
    // lists and gets for 5 s.
    env.emu.inject(
        Fault::new(Some(Method::POST), "/connectors", FaultKind::Drop, 6)
            .after_effect_hidden_for(Duration::from_secs(5)),
    );
    wd.apply();

    let live: Vec<String> = env
        .live_connectors(&app)
        .iter()
        .map(|c| c["id"].as_str().unwrap_or_default().to_owned())
        .collect();
    let state = wd.state_json();
    let in_state: Vec<String> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "conductorone_xero_integration")
        .flat_map(|r| r["instances"].as_array().cloned().unwrap_or_default())
        .map(|i| {
            i["attributes"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned()
        })
        .collect();
    let distinct: HashSet<&String> = in_state.iter().collect();
    assert_eq!(
        (live.len(), in_state.len(), distinct.len()),
        (30, 30, 30),
        "live connectors, resources in state, distinct IDs in state"
    );
    for id in &in_state {
        assert!(live.contains(id), "{id} in state is not a live connector");
    }
    env.emu.reset_counters();
    let out = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(out.code(), Some(0), "a clean second plan: {out}");
    assert!(!out.combined().contains("Stray"), "{out}");
    let c = env.emu.counters();
    assert_eq!(
        (c.api(Route::GetConnector), c.api(Route::ListConnectors)),
        (30, 0),
        "a refresh costs one GET per resource and no list: {c:?}"
    );
    wd.destroy();
}

#[test]
fn a_connector_that_shows_up_after_the_lookup_window_is_reported_by_the_next_refresh() {
    let Some(tf) = tf_1_15() else { return };
    let env = Env::start();
    let app = env.emu.create_app("Late");
    let wd = env.workdir(&tf);
    wd.write(
        "main.tf",
        &format!(
            "{}resource \"conductorone_xero_integration\" \"late\" {{\n  app_id = {app}\n}}\n\
             resource \"conductorone_xero_integration\" \"calm\" {{\n  app_id = {other}\n}}\n",
            header(),
            app = q(&app),
            other = q(&env.emu.create_app("Calm")),
        ),
    );
    // Hidden for longer than the 15 s lookup window: the create is sent again.
    let hidden = Duration::from_secs(20);
    env.emu.inject(
        Fault::new(
            Some(Method::POST),
            &format!("/apps/{app}/connectors"),
            FaultKind::Drop,
            1,
        )
        .after_effect_hidden_for(hidden),
    );
    let started = std::time::Instant::now();
    wd.apply();
    let all = env.live_connectors(&app);
    assert_eq!(
        all.len(),
        2,
        "the lost create and the one sent again: {all:?}"
    );
    let kept = acc_xero_integration_env::attrs(&wd, "late")["id"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let stray: Vec<&str> = all
        .iter()
        .filter_map(|c| c["id"].as_str())
        .filter(|id| *id != kept)
        .collect();
    assert_eq!(stray.len(), 1, "{all:?}");

    std::thread::sleep((hidden + Duration::from_secs(1)).saturating_sub(started.elapsed()));
    env.emu.reset_counters();
    let out = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(out.code(), Some(0), "{out}");
    let text = out.combined();
    assert!(text.contains("Possible Stray Xero Connector"), "{text}");
    assert!(
        text.contains(stray[0]),
        "the warning names the stray: {text}"
    );
    assert_eq!(
        text.matches("Possible Stray Xero Connector").count(),
        1,
        "{text}"
    );
    // Only the resource whose create was sent again lists its app.
    assert_eq!(env.emu.counters().api(Route::ListConnectors), 1);
    wd.destroy();
}
