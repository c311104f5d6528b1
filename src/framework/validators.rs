//! Validators: small reusable checks of configuration values, each with a description that the
//! generated docs reuse.
//!
//! Attribute validators see one attribute's value; they skip null and unknown values, since a
//! required attribute's absence is Terraform's to report and an unknown value is checked again at
//! apply. Config validators see the whole configuration and check relations between attributes.

mod schedule;

use std::fmt;

pub use self::schedule::{CronExpression, TimeZoneName};
use crate::cty::{self, Path};

use super::diag::Diagnostics;
use super::walk;

/// What an attribute validator is given.
#[derive(Debug, Clone, Copy)]
pub struct ValidateAttributeRequest<'a> {
    /// Where the attribute is.
    pub path: &'a Path,
    /// The attribute's configured value: never null or unknown when a validator is called.
    pub value: &'a cty::Value,
    /// The whole configuration, for validators that compare attributes.
    pub config: &'a cty::Value,
}

/// A check of one attribute's configured value.
pub trait AttributeValidator: Send + Sync + fmt::Debug {
    /// A Markdown sentence fragment saying what is accepted, e.g. "must not be blank".
    fn description(&self) -> String;
    /// Adds a diagnostic at `req.path` when the value is not accepted.
    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics);
}

/// A check of relations between attributes of a whole configuration.
pub trait ConfigValidator: Send + Sync + fmt::Debug {
    /// A Markdown sentence saying what is required.
    fn description(&self) -> String;
    /// Adds diagnostics when the configuration is not accepted. `config` may hold unknowns.
    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics);
}

fn invalid(req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics, detail: String) {
    diagnostics.error_at(
        req.path.clone(),
        "Invalid Attribute Value",
        format!("Attribute {} {detail}.", req.path),
    );
}

/// Strings must not be empty and must not start or end with whitespace (a copy-paste slip).
#[derive(Debug, Clone, Copy, Default)]
pub struct NotBlank;

impl AttributeValidator for NotBlank {
    fn description(&self) -> String {
        "must not be empty or start or end with whitespace".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        if s.is_empty() {
            invalid(req, diagnostics, "must not be empty".to_owned());
        } else if s.trim() != s {
            invalid(
                req,
                diagnostics,
                "must not start or end with whitespace; remove the surrounding spaces".to_owned(),
            );
        }
    }
}

/// Strings must have between `min` and `max` characters (Unicode scalar values), inclusive.
#[derive(Debug, Clone, Copy)]
pub struct LengthBetween {
    /// Fewest characters accepted.
    pub min: usize,
    /// Most characters accepted.
    pub max: usize,
}

impl AttributeValidator for LengthBetween {
    fn description(&self) -> String {
        format!(
            "must be between {} and {} characters long",
            self.min, self.max
        )
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        let n = s.chars().count();
        if n < self.min || n > self.max {
            invalid(req, diagnostics, format!("{}, got {n}", self.description()));
        }
    }
}

/// Strings must be one of a fixed list.
#[derive(Debug, Clone)]
pub struct OneOf(pub Vec<String>);

impl AttributeValidator for OneOf {
    fn description(&self) -> String {
        let quoted: Vec<String> = self.0.iter().map(|v| format!("`{v}`")).collect();
        format!("must be one of {}", quoted.join(", "))
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        if !self.0.iter().any(|v| v == s) {
            // The configured value is never quoted: the attribute may be sensitive.
            invalid(
                req,
                diagnostics,
                format!(
                    "{}; the configured value (not repeated here) is none of them",
                    self.description()
                ),
            );
        }
    }
}

/// Strings must start with a fixed prefix.
#[derive(Debug, Clone)]
pub struct StartsWith(pub String);

impl AttributeValidator for StartsWith {
    fn description(&self) -> String {
        format!("must start with `{}`", self.0)
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        if !s.starts_with(&self.0) {
            invalid(req, diagnostics, self.description());
        }
    }
}

/// Strings may hold only ASCII letters, digits and the listed extra characters.
#[derive(Debug, Clone)]
pub struct AlphanumericPlus(pub String);

impl AttributeValidator for AlphanumericPlus {
    fn description(&self) -> String {
        if self.0.is_empty() {
            "may hold only ASCII letters and digits".to_owned()
        } else {
            format!("may hold only ASCII letters, digits and `{}`", self.0)
        }
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        if let Some(bad) = s
            .chars()
            .find(|c| !c.is_ascii_alphanumeric() && !self.0.contains(*c))
        {
            invalid(
                req,
                diagnostics,
                format!("{}; {bad:?} is not allowed", self.description()),
            );
        }
    }
}

/// Numbers must be integers between `min` and `max`, inclusive.
#[derive(Debug, Clone, Copy)]
pub struct IntBetween {
    /// Smallest accepted value.
    pub min: i64,
    /// Largest accepted value.
    pub max: i64,
}

impl AttributeValidator for IntBetween {
    fn description(&self) -> String {
        format!(
            "must be a whole number between {} and {}",
            self.min, self.max
        )
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(n) = req.value.as_number() else {
            return;
        };
        match n.as_i64() {
            Some(i) if (self.min..=self.max).contains(&i) => {}
            _ => invalid(req, diagnostics, format!("{}, got {n}", self.description())),
        }
    }
}

fn is_set(config: &cty::Value, path: &Path) -> bool {
    walk::get(config, path).is_some_and(|v| !v.is_null())
}

fn list_paths(paths: &[Path]) -> String {
    paths
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// At most one of these attributes may be set.
#[derive(Debug, Clone)]
pub struct ConflictsWith(pub Vec<Path>);

impl ConfigValidator for ConflictsWith {
    fn description(&self) -> String {
        format!("At most one of {} may be set.", list_paths(&self.0))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let set: Vec<&Path> = self.0.iter().filter(|p| is_set(config, p)).collect();
        if set.len() > 1 {
            diagnostics.error_at(
                set[1].clone(),
                "Conflicting Attributes",
                format!("{} Remove all but one of them.", self.description()),
            );
        }
    }
}

/// Exactly one of these attributes must be set (unknown counts as set: it will be at apply).
#[derive(Debug, Clone)]
pub struct ExactlyOneOf(pub Vec<Path>);

impl ConfigValidator for ExactlyOneOf {
    fn description(&self) -> String {
        format!("Exactly one of {} must be set.", list_paths(&self.0))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let set: Vec<&Path> = self.0.iter().filter(|p| is_set(config, p)).collect();
        match set.len() {
            1 => {}
            0 => diagnostics.error(
                "Missing Attribute",
                format!("{} Set one of them.", self.description()),
            ),
            _ => diagnostics.error_at(
                set[1].clone(),
                "Conflicting Attributes",
                format!("{} Remove all but one of them.", self.description()),
            ),
        }
    }
}

/// These attributes must be set together or not at all.
#[derive(Debug, Clone)]
pub struct RequiredTogether(pub Vec<Path>);

impl ConfigValidator for RequiredTogether {
    fn description(&self) -> String {
        format!("{} must be set together.", list_paths(&self.0))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let count = self.0.iter().filter(|p| is_set(config, p)).count();
        if count != 0
            && count != self.0.len()
            && let Some(missing) = self.0.iter().find(|p| !is_set(config, p))
        {
            diagnostics.error_at(
                missing.clone(),
                "Missing Attribute",
                format!("{} Set the missing one.", self.description()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn run(v: &dyn AttributeValidator, value: cty::Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let path = Path::attr("x");
        v.validate(
            &ValidateAttributeRequest {
                path: &path,
                value: &value,
                config: &cty::Value::Null,
            },
            &mut diags,
        );
        diags
    }

    fn s(v: &str) -> cty::Value {
        cty::Value::String(v.to_owned())
    }

    #[test]
    fn one_of_never_quotes_the_configured_value() {
        let d = run(&OneOf(vec!["a".into(), "b".into()]), s("hunter2-secret"));
        assert!(d.has_errors());
        for diag in d.iter() {
            assert!(!diag.to_string().contains("hunter2"), "{diag}");
        }
    }

    #[test]
    fn attribute_validators_table() {
        let prefix = StartsWith("c1_".into());
        let chars = AlphanumericPlus("-_".into());
        let cases: Vec<(&dyn AttributeValidator, cty::Value, bool)> = vec![
            (&NotBlank, s("ok"), true),
            (&NotBlank, s(""), false),
            (&NotBlank, s(" padded"), false),
            (&NotBlank, s("tab\t"), false),
            (&LengthBetween { min: 2, max: 3 }, s("ab"), true),
            (&LengthBetween { min: 2, max: 3 }, s("abcd"), false),
            (&LengthBetween { min: 2, max: 3 }, s("é"), false),
            (&prefix, s("c1_x"), true),
            (&prefix, s("x"), false),
            (&chars, s("a-b_9"), true),
            (&chars, s("a b"), false),
            (
                &IntBetween { min: 1, max: 5 },
                cty::Value::Number(crate::cty::Number::Int(5)),
                true,
            ),
            (
                &IntBetween { min: 1, max: 5 },
                cty::Value::Number(crate::cty::Number::Int(6)),
                false,
            ),
            (
                &IntBetween { min: 1, max: 5 },
                cty::Value::Number(crate::cty::Number::Float(1.5)),
                false,
            ),
        ];
        for (validator, value, ok) in cases {
            let diags = run(validator, value.clone());
            assert_eq!(
                !diags.has_errors(),
                ok,
                "{validator:?} on {value:?}: {diags:?}"
            );
            if !ok {
                assert_eq!(
                    diags.iter().next().and_then(|d| d.attribute.clone()),
                    Some(Path::attr("x"))
                );
            }
        }
        let one_of = OneOf(vec!["a".into(), "b".into()]);
        assert!(!run(&one_of, s("a")).has_errors());
        assert!(run(&one_of, s("c")).has_errors());
        assert_eq!(one_of.description(), "must be one of `a`, `b`");
    }

    fn config(pairs: &[(&str, cty::Value)]) -> cty::Value {
        cty::Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn config_validators_table() {
        let ab = vec![Path::attr("a"), Path::attr("b")];
        let both = config(&[("a", s("1")), ("b", s("2"))]);
        let only_a = config(&[("a", s("1")), ("b", cty::Value::Null)]);
        let unknown_a = config(&[("a", cty::Value::unknown()), ("b", cty::Value::Null)]);
        let none = config(&[("a", cty::Value::Null), ("b", cty::Value::Null)]);
        let conflicts = ConflictsWith(ab.clone());
        let exactly = ExactlyOneOf(ab.clone());
        let together = RequiredTogether(ab);
        let cases: Vec<(&dyn ConfigValidator, &cty::Value, bool)> = vec![
            (&conflicts, &both, false),
            (&conflicts, &only_a, true),
            (&conflicts, &none, true),
            (&exactly, &none, false),
            (&exactly, &both, false),
            (&exactly, &unknown_a, true),
            (&together, &only_a, false),
            (&together, &both, true),
            (&together, &none, true),
        ];
        for (validator, value, ok) in cases {
            let mut diags = Diagnostics::new();
            validator.validate(value, &mut diags);
            assert_eq!(!diags.has_errors(), ok, "{validator:?} on {value:?}");
        }
    }
}
