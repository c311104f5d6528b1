//! One run of the list: which apps, their connectors read by a bounded pool of requests, each
//! Xero connector sent as its app is done, and the problems met along the way.

use std::collections::HashSet;
use std::future;

use futures_util::stream::{self, BoxStream, StreamExt};
use tokio_util::sync::CancellationToken;

use super::XeroIntegrationListConfig;
use crate::conductorone::models::{App, Connector, XERO_CATALOG_ID};
use crate::conductorone::{ApiError, AppPages, AppSearch, Client, ErrorKind};
use crate::framework::{
    Diagnostic, Diagnostics, ListItem, ListSender, ListStopped, Path, Severity,
};
use crate::provider::api_error::detail;
use crate::provider::xero_integration::{
    XeroIntegrationIdentity, XeroIntegrationModel, client_id_of, found_state,
};

/// Where one run of the list reads from and how hard it may push.
#[derive(Debug, Clone, Copy)]
pub struct Listing<'a> {
    /// The ConductorOne client.
    pub client: &'a Client,
    /// Terraform's stop: ends every request at once.
    pub cancel: &'a CancellationToken,
    /// How many apps have their connectors read at once (at least one is).
    pub parallelism: usize,
    /// The apps asked per page of the app search.
    pub page_size: u32,
}

/// One app to read.
enum Work {
    /// An app the search found; its name is known.
    Found(App),
    /// An app named in `app_ids`, at this index; it is read first.
    Named { index: usize, app_id: String },
    /// The search failed; the apps of its earlier pages are read all the same.
    SearchFailed { error: ApiError },
}

/// What reading one app gave.
enum Outcome {
    /// The app and its connectors, every kind and deleted ones included.
    Read {
        app: App,
        connectors: Vec<Connector>,
    },
    /// A problem, as a warning; it becomes an error when no app could be read at all.
    Failed(Diagnostic),
}

/// The path of the `index`th element of `app_ids`.
fn app_id_path(index: usize) -> Path {
    XeroIntegrationListConfig::paths()
        .app_ids()
        .join_index(i64::try_from(index).unwrap_or(i64::MAX))
}

impl Listing<'_> {
    /// Lists what `config` asks for into `results`, until done, the limit is reached, or
    /// Terraform stops reading.
    pub async fn run(
        &self,
        config: &XeroIntegrationListConfig,
        results: &mut ListSender<XeroIntegrationModel, XeroIntegrationIdentity>,
    ) {
        let search = AppSearch {
            page_size: self.page_size,
            ..AppSearch::default()
        };
        let work = match config.app_ids.known() {
            Some(ids) => self.named(ids),
            None => self.searched(&search),
        };
        let mut outcomes = work
            .map(|w| self.read(w))
            .buffer_unordered(self.parallelism.max(1));
        let mut read = 0_usize;
        let mut problems = Vec::new();
        while let Some(outcome) = outcomes.next().await {
            if self.cancel.is_cancelled() {
                // The dispatcher reports the interruption; nothing read from now on is whole.
                return;
            }
            match outcome {
                Outcome::Read { app, connectors } => {
                    read += 1;
                    match send_app(&app, connectors, results).await {
                        Ok(()) => {}
                        Err(ListStopped::LimitReached) => break,
                        Err(ListStopped::Closed) => return,
                    }
                }
                Outcome::Failed(d) => problems.push(d),
            }
        }
        // Dropping the stream ends the requests still running (after a limit was reached).
        drop(outcomes);
        if problems.is_empty() {
            return;
        }
        // With no app read there is nothing to show for the list: it failed.
        let severity = if read == 0 {
            Severity::Error
        } else {
            Severity::Warning
        };
        let mut diagnostics = Diagnostics::new();
        for mut d in problems {
            d.severity = severity;
            diagnostics.push(d);
        }
        let _ = results.diagnostics(diagnostics).await;
    }

    /// The apps `app_ids` names, each once, in order.
    fn named<'s>(&self, ids: &[String]) -> BoxStream<'s, Work> {
        let mut seen = HashSet::new();
        let work: Vec<Work> = ids
            .iter()
            .enumerate()
            .filter(|(_, id)| seen.insert(id.as_str().to_owned()))
            .map(|(index, id)| Work::Named {
                index,
                app_id: id.clone(),
            })
            .collect();
        stream::iter(work).boxed()
    }

    /// Every app of the tenant, page by page as the search answers; a failed page ends the
    /// search with a [`Work::SearchFailed`].
    fn searched<'s>(&self, search: &'s AppSearch) -> BoxStream<'s, Work> {
        let client = self.client.clone();
        let cancel = self.cancel.clone();
        let pages = stream::unfold(Some(AppPages::new(search)), move |state| {
            let client = client.clone();
            let cancel = cancel.clone();
            async move {
                let mut pages = state?;
                match pages.next(&client, &cancel).await {
                    Ok(Some(apps)) => {
                        Some((apps.into_iter().map(Work::Found).collect(), Some(pages)))
                    }
                    Ok(None) => None,
                    Err(error) => Some((vec![Work::SearchFailed { error }], None)),
                }
            }
        });
        // The order of results is not documented, so a page walk over apps that change meanwhile
        // may show an app twice; it is read (and its connectors listed) once.
        let mut seen = HashSet::new();
        pages
            .flat_map(|work: Vec<Work>| stream::iter(work))
            .filter(move |work| {
                let new = match work {
                    Work::Found(app) => seen.insert(app.id.clone()),
                    _ => true,
                };
                future::ready(new)
            })
            .boxed()
    }

    /// Reads one app's connectors (and the app first when only its ID is known).
    async fn read(&self, work: Work) -> Outcome {
        let (app, index) = match work {
            Work::Found(app) => (app, None),
            Work::Named { index, app_id } => {
                match self.client.get_app(&app_id, self.cancel).await {
                    Ok(app) => (app, Some(index)),
                    Err(e) => return Outcome::Failed(app_problem(&app_id, Some(index), &e)),
                }
            }
            Work::SearchFailed { error } => return Outcome::Failed(search_problem(&error)),
        };
        match self.client.list_connectors(&app.id, self.cancel).await {
            Ok(connectors) => Outcome::Read { app, connectors },
            Err(e) => Outcome::Failed(app_problem(&app.id, index, &e)),
        }
    }
}

/// Sends the live Xero connectors of `app`, ordered by name then ID so one app's results come
/// in the same order every run.
async fn send_app(
    app: &App,
    connectors: Vec<Connector>,
    results: &mut ListSender<XeroIntegrationModel, XeroIntegrationIdentity>,
) -> Result<(), ListStopped> {
    let mut xero: Vec<Connector> = connectors
        .into_iter()
        .filter(|c| !c.is_deleted() && c.catalog_id == XERO_CATALOG_ID)
        .collect();
    xero.sort_by(|a, b| {
        a.display_name
            .cmp(&b.display_name)
            .then_with(|| a.id.cmp(&b.id))
    });
    for connector in xero {
        let item = ListItem {
            identity: XeroIntegrationIdentity {
                app_id: app.id.clone(),
                id: connector.id.clone(),
            },
            display_name: display_name(app, &connector),
            resource: results
                .include_resource()
                .then(|| found_state(&app.id, &connector)),
        };
        results.send(item).await?;
    }
    Ok(())
}

/// `<app> / <connector> (<client ID>)`, the client ID only when the connector has one; an
/// unnamed app or connector shows its ID instead.
pub(super) fn display_name(app: &App, connector: &Connector) -> String {
    let or_id = |name: &str, id: &str| {
        if name.trim().is_empty() {
            id.to_owned()
        } else {
            name.to_owned()
        }
    };
    let mut name = format!(
        "{} / {}",
        or_id(&app.display_name, &app.id),
        or_id(&connector.display_name, &connector.id)
    );
    if let Some(client_id) = client_id_of(connector) {
        name.push_str(&format!(" ({client_id})"));
    }
    name
}

/// The warning for an app that could not be read; on `app_ids[index]` when the configuration
/// named it.
fn app_problem(app_id: &str, index: Option<usize>, e: &ApiError) -> Diagnostic {
    let rest = "The other apps are still listed.";
    let d = match (e.kind(), index) {
        (ErrorKind::NotFound, Some(_)) => Diagnostic::warning(
            "App Not Found",
            format!(
                "There is no app {app_id} in ConductorOne (it may have been deleted), so it was not \
                 searched for Xero connectors. {rest} Check this ID in `app_ids`, or remove it."
            ),
        ),
        (ErrorKind::NotFound, None) => Diagnostic::warning(
            "App Deleted While Listing",
            format!(
                "App {app_id} was deleted in ConductorOne while the list ran, so its connectors \
                 were not listed. {rest}"
            ),
        ),
        _ => Diagnostic::warning(
            "Cannot List the App's Connectors",
            format!(
                "The Xero connectors of app {app_id} could not be listed. {rest}\n\n{}",
                detail(e)
            ),
        ),
    };
    match index {
        Some(i) => d.at(app_id_path(i)),
        None => d,
    }
}

/// The warning for an app search that failed: the apps of its earlier pages are still listed.
fn search_problem(e: &ApiError) -> Diagnostic {
    Diagnostic::warning(
        "App Search Failed",
        format!(
            "ConductorOne's app search failed, so apps on its later pages were not looked at and \
             the list may be incomplete; the apps found before are listed. Run the query again, or \
             name the apps in `app_ids`.\n\n{}",
            detail(e)
        ),
    )
}
