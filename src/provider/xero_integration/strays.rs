//! Connectors a create may have left behind when an attempt lost its answer, waited out the
//! lookup window without seeing a connector, and was sent again: the lost attempt may have been
//! committed after all and show up later. The create records that in private state; the next
//! refreshes of only that resource list the app's connectors and warn about any such stray, by
//! name, until none shows up long after the create. Ordinary refreshes cost nothing extra.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::conductorone::models::Connector;
use crate::conductorone::{Ambiguity, Client};
use crate::framework::{Diagnostics, PrivateState};
use tokio_util::sync::CancellationToken;

/// The private-state entry of a create that was sent again after a lost answer.
const KEY: &str = "resent_create";
/// How far the server's clock may lag ours (the client's own allowance).
const CLOCK_SKEW: Duration = Duration::seconds(30);
/// After this, a lost attempt that has not shown up is taken as never committed.
const SETTLE: Duration = Duration::minutes(10);
/// After this, the record is dropped even while a stray is still reported.
const MAX_AGE: Duration = Duration::days(7);

#[derive(Serialize, Deserialize, Debug, PartialEq)]
struct Record {
    /// When the create was first sent (the provider's clock).
    requested_at: DateTime<Utc>,
    /// Connectors the create's last look saw and passed over: other creates' connectors.
    passed_over: Vec<String>,
}

/// Records, after a create, whether a stray connector may show up later.
pub(super) fn remember(private: &mut PrivateState, ambiguity: Option<&Ambiguity>) {
    match ambiguity.filter(|a| a.resent) {
        Some(a) => {
            let record = Record {
                requested_at: a.requested_at,
                passed_over: a.passed_over.clone(),
            };
            if private.set(KEY, &record).is_err() {
                private.remove(KEY);
            }
        }
        None => private.remove(KEY),
    }
}

/// On refresh of a resource with a record: lists the app's connectors and warns about each
/// stray; drops the record once it is long past.
pub(super) async fn report(
    client: &Client,
    own: &Connector,
    private: &mut PrivateState,
    cancel: &CancellationToken,
    diags: &mut Diagnostics,
) {
    let Ok(Some(record)) = private.get::<Record>(KEY) else {
        return;
    };
    let now = Utc::now();
    let all = match client.list_connectors(&own.app_id, cancel).await {
        Ok(all) => all,
        Err(e) => {
            tracing::debug!(error = %e, "could not list the app's connectors to look for strays");
            return;
        }
    };
    let strays = strays(&record, own, &all);
    if strays.is_empty() {
        if now - record.requested_at > SETTLE {
            private.remove(KEY);
        }
        return;
    }
    if now - record.requested_at > MAX_AGE {
        private.remove(KEY);
    }
    diags.warning(
        "Possible Stray Xero Connector",
        format!(
            "When connector {} was created, an earlier attempt got no answer and was sent again after no connector \
             from it showed up. ConductorOne now shows {} in app {} created in that time with the same settings, \
             which Terraform does not manage: {}. If nothing else manages it, delete it in ConductorOne (it may \
             hold the Xero client secret). This warning stops when it is gone.",
            own.id,
            if strays.len() == 1 { "a connector" } else { "connectors" },
            own.app_id,
            strays.join(", ")
        ),
    );
}

/// The live connectors that could be what the lost attempt made: same catalog and owners, no
/// other client ID shown, created after the request (less the skew) and before the connector
/// the create kept, and not one the create's last look passed over.
fn strays(record: &Record, own: &Connector, all: &[Connector]) -> Vec<String> {
    let since = record.requested_at - CLOCK_SKEW;
    let before = own.created_at.unwrap_or(DateTime::<Utc>::MAX_UTC);
    let owners = |c: &Connector| {
        let mut u = c.user_ids.clone();
        u.sort();
        u
    };
    let client_id = |c: &Connector| {
        c.config
            .as_ref()
            .and_then(|k| k.get("xero_client_id"))
            .map(|v| v.expose().to_owned())
    };
    all.iter()
        .filter(|c| {
            c.id != own.id
                && !c.is_deleted()
                && c.catalog_id == own.catalog_id
                && c.created_at.is_some_and(|t| t >= since && t < before)
                && !record.passed_over.contains(&c.id)
                && owners(c) == owners(own)
                && (client_id(c).is_none()
                    || client_id(own).is_none()
                    || client_id(c) == client_id(own))
        })
        .map(|c| c.id.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_000_000 + secs, 0).expect("time")
    }

    fn conn(id: &str, created: i64) -> Connector {
        Connector {
            id: id.into(),
            app_id: "app".into(),
            catalog_id: "X".into(),
            user_ids: vec!["u".into()],
            created_at: Some(at(created)),
            ..Connector::default()
        }
    }

    #[test]
    fn only_unexplained_connectors_made_between_the_request_and_the_kept_one_are_strays() {
        let record = Record {
            requested_at: at(0),
            passed_over: vec!["others".into()],
        };
        let own = conn("own", 16);
        let mut other_owner = conn("other-owner", 5);
        other_owner.user_ids = vec!["v".into()];
        let mut gone = conn("gone", 5);
        gone.deleted_at = Some(at(6));
        let mut zoom = conn("zoom", 5);
        zoom.catalog_id = "Z".into();
        let all = vec![
            own.clone(),
            conn("stray", 3),
            conn("others", 2),
            conn("old", -60),
            conn("later", 20),
            other_owner,
            gone,
            zoom,
        ];
        assert_eq!(strays(&record, &own, &all), vec!["stray".to_owned()]);
    }

    #[test]
    fn only_a_create_sent_again_is_recorded() {
        let mut private = PrivateState::default();
        let mut a = Ambiguity {
            requested_at: at(0),
            resent: false,
            passed_over: vec![],
        };
        remember(&mut private, Some(&a));
        assert!(private.is_empty());
        a.resent = true;
        remember(&mut private, Some(&a));
        assert!(private.get::<Record>(KEY).expect("shape").is_some());
        remember(&mut private, None);
        assert!(private.is_empty());
    }
}
