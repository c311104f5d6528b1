//! ConductorOne authentication: API client registration, `POST /auth/v1/token` (client
//! assertion and OIDC token exchange), the bearer check every API route makes, and introspect.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Form, FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Utc;
use ed25519_dalek::SigningKey;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::ids;
use crate::jwt::{self, JwtError};
use crate::server::Outcome;
use crate::state::{ApiClient, Shared, Token, User};

/// The host every client ID names and every `aud` must contain.
pub(crate) const HOST: &str = "127.0.0.1";
const ASSERTION_TYPE: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const JWT_TOKEN_TYPE: &str = "urn:ietf:params:oauth:token-type:jwt";
/// Clock skew tolerated on `exp` / `nbf`.
const LEEWAY_SECS: i64 = 30;
/// Assertions valid for longer than this are refused: a stolen one must not live for ever.
const MAX_ASSERTION_LIFE_SECS: i64 = 3600;

/// Registers a new API client with its own service user; returns its ID and secret.
pub(crate) fn register_client(shared: &Shared, user_name: &str) -> (String, String) {
    let key = SigningKey::generate(&mut rand::rngs::OsRng);
    let client_id = format!("{}@{HOST}/pcc", ids::ksuid());
    let jwk = json!({
        "kty": "OKP",
        "crv": "Ed25519",
        "x": URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes()),
        "d": URL_SAFE_NO_PAD.encode(key.to_bytes()),
    });
    let secret = format!(
        "secret-token:conductorone.com:v1:{}",
        URL_SAFE_NO_PAD.encode(jwk.to_string())
    );
    let user_id = ids::ksuid();
    let mut inner = shared.lock();
    inner.users.push(User {
        id: user_id.clone(),
        display_name: user_name.to_owned(),
        email: format!("{}@{HOST}", user_name.to_lowercase().replace(' ', ".")),
    });
    inner.clients.insert(
        client_id.clone(),
        ApiClient {
            public_key: key.verifying_key(),
            user_id,
        },
    );
    (client_id, secret)
}

/// A JWT from the emulator's trusted OIDC issuer, as a CI system would hand one to a workload.
pub(crate) fn mint_oidc(shared: &Shared, subject: &str) -> String {
    let now = Utc::now().timestamp();
    let claims = json!({
        "iss": shared.oidc_issuer,
        "sub": subject,
        "aud": [HOST],
        "iat": now,
        "nbf": now - 60,
        "exp": now + 600,
        "jti": ids::ksuid(),
    });
    jwt::sign(
        &shared.oidc_key,
        json!({"typ": "JWT", "kid": "emulator-oidc"}),
        &claims,
    )
}

/// `POST /auth/v1/token`.
pub(crate) async fn token(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    let audience = request_host(&headers);
    let field = |k: &str| form.get(k).map(String::as_str).unwrap_or_default();
    let client_id = field("client_id");
    if client_id.is_empty() {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id is required",
        );
    }
    let user = match field("grant_type") {
        "client_credentials" => {
            if field("client_assertion_type") != ASSERTION_TYPE
                || field("client_assertion").is_empty()
            {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "a client_assertion of type jwt-bearer is required",
                );
            }
            check_assertion(&shared, client_id, field("client_assertion"), &audience)
        }
        TOKEN_EXCHANGE => {
            if field("subject_token_type") != JWT_TOKEN_TYPE || field("subject_token").is_empty() {
                return oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    "a subject_token of type urn:ietf:params:oauth:token-type:jwt is required",
                );
            }
            check_exchange(&shared, client_id, field("subject_token"), &audience)
        }
        other => {
            let msg = format!("grant_type {other:?} is not supported");
            return oauth_error(StatusCode::BAD_REQUEST, "unsupported_grant_type", &msg);
        }
    };
    let user_id = match user {
        Ok(u) => u,
        Err(why) => return oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", &why),
    };
    let token: String = ids::random_secret();
    let lifetime = shared.config.token_lifetime;
    let expires_at =
        Utc::now() + chrono::Duration::from_std(lifetime).unwrap_or(chrono::Duration::hours(1));
    shared.lock().tokens.insert(
        token.clone(),
        Token {
            user_id,
            expires_at,
        },
    );
    let body =
        json!({"access_token": token, "token_type": "Bearer", "expires_in": lifetime.as_secs()});
    (Extension(Outcome("issued")), Json(body)).into_response()
}

fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let outcome = if status == StatusCode::UNAUTHORIZED {
        "refused"
    } else {
        "invalid_request"
    };
    let body = json!({"error": error, "error_description": description});
    (status, Extension(Outcome(outcome)), Json(body)).into_response()
}

/// The host the client addressed, without port: what `aud` must name.
fn request_host(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or(HOST);
    if let Some(rest) = host.strip_prefix('[') {
        return rest.split(']').next().unwrap_or(rest).to_owned();
    }
    match host.rsplit_once(':') {
        Some((h, port)) if port.chars().all(|c| c.is_ascii_digit()) => h.to_owned(),
        _ => host.to_owned(),
    }
}

fn check_assertion(
    shared: &Shared,
    client_id: &str,
    assertion: &str,
    audience: &str,
) -> Result<String, String> {
    let (key, user_id) = {
        let inner = shared.lock();
        let client = inner.clients.get(client_id).ok_or("unknown client_id")?;
        (client.public_key, client.user_id.clone())
    };
    let parts = jwt::decode(assertion).map_err(|e| e.to_string())?;
    parts.verify(&key).map_err(|e| e.to_string())?;
    if parts
        .header
        .get("nonce")
        .and_then(Value::as_str)
        .is_none_or(str::is_empty)
    {
        return Err(JwtError::Claim("the protected header has no nonce".into()).to_string());
    }
    if parts.claim_str("iss") != Some(client_id) || parts.claim_str("sub") != Some(client_id) {
        return Err(JwtError::Claim("iss and sub must both be the client_id".into()).to_string());
    }
    if !parts.aud_contains(audience) {
        return Err(JwtError::Claim(format!("aud must contain {audience:?}")).to_string());
    }
    parts
        .check_times(Utc::now().timestamp(), LEEWAY_SECS, MAX_ASSERTION_LIFE_SECS)
        .map_err(|e| e.to_string())?;
    Ok(user_id)
}

fn check_exchange(
    shared: &Shared,
    client_id: &str,
    subject: &str,
    audience: &str,
) -> Result<String, String> {
    let user_id = shared
        .lock()
        .clients
        .get(client_id)
        .map(|c| c.user_id.clone())
        .ok_or("unknown client_id")?;
    let parts = jwt::decode(subject).map_err(|e| e.to_string())?;
    if parts.claim_str("iss") != Some(shared.oidc_issuer.as_str()) {
        return Err("the subject token's issuer is not trusted".into());
    }
    parts
        .verify(&shared.oidc_key.verifying_key())
        .map_err(|e| e.to_string())?;
    if parts.claim_str("sub").is_none_or(str::is_empty) {
        return Err(JwtError::Claim("sub is missing".into()).to_string());
    }
    if !parts.aud_contains(audience) && !parts.aud_contains(HOST) {
        return Err(JwtError::Claim(format!("aud must contain {audience:?}")).to_string());
    }
    parts
        .check_times(Utc::now().timestamp(), LEEWAY_SECS, 86_400)
        .map_err(|e| e.to_string())?;
    Ok(user_id)
}

/// The authenticated caller of an API route: the user its bearer token was issued to.
pub(crate) struct Caller {
    pub(crate) user_id: String,
}

impl FromRequestParts<Arc<Shared>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, shared: &Arc<Shared>) -> Result<Self, ApiError> {
        let value = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        let token = value
            .and_then(|v| v.split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, t)| t.trim())
            .ok_or_else(|| ApiError::unauthenticated("missing bearer token"))?;
        let inner = shared.lock();
        let t = inner
            .tokens
            .get(token)
            .ok_or_else(|| ApiError::unauthenticated("invalid bearer token"))?;
        if t.expires_at <= Utc::now() {
            return Err(ApiError::unauthenticated("bearer token has expired"));
        }
        Ok(Self {
            user_id: t.user_id.clone(),
        })
    }
}

/// `GET /api/v1/auth/introspect`.
pub(crate) async fn introspect(caller: Caller) -> Json<Value> {
    Json(json!({
        "principleId": caller.user_id,
        "userId": caller.user_id,
        "tenantId": "emulator",
        "roles": ["super-admin"],
        "permissions": [],
        "features": [],
        "disabledModules": [],
        "deviceClientId": "",
    }))
}
