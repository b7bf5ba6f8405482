//! The fault matrix's process cell for Up (docs/reliability.md): `quick3 sync` killed with
//! SIGKILL again and again while it uploads (every `$batch` answer slowed so kills land inside
//! them), while the planner keeps creating, editing and deleting; then a clean sync leaves each
//! appointment exactly once in Outlook with its last edit, and no deleted one. Needs the real
//! Secret Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use common::{Dice, admin, appointment_input, megan_connected, open};
use quick3_core::ids::AppointmentId;
use quick3_core::model::AppointmentPatch;
use serde_json::json;

const MEGAN: &str = "megan.bowen@contoso.example";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_uploads_then_a_clean_sync_pushes_each_change_once() {
    let (tenant, cli, resource) = megan_connected("empty", "up").await;

    let mut dice = Dice::from_clock("upload crash test");
    let mut roll = |n: u64| dice.below(n);

    let mut live: BTreeMap<AppointmentId, String> = BTreeMap::new();
    let mut deleted: BTreeSet<String> = BTreeSet::new();
    {
        let mut store = open(&cli);
        for i in 0..60 {
            let title = format!("Upload {i}");
            let a = store
                .create_appointment(
                    appointment_input(resource, &title, 1 + i as i64 % 30),
                    chrono::Utc::now(),
                )
                .unwrap();
            live.insert(a.id, title);
        }
    }
    // Each $batch answer takes a while, so a kill lands before, during or after Outlook did it.
    admin(
        &tenant,
        reqwest::Method::POST,
        "/faults",
        Some(json!({"method": "POST", "path": "/v1.0/$batch", "kind": "slow", "delayMs": 120})),
    )
    .await;

    let started = Instant::now();
    let (mut kills, mut finished) = (0, 0);
    let mut step = 0u64;
    while kills < 25 && started.elapsed() < Duration::from_secs(40) {
        step += 1;
        {
            let mut store = open(&cli);
            let now = chrono::Utc::now();
            let title = format!("Upload new {step}");
            let a = store
                .create_appointment(
                    appointment_input(resource, &title, 1 + step as i64 % 30),
                    now,
                )
                .unwrap();
            live.insert(a.id, title);
            let ids: Vec<AppointmentId> = live.keys().copied().collect();
            let pick = ids[roll(ids.len() as u64) as usize];
            let title = format!("Upload edited {step}");
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
            live.insert(pick, title);
            if roll(3) == 0 {
                let ids: Vec<AppointmentId> = live.keys().copied().collect();
                let gone = ids[roll(ids.len() as u64) as usize];
                store.delete_appointment(gone, now).unwrap();
                deleted.insert(live.remove(&gone).unwrap());
            }
        }
        let mut child = cli
            .command(&["sync", "--json"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_millis(40 + roll(900));
        let mut exited = false;
        while Instant::now() < deadline {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        if exited {
            child.wait().unwrap();
            finished += 1;
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
    assert!(kills >= 10, "at least 10 kills during uploads ({kills})");

    admin(&tenant, reqwest::Method::DELETE, "/faults", None).await;
    let summary = cli.json(&["sync", "--json"]);
    assert_eq!(summary[0]["errors"], json!([]), "{summary}");
    let quiet = cli.json(&["sync", "--json"]);
    assert_eq!(
        (
            &quiet[0]["added"],
            &quiet[0]["updated"],
            &quiet[0]["deleted"]
        ),
        (&json!(0), &json!(0), &json!(0)),
        "a second clean sync has nothing left to push: {quiet}"
    );

    let events = admin(
        &tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events"),
        None,
    )
    .await;
    let mut subjects: BTreeMap<String, usize> = BTreeMap::new();
    // The demo's own appointments on the resource go up too: not part of this test.
    for event in events["value"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["subject"].as_str().unwrap().starts_with("Upload"))
    {
        *subjects
            .entry(event["subject"].as_str().unwrap().to_owned())
            .or_default() += 1;
    }
    let expected: BTreeMap<String, usize> = live.values().map(|t| (t.clone(), 1)).collect();
    assert_eq!(
        subjects,
        expected,
        "each live appointment once in Outlook with its last edit; no deleted one ({} deleted)",
        deleted.len()
    );
}
