//! Between protobuf messages and framework values: dynamic values, diagnostics, attribute paths,
//! capabilities, identity data. Only the dispatcher uses these.

use crate::cty::{self, JsonOptions, Path, Step, Type};
use crate::framework::context::ClientCapabilities;
use crate::framework::diag::{Diagnostic, Diagnostics, Severity};
use crate::proto::tfplugin6 as pb;

/// Decodes a dynamic value of type `ty`; an absent or empty value is null. `what` names the
/// value in the error ("configuration", "prior state").
pub(super) fn decode(
    dv: Option<&pb::DynamicValue>,
    ty: &Type,
    what: &str,
) -> Result<cty::Value, Diagnostic> {
    let Some(dv) = dv else {
        return Ok(cty::Value::Null);
    };
    let decoded = if !dv.msgpack.is_empty() {
        cty::msgpack::decode(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        cty::json::decode(&dv.json, ty)
    } else {
        return Ok(cty::Value::Null);
    };
    decoded.map_err(|e| {
        Diagnostic::error(
            "Invalid Value From Terraform",
            format!(
                "The provider could not decode the {what} Terraform sent: {}. This usually means \
                 Terraform and the provider disagree about the schema; run `terraform init -upgrade`.",
                e.kind
            ),
        )
        .at(e.path)
    })
}

/// Decodes raw JSON state (UpgradeResourceState, UpgradeResourceIdentity), dropping attributes
/// the current schema no longer has.
pub(super) fn decode_raw_json(
    json: &[u8],
    ty: &Type,
    what: &str,
) -> Result<cty::Value, Diagnostic> {
    cty::json::decode_with(json, ty, JsonOptions { ignore_unknown_attributes: true }).map_err(|e| {
        Diagnostic::error(
            "Unreadable Stored State",
            format!("The provider could not read the stored {what}: {}. The state may have been edited by hand.", e.kind),
        )
        .at(e.path)
    })
}

/// Encodes `value` of type `ty` as msgpack.
pub(super) fn encode(
    value: &cty::Value,
    ty: &Type,
    what: &str,
) -> Result<pb::DynamicValue, Diagnostic> {
    cty::msgpack::encode(value, ty).map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() }).map_err(|e| {
        Diagnostic::error(
            "Invalid Value From Provider",
            format!("The provider produced a {what} that does not fit its schema: {}. This is a bug in the provider; please report it.", e.kind),
        )
        .at(e.path)
    })
}

/// Encodes into an optional dynamic value, recording a failure in `diagnostics`.
pub(super) fn encode_into(
    value: &cty::Value,
    ty: &Type,
    what: &str,
    diagnostics: &mut Diagnostics,
) -> Option<pb::DynamicValue> {
    match encode(value, ty, what) {
        Ok(dv) => Some(dv),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    }
}

/// Decodes identity data; absent identity data is `None`.
pub(super) fn decode_identity(
    data: Option<&pb::ResourceIdentityData>,
    ty: Option<&Type>,
) -> Result<Option<cty::Value>, Diagnostic> {
    let (Some(ty), Some(dv)) = (ty, data.and_then(|d| d.identity_data.as_ref())) else {
        return Ok(None);
    };
    let v = decode(Some(dv), ty, "resource identity")?;
    Ok((!v.is_null()).then_some(v))
}

/// Encodes identity data, recording a failure in `diagnostics`.
pub(super) fn encode_identity(
    value: Option<&cty::Value>,
    ty: Option<&Type>,
    diagnostics: &mut Diagnostics,
) -> Option<pb::ResourceIdentityData> {
    let (Some(v), Some(ty)) = (value, ty) else {
        return None;
    };
    encode_into(v, ty, "resource identity", diagnostics).map(|dv| pb::ResourceIdentityData {
        identity_data: Some(dv),
    })
}

/// The capabilities a request carries; all false when Terraform sent none (older than 1.9).
pub(super) fn capabilities(c: Option<&pb::ClientCapabilities>) -> ClientCapabilities {
    c.map_or_else(ClientCapabilities::default, |c| ClientCapabilities {
        deferral_allowed: c.deferral_allowed,
        write_only_attributes_allowed: c.write_only_attributes_allowed,
    })
}

/// An attribute path in protobuf form.
pub(super) fn path(p: &Path) -> pb::AttributePath {
    use pb::attribute_path::step::Selector;
    let steps =
        p.0.iter()
            .map(|s| pb::attribute_path::Step {
                selector: Some(match s {
                    Step::Attribute(name) => Selector::AttributeName(name.clone()),
                    Step::Key(key) => Selector::ElementKeyString(key.clone()),
                    Step::Index(i) => Selector::ElementKeyInt(*i),
                }),
            })
            .collect();
    pb::AttributePath { steps }
}

/// One diagnostic in protobuf form; a root path is sent as no path.
pub(super) fn diagnostic(d: &Diagnostic) -> pb::Diagnostic {
    let severity = match d.severity {
        Severity::Error => pb::diagnostic::Severity::Error,
        Severity::Warning => pb::diagnostic::Severity::Warning,
    };
    pb::Diagnostic {
        severity: severity as i32,
        summary: d.summary.clone(),
        detail: d.detail.clone(),
        attribute: d.attribute.as_ref().filter(|p| !p.is_root()).map(path),
    }
}

/// Diagnostics in protobuf form.
pub(super) fn diagnostics(ds: &Diagnostics) -> Vec<pb::Diagnostic> {
    ds.iter().map(diagnostic).collect()
}

/// Replaces every unknown with null: what an errored apply may still store.
pub(super) fn unknown_as_null(v: &mut cty::Value) {
    match v {
        cty::Value::Unknown(_) => *v = cty::Value::Null,
        cty::Value::List(items) | cty::Value::Set(items) | cty::Value::Tuple(items) => {
            items.iter_mut().for_each(unknown_as_null);
        }
        cty::Value::Map(items) | cty::Value::Object(items) => {
            items.values_mut().for_each(unknown_as_null)
        }
        cty::Value::Dynamic(_, inner) => unknown_as_null(inner),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_diagnostics_to_proto() {
        use pb::attribute_path::step::Selector;
        let d = Diagnostic::error("Bad", "fix").at(Path::attr("rules")
            .join_index(2)
            .join_attr("x")
            .join_key("k"));
        let p = diagnostic(&d);
        assert_eq!(p.severity, pb::diagnostic::Severity::Error as i32);
        let steps: Vec<Selector> = p
            .attribute
            .expect("path")
            .steps
            .into_iter()
            .filter_map(|s| s.selector)
            .collect();
        assert_eq!(
            steps,
            [
                Selector::AttributeName("rules".into()),
                Selector::ElementKeyInt(2),
                Selector::AttributeName("x".into()),
                Selector::ElementKeyString("k".into())
            ]
        );
        assert!(
            diagnostic(&Diagnostic::warning("W", "").at(Path::root()))
                .attribute
                .is_none()
        );
    }

    #[test]
    fn absent_values_are_null_and_bad_bytes_name_the_value() {
        assert_eq!(decode(None, &Type::String, "x"), Ok(cty::Value::Null));
        let empty = pb::DynamicValue::default();
        assert_eq!(
            decode(Some(&empty), &Type::String, "x"),
            Ok(cty::Value::Null)
        );
        let bad = pb::DynamicValue {
            msgpack: vec![0xc3],
            json: Vec::new(),
        };
        let err = decode(Some(&bad), &Type::String, "configuration").expect_err("bool for string");
        assert!(err.detail.contains("configuration"), "{}", err.detail);
    }
}
