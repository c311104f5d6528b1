//! Configuration checks that need no network: each problem is a diagnostic on its attribute with
//! what is wrong and how to fix it. Unknown values pass; they are checked once known (at apply).

use super::XeroIntegrationModel;
use super::credentials::{Configured, SECRET, SECRET_WO};
use crate::framework::Path;
use crate::framework::{ClientCapabilities, Diagnostics, Value};
use crate::provider::ids::refuse_unplain_id;
use crate::provider::sync_wait::parse_go_duration;

/// Checks `config`.
///
/// A write-only secret on a Terraform that cannot keep it out of state is refused by the
/// framework itself (at validate and plan), on `xero_client_secret_wo`.
pub(super) fn validate(
    config: &XeroIntegrationModel,
    _capabilities: ClientCapabilities,
    diags: &mut Diagnostics,
) {
    let plain = |attr: &str| Path::attr(attr);
    not_blank(&config.app_id, plain("app_id"), false, diags);
    if let Some(id) = config.app_id.as_str().filter(|s| s.trim() == *s) {
        refuse_unplain_id(id, plain("app_id"), diags);
    }
    if let Some(app) = config.new_app.known() {
        not_blank(
            &app.display_name,
            plain("new_app").join_attr("display_name"),
            false,
            diags,
        );
        not_blank(
            &app.description,
            plain("new_app").join_attr("description"),
            false,
            diags,
        );
    }
    if let Some(ids) = config.user_ids.known() {
        if ids.is_empty() {
            // ConductorOne gives every connector an owner: for an empty list it makes the API
            // client's user the owner, so [] could never be what the state holds.
            diags.error_at(
                plain("user_ids"),
                "No Connector Owners",
                "user_ids is an empty list, but a connector always has at least one owner: ConductorOne \
                 would make the API client's user the owner instead. List the user IDs of the owners, or \
                 remove user_ids to let ConductorOne choose (the owners it chooses are kept on later \
                 updates).",
            );
        }
        for (i, id) in ids.iter().enumerate() {
            let path = plain("user_ids").join_index(i64::try_from(i).unwrap_or(i64::MAX));
            not_blank_str(id, path.clone(), false, diags);
            if id.trim() == id {
                refuse_unplain_id(id, path.clone(), diags);
            }
            if ids[..i].contains(id) {
                diags.error_at(
                    path,
                    "Duplicate Owner",
                    "This user ID appears more than once in user_ids. List each owner once.",
                );
            }
        }
    }
    not_blank(
        &config.xero_client_id,
        plain("xero_client_id"),
        false,
        diags,
    );
    not_blank(&config.xero_client_secret, plain(SECRET), true, diags);
    not_blank(&config.xero_client_secret_wo, plain(SECRET_WO), true, diags);

    match (config.app_id.is_null(), config.new_app.is_null()) {
        // On app_id: Terraform can point at an attribute's line, not at a block's.
        (false, false) => diags.error_at(
            plain("app_id"),
            "Conflicting App Settings",
            "Both app_id and new_app are set, but the connector belongs to exactly one app. Keep app_id to \
             add the connector to an existing app, or keep new_app to create a dedicated app for it.",
        ),
        (true, true) => diags.error_at(
            plain("app_id"),
            "Missing App",
            "The connector needs an app. Set app_id to the ID of an existing ConductorOne app, or set \
             a new_app { display_name = \"...\" } block to create a dedicated one.",
        ),
        _ => {}
    }

    let has_secret =
        !config.xero_client_secret.is_null() || !config.xero_client_secret_wo.is_null();
    if !config.xero_client_secret.is_null() && !config.xero_client_secret_wo.is_null() {
        diags.error_at(
            plain(SECRET_WO),
            "Two Forms of the Client Secret",
            "Both xero_client_secret and xero_client_secret_wo are set. Use one: xero_client_secret_wo \
             (Terraform 1.11 or later) keeps the secret out of the state; xero_client_secret stores it there, \
             marked sensitive. Remove the other.",
        );
    }
    if has_secret && config.xero_client_id.is_null() {
        diags.error_at(
            plain("xero_client_id"),
            "Missing Xero Client ID",
            "A Xero client secret is set but xero_client_id is not. A secret is useless without the ID of \
             the Xero app it belongs to: set xero_client_id to that app's client ID (Xero developer portal, \
             My Apps → your app → Configuration), or remove the secret to create a delegated connector.",
        );
    }
    if !config.xero_client_secret_wo_version.is_null() && config.xero_client_secret_wo.is_null() {
        diags.warning_at(
            plain("xero_client_secret_wo_version"),
            "Secret Version Without a Write-Only Secret",
            "xero_client_secret_wo_version only says when to send xero_client_secret_wo again, and that is not \
             set. Remove the version, or set xero_client_secret_wo.",
        );
    }
    if let Some(id) = config.xero_client_id.as_str()
        && !id.is_empty()
        && id.trim() == id
        && !(id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
    {
        diags.warning_at(
            plain("xero_client_id"),
            "Unusual Xero Client ID",
            "Xero client IDs are 32 hexadecimal characters (e.g. 116F90CBBCFB407D9645A4DBC376E52B), and this \
             one is not. Check that you copied the client ID, not the app name or the secret, from Xero's \
             developer portal.",
        );
    }
    if config.wait_for_sync.known() == Some(&true) && Configured::of(config).is_delegated() {
        diags.warning_at(
            plain("wait_for_sync"),
            "Nothing to Wait For",
            "wait_for_sync is true but no Xero credentials are set, so this delegated connector will not sync \
             until its owners finish the setup in ConductorOne; the provider will not wait. Set the \
             credentials, or remove wait_for_sync.",
        );
    }
    if let Some(t) = config.timeouts.known() {
        for (name, value) in [("create", &t.create), ("update", &t.update)] {
            if let Some(text) = value.as_str()
                && let Err(e) = parse_go_duration(text)
            {
                crate::provider::sync_wait::invalid_timeout(
                    plain("timeouts").join_attr(name),
                    &format!("timeouts.{name}"),
                    &e,
                    diags,
                );
            }
        }
    }
    super::sync_controls::validate(config, diags);
}

fn not_blank(value: &Value<String>, path: Path, secret: bool, diags: &mut Diagnostics) {
    if let Some(s) = value.as_str() {
        not_blank_str(s, path, secret, diags);
    }
}

/// Empty strings and surrounding whitespace are refused: a copy-paste slip that the API would take
/// literally. A secret's value is never quoted.
fn not_blank_str(s: &str, path: Path, secret: bool, diags: &mut Diagnostics) {
    let name = path.to_string();
    if s.is_empty() {
        diags.error_at(
            path,
            "Empty Value",
            format!("{name} is set to an empty string. Give it a value, or remove it from the configuration."),
        );
    } else if s.trim() != s {
        let shown = if secret {
            String::new()
        } else {
            format!(" ({s:?})")
        };
        diags.error_at(
            path,
            "Value Has Surrounding Whitespace",
            format!(
                "{name}{shown} starts or ends with spaces, tabs or a line break, which would be sent as part of \
                 the value. Remove them (e.g. with trimspace())."
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
        validate(&m, ClientCapabilities::default(), &mut d);
        assert!(d.has_errors());
        for diag in d.iter() {
            assert!(!diag.to_string().contains("hunter2"), "{diag}");
        }
    }
}
