//! go-plugin's AutoMTLS: an ephemeral server certificate, and a client verifier that accepts only
//! the certificate Terraform handed us in `PLUGIN_CLIENT_CERT`.
//!
//! The client certificate is ECDSA P-521 / SHA-512, which webpki cannot verify as a chain; it is
//! self-signed anyway, so the verifier pins the leaf byte for byte. The pin alone is not proof of
//! possession (the certificate travels in the environment), so the handshake signature is still
//! checked against the pinned certificate's key, with aws-lc-rs, which does have P-521.

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, SignatureScheme};

/// Environment variable carrying Terraform's client certificate (PEM).
pub const CLIENT_CERT_KEY: &str = "PLUGIN_CLIENT_CERT";
/// Environment variable that turns AutoMTLS off.
pub const DISABLE_TLS_KEY: &str = "TF_DISABLE_PLUGIN_TLS";

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// The server certificate could not be generated.
    #[error("cannot generate the plugin's TLS certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// `PLUGIN_CLIENT_CERT` holds no usable PEM certificate.
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCert(String),
    /// rustls refused the configuration.
    #[error("cannot configure TLS: {0}")]
    Config(#[from] rustls::Error),
}

/// Decides whether to serve TLS: returns Terraform's client certificate PEM when AutoMTLS is on.
///
/// TLS is off when `TF_DISABLE_PLUGIN_TLS` is set to anything non-empty, or when no client
/// certificate was given (a host without AutoMTLS, which then expects plaintext).
pub fn client_cert_for_tls<'a>(
    disable: Option<&str>,
    client_cert_pem: Option<&'a str>,
) -> Option<&'a str> {
    if disable.is_some_and(|v| !v.is_empty()) {
        return None;
    }
    client_cert_pem.filter(|pem| !pem.trim().is_empty())
}

/// The plugin's own, per-process certificate and key.
pub struct ServerIdentity {
    cert: CertificateDer<'static>,
    key: PrivatePkcs8KeyDer<'static>,
}

impl std::fmt::Debug for ServerIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The key is never printed.
        f.debug_struct("ServerIdentity")
            .field("cert_len", &self.cert.len())
            .finish_non_exhaustive()
    }
}

impl ServerIdentity {
    /// Makes a fresh self-signed certificate for `localhost` / `127.0.0.1`.
    ///
    /// The key is Ed25519: Terraform pins this certificate from the handshake line, and every
    /// Terraform from 1.0 on (Go 1.16 and later) accepts Ed25519 in TLS 1.2 and 1.3. Generating,
    /// self-signing, loading and signing the handshake with it costs a fraction of what ECDSA
    /// P-256 does (whose key generation alone checks the key with a second scalar
    /// multiplication), and this is all on the path from process start to the first answer.
    pub fn generate() -> Result<Self, TlsError> {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ED25519)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params.subject_alt_names.push(rcgen::SanType::IpAddress(
            std::net::Ipv4Addr::LOCALHOST.into(),
        ));
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let now = std::time::SystemTime::now();
        params.not_before = (now - std::time::Duration::from_secs(30)).into();
        // Long enough for any Terraform run; the certificate dies with the process anyway.
        params.not_after = (now + std::time::Duration::from_secs(10 * 365 * 24 * 3600)).into();
        let cert = params.self_signed(&key)?;
        Ok(Self {
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        })
    }

    /// The certificate in DER, for the handshake line.
    pub fn cert_der(&self) -> &CertificateDer<'static> {
        &self.cert
    }
}

/// The crypto provider used everywhere in the plugin: aws-lc-rs, because it has P-521.
pub fn crypto_provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

/// Reads the first certificate of a PEM document.
pub fn parse_client_cert(pem: &str) -> Result<CertificateDer<'static>, TlsError> {
    CertificateDer::from_pem_slice(pem.as_bytes()).map_err(|e| TlsError::ClientCert(e.to_string()))
}

/// Builds the server's TLS configuration: TLS 1.2/1.3, ALPN `h2`, client certificate required
/// and pinned to `client_cert`.
pub fn server_config(
    identity: &ServerIdentity,
    client_cert: CertificateDer<'static>,
) -> Result<Arc<rustls::ServerConfig>, TlsError> {
    let provider = crypto_provider();
    let verifier = PinnedClientCert::new(client_cert, &provider);
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(
            vec![identity.cert.clone()],
            PrivateKeyDer::Pkcs8(identity.key.clone_key()),
        )?;
    config.alpn_protocols = vec![b"h2".to_vec()];
    // Terraform makes one connection per provider process and never resumes a session: tickets
    // would only add work and records to the first answer, and a cache to the process.
    config.send_tls13_tickets = 0;
    config.session_storage = Arc::new(rustls::server::NoServerSessionStorage {});
    Ok(Arc::new(config))
}

/// Accepts exactly one client certificate, and checks the client really holds its key.
#[derive(Debug)]
pub struct PinnedClientCert {
    pinned: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl PinnedClientCert {
    /// Pins `cert`; signatures are checked with `provider`'s algorithms.
    pub fn new(cert: CertificateDer<'static>, provider: &CryptoProvider) -> Self {
        Self {
            pinned: cert,
            algorithms: provider.signature_verification_algorithms,
        }
    }

    fn check_pin(&self, presented: &CertificateDer<'_>) -> Result<(), rustls::Error> {
        if presented.as_ref() == self.pinned.as_ref() {
            Ok(())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }
}

impl ClientCertVerifier for PinnedClientCert {
    fn client_auth_mandatory(&self) -> bool {
        true
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        // No CA names: Go's client then simply sends its one certificate.
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        self.check_pin(end_entity)?;
        if !intermediates.is_empty() {
            // Terraform's certificate is self-signed; a chain means someone else.
            return Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ));
        }
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_pin(cert)?;
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.check_pin(cert)?;
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_used_only_with_a_client_cert_and_not_disabled() {
        let pem = "-----BEGIN CERTIFICATE-----\n...";
        assert_eq!(client_cert_for_tls(None, Some(pem)), Some(pem));
        assert_eq!(client_cert_for_tls(Some(""), Some(pem)), Some(pem));
        assert_eq!(client_cert_for_tls(Some("1"), Some(pem)), None);
        assert_eq!(client_cert_for_tls(None, None), None);
        assert_eq!(client_cert_for_tls(None, Some("  ")), None);
    }

    #[test]
    fn p521_sha512_is_offered_to_clients() {
        let provider = crypto_provider();
        let pin = PinnedClientCert::new(CertificateDer::from(vec![1, 2, 3]), &provider);
        let schemes = pin.supported_verify_schemes();
        assert!(
            schemes.contains(&SignatureScheme::ECDSA_NISTP521_SHA512),
            "{schemes:?}"
        );
        assert!(pin.client_auth_mandatory());
    }

    #[test]
    fn pin_compares_whole_certificates() {
        let provider = crypto_provider();
        let pin = PinnedClientCert::new(CertificateDer::from(vec![1, 2, 3]), &provider);
        let now = UnixTime::now();
        assert!(
            pin.verify_client_cert(&CertificateDer::from(vec![1, 2, 3]), &[], now)
                .is_ok()
        );
        for other in [vec![1, 2], vec![1, 2, 3, 4], vec![1, 2, 4]] {
            assert!(
                pin.verify_client_cert(&CertificateDer::from(other), &[], now)
                    .is_err()
            );
        }
        let chain = [CertificateDer::from(vec![9])];
        assert!(
            pin.verify_client_cert(&CertificateDer::from(vec![1, 2, 3]), &chain, now)
                .is_err()
        );
    }

    #[test]
    fn the_server_key_is_ed25519() {
        let id = ServerIdentity::generate().unwrap();
        // id-Ed25519 (1.3.101.112) names the certificate's key and its signature.
        let oid = [0x06, 0x03, 0x2b, 0x65, 0x70];
        let der = id.cert_der().as_ref();
        assert!(der.windows(oid.len()).filter(|w| *w == oid).count() >= 2);
    }

    #[test]
    fn server_identity_names_localhost() {
        let id = ServerIdentity::generate().unwrap();
        let der = id.cert_der().as_ref();
        // SAN dNSName "localhost" and iPAddress 127.0.0.1 appear in the encoded certificate.
        assert!(der.windows(9).any(|w| w == b"localhost"));
        assert!(der.windows(6).any(|w| w == [0x87, 4, 127, 0, 0, 1]));
        assert!(!format!("{id:?}").contains("key:"));
    }

    #[test]
    fn client_cert_pem_round_trips() {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let parsed = parse_client_cert(&cert.pem()).unwrap();
        assert_eq!(parsed.as_ref(), cert.der().as_ref());
        assert!(parse_client_cert("not a pem").is_err());
    }
}
