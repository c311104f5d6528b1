//! The Xero client ID and secret as the steps see them: which form the secret takes, whether an
//! apply sends credentials, and the check with Xero and its diagnostics.

use tokio_util::sync::CancellationToken;

use super::{XeroIntegrationModel, app_type};
use crate::framework::Path;
use crate::framework::{Context, Diagnostics, PrivateState, Value};
use crate::provider::ProviderData;
use crate::secret::SecretString;
use crate::xero::{XeroAppType, XeroCheckError};

/// The private-state entry in which earlier releases kept a salted digest of the credentials.
const LEGACY_VERIFIED_KEY: &str = "verified_credentials";

/// The credentials a configuration holds (write-only values appear only in configuration).
pub(super) struct Configured<'a> {
    /// `xero_client_id`.
    pub(super) id: &'a Value<String>,
    /// The secret, from whichever attribute is set.
    pub(super) secret: &'a Value<String>,
    /// That attribute.
    pub(super) secret_at: Path,
}

impl<'a> Configured<'a> {
    /// Reads the credentials of `config`; the write-only form wins when both are set (validation
    /// has already refused that).
    pub(super) fn of(config: &'a XeroIntegrationModel) -> Self {
        if config.xero_client_secret_wo.is_null() {
            Self {
                id: &config.xero_client_id,
                secret: &config.xero_client_secret,
                secret_at: XeroIntegrationModel::paths().xero_client_secret(),
            }
        } else {
            Self {
                id: &config.xero_client_id,
                secret: &config.xero_client_secret_wo,
                secret_at: XeroIntegrationModel::paths().xero_client_secret_wo(),
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

/// Whether a check with Xero is due before writing (or planning) `config` over `prior`.
pub(super) enum Due {
    /// Check this pair: checking is on, and the credentials are being written or were never
    /// checked.
    Check(String, SecretString),
    /// No check: checking is off, the connector is delegated, or nothing new is written.
    No,
    /// It depends on values not known yet (only at plan).
    Undecided,
}

impl Due {
    /// Decides from the configuration and the prior state alone, never from private state, so
    /// the create half of a replacement, planned once with the old object's private state and
    /// again at apply with none, decides the same way both times.
    pub(super) fn of(
        config: &XeroIntegrationModel,
        sends: bool,
        prior: Option<&XeroIntegrationModel>,
    ) -> Self {
        let configured = Configured::of(config);
        let validate = match &config.validate_credentials {
            Value::Unknown => return Self::Undecided,
            Value::Null => true,
            Value::Known(v) => *v,
        };
        if !validate || !configured.complete() {
            return Self::No;
        }
        let never_checked =
            prior.is_none_or(|p| p.xero_app_type.as_str() == Some(app_type::UNVERIFIED));
        if !sends && !never_checked {
            return Self::No;
        }
        match configured.known() {
            Some((id, secret)) => Self::Check(id, secret),
            None => Self::Undecided,
        }
    }
}

/// What the credential step found.
pub(super) enum Checked {
    /// Xero classified the pair.
    Classified(XeroAppType),
    /// No check was due.
    NotDue,
    /// Not decidable yet (plan only).
    Undecided,
}

/// The credential step of plan, create and update, in one place: checks the configured pair
/// with Xero when [`Due`] says so. `None` after adding an error (nothing may be written).
pub(super) async fn check_if_due(
    ctx: &Context<ProviderData>,
    config: &XeroIntegrationModel,
    sends: bool,
    prior: Option<&XeroIntegrationModel>,
    diagnostics: &mut Diagnostics,
) -> Option<Checked> {
    match Due::of(config, sends, prior) {
        Due::No => Some(Checked::NotDue),
        Due::Undecided => Some(Checked::Undecided),
        Due::Check(id, secret) => {
            let data = ctx.require_data(diagnostics)?;
            let at = Configured::of(config).secret_at;
            check(&data, &id, &secret, at, ctx.cancellation(), diagnostics)
                .await
                .map(Checked::Classified)
        }
    }
}

impl Checked {
    /// The `xero_app_type` this outcome gives: Xero's answer; for a write with checking off,
    /// `unverified`; otherwise the prior state's (or `unverified` on create). Undecided stays
    /// unknown.
    pub(super) fn app_type(
        &self,
        config: &XeroIntegrationModel,
        sends: bool,
        prior: Option<&XeroIntegrationModel>,
    ) -> Value<String> {
        match self {
            Self::Classified(t) => Value::Known(type_name(*t).to_owned()),
            Self::Undecided => Value::Unknown,
            Self::NotDue => {
                let unchecked_write = sends && config.validate_credentials.known() == Some(&false);
                match prior {
                    Some(p) if !unchecked_write && p.xero_app_type.known().is_some() => {
                        p.xero_app_type.clone()
                    }
                    _ => Value::Known(app_type::UNVERIFIED.to_owned()),
                }
            }
        }
    }
}

/// Adds an error and returns `true` when an apply would write a client ID without its secret.
pub(super) fn refuse_missing_secret(
    config: &XeroIntegrationModel,
    sends: bool,
    diagnostics: &mut Diagnostics,
) -> bool {
    let configured = Configured::of(config);
    let missing = sends && !configured.id.is_null() && configured.secret.is_null();
    if missing {
        diagnostics.error_at(
            XeroIntegrationModel::paths().xero_client_secret(),
            "Missing Xero Client Secret",
            "xero_client_id is being set or changed, but no secret is configured, and ConductorOne needs the \
             Xero app's secret together with its ID. Set xero_client_secret_wo (Terraform 1.11 or later) or \
             xero_client_secret. (An imported connector may leave the secret out as long as its \
             xero_client_id stays the same; ConductorOne keeps the secret it holds.)",
        );
    }
    missing
}

/// Removes what earlier releases kept in private state about checked credentials (a salted
/// digest of the client ID and secret, which anyone holding the state could test guesses
/// against). Nothing derived from a secret is kept there any more.
pub(super) fn scrub_private(private: &mut PrivateState) {
    private.remove(LEGACY_VERIFIED_KEY);
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
    secret_at: Path,
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
                XeroIntegrationModel::paths().xero_client_id(),
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
            let secret_attr = secret_at.to_string();
            diagnostics.error_at(
                secret_at,
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
                XeroIntegrationModel::paths().validate_credentials(),
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
    fn scrubbing_removes_the_legacy_digest() {
        let mut private = PrivateState::default();
        private
            .set(
                LEGACY_VERIFIED_KEY,
                &serde_json::json!({"salt": "00", "fingerprint": "ab"}),
            )
            .expect("set");
        private.set("other", &1).expect("set");
        scrub_private(&mut private);
        let bytes = String::from_utf8(private.to_bytes()).expect("utf8");
        assert!(
            !bytes.contains("fingerprint") && bytes.contains("other"),
            "{bytes}"
        );
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
