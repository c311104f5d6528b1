//! The plugin side of go-plugin: the start-up handshake, AutoMTLS, the gRPC server and go-plugin's
//! side services. Nothing here knows what the provider does; [`main`] serves any
//! [`Provider`] implementation.
//!
//! In plugin mode stdout carries the handshake line and nothing else; everything else goes to
//! stderr, as hclog JSON (see [`crate::logging`]) so Terraform relays it at the right level.

pub mod handshake;
pub mod hardening;
pub mod listener;
pub mod server;
pub mod services;
pub mod tls;

use std::io::Write as _;
use std::process::ExitCode;

use tokio_util::sync::CancellationToken;

use self::handshake::HandshakeError;
use self::listener::{ListenError, Listener, SocketDir};
use self::server::{ServeConfig, ServeError, SignalPolicy};
use self::tls::TlsError;
use crate::proto::tfplugin6::provider_server::Provider;

/// Environment variable naming the parent directory for the socket directory (go-plugin's).
pub const UNIX_SOCKET_DIR_KEY: &str = "PLUGIN_UNIX_SOCKET_DIR";

/// Who this provider is, for `--version`, logs and the reattach configuration.
#[derive(Debug, Clone, Copy)]
pub struct PluginInfo {
    /// Short provider name, e.g. `conductorone`; also the `@module` of log lines.
    pub name: &'static str,
    /// Full registry address, e.g. `registry.terraform.io/conductorone/conductorone`.
    pub address: &'static str,
    /// The provider's version, e.g. `env!("CARGO_PKG_VERSION")`.
    pub version: &'static str,
}

/// Why the plugin could not serve.
#[derive(Debug, thiserror::Error)]
pub enum PluginError {
    /// Cookie or version negotiation failed.
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    /// No socket or port could be opened.
    #[error(transparent)]
    Listen(#[from] ListenError),
    /// TLS could not be configured.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The server failed while running.
    #[error(transparent)]
    Serve(#[from] ServeError),
    /// The async runtime, signal handlers or stdout failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: &'static str,
        /// The underlying failure.
        source: std::io::Error,
    },
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// No arguments: serve Terraform (the normal case).
    Serve,
    /// `--debug`: serve for a developer, who attaches Terraform with `TF_REATTACH_PROVIDERS`.
    Debug,
    /// `--version`.
    Version,
    /// `--help` / `-h`.
    Help,
}

impl Command {
    /// Parses the arguments after the program name; an unknown argument is returned as the error.
    pub fn parse<I: IntoIterator<Item = String>>(args: I) -> Result<Self, String> {
        let mut command = Self::Serve;
        for arg in args {
            command = match arg.as_str() {
                "--debug" | "-debug" => Self::Debug,
                "--version" | "-version" | "-v" => return Ok(Self::Version),
                "--help" | "-help" | "-h" => return Ok(Self::Help),
                _ => return Err(arg),
            };
        }
        Ok(command)
    }
}

/// The whole program behind both provider binaries: handles the arguments, the handshake and
/// serving. `service` builds the provider once the async runtime is running.
pub fn main<S: Provider>(info: PluginInfo, service: impl FnOnce() -> S) -> ExitCode {
    let command = match Command::parse(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(arg) => {
            eprintln!("unknown argument {arg:?}; see --help");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Version => {
            println!("{} {}", info.name, info.version);
            ExitCode::SUCCESS
        }
        Command::Help => {
            println!("{}", help_text(&info));
            ExitCode::SUCCESS
        }
        Command::Serve => {
            // Checked before anything else so a person running the binary gets a plain answer.
            let env = |k| std::env::var(k).ok();
            if let Err(e) = handshake::check_cookie(env(handshake::MAGIC_COOKIE_KEY).as_deref())
                .and_then(|()| {
                    handshake::negotiate_version(env(handshake::PROTOCOL_VERSIONS_KEY).as_deref())
                })
            {
                eprintln!("{e}");
                return ExitCode::FAILURE;
            }
            run(info, SignalPolicy::Plugin, service)
        }
        Command::Debug => run(info, SignalPolicy::Debug, service),
    }
}

fn help_text(info: &PluginInfo) -> String {
    format!(
        "{name} {version}: the Terraform provider {address}.\n\n\
         Terraform starts this program itself; it is not meant to be run by hand.\n\n\
         Options:\n  \
           --debug     serve for a debugger and print TF_REATTACH_PROVIDERS for Terraform\n  \
           --version   print the version\n  \
           --help      print this text",
        name = info.name,
        version = info.version,
        address = info.address,
    )
}

fn run<S: Provider>(
    info: PluginInfo,
    policy: SignalPolicy,
    service: impl FnOnce() -> S,
) -> ExitCode {
    crate::logging::init(info.name);
    // `--debug` is for attaching a debugger, which a non-dumpable process refuses.
    if policy == SignalPolicy::Plugin {
        match hardening::forbid_core_dumps() {
            Ok(()) => tracing::debug!("core dumps are off for this process"),
            Err(e) => tracing::warn!(error = %e, "core dumps could not be turned off"),
        }
    }
    // One thread: Terraform's calls are short and mostly wait on the network, and a second
    // worker only adds cross-thread wake-ups to every call (a quarter of a call's CPU time,
    // measured by `make bench`, part C). Blocking work still goes to tokio's blocking pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(source) => {
            report(&PluginError::Io {
                context: "cannot start the async runtime",
                source,
            });
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(serve_process(info, policy, service));
    // Leftover tasks (idle streams, signal watchers) must not keep the process alive.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            report(&e);
            ExitCode::FAILURE
        }
    }
}

fn report(error: &PluginError) {
    tracing::error!("{error}");
}

async fn serve_process<S: Provider>(
    info: PluginInfo,
    policy: SignalPolicy,
    service: impl FnOnce() -> S,
) -> Result<(), PluginError> {
    let env = |k| std::env::var(k).ok();
    let tls = match policy {
        SignalPolicy::Plugin => match tls::client_cert_for_tls(
            env(tls::DISABLE_TLS_KEY).as_deref(),
            env(tls::CLIENT_CERT_KEY).as_deref(),
        ) {
            Some(pem) => {
                let identity = tls::ServerIdentity::generate()?;
                let config = tls::server_config(&identity, tls::parse_client_cert(pem)?)?;
                Some((identity, config))
            }
            None => None,
        },
        // Terraform attaches to a debug server without AutoMTLS.
        SignalPolicy::Debug => None,
    };

    // Held until this function returns, on success and on every error path alike.
    let (listener, _socket_dir) = open_listener().await?;
    let shutdown = CancellationToken::new();
    server::handle_signals(policy, shutdown.clone()).map_err(|source| PluginError::Io {
        context: "cannot install signal handlers",
        source,
    })?;
    if policy == SignalPolicy::Plugin {
        server::watch_parent(shutdown.clone());
    }
    let provider = service();

    let announcement = match (&policy, &tls) {
        (SignalPolicy::Plugin, tls) => handshake::handshake_line(
            listener.network(),
            &listener.address(),
            tls.as_ref().map(|(id, _)| id.cert_der().as_ref()),
        ),
        (SignalPolicy::Debug, _) => debug_announcement(&info, &listener),
    };
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{announcement}")
        .and_then(|()| stdout.flush())
        .map_err(|source| PluginError::Io {
            context: "cannot write the handshake to stdout",
            source,
        })?;
    drop(stdout);
    tracing::debug!(
        network = listener.network(),
        address = %listener.address(),
        tls = tls.is_some(),
        "plugin server listening"
    );

    let config = ServeConfig {
        tls: tls.map(|(_, config)| config),
        shutdown,
        controller_stops_server: policy == SignalPolicy::Plugin,
    };
    server::serve(provider, listener, config).await?;
    tracing::debug!("plugin server stopped");
    Ok(())
}

/// Opens the listener: a unix socket in a fresh private directory where the OS has them,
/// loopback TCP in go-plugin's port range elsewhere.
async fn open_listener() -> Result<(Listener, Option<SocketDir>), PluginError> {
    #[cfg(unix)]
    {
        let base = std::env::var_os(UNIX_SOCKET_DIR_KEY)
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from);
        let dir = SocketDir::create(base.as_deref())?;
        let listener = Listener::bind_unix(dir.socket_path())?;
        Ok((listener, Some(dir)))
    }
    #[cfg(not(unix))]
    {
        let env = |k| std::env::var(k).ok();
        let (min, max) = listener::port_range(
            env("PLUGIN_MIN_PORT").as_deref(),
            env("PLUGIN_MAX_PORT").as_deref(),
        )?;
        Ok((Listener::bind_tcp(min, max).await?, None))
    }
}

/// The text printed on stdout in debug mode: a shell comment, then a line a shell can `export`.
fn debug_announcement(info: &PluginInfo, listener: &Listener) -> String {
    let reattach = reattach_json(info.address, listener.network(), &listener.address());
    // Single-quoted for the shell; a quote inside (a strange temp path) must be closed and escaped.
    let quoted = reattach.replace('\'', r"'\''");
    format!(
        "# {name} is running in debug mode. In the shell that runs terraform, export:\n\
         TF_REATTACH_PROVIDERS='{quoted}'\n\
         # Stop the provider with Ctrl-C.",
        name = info.name,
    )
}

/// The `TF_REATTACH_PROVIDERS` value that points Terraform at this process.
pub fn reattach_json(address: &str, network: &str, listen_address: &str) -> String {
    serde_json::json!({
        address: {
            "Protocol": "grpc",
            "ProtocolVersion": handshake::APP_PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": network, "String": listen_address },
        }
    })
    .to_string()
}
