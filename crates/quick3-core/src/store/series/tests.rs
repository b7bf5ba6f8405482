//! Series made in Quick3 in the store: listing by range, exceptions, cancellations, whole-series
//! edits (Outlook's reset rule), deletion and undo, the outbox, and pulled series left alone.

use chrono::{DateTime, TimeDelta, Utc};

use super::*;
use crate::ErrorCode;
use crate::ids::ResourceId;
use crate::model::recurrence::RepeatUnit;
use crate::model::{Direction, NewAccount};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().to_utc()
}

fn now() -> DateTime<Utc> {
    utc("2027-01-01T12:00:00Z")
}

use crate::store::appointments::tests::{input, store_with_ada_in};

fn store_with_ada() -> (Store, ResourceId) {
    store_with_ada_in("Europe/Oslo", now())
}

fn weekly(days: &str) -> Repeat {
    Repeat {
        every: RepeatUnit::Weekly,
        days: vec![days.into()],
        ..Repeat::default()
    }
}

fn range(from: &str, to: &str) -> AppointmentQuery {
    AppointmentQuery {
        resource: None,
        from: Some(utc(from)),
        to: Some(utc(to)),
    }
}

/// (start as shown, title, exception?) of a listing.
fn shown(store: &Store, query: AppointmentQuery) -> Vec<(String, String, bool)> {
    store
        .list_marked(query)
        .unwrap()
        .into_iter()
        .map(|l| {
            (
                l.appointment.when.start_text(),
                l.appointment.title,
                l.exception,
            )
        })
        .collect()
}

fn march(store: &Store) -> Vec<(String, String, bool)> {
    shown(store, range("2027-03-01T00:00:00Z", "2027-04-06T00:00:00Z"))
}

/// A weekly Monday series at 09:00 Oslo time from 1 March 2027, 6 times.
/// Ada's account that uploads (Up), as the upload tests need it.
fn ada_uploads(store: &mut Store, ada: ResourceId) -> crate::ids::AccountId {
    store
        .add_account(
            NewAccount {
                resource_id: ada,
                email: "ada@contoso.example".into(),
                direction: Direction::Up,
                scopes: vec![],
            },
            now(),
        )
        .unwrap()
        .id
}

fn service(store: &mut Store, ada: ResourceId) -> Appointment {
    let repeat = Repeat {
        count: Some(6),
        ..weekly("MO")
    };
    store
        .create_series(
            input(ada, "Service", "2027-03-01T09:00", "2027-03-01T10:00"),
            &repeat,
            now(),
        )
        .unwrap()
}

#[test]
fn a_listing_expands_a_series_for_the_range_with_series_id_and_original_start() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    let listed = store
        .list_appointments(range("2027-03-20T00:00:00Z", "2027-04-20T00:00:00Z"))
        .unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|a| a.when.start_text())
            .collect::<Vec<_>>(),
        [
            "2027-03-22T09:00:00+01:00",
            "2027-03-29T09:00:00+02:00",
            "2027-04-05T09:00:00+02:00",
        ],
        "09:00 in Oslo on both sides of the change to summer time; six occurrences end on 5 April"
    );
    for occurrence in &listed {
        assert_eq!(occurrence.series_id, Some(master.id));
        assert_eq!(
            occurrence.recurrence, None,
            "an occurrence is not itself a series"
        );
        assert_eq!(
            occurrence.id,
            AppointmentId::occurrence(master.id, occurrence.original_start.unwrap()),
            "an occurrence's id is stable"
        );
    }
    assert_eq!(listed[1].original_start, Some(utc("2027-03-29T07:00:00Z")));
    let stored: i64 = store
        .conn
        .query_row("SELECT count(*) FROM appointments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, 1, "one master row; occurrences are never stored");
}

#[test]
fn a_start_off_the_pattern_moves_to_the_first_occurrence_and_bad_input_writes_nothing() {
    let (mut store, ada) = store_with_ada();
    // 2 March 2027 is a Tuesday: the first Thursday is the 4th.
    let master = store
        .create_series(
            input(ada, "Stand-up", "2027-03-02T08:00", "2027-03-02T08:15"),
            &weekly("TH"),
            now(),
        )
        .unwrap();
    assert_eq!(master.when.start_text(), "2027-03-04T08:00:00+01:00");
    assert_eq!(
        master
            .recurrence
            .as_ref()
            .map(|r| r.range.start_date.to_string()),
        Some("2027-03-04".into()),
        "Graph's range starts on the date of the event's start"
    );
    for (repeat, code) in [
        (
            Repeat {
                until: Some("2027-03-01".into()),
                ..weekly("TH")
            },
            ErrorCode::InvalidRepeat,
        ),
        (
            Repeat {
                until: Some("2027-03-03".into()),
                ..weekly("TH")
            },
            ErrorCode::InvalidRepeat,
        ),
        (
            Repeat {
                interval: Some(0),
                ..Repeat::default()
            },
            ErrorCode::InvalidRepeat,
        ),
    ] {
        let err = store
            .create_series(
                input(ada, "Bad", "2027-03-02T08:00", "2027-03-02T08:15"),
                &repeat,
                now(),
            )
            .unwrap_err();
        assert_eq!(err.code(), code, "{repeat:?}: {err}");
    }
    let rows: i64 = store
        .conn
        .query_row("SELECT count(*) FROM appointments", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 1, "refused series write nothing");
}

#[test]
fn one_occurrence_changed_or_deleted_on_its_own() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    let second = utc("2027-03-08T08:00:00Z");
    let moved = store
        .edit_occurrence(
            master.id,
            second,
            AppointmentPatch {
                start: Some("2027-03-09T13:00".into()),
                end: Some("2027-03-09T14:00".into()),
                title: Some("Service (moved)".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    assert_eq!(moved.id, AppointmentId::occurrence(master.id, second));
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    assert_eq!(
        shown(
            &store,
            range("2027-03-01T00:00:00Z", "2027-03-23T00:00:00Z")
        ),
        [
            ("2027-03-01T09:00:00+01:00".into(), "Service".into(), false),
            (
                "2027-03-09T13:00:00+01:00".into(),
                "Service (moved)".into(),
                true
            ),
            ("2027-03-22T09:00:00+01:00".into(), "Service".into(), false),
        ],
        "the moved one shows once, marked, at its new time; the deleted one is gone"
    );

    let err = store
        .edit_occurrence(
            master.id,
            utc("2027-03-22T08:00:00Z"),
            AppointmentPatch {
                start: Some("2027-03-29T10:00".into()),
                end: Some("2027-03-29T11:00".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::OccurrenceCrossing, "{err}");
    let err = store
        .edit_occurrence(
            master.id,
            utc("2027-03-22T08:00:00Z"),
            AppointmentPatch {
                start: Some("2027-03-09T15:00".into()),
                end: Some("2027-03-09T16:00".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::OccurrenceCrossing,
        "the 15th was deleted, but the 9th (moved there) still stands in the way: {err}"
    );
    for missing in [
        "2027-03-10T08:00:00Z",
        "2027-03-15T08:00:00Z",
        "2027-03-01T09:00:00Z",
    ] {
        let err = store
            .delete_occurrence(master.id, utc(missing), now())
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::UnknownOccurrence,
            "{missing}: not in the pattern, already deleted, or not at the pattern's time"
        );
    }
    // The Scheduler's undo of the deletion brings the occurrence back.
    store
        .restore_appointment(
            AppointmentId::occurrence(master.id, utc("2027-03-15T08:00:00Z")),
            now(),
        )
        .unwrap();
    assert_eq!(march(&store).len(), 6);
}

#[test]
fn editing_the_series_keeps_exceptions_for_details_and_resets_them_for_times() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    let second = utc("2027-03-08T08:00:00Z");
    store
        .edit_occurrence(
            master.id,
            second,
            AppointmentPatch {
                start: Some("2027-03-08T11:00".into()),
                end: Some("2027-03-08T12:00".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    let subject = AppointmentPatch {
        title: Some("Machine service".into()),
        location: Some("Hall 2".into()),
        ..AppointmentPatch::default()
    };
    assert!(
        !store
            .series_edit_resets(master.id, subject.clone(), None)
            .unwrap()
    );
    let edit = store.edit_series(master.id, subject, None, now()).unwrap();
    assert!(!edit.exceptions_reset);
    let listed = march(&store);
    assert_eq!(listed.len(), 5, "the deleted occurrence stays deleted");
    assert_eq!(
        listed[1],
        (
            "2027-03-08T11:00:00+01:00".into(),
            "Machine service".into(),
            true
        ),
        "the moved occurrence keeps its time and follows the new subject it had not changed"
    );

    let later = AppointmentPatch {
        start: Some("2027-03-01T10:00".into()),
        end: Some("2027-03-01T11:00".into()),
        ..AppointmentPatch::default()
    };
    assert!(
        store
            .series_edit_resets(master.id, later.clone(), None)
            .unwrap()
    );
    let edit = store.edit_series(master.id, later, None, now()).unwrap();
    assert!(
        edit.exceptions_reset,
        "the planner is told the changed occurrences went back"
    );
    let listed = march(&store);
    assert_eq!(
        listed.len(),
        6,
        "the deleted occurrence is back in the pattern"
    );
    assert!(
        listed
            .iter()
            .all(|(start, _, exception)| start.contains("T10:00:00") && !exception),
        "every occurrence at the new time: {listed:?}"
    );

    let every_other = Repeat {
        interval: Some(2),
        count: Some(3),
        ..weekly("MO")
    };
    let edit = store
        .edit_series(
            master.id,
            AppointmentPatch::default(),
            Some(&every_other),
            now(),
        )
        .unwrap();
    assert!(
        !edit.exceptions_reset,
        "there were no exceptions left to reset"
    );
    assert_eq!(
        march(&store)
            .iter()
            .map(|l| l.0.as_str())
            .collect::<Vec<_>>(),
        [
            "2027-03-01T10:00:00+01:00",
            "2027-03-15T10:00:00+01:00",
            "2027-03-29T10:00:00+02:00",
        ]
    );
}

#[test]
fn deleting_the_series_takes_its_occurrences_and_undo_brings_all_back() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    store
        .edit_occurrence(
            master.id,
            utc("2027-03-08T08:00:00Z"),
            AppointmentPatch {
                title: Some("Own".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    store.delete_appointment(master.id, now()).unwrap();
    assert!(march(&store).is_empty(), "nothing of the series is listed");
    store.restore_appointment(master.id, now()).unwrap();
    let listed = march(&store);
    assert_eq!(listed.len(), 6);
    assert_eq!(
        listed[1].1, "Own",
        "the exception came back with its series"
    );
    // Editing or deleting an exception by its own id goes through the series.
    let own = AppointmentId::occurrence(master.id, utc("2027-03-08T08:00:00Z"));
    store.delete_appointment(own, now()).unwrap();
    assert_eq!(march(&store).len(), 5);
}

#[test]
fn undoing_a_series_deletion_leaves_an_occurrence_deleted_on_its_own_in_the_same_second() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    let own = utc("2027-03-08T08:00:00Z");
    let with_series = utc("2027-03-15T08:00:00Z");
    store
        .edit_occurrence(
            master.id,
            with_series,
            AppointmentPatch {
                title: Some("Own".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    // The planner deletes one occurrence and then, within the same second, the whole series
    // (the stored times keep whole seconds, so both tombstones read 12:00:00).
    let second = now() + TimeDelta::milliseconds(100);
    store.delete_occurrence(master.id, own, second).unwrap();
    store
        .delete_appointment(master.id, second + TimeDelta::milliseconds(800))
        .unwrap();
    assert!(march(&store).is_empty(), "nothing of the series is listed");

    store.restore_appointment(master.id, now()).unwrap();
    let starts: Vec<(String, String)> = march(&store)
        .into_iter()
        .map(|(start, title, _)| (start, title))
        .collect();
    assert_eq!(starts.len(), 5, "{starts:?}");
    assert!(
        !starts
            .iter()
            .any(|(start, _)| start == "2027-03-08T09:00:00+01:00"),
        "the occurrence deleted on its own before the series stays deleted: {starts:?}"
    );
    assert!(
        starts.contains(&("2027-03-15T09:00:00+01:00".into(), "Own".into())),
        "the exception the series' deletion took comes back with it: {starts:?}"
    );

    // The mark goes with an undo of the row itself: an exception the series' deletion took,
    // brought back on its own and later deleted on its own, stays deleted after the next undo.
    store.delete_appointment(master.id, now()).unwrap();
    store
        .restore_appointment(AppointmentId::occurrence(master.id, with_series), now())
        .unwrap();
    store.restore_appointment(master.id, now()).unwrap();
    store
        .delete_occurrence(master.id, with_series, now())
        .unwrap();
    store.delete_appointment(master.id, now()).unwrap();
    store.restore_appointment(master.id, now()).unwrap();
    assert_eq!(
        march(&store).len(),
        4,
        "both occurrences deleted on their own stay deleted after the second undo"
    );
}

#[test]
fn every_change_of_a_series_queues_an_upload_that_is_due() {
    let (mut store, ada) = store_with_ada();
    let account = ada_uploads(&mut store, ada);
    let master = service(&mut store, ada);
    store
        .edit_occurrence(
            master.id,
            utc("2027-03-08T08:00:00Z"),
            AppointmentPatch {
                title: Some("Own".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    assert_eq!(
        store.outbox_len(account).unwrap(),
        3,
        "the master, the exception and the cancellation each wait for Microsoft 365"
    );
    assert_eq!(
        store.outbox_due(account, now()).unwrap().len(),
        3,
        "all three are due: Up uploads the master as a series and the others to its instances"
    );
}

#[test]
fn a_pulled_series_shows_its_stored_occurrences_once() {
    let (mut store, ada) = store_with_ada();
    let made_here = service(&mut store, ada);
    let pulled_master = Appointment {
        id: AppointmentId::at(now()),
        origin: Origin::Microsoft365 {
            account_id: None,
            calendar_id: "cal".into(),
            remote_id: "master".into(),
        },
        title: "From Outlook".into(),
        ..made_here.clone()
    };
    let pulled_occurrence = Appointment {
        id: AppointmentId::at(now()),
        recurrence: None,
        series_id: Some(pulled_master.id),
        original_start: Some(utc("2027-03-01T08:00:00Z")),
        origin: Origin::Microsoft365 {
            account_id: None,
            calendar_id: "cal".into(),
            remote_id: "occurrence".into(),
        },
        ..pulled_master.clone()
    };
    upsert(&store.conn, &pulled_master).unwrap();
    upsert(&store.conn, &pulled_occurrence).unwrap();
    let listed = march(&store);
    assert_eq!(
        listed.iter().filter(|l| l.1 == "From Outlook").count(),
        1,
        "a pulled master is never expanded: its one stored occurrence shows once"
    );
    assert_eq!(listed.iter().filter(|l| l.1 == "Service").count(), 6);
}

#[test]
fn undoing_a_change_of_times_brings_back_the_master_and_exactly_the_occurrences_it_reset() {
    let (mut store, ada) = store_with_ada();
    let account = ada_uploads(&mut store, ada);
    let master = service(&mut store, ada);
    let second = utc("2027-03-08T08:00:00Z");
    let moved_there = AppointmentPatch {
        start: Some("2027-03-08T11:00".into()),
        end: Some("2027-03-08T12:00".into()),
        ..AppointmentPatch::default()
    };
    store
        .edit_occurrence(master.id, second, moved_there.clone(), now())
        .unwrap();
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    let before = march(&store);
    assert_eq!(before.len(), 5);

    // A longer series (same starts): both go back to the pattern.
    let longer = AppointmentPatch {
        end: Some("2027-03-01T10:30".into()),
        ..AppointmentPatch::default()
    };
    let edit = store.edit_series(master.id, longer, None, now()).unwrap();
    assert_eq!(
        (edit.exceptions_reset, edit.reset_occurrences),
        (true, 2),
        "the moved and the deleted occurrence went back to the pattern"
    );
    let undo = edit.undo.expect("a change of times can be undone");
    assert_eq!(
        march(&store).len(),
        6,
        "the deleted one is back in the pattern"
    );
    assert!(
        !store
            .series_edit_resets(
                master.id,
                AppointmentPatch {
                    end: Some("2027-03-01T10:45".into()),
                    ..AppointmentPatch::default()
                },
                None
            )
            .unwrap(),
        "the rows kept for the undo are no exceptions of the series any more"
    );
    assert_eq!(
        store.outbox_len(account).unwrap(),
        1,
        "only the master goes up: its PATCH resets the instances in Outlook"
    );
    // The same occurrence moved anew: a new exception with the same original start.
    store
        .edit_occurrence(
            master.id,
            second,
            AppointmentPatch {
                title: Some("Moved anew".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    assert_eq!(
        march(&store).iter().filter(|l| l.2).count(),
        1,
        "the new exception shows, the kept one does not"
    );

    let later = now() + TimeDelta::minutes(5);
    let undone = store.undo_series_edit(master.id, undo, later).unwrap();
    assert_eq!(undone.occurrences, 2, "exactly the two rows the edit reset");
    assert_eq!(
        undone.appointment.when, master.when,
        "the master's times back"
    );
    assert_eq!(
        march(&store),
        before,
        "the moved occurrence back at its moved time and marked, the deleted one deleted; \
         the exception made since went back to the pattern (times changed again)"
    );
    assert_eq!(
        store.outbox_len(account).unwrap(),
        3,
        "the master and both occurrences go up again: Outlook reset them when it was patched"
    );
    let restored = store.occurrence(master.id, second).unwrap();
    assert_eq!(
        restored.appointment.id,
        AppointmentId::occurrence(master.id, second),
        "the occurrence is back under its own id"
    );
    let err = store.undo_series_edit(master.id, undo, later).unwrap_err();
    assert_eq!(
        err.code(),
        ErrorCode::InvalidInput,
        "undone once only: {err}"
    );
}

#[test]
fn a_change_of_times_is_not_undone_once_the_times_changed_again() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    let at = |hour: u32| AppointmentPatch {
        start: Some(format!("2027-03-01T{hour}:00")),
        end: Some(format!("2027-03-01T{hour}:30")),
        ..AppointmentPatch::default()
    };
    let first = store.edit_series(master.id, at(10), None, now()).unwrap();
    store.edit_series(master.id, at(11), None, now()).unwrap();
    let err = store
        .undo_series_edit(master.id, first.undo.unwrap(), now())
        .unwrap_err();
    assert!(
        err.to_string().contains("changed again"),
        "a later change of times stands: {err}"
    );
    assert!(
        march(&store).iter().all(|l| l.0.contains("T11:00:00")),
        "nothing was written"
    );
    let subject = store
        .edit_series(
            master.id,
            AppointmentPatch {
                title: Some("Renamed".into()),
                ..AppointmentPatch::default()
            },
            None,
            now(),
        )
        .unwrap();
    assert_eq!(subject.undo, None, "a change of details resets nothing");

    // A change of times and subject, then of the location: the undo puts back the times only.
    let both = store
        .edit_series(
            master.id,
            AppointmentPatch {
                title: Some("Moved and renamed".into()),
                ..at(12)
            },
            None,
            now(),
        )
        .unwrap();
    store
        .edit_series(
            master.id,
            AppointmentPatch {
                location: Some("Hall 2".into()),
                ..AppointmentPatch::default()
            },
            None,
            now() + TimeDelta::seconds(1),
        )
        .unwrap();
    let undone = store
        .undo_series_edit(master.id, both.undo.unwrap(), now() + TimeDelta::seconds(2))
        .unwrap();
    assert_eq!(
        (
            undone.appointment.when.start_text(),
            undone.appointment.title.as_str(),
            undone.appointment.location.as_str()
        ),
        (
            "2027-03-01T11:00:00+01:00".into(),
            "Moved and renamed",
            "Hall 2"
        ),
        "the times back; the details written since the change stay as they are now"
    );
    let alone = store
        .edit_series(
            master.id,
            AppointmentPatch {
                title: Some("At one".into()),
                ..at(13)
            },
            None,
            now() + TimeDelta::seconds(3),
        )
        .unwrap();
    let back = store
        .undo_series_edit(
            master.id,
            alone.undo.unwrap(),
            now() + TimeDelta::seconds(4),
        )
        .unwrap();
    assert_eq!(
        (
            back.appointment.when.start_text(),
            back.appointment.title.as_str()
        ),
        ("2027-03-01T11:00:00+01:00".into(), "Moved and renamed"),
        "nothing written since: the master as it was, the subject the change gave it undone too"
    );
}

#[test]
fn a_series_made_one_appointment_says_what_goes_and_undo_brings_the_series_back() {
    let (mut store, ada) = store_with_ada();
    let master = service(&mut store, ada);
    let moved = utc("2027-03-08T08:00:00Z");
    store
        .edit_occurrence(
            master.id,
            moved,
            AppointmentPatch {
                title: Some("Own".into()),
                ..AppointmentPatch::default()
            },
            now(),
        )
        .unwrap();
    store
        .delete_occurrence(master.id, utc("2027-03-15T08:00:00Z"), now())
        .unwrap();
    let asked = store
        .series_made_single(master.id, AppointmentPatch::default())
        .unwrap();
    assert_eq!(
        asked.sentence(),
        "The series becomes one appointment on Mon 1 Mar 09:00–10:00; its 4 other occurrences are removed.",
        "6 occurrences, one cancelled before, the first kept: the sentence counts what goes"
    );
    assert_eq!(march(&store).len(), 5, "asking writes nothing");

    let made = store
        .make_series_single(master.id, AppointmentPatch::default(), now())
        .unwrap();
    assert_eq!(made.removed, Some(4));
    assert_ne!(
        made.single.id, master.id,
        "the single appointment is a row of its own"
    );
    assert_eq!(
        march(&store),
        [(
            "2027-03-01T09:00:00+01:00".to_owned(),
            "Service".to_owned(),
            false
        )],
        "one appointment at the series' first occurrence, as Outlook keeps its master's start"
    );
    let single = store.appointment(made.single.id).unwrap();
    assert_eq!(single.recurrence, None, "no pattern any more");
    assert_eq!(single.series_id, None);
    assert!(
        store.appointment(master.id).is_err(),
        "the master is a tombstone"
    );
    assert_eq!(
        store
            .make_series_single(master.id, AppointmentPatch::default(), now())
            .unwrap_err()
            .code(),
        ErrorCode::UnknownAppointment,
        "a series made single once is no series any more"
    );

    let back = store
        .restore_series_of_single(made.single.id, now())
        .unwrap();
    assert_eq!(back.id, master.id, "the series comes back under its own id");
    let listed = march(&store);
    assert_eq!(
        listed.len(),
        5,
        "its occurrences are back, the one deleted on its own before still deleted: {listed:?}"
    );
    assert_eq!(
        listed[1],
        (
            "2027-03-08T09:00:00+01:00".to_owned(),
            "Own".to_owned(),
            true
        ),
        "the changed occurrence is back as an exception"
    );
    assert!(
        store.appointment(made.single.id).is_err(),
        "the single appointment went"
    );
    assert_eq!(
        store
            .restore_series_of_single(made.single.id, now())
            .unwrap_err()
            .code(),
        ErrorCode::UnknownAppointment,
        "a second undo finds nothing to take back"
    );
}

#[test]
fn making_a_series_one_appointment_refuses_what_is_no_quick3_series_and_writes_nothing() {
    let (mut store, ada) = store_with_ada();
    let single = store
        .create_appointment(
            input(ada, "One", "2027-03-01T09:00", "2027-03-01T10:00"),
            now(),
        )
        .unwrap();
    assert_eq!(
        store
            .make_series_single(single.id, AppointmentPatch::default(), now())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidRepeat,
        "a single appointment has no recurrence to remove"
    );
    assert_eq!(
        store
            .restore_series_of_single(single.id, now())
            .unwrap_err()
            .code(),
        ErrorCode::InvalidRepeat,
        "an appointment made as one replaced no series"
    );
    let master = service(&mut store, ada);
    let endless = store
        .create_series(
            input(ada, "Daily", "2027-03-02T07:00", "2027-03-02T07:15"),
            &Repeat::default(),
            now(),
        )
        .unwrap();
    assert_eq!(
        store
            .series_made_single(endless.id, AppointmentPatch::default())
            .unwrap()
            .sentence(),
        "The series becomes one appointment on Tue 2 Mar 07:00–07:15; all its other occurrences are removed (it repeats without end)."
    );
    store
        .delete_occurrence(master.id, utc("2027-03-01T08:00:00Z"), now())
        .unwrap();
    assert_eq!(
        store
            .series_made_single(master.id, AppointmentPatch::default())
            .unwrap()
            .removed,
        Some(5),
        "with its first occurrence deleted on its own, all 5 still standing go"
    );
    let bad = AppointmentPatch {
        title: Some("  ".into()),
        ..AppointmentPatch::default()
    };
    assert!(store.make_series_single(master.id, bad, now()).is_err());
    assert_eq!(
        store.appointment(master.id).unwrap().recurrence,
        master.recurrence,
        "bad input writes nothing"
    );
}

#[test]
fn the_deletion_of_a_series_made_one_appointment_waits_until_that_is_in_outlook() {
    let (mut store, ada) = store_with_ada();
    let account = ada_uploads(&mut store, ada);
    let master = service(&mut store, ada);
    assert!(
        !store.waits_for_replacement(account, master.id).unwrap(),
        "a series nothing replaces waits for nothing"
    );
    let made = store
        .make_series_single(master.id, AppointmentPatch::default(), now())
        .unwrap();
    assert_eq!(
        store.outbox_len(account).unwrap(),
        2,
        "the single appointment's POST and the series' deletion wait"
    );
    assert!(
        store.waits_for_replacement(account, master.id).unwrap(),
        "the series' deletion waits for its single appointment to be linked"
    );
    store.delete_appointment(made.single.id, now()).unwrap();
    assert!(
        !store.waits_for_replacement(account, master.id).unwrap(),
        "a single appointment deleted since holds nothing back"
    );
}
