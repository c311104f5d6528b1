//! Parsing of ConductorOne client IDs and client secrets.
//!
//! A client secret is `secret-token:conductorone.com:v1:<base64url JWK>`, the JWK a private
//! Ed25519 key. Errors name the malformed part but never quote the input: a secret pasted into the
//! wrong attribute must not end up in a Terraform diagnostic.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::SigningKey;
use zeroize::Zeroizing;

use crate::secret::SecretString;

/// Why a client secret or client ID could not be used. The text never contains the input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CredentialError {
    /// The secret does not have the four `:`-separated parts.
    #[error(
        "the client secret is not in the form secret-token:conductorone.com:v1:<key>; copy it again from ConductorOne"
    )]
    SecretShape,
    /// The version part is not `v1`.
    #[error("the client secret has an unsupported version (expected v1)")]
    SecretVersion,
    /// The key part is not base64url.
    #[error("the key part of the client secret is not valid base64url")]
    SecretEncoding,
    /// The key part is not a JSON Web Key.
    #[error("the key part of the client secret is not a JSON Web Key")]
    SecretJwk,
    /// The JWK is not an Ed25519 private key (`kty` OKP, `crv` Ed25519, with `d`).
    #[error("the client secret's key is not an Ed25519 private key ({0})")]
    SecretKeyType(&'static str),
    /// The JWK's public half does not belong to its private half.
    #[error("the client secret's public key does not match its private key")]
    SecretKeyMismatch,
    /// The client ID is not `<id>@<host>/<use-case>`.
    #[error(
        "the client ID is not in the form <id>@<tenant host>/<use case>; copy it again from ConductorOne"
    )]
    ClientIdShape,
}

/// A parsed client secret: the Ed25519 key that signs client assertions, with its JWK key id.
#[derive(Clone)]
pub struct ClientKey {
    // Boxed so `Credentials` variants stay of similar size.
    signing_key: Box<SigningKey>,
    key_id: Option<String>,
}

impl std::fmt::Debug for ClientKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientKey")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

impl ClientKey {
    /// Parses a client secret of the form `secret-token:conductorone.com:v1:<base64url JWK>`.
    ///
    /// # Errors
    /// A [`CredentialError`] naming the malformed part.
    pub fn parse(secret: &SecretString) -> Result<Self, CredentialError> {
        let parts: Vec<&str> = secret.expose().trim().splitn(4, ':').collect();
        let [_, _, version, key] = parts.as_slice() else {
            return Err(CredentialError::SecretShape);
        };
        if *version != "v1" {
            return Err(CredentialError::SecretVersion);
        }
        // Some tools pad base64url; the format says no padding, so accept both.
        let jwk_bytes = Zeroizing::new(
            URL_SAFE_NO_PAD
                .decode(key.trim_end_matches('='))
                .map_err(|_| CredentialError::SecretEncoding)?,
        );
        let jwk: Jwk =
            serde_json::from_slice(&jwk_bytes).map_err(|_| CredentialError::SecretJwk)?;
        if jwk.kty != "OKP" {
            return Err(CredentialError::SecretKeyType("kty is not OKP"));
        }
        if jwk.crv != "Ed25519" {
            return Err(CredentialError::SecretKeyType("crv is not Ed25519"));
        }
        let d = decode_32(
            jwk.d
                .as_ref()
                .ok_or(CredentialError::SecretKeyType("no d"))?
                .expose(),
        )
        .ok_or(CredentialError::SecretKeyType(
            "d is not 32 bytes of base64url",
        ))?;
        let signing_key = SigningKey::from_bytes(&d);
        if let Some(x) = jwk.x.as_deref() {
            let x = decode_32(x).ok_or(CredentialError::SecretKeyType(
                "x is not 32 bytes of base64url",
            ))?;
            if signing_key.verifying_key().as_bytes() != &*x {
                return Err(CredentialError::SecretKeyMismatch);
            }
        }
        Ok(Self {
            signing_key: Box::new(signing_key),
            key_id: jwk.kid.filter(|k| !k.is_empty()),
        })
    }

    /// The signing key.
    #[must_use]
    pub fn signing_key(&self) -> &SigningKey {
        &self.signing_key
    }

    /// The JWK's `kid`, when it has one (sent in the assertion header).
    #[must_use]
    pub fn key_id(&self) -> Option<&str> {
        self.key_id.as_deref()
    }

    /// Wraps a key directly (tests and tools that generate keys).
    #[must_use]
    pub fn from_signing_key(signing_key: SigningKey) -> Self {
        Self {
            signing_key: Box::new(signing_key),
            key_id: None,
        }
    }
}

/// The JWK members this client reads; others are ignored. The private half `d` is a
/// [`SecretString`], wiped when the JWK is dropped.
#[derive(serde::Deserialize)]
struct Jwk {
    #[serde(default)]
    kty: String,
    #[serde(default)]
    crv: String,
    x: Option<String>,
    d: Option<SecretString>,
    kid: Option<String>,
}

/// Decodes 32 bytes of base64url; the decoded buffer is wiped when dropped (it may be `d`).
fn decode_32(text: &str) -> Option<Zeroizing<[u8; 32]>> {
    let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?);
    let mut out = Zeroizing::new([0u8; 32]);
    out.copy_from_slice(bytes.get(..32).filter(|_| bytes.len() == 32)?);
    Some(out)
}

/// The tenant host named in a client ID `<id>@<host>/<use-case>`, e.g. `acme.conductor.one`.
///
/// # Errors
/// [`CredentialError::ClientIdShape`] when there is no `@`, no `/` after it, or an empty host.
pub fn client_id_host(client_id: &str) -> Result<&str, CredentialError> {
    let (name, rest) = client_id
        .trim()
        .split_once('@')
        .ok_or(CredentialError::ClientIdShape)?;
    let (host, _use_case) = rest.split_once('/').ok_or(CredentialError::ClientIdShape)?;
    if name.is_empty() || host.is_empty() || host.contains(char::is_whitespace) {
        return Err(CredentialError::ClientIdShape);
    }
    Ok(host)
}

/// Encodes a signing key as a ConductorOne client secret: the inverse of [`ClientKey::parse`], for
/// tests and the emulator's fixtures.
#[must_use]
pub fn encode_client_secret(key: &SigningKey) -> SecretString {
    let jwk = serde_json::json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        "d": URL_SAFE_NO_PAD.encode(key.to_bytes()),
    });
    SecretString::new(format!(
        "secret-token:conductorone.com:v1:{}",
        URL_SAFE_NO_PAD.encode(jwk.to_string())
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn key() -> SigningKey {
        SigningKey::from_bytes(&[7u8; 32])
    }

    fn secret_with_jwk(jwk: &serde_json::Value) -> SecretString {
        SecretString::new(format!(
            "secret-token:conductorone.com:v1:{}",
            URL_SAFE_NO_PAD.encode(jwk.to_string())
        ))
    }

    #[test]
    fn round_trip() {
        let parsed = ClientKey::parse(&encode_client_secret(&key())).unwrap();
        assert_eq!(parsed.signing_key().to_bytes(), key().to_bytes());
    }

    #[test]
    fn every_malformed_part_has_its_own_error_and_never_echoes_input() {
        let x = URL_SAFE_NO_PAD.encode(key().verifying_key().as_bytes());
        let d = URL_SAFE_NO_PAD.encode(key().to_bytes());
        let other_x =
            URL_SAFE_NO_PAD.encode(SigningKey::from_bytes(&[9; 32]).verifying_key().as_bytes());
        let cases: Vec<(SecretString, CredentialError)> = vec![
            ("hunter2-not-a-secret".into(), CredentialError::SecretShape),
            (
                "secret-token:conductorone.com:v2:abc".into(),
                CredentialError::SecretVersion,
            ),
            (
                "secret-token:conductorone.com:v1:!!!hunter2".into(),
                CredentialError::SecretEncoding,
            ),
            (
                format!(
                    "secret-token:conductorone.com:v1:{}",
                    URL_SAFE_NO_PAD.encode("hunter2")
                )
                .into(),
                CredentialError::SecretJwk,
            ),
            (
                secret_with_jwk(&serde_json::json!({"kty":"RSA","crv":"Ed25519","d":d})),
                CredentialError::SecretKeyType("kty is not OKP"),
            ),
            (
                secret_with_jwk(&serde_json::json!({"kty":"OKP","crv":"X25519","d":d})),
                CredentialError::SecretKeyType("crv is not Ed25519"),
            ),
            (
                secret_with_jwk(&serde_json::json!({"kty":"OKP","crv":"Ed25519","x":x})),
                CredentialError::SecretKeyType("no d"),
            ),
            (
                secret_with_jwk(&serde_json::json!({"kty":"OKP","crv":"Ed25519","d":"AAAA"})),
                CredentialError::SecretKeyType("d is not 32 bytes of base64url"),
            ),
            (
                secret_with_jwk(
                    &serde_json::json!({"kty":"OKP","crv":"Ed25519","d":d,"x":other_x}),
                ),
                CredentialError::SecretKeyMismatch,
            ),
        ];
        for (secret, want) in cases {
            let err = ClientKey::parse(&secret).unwrap_err();
            assert_eq!(err, want);
            let shown = format!("{err} {err:?}");
            assert!(!shown.contains("hunter2") && !shown.contains(&d), "{shown}");
        }
    }

    #[test]
    fn debug_of_a_key_hides_it() {
        let parsed = ClientKey::parse(&encode_client_secret(&key())).unwrap();
        let shown = format!("{parsed:?}");
        assert!(
            !shown.contains(&URL_SAFE_NO_PAD.encode(key().to_bytes())),
            "{shown}"
        );
    }

    #[test]
    fn client_id_host_cases() {
        assert_eq!(
            client_id_host("abc@acme.conductor.one/pcc"),
            Ok("acme.conductor.one")
        );
        assert_eq!(
            client_id_host("abc@127.0.0.1:8443/pcc"),
            Ok("127.0.0.1:8443")
        );
        for bad in ["abc", "abc@host", "@host/x", "abc@/x", "abc@ho st/x"] {
            assert_eq!(
                client_id_host(bad),
                Err(CredentialError::ClientIdShape),
                "{bad}"
            );
        }
    }
}
