//! Resolving the provider block plus the environment into a server URL and credentials.
//!
//! Pure logic: attribute values come in as options, the environment through an injected lookup,
//! and the answer is either a [`ResolvedConfig`] or every [`ConfigProblem`] found (not just the
//! first), each naming its attribute and saying how to fix it. No problem text ever contains a
//! secret: secrets are only ever parsed, never quoted, and URLs are quoted by host only.

use std::net::IpAddr;

use url::{Host, Url};

use crate::conductorone::{ClientKey, Credentials, client_id_host};
use crate::secret::SecretString;

/// The Xero identity service used when none is configured.
pub const DEFAULT_XERO_IDENTITY_URL: &str = "https://identity.xero.com";

/// Environment variables read for the OIDC token, in order of preference. The last, HCP
/// Terraform's untagged workload identity token, is read only when [`WORKLOAD_IDENTITY_ENV`]
/// asks for it: that token may have been minted for another relying party (Vault, a cloud), and
/// posting it to ConductorOne would hand a bearer credential to a party it was not meant for.
pub const OIDC_TOKEN_ENV: &[&str] = &[
    "CONDUCTORONE_OIDC_TOKEN",
    "TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE",
    "TFC_WORKLOAD_IDENTITY_TOKEN_C1",
    "TFC_WORKLOAD_IDENTITY_TOKEN",
];

/// Set to `1` or `true` to use the untagged `TFC_WORKLOAD_IDENTITY_TOKEN`.
pub const WORKLOAD_IDENTITY_ENV: &str = "CONDUCTORONE_WORKLOAD_IDENTITY";

/// The OIDC variables to read in this environment.
fn oidc_env(env: &dyn Fn(&str) -> Option<String>) -> &'static [&'static str] {
    let opted_in = env(WORKLOAD_IDENTITY_ENV)
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true"));
    if opted_in {
        OIDC_TOKEN_ENV
    } else {
        &OIDC_TOKEN_ENV[..OIDC_TOKEN_ENV.len() - 1]
    }
}

/// The provider block's attribute values; `None` (or an empty string) means "not set".
#[derive(Debug, Clone, Default)]
pub struct ProviderConfigInput {
    /// `server_url`.
    pub server_url: Option<String>,
    /// `client_id`.
    pub client_id: Option<String>,
    /// `client_secret`.
    pub client_secret: Option<SecretString>,
    /// `tenant_domain`.
    pub tenant_domain: Option<String>,
    /// `access_token`.
    pub access_token: Option<SecretString>,
    /// `oidc_token`.
    pub oidc_token: Option<SecretString>,
    /// `xero_identity_url`.
    pub xero_identity_url: Option<String>,
}

/// A configuration ready to build clients from.
#[derive(Debug, Clone)]
pub struct ResolvedConfig {
    /// The ConductorOne server, e.g. `https://acme.conductor.one/`.
    pub server_url: Url,
    /// How to authenticate (the access token, OIDC exchange, or the parsed client secret).
    pub credentials: Credentials,
    /// The Xero identity service for the credential check.
    pub xero_identity_url: Url,
}

/// One thing wrong with the configuration, ready to become an error diagnostic on `attribute`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigProblem {
    /// The provider attribute to fix (e.g. `client_secret`).
    pub attribute: &'static str,
    /// A Title Case summary, e.g. `Invalid Client Secret`.
    pub summary: String,
    /// What is wrong and how to fix it.
    pub detail: String,
}

impl ConfigProblem {
    fn new(attribute: &'static str, summary: &str, detail: impl Into<String>) -> Self {
        Self {
            attribute,
            summary: summary.to_owned(),
            detail: detail.into(),
        }
    }
}

/// Where a value came from, so a message can say which one to change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    Config,
    Env(&'static str),
}

impl Source {
    /// Where a value came from, for logs: `provider block` or the variable's name.
    fn name(self) -> &'static str {
        match self {
            Self::Config => "provider block",
            Self::Env(var) => var,
        }
    }

    fn describe(self, attribute: &str) -> String {
        match self {
            Self::Config => format!("The provider attribute `{attribute}`"),
            Self::Env(var) => {
                format!("The environment variable {var} (used because `{attribute}` is not set)")
            }
        }
    }
}

/// Looks a setting up: the attribute value when set, else the first set environment variable.
fn pick<T>(
    attr: Option<&T>,
    env_names: &[&'static str],
    env: &dyn Fn(&str) -> Option<String>,
    wrap: impl Fn(String) -> T,
    is_blank: impl Fn(&T) -> bool,
) -> Option<(T, Source)>
where
    T: Clone,
{
    if let Some(v) = attr.filter(|v| !is_blank(v)) {
        return Some((v.clone(), Source::Config));
    }
    env_names.iter().find_map(|name| {
        env(name)
            .map(|v| v.trim().to_owned())
            .filter(|v| !v.is_empty())
            .map(|v| (wrap(v), Source::Env(name)))
    })
}

fn pick_str(
    attr: Option<&String>,
    env_names: &[&'static str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, Source)> {
    pick(attr, env_names, env, |v| v, |v| v.trim().is_empty())
        .map(|(v, s)| (v.trim().to_owned(), s))
}

fn pick_secret(
    attr: Option<&SecretString>,
    env_names: &[&'static str],
    env: &dyn Fn(&str) -> Option<String>,
) -> Option<(SecretString, Source)> {
    pick(attr, env_names, env, SecretString::new, |v| {
        v.expose().trim().is_empty()
    })
    .map(|(v, s)| (SecretString::new(v.expose().trim()), s))
}

/// Resolves the configuration. `env` looks up an environment variable (inject `std::env::var` via
/// [`process_env`] in production, a map in tests).
///
/// Server URL: `server_url`, else `tenant_domain` (a bare name becomes `https://<name>.conductor.one`),
/// else the host named in `client_id`. Credentials: `access_token`; else `oidc_token` (needs
/// `client_id`); else `client_id` + `client_secret`. A set attribute beats its environment variable.
///
/// # Errors
/// Every problem found, each naming its attribute.
pub fn resolve(
    input: &ProviderConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<ResolvedConfig, Vec<ConfigProblem>> {
    let mut problems = Vec::new();
    let client_id = pick_str(input.client_id.as_ref(), &["CONDUCTORONE_CLIENT_ID"], env);

    let server_url = resolve_server_url(input, env, client_id.as_ref(), &mut problems);
    let credentials = resolve_credentials(input, env, client_id, &mut problems);
    let xero_identity_url = match pick_str(
        input.xero_identity_url.as_ref(),
        &["XERO_IDENTITY_URL"],
        env,
    ) {
        Some((raw, source)) => check_url(
            &raw,
            source,
            "xero_identity_url",
            "Xero Identity URL",
            &mut problems,
        ),
        None => Url::parse(DEFAULT_XERO_IDENTITY_URL).ok(),
    };

    match (server_url, credentials, xero_identity_url) {
        (Some(server_url), Some(credentials), Some(xero_identity_url)) if problems.is_empty() => {
            Ok(ResolvedConfig {
                server_url,
                credentials,
                xero_identity_url,
            })
        }
        _ => Err(problems),
    }
}

/// Reads a variable from the process environment (the production lookup for [`resolve`]).
#[must_use]
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn resolve_server_url(
    input: &ProviderConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
    client_id: Option<&(String, Source)>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Url> {
    if let Some((raw, source)) =
        pick_str(input.server_url.as_ref(), &["CONDUCTORONE_SERVER_URL"], env)
    {
        return check_url(&raw, source, "server_url", "Server URL", problems);
    }
    if let Some((domain, source)) = pick_str(
        input.tenant_domain.as_ref(),
        &["CONDUCTORONE_TENANT_DOMAIN"],
        env,
    ) {
        return tenant_url(&domain, source, problems);
    }
    if let Some((id, source)) = client_id {
        return match client_id_host(id) {
            Ok(host) => {
                let url = Url::parse(&format!("https://{host}/"))
                    .ok()
                    .filter(|u| u.path() == "/");
                if url.is_none() {
                    problems.push(ConfigProblem::new(
                        "client_id",
                        "Invalid Client ID",
                        format!("{} names a host that is not a valid host name. Set `server_url` to your tenant's URL, or copy the client ID again from ConductorOne.", source.describe("client_id")),
                    ));
                }
                url
            }
            Err(e) => {
                problems.push(ConfigProblem::new(
                    "client_id",
                    "Invalid Client ID",
                    format!(
                        "{}: {e}. Set `server_url` or `tenant_domain` if this client ID is right.",
                        source.describe("client_id")
                    ),
                ));
                None
            }
        };
    }
    problems.push(ConfigProblem::new(
        "server_url",
        "Missing Server URL",
        "The provider cannot tell which ConductorOne tenant to use. Set `server_url` (e.g. https://acme.conductor.one), `tenant_domain` (e.g. acme), or a `client_id` of the form <id>@<tenant host>/<use case>; or the environment variables CONDUCTORONE_SERVER_URL, CONDUCTORONE_TENANT_DOMAIN or CONDUCTORONE_CLIENT_ID.",
    ));
    None
}

fn tenant_url(domain: &str, source: Source, problems: &mut Vec<ConfigProblem>) -> Option<Url> {
    let invalid = |why: &str| {
        ConfigProblem::new(
            "tenant_domain",
            "Invalid Tenant Domain",
            format!(
                "{} {why}. Give the tenant's name (e.g. acme) or host (e.g. acme.conductor.one); use `server_url` for a full URL.",
                source.describe("tenant_domain")
            ),
        )
    };
    if domain.contains("://")
        || domain.contains(['/', '@', '?', '#'])
        || domain.contains(char::is_whitespace)
    {
        problems.push(invalid("is not a bare name or host name"));
        return None;
    }
    let host = if domain.contains('.') {
        domain.to_owned()
    } else {
        format!("{domain}.conductor.one")
    };
    match Url::parse(&format!("https://{host}/")) {
        Ok(url) if url.host().is_some() => Some(url),
        _ => {
            problems.push(invalid("is not a valid host name"));
            None
        }
    }
}

/// Checks a configured URL: it parses, has a host, no user info, query or fragment, and is HTTPS
/// unless it points at this machine.
fn check_url(
    raw: &str,
    source: Source,
    attribute: &'static str,
    noun: &str,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Url> {
    let what = source.describe(attribute);
    let invalid = |why: &str| {
        ConfigProblem::new(
            attribute,
            &format!("Invalid {noun}"),
            format!("{what} {why}."),
        )
    };
    let url = match Url::parse(raw) {
        Ok(u) => u,
        Err(_) => {
            problems.push(invalid("is not a URL; give it as https://host[:port]"));
            return None;
        }
    };
    let Some(host) = url.host() else {
        problems.push(invalid("has no host; give it as https://host[:port]"));
        return None;
    };
    if !url.username().is_empty() || url.password().is_some() {
        // Not quoted: user info is where people put passwords.
        problems.push(invalid("contains user information (user:password@); remove it and use the credential attributes instead"));
        return None;
    }
    if url.query().is_some() || url.fragment().is_some() {
        problems.push(invalid(
            "has a query or fragment; give only the scheme, host, port and optional path",
        ));
        return None;
    }
    match url.scheme() {
        "https" => Some(url),
        "http" if is_loopback(&host) => Some(url),
        "http" => {
            problems.push(ConfigProblem::new(
                attribute,
                &format!("Insecure {noun}"),
                format!("{what} uses plain http:// for the host {host}. Credentials would cross the network unencrypted: use https://. (http:// is allowed only for this machine: localhost, 127.0.0.0/8, ::1.)"),
            ));
            None
        }
        other => {
            problems.push(invalid(&format!(
                "has the scheme {other}:, but only https:// is supported"
            )));
            None
        }
    }
}

fn is_loopback(host: &Host<&str>) -> bool {
    match host {
        Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        Host::Ipv4(ip) => IpAddr::V4(*ip).is_loopback(),
        Host::Ipv6(ip) => IpAddr::V6(*ip).is_loopback(),
    }
}

fn resolve_credentials(
    input: &ProviderConfigInput,
    env: &dyn Fn(&str) -> Option<String>,
    client_id: Option<(String, Source)>,
    problems: &mut Vec<ConfigProblem>,
) -> Option<Credentials> {
    // What the provider block sets wins: the environment fills in only what it leaves unset.
    // A block naming one kind of credential (access_token; oidc_token; client_secret, or a
    // client_id alone) rules out the environment's other kinds, tried before it otherwise.
    let no_env: &dyn Fn(&str) -> Option<String> = &|_| None;
    let block_secret = pick_secret(input.client_secret.as_ref(), &[], no_env).is_some();
    let block_client_id = matches!(client_id, Some((_, Source::Config)));
    let block_access = pick_secret(input.access_token.as_ref(), &[], no_env);
    let block_oidc = pick_secret(input.oidc_token.as_ref(), &[], no_env);
    let access = match (&block_access, &block_oidc) {
        (Some(_), _) => block_access.clone(),
        (None, None) if !block_secret && !block_client_id => {
            pick_secret(None, &["CONDUCTORONE_ACCESS_TOKEN"], env)
        }
        _ => None,
    };
    if let Some((token, source)) = access {
        tracing::debug!(
            credential = "access_token",
            from = source.name(),
            "ConductorOne credentials chosen"
        );
        return Some(Credentials::AccessToken(token));
    }
    let oidc = match block_oidc {
        Some(found) => Some(found),
        None if !block_secret => pick_secret(None, oidc_env(env), env),
        None => None,
    };
    if let Some((token, source)) = oidc {
        tracing::debug!(
            credential = "oidc_token",
            from = source.name(),
            "ConductorOne credentials chosen"
        );
        let Some((client_id, _)) = client_id else {
            problems.push(ConfigProblem::new(
                "client_id",
                "Missing Client ID",
                format!("{} is set, and exchanging an OIDC token needs the ConductorOne client ID it was federated with. Set `client_id` or CONDUCTORONE_CLIENT_ID.", source.describe("oidc_token")),
            ));
            return None;
        };
        return Some(Credentials::Oidc { client_id, token });
    }
    let secret = pick_secret(
        input.client_secret.as_ref(),
        &["CONDUCTORONE_CLIENT_SECRET"],
        env,
    );
    match (client_id, secret) {
        (Some((id, id_source)), Some((secret, secret_source))) => {
            let id_ok = match client_id_host(&id) {
                Ok(_) => true,
                Err(e) => {
                    // Reported once: the server URL step already said it when it needed the host.
                    if !problems.iter().any(|p| p.attribute == "client_id") {
                        problems.push(ConfigProblem::new(
                            "client_id",
                            "Invalid Client ID",
                            format!("{}: {e}.", id_source.describe("client_id")),
                        ));
                    }
                    false
                }
            };
            match ClientKey::parse(&secret) {
                Ok(key) if id_ok => {
                    tracing::debug!(
                        credential = "client_secret",
                        from = secret_source.name(),
                        "ConductorOne credentials chosen"
                    );
                    Some(Credentials::ClientSecret { client_id: id, key })
                }
                Ok(_) => None,
                Err(e) => {
                    problems.push(ConfigProblem::new(
                        "client_secret",
                        "Invalid Client Secret",
                        format!("{}: {e}.", secret_source.describe("client_secret")),
                    ));
                    None
                }
            }
        }
        (Some((_, source)), None) => {
            problems.push(ConfigProblem::new(
                "client_secret",
                "Missing Client Secret",
                format!("{} is set but no client secret is. Set `client_secret` or CONDUCTORONE_CLIENT_SECRET to the secret created with this client ID (or use `access_token` / `oidc_token` instead).", source.describe("client_id")),
            ));
            None
        }
        (None, Some((_, source))) => {
            problems.push(ConfigProblem::new(
                "client_id",
                "Missing Client ID",
                format!("{} is set but no client ID is. Set `client_id` or CONDUCTORONE_CLIENT_ID to the ID the secret was created with.", source.describe("client_secret")),
            ));
            None
        }
        (None, None) => {
            problems.push(ConfigProblem::new(
                "client_id",
                "Missing Credentials",
                "No ConductorOne credentials are configured. Set `client_id` and `client_secret` (or CONDUCTORONE_CLIENT_ID and CONDUCTORONE_CLIENT_SECRET); or `access_token` (CONDUCTORONE_ACCESS_TOKEN); or `oidc_token` with `client_id` (CONDUCTORONE_OIDC_TOKEN, or Terraform Cloud's TFC_WORKLOAD_IDENTITY_TOKEN).",
            ));
            None
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::conductorone::encode_client_secret;

    const ID: &str = "cid@acme.conductor.one/pcc";

    fn secret() -> SecretString {
        encode_client_secret(&ed25519_dalek::SigningKey::from_bytes(&[5; 32]))
    }

    fn run(
        input: &ProviderConfigInput,
        env: &[(&str, &str)],
    ) -> Result<ResolvedConfig, Vec<ConfigProblem>> {
        let map: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        resolve(input, &move |k: &str| map.get(k).cloned())
    }

    fn with_creds() -> ProviderConfigInput {
        ProviderConfigInput {
            client_id: Some(ID.into()),
            client_secret: Some(secret()),
            ..Default::default()
        }
    }

    fn problems(input: &ProviderConfigInput, env: &[(&str, &str)]) -> Vec<(&'static str, String)> {
        let found = run(input, env).expect_err("expected problems");
        for p in &found {
            let text = format!("{} {} {p:?}", p.summary, p.detail);
            assert!(
                !text.contains(secret().expose()) && !text.contains("hunter2"),
                "{text}"
            );
            assert!(
                p.summary
                    .split(' ')
                    .all(|w| w.starts_with(|c: char| c.is_ascii_uppercase())),
                "{}",
                p.summary
            );
        }
        found
            .into_iter()
            .map(|p| (p.attribute, p.summary))
            .collect()
    }

    /// Attribute values, environment, and the expected server URL.
    type UrlCase = (
        ProviderConfigInput,
        Vec<(&'static str, &'static str)>,
        &'static str,
    );

    #[test]
    fn server_url_sources_in_order() {
        let cases: Vec<UrlCase> = vec![
            (with_creds(), vec![], "https://acme.conductor.one/"),
            (
                ProviderConfigInput {
                    tenant_domain: Some("beta".into()),
                    ..with_creds()
                },
                vec![],
                "https://beta.conductor.one/",
            ),
            (
                ProviderConfigInput {
                    tenant_domain: Some("c1.example.com".into()),
                    ..with_creds()
                },
                vec![],
                "https://c1.example.com/",
            ),
            (
                with_creds(),
                vec![("CONDUCTORONE_TENANT_DOMAIN", "envt")],
                "https://envt.conductor.one/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("https://x.example".into()),
                    tenant_domain: Some("beta".into()),
                    ..with_creds()
                },
                vec![],
                "https://x.example/",
            ),
            (
                with_creds(),
                vec![("CONDUCTORONE_SERVER_URL", "https://env.example")],
                "https://env.example/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("https://cfg.example".into()),
                    ..with_creds()
                },
                vec![("CONDUCTORONE_SERVER_URL", "https://env.example")],
                "https://cfg.example/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("http://127.0.0.1:8080".into()),
                    ..with_creds()
                },
                vec![],
                "http://127.0.0.1:8080/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("http://127.9.9.9".into()),
                    ..with_creds()
                },
                vec![],
                "http://127.9.9.9/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("http://[::1]:1".into()),
                    ..with_creds()
                },
                vec![],
                "http://[::1]:1/",
            ),
            (
                ProviderConfigInput {
                    server_url: Some("http://LOCALHOST:1".into()),
                    ..with_creds()
                },
                vec![],
                "http://localhost:1/",
            ),
            // An empty attribute counts as unset, so the environment fills it.
            (
                ProviderConfigInput {
                    server_url: Some("  ".into()),
                    ..with_creds()
                },
                vec![("CONDUCTORONE_SERVER_URL", "https://env.example")],
                "https://env.example/",
            ),
        ];
        for (input, env, want) in cases {
            let got = run(&input, &env).unwrap_or_else(|p| panic!("{want}: {p:?}"));
            assert_eq!(got.server_url.as_str(), want);
        }
    }

    #[test]
    fn credential_choice_order() {
        // In the block, the documented order: access token, then OIDC, then the client secret.
        let both = ProviderConfigInput {
            access_token: Some("tok".into()),
            ..with_creds()
        };
        let got = run(&both, &[]).unwrap();
        assert!(matches!(&got.credentials, Credentials::AccessToken(t) if t.expose() == "tok"));

        let oidc = ProviderConfigInput {
            oidc_token: Some("jwt".into()),
            ..with_creds()
        };
        let got = run(&oidc, &[]).unwrap();
        assert!(
            matches!(&got.credentials, Credentials::Oidc { client_id, token } if client_id == ID && token.expose() == "jwt")
        );

        let got = run(&with_creds(), &[]).unwrap();
        assert!(
            matches!(&got.credentials, Credentials::ClientSecret { client_id, .. } if client_id == ID)
        );
        assert_eq!(got.xero_identity_url.as_str(), "https://identity.xero.com/");
    }

    /// Which kind of credential a configuration resolves to.
    fn kind(input: &ProviderConfigInput, env: &[(&str, &str)]) -> &'static str {
        match run(input, env).map(|r| r.credentials) {
            Ok(Credentials::AccessToken(_)) => "access_token",
            Ok(Credentials::Oidc { .. }) => "oidc",
            Ok(Credentials::ClientSecret { .. }) => "client_secret",
            Err(_) => "error",
        }
    }

    #[test]
    fn the_provider_block_beats_the_environment() {
        let secret = secret();
        let env_secret = secret.expose().to_owned();
        let block_secret = with_creds();
        let block_id_only = ProviderConfigInput {
            client_id: Some(ID.into()),
            ..Default::default()
        };
        let block_access = ProviderConfigInput {
            access_token: Some("block-token".into()),
            ..Default::default()
        };
        let block_oidc = ProviderConfigInput {
            client_id: Some(ID.into()),
            oidc_token: Some("jwt".into()),
            ..Default::default()
        };
        let nothing = ProviderConfigInput::default();
        type Case<'a> = (&'a ProviderConfigInput, &'a [(&'a str, &'a str)], &'a str);
        let cases: &[Case<'_>] = &[
            // An ambient token never wins over credentials written in the block.
            (
                &block_secret,
                &[("CONDUCTORONE_ACCESS_TOKEN", "env")],
                "client_secret",
            ),
            (
                &block_secret,
                &[("CONDUCTORONE_OIDC_TOKEN", "env")],
                "client_secret",
            ),
            (
                &block_secret,
                &[("TFC_WORKLOAD_IDENTITY_TOKEN_C1", "env")],
                "client_secret",
            ),
            (&block_oidc, &[("CONDUCTORONE_ACCESS_TOKEN", "env")], "oidc"),
            (
                &block_access,
                &[
                    ("CONDUCTORONE_CLIENT_ID", ID),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "access_token",
            ),
            // The block's client ID with the environment's secret.
            (
                &block_id_only,
                &[
                    ("CONDUCTORONE_ACCESS_TOKEN", "env"),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "client_secret",
            ),
            // Nothing in the block: the documented order over the environment.
            (
                &nothing,
                &[
                    ("CONDUCTORONE_ACCESS_TOKEN", "env"),
                    ("CONDUCTORONE_CLIENT_ID", ID),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "access_token",
            ),
            (
                &nothing,
                &[
                    ("CONDUCTORONE_OIDC_TOKEN", "jwt"),
                    ("CONDUCTORONE_CLIENT_ID", ID),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "oidc",
            ),
            (
                &nothing,
                &[
                    ("CONDUCTORONE_CLIENT_ID", ID),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "client_secret",
            ),
            // The untagged workload identity token only when asked for.
            (
                &nothing,
                &[
                    ("TFC_WORKLOAD_IDENTITY_TOKEN", "jwt"),
                    ("CONDUCTORONE_CLIENT_ID", ID),
                    ("CONDUCTORONE_CLIENT_SECRET", &env_secret),
                ],
                "client_secret",
            ),
            (
                &nothing,
                &[
                    ("TFC_WORKLOAD_IDENTITY_TOKEN", "jwt"),
                    ("CONDUCTORONE_WORKLOAD_IDENTITY", "1"),
                    ("CONDUCTORONE_CLIENT_ID", ID),
                ],
                "oidc",
            ),
            (
                &nothing,
                &[
                    ("TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE", "jwt"),
                    ("CONDUCTORONE_CLIENT_ID", ID),
                ],
                "oidc",
            ),
        ];
        for (i, (input, env, want)) in cases.iter().enumerate() {
            assert_eq!(kind(input, env), *want, "case {i}: {env:?}");
        }
    }

    #[test]
    fn oidc_env_vars_in_preference_order() {
        let input = ProviderConfigInput {
            client_id: Some(ID.into()),
            ..Default::default()
        };
        let all = [
            ("TFC_WORKLOAD_IDENTITY_TOKEN", "d"),
            ("TFC_WORKLOAD_IDENTITY_TOKEN_C1", "c"),
            ("TFC_WORKLOAD_IDENTITY_TOKEN_CONDUCTORONE", "b"),
            ("CONDUCTORONE_OIDC_TOKEN", "a"),
        ];
        let opt_in = [("CONDUCTORONE_WORKLOAD_IDENTITY", "true")];
        for skip in 0..all.len() {
            let env: Vec<(&str, &str)> = all[..all.len() - skip]
                .iter()
                .chain(&opt_in)
                .copied()
                .collect();
            let want = all[all.len() - 1 - skip].1;
            let got = run(&input, &env).unwrap();
            assert!(
                matches!(&got.credentials, Credentials::Oidc { token, .. } if token.expose() == want),
                "{want}"
            );
        }
    }

    #[test]
    fn xero_identity_url_from_env_and_checked() {
        let got = run(
            &with_creds(),
            &[("XERO_IDENTITY_URL", "http://127.0.0.1:9")],
        )
        .unwrap();
        assert_eq!(got.xero_identity_url.as_str(), "http://127.0.0.1:9/");
        assert_eq!(
            problems(
                &with_creds(),
                &[("XERO_IDENTITY_URL", "http://xero.example")]
            ),
            [("xero_identity_url", "Insecure Xero Identity URL".to_owned())]
        );
    }

    #[test]
    fn every_problem() {
        let s = || Some(secret());
        let p = |a: &'static str, s: &str| (a, s.to_owned());
        let cases: Vec<(ProviderConfigInput, Vec<(&'static str, String)>)> = vec![
            (
                ProviderConfigInput::default(),
                vec![
                    p("server_url", "Missing Server URL"),
                    p("client_id", "Missing Credentials"),
                ],
            ),
            (
                ProviderConfigInput {
                    server_url: Some("not a url".into()),
                    ..with_creds()
                },
                vec![p("server_url", "Invalid Server URL")],
            ),
            (
                ProviderConfigInput {
                    server_url: Some("http://acme.conductor.one".into()),
                    ..with_creds()
                },
                vec![p("server_url", "Insecure Server URL")],
            ),
            (
                ProviderConfigInput {
                    server_url: Some("ftp://acme.conductor.one".into()),
                    ..with_creds()
                },
                vec![p("server_url", "Invalid Server URL")],
            ),
            (
                ProviderConfigInput {
                    server_url: Some("https://u:hunter2@acme.conductor.one".into()),
                    ..with_creds()
                },
                vec![p("server_url", "Invalid Server URL")],
            ),
            (
                ProviderConfigInput {
                    server_url: Some("https://acme.conductor.one/?x=1".into()),
                    ..with_creds()
                },
                vec![p("server_url", "Invalid Server URL")],
            ),
            (
                ProviderConfigInput {
                    tenant_domain: Some("https://acme.conductor.one".into()),
                    ..with_creds()
                },
                vec![p("tenant_domain", "Invalid Tenant Domain")],
            ),
            (
                ProviderConfigInput {
                    client_id: Some("nohost".into()),
                    client_secret: s(),
                    ..Default::default()
                },
                vec![p("client_id", "Invalid Client ID")],
            ),
            (
                ProviderConfigInput {
                    client_id: Some(ID.into()),
                    client_secret: Some("hunter2".into()),
                    ..Default::default()
                },
                vec![p("client_secret", "Invalid Client Secret")],
            ),
            (
                ProviderConfigInput {
                    client_id: Some(ID.into()),
                    ..Default::default()
                },
                vec![p("client_secret", "Missing Client Secret")],
            ),
            (
                ProviderConfigInput {
                    client_secret: s(),
                    tenant_domain: Some("acme".into()),
                    ..Default::default()
                },
                vec![p("client_id", "Missing Client ID")],
            ),
            (
                ProviderConfigInput {
                    oidc_token: Some("jwt".into()),
                    tenant_domain: Some("acme".into()),
                    ..Default::default()
                },
                vec![p("client_id", "Missing Client ID")],
            ),
            (
                ProviderConfigInput {
                    xero_identity_url: Some("identity.xero.com".into()),
                    ..with_creds()
                },
                vec![p("xero_identity_url", "Invalid Xero Identity URL")],
            ),
        ];
        for (input, want) in cases {
            assert_eq!(problems(&input, &[]), want, "{input:?}");
        }
    }

    #[test]
    fn env_problems_name_the_variable() {
        let found = run(
            &with_creds(),
            &[("CONDUCTORONE_SERVER_URL", "http://acme.example")],
        )
        .unwrap_err();
        assert!(
            found[0].detail.contains("CONDUCTORONE_SERVER_URL"),
            "{}",
            found[0].detail
        );
    }
}
