//! App search (`AppSearch.Search`, `POST /api/v1/search/apps`): how discovery finds every app
//! of a tenant, or the apps a configuration names, page by page.

use http::Method;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use super::client::{Client, Endpoint, MAX_LISTED, MAX_PAGES};
use super::error::{ApiError, ErrorKind};
use super::models::{App, Page};

/// The largest `pageSize` the search accepts (a larger one is refused, not capped).
pub const MAX_SEARCH_PAGE_SIZE: u32 = 100;

const OPERATION: &str = "/api/v1/search/apps";

/// Which apps a search returns. Every filter is optional; an empty search asks for every app.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSearch {
    /// Only these apps (empty: no such filter).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub app_ids: Vec<String>,
    /// Leave these apps out.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub exclude_app_ids: Vec<String>,
    /// Fuzzy match on display name and description.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub query: String,
    /// Apps asked per page, 0 to [`MAX_SEARCH_PAGE_SIZE`] (0: the server's default, below 10:
    /// 10). The largest by default, so a big tenant takes few round trips; tests ask for less.
    pub page_size: u32,
}

impl Default for AppSearch {
    fn default() -> Self {
        Self {
            app_ids: Vec::new(),
            exclude_app_ids: Vec::new(),
            query: String::new(),
            page_size: MAX_SEARCH_PAGE_SIZE,
        }
    }
}

/// One request of a search: the filters again and the page wanted.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SearchRequest<'a> {
    #[serde(flatten)]
    search: &'a AppSearch,
    #[serde(skip_serializing_if = "str::is_empty")]
    page_token: &'a str,
}

/// One page of a search: its apps and the token of the next page (empty at the end).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AppPage {
    /// The apps of this page, deleted ones already left out.
    pub apps: Vec<App>,
    /// What to pass for the next page; empty when this was the last.
    pub next_page_token: String,
}

impl Client {
    /// Fetches one page of an app search (`page_token` empty for the first). Apps the answer
    /// marks deleted are dropped: whether the search can return them is not documented.
    ///
    /// # Errors
    /// `InvalidArgument` for a page size above [`MAX_SEARCH_PAGE_SIZE`] (nothing is sent) or a
    /// refused request; any other [`ApiError`].
    pub async fn search_apps_page(
        &self,
        search: &AppSearch,
        page_token: &str,
        cancel: &CancellationToken,
    ) -> Result<AppPage, ApiError> {
        if search.page_size > MAX_SEARCH_PAGE_SIZE {
            return Err(ApiError::new(
                ErrorKind::InvalidArgument,
                format!("POST {OPERATION}"),
                format!(
                    "the page size {} is above the largest the search accepts ({MAX_SEARCH_PAGE_SIZE})",
                    search.page_size
                ),
            ));
        }
        let body = SearchRequest { search, page_token };
        // A search changes nothing, so it is safe to repeat: no reconcile.
        let page: Page<App> = self
            .call(
                Endpoint::new(Method::POST, &["api", "v1", "search", "apps"], OPERATION),
                Some(&body),
                cancel,
                None,
            )
            .await?;
        Ok(AppPage {
            apps: page.list.into_iter().filter(|a| !a.is_deleted()).collect(),
            next_page_token: page.next_page_token,
        })
    }

    /// Every app a search finds, all pages, in the server's order.
    ///
    /// # Errors
    /// What [`Client::search_apps_page`] returns for any page; `Server` when the pages do not
    /// end (the same token twice, or more than the client ever gathers).
    pub async fn search_apps(
        &self,
        search: &AppSearch,
        cancel: &CancellationToken,
    ) -> Result<Vec<App>, ApiError> {
        let mut pages = AppPages::new(search);
        let mut out = Vec::new();
        while let Some(page) = pages.next(self, cancel).await? {
            if out.len() + page.len() > MAX_LISTED {
                return Err(pages.fault(format!("the search found more than {MAX_LISTED} apps")));
            }
            out.extend(page);
        }
        Ok(out)
    }
}

/// A search walked page by page, so a caller can use each page as it arrives (and keep what it
/// has when a later page fails).
#[derive(Debug)]
pub struct AppPages<'a> {
    search: &'a AppSearch,
    token: String,
    fetched: usize,
    done: bool,
}

impl<'a> AppPages<'a> {
    /// The walk of `search`, from its first page.
    #[must_use]
    pub fn new(search: &'a AppSearch) -> Self {
        Self {
            search,
            token: String::new(),
            fetched: 0,
            done: false,
        }
    }

    /// The next page's apps, or `None` after the last page.
    ///
    /// # Errors
    /// What [`Client::search_apps_page`] returns; `Server` for a server whose pages do not end.
    /// After an error the walk is over.
    pub async fn next(
        &mut self,
        client: &Client,
        cancel: &CancellationToken,
    ) -> Result<Option<Vec<App>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        if self.fetched >= MAX_PAGES {
            self.done = true;
            return Err(self.fault("the search did not end".to_owned()));
        }
        let page = client
            .search_apps_page(self.search, &self.token, cancel)
            .await;
        let page = match page {
            Ok(page) => page,
            Err(e) => {
                self.done = true;
                return Err(e);
            }
        };
        self.fetched += 1;
        if page.next_page_token.is_empty() {
            self.done = true;
        } else if page.next_page_token == self.token {
            self.done = true;
            return Err(self.fault("the server returned the same page token twice".to_owned()));
        }
        self.token = page.next_page_token;
        Ok(Some(page.apps))
    }

    fn fault(&self, message: String) -> ApiError {
        ApiError::new(ErrorKind::Server, format!("POST {OPERATION}"), message)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_request_sends_only_the_filters_set_in_camel_case() {
        let search = AppSearch {
            app_ids: vec!["a1".into()],
            ..AppSearch::default()
        };
        let body = serde_json::to_value(SearchRequest {
            search: &search,
            page_token: "",
        })
        .unwrap();
        assert_eq!(body, serde_json::json!({"appIds": ["a1"], "pageSize": 100}));
        let next = serde_json::to_value(SearchRequest {
            search: &AppSearch {
                exclude_app_ids: vec!["x".into()],
                query: "fin".into(),
                page_size: 10,
                ..AppSearch::default()
            },
            page_token: "t2",
        })
        .unwrap();
        assert_eq!(
            next,
            serde_json::json!({"excludeAppIds": ["x"], "query": "fin", "pageSize": 10, "pageToken": "t2"})
        );
    }
}
