//! `conductorone_xero_integration` under creates whose answers are lost while the backend still
//! commits them and its lists lag: every resource gets its own connector, and no second
//! connector is made for a create that did take effect.

mod acc_xero_integration_env;
mod support;

use std::collections::HashSet;
use std::time::Duration;

use acc_xero_integration_env::{Env, header, q};
use c1_emulator::{Config, Fault, FaultKind, Method};

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
    let out = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    assert_eq!(out.code(), Some(0), "a clean second plan: {out}");
    wd.destroy();
}
