//! `c1-bench-wrap`: stands in for the provider binary so that the bench can see what the provider
//! process costs although Terraform, not the bench, starts it.
//!
//! `dev_overrides` points Terraform at a directory whose `terraform-provider-conductorone` is
//! this binary. It runs the real provider (`C1_BENCH_WRAP_REAL`) with the same arguments, stdio
//! and environment (less its own two variables), waits for it, appends a [`UsageLine`] to
//! `C1_BENCH_USAGE_FILE` and exits as the provider did. A separate small binary rather than a mode
//! of `c1-bench`, so that the wrapper's own start-up stays small next to the provider's.

#[path = "usage_line.rs"]
mod usage_line;

use std::io::Write as _;
use std::os::unix::process::ExitStatusExt as _;
use std::process::{Command, ExitCode};
use std::time::Instant;

use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeVal;

use crate::usage_line::UsageLine;

/// The real provider binary.
const REAL_ENV: &str = "C1_BENCH_WRAP_REAL";
/// Where to append the usage line.
const FILE_ENV: &str = "C1_BENCH_USAGE_FILE";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            // stderr reaches Terraform's log only; the exit code makes the failure visible.
            eprintln!("c1-bench-wrap: {e}");
            ExitCode::from(70)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let real = std::env::var_os(REAL_ENV).ok_or(format!("{REAL_ENV} is not set"))?;
    let file = std::env::var_os(FILE_ENV).ok_or(format!("{FILE_ENV} is not set"))?;
    let started = Instant::now();
    let mut child = Command::new(&real)
        .args(std::env::args_os().skip(1))
        .env_remove(REAL_ENV)
        .env_remove(FILE_ENV)
        .spawn()
        .map_err(|e| format!("starting {}: {e}", real.to_string_lossy()))?;
    let pid = child.id();
    let status = child.wait().map_err(|e| format!("waiting: {e}"))?;
    let wall_us = micros(started.elapsed().as_secs_f64());
    // The only child this process ever had, now reaped: its totals are the children's totals.
    let child_usage = getrusage(UsageWho::RUSAGE_CHILDREN).map_err(|e| e.to_string())?;
    let own = getrusage(UsageWho::RUSAGE_SELF).map_err(|e| e.to_string())?;
    let line = UsageLine {
        pid,
        user_us: tv_us(child_usage.user_time()),
        sys_us: tv_us(child_usage.system_time()),
        maxrss_kib: u64::try_from(child_usage.max_rss()).unwrap_or(0),
        wrapper_cpu_us: tv_us(own.user_time()) + tv_us(own.system_time()),
        wall_us,
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(line.render().as_bytes()))
        .map_err(|e| format!("writing {}: {e}", file.to_string_lossy()))?;
    Ok(match (status.code(), status.signal()) {
        (Some(code), _) => ExitCode::from(u8::try_from(code).unwrap_or(1)),
        (None, Some(signal)) => ExitCode::from(u8::try_from(128 + signal).unwrap_or(1)),
        (None, None) => ExitCode::FAILURE,
    })
}

fn tv_us(tv: TimeVal) -> u64 {
    u64::try_from(tv.tv_sec()).unwrap_or(0) * 1_000_000 + u64::try_from(tv.tv_usec()).unwrap_or(0)
}

fn micros(seconds: f64) -> u64 {
    (seconds * 1e6) as u64
}
