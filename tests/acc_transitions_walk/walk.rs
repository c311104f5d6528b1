//! Running one walk with real Terraform: apply each step, plan again, compare the emulator with the
//! configuration, destroy at the end; a failure says where, what and how to reproduce it.

use std::collections::BTreeMap;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use c1_emulator::{Emulator, XeroAppKind};

use super::check::{Ids, StateView, differences, leftovers};
use super::model::{DryRun, Move, PRECREATED_APPS, World, XeroApps};
use super::propose::{Limits, initial, propose};
use super::rng::Rng;
use crate::acc_xero_integration_env::Env;
use crate::support::{Output, Terraform, Workdir};

/// Words that must never appear in Terraform's output: each is a provider contract broken
/// ("Provider produced inconsistent final plan", "… unexpected new value …", "… invalid plan").
const FORBIDDEN: [&str; 3] = ["inconsistent", "unexpected new value", "invalid"];
/// The most lines of Terraform output a failure message keeps.
const OUTPUT_LINES: usize = 60;

/// Where a walk's steps come from.
pub(crate) enum Source {
    /// Drawn from the seed: a first configuration, then `steps` steps of one or two moves.
    Seed { seed: u64, steps: usize },
    /// Written out: step 0 is the first configuration, each later entry one step.
    Script { steps: Vec<Vec<Move>> },
}

impl Source {
    fn steps(&self) -> usize {
        match self {
            Source::Seed { steps, .. } => *steps,
            Source::Script { steps, .. } => steps.len().saturating_sub(1),
        }
    }
}

/// A walk that went wrong.
pub(crate) struct Failure {
    /// `seed 17` or `script <name>`.
    pub(crate) case: String,
    /// The command that runs this walk again up to the failing step.
    pub(crate) reproduce: String,
    pub(crate) step: usize,
    pub(crate) moves: Vec<String>,
    pub(crate) before: String,
    pub(crate) after: String,
    /// What was wrong.
    pub(crate) what: String,
    /// Terraform's output, trimmed.
    pub(crate) output: String,
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "=== {} failed at step {}: {}",
            self.case, self.step, self.what
        )?;
        writeln!(f, "reproduce: {}", self.reproduce)?;
        writeln!(f, "moves:")?;
        for m in &self.moves {
            writeln!(f, "  - {m}")?;
        }
        writeln!(f, "--- configuration before ---\n{}", self.before)?;
        writeln!(f, "--- configuration after ---\n{}", self.after)?;
        writeln!(f, "--- terraform output (trimmed) ---\n{}", self.output)
    }
}

/// What a walk that passed did.
pub(crate) struct Passed {
    pub(crate) steps: usize,
    pub(crate) elapsed: Duration,
}

struct EmulatorXero<'a>(&'a Emulator);

impl XeroApps for EmulatorXero<'_> {
    fn register(&mut self, kind: XeroAppKind) -> (String, String) {
        self.0.register_xero_app(kind)
    }
    fn rotate(&mut self, client_id: &str) -> String {
        self.0
            .rotate_xero_secret(client_id)
            .unwrap_or_else(|| panic!("rotate: no Xero app {client_id}"))
    }
}

/// Keeps the lines that matter: from Terraform's first diagnostic on, else the end; at most
/// [`OUTPUT_LINES`], secrets replaced.
fn trimmed(out: &Output, secrets: &[String]) -> String {
    let mut text = format!("$ {} [{}]\n{}", out.command, out.status, out.combined());
    for s in secrets {
        text = text.replace(s.as_str(), "<secret>");
    }
    let lines: Vec<&str> = text.lines().collect();
    // The first error; warnings come first in every run (dev overrides), so they do not count.
    let first_diag = lines.iter().position(|l| l.contains("Error:"));
    let start = first_diag.unwrap_or(lines.len().saturating_sub(OUTPUT_LINES));
    let end = (start + OUTPUT_LINES).min(lines.len());
    let mut kept = lines[..1].join("\n");
    if start > 1 {
        kept.push_str("\n[…]");
    }
    kept.push('\n');
    kept.push_str(&lines[start.max(1)..end].join("\n"));
    if end < lines.len() {
        kept.push_str("\n[…]");
    }
    kept
}

fn forbidden_in(out: &Output) -> Option<&'static str> {
    let text = out.combined().to_lowercase();
    FORBIDDEN.into_iter().find(|w| text.contains(w))
}

/// The live state of a walk, so a panic (a Terraform timeout) still reports its step.
struct Progress {
    step: usize,
    moves: Vec<String>,
    before: String,
    after: String,
}

/// Runs `source` on `tf` with its own emulator and working directory.
///
/// `reproduce(steps)` is the command that runs the same walk up to `steps`.
///
/// # Errors
/// The first step that went wrong.
pub(crate) fn run(
    tf: &Terraform,
    source: &Source,
    case: &str,
    reproduce: &dyn Fn(usize) -> String,
) -> Result<Passed, Box<Failure>> {
    let started = Instant::now();
    let mut progress = Progress {
        step: 0,
        moves: Vec::new(),
        before: String::new(),
        after: String::new(),
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| walk(tf, source, &mut progress)));
    let fail = |progress: &Progress, what: String, output: String| {
        Box::new(Failure {
            case: case.to_owned(),
            reproduce: reproduce(progress.step),
            step: progress.step,
            moves: progress.moves.clone(),
            before: progress.before.clone(),
            after: progress.after.clone(),
            what,
            output,
        })
    };
    match outcome {
        Ok(Ok(())) => Ok(Passed {
            steps: source.steps(),
            elapsed: started.elapsed(),
        }),
        Ok(Err((what, output))) => Err(fail(&progress, what, output)),
        Err(panic) => {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "a panic".to_owned());
            let lines: Vec<&str> = text.lines().collect();
            let keep = lines[..lines.len().min(OUTPUT_LINES)].join("\n");
            Err(fail(&progress, "the harness panicked".to_owned(), keep))
        }
    }
}

type StepError = (String, String);

fn walk(tf: &Terraform, source: &Source, progress: &mut Progress) -> Result<(), StepError> {
    let env = Env::start();
    let precreated: Vec<String> = (0..PRECREATED_APPS)
        .map(|i| env.emu.create_app(&format!("Pre-created {i}")))
        .collect();
    let users = env.emu.user_ids();
    let wd = env.workdir(tf);
    let limits = Limits {
        write_only: tf.supports_write_only(),
        users: users.len(),
    };
    let mut rng = match source {
        Source::Seed { seed, .. } => Rng::new(*seed),
        Source::Script { .. } => Rng::new(0),
    };
    let mut world = World::default();
    let mut prior_ids: BTreeMap<String, Ids> = BTreeMap::new();
    for step in 0..=source.steps() {
        let moves = match source {
            Source::Script { steps, .. } => steps[step].clone(),
            Source::Seed { .. } => draw(&mut world, &mut rng, &limits, step),
        };
        let mut next = world.clone();
        for m in &moves {
            next = next
                .with(m, &mut EmulatorXero(&env.emu))
                .map_err(|e| (format!("the script does not fit: {}", e.0), String::new()))?;
        }
        *progress = Progress {
            step,
            moves: moves.iter().map(ToString::to_string).collect(),
            before: world.redacted(&precreated, &users),
            after: next.redacted(&precreated, &users),
        };
        eprintln!("step {step}: {}", progress.moves.join("; "));
        if let Some(why) = next.problem(limits.write_only) {
            return Err((
                format!("the walk made an invalid configuration: {why}"),
                String::new(),
            ));
        }
        let secrets = secrets_of(&[&world, &next]);
        wd.write("main.tf", &next.hcl(&precreated, &users));
        apply_step(&wd, &secrets)?;
        let state = StateView::of(&wd.state_json());
        let bad = differences(
            &env.emu,
            &precreated,
            &users,
            &world,
            &next,
            &prior_ids,
            &state,
        );
        if !bad.is_empty() {
            return Err((
                format!(
                    "the emulator does not match the configuration:\n  {}",
                    bad.join("\n  ")
                ),
                String::new(),
            ));
        }
        prior_ids = state.ids();
        world = next;
    }

    progress.step = source.steps() + 1;
    progress.moves = vec!["terraform destroy".to_owned()];
    progress.before = world.redacted(&precreated, &users);
    progress.after = String::new();
    let secrets = secrets_of(&[&world]);
    let out = wd.run(&["destroy", "-input=false", "-auto-approve", "-no-color"]);
    if !out.success() {
        return Err(("destroy failed".to_owned(), trimmed(&out, &secrets)));
    }
    if let Some(word) = forbidden_in(&out) {
        return Err((
            format!("destroy output says {word:?}"),
            trimmed(&out, &secrets),
        ));
    }
    let left = leftovers(&env.emu, &precreated);
    if !left.is_empty() {
        return Err((
            format!("left after destroy:\n  {}", left.join("\n  ")),
            String::new(),
        ));
    }
    Ok(())
}

/// The moves of a drawn step: the first configuration at step 0, else one or two moves.
fn draw(world: &mut World, rng: &mut Rng, limits: &Limits, step: usize) -> Vec<Move> {
    let mut draft = world.clone();
    let moves = if step == 0 {
        initial(&mut draft, rng, limits)
    } else {
        let first = propose(&mut draft, rng, limits);
        let mut moves = vec![first];
        if rng.chance(1, 3) {
            draft = draft
                .with(&moves[0], &mut DryRun)
                .expect("a proposed move applies");
            moves.push(propose(&mut draft, rng, limits));
        }
        moves
    };
    // The counters advanced while drawing; the moves themselves are made for real by the caller.
    world.next_label = draft.next_label;
    world.next_name = draft.next_name;
    moves
}

fn secrets_of(worlds: &[&World]) -> Vec<String> {
    worlds
        .iter()
        .flat_map(|w| w.resources.iter())
        .filter_map(|r| r.creds.as_ref().map(|c| c.secret.clone()))
        .collect()
}

/// `apply`, which must succeed without a broken-contract word, then a plan that must be empty.
fn apply_step(wd: &Workdir, secrets: &[String]) -> Result<(), StepError> {
    let out = wd.try_apply();
    if !out.success() {
        return Err(("apply failed".to_owned(), trimmed(&out, secrets)));
    }
    if let Some(word) = forbidden_in(&out) {
        return Err((
            format!("apply output says {word:?}"),
            trimmed(&out, secrets),
        ));
    }
    let plan = wd.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
    if plan.code() != Some(0) {
        return Err((
            format!("the plan after apply is not empty (exit {:?})", plan.code()),
            trimmed(&plan, secrets),
        ));
    }
    Ok(())
}
