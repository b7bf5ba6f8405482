//! Organisation mode at scale against the emulator: mailboxes linked to resources, the first full
//! sync run by `quick3 daemon --once` (the scheduled "Synchronize Office365 Calendars" job) and a
//! no-change `quick3 sync`, each timed with its requests and peak RSS, for several mailbox
//! parallelisms. A small run is a test (the no-change sync makes exactly one request per
//! calendar); the full one is a benchmark (figures in docs/benchmarks.md), run with
//! `XDG_DATA_HOME=$(mktemp -d) dbus-run-session -- bash -c 'eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"; cargo test --release -p quick3-cli --test it org_bench:: -- --ignored --nocapture'`
//! (a keyring of its own: another keyring daemon writing the same login keyring file can drop the
//! secret mid-run; QUICK3_BENCH_MAILBOXES, QUICK3_BENCH_EVENTS and QUICK3_BENCH_PARALLEL change
//! the scale, QUICK3_BENCH_LATENCY_MS adds the emulator's network latency to every request).

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::{Duration, Instant};

use chrono::Utc;
use common::{Cli, support};
use m365_emulator::{DEMO_TENANT_ID, ORG_CLIENT_ID, ORG_CLIENT_SECRET};
use quick3_core::model::{
    Direction, FailureNotice, Frequency, FrequencyUnit, JobKind, JobScope, JobSpec, NewResource,
    OrgMailbox, ResourceKind,
};
use quick3_core::store::ResolvedMailbox;
use serde_json::{Value, json};

/// One measured process run.
#[derive(Debug)]
struct Run {
    wall: Duration,
    requests: usize,
    peak_rss_mb: f64,
    /// User + system CPU time of the process.
    cpu: f64,
    output: String,
}

struct Bench {
    tenant: support::Tenant,
    mailboxes: usize,
    calendars: usize,
    events: usize,
}

impl Bench {
    async fn start(mailboxes: usize, calendars: usize, events: usize) -> Bench {
        let tenant = support::demo_tenant().await;
        let seeded = tenant
            .admin
            .post(format!("{}/seed", tenant.emulator.admin()))
            .json(&json!({"seed": {"organisation": {
                "users": mailboxes, "calendars": calendars, "events": events}}}))
            .send()
            .await
            .unwrap();
        assert!(seeded.status().is_success());
        Bench {
            tenant,
            mailboxes,
            calendars,
            events,
        }
    }

    async fn admin_get(&self, path: &str) -> Value {
        self.tenant
            .admin
            .get(format!("{}{path}", self.tenant.emulator.admin()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// A data folder with the organisation set up, every room mailbox linked to a resource of its
    /// own (written straight to the store: linking by hand is not what is measured), and the
    /// sync job due, syncing `parallel` mailboxes at once.
    async fn data_folder(&self, parallel: usize) -> Cli {
        let cli = Cli::for_tenant(&self.tenant);
        let set = cli
            .command(&[
                "org",
                "set",
                "--tenant",
                DEMO_TENANT_ID,
                "--client-id",
                ORG_CLIENT_ID,
                "--directions",
                "down",
            ])
            .env("QUICK3_ORG_SECRET", ORG_CLIENT_SECRET)
            .output()
            .unwrap();
        assert!(
            set.status.success(),
            "{}",
            String::from_utf8_lossy(&set.stderr)
        );
        let users = self.admin_get("/users").await;
        let rooms: Vec<&Value> = users["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|u| u["mail"].as_str().unwrap().starts_with("room."))
            .collect();
        assert_eq!(rooms.len(), self.mailboxes);
        let path = quick3_core::paths::database_in(cli.dir.path()).unwrap();
        let mut store = quick3_core::Store::open(&path).unwrap();
        let now = Utc::now();
        for room in rooms {
            let id = room["id"].as_str().unwrap();
            let calendars = self.admin_get(&format!("/users/{id}/calendars")).await;
            let calendars: Vec<(String, String, bool)> = calendars["value"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        c["id"].as_str().unwrap().to_owned(),
                        c["name"].as_str().unwrap().to_owned(),
                        c["isDefaultCalendar"].as_bool().unwrap_or(false),
                    )
                })
                .collect();
            let name = room["displayName"].as_str().unwrap();
            let resource = store
                .add_resource(
                    NewResource {
                        name: name.into(),
                        email: None,
                        kind: ResourceKind::Room,
                        colour: None,
                        hours: None,
                    },
                    now,
                )
                .unwrap();
            store
                .add_org_link(
                    resource.id,
                    &ResolvedMailbox {
                        mailbox: OrgMailbox {
                            object_id: id.into(),
                            display_name: name.into(),
                        },
                        email: room["mail"].as_str().unwrap().into(),
                        selected: calendars.iter().map(|c| c.0.clone()).collect(),
                        calendars,
                    },
                    Direction::Down,
                    now,
                )
                .unwrap();
        }
        store
            .set_setting(
                quick3_core::jobs::work::MAILBOXES_IN_PARALLEL_SETTING,
                Some(&parallel.to_string()),
            )
            .unwrap();
        // Added "a day ago": due now.
        quick3_core::api::add_job(
            &mut store,
            JobSpec {
                name: "Synchronize Office365 Calendars".into(),
                kind: JobKind::SynchronizeOffice365Calendars,
                frequency: Frequency {
                    every: 15,
                    unit: FrequencyUnit::Minutes,
                },
                enabled: true,
                active_hours: None,
                scope: JobScope::AllResources,
                notify: FailureNotice::default(),
            },
            now - chrono::Duration::days(1),
        )
        .unwrap();
        cli
    }

    /// Runs quick3 under /usr/bin/time; counts the Graph requests the emulator saw meanwhile.
    async fn measure(&self, cli: &Cli, args: &[&str]) -> Run {
        self.tenant
            .admin
            .delete(format!("{}/requests", self.tenant.emulator.admin()))
            .send()
            .await
            .unwrap();
        let mut command = std::process::Command::new("/usr/bin/time");
        command.arg("-f").arg("peak-rss-kb=%M cpu-s=%U %S");
        let quick3 = cli.command(args);
        command.arg(quick3.get_program());
        command.args(quick3.get_args());
        for (key, value) in quick3.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        let started = Instant::now();
        let output = tokio::task::spawn_blocking(move || command.output().unwrap())
            .await
            .unwrap();
        let wall = started.elapsed();
        let stderr = String::from_utf8_lossy(&output.stderr).to_string();
        assert!(
            output.status.success(),
            "quick3 {args:?}: {stderr}{}",
            String::from_utf8_lossy(&output.stdout)
        );
        let line = stderr
            .lines()
            .find_map(|l| l.strip_prefix("peak-rss-kb="))
            .unwrap();
        let (rss, cpu) = line.split_once(" cpu-s=").unwrap();
        let peak_rss_kb: f64 = rss.trim().parse().unwrap();
        let cpu: f64 = cpu
            .split_whitespace()
            .map(|t| t.parse::<f64>().unwrap())
            .sum();
        let log = self.admin_get("/requests?path=/v1.0/*").await;
        Run {
            wall,
            requests: log["value"].as_array().unwrap().len(),
            peak_rss_mb: peak_rss_kb / 1024.0,
            cpu,
            output: String::from_utf8_lossy(&output.stdout).to_string() + &stderr,
        }
    }

    /// The first full sync (the daemon runs the due job) and a no-change sync right after, and
    /// the size of the database then (with its write-ahead log).
    async fn round(&self, parallel: usize) -> (Run, Run, u64) {
        let cli = self.data_folder(parallel).await;
        let first = self.measure(&cli, &["daemon", "--once"]).await;
        let path = quick3_core::paths::database_in(cli.dir.path()).unwrap();
        let store = quick3_core::Store::open(&path).unwrap();
        let job = &store.list_jobs().unwrap()[0];
        let run = job.last_run.as_ref().unwrap();
        assert_eq!(
            run.result,
            quick3_core::model::JobRunResult::Succeeded,
            "{:?}\n{}",
            run.error,
            first.output
        );
        assert_eq!(
            run.counts["added"] as usize,
            self.mailboxes * self.calendars * self.events,
            "every event arrived"
        );
        assert_eq!(run.counts["requests"] as usize, first.requests);
        let parallel_arg = parallel.to_string();
        let quiet = self
            .measure(
                &cli,
                &["sync", "--json", "--mailboxes-in-parallel", &parallel_arg],
            )
            .await;
        assert_eq!(
            quiet.requests,
            self.mailboxes * self.calendars,
            "a sync with nothing changed makes exactly one request per calendar"
        );
        let size = ["", "-wal"]
            .iter()
            .filter_map(|suffix| std::fs::metadata(format!("{}{suffix}", path.display())).ok())
            .map(|m| m.len())
            .sum();
        (first, quiet, size)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_quiet_sync_of_many_linked_mailboxes_asks_once_per_calendar() {
    let bench = Bench::start(12, 2, 10).await;
    let (first, quiet, _) = bench.round(4).await;
    assert!(
        first.requests >= 12 * 2,
        "at least a delta round per calendar: {}",
        first.requests
    );
    assert_eq!(quiet.requests, 24);
}

/// Linked mailboxes synced in parallel, each with a first round of three pages: they run on one
/// thread, so none may hold the store's write lock while it waits for a page (a full round's
/// shared transaction would: another mailbox's write then waited in SQLite's busy handler,
/// blocking the thread of the sync holding the lock, until "database is locked").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mailboxes_synced_in_parallel_with_rounds_of_several_pages_do_not_lock_each_other_out() {
    let bench = Bench::start(4, 1, 250).await;
    let (first, quiet, _) = bench.round(4).await;
    assert!(
        first.requests >= 4 * 3,
        "three pages per calendar: {}",
        first.requests
    );
    assert_eq!(quiet.requests, 4);
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
async fn organisation_scale() {
    let mailboxes: usize = env_or("QUICK3_BENCH_MAILBOXES", "500").parse().unwrap();
    let events: usize = env_or("QUICK3_BENCH_EVENTS", "200").parse().unwrap();
    let parallels: Vec<usize> = env_or("QUICK3_BENCH_PARALLEL", "1,4,16,64")
        .split(',')
        .map(|p| p.trim().parse().unwrap())
        .collect();
    let latency_ms: u64 = env_or("QUICK3_BENCH_LATENCY_MS", "0").parse().unwrap();
    let bench = Bench::start(mailboxes, 2, events).await;
    // A network round trip per request, as against Microsoft: the emulator waits without CPU, so
    // mailboxes synced in parallel overlap the waits.
    let latency = bench
        .tenant
        .admin
        .put(format!("{}/latency", bench.tenant.emulator.admin()))
        .json(&json!({ "ms": latency_ms }))
        .send()
        .await
        .unwrap();
    assert!(latency.status().is_success());
    eprintln!(
        "{mailboxes} mailboxes x 2 calendars x {events} events, {latency_ms} ms network latency\n\
         | parallel | first sync | CPU | requests | mailboxes/s | peak RSS | database | no-change sync | CPU | requests | peak RSS |"
    );
    for parallel in parallels {
        let (first, quiet, size) = bench.round(parallel).await;
        eprintln!(
            "| {parallel} | {:.1} s | {:.1} s | {} | {:.1} | {:.1} MB | {:.1} MB | {:.2} s | {:.2} s | {} | {:.1} MB |",
            first.wall.as_secs_f64(),
            first.cpu,
            first.requests,
            mailboxes as f64 / first.wall.as_secs_f64(),
            first.peak_rss_mb,
            size as f64 / 1_048_576.0,
            quiet.wall.as_secs_f64(),
            quiet.cpu,
            quiet.requests,
            quiet.peak_rss_mb,
        );
    }
}
