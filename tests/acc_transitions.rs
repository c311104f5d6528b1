//! State-machine acceptance test of `conductorone_xero_integration` (issue 9): seeded random walks
//! through valid configurations of one to three integrations and a `conductorone_xero_sync` data
//! source, each step changing one or two inputs, applied with real Terraform. After every step
//! `apply` succeeds without "inconsistent", "unexpected new value" or "invalid" in its output, a
//! second plan is empty, and the emulator holds exactly what the configuration says; the final
//! `destroy` leaves only the apps the walk pre-created.
//!
//! The default run (part of `make test`) is bounded: 4 seeds × 10 steps on Terraform 1.15.5, 2 × 8
//! on 1.0.3, plus the fixed regression cases below. More: `make transitions SEEDS=1-50 STEPS=20
//! [VERSIONS=1.15.5]`, which sets `TRANSITION_SEEDS` (a list such as `3,17` or a range `1-50`) and
//! `TRANSITION_STEPS`. A failure prints its seed, step, moves, the configuration before and after,
//! Terraform's output and the command that reproduces it.

mod acc_transitions_walk;
mod acc_xero_integration_env;
mod support;

use std::fmt::Write as _;

use acc_transitions_walk::model::{AppChoice, Change, Move, NewResource};
use acc_transitions_walk::walk::{Source, run};
use c1_emulator::XeroAppKind;
use support::Terraform;

/// Seeds and steps each version slot walks by default.
const DEFAULT_WALKS: [(&str, u64, usize); 2] = [("1.15.5", 4, 10), ("1.0.3", 2, 8)];

/// Walks that once failed, kept so they keep passing: `(slot, seed, steps, what failed)`. Each
/// runs only up to its failing step. (A seed names a walk of this generator: a change to
/// `propose` may make it walk elsewhere, which is why the causes are also written out as
/// [`SCRIPTS`].)
const REGRESSIONS: &[(&str, u64, usize, &str)] = &[
    (
        "1.0.3",
        1,
        1,
        "new_app renamed and re-described with a checked Custom Connection: replaced, then \
         inconsistent final plan on xero_app_type",
    ),
    (
        "1.15.5",
        2,
        1,
        "app_id -> new_app with a checked Web app: inconsistent final plan on xero_app_type",
    ),
    (
        "1.15.5",
        3,
        4,
        "new_app renamed with a delegated connector: app and connector replaced",
    ),
    (
        "1.15.5",
        4,
        7,
        "new_app renamed and re-described: app and connector replaced",
    ),
];

/// A resource to add in a script: `app` and credentials as given, every other input unset.
fn plain(app: AppChoice, creds: Option<(XeroAppKind, bool)>) -> Change {
    Change::Add(Box::new(NewResource {
        app,
        creds,
        owners: None,
        validate: None,
        wait: None,
        timeouts: None,
        create_before_destroy: false,
        schedule: None,
        paused: None,
    }))
}

fn on(target: &str, change: Change) -> Move {
    Move {
        target: target.to_owned(),
        change,
    }
}

fn new_app(name: &str) -> AppChoice {
    AppChoice::New {
        name: name.to_owned(),
        description: None,
    }
}

const CC: Option<(XeroAppKind, bool)> = Some((XeroAppKind::CustomConnection, false));
const WEB: Option<(XeroAppKind, bool)> = Some((XeroAppKind::WebApp, false));

/// Written-out walks, one per cause issue 9 names: `(name, runs on write-only Terraform only,
/// steps)`.
fn scripts() -> Vec<(&'static str, bool, Vec<Vec<Move>>)> {
    vec![
        (
            "rename_and_redescribe_new_app_with_checked_credentials_in_place",
            false,
            vec![
                vec![on("r0", plain(new_app("A"), CC))],
                vec![on("r0", Change::Rename("B".into()))],
                vec![on("r0", Change::Describe(Some("Finance org".into())))],
                vec![on("r0", Change::Describe(None))],
            ],
        ),
        (
            "move_between_apps_with_a_checked_web_app",
            false,
            vec![
                vec![on("r0", plain(AppChoice::Existing(0), WEB))],
                vec![on("r0", Change::ToExistingApp(1))],
                vec![on(
                    "r0",
                    Change::ToNewApp {
                        name: "Own".into(),
                        description: Some("made by new_app".into()),
                    },
                )],
                // new_app -> app_id: Terraform 1.0.3 proposes the removed block's old value.
                vec![on("r0", Change::ToExistingApp(0))],
            ],
        ),
        (
            "remove_the_timeouts_block",
            false,
            vec![
                vec![on(
                    "r0",
                    Change::Add(Box::new(NewResource {
                        app: AppChoice::Existing(0),
                        creds: CC,
                        owners: Some(vec![1]),
                        validate: None,
                        wait: Some(true),
                        timeouts: Some((Some("5m"), None)),
                        create_before_destroy: false,
                        schedule: None,
                        paused: None,
                    })),
                )],
                vec![on("r0", Change::Timeouts(None))],
            ],
        ),
        (
            "create_before_destroy_replacements_leave_nothing_behind",
            false,
            vec![
                vec![
                    on("r0", plain(new_app("First"), CC)),
                    on("r0", Change::CreateBeforeDestroy(true)),
                    on("r0", Change::SyncHere),
                ],
                vec![on("r0", Change::ToExistingApp(0))],
                vec![on(
                    "r0",
                    Change::ToNewApp {
                        name: "Second".into(),
                        description: None,
                    },
                )],
                vec![on("r0", Change::ToExistingApp(1))],
            ],
        ),
        (
            "write_only_secret_across_a_replacement",
            true,
            vec![
                vec![on(
                    "r0",
                    plain(
                        AppChoice::Existing(0),
                        Some((XeroAppKind::CustomConnection, true)),
                    ),
                )],
                vec![on("r0", Change::ToExistingApp(1))],
                vec![on("r0", Change::RotateSecret)],
                vec![on(
                    "r0",
                    Change::ToNewApp {
                        name: "WO".into(),
                        description: None,
                    },
                )],
                vec![on("r0", Change::WriteOnly(false))],
            ],
        ),
        (
            "schedule_and_pause_across_removal_and_a_replacement",
            false,
            vec![
                vec![on(
                    "r0",
                    Change::Add(Box::new(NewResource {
                        app: AppChoice::Existing(0),
                        creds: CC,
                        owners: None,
                        validate: None,
                        wait: None,
                        timeouts: None,
                        create_before_destroy: false,
                        schedule: Some(("0 2 * * *", "UTC")),
                        paused: Some(true),
                    })),
                )],
                // Removed: the connector stays paused; true again meets an already paused one.
                vec![on("r0", Change::Paused(None))],
                vec![on("r0", Change::Paused(Some(true)))],
                vec![
                    on("r0", Change::Paused(Some(false))),
                    on(
                        "r0",
                        Change::Schedule(Some(("*/30 * * * *", "Europe/London"))),
                    ),
                ],
                vec![
                    on("r0", Change::Paused(Some(true))),
                    on("r0", Change::ToExistingApp(1)),
                ],
                vec![on("r0", Change::Schedule(None))],
            ],
        ),
    ]
}

/// The seeds and steps to walk on `slot`: the environment's, else the slot's defaults.
fn walks(slot: &str) -> (Vec<u64>, usize) {
    let (_, seeds, steps) = DEFAULT_WALKS
        .iter()
        .copied()
        .find(|(s, _, _)| *s == slot)
        .unwrap_or((slot, 1, 5));
    let seeds = match std::env::var("TRANSITION_SEEDS") {
        Ok(text) if !text.trim().is_empty() => parse_seeds(&text)
            .unwrap_or_else(|e| panic!("TRANSITION_SEEDS={text:?}: {e}; write e.g. 3,17 or 1-50")),
        _ => (1..=seeds).collect(),
    };
    let steps = match std::env::var("TRANSITION_STEPS") {
        Ok(text) if !text.trim().is_empty() => text
            .trim()
            .parse()
            .unwrap_or_else(|e| panic!("TRANSITION_STEPS={text:?}: {e}")),
        _ => steps,
    };
    (seeds, steps)
}

/// `3,17` or `1-50` or a mix (`1-4,9`).
fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let mut seeds = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let number = |s: &str| s.trim().parse::<u64>().map_err(|e| format!("{s:?}: {e}"));
        match part.split_once('-') {
            Some((a, b)) => seeds.extend(number(a)?..=number(b)?),
            None => seeds.push(number(part)?),
        }
    }
    if seeds.is_empty() {
        return Err("no seed".to_owned());
    }
    Ok(seeds)
}

fn test_name(slot: &str) -> String {
    format!("terraform_{}", slot.replace('.', "_"))
}

/// Runs each source on `tf`, then fails listing every walk that failed.
/// A named walk, where its moves come from, and what reproduces it.
type Case = (String, Source, Box<dyn Fn(usize) -> String>);

fn run_all(tf: &Terraform, slot: &str, cases: Vec<Case>) {
    let mut failures = String::new();
    let mut summary = Vec::new();
    for (case, source, reproduce) in &cases {
        match run(tf, source, case, reproduce.as_ref()) {
            Ok(passed) => summary.push(format!(
                "{case} on Terraform {slot}: {} steps passed in {:.0?}",
                passed.steps, passed.elapsed
            )),
            Err(failure) => {
                summary.push(format!(
                    "{case} on Terraform {slot}: FAILED at step {}",
                    failure.step
                ));
                let _ = writeln!(failures, "{failure}");
            }
        }
    }
    eprintln!("{}", summary.join("\n"));
    assert!(failures.is_empty(), "{}\n\n{failures}", summary.join("\n"));
}

fn walk_slot(slot: &'static str) {
    let Some(tf) = support::terraform::for_slot(slot) else {
        return;
    };
    let (seeds, steps) = walks(slot);
    let cases = seeds
        .into_iter()
        .map(|seed| {
            let reproduce: Box<dyn Fn(usize) -> String> = Box::new(move |step| {
                format!(
                    "TRANSITION_SEEDS={seed} TRANSITION_STEPS={step} TF_ACC_TERRAFORM_VERSIONS={slot} \
                     cargo nextest run --test acc_transitions walk::{}",
                    test_name(slot)
                )
            });
            (format!("seed {seed}"), Source::Seed { seed, steps }, reproduce)
        })
        .collect();
    run_all(&tf, slot, cases);
}

fn regressions_slot(slot: &'static str) {
    let Some(tf) = support::terraform::for_slot(slot) else {
        return;
    };
    let mut cases: Vec<Case> = REGRESSIONS
        .iter()
        .filter(|(s, ..)| *s == slot)
        .map(|&(_, seed, steps, found)| {
            let reproduce: Box<dyn Fn(usize) -> String> = Box::new(move |step| {
                format!(
                    "TRANSITION_SEEDS={seed} TRANSITION_STEPS={step} TF_ACC_TERRAFORM_VERSIONS={slot} \
                     cargo nextest run --test acc_transitions walk::{}",
                    test_name(slot)
                )
            });
            (format!("regression seed {seed} ({found})"), Source::Seed { seed, steps }, reproduce)
        })
        .collect();
    for (name, write_only, steps) in scripts() {
        if write_only && !tf.supports_write_only() {
            continue;
        }
        let reproduce: Box<dyn Fn(usize) -> String> = Box::new(move |_| {
            format!(
                "TF_ACC_TERRAFORM_VERSIONS={slot} cargo nextest run --test acc_transitions regressions::{}",
                test_name(slot)
            )
        });
        cases.push((
            format!("script {name}"),
            Source::Script { steps },
            reproduce,
        ));
    }
    run_all(&tf, slot, cases);
}

mod walk {
    #[test]
    fn terraform_1_15_5() {
        super::walk_slot("1.15.5");
    }

    #[test]
    fn terraform_1_0_3() {
        super::walk_slot("1.0.3");
    }
}

mod regressions {
    #[test]
    fn terraform_1_15_5() {
        super::regressions_slot("1.15.5");
    }

    #[test]
    fn terraform_1_0_3() {
        super::regressions_slot("1.0.3");
    }
}

#[test]
fn seeds_parse_as_lists_and_ranges() {
    assert_eq!(parse_seeds("3,17"), Ok(vec![3, 17]));
    assert_eq!(parse_seeds("1-4, 9"), Ok(vec![1, 2, 3, 4, 9]));
    assert!(parse_seeds("x").is_err());
    assert!(parse_seeds("").is_err());
}
