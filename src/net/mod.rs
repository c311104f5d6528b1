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
