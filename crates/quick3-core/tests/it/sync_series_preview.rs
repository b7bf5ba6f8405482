//! A dry run of a series made in Quick3, against the emulator: the preview lists what Up would
//! do to it (the new series, an occurrence moved or deleted here) and what Down would take of
//! it (an occurrence moved in Outlook, the master changed there, the series deleted there),
//! sends and writes nothing, and the real sync after it does what it said.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::sync_support;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use quick3_core::api::SyncScope;
use quick3_core::model::{Account, AppointmentPatch, ChangeKind, ChangeSide, Direction};
use quick3_core::sync::{SyncOptions, SyncSummary};
use serde_json::{Value, json};
use sync_support::series::*;
use sync_support::*;

const TITLE: &str = "Crew stand-up";
const QUOTED: &str = "“Crew stand-up”";
const OSLO: Tz = chrono_tz::Europe::Oslo;

/// What the store and Outlook hold: a dry run leaves both as they were.
#[derive(Debug, PartialEq)]
struct Held {
    appointments: String,
    outbox: u64,
    outlook: Vec<Value>,
}

async fn held(world: &World, account: &Account) -> Held {
    let mut outlook = world.outlook_events(MEGAN).await;
    outlook.sort_by_key(|e| e["id"].as_str().unwrap().to_owned());
    Held {
        appointments: format!("{:?}", world.appointments()),
        outbox: world.store.outbox_len(account.id).unwrap(),
        outlook,
    }
}

/// A dry run of Megan's account; its summary, after checking that it wrote nothing in Quick3
/// or Outlook and that its only requests were reads: GETs, and `batches` `$batch`es (the
/// emulator logs a batch, not its parts; Outlook's events keep their change keys, so none of
/// them wrote).
async fn dry_run(world: &mut World, account: &Account, batches: usize) -> SyncSummary {
    let before = held(world, account).await;
    world.clear_requests().await;
    let scope = SyncScope {
        account: Some(account.id),
        resource: None,
    };
    let options = SyncOptions {
        dry_run: true,
        ..Default::default()
    };
    let summary = world.sync_with(scope, &options).await.remove(0);
    assert!(summary.dry_run && summary.errors.is_empty(), "{summary:?}");
    let requests = world.graph_requests().await;
    let writes: Vec<&Value> = requests
        .iter()
        .filter(|r| r["method"] != "GET" && r["path"] != "/v1.0/$batch")
        .collect();
    assert!(writes.is_empty(), "a dry run sends nothing: {writes:#?}");
    let batch_count = requests
        .iter()
        .filter(|r| r["path"] == "/v1.0/$batch")
        .count();
    assert_eq!(
        batch_count,
        batches,
        "a dry run reads the series it must ($batches of masters and instances): {:?}",
        requests
            .iter()
            .map(|r| format!("{} {}", r["method"], r["path"]))
            .collect::<Vec<_>>()
    );
    assert_eq!(
        held(world, account).await,
        before,
        "a dry run writes nothing, here or in Outlook"
    );
    summary
}

/// The preview's lines: (side changed, kind, subject as quoted in the name, fields).
fn lines(summary: &SyncSummary) -> Vec<(ChangeSide, ChangeKind, String, Vec<String>)> {
    summary
        .preview
        .iter()
        .map(|c| {
            let fields = c.fields.iter().map(|f| f.field.clone()).collect();
            // “Subject” (start): the time tells occurrences apart, the subject the series.
            let subject = c.name.rsplit_once(" (").map_or(c.name.as_str(), |(s, _)| s);
            (c.side, c.kind, subject.to_owned(), fields)
        })
        .collect()
}

/// The real sync after a dry run does what the preview counted.
async fn as_previewed(world: &mut World, account: &Account, preview: &SyncSummary) {
    let real = world.sync_ok(account).await;
    assert_eq!(
        (real.added, real.updated, real.deleted),
        (preview.added, preview.updated, preview.deleted),
        "the sync does what its preview said: {real:?} after {preview:?}"
    );
}

fn moved_to_eleven(at: DateTime<Utc>) -> AppointmentPatch {
    let day = at.with_timezone(&OSLO).date_naive();
    AppointmentPatch {
        start: Some(format!("{day}T11:00")),
        end: Some(format!("{day}T11:30")),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_dry_run_lists_what_up_would_send_of_a_quick3_series() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    let master = quick3_series(&mut world, TITLE, &day(2), 4);
    let starts: Vec<DateTime<Utc>> = world
        .appointments()
        .iter()
        .filter_map(|a| a.original_start)
        .collect();
    assert_eq!(starts.len(), 4, "the series' occurrences are listed");
    world
        .store
        .edit_occurrence(master.id, starts[1], moved_to_eleven(starts[1]), now())
        .unwrap();

    // A new series with an occurrence moved before its first upload: both are shown once
    // (the occurrence goes up in the real sync's second pass, after its series).
    let preview = dry_run(&mut world, &account, 0).await;
    let shown = lines(&preview);
    assert_eq!(
        shown
            .iter()
            .map(|(side, kind, name, _)| (*side, *kind, name.as_str()))
            .collect::<Vec<_>>(),
        [
            (ChangeSide::Outlook, ChangeKind::Created, QUOTED),
            (ChangeSide::Outlook, ChangeKind::Updated, QUOTED),
        ],
        "the series to create and its moved occurrence, each once: {shown:?}"
    );
    assert!(
        shown[1].3.contains(&"start".to_owned()),
        "the occurrence's line says its start changes: {shown:?}"
    );
    as_previewed(&mut world, &account, &preview).await;

    // An occurrence deleted here, after the series is in Outlook: its instance's deletion.
    world
        .store
        .delete_occurrence(master.id, starts[2], now())
        .unwrap();
    let preview = dry_run(&mut world, &account, 0).await;
    assert_eq!(
        lines(&preview)
            .into_iter()
            .map(|(side, kind, name, _)| (side, kind, name))
            .collect::<Vec<_>>(),
        [(ChangeSide::Outlook, ChangeKind::Deleted, QUOTED.to_owned())],
        "the cancelled occurrence is shown as a deletion in Outlook: {:?}",
        preview.preview
    );
    as_previewed(&mut world, &account, &preview).await;
}

#[tokio::test]
async fn a_dry_run_lists_what_down_would_take_of_a_quick3_series() {
    let mut world = world().await;
    let account = world.connect(MEGAN, Direction::UpAndDown).await;
    quick3_series(&mut world, TITLE, &day(2), 4);
    world.sync_ok(&account).await;
    let master_id = outlook_master_id(&world, TITLE).await;
    let all = instances(&world, &account, &master_id).await;
    let mut originals: Vec<(DateTime<Utc>, String)> = all
        .iter()
        .map(|i| {
            (
                utc(&i["originalStart"]),
                i["id"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    originals.sort();

    // Outlook moves the second occurrence.
    let (moved, instance) = originals[1].clone();
    let day = moved.with_timezone(&OSLO).date_naive();
    world
        .outlook_update(
            MEGAN,
            &instance,
            json!({
                "start": {"dateTime": format!("{day}T11:00:00"), "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": format!("{day}T11:30:00"), "timeZone": "W. Europe Standard Time"}}),
        )
        .await;
    let preview = dry_run(&mut world, &account, 1).await;
    let shown = lines(&preview);
    assert_eq!(shown.len(), 1, "one line, the moved occurrence: {shown:?}");
    assert_eq!(
        (shown[0].0, shown[0].1, shown[0].2.as_str()),
        (ChangeSide::Quick3, ChangeKind::Updated, QUOTED),
        "the occurrence moved in Outlook is an update here: {shown:?}"
    );
    assert!(
        shown[0].3.contains(&"start".to_owned()),
        "with its new start: {shown:?}"
    );
    as_previewed(&mut world, &account, &preview).await;

    // Outlook moves it again: an exception now, linked to its instance, read from the page as
    // any linked event (no series read).
    world
        .outlook_update(
            MEGAN,
            &instance,
            json!({
                "start": {"dateTime": format!("{day}T12:00:00"), "timeZone": "W. Europe Standard Time"},
                "end": {"dateTime": format!("{day}T12:30:00"), "timeZone": "W. Europe Standard Time"}}),
        )
        .await;
    let preview = dry_run(&mut world, &account, 0).await;
    let shown = lines(&preview);
    assert_eq!(
        shown
            .iter()
            .map(|(side, kind, name, _)| (*side, *kind, name.as_str()))
            .collect::<Vec<_>>(),
        [(ChangeSide::Quick3, ChangeKind::Updated, QUOTED)],
        "the exception moved again is one line: {shown:?}"
    );
    as_previewed(&mut world, &account, &preview).await;

    // Outlook renames the whole series.
    let renamed = "Crew stand-up (room 4)";
    world
        .outlook_update(MEGAN, &master_id, json!({"subject": renamed}))
        .await;
    let preview = dry_run(&mut world, &account, 1).await;
    let shown = lines(&preview);
    assert!(
        shown
            .iter()
            .any(|(side, kind, name, fields)| *side == ChangeSide::Quick3
                && *kind == ChangeKind::Updated
                && *name == format!("“{renamed}”")
                && fields.contains(&"subject".to_owned())),
        "the master renamed in Outlook is an update of the series here: {shown:?}"
    );
    as_previewed(&mut world, &account, &preview).await;
    assert_eq!(world.titled(renamed).len(), 4, "renamed as previewed");

    // Outlook deletes the series.
    world.outlook_delete(MEGAN, &master_id).await;
    let before = held(&world, &account).await;
    // One read of the series, as in the real sync: the guard weighs the removal, and the page
    // is taken from that same answer (`Run::series_read`).
    let preview = dry_run(&mut world, &account, 1).await;
    let shown = lines(&preview);
    assert!(
        shown
            .iter()
            .any(|(side, kind, name, _)| *side == ChangeSide::Quick3
                && *kind == ChangeKind::Deleted
                && *name == format!("“{renamed}”")),
        "the series deleted in Outlook is a deletion here: {shown:?}"
    );
    assert_eq!(
        held(&world, &account).await,
        before,
        "still all there after the dry run"
    );
    as_previewed(&mut world, &account, &preview).await;
    assert!(world.titled(renamed).is_empty(), "deleted as previewed");
}
