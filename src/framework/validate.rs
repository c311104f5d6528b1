//! Configuration validation driven by the schema: deprecations, attribute validators and config
//! validators.

use crate::cty;

use super::diag::Diagnostics;
use super::plan::for_each_attribute;
use super::schema::Schema;
use super::validators::ValidateAttributeRequest;

/// Checks `config` against the schema's validators; unknown and null values are skipped.
pub fn validate_config(schema: &Schema, config: &cty::Value, diagnostics: &mut Diagnostics) {
    for_each_attribute(schema, config, &mut |a, p, v| {
        if v.is_null() || v.is_unknown() {
            return;
        }
        if let Some(message) = &a.deprecated {
            let detail = if message.is_empty() {
                format!("Attribute {p} is deprecated.")
            } else {
                message.clone()
            };
            diagnostics.warning_at(p.clone(), "Deprecated Attribute", detail);
        }
        let req = ValidateAttributeRequest {
            path: p,
            value: v,
            config,
            sensitive: a.sensitive || a.write_only,
        };
        for validator in &a.validators {
            validator.validate(&req, diagnostics);
        }
    });
    for validator in &schema.validators {
        validator.validate(config, diagnostics);
    }
}

/// Runs the schema's validators of `M` on a typed value of it, for a step where values known only
/// now may not have been through a Validate call (a data source read, an action's invoke). A model
/// whose schema cannot be built or encoded adds nothing: that is a programming error the schema
/// call itself reports.
pub fn validate_model<M: super::Model>(model: &M, diagnostics: &mut Diagnostics) {
    let Ok(schema) = super::schema_for::<M>() else {
        return;
    };
    if let Ok(value) = super::bridge::to_value(model, &schema.value_type()) {
        validate_config(&schema, &value, diagnostics);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::sync::Arc;

    use super::*;
    use crate::cty::{Path, Type};
    use crate::framework::schema::{Attribute, AttributeType, Block, Presence};
    use crate::framework::validators::{ConflictsWith, NotBlank};

    #[test]
    fn validators_deprecations_and_relations() {
        let mut name = Attribute::new(
            "name",
            AttributeType::Type(Type::String),
            Presence::Optional,
        );
        name.validators.push(Arc::new(NotBlank));
        let mut old = Attribute::new("old", AttributeType::Type(Type::String), Presence::Optional);
        old.deprecated = Some("Use name.".into());
        let mut schema = Schema::new(Block {
            attributes: vec![name, old],
            ..Block::default()
        });
        schema.validators.push(Arc::new(ConflictsWith::new(vec![
            Path::attr("name"),
            Path::attr("old"),
        ])));

        let config = |name: cty::Value, old: cty::Value| {
            cty::Value::Object(BTreeMap::from([
                ("name".to_owned(), name),
                ("old".to_owned(), old),
            ]))
        };
        let s = |v: &str| cty::Value::String(v.to_owned());
        let cases = [
            (config(s("ok"), cty::Value::Null), 0, 0),
            (config(s(" bad"), cty::Value::Null), 1, 0),
            (config(cty::Value::unknown(), cty::Value::Null), 0, 0),
            (config(cty::Value::Null, s("x")), 0, 1),
            (config(s("ok"), s("x")), 1, 1),
        ];
        for (value, errors, warnings) in cases {
            let mut diags = Diagnostics::new();
            validate_config(&schema, &value, &mut diags);
            let e = diags.iter().filter(|d| d.is_error()).count();
            assert_eq!(
                (e, diags.len() - e),
                (errors, warnings),
                "{value:?}: {diags:?}"
            );
        }
    }
}
