//! The machine and software a bench ran on, read from the system rather than typed in.

use std::path::Path;

use serde::Serialize;
use tokio::process::Command;

/// What the report states about where and on what it ran.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct Facts {
    /// CPU model name from `/proc/cpuinfo`.
    pub(crate) cpu: String,
    /// Logical CPUs this process may use.
    pub(crate) cpus: usize,
    /// Total memory, GiB.
    pub(crate) mem_gib: f64,
    /// Kernel release.
    pub(crate) kernel: String,
    /// `rustc --version`.
    pub(crate) rustc: String,
    /// Terraform's version.
    pub(crate) terraform: String,
    /// The 1-minute load average when the bench started.
    pub(crate) load_before: f64,
    /// The 1-minute load average when it ended.
    pub(crate) load_after: f64,
    /// Our provider binary: size in bytes.
    pub(crate) ours_size: u64,
    /// How our binary is linked, read from its ELF header (e.g. "static, not PIE").
    pub(crate) ours_linking: String,
    /// The Go provider binary: size in bytes.
    pub(crate) theirs_size: u64,
    /// Module versions found in the Go binary (framework, plugin-go, go-plugin, grpc, Go).
    pub(crate) theirs_build: Vec<String>,
    /// The commit measured (`git rev-parse --short HEAD`, `+dirty` with local changes).
    pub(crate) commit: String,
    /// When the bench started (UTC, RFC 3339).
    pub(crate) date: String,
    /// The command that produced the report.
    pub(crate) command: String,
}

/// Gathers the facts; anything unreadable is left empty rather than failing the bench.
pub(crate) async fn gather(ours: &Path, theirs: &Path, terraform: &Path, command: &str) -> Facts {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let tf_json = output(terraform, &["version", "-json"]).await;
    let terraform_version = serde_json::from_str::<serde_json::Value>(&tf_json)
        .ok()
        .and_then(|v| v["terraform_version"].as_str().map(str::to_owned))
        .unwrap_or_default();
    let dirty = !output(
        Path::new("git"),
        &["status", "--porcelain", "--untracked-files=no"],
    )
    .await
    .trim()
    .is_empty();
    let commit = output(Path::new("git"), &["rev-parse", "--short", "HEAD"]).await;
    Facts {
        cpu: cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|v| v.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_default(),
        cpus: std::thread::available_parallelism().map_or(0, usize::from),
        mem_gib: mem_kib / 1024.0 / 1024.0,
        kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease")
            .unwrap_or_default()
            .trim()
            .to_owned(),
        rustc: output(Path::new("rustc"), &["--version"])
            .await
            .trim()
            .to_owned(),
        terraform: terraform_version,
        load_before: loadavg(),
        load_after: 0.0,
        ours_size: std::fs::metadata(ours).map_or(0, |m| m.len()),
        ours_linking: linking(ours),
        theirs_size: std::fs::metadata(theirs).map_or(0, |m| m.len()),
        theirs_build: go_build_info(theirs),
        commit: format!("{}{}", commit.trim(), if dirty { "+dirty" } else { "" }),
        date: output(Path::new("date"), &["-u", "+%Y-%m-%dT%H:%M:%SZ"])
            .await
            .trim()
            .to_owned(),
        command: command.to_owned(),
    }
}

/// The 1-minute load average.
pub(crate) fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

async fn output(program: &Path, args: &[&str]) -> String {
    let run = Command::new(program)
        .args(args)
        .env("CHECKPOINT_DISABLE", "1")
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .await;
    match run {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).into_owned(),
        _ => String::new(),
    }
}

/// The versions of the modules that matter, from the module paths a Go binary embeds
/// (`…/terraform-plugin-framework@v1.19.0/…`) and its `go1.N.M` runtime tag.
fn go_build_info(binary: &Path) -> Vec<String> {
    let Ok(bytes) = std::fs::read(binary) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for (label, marker) in [
        ("terraform-plugin-framework", "terraform-plugin-framework@"),
        ("terraform-plugin-go", "terraform-plugin-go@"),
        ("go-plugin", "go-plugin@"),
        ("grpc-go", "google.golang.org/grpc@"),
    ] {
        if let Some(v) = version_after(&bytes, marker.as_bytes()) {
            found.push(format!("{label} {v}"));
        }
    }
    if let Some(v) = version_after(&bytes, b"go1.") {
        found.push(format!("Go 1.{v}"));
    }
    found
}

/// The version text (`v1.2.3`, `26.10`) right after the first occurrence of `marker`.
fn version_after(bytes: &[u8], marker: &[u8]) -> Option<String> {
    let at = bytes.windows(marker.len()).position(|w| w == marker)? + marker.len();
    let tail = &bytes[at..bytes.len().min(at + 32)];
    let len = tail
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric() || **b == b'.' || **b == b'-')
        .count();
    (len > 0).then(|| String::from_utf8_lossy(&tail[..len]).into_owned())
}

/// "static" or "dynamic" (a `PT_INTERP` program header names a loader), and "PIE" or "not PIE"
/// (`e_type` `ET_DYN` or `ET_EXEC`), from a 64-bit little-endian ELF file; empty if unreadable.
fn linking(binary: &Path) -> String {
    let Ok(elf) = std::fs::read(binary) else {
        return String::new();
    };
    let u16_at = |at: usize| {
        elf.get(at..at + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    };
    let u64_at = |at: usize| {
        elf.get(at..at + 8)
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(u64::from_le_bytes)
    };
    if elf.get(..5) != Some(b"\x7fELF\x02".as_slice()) {
        return String::new();
    }
    let (Some(kind), Some(phoff), Some(phentsize), Some(phnum)) =
        (u16_at(16), u64_at(32), u16_at(54), u16_at(56))
    else {
        return String::new();
    };
    let has_interp = (0..usize::from(phnum)).any(|i| {
        usize::try_from(phoff)
            .ok()
            .map(|off| off + i * usize::from(phentsize))
            .and_then(|at| elf.get(at..at + 4))
            .is_some_and(|t| t == 3u32.to_le_bytes())
    });
    let link = if has_interp { "dynamic" } else { "static" };
    let pie = if kind == 3 { "PIE" } else { "not PIE" };
    format!("{link}, {pie}")
}
