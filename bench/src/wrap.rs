//! `c1-bench-wrap`: stands in for the provider binary so that the bench can see what the provider
//! process costs although Terraform, not the bench, starts it.
//!
//! `dev_overrides` points Terraform at a directory whose `terraform-provider-conductorone` is
//! this binary. It starts the real provider (`C1_BENCH_WRAP_REAL`) with the same arguments, stdio
//! and environment (less its own two variables) as a child of Terraform rather than of itself
//! (`clone` with `CLONE_PARENT`): the provider must see Terraform as its parent, as it does when
//! Terraform starts it directly, because that is how the walks of one command find the Xero
//! checks they share. The wrapper waits for the provider to end (through a pidfd), appends a
//! [`UsageLine`] naming it to `C1_BENCH_USAGE_FILE`, and exits as the provider did.
//!
//! Terraform waits only for the processes it started, so the provider stays a zombie until
//! Terraform exits and hands it to the nearest child subreaper: the bench, which reaps it with
//! `wait4` and so reads its exact CPU time and peak RSS (`usage.rs`). A separate small binary
//! rather than a mode of `c1-bench`, so that the wrapper's own start-up stays small next to the
//! provider's.

#[path = "usage_line.rs"]
mod usage_line;

use std::ffi::{CString, OsString};
use std::io::Write as _;
use std::os::unix::ffi::OsStringExt as _;
use std::process::ExitCode;
use std::time::Instant;

use nix::libc;
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
    // Everything the child needs is made before the clone: it only calls `execve`.
    let program = c_string(real.clone())?;
    let mut args = vec![program.clone()];
    for arg in std::env::args_os().skip(1) {
        args.push(c_string(arg)?);
    }
    let mut env = Vec::new();
    for (key, value) in std::env::vars_os() {
        if key == REAL_ENV || key == FILE_ENV {
            continue;
        }
        let mut pair = key;
        pair.push("=");
        pair.push(value);
        env.push(c_string(pair)?);
    }
    let argv = null_terminated(&args);
    let envp = null_terminated(&env);

    let started = Instant::now();
    let pid = start_as_sibling(&program, &argv, &envp)
        .map_err(|e| format!("starting {}: {e}", real.to_string_lossy()))?;
    wait_for_end(pid).map_err(|e| format!("waiting for {pid}: {e}"))?;
    let wall_us = micros(started.elapsed().as_secs_f64());
    let status = exit_status(pid).ok_or(format!("no exit status for {pid}"))?;
    let own = getrusage(UsageWho::RUSAGE_SELF).map_err(|e| e.to_string())?;
    let line = UsageLine {
        pid,
        wrapper_cpu_us: tv_us(own.user_time()) + tv_us(own.system_time()),
        wall_us,
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&file)
        .and_then(|mut f| f.write_all(line.render().as_bytes()))
        .map_err(|e| format!("writing {}: {e}", file.to_string_lossy()))?;
    Ok(status)
}

fn c_string(s: OsString) -> Result<CString, String> {
    CString::new(s.into_vec()).map_err(|e| format!("argument with a NUL byte: {e}"))
}

fn null_terminated(strings: &[CString]) -> Vec<*const libc::c_char> {
    strings
        .iter()
        .map(|s| s.as_ptr())
        .chain(std::iter::once(std::ptr::null()))
        .collect()
}

/// Starts `program` as a child of this process's parent; its process ID.
#[allow(unsafe_code)]
fn start_as_sibling(
    program: &CString,
    argv: &[*const libc::c_char],
    envp: &[*const libc::c_char],
) -> std::io::Result<u32> {
    let flags = (libc::CLONE_PARENT | libc::SIGCHLD) as libc::c_ulong;
    // SAFETY: this process has a single thread, so a clone without a new stack behaves as
    // `fork`; the child calls only `execve` and `_exit` on memory made before the clone.
    let pid = unsafe { libc::syscall(libc::SYS_clone, flags, 0_usize, 0_usize, 0_usize, 0_usize) };
    if pid == 0 {
        // SAFETY: the pointers are valid, NUL-terminated, and the arrays end with a null.
        unsafe {
            libc::execve(program.as_ptr(), argv.as_ptr(), envp.as_ptr());
            libc::_exit(127);
        }
    }
    if pid < 0 {
        return Err(std::io::Error::last_os_error());
    }
    u32::try_from(pid).map_err(std::io::Error::other)
}

/// Blocks until process `pid` (not this one's child) has ended.
#[allow(unsafe_code)]
fn wait_for_end(pid: u32) -> std::io::Result<()> {
    // SAFETY: a plain system call on integers.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    if fd < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let fd = i32::try_from(fd).map_err(std::io::Error::other)?;
    let mut poll = libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    };
    loop {
        // SAFETY: one valid `pollfd`.
        let n = unsafe { libc::poll(&raw mut poll, 1, -1) };
        if n > 0 {
            break;
        }
        let e = std::io::Error::last_os_error();
        if e.kind() != std::io::ErrorKind::Interrupted {
            return Err(e);
        }
    }
    // SAFETY: `fd` is the pidfd opened above, closed once.
    unsafe { libc::close(fd) };
    Ok(())
}

/// How the ended process `pid` exited, read from its zombie's `/proc/PID/stat` (field 52, the
/// status `waitpid` would report), as the exit code a shell would show.
fn exit_status(pid: u32) -> Option<ExitCode> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let after_name = stat.get(stat.rfind(')')? + 1..)?;
    let status: i32 = after_name.split_whitespace().nth(49)?.parse().ok()?;
    let code = if status & 0x7f == 0 {
        (status >> 8) & 0xff
    } else {
        128 + (status & 0x7f)
    };
    Some(ExitCode::from(u8::try_from(code).unwrap_or(1)))
}

fn tv_us(tv: TimeVal) -> u64 {
    u64::try_from(tv.tv_sec()).unwrap_or(0) * 1_000_000 + u64::try_from(tv.tv_usec()).unwrap_or(0)
}

fn micros(seconds: f64) -> u64 {
    (seconds * 1e6) as u64
}
