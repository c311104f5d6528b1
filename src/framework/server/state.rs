//! UpgradeResourceState, ReadResource and ImportResourceState: the RPCs that produce a state
//! without a plan.

use super::{Inner, convert};
use crate::cty::{self, Path};
use crate::framework::diag::{Diagnostic, Diagnostics};
use crate::framework::plan::null_write_only;
use crate::framework::private::PrivateState;
use crate::framework::provider::Provider;
use crate::framework::resource::RawRead;
use crate::framework::walk;
use crate::proto::tfplugin6 as pb;

pub(super) fn upgrade<P: Provider>(
    inner: &Inner<P>,
    req: &pb::upgrade_resource_state::Request,
) -> pb::upgrade_resource_state::Response {
    let mut diagnostics = Diagnostics::new();
    let upgraded = (|| {
        let entry = inner.resource(&req.type_name)?;
        if req.version > entry.schema.version {
            return Err(Diagnostic::error(
                "State From A Newer Provider",
                format!(
                    "The stored state of this {} has schema version {}, newer than this provider's {}. \
                     Upgrade the provider.",
                    req.type_name, req.version, entry.schema.version
                ),
            ));
        }
        let raw = req.raw_state.as_ref();
        let json = raw.map(|r| r.json.as_slice()).unwrap_or_default();
        if json.is_empty() {
            if raw.is_some_and(|r| !r.flatmap.is_empty()) {
                return Err(Diagnostic::error(
                    "Unsupported Legacy State",
                    "The stored state is in the flatmap form of Terraform 0.11, which this provider cannot read. \
                     Remove the resource from state and import it again.",
                ));
            }
            return convert::encode(&cty::Value::Null, &entry.types.state, "upgraded state");
        }
        let mut json = json.to_vec();
        if req.version < entry.schema.version {
            let parsed: serde_json::Value = serde_json::from_slice(&json).map_err(|e| {
                Diagnostic::error(
                    "Unreadable Stored State",
                    format!("The stored state is not valid JSON: {e}."),
                )
            })?;
            let mut upgrade_diags = Diagnostics::new();
            let upgraded = entry
                .imp
                .upgrade_state(req.version, parsed, &mut upgrade_diags);
            if upgrade_diags.has_errors() {
                return Err(upgrade_diags
                    .into_iter()
                    .find(Diagnostic::is_error)
                    .unwrap_or_else(|| {
                        Diagnostic::error(
                            "State Upgrade Failed",
                            "The provider could not upgrade the stored state.",
                        )
                    }));
            }
            json = serde_json::to_vec(&upgraded).unwrap_or_default();
        }
        let mut value = convert::decode_raw_json(&json, &entry.types.state, "state")?;
        null_write_only(&entry.schema, &mut value);
        convert::encode(&value, &entry.types.state, "upgraded state")
    })();
    let upgraded_state = match upgraded {
        Ok(dv) => Some(dv),
        Err(d) => {
            diagnostics.push(d);
            None
        }
    };
    pb::upgrade_resource_state::Response {
        upgraded_state,
        diagnostics: convert::diagnostics(&diagnostics),
    }
}

/// An error when a state handed to Terraform still holds an unknown value.
pub(super) fn check_known(state: &cty::Value, what: &str, diagnostics: &mut Diagnostics) {
    if let Some(path) = walk::first_unknown(state, &Path::root()) {
        diagnostics.error_at(
            path.clone(),
            "Provider Returned Unknown Value",
            format!(
                "After {what}, attribute {path} is still unknown; the provider must set every computed value. \
                 This is a bug in the provider; please report it."
            ),
        );
    }
}

pub(super) fn private_state(bytes: &[u8], diagnostics: &mut Diagnostics) -> PrivateState {
    PrivateState::from_bytes(bytes).unwrap_or_else(|e| {
        diagnostics.warning(
            "Private State Reset",
            format!("The provider's private state was unreadable and was reset: {e}."),
        );
        PrivateState::default()
    })
}

pub(super) async fn read<P: Provider>(
    inner: &Inner<P>,
    req: pb::read_resource::Request,
) -> pb::read_resource::Response {
    let mut diagnostics = Diagnostics::new();
    let mut response = pb::read_resource::Response::default();
    let entry = match inner.resource(&req.type_name) {
        Ok(e) => e,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    let types = &entry.types;
    let decoded = convert::decode(req.current_state.as_ref(), &types.state, "stored state")
        .and_then(|state| {
            let identity =
                convert::decode_identity(req.current_identity.as_ref(), types.identity.as_ref())?;
            Ok((state, identity))
        });
    let (state, identity) = match decoded {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    if state.is_null() {
        response.new_state = req.current_state;
        return response;
    }
    let private = private_state(&req.private, &mut diagnostics);
    let ctx = inner.context(convert::capabilities(req.client_capabilities.as_ref()));
    let result = entry
        .imp
        .read(
            &ctx,
            types,
            RawRead {
                state,
                identity,
                private,
            },
        )
        .await;
    diagnostics.extend(result.diagnostics);
    let mut new_state = result.state;
    null_write_only(&entry.schema, &mut new_state);
    check_known(&new_state, "refresh", &mut diagnostics);
    response.new_state = convert::encode_into(
        &new_state,
        &types.state,
        "refreshed state",
        &mut diagnostics,
    );
    response.new_identity = convert::encode_identity(
        result.identity.as_ref(),
        types.identity.as_ref(),
        &mut diagnostics,
    );
    response.private = result.private.to_bytes();
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}

pub(super) async fn import<P: Provider>(
    inner: &Inner<P>,
    req: pb::import_resource_state::Request,
) -> pb::import_resource_state::Response {
    let mut diagnostics = Diagnostics::new();
    let mut response = pb::import_resource_state::Response::default();
    let found = inner.resource(&req.type_name).and_then(|entry| {
        let identity =
            convert::decode_identity(req.identity.as_ref(), entry.types.identity.as_ref())?;
        Ok((entry, identity))
    });
    let (entry, identity) = match found {
        Ok(v) => v,
        Err(d) => {
            response.diagnostics = vec![convert::diagnostic(&d)];
            return response;
        }
    };
    if req.id.is_empty() && identity.is_none() {
        diagnostics.error(
            "Missing Import ID",
            "Give the ID of the object to import (`terraform import ADDRESS ID` or `import { id = ... }`), \
             or its identity (`import { identity = {...} }`, Terraform 1.12+).",
        );
        response.diagnostics = convert::diagnostics(&diagnostics);
        return response;
    }
    let types = &entry.types;
    let ctx = inner.context(convert::capabilities(req.client_capabilities.as_ref()));
    let result = entry.imp.import(&ctx, types, req.id, identity).await;
    diagnostics.extend(result.diagnostics);
    if !diagnostics.has_errors() && result.state.is_null() {
        diagnostics.error(
            "Missing Imported State",
            "The provider's import returned no state. This is a bug in the provider; please report it.",
        );
    }
    if !diagnostics.has_errors() {
        let mut state = result.state;
        null_write_only(&entry.schema, &mut state);
        let encoded =
            convert::encode_into(&state, &types.state, "imported state", &mut diagnostics);
        let identity = convert::encode_identity(
            result.identity.as_ref(),
            types.identity.as_ref(),
            &mut diagnostics,
        );
        response
            .imported_resources
            .push(pb::import_resource_state::ImportedResource {
                type_name: req.type_name,
                state: encoded,
                private: result.private.to_bytes(),
                identity,
            });
    }
    response.diagnostics = convert::diagnostics(&diagnostics);
    response
}
