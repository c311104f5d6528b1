//! Identifiers, random secrets and timestamps in the shapes the real services use.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, SecondsFormat, Utc};
use rand::Rng as _;
use rand::distributions::Alphanumeric;

/// A 27-character base62 ID, the length of ConductorOne's KSUID-like IDs.
pub(crate) fn ksuid() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(27)
        .map(char::from)
        .collect()
}

/// A Xero client ID: 32 upper-case hexadecimal characters, as the developer portal shows them.
pub(crate) fn xero_client_id() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// A long random secret (48 URL-safe characters).
pub(crate) fn random_secret() -> String {
    let mut bytes = [0u8; 36];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// A random UUID (version 4), as Xero uses for organisations, users and correlation IDs.
pub(crate) fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

/// A timestamp as proto3 JSON renders it: RFC 3339 in UTC with a `Z`.
pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// An optional timestamp: `null` when unset, as the gateway renders unset messages.
pub(crate) fn opt_time(t: Option<DateTime<Utc>>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| {
        serde_json::Value::String(rfc3339(t))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        let k = ksuid();
        assert_eq!(k.len(), 27);
        assert!(k.chars().all(|c| c.is_ascii_alphanumeric()));
        let x = xero_client_id();
        assert_eq!(x.len(), 32);
        assert!(
            x.chars()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_lowercase())
        );
        let u = uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert_ne!(ksuid(), ksuid());
    }
}
