//! Drawing moves: every input of the resource is set, unset and changed by some move, each drawn
//! with about the same weight, and only moves that lead to a valid, different configuration are
//! kept.

use c1_emulator::XeroAppKind;

use super::model::{
    AppChoice, Change, DryRun, MAX_RESOURCES, Move, NewResource, PRECREATED_APPS, Schedule,
    SecretForm, Timeouts, World,
};
use super::rng::Rng;

/// The `timeouts` blocks the walk writes (an empty block included).
const TIMEOUTS: [Timeouts; 5] = [
    None,
    Some((Some("5m"), None)),
    Some((None, Some("7m"))),
    Some((Some("10m"), Some("90s"))),
    Some((None, None)),
];

/// The `sync_schedule` blocks the walk writes (zones the emulator knows).
const SCHEDULES: [Schedule; 4] = [
    None,
    Some(("0 2 * * *", "UTC")),
    Some(("*/30 * * * *", "Europe/London")),
    Some(("0 6 * * 1-5", "America/New_York")),
];

/// What the walk may use.
pub(crate) struct Limits {
    /// Terraform supports write-only attributes (1.11+).
    pub(crate) write_only: bool,
    /// How many users the emulator has (owners are drawn from them).
    pub(crate) users: usize,
}

fn fresh_name(w: &mut World) -> String {
    w.next_name += 1;
    format!("Xero org {}", w.next_name)
}

fn fresh_description(w: &mut World) -> String {
    w.next_name += 1;
    format!("Synced by Terraform, take {}", w.next_name)
}

fn kind(rng: &mut Rng) -> XeroAppKind {
    if rng.chance(2, 3) {
        XeroAppKind::CustomConnection
    } else {
        XeroAppKind::WebApp
    }
}

fn optional_bool(rng: &mut Rng) -> Option<bool> {
    *rng.pick(&[None, Some(true), Some(false)])
}

/// A non-empty list of distinct users in random order (`user_ids = []` is not drawn: the lead
/// refuses it at plan, see issue 9).
fn owners(rng: &mut Rng, users: usize) -> Vec<usize> {
    let mut pool: Vec<usize> = (0..users).collect();
    let n = 1 + rng.below(users.min(3));
    (0..n).map(|_| pool.remove(rng.below(pool.len()))).collect()
}

fn optional_owners(rng: &mut Rng, users: usize) -> Option<Vec<usize>> {
    rng.chance(1, 2).then(|| owners(rng, users))
}

fn new_app(w: &mut World, rng: &mut Rng) -> AppChoice {
    let name = fresh_name(w);
    let description = rng.chance(1, 2).then(|| fresh_description(w));
    AppChoice::New { name, description }
}

fn new_resource(w: &mut World, rng: &mut Rng, limits: &Limits) -> Box<NewResource> {
    let app = if rng.chance(1, 2) {
        AppChoice::Existing(rng.below(PRECREATED_APPS))
    } else {
        new_app(w, rng)
    };
    let creds = (!rng.chance(1, 3)).then(|| (kind(rng), limits.write_only && rng.chance(1, 2)));
    Box::new(NewResource {
        app,
        creds,
        owners: optional_owners(rng, limits.users),
        validate: optional_bool(rng),
        wait: optional_bool(rng),
        timeouts: *rng.pick(&TIMEOUTS),
        create_before_destroy: rng.chance(1, 4),
        schedule: *rng.pick(&SCHEDULES),
        paused: optional_bool(rng),
    })
}

/// A new resource's move (its label taken from the world's counter).
pub(crate) fn add(w: &mut World, rng: &mut Rng, limits: &Limits) -> Move {
    let target = format!("r{}", w.next_label);
    w.next_label += 1;
    Move {
        target,
        change: Change::Add(new_resource(w, rng, limits)),
    }
}

/// One candidate move on `w` (not yet known to be valid). Counters in `w` may advance.
fn candidate(w: &mut World, rng: &mut Rng, limits: &Limits) -> Move {
    const KINDS: usize = 19;
    let r = w.resources[rng.below(w.resources.len())].clone();
    let target = r.label.clone();
    let change = match rng.below(KINDS) {
        0 if w.resources.len() < MAX_RESOURCES => return add(w, rng, limits),
        1 if w.resources.len() > 1 => Change::Remove,
        2 => Change::ToExistingApp(rng.below(PRECREATED_APPS)),
        3 => match new_app(w, rng) {
            AppChoice::New { name, description } => Change::ToNewApp { name, description },
            AppChoice::Existing(_) => unreachable!("new_app draws a new app"),
        },
        4 => Change::Rename(fresh_name(w)),
        5 => Change::Describe(rng.chance(2, 3).then(|| fresh_description(w))),
        6 => match &r.creds {
            Some(_) => Change::Delegate,
            None => Change::Configure {
                kind: kind(rng),
                write_only: limits.write_only && rng.chance(1, 2),
            },
        },
        7 => Change::NewClient(match r.creds.as_ref().map(|c| c.kind) {
            // Half the time the other kind: Custom Connection ⇄ Web app.
            Some(k) if rng.chance(1, 2) => k,
            _ => kind(rng),
        }),
        8 => Change::RotateSecret,
        9 => Change::WriteOnly(!matches!(
            r.creds.as_ref().map(|c| c.form),
            Some(SecretForm::WriteOnly { .. })
        )),
        10 => Change::BumpVersion,
        11 => Change::Owners(optional_owners(rng, limits.users)),
        12 => Change::Validate(optional_bool(rng)),
        13 => Change::Wait(optional_bool(rng)),
        14 => Change::Timeouts(*rng.pick(&TIMEOUTS)),
        15 => Change::CreateBeforeDestroy(!r.create_before_destroy),
        16 => Change::Schedule(*rng.pick(&SCHEDULES)),
        17 => Change::Paused(optional_bool(rng)),
        _ => {
            if w.sync_on.is_some() && rng.chance(1, 3) {
                Change::NoSync
            } else {
                Change::SyncHere
            }
        }
    };
    Move { target, change }
}

/// A move on `w` that leads to a valid configuration different from `w`.
///
/// # Panics
/// If none is found in many tries (a bug in the generator).
pub(crate) fn propose(w: &mut World, rng: &mut Rng, limits: &Limits) -> Move {
    for _ in 0..500 {
        let m = candidate(w, rng, limits);
        let Ok(next) = w.with(&m, &mut DryRun) else {
            continue;
        };
        let changed = next.resources != w.resources || next.sync_on != w.sync_on;
        if changed && next.problem(limits.write_only).is_none() {
            return m;
        }
    }
    panic!("no valid move found from {w:?}");
}

/// The first configuration of a walk: one to three new resources, maybe the data source.
pub(crate) fn initial(w: &mut World, rng: &mut Rng, limits: &Limits) -> Vec<Move> {
    loop {
        let mut trial = w.clone();
        let n = 1 + rng.below(MAX_RESOURCES);
        let mut moves: Vec<Move> = (0..n).map(|_| add(&mut trial, rng, limits)).collect();
        if rng.chance(1, 2) {
            moves.push(Move {
                target: moves[0].target.clone(),
                change: Change::SyncHere,
            });
        }
        let mut next = trial.clone();
        for m in &moves {
            next = next
                .with(m, &mut DryRun)
                .expect("adds apply to an empty world");
        }
        if next.problem(limits.write_only).is_none() {
            *w = trial;
            return moves;
        }
    }
}
