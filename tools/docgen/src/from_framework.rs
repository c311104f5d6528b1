//! Fills the docs model from the provider's schema (the framework's schema model).

use crate::Error;
use crate::model::ProviderDocs;

/// The documentation model of the `conductorone` provider, read from its schema.
pub fn provider_docs() -> Result<ProviderDocs, Error> {
    Err(Error::Schema(
        "the provider's schema is not available yet".to_owned(),
    ))
}
