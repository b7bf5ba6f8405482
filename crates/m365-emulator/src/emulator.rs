//! The shared state behind every endpoint: store, tokens, sync states, throttling, faults, log.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use crate::clock::Clock;
use crate::faults::Faults;
use crate::graph::delta::{SavedSyncStates, SyncStates};
use crate::identity::tokens::{SignIns, Tokens};
use crate::request_log::RequestLog;
use crate::store::Store;
use crate::throttle::Throttle;

/// Lifetimes the identity platform and Graph apply.
#[derive(Debug, Clone)]
pub struct Lifetimes {
    pub access_token: TimeDelta,
    pub refresh_token: TimeDelta,
    pub auth_code: TimeDelta,
    pub device_code: TimeDelta,
    pub delta_token: TimeDelta,
}

/// The emulator's state.
#[derive(Debug)]
pub struct Emulator {
    store: Mutex<Store>,
    tokens: Mutex<Tokens>,
    sync: Mutex<SyncStates>,
    faults: Mutex<Faults>,
    log: Mutex<RequestLog>,
    clock: Arc<dyn Clock>,
    /// Added to the clock by the admin API (`/_emulator/clock`) to expire things on demand.
    offset: Mutex<TimeDelta>,
    pub throttle: Arc<Throttle>,
    pub lifetimes: Lifetimes,
    /// The seed `/_emulator/reset` goes back to.
    pub seed: crate::Seed,
    /// A network round trip added to every request but the admin API's, in milliseconds.
    latency_ms: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Emulator {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        throttle: Throttle,
        lifetimes: Lifetimes,
        seed: crate::Seed,
    ) -> Self {
        Self {
            store: Mutex::new(store),
            tokens: Mutex::new(Tokens::default()),
            sync: Mutex::new(SyncStates::default()),
            faults: Mutex::new(Faults::default()),
            log: Mutex::new(RequestLog::default()),
            clock,
            offset: Mutex::new(TimeDelta::zero()),
            throttle: Arc::new(throttle),
            lifetimes,
            seed,
            latency_ms: AtomicU64::new(0),
        }
    }

    /// The network latency every identity and Graph request waits before it is handled.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    pub fn set_latency(&self, latency: Duration) {
        self.latency_ms.store(
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
    }

    /// Continues the sign-ins and sync states of an earlier run (`--state`).
    pub fn restore(&self, sign_ins: SignIns, sync_states: SavedSyncStates) {
        *lock(&self.tokens) = Tokens::restored(sign_ins);
        *lock(&self.sync) = SyncStates::restored(sync_states);
    }

    /// Now, as every decision in the emulator sees it.
    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now() + *lock(&self.offset)
    }

    /// Moves the emulator's time forward.
    pub fn advance_clock(&self, by: TimeDelta) {
        *lock(&self.offset) += by;
    }

    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }

    pub fn tokens(&self) -> MutexGuard<'_, Tokens> {
        lock(&self.tokens)
    }

    pub fn sync(&self) -> MutexGuard<'_, SyncStates> {
        lock(&self.sync)
    }

    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }

    pub fn log(&self) -> MutexGuard<'_, RequestLog> {
        lock(&self.log)
    }
}
