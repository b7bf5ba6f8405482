//! The tray's background sync run after run: the core's job runner (`jobs::Runner`, what the tray
//! and `quick3 daemon` run) with the demo data and a scheduled Synchronize Office365 Calendars job
//! against the emulator, on a clock advanced to each next run. A counts test (requests per run
//! stay the same) and the growth benchmark of issue #20 (`script/bench-tray-growth`): the
//! process's PSS before and after 200 runs.

#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chrono::{DateTime, TimeZone, Utc};
use quick3_core::identity::{Credentials, Keyring, SecretStore};
use quick3_core::jobs::{FrontEnd, RunReport, Runner, Sent};
use quick3_core::mail::FailureMail;
use quick3_core::model::{
    Direction, FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec,
};
use quick3_core::{CoreError, Store, demo};
use serde_json::json;

use crate::support;
use crate::sync_support::{MEGAN, World, now};

/// The tray's side of the runner: the way to Microsoft and nothing around a run.
struct Tray<'a> {
    credentials: &'a Credentials,
    secrets: Arc<dyn SecretStore>,
}

impl FrontEnd for Tray<'_> {
    type Error = CoreError;

    fn credentials(&self) -> Result<&Credentials, CoreError> {
        Ok(self.credentials)
    }

    fn secrets(&self) -> &dyn SecretStore {
        self.secrets.as_ref()
    }

    fn gate(&self) -> impl Sized + '_ {}

    fn ran(&self, _report: &RunReport) {}

    fn mailed(&self, _mail: &FailureMail, _sent: &Sent) {}
}

/// The demo data (Megan Bowen's resource first) with her mailbox signed in, both ways, and an
/// hourly sync job over all resources; the job runner on the same database.
struct Background {
    world: World,
    runner: Runner,
    secrets: Arc<dyn SecretStore>,
    /// The runner's clock, in seconds: moved to each next run.
    clock: AtomicI64,
    /// Megan's Outlook event that Outlook changes before each run.
    event: String,
    /// A Quick3 appointment of Megan's that the planner renames now and then.
    local: quick3_core::ids::AppointmentId,
}

async fn background() -> Background {
    let tenant = support::demo_tenant().await;
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("q.db");
    let mut store = Store::open(&database).unwrap();
    demo::seed(&mut store, now()).unwrap();
    let resource = store.list_resources().unwrap()[0].id;
    let installation = store.installation_id().unwrap();
    let secrets = Keyring::for_installation(&installation);
    let credentials = Credentials::new(tenant.endpoints.clone(), secrets.clone()).unwrap();
    let mut world = World {
        tenant,
        store,
        credentials,
        resource,
        dir,
        installation,
    };
    world.connect(MEGAN, Direction::UpAndDown).await;
    let start = now();
    world
        .store
        .add_job(
            JobSpec {
                name: "Synchronize Office365 Calendars".into(),
                kind: JobKind::SynchronizeOffice365Calendars,
                frequency: Frequency {
                    every: 1,
                    unit: FrequencyUnit::Hours,
                },
                enabled: true,
                active_hours: None,
                scope: JobScope::AllResources,
                notify: FailureNotice {
                    emails: vec![],
                    after_failures: 1,
                    when_sign_in_needed: false,
                },
            },
            start,
            start,
        )
        .unwrap();
    let event = world
        .outlook_events(MEGAN)
        .await
        .into_iter()
        .find(|e| e["type"] != "seriesMaster")
        .expect("Megan's demo mailbox has a single event")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let local = world
        .appointments()
        .into_iter()
        .next()
        .expect("Megan has demo appointments")
        .id;
    let runner = Runner::open(&database).unwrap();
    Background {
        world,
        runner,
        secrets,
        clock: AtomicI64::new(start.timestamp()),
        event,
        local,
    }
}

impl Background {
    fn now(&self) -> DateTime<Utc> {
        Utc.timestamp_opt(self.clock.load(Ordering::SeqCst), 0)
            .unwrap()
    }

    /// Run `n` of the job: Outlook changes Megan's event (and, when `uploads`, the planner renames
    /// her appointment every 10th run), the clock moves to the job's next run, the runner looks at
    /// the schedule. Answers the Graph requests the run sent.
    async fn run(&mut self, n: usize, uploads: bool) -> usize {
        self.world
            .outlook_update(
                MEGAN,
                &self.event,
                json!({ "subject": format!("Weekly planning ({n})") }),
            )
            .await;
        if uploads && n.is_multiple_of(10) {
            let local = self.local;
            self.world
                .rename_local(local, &format!("Customer visit ({n})"));
        }
        self.world.clear_requests().await;
        let next = self.runner.store().list_jobs().unwrap()[0]
            .next_run_at
            .expect("the job has a next run");
        self.clock.store(next.timestamp(), Ordering::SeqCst);
        let tray = Tray {
            credentials: &self.world.credentials,
            secrets: self.secrets.clone(),
        };
        let at = &self.clock;
        let clock = move || Utc.timestamp_opt(at.load(Ordering::SeqCst), 0).unwrap();
        let tick = self.runner.tick(&tray, &clock).await.unwrap();
        assert_eq!(
            tick.reports.len(),
            1,
            "run {n}: the job is due at its next run"
        );
        let outcome = &tick.reports[0].outcome;
        assert!(
            outcome.succeeded,
            "run {n} succeeds: {:?}",
            outcome.failures
        );
        self.world.graph_requests().await.len()
    }
}

#[tokio::test]
async fn each_background_run_sends_the_same_requests() {
    let mut background = background().await;
    let first = background.run(0, false).await;
    let mut later = Vec::new();
    for n in 1..=6 {
        later.push(background.run(n, false).await);
    }
    assert!(
        first > later[0],
        "the first run reads every calendar in full: {first} against {later:?}"
    );
    assert!(
        later.iter().all(|&r| r == later[0]),
        "a run with one change in Outlook sends as many requests as the one before it (nothing \
         piles up from run to run): {later:?}"
    );
}

/// The process's proportional set size, in kB (what the tray's share of memory is measured by).
fn pss_kb() -> u64 {
    let rollup = std::fs::read_to_string("/proc/self/smaps_rollup").expect("Linux smaps_rollup");
    rollup
        .lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("a Pss line")
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// Issue #20: 200 background runs grow the process by less than 5 MB PSS. The emulator runs in
/// this process too (its request log is cleared before each run), so the growth bounds the
/// runner's own. `QUICK3_BENCH_RUNS` (200) and `QUICK3_BENCH_WARMUP` (10) change the counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: script/bench-tray-growth"]
async fn tray_growth_bench() {
    let var = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let (runs, warmup) = (
        var("QUICK3_BENCH_RUNS", 200),
        var("QUICK3_BENCH_WARMUP", 10),
    );
    let mut background = background().await;
    for n in 0..warmup {
        background.run(n, true).await;
    }
    let before = pss_kb();
    let started = Instant::now();
    let mut requests = Vec::new();
    let mut trend = vec![(0, before)];
    for n in warmup..warmup + runs {
        requests.push(background.run(n, true).await);
        if (n + 1 - warmup) % 25 == 0 {
            trend.push((n + 1 - warmup, pss_kb()));
        }
    }
    // The runs that sent more than most (a full round once the sync window moved a week).
    let usual = {
        let mut sorted = requests.clone();
        sorted.sort_unstable();
        sorted[sorted.len() / 2]
    };
    let busier: Vec<String> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| **r > usual)
        .map(|(i, r)| format!("{}: {r}", i + 1))
        .collect();
    let after = pss_kb();
    let growth = after as i64 - before as i64;
    let days = (background.now() - now()).num_hours() as f64 / 24.0;
    requests.sort_unstable();
    let trend: Vec<String> = trend
        .iter()
        .map(|(n, kb)| format!("{n}: {:.1}", mb(*kb)))
        .collect();
    println!(
        "{{\"runs\": {runs}, \"warmup\": {warmup}, \"pss_before_mb\": {:.1}, \"pss_after_mb\": {:.1}, \
         \"growth_mb\": {:.2}, \"goal_mb\": 5, \"met\": {}, \"clock_advanced_days\": {days:.1}, \
         \"graph_requests_per_run\": {{\"min\": {}, \"median\": {}, \"max\": {}}}, \
         \"busier_runs\": \"{}\", \"wall_s\": {:.1}, \"pss_mb_every_25_runs\": \"{}\"}}",
        mb(before),
        mb(after),
        growth as f64 / 1024.0,
        growth < 5 * 1024,
        requests[0],
        requests[requests.len() / 2],
        requests[requests.len() - 1],
        busier.join(", "),
        started.elapsed().as_secs_f64(),
        trend.join(", "),
    );
}
