//! `quick3 sync log`: the runs a sync journalled, newest first, and one run's changes, as plain
//! text and as JSON.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use common::{admin, megan_connected};
use serde_json::json;

const MEGAN: &str = "megan.bowen@contoso.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_log_lists_the_runs_and_a_runs_changes() {
    let (tenant, cli, _) = megan_connected("empty", "down").await;
    assert!(
        cli.ok(&["sync", "log"]).contains("No sync has run yet."),
        "an empty journal says so"
    );
    let d = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    admin(
        &tenant,
        reqwest::Method::POST,
        &format!("/users/{MEGAN}/events"),
        Some(json!({"subject": "Site visit",
                    "start": {"dateTime": format!("{d}T07:00:00"), "timeZone": "UTC"},
                    "end": {"dateTime": format!("{d}T08:00:00"), "timeZone": "UTC"}})),
    )
    .await;
    cli.ok(&["sync", "--account", MEGAN]);

    let runs = cli.json(&["sync", "log", "--account", MEGAN, "--json"]);
    let runs = runs.as_array().unwrap();
    assert_eq!(runs.len(), 1, "one run journalled: {runs:?}");
    assert_eq!(runs[0]["trigger"], "manual");
    assert_eq!(runs[0]["outcome"], "succeeded");
    assert_eq!(runs[0]["created"], 1, "{:?}", runs[0]);
    let run = runs[0]["id"].as_i64().unwrap().to_string();

    let listed = cli.ok(&["sync", "log"]);
    let row = listed
        .lines()
        .find(|line| line.starts_with(&run))
        .unwrap_or_else(|| panic!("the run is listed: {listed}"));
    assert!(
        row.contains(MEGAN) && row.contains("manual") && row.contains("succeeded"),
        "a run's row names its account, trigger and result: {row}"
    );

    let changes = cli.ok(&["sync", "log", "--run", &run]);
    assert!(
        changes.contains(&format!("Run {run} of {MEGAN}")),
        "the run is named first: {changes}"
    );
    let line = changes
        .lines()
        .find(|line| line.contains("Site visit"))
        .unwrap_or_else(|| panic!("the change is listed: {changes}"));
    assert!(
        line.contains("Quick3") && line.contains("created") && line.contains("changed in Outlook"),
        "a change says where, what and why: {line}"
    );
    let json = cli.json(&["sync", "log", "--run", &run, "--json"]);
    assert_eq!(json["changes"][0]["title"], "Site visit");
    assert_eq!(json["changes"][0]["kind"], "created");

    let missing = cli
        .command(&["sync", "log", "--run", "999"])
        .output()
        .unwrap();
    assert!(!missing.status.success(), "an unknown run is an error");
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("no run 999"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
}
