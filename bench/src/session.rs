//! A long-lived plugin session for the per-call bench: one provider process started as Terraform
//! starts it (magic cookie, protocol 6, AutoMTLS with a fresh P-521 client certificate), and one
//! tonic channel to it that every call goes through.
//!
//! Part A's launcher (`startup.rs`) measures one launch and stops the plugin; this keeps the
//! plugin running. The TLS client set-up is the same on purpose (pinned server certificate,
//! client certificate, ALPN `h2`), so the calls here pay what Terraform's pay.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, bail};
use base64::Engine as _;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use terraform_provider_conductorone::proto::plugin::Empty;
use terraform_provider_conductorone::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, ChildStdout, Command};
use tonic::transport::{Channel, Endpoint};

use crate::startup::MAGIC_COOKIE;

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
        let (socket, server_cert) = parse_handshake(line.trim())
            .with_context(|| format!("{}: handshake line {line:?}", binary.display()))?;
        let channel = connect(socket, server_cert, &identity).await?;
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

/// The socket path and the server certificate (DER) of `1|6|unix|PATH|grpc|CERT`.
fn parse_handshake(line: &str) -> anyhow::Result<(PathBuf, Vec<u8>)> {
    let parts: Vec<&str> = line.split('|').collect();
    let [core, protocol, network, address, kind, cert] = parts[..] else {
        bail!("expected 6 fields");
    };
    if core != "1" || protocol != "6" || kind != "grpc" || network != "unix" || cert.is_empty() {
        bail!("expected core 1, protocol 6, grpc over unix, with a TLS certificate");
    }
    // go-plugin writes the DER without padding; accept it either way.
    let der = base64::engine::general_purpose::STANDARD_NO_PAD
        .decode(cert.trim_end_matches('='))
        .context("server certificate is not base64")?;
    Ok((PathBuf::from(address), der))
}

/// Terraform's side of AutoMTLS: a self-signed ECDSA P-521 CA certificate for `localhost`.
struct ClientIdentity {
    cert: CertificateDer<'static>,
    pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    fn generate() -> anyhow::Result<Self> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            pem: cert.pem(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }
}

/// Trusts exactly the certificate the handshake line carried, as go-plugin's client does.
#[derive(Debug)]
struct Pinned {
    cert: Vec<u8>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Pinned {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.cert.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "the server certificate is not the one in the handshake line".into(),
            ))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

async fn connect(
    socket: PathBuf,
    server_cert: Vec<u8>,
    identity: &ClientIdentity,
) -> anyhow::Result<Channel> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let pinned = Pinned {
        cert: server_cert,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(pinned))
        .with_client_auth_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )?;
    // grpc-go refuses TLS connections that do not negotiate h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    let tls = tokio_rustls::TlsConnector::from(Arc::new(config));
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(10))
        .connect_with_connector(tower::service_fn(move |_| {
            let tls = tls.clone();
            let socket = socket.clone();
            async move {
                let raw = tokio::net::UnixStream::connect(&socket).await?;
                let name = ServerName::try_from("localhost").map_err(std::io::Error::other)?;
                let stream = tls.connect(name, raw).await?;
                Ok::<_, std::io::Error>(TokioIo::new(stream))
            }
        }))
        .await
        .context("connecting to the plugin")
}
