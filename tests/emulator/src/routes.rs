//! The routes the emulator counts, by name: a test that asks for a route's count names a
//! [`Route`], so a typo does not compile and a renamed route cannot quietly read as zero
//! (`tests/http/control.rs` requests every variant and checks each is served and counted).
//!
//! Adding a route to the emulator's route table means adding its variant here too.

/// One counted route: a method and the route template as the contract spells it. The token
/// endpoints are counted by outcome instead ([`crate::Counters::token_requests`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Route {
    /// `GET /api/v1/auth/introspect`
    Introspect,
    /// `GET /api/v1/apps`
    ListApps,
    /// `POST /api/v1/apps`
    CreateApp,
    /// `GET /api/v1/apps/{id}`
    GetApp,
    /// `POST /api/v1/apps/{id}` (Apps.Update)
    UpdateApp,
    /// `DELETE /api/v1/apps/{id}`
    DeleteApp,
    /// `GET /api/v1/apps/{app_id}/connectors`
    ListConnectors,
    /// `POST /api/v1/apps/{app_id}/connectors` (create without credentials)
    CreateDelegatedConnector,
    /// `POST /api/v1/apps/{app_id}/connectors/create` (create with credentials)
    CreateConnector,
    /// `GET /api/v1/apps/{app_id}/connectors/{id}`
    GetConnector,
    /// `POST /api/v1/apps/{app_id}/connectors/{id}`
    UpdateConnector,
    /// `DELETE /api/v1/apps/{app_id}/connectors/{id}`
    DeleteConnector,
    /// `POST /api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated`
    UpdateDelegatedConnector,
    /// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/force_sync`
    ForceSync,
    /// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/pause`
    PauseSync,
    /// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/resume`
    ResumeSync,
    /// `POST /api/v1/apps/{app_id}/connectors/{connector_id}/schedule`
    UpdateSchedule,
    /// `GET /api/v1/apps/{app_id}/resource_types`
    ListResourceTypes,
    /// `GET /api/v1/apps/{app_id}/resource_types/{id}`
    GetResourceType,
    /// `GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources`
    ListResources,
    /// `GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}`
    GetResource,
    /// `POST /api/v1/search/app_resource_types`
    SearchResourceTypes,
    /// `POST /api/v1/search/app_resources`
    SearchResources,
    /// `POST /api/v1/search/apps` (AppSearch.Search)
    SearchApps,
    /// Xero `GET /connections`
    XeroConnections,
    /// Xero `GET /Connections` (the spelling of Xero's own description)
    XeroConnectionsCapitalised,
    /// Xero `GET /api.xro/2.0/Organisation`
    XeroOrganisation,
    /// Xero `GET /api.xro/2.0/Users`
    XeroUsers,
}

impl Route {
    /// Every variant, for tests that check each one is served.
    pub const ALL: [Route; 28] = [
        Route::Introspect,
        Route::ListApps,
        Route::CreateApp,
        Route::GetApp,
        Route::UpdateApp,
        Route::DeleteApp,
        Route::ListConnectors,
        Route::CreateDelegatedConnector,
        Route::CreateConnector,
        Route::GetConnector,
        Route::UpdateConnector,
        Route::DeleteConnector,
        Route::UpdateDelegatedConnector,
        Route::ForceSync,
        Route::PauseSync,
        Route::ResumeSync,
        Route::UpdateSchedule,
        Route::ListResourceTypes,
        Route::GetResourceType,
        Route::ListResources,
        Route::GetResource,
        Route::SearchResourceTypes,
        Route::SearchResources,
        Route::SearchApps,
        Route::XeroConnections,
        Route::XeroConnectionsCapitalised,
        Route::XeroOrganisation,
        Route::XeroUsers,
    ];

    /// The key the counters use: `"METHOD /template"`.
    #[must_use]
    pub fn key(self) -> &'static str {
        match self {
            Route::Introspect => "GET /api/v1/auth/introspect",
            Route::ListApps => "GET /api/v1/apps",
            Route::CreateApp => "POST /api/v1/apps",
            Route::GetApp => "GET /api/v1/apps/{id}",
            Route::UpdateApp => "POST /api/v1/apps/{id}",
            Route::DeleteApp => "DELETE /api/v1/apps/{id}",
            Route::ListConnectors => "GET /api/v1/apps/{app_id}/connectors",
            Route::CreateDelegatedConnector => "POST /api/v1/apps/{app_id}/connectors",
            Route::CreateConnector => "POST /api/v1/apps/{app_id}/connectors/create",
            Route::GetConnector => "GET /api/v1/apps/{app_id}/connectors/{id}",
            Route::UpdateConnector => "POST /api/v1/apps/{app_id}/connectors/{id}",
            Route::DeleteConnector => "DELETE /api/v1/apps/{app_id}/connectors/{id}",
            Route::UpdateDelegatedConnector => {
                "POST /api/v1/apps/{connector_app_id}/connectors/{connector_id}/delegated"
            }
            Route::ForceSync => "POST /api/v1/apps/{app_id}/connectors/{connector_id}/force_sync",
            Route::PauseSync => "POST /api/v1/apps/{app_id}/connectors/{connector_id}/pause",
            Route::ResumeSync => "POST /api/v1/apps/{app_id}/connectors/{connector_id}/resume",
            Route::UpdateSchedule => {
                "POST /api/v1/apps/{app_id}/connectors/{connector_id}/schedule"
            }
            Route::ListResourceTypes => "GET /api/v1/apps/{app_id}/resource_types",
            Route::GetResourceType => "GET /api/v1/apps/{app_id}/resource_types/{id}",
            Route::ListResources => {
                "GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources"
            }
            Route::GetResource => {
                "GET /api/v1/apps/{app_id}/resource_types/{app_resource_type_id}/resources/{id}"
            }
            Route::SearchResourceTypes => "POST /api/v1/search/app_resource_types",
            Route::SearchResources => "POST /api/v1/search/app_resources",
            Route::SearchApps => "POST /api/v1/search/apps",
            Route::XeroConnections => "GET /connections",
            Route::XeroConnectionsCapitalised => "GET /Connections",
            Route::XeroOrganisation => "GET /api.xro/2.0/Organisation",
            Route::XeroUsers => "GET /api.xro/2.0/Users",
        }
    }

    /// Whether the route is on the Xero listener rather than ConductorOne's.
    #[must_use]
    pub fn is_xero(self) -> bool {
        matches!(
            self,
            Route::XeroConnections
                | Route::XeroConnectionsCapitalised
                | Route::XeroOrganisation
                | Route::XeroUsers
        )
    }

    /// The variant counted under `key`, if any.
    #[must_use]
    pub fn from_key(key: &str) -> Option<Route> {
        Route::ALL.into_iter().find(|r| r.key() == key)
    }
}

impl std::fmt::Display for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.key())
    }
}
