//! API errors in the gateway's `google.rpc.Status` shape, and the JSON body extractor that turns
//! malformed input into them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde_json::json;

/// An error answer: HTTP status plus gRPC code and message.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    /// The gRPC code when it is not the one the status maps to.
    code: Option<u16>,
    message: String,
}

impl ApiError {
    /// 400, `INVALID_ARGUMENT`.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: None,
            message: message.into(),
        }
    }

    /// 400, `FAILED_PRECONDITION` (code 9): the request is well formed but the object is not in
    /// a state that allows it (as the gateway maps that code).
    pub(crate) fn failed_precondition(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: Some(9),
            message: message.into(),
        }
    }

    /// 404, `NOT_FOUND`.
    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            code: None,
            message: format!("{} not found", what.into()),
        }
    }

    /// 401, `UNAUTHENTICATED`.
    pub(crate) fn unauthenticated(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::UNAUTHORIZED,
            code: None,
            message: message.into(),
        }
    }

    /// Any status, with the gRPC code that status maps to.
    pub(crate) fn status(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code: None,
            message: message.into(),
        }
    }
}

/// The gRPC code the gateway pairs with an HTTP status.
fn grpc_code(status: u16) -> u16 {
    match status {
        400 => 3,
        401 => 16,
        403 => 7,
        404 => 5,
        409 => 6,
        429 => 8,
        499 => 1,
        500 => 13,
        501 => 12,
        503 => 14,
        504 => 4,
        _ => 2,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({
            "code": self.code.unwrap_or_else(|| grpc_code(self.status.as_u16())),
            "message": self.message,
            "details": [],
        });
        (self.status, Json(body)).into_response()
    }
}

/// A JSON request body. An empty body reads as `{}` (as the gateway treats `DELETE … {}`), and a
/// body that is not valid for the request message is a 400 `INVALID_ARGUMENT`.
pub(crate) struct Body<T>(pub(crate) T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::invalid(format!("cannot read body: {e}")))?;
        let text: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
            b"{}"
        } else {
            &bytes
        };
        serde_json::from_slice(text)
            .map(Body)
            .map_err(|e| ApiError::invalid(format!("invalid JSON body: {e}")))
    }
}
