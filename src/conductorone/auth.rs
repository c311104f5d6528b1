//! Getting and caching the bearer token every API call carries.
//!
//! Three ways in: a ready access token; an OIDC token exchanged (RFC 8693); or a client ID whose
//! Ed25519 key signs a short-lived JWS client assertion (RFC 7523). The token is cached for the
//! process and fetched again shortly before it expires. However many tasks ask at once, one
//! fetch goes out: the first caller that finds no usable token starts it, later callers wait on
//! its answer (a watch channel), and no lock is held across the network call. While a refresh
//! is in flight, callers whose cached token has not yet expired keep using it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::Signer as _;
use http::Method;
use rand::RngCore as _;
use std::sync::Mutex;

use tokio::sync::watch;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::credentials::ClientKey;
use super::error::{ApiError, CredentialKind, ErrorKind};
use super::transport::{BearerToken, Body, Reply, Request, Transport};
use crate::secret::SecretString;

const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_EXCHANGE_GRANT: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// How far the assertion's `nbf` / `exp` reach either side of now (tolerates clock skew).
const ASSERTION_WINDOW_SECS: i64 = 120;
/// Fetch a new token this long before the old one expires, so no call carries a dying token.
const REFRESH_MARGIN: Duration = Duration::from_secs(60);
/// The lifetime assumed when the token endpoint does not say (`expires_in` missing or 0).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(300);
/// The longest lifetime believed: a token endpoint that claims more (even `u64::MAX` seconds)
/// is still asked again within a day, and no deadline arithmetic can overflow.
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// How the provider proves who it is.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// A ready bearer token, used as is and never refreshed.
    AccessToken(SecretString),
    /// An OIDC token (e.g. Terraform Cloud workload identity) exchanged for a ConductorOne token.
    Oidc {
        /// The ConductorOne client ID the exchange is for.
        client_id: String,
        /// The OIDC JWT.
        token: SecretString,
    },
    /// A client ID and the key from its client secret.
    ClientSecret {
        /// The client ID, `<id>@<host>/<use-case>`.
        client_id: String,
        /// The key parsed from the client secret.
        key: ClientKey,
    },
}

impl Credentials {
    /// Which credential this is, for error messages.
    #[must_use]
    pub fn kind(&self) -> CredentialKind {
        match self {
            Self::AccessToken(_) => CredentialKind::AccessToken,
            Self::Oidc { .. } => CredentialKind::OidcToken,
            Self::ClientSecret { .. } => CredentialKind::ClientSecret,
        }
    }
}

/// Builds the compact JWS client assertion for `client_id`, valid from `now − 2 min` to `now + 2 min`
/// (`now` in Unix seconds), for the audience `audience` (the server's host, no port).
#[must_use]
pub fn client_assertion(client_id: &str, key: &ClientKey, audience: &str, now: i64) -> String {
    let mut nonce = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut nonce);
    let mut header = serde_json::json!({ "alg": "EdDSA", "nonce": URL_SAFE_NO_PAD.encode(nonce) });
    if let Some(kid) = key.key_id() {
        header["kid"] = kid.into();
    }
    let claims = serde_json::json!({
        "iss": client_id,
        "sub": client_id,
        "aud": [audience],
        "iat": now,
        "nbf": now - ASSERTION_WINDOW_SECS,
        "exp": now + ASSERTION_WINDOW_SECS,
    });
    let signing_input = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    let signature = key.signing_key().sign(signing_input.as_bytes());
    format!(
        "{signing_input}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    )
}

/// A cached token, when to replace it, and when it stops being usable at all.
struct Cached {
    token: SecretString,
    refresh_at: Instant,
    expires_at: Instant,
}

/// What a fetch ends with, as the callers waiting on it see it (`None` until it ends).
type FetchOutcome = Option<Result<SecretString, ApiError>>;

/// The token cache and the fetch in flight, if any. Only ever locked briefly, never across an
/// `await`.
#[derive(Default)]
struct TokenState {
    cached: Option<Cached>,
    in_flight: Option<watch::Receiver<FetchOutcome>>,
}

/// What a caller does after looking at the state.
enum Next {
    Use(SecretString),
    Wait(watch::Receiver<FetchOutcome>),
    Fetch(watch::Sender<FetchOutcome>),
}

/// Ends a fetch: stores its token, wakes its waiters, and (also when the fetching caller is
/// cancelled midway and this is dropped unfinished) clears the in-flight mark, so the next
/// caller starts a fresh fetch instead of waiting forever.
struct FetchGuard<'a> {
    state: &'a Mutex<TokenState>,
    tx: watch::Sender<FetchOutcome>,
}

impl FetchGuard<'_> {
    fn finish(self, outcome: &Result<(SecretString, Duration), ApiError>) {
        let shared = match outcome {
            Ok((token, lifetime)) => {
                let now = Instant::now();
                let margin = REFRESH_MARGIN.min(*lifetime / 2);
                let at = |d: Duration| now.checked_add(d).unwrap_or(now);
                lock(self.state).cached = Some(Cached {
                    token: token.clone(),
                    refresh_at: at(lifetime.saturating_sub(margin)),
                    expires_at: at(lifetime.saturating_sub(EXPIRY_SLACK.min(*lifetime / 4))),
                });
                Ok(token.clone())
            }
            Err(e) => Err(e.duplicate()),
        };
        // No receiver left is fine: nobody was waiting.
        let _ = self.tx.send(Some(shared));
    }
}

impl Drop for FetchGuard<'_> {
    fn drop(&mut self) {
        let mut state = lock(self.state);
        if state
            .in_flight
            .as_ref()
            .is_some_and(|rx| rx.same_channel(&self.tx.subscribe()))
        {
            state.in_flight = None;
        }
    }
}

/// The state, even if a panic elsewhere poisoned the lock (it only guards plain data).
fn lock(state: &Mutex<TokenState>) -> std::sync::MutexGuard<'_, TokenState> {
    state
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A cached token is not handed out in its last seconds (at most a quarter of its lifetime),
/// even while its replacement is late.
const EXPIRY_SLACK: Duration = Duration::from_secs(5);

/// Hands out the bearer token, fetching it once and refreshing it before it expires.
pub struct TokenSource {
    credentials: Credentials,
    token_url: Url,
    audience: String,
    transport: Transport,
    state: Mutex<TokenState>,
    fetches: AtomicU64,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("credential", &self.credentials.kind())
            .field("token_url", &self.token_url.as_str())
            .finish_non_exhaustive()
    }
}

/// The token endpoint's success answer. `access_token` goes straight into a `SecretString`.
#[derive(serde::Deserialize)]
struct TokenAnswer {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    expires_in: u64,
}

impl TokenSource {
    /// A token source for `credentials` against the server at `base_url`.
    pub(crate) fn new(
        credentials: Credentials,
        base_url: &Url,
        transport: Transport,
    ) -> Result<Self, ApiError> {
        let token_url = base_url.join("auth/v1/token").map_err(|e| {
            ApiError::new(
                ErrorKind::InvalidArgument,
                "token",
                format!("bad server URL: {e}"),
            )
        })?;
        let audience = base_url
            .host_str()
            .unwrap_or_default()
            .trim_matches(['[', ']'])
            .to_owned();
        Ok(Self {
            credentials,
            token_url,
            audience,
            transport,
            state: Mutex::new(TokenState::default()),
            fetches: AtomicU64::new(0),
        })
    }

    /// How many times a token was requested from the server (for tests and debug logs).
    #[must_use]
    pub fn fetch_count(&self) -> u64 {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Which credential this source uses.
    #[must_use]
    pub fn credential_kind(&self) -> CredentialKind {
        self.credentials.kind()
    }

    /// Whether a refused token can be replaced by fetching another (not for a ready access token).
    #[must_use]
    pub fn can_refresh(&self) -> bool {
        !matches!(self.credentials, Credentials::AccessToken(_))
    }

    /// The current bearer token, fetched if there is none or it is about to expire.
    ///
    /// # Errors
    /// `Unauthenticated` when the server refuses the credential; transport / timeout / cancel kinds.
    pub async fn token(&self, cancel: &CancellationToken) -> Result<SecretString, ApiError> {
        if let Credentials::AccessToken(t) = &self.credentials {
            return Ok(t.clone());
        }
        loop {
            match self.next_step() {
                Next::Use(token) => return Ok(token),
                Next::Fetch(tx) => {
                    let guard = FetchGuard {
                        state: &self.state,
                        tx,
                    };
                    let outcome = self.fetch(cancel).await;
                    let own_cancel = cancel.is_cancelled()
                        && matches!(&outcome, Err(e) if e.kind() == ErrorKind::Cancelled);
                    if own_cancel {
                        // This caller's cancellation is not the waiters' outcome: the guard is
                        // dropped unfinished, so they look again and one of them fetches.
                        drop(guard);
                    } else {
                        guard.finish(&outcome);
                    }
                    return outcome.map(|(token, _)| token);
                }
                Next::Wait(mut rx) => {
                    let ended = tokio::select! {
                        () = cancel.cancelled() => return Err(cancelled()),
                        r = rx.wait_for(Option::is_some) => r.ok().and_then(|v| match &*v {
                            Some(Ok(t)) => Some(Ok(t.clone())),
                            Some(Err(e)) => Some(Err(e.duplicate())),
                            None => None,
                        }),
                    };
                    // `None`: the fetching caller was cancelled; look again (and maybe fetch).
                    if let Some(result) = ended {
                        return result;
                    }
                }
            }
        }
    }

    /// Decides, under the lock, whether to use the cached token, wait for the fetch in flight,
    /// or start one.
    fn next_step(&self) -> Next {
        let mut state = lock(&self.state);
        let now = Instant::now();
        if let Some(c) = state.cached.as_ref() {
            let fresh = now < c.refresh_at;
            let usable_while_refreshing = state.in_flight.is_some() && now < c.expires_at;
            if fresh || usable_while_refreshing {
                return Next::Use(c.token.clone());
            }
        }
        if let Some(rx) = state.in_flight.as_ref() {
            return Next::Wait(rx.clone());
        }
        let (tx, rx) = watch::channel(None);
        state.in_flight = Some(rx);
        Next::Fetch(tx)
    }

    /// Drops the cached token if it is still `stale`, so the next call fetches a fresh one.
    pub async fn invalidate(&self, stale: &SecretString) {
        let mut state = lock(&self.state);
        if state.cached.as_ref().is_some_and(|c| &c.token == stale) {
            state.cached = None;
        }
    }

    async fn fetch(
        &self,
        cancel: &CancellationToken,
    ) -> Result<(SecretString, Duration), ApiError> {
        let kind = self.credentials.kind();
        let body = || -> Result<Option<Body>, ApiError> {
            // Sized up front so no grown-and-freed buffer keeps part of a token or assertion.
            let mut form = url::form_urlencoded::Serializer::new(String::with_capacity(8192));
            match &self.credentials {
                Credentials::AccessToken(_) => {}
                Credentials::Oidc { client_id, token } => {
                    form.append_pair("grant_type", TOKEN_EXCHANGE_GRANT)
                        .append_pair("subject_token_type", JWT_TOKEN_TYPE)
                        .append_pair("subject_token", token.expose())
                        .append_pair("client_id", client_id);
                }
                Credentials::ClientSecret { client_id, key } => {
                    let assertion = client_assertion(
                        client_id,
                        key,
                        &self.audience,
                        chrono::Utc::now().timestamp(),
                    );
                    form.append_pair("grant_type", "client_credentials")
                        .append_pair("client_id", client_id)
                        .append_pair("client_assertion_type", ASSERTION_TYPE)
                        .append_pair("client_assertion", &assertion);
                }
            }
            Ok(Some(Body::Form(crate::net::wiped_body(
                form.finish().into_bytes(),
            ))))
        };
        let req = Request {
            method: Method::POST,
            url: self.token_url.clone(),
            operation: "/auth/v1/token".into(),
            credential: kind,
            body: &body,
        };
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let reply = self
            .transport
            .execute::<()>(&req, None, cancel, None)
            .await
            .map_err(|e| {
                // Any 4xx other than 429 from the token endpoint means the credential was refused.
                match e.status().map(|s| s.as_u16()) {
                    Some(400..=428 | 430..=499) => e.with_kind(ErrorKind::Unauthenticated(kind)),
                    _ => e,
                }
            })?;
        let Reply::Http(bytes) = reply else {
            return Err(ApiError::new(
                ErrorKind::Server,
                "POST /auth/v1/token",
                "unexpected reply",
            ));
        };
        // The answer holds the token: wipe it once parsed.
        let bytes = zeroize::Zeroizing::new(bytes);
        let answer: TokenAnswer = serde_json::from_slice(&bytes).map_err(|_| {
            ApiError::new(
                ErrorKind::Server,
                "POST /auth/v1/token",
                "the token answer is not the expected JSON",
            )
        })?;
        if answer.access_token.is_empty() {
            return Err(ApiError::new(
                ErrorKind::Unauthenticated(kind),
                "POST /auth/v1/token",
                "the token endpoint returned no access token",
            ));
        }
        let lifetime = match answer.expires_in {
            0 => DEFAULT_LIFETIME,
            s => Duration::from_secs(s).min(MAX_LIFETIME),
        };
        tracing::debug!(credential = ?kind, lifetime_secs = lifetime.as_secs(), "conductorone token obtained");
        Ok((SecretString::new(answer.access_token), lifetime))
    }
}

fn cancelled() -> ApiError {
    ApiError::new(
        ErrorKind::Cancelled,
        "POST /auth/v1/token",
        "the operation was cancelled",
    )
}

#[async_trait::async_trait]
impl BearerToken for TokenSource {
    async fn token(&self, cancel: &CancellationToken) -> Result<SecretString, ApiError> {
        TokenSource::token(self, cancel).await
    }

    async fn invalidate(&self, stale: &SecretString) {
        TokenSource::invalidate(self, stale).await;
    }

    fn can_refresh(&self) -> bool {
        TokenSource::can_refresh(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use ed25519_dalek::{Signature, SigningKey, Verifier as _};

    fn decode_json(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
    }

    #[test]
    fn assertion_has_the_documented_shape_and_a_valid_signature() {
        let signing = SigningKey::from_bytes(&[3u8; 32]);
        let key = ClientKey::from_signing_key(signing.clone());
        let jws = client_assertion(
            "cid@acme.conductor.one/pcc",
            &key,
            "acme.conductor.one",
            1_700_000_000,
        );
        let parts: Vec<&str> = jws.split('.').collect();
        assert_eq!(parts.len(), 3);

        let header = decode_json(parts[0]);
        assert_eq!(header["alg"], "EdDSA");
        let nonce = URL_SAFE_NO_PAD
            .decode(header["nonce"].as_str().unwrap())
            .unwrap();
        assert_eq!(nonce.len(), 16);

        let claims = decode_json(parts[1]);
        assert_eq!(claims["iss"], "cid@acme.conductor.one/pcc");
        assert_eq!(claims["sub"], claims["iss"]);
        assert_eq!(claims["aud"], serde_json::json!(["acme.conductor.one"]));
        assert_eq!(claims["iat"], 1_700_000_000);
        assert_eq!(claims["nbf"], 1_700_000_000 - 120);
        assert_eq!(claims["exp"], 1_700_000_000 + 120);

        let sig = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).unwrap()).unwrap();
        let input = format!("{}.{}", parts[0], parts[1]);
        signing
            .verifying_key()
            .verify(input.as_bytes(), &sig)
            .unwrap();
        // A different key must not verify it.
        let other = SigningKey::from_bytes(&[4u8; 32]);
        assert!(
            other
                .verifying_key()
                .verify(input.as_bytes(), &sig)
                .is_err()
        );
    }

    #[test]
    fn every_assertion_has_a_fresh_nonce() {
        let key = ClientKey::from_signing_key(SigningKey::from_bytes(&[3u8; 32]));
        let a = client_assertion("c", &key, "h", 0);
        let b = client_assertion("c", &key, "h", 0);
        let nonce = |j: &str| decode_json(j.split('.').next().unwrap())["nonce"].clone();
        assert_ne!(nonce(&a), nonce(&b));
    }

    #[test]
    fn audience_drops_the_port() {
        let transport = Transport {
            http: reqwest::Client::new(),
            request_timeout: std::time::Duration::from_secs(60),
            policy: Default::default(),
        };
        let base = Url::parse("https://127.0.0.1:8443/").unwrap();
        let ts = TokenSource::new(Credentials::AccessToken("t".into()), &base, transport).unwrap();
        assert_eq!(ts.audience, "127.0.0.1");
        assert_eq!(
            ts.token_url.as_str(),
            "https://127.0.0.1:8443/auth/v1/token"
        );
    }
}
