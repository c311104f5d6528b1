//! ConductorOne IDs in configuration and import IDs: anything that is not a plain ID is refused
//! on its attribute before it can reach a request path (where `.` or `..` would change which
//! object a request names).

use crate::conductorone::is_plain_segment;
use crate::framework::{Diagnostics, Path};

/// Adds an error at `path` and returns `true` when `id` is not a plain ConductorOne ID. Empty
/// values are left to the blank checks.
pub(crate) fn refuse_unplain_id(id: &str, path: Path, diags: &mut Diagnostics) -> bool {
    if id.is_empty() || is_plain_segment(id) {
        return false;
    }
    let name = path.to_string();
    let shown: String = id.chars().take(64).collect();
    diags.error_at(
        path,
        "Invalid ConductorOne ID",
        format!(
            "{name} is {shown:?}, which is not a ConductorOne ID: IDs are letters and digits (27 \
             characters, as in ConductorOne's URLs), and this value holds other characters. Copy the \
             ID from ConductorOne, or reference the resource that has it (e.g. \
             conductorone_xero_integration.x.app_id)."
        ),
    );
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_changing_ids_are_refused_on_their_attribute() {
        for bad in [".", "..", "a/b", "a?b", "a#b", "a%2Fb", "a b", "ä"] {
            let mut d = Diagnostics::new();
            assert!(
                refuse_unplain_id(bad, Path::attr("app_id"), &mut d),
                "{bad:?}"
            );
            let diag = d.iter().next().expect("one diagnostic");
            assert_eq!(
                diag.attribute.as_ref().map(ToString::to_string).as_deref(),
                Some("app_id")
            );
        }
        let mut d = Diagnostics::new();
        assert!(!refuse_unplain_id(
            "2a0IcNQMHRLpXD0MrGSuaYhDRGo",
            Path::attr("app_id"),
            &mut d
        ));
        assert!(!refuse_unplain_id("", Path::attr("app_id"), &mut d));
        assert!(!d.has_errors());
    }
}
