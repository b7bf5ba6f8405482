//! Benchmark (ignored by default; figures go to docs/benchmarks.md): the initial Down of 10,000
//! events in 3 calendars by `quick3 sync`, against a bare paged download of the same delta pages
//! in the same run, and the peak RSS of `quick3 sync`. Run:
//! `cargo test --release -p quick3-cli --test it sync_bench:: -- --ignored --nocapture`
//! (`QUICK3_BENCH_BIN=path/to/quick3` times that build of `quick3 sync` instead of this one's).

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::time::Instant;

use common::{Cli, support};
use serde_json::{Value, json};

const MEGAN_ID: &str = m365_emulator::MEGAN_ID;

async fn bare_download(
    tenant: &support::Tenant,
    calendars: &[String],
    from: &str,
    to: &str,
) -> (usize, usize) {
    let token: Value = tenant
        .admin
        .post(format!(
            "{}/contoso.example/oauth2/v2.0/token",
            tenant.emulator.authority()
        ))
        .form(&[
            ("client_id", m365_emulator::ORG_CLIENT_ID),
            ("client_secret", m365_emulator::ORG_CLIENT_SECRET),
            ("grant_type", "client_credentials"),
            ("scope", "https://graph.microsoft.com/.default"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    let (mut items, mut pages) = (0, 0);
    for calendar in calendars {
        let mut url = format!(
            "{}/users/{MEGAN_ID}/calendars/{calendar}/calendarView/delta?startDateTime={from}&endDateTime={to}",
            tenant.emulator.graph()
        );
        loop {
            let page: Value = tenant
                .admin
                .get(&url)
                .bearer_auth(&token)
                .header("Prefer", "odata.maxpagesize=100")
                .header("Prefer", "outlook.timezone=\"UTC\"")
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            pages += 1;
            items += page["value"].as_array().unwrap().len();
            match page["@odata.nextLink"].as_str() {
                Some(next) => url = next.to_owned(),
                None => break,
            }
        }
    }
    (items, pages)
}

/// CPU time (user + system) of this process so far: the emulator and the bare client run here.
/// Linux reports it in clock ticks of 1/100 s (USER_HZ).
fn process_cpu() -> std::time::Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
    // The fields after the command name (which is in parentheses and may hold spaces).
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..]
        .split_whitespace()
        .collect();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
    std::time::Duration::from_millis(ticks * 10)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
async fn initial_down_of_10000_events_in_3_calendars() {
    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    let reseed = tenant
        .admin
        .post(format!("{}/seed", tenant.emulator.admin()))
        .json(&json!({"seed": {"scale": {"events": 10000, "calendars": 3}}}))
        .send()
        .await
        .unwrap();
    assert!(reseed.status().is_success());
    // After the reseed: a reseed forgets consents.
    cli.add_account(
        &tenant,
        "Megan Bowen",
        "megan.bowen@contoso.example",
        "down",
    )
    .await;
    let calendars: Value = tenant
        .admin
        .get(format!(
            "{}/users/{MEGAN_ID}/calendars",
            tenant.emulator.admin()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<String> = calendars["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids.len(), 3);
    // The window quick3 uses with --days-back 100 --days-forward 100 (UTC midnights).
    let today = chrono::Utc::now().date_naive();
    let from = format!("{}T00:00:00Z", today - chrono::Days::new(100));
    let to = format!("{}T00:00:00Z", today + chrono::Days::new(100));

    let started = Instant::now();
    let cpu_before = process_cpu();
    let (items, pages) = bare_download(&tenant, &ids, &from, &to).await;
    let bare = started.elapsed();
    let bare_cpu = process_cpu() - cpu_before;
    assert_eq!(items, 10_000, "the window holds every event");

    let started = Instant::now();
    let cpu_before = process_cpu();
    let output = tokio::task::spawn_blocking({
        let mut command = std::process::Command::new("/usr/bin/time");
        command.arg("-f").arg("peak-rss-kb=%M\ncpu-seconds=%U %S");
        let quick3 = cli.command(&[
            "sync",
            "--json",
            "--days-back",
            "100",
            "--days-forward",
            "100",
        ]);
        // QUICK3_BENCH_BIN: another build of `quick3` to time (an older one, say, run
        // interleaved with this one so that both see the same load).
        match std::env::var_os("QUICK3_BENCH_BIN") {
            Some(other) => command.arg(other),
            None => command.arg(quick3.get_program()),
        };
        command.args(quick3.get_args());
        for (key, value) in quick3.get_envs() {
            match value {
                Some(value) => command.env(key, value),
                None => command.env_remove(key),
            };
        }
        move || command.output().unwrap()
    })
    .await
    .unwrap();
    let synced = started.elapsed();
    let serving_cpu = process_cpu() - cpu_before;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "{stderr}{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(summary[0]["added"], 10_000, "{summary}");
    let rss_kb: u64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak-rss-kb="))
        .and_then(|v| v.trim().parse().ok())
        .unwrap();
    // CPU time of the quick3 process (user + system): steadier than wall time on a busy machine.
    let cpu: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("cpu-seconds="))
        .map(|v| {
            v.split_whitespace()
                .filter_map(|s| s.parse::<f64>().ok())
                .sum()
        })
        .unwrap();
    eprintln!(
        "bare paged download: {items} events in {pages} pages, {:.0} ms, CPU of the bench process (emulator and client) {:.0} ms\nquick3 sync: {} requests, {:.0} ms (ratio {:.2}), CPU {:.0} ms, peak RSS {:.1} MB; CPU of the bench process (the emulator serving it) {:.0} ms",
        bare.as_secs_f64() * 1000.0,
        bare_cpu.as_secs_f64() * 1000.0,
        summary[0]["requests"],
        synced.as_secs_f64() * 1000.0,
        synced.as_secs_f64() / bare.as_secs_f64(),
        cpu * 1000.0,
        rss_kb as f64 / 1024.0,
        serving_cpu.as_secs_f64() * 1000.0
    );
}
