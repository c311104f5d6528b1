//! `c1-bench`: measures the provider and writes `BENCHMARKS.md` (and its chart) from what it
//! measured. `scripts/bench.sh` (`make bench`) builds everything and calls it; run
//! `c1-bench --help` for the options.
//!
//! Part A launches our provider and a Go terraform-plugin-framework provider alike and times
//! the way to a served schema; part C times single protocol calls on both; part B runs real
//! Terraform against the emulator, next to the same number of `terraform_data` resources, and
//! says who spent the CPU; part D (`--scale`) runs 2,000 integrations on 100 apps.

mod cpu_report;
mod facts;
mod percall;
mod report;
mod scale;
mod scale_report;
mod session;
mod startup;
mod stats;
mod tfrun;
mod usage;
#[path = "usage_line.rs"]
mod usage_line;

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, bail};
use serde::Serialize;

use crate::facts::Facts;
use crate::startup::{Launch, Transport};
use crate::tfrun::{Run, Setup, Subject};

const USAGE: &str =
    "usage: c1-bench --ours BIN --theirs BIN --terraform BIN --out FILE.md --svg FILE.svg
  [--work DIR] [--json FILE] [--launches N] [--sizes 10,100,500] [--latencies 0,25]
  [--reps N] [--reps-large N] [--large-from N] [--command TEXT] [--skip-terraform]
  [--calls N] [--skip-percall] [--scale] [--scale-sizes 10,100,2000] [--scale-reps N]";

/// Everything one bench run found, as written to the JSON record.
#[derive(Serialize)]
pub(crate) struct Results {
    /// The machine and the software measured.
    pub(crate) facts: Facts,
    /// Part A, our provider's launches with AutoMTLS.
    pub(crate) ours: Vec<Launch>,
    /// Part A, the Go provider's launches with AutoMTLS.
    pub(crate) theirs: Vec<Launch>,
    /// Part A, our provider's launches in plaintext.
    pub(crate) ours_plain: Vec<Launch>,
    /// Part A, the Go provider's launches in plaintext.
    pub(crate) theirs_plain: Vec<Launch>,
    /// Part B, every Terraform run in the order they ran.
    pub(crate) runs: Vec<Run>,
    /// The resource counts of part B.
    pub(crate) sizes: Vec<usize>,
    /// The latencies of part B, in milliseconds.
    pub(crate) latencies: Vec<u64>,
    /// Part C, per-call cost; `None` when skipped.
    pub(crate) percall: Option<percall::PerCall>,
    /// Part D, the scale case; empty unless `--scale`.
    pub(crate) scale: Vec<scale::ScaleRun>,
    /// Part D's `terraform_data` baselines at the same sizes.
    pub(crate) scale_baseline: Vec<Run>,
    /// How long the whole bench took, in seconds.
    pub(crate) total_s: f64,
}

struct Args {
    ours: PathBuf,
    theirs: PathBuf,
    terraform: PathBuf,
    out: PathBuf,
    svg: PathBuf,
    work: PathBuf,
    json: Option<PathBuf>,
    launches: usize,
    sizes: Vec<usize>,
    latencies: Vec<u64>,
    reps: usize,
    reps_large: usize,
    large_from: usize,
    command: String,
    skip_terraform: bool,
    calls: usize,
    skip_percall: bool,
    scale: bool,
    scale_sizes: Vec<usize>,
    scale_reps: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let (mut ours, mut theirs, mut terraform, mut out, mut svg, mut work, mut json) =
        (None, None, None, None, None, None, None);
    let (
        mut launches,
        mut sizes,
        mut latencies,
        mut reps,
        mut reps_large,
        mut large_from,
        mut command,
    ) = (None, None, None, None, None, None, None);
    let (mut calls, mut scale_sizes, mut scale_reps) = (None, None, None);
    let (mut skip_terraform, mut skip_percall, mut scale) = (false, false, false);
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let slot = match flag.as_str() {
            "--ours" => &mut ours,
            "--theirs" => &mut theirs,
            "--terraform" => &mut terraform,
            "--out" => &mut out,
            "--svg" => &mut svg,
            "--work" => &mut work,
            "--json" => &mut json,
            "--launches" => &mut launches,
            "--sizes" => &mut sizes,
            "--latencies" => &mut latencies,
            "--reps" => &mut reps,
            "--reps-large" => &mut reps_large,
            "--large-from" => &mut large_from,
            "--command" => &mut command,
            "--calls" => &mut calls,
            "--scale-sizes" => &mut scale_sizes,
            "--scale-reps" => &mut scale_reps,
            "--skip-terraform" => {
                skip_terraform = true;
                continue;
            }
            "--skip-percall" => {
                skip_percall = true;
                continue;
            }
            "--scale" => {
                scale = true;
                continue;
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?}\n{USAGE}"),
        };
        *slot = Some(
            args.next()
                .with_context(|| format!("{flag} needs a value"))?,
        );
    }
    let need =
        |v: Option<String>, name: &str| v.with_context(|| format!("{name} is required\n{USAGE}"));
    let list = |v: Option<String>, default: &str| -> anyhow::Result<Vec<u64>> {
        v.as_deref()
            .unwrap_or(default)
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<u64>()
                    .with_context(|| format!("{s:?} is not a number"))
            })
            .collect()
    };
    let num = |v: Option<String>, default: usize| -> anyhow::Result<usize> {
        v.map_or(Ok(default), |s| {
            s.parse().with_context(|| format!("{s:?} is not a number"))
        })
    };
    let sizes = list(sizes, "10,100,500")?
        .into_iter()
        .map(usize::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    let scale_sizes = list(scale_sizes, "10,100,2000")?
        .into_iter()
        .map(usize::try_from)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Args {
        ours: need(ours, "--ours")?.into(),
        theirs: need(theirs, "--theirs")?.into(),
        terraform: need(terraform, "--terraform")?.into(),
        out: need(out, "--out")?.into(),
        svg: need(svg, "--svg")?.into(),
        work: work.map_or_else(|| PathBuf::from("bench/.work/runs"), PathBuf::from),
        json: json.map(PathBuf::from),
        launches: num(launches, 30)?,
        sizes,
        latencies: list(latencies, "0,25")?,
        reps: num(reps, 10)?,
        reps_large: num(reps_large, 5)?,
        large_from: num(large_from, 500)?,
        command: command.unwrap_or_else(|| "make bench".to_owned()),
        skip_terraform,
        calls: num(calls, 1000)?,
        skip_percall,
        scale,
        scale_sizes,
        scale_reps: num(scale_reps, 1)?,
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    usage::become_subreaper()?;
    let setup = setup(&args)?;
    let started = Instant::now();
    let mut facts = facts::gather(&args.ours, &args.theirs, &args.terraform, &args.command).await;

    eprintln!(
        "== part A: {} launches of each provider (after one warm-up each)",
        args.launches
    );
    let (ours, theirs) = part_a(&args, Transport::AutoMtls).await?;
    let (ours_plain, theirs_plain) = part_a(&args, Transport::Plaintext).await?;

    let percall = if args.skip_percall {
        eprintln!("== part C skipped (--skip-percall)");
        None
    } else {
        eprintln!(
            "== part C: {} calls of each kind per provider (after {} warm-up calls)",
            args.calls,
            args.calls / 10
        );
        Some(percall::run(&args.ours, &args.theirs, args.calls, args.calls / 10).await?)
    };

    let mut runs = Vec::new();
    if args.skip_terraform {
        eprintln!("== part B skipped (--skip-terraform)");
    } else {
        runs = part_b(&args, &setup).await?;
    }
    let (mut scale_runs, mut scale_baseline) = (Vec::new(), Vec::new());
    if args.scale {
        (scale_runs, scale_baseline) = part_d(&args, &setup).await?;
    }
    facts.load_after = facts::loadavg();
    let results = Results {
        facts,
        ours,
        theirs,
        ours_plain,
        theirs_plain,
        runs,
        sizes: args.sizes.clone(),
        latencies: args.latencies.clone(),
        percall,
        scale: scale_runs,
        scale_baseline,
        total_s: started.elapsed().as_secs_f64(),
    };
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&results)?)
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let svg_name = args
        .svg
        .strip_prefix(args.out.parent().unwrap_or(std::path::Path::new("")))
        .unwrap_or(&args.svg)
        .to_string_lossy()
        .into_owned();
    std::fs::write(&args.svg, report::svg(&results))
        .with_context(|| format!("writing {}", args.svg.display()))?;
    std::fs::write(&args.out, report::markdown(&results, &svg_name))
        .with_context(|| format!("writing {}", args.out.display()))?;
    eprintln!(
        "wrote {} and {} ({:.0} s)",
        args.out.display(),
        args.svg.display(),
        results.total_s
    );
    Ok(())
}

/// Alternates which provider goes first so that neither always runs on a quieter machine.
async fn part_a(args: &Args, t: Transport) -> anyhow::Result<(Vec<Launch>, Vec<Launch>)> {
    startup::launch(&args.ours, t)
        .await
        .context("warm-up launch of our provider")?;
    startup::launch(&args.theirs, t)
        .await
        .context("warm-up launch of the Go provider")?;
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for i in 0..args.launches {
        if i % 2 == 0 {
            ours.push(
                startup::launch(&args.ours, t)
                    .await
                    .context("our provider")?,
            );
            theirs.push(
                startup::launch(&args.theirs, t)
                    .await
                    .context("the Go provider")?,
            );
        } else {
            theirs.push(
                startup::launch(&args.theirs, t)
                    .await
                    .context("the Go provider")?,
            );
            ours.push(
                startup::launch(&args.ours, t)
                    .await
                    .context("our provider")?,
            );
        }
    }
    Ok((ours, theirs))
}

/// Where Terraform runs: `dev_overrides` points at a directory in the work area whose provider
/// binary is the usage wrapper, built next to this binary.
fn setup(args: &Args) -> anyhow::Result<Setup> {
    std::fs::create_dir_all(&args.work)?;
    let work = std::fs::canonicalize(&args.work)?;
    let wrapper = std::env::current_exe()?
        .parent()
        .context("this binary has no directory")?
        .join("c1-bench-wrap");
    if !wrapper.exists() {
        bail!(
            "{} is missing: build the bench package (cargo build --release -p c1-bench)",
            wrapper.display()
        );
    }
    let provider_dir = work.join("provider");
    usage::install_wrapper(&wrapper, &provider_dir)?;
    Ok(Setup {
        terraform: std::fs::canonicalize(&args.terraform)?,
        provider: std::fs::canonicalize(&args.ours)?,
        provider_dir,
        work,
    })
}

/// Each size and latency in turn, baseline first; one repetition each unless `--scale-reps`.
async fn part_d(args: &Args, setup: &Setup) -> anyhow::Result<(Vec<scale::ScaleRun>, Vec<Run>)> {
    eprintln!(
        "== part D (--scale): sizes {:?}, {} integrations per app",
        args.scale_sizes,
        scale::PER_APP
    );
    let (mut runs, mut baselines) = (Vec::new(), Vec::new());
    let mut index = 0;
    for &n in &args.scale_sizes {
        for rep in 0..args.scale_reps {
            index += 1;
            let base = scale::baseline(setup, n, index)
                .await
                .with_context(|| format!("scale baseline N={n}"))?;
            eprintln!(
                "scale N={n:<5} baseline      rep {}/{}: apply {:>7.0} ms, plan {:>7.0} ms",
                rep + 1,
                args.scale_reps,
                base.apply_ms,
                base.plan_ms
            );
            baselines.push(base);
            for &l in &args.latencies {
                index += 1;
                let run = scale::run(setup, n, l, index)
                    .await
                    .with_context(|| format!("scale N={n} latency {l} ms"))?;
                eprintln!(
                    "scale N={n:<5} ours {l:>3} ms rep {}/{}: apply {:>7.0} ms, plan {:>7.0} ms, data {:>6.0} ms, provider CPU apply {:.2} s plan {:.2} s",
                    rep + 1,
                    args.scale_reps,
                    run.apply.wall_ms,
                    run.plan.wall_ms,
                    run.data.wall_ms,
                    run.apply.usage.provider_cpu_us as f64 / 1e6,
                    run.plan.usage.provider_cpu_us as f64 / 1e6,
                );
                runs.push(run);
            }
        }
    }
    Ok((runs, baselines))
}

/// For each size, repetition by repetition: the baseline, then ours at each latency, so drift in
/// the machine's load falls on every subject alike.
async fn part_b(args: &Args, setup: &Setup) -> anyhow::Result<Vec<Run>> {
    let mut runs = Vec::new();
    let mut index = 0;
    for &n in &args.sizes {
        let reps = if n >= args.large_from {
            args.reps_large
        } else {
            args.reps
        };
        for rep in 0..reps {
            let subjects = std::iter::once(Subject::Baseline).chain(
                args.latencies
                    .iter()
                    .map(|&l| Subject::Ours { latency_ms: l }),
            );
            for subject in subjects {
                index += 1;
                let run = tfrun::run(setup, subject, n, index)
                    .await
                    .with_context(|| format!("N={n} {subject:?} repetition {}", rep + 1))?;
                eprintln!(
                    "N={n:<4} {:<22} rep {}/{reps}: apply {:>7.0} ms, plan {:>7.0} ms, requests {}/{}, provider CPU {:.2}/{:.2} s",
                    format!("{subject:?}"),
                    rep + 1,
                    run.apply_ms,
                    run.plan_ms,
                    run.apply_requests.total(),
                    run.plan_requests.total(),
                    run.apply_usage.provider_cpu_us as f64 / 1e6,
                    run.plan_usage.provider_cpu_us as f64 / 1e6,
                );
                runs.push(run);
            }
        }
    }
    Ok(runs)
}
