//! Benchmark (ignored by default; figures go to docs/benchmarks.md): on the same emulator data,
//! Quick3's initial Down of 10,000 events in 3 calendars (`quick3 sync` as a process) against
//! Microsoft's msgraph-sdk for Python enumerating the same calendarView delta (first call to
//! deltaLink, 100 events a page), and the requests of a sync with nothing changed against the
//! minimum (one delta request per calendar). Needs the conformance venv (tests/conformance/run.sh
//! creates it) and the Secret Service that script/test starts. Run:
//! `cargo test --release -p quick3-cli --test it side_by_side:: -- --ignored --nocapture`

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::path::PathBuf;
use std::time::Instant;

use common::{Cli, support};
use serde_json::{Value, json};

const MEGAN_ID: &str = m365_emulator::MEGAN_ID;
const EVENTS: u64 = 10_000;

async fn app_token(tenant: &support::Tenant) -> String {
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
    token["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a benchmark: run with --release --ignored --nocapture"]
async fn quick3_initial_down_against_msgraph_sdk_for_python() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let venv = std::env::var("QUICK3_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            PathBuf::from(std::env::var("HOME").unwrap()).join(".cache/quick3/venv")
        });
    let python = venv.join("bin/python");
    assert!(
        python.exists(),
        "{} is missing: run tests/conformance/run.sh once to create the venv",
        python.display()
    );

    let tenant = support::demo_tenant().await;
    let cli = Cli::for_tenant(&tenant);
    cli.ok(&["demo", "seed"]);
    let reseed = tenant
        .admin
        .post(format!("{}/seed", tenant.emulator.admin()))
        .json(&json!({"seed": {"scale": {"events": EVENTS, "calendars": 3}}}))
        .send()
        .await
        .unwrap();
    assert!(reseed.status().is_success());
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
    // The window quick3 uses with --days-back 100 --days-forward 100 (UTC midnights).
    let today = chrono::Utc::now().date_naive();
    let from = format!("{}T00:00:00Z", today - chrono::Days::new(100));
    let to = format!("{}T00:00:00Z", today + chrono::Days::new(100));

    // Microsoft's SDK first (it reads the data quick3 will read; reading changes nothing).
    let info = cli.dir.path().join("bench-info.json");
    std::fs::write(
        &info,
        json!({
            "graph": tenant.emulator.graph(), "ca_cert": tenant.emulator.ca_cert_path(),
            "token": app_token(&tenant).await, "user": MEGAN_ID, "calendars": ids,
            "from": from, "to": to, "page_size": 100,
        })
        .to_string(),
    )
    .unwrap();
    let script = root.join("tests/conformance/msgraph_delta_bench.py");
    let sdk = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(script)
            .arg(info)
            .env_remove("REQUESTS_CA_BUNDLE")
            .env_remove("SSL_CERT_FILE")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        sdk.status.success(),
        "{}",
        String::from_utf8_lossy(&sdk.stderr)
    );
    let sdk: Value = serde_json::from_slice(&sdk.stdout).unwrap();
    assert_eq!(sdk["items"], EVENTS, "the SDK saw every event: {sdk}");
    let sdk_seconds = sdk["seconds"].as_f64().unwrap();

    let sync = || {
        let mut command = cli.command(&[
            "sync",
            "--json",
            "--days-back",
            "100",
            "--days-forward",
            "100",
        ]);
        async move {
            let started = Instant::now();
            let output = tokio::task::spawn_blocking(move || command.output().unwrap())
                .await
                .unwrap();
            let took = started.elapsed().as_secs_f64();
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let summary: Value = serde_json::from_slice(&output.stdout).unwrap();
            (summary, took)
        }
    };
    let (first, quick3_seconds) = sync().await;
    assert_eq!(first[0]["added"], EVENTS, "{first}");
    let (quiet, _) = sync().await;
    assert_eq!(
        (
            &quiet[0]["added"],
            &quiet[0]["updated"],
            &quiet[0]["deleted"]
        ),
        (&json!(0), &json!(0), &json!(0))
    );
    let minimum = ids.len() as u64;
    assert_eq!(
        quiet[0]["requests"], minimum,
        "a sync with nothing changed asks once per calendar"
    );
    eprintln!(
        "msgraph-sdk for Python: {} events in {} pages, {:.0} ms (enumeration only)\n\
         quick3 sync (whole process: start-up, keyring, token, {} requests, written to SQLite): {:.0} ms\n\
         ratio: Quick3 is {:.2}× as fast (goal ≥ 2×)\n\
         no-change resync: {} requests (minimum {minimum})",
        sdk["items"],
        sdk["pages"],
        sdk_seconds * 1000.0,
        first[0]["requests"],
        quick3_seconds * 1000.0,
        sdk_seconds / quick3_seconds,
        quiet[0]["requests"],
    );
}
