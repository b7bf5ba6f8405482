//! `quick3 sync conflicts` and `quick3 sync resolve`: a conflict made through the emulator is
//! listed with both versions' differing fields; settling it survives `kill -9` inside its
//! transaction and in the upload after it, each way exactly once.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::os::unix::process::ExitStatusExt;

use common::{Cli, admin, appointment_input, megan_connected, open, support};
use quick3_core::ids::ResourceId;
use quick3_core::model::AppointmentPatch;
use serde_json::{Value, json};

const MEGAN: &str = "megan.bowen@contoso.example";
const SIGABRT: i32 = 6;

/// "Visit" made in Quick3 and synced, then renamed on both sides and synced: one conflict.
/// Answers the event's id.
async fn a_conflict(tenant: &support::Tenant, cli: &Cli, resource: ResourceId) -> String {
    let visit = open(cli)
        .create_appointment(appointment_input(resource, "Visit", 3), chrono::Utc::now())
        .unwrap();
    cli.json(&["sync", "--json"]);
    let events = admin(
        tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events"),
        None,
    )
    .await;
    let event = events["value"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"] == "Visit")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    open(cli)
        .edit_appointment(
            visit.id,
            AppointmentPatch {
                title: Some("Visit (Quick3)".into()),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    admin(
        tenant,
        reqwest::Method::PATCH,
        &format!("/users/{MEGAN}/events/{event}"),
        Some(json!({"subject": "Visit (Outlook)"})),
    )
    .await;
    let summary = cli.json(&["sync", "--json"]);
    assert_eq!(summary[0]["conflicts"], 1, "{summary}");
    event
}

/// Megan's event subjects starting with "Visit", sorted.
async fn outlook_visits(tenant: &support::Tenant) -> Vec<String> {
    let events = admin(
        tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events"),
        None,
    )
    .await;
    let mut subjects: Vec<String> = events["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["subject"].as_str())
        .filter(|s| s.starts_with("Visit"))
        .map(str::to_owned)
        .collect();
    subjects.sort();
    subjects
}

/// The resource's live appointment titles starting with "Visit", sorted.
fn local_visits(cli: &Cli, resource: ResourceId) -> Vec<String> {
    let mut titles: Vec<String> = open(cli)
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .map(|a| a.title)
        .filter(|t| t.starts_with("Visit"))
        .collect();
    titles.sort();
    titles
}

fn crashing(cli: &Cli, args: &[&str], spec: &str) {
    let out = cli
        .command(args)
        .env("QUICK3_CRASH_AT", spec)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(SIGABRT),
        "{args:?} stopped at {spec}: {stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn conflicts_are_listed_and_settled_once_across_crashes() {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    a_conflict(&tenant, &cli, resource).await;

    let listed: Value = cli.json(&["sync", "conflicts", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["account"], MEGAN);
    assert_eq!(listed[0]["fields"], json!(["subject"]), "only what differs");
    assert_eq!(listed[0]["quick3"]["title"], "Visit (Quick3)");
    assert_eq!(listed[0]["outlook"]["title"], "Visit (Outlook)");
    let table = cli.ok(&["sync", "conflicts"]);
    assert!(
        table.contains("Subject")
            && table.contains("Visit (Quick3)")
            && table.contains("Visit (Outlook)"),
        "{table}"
    );
    let id = listed[0]["id"].as_i64().unwrap().to_string();

    // Stopped dead inside the decision's transaction: nothing of it stays.
    crashing(
        &cli,
        &["sync", "resolve", &id, "--keep", "both"],
        "conflict-resolving",
    );
    assert_eq!(
        cli.json(&["sync", "conflicts", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1,
        "still open after the crash"
    );
    assert_eq!(local_visits(&cli, resource), ["Visit (Quick3)"]);

    let outcome = cli.json(&["sync", "resolve", &id, "--keep", "both", "--json"]);
    assert_eq!(outcome["already"], false, "{outcome}");
    assert!(outcome["copy_id"].is_string(), "{outcome}");
    let again = cli.json(&["sync", "resolve", &id, "--keep", "both", "--json"]);
    assert_eq!(again["already"], true, "settled once: {again}");
    assert_eq!(again["copy_id"], outcome["copy_id"], "no second copy");
    let refused = cli
        .command(&["sync", "resolve", &id, "--keep", "outlook"])
        .output()
        .unwrap();
    assert_eq!(
        refused.status.code(),
        Some(2),
        "another way is refused, as an id nothing answers to"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("settled already (both)"),
        "{refused:?}"
    );

    // The second appointment's upload stopped dead after Outlook created it.
    crashing(&cli, &["sync", "--json"], "up-sent");
    for _ in 0..2 {
        let summary = cli.json(&["sync", "--json"]);
        assert_eq!(summary[0]["errors"], json!([]), "{summary}");
        assert_eq!(summary[0]["conflicts"], 0, "{summary}");
    }
    let quiet = cli.json(&["sync", "--json"]);
    assert_eq!(
        (
            &quiet[0]["added"],
            &quiet[0]["updated"],
            &quiet[0]["deleted"]
        ),
        (&json!(0), &json!(0), &json!(0)),
        "{quiet}"
    );
    assert_eq!(
        outlook_visits(&tenant).await,
        ["Visit (Outlook)", "Visit (Quick3)"],
        "each version once in Outlook"
    );
    assert_eq!(
        local_visits(&cli, resource),
        ["Visit (Outlook)", "Visit (Quick3)"],
        "each version once in Quick3"
    );
    assert_eq!(cli.ok(&["sync", "conflicts"]).trim(), "No conflicts.");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_outlooks_from_the_cli_takes_it_at_once() {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    a_conflict(&tenant, &cli, resource).await;
    let id = cli.json(&["sync", "conflicts", "--json"])[0]["id"]
        .as_i64()
        .unwrap()
        .to_string();
    let said = cli.ok(&["sync", "resolve", &id, "--keep", "outlook"]);
    assert!(said.contains("now holds Outlook's version"), "{said}");
    assert_eq!(local_visits(&cli, resource), ["Visit (Outlook)"]);
    let usage = cli
        .command(&["sync", "resolve", &id, "--keep", "mine"])
        .output()
        .unwrap();
    assert_eq!(
        usage.status.code(),
        Some(2),
        "an unknown choice is a usage error"
    );
    for _ in 0..2 {
        let summary = cli.json(&["sync", "--json"]);
        assert_eq!(
            (
                &summary[0]["added"],
                &summary[0]["updated"],
                &summary[0]["conflicts"]
            ),
            (&json!(0), &json!(0), &json!(0)),
            "nothing left to send: {summary}"
        );
    }
    assert_eq!(outlook_visits(&tenant).await, ["Visit (Outlook)"]);
}
