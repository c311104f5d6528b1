//! The ConductorOne API client: authentication (client assertion, OIDC exchange or a ready
//! token), retries within a deadline, pagination, typed models and errors.
//!
//! Start with [`ClientConfig::new`] and [`Client::new`]; every method takes a
//! [`CancellationToken`](tokio_util::sync::CancellationToken) that ends any wait at once.

mod app_search;
mod apps;
mod auth;
mod client;
mod connectors;
mod create_lookup;
pub mod credentials;
mod error;
pub mod models;
mod resources;
mod sync_controls;
mod transport;

pub use crate::net::{USER_AGENT, retry};
pub use app_search::{AppPage, AppPages, AppSearch, MAX_SEARCH_PAGE_SIZE};
pub use apps::{AppChanges, NewApp};
pub use auth::{Credentials, TokenSource, client_assertion};
pub use client::{Client, ClientConfig, is_plain_segment};
pub use connectors::{Ambiguity, CreatedConnector, NewConnector, live};
pub use create_lookup::LookupWindow;
pub use credentials::{ClientKey, CredentialError, client_id_host, encode_client_secret};
pub use error::{ApiError, CredentialKind, ErrorKind, kind_for_status};
pub use retry::RetryPolicy;
pub use sync_controls::ScheduleCron;
