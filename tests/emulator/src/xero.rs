//! The emulated Xero identity service (`POST /connect/token`, `GET /connections`) and the two
//! accounting reads a sync makes (`/api.xro/2.0/Organisation`, `/api.xro/2.0/Users`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use crate::config::XeroAppKind;
use crate::ids;
use crate::server::Outcome;
use crate::state::{Inner, Shared, XeroApp, XeroToken};
use crate::xero_data::Tenant;

/// Access tokens of the identity service live 30 minutes.
const ACCESS_TOKEN_SECS: i64 = 1800;

/// What a Custom Connection is granted when registered.
pub(crate) const CUSTOM_CONNECTION_SCOPES: [&str; 7] = [
    "accounting.settings",
    "accounting.settings.read",
    "accounting.transactions",
    "accounting.transactions.read",
    "accounting.contacts",
    "accounting.contacts.read",
    "accounting.reports.read",
];

/// Registers a Xero app of `kind` with its own organisation; returns its client ID and secret.
/// Gives Xero app `client_id` a new secret, as rotating it in Xero's developer portal does: the
/// old secret stops working. `None` when there is no such app.
pub(crate) fn rotate(inner: &mut Inner, client_id: &str) -> Option<String> {
    let app = inner.xero_apps.get_mut(client_id)?;
    app.secret = ids::random_secret();
    Some(app.secret.clone())
}

pub(crate) fn register(inner: &mut Inner, kind: XeroAppKind) -> (String, String) {
    let id = ids::xero_client_id();
    let secret = ids::random_secret();
    let scopes = match kind {
        XeroAppKind::CustomConnection => CUSTOM_CONNECTION_SCOPES.to_vec(),
        XeroAppKind::WebApp => vec![
            "openid",
            "profile",
            "email",
            "offline_access",
            "accounting.settings.read",
        ],
    };
    let tenant = Tenant::generate(inner.xero_apps.len() + 1);
    inner.xero_apps.insert(
        id.clone(),
        XeroApp {
            secret: secret.clone(),
            kind,
            scopes,
            tenant,
        },
    );
    (id, secret)
}

/// Adds `Xero-Correlation-Id` to every answer of the Xero port, as Xero does.
pub(crate) async fn correlation(mut resp: Response) -> Response {
    if let Ok(v) = HeaderValue::from_str(&ids::uuid()) {
        resp.headers_mut().insert("xero-correlation-id", v);
    }
    resp
}

fn oauth_error(error: &'static str, description: Option<&str>) -> Response {
    let mut body = json!({ "error": error });
    if let Some(d) = description {
        body["error_description"] = json!(d);
    }
    (
        StatusCode::BAD_REQUEST,
        Extension(Outcome(error)),
        Json(body),
    )
        .into_response()
}

/// The client's ID and secret: HTTP Basic first, else the form body.
fn client_credentials(
    headers: &HeaderMap,
    form: &HashMap<String, String>,
) -> Option<(String, String)> {
    if let Some(v) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
    {
        let (scheme, b64) = v.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = String::from_utf8(STANDARD.decode(b64.trim()).ok()?).ok()?;
        let (id, secret) = decoded.split_once(':')?;
        // RFC 6749 §2.3.1: both halves are form-urlencoded before they are joined, so a secret
        // holding `+`, `/` or `=` arrives escaped (Xero's identity server decodes them too).
        return Some((form_decode(id), form_decode(secret)));
    }
    Some((
        form.get("client_id")?.clone(),
        form.get("client_secret").cloned().unwrap_or_default(),
    ))
}

/// Undoes `application/x-www-form-urlencoded` escaping of one Basic credential half.
fn form_decode(part: &str) -> String {
    form_urlencoded::parse(format!("v={part}").as_bytes())
        .next()
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default()
}

/// `POST /connect/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let Some((client_id, secret)) = client_credentials(&headers, &form) else {
        return oauth_error("invalid_client", None);
    };
    let mut inner = shared.lock();
    let Some(app) = inner
        .xero_apps
        .get(&client_id)
        .filter(|a| a.secret == secret)
    else {
        return oauth_error("invalid_client", None);
    };
    let grant = form
        .get("grant_type")
        .map(String::as_str)
        .unwrap_or_default();
    let allowed: &[&str] = match app.kind {
        XeroAppKind::CustomConnection => &["client_credentials"],
        XeroAppKind::WebApp => &["authorization_code", "refresh_token"],
    };
    if !["client_credentials", "authorization_code", "refresh_token"].contains(&grant) {
        return oauth_error("unsupported_grant_type", None);
    }
    if !allowed.contains(&grant) {
        return oauth_error("unauthorized_client", None);
    }
    if grant != "client_credentials" {
        // No user ever consents in the emulator, so no code or refresh token is ever valid.
        return oauth_error("invalid_grant", None);
    }
    let requested: Vec<&str> = form
        .get("scope")
        .map(|s| s.split_whitespace().collect())
        .unwrap_or_default();
    if requested.iter().any(|s| !app.scopes.contains(s)) {
        return oauth_error(
            "invalid_scope",
            Some("Client credentials scope validation failed"),
        );
    }
    let granted = if requested.is_empty() {
        app.scopes.join(" ")
    } else {
        requested.join(" ")
    };
    let access_token = ids::random_secret();
    let expires_at = Utc::now() + chrono::Duration::seconds(ACCESS_TOKEN_SECS);
    inner.xero_tokens.insert(
        access_token.clone(),
        XeroToken {
            client_id,
            expires_at,
        },
    );
    let body = json!({
        "access_token": access_token, "expires_in": ACCESS_TOKEN_SECS, "token_type": "Bearer", "scope": granted,
    });
    (Extension(Outcome("issued")), Json(body)).into_response()
}

/// Xero's problem answer (`Title`, `Status`, `Detail`, …) on the connection and accounting routes.
struct Problem {
    status: StatusCode,
    title: &'static str,
    detail: String,
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = json!({
            "Type": null, "Title": self.title, "Status": self.status.as_u16(), "Detail": self.detail,
            "Instance": ids::uuid(), "Extensions": {},
        });
        (self.status, Json(body)).into_response()
    }
}

fn problem(status: StatusCode, title: &'static str, detail: &str) -> Problem {
    Problem {
        status,
        title,
        detail: detail.to_owned(),
    }
}

/// The Xero app behind a bearer token, or the 401 Xero answers.
fn authorised<'a>(inner: &'a Inner, headers: &HeaderMap) -> Result<&'a XeroApp, Problem> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(s, _)| s.eq_ignore_ascii_case("bearer"))
        .map(|(_, t)| t.trim());
    let unauthorised = |d: &str| problem(StatusCode::UNAUTHORIZED, "Unauthorized", d);
    let token = bearer
        .and_then(|t| inner.xero_tokens.get(t))
        .ok_or_else(|| unauthorised("AuthenticationUnsuccessful"))?;
    if token.expires_at <= Utc::now() {
        return Err(unauthorised(&format!(
            "TokenExpired: token expired at {}",
            token.expires_at.format("%m/%d/%Y %H:%M:%S")
        )));
    }
    inner
        .xero_apps
        .get(&token.client_id)
        .ok_or_else(|| unauthorised("AuthenticationUnsuccessful"))
}

/// Connection timestamps: no zone, seven fractional digits.
fn xero_utc(t: DateTime<Utc>) -> String {
    format!(
        "{}{:07}",
        t.format("%Y-%m-%dT%H:%M:%S."),
        t.timestamp_subsec_nanos() / 100
    )
}

/// `/Date(ms)/`, the accounting API's date form.
fn ms_date(t: DateTime<Utc>) -> String {
    format!("/Date({})/", t.timestamp_millis())
}

/// `GET /connections`: the organisations the token reaches.
pub(crate) async fn connections(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let inner = shared.lock();
    let app = match authorised(&inner, &headers) {
        Ok(a) => a,
        Err(p) => return p.into_response(),
    };
    let t = &app.tenant;
    Json(json!([{
        "id": t.connection_id, "authEventId": t.auth_event_id, "tenantId": t.tenant_id,
        "tenantType": "ORGANISATION", "tenantName": t.name,
        "createdDateUtc": xero_utc(t.created), "updatedDateUtc": xero_utc(t.created),
    }]))
    .into_response()
}

fn with_limits(mut resp: Response) -> Response {
    for (k, v) in [
        ("x-daylimit-remaining", "4999"),
        ("x-minlimit-remaining", "59"),
        ("x-appminlimit-remaining", "9999"),
    ] {
        resp.headers_mut().insert(k, HeaderValue::from_static(v));
    }
    resp
}

/// The organisation a request's bearer token and `xero-tenant-id` header name, or Xero's answer.
fn tenant<'a>(inner: &'a Inner, headers: &HeaderMap) -> Result<&'a Tenant, Problem> {
    let app = authorised(inner, headers)?;
    let wanted = headers
        .get("xero-tenant-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if wanted != app.tenant.tenant_id {
        return Err(problem(
            StatusCode::FORBIDDEN,
            "Forbidden",
            "AuthenticationUnsuccessful",
        ));
    }
    Ok(&app.tenant)
}

fn envelope(key: &str, items: Value) -> Value {
    let mut v = json!({
        "Id": ids::uuid(), "Status": "OK", "ProviderName": "c1-emulator", "DateTimeUTC": ms_date(Utc::now()),
    });
    v[key] = items;
    v
}

/// `GET /api.xro/2.0/Organisation`.
pub(crate) async fn organisation(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
) -> Response {
    let inner = shared.lock();
    let t = match tenant(&inner, &headers) {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let org = json!({
        "OrganisationID": t.tenant_id, "Name": t.name, "LegalName": t.name, "PaysTax": true,
        "Version": "NZ", "OrganisationType": "COMPANY", "BaseCurrency": "NZD", "CountryCode": "NZ",
        "IsDemoCompany": true, "OrganisationStatus": "ACTIVE", "ShortCode": t.short_code,
        "CreatedDateUTC": ms_date(t.created), "Timezone": "NEWZEALANDSTANDARDTIME",
    });
    with_limits(Json(envelope("Organisations", json!([org]))).into_response())
}

/// `GET /api.xro/2.0/Users`.
pub(crate) async fn users(State(shared): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    let inner = shared.lock();
    let t = match tenant(&inner, &headers) {
        Ok(t) => t,
        Err(p) => return p.into_response(),
    };
    let users: Vec<Value> = t
        .users
        .iter()
        .map(|u| {
            json!({
                "UserID": u.user_id, "EmailAddress": u.email(), "FirstName": u.first_name,
                "LastName": u.last_name, "UpdatedDateUTC": ms_date(t.created),
                "IsSubscriber": u.is_subscriber, "OrganisationRole": u.role,
            })
        })
        .collect();
    with_limits(Json(envelope("Users", Value::Array(users))).into_response())
}
