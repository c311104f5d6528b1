//! Runs the provider binary the way Terraform does (and the way a person might) and checks the
//! go-plugin start-up contract from the outside.

#![allow(clippy::unwrap_used)]

mod plugin_common;

use std::io::{BufRead as _, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use plugin_common::{ClientIdentity, Dial, Present, client_config, plugin_health};
use rustls::pki_types::CertificateDer;
use terraform_provider_conductorone::proto::plugin::Empty;
use terraform_provider_conductorone::proto::plugin::grpc_controller_client::GrpcControllerClient;
use tonic_health::pb::health_check_response::ServingStatus;

const BIN: &str = env!("CARGO_BIN_EXE_terraform-provider-conductorone");
const COOKIE: (&str, &str) = (
    "TF_PLUGIN_MAGIC_COOKIE",
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2",
);
const ADDRESS: &str = "registry.terraform.io/conductorone/conductorone";

/// A command with none of the variables these tests control inherited from the outside.
fn provider() -> Command {
    let mut cmd = Command::new(BIN);
    for key in [
        "TF_PLUGIN_MAGIC_COOKIE",
        "PLUGIN_PROTOCOL_VERSIONS",
        "PLUGIN_CLIENT_CERT",
        "TF_DISABLE_PLUGIN_TLS",
        "PLUGIN_UNIX_SOCKET_DIR",
        "TF_LOG_PROVIDER_CONDUCTORONE",
        "TF_LOG_PROVIDER",
    ] {
        cmd.env_remove(key);
    }
    // The most verbose logging: none of it may reach stdout.
    cmd.env("TF_LOG", "TRACE");
    cmd
}

fn run_to_end(cmd: &mut Command) -> std::process::Output {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let waited = wait_with_timeout(child, Duration::from_secs(20));
    waited.expect("the provider did not exit")
}

fn wait_with_timeout(mut child: Child, limit: Duration) -> Option<std::process::Output> {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return Some(child.wait_with_output().unwrap());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    None
}

/// Reads stdout lines on a thread so the test can wait with a deadline.
fn lines(stdout: ChildStdout) -> mpsc::Receiver<String> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Kills the child if a test fails midway, so no provider outlives the test run.
struct Guard(Option<Child>);

impl Drop for Guard {
    fn drop(&mut self) {
        if let Some(child) = self.0.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Guard {
    fn child(&mut self) -> &mut Child {
        self.0.as_mut().unwrap()
    }

    /// Waits for exit; returns the exit status and whatever was left on stderr.
    fn wait_exit(&mut self, limit: Duration) -> (std::process::ExitStatus, String) {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child().try_wait().unwrap() {
                let mut stderr = String::new();
                if let Some(mut pipe) = self.child().stderr.take() {
                    pipe.read_to_string(&mut stderr).unwrap();
                }
                self.0 = None;
                return (status, stderr);
            }
            assert!(
                Instant::now() < deadline,
                "the provider did not exit in time"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn without_the_cookie_it_explains_itself_and_exits_1() {
    let out = run_to_end(&mut provider());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        out.stdout.is_empty(),
        "stdout: {:?}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("plugin"), "{stderr}");
    assert!(stderr.contains("terraform"), "{stderr}");

    let wrong = run_to_end(provider().env(COOKIE.0, "not-the-cookie"));
    assert_eq!(wrong.status.code(), Some(1));
    assert!(wrong.stdout.is_empty());
}

#[test]
fn without_protocol_6_it_names_what_was_offered() {
    let out = run_to_end(
        provider()
            .env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("\"4,5\""), "{stderr}");
    assert!(stderr.contains("protocol 6"), "{stderr}");
}

#[test]
fn version_flag_prints_name_and_version() {
    let out = run_to_end(provider().arg("--version"));
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        stdout.trim(),
        format!("conductorone {}", env!("CARGO_PKG_VERSION"))
    );
}

struct Handshake {
    network: String,
    address: String,
    cert: Option<CertificateDer<'static>>,
}

fn parse_handshake(line: &str) -> Handshake {
    let fields: Vec<&str> = line.split('|').collect();
    assert_eq!(fields.len(), 6, "{line}");
    assert_eq!(&fields[..2], ["1", "6"], "{line}");
    assert_eq!(fields[4], "grpc", "{line}");
    assert!(!fields[5].contains('='), "padded base64: {line}");
    let cert = (!fields[5].is_empty()).then(|| {
        let der = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(fields[5])
            .unwrap();
        CertificateDer::from(der)
    });
    Handshake {
        network: fields[2].to_owned(),
        address: fields[3].to_owned(),
        cert,
    }
}

#[cfg(unix)]
fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn with_automtls_it_serves_ignores_sigint_and_cleans_up_on_shutdown() {
    let terraform = ClientIdentity::generate();
    let base = tempfile::tempdir().unwrap();
    let mut guard = Guard(Some(
        provider()
            .env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_CLIENT_CERT", &terraform.pem)
            .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let stdout = lines(guard.child().stdout.take().unwrap());
    let line = stdout.recv_timeout(Duration::from_secs(20)).unwrap();
    let hs = parse_handshake(&line);
    assert_eq!(hs.network, "unix");
    let socket = PathBuf::from(&hs.address);
    let dir = socket.parent().unwrap().to_path_buf();
    assert_eq!(dir.parent(), Some(base.path()));
    assert_eq!(mode(&dir), 0o700);
    let server_cert = hs
        .cert
        .expect("AutoMTLS must announce the server certificate");

    let dial = Dial::from_handshake(&hs.network, &hs.address);
    let tls = || {
        client_config(
            &server_cert,
            Present::Cert(&terraform),
            &[&rustls::version::TLS13],
        )
    };
    assert_eq!(
        plugin_health(&dial, Some(tls())).await.unwrap(),
        ServingStatus::Serving
    );
    // Plaintext is refused when AutoMTLS is on.
    assert!(plugin_health(&dial, None).await.is_err());

    // Terraform, not the terminal's Ctrl-C, decides when a provider stops.
    signal(guard.child(), "INT");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        guard.child().try_wait().unwrap().is_none(),
        "SIGINT stopped the provider"
    );
    assert_eq!(
        plugin_health(&dial, Some(tls())).await.unwrap(),
        ServingStatus::Serving
    );

    let channel = plugin_common::connect(&dial, Some(tls()), Default::default())
        .await
        .unwrap();
    GrpcControllerClient::new(channel.clone())
        .shutdown(Empty {})
        .await
        .unwrap();
    drop(channel);
    let (status, stderr) = guard.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}\n{stderr}");
    assert!(!dir.exists(), "socket directory left behind");
    // Exactly one line on stdout, ever.
    let rest: Vec<String> = stdout.try_iter().collect();
    assert!(rest.is_empty(), "extra stdout: {rest:?}");
    // Logs went to stderr, each line hclog JSON.
    for line in stderr.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|_| panic!("{line}"));
        assert_eq!(v["@module"], "conductorone", "{line}");
    }
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn with_tls_disabled_it_serves_plaintext_and_stops_on_sigterm() {
    let base = tempfile::tempdir().unwrap();
    let mut guard = Guard(Some(
        provider()
            .env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", ClientIdentity::generate().pem)
            .env("TF_DISABLE_PLUGIN_TLS", "1")
            .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let stdout = lines(guard.child().stdout.take().unwrap());
    let hs = parse_handshake(&stdout.recv_timeout(Duration::from_secs(20)).unwrap());
    assert!(hs.cert.is_none());
    let dial = Dial::from_handshake(&hs.network, &hs.address);
    assert_eq!(
        plugin_health(&dial, None).await.unwrap(),
        ServingStatus::Serving
    );
    let dir = PathBuf::from(&hs.address).parent().unwrap().to_path_buf();
    signal(guard.child(), "TERM");
    let (status, _) = guard.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    assert!(!dir.exists());
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn debug_mode_prints_a_reattach_line_that_works() {
    let base = tempfile::tempdir().unwrap();
    let mut guard = Guard(Some(
        provider()
            .arg("--debug")
            .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let pid = guard.child().id();
    let stdout = lines(guard.child().stdout.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    let value = loop {
        let line = stdout
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap();
        if let Some(rest) = line.strip_prefix("TF_REATTACH_PROVIDERS='") {
            break rest.strip_suffix('\'').unwrap().to_owned();
        }
    };
    let json: serde_json::Value = serde_json::from_str(&value).unwrap();
    let entry = &json[ADDRESS];
    assert_eq!(entry["Protocol"], "grpc");
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Pid"], pid);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["Addr"]["Network"], "unix");
    let socket = entry["Addr"]["String"].as_str().unwrap().to_owned();
    let dial = Dial::from_handshake("unix", &socket);
    assert_eq!(
        plugin_health(&dial, None).await.unwrap(),
        ServingStatus::Serving
    );

    // One debug server outlives many Terraform runs: Shutdown from a client does not end it.
    let channel = plugin_common::connect(&dial, None, Default::default())
        .await
        .unwrap();
    GrpcControllerClient::new(channel)
        .shutdown(Empty {})
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(guard.child().try_wait().unwrap().is_none());

    // Ctrl-C does.
    signal(guard.child(), "INT");
    let (status, _) = guard.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    assert!(!Path::new(&socket).exists());
    assert!(!Path::new(&socket).parent().unwrap().exists());
}

/// A Terraform that crashes never calls Shutdown; its provider must not outlive it.
#[cfg(target_os = "linux")]
#[test]
fn an_orphaned_provider_shuts_down_and_removes_its_socket() {
    let base = tempfile::tempdir().unwrap();
    // A shell stands in for Terraform: it starts the provider, reports its PID, and dies.
    let mut parent = provider()
        .env(COOKIE.0, COOKIE.1)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("TF_DISABLE_PLUGIN_TLS", "1")
        .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
        .env("PROVIDER_BIN", BIN)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn_via_shell("\"$PROVIDER_BIN\" & echo \"pid $!\"; sleep 1");
    let stdout = lines(parent.stdout.take().unwrap());
    let mut pid = None;
    let mut socket = None;
    while pid.is_none() || socket.is_none() {
        let line = stdout.recv_timeout(Duration::from_secs(20)).unwrap();
        match line.strip_prefix("pid ") {
            Some(p) => pid = Some(p.trim().to_owned()),
            None => socket = Some(PathBuf::from(parse_handshake(&line).address)),
        }
    }
    assert!(parent.wait().unwrap().success());
    let (pid, socket) = (pid.unwrap(), socket.unwrap());
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .map(|stat| !stat.contains(") Z "))
            .unwrap_or(false)
    };
    let deadline = Instant::now() + Duration::from_secs(10);
    while alive() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let still_alive = alive();
    if still_alive {
        let _ = Command::new("kill").arg("-KILL").arg(&pid).status();
    }
    assert!(!still_alive, "the orphaned provider kept running");
    assert!(
        !socket.parent().unwrap().exists(),
        "socket directory left behind"
    );
}

/// Runs a `provider()`-configured command's environment through `sh -c SCRIPT` instead.
trait SpawnViaShell {
    fn spawn_via_shell(&mut self, script: &str) -> Child;
}

impl SpawnViaShell for Command {
    fn spawn_via_shell(&mut self, script: &str) -> Child {
        let mut shell = Command::new("sh");
        shell.arg("-c").arg(script);
        for (key, value) in self.get_envs() {
            match value {
                Some(value) => shell.env(key, value),
                None => shell.env_remove(key),
            };
        }
        shell
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }
}

/// The soft and hard `Max core file size` of a live process, from `/proc/PID/limits`.
fn core_limits(pid: u32) -> (String, String) {
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .unwrap_or_else(|| panic!("no core limit in:\n{limits}"));
    let mut fields = line["Max core file size".len()..].split_whitespace();
    (
        fields.next().unwrap().to_owned(),
        fields.next().unwrap().to_owned(),
    )
}

#[cfg(target_os = "linux")]
#[test]
fn a_serving_provider_cannot_dump_core() {
    let base = tempfile::tempdir().unwrap();
    // Started with the soft limit raised to the hard one, so a provider that left the limit
    // alone would be able to write a core file.
    let mut cmd = Command::new("sh");
    cmd.args(["-c", r#"ulimit -S -c "$(ulimit -H -c)" && exec "$0""#, BIN]);
    for key in ["TF_LOG", "TF_LOG_PROVIDER", "TF_LOG_PROVIDER_CONDUCTORONE"] {
        cmd.env_remove(key);
    }
    let mut guard = Guard(Some(
        cmd.env(COOKIE.0, COOKIE.1)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", ClientIdentity::generate().pem)
            .env("PLUGIN_UNIX_SOCKET_DIR", base.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    ));
    let own_hard = core_limits(std::process::id()).1;
    let stdout = lines(guard.child().stdout.take().unwrap());
    parse_handshake(&stdout.recv_timeout(Duration::from_secs(20)).unwrap());
    let pid = guard.child().id();
    assert_eq!(
        core_limits(pid),
        ("0".to_owned(), "0".to_owned()),
        "the provider started with a core limit of {own_hard} and kept it"
    );
    signal(guard.child(), "TERM");
    let (status, _) = guard.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
}
