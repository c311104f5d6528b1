//! Part D (`--scale`): many integrations on few apps, 20 to an app, as a tenant that onboards
//! Xero for many teams would have: `terraform apply` from empty, a refresh `plan` that must find
//! no changes, one `conductorone_xero_sync` data source per app, and `terraform query` over
//! the whole tenant (the `conductorone_xero_integration` list resource, every app, all pages),
//! which must find every integration. Each command's wall time, Terraform's and the
//! provider's CPU, the provider's peak RSS and the emulator's requests are recorded; the bench
//! process's own CPU stands for the emulator's.
//!
//! Behind a flag because N = 2,000 takes minutes; its figures go into `BENCHMARKS.md` when run.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use c1_emulator::Config;
use serde::Serialize;
use serde_json::json;

use crate::tfrun::{self, Requests, Setup, Subject};
use crate::usage::CommandUsage;

/// Integrations per app.
pub(crate) const PER_APP: usize = 20;

/// One command of a scale run.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Step {
    /// Wall time, ms.
    pub(crate) wall_ms: f64,
    /// Who spent the CPU.
    pub(crate) usage: CommandUsage,
    /// What the emulator saw.
    pub(crate) requests: Requests,
}

/// One repetition of the scale case at one size and latency.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct ScaleRun {
    /// Integrations.
    pub(crate) n: usize,
    /// Apps they are spread over.
    pub(crate) apps: usize,
    /// Added latency, ms.
    pub(crate) latency_ms: u64,
    /// `terraform apply` from an empty state.
    pub(crate) apply: Step,
    /// `terraform plan` (refresh) right after it.
    pub(crate) plan: Step,
    /// `terraform plan` of a configuration with one `conductorone_xero_sync` per app.
    pub(crate) data: Step,
    /// `terraform query -json` over the tenant, with no `app_ids`: every app, all pages.
    pub(crate) query: Step,
}

/// Runs the scale case at `n` integrations and `latency_ms`.
pub(crate) async fn run(
    setup: &Setup,
    n: usize,
    latency_ms: u64,
    index: usize,
) -> anyhow::Result<ScaleRun> {
    let dir = setup.work.join(format!("scale-{index}"));
    if dir.exists() {
        tokio::fs::remove_dir_all(&dir).await?;
    }
    tokio::fs::create_dir_all(&dir).await?;
    tfrun::write_cli_config(setup, &dir).await?;
    let emu = c1_emulator::start(Config {
        page_size: 100,
        sync_duration: Duration::from_millis(50),
        ..Config::default()
    })
    .await
    .context("starting the emulator")?;
    let secret = tfrun::write_ours(&dir, n, PER_APP, &emu).await?;
    emu.set_latency(Duration::from_millis(latency_ms));

    let ctx = Ctx {
        setup,
        emu: &emu,
        secret: &secret,
    };
    let apply = ctx
        .step(&dir, &tfrun::apply_args())
        .await
        .context("apply")?;
    let plan = ctx.step(&dir, &tfrun::plan_args()).await.context("plan")?;

    let data_dir = dir.join("data");
    tokio::fs::create_dir_all(&data_dir).await?;
    tfrun::write_cli_config(setup, &data_dir).await?;
    let apps = write_data_sources(&dir, &data_dir, &emu).await?;
    let data = ctx
        .step(&data_dir, &tfrun::plan_args())
        .await
        .context("data sources")?;

    let query_dir = dir.join("query");
    tokio::fs::create_dir_all(&query_dir).await?;
    tfrun::write_cli_config(setup, &query_dir).await?;
    let query = ctx.query(&query_dir, n).await.context("terraform query")?;

    emu.shutdown().await;
    tokio::fs::remove_dir_all(&dir).await?;
    Ok(ScaleRun {
        n,
        apps,
        latency_ms,
        apply,
        plan,
        data,
        query,
    })
}

/// What every command of one scale run shares.
struct Ctx<'a> {
    setup: &'a Setup,
    emu: &'a c1_emulator::Emulator,
    secret: &'a str,
}

impl Ctx<'_> {
    /// One Terraform command in `dir`, with the emulator's counters for it alone.
    async fn step(&self, dir: &Path, args: &[&str]) -> anyhow::Result<Step> {
        self.emu.reset_counters();
        let (wall_ms, usage) = tfrun::terraform(self.setup, dir, args, Some(self.secret)).await?;
        Ok(Step {
            wall_ms,
            usage,
            requests: Requests::of(&self.emu.counters()),
        })
    }

    /// `terraform query` over the whole tenant in `dir`; fails unless it finds all `n`
    /// integrations, each once.
    async fn query(&self, dir: &Path, n: usize) -> anyhow::Result<Step> {
        tokio::fs::write(dir.join("main.tf"), tfrun::provider_block(self.emu)).await?;
        // Terraform's default limit is 100 results per list block.
        let list = format!(
            "list \"conductorone_xero_integration\" \"all\" {{\n  provider = conductorone\n  limit    = {n}\n}}\n"
        );
        tokio::fs::write(dir.join("tenant.tfquery.hcl"), list).await?;
        self.emu.reset_counters();
        let (wall_ms, usage, stdout) = tfrun::terraform_output(
            self.setup,
            dir,
            &["query", "-json", "-no-color"],
            Some(self.secret),
        )
        .await?;
        let mut found = std::collections::BTreeSet::new();
        for line in stdout.lines() {
            let Ok(message) = serde_json::from_str::<serde_json::Value>(line) else {
                continue;
            };
            if message["type"] == "list_resource_found" {
                let identity = &message["list_resource_found"]["identity"];
                found.insert((identity["app_id"].to_string(), identity["id"].to_string()));
            }
        }
        anyhow::ensure!(
            found.len() == n,
            "terraform query found {} distinct integrations, not {n}",
            found.len()
        );
        Ok(Step {
            wall_ms,
            usage,
            requests: Requests::of(&self.emu.counters()),
        })
    }
}

/// The same-size `terraform_data` baseline (apply and plan), for what Terraform alone costs.
pub(crate) async fn baseline(setup: &Setup, n: usize, index: usize) -> anyhow::Result<tfrun::Run> {
    tfrun::run(setup, Subject::Baseline, n, 100_000 + index).await
}

/// Writes, into `data_dir`, one `conductorone_xero_sync` per app of the applied state in
/// `state_dir`, each naming the app's first integration (an app with several needs one named);
/// returns how many apps.
async fn write_data_sources(
    state_dir: &Path,
    data_dir: &Path,
    emu: &c1_emulator::Emulator,
) -> anyhow::Result<usize> {
    let state: serde_json::Value = serde_json::from_slice(
        &tokio::fs::read(state_dir.join("terraform.tfstate"))
            .await
            .context("reading the applied state")?,
    )?;
    let mut first_by_app: BTreeMap<String, String> = BTreeMap::new();
    let instances = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["type"] == "conductorone_xero_integration")
        .flat_map(|r| r["instances"].as_array().into_iter().flatten());
    for instance in instances {
        let attrs = &instance["attributes"];
        if let (Some(app), Some(id)) = (attrs["app_id"].as_str(), attrs["id"].as_str()) {
            first_by_app
                .entry(app.to_owned())
                .or_insert_with(|| id.to_owned());
        }
    }
    let items: Vec<_> = first_by_app
        .iter()
        .map(|(app, id)| json!({"app_id": app, "integration_id": id}))
        .collect();
    tokio::fs::write(data_dir.join("apps.json"), serde_json::to_vec(&items)?).await?;
    let main = format!(
        "{}{}",
        tfrun::provider_block(emu),
        r#"
locals {
  apps = jsondecode(file("${path.module}/apps.json"))
}

data "conductorone_xero_sync" "s" {
  count = length(local.apps)

  app_id         = local.apps[count.index].app_id
  integration_id = local.apps[count.index].integration_id
}
"#
    );
    tokio::fs::write(data_dir.join("main.tf"), main).await?;
    Ok(items.len())
}
