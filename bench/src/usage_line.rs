//! The record the usage wrapper (`c1-bench-wrap`) appends for each provider process it started,
//! and `c1-bench` reads back: one line of space-separated integers per process, written with a
//! single `write` to a file opened for appending, so that concurrent processes cannot interleave
//! lines.
//!
//! Shared by both binaries (`#[path]`), so the format has one definition.

/// One provider process a wrapper started, and what the wrapper itself cost.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct UsageLine {
    /// The provider process's ID: a zombie until the bench reaps it and reads its usage.
    pub(crate) pid: u32,
    /// The wrapper's own user + system CPU time, µs (not the provider's: reported apart).
    pub(crate) wrapper_cpu_us: u64,
    /// From starting the process to seeing it end, µs.
    pub(crate) wall_us: u64,
}

impl UsageLine {
    /// The line, newline included.
    #[allow(dead_code)] // `c1-bench` only reads (outside its tests).
    pub(crate) fn render(&self) -> String {
        format!("{} {} {}\n", self.pid, self.wrapper_cpu_us, self.wall_us)
    }

    /// Parses one line written by [`UsageLine::render`]; `None` if it is not one.
    #[allow(dead_code)] // The wrapper only writes.
    pub(crate) fn parse(line: &str) -> Option<Self> {
        let fields: Vec<u64> = line
            .split_whitespace()
            .map(str::parse)
            .collect::<Result<_, _>>()
            .ok()?;
        let [pid, wrapper_cpu_us, wall_us] = fields[..] else {
            return None;
        };
        Some(Self {
            pid: u32::try_from(pid).ok()?,
            wrapper_cpu_us,
            wall_us,
        })
    }
}
