//! When and how long to wait before trying a request again.
//!
//! The policy follows ConductorOne's own client: 429 honours `Retry-After`, else the delay doubles
//! from the base (1 s, 2 s, 4 s …) up to a cap (30 s). Each delay gets jitter so that many
//! Terraform workers hitting the same limit do not retry in lockstep. Every wait stops at the
//! overall deadline and at once when the operation is cancelled.

use std::time::Duration;

use http::HeaderMap;
use rand::Rng as _;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// How a request is retried.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Most attempts of one request, the first included.
    pub max_attempts: u32,
    /// The first backoff delay; it doubles per attempt. Tests shrink it to milliseconds.
    pub base_delay: Duration,
    /// The longest backoff delay, and the longest `Retry-After` honoured.
    pub max_delay: Duration,
    /// How long one logical operation (all attempts and waits) may take in total.
    pub overall_deadline: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 6,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            overall_deadline: Duration::from_secs(5 * 60),
        }
    }
}

impl RetryPolicy {
    /// The backoff before attempt `attempt + 1`, after `attempt` failed ones (1-based): the base
    /// doubled `attempt - 1` times, capped, then jittered into `[delay/2, delay]`.
    #[must_use]
    pub fn backoff(&self, attempt: u32) -> Duration {
        let full = self.backoff_ceiling(attempt);
        let half = full / 2;
        let spread = full.saturating_sub(half).as_millis() as u64;
        half + Duration::from_millis(rand::thread_rng().gen_range(0..=spread))
    }

    /// The backoff before jitter: `base · 2^(attempt-1)`, at most `max_delay`.
    #[must_use]
    pub fn backoff_ceiling(&self, attempt: u32) -> Duration {
        let shift = attempt.saturating_sub(1).min(20);
        self.base_delay
            .saturating_mul(1 << shift)
            .min(self.max_delay)
    }

    /// The wait after a 429: the server's `Retry-After` when it gave one (capped), else backoff.
    #[must_use]
    pub fn rate_limit_delay(&self, retry_after: Option<Duration>, attempt: u32) -> Duration {
        match retry_after {
            Some(d) => d.min(self.max_delay),
            None => self.backoff(attempt),
        }
    }
}

/// Reads `Retry-After` as whole seconds (the form ConductorOne and Xero send). An HTTP date or a
/// malformed value gives `None`, so the caller falls back to backoff.
#[must_use]
pub fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers
        .get(http::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim();
    value.parse::<u64>().ok().map(Duration::from_secs)
}

/// Why a wait ended early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WaitAbort {
    /// The operation was cancelled.
    Cancelled,
    /// The wait would run past the deadline.
    Deadline,
}

/// Sleeps `delay`, unless the wait would end after `deadline` (then returns at once) or `cancel` fires.
///
/// # Errors
/// [`WaitAbort`] saying which of the two ended it.
pub async fn wait(
    delay: Duration,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<(), WaitAbort> {
    if cancel.is_cancelled() {
        return Err(WaitAbort::Cancelled);
    }
    if Instant::now() + delay > deadline {
        return Err(WaitAbort::Deadline);
    }
    tokio::select! {
        () = cancel.cancelled() => Err(WaitAbort::Cancelled),
        () = tokio::time::sleep(delay) => Ok(()),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_the_base_and_stops_at_the_cap() {
        let p = RetryPolicy::default();
        let secs: Vec<u64> = (1..=8).map(|a| p.backoff_ceiling(a).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(p.backoff_ceiling(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn jitter_stays_within_half_and_full() {
        let p = RetryPolicy::default();
        for attempt in 1..10 {
            for _ in 0..50 {
                let d = p.backoff(attempt);
                let ceiling = p.backoff_ceiling(attempt);
                assert!(d <= ceiling && d >= ceiling / 2, "{attempt}: {d:?}");
            }
        }
    }

    #[test]
    fn a_small_base_shrinks_every_delay() {
        let p = RetryPolicy {
            base_delay: Duration::from_millis(2),
            ..RetryPolicy::default()
        };
        assert_eq!(p.backoff_ceiling(3), Duration::from_millis(8));
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        assert_eq!(parse_retry_after(&h), None);
        for (value, want) in [
            ("7", Some(7)),
            (" 0 ", Some(0)),
            ("-1", None),
            ("1.5", None),
            ("Wed, 21 Oct 2015 07:28:00 GMT", None),
        ] {
            h.insert(http::header::RETRY_AFTER, value.parse().unwrap());
            assert_eq!(
                parse_retry_after(&h),
                want.map(Duration::from_secs),
                "{value}"
            );
        }
    }

    #[test]
    fn retry_after_is_capped_and_missing_falls_back_to_backoff() {
        let p = RetryPolicy::default();
        assert_eq!(
            p.rate_limit_delay(Some(Duration::from_secs(3)), 1),
            Duration::from_secs(3)
        );
        assert_eq!(
            p.rate_limit_delay(Some(Duration::from_secs(3600)), 1),
            Duration::from_secs(30)
        );
        assert!(p.rate_limit_delay(None, 2) <= Duration::from_secs(2));
    }

    #[tokio::test]
    async fn cancel_ends_a_wait_at_once() {
        let cancel = CancellationToken::new();
        let c2 = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(20)).await;
            c2.cancel();
        });
        let started = std::time::Instant::now();
        let far = Instant::now() + Duration::from_secs(3600);
        let r = wait(Duration::from_secs(600), far, &cancel).await;
        assert_eq!(r, Err(WaitAbort::Cancelled));
        assert!(started.elapsed() < Duration::from_secs(5));
    }

    #[tokio::test]
    async fn a_wait_past_the_deadline_returns_at_once() {
        let r = wait(
            Duration::from_secs(60),
            Instant::now() + Duration::from_secs(1),
            &CancellationToken::new(),
        )
        .await;
        assert_eq!(r, Err(WaitAbort::Deadline));
    }
}
