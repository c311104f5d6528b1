//! The HTTP plumbing both API clients (ConductorOne, Xero) share: the client builder, the
//! body-size cap, and the retry policy with its deadline-aware waits. Neither client reaches
//! into the other; both depend on this module.

pub mod retry;

use std::time::Duration;

pub use retry::RetryPolicy;

/// The `User-Agent` every request carries.
pub const USER_AGENT: &str = concat!(
    "terraform-provider-conductorone/",
    env!("CARGO_PKG_VERSION")
);

/// The largest answer body read: far above any page the APIs send, small enough that a broken
/// or hostile server cannot exhaust the provider's memory.
pub const MAX_BODY: usize = 16 << 20;

/// A pooled HTTPS client builder with the provider's user agent and timeouts, which never
/// follows a redirect (a redirect could carry a bearer token or a client secret elsewhere).
pub fn client_builder(
    request_timeout: Duration,
    connect_timeout: Duration,
) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .timeout(request_timeout)
        .connect_timeout(connect_timeout)
        .pool_idle_timeout(Duration::from_secs(60))
        .redirect(reqwest::redirect::Policy::none())
}

/// A client from [`client_builder`] as it is.
///
/// # Errors
/// When the TLS stack cannot start.
pub fn client(
    request_timeout: Duration,
    connect_timeout: Duration,
) -> Result<reqwest::Client, reqwest::Error> {
    client_builder(request_timeout, connect_timeout).build()
}

/// A request body that may hold a secret, as one buffer shared by every attempt (clones are
/// reference counts, not copies) and overwritten with zeros when the last attempt's copy, the
/// HTTP stack's included, is dropped.
#[must_use]
pub fn wiped_body(bytes: Vec<u8>) -> bytes::Bytes {
    bytes::Bytes::from_owner(zeroize::Zeroizing::new(bytes))
}

/// Serialises `value` as JSON into a buffer of exactly the right size, so no grown-and-freed
/// buffer is left behind holding part of it (the value may hold a secret).
///
/// # Errors
/// When `value` cannot be serialised.
pub fn json_exact<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<Vec<u8>> {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value)?;
    let mut out = Vec::with_capacity(count.0);
    serde_json::to_writer(&mut out, value)?;
    Ok(out)
}

/// Reads `resp`'s body, or `None` as soon as it is known to pass [`MAX_BODY`].
///
/// # Errors
/// When reading the body fails.
pub async fn read_capped(mut resp: reqwest::Response) -> Result<Option<Vec<u8>>, reqwest::Error> {
    if resp.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Ok(None);
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > MAX_BODY {
            return Ok(None);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Some(body))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn json_is_written_into_an_exactly_sized_buffer() {
        let value =
            serde_json::json!({"config": {"xero_client_secret": {"stringValue": "s".repeat(300)}}});
        let out = json_exact(&value).unwrap();
        assert_eq!(out.capacity(), out.len());
        assert_eq!(out, serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn a_wiped_body_is_shared_not_copied_by_its_clones() {
        let body = wiped_body(b"secret".to_vec());
        let again = body.clone();
        assert_eq!(body.as_ptr(), again.as_ptr());
        assert_eq!(&again[..], b"secret");
    }
}
