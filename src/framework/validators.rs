//! Validators: small reusable checks of configuration values, each with a description that the
//! generated docs reuse.
//!
//! Attribute validators see one attribute's value; they skip null and unknown values, since a
//! required attribute's absence is Terraform's to report and an unknown value is checked again at
//! apply. Config validators see the whole configuration and check relations between attributes.

use std::fmt;

use crate::cty::{self, Path};

use super::diag::{Diagnostics, Severity};
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
    /// Whether the attribute is sensitive (or write-only): its value must never be quoted.
    pub sensitive: bool,
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

/// Strings must not be empty and must not start or end with whitespace (a copy-paste slip that
/// an API would take literally). A sensitive value is never quoted.
#[derive(Debug, Clone, Copy, Default)]
pub struct NotBlank;

impl AttributeValidator for NotBlank {
    fn description(&self) -> String {
        "must not be empty or start or end with whitespace".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(s) = req.value.as_str() else { return };
        let name = req.path;
        if s.trim().is_empty() {
            let what = if s.is_empty() {
                "an empty string"
            } else {
                "nothing but whitespace"
            };
            diagnostics.error_at(
                name.clone(),
                "Empty Value",
                format!(
                    "{name} is set to {what}. Give it a value, or remove it from the \
                     configuration."
                ),
            );
        } else if s.trim() != s {
            let shown = if req.sensitive {
                String::new()
            } else {
                format!(" ({s:?})")
            };
            diagnostics.error_at(
                name.clone(),
                "Value Has Surrounding Whitespace",
                format!(
                    "{name}{shown} starts or ends with spaces, tabs or a line break, which would be \
                     sent as part of the value. Remove them (e.g. with trimspace())."
                ),
            );
        }
    }
}

/// Applies a validator to every element of a list or set, each at its own index path.
#[derive(Debug, Clone, Copy, Default)]
pub struct Each<V>(pub V);

impl<V: AttributeValidator> AttributeValidator for Each<V> {
    fn description(&self) -> String {
        format!("(each element) {}", self.0.description())
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(items) = req.value.as_elements() else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if item.is_null() || item.is_unknown() {
                continue;
            }
            let path = req.path.join_index(i64::try_from(i).unwrap_or(i64::MAX));
            self.0.validate(
                &ValidateAttributeRequest {
                    path: &path,
                    value: item,
                    ..*req
                },
                diagnostics,
            );
        }
    }
}

/// A list must not hold the same value twice; the second occurrence is reported.
#[derive(Debug, Clone, Copy, Default)]
pub struct Distinct;

impl AttributeValidator for Distinct {
    fn description(&self) -> String {
        "must not hold the same value twice".to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(items) = req.value.as_elements() else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            if item.is_unknown() || !items[..i].contains(item) {
                continue;
            }
            let path = req.path.join_index(i64::try_from(i).unwrap_or(i64::MAX));
            diagnostics.error_at(
                path,
                "Duplicate Element",
                format!(
                    "This value appears more than once in {}. List each value once.",
                    req.path
                ),
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

/// A summary and detail that replace a config validator's generic wording, for a relation that
/// deserves a sentence about why it holds and how to fix it.
#[derive(Debug, Clone)]
pub struct Wording {
    /// The diagnostic's summary.
    pub summary: &'static str,
    /// The diagnostic's detail.
    pub detail: &'static str,
}

impl Wording {
    /// A summary and detail.
    #[must_use]
    pub const fn new(summary: &'static str, detail: &'static str) -> Self {
        Self { summary, detail }
    }
}

/// Reports `generic` (summary, detail) or `custom` instead at `at` (or on the whole config).
fn report(
    diagnostics: &mut Diagnostics,
    severity: Severity,
    at: Option<Path>,
    custom: Option<&Wording>,
    generic: (&str, String),
) {
    let (summary, detail) = match custom {
        Some(w) => (w.summary.to_owned(), w.detail.to_owned()),
        None => (generic.0.to_owned(), generic.1),
    };
    match (severity, at) {
        (Severity::Error, Some(p)) => diagnostics.error_at(p, summary, detail),
        (Severity::Error, None) => diagnostics.error(summary, detail),
        (Severity::Warning, Some(p)) => diagnostics.warning_at(p, summary, detail),
        (Severity::Warning, None) => diagnostics.warning(summary, detail),
    }
}

/// At most one of these attributes may be set.
#[derive(Debug, Clone)]
pub struct ConflictsWith {
    paths: Vec<Path>,
    report_at: Option<Path>,
    several: Option<Wording>,
}

impl ConflictsWith {
    /// At most one of `paths`; the problem is reported on the second one set.
    #[must_use]
    pub fn new(paths: Vec<Path>) -> Self {
        Self {
            paths,
            report_at: None,
            several: None,
        }
    }

    /// Reports the problem at `path` instead (Terraform can point at an attribute's line, not
    /// at a block's).
    #[must_use]
    pub fn report_at(mut self, path: Path) -> Self {
        self.report_at = Some(path);
        self
    }

    /// Words the problem in the resource's own terms.
    #[must_use]
    pub fn when_several(mut self, wording: Wording) -> Self {
        self.several = Some(wording);
        self
    }
}

impl ConfigValidator for ConflictsWith {
    fn description(&self) -> String {
        format!("At most one of {} may be set.", list_paths(&self.paths))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let set: Vec<&Path> = self.paths.iter().filter(|p| is_set(config, p)).collect();
        if set.len() > 1 {
            let at = self.report_at.clone().unwrap_or_else(|| set[1].clone());
            report(
                diagnostics,
                Severity::Error,
                Some(at),
                self.several.as_ref(),
                (
                    "Conflicting Attributes",
                    format!("{} Remove all but one of them.", self.description()),
                ),
            );
        }
    }
}

/// Exactly one of these attributes must be set (unknown counts as set: it will be at apply).
#[derive(Debug, Clone)]
pub struct ExactlyOneOf {
    paths: Vec<Path>,
    report_at: Option<Path>,
    none: Option<Wording>,
    several: Option<Wording>,
}

impl ExactlyOneOf {
    /// Exactly one of `paths`.
    #[must_use]
    pub fn new(paths: Vec<Path>) -> Self {
        Self {
            paths,
            report_at: None,
            none: None,
            several: None,
        }
    }

    /// Reports both problems at `path` (by default: none set on the whole configuration, several
    /// on the second one set).
    #[must_use]
    pub fn report_at(mut self, path: Path) -> Self {
        self.report_at = Some(path);
        self
    }

    /// Words "none is set" in the resource's own terms.
    #[must_use]
    pub fn when_none(mut self, wording: Wording) -> Self {
        self.none = Some(wording);
        self
    }

    /// Words "several are set" in the resource's own terms.
    #[must_use]
    pub fn when_several(mut self, wording: Wording) -> Self {
        self.several = Some(wording);
        self
    }
}

impl ConfigValidator for ExactlyOneOf {
    fn description(&self) -> String {
        format!("Exactly one of {} must be set.", list_paths(&self.paths))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let set: Vec<&Path> = self.paths.iter().filter(|p| is_set(config, p)).collect();
        match set.len() {
            1 => {}
            0 => report(
                diagnostics,
                Severity::Error,
                self.report_at.clone(),
                self.none.as_ref(),
                (
                    "Missing Attribute",
                    format!("{} Set one of them.", self.description()),
                ),
            ),
            _ => report(
                diagnostics,
                Severity::Error,
                Some(self.report_at.clone().unwrap_or_else(|| set[1].clone())),
                self.several.as_ref(),
                (
                    "Conflicting Attributes",
                    format!("{} Remove all but one of them.", self.description()),
                ),
            ),
        }
    }
}

/// These attributes must be set together or not at all.
#[derive(Debug, Clone)]
pub struct RequiredTogether {
    paths: Vec<Path>,
}

impl RequiredTogether {
    /// All of `paths` or none.
    #[must_use]
    pub fn new(paths: Vec<Path>) -> Self {
        Self { paths }
    }
}

impl ConfigValidator for RequiredTogether {
    fn description(&self) -> String {
        format!("{} must be set together.", list_paths(&self.paths))
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let count = self.paths.iter().filter(|p| is_set(config, p)).count();
        if count != 0
            && count != self.paths.len()
            && let Some(missing) = self.paths.iter().find(|p| !is_set(config, p))
        {
            diagnostics.error_at(
                missing.clone(),
                "Missing Attribute",
                format!("{} Set the missing one.", self.description()),
            );
        }
    }
}

/// When any of `when` is set, `needs` must be set too (a one-way "requires"; unknown counts as
/// set). A warning when what is missing only makes the others pointless.
#[derive(Debug, Clone)]
pub struct Requires {
    when: Vec<Path>,
    needs: Path,
    severity: Severity,
    report_at: Option<Path>,
    missing: Option<Wording>,
}

impl Requires {
    /// Any of `when` set needs `needs`; reported as an error on `needs`.
    #[must_use]
    pub fn new(when: Vec<Path>, needs: Path) -> Self {
        Self {
            when,
            needs,
            severity: Severity::Error,
            report_at: None,
            missing: None,
        }
    }

    /// Reports a warning instead of an error, on the first of `when` that is set.
    #[must_use]
    pub fn as_warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Reports the problem at `path`.
    #[must_use]
    pub fn report_at(mut self, path: Path) -> Self {
        self.report_at = Some(path);
        self
    }

    /// Words the problem in the resource's own terms.
    #[must_use]
    pub fn when_missing(mut self, wording: Wording) -> Self {
        self.missing = Some(wording);
        self
    }
}

impl ConfigValidator for Requires {
    fn description(&self) -> String {
        format!("{} needs `{}`.", list_paths(&self.when), self.needs)
    }

    fn validate(&self, config: &cty::Value, diagnostics: &mut Diagnostics) {
        let Some(first) = self.when.iter().find(|p| is_set(config, p)) else {
            return;
        };
        if is_set(config, &self.needs) {
            return;
        }
        let at = self
            .report_at
            .clone()
            .unwrap_or_else(|| match self.severity {
                Severity::Error => self.needs.clone(),
                Severity::Warning => first.clone(),
            });
        report(
            diagnostics,
            self.severity,
            Some(at),
            self.missing.as_ref(),
            (
                "Missing Attribute",
                format!("`{first}` is set, so `{}` must be set too.", self.needs),
            ),
        );
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
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
                sensitive: false,
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
        let conflicts = ConflictsWith::new(ab.clone());
        let exactly = ExactlyOneOf::new(ab.clone());
        let together = RequiredTogether::new(ab);
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

    #[test]
    fn requires_and_custom_wording() {
        let (a, b) = (Path::attr("a"), Path::attr("b"));
        let only_a = config(&[("a", s("1")), ("b", cty::Value::Null)]);
        let both = config(&[("a", s("1")), ("b", s("2"))]);
        let none = config(&[("a", cty::Value::Null), ("b", cty::Value::Null)]);
        let requires = Requires::new(vec![a.clone()], b.clone());
        for (value, ok) in [(&only_a, false), (&both, true), (&none, true)] {
            let mut diags = Diagnostics::new();
            requires.validate(value, &mut diags);
            assert_eq!(!diags.has_errors(), ok, "{value:?}");
        }
        let mut diags = Diagnostics::new();
        requires.validate(&only_a, &mut diags);
        assert_eq!(diags.iter().next().unwrap().attribute, Some(b.clone()));

        let warning = Requires::new(vec![a.clone()], b.clone())
            .as_warning()
            .when_missing(Wording::new("Pointless A", "A does nothing without B."));
        let mut diags = Diagnostics::new();
        warning.validate(&only_a, &mut diags);
        let d = diags.iter().next().unwrap();
        assert!(!d.is_error());
        assert_eq!(
            (d.summary.as_str(), d.attribute.clone()),
            ("Pointless A", Some(a.clone()))
        );

        let exactly = ExactlyOneOf::new(vec![a.clone(), b.clone()])
            .report_at(a.clone())
            .when_none(Wording::new("No Thing", "Set a or b."))
            .when_several(Wording::new("Two Things", "Keep a or b."));
        for (value, summary) in [(&none, "No Thing"), (&both, "Two Things")] {
            let mut diags = Diagnostics::new();
            exactly.validate(value, &mut diags);
            let d = diags.iter().next().unwrap();
            assert_eq!(
                (d.summary.as_str(), d.attribute.clone()),
                (summary, Some(a.clone()))
            );
        }
    }

    #[test]
    fn each_and_distinct_report_the_element() {
        let list = cty::Value::List(vec![s("u1"), s(" u2"), s("u1")]);
        let diags = run(&Each(NotBlank), list.clone());
        let at: Vec<String> = diags
            .iter()
            .map(|d| d.attribute.clone().unwrap().to_string())
            .collect();
        assert_eq!(at, ["x[1]"]);
        let diags = run(&Distinct, list);
        let at: Vec<String> = diags
            .iter()
            .map(|d| d.attribute.clone().unwrap().to_string())
            .collect();
        assert_eq!(at, ["x[2]"]);
    }

    #[test]
    fn not_blank_quotes_only_values_that_are_not_sensitive() {
        let value = s(" hunter2");
        let path = Path::attr("x");
        for sensitive in [false, true] {
            let mut diags = Diagnostics::new();
            NotBlank.validate(
                &ValidateAttributeRequest {
                    path: &path,
                    value: &value,
                    config: &cty::Value::Null,
                    sensitive,
                },
                &mut diags,
            );
            let text = diags.iter().next().unwrap().to_string();
            assert_eq!(text.contains("hunter2"), !sensitive, "{text}");
        }
    }
}
