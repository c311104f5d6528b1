//! A throw-away Terraform working directory wired to provider binaries under test.
//!
//! Each [`Workdir`] owns a temporary directory holding the configuration, the state and a CLI config
//! file whose `provider_installation { dev_overrides { ... } direct {} }` points Terraform at the
//! binaries. With dev overrides Terraform needs no `terraform init`: `plan` and `apply` load the
//! providers straight from those directories (and warn that overrides are in effect).

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use super::binaries::ProviderBinary;
use super::terraform::Terraform;

/// Environment variables of the caller that would change what Terraform does under test; they are
/// removed so a developer's shell cannot make a test pass or fail. Tests set what they need with
/// [`Workdir::env`].
pub(crate) const SCRUBBED_ENV: &[&str] = &[
    "TF_CLI_CONFIG_FILE",
    "TF_CLI_ARGS",
    "TF_DATA_DIR",
    "TF_WORKSPACE",
    "TF_LOG",
    "TF_LOG_CORE",
    "TF_LOG_PROVIDER",
    "TF_LOG_PATH",
    "TF_PLUGIN_CACHE_DIR",
    "TF_REATTACH_PROVIDERS",
    "TF_INPUT",
    "TF_IN_AUTOMATION",
];

/// How long one Terraform command may run before the test gives up (override: `TF_ACC_TIMEOUT`, seconds).
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// What a finished Terraform command returned.
pub(crate) struct Output {
    /// The command line, for failure messages.
    pub(crate) command: String,
    /// Exit status.
    pub(crate) status: ExitStatus,
    /// Everything written to stdout.
    pub(crate) stdout: String,
    /// Everything written to stderr.
    pub(crate) stderr: String,
}

impl Output {
    /// The exit code (`None` if a signal ended the process).
    pub(crate) fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// Whether the command exited with status 0.
    pub(crate) fn success(&self) -> bool {
        self.status.success()
    }

    /// Panics, showing both streams, unless the command succeeded.
    #[track_caller]
    pub(crate) fn assert_success(&self) -> &Self {
        assert!(self.success(), "expected success:\n{self}");
        self
    }

    /// Panics, showing both streams, if the command succeeded.
    #[track_caller]
    pub(crate) fn assert_failure(&self) -> &Self {
        assert!(!self.success(), "expected failure:\n{self}");
        self
    }

    /// stdout then stderr, for searching diagnostics regardless of the stream they went to.
    pub(crate) fn combined(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }

    /// stdout parsed as JSON; panics with both streams if it is not.
    #[track_caller]
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{self}"))
    }
}

impl fmt::Display for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "$ {}\n[{}]\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command, self.status, self.stdout, self.stderr
        )
    }
}

impl fmt::Debug for Output {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A temporary Terraform working directory (deleted on drop, unless `TF_ACC_KEEP_WORKDIR` is set).
pub(crate) struct Workdir {
    dir: tempfile::TempDir,
    terraform: Terraform,
    cli_config: PathBuf,
    env: Vec<(OsString, OsString)>,
    timeout: Duration,
}

impl Workdir {
    /// A new empty working directory that runs `terraform` with `providers` installed as dev overrides.
    pub(crate) fn new(terraform: &Terraform, providers: &[ProviderBinary]) -> Workdir {
        let dir = tempfile::Builder::new()
            .prefix("tf-acc-")
            .tempdir()
            .expect("create a temp dir");
        let cli_config = dir.path().join("cli.tfrc");
        std::fs::write(&cli_config, cli_config_text(providers)).expect("write the CLI config");
        let timeout = std::env::var("TF_ACC_TIMEOUT")
            .ok()
            .and_then(|s| s.parse().ok())
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs);
        eprintln!(
            "workdir {} with Terraform {} ({})",
            dir.path().display(),
            terraform.version(),
            terraform.path().display()
        );
        Workdir {
            dir,
            terraform: terraform.clone(),
            cli_config,
            env: Vec::new(),
            timeout,
        }
    }

    /// The directory Terraform runs in.
    pub(crate) fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The Terraform this directory runs.
    pub(crate) fn terraform(&self) -> &Terraform {
        &self.terraform
    }

    /// Writes `contents` to `file` (relative to the directory), replacing it; returns `self` to chain.
    pub(crate) fn write(&self, file: &str, contents: &str) -> &Self {
        let path = self.path().join(file);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create config subdirectory");
        }
        std::fs::write(&path, contents).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        self
    }

    /// Removes `file` (relative to the directory).
    pub(crate) fn remove(&self, file: &str) -> &Self {
        let path = self.path().join(file);
        std::fs::remove_file(&path).unwrap_or_else(|e| panic!("remove {}: {e}", path.display()));
        self
    }

    /// Sets an environment variable for every later command (e.g. `TF_LOG`, an emulator's URL).
    pub(crate) fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut Self {
        let key = key.as_ref().to_os_string();
        self.env.retain(|(k, _)| *k != key);
        self.env.push((key, value.as_ref().to_os_string()));
        self
    }

    /// Runs `terraform <args>` here and waits for it (at most the timeout); never panics on a
    /// non-zero exit, so tests can check failures.
    pub(crate) fn run(&self, args: &[&str]) -> Output {
        let mut command = Command::new(self.terraform.path());
        command
            .args(args)
            .current_dir(self.path())
            .stdin(Stdio::null());
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        for key in SCRUBBED_ENV {
            command.env_remove(key);
        }
        command
            .env("TF_CLI_CONFIG_FILE", &self.cli_config)
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1");
        for (key, value) in &self.env {
            command.env(key, value);
        }
        let line = format!("terraform {}", args.join(" "));
        let child = command
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.terraform.path().display()));
        wait_with_timeout(child, line, self.timeout)
    }

    /// `terraform apply -auto-approve`; panics unless it succeeds.
    #[track_caller]
    pub(crate) fn apply(&self) -> Output {
        let output = self.run(&["apply", "-input=false", "-auto-approve", "-no-color"]);
        output.assert_success();
        output
    }

    /// `terraform apply -auto-approve`, success or not (for tests expecting diagnostics).
    pub(crate) fn try_apply(&self) -> Output {
        self.run(&["apply", "-input=false", "-auto-approve", "-no-color"])
    }

    /// `terraform plan`, success or not.
    pub(crate) fn plan(&self) -> Output {
        self.run(&["plan", "-input=false", "-no-color"])
    }

    /// The JSON plan (`plan -out` then `show -json`); panics if planning fails.
    #[track_caller]
    pub(crate) fn plan_json(&self) -> serde_json::Value {
        self.run(&["plan", "-input=false", "-no-color", "-out=acc.tfplan"])
            .assert_success();
        self.run(&["show", "-json", "acc.tfplan"])
            .assert_success()
            .json()
    }

    /// The state as `terraform show -json` renders it (sensitive values included, marked).
    #[track_caller]
    pub(crate) fn show_json(&self) -> serde_json::Value {
        self.run(&["show", "-json"]).assert_success().json()
    }

    /// The raw `terraform.tfstate` file as JSON: exactly what Terraform stored (e.g. to prove an
    /// attribute was never written to state).
    #[track_caller]
    pub(crate) fn state_json(&self) -> serde_json::Value {
        let path = self.path().join("terraform.tfstate");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    }

    /// `terraform import <address> <id>`, success or not.
    pub(crate) fn import(&self, address: &str, id: &str) -> Output {
        self.run(&["import", "-input=false", "-no-color", address, id])
    }

    /// `terraform destroy -auto-approve`; panics unless it succeeds.
    #[track_caller]
    pub(crate) fn destroy(&self) -> Output {
        let output = self.run(&["destroy", "-input=false", "-auto-approve", "-no-color"]);
        output.assert_success();
        output
    }

    /// `terraform providers schema -json`; panics unless it succeeds.
    #[track_caller]
    pub(crate) fn providers_schema(&self) -> serde_json::Value {
        self.run(&["providers", "schema", "-json"])
            .assert_success()
            .json()
    }

    /// Panics, showing the plan, unless `plan -detailed-exitcode` reports no changes (exit 0);
    /// exit 2 means changes are pending, 1 an error.
    #[track_caller]
    pub(crate) fn assert_no_changes(&self) {
        let output = self.run(&["plan", "-input=false", "-no-color", "-detailed-exitcode"]);
        assert_eq!(output.code(), Some(0), "expected an empty plan:\n{output}");
    }
}

impl Drop for Workdir {
    fn drop(&mut self) {
        kill_leftovers(&self.cli_config);
        if std::env::var_os("TF_ACC_KEEP_WORKDIR").is_some() || thread::panicking() {
            // A failed test's files are what one needs to see why; keep them.
            self.dir.disable_cleanup(true);
            eprintln!("kept Terraform workdir {}", self.dir.path().display());
        }
    }
}

/// The CLI configuration: dev overrides for the binaries under test, everything else from the registry
/// (which tests never reach, since every provider they use is overridden or built in).
fn cli_config_text(providers: &[ProviderBinary]) -> String {
    let mut text = String::from("provider_installation {\n  dev_overrides {\n");
    for provider in providers {
        text.push_str(&format!(
            "    {} = {}\n",
            hcl_string(provider.address),
            hcl_string(&provider.dir().to_string_lossy())
        ));
    }
    text.push_str("  }\n  direct {}\n}\n");
    text
}

/// An HCL quoted string: JSON's escapes are valid HCL, but `${` and `%{` would start a template.
fn hcl_string(value: &str) -> String {
    let quoted = serde_json::Value::String(value.to_owned()).to_string();
    quoted.replace("${", "$${").replace("%{", "%%{")
}

/// Waits for `child`, draining both pipes on their own threads so a chatty command cannot block on a
/// full pipe; kills it after `timeout` and panics with what it printed so far.
fn wait_with_timeout(mut child: Child, command: String, timeout: Duration) -> Output {
    let stdout = Drain::start(child.stdout.take());
    let stderr = Drain::start(child.stderr.take());
    let started = Instant::now();
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                // SIGKILL: Terraform ignores a lone SIGINT while it waits for a provider to finish.
                let _ = child.kill();
                let status = child.wait().expect("wait for killed terraform");
                let deadline = Instant::now() + PIPE_GRACE;
                let (stdout, stderr) = (stdout.finish(deadline), stderr.finish(deadline));
                let output = Output {
                    command,
                    status,
                    stdout,
                    stderr,
                };
                panic!("timed out after {timeout:?}:\n{output}");
            }
            Ok(None) => thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("waiting for {command}: {e}"),
        }
    };
    let deadline = Instant::now() + PIPE_GRACE;
    let (stdout, stderr) = (stdout.finish(deadline), stderr.finish(deadline));
    Output {
        command,
        status,
        stdout,
        stderr,
    }
}

/// How long to wait for end-of-file on Terraform's pipes once Terraform itself has exited.
///
/// A provider left running by a crashed Terraform (1.0.x leaks Terraform's stdout and stderr into
/// provider processes) holds the pipes open, and would otherwise hang the test for good.
const PIPE_GRACE: Duration = Duration::from_secs(3);

/// A pipe read to its end on a background thread, into a buffer readable at any time.
struct Drain {
    buffer: Arc<Mutex<Vec<u8>>>,
    done: Arc<AtomicBool>,
}

impl Drain {
    fn start(pipe: Option<impl Read + Send + 'static>) -> Drain {
        let buffer = Arc::new(Mutex::new(Vec::new()));
        let done = Arc::new(AtomicBool::new(false));
        let (sink, finished) = (Arc::clone(&buffer), Arc::clone(&done));
        thread::spawn(move || {
            if let Some(mut pipe) = pipe {
                let mut chunk = [0u8; 8192];
                while let Ok(n @ 1..) = pipe.read(&mut chunk) {
                    sink.lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .extend_from_slice(&chunk[..n]);
                }
            }
            finished.store(true, Ordering::Release);
        });
        Drain { buffer, done }
    }

    /// Everything read, after end-of-file or at `deadline`, whichever comes first.
    fn finish(self, deadline: Instant) -> String {
        while !self.done.load(Ordering::Acquire) && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(10));
        }
        let bytes = self
            .buffer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone();
        let mut text = String::from_utf8_lossy(&bytes).into_owned();
        if !self.done.load(Ordering::Acquire) {
            text.push_str("\n[harness: pipe still open after Terraform exited; a leftover process holds it]\n");
        }
        text
    }
}

/// Kills processes that Terraform started for this working directory and left running (providers
/// orphaned by a Terraform crash or a timeout). They are recognised by this directory's CLI config
/// path in their environment, which only processes started from here carry.
fn kill_leftovers(cli_config: &Path) {
    let marker = format!("TF_CLI_CONFIG_FILE={}", cli_config.display()).into_bytes();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return;
    };
    let me = std::process::id();
    let pids: Vec<String> = entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.parse::<u32>().ok()))
        .filter(|pid| *pid != me)
        .filter(|pid| {
            std::fs::read(format!("/proc/{pid}/environ"))
                .is_ok_and(|env| env.split(|b| *b == 0).any(|var| var == marker.as_slice()))
        })
        .map(|pid| pid.to_string())
        .collect();
    if !pids.is_empty() {
        eprintln!(
            "killing processes left behind by Terraform: {}",
            pids.join(" ")
        );
        let _ = Command::new("kill").arg("-KILL").args(&pids).status();
    }
}
