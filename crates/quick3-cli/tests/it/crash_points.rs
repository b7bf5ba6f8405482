//! The fault matrix's process cells at named steps (docs/reliability.md): `quick3 sync` stopped
//! dead (`QUICK3_CRASH_AT`, the core's crash points) after a Down page is fetched and before it
//! is written, after a page is committed and before the next is handled, between pages of a
//! full round that share a transaction and right after such a transaction, after Outlook carried
//! out a `$batch` of POSTs, PATCHes or DELETEs and before any answer is recorded, inside the
//! transaction that records an answer, and between two recorded answers. After each, a clean
//! sync leaves no duplicate in Outlook or Quick3, no lost local edit and no deletion undone.
//! Needs the real Secret Service that script/test starts.

// Helpers outside #[test] functions unwrap too: a failure is the test failing.
#![allow(clippy::unwrap_used)]

use crate::common;

use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;

use common::{
    Cli, admin, appointment_input, megan_connected, open, outlook_event_id, outlook_subjects,
    summary_changes, support,
};
use quick3_core::ids::{AppointmentId, ResourceId};
use quick3_core::model::AppointmentPatch;
use quick3_core::model::recurrence::{Repeat, RepeatUnit};
use serde_json::json;

const MEGAN: &str = "megan.bowen@contoso.example";
/// SIGABRT: a crash point stops the process with `abort`, which, like SIGKILL, runs nothing.
const SIGABRT: i32 = 6;

/// `quick3 sync` armed to stop at `spec`; asserts it stopped there.
fn sync_crashing_at(cli: &Cli, spec: &str, extra: &[&str]) {
    let mut args = vec!["sync", "--json"];
    args.extend_from_slice(extra);
    let out = cli
        .command(&args)
        .env("QUICK3_CRASH_AT", spec)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(SIGABRT),
        "quick3 sync stopped at {spec} ({:?}): {stderr}",
        out.status
    );
    assert!(stderr.contains("crash point"), "{stderr}");
}

/// Clean syncs (no errors) until one has nothing left to do: the first finishes what the crash
/// interrupted; Outlook's changes made during an interrupted delta round come with the round
/// after it (Graph's delta semantics), so a third may be needed. Returns how many ran; adds the
/// conflicts they reported to `conflicts`.
fn settle_counting(cli: &Cli, extra: &[&str], conflicts: &mut u64) -> usize {
    let mut args = vec!["sync", "--json"];
    args.extend_from_slice(extra);
    for run in 1..=3 {
        let summary = cli.json(&args);
        assert_eq!(summary[0]["errors"], json!([]), "sync {run}: {summary}");
        *conflicts += summary[0]["conflicts"].as_u64().unwrap();
        let changes = summary_changes(&summary);
        if run > 1 && changes == (&json!(0), &json!(0), &json!(0)) {
            return run;
        }
    }
    panic!("three clean syncs after the crash still found changes");
}

/// [`settle_counting`] where no conflict may be reported.
fn settle(cli: &Cli, extra: &[&str]) -> usize {
    let mut conflicts = 0;
    let runs = settle_counting(cli, extra, &mut conflicts);
    assert_eq!(
        conflicts, 0,
        "a repeat of Quick3's own change is no conflict"
    );
    runs
}

/// Live appointments of the resource starting with `prefix`, with how often each occurs.
fn local(cli: &Cli, resource: ResourceId, prefix: &str) -> BTreeMap<String, usize> {
    let mut titles = BTreeMap::new();
    for appointment in open(cli)
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
    {
        if appointment.title.starts_with(prefix) {
            *titles.entry(appointment.title).or_default() += 1;
        }
    }
    titles
}

fn each_once(titles: &[String]) -> BTreeMap<String, usize> {
    titles.iter().map(|t| (t.clone(), 1)).collect()
}

async fn outlook_create(tenant: &support::Tenant, subject: &str, days: i64) -> String {
    let d = (chrono::Utc::now() + chrono::Duration::days(days)).date_naive();
    let event = admin(
        tenant,
        reqwest::Method::POST,
        &format!("/users/{MEGAN}/events"),
        Some(json!({"subject": subject,
            "start": {"dateTime": format!("{d}T09:00:00"), "timeZone": "UTC"},
            "end": {"dateTime": format!("{d}T10:00:00"), "timeZone": "UTC"}})),
    )
    .await;
    event["id"].as_str().unwrap().to_owned()
}

/// Outlook's side of the changes made after a crash: "Outlook 03" renamed, "Outlook 20" deleted,
/// "Outlook new" created.
async fn outlook_changes_after_the_crash(tenant: &support::Tenant, ids: &[String]) {
    admin(
        tenant,
        reqwest::Method::PATCH,
        &format!("/users/{MEGAN}/events/{}", ids[3]),
        Some(json!({"subject": "Outlook 03 edited"})),
    )
    .await;
    admin(
        tenant,
        reqwest::Method::DELETE,
        &format!("/users/{MEGAN}/events/{}", ids[20]),
        None,
    )
    .await;
    outlook_create(tenant, "Outlook new", 4).await;
}

/// The 25 "Outlook NN" events as they stand after [`outlook_changes_after_the_crash`].
fn outlook_after_the_changes() -> Vec<String> {
    let mut expected: Vec<String> = (0..25)
        .filter(|i| *i != 20)
        .map(|i| {
            if i == 3 {
                "Outlook 03 edited".to_owned()
            } else {
                format!("Outlook {i:02}")
            }
        })
        .collect();
    expected.push("Outlook new".into());
    expected
}

fn rename(cli: &Cli, id: AppointmentId, title: &str) {
    open(cli)
        .edit_appointment(
            id,
            AppointmentPatch {
                title: Some(title.into()),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
}

fn create(cli: &Cli, resource: ResourceId, title: &str, days: i64) -> AppointmentId {
    open(cli)
        .create_appointment(appointment_input(resource, title, days), chrono::Utc::now())
        .unwrap()
        .id
}

/// "Series weekly": a weekly series of 4 made in Quick3, from two days ahead; its master.
fn series_weekly(cli: &Cli, resource: ResourceId) -> quick3_core::model::Appointment {
    open(cli)
        .create_series(
            appointment_input(resource, "Series weekly", 2),
            &Repeat {
                every: RepeatUnit::Weekly,
                count: Some(4),
                ..Repeat::default()
            },
            chrono::Utc::now(),
        )
        .unwrap()
}

/// Down: a round of 25 new Outlook events in pages of 5 stops at `spec`; then Outlook edits,
/// deletes and adds, and the planner adds a Quick3 appointment and deletes one already in
/// Outlook.
async fn down_cell(spec: &str) {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    let gone = create(&cli, resource, "Local gone", 2);
    assert_eq!(settle(&cli, &[]), 2, "quiet after one clean sync");
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(outlook_create(&tenant, &format!("Outlook {i:02}"), 1 + i).await);
    }
    let pages = ["--page-size", "5"];
    create(&cli, resource, "Local before", 3);
    sync_crashing_at(&cli, spec, &pages);

    // Changes on both sides after the crash.
    outlook_changes_after_the_crash(&tenant, &ids).await;
    create(&cli, resource, "Local after", 5);
    open(&cli)
        .delete_appointment(gone, chrono::Utc::now())
        .unwrap();

    settle(&cli, &pages);
    let expected = outlook_after_the_changes();
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Outlook ").await,
        each_once(&expected),
        "{spec}: nothing of Outlook's was duplicated or deleted by Quick3"
    );
    assert_eq!(
        local(&cli, resource, "Outlook "),
        each_once(&expected),
        "{spec}: each event once in Quick3, Outlook's edit and deletion arrived"
    );
    let quick3 = each_once(&["Local after".into(), "Local before".into()]);
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Local ").await,
        quick3,
        "{spec}: each Quick3 appointment once in Outlook, the deleted one gone"
    );
    assert_eq!(
        local(&cli, resource, "Local "),
        quick3,
        "{spec}: the planner's deletion stayed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_stopped_after_a_page_is_fetched_before_it_is_written() {
    for spec in ["down-page-fetched:1", "down-page-fetched:3"] {
        down_cell(spec).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_stopped_after_a_page_is_committed_before_the_next() {
    for spec in ["down-page-written:1", "down-page-written:3"] {
        down_cell(spec).await;
    }
}

/// Down, a full round whose pages share transactions: a first sync pulls 25 new Outlook events
/// in pages of 5, committed 10 events (two pages) at a time, and stops at `spec`, leaving
/// `committed` of them in Quick3 (the pages of an uncommitted transaction are lost with the
/// crash, their link too); then Outlook edits, deletes and adds, and clean syncs resume from the
/// last committed link: each event once, none lost.
async fn full_round_cell(spec: &str, committed: std::ops::RangeInclusive<usize>) {
    let (tenant, cli, resource) = megan_connected("empty", "down").await;
    let mut ids = Vec::new();
    for i in 0..25 {
        ids.push(outlook_create(&tenant, &format!("Outlook {i:02}"), 1 + i).await);
    }
    let pages = ["--page-size", "5", "--events-per-commit", "10"];
    sync_crashing_at(&cli, spec, &pages);
    let kept: usize = local(&cli, resource, "Outlook ").values().sum();
    assert!(
        committed.contains(&kept),
        "{spec}: {kept} events committed before the crash, expected {committed:?}"
    );
    assert!(
        local(&cli, resource, "Outlook ").values().all(|n| *n == 1),
        "{spec}: each committed event once"
    );

    outlook_changes_after_the_crash(&tenant, &ids).await;

    settle(&cli, &pages);
    let expected = outlook_after_the_changes();
    assert_eq!(
        local(&cli, resource, "Outlook "),
        each_once(&expected),
        "{spec}: each event once in Quick3, none lost, Outlook's edit and deletion arrived"
    );
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Outlook ").await,
        each_once(&expected),
        "{spec}: Outlook untouched by a Down sync"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_full_round_stopped_between_pages_that_share_a_transaction() {
    // Page 3 opens the second transaction: it is lost, pages 1 and 2 (10 events) are kept.
    full_round_cell("down-page-written:3", 10..=10).await;
    // Page 4 closes the second transaction: 20 events kept.
    full_round_cell("down-page-written:4", 20..=20).await;
    // Right after the first commit of several pages: page 1 alone when the download of page 2
    // took longer than the grace (the pages are committed before the sync waits), else 1 and 2.
    full_round_cell("down-pages-committed:1", 5..=10).await;
}

#[derive(Debug, Clone, Copy)]
enum Kind {
    Post,
    Patch,
    Delete,
}

/// Up: two appointments already in Outlook; two changes of one kind wait in the outbox; the
/// upload stops at `spec`; the planner edits again; then a clean sync.
async fn up_cell(spec: &str, kind: Kind, waiting_after_crash: u64) {
    up_cell_in("up", spec, kind, waiting_after_crash).await;
}

/// [`up_cell`] for an account syncing in `direction`.
async fn up_cell_in(direction: &str, spec: &str, kind: Kind, waiting_after_crash: u64) {
    let (tenant, cli, resource) = megan_connected("empty", direction).await;
    let a = create(&cli, resource, "Up a", 2);
    let b = create(&cli, resource, "Up b", 3);
    assert_eq!(settle(&cli, &[]), 2, "quiet after one clean sync");
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Up ").await,
        each_once(&["Up a".into(), "Up b".into()])
    );

    let mut expected: Vec<String>;
    let after_crash: Box<dyn Fn(&Cli)>;
    match kind {
        Kind::Post => {
            let c = create(&cli, resource, "Up c", 4);
            create(&cli, resource, "Up d", 5);
            expected = vec![
                "Up a".into(),
                "Up b".into(),
                "Up c edited".into(),
                "Up d".into(),
            ];
            after_crash = Box::new(move |cli| rename(cli, c, "Up c edited"));
        }
        Kind::Patch => {
            rename(&cli, a, "Up a edited");
            rename(&cli, b, "Up b edited");
            expected = vec!["Up a edited again".into(), "Up b edited".into()];
            after_crash = Box::new(move |cli| rename(cli, a, "Up a edited again"));
        }
        Kind::Delete => {
            open(&cli)
                .delete_appointment(a, chrono::Utc::now())
                .unwrap();
            open(&cli)
                .delete_appointment(b, chrono::Utc::now())
                .unwrap();
            expected = vec!["Up e".into()];
            after_crash = Box::new(move |cli| {
                create(cli, resource, "Up e", 6);
            });
        }
    }
    let account = open(&cli).find_account(MEGAN, None).unwrap().id;
    assert_eq!(open(&cli).outbox_len(account).unwrap(), 2);
    sync_crashing_at(&cli, spec, &[]);
    assert_eq!(
        open(&cli).outbox_len(account).unwrap(),
        waiting_after_crash,
        "{spec} {kind:?}: what the crash left in the outbox"
    );
    after_crash(&cli);

    let mut conflicts = 0;
    assert_eq!(
        settle_counting(&cli, &[], &mut conflicts),
        2,
        "quiet after one clean sync"
    );
    // A PATCH repeated with the change key from before the crash gets 412. When Outlook holds
    // what Quick3 sends, that is no conflict; nor when the planner edited the appointment again
    // after the crash: Outlook holds what Quick3's lost PATCH sent (noted before it went out),
    // which is no edit made in Outlook. (Pulling too, Down meets that content first: the same.)
    assert_eq!(
        conflicts, 0,
        "{spec} {kind:?} ({direction}): conflicts reported"
    );
    expected.sort();
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Up ").await,
        each_once(&expected),
        "{spec} {kind:?} ({direction}): each appointment once in Outlook with its last edit, no deleted one"
    );
    assert_eq!(
        local(&cli, resource, "Up "),
        each_once(&expected),
        "{spec} {kind:?}"
    );
    assert_eq!(open(&cli).outbox_len(account).unwrap(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stopped_after_outlook_answered_before_any_answer_is_recorded() {
    for kind in [Kind::Post, Kind::Patch, Kind::Delete] {
        up_cell("up-sent", kind, 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stopped_inside_the_transaction_that_records_an_answer() {
    for kind in [Kind::Post, Kind::Patch, Kind::Delete] {
        up_cell("up-link-written", kind, 2).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stopped_between_two_recorded_answers() {
    for kind in [Kind::Post, Kind::Patch, Kind::Delete] {
        up_cell("up-confirmed", kind, 1).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stopped_after_outlook_answered_then_edited_again_while_pulling_too() {
    for spec in ["up-sent", "up-link-written"] {
        up_cell_in("both", spec, Kind::Patch, 2).await;
    }
}

/// The other side of the same cell: after the crash a colleague edits the event in Outlook, then
/// the planner edits again. Outlook's content is none that Quick3 sent, so that is a real
/// "changed both": one conflict, held until the planner keeps Quick3's version (Up only, and
/// pulling too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_stopped_after_outlook_answered_then_edited_in_outlook_too_is_one_conflict() {
    for direction in ["up", "both"] {
        let (tenant, cli, resource) = megan_connected("empty", direction).await;
        let a = create(&cli, resource, "Up a", 2);
        assert_eq!(settle(&cli, &[]), 2, "quiet after one clean sync");
        rename(&cli, a, "Up a edited");
        sync_crashing_at(&cli, "up-sent", &[]);
        let events = admin(
            &tenant,
            reqwest::Method::GET,
            &format!("/users/{MEGAN}/events"),
            None,
        )
        .await;
        let ours: Vec<&serde_json::Value> = events["value"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|event| event["subject"] == "Up a edited")
            .collect();
        assert_eq!(ours.len(), 1, "the PATCH landed before the crash: {events}");
        let id = ours[0]["id"].as_str().unwrap().to_owned();
        admin(
            &tenant,
            reqwest::Method::PATCH,
            &format!("/users/{MEGAN}/events/{id}"),
            Some(json!({"subject": "Up a (a colleague's edit)"})),
        )
        .await;
        rename(&cli, a, "Up a edited again");

        let mut conflicts = 0;
        settle_counting(&cli, &[], &mut conflicts);
        assert_eq!(
            conflicts, 1,
            "{direction}: a colleague's edit is a conflict"
        );
        // Held: neither side overwritten until the planner keeps Quick3's version.
        assert_eq!(
            outlook_subjects(&tenant, MEGAN, "Up ").await,
            each_once(&["Up a (a colleague's edit)".to_owned()]),
            "{direction}"
        );
        let listed = cli.json(&["sync", "conflicts", "--json"]);
        let id = listed[0]["id"].as_i64().unwrap().to_string();
        cli.ok(&["sync", "resolve", &id, "--keep", "quick3"]);
        settle(&cli, &[]);
        let expected = vec!["Up a edited again".to_owned()];
        assert_eq!(
            outlook_subjects(&tenant, MEGAN, "Up ").await,
            each_once(&expected),
            "{direction}"
        );
        assert_eq!(
            local(&cli, resource, "Up "),
            each_once(&expected),
            "{direction}"
        );
    }
}

/// Up of a series made in Quick3: a weekly series of 4 goes up and the upload stops at
/// `series_spec`; after a clean sync its second occurrence is renamed and its third deleted, and
/// the upload of those stops at `occurrence_spec`. Each time clean syncs settle with the series
/// once in Outlook and its occurrences once here, the exception and the cancellation applied.
async fn series_cell(series_spec: &str, occurrence_spec: &str) {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    let master = series_weekly(&cli, resource);
    sync_crashing_at(&cli, series_spec, &[]);
    settle(&cli, &[]);
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Series ").await,
        each_once(&["Series weekly".into()]),
        "{series_spec}: one series master in Outlook, no loose copy"
    );
    assert_eq!(
        local(&cli, resource, "Series "),
        BTreeMap::from([("Series weekly".to_owned(), 4)]),
        "{series_spec}: its 4 occurrences once here; Outlook's echo pulled nothing"
    );

    let starts: Vec<_> = open(&cli)
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter_map(|a| a.original_start)
        .collect();
    open(&cli)
        .edit_occurrence(
            master.id,
            starts[1],
            AppointmentPatch {
                title: Some("Series moved".into()),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    open(&cli)
        .delete_occurrence(master.id, starts[2], chrono::Utc::now())
        .unwrap();
    sync_crashing_at(&cli, occurrence_spec, &[]);
    settle(&cli, &[]);
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Series ").await,
        each_once(&["Series weekly".into()]),
        "{occurrence_spec}: still one series in Outlook"
    );
    assert_eq!(
        local(&cli, resource, "Series "),
        BTreeMap::from([
            ("Series moved".to_owned(), 1),
            ("Series weekly".to_owned(), 2)
        ]),
        "{occurrence_spec}: the exception once, the cancelled occurrence gone"
    );
    let master_id = outlook_event_id(&tenant, MEGAN, "Series weekly").await;
    let account = open(&cli).find_account(MEGAN, None).unwrap().id;
    assert_eq!(open(&cli).outbox_len(account).unwrap(), 0);
    let instances = open(&cli)
        .links_of(account, &[master.id])
        .unwrap()
        .into_iter()
        .map(|link| link.remote_id)
        .collect::<Vec<_>>();
    assert_eq!(
        instances,
        [master_id],
        "the master is linked to Outlook's series"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_of_a_series_and_its_occurrences_stopped_at_each_step() {
    series_cell("up-sent", "up-sent").await;
    series_cell("up-link-written", "up-link-written").await;
    series_cell("up-confirmed", "up-confirmed:2").await;
}

/// Up of an undone change of a series' times (its moved and its deleted occurrence reset by the
/// change, both brought back by the undo), stopped at `spec`: clean syncs settle with the master
/// back at its time, the moved occurrence its instance's exception again and the deleted one
/// cancelled again, each once, no conflict.
async fn series_undo_cell(spec: &str) {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    let master = series_weekly(&cli, resource);
    settle(&cli, &[]);
    let starts: Vec<_> = open(&cli)
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter_map(|a| a.original_start)
        .collect();
    let moved_day = starts[1].date_naive();
    open(&cli)
        .edit_occurrence(
            master.id,
            starts[1],
            AppointmentPatch {
                title: Some("Series moved".into()),
                start: Some(format!("{moved_day}T17:00")),
                end: Some(format!("{moved_day}T18:00")),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    open(&cli)
        .delete_occurrence(master.id, starts[2], chrono::Utc::now())
        .unwrap();
    settle(&cli, &[]);
    let first = (chrono::Utc::now() + chrono::Duration::days(2)).date_naive();
    let edit = open(&cli)
        .edit_series(
            master.id,
            AppointmentPatch {
                start: Some(format!("{first}T12:00")),
                end: Some(format!("{first}T13:00")),
                ..Default::default()
            },
            None,
            chrono::Utc::now(),
        )
        .unwrap();
    assert_eq!(edit.reset_occurrences, 2, "{spec}: both reset");
    settle(&cli, &[]);

    open(&cli)
        .undo_series_edit(master.id, edit.undo.unwrap(), chrono::Utc::now())
        .unwrap();
    sync_crashing_at(&cli, spec, &[]);
    settle(&cli, &[]);
    assert_eq!(
        local(&cli, resource, "Series "),
        BTreeMap::from([
            ("Series moved".to_owned(), 1),
            ("Series weekly".to_owned(), 2)
        ]),
        "{spec}: the exception once, the cancelled occurrence gone, nothing pulled twice"
    );
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Series ").await,
        each_once(&["Series weekly".into()]),
        "{spec}: still one series in Outlook"
    );
    let account = open(&cli).find_account(MEGAN, None).unwrap().id;
    assert_eq!(
        open(&cli).outbox_len(account).unwrap(),
        0,
        "{spec}: nothing waits"
    );
    let moved = AppointmentId::occurrence(master.id, starts[1]);
    let link = open(&cli).links_of(account, &[moved]).unwrap();
    assert_eq!(
        link.len(),
        1,
        "{spec}: the moved occurrence is linked to its instance"
    );
    let instance = admin(
        &tenant,
        reqwest::Method::GET,
        &format!("/users/{MEGAN}/events/{}", link[0].remote_id),
        None,
    )
    .await;
    assert_eq!(
        (&instance["type"], &instance["subject"]),
        (&json!("exception"), &json!("Series moved")),
        "{spec}: its instance is an exception again: {instance}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_of_an_undone_change_of_series_times_stopped_at_each_step() {
    // The master's PATCH sent, its answer not recorded; then the occurrences' `$batch` sent;
    // then the first occurrence's answer recorded and the second not.
    for spec in ["up-sent", "up-link-written", "up-sent:2", "up-confirmed:2"] {
        series_undo_cell(spec).await;
    }
}

/// Down of a series made in Quick3 renamed in Outlook, stopped after the rename is taken into
/// the Quick3 series and before the page that showed it is written: the page comes again, finds
/// the series in step (asking Outlook nothing more of it) and is written; the series is renamed
/// here once, nothing goes back up, and nothing shows twice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_of_a_series_renamed_in_outlook_stopped_after_it_is_taken() {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    let master = series_weekly(&cli, resource);
    settle(&cli, &[]);
    let master_id = outlook_event_id(&tenant, MEGAN, "Series weekly").await;
    admin(
        &tenant,
        reqwest::Method::PATCH,
        &format!("/users/{MEGAN}/events/{master_id}"),
        Some(json!({"subject": "Series renamed in Outlook"})),
    )
    .await;
    let outlook_before = outlook_subjects(&tenant, MEGAN, "Series ").await;

    sync_crashing_at(&cli, "down-series-taken", &[]);
    assert_eq!(
        open(&cli).appointment(master.id).unwrap().title,
        "Series renamed in Outlook",
        "the Quick3 master took Outlook's subject before the crash"
    );
    settle(&cli, &[]);
    assert_eq!(
        local(&cli, resource, "Series "),
        BTreeMap::from([("Series renamed in Outlook".to_owned(), 4)]),
        "the 4 occurrences renamed, once each: the repeated page added nothing"
    );
    assert_eq!(
        outlook_subjects(&tenant, MEGAN, "Series ").await,
        outlook_before,
        "one series in Outlook, as Outlook left it: nothing went back up"
    );
    let account = open(&cli).find_account(MEGAN, None).unwrap().id;
    assert_eq!(open(&cli).outbox_len(account).unwrap(), 0);
}

/// A series made in Quick3 made one appointment (Remove recurrence), its upload stopped at
/// `spec`: after the single event's POST is answered, inside and after the transaction that
/// links it, and after the series' DELETE is answered (`up-sent:2`, the pass after the link).
/// Clean syncs then settle with exactly one single event in Outlook, no series, and one
/// appointment here.
async fn series_made_single_cell(spec: &str) {
    let (tenant, cli, resource) = megan_connected("empty", "both").await;
    let master = series_weekly(&cli, resource);
    settle(&cli, &[]);
    let starts: Vec<_> = open(&cli)
        .list_appointments(quick3_core::store::AppointmentQuery {
            resource: Some(resource),
            ..Default::default()
        })
        .unwrap()
        .into_iter()
        .filter_map(|a| a.original_start)
        .collect();
    open(&cli)
        .edit_occurrence(
            master.id,
            starts[1],
            AppointmentPatch {
                title: Some("Series moved".into()),
                ..Default::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    settle(&cli, &[]);
    let made = open(&cli)
        .make_series_single(master.id, AppointmentPatch::default(), chrono::Utc::now())
        .unwrap();
    sync_crashing_at(&cli, spec, &[]);
    settle(&cli, &[]);
    let events: Vec<serde_json::Value> = common::outlook_events(&tenant, MEGAN)
        .await
        .into_iter()
        .filter(|e| {
            e["subject"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Series ")
        })
        .collect();
    assert_eq!(
        events.len(),
        1,
        "{spec}: exactly one event in Outlook: {events:?}"
    );
    assert_eq!(
        events[0]["type"], "singleInstance",
        "{spec}: a single event, no series"
    );
    assert_eq!(events[0]["subject"], "Series weekly");
    assert_eq!(
        local(&cli, resource, "Series "),
        BTreeMap::from([("Series weekly".to_owned(), 1)]),
        "{spec}: one appointment here; Down brought back neither the series nor its exception"
    );
    let account = open(&cli).find_account(MEGAN, None).unwrap().id;
    assert_eq!(open(&cli).outbox_len(account).unwrap(), 0, "{spec}");
    let linked: Vec<String> = open(&cli)
        .links_of(account, &[made.single.id])
        .unwrap()
        .into_iter()
        .map(|link| link.remote_id)
        .collect();
    assert_eq!(
        linked,
        [events[0]["id"].as_str().unwrap().to_owned()],
        "{spec}: the appointment is linked to that event"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn up_of_a_series_made_one_appointment_stopped_at_each_step() {
    for spec in ["up-sent", "up-link-written", "up-confirmed", "up-sent:2"] {
        series_made_single_cell(spec).await;
    }
}
