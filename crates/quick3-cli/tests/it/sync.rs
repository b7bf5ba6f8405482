//! `quick3 sync` as a process: a summary in JSON, and kill -9 at random points, at least 50
//! times, while both sides keep changing; then a clean sync leaves no duplicates, no lost local
//! edit and no resurrected deletion. Needs the real Secret Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::{
    Dice, admin, appointment_input, megan_connected, open, outlook_subjects, summary_changes,
    support,
};
use quick3_core::ids::AppointmentId;
use quick3_core::model::{AppointmentPatch, Origin};
use quick3_core::store::AppointmentQuery;
use serde_json::json;

const MEGAN: &str = "megan.bowen@contoso.example";

fn day(days: i64) -> String {
    (chrono::Utc::now() + chrono::Duration::days(days))
        .date_naive()
        .to_string()
}

async fn outlook_create(tenant: &support::Tenant, subject: &str, days: i64) -> String {
    let d = day(days);
    let event = admin(
        tenant,
        reqwest::Method::POST,
        &format!("/users/{MEGAN}/events"),
        Some(json!({"subject": subject, "start": {"dateTime": format!("{d}T07:00:00"), "timeZone": "UTC"}, "end": {"dateTime": format!("{d}T08:00:00"), "timeZone": "UTC"}})),
    )
    .await;
    event["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_then_a_clean_sync_loses_and_duplicates_nothing() {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    // The demo's own appointments on the resource predate the account: the account receives them
    // (once each, whatever the kills) but they are not part of Quick3's side of this test.
    let demo_appointments = open(&cli)
        .list_appointments(AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap();
    let demo: BTreeSet<AppointmentId> = demo_appointments.iter().map(|a| a.id).collect();
    let mut demo_titles: BTreeMap<String, usize> = BTreeMap::new();
    for a in &demo_appointments {
        *demo_titles.entry(a.title.clone()).or_default() += 1;
    }

    let mut dice = Dice::from_clock("crash test");

    // The expected world: Outlook-only events (subject → id), Quick3 appointments (id → title).
    let mut outlook: BTreeMap<String, String> = BTreeMap::new();
    let mut outlook_deleted: BTreeSet<String> = BTreeSet::new();
    let mut local: BTreeMap<AppointmentId, String> = BTreeMap::new();
    let mut local_deleted: BTreeSet<AppointmentId> = BTreeSet::new();
    for i in 0..60 {
        let subject = format!("Outlook {i}");
        outlook.insert(
            subject.clone(),
            outlook_create(&tenant, &subject, 1 + i % 50).await,
        );
    }
    {
        let mut store = open(&cli);
        for i in 0..20 {
            let title = format!("Quick3 {i}");
            let a = store
                .create_appointment(
                    appointment_input(resource, &title, 1 + i % 40),
                    chrono::Utc::now(),
                )
                .unwrap();
            local.insert(a.id, title);
        }
    }
    // Every Graph answer is slow, so a kill lands in the middle of pages and batches.
    admin(
        &tenant,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"path": "/v1.0/*", "kind": "slow", "delayMs": 15})),
    )
    .await;

    let started = Instant::now();
    let mut kills = 0;
    let mut finished = 0;
    let mut step = 0u64;
    while kills < 50 && started.elapsed() < Duration::from_secs(50) {
        step += 1;
        // Both sides change between runs.
        {
            let mut store = open(&cli);
            let now = chrono::Utc::now();
            let title = format!("Quick3 new {step}");
            let a = store
                .create_appointment(
                    appointment_input(resource, &title, 1 + (step as i64 % 40)),
                    now,
                )
                .unwrap();
            local.insert(a.id, title);
            let live: Vec<AppointmentId> = local.keys().copied().collect();
            let pick = live[dice.below(live.len() as u64) as usize];
            let title = format!("Quick3 edited {step}");
            store
                .edit_appointment(
                    pick,
                    AppointmentPatch {
                        title: Some(title.clone()),
                        ..Default::default()
                    },
                    now,
                )
                .unwrap();
            local.insert(pick, title);
            if dice.below(4) == 0 {
                let live: Vec<AppointmentId> = local.keys().copied().collect();
                let gone = live[dice.below(live.len() as u64) as usize];
                store.delete_appointment(gone, now).unwrap();
                local.remove(&gone);
                local_deleted.insert(gone);
            }
        }
        let subject = format!("Outlook new {step}");
        outlook.insert(
            subject.clone(),
            outlook_create(&tenant, &subject, 1 + (step as i64 % 50)).await,
        );
        if dice.below(3) == 0 {
            let subjects: Vec<String> = outlook.keys().cloned().collect();
            let gone = subjects[dice.below(subjects.len() as u64) as usize].clone();
            let id = outlook.remove(&gone).unwrap();
            admin(
                &tenant,
                reqwest::Method::DELETE,
                &format!("/users/{MEGAN}/events/{id}"),
                None,
            )
            .await;
            outlook_deleted.insert(gone);
        }

        let mut child = cli
            .command(&["sync", "--page-size", "7", "--json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let wait = Duration::from_millis(30 + dice.below(400));
        let deadline = Instant::now() + wait;
        let mut exited = false;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if exited {
            finished += 1;
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "an uninterrupted sync succeeds: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        } else {
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            kills += 1;
        }
    }
    eprintln!(
        "{kills} kills, {finished} runs finished, in {:?}",
        started.elapsed()
    );
    assert!(
        kills >= 50,
        "at least 50 kills ({kills} in {:?})",
        started.elapsed()
    );

    admin(&tenant, reqwest::Method::DELETE, "/faults", None).await;
    // A round resumed from a killed run reports the world as it was when that round began;
    // what changed since comes in the next round. Clean syncs settle within three.
    let mut quiet = false;
    let mut seen = Vec::new();
    for _ in 0..3 {
        let summary = cli.json(&["sync", "--json"]);
        assert_eq!(summary[0]["errors"], json!([]), "{summary}");
        seen.push(summary.clone());
        if summary[0]["added"] == 0 && summary[0]["updated"] == 0 && summary[0]["deleted"] == 0 {
            quiet = true;
            break;
        }
    }
    assert!(quiet, "clean syncs settle: {seen:#?}");

    // Quick3's side.
    let store = open(&cli);
    let live = store
        .list_appointments(AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter(|a| !demo.contains(&a.id))
        .collect::<Vec<_>>();
    let mut titles: BTreeMap<String, usize> = BTreeMap::new();
    for a in &live {
        *titles.entry(a.title.clone()).or_default() += 1;
    }
    let duplicated: Vec<_> = titles.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        duplicated.is_empty(),
        "no duplicates in Quick3: {duplicated:?}"
    );
    for (id, title) in &local {
        let a = store
            .appointment(*id)
            .unwrap_or_else(|_| panic!("{title} was not lost"));
        assert_eq!(&a.title, title, "the last local edit is kept");
    }
    for id in &local_deleted {
        assert!(
            store.appointment(*id).is_err(),
            "a local deletion is not resurrected"
        );
    }
    for subject in outlook.keys() {
        assert_eq!(
            titles.get(subject),
            Some(&1),
            "{subject} arrived exactly once"
        );
    }
    for subject in &outlook_deleted {
        assert!(
            !titles.contains_key(subject),
            "{subject} was deleted in Outlook and stays deleted"
        );
    }
    let pulled = live
        .iter()
        .filter(|a| matches!(a.origin, Origin::Microsoft365 { .. }))
        .count();
    assert_eq!(
        pulled,
        outlook.len(),
        "exactly the Outlook events were pulled"
    );
    assert_eq!(
        live.len(),
        outlook.len() + local.len(),
        "nothing else in Quick3"
    );

    // Microsoft's side.
    let subjects = outlook_subjects(&tenant, MEGAN, "").await;
    // Each appointment exactly once: the demo's, the Outlook-only events still there, and Quick3's
    // with their last edit; no deleted event came back.
    let mut expected = demo_titles.clone();
    for subject in outlook.keys().chain(local.values()) {
        *expected.entry(subject.clone()).or_default() += 1;
    }
    assert_eq!(
        subjects, expected,
        "Outlook holds each appointment exactly once and no deleted one"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_syncs_of_one_account_at_once_take_turns_and_duplicate_nothing() {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    cli.ok(&["sync"]);
    for i in 0..10 {
        outlook_create(&tenant, &format!("Outlook {i}"), 1 + i).await;
    }
    {
        let mut store = open(&cli);
        for i in 0..10 {
            store
                .create_appointment(
                    appointment_input(resource, &format!("Quick3 {i}"), 1 + i),
                    chrono::Utc::now(),
                )
                .unwrap();
        }
    }
    // Microsoft 1.2 s away: a sync takes longer than another waits for it (a few seconds), so
    // the three overlap and the ones that wait in vain say so.
    admin(
        &tenant,
        reqwest::Method::PUT,
        "/latency",
        Some(json!({"ms": 1200})),
    )
    .await;
    admin(&tenant, reqwest::Method::DELETE, "/requests", None).await;
    let syncs: Vec<std::process::Child> = (0..3)
        .map(|_| {
            cli.command(&["sync"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let outputs: Vec<std::process::Output> = tokio::task::spawn_blocking(move || {
        syncs
            .into_iter()
            .map(|sync| sync.wait_with_output().unwrap())
            .collect()
    })
    .await
    .unwrap();
    admin(
        &tenant,
        reqwest::Method::PUT,
        "/latency",
        Some(json!({"ms": 0})),
    )
    .await;

    let busy = format!(
        "quick3: A sync of {MEGAN} is already running (in another Quick3 Planner window or `quick3` process); try again when it has finished."
    );
    let mut synced = 0;
    for output in &outputs {
        let said = String::from_utf8_lossy(&output.stderr);
        if output.status.success() {
            synced += 1;
        } else {
            assert_eq!(
                said.trim(),
                busy,
                "a sync that could not start says so plainly, and only that"
            );
        }
    }
    eprintln!("{synced} of the three syncs ran, the others were told a sync is running");
    assert!(synced >= 1, "one of the three synced");
    let batches = admin(
        &tenant,
        reqwest::Method::GET,
        "/requests?path=/v1.0/$batch",
        None,
    )
    .await;
    assert_eq!(
        batches["value"].as_array().map(Vec::len),
        Some(1),
        "the ten uploads went out once, in one $batch, not once per process: {batches}"
    );

    let quiet = cli.json(&["sync", "--json"]);
    assert_eq!(
        summary_changes(&quiet),
        (&json!(0), &json!(0), &json!(0)),
        "nothing was left for a later sync: {quiet}"
    );
    let outlook = outlook_subjects(&tenant, MEGAN, "Quick3 ").await;
    assert_eq!(
        outlook.len(),
        10,
        "every upload reached Outlook: {outlook:?}"
    );
    assert!(
        outlook.values().all(|n| *n == 1),
        "no duplicates in Outlook: {outlook:?}"
    );
    let store = open(&cli);
    let mut pulled: BTreeMap<String, usize> = BTreeMap::new();
    for a in store
        .list_appointments(AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
    {
        if a.title.starts_with("Outlook ") || a.title.starts_with("Quick3 ") {
            *pulled.entry(a.title).or_default() += 1;
        }
    }
    assert_eq!(
        pulled.len(),
        20,
        "every event and appointment is in Quick3: {pulled:?}"
    );
    assert!(
        pulled.values().all(|n| *n == 1),
        "no duplicates in Quick3: {pulled:?}"
    );
}
