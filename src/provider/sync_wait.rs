//! Waiting for a connector's sync, shared by `conductorone_xero_integration` and
//! `conductorone_xero_sync`: the sync states, the rule for "still syncing", a polling wait bounded
//! by a timeout and Terraform's cancellation, and Go-syntax durations (`"10m"`, `"1h30m"`) for
//! the `timeout` attributes.

use std::fmt;
use std::time::Duration;

use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::conductorone::models::Connector;
use crate::conductorone::{ApiError, Client};

/// The state of a connector's syncs, as the provider reports it (`sync_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStatus {
    /// No sync has been recorded (a new connector, or one without credentials).
    Unspecified,
    /// A sync is running ("Syncing" in the product).
    Running,
    /// The last sync finished ("Connected").
    Done,
    /// The last sync failed; the connector's `lastError` says why.
    Error,
    /// Syncing is turned off for the connector.
    Disabled,
}

impl SyncStatus {
    /// Reads the API's `SYNC_STATUS_*` value; anything unrecognised (or empty) is `Unspecified`,
    /// so a status added to the API later never fails a read.
    #[must_use]
    pub fn from_api(status: &str) -> Self {
        match status {
            "SYNC_STATUS_RUNNING" => Self::Running,
            "SYNC_STATUS_DONE" => Self::Done,
            "SYNC_STATUS_ERROR" => Self::Error,
            "SYNC_STATUS_DISABLED" => Self::Disabled,
            _ => Self::Unspecified,
        }
    }

    /// The status of `connector` (a connector without a status block is `Unspecified`).
    #[must_use]
    pub fn of(connector: &Connector) -> Self {
        connector
            .status
            .as_ref()
            .map_or(Self::Unspecified, |s| Self::from_api(&s.status))
    }

    /// The lower-case word Terraform sees: `running`, `done`, `error`, `disabled`, `unspecified`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unspecified => "unspecified",
            Self::Running => "running",
            Self::Done => "done",
            Self::Error => "error",
            Self::Disabled => "disabled",
        }
    }
}

impl fmt::Display for SyncStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whether a sync of `connector` is under way or about to start, so a wait should go on.
///
/// Running is pending. So is a connector that holds credentials but has never completed a sync
/// and reports no status yet: right after a create the API may not have started the first sync.
/// A connector without credentials (delegated setup) never syncs, so it is not pending.
#[must_use]
pub fn is_pending(connector: &Connector) -> bool {
    match SyncStatus::of(connector) {
        SyncStatus::Running => true,
        SyncStatus::Unspecified => {
            let never_completed = connector
                .status
                .as_ref()
                .is_none_or(|s| s.completed_at.is_none());
            let has_credentials = connector
                .config
                .as_ref()
                .is_some_and(|c| !c.values.is_empty());
            never_completed && has_credentials
        }
        SyncStatus::Done | SyncStatus::Error | SyncStatus::Disabled => false,
    }
}

/// How often a wait reads the connector: the first pause, doubled after each read up to `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PollPolicy {
    /// The pause after the first read.
    pub initial: Duration,
    /// The longest pause between reads.
    pub max: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        Self {
            initial: Duration::from_millis(200),
            max: Duration::from_secs(5),
        }
    }
}

/// Why a wait for a sync ended without a finished sync.
#[derive(Debug, thiserror::Error)]
pub enum WaitError {
    /// The sync was still going when the timeout passed; holds the last connector read.
    #[error("the sync was still {} after {}", SyncStatus::of(.last), format_duration(*.timeout))]
    Timeout {
        /// The bound that passed.
        timeout: Duration,
        /// The connector as last read.
        last: Box<Connector>,
    },
    /// Terraform asked the provider to stop.
    #[error("cancelled while waiting for the sync")]
    Cancelled,
    /// Reading the connector failed.
    #[error(transparent)]
    Api(#[from] ApiError),
}

/// Reads connector `connector_id` of `app_id` until no sync is pending (see [`is_pending`]) and
/// returns it as last read; a connector that is not syncing is returned after one read.
///
/// # Errors
/// [`WaitError::Timeout`] when a sync is still pending after `timeout`; [`WaitError::Cancelled`]
/// as soon as `cancel` fires; [`WaitError::Api`] when a read fails (a deleted connector is
/// `NotFound`).
pub async fn wait_for_sync(
    client: &Client,
    app_id: &str,
    connector_id: &str,
    timeout: Duration,
    policy: PollPolicy,
    cancel: &CancellationToken,
) -> Result<Connector, WaitError> {
    let mut poller = Poller::new(client, app_id, connector_id, timeout, policy, cancel);
    loop {
        let connector = poller.read().await?;
        if !is_pending(&connector) {
            return Ok(connector);
        }
    }
}

/// Reads one connector over and over, pausing between reads as a [`PollPolicy`] says, until a
/// timeout: the loop of every wait for a sync, whatever it waits for.
#[derive(Debug)]
pub struct Poller<'a> {
    client: &'a Client,
    app_id: &'a str,
    connector_id: &'a str,
    cancel: &'a CancellationToken,
    policy: PollPolicy,
    timeout: Duration,
    started: Instant,
    deadline: Instant,
    pause: Duration,
    last: Option<Connector>,
}

impl<'a> Poller<'a> {
    /// A poller of connector `connector_id` of `app_id` whose reads end `timeout` from now.
    #[must_use]
    pub fn new(
        client: &'a Client,
        app_id: &'a str,
        connector_id: &'a str,
        timeout: Duration,
        policy: PollPolicy,
        cancel: &'a CancellationToken,
    ) -> Self {
        let started = Instant::now();
        Self {
            client,
            app_id,
            connector_id,
            cancel,
            policy,
            timeout,
            started,
            deadline: started + timeout,
            pause: policy.initial,
            last: None,
        }
    }

    /// How long ago the poller was made.
    #[must_use]
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }

    /// Reads the connector: at once the first time, then after the next pause (the first pause,
    /// doubled each time up to the policy's longest). The last pause is cut short so that one
    /// read lands on the deadline, and a sync ending just before it still counts.
    ///
    /// # Errors
    /// [`WaitError::Timeout`] with the last read once the deadline has passed;
    /// [`WaitError::Cancelled`] as soon as the cancellation token fires; [`WaitError::Api`] when
    /// the read fails (a deleted connector is `NotFound`).
    pub async fn read(&mut self) -> Result<Connector, WaitError> {
        if let Some(last) = &self.last {
            let now = Instant::now();
            if now >= self.deadline {
                return Err(WaitError::Timeout {
                    timeout: self.timeout,
                    last: Box::new(last.clone()),
                });
            }
            let sleep = self.pause.min(self.deadline - now);
            tokio::select! {
                biased;
                () = self.cancel.cancelled() => return Err(WaitError::Cancelled),
                () = tokio::time::sleep(sleep) => {}
            }
            self.pause = (self.pause * 2).min(self.policy.max);
        }
        let connector = tokio::select! {
            biased;
            () = self.cancel.cancelled() => return Err(WaitError::Cancelled),
            read = self.client.get_connector(self.app_id, self.connector_id, self.cancel) => read?,
        };
        self.last = Some(connector.clone());
        Ok(connector)
    }
}

/// Why a duration string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    /// The text is empty.
    #[error("the duration is empty")]
    Empty,
    /// The text is not in Go's duration syntax.
    #[error("{0:?} is not a duration such as \"90s\", \"10m\" or \"1h30m\"")]
    Syntax(String),
    /// A number has no unit after it.
    #[error("{0:?} has a number without a unit (use ns, us, ms, s, m or h)")]
    MissingUnit(String),
    /// An unknown unit.
    #[error("{text:?} uses the unknown unit {unit:?} (use ns, us, ms, s, m or h)")]
    UnknownUnit {
        /// The whole text.
        text: String,
        /// The unit found.
        unit: String,
    },
    /// A negative duration where only zero or more makes sense.
    #[error("{0:?} is negative")]
    Negative(String),
    /// The duration does not fit (Go's limit is about 290 years).
    #[error("{0:?} is too long")]
    Overflow(String),
}

/// Nanoseconds in one unit of each Go duration suffix.
const UNITS: &[(&str, u128)] = &[
    ("ns", 1),
    ("us", 1_000),
    ("µs", 1_000),
    ("μs", 1_000),
    ("ms", 1_000_000),
    ("s", 1_000_000_000),
    ("m", 60_000_000_000),
    ("h", 3_600_000_000_000),
];

/// The one diagnostic for a duration that does not parse: on `at`, naming the attribute as the
/// configuration writes it (`timeout`, `timeouts.create`).
pub(crate) fn invalid_timeout(
    at: crate::framework::Path,
    name: &str,
    e: &DurationError,
    diags: &mut crate::framework::Diagnostics,
) {
    diags.error_at(
        at,
        "Invalid Timeout",
        format!(
            "`{name}`: {e}. Write a Go duration: a number and a unit (ns, us, ms, s, m, h), \
             e.g. \"90s\", \"10m\" or \"1h30m\"."
        ),
    );
}

/// Reads a duration in Go's `time.ParseDuration` syntax: a sequence of decimal numbers, each with
/// an optional fraction and a unit (`ns`, `us`/`µs`, `ms`, `s`, `m`, `h`), e.g. `"300ms"`,
/// `"1.5h"`, `"2h45m"`; `"0"` alone needs no unit. A leading `+` is allowed.
///
/// # Errors
/// A [`DurationError`] saying what is wrong; negative durations are refused.
pub fn parse_go_duration(text: &str) -> Result<Duration, DurationError> {
    let syntax = || DurationError::Syntax(text.to_owned());
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let (negative, mut rest) = match text.as_bytes()[0] {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(syntax());
    }
    // Go's limit: a duration is an int64 of nanoseconds.
    let limit = u128::from(u64::MAX >> 1);
    let mut total: u128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let (int_part, after) = rest.split_at(int_len);
        let (frac_part, after) = match after.strip_prefix('.') {
            Some(f) => {
                let n = f.bytes().take_while(u8::is_ascii_digit).count();
                f.split_at(n)
            }
            None => ("", after),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(syntax());
        }
        let unit_len = after
            .char_indices()
            .find(|(_, c)| c.is_ascii_digit() || *c == '.')
            .map_or(after.len(), |(i, _)| i);
        let (unit, after) = after.split_at(unit_len);
        if unit.is_empty() {
            return Err(DurationError::MissingUnit(text.to_owned()));
        }
        let scale = UNITS
            .iter()
            .find(|(u, _)| *u == unit)
            .map(|(_, s)| *s)
            .ok_or_else(|| DurationError::UnknownUnit {
                text: text.to_owned(),
                unit: unit.to_owned(),
            })?;
        let overflow = || DurationError::Overflow(text.to_owned());
        let whole: u128 = if int_part.is_empty() {
            0
        } else {
            int_part.parse().map_err(|_| overflow())?
        };
        let mut value = whole.checked_mul(scale).ok_or_else(overflow)?;
        // Go keeps fractions to nanosecond precision, dropping what is below it.
        let mut place = scale;
        for digit in frac_part.bytes() {
            place /= 10;
            if place == 0 {
                break;
            }
            value = value
                .checked_add(u128::from(digit - b'0') * place)
                .ok_or_else(overflow)?;
        }
        total = total.checked_add(value).ok_or_else(overflow)?;
        if total > limit {
            return Err(overflow());
        }
        rest = after;
    }
    if negative && total > 0 {
        return Err(DurationError::Negative(text.to_owned()));
    }
    let nanos = u64::try_from(total).map_err(|_| DurationError::Overflow(text.to_owned()))?;
    Ok(Duration::from_nanos(nanos))
}

/// Writes a duration the way Go prints one (`1h30m0s`, `90ms`), for messages that quote a
/// `timeout` back to the user.
#[must_use]
pub fn format_duration(d: Duration) -> String {
    if d.is_zero() {
        return "0s".to_owned();
    }
    if d < Duration::from_secs(1) {
        let nanos = d.as_nanos();
        return if nanos.is_multiple_of(1_000_000) {
            format!("{}ms", nanos / 1_000_000)
        } else if nanos.is_multiple_of(1_000) {
            format!("{}µs", nanos / 1_000)
        } else {
            format!("{nanos}ns")
        };
    }
    let secs = d.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let frac = d.subsec_nanos();
    let seconds = if frac == 0 {
        format!("{s}s")
    } else {
        let digits = format!("{frac:09}");
        format!("{s}.{}s", digits.trim_end_matches('0'))
    };
    match (h, m) {
        (0, 0) => seconds,
        (0, m) => format!("{m}m{seconds}"),
        (h, m) => format!("{h}h{m}m{seconds}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conductorone::models::{ConnectorStatus, EnvConfig};
    use crate::secret::SecretString;

    #[test]
    fn a_duration_beyond_u128_is_an_overflow_error() {
        for text in [
            "340282366920938463463374607431.999999999s",
            "340282366920938463463374607431768211456ns",
            "99999999999999999999999999999999999999h",
        ] {
            assert!(
                matches!(parse_go_duration(text), Err(DurationError::Overflow(_))),
                "{text}"
            );
        }
    }

    #[test]
    fn go_durations_parse_like_time_parse_duration() {
        let ms = Duration::from_millis;
        let cases: &[(&str, Duration)] = &[
            ("0", Duration::ZERO),
            ("+0", Duration::ZERO),
            ("-0", Duration::ZERO),
            ("0s", Duration::ZERO),
            ("90s", Duration::from_secs(90)),
            ("10m", Duration::from_secs(600)),
            ("1h30m", Duration::from_secs(5400)),
            ("1.5h", Duration::from_secs(5400)),
            ("2h45m30.5s", Duration::from_secs(9930) + ms(500)),
            (".5s", ms(500)),
            ("1.s", Duration::from_secs(1)),
            ("300ms", ms(300)),
            ("1us", Duration::from_micros(1)),
            ("1µs", Duration::from_micros(1)),
            ("7ns", Duration::from_nanos(7)),
            ("1m1m", Duration::from_secs(120)),
            ("0.000000001s", Duration::from_nanos(1)),
            ("0.0000000019s", Duration::from_nanos(1)),
        ];
        for (text, want) in cases {
            assert_eq!(parse_go_duration(text), Ok(*want), "{text}");
        }
    }

    /// A duration text and a test of the error it must produce.
    type BadCase = (&'static str, fn(&DurationError) -> bool);

    #[test]
    fn bad_durations_say_what_is_wrong() {
        let cases: &[BadCase] = &[
            ("", |e| matches!(e, DurationError::Empty)),
            ("10", |e| matches!(e, DurationError::MissingUnit(_))),
            ("1h30", |e| matches!(e, DurationError::MissingUnit(_))),
            ("10 m", |e| matches!(e, DurationError::UnknownUnit { .. })),
            ("10min", |e| matches!(e, DurationError::UnknownUnit { .. })),
            ("10d", |e| matches!(e, DurationError::UnknownUnit { .. })),
            ("m", |e| matches!(e, DurationError::Syntax(_))),
            (".s", |e| matches!(e, DurationError::Syntax(_))),
            ("-", |e| matches!(e, DurationError::Syntax(_))),
            ("-5m", |e| matches!(e, DurationError::Negative(_))),
            ("3000000h", |e| matches!(e, DurationError::Overflow(_))),
            ("99999999999999999999999999999999999999999h", |e| {
                matches!(e, DurationError::Overflow(_))
            }),
        ];
        for (text, check) in cases {
            let e = parse_go_duration(text).expect_err(text);
            assert!(check(&e), "{text}: {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn durations_print_like_go() {
        for (d, want) in [
            (Duration::ZERO, "0s"),
            (Duration::from_millis(300), "300ms"),
            (Duration::from_secs(90), "1m30s"),
            (Duration::from_secs(600), "10m0s"),
            (Duration::from_secs(5400), "1h30m0s"),
            (Duration::from_millis(1500), "1.5s"),
        ] {
            assert_eq!(format_duration(d), want);
        }
    }

    fn connector(status: &str, completed: bool, credentials: bool) -> Connector {
        Connector {
            status: Some(ConnectorStatus {
                status: status.to_owned(),
                completed_at: completed.then(chrono::Utc::now),
                ..ConnectorStatus::default()
            }),
            config: credentials
                .then(|| EnvConfig::from_pairs([("xero_client_id", SecretString::new("ABC"))])),
            ..Connector::default()
        }
    }

    #[test]
    fn pending_means_running_or_a_first_sync_about_to_start() {
        let cases = [
            ("SYNC_STATUS_RUNNING", false, false, true),
            ("SYNC_STATUS_RUNNING", true, true, true),
            ("SYNC_STATUS_UNSPECIFIED", false, true, true),
            ("", false, true, true),
            ("SYNC_STATUS_UNSPECIFIED", false, false, false),
            ("SYNC_STATUS_UNSPECIFIED", true, true, false),
            ("SYNC_STATUS_DONE", true, true, false),
            ("SYNC_STATUS_ERROR", true, true, false),
            ("SYNC_STATUS_DISABLED", false, true, false),
        ];
        for (status, completed, credentials, want) in cases {
            let c = connector(status, completed, credentials);
            assert_eq!(
                is_pending(&c),
                want,
                "{status} completed={completed} credentials={credentials}"
            );
        }
        assert!(!is_pending(&Connector::default()));
    }

    #[test]
    fn api_statuses_map_to_words_and_unknown_ones_to_unspecified() {
        for (api, word) in [
            ("SYNC_STATUS_RUNNING", "running"),
            ("SYNC_STATUS_DONE", "done"),
            ("SYNC_STATUS_ERROR", "error"),
            ("SYNC_STATUS_DISABLED", "disabled"),
            ("SYNC_STATUS_UNSPECIFIED", "unspecified"),
            ("SYNC_STATUS_SOMETHING_NEW", "unspecified"),
            ("", "unspecified"),
        ] {
            assert_eq!(SyncStatus::from_api(api).as_str(), word, "{api}");
        }
    }
}
