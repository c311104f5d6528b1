//! A long-lived plugin session for the per-call bench: one provider process started as Terraform
//! starts it (magic cookie, protocol 6, AutoMTLS with a fresh P-521 client certificate), and one
//! tonic channel to it that every call goes through.
//!
//! Part A's launcher (`startup.rs`) measures one launch and stops the plugin; this keeps the
//! plugin running. It shares that launcher's TLS client (pinned server certificate, client
//! certificate, ALPN `h2`), so the calls here pay what Terraform's pay.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use anyhow::{Context as _, bail};
use terraform_provider_conductorone::proto::plugin::Empty;
use terraform_provider_conductorone::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tonic::transport::Channel;

use crate::startup::{ClientIdentity, ClientTls, Handshake, MAGIC_COOKIE, connect};

/// A running provider and the client all calls go through.
pub(crate) struct Session {
    child: Child,
    /// Kept open while the plugin runs, so a late write to its stdout cannot hit a closed pipe.
    _stdout: BufReader<ChildStdout>,
    channel: Channel,
    /// The tfplugin6 client on `channel` (clones share the connection).
    pub(crate) client: ProviderClient<Channel>,
}

impl Session {
    /// Starts `binary` with `env` added to a cleared environment and connects to it.
    pub(crate) async fn start(binary: &Path, env: &[(&str, &str)]) -> anyhow::Result<Self> {
        let identity = ClientIdentity::generate()?;
        let tls = ClientTls::new(&identity)?;
        let mut cmd = Command::new(binary);
        cmd.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "6")
            .env("PLUGIN_CLIENT_CERT", &identity.pem)
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true);
        let mut child = cmd
            .spawn()
            .with_context(|| format!("starting {}", binary.display()))?;
        let stdout = child.stdout.take().context("no stdout pipe")?;
        let mut stdout = BufReader::new(stdout);
        let mut line = String::new();
        tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
            .await
            .context("no handshake line within 20 s")??;
        let hs = Handshake::parse(line.trim(), true)
            .with_context(|| format!("{}: handshake line {line:?}", binary.display()))?;
        if hs.protocol != "6" {
            bail!(
                "{}: protocol {} instead of 6",
                binary.display(),
                hs.protocol
            );
        }
        tls.pin
            .set(hs.server_cert.clone())
            .map_err(|_| anyhow::anyhow!("the server certificate was pinned twice"))?;
        let channel = connect(&hs, Some(&tls)).await?;
        let client = ProviderClient::new(channel.clone()).max_decoding_message_size(256 << 20);
        Ok(Self {
            child,
            _stdout: stdout,
            channel,
            client,
        })
    }

    /// CPU time all of the provider's threads have run so far, in nanoseconds: the first field
    /// of each `/proc/PID/task/TID/schedstat` (a thread that ends takes its share with it; the
    /// bench reads this around single calls, when neither runtime ends threads).
    pub(crate) fn cpu_ns(&self) -> anyhow::Result<u64> {
        let pid = self.child.id().context("the provider has exited")?;
        let mut total = 0;
        for entry in std::fs::read_dir(format!("/proc/{pid}/task"))? {
            let path = entry?.path().join("schedstat");
            // A thread may end between the listing and the read.
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            total += text
                .split_whitespace()
                .next()
                .and_then(|v| v.parse::<u64>().ok())
                .with_context(|| format!("{}: {text:?}", path.display()))?;
        }
        Ok(total)
    }

    /// Stops the plugin as Terraform does (`GRPCController.Shutdown`), killing it if it lingers.
    pub(crate) async fn stop(mut self) {
        let _ = GrpcControllerClient::new(self.channel.clone())
            .shutdown(Empty {})
            .await;
        if tokio::time::timeout(Duration::from_secs(5), self.child.wait())
            .await
            .is_err()
        {
            let _ = self.child.kill().await;
        }
    }
}
