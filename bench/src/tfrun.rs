//! Part B: real `terraform apply` and `terraform plan` runs, the provider against the emulator
//! and, as the floor Terraform itself sets, the same number of built-in `terraform_data`
//! resources with no provider at all.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use c1_emulator::{Config, Counters, XeroAppKind};
use serde::Serialize;
use serde_json::json;
use tokio::process::Command;

use crate::usage::{self, CommandUsage, Meter};

/// Where Terraform and the provider are, and where runs may write.
pub(crate) struct Setup {
    /// The `terraform` executable.
    pub(crate) terraform: PathBuf,
    /// The real provider binary.
    pub(crate) provider: PathBuf,
    /// The `dev_overrides` target: a directory whose `terraform-provider-conductorone` is the
    /// usage wrapper, which runs [`Setup::provider`] (see `usage.rs`).
    pub(crate) provider_dir: PathBuf,
    /// A scratch directory; each run gets its own subdirectory, removed afterwards.
    pub(crate) work: PathBuf,
}

/// What a run configures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub(crate) enum Subject {
    /// `terraform_data` resources: Terraform alone.
    Baseline,
    /// `conductorone_xero_integration` resources against the emulator with this added latency.
    Ours {
        /// Delay the emulator adds to every request, in milliseconds.
        latency_ms: u64,
    },
}

/// Requests the emulator saw during one Terraform command.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Requests {
    /// ConductorOne `POST /auth/v1/token`.
    pub c1_tokens: u64,
    /// `POST /api/v1/apps/{app_id}/connectors/create`.
    pub(crate) creates: u64,
    /// `GET /api/v1/apps/{app_id}/connectors/{id}`.
    pub(crate) connector_gets: u64,
    /// Every other ConductorOne API request.
    pub c1_other: u64,
    /// Xero `POST /connect/token`.
    pub(crate) xero_tokens: u64,
    /// Every other Xero request (`/connections`, accounting reads).
    pub(crate) xero_other: u64,
    /// All of them by route, for the record.
    pub(crate) by_route: BTreeMap<String, u64>,
}

impl Requests {
    /// Sorts what the emulator counted into the columns the report shows.
    pub(crate) fn of(c: &Counters) -> Self {
        let mut r = Self {
            c1_tokens: c.token_total(),
            xero_tokens: c.xero_total(),
            ..Self::default()
        };
        for (route, &n) in &c.api_requests {
            match route.as_str() {
                "POST /api/v1/apps/{app_id}/connectors/create" => r.creates += n,
                "GET /api/v1/apps/{app_id}/connectors/{id}" => r.connector_gets += n,
                k if is_xero_route(k) => r.xero_other += n,
                _ => r.c1_other += n,
            }
        }
        r.by_route = c.api_requests.clone();
        r.by_route
            .insert("POST /auth/v1/token".to_owned(), r.c1_tokens);
        r.by_route
            .insert("POST /connect/token (Xero)".to_owned(), r.xero_tokens);
        r
    }

    /// Every request, both ports.
    pub(crate) fn total(&self) -> u64 {
        self.c1_tokens
            + self.creates
            + self.connector_gets
            + self.c1_other
            + self.xero_tokens
            + self.xero_other
    }
}

fn is_xero_route(key: &str) -> bool {
    let path = key.split_once(' ').map_or(key, |(_, p)| p);
    path.eq_ignore_ascii_case("/connections") || path.starts_with("/api.xro/")
}

/// One apply from an empty state, then one plan (with refresh) that must find no changes.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Run {
    /// What was configured.
    pub(crate) subject: Subject,
    /// How many resources.
    pub(crate) n: usize,
    /// `terraform apply -auto-approve` wall time.
    pub(crate) apply_ms: f64,
    /// `terraform plan` wall time, right after the apply.
    pub(crate) plan_ms: f64,
    /// What the emulator saw during the apply (empty for the baseline).
    pub(crate) apply_requests: Requests,
    /// What the emulator saw during the plan (empty for the baseline).
    pub(crate) plan_requests: Requests,
    /// Who spent the CPU during the apply.
    pub(crate) apply_usage: CommandUsage,
    /// Who spent the CPU during the plan.
    pub(crate) plan_usage: CommandUsage,
}

/// Runs one apply + plan of `n` resources of `subject`.
pub(crate) async fn run(
    setup: &Setup,
    subject: Subject,
    n: usize,
    index: usize,
) -> anyhow::Result<Run> {
    let dir = setup.work.join(format!("run-{index}"));
    if dir.exists() {
        tokio::fs::remove_dir_all(&dir).await?;
    }
    tokio::fs::create_dir_all(&dir).await?;
    write_cli_config(setup, &dir).await?;
    let result = match subject {
        Subject::Baseline => {
            write_baseline(&dir, n).await?;
            let (apply_ms, apply_usage) = terraform(setup, &dir, &apply_args(), None).await?;
            let (plan_ms, plan_usage) = terraform(setup, &dir, &plan_args(), None).await?;
            Run {
                subject,
                n,
                apply_ms,
                plan_ms,
                apply_requests: Requests::default(),
                plan_requests: Requests::default(),
                apply_usage,
                plan_usage,
            }
        }
        Subject::Ours { latency_ms } => {
            let emu = c1_emulator::start(Config {
                page_size: 100,
                sync_duration: Duration::from_millis(50),
                ..Config::default()
            })
            .await
            .context("starting the emulator")?;
            let secret = write_ours(&dir, n, 1, &emu).await?;
            emu.set_latency(Duration::from_millis(latency_ms));
            emu.reset_counters();
            let (apply_ms, apply_usage) =
                terraform(setup, &dir, &apply_args(), Some(&secret)).await?;
            let apply_requests = Requests::of(&emu.counters());
            emu.reset_counters();
            let (plan_ms, plan_usage) = terraform(setup, &dir, &plan_args(), Some(&secret)).await?;
            let plan_requests = Requests::of(&emu.counters());
            emu.shutdown().await;
            Run {
                subject,
                n,
                apply_ms,
                plan_ms,
                apply_requests,
                plan_requests,
                apply_usage,
                plan_usage,
            }
        }
    };
    tokio::fs::remove_dir_all(&dir).await?;
    Ok(result)
}

/// `terraform apply` from the configuration as it is.
pub(crate) fn apply_args() -> Vec<&'static str> {
    vec!["apply", "-auto-approve", "-input=false", "-no-color"]
}

/// `terraform plan` that fails on any change.
pub(crate) fn plan_args() -> Vec<&'static str> {
    // Exit code 2 would mean the plan found changes: the apply did not converge.
    vec!["plan", "-input=false", "-no-color", "-detailed-exitcode"]
}

/// Runs Terraform in `dir` with only the settings the bench chose; returns the wall time (ms)
/// and who spent the CPU. With `client_secret` (a configuration using our provider) the
/// provider runs under the usage wrapper.
pub(crate) async fn terraform(
    setup: &Setup,
    dir: &Path,
    args: &[&str],
    client_secret: Option<&str>,
) -> anyhow::Result<(f64, CommandUsage)> {
    let (wall_ms, usage, _) = terraform_output(setup, dir, args, client_secret).await?;
    Ok((wall_ms, usage))
}

/// [`terraform`], with what the command printed on its standard output.
pub(crate) async fn terraform_output(
    setup: &Setup,
    dir: &Path,
    args: &[&str],
    client_secret: Option<&str>,
) -> anyhow::Result<(f64, CommandUsage, String)> {
    let mut cmd = Command::new(&setup.terraform);
    for (key, _) in std::env::vars_os() {
        let k = key.to_string_lossy();
        if k.starts_with("TF_") || k.starts_with("CONDUCTORONE_") || k.starts_with("XERO_") {
            cmd.env_remove(&key);
        }
    }
    cmd.current_dir(dir)
        .args(args)
        .env("TF_CLI_CONFIG_FILE", dir.join("cli.tfrc"))
        .env("TF_IN_AUTOMATION", "1")
        .env("TF_INPUT", "0")
        .env("CHECKPOINT_DISABLE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let usage_file = client_secret.map(|_| dir.join(format!("usage-{}", args[0])));
    if let Some(secret) = client_secret {
        cmd.env("TF_VAR_client_secret", secret);
    }
    if let Some(file) = &usage_file {
        cmd.env(usage::REAL_ENV, &setup.provider)
            .env(usage::FILE_ENV, file);
    }
    let meter = Meter::start(usage_file)?;
    let started = Instant::now();
    let out = cmd
        .output()
        .await
        .with_context(|| format!("running {}", setup.terraform.display()))?;
    let elapsed = started.elapsed();
    let usage = meter.finish()?;
    if !out.status.success() {
        let tail = |b: &[u8]| {
            let s = String::from_utf8_lossy(b);
            let lines: Vec<&str> = s.lines().collect();
            lines[lines.len().saturating_sub(30)..].join("\n")
        };
        bail!(
            "terraform {} in {} failed ({}):\n{}\n{}",
            args.join(" "),
            dir.display(),
            out.status,
            tail(&out.stdout),
            tail(&out.stderr)
        );
    }
    Ok((
        elapsed.as_secs_f64() * 1000.0,
        usage,
        String::from_utf8_lossy(&out.stdout).into_owned(),
    ))
}

/// Points `dev_overrides` at the wrapper directory.
pub(crate) async fn write_cli_config(setup: &Setup, dir: &Path) -> anyhow::Result<()> {
    // JSON strings are valid HCL strings, once `${` and `%{` cannot start a template.
    let quote = |s: &str| {
        json!(s)
            .to_string()
            .replace("${", "$${")
            .replace("%{", "%%{")
    };
    let dir_text = setup.provider_dir.to_string_lossy();
    let text = format!(
        "provider_installation {{\n  dev_overrides {{\n    {} = {}\n  }}\n  direct {{}}\n}}\n",
        quote("registry.terraform.io/conductorone/conductorone"),
        quote(&dir_text),
    );
    tokio::fs::write(dir.join("cli.tfrc"), text).await?;
    Ok(())
}

/// Both configurations read their per-resource values from `items.json`, so Terraform does the
/// same expression work on each side.
async fn write_baseline(dir: &Path, n: usize) -> anyhow::Result<()> {
    let items: Vec<_> = (0..n)
        .map(|i| json!({"app_id": format!("app-{i}"), "xero_client_id": format!("{i:032x}")}))
        .collect();
    tokio::fs::write(dir.join("items.json"), serde_json::to_vec(&items)?).await?;
    let main = r#"locals {
  items = jsondecode(file("${path.module}/items.json"))
}

resource "terraform_data" "x" {
  count = length(local.items)
  input = {
    app_id         = local.items[count.index].app_id
    xero_client_id = local.items[count.index].xero_client_id
  }
}
"#;
    tokio::fs::write(dir.join("main.tf"), main).await?;
    Ok(())
}

/// Seeds one app per `per_app` resources and one Xero Custom Connection per resource and writes
/// the configuration; returns the ConductorOne client secret, which reaches Terraform as a
/// variable.
pub(crate) async fn write_ours(
    dir: &Path,
    n: usize,
    per_app: usize,
    emu: &c1_emulator::Emulator,
) -> anyhow::Result<String> {
    let per_app = per_app.max(1);
    let mut app_id = String::new();
    let items: Vec<_> = (0..n)
        .map(|i| {
            if i % per_app == 0 {
                app_id = emu.create_app(&format!("Bench app {}", i / per_app));
            }
            let (id, secret) = emu.register_xero_app(XeroAppKind::CustomConnection);
            json!({"app_id": app_id, "xero_client_id": id, "xero_client_secret": secret})
        })
        .collect();
    tokio::fs::write(dir.join("items.json"), serde_json::to_vec(&items)?).await?;
    let main = format!(
        "{}{}",
        provider_block(emu),
        r#"
locals {
  items = jsondecode(file("${path.module}/items.json"))
}

resource "conductorone_xero_integration" "x" {
  count = length(local.items)

  app_id                        = local.items[count.index].app_id
  xero_client_id                = local.items[count.index].xero_client_id
  xero_client_secret_wo         = local.items[count.index].xero_client_secret
  xero_client_secret_wo_version = 1
}
"#
    );
    tokio::fs::write(dir.join("main.tf"), main).await?;
    Ok(emu.client_secret())
}

/// The `terraform` and `provider` blocks of a configuration using our provider against `emu`,
/// with the client secret as the variable `client_secret`.
pub(crate) fn provider_block(emu: &c1_emulator::Emulator) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    conductorone = {{
      source = "conductorone/conductorone"
    }}
  }}
}}

variable "client_secret" {{
  type      = string
  sensitive = true
}}

provider "conductorone" {{
  server_url        = {server}
  client_id         = {client}
  client_secret     = var.client_secret
  xero_identity_url = {xero}
}}

"#,
        server = json!(emu.conductorone_url()),
        client = json!(emu.client_id()),
        xero = json!(emu.xero_identity_url()),
    )
}
