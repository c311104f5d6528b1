//! Shared by the plugin transport tests: a Terraform-like client (P-521 client certificate,
//! pinned server certificate) and a provider that implements nothing.

#![allow(dead_code, unreachable_pub)]

pub mod unimplemented;

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hyper_util::rt::TokioIo;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName};
use terraform_provider_conductorone::plugin::tls::crypto_provider;
use tokio::io::{AsyncRead, AsyncWrite};
use tonic::transport::{Channel, Endpoint};
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

/// A certificate like the one Terraform makes: ECDSA P-521 with SHA-512, CA, for `localhost`.
pub struct ClientIdentity {
    pub cert: CertificateDer<'static>,
    pub pem: String,
    pub key: PrivatePkcs8KeyDer<'static>,
}

impl ClientIdentity {
    pub fn generate() -> Self {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let cert = params.self_signed(&key).unwrap();
        Self {
            cert: cert.der().clone(),
            pem: cert.pem(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

/// What the client presents.
pub enum Present<'a> {
    Nothing,
    Cert(&'a ClientIdentity),
    /// The pinned certificate, but signing with some other key.
    CertWithKey(&'a ClientIdentity, &'a ClientIdentity),
}

#[derive(Debug)]
struct FixedClientCert(Arc<rustls::sign::CertifiedKey>);

impl rustls::client::ResolvesClientCert for FixedClientCert {
    fn resolve(
        &self,
        _hints: &[&[u8]],
        _schemes: &[rustls::SignatureScheme],
    ) -> Option<Arc<rustls::sign::CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

/// A client configuration trusting only `server_cert`, as go-plugin's client does.
pub fn client_config(
    server_cert: &CertificateDer<'static>,
    present: Present<'_>,
    versions: &[&'static rustls::SupportedProtocolVersion],
) -> rustls::ClientConfig {
    let provider = crypto_provider();
    let mut roots = rustls::RootCertStore::empty();
    roots.add(server_cert.clone()).unwrap();
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_protocol_versions(versions)
        .unwrap()
        .with_root_certificates(roots);
    let mut config = match present {
        Present::Nothing => builder.with_no_client_auth(),
        Present::Cert(id) => builder
            .with_client_auth_cert(
                vec![id.cert.clone()],
                PrivateKeyDer::Pkcs8(id.key.clone_key()),
            )
            .unwrap(),
        Present::CertWithKey(cert_of, key_of) => {
            // Built by hand: rustls' own builder would refuse a key that does not match.
            let key = provider
                .key_provider
                .load_private_key(PrivateKeyDer::Pkcs8(key_of.key.clone_key()))
                .unwrap();
            let certified = rustls::sign::CertifiedKey::new(vec![cert_of.cert.clone()], key);
            builder.with_client_cert_resolver(Arc::new(FixedClientCert(Arc::new(certified))))
        }
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    config
}

/// Where the server listens.
#[derive(Clone, Debug)]
pub enum Dial {
    Tcp(String),
    #[cfg(unix)]
    Unix(PathBuf),
}

impl Dial {
    /// From a handshake line's network and address fields.
    pub fn from_handshake(network: &str, address: &str) -> Self {
        match network {
            #[cfg(unix)]
            "unix" => Self::Unix(PathBuf::from(address)),
            "tcp" => Self::Tcp(address.to_owned()),
            other => panic!("unexpected network {other}"),
        }
    }
}

trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

/// Connects (over TLS when `tls` is given), recording the negotiated ALPN protocol in `alpn`.
pub async fn connect(
    dial: &Dial,
    tls: Option<rustls::ClientConfig>,
    alpn: Arc<Mutex<Option<Vec<u8>>>>,
) -> Result<Channel, tonic::transport::Error> {
    let connector = tls.map(|c| tokio_rustls::TlsConnector::from(Arc::new(c)));
    let dial = dial.clone();
    Endpoint::from_static("http://localhost")
        .connect_timeout(Duration::from_secs(5))
        .connect_with_connector(tower::service_fn(move |_| {
            let connector = connector.clone();
            let dial = dial.clone();
            let alpn = alpn.clone();
            async move {
                let raw: Box<dyn Stream> = match &dial {
                    Dial::Tcp(addr) => Box::new(tokio::net::TcpStream::connect(addr).await?),
                    #[cfg(unix)]
                    Dial::Unix(path) => Box::new(tokio::net::UnixStream::connect(path).await?),
                };
                let Some(connector) = connector else {
                    return Ok::<_, std::io::Error>(TokioIo::new(raw));
                };
                let name = ServerName::try_from("localhost").unwrap();
                let tls = connector.connect(name, raw).await?;
                *alpn.lock().unwrap() = tls.get_ref().1.alpn_protocol().map(<[u8]>::to_vec);
                let boxed: Box<dyn Stream> = Box::new(tls);
                Ok(TokioIo::new(boxed))
            }
        }))
        .await
}

/// Health of `plugin` as seen by a client; any failure (handshake, refused call) is an error.
pub async fn plugin_health(
    dial: &Dial,
    tls: Option<rustls::ClientConfig>,
) -> Result<ServingStatus, Box<dyn std::error::Error>> {
    let channel = connect(dial, tls, Arc::default()).await?;
    let response = HealthClient::new(channel)
        .check(HealthCheckRequest {
            service: "plugin".into(),
        })
        .await?;
    Ok(response.into_inner().status())
}
