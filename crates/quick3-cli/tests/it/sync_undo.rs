//! `quick3 sync preview` and `quick3 sync undo RUN`: the preview lists what a sync would change
//! and changes nothing; an undo said first with `--dry-run`, then done, brings a mass deletion
//! back on both sides; undoing twice undoes once; and `quick3 sync undo` stopped dead (the core's
//! crash points: after the undo's writes, after Outlook carried out its uploads) finishes once
//! when run again; a series made in Quick3 and deleted in Outlook comes back through an undo
//! with its exception, as one new series in Outlook, also after a crash. Needs the real Secret
//! Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;

use common::{Cli, admin, megan_connected, support};
use serde_json::{Value, json};

const MEGAN: &str = "megan.bowen@contoso.example";
const SIGABRT: i32 = 6;
const EVENTS: usize = 12;

/// `EVENTS` events "Event N" in Megan's Outlook, one a day from tomorrow; their ids.
async fn events(tenant: &support::Tenant) -> Vec<String> {
    let mut ids = Vec::new();
    for i in 0..EVENTS {
        let d = (chrono::Utc::now() + chrono::Duration::days(1 + i as i64)).date_naive();
        let event = admin(
            tenant,
            reqwest::Method::POST,
            &format!("/users/{MEGAN}/events"),
            Some(json!({"subject": format!("Event {i}"),
                        "start": {"dateTime": format!("{d}T07:00:00"), "timeZone": "UTC"},
                        "end": {"dateTime": format!("{d}T08:00:00"), "timeZone": "UTC"}})),
        )
        .await;
        ids.push(event["id"].as_str().unwrap().to_owned());
    }
    ids
}

/// How many events of each "Event N" subject Megan's Outlook holds.
async fn in_outlook(tenant: &support::Tenant) -> BTreeMap<String, usize> {
    let listed = admin(
        tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events"),
        None,
    )
    .await;
    count(listed["value"].as_array().unwrap(), "subject")
}

/// How many appointments of each "Event N" title Quick3 holds.
fn in_quick3(cli: &Cli) -> BTreeMap<String, usize> {
    let listed = cli.json(&["appointment", "list", "--json"]);
    count(listed.as_array().unwrap(), "title")
}

fn count(items: &[Value], field: &str) -> BTreeMap<String, usize> {
    let mut counted = BTreeMap::new();
    for item in items {
        let name = item[field].as_str().unwrap_or_default();
        if name.starts_with("Event ") {
            *counted.entry(name.to_owned()).or_insert(0) += 1;
        }
    }
    counted
}

fn all_once() -> BTreeMap<String, usize> {
    (0..EVENTS).map(|i| (format!("Event {i}"), 1)).collect()
}

/// Megan up and down with `EVENTS` events synced, then 11 deleted in Outlook and the mass
/// deletion allowed; the number of that run.
async fn mass_deleted() -> (support::Tenant, Cli, String) {
    let (tenant, cli, _) = megan_connected("empty", "up_and_down").await;
    let ids = events(&tenant).await;
    cli.ok(&["sync", "--account", MEGAN]);
    assert_eq!(in_quick3(&cli), all_once());
    for id in &ids[1..] {
        admin(
            &tenant,
            reqwest::Method::DELETE,
            &format!("/users/{MEGAN}/events/{id}"),
            None,
        )
        .await;
    }
    cli.ok(&["sync", "--account", MEGAN, "--allow-mass-delete"]);
    assert_eq!(in_quick3(&cli).len(), 1, "the mass deletion came down");
    let runs = cli.json(&["sync", "log", "--account", MEGAN, "--json"]);
    let run = runs[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(runs[0]["deleted"], 11, "{runs}");
    (tenant, cli, run)
}

/// Syncs until nothing changes (at most 3), asserting no errors and no conflicts.
fn settle(cli: &Cli) {
    for n in 1..=3 {
        let summary = cli.json(&["sync", "--account", MEGAN, "--json"]);
        assert_eq!(summary[0]["errors"], json!([]), "sync {n}: {summary}");
        assert_eq!(summary[0]["conflicts"], 0, "sync {n}: {summary}");
        if (
            &summary[0]["added"],
            &summary[0]["updated"],
            &summary[0]["deleted"],
        ) == (&json!(0), &json!(0), &json!(0))
        {
            return;
        }
    }
    panic!("three syncs after the undo still found changes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_is_said_first_then_brings_a_mass_deletion_back_once() {
    let (tenant, cli, run) = mass_deleted().await;
    let said = cli.ok(&["sync", "undo", &run, "--dry-run"]);
    assert!(
        said.contains("would put back 11 appointment(s), 0 cannot be undone")
            && said.contains("Restored in Quick3 Planner as its own appointment")
            && said.contains("Dry run: nothing was changed."),
        "the dry run says what it would do: {said}"
    );
    assert_eq!(in_quick3(&cli).len(), 1, "and does nothing");

    let done = cli.json(&["sync", "undo", &run, "--json"]);
    assert_eq!(done["errors"], json!([]), "{done}");
    assert_eq!(done["undo"].as_array().unwrap().len(), 11, "{done}");
    assert_eq!(
        in_quick3(&cli),
        all_once(),
        "every appointment back in Quick3, once"
    );
    assert_eq!(
        in_outlook(&tenant).await,
        all_once(),
        "and in Outlook, once"
    );
    settle(&cli);

    let twice = cli.ok(&["sync", "undo", &run]);
    assert!(
        twice.contains("put back 0 appointment(s), 11 cannot be undone")
            && twice.contains("undid it already"),
        "undoing twice undoes once, and says so: {twice}"
    );
    assert_eq!(in_quick3(&cli), all_once());
    assert_eq!(in_outlook(&tenant).await, all_once());
    let runs = cli.json(&["sync", "log", "--account", MEGAN, "--json"]);
    assert!(
        runs.as_array()
            .unwrap()
            .iter()
            .any(|r| r["trigger"] == "undo"
                && r["undoes_run"].as_i64().map(|n| n.to_string()) == Some(run.clone())),
        "the undo is a run of the journal: {runs}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_stopped_dead_finishes_once_when_run_again() {
    for crash in ["undo-written", "up-sent", "up-confirmed:3"] {
        let (tenant, cli, run) = mass_deleted().await;
        let out = cli
            .command(&["sync", "undo", &run])
            .env("QUICK3_CRASH_AT", crash)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(SIGABRT),
            "quick3 sync undo stopped at {crash}: {stderr}"
        );
        let again = cli.json(&["sync", "undo", &run, "--json"]);
        assert_eq!(again["errors"], json!([]), "{crash}: {again}");
        assert_eq!(
            in_quick3(&cli),
            all_once(),
            "{crash}: each back in Quick3, once"
        );
        assert_eq!(
            in_outlook(&tenant).await,
            all_once(),
            "{crash}: each back in Outlook, once"
        );
        settle(&cli);
        assert_eq!(in_outlook(&tenant).await, all_once(), "{crash}: still once");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sync_preview_lists_the_changes_by_kind_and_changes_nothing() {
    let (tenant, cli, _) = megan_connected("empty", "down").await;
    events(&tenant).await;
    let listed = cli.ok(&["sync", "preview", "--account", MEGAN]);
    assert!(
        listed.contains(&format!("{MEGAN}: in Quick3 Planner, created ({EVENTS})"))
            && listed.contains("“Event 0”"),
        "grouped by side and kind, each named: {listed}"
    );
    assert!(in_quick3(&cli).is_empty(), "a preview changes nothing");
    let json = cli.json(&["sync", "preview", "--json"]);
    let group = &json[0]["groups"][0];
    assert_eq!(
        (&group["side"], &group["kind"]),
        (&json!("quick3"), &json!("created"))
    );
    assert_eq!(group["changes"].as_array().unwrap().len(), EVENTS, "{json}");
    let dry = cli.ok(&["sync", "--dry-run", "--account", MEGAN]);
    assert!(
        dry.contains("in Quick3 Planner, created") && dry.contains("Dry run"),
        "--dry-run lists the same: {dry}"
    );
    cli.ok(&["sync", "--account", MEGAN]);
    assert_eq!(
        in_quick3(&cli),
        all_once(),
        "the sync applies what was listed"
    );
}

const SERIES: &str = "Crew stand-up";

/// Megan's series titled `SERIES` in Outlook (their ids).
async fn series_in_outlook(tenant: &support::Tenant) -> Vec<String> {
    let listed = admin(
        tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events"),
        None,
    )
    .await;
    listed["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"] == SERIES)
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}

/// The starts of the occurrences of `SERIES` listed in Quick3.
fn series_in_quick3(cli: &Cli) -> Vec<String> {
    let listed = cli.json(&["appointment", "list", "--json"]);
    let mut starts: Vec<String> = listed
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["title"] == SERIES)
        .map(|a| a["start"].as_str().unwrap().to_owned())
        .collect();
    starts.sort();
    starts
}

/// Megan up and down with a weekly series of 4 made in Quick3 (its second occurrence moved to
/// 11:00) synced, then the series deleted in Outlook and that deletion synced; the occurrences'
/// starts before, and the number of the deleting run.
async fn series_deleted() -> (support::Tenant, Cli, Vec<String>, String) {
    let (tenant, cli, _) = megan_connected("empty", "up_and_down").await;
    let first = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    let second = first + chrono::Duration::days(7);
    let master = cli.json(&[
        "appointment",
        "add",
        "--resource",
        "Megan Bowen",
        "--title",
        SERIES,
        "--start",
        &format!("{first}T09:00"),
        "--end",
        &format!("{first}T09:30"),
        "--repeat",
        "weekly",
        "--count",
        "4",
        "--json",
    ]);
    let id = master["id"].as_str().unwrap();
    cli.ok(&[
        "appointment",
        "edit",
        id,
        "--occurrence",
        &second.to_string(),
        "--start",
        &format!("{second}T11:00"),
        "--end",
        &format!("{second}T11:30"),
    ]);
    cli.ok(&["sync", "--account", MEGAN]);
    settle(&cli);
    let before = series_in_quick3(&cli);
    assert_eq!(before.len(), 4, "{before:?}");
    assert!(before[1].contains("T11:00"), "the moved one: {before:?}");
    let outlook = series_in_outlook(&tenant).await;
    assert_eq!(outlook.len(), 1, "one series in Outlook");
    admin(
        &tenant,
        reqwest::Method::DELETE,
        &format!("/users/{MEGAN}/events/{}", outlook[0]),
        None,
    )
    .await;
    cli.ok(&["sync", "--account", MEGAN]);
    assert!(series_in_quick3(&cli).is_empty(), "the deletion came down");
    let runs = cli.json(&["sync", "log", "--account", MEGAN, "--json"]);
    let run = runs[0]["id"].as_i64().unwrap().to_string();
    assert_eq!(runs[0]["deleted"], 1, "one deletion, the series: {runs}");
    (tenant, cli, before, run)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_series_deleted_in_outlook_is_undone_with_its_exception_as_one_new_series() {
    let (tenant, cli, before, run) = series_deleted().await;
    let said = cli.ok(&["sync", "undo", &run, "--dry-run"]);
    assert!(
        said.contains("would put back 1 appointment(s), 0 cannot be undone")
            && said.contains("with the exceptions its deletion took")
            && said.contains("new series"),
        "the dry run says the series comes back and goes up as a new one: {said}"
    );
    assert!(series_in_quick3(&cli).is_empty(), "and does nothing");

    let done = cli.json(&["sync", "undo", &run, "--json"]);
    assert_eq!(done["errors"], json!([]), "{done}");
    assert_eq!(
        series_in_quick3(&cli),
        before,
        "back in Quick3 with its moved occurrence"
    );
    assert_eq!(
        series_in_outlook(&tenant).await.len(),
        1,
        "one new series in Outlook"
    );
    settle(&cli);
    assert_eq!(series_in_quick3(&cli), before, "the next sync leaves it");
    assert_eq!(series_in_outlook(&tenant).await.len(), 1, "still once");

    let twice = cli.ok(&["sync", "undo", &run]);
    assert!(
        twice.contains("put back 0 appointment(s), 1 cannot be undone")
            && twice.contains("undid it already"),
        "undoing twice undoes once: {twice}"
    );
    assert_eq!(series_in_outlook(&tenant).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_undo_of_a_series_stopped_dead_finishes_once_when_run_again() {
    for crash in ["undo-written", "up-sent"] {
        let (tenant, cli, before, run) = series_deleted().await;
        let out = cli
            .command(&["sync", "undo", &run])
            .env("QUICK3_CRASH_AT", crash)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.signal(),
            Some(SIGABRT),
            "quick3 sync undo stopped at {crash}: {stderr}"
        );
        let again = cli.json(&["sync", "undo", &run, "--json"]);
        assert_eq!(again["errors"], json!([]), "{crash}: {again}");
        settle(&cli);
        assert_eq!(
            series_in_quick3(&cli),
            before,
            "{crash}: the series back in Quick3 once, with its exception"
        );
        assert_eq!(
            series_in_outlook(&tenant).await.len(),
            1,
            "{crash}: one series in Outlook, no second one"
        );
    }
}
