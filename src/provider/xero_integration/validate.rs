//! Configuration checks that need no network, beyond the validators declared on the model's
//! fields: the relations between attributes (as config validators the model declares), and the
//! one check that needs the resource's own notion of a delegated connector. Each problem is a
//! diagnostic on its attribute saying what is wrong and how to fix it. Unknown values pass; they
//! are checked once known (at apply).

use super::XeroIntegrationModel;
use super::credentials::Configured;
use crate::framework::validators::{ConflictsWith, ExactlyOneOf, Requires, Wording};
use crate::framework::{ClientCapabilities, Diagnostics};

/// `app_id` or `new_app`, exactly one (reported on `app_id`: Terraform can point at an
/// attribute's line, not at a block's).
pub(super) fn one_app() -> ExactlyOneOf {
    let paths = XeroIntegrationModel::paths();
    ExactlyOneOf::new(vec![paths.app_id(), paths.new_app().at()])
        .report_at(paths.app_id())
        .when_none(Wording::new(
            "Missing App",
            "The connector needs an app. Set app_id to the ID of an existing ConductorOne app, or \
             set a new_app { display_name = \"...\" } block to create a dedicated one.",
        ))
        .when_several(Wording::new(
            "Conflicting App Settings",
            "Both app_id and new_app are set, but the connector belongs to exactly one app. Keep \
             app_id to add the connector to an existing app, or keep new_app to create a dedicated \
             app for it.",
        ))
}

/// One form of the secret at most.
pub(super) fn one_form_of_the_secret() -> ConflictsWith {
    let paths = XeroIntegrationModel::paths();
    ConflictsWith::new(vec![
        paths.xero_client_secret(),
        paths.xero_client_secret_wo(),
    ])
    .report_at(paths.xero_client_secret_wo())
    .when_several(Wording::new(
        "Two Forms of the Client Secret",
        "Both xero_client_secret and xero_client_secret_wo are set. Use one: \
             xero_client_secret_wo (Terraform 1.11 or later) keeps the secret out of the state; \
             xero_client_secret stores it there, marked sensitive. Remove the other.",
    ))
}

/// A secret is useless without the client ID it belongs to.
pub(super) fn secret_needs_client_id() -> Requires {
    let paths = XeroIntegrationModel::paths();
    Requires::new(
        vec![paths.xero_client_secret(), paths.xero_client_secret_wo()],
        paths.xero_client_id(),
    )
    .when_missing(Wording::new(
        "Missing Xero Client ID",
        "A Xero client secret is set but xero_client_id is not. A secret is useless without the ID \
         of the Xero app it belongs to: set xero_client_id to that app's client ID (Xero developer \
         portal, My Apps → your app → Configuration), or remove the secret to create a delegated \
         connector.",
    ))
}

/// A secret version with no write-only secret to send does nothing (a warning).
pub(super) fn version_needs_write_only_secret() -> Requires {
    let paths = XeroIntegrationModel::paths();
    Requires::new(
        vec![paths.xero_client_secret_wo_version()],
        paths.xero_client_secret_wo(),
    )
    .as_warning()
    .when_missing(Wording::new(
        "Secret Version Without a Write-Only Secret",
        "xero_client_secret_wo_version only says when to send xero_client_secret_wo again, and \
         that is not set. Remove the version, or set xero_client_secret_wo.",
    ))
}

/// The resource's own check: waiting makes no sense for a delegated connector.
///
/// A write-only secret on a Terraform that cannot keep it out of state is refused by the
/// framework itself (at validate and plan), on `xero_client_secret_wo`.
pub(super) fn validate(
    config: &XeroIntegrationModel,
    _capabilities: ClientCapabilities,
    diags: &mut Diagnostics,
) {
    if config.wait_for_sync.known() == Some(&true) && Configured::of(config).is_delegated() {
        diags.warning_at(
            XeroIntegrationModel::paths().wait_for_sync(),
            "Nothing to Wait For",
            "wait_for_sync is true but no Xero credentials are set, so this delegated connector \
             will not sync until its owners finish the setup in ConductorOne; the provider will \
             not wait. Set the credentials, or remove wait_for_sync.",
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::framework::Value;
    use crate::provider::xero_integration::{NewAppModel, TimeoutsModel};

    fn base() -> XeroIntegrationModel {
        XeroIntegrationModel {
            app_id: "app".into(),
            ..XeroIntegrationModel::default()
        }
    }

    fn run(m: &XeroIntegrationModel, wo_allowed: bool) -> Vec<(bool, String)> {
        let mut d = Diagnostics::new();
        let caps = ClientCapabilities {
            write_only_attributes_allowed: wo_allowed,
            ..ClientCapabilities::default()
        };
        crate::framework::validate::validate_model(m, &mut d);
        validate(m, caps, &mut d);
        d.iter()
            .map(|d| {
                (
                    d.is_error(),
                    d.attribute
                        .as_ref()
                        .map(ToString::to_string)
                        .unwrap_or_default(),
                )
            })
            .collect()
    }

    #[test]
    fn each_problem_points_at_its_attribute() {
        let secret = "very-secret-value ";
        type Case = (XeroIntegrationModel, bool, Vec<(bool, &'static str)>);
        let cases: Vec<Case> = vec![
            (base(), true, vec![]),
            (
                XeroIntegrationModel {
                    app_id: Value::Unknown,
                    xero_client_id: Value::Unknown,
                    ..base()
                },
                true,
                vec![],
            ),
            (
                XeroIntegrationModel {
                    app_id: " app".into(),
                    ..base()
                },
                true,
                vec![(true, "app_id")],
            ),
            (
                XeroIntegrationModel {
                    app_id: Value::Null,
                    ..base()
                },
                true,
                vec![(true, "app_id")],
            ),
            (
                XeroIntegrationModel {
                    new_app: Value::Known(NewAppModel {
                        display_name: "".into(),
                        description: Value::Null,
                    }),
                    ..base()
                },
                true,
                vec![(true, "new_app.display_name"), (true, "app_id")],
            ),
            (
                XeroIntegrationModel {
                    xero_client_id: "116F90CBBCFB407D9645A4DBC376E52B".into(),
                    xero_client_secret: "a".into(),
                    xero_client_secret_wo: "b".into(),
                    ..base()
                },
                true,
                vec![(true, "xero_client_secret_wo")],
            ),
            (
                XeroIntegrationModel {
                    xero_client_secret: "a".into(),
                    ..base()
                },
                true,
                vec![(true, "xero_client_id")],
            ),
            (
                XeroIntegrationModel {
                    xero_client_id: "not-hex".into(),
                    xero_client_secret: "a".into(),
                    ..base()
                },
                true,
                vec![(false, "xero_client_id")],
            ),
            (
                XeroIntegrationModel {
                    xero_client_id: "116F90CBBCFB407D9645A4DBC376E52B".into(),
                    xero_client_secret_wo: "a".into(),
                    ..base()
                },
                false,
                vec![],
            ),
            (
                XeroIntegrationModel {
                    xero_client_id: "116F90CBBCFB407D9645A4DBC376E52B".into(),
                    xero_client_secret: secret.into(),
                    ..base()
                },
                true,
                vec![(true, "xero_client_secret")],
            ),
            (
                XeroIntegrationModel {
                    timeouts: Value::Known(TimeoutsModel {
                        create: "10 minutes".into(),
                        update: "1h".into(),
                    }),
                    ..base()
                },
                true,
                vec![(true, "timeouts.create")],
            ),
            (
                XeroIntegrationModel {
                    app_id: "..".into(),
                    user_ids: Value::Known(vec!["u1".into(), "a/b".into()]),
                    ..base()
                },
                true,
                vec![(true, "app_id"), (true, "user_ids[1]")],
            ),
            (
                XeroIntegrationModel {
                    user_ids: Value::Known(vec![]),
                    ..base()
                },
                true,
                vec![(true, "user_ids")],
            ),
            (
                XeroIntegrationModel {
                    user_ids: Value::Known(vec!["u".into(), "u".into()]),
                    ..base()
                },
                true,
                vec![(true, "user_ids[1]")],
            ),
        ];
        for (i, (model, wo, want)) in cases.into_iter().enumerate() {
            let got = run(&model, wo);
            let want: Vec<(bool, String)> =
                want.into_iter().map(|(e, p)| (e, p.to_owned())).collect();
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn a_secret_is_never_quoted() {
        let m = XeroIntegrationModel {
            xero_client_id: "116F90CBBCFB407D9645A4DBC376E52B".into(),
            xero_client_secret: " hunter2-secret".into(),
            ..base()
        };
        let mut d = Diagnostics::new();
        crate::framework::validate::validate_model(&m, &mut d);
        assert!(d.has_errors());
        for diag in d.iter() {
            assert!(!diag.to_string().contains("hunter2"), "{diag}");
        }
    }
}
