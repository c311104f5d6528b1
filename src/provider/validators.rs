//! Validators in this provider's own terms, declared with the schemas (`#[terraform(validate(…))]`)
//! next to the framework's generic ones.

use crate::framework::Diagnostics;
#[cfg(test)]
use crate::framework::Path;
use crate::framework::validators::{AttributeValidator, ValidateAttributeRequest};

use super::ids::refuse_unplain_id;
use super::sync_wait::{invalid_timeout, parse_go_duration};

/// A ConductorOne ID: letters and digits only, so that it stays one segment of a request path.
/// Empty values and surrounding whitespace are [`NotBlank`]'s to report.
///
/// [`NotBlank`]: crate::framework::validators::NotBlank
#[derive(Debug, Clone, Copy, Default)]
pub struct ConductorOneId;

impl AttributeValidator for ConductorOneId {
    fn description(&self) -> String {
        "must be a ConductorOne ID (letters and digits)".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        if let Some(id) = req.value.as_str().filter(|s| s.trim() == *s) {
            refuse_unplain_id(id, req.path.clone(), diagnostics);
        }
    }
}

/// A Go duration (`"90s"`, `"10m"`, `"1h30m"`), with the provider's one "Invalid Timeout" wording.
#[derive(Debug, Clone, Copy, Default)]
pub struct GoDuration;

impl AttributeValidator for GoDuration {
    fn description(&self) -> String {
        "must be a Go duration such as `90s`, `10m` or `1h30m`".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(text) = req.value.as_str() else {
            return;
        };
        if let Err(e) = parse_go_duration(text) {
            invalid_timeout(req.path.clone(), &req.path.to_string(), &e, diagnostics);
        }
    }
}

/// Connector owners: a list that is not empty. ConductorOne gives every connector an owner (for
/// an empty list, the API client's user), so `[]` could never be what the state holds.
#[derive(Debug, Clone, Copy, Default)]
pub struct HasOwner;

impl AttributeValidator for HasOwner {
    fn description(&self) -> String {
        "must list at least one owner".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        if req.value.as_elements().is_some_and(<[_]>::is_empty) {
            let name = req.path;
            diagnostics.error_at(
                name.clone(),
                "No Connector Owners",
                format!(
                    "{name} is an empty list, but a connector always has at least one owner: \
                     ConductorOne would make the API client's user the owner instead. List the user \
                     IDs of the owners, or remove {name} to let ConductorOne choose (the owners it \
                     chooses are kept on later updates)."
                ),
            );
        }
    }
}

/// The apps a list looks in: when set, at least one. Leaving the list out looks in every app, so
/// an empty list, which would look in none, is surely a mistake.
#[derive(Debug, Clone, Copy, Default)]
pub struct NamesApps;

impl AttributeValidator for NamesApps {
    fn description(&self) -> String {
        "must name at least one app when set".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        if req.value.as_elements().is_some_and(<[_]>::is_empty) {
            let name = req.path;
            diagnostics.error_at(
                name.clone(),
                "No App to List",
                format!(
                    "{name} is an empty list, so there is nothing to look in. Name at least one \
                     ConductorOne app, or leave {name} out to list the Xero connectors of every app."
                ),
            );
        }
    }
}

/// Xero client IDs are 32 hexadecimal characters; anything else is likely the app name or the
/// secret pasted by mistake. A warning, since Xero's format is not a documented guarantee.
#[derive(Debug, Clone, Copy, Default)]
pub struct XeroClientIdShape;

impl AttributeValidator for XeroClientIdShape {
    fn description(&self) -> String {
        "should be 32 hexadecimal characters, as Xero's client IDs are".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(id) = req.value.as_str() else {
            return;
        };
        let blank = id.is_empty() || id.trim() != id;
        let xero_shaped = id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit());
        if !blank && !xero_shaped {
            diagnostics.warning_at(
                req.path.clone(),
                "Unusual Xero Client ID",
                format!(
                    "Xero client IDs are 32 hexadecimal characters (e.g. \
                     116F90CBBCFB407D9645A4DBC376E52B), and {} is not. Check that you copied the \
                     client ID, not the app name or the secret, from Xero's developer portal.",
                    req.path
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cty::Value;

    fn run(v: &dyn AttributeValidator, value: Value) -> Vec<(bool, String)> {
        let mut d = Diagnostics::new();
        let path = Path::attr("x");
        v.validate(
            &ValidateAttributeRequest {
                path: &path,
                value: &value,
                config: &Value::Null,
                sensitive: false,
            },
            &mut d,
        );
        d.iter()
            .map(|d| (d.is_error(), d.summary.clone()))
            .collect()
    }

    #[test]
    fn each_validator_accepts_the_good_and_names_the_bad() {
        let s = |t: &str| Value::String(t.to_owned());
        assert!(run(&ConductorOneId, s("2Yoxoe8HkSYWbW6VZ7Fy0h6cFko")).is_empty());
        assert_eq!(
            run(&ConductorOneId, s("..")),
            [(true, "Invalid ConductorOne ID".to_owned())]
        );
        assert!(
            run(&ConductorOneId, s(" padded ")).is_empty(),
            "NotBlank's job"
        );
        assert!(run(&GoDuration, s("1h30m")).is_empty());
        assert_eq!(
            run(&GoDuration, s("10 minutes")),
            [(true, "Invalid Timeout".to_owned())]
        );
        assert!(run(&HasOwner, Value::List(vec![s("u")])).is_empty());
        assert_eq!(
            run(&HasOwner, Value::List(vec![])),
            [(true, "No Connector Owners".to_owned())]
        );
        assert!(run(&NamesApps, Value::List(vec![s("a")])).is_empty());
        assert_eq!(
            run(&NamesApps, Value::List(vec![])),
            [(true, "No App to List".to_owned())]
        );
        assert!(run(&XeroClientIdShape, s("116F90CBBCFB407D9645A4DBC376E52B")).is_empty());
        assert_eq!(
            run(&XeroClientIdShape, s("my-app")),
            [(false, "Unusual Xero Client ID".to_owned())]
        );
    }
}
