//! Validators for schedules: a five-field cron expression and an IANA time zone name.
//!
//! Both check form only. Which cron dialect a server speaks, and which zones its time zone
//! database holds, are the server's to judge: these catch what is wrong in every dialect and
//! every database (a missing field, a minute of 60, `europe/london`, `+02:00`), so that the
//! plan fails on the attribute instead of the apply failing on the server.

use super::{AttributeValidator, ValidateAttributeRequest};
use crate::framework::diag::Diagnostics;

/// One field of a five-field cron expression.
struct CronField {
    name: &'static str,
    min: u32,
    max: u32,
    /// Three-letter names accepted for values, from `min` on (case-insensitive).
    names: &'static [&'static str],
}

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

const FIELDS: [CronField; 5] = [
    CronField {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    CronField {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    CronField {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    CronField {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    // 7 is Sunday as well as 0 in the common dialects; a server that disagrees says so.
    CronField {
        name: "day of week",
        min: 0,
        max: 7,
        names: WEEKDAYS,
    },
];

impl CronField {
    fn value(&self, text: &str) -> Result<u32, String> {
        if let Some(i) = self.names.iter().position(|n| n.eq_ignore_ascii_case(text)) {
            return Ok(self.min + u32::try_from(i).unwrap_or(0));
        }
        let n: u32 = text.parse().map_err(|_| {
            let names = if self.names.is_empty() {
                String::new()
            } else {
                format!(" or a name such as {}", self.names[0])
            };
            format!("{text:?} is not a number{names}")
        })?;
        if n < self.min || n > self.max {
            return Err(format!("{n} is outside {}–{}", self.min, self.max));
        }
        Ok(n)
    }

    /// Checks one comma-separated item: `*`, `N`, `N-M`, each optionally `/STEP`.
    fn item(&self, item: &str) -> Result<(), String> {
        let (base, step) = match item.split_once('/') {
            Some((b, s)) => (b, Some(s)),
            None => (item, None),
        };
        if let Some(step) = step {
            match step.parse::<u32>() {
                Ok(s) if s >= 1 && s <= self.max => {}
                _ => {
                    return Err(format!(
                        "step {step:?} must be a whole number from 1 to {}",
                        self.max
                    ));
                }
            }
        }
        if base == "*" {
            return Ok(());
        }
        match base.split_once('-') {
            Some((from, to)) => {
                let (a, b) = (self.value(from)?, self.value(to)?);
                if a > b {
                    return Err(format!("the range {base:?} runs backwards"));
                }
                Ok(())
            }
            None => self.value(base).map(drop),
        }
    }

    fn check(&self, text: &str) -> Result<(), String> {
        for item in text.split(',') {
            if item.is_empty() {
                return Err("it has an empty list item".to_owned());
            }
            self.item(item)?;
        }
        Ok(())
    }
}

/// Why `spec` is not a five-field cron expression, or `None` when it is one.
fn cron_problem(spec: &str) -> Option<String> {
    let fields: Vec<&str> = spec.split_whitespace().collect();
    if spec.trim_start().starts_with('@') {
        return Some(
            "is a shorthand (such as @daily); write the five fields instead, e.g. \"0 0 * * *\""
                .to_owned(),
        );
    }
    if fields.len() != 5 {
        return Some(format!(
            "has {} fields, but a cron expression here has five: minute, hour, day of month, \
             month, day of week (no seconds or year field), e.g. \"0 2 * * *\" for 02:00 daily",
            fields.len()
        ));
    }
    FIELDS.iter().zip(&fields).find_map(|(field, text)| {
        field
            .check(text)
            .err()
            .map(|why| format!("has an invalid {} field {text:?}: {why}", field.name))
    })
}

/// Strings must be five-field cron expressions: minute, hour, day of month, month, day of
/// week, each `*`, a value, a range, a list of them, or any of those with a `/step`.
#[derive(Debug, Clone, Copy, Default)]
pub struct CronExpression;

impl AttributeValidator for CronExpression {
    fn description(&self) -> String {
        "must be a five-field cron expression (minute, hour, day of month, month, day of week), \
         e.g. `0 2 * * *`; shorthands such as `@daily` and seconds fields are refused"
            .to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(spec) = req.value.as_str() else {
            return;
        };
        if let Some(why) = cron_problem(spec) {
            diagnostics.error_at(
                req.path.clone(),
                "Invalid Cron Expression",
                format!(
                    "{} {spec:?} {why}. Fix the expression; each field takes `*`, a number, a range \
                     (`1-5`), a list (`1,15`) or a step (`*/15`).",
                    req.path
                ),
            );
        }
    }
}

/// Why `name` cannot be an IANA time zone name, or `None` when it may be one.
fn zone_problem(name: &str) -> Option<&'static str> {
    if name == "Local" {
        return Some(
            "means the server's own zone, not a place; name the zone, e.g. \"Europe/London\"",
        );
    }
    let well_formed = !name.is_empty()
        && name.split('/').all(|part| {
            part.starts_with(|c: char| c.is_ascii_uppercase())
                && part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+' | '.'))
        });
    (!well_formed).then_some(
        "is not an IANA time zone name: those are Area/Location names such as \"America/New_York\" \
         or \"Europe/London\" (case-sensitive, each part starting with a capital letter), or \"UTC\"; \
         an offset such as \"+02:00\" is not a zone (use e.g. \"Etc/GMT-2\")",
    )
}

/// Strings must be IANA time zone names in form (`Area/Location`, or one part such as
/// `UTC`); whether the zone exists is left to the server, whose zone database may be newer.
#[derive(Debug, Clone, Copy, Default)]
pub struct TimeZoneName;

impl AttributeValidator for TimeZoneName {
    fn description(&self) -> String {
        "must be an IANA time zone name such as `Europe/London`, `America/New_York` or `UTC`"
            .to_owned()
    }

    fn validate(&self, req: &ValidateAttributeRequest<'_>, diagnostics: &mut Diagnostics) {
        let Some(name) = req.value.as_str() else {
            return;
        };
        if let Some(why) = zone_problem(name) {
            diagnostics.error_at(
                req.path.clone(),
                "Invalid Time Zone",
                format!("{} {name:?} {why}.", req.path),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cron_expressions() {
        for ok in [
            "0 2 * * *",
            "*/15 * * * *",
            "0 0-6/2 1,15 * MON-FRI",
            "5 4 * jan-Mar 0",
            "0 0 * * 7",
            "  0  2 * * *  ",
            "59 23 31 12 6",
            "5/10 * * * *",
        ] {
            assert_eq!(cron_problem(ok), None, "{ok}");
        }
        for (bad, needle) in [
            ("", "0 fields"),
            ("@daily", "shorthand"),
            ("0 2 * *", "4 fields"),
            ("0 0 2 * * *", "6 fields"),
            ("60 * * * *", "minute"),
            ("0 24 * * *", "hour"),
            ("0 0 0 * *", "day of month"),
            ("0 0 * 13 *", "month"),
            ("0 0 * * 8", "day of week"),
            ("0 0 * * MON-SUN", "backwards"),
            ("*/0 * * * *", "step"),
            ("0 2 ? * *", "not a number"),
            ("0 2 L * *", "not a number"),
            ("0 2 * * 1#2", "not a number"),
            ("1,,2 * * * *", "empty"),
            ("0 2 * JANUARY *", "not a number or a name such as JAN"),
        ] {
            let why = cron_problem(bad).unwrap_or_else(|| panic!("{bad:?} accepted"));
            assert!(why.contains(needle), "{bad:?}: {why}");
        }
    }

    #[test]
    fn zone_names() {
        for ok in [
            "UTC",
            "Europe/London",
            "America/Argentina/Buenos_Aires",
            "America/Port-au-Prince",
            "Etc/GMT+5",
            "EST5EDT",
            "America/Ciudad_Juarez",
        ] {
            assert_eq!(zone_problem(ok), None, "{ok}");
        }
        for bad in [
            "",
            "europe/london",
            "+02:00",
            "UTC +2",
            "Europe//London",
            "/UTC",
            "Europe/",
            "Local",
            "America/New York",
        ] {
            assert!(zone_problem(bad).is_some(), "{bad:?} accepted");
        }
    }
}
