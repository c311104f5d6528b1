//! `c1-bench`: measures the provider and writes `BENCHMARKS.md` (and its chart) from what it
//! measured. `scripts/bench.sh` (`make bench`) builds everything and calls it; run
//! `c1-bench --help` for the options.
//!
//! Part A launches our provider and a Go terraform-plugin-framework provider alike and times
//! the way to a served schema; part B runs real Terraform against the emulator, next to the same
//! number of `terraform_data` resources.

mod facts;
mod report;
mod startup;
mod stats;
mod tfrun;

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
  [--reps N] [--reps-large N] [--large-from N] [--command TEXT] [--skip-terraform]";

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
    let mut skip_terraform = false;
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
            "--skip-terraform" => {
                skip_terraform = true;
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
    })
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let started = Instant::now();
    let mut facts = facts::gather(&args.ours, &args.theirs, &args.terraform, &args.command).await;

    eprintln!(
        "== part A: {} launches of each provider (after one warm-up each)",
        args.launches
    );
    let (ours, theirs) = part_a(&args, Transport::AutoMtls).await?;
    let (ours_plain, theirs_plain) = part_a(&args, Transport::Plaintext).await?;

    let mut runs = Vec::new();
    if args.skip_terraform {
        eprintln!("== part B skipped (--skip-terraform)");
    } else {
        runs = part_b(&args).await?;
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

/// For each size, repetition by repetition: the baseline, then ours at each latency, so drift in
/// the machine's load falls on every subject alike.
async fn part_b(args: &Args) -> anyhow::Result<Vec<Run>> {
    let setup = Setup {
        terraform: std::fs::canonicalize(&args.terraform)?,
        provider_dir: std::fs::canonicalize(&args.ours)?
            .parent()
            .context("the provider binary has no directory")?
            .to_path_buf(),
        work: args.work.clone(),
    };
    std::fs::create_dir_all(&setup.work)?;
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
                let run = tfrun::run(&setup, subject, n, index)
                    .await
                    .with_context(|| format!("N={n} {subject:?} repetition {}", rep + 1))?;
                eprintln!(
                    "N={n:<4} {:<22} rep {}/{reps}: apply {:>7.0} ms, plan {:>7.0} ms, requests {}/{}",
                    format!("{subject:?}"),
                    rep + 1,
                    run.apply_ms,
                    run.plan_ms,
                    run.apply_requests.total(),
                    run.plan_requests.total()
                );
                runs.push(run);
            }
        }
    }
    Ok(runs)
}
