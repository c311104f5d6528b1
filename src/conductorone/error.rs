//! The one error type of the ConductorOne client.
//!
//! Every failure says what kind it is (so callers can branch: a `NotFound` on read means "gone from
//! state"), which request it was, the HTTP status, the API's own message and the request id the
//! server gave, so that a user can quote it to ConductorOne support. No field ever holds a secret:
//! bodies are only read from error answers, and the token endpoint's body is reduced to its
//! `error` / `error_description` fields before it gets here.

use std::fmt;

use http::{HeaderMap, StatusCode};

/// Longest API message kept in an error; longer bodies are cut (an HTML error page can be large).
pub(crate) const MAX_MESSAGE_CHARS: usize = 512;

/// Response headers that may carry a request / correlation id, in the order they are preferred.
const REQUEST_ID_HEADERS: &[&str] = &[
    "x-request-id",
    "x-c1-request-id",
    "request-id",
    "x-correlation-id",
    "xero-correlation-id",
    "x-amzn-requestid",
];

/// Which credential the server refused, so the message can tell the user which one to fix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A ready bearer token (`access_token` / `CONDUCTORONE_ACCESS_TOKEN`).
    AccessToken,
    /// An OIDC token exchanged for a ConductorOne token (`oidc_token` and friends).
    OidcToken,
    /// A client ID and its client secret (`client_id` / `client_secret`).
    ClientSecret,
}

impl CredentialKind {
    /// The provider attributes a user would change to fix a refusal of this credential.
    #[must_use]
    pub fn attributes(self) -> &'static str {
        match self {
            Self::AccessToken => "access_token",
            Self::OidcToken => "oidc_token and client_id",
            Self::ClientSecret => "client_id and client_secret",
        }
    }
}

/// What went wrong, coarse enough to branch on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The object does not exist (HTTP 404, or it is soft-deleted).
    NotFound,
    /// The server refused the credential (token endpoint refusal or HTTP 401).
    Unauthenticated(CredentialKind),
    /// The credential is valid but may not do this (HTTP 403).
    PermissionDenied,
    /// The request was rejected as malformed or conflicting (HTTP 400, 409, 412, 422 …).
    InvalidArgument,
    /// Still rate limited (HTTP 429) when the retries or the deadline ran out.
    RateLimited,
    /// The server failed (HTTP 5xx) or answered something the client cannot read.
    Server,
    /// The request did not get an answer: connection refused, reset, TLS failure.
    Transport,
    /// The caller cancelled the operation (Terraform's stop / interrupt).
    Cancelled,
    /// The overall deadline passed before an answer arrived.
    Timeout,
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("not found"),
            Self::Unauthenticated(c) => write!(f, "credentials refused ({})", c.attributes()),
            Self::PermissionDenied => f.write_str("permission denied"),
            Self::InvalidArgument => f.write_str("invalid request"),
            Self::RateLimited => f.write_str("rate limited"),
            Self::Server => f.write_str("server error"),
            Self::Transport => f.write_str("could not reach the server"),
            Self::Cancelled => f.write_str("cancelled"),
            Self::Timeout => f.write_str("timed out"),
        }
    }
}

/// A failed ConductorOne API operation.
#[derive(Debug, thiserror::Error)]
#[error("{operation}: {kind}{}", Detail(self))]
pub struct ApiError {
    kind: ErrorKind,
    operation: String,
    status: Option<StatusCode>,
    message: String,
    request_id: Option<String>,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

/// Formats the optional parts of an error after its kind.
struct Detail<'a>(&'a ApiError);

impl fmt::Display for Detail<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.0;
        if let Some(status) = e.status {
            write!(f, " (HTTP {})", status.as_u16())?;
        }
        if !e.message.is_empty() {
            write!(f, ": {}", e.message)?;
        }
        if let Some(id) = &e.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl ApiError {
    /// The same error for another caller (callers waiting on one token fetch each get one); the
    /// underlying source error is not carried over.
    #[must_use]
    pub(crate) fn duplicate(&self) -> Self {
        Self {
            kind: self.kind,
            operation: self.operation.clone(),
            status: self.status,
            message: self.message.clone(),
            request_id: self.request_id.clone(),
            source: None,
        }
    }

    /// A new error of `kind` for `operation` (e.g. `GET /api/v1/apps/{id}`), with a message.
    #[must_use]
    pub fn new(kind: ErrorKind, operation: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            operation: operation.into(),
            status: None,
            message: truncate(&message.into()),
            request_id: None,
            source: None,
        }
    }

    /// Builds the error for an answer with a non-success status, reading the API's message from the
    /// `google.rpc.Status`-like body when there is one, else from the raw text.
    #[must_use]
    pub fn from_response(
        operation: impl Into<String>,
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        credential: CredentialKind,
    ) -> Self {
        let kind = kind_for_status(status, credential);
        let mut err = Self::new(kind, operation, api_message(body));
        err.status = Some(status);
        err.request_id = request_id(headers);
        err
    }

    /// Attaches the underlying cause (a transport error); its text appears in the source chain.
    #[must_use]
    pub fn with_source(mut self, source: impl std::error::Error + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The same error with another kind (the token endpoint turns any 4xx into a refusal).
    #[must_use]
    pub(crate) fn with_note(mut self, note: &str) -> Self {
        self.message = truncate(&format!("{}; {note}", self.message));
        self
    }

    pub(crate) fn with_kind(mut self, kind: ErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// Attaches the HTTP status.
    #[must_use]
    pub fn with_status(mut self, status: StatusCode) -> Self {
        self.status = Some(status);
        self
    }

    /// Attaches a request id.
    #[must_use]
    pub fn with_request_id(mut self, request_id: Option<String>) -> Self {
        self.request_id = request_id;
        self
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Whether the object is gone (404 or soft-deleted): a read should drop it from state.
    #[must_use]
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }

    /// The request this error belongs to, e.g. `POST /api/v1/apps`.
    #[must_use]
    pub fn operation(&self) -> &str {
        &self.operation
    }

    /// The HTTP status of the last answer, when there was one.
    #[must_use]
    pub fn status(&self) -> Option<StatusCode> {
        self.status
    }

    /// The API's message (or the start of a non-JSON body), at most [`MAX_MESSAGE_CHARS`] characters.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The request / correlation id the server gave, for support.
    #[must_use]
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }
}

/// Maps an HTTP status to an error kind; `credential` names what a 401 refused.
#[must_use]
pub fn kind_for_status(status: StatusCode, credential: CredentialKind) -> ErrorKind {
    match status.as_u16() {
        401 => ErrorKind::Unauthenticated(credential),
        403 => ErrorKind::PermissionDenied,
        404 | 410 => ErrorKind::NotFound,
        429 => ErrorKind::RateLimited,
        408 | 504 => ErrorKind::Timeout,
        400..=499 => ErrorKind::InvalidArgument,
        _ => ErrorKind::Server,
    }
}

/// The message of an error body: `message` of a `{"code","message"}` object, else the trimmed text.
#[must_use]
pub(crate) fn api_message(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Status {
        #[serde(default)]
        message: String,
        #[serde(default)]
        error: String,
        #[serde(default)]
        error_description: String,
    }
    if let Ok(s) = serde_json::from_slice::<Status>(body) {
        let text = match (s.message.is_empty(), s.error.is_empty()) {
            (false, _) => s.message,
            (true, false) if s.error_description.is_empty() => s.error,
            (true, false) => format!("{}: {}", s.error, s.error_description),
            (true, true) => String::new(),
        };
        return truncate(&text);
    }
    truncate(String::from_utf8_lossy(body).trim())
}

/// The first request-id-like header of an answer.
#[must_use]
pub(crate) fn request_id(headers: &HeaderMap) -> Option<String> {
    REQUEST_ID_HEADERS.iter().find_map(|name| {
        headers
            .get(*name)
            .and_then(|v| v.to_str().ok())
            .map(|v| truncate(v.trim()))
            .filter(|v| !v.is_empty())
    })
}

/// Cuts `text` to [`MAX_MESSAGE_CHARS`] characters (on a character boundary), marking the cut.
fn truncate(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn status_json_gives_kind_message_and_request_id() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req-123".parse().unwrap());
        let body = br#"{"code":5,"message":"app not found","details":[]}"#;
        let e = ApiError::from_response(
            "GET /api/v1/apps/x",
            StatusCode::NOT_FOUND,
            &headers,
            body,
            CredentialKind::ClientSecret,
        );
        assert!(e.is_not_found());
        assert_eq!(e.message(), "app not found");
        assert_eq!(e.request_id(), Some("req-123"));
        let shown = e.to_string();
        assert!(shown.contains("HTTP 404"), "{shown}");
        assert!(shown.contains("req-123"), "{shown}");
        assert!(
            shown.starts_with("GET /api/v1/apps/x: not found"),
            "{shown}"
        );
    }

    #[test]
    fn non_json_body_is_kept_truncated() {
        let body = "<html>".to_owned() + &"x".repeat(2000);
        let e = ApiError::from_response(
            "POST /x",
            StatusCode::BAD_GATEWAY,
            &HeaderMap::new(),
            body.as_bytes(),
            CredentialKind::AccessToken,
        );
        assert_eq!(e.kind(), ErrorKind::Server);
        assert!(e.message().starts_with("<html>"));
        assert_eq!(e.message().chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn statuses_map_to_kinds() {
        let c = CredentialKind::OidcToken;
        let table = [
            (400, ErrorKind::InvalidArgument),
            (401, ErrorKind::Unauthenticated(c)),
            (403, ErrorKind::PermissionDenied),
            (404, ErrorKind::NotFound),
            (409, ErrorKind::InvalidArgument),
            (429, ErrorKind::RateLimited),
            (500, ErrorKind::Server),
            (503, ErrorKind::Server),
            (504, ErrorKind::Timeout),
        ];
        for (code, kind) in table {
            assert_eq!(
                kind_for_status(StatusCode::from_u16(code).unwrap(), c),
                kind,
                "{code}"
            );
        }
    }

    #[test]
    fn oauth_error_body_gives_error_and_description() {
        assert_eq!(
            api_message(br#"{"error":"invalid_client","error_description":"bad"}"#),
            "invalid_client: bad"
        );
    }
}
