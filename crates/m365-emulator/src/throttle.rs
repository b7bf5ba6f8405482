//! Outlook-style throttling per app and mailbox: a sliding request window and a concurrency cap.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// Throttling limits; the defaults are Outlook's documented ones.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ThrottleConfig {
    pub enabled: bool,
    /// Requests allowed per app and mailbox within `window`.
    pub max_requests: u32,
    #[serde(with = "seconds")]
    pub window: Duration,
    /// Requests per app and mailbox served at the same time.
    pub max_concurrent: u32,
}

mod seconds {
    //! A `Duration` as whole seconds in JSON.
    use std::time::Duration;

    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u64(duration.as_secs())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Duration, D::Error> {
        Ok(Duration::from_secs(u64::deserialize(deserializer)?))
    }
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            max_requests: 10_000,
            window: Duration::from_secs(600),
            max_concurrent: 4,
        }
    }
}

/// Why a request was throttled, and when the client may come back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttled {
    pub retry_after_seconds: u64,
    pub message: &'static str,
}

#[derive(Debug, Default)]
struct MailboxBudget {
    recent: VecDeque<DateTime<Utc>>,
    in_flight: u32,
    blocked_until: Option<DateTime<Utc>>,
}

/// Budgets of every (app, mailbox) pair.
#[derive(Debug)]
pub struct Throttle {
    config: Mutex<ThrottleConfig>,
    budgets: Mutex<HashMap<(String, String), MailboxBudget>>,
}

/// A request in flight; dropping it frees its concurrency slot.
#[derive(Debug)]
pub struct Slot {
    throttle: Arc<Throttle>,
    key: (String, String),
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(budget) = self.throttle.budgets().get_mut(&self.key) {
            budget.in_flight = budget.in_flight.saturating_sub(1);
        }
    }
}

fn ceil_seconds(delta: TimeDelta) -> u64 {
    let millis = delta.num_milliseconds().max(0) as u64;
    millis.div_ceil(1000).max(1)
}

impl Throttle {
    pub fn new(config: ThrottleConfig) -> Self {
        Self {
            config: Mutex::new(config),
            budgets: Mutex::new(HashMap::new()),
        }
    }

    fn budgets(&self) -> MutexGuard<'_, HashMap<(String, String), MailboxBudget>> {
        self.budgets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn config(&self) -> ThrottleConfig {
        self.config
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    pub fn set_config(&self, config: ThrottleConfig) {
        *self
            .config
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = config;
        self.budgets().clear();
    }

    /// Admits a request of `app` on `mailbox` at `now`, or says how long to wait.
    pub fn admit(
        self: &Arc<Self>,
        app: &str,
        mailbox: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Slot>, Throttled> {
        let config = self.config();
        if !config.enabled {
            return Ok(None);
        }
        let key = (app.to_owned(), mailbox.to_owned());
        let mut budgets = self.budgets();
        let budget = budgets.entry(key.clone()).or_default();
        if let Some(until) = budget.blocked_until {
            if now < until {
                return Err(Throttled {
                    retry_after_seconds: ceil_seconds(until - now),
                    message: "Application is over its MailboxConcurrency limit.",
                });
            }
            budget.blocked_until = None;
        }
        let window = TimeDelta::from_std(config.window).unwrap_or(TimeDelta::MAX);
        while budget.recent.front().is_some_and(|at| *at + window <= now) {
            budget.recent.pop_front();
        }
        if budget.recent.len() >= config.max_requests as usize {
            let oldest = budget.recent.front().copied().unwrap_or(now);
            let until = oldest + window;
            budget.blocked_until = Some(until);
            return Err(Throttled {
                retry_after_seconds: ceil_seconds(until - now),
                message: "Application is over its MailboxConcurrency limit.",
            });
        }
        if budget.in_flight >= config.max_concurrent {
            budget.blocked_until = Some(now + TimeDelta::seconds(1));
            return Err(Throttled {
                retry_after_seconds: 1,
                message: "Application is over its MailboxConcurrency limit.",
            });
        }
        budget.recent.push_back(now);
        budget.in_flight += 1;
        Ok(Some(Slot {
            throttle: Arc::clone(self),
            key,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(max_requests: u32, max_concurrent: u32) -> Arc<Throttle> {
        Arc::new(Throttle::new(ThrottleConfig {
            enabled: true,
            max_requests,
            window: Duration::from_secs(60),
            max_concurrent,
        }))
    }

    #[test]
    fn window_refuses_then_readmits_after_retry_after() {
        let throttle = throttle(3, 10);
        let start = Utc::now();
        for second in 0..3 {
            drop(
                throttle
                    .admit("app", "box", start + TimeDelta::seconds(second))
                    .expect("within the window budget"),
            );
        }
        let refused = throttle
            .admit("app", "box", start + TimeDelta::seconds(10))
            .expect_err("fourth request in a minute");
        assert_eq!(
            refused.retry_after_seconds, 50,
            "wait until the oldest request leaves the window"
        );
        assert!(
            throttle
                .admit("app", "box", start + TimeDelta::seconds(30))
                .is_err(),
            "an early retry is throttled again"
        );
        assert!(
            throttle
                .admit("other-app", "box", start + TimeDelta::seconds(30))
                .is_ok(),
            "budgets are per app"
        );
        assert!(
            throttle
                .admit("app", "box", start + TimeDelta::seconds(61))
                .is_ok(),
            "after Retry-After the app is served"
        );
    }

    #[test]
    fn concurrency_cap_frees_slots_on_drop() {
        let throttle = throttle(100, 2);
        let now = Utc::now();
        let first = throttle.admit("app", "box", now).unwrap();
        let _second = throttle.admit("app", "box", now).unwrap();
        assert!(
            throttle.admit("app", "box", now).is_err(),
            "a third concurrent request is refused"
        );
        drop(first);
        assert!(
            throttle
                .admit("app", "box", now + TimeDelta::seconds(2))
                .is_ok(),
            "a freed slot is reused"
        );
    }
}
