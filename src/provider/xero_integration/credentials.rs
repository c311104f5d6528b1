//! The Xero client ID and secret as the steps see them: which form the secret takes, whether an
//! apply sends credentials, the check with Xero and its diagnostics, and the salted fingerprint
//! in private state that says "these exact credentials were already checked".

use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};
use tokio_util::sync::CancellationToken;

use super::{XeroIntegrationModel, app_type};
use crate::cty::Path;
use crate::framework::{Diagnostics, PrivateState, Value};
use crate::provider::ProviderData;
use crate::secret::SecretString;
use crate::xero::{XeroAppType, XeroCheckError};

/// The attribute of the secret kept in state.
pub(super) const SECRET: &str = "xero_client_secret";
/// The attribute of the write-only secret.
pub(super) const SECRET_WO: &str = "xero_client_secret_wo";
/// The private-state entry holding the fingerprint of the last credentials Xero accepted.
const VERIFIED_KEY: &str = "verified_credentials";

/// The credentials a configuration holds (write-only values appear only in configuration).
pub(super) struct Configured<'a> {
    /// `xero_client_id`.
    pub(super) id: &'a Value<String>,
    /// The secret, from whichever attribute is set.
    pub(super) secret: &'a Value<String>,
    /// That attribute's name.
    pub(super) secret_attr: &'static str,
}

impl<'a> Configured<'a> {
    /// Reads the credentials of `config`; the write-only form wins when both are set (validation
    /// has already refused that).
    pub(super) fn of(config: &'a XeroIntegrationModel) -> Self {
        if config.xero_client_secret_wo.is_null() {
            Self {
                id: &config.xero_client_id,
                secret: &config.xero_client_secret,
                secret_attr: SECRET,
            }
        } else {
            Self {
                id: &config.xero_client_id,
                secret: &config.xero_client_secret_wo,
                secret_attr: SECRET_WO,
            }
        }
    }

    /// Neither an ID nor a secret: a delegated connector.
    pub(super) fn is_delegated(&self) -> bool {
        self.id.is_null() && self.secret.is_null()
    }

    /// Both parts, when both are known.
    pub(super) fn known(&self) -> Option<(String, SecretString)> {
        Some((
            self.id.known()?.clone(),
            SecretString::new(self.secret.known()?.as_str()),
        ))
    }

    /// Whether both parts are set (known or not).
    pub(super) fn complete(&self) -> bool {
        !self.id.is_null() && !self.secret.is_null()
    }
}

/// Whether applying `plan` over `prior` writes credentials to ConductorOne: on create whenever
/// any are configured; on update when the ID or the stored secret changes, or the write-only
/// secret's version does.
pub(super) fn sends_credentials(
    config: &XeroIntegrationModel,
    plan: &XeroIntegrationModel,
    prior: Option<&XeroIntegrationModel>,
) -> bool {
    if Configured::of(config).is_delegated() {
        return false;
    }
    let Some(prior) = prior else { return true };
    plan.xero_client_id != prior.xero_client_id
        || plan.xero_client_secret != prior.xero_client_secret
        || (!config.xero_client_secret_wo.is_null()
            && plan.xero_client_secret_wo_version != prior.xero_client_secret_wo_version)
}

/// Whether the credentials need a check with Xero: checking is on, both parts are configured,
/// they are being written (or were never checked), and they are not the ones last accepted.
/// `None` when that depends on values not known yet.
pub(super) fn needs_check(
    config: &XeroIntegrationModel,
    sends: bool,
    prior: Option<&XeroIntegrationModel>,
    private: &PrivateState,
) -> Option<bool> {
    let configured = Configured::of(config);
    let validate = match &config.validate_credentials {
        Value::Unknown => return None,
        Value::Null => true,
        Value::Known(v) => *v,
    };
    if !validate || !configured.complete() {
        return Some(false);
    }
    let never_checked =
        prior.is_none_or(|p| p.xero_app_type.as_str() == Some(app_type::UNVERIFIED));
    if !sends && !never_checked {
        return Some(false);
    }
    let (id, secret) = configured.known()?;
    Some(!is_verified(private, &id, &secret))
}

#[derive(Serialize, Deserialize)]
struct Verified {
    salt: String,
    fingerprint: String,
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn fingerprint(salt: &str, id: &str, secret: &SecretString) -> String {
    let mut h = Sha256::new();
    h.update(salt.as_bytes());
    // Length-prefixed so that moving characters between ID and secret changes the digest.
    h.update((id.len() as u64).to_be_bytes());
    h.update(id.as_bytes());
    h.update(secret.expose().as_bytes());
    hex(&h.finalize())
}

/// Whether `id` + `secret` are the credentials last recorded as accepted by Xero.
pub(super) fn is_verified(private: &PrivateState, id: &str, secret: &SecretString) -> bool {
    match private.get::<Verified>(VERIFIED_KEY) {
        Ok(Some(v)) => fingerprint(&v.salt, id, secret) == v.fingerprint,
        _ => false,
    }
}

/// Records `id` + `secret` as accepted, under a fresh random salt (never the secret itself).
pub(super) fn remember_verified(private: &mut PrivateState, id: &str, secret: &SecretString) {
    let mut salt = [0_u8; 16];
    rand::thread_rng().fill_bytes(&mut salt);
    let salt = hex(&salt);
    let entry = Verified {
        fingerprint: fingerprint(&salt, id, secret),
        salt,
    };
    if private.set(VERIFIED_KEY, &entry).is_err() {
        private.remove(VERIFIED_KEY);
    }
}

/// Forgets the accepted credentials (they were replaced without a check).
pub(super) fn forget_verified(private: &mut PrivateState) {
    private.remove(VERIFIED_KEY);
}

/// The `xero_app_type` value of a check's answer.
pub(super) fn type_name(t: XeroAppType) -> &'static str {
    match t {
        XeroAppType::WebApp => app_type::WEB_APP,
        XeroAppType::CustomConnection => app_type::CUSTOM_CONNECTION,
    }
}

/// Checks the credentials with Xero, unless this process did so less than [`super::CHECK_TTL`]
/// ago (the apply walk's plan of the same resource). Returns the app type, or `None` after adding
/// an error. A Web app passes with a warning.
pub(super) async fn check(
    data: &ProviderData,
    id: &str,
    secret: &SecretString,
    secret_attr: &'static str,
    cancel: &CancellationToken,
    diagnostics: &mut Diagnostics,
) -> Option<XeroAppType> {
    let answer = match data.xero_checks.get(id, secret) {
        Some(t) => {
            tracing::debug!("Xero credentials already checked by this process; reusing the answer");
            Ok(t)
        }
        None => {
            let answer = data.xero.check_credentials(id, secret, cancel).await;
            if let Ok(t) = answer {
                data.xero_checks.put(id, secret, t);
            }
            answer
        }
    };
    match answer {
        Ok(XeroAppType::CustomConnection) => Some(XeroAppType::CustomConnection),
        Ok(XeroAppType::WebApp) => {
            diagnostics.warning_at(
                Path::attr("xero_client_id"),
                "Xero Web App Cannot Sync on Its Own",
                "These credentials are genuine, but they belong to a Xero Web app. Xero lets only a Custom \
                 Connection sign in without a person approving access; a Web app needs someone to log in \
                 to Xero and consent first, and the connector has no way to do that. So the connector will \
                 be saved, but its syncs will fail (Xero answers unauthorized_client) until this is \
                 addressed.\n\nTo fix it, either create a Custom Connection for your organisation in Xero's \
                 developer portal (available in Australia, New Zealand, the UK and the US), authorise it, \
                 and use its client ID and secret here; or remove xero_client_id and the secret to create a \
                 delegated connector whose owners connect Xero from ConductorOne.",
            );
            Some(XeroAppType::WebApp)
        }
        Err(XeroCheckError::InvalidCredentials) => {
            diagnostics.error_at(
                Path::attr(secret_attr),
                "Xero Refused the Client Credentials",
                format!(
                    "Xero's identity service answered invalid_client: it does not know the client ID in \
                     xero_client_id, or the secret in {secret_attr} is not that app's current secret. Nothing \
                     was created or changed in ConductorOne.\n\nCopy the client ID again from Xero's developer \
                     portal (My Apps → your app → Configuration), generate a new client secret there, and put \
                     both in the configuration."
                ),
            );
            None
        }
        Err(XeroCheckError::Cancelled) => {
            diagnostics.error(
                "Xero Credential Check Cancelled",
                "Terraform was interrupted while the provider checked the Xero credentials; nothing was \
                 written. Run the command again.",
            );
            None
        }
        Err(e @ (XeroCheckError::Unreachable { .. } | XeroCheckError::Unexpected { .. })) => {
            diagnostics.error_at(
                Path::attr("validate_credentials"),
                "Cannot Verify the Xero Credentials",
                format!(
                    "{e}. The provider checks the Xero client ID and secret with Xero's identity service \
                     before writing them, and this check did not get an answer it could use, so nothing was \
                     written.\n\nCheck that Terraform can reach the identity service (the provider's \
                     xero_identity_url, https://identity.xero.com by default) and try again, or set \
                     validate_credentials = false on this resource to skip the check."
                ),
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_matches_only_the_same_credentials_and_never_holds_the_secret() {
        let mut private = PrivateState::default();
        let secret = SecretString::new("s3cr3t-value-never-stored");
        assert!(!is_verified(&private, "ID", &secret));
        remember_verified(&mut private, "ID", &secret);
        assert!(is_verified(&private, "ID", &secret));
        assert!(!is_verified(&private, "ID", &SecretString::new("other")));
        assert!(!is_verified(&private, "ID2", &secret));
        // Moving a character from the ID into the secret is a different pair.
        assert!(!is_verified(
            &private,
            "I",
            &SecretString::new("Ds3cr3t-value-never-stored")
        ));
        let bytes = String::from_utf8(private.to_bytes()).expect("utf8");
        assert!(!bytes.contains("s3cr3t"), "{bytes}");
        let mut again = PrivateState::default();
        remember_verified(&mut again, "ID", &secret);
        assert_ne!(
            again.to_bytes(),
            private.to_bytes(),
            "a fresh salt each time"
        );
        forget_verified(&mut private);
        assert!(!is_verified(&private, "ID", &secret));
    }

    fn model(
        id: Option<&str>,
        secret: Option<&str>,
        wo: Option<&str>,
        version: Option<i64>,
    ) -> XeroIntegrationModel {
        XeroIntegrationModel {
            xero_client_id: id.map(str::to_owned).into(),
            xero_client_secret: secret.map(str::to_owned).into(),
            xero_client_secret_wo: wo.map(str::to_owned).into(),
            xero_client_secret_wo_version: version.into(),
            xero_app_type: Value::Known(app_type::CUSTOM_CONNECTION.into()),
            ..XeroIntegrationModel::default()
        }
    }

    #[test]
    fn what_an_apply_sends() {
        let prior = model(Some("A"), Some("s"), None, None);
        let cases = [
            (model(None, None, None, None), None, false),
            (model(Some("A"), Some("s"), None, None), None, true),
            (model(Some("A"), Some("s"), None, None), Some(&prior), false),
            (model(Some("A"), Some("t"), None, None), Some(&prior), true),
            (model(Some("B"), Some("s"), None, None), Some(&prior), true),
            (
                model(Some("A"), None, Some("w"), Some(1)),
                Some(&prior),
                true,
            ),
        ];
        for (i, (config, prior, want)) in cases.into_iter().enumerate() {
            // The plan holds no write-only value.
            let mut plan = config.clone();
            plan.xero_client_secret_wo = Value::Null;
            assert_eq!(sends_credentials(&config, &plan, prior), want, "case {i}");
        }
        let wo_prior = model(Some("A"), None, None, Some(1));
        let same = model(Some("A"), None, Some("changed"), Some(1));
        let bumped = model(Some("A"), None, Some("changed"), Some(2));
        assert!(!sends_credentials(
            &same,
            &model(Some("A"), None, None, Some(1)),
            Some(&wo_prior)
        ));
        assert!(sends_credentials(
            &bumped,
            &model(Some("A"), None, None, Some(2)),
            Some(&wo_prior)
        ));
    }
}
