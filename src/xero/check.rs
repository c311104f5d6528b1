//! The check itself: one `client_credentials` request per attempt, classified by oauth2.

use std::sync::Mutex;
use std::time::Duration;

use oauth2::basic::{BasicClient, BasicErrorResponseType};
use oauth2::{AuthType, ClientId, ClientSecret, RequestTokenError, TokenUrl};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::http::{HttpFailure, OauthHttp};

/// The oauth2 client of one check: only the token endpoint is set.
type XeroOauthClient = BasicClient<
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointNotSet,
    oauth2::EndpointSet,
>;
use super::{XeroAppType, XeroCheckError};
use crate::net::retry::{RetryPolicy, WaitAbort, wait};
use crate::secret::SecretString;

/// Xero's identity service (its token endpoint), with a pooled HTTP client and a retry policy.
#[derive(Clone)]
pub struct Identity {
    http: reqwest::Client,
    token_url: Url,
    policy: RetryPolicy,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// How one attempt ended.
enum Attempt {
    Done(Result<XeroAppType, XeroCheckError>),
    Retry { delay: Duration, reason: String },
}

impl Identity {
    /// The identity service at `identity_url` (e.g. `https://identity.xero.com`), using `http`.
    ///
    /// # Errors
    /// `Unexpected` when the URL cannot take the `/connect/token` path.
    pub fn new(
        identity_url: &Url,
        http: reqwest::Client,
        policy: RetryPolicy,
    ) -> Result<Self, XeroCheckError> {
        let mut base = identity_url.clone();
        if !base.path().ends_with('/') {
            base.set_path(&format!("{}/", base.path()));
        }
        let token_url = base
            .join("connect/token")
            .map_err(|e| XeroCheckError::Unexpected {
                status: None,
                error: format!("bad identity URL: {e}"),
            })?;
        Ok(Self {
            http,
            token_url,
            policy,
        })
    }

    /// Asks Xero's token endpoint for a client-credentials token with no scope and classifies the
    /// answer: `invalid_client` → [`XeroCheckError::InvalidCredentials`]; `unauthorized_client` →
    /// [`XeroAppType::WebApp`]; a token or `invalid_scope` → [`XeroAppType::CustomConnection`].
    /// 429 waits for `Retry-After`; 5xx and network failures back off; when retries run out the
    /// answer is [`XeroCheckError::Unreachable`]. A token Xero hands out is dropped at once.
    ///
    /// # Errors
    /// See above; [`XeroCheckError::Cancelled`] when `cancel` fires.
    pub async fn check_credentials(
        &self,
        client_id: &str,
        client_secret: &SecretString,
        cancel: &CancellationToken,
    ) -> Result<XeroAppType, XeroCheckError> {
        let deadline = Instant::now() + self.policy.overall_deadline;
        // One copy of the secret for all attempts: oauth2 keeps it in a plain `String`, which
        // cannot be wiped, so it is made once per check rather than once per attempt.
        let client = BasicClient::new(ClientId::new(client_id.to_owned()))
            .set_client_secret(ClientSecret::new(client_secret.expose().to_owned()))
            .set_auth_type(AuthType::BasicAuth)
            .set_token_uri(TokenUrl::from_url(self.token_url.clone()));
        let mut attempt = 0;
        loop {
            attempt += 1;
            let once = self.attempt(&client, attempt);
            let outcome = tokio::select! {
                () = cancel.cancelled() => return Err(XeroCheckError::Cancelled),
                r = tokio::time::timeout_at(deadline, once) => r.unwrap_or_else(|_| Attempt::Retry {
                    delay: Duration::ZERO,
                    reason: "Xero did not answer before the deadline".into(),
                }),
            };
            let (delay, reason) = match outcome {
                Attempt::Done(result) => return result,
                Attempt::Retry { delay, reason } => (delay, reason),
            };
            if attempt >= self.policy.max_attempts || Instant::now() >= deadline {
                return Err(XeroCheckError::Unreachable { reason });
            }
            match wait(delay, deadline, cancel).await {
                Ok(()) => {}
                Err(WaitAbort::Cancelled) => return Err(XeroCheckError::Cancelled),
                Err(WaitAbort::Deadline) => return Err(XeroCheckError::Unreachable { reason }),
            }
        }
    }

    async fn attempt(&self, client: &XeroOauthClient, attempt: u32) -> Attempt {
        let http = OauthHttp {
            http: &self.http,
            last_status: Mutex::new(None),
        };
        // No `.add_scope`: with no scope a Custom Connection is granted all it has, so a scope
        // mismatch cannot make a genuine connection look broken.
        let result = client
            .exchange_client_credentials()
            .request_async(&http)
            .await;
        let status = http.last_status.lock().ok().and_then(|s| *s);
        match result {
            Ok(token) => {
                drop(token);
                Attempt::Done(Ok(XeroAppType::CustomConnection))
            }
            Err(err) => classify(err, status, &self.policy, attempt),
        }
    }
}

/// Turns oauth2's error into the check's answer. The error's `Debug` / `Display` are never used:
/// a parse failure carries the raw body, which may hold a token.
fn classify(
    err: RequestTokenError<HttpFailure, oauth2::basic::BasicErrorResponse>,
    status: Option<u16>,
    policy: &RetryPolicy,
    attempt: u32,
) -> Attempt {
    match err {
        RequestTokenError::ServerResponse(resp) => Attempt::Done(match resp.error() {
            BasicErrorResponseType::InvalidClient => Err(XeroCheckError::InvalidCredentials),
            BasicErrorResponseType::UnauthorizedClient => Ok(XeroAppType::WebApp),
            BasicErrorResponseType::InvalidScope => Ok(XeroAppType::CustomConnection),
            other => Err(XeroCheckError::Unexpected {
                status,
                error: other.to_string(),
            }),
        }),
        RequestTokenError::Request(HttpFailure::Retryable {
            status,
            retry_after,
        }) => {
            let delay = if status == 429 {
                policy.rate_limit_delay(retry_after, attempt)
            } else {
                policy.backoff(attempt)
            };
            Attempt::Retry {
                delay,
                reason: format!("Xero answered HTTP {status}"),
            }
        }
        RequestTokenError::Request(HttpFailure::Transport(e)) => {
            tracing::debug!(error = %e, "xero token request got no answer");
            let reason = if e.is_timeout() {
                "Xero did not answer in time"
            } else {
                "could not connect to Xero"
            };
            Attempt::Retry {
                delay: policy.backoff(attempt),
                reason: reason.into(),
            }
        }
        RequestTokenError::Request(HttpFailure::Build) => {
            Attempt::Done(Err(XeroCheckError::Unexpected {
                status: None,
                error: "could not build the request".into(),
            }))
        }
        RequestTokenError::Request(HttpFailure::TooLarge) => {
            Attempt::Done(Err(XeroCheckError::Unexpected {
                status,
                error: "an answer larger than 16 MiB from /connect/token".into(),
            }))
        }
        // Not the JSON oauth2 expects: a 200 still means the credentials were accepted; a bare 401
        // is a refusal of the Basic credentials.
        RequestTokenError::Parse(..) | RequestTokenError::Other(_) => Attempt::Done(match status {
            Some(200) => Ok(XeroAppType::CustomConnection),
            Some(401) => Err(XeroCheckError::InvalidCredentials),
            _ => Err(XeroCheckError::Unexpected {
                status,
                error: "an answer that is not an OAuth response".into(),
            }),
        }),
    }
}

/// Checks `client_id` / `client_secret` against the identity service at `identity_url` with a
/// fresh default HTTP client and retry policy. See [`Identity::check_credentials`].
///
/// # Errors
/// As [`Identity::check_credentials`].
pub async fn check_credentials(
    identity_url: &Url,
    client_id: &str,
    client_secret: &SecretString,
    cancel: &CancellationToken,
) -> Result<XeroAppType, XeroCheckError> {
    let http =
        crate::net::client(Duration::from_secs(30), Duration::from_secs(10)).map_err(|e| {
            XeroCheckError::Unreachable {
                reason: e.to_string(),
            }
        })?;
    Identity::new(identity_url, http, RetryPolicy::default())?
        .check_credentials(client_id, client_secret, cancel)
        .await
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use oauth2::basic::BasicErrorResponse;

    fn server(kind: BasicErrorResponseType) -> RequestTokenError<HttpFailure, BasicErrorResponse> {
        RequestTokenError::ServerResponse(BasicErrorResponse::new(kind, None, None))
    }

    fn done(a: Attempt) -> Result<XeroAppType, XeroCheckError> {
        match a {
            Attempt::Done(r) => r,
            Attempt::Retry { reason, .. } => panic!("unexpected retry: {reason}"),
        }
    }

    #[test]
    fn oauth_errors_map_to_the_three_outcomes() {
        let p = RetryPolicy::default();
        assert_eq!(
            done(classify(
                server(BasicErrorResponseType::InvalidClient),
                Some(400),
                &p,
                1
            )),
            Err(XeroCheckError::InvalidCredentials)
        );
        assert_eq!(
            done(classify(
                server(BasicErrorResponseType::InvalidClient),
                Some(401),
                &p,
                1
            )),
            Err(XeroCheckError::InvalidCredentials)
        );
        assert_eq!(
            done(classify(
                server(BasicErrorResponseType::UnauthorizedClient),
                Some(400),
                &p,
                1
            )),
            Ok(XeroAppType::WebApp)
        );
        assert_eq!(
            done(classify(
                server(BasicErrorResponseType::InvalidScope),
                Some(400),
                &p,
                1
            )),
            Ok(XeroAppType::CustomConnection)
        );
        assert!(matches!(
            done(classify(
                server(BasicErrorResponseType::UnsupportedGrantType),
                Some(400),
                &p,
                1
            )),
            Err(XeroCheckError::Unexpected {
                status: Some(400),
                ..
            })
        ));
        assert_eq!(
            done(classify(
                RequestTokenError::Other("x".into()),
                Some(401),
                &p,
                1
            )),
            Err(XeroCheckError::InvalidCredentials)
        );
        assert_eq!(
            done(classify(
                RequestTokenError::Other("x".into()),
                Some(200),
                &p,
                1
            )),
            Ok(XeroAppType::CustomConnection)
        );
    }

    #[test]
    fn rate_limit_waits_for_retry_after_and_5xx_backs_off() {
        let p = RetryPolicy::default();
        let limited = RequestTokenError::Request(HttpFailure::Retryable {
            status: 429,
            retry_after: Some(Duration::from_secs(4)),
        });
        match classify(limited, Some(429), &p, 1) {
            Attempt::Retry { delay, .. } => assert_eq!(delay, Duration::from_secs(4)),
            Attempt::Done(r) => panic!("{r:?}"),
        }
        let failing = RequestTokenError::Request(HttpFailure::Retryable {
            status: 503,
            retry_after: None,
        });
        match classify(failing, Some(503), &p, 3) {
            Attempt::Retry { delay, reason } => {
                assert!(
                    delay <= Duration::from_secs(4) && delay >= Duration::from_secs(2),
                    "{delay:?}"
                );
                assert!(reason.contains("503"));
            }
            Attempt::Done(r) => panic!("{r:?}"),
        }
    }

    #[test]
    fn token_url_is_under_the_identity_url() {
        let http = reqwest::Client::new();
        let id = Identity::new(
            &Url::parse("http://127.0.0.1:9/xero").unwrap(),
            http,
            RetryPolicy::default(),
        )
        .unwrap();
        assert_eq!(
            id.token_url.as_str(),
            "http://127.0.0.1:9/xero/connect/token"
        );
    }
}
