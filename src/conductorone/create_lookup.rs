//! What keeps an ambiguous create from making a second object or adopting another's: how long
//! to look for what it may have made, and the process-wide record of the connectors creates
//! returned and of the create requests still waiting for their answer.

use std::collections::{HashMap, HashSet};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// How long, and how often, a create whose answer was lost looks for what it made before it
/// is sent again. A backend may commit a create well after its gateway gave up, and show it in
/// lists later still, so one look at once is not enough.
#[derive(Debug, Clone)]
pub struct LookupWindow {
    /// How long after the failed attempt a new connector may still show up.
    pub window: Duration,
    /// The wait before the second look; it doubles per look.
    pub first_delay: Duration,
    /// The longest wait between two looks.
    pub max_delay: Duration,
}

impl Default for LookupWindow {
    /// Six looks over 15 s: at once, then after 1, 3, 7, 11 and 15 s.
    fn default() -> Self {
        Self {
            window: Duration::from_secs(15),
            first_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(4),
        }
    }
}

/// One create request whose answer has not arrived, by a number unique in the process.
pub(crate) type Ticket = u64;

#[derive(Default, Debug)]
struct Record {
    /// Connector IDs creates of this client returned: never adopted again.
    claimed: HashSet<String>,
    /// Create requests sent (or about to be) whose answer is not known, by app.
    in_flight: HashMap<Ticket, String>,
    next: Ticket,
}

/// The claimed connectors and in-flight creates of one client (one provider process).
#[derive(Default, Debug)]
pub(crate) struct CreateRegistry {
    record: Mutex<Record>,
    /// Woken whenever an in-flight create ends.
    ended: Notify,
}

impl CreateRegistry {
    fn lock(&self) -> MutexGuard<'_, Record> {
        self.record.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Marks a create request to `app_id` as in flight.
    pub(crate) fn start(&self, app_id: &str) -> Ticket {
        let mut r = self.lock();
        r.next += 1;
        let t = r.next;
        r.in_flight.insert(t, app_id.to_owned());
        t
    }

    /// Marks `ticket` as no longer waiting for an answer (failed, ambiguous, or cancelled).
    pub(crate) fn end(&self, ticket: Ticket) {
        self.lock().in_flight.remove(&ticket);
        self.ended.notify_waiters();
    }

    /// Ends `ticket` with the connector its answer named, claiming it in the same step so no
    /// list can take it in between. `false` when a reconcile had adopted it already (a bug).
    pub(crate) fn end_with(&self, ticket: Ticket, connector_id: &str) -> bool {
        let fresh = {
            let mut r = self.lock();
            r.in_flight.remove(&ticket);
            r.claimed.insert(connector_id.to_owned())
        };
        self.ended.notify_waiters();
        fresh
    }

    /// The other creates to `app_id` still in flight: one of them may have made a connector a
    /// list just showed, and its answer will claim it.
    pub(crate) fn pending(&self, app_id: &str, except: Ticket) -> Vec<Ticket> {
        self.lock()
            .in_flight
            .iter()
            .filter(|(t, a)| **t != except && a.as_str() == app_id)
            .map(|(t, _)| *t)
            .collect()
    }

    /// Waits until none of `tickets` is in flight any more, or `cancel` fires.
    pub(crate) async fn wait_ended(&self, tickets: &[Ticket], cancel: &CancellationToken) {
        loop {
            let notified = self.ended.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if !tickets
                .iter()
                .any(|t| self.lock().in_flight.contains_key(t))
            {
                return;
            }
            tokio::select! {
                () = cancel.cancelled() => return,
                () = &mut notified => {}
            }
        }
    }

    /// Runs `pick` over the claimed set and claims what it returns, under one lock, so two
    /// creates looking at once never take the same connector.
    pub(crate) fn claim_with<T>(
        &self,
        pick: impl FnOnce(&HashSet<String>) -> Option<(String, T)>,
    ) -> Option<T> {
        let mut r = self.lock();
        let (id, found) = pick(&r.claimed)?;
        r.claimed.insert(id);
        Some(found)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_wait_ends_when_the_creates_it_waits_for_end() {
        let reg = std::sync::Arc::new(CreateRegistry::default());
        let a = reg.start("app");
        let b = reg.start("app");
        let other = reg.start("other-app");
        assert_eq!(reg.pending("app", a), vec![b]);
        let r2 = std::sync::Arc::clone(&reg);
        let waiter =
            tokio::spawn(async move { r2.wait_ended(&[b], &CancellationToken::new()).await });
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        assert!(reg.end_with(b, "c1"));
        tokio::time::timeout(Duration::from_secs(5), waiter)
            .await
            .expect("woken")
            .expect("joined");
        assert!(!reg.end_with(a, "c1"), "a connector is claimed once");
        reg.end(other);
        assert!(reg.pending("other-app", 0).is_empty());
        assert_eq!(
            reg.claim_with(|c| (!c.contains("c2")).then(|| ("c2".into(), 2))),
            Some(2)
        );
        assert_eq!(
            reg.claim_with(|c| (!c.contains("c2")).then(|| ("c2".into(), 2))),
            None
        );
    }
}
