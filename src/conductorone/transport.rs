//! The request loop shared by the API calls and the token requests: send, classify the answer,
//! wait, try again, all inside one deadline and stoppable by cancellation.
//!
//! A request that may have taken effect without us seeing the answer (a timeout or a connection
//! dropped after sending, a 5xx) is *ambiguous*. Repeating an ambiguous create could make a second
//! object, so before any retry the loop asks the caller's [`Reconcile`] whether the first attempt
//! left something behind; only if it did not is the request sent again.

use std::time::Duration;

use http::{HeaderMap, Method, StatusCode};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::error::{self, ApiError, CredentialKind, ErrorKind};
use crate::net::retry::{RetryPolicy, WaitAbort, parse_retry_after, wait};
use crate::net::{MAX_BODY, read_capped};
use crate::secret::SecretString;

/// Looks for the object an ambiguous create may have made. `Ok(Some(_))` ends the operation with
/// that object; `Ok(None)` means the create did not take effect and may be sent again.
#[async_trait::async_trait]
pub(crate) trait Reconcile<T>: Send {
    /// Searches for the object.
    async fn find(&mut self, cancel: &CancellationToken) -> Result<Option<T>, ApiError>;
}

/// A request body, serialized once and re-sent on each attempt (see [`crate::net::wiped_body`]:
/// one buffer for all attempts, wiped when dropped).
pub(crate) enum Body {
    /// `application/json`.
    Json(bytes::Bytes),
    /// `application/x-www-form-urlencoded`.
    Form(bytes::Bytes),
}

/// What the loop ended with.
pub(crate) enum Reply<T> {
    /// A 2xx answer's body.
    Http(Vec<u8>),
    /// The object a [`Reconcile`] found after an ambiguous attempt.
    Reconciled(T),
}

/// One logical request: what to send and how to name it in logs and errors.
pub(crate) struct Request<'a> {
    pub(crate) method: Method,
    pub(crate) url: Url,
    /// The path pattern, e.g. `/api/v1/apps/{app_id}/connectors`, for logs and error messages.
    pub(crate) operation: String,
    /// Which credential a 401 refuses.
    pub(crate) credential: CredentialKind,
    /// Called once per attempt, so a token request can sign a fresh assertion each time.
    pub(crate) body: &'a (dyn Fn() -> Result<Option<Body>, ApiError> + Send + Sync),
}

/// The pooled HTTP client, the longest one exchange may take, and the retry policy.
#[derive(Clone)]
pub(crate) struct Transport {
    /// Possibly shared with the Xero client, so the timeout is set on each request.
    pub(crate) http: reqwest::Client,
    pub(crate) request_timeout: Duration,
    pub(crate) policy: RetryPolicy,
}

/// Where the transport gets the bearer token an API call carries. The token source implements
/// it, so the transport knows nothing of how tokens are obtained.
#[async_trait::async_trait]
pub(crate) trait BearerToken: Send + Sync {
    /// The token to send now.
    async fn token(&self, cancel: &CancellationToken) -> Result<SecretString, ApiError>;
    /// The server refused `stale`: do not hand it out again.
    async fn invalidate(&self, stale: &SecretString);
    /// Whether a refused token can be replaced (not for a fixed access token).
    fn can_refresh(&self) -> bool;
}

/// How one attempt ended, before the loop decides what to do.
enum Attempt {
    Answer(StatusCode, HeaderMap, Vec<u8>),
    /// An answer whose body passed [`MAX_BODY`]: not read further.
    TooLarge,
    /// No answer. `sent` says whether the request may have reached the server.
    Failed {
        sent: bool,
        error: reqwest::Error,
    },
}

impl Transport {
    /// Runs `req` until it succeeds, fails for good, the deadline passes or `cancel` fires.
    /// `bearer` adds `Authorization` (a 401 drops the cached token and tries once more).
    pub(crate) async fn execute<T: Send>(
        &self,
        req: &Request<'_>,
        bearer: Option<&dyn BearerToken>,
        cancel: &CancellationToken,
        mut reconcile: Option<&mut (dyn Reconcile<T> + '_)>,
    ) -> Result<Reply<T>, ApiError> {
        let deadline = Instant::now() + self.policy.overall_deadline;
        let op = format!("{} {}", req.method, req.operation);
        let mut refreshed_after_401 = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let last = attempt >= self.policy.max_attempts;
            let token = match bearer {
                Some(ts) => Some(within(deadline, cancel, &op, ts.token(cancel)).await??),
                None => None,
            };
            let body = (req.body)()?;
            let outcome = within(
                deadline,
                cancel,
                &op,
                self.send_once(req, token.as_ref(), body),
            )
            .await?;
            let (ambiguous, delay, err) = match outcome {
                Attempt::Answer(status, headers, body) => {
                    let request_id = error::request_id(&headers);
                    tracing::debug!(method = %req.method, path = %req.operation, status = status.as_u16(),
                        attempt, request_id = request_id.as_deref().unwrap_or(""), "conductorone request");
                    if status.is_success() {
                        return Ok(Reply::Http(body));
                    }
                    let err = ApiError::from_response(&op, status, &headers, &body, req.credential);
                    match status.as_u16() {
                        401 if !refreshed_after_401 && bearer.is_some_and(|b| b.can_refresh()) => {
                            // A cached token can be revoked or expire early; one fresh token is worth a try.
                            refreshed_after_401 = true;
                            if let (Some(ts), Some(t)) = (bearer, token.as_ref()) {
                                ts.invalidate(t).await;
                            }
                            (false, Duration::ZERO, err)
                        }
                        429 => (
                            false,
                            self.policy
                                .rate_limit_delay(parse_retry_after(&headers), attempt),
                            err,
                        ),
                        502..=504 => (true, self.policy.backoff(attempt), err),
                        500 | 501 | 505.. => {
                            // The server failed while handling it; it may have done the work first.
                            if let Some(found) = self
                                .try_reconcile(&mut reconcile, deadline, cancel, &op)
                                .await?
                            {
                                return Ok(Reply::Reconciled(found));
                            }
                            return Err(err);
                        }
                        _ => return Err(err),
                    }
                }
                Attempt::TooLarge => {
                    return Err(ApiError::new(
                        ErrorKind::Server,
                        &op,
                        format!("the answer is larger than {} MiB", MAX_BODY >> 20),
                    ));
                }
                Attempt::Failed { sent, error } => {
                    tracing::debug!(method = %req.method, path = %req.operation, attempt, sent,
                        error = %error, "conductorone request got no answer");
                    if is_tls_failure(&error) {
                        return Err(ApiError::new(
                            ErrorKind::Transport,
                            &op,
                            "TLS handshake failed",
                        )
                        .with_source(error));
                    }
                    let kind = if error.is_timeout() {
                        ErrorKind::Timeout
                    } else {
                        ErrorKind::Transport
                    };
                    let message = if sent {
                        "no answer to the request"
                    } else {
                        "could not connect"
                    };
                    (
                        sent,
                        self.policy.backoff(attempt),
                        ApiError::new(kind, &op, message).with_source(error),
                    )
                }
            };
            if ambiguous
                && let Some(found) = self
                    .try_reconcile(&mut reconcile, deadline, cancel, &op)
                    .await?
            {
                return Ok(Reply::Reconciled(found));
            }
            if last {
                return Err(err);
            }
            match wait(delay, deadline, cancel).await {
                Ok(()) => {}
                Err(WaitAbort::Cancelled) => return Err(cancelled(&op)),
                // Waiting longer than we have left is pointless: report the last real failure.
                Err(WaitAbort::Deadline) => return Err(err),
            }
        }
    }

    async fn try_reconcile<T: Send>(
        &self,
        reconcile: &mut Option<&mut (dyn Reconcile<T> + '_)>,
        deadline: Instant,
        cancel: &CancellationToken,
        op: &str,
    ) -> Result<Option<T>, ApiError> {
        let Some(r) = reconcile.as_deref_mut() else {
            return Ok(None);
        };
        tracing::debug!(
            operation = op,
            "ambiguous create: looking for an object it may have made"
        );
        within(deadline, cancel, op, r.find(cancel)).await?
    }

    async fn send_once(
        &self,
        req: &Request<'_>,
        token: Option<&SecretString>,
        body: Option<Body>,
    ) -> Attempt {
        let mut builder = self
            .http
            .request(req.method.clone(), req.url.clone())
            .timeout(self.request_timeout);
        if let Some(t) = token {
            builder = builder.bearer_auth(t.expose());
        }
        builder = match body {
            Some(Body::Json(b)) => builder
                .header(http::header::CONTENT_TYPE, "application/json")
                .body(b),
            Some(Body::Form(b)) => builder
                .header(
                    http::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(b),
            None => builder,
        };
        let resp = match builder
            .header(http::header::ACCEPT, "application/json")
            .send()
            .await
        {
            Ok(r) => r,
            Err(error) => {
                return Attempt::Failed {
                    sent: !error.is_connect(),
                    error,
                };
            }
        };
        let status = resp.status();
        let headers = resp.headers().clone();
        match read_capped(resp).await {
            Ok(Some(body)) => Attempt::Answer(status, headers, body),
            Ok(None) => Attempt::TooLarge,
            Err(error) => Attempt::Failed { sent: true, error },
        }
    }
}

/// Runs `fut` unless the deadline passes or `cancel` fires first.
async fn within<F: std::future::Future>(
    deadline: Instant,
    cancel: &CancellationToken,
    op: &str,
    fut: F,
) -> Result<F::Output, ApiError> {
    tokio::select! {
        () = cancel.cancelled() => Err(cancelled(op)),
        r = tokio::time::timeout_at(deadline, fut) => {
            r.map_err(|_| ApiError::new(ErrorKind::Timeout, op, "the operation's deadline passed"))
        }
    }
}

fn cancelled(op: &str) -> ApiError {
    ApiError::new(ErrorKind::Cancelled, op, "the operation was cancelled")
}

/// Whether a failure came from TLS (a bad certificate): retrying cannot help.
fn is_tls_failure(err: &reqwest::Error) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if e.is::<rustls::Error>() {
            return true;
        }
        // io::Error's `source` skips its own payload, so look inside it explicitly.
        if let Some(inner) = e
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            && inner.is::<rustls::Error>()
        {
            return true;
        }
        cur = e.source();
    }
    false
}
