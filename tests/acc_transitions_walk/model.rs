//! What the walk believes the configuration is: one to three `conductorone_xero_integration`
//! resources and maybe a `conductorone_xero_sync` data source on one of them; the moves that change
//! it; which configurations are valid; and the HCL each one renders to.

use std::fmt;

use c1_emulator::XeroAppKind;

use crate::acc_xero_integration_env::{header, list, q};

/// Apps the walk creates before it starts, for `app_id` to point at. They outlive every step.
pub(crate) const PRECREATED_APPS: usize = 2;
/// The most resources a configuration holds.
pub(crate) const MAX_RESOURCES: usize = 3;

/// Which app a resource's connector lives in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum AppChoice {
    /// `app_id` = the pre-created app with this index.
    Existing(usize),
    /// `new_app { display_name, description }`.
    New {
        /// `new_app.display_name`.
        name: String,
        /// `new_app.description`, when set.
        description: Option<String>,
    },
}

/// How the secret is written in the configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SecretForm {
    /// `xero_client_secret`, kept in state.
    Classic,
    /// `xero_client_secret_wo` with `xero_client_secret_wo_version`.
    WriteOnly {
        /// The version number.
        version: i64,
    },
}

/// A Xero app's credentials as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Credentials {
    /// Which kind of Xero app they belong to (decides `xero_app_type` and whether syncs succeed).
    pub(crate) kind: XeroAppKind,
    /// `xero_client_id`.
    pub(crate) client_id: String,
    /// The current secret of that Xero app.
    pub(crate) secret: String,
    /// The attribute the secret is written in.
    pub(crate) form: SecretForm,
}

/// The `timeouts` block: each field set or not (`Some((None, None))` is an empty block).
pub(crate) type Timeouts = Option<(Option<&'static str>, Option<&'static str>)>;

/// The `sync_schedule` block: `(cron, timezone)`, or none.
pub(crate) type Schedule = Option<(&'static str, &'static str)>;

/// One `conductorone_xero_integration` resource.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Integration {
    /// Its resource name; a removed resource's name is never used again.
    pub(crate) label: String,
    /// `app_id` or `new_app`.
    pub(crate) app: AppChoice,
    /// `None`: delegated (no credentials).
    pub(crate) creds: Option<Credentials>,
    /// `user_ids`, as indices into the emulator's users (never an empty list).
    pub(crate) owners: Option<Vec<usize>>,
    /// `validate_credentials`, when set.
    pub(crate) validate: Option<bool>,
    /// `wait_for_sync`, when set.
    pub(crate) wait: Option<bool>,
    /// The `timeouts` block.
    pub(crate) timeouts: Timeouts,
    /// `lifecycle { create_before_destroy = true }`.
    pub(crate) create_before_destroy: bool,
    /// The `sync_schedule` block.
    pub(crate) schedule: Schedule,
    /// `sync_paused`, when set.
    pub(crate) paused: Option<bool>,
    /// Whether the connector is paused in ConductorOne, as the provider's documented rules
    /// leave it: a pause stays when `sync_paused` is removed, and only `true` → `false`
    /// resumes. Not configuration: what the check expects.
    pub(crate) server_paused: bool,
}

impl Integration {
    /// Whether the connector's credentials are checked with Xero (so `xero_app_type` is known).
    pub(crate) fn checked(&self) -> bool {
        self.creds.is_some() && self.validate != Some(false)
    }
}

/// The whole configuration.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct World {
    /// The resources, in the order they are written.
    pub(crate) resources: Vec<Integration>,
    /// The resource the `conductorone_xero_sync` data source reads, if any.
    pub(crate) sync_on: Option<String>,
    /// Counter for fresh resource names.
    pub(crate) next_label: usize,
    /// Counter for fresh app names and descriptions.
    pub(crate) next_name: usize,
}

/// Where new Xero credentials come from: the emulator, or a dry run that only checks validity.
pub(crate) trait XeroApps {
    /// A new Xero app of `kind`: its client ID and secret.
    fn register(&mut self, kind: XeroAppKind) -> (String, String);
    /// A new secret for `client_id` (the old one stops working).
    fn rotate(&mut self, client_id: &str) -> String;
}

/// Stand-in credentials for trying a move out before it is made for real.
pub(crate) struct DryRun;

impl XeroApps for DryRun {
    fn register(&mut self, _kind: XeroAppKind) -> (String, String) {
        ("00000000000000000000000000000000".into(), "dry-run".into())
    }
    fn rotate(&mut self, _client_id: &str) -> String {
        "dry-run-rotated".into()
    }
}

/// What a new resource starts as (credentials are registered when the move is made).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewResource {
    pub(crate) app: AppChoice,
    /// Kind and whether the secret is write-only; `None` for a delegated connector.
    pub(crate) creds: Option<(XeroAppKind, bool)>,
    pub(crate) owners: Option<Vec<usize>>,
    pub(crate) validate: Option<bool>,
    pub(crate) wait: Option<bool>,
    pub(crate) timeouts: Timeouts,
    pub(crate) create_before_destroy: bool,
    pub(crate) schedule: Schedule,
    pub(crate) paused: Option<bool>,
}

/// One change to one resource (or to the data source).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Change {
    /// Add a resource with this label.
    Add(Box<NewResource>),
    /// Remove the resource (the data source moves to another one, or goes, with it).
    Remove,
    /// `app_id` = pre-created app `n` (from `new_app`, or another app).
    ToExistingApp(usize),
    /// `new_app { … }` (from `app_id`).
    ToNewApp {
        name: String,
        description: Option<String>,
    },
    /// `new_app.display_name` changed.
    Rename(String),
    /// `new_app.description` set, changed or removed.
    Describe(Option<String>),
    /// Credentials removed: delegated.
    Delegate,
    /// Credentials of a new Xero app of this kind, on a delegated connector.
    Configure { kind: XeroAppKind, write_only: bool },
    /// The client ID of a new Xero app of this kind (same kind: another app; other kind: Custom
    /// Connection ⇄ Web app), the secret form kept.
    NewClient(XeroAppKind),
    /// The Xero app's secret rotated and the new one configured (write-only: the version bumped).
    RotateSecret,
    /// `xero_client_secret` → `xero_client_secret_wo` (true) or back (false).
    WriteOnly(bool),
    /// `xero_client_secret_wo_version` + 1, the same secret.
    BumpVersion,
    /// `user_ids` set (non-empty), changed or removed.
    Owners(Option<Vec<usize>>),
    /// `validate_credentials` set, changed or removed.
    Validate(Option<bool>),
    /// `wait_for_sync` set, changed or removed.
    Wait(Option<bool>),
    /// The `timeouts` block added, changed or removed.
    Timeouts(Timeouts),
    /// `lifecycle { create_before_destroy = true }` added or removed.
    CreateBeforeDestroy(bool),
    /// The `sync_schedule` block added, changed or removed.
    Schedule(Schedule),
    /// `sync_paused` set, changed or removed.
    Paused(Option<bool>),
    /// The data source moved onto this resource.
    SyncHere,
    /// The data source removed.
    NoSync,
}

/// A change and the resource it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Move {
    pub(crate) target: String,
    pub(crate) change: Change,
}

fn kind_name(kind: XeroAppKind) -> &'static str {
    match kind {
        XeroAppKind::CustomConnection => "Custom Connection",
        XeroAppKind::WebApp => "Web app",
    }
}

impl fmt::Display for Move {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = &self.target;
        match &self.change {
            Change::Add(n) => write!(f, "add {t} ({n:?})"),
            Change::Remove => write!(f, "remove {t}"),
            Change::ToExistingApp(n) => write!(f, "{t}: app_id = pre-created app #{n}"),
            Change::ToNewApp { name, description } => {
                write!(f, "{t}: new_app {{ {name:?}, {description:?} }}")
            }
            Change::Rename(n) => write!(f, "{t}: new_app.display_name = {n:?}"),
            Change::Describe(d) => write!(f, "{t}: new_app.description = {d:?}"),
            Change::Delegate => write!(f, "{t}: remove the credentials (delegated)"),
            Change::Configure { kind, write_only } => write!(
                f,
                "{t}: configure a {}{}",
                kind_name(*kind),
                if *write_only {
                    ", write-only secret"
                } else {
                    ""
                }
            ),
            Change::NewClient(kind) => write!(f, "{t}: client ID of another {}", kind_name(*kind)),
            Change::RotateSecret => write!(f, "{t}: rotate the secret"),
            Change::WriteOnly(true) => write!(f, "{t}: secret → xero_client_secret_wo"),
            Change::WriteOnly(false) => write!(f, "{t}: secret → xero_client_secret"),
            Change::BumpVersion => write!(f, "{t}: bump xero_client_secret_wo_version"),
            Change::Owners(o) => write!(f, "{t}: user_ids = {o:?} (user indices)"),
            Change::Validate(v) => write!(f, "{t}: validate_credentials = {v:?}"),
            Change::Wait(v) => write!(f, "{t}: wait_for_sync = {v:?}"),
            Change::Timeouts(v) => write!(f, "{t}: timeouts = {v:?}"),
            Change::CreateBeforeDestroy(v) => write!(f, "{t}: create_before_destroy = {v}"),
            Change::Schedule(s) => write!(f, "{t}: sync_schedule = {s:?}"),
            Change::Paused(p) => write!(f, "{t}: sync_paused = {p:?}"),
            Change::SyncHere => write!(f, "data source → {t}"),
            Change::NoSync => write!(f, "remove the data source"),
        }
    }
}

/// A move that cannot be made on the world it was drawn for (a scripted step out of date).
#[derive(Debug)]
pub(crate) struct NotApplicable(pub(crate) String);

impl World {
    fn get_mut(&mut self, label: &str) -> Result<&mut Integration, NotApplicable> {
        self.resources
            .iter_mut()
            .find(|r| r.label == label)
            .ok_or_else(|| NotApplicable(format!("no resource {label}")))
    }

    /// The resource called `label`.
    pub(crate) fn get(&self, label: &str) -> Option<&Integration> {
        self.resources.iter().find(|r| r.label == label)
    }

    /// This world with `m` made; new and rotated credentials come from `xero`.
    pub(crate) fn with(&self, m: &Move, xero: &mut dyn XeroApps) -> Result<World, NotApplicable> {
        let mut w = self.clone();
        let not = |why: &str| Err(NotApplicable(format!("{m}: {why}")));
        match &m.change {
            Change::Add(n) => {
                if w.get(&m.target).is_some() {
                    return not("exists");
                }
                let creds = n.creds.map(|(kind, wo)| {
                    let (client_id, secret) = xero.register(kind);
                    Credentials {
                        kind,
                        client_id,
                        secret,
                        form: if wo {
                            SecretForm::WriteOnly { version: 1 }
                        } else {
                            SecretForm::Classic
                        },
                    }
                });
                w.resources.push(Integration {
                    label: m.target.clone(),
                    app: n.app.clone(),
                    creds,
                    owners: n.owners.clone(),
                    validate: n.validate,
                    wait: n.wait,
                    timeouts: n.timeouts,
                    create_before_destroy: n.create_before_destroy,
                    schedule: n.schedule,
                    paused: n.paused,
                    server_paused: n.paused == Some(true),
                });
            }
            Change::Remove => {
                w.get_mut(&m.target)?;
                w.resources.retain(|r| r.label != m.target);
                if w.sync_on.as_deref() == Some(&m.target) {
                    w.sync_on = w.resources.first().map(|r| r.label.clone());
                }
            }
            Change::SyncHere => {
                w.get_mut(&m.target)?;
                w.sync_on = Some(m.target.clone());
            }
            Change::NoSync => w.sync_on = None,
            change => {
                let r = w.get_mut(&m.target)?;
                match change {
                    Change::ToExistingApp(n) => {
                        if r.app != AppChoice::Existing(*n) {
                            // Replaced: the new connector is paused only if configured so.
                            r.server_paused = r.paused == Some(true);
                        }
                        r.app = AppChoice::Existing(*n);
                    }
                    Change::ToNewApp { name, description } => {
                        if matches!(r.app, AppChoice::Existing(_)) {
                            r.server_paused = r.paused == Some(true);
                        }
                        r.app = AppChoice::New {
                            name: name.clone(),
                            description: description.clone(),
                        }
                    }
                    Change::Rename(new) => match &mut r.app {
                        AppChoice::New { name, .. } => *name = new.clone(),
                        AppChoice::Existing(_) => return not("no new_app"),
                    },
                    Change::Describe(new) => match &mut r.app {
                        AppChoice::New { description, .. } => *description = new.clone(),
                        AppChoice::Existing(_) => return not("no new_app"),
                    },
                    Change::Delegate => r.creds = None,
                    Change::Configure { kind, write_only } => {
                        if r.creds.is_some() {
                            return not("already configured");
                        }
                        let (client_id, secret) = xero.register(*kind);
                        r.creds = Some(Credentials {
                            kind: *kind,
                            client_id,
                            secret,
                            form: if *write_only {
                                SecretForm::WriteOnly { version: 1 }
                            } else {
                                SecretForm::Classic
                            },
                        });
                    }
                    Change::NewClient(kind) => {
                        let Some(c) = r.creds.as_mut() else {
                            return not("delegated");
                        };
                        let (client_id, secret) = xero.register(*kind);
                        c.kind = *kind;
                        c.client_id = client_id;
                        // A new client ID sends the credentials by itself: no version bump.
                        c.secret = secret;
                    }
                    Change::RotateSecret => {
                        let Some(c) = r.creds.as_mut() else {
                            return not("delegated");
                        };
                        c.secret = xero.rotate(&c.client_id);
                        if let SecretForm::WriteOnly { version } = &mut c.form {
                            *version += 1;
                        }
                    }
                    Change::WriteOnly(wo) => {
                        let Some(c) = r.creds.as_mut() else {
                            return not("delegated");
                        };
                        c.form = match (c.form, wo) {
                            (SecretForm::Classic, true) => SecretForm::WriteOnly { version: 1 },
                            (SecretForm::WriteOnly { .. }, false) => SecretForm::Classic,
                            _ => return not("already in that form"),
                        };
                    }
                    Change::BumpVersion => match r.creds.as_mut().map(|c| &mut c.form) {
                        Some(SecretForm::WriteOnly { version }) => *version += 1,
                        _ => return not("no write-only secret"),
                    },
                    Change::Owners(o) => r.owners = o.clone(),
                    Change::Validate(v) => r.validate = *v,
                    Change::Wait(v) => r.wait = *v,
                    Change::Timeouts(t) => r.timeouts = *t,
                    Change::CreateBeforeDestroy(v) => r.create_before_destroy = *v,
                    Change::Schedule(s) => r.schedule = *s,
                    Change::Paused(p) => {
                        match (r.paused, p) {
                            (_, Some(true)) => r.server_paused = true,
                            (Some(true), Some(false)) => r.server_paused = false,
                            _ => {}
                        }
                        r.paused = *p;
                    }
                    Change::Add(_) | Change::Remove | Change::SyncHere | Change::NoSync => {
                        unreachable!("handled above")
                    }
                }
            }
        }
        Ok(w)
    }

    /// Why this configuration is not one the walk may apply (`None`: valid). The provider must
    /// accept every valid one; these are the rules it documents, not workarounds.
    pub(crate) fn problem(&self, write_only_ok: bool) -> Option<String> {
        if self.resources.is_empty() || self.resources.len() > MAX_RESOURCES {
            return Some(format!("{} resources", self.resources.len()));
        }
        if let Some(s) = &self.sync_on
            && self.get(s).is_none()
        {
            return Some(format!("data source on missing {s}"));
        }
        for r in &self.resources {
            let Some(c) = &r.creds else { continue };
            // A Web app cannot sync on its own, so waiting for its sync is an error by design.
            if c.kind == XeroAppKind::WebApp && r.wait == Some(true) {
                return Some(format!("{}: waits for a Web app's sync", r.label));
            }
            // A connector left paused runs no sync, so waiting for one fails by design.
            if r.server_paused && r.paused != Some(true) && r.wait == Some(true) {
                return Some(format!("{}: waits on a connector left paused", r.label));
            }
            if matches!(c.form, SecretForm::WriteOnly { .. }) && !write_only_ok {
                return Some(format!("{}: write-only on an old Terraform", r.label));
            }
        }
        None
    }

    /// The configuration file.
    pub(crate) fn hcl(&self, apps: &[String], users: &[String]) -> String {
        let mut out = header();
        for r in &self.resources {
            out.push_str(&format!(
                "\nresource \"conductorone_xero_integration\" {:?} {{\n",
                r.label
            ));
            match &r.app {
                AppChoice::Existing(n) => out.push_str(&format!("  app_id = {}\n", q(&apps[*n]))),
                AppChoice::New { name, description } => {
                    out.push_str(&format!("  new_app {{\n    display_name = {}\n", q(name)));
                    if let Some(d) = description {
                        out.push_str(&format!("    description  = {}\n", q(d)));
                    }
                    out.push_str("  }\n");
                }
            }
            if let Some(o) = &r.owners {
                let ids: Vec<String> = o.iter().map(|i| users[*i].clone()).collect();
                out.push_str(&format!("  user_ids = {}\n", list(&ids)));
            }
            if let Some(c) = &r.creds {
                out.push_str(&format!("  xero_client_id = {}\n", q(&c.client_id)));
                match c.form {
                    SecretForm::Classic => {
                        out.push_str(&format!("  xero_client_secret = {}\n", q(&c.secret)));
                    }
                    SecretForm::WriteOnly { version } => out.push_str(&format!(
                        "  xero_client_secret_wo = {}\n  xero_client_secret_wo_version = {version}\n",
                        q(&c.secret)
                    )),
                }
            }
            if let Some(v) = r.validate {
                out.push_str(&format!("  validate_credentials = {v}\n"));
            }
            if let Some(v) = r.wait {
                out.push_str(&format!("  wait_for_sync = {v}\n"));
            }
            if let Some((create, update)) = r.timeouts {
                out.push_str("  timeouts {\n");
                if let Some(t) = create {
                    out.push_str(&format!("    create = {}\n", q(t)));
                }
                if let Some(t) = update {
                    out.push_str(&format!("    update = {}\n", q(t)));
                }
                out.push_str("  }\n");
            }
            if let Some((cron, zone)) = r.schedule {
                out.push_str(&format!(
                    "  sync_schedule {{\n    cron     = {}\n    timezone = {}\n  }}\n",
                    q(cron),
                    q(zone)
                ));
            }
            if let Some(p) = r.paused {
                out.push_str(&format!("  sync_paused = {p}\n"));
            }
            if r.create_before_destroy {
                out.push_str("  lifecycle {\n    create_before_destroy = true\n  }\n");
            }
            out.push_str("}\n");
        }
        if let Some(s) = &self.sync_on {
            out.push_str(&format!(
                "\ndata \"conductorone_xero_sync\" \"s\" {{\n  app_id         = conductorone_xero_integration.{s}.app_id\n  integration_id = conductorone_xero_integration.{s}.id\n}}\n"
            ));
        }
        out
    }

    /// The configuration with every secret replaced by a placeholder, for failure messages.
    pub(crate) fn redacted(&self, apps: &[String], users: &[String]) -> String {
        let mut text = self.hcl(apps, users);
        for c in self.resources.iter().filter_map(|r| r.creds.as_ref()) {
            text = text.replace(&c.secret, "<secret>");
        }
        text
    }
}
