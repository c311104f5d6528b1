//! Part D's section of `BENCHMARKS.md`: the scale case, its growth from N = 100 to the largest N,
//! peak RSS against N = 10, tokens per provider process, and the emulator's CPU.

use std::fmt::Write as _;

use crate::Results;
use crate::report::verdict;
use crate::scale::{PER_APP, ScaleRun, Step};
use crate::stats::Summary;
use crate::tfrun::Run;

/// Growth allowed per resource (wall time, provider CPU) from N = 100 to the largest N.
const FLAT: f64 = 1.2;
/// Growth allowed for the provider's peak RSS from N = 10 to the largest N.
const RSS_GROWTH: f64 = 2.0;
/// The emulator counts as not the bottleneck while it uses less than this share of wall time
/// (of one core; the machine has two, Terraform and the provider share the other).
const EMULATOR_SHARE: f64 = 0.5;

/// A command of the scale case.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cmd {
    Apply,
    Plan,
    Data,
    Query,
}

impl Cmd {
    const ALL: [Self; 4] = [Self::Apply, Self::Plan, Self::Data, Self::Query];

    fn name(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Plan => "plan (refresh)",
            Self::Data => "one `conductorone_xero_sync` per app (plan)",
            Self::Query => "`terraform query` over the tenant",
        }
    }

    /// The command in a list of figures.
    fn short(self) -> &'static str {
        match self {
            Self::Apply => "apply",
            Self::Plan => "plan",
            Self::Data => "data sources",
            Self::Query => "query",
        }
    }

    fn step(self, r: &ScaleRun) -> &Step {
        match self {
            Self::Apply => &r.apply,
            Self::Plan => &r.plan,
            Self::Data => &r.data,
            Self::Query => &r.query,
        }
    }

    /// What "per resource" divides by: integrations, or data sources (one per app).
    fn units(self, r: &ScaleRun) -> usize {
        match self {
            Self::Data => r.apps.max(1),
            _ => r.n.max(1),
        }
    }

    fn baseline(self, b: &Run) -> Option<f64> {
        match self {
            Self::Apply => Some(b.apply_ms),
            Self::Plan => Some(b.plan_ms),
            Self::Data | Self::Query => None,
        }
    }
}

/// Medians of one command over the repetitions at one N and latency.
struct Row {
    wall_ms: f64,
    units: usize,
    terraform_s: f64,
    provider_s: f64,
    rss_kib: f64,
    processes: f64,
    tokens: f64,
    requests: f64,
    bench_s: f64,
}

impl Row {
    fn of(runs: &[&ScaleRun], cmd: Cmd) -> Self {
        let med = |f: &dyn Fn(&ScaleRun) -> f64| {
            Summary::of(&runs.iter().map(|r| f(r)).collect::<Vec<_>>()).median
        };
        Self {
            wall_ms: med(&|r| cmd.step(r).wall_ms),
            units: runs.first().map_or(1, |r| cmd.units(r)),
            terraform_s: med(&|r| cmd.step(r).usage.terraform_cpu_us() as f64 / 1e6),
            provider_s: med(&|r| cmd.step(r).usage.provider_cpu_us as f64 / 1e6),
            rss_kib: med(&|r| cmd.step(r).usage.provider_peak_rss_kib as f64),
            processes: med(&|r| cmd.step(r).usage.provider_processes as f64),
            tokens: med(&|r| cmd.step(r).requests.c1_tokens as f64),
            requests: med(&|r| cmd.step(r).requests.total() as f64),
            bench_s: med(&|r| cmd.step(r).usage.bench_cpu_us as f64 / 1e6),
        }
    }

    fn wall_per_unit_ms(&self) -> f64 {
        self.wall_ms / self.units as f64
    }

    fn cpu_per_unit_ms(&self) -> f64 {
        self.provider_s * 1000.0 / self.units as f64
    }
}

fn runs_at(r: &Results, n: usize, latency: u64) -> Vec<&ScaleRun> {
    r.scale
        .iter()
        .filter(|s| s.n == n && s.latency_ms == latency)
        .collect()
}

fn baseline_at(r: &Results, n: usize, cmd: Cmd) -> Option<f64> {
    let v: Vec<f64> = r
        .scale_baseline
        .iter()
        .filter(|b| b.n == n)
        .filter_map(|b| cmd.baseline(b))
        .collect();
    (!v.is_empty()).then(|| Summary::of(&v).median)
}

fn sizes(r: &Results) -> Vec<usize> {
    let mut s: Vec<usize> = r.scale.iter().map(|x| x.n).collect();
    s.sort_unstable();
    s.dedup();
    s
}

fn latencies(r: &Results) -> Vec<u64> {
    let mut l: Vec<u64> = r.scale.iter().map(|x| x.latency_ms).collect();
    l.sort_unstable();
    l.dedup();
    l
}

/// Writes part D, or a line saying how to run it.
pub(crate) fn markdown(md: &mut String, r: &Results) {
    let _ = writeln!(
        md,
        "\n## D. Scale: many integrations on few apps ({PER_APP} to an app)\n"
    );
    if r.scale.is_empty() {
        let _ = writeln!(
            md,
            "Not run for this report: it is behind a flag because it takes minutes \
             (`make bench BENCH_ARGS=--scale`)."
        );
        return;
    }
    let reps = r
        .scale
        .iter()
        .filter(|s| s.n == r.scale[0].n && s.latency_ms == r.scale[0].latency_ms)
        .count();
    let _ = writeln!(
        md,
        "N `conductorone_xero_integration` resources spread over N ÷ {PER_APP} apps (one app for N < \
         {PER_APP}), created as in part B; then the refresh `plan`; then, in a second configuration, one \
         `conductorone_xero_sync` data source per app (naming the app's first integration) read by \
         `terraform plan`; then `terraform query -json` with one `list \"conductorone_xero_integration\"` \
         block and no `app_ids` (every app of the tenant, all pages), which must find all N integrations. \
         The baseline is N `terraform_data` resources, as in part B. {reps} repetition(s) per cell; \"per resource\" is per integration, \
         or per data source for the data-source row. Provider peak RSS is the largest `ru_maxrss` \
         among the command's provider processes.\n\n\
         | N | apps | latency | command | wall | wall / resource | baseline wall | Terraform CPU | provider CPU | provider CPU / resource | provider peak RSS | provider processes | C1 tokens | requests | emulator (bench) CPU |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    );
    let mut tokens_ok = true;
    let mut emulator_worst: f64 = 0.0;
    for &n in &sizes(r) {
        for &l in &latencies(r) {
            let runs = runs_at(r, n, l);
            let Some(first) = runs.first() else { continue };
            for cmd in Cmd::ALL {
                let row = Row::of(&runs, cmd);
                tokens_ok &= row.tokens <= row.processes;
                emulator_worst = emulator_worst.max(row.bench_s * 1000.0 / row.wall_ms);
                let _ = writeln!(
                    md,
                    "| {n} | {} | {l} ms | {} | {:.2} s | {:.2} ms | {} | {:.2} s | {:.3} s | {:.2} ms | {:.1} MiB | {:.0} | {:.0} | {:.0} | {:.2} s ({:.0} % of wall) |",
                    first.apps,
                    cmd.name(),
                    row.wall_ms / 1000.0,
                    row.wall_per_unit_ms(),
                    baseline_at(r, n, cmd)
                        .map_or("—".to_owned(), |b| format!("{:.2} s", b / 1000.0)),
                    row.terraform_s,
                    row.provider_s,
                    row.cpu_per_unit_ms(),
                    row.rss_kib / 1024.0,
                    row.processes,
                    row.tokens,
                    row.requests,
                    row.bench_s,
                    row.bench_s * 100_000.0 / row.wall_ms,
                );
            }
        }
    }
    targets(md, r, tokens_ok, emulator_worst);
}

fn targets(md: &mut String, r: &Results, tokens_ok: bool, emulator_worst: f64) {
    let s = sizes(r);
    let (Some(&largest), Some(&smallest)) = (s.last(), s.first()) else {
        return;
    };
    let _ = writeln!(md, "\n| target | figures | verdict |\n|---|---|---|");
    if let Some(&from) = s.iter().find(|&&n| n >= 100).filter(|&&n| n < largest) {
        for (what, get) in [
            (
                "wall time per resource",
                Row::wall_per_unit_ms as fn(&Row) -> f64,
            ),
            ("provider CPU per resource", Row::cpu_per_unit_ms),
        ] {
            let mut parts = Vec::new();
            let mut ok = true;
            for &l in &latencies(r) {
                for cmd in Cmd::ALL {
                    let a = get(&Row::of(&runs_at(r, from, l), cmd));
                    let b = get(&Row::of(&runs_at(r, largest, l), cmd));
                    let growth = b / a;
                    ok &= growth <= FLAT;
                    let base = match (baseline_at(r, from, cmd), baseline_at(r, largest, cmd)) {
                        (Some(x), Some(y)) if what.starts_with("wall") && l == 0 => format!(
                            "; baseline {:.2}×",
                            (y / largest as f64) / (x / from as f64)
                        ),
                        _ => String::new(),
                    };
                    parts.push(format!("{} {l} ms: {growth:.2}×{base}", cmd.short()));
                }
            }
            let _ = writeln!(
                md,
                "| {what}, N = {from} → {largest}: ≤ {FLAT}× | {} | {} |",
                parts.join(", "),
                verdict(ok)
            );
        }
        // Terraform's own cost per resource grows with N (the baseline shows how much): what is
        // left over the baseline is the part the provider and its API calls add.
        let mut parts = Vec::new();
        let mut ok = true;
        for &l in &latencies(r) {
            for cmd in [Cmd::Apply, Cmd::Plan] {
                let over = |n: usize| {
                    let row = Row::of(&runs_at(r, n, l), cmd);
                    baseline_at(r, n, cmd).map(|b| (row.wall_ms - b) / row.units as f64)
                };
                if let (Some(a), Some(b)) = (over(from), over(largest)) {
                    let growth = b / a;
                    ok &= growth <= FLAT;
                    parts.push(format!(
                        "{} {l} ms: {a:.2} → {b:.2} ms ({growth:.2}×)",
                        cmd.short()
                    ));
                }
            }
        }
        if !parts.is_empty() {
            let _ = writeln!(
                md,
                "| (for reading) wall time over the `terraform_data` baseline per resource, N = {from} → {largest} | {} | {} |",
                parts.join(", "),
                if ok { "flat" } else { "grows" }
            );
        }
    }
    let rss = |n: usize| {
        latencies(r)
            .iter()
            .flat_map(|&l| {
                let runs = runs_at(r, n, l);
                Cmd::ALL.map(|c| Row::of(&runs, c).rss_kib)
            })
            .fold(0.0, f64::max)
    };
    if smallest < largest {
        let (a, b) = (rss(smallest), rss(largest));
        let _ = writeln!(
            md,
            "| provider peak RSS, N = {largest} vs N = {smallest}: ≤ {RSS_GROWTH}× | {:.1} → {:.1} MiB ({:.2}×) | {} |",
            a / 1024.0,
            b / 1024.0,
            b / a,
            verdict(b / a <= RSS_GROWTH)
        );
    }
    let _ = writeln!(
        md,
        "| at most one ConductorOne token per provider process | every command: tokens ≤ provider processes (table) | {} |",
        verdict(tokens_ok)
    );
    let _ = writeln!(
        md,
        "| the emulator is not the bottleneck: its CPU < {:.0} % of wall | at most {:.0} % | {} |",
        EMULATOR_SHARE * 100.0,
        emulator_worst * 100.0,
        verdict(emulator_worst < EMULATOR_SHARE)
    );
}
