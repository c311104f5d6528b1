//! Compact JWS with EdDSA (Ed25519): signing the OIDC tokens the emulator mints, verifying client
//! assertions and OIDC tokens it is sent.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde_json::{Value, json};

/// Why a JWS was refused. The text is safe to send back: it never contains the token.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum JwtError {
    /// Not three base64url parts with JSON header and claims.
    #[error("malformed JWT: {0}")]
    Malformed(&'static str),
    /// The header names another algorithm.
    #[error("unsupported JWT alg {0:?}; EdDSA is required")]
    Alg(String),
    /// The signature does not verify with the expected key.
    #[error("JWT signature does not verify")]
    Signature,
    /// A claim or header field is missing or wrong.
    #[error("JWT claim check failed: {0}")]
    Claim(String),
}

/// Signs `claims` with `key` into a compact JWS with `alg` `EdDSA` and the extra header fields.
pub(crate) fn sign(key: &SigningKey, mut header: Value, claims: &Value) -> String {
    if let Value::Object(h) = &mut header {
        h.insert("alg".into(), json!("EdDSA"));
    }
    let input = format!("{}.{}", b64_json(&header), b64_json(claims));
    let sig = key.sign(input.as_bytes());
    format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.to_bytes()))
}

fn b64_json(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

/// The decoded, not yet verified parts of a compact JWS.
pub(crate) struct Parts {
    /// The protected header.
    pub(crate) header: Value,
    /// The claims.
    pub(crate) claims: Value,
    signing_input: String,
    signature: Vec<u8>,
}

/// Splits and decodes a compact JWS without checking its signature, so that the issuer can be
/// read to pick the key.
pub(crate) fn decode(token: &str) -> Result<Parts, JwtError> {
    let mut it = token.split('.');
    let (Some(h), Some(c), Some(s), None) = (it.next(), it.next(), it.next(), it.next()) else {
        return Err(JwtError::Malformed("expected three dot-separated parts"));
    };
    let part = |p: &str| {
        URL_SAFE_NO_PAD
            .decode(p)
            .map_err(|_| JwtError::Malformed("bad base64url"))
    };
    let header: Value =
        serde_json::from_slice(&part(h)?).map_err(|_| JwtError::Malformed("header is not JSON"))?;
    let claims: Value = serde_json::from_slice(&part(c)?)
        .map_err(|_| JwtError::Malformed("claims are not JSON"))?;
    if !header.is_object() || !claims.is_object() {
        return Err(JwtError::Malformed("header and claims must be objects"));
    }
    Ok(Parts {
        header,
        claims,
        signing_input: format!("{h}.{c}"),
        signature: part(s)?,
    })
}

impl Parts {
    /// Checks `alg` and the signature against `key`.
    pub(crate) fn verify(&self, key: &VerifyingKey) -> Result<(), JwtError> {
        let alg = self
            .header
            .get("alg")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if alg != "EdDSA" {
            return Err(JwtError::Alg(alg.to_owned()));
        }
        let sig = Signature::from_slice(&self.signature).map_err(|_| JwtError::Signature)?;
        key.verify_strict(self.signing_input.as_bytes(), &sig)
            .map_err(|_| JwtError::Signature)
    }

    /// A string claim.
    pub(crate) fn claim_str(&self, name: &str) -> Option<&str> {
        self.claims.get(name).and_then(Value::as_str)
    }

    /// Checks `exp` (required, not past, not absurdly far) and `nbf` (optional, not future),
    /// each with `leeway` seconds of tolerance for clock skew.
    pub(crate) fn check_times(&self, now: i64, leeway: i64, max_life: i64) -> Result<(), JwtError> {
        let num = |n: &str| self.claims.get(n).and_then(Value::as_f64).map(|f| f as i64);
        let exp = num("exp").ok_or_else(|| JwtError::Claim("exp is missing".into()))?;
        if exp + leeway < now {
            return Err(JwtError::Claim("token has expired (exp)".into()));
        }
        if exp > now + max_life {
            return Err(JwtError::Claim("exp is too far in the future".into()));
        }
        if num("nbf").is_some_and(|nbf| nbf - leeway > now) {
            return Err(JwtError::Claim("token is not valid yet (nbf)".into()));
        }
        Ok(())
    }

    /// Whether `aud` (a string or an array of strings) names `audience`.
    pub(crate) fn aud_contains(&self, audience: &str) -> bool {
        match self.claims.get("aud") {
            Some(Value::String(a)) => a == audience,
            Some(Value::Array(list)) => list.iter().any(|a| a.as_str() == Some(audience)),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    #[test]
    fn round_trip_and_forgery() {
        let k = key(1);
        let t = sign(
            &k,
            json!({"nonce": "n"}),
            &json!({"exp": 100, "aud": ["h"]}),
        );
        let p = decode(&t).unwrap();
        assert_eq!(p.verify(&k.verifying_key()), Ok(()));
        assert_eq!(p.verify(&key(2).verifying_key()), Err(JwtError::Signature));
        assert!(p.aud_contains("h") && !p.aud_contains("x"));
        assert!(p.check_times(90, 5, 3600).is_ok());
        assert!(p.check_times(200, 5, 3600).is_err());
        assert!(decode("a.b").is_err());
    }

    #[test]
    fn other_alg_refused() {
        let k = key(1);
        let t = sign(&k, json!({}), &json!({}));
        let mut parts: Vec<&str> = t.split('.').collect();
        let h = URL_SAFE_NO_PAD.encode(r#"{"alg":"none"}"#);
        parts[0] = &h;
        let p = decode(&parts.join(".")).unwrap();
        assert_eq!(
            p.verify(&k.verifying_key()),
            Err(JwtError::Alg("none".into()))
        );
    }
}
