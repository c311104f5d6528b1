//! Who spends the CPU during one Terraform command: Terraform, the provider processes it starts,
//! and the bench process itself (which hosts the emulator).
//!
//! The provider is Terraform's child, so the bench cannot wait for it while Terraform runs.
//! `dev_overrides` points at a directory whose `terraform-provider-conductorone` is
//! `c1-bench-wrap`, which starts the real provider as Terraform's child (so that the provider
//! sees the parent it has without the bench), waits for it to end and appends its process ID to
//! a file (see `wrap.rs`). Terraform never reaps that process; when Terraform exits, the kernel
//! hands the zombie to this process, a child subreaper ([`become_subreaper`]), and
//! [`Meter::finish`] reaps it with `wait4`, which reports its exact CPU time and peak RSS.
//! Terraform's whole tree is this process's `RUSAGE_CHILDREN` before and after the command (the
//! bench reaps Terraform and the providers, Terraform reaps the wrappers, so every one of them is
//! counted there once); Terraform's own share is that minus the providers and the wrappers.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use nix::libc;
use nix::sys::resource::{Usage, UsageWho, getrusage};
use nix::sys::time::TimeVal;
use serde::Serialize;

use crate::usage_line::UsageLine;

/// The environment variables `c1-bench-wrap` reads (see `wrap.rs`).
pub(crate) const REAL_ENV: &str = "C1_BENCH_WRAP_REAL";
/// See [`REAL_ENV`].
pub(crate) const FILE_ENV: &str = "C1_BENCH_USAGE_FILE";

/// CPU and memory one Terraform command cost, by whom.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub(crate) struct CommandUsage {
    /// Terraform and everything it started (user + system), µs.
    pub(crate) tree_cpu_us: u64,
    /// Provider processes Terraform started.
    pub(crate) provider_processes: usize,
    /// Their CPU time (user + system), µs.
    pub(crate) provider_cpu_us: u64,
    /// The largest peak RSS (`ru_maxrss`) among them, KiB.
    pub(crate) provider_peak_rss_kib: u64,
    /// The wrappers' own CPU time, µs (counted neither as Terraform's nor as the provider's).
    pub(crate) wrapper_cpu_us: u64,
    /// The bench process's own CPU time meanwhile (the in-process emulator), µs.
    pub(crate) bench_cpu_us: u64,
}

impl CommandUsage {
    /// Terraform's own CPU time: its tree less the providers and the wrappers, µs.
    pub(crate) fn terraform_cpu_us(&self) -> u64 {
        self.tree_cpu_us
            .saturating_sub(self.provider_cpu_us + self.wrapper_cpu_us)
    }
}

/// Readings taken before a command, closed by [`Meter::finish`].
pub(crate) struct Meter {
    children_us: u64,
    own_us: u64,
    file: Option<PathBuf>,
}

impl Meter {
    /// Starts measuring; `file` is where the wrappers append (none for a run without provider).
    pub(crate) fn start(file: Option<PathBuf>) -> anyhow::Result<Self> {
        if let Some(f) = &file {
            // A stale file would add another command's processes.
            match std::fs::remove_file(f) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("removing {}", f.display()));
                }
                _ => {}
            }
        }
        Ok(Self {
            children_us: cpu_us(&getrusage(UsageWho::RUSAGE_CHILDREN)?),
            own_us: cpu_us(&getrusage(UsageWho::RUSAGE_SELF)?),
            file,
        })
    }

    /// Reads the deltas and the wrappers' lines, once the command's process has been reaped.
    pub(crate) fn finish(self) -> anyhow::Result<CommandUsage> {
        let mut usage = CommandUsage::default();
        if let Some(file) = &self.file {
            for line in read_lines(file)? {
                let reaped = reap(line.pid)
                    .with_context(|| format!("reaping provider process {}", line.pid))?;
                usage.provider_processes += 1;
                usage.provider_cpu_us += reaped.cpu_us;
                usage.provider_peak_rss_kib = usage.provider_peak_rss_kib.max(reaped.maxrss_kib);
                usage.wrapper_cpu_us += line.wrapper_cpu_us;
            }
        }
        // Read after the providers were reaped, so that the tree includes them.
        usage.tree_cpu_us =
            cpu_us(&getrusage(UsageWho::RUSAGE_CHILDREN)?).saturating_sub(self.children_us);
        usage.bench_cpu_us = cpu_us(&getrusage(UsageWho::RUSAGE_SELF)?).saturating_sub(self.own_us);
        Ok(usage)
    }
}

/// The lines the wrappers wrote; none when no provider was started.
fn read_lines(file: &Path) -> anyhow::Result<Vec<UsageLine>> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e).with_context(|| format!("reading {}", file.display())),
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| UsageLine::parse(l).with_context(|| format!("{}: bad line {l:?}", file.display())))
        .collect()
}

/// Makes this process the one that orphaned descendants are handed to, so that it can reap the
/// provider processes the wrappers start (see the module's documentation).
pub(crate) fn become_subreaper() -> anyhow::Result<()> {
    nix::sys::prctl::set_child_subreaper(true).context("prctl(PR_SET_CHILD_SUBREAPER)")
}

/// What `wait4` reports of one reaped process.
struct Reaped {
    cpu_us: u64,
    maxrss_kib: u64,
}

/// Reaps `pid`, a zombie provider handed to this process when its Terraform exited.
#[allow(unsafe_code)]
fn reap(pid: u32) -> anyhow::Result<Reaped> {
    let pid = libc::pid_t::try_from(pid)?;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that `wait4` fills in.
    let mut rusage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: valid pointers to the two out-values.
    let got = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut rusage) };
    if got != pid {
        return Err(std::io::Error::last_os_error().into());
    }
    Ok(Reaped {
        cpu_us: tv_us(TimeVal::from(rusage.ru_utime)) + tv_us(TimeVal::from(rusage.ru_stime)),
        maxrss_kib: u64::try_from(rusage.ru_maxrss).unwrap_or(0),
    })
}

fn cpu_us(u: &Usage) -> u64 {
    tv_us(u.user_time()) + tv_us(u.system_time())
}

fn tv_us(tv: TimeVal) -> u64 {
    u64::try_from(tv.tv_sec()).unwrap_or(0) * 1_000_000 + u64::try_from(tv.tv_usec()).unwrap_or(0)
}

/// Makes `dir` a `dev_overrides` target whose provider binary is the wrapper `wrapper`.
pub(crate) fn install_wrapper(wrapper: &Path, dir: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(dir)?;
    let link = dir.join("terraform-provider-conductorone");
    if link.exists() || link.is_symlink() {
        std::fs::remove_file(&link)?;
    }
    std::os::unix::fs::symlink(wrapper, &link)
        .with_context(|| format!("linking {} to {}", link.display(), wrapper.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_round_trip_and_garbage_is_refused() {
        let line = UsageLine {
            pid: 42,
            wrapper_cpu_us: 90,
            wall_us: 12_000,
        };
        assert_eq!(UsageLine::parse(&line.render()), Some(line));
        assert_eq!(UsageLine::parse("1 2"), None);
        assert_eq!(UsageLine::parse("a b c"), None);
    }

    #[test]
    fn terraform_share_excludes_providers_and_wrappers() {
        let u = CommandUsage {
            tree_cpu_us: 1_000,
            provider_cpu_us: 300,
            wrapper_cpu_us: 20,
            ..CommandUsage::default()
        };
        assert_eq!(u.terraform_cpu_us(), 680);
    }

    /// Children of this process stand in for the zombies Terraform leaves: the meter reaps the
    /// ones the file names and reads their CPU and peak RSS.
    #[test]
    fn a_meter_reaps_the_processes_the_wrappers_name() -> anyhow::Result<()> {
        let dir = std::env::temp_dir().join(format!("c1-bench-usage-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let file = dir.join("usage");
        let meter = Meter::start(Some(file.clone()))?;
        // A busy child uses measurable CPU; exited, it stays a zombie until reaped.
        let spawn = |script: &str| {
            std::process::Command::new("sh")
                .args(["-c", script])
                .spawn()
                .map(|c| c.id())
        };
        let busy = spawn("i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done")?;
        let idle = spawn("exit 0")?;
        let mut text = String::new();
        for (pid, wrapper_cpu_us) in [(busy, 5), (idle, 7)] {
            // Wait for the exit without reaping, as the wrapper's pidfd does.
            while !std::fs::read_to_string(format!("/proc/{pid}/stat"))?.contains(") Z ") {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            text += &UsageLine {
                pid,
                wrapper_cpu_us,
                wall_us: 1,
            }
            .render();
        }
        std::fs::write(&file, text)?;
        let u = meter.finish()?;
        std::fs::remove_dir_all(&dir)?;
        assert_eq!(u.provider_processes, 2);
        assert!(u.provider_cpu_us > 0, "{u:?}");
        assert!(u.provider_peak_rss_kib > 0, "{u:?}");
        assert_eq!(u.wrapper_cpu_us, 12);
        assert!(u.tree_cpu_us >= u.provider_cpu_us, "{u:?}");
        for pid in [busy, idle] {
            assert!(
                std::fs::metadata(format!("/proc/{pid}")).is_err(),
                "{pid} was reaped"
            );
        }
        Ok(())
    }
}
