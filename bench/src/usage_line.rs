//! The record the usage wrapper (`c1-bench-wrap`) appends for each provider process it ran, and
//! `c1-bench` reads back: one line of space-separated integers per process, written with a single
//! `write` to a file opened for appending, so that concurrent processes cannot interleave lines.
//!
//! Shared by both binaries (`#[path]`), so the format has one definition.

/// What one wrapped process used, from `getrusage(RUSAGE_CHILDREN)` after waiting for it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct UsageLine {
    /// The wrapped process's ID.
    pub(crate) pid: u32,
    /// Its user CPU time, µs.
    pub(crate) user_us: u64,
    /// Its system CPU time, µs.
    pub(crate) sys_us: u64,
    /// Its peak resident set size (`ru_maxrss`), KiB.
    pub(crate) maxrss_kib: u64,
    /// The wrapper's own user + system CPU time, µs (not the provider's: reported apart).
    pub(crate) wrapper_cpu_us: u64,
    /// From spawning the process to reaping it, µs.
    pub(crate) wall_us: u64,
}

impl UsageLine {
    /// The line, newline included.
    #[allow(dead_code)] // `c1-bench` only reads (outside its tests).
    pub(crate) fn render(&self) -> String {
        format!(
            "{} {} {} {} {} {}\n",
            self.pid, self.user_us, self.sys_us, self.maxrss_kib, self.wrapper_cpu_us, self.wall_us
        )
    }

    /// Parses one line written by [`UsageLine::render`]; `None` if it is not one.
    #[allow(dead_code)] // The wrapper only writes.
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let fields: Vec<u64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [pid, user_us, sys_us, maxrss_kib, wrapper_cpu_us, wall_us] = fields[..] else {
            return None;
        };
        Some(Self {
            pid: u32::try_from(pid).ok()?,
            user_us,
            sys_us,
            maxrss_kib,
            wrapper_cpu_us,
            wall_us,
        })
    }
}
