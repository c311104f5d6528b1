//! The Xero credential check: is this client ID and secret genuine, and what kind of Xero app is it?
//!
//! Xero has no "validate my credentials" call, but its token endpoint answers a
//! `client_credentials` request (with no scope) differently per case: `invalid_client` for a wrong
//! ID or secret, `unauthorized_client` for a genuine Web app (which may not use that grant), and a
//! token (or `invalid_scope`) for a Custom Connection. Any token handed out is dropped unread.

mod check;
mod http;

pub use check::{Identity, check_credentials};

/// The kind of Xero app the credentials belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XeroAppType {
    /// A Web app: needs a user's consent once before anything can sync.
    WebApp,
    /// A Custom Connection: may use client credentials, no user step.
    CustomConnection,
}

/// Why the check could not say the credentials are good. Never holds the secret or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum XeroCheckError {
    /// Xero refused the client ID or secret (`invalid_client`).
    #[error("Xero refused the client ID or client secret (invalid_client)")]
    InvalidCredentials,
    /// Xero could not be reached or kept failing; the credentials could not be verified.
    #[error("could not verify the Xero credentials: {reason}")]
    Unreachable {
        /// What went wrong on the last attempt.
        reason: String,
    },
    /// Xero answered something the check does not know how to read.
    #[error("could not verify the Xero credentials: Xero answered {}{}", .status.map(|s| format!("HTTP {s} ")).unwrap_or_default(), .error)]
    Unexpected {
        /// The HTTP status, when known.
        status: Option<u16>,
        /// The OAuth error code or a short description.
        error: String,
    },
    /// The operation was cancelled.
    #[error("the Xero credential check was cancelled")]
    Cancelled,
}
