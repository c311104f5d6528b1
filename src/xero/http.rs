//! oauth2's async HTTP client trait over our reqwest client (oauth2's own reqwest feature would pull
//! in a second reqwest).
//!
//! Answers the check must retry (429, 5xx) are not handed to oauth2 to parse: they come back as
//! [`HttpFailure::Retryable`] with the `Retry-After` they carried. The status of every answer is
//! recorded, so the caller can still tell a 200 whose body oauth2 would not parse.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use crate::net::retry::parse_retry_after;

/// Why the HTTP exchange itself did not produce an answer for oauth2.
#[derive(Debug, thiserror::Error)]
pub(super) enum HttpFailure {
    /// Rate limited or a server failure: try again later.
    #[error("Xero answered HTTP {status}")]
    Retryable {
        /// The status.
        status: u16,
        /// The server's `Retry-After`, when it gave one.
        retry_after: Option<Duration>,
    },
    /// No answer (connect, TLS, timeout, reset).
    #[error("no answer from Xero")]
    Transport(#[source] reqwest::Error),
    /// oauth2 built a request reqwest would not take (should not happen).
    #[error("could not build the request")]
    Build,
    /// The answer's body passed the size limit; it was not read further.
    #[error("Xero's answer is larger than the limit")]
    TooLarge,
}

/// Adapter from oauth2's `HttpRequest` to a reqwest call.
pub(super) struct OauthHttp<'a> {
    pub(super) http: &'a reqwest::Client,
    /// The status of the last answer.
    pub(super) last_status: Mutex<Option<u16>>,
}

impl<'c> oauth2::AsyncHttpClient<'c> for OauthHttp<'_> {
    type Error = HttpFailure;
    type Future =
        Pin<Box<dyn Future<Output = Result<oauth2::HttpResponse, HttpFailure>> + Send + 'c>>;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(async move {
            let (parts, body) = request.into_parts();
            let url = parts.uri.to_string();
            let resp = self
                .http
                .request(parts.method, url)
                .headers(parts.headers)
                .body(body)
                .send()
                .await
                .map_err(HttpFailure::Transport)?;
            let status = resp.status();
            if let Ok(mut last) = self.last_status.lock() {
                *last = Some(status.as_u16());
            }
            tracing::debug!(
                method = "POST",
                path = "/connect/token",
                status = status.as_u16(),
                "xero token request"
            );
            if status.as_u16() == 429 || status.is_server_error() {
                return Err(HttpFailure::Retryable {
                    status: status.as_u16(),
                    retry_after: parse_retry_after(resp.headers()),
                });
            }
            let headers = resp.headers().clone();
            let bytes = crate::net::read_capped(resp)
                .await
                .map_err(HttpFailure::Transport)?
                .ok_or(HttpFailure::TooLarge)?;
            let mut out = http::Response::builder().status(status);
            if let Some(h) = out.headers_mut() {
                *h = headers;
            }
            out.body(bytes.to_vec()).map_err(|_| HttpFailure::Build)
        })
    }
}
