//! Microsoft's budget per app and mailbox: 10,000 requests in any 10 minutes. Every request a
//! Graph client sends to a mailbox is counted here, held by `Credentials` beside the tokens that
//! app's requests carry (shared by all syncs of the process); when a mailbox's
//! budget is spent, the next request waits until the oldest one leaves the window instead of
//! running into 429s. Time is tokio's, so tests pause and advance it.

use std::collections::{HashMap, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// Requests one app may send to one mailbox within [`MAILBOX_WINDOW`] (Outlook's limit).
pub const MAILBOX_REQUESTS: usize = 10_000;
/// The sliding window of [`MAILBOX_REQUESTS`].
pub const MAILBOX_WINDOW: Duration = Duration::from_secs(600);

/// Requests sent per mailbox within the window.
#[derive(Debug)]
pub struct MailboxBudget {
    limit: usize,
    window: Duration,
    sent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

impl Default for MailboxBudget {
    fn default() -> Self {
        MailboxBudget::new(MAILBOX_REQUESTS, MAILBOX_WINDOW)
    }
}

impl MailboxBudget {
    pub fn new(limit: usize, window: Duration) -> Self {
        MailboxBudget {
            limit: limit.max(1),
            window,
            sent: Mutex::default(),
        }
    }

    /// Waits until one more request to `mailbox` fits its budget and counts it; answers how long
    /// it waited.
    pub async fn admit(&self, mailbox: &str) -> Duration {
        let start = Instant::now();
        loop {
            let wait = {
                let mut sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
                let now = Instant::now();
                // Mailboxes with nothing left in their window are forgotten, so that the map
                // holds only the mailboxes synced in the last ten minutes.
                sent.retain(|_, times| {
                    while times.front().is_some_and(|t| *t + self.window <= now) {
                        times.pop_front();
                    }
                    !times.is_empty()
                });
                let times = sent.entry(mailbox.to_owned()).or_default();
                if times.len() < self.limit {
                    times.push_back(now);
                    return now - start;
                }
                times
                    .front()
                    .map_or(Duration::ZERO, |oldest| *oldest + self.window - now)
            };
            tracing::debug!(
                mailbox,
                ?wait,
                "the mailbox's request budget is spent: waiting"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Requests counted for `mailbox` in the current window.
    pub fn used(&self, mailbox: &str) -> usize {
        let sent = self.sent.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        sent.get(mailbox).map_or(0, |times| {
            times.iter().filter(|t| **t + self.window > now).count()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_spent_budget_waits_until_the_oldest_request_leaves_the_window() {
        let budget = MailboxBudget::new(3, Duration::from_secs(600));
        let start = Instant::now();
        for _ in 0..3 {
            assert_eq!(budget.admit("/users/a").await, Duration::ZERO);
            tokio::time::advance(Duration::from_secs(10)).await;
        }
        tokio::time::advance(Duration::from_secs(70)).await;
        assert_eq!(
            budget.admit("/users/b").await,
            Duration::ZERO,
            "another mailbox has a budget of its own"
        );
        assert_eq!(budget.used("/users/a"), 3);
        let waited = budget.admit("/users/a").await;
        assert_eq!(
            waited,
            Duration::from_secs(500),
            "100 s in, the first request leaves the 600 s window at 600 s"
        );
        assert_eq!(Instant::now() - start, Duration::from_secs(600));
        assert_eq!(
            budget.used("/users/a"),
            3,
            "two older requests and this one are in the window"
        );
        let waited = budget.admit("/users/a").await;
        assert_eq!(
            waited,
            Duration::from_secs(10),
            "then the second one leaves"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn outlooks_budget_lets_ten_thousand_requests_through_at_once() {
        let budget = MailboxBudget::default();
        for _ in 0..MAILBOX_REQUESTS {
            assert_eq!(budget.admit("/me").await, Duration::ZERO);
        }
        let start = Instant::now();
        budget.admit("/me").await;
        assert_eq!(Instant::now() - start, MAILBOX_WINDOW, "the 10,001st waits");
    }
}
