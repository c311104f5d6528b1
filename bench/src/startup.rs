//! Part A: one plugin process from `exec` to a served schema, the way Terraform drives it.
//!
//! Both providers are started exactly alike: the magic cookie, `PLUGIN_PROTOCOL_VERSIONS=6` and
//! either AutoMTLS (a fresh ECDSA P-521 client certificate in `PLUGIN_CLIENT_CERT`, as Terraform
//! makes one per launch, so each side pays for its own server key and TLS handshake) or, to see
//! what TLS costs, no certificate and so plaintext gRPC.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use base64::Engine as _;
use hyper_util::rt::TokioIo;
use prost::Message as _;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};
use serde::Serialize;
use terraform_provider_conductorone::proto::plugin::Empty;
use terraform_provider_conductorone::proto::plugin::grpc_controller_client::GrpcControllerClient;
use terraform_provider_conductorone::proto::tfplugin6::get_provider_schema;
use terraform_provider_conductorone::proto::tfplugin6::provider_client::ProviderClient;
use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::{Child, Command};
use tonic::transport::{Channel, Endpoint};

/// The cookie go-plugin and Terraform agree on for protocol 5 and 6 providers.
pub(crate) const MAGIC_COOKIE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// What one launch measured.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Launch {
    /// From just before `spawn` to the handshake line read from the plugin's stdout.
    pub(crate) handshake_ms: f64,
    /// Opening the unix socket and the TLS handshake (tonic connects eagerly).
    pub(crate) connect_ms: f64,
    /// The first `GetProviderSchema` call, request sent to answer decoded.
    pub(crate) schema_ms: f64,
    /// Peak resident set size (`VmHWM`) once the schema was served, in KiB.
    pub(crate) peak_rss_kib: u64,
    /// Resident anonymous memory (`RssAnon`: heap, stacks; not the mapped binary) at that moment, KiB.
    pub(crate) anon_kib: u64,
    /// Size of the encoded schema answer, in bytes.
    pub(crate) schema_bytes: usize,
    /// The protocol version the handshake line announced.
    pub(crate) protocol: String,
}

/// How the plugin's gRPC connection is secured.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Transport {
    /// AutoMTLS, as Terraform runs every provider.
    AutoMtls,
    /// No `PLUGIN_CLIENT_CERT`: the plugin serves plaintext.
    Plaintext,
}

/// Launches `binary` once, reads its handshake, fetches its schema, reads its peak RSS and stops
/// it through the go-plugin controller (a kill if that does not end it).
pub(crate) async fn launch(binary: &Path, transport: Transport) -> anyhow::Result<Launch> {
    let client = match transport {
        Transport::AutoMtls => Some(ClientIdentity::generate()?),
        Transport::Plaintext => None,
    };
    let tls = client.as_ref().map(ClientTls::new).transpose()?;
    let mut cmd = Command::new(binary);
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    if let Some(client) = &client {
        cmd.env("PLUGIN_CLIENT_CERT", &client.pem);
    }

    let started = Instant::now();
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", binary.display()))?;
    let stdout = child.stdout.take().context("no stdout pipe")?;
    let mut line = String::new();
    // Kept open until the plugin stops, so a late write to stdout cannot hit a closed pipe.
    let mut stdout = BufReader::new(stdout);
    tokio::time::timeout(Duration::from_secs(20), stdout.read_line(&mut line))
        .await
        .context("no handshake line within 20 s")??;
    let handshake_ms = ms(started.elapsed());
    let hs = Handshake::parse(line.trim(), client.is_some())
        .with_context(|| format!("{}: handshake line {line:?}", binary.display()))?;

    let connect_start = Instant::now();
    if let Some(tls) = &tls {
        tls.pin
            .set(hs.server_cert.clone())
            .map_err(|_| anyhow::anyhow!("the server certificate was pinned twice"))?;
    }
    let channel = connect(&hs, tls.as_ref()).await?;
    let connect_ms = ms(connect_start.elapsed());

    let schema_start = Instant::now();
    let answer = ProviderClient::new(channel.clone())
        .max_decoding_message_size(256 << 20)
        .get_provider_schema(get_provider_schema::Request {})
        .await
        .context("GetProviderSchema")?
        .into_inner();
    let schema_ms = ms(schema_start.elapsed());
    if answer.resource_schemas.is_empty() {
        bail!("{}: the schema has no resources", binary.display());
    }
    let schema_bytes = answer.encoded_len();

    let pid = child
        .id()
        .context("the plugin exited before its RSS was read")?;
    let peak_rss_kib = status_kib(pid, "VmHWM")?;
    let anon_kib = status_kib(pid, "RssAnon")?;
    stop(&mut child, channel).await;
    drop(stdout);
    Ok(Launch {
        handshake_ms,
        connect_ms,
        schema_ms,
        peak_rss_kib,
        anon_kib,
        schema_bytes,
        protocol: hs.protocol,
    })
}

/// Stops the plugin as Terraform does (`GRPCController.Shutdown`), killing it if it lingers.
async fn stop(child: &mut Child, channel: Channel) {
    let _ = GrpcControllerClient::new(channel).shutdown(Empty {}).await;
    if tokio::time::timeout(Duration::from_secs(5), child.wait())
        .await
        .is_err()
    {
        let _ = child.kill().await;
    }
}

/// The fields of `CORE|APP|NETWORK|ADDRESS|PROTOCOL|CERT` that matter here.
pub(crate) struct Handshake {
    pub(crate) protocol: String,
    pub(crate) socket: PathBuf,
    /// Empty for plaintext.
    pub(crate) server_cert: Vec<u8>,
}

impl Handshake {
    pub(crate) fn parse(line: &str, tls: bool) -> anyhow::Result<Self> {
        let parts: Vec<&str> = line.split('|').collect();
        let [core, protocol, network, address, kind, cert] = parts[..] else {
            bail!("expected 6 fields");
        };
        if core != "1" || kind != "grpc" || network != "unix" {
            bail!("expected core 1, grpc over unix");
        }
        if cert.is_empty() == tls {
            bail!("the plugin did not follow the transport it was asked for (TLS: {tls})");
        }
        // go-plugin writes the DER without padding; accept it either way.
        let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(cert.trim_end_matches('='))
            .context("server certificate is not base64")?;
        Ok(Self {
            protocol: protocol.to_owned(),
            socket: PathBuf::from(address),
            server_cert,
        })
    }
}

/// Terraform's side of AutoMTLS: a self-signed ECDSA P-521 CA certificate for `localhost`.
pub(crate) struct ClientIdentity {
    cert: CertificateDer<'static>,
    pub(crate) pem: String,
    key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    pub(crate) fn generate() -> anyhow::Result<Self> {
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

/// Trusts exactly the certificate the handshake line carried, as go-plugin's client does (it
/// pins that certificate; a chain check against WebPKI rules would refuse a CA as a leaf). The
/// pin is set once the line is read: the TLS configuration itself, with the client's key, is
/// built before the plugin starts, as go-plugin builds its `tls.Config` before the exec.
#[derive(Debug)]
struct Pinned {
    cert: Arc<OnceLock<Vec<u8>>>,
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
        if self
            .cert
            .get()
            .is_some_and(|c| end_entity.as_ref() == c.as_slice())
        {
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

/// The client side of AutoMTLS, ready before the plugin starts: its configuration (the client's
/// certificate and key) and the slot for the server certificate the handshake line names.
pub(crate) struct ClientTls {
    config: Arc<rustls::ClientConfig>,
    pub(crate) pin: Arc<OnceLock<Vec<u8>>>,
}

impl ClientTls {
    pub(crate) fn new(client: &ClientIdentity) -> anyhow::Result<Self> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let pin = Arc::new(OnceLock::new());
        let pinned = Pinned {
            cert: Arc::clone(&pin),
            algorithms: provider.signature_verification_algorithms,
        };
        let mut config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(pinned))
            .with_client_auth_cert(
                vec![client.cert.clone()],
                PrivateKeyDer::Pkcs8(client.key.clone_key()),
            )?;
        // grpc-go refuses TLS connections that do not negotiate h2.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Self {
            config: Arc::new(config),
            pin,
        })
    }
}

pub(crate) async fn connect(hs: &Handshake, tls: Option<&ClientTls>) -> anyhow::Result<Channel> {
    let endpoint =
        Endpoint::from_static("http://localhost").connect_timeout(Duration::from_secs(10));
    let socket = hs.socket.clone();
    let Some(tls) = tls else {
        let channel = endpoint
            .connect_with_connector(tower::service_fn(move |_| {
                let socket = socket.clone();
                async move {
                    let raw = tokio::net::UnixStream::connect(&socket).await?;
                    Ok::<_, std::io::Error>(TokioIo::new(raw))
                }
            }))
            .await
            .context("connecting to the plugin")?;
        return Ok(channel);
    };
    let tls = tokio_rustls::TlsConnector::from(Arc::clone(&tls.config));
    let channel = endpoint
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
        .context("connecting to the plugin")?;
    Ok(channel)
}

/// One `kB` line (`VmHWM`, `RssAnon`) of a live process's `/proc/PID/status`.
fn status_kib(pid: u32, key: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))
        .with_context(|| format!("reading /proc/{pid}/status"))?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("no {key} line"))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
