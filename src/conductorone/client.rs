//! The ConductorOne API client: one pooled HTTPS client, the token source, and JSON helpers the
//! per-area methods (`apps`, `connectors`, `resources`) are built from.

use std::sync::Arc;
use std::time::Duration;

use http::Method;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio_util::sync::CancellationToken;
use url::Url;

use super::auth::{Credentials, TokenSource};
use super::create_lookup::{CreateRegistry, LookupWindow};
use super::error::{ApiError, ErrorKind};
use super::models::Page;
use super::transport::{BearerToken, Body, Reconcile, Reply, Request, Transport};
use crate::net::RetryPolicy;

/// The page size asked of list endpoints.
const PAGE_SIZE: u32 = 100;
/// A list longer than this many pages is taken as a server loop, not data.
pub(crate) const MAX_PAGES: usize = 10_000;
/// The most items one list gathers: pages of a broken server that never ends, or of one that
/// answers huge pages, stop here with an error naming the endpoint.
pub(crate) const MAX_LISTED: usize = 100_000;

/// Which endpoint a call goes to.
pub(crate) struct Endpoint<'a> {
    pub(crate) method: Method,
    /// Path segments under the base URL; each is percent-encoded on its own.
    pub(crate) path: &'a [&'a str],
    /// The path pattern for logs and errors, e.g. `/api/v1/apps/{id}`.
    pub(crate) operation: &'a str,
    pub(crate) query: &'a [(&'a str, String)],
}

impl<'a> Endpoint<'a> {
    /// An endpoint without query parameters.
    pub(crate) fn new(method: Method, path: &'a [&'a str], operation: &'a str) -> Self {
        Self {
            method,
            path,
            operation,
            query: &[],
        }
    }
}

/// How to build a [`Client`].
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The server, e.g. `https://acme.conductor.one`.
    pub base_url: Url,
    /// How to authenticate.
    pub credentials: Credentials,
    /// The longest one HTTP exchange may take.
    pub request_timeout: Duration,
    /// The longest a TCP + TLS connect may take.
    pub connect_timeout: Duration,
    /// Retry, backoff and overall deadline.
    pub retry: RetryPolicy,
    /// Extra root certificates (PEM) to trust, e.g. the emulator's.
    pub extra_root_certificates_pem: Vec<Vec<u8>>,
    /// How far server timestamps may lag ours when matching the object an ambiguous create made.
    pub clock_skew: Duration,
    /// How long a create whose answer was lost looks for what it made before it is sent again.
    pub create_lookup: LookupWindow,
}

impl ClientConfig {
    /// A configuration with the default timeouts and retry policy.
    #[must_use]
    pub fn new(base_url: Url, credentials: Credentials) -> Self {
        Self {
            base_url,
            credentials,
            request_timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            retry: RetryPolicy::default(),
            extra_root_certificates_pem: Vec::new(),
            clock_skew: Duration::from_secs(30),
            create_lookup: LookupWindow::default(),
        }
    }
}

/// The ConductorOne API client. Cheap to clone; clones share the connection pool and the token.
#[derive(Debug, Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    base_url: Url,
    transport: TransportDebug,
    tokens: TokenSource,
    clock_skew: Duration,
    create_lookup: LookupWindow,
    /// The connectors this client's creates made or adopted, and the creates still waiting for
    /// their answer, so that no reconcile takes another create's connector for its own.
    creates: CreateRegistry,
}

/// `Transport` without a `Debug` derive (reqwest's client prints its whole config).
struct TransportDebug(Transport);

impl std::fmt::Debug for TransportDebug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Transport")
            .field("policy", &self.0.policy)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds the client: one `reqwest::Client` (rustls, pooled) shared by all calls.
    ///
    /// # Errors
    /// `InvalidArgument` when the base URL cannot be a base or a certificate does not parse;
    /// `Transport` when the TLS stack cannot start.
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let http = build_http(
            config.request_timeout,
            config.connect_timeout,
            &config.extra_root_certificates_pem,
        )?;
        Self::with_http(config, http)
    }

    /// Builds the client on `http`, an HTTP client shared with other API clients: building one
    /// loads the system's root certificates, which takes milliseconds, so a provider process
    /// builds one. `http`'s own connect timeout and roots apply; `config`'s connect timeout and
    /// extra roots are not used, and its request timeout is set on every request.
    ///
    /// # Errors
    /// `InvalidArgument` when the base URL cannot be a base.
    pub fn with_http(config: ClientConfig, http: reqwest::Client) -> Result<Self, ApiError> {
        let mut base_url = config.base_url;
        if base_url.cannot_be_a_base() {
            return Err(ApiError::new(
                ErrorKind::InvalidArgument,
                "client",
                "the server URL cannot be a base URL",
            ));
        }
        // `Url::join` replaces the last path segment unless the base ends in '/'.
        if !base_url.path().ends_with('/') {
            base_url.set_path(&format!("{}/", base_url.path()));
        }
        base_url.set_query(None);
        base_url.set_fragment(None);
        let transport = Transport {
            http,
            request_timeout: config.request_timeout,
            policy: config.retry,
        };
        let tokens = TokenSource::new(config.credentials, &base_url, transport.clone())?;
        Ok(Self {
            inner: Arc::new(Inner {
                base_url,
                transport: TransportDebug(transport),
                tokens,
                clock_skew: config.clock_skew,
                create_lookup: config.create_lookup,
                creates: CreateRegistry::default(),
            }),
        })
    }

    /// The server's base URL (always ends in `/`).
    #[must_use]
    pub fn base_url(&self) -> &Url {
        &self.inner.base_url
    }

    /// The token source (tests read its fetch count).
    #[must_use]
    pub fn tokens(&self) -> &TokenSource {
        &self.inner.tokens
    }

    /// Checks the credentials by getting a token, without calling any API.
    ///
    /// # Errors
    /// `Unauthenticated` naming the refused credential; transport kinds.
    pub async fn authenticate(&self, cancel: &CancellationToken) -> Result<(), ApiError> {
        self.inner.tokens.token(cancel).await.map(drop)
    }

    pub(crate) fn clock_skew(&self) -> Duration {
        self.inner.clock_skew
    }

    /// The claimed connectors and in-flight creates (see [`Inner::creates`]).
    pub(crate) fn creates(&self) -> &CreateRegistry {
        &self.inner.creates
    }

    /// How long an ambiguous create looks for what it made.
    pub(crate) fn create_lookup(&self) -> &LookupWindow {
        &self.inner.create_lookup
    }

    /// Sends one JSON request and decodes the answer. `reconcile` is consulted after an ambiguous
    /// failure (see [`Reconcile`]); pass `None` for requests that are safe to repeat.
    pub(crate) async fn call<B, T>(
        &self,
        endpoint: Endpoint<'_>,
        body: Option<&B>,
        cancel: &CancellationToken,
        reconcile: Option<&mut (dyn Reconcile<T> + '_)>,
    ) -> Result<T, ApiError>
    where
        B: Serialize + ?Sized,
        T: DeserializeOwned + Send,
    {
        let Endpoint {
            method,
            path,
            operation,
            query,
        } = endpoint;
        let op = format!("{method} {operation}");
        let url = self.url(path, query, &op)?;
        let bytes = match body {
            Some(b) => Some(
                crate::net::json_exact(b)
                    .map(crate::net::wiped_body)
                    .map_err(|e| {
                        ApiError::new(
                            ErrorKind::InvalidArgument,
                            &op,
                            format!("could not encode the request: {e}"),
                        )
                    })?,
            ),
            None => None,
        };
        let make_body = move || Ok(bytes.clone().map(Body::Json));
        let req = Request {
            method,
            url,
            operation: operation.to_owned(),
            credential: self.inner.tokens_kind(),
            body: &make_body,
        };
        match self
            .inner
            .transport
            .0
            .execute(
                &req,
                Some(&self.inner.tokens as &dyn BearerToken),
                cancel,
                reconcile,
            )
            .await?
        {
            Reply::Reconciled(found) => Ok(found),
            Reply::Http(bytes) => decode(&bytes, &op),
        }
    }

    /// Fetches every page of a list endpoint, following `nextPageToken` until it is empty.
    pub(crate) async fn list_all<T>(
        &self,
        path: &[&str],
        operation: &str,
        cancel: &CancellationToken,
    ) -> Result<Vec<T>, ApiError>
    where
        T: DeserializeOwned + Send,
    {
        let mut out = Vec::new();
        let mut token = String::new();
        for _ in 0..MAX_PAGES {
            let mut query = vec![("page_size", PAGE_SIZE.to_string())];
            if !token.is_empty() {
                query.push(("page_token", token.clone()));
            }
            let endpoint = Endpoint {
                query: &query,
                ..Endpoint::new(Method::GET, path, operation)
            };
            let page: Page<T> = self.call::<(), _>(endpoint, None, cancel, None).await?;
            if out.len() + page.list.len() > MAX_LISTED {
                return Err(ApiError::new(
                    ErrorKind::Server,
                    format!("GET {operation}"),
                    format!("the list holds more than {MAX_LISTED} items"),
                ));
            }
            out.extend(page.list);
            if page.next_page_token.is_empty() {
                return Ok(out);
            }
            if page.next_page_token == token {
                return Err(ApiError::new(
                    ErrorKind::Server,
                    format!("GET {operation}"),
                    "the server returned the same page token twice",
                ));
            }
            token = page.next_page_token;
        }
        Err(ApiError::new(
            ErrorKind::Server,
            format!("GET {operation}"),
            "the list did not end",
        ))
    }

    /// The URL of `path` segments under the base URL; each segment is percent-encoded, so an ID
    /// can never change the path's shape.
    fn url(&self, path: &[&str], query: &[(&str, String)], op: &str) -> Result<Url, ApiError> {
        let mut url = self.inner.base_url.clone();
        {
            let mut segs = url
                .path_segments_mut()
                .map_err(|()| ApiError::new(ErrorKind::InvalidArgument, op, "bad server URL"))?;
            segs.pop_if_empty();
            for seg in path {
                if seg.is_empty() {
                    return Err(ApiError::new(
                        ErrorKind::InvalidArgument,
                        op,
                        "an ID in the path is empty",
                    ));
                }
                // `.` and `..` would be dropped or climb a level, and other characters are
                // never part of a ConductorOne ID: refuse rather than send a request elsewhere.
                if !is_plain_segment(seg) {
                    return Err(ApiError::new(
                        ErrorKind::InvalidArgument,
                        op,
                        "an ID in the path is not a plain ConductorOne ID (letters, digits, _ and - only)",
                    ));
                }
                segs.push(seg);
            }
        }
        if !query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        Ok(url)
    }
}

/// Whether `seg` is a path segment the client may send: ASCII letters, digits, `_` and `-`,
/// at most 128 of them. ConductorOne IDs are base62; the fixed segments are words.
#[must_use]
pub fn is_plain_segment(seg: &str) -> bool {
    !seg.is_empty()
        && seg.len() <= 128
        && seg
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Inner {
    fn tokens_kind(&self) -> super::error::CredentialKind {
        self.tokens.credential_kind()
    }
}

fn decode<T: DeserializeOwned>(bytes: &[u8], op: &str) -> Result<T, ApiError> {
    // An empty 200 body is `{}` in proto3 JSON terms.
    let bytes = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|e| {
        ApiError::new(
            ErrorKind::Server,
            op,
            format!("the answer is not the expected JSON: {e}"),
        )
    })
}

fn build_http(
    request_timeout: Duration,
    connect_timeout: Duration,
    extra_roots: &[Vec<u8>],
) -> Result<reqwest::Client, ApiError> {
    let mut builder = crate::net::client_builder(request_timeout, connect_timeout);
    if !extra_roots.is_empty() {
        let mut certs = Vec::new();
        for pem in extra_roots {
            let parsed = reqwest::Certificate::from_pem_bundle(pem).map_err(|e| {
                ApiError::new(
                    ErrorKind::InvalidArgument,
                    "client",
                    format!("bad root certificate: {e}"),
                )
            })?;
            certs.extend(parsed);
        }
        builder = builder.tls_certs_merge(certs);
    }
    builder.build().map_err(|e| {
        ApiError::new(
            ErrorKind::Transport,
            "client",
            "could not build the HTTP client",
        )
        .with_source(e)
    })
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::conductorone::NewApp;

    fn assert_send<T: Send>(_: &T) {}

    #[test]
    fn futures_are_send_so_grpc_handlers_can_await_them() {
        let config = ClientConfig::new(
            Url::parse("https://127.0.0.1:1/").unwrap(),
            Credentials::AccessToken("t".into()),
        );
        let client = Client::new(config).unwrap();
        let cancel = CancellationToken::new();
        let app = NewApp::default();
        assert_send(&client.create_app(&app, &cancel));
        assert_send(&client.list_connectors("a", &cancel));
        assert_send(&client.get_connector("a", "b", &cancel));
    }

    #[test]
    fn ids_stay_one_plain_path_segment_and_base_path_is_kept() {
        let config = ClientConfig::new(
            Url::parse("https://h.example/prefix?x=1").unwrap(),
            Credentials::AccessToken("t".into()),
        );
        let client = Client::new(config).unwrap();
        assert_eq!(client.base_url().as_str(), "https://h.example/prefix/");
        let url = client
            .url(
                &["api", "v1", "apps", "a1B2"],
                &[("page_size", "5".into())],
                "op",
            )
            .unwrap();
        assert_eq!(
            url.as_str(),
            "https://h.example/prefix/api/v1/apps/a1B2?page_size=5"
        );
        // Anything that is not a plain ID is refused, not escaped: `.` and `..` would be
        // dropped by the URL parser and change which object the request names.
        for bad in ["", ".", "..", "a/../b", "a%2Fb", "a?b", "a b"] {
            let err = client
                .url(&["api", "v1", "apps", bad], &[], "op")
                .unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{bad:?}");
        }
    }

    #[test]
    fn user_agent_names_the_provider_and_version() {
        assert_eq!(
            crate::net::USER_AGENT,
            format!(
                "terraform-provider-conductorone/{}",
                env!("CARGO_PKG_VERSION")
            )
        );
    }
}
