//! The ConductorOne API client: authentication (client assertion, OIDC exchange or a ready
//! token), retries within a deadline, pagination, typed models and errors.
//!
//! Start with [`ClientConfig::new`] and [`Client::new`]; every method takes a
//! [`CancellationToken`](tokio_util::sync::CancellationToken) that ends any wait at once.

mod apps;
mod auth;
mod client;
mod connectors;
pub mod credentials;
mod error;
pub mod models;
mod resources;
pub mod retry;
mod transport;

pub use apps::{AppChanges, NewApp};
pub use auth::{Credentials, TokenSource, client_assertion};
pub use client::{Client, ClientConfig, USER_AGENT, http_client};
pub use connectors::{NewConnector, live};
pub use credentials::{ClientKey, CredentialError, client_id_host, encode_client_secret};
pub use error::{ApiError, CredentialKind, ErrorKind, kind_for_status};
pub use retry::RetryPolicy;
