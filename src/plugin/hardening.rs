//! Process settings that keep secrets out of crash artefacts.
//!
//! The provider holds ConductorOne and Xero secrets in memory while it serves. A crash (an
//! allocation failure aborts the process) would otherwise let the kernel write a core file
//! holding them, so a serving process turns core dumps off before it reads any configuration:
//! the core-file size limit becomes 0 (soft and hard, so nothing later in the process can raise
//! it), and the process is marked not dumpable, which also covers a `core_pattern` that pipes to
//! a crash collector (such collectors ignore the size limit) and refuses `ptrace` attachment by
//! other processes of the same user.

use rustix::process::{DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit};

/// What [`forbid_core_dumps`] could not do; the process serves anyway (it is still correct,
/// only less protected), and the reason is logged.
#[derive(Debug, thiserror::Error)]
pub enum HardeningError {
    /// `setrlimit(RLIMIT_CORE, 0)` failed.
    #[error("cannot set the core file size limit to 0: {0}")]
    CoreLimit(#[source] rustix::io::Errno),
    /// `prctl(PR_SET_DUMPABLE, 0)` failed.
    #[error("cannot mark the process not dumpable: {0}")]
    Dumpable(#[source] rustix::io::Errno),
}

/// Turns core dumps off for this process: core-file size limit 0 and not dumpable.
///
/// # Errors
/// The first step that failed; the steps before it stay in effect.
pub fn forbid_core_dumps() -> Result<(), HardeningError> {
    setrlimit(
        Resource::Core,
        Rlimit {
            current: Some(0),
            maximum: Some(0),
        },
    )
    .map_err(HardeningError::CoreLimit)?;
    set_dumpable_behavior(DumpableBehavior::NotDumpable).map_err(HardeningError::Dumpable)
}
