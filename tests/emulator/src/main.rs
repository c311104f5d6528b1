//! `c1-emulator`: runs the ConductorOne + Xero emulator as a process, prints one JSON line
//! describing it on stdout, and serves until SIGINT or SIGTERM.
//!
//! Options: `--port N`, `--xero-port N`, `--page-size N`, `--sync-ms N`, `--latency-ms N`,
//! `--seed-xero` (registers one Custom Connection and one Web app).

#![cfg_attr(test, allow(clippy::unwrap_used))]

use std::time::Duration;

use anyhow::{Context as _, bail};
use c1_emulator::{Config, XeroAppKind};
use serde_json::json;

struct Args {
    port: u16,
    xero_port: u16,
    config: Config,
    seed_xero: bool,
}

fn parse_args(mut it: impl Iterator<Item = String>) -> anyhow::Result<Args> {
    let mut args = Args {
        port: 0,
        xero_port: 0,
        config: Config::default(),
        seed_xero: false,
    };
    while let Some(flag) = it.next() {
        let mut value = |name: &str| -> anyhow::Result<u64> {
            let v = it.next().with_context(|| format!("{name} needs a value"))?;
            v.parse()
                .with_context(|| format!("{name}: {v:?} is not a number"))
        };
        match flag.as_str() {
            "--port" => {
                args.port = u16::try_from(value("--port")?).context("--port is out of range")?
            }
            "--xero-port" => {
                args.xero_port =
                    u16::try_from(value("--xero-port")?).context("--xero-port is out of range")?;
            }
            "--page-size" => {
                args.config.page_size = usize::try_from(value("--page-size")?)?.max(1);
            }
            "--sync-ms" => args.config.sync_duration = Duration::from_millis(value("--sync-ms")?),
            "--latency-ms" => args.config.latency = Duration::from_millis(value("--latency-ms")?),
            "--seed-xero" => args.seed_xero = true,
            "-h" | "--help" => {
                println!(
                    "usage: c1-emulator [--port N] [--xero-port N] [--page-size N] [--sync-ms N] [--latency-ms N] [--seed-xero]"
                );
                std::process::exit(0);
            }
            other => bail!("unknown option {other:?} (try --help)"),
        }
    }
    Ok(args)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = parse_args(std::env::args().skip(1))?;
    let emu = c1_emulator::start_on(args.config, args.port, args.xero_port)
        .await
        .context("starting the emulator")?;
    let app_id = emu.create_app("Xero");
    let cred = |(client_id, client_secret): (String, String)| json!({"client_id": client_id, "client_secret": client_secret});
    let (custom, web) = if args.seed_xero {
        (
            cred(emu.register_xero_app(XeroAppKind::CustomConnection)),
            cred(emu.register_xero_app(XeroAppKind::WebApp)),
        )
    } else {
        (serde_json::Value::Null, serde_json::Value::Null)
    };
    let line = json!({
        "conductorone_url": emu.conductorone_url(),
        "xero_identity_url": emu.xero_identity_url(),
        "client_id": emu.client_id(),
        "client_secret": emu.client_secret(),
        "app_id": app_id,
        "user_ids": emu.user_ids(),
        "xero_custom_connection": custom,
        "xero_web_app": web,
    });
    println!("{line}");
    wait_for_signal().await?;
    emu.shutdown().await;
    Ok(())
}

async fn wait_for_signal() -> anyhow::Result<()> {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
    tokio::select! {
        r = tokio::signal::ctrl_c() => r?,
        _ = term.recv() => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(s: &str) -> anyhow::Result<Args> {
        parse_args(s.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn parses_flags() {
        let a = args("--port 7000 --page-size 5 --sync-ms 10 --seed-xero").unwrap();
        assert_eq!((a.port, a.config.page_size, a.seed_xero), (7000, 5, true));
        assert_eq!(a.config.sync_duration, Duration::from_millis(10));
        assert!(args("--port").is_err());
        assert!(args("--port x").is_err());
        assert!(args("--bogus").is_err());
    }
}
