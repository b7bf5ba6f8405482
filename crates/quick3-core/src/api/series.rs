//! The series part of the boundary: make a series, change or delete one occurrence or the whole
//! series, read one occurrence, and say a pattern in one sentence (the CLI and the window alike).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{changed_record, parse_appointment_id};
use crate::error::{CoreError, Result};
use crate::ids::AppointmentId;
use crate::model::recurrence::Repeat;
use crate::model::{AppointmentInput, AppointmentPatch, AppointmentRecord};
use crate::store::Store;

/// A new series as typed: the first occurrence's fields and how it repeats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SeriesInput {
    #[serde(flatten)]
    pub appointment: AppointmentInput,
    pub repeat: Repeat,
}

/// A whole-series edit's answer: the master, and whether (and how many of) its changed and
/// deleted occurrences went back to the pattern (its times or pattern changed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SeriesEditRecord {
    pub record: AppointmentRecord,
    pub exceptions_reset: bool,
    pub reset_occurrences: u32,
    /// Its times or pattern changed: what [`undo_series_edit`] takes to undo it (Ctrl+Z).
    #[ts(type = "number | null")]
    pub undo: Option<i64>,
}

/// An undone whole-series edit: the master as it was, and how many changed and deleted
/// occurrences came back with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SeriesEditUndoneRecord {
    pub record: AppointmentRecord,
    pub occurrences: u32,
}

/// Creates a series made in Quick3; the answer is its master (with `recurrence` and
/// `repeat_text`).
pub fn create_series(
    store: &mut Store,
    input: SeriesInput,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let master = store.create_series(input.appointment, &input.repeat, now)?;
    changed_record(store, &master)
}

/// Edits a whole series (`repeat` changes its pattern; on a single Quick3 appointment it makes
/// it a series).
pub fn edit_series(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    repeat: Option<Repeat>,
    now: DateTime<Utc>,
) -> Result<SeriesEditRecord> {
    let edit = store.edit_series(parse_appointment_id(id)?, patch, repeat.as_ref(), now)?;
    Ok(SeriesEditRecord {
        record: changed_record(store, &edit.appointment)?,
        exceptions_reset: edit.exceptions_reset,
        reset_occurrences: edit.reset_occurrences,
        undo: edit.undo,
    })
}

/// Undoes a whole-series edit that changed the series' times or pattern (`undo` from its
/// [`SeriesEditRecord`]): the master's times and pattern and the occurrences it reset come back.
pub fn undo_series_edit(
    store: &mut Store,
    id: &str,
    undo: i64,
    now: DateTime<Utc>,
) -> Result<SeriesEditUndoneRecord> {
    let undone = store.undo_series_edit(parse_appointment_id(id)?, undo, now)?;
    Ok(SeriesEditUndoneRecord {
        record: changed_record(store, &undone.appointment)?,
        occurrences: undone.occurrences,
    })
}

/// [`undo_series_edit`] from the planner's window: the answer is what the planner may see.
pub fn planner_undo_series_edit(
    store: &mut Store,
    id: &str,
    undo: i64,
    now: DateTime<Utc>,
) -> Result<SeriesEditUndoneRecord> {
    let mine = store.planner()?.my_resource_id;
    let undone = undo_series_edit(store, id, undo, now)?;
    Ok(SeriesEditUndoneRecord {
        record: undone.record.as_seen_by(mine),
        ..undone
    })
}

/// Whether that whole-series edit would send changed occurrences back to the pattern: what the
/// window warns about before saving. Writes nothing.
pub fn series_edit_resets(
    store: &Store,
    id: &str,
    patch: AppointmentPatch,
    repeat: Option<Repeat>,
) -> Result<bool> {
    store.series_edit_resets(parse_appointment_id(id)?, patch, repeat.as_ref())
}

/// A series made one appointment (Remove recurrence): the appointment it became, and the
/// sentence saying what went ("The series becomes one appointment on Mon 7 Dec 09:00–10:00;
/// its 11 other occurrences are removed.").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SeriesSingleRecord {
    pub record: AppointmentRecord,
    pub sentence: String,
}

/// What making the series `id` one appointment (with `patch`) would remove, in the sentence the
/// window and the CLI ask before doing it. Writes nothing.
pub fn series_single_sentence(store: &Store, id: &str, patch: AppointmentPatch) -> Result<String> {
    Ok(store
        .series_made_single(parse_appointment_id(id)?, patch)?
        .sentence())
}

/// Makes a series made in Quick3 one appointment at its first occurrence (Outlook's "Remove
/// recurrence"): its other occurrences, changed or not, go; Ctrl+Z brings them back
/// ([`restore_series`]). The answer is the new appointment (a new id).
pub fn make_series_single(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<SeriesSingleRecord> {
    let made = store.make_series_single(parse_appointment_id(id)?, patch, now)?;
    Ok(SeriesSingleRecord {
        record: changed_record(store, &made.single)?,
        sentence: made.sentence(),
    })
}

/// Takes back [`make_series_single`]: `single` (the appointment the series became) goes, and the
/// series comes back with its changed and deleted occurrences. The answer is its master.
pub fn restore_series(
    store: &mut Store,
    single: &str,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let master = store.restore_series_of_single(parse_appointment_id(single)?, now)?;
    changed_record(store, &master)
}

/// [`make_series_single`] from the planner's window, under the privacy rule of the series'
/// edits; the answer is what the planner may see.
pub fn planner_make_series_single(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<SeriesSingleRecord> {
    planner_may_edit(store, parse_appointment_id(id)?, &patch)?;
    let mine = store.planner()?.my_resource_id;
    let made = make_series_single(store, id, patch, now)?;
    Ok(SeriesSingleRecord {
        record: made.record.as_seen_by(mine),
        ..made
    })
}

/// [`restore_series`] from the planner's window: the answer is what the planner may see.
pub fn planner_restore_series(
    store: &mut Store,
    single: &str,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let mine = store.planner()?.my_resource_id;
    Ok(restore_series(store, single, now)?.as_seen_by(mine))
}

/// Reads which occurrence is meant: its original start in RFC 3339 (as listings give it), or
/// the local date it falls on by the pattern (`2027-03-08`).
pub fn parse_occurrence(store: &Store, series: AppointmentId, text: &str) -> Result<DateTime<Utc>> {
    if let Ok(instant) = DateTime::parse_from_rfc3339(text.trim()) {
        return Ok(instant.to_utc());
    }
    let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        CoreError::InvalidInput {
            field: "occurrence",
            reason: format!(
                "\"{}\" is not a date (2027-03-08) or an occurrence's original start",
                text.trim()
            ),
        }
    })?;
    store.occurrence_on_date(series, date)
}

/// Changes one occurrence of a series; it becomes an exception.
pub fn edit_occurrence(
    store: &mut Store,
    series: &str,
    occurrence: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    let series = parse_appointment_id(series)?;
    let original_start = parse_occurrence(store, series, occurrence)?;
    let edited = store.edit_occurrence(series, original_start, patch, now)?;
    Ok(AppointmentRecord {
        exception: true,
        ..changed_record(store, &edited)?
    })
}

/// Deletes one occurrence of a series.
pub fn delete_occurrence(
    store: &mut Store,
    series: &str,
    occurrence: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let series = parse_appointment_id(series)?;
    let original_start = parse_occurrence(store, series, occurrence)?;
    store.delete_occurrence(series, original_start, now)
}

/// Refuses what the planner's window may not do to another resource's private series (it shows
/// only "Private"): change its details, or move it to the planner's own resource; as
/// [`super::planner_edit_appointment`] does for single appointments.
fn planner_may_edit(store: &Store, series: AppointmentId, patch: &AppointmentPatch) -> Result<()> {
    let mine = store.planner()?.my_resource_id;
    let master = AppointmentRecord::from(&store.appointment(series)?);
    let touches_details = patch.title.is_some()
        || patch.location.is_some()
        || patch.notes.is_some()
        || patch.categories.is_some()
        || patch.sensitivity.is_some();
    let to_mine = patch.resource_id.is_some() && patch.resource_id == mine;
    if master.is_hidden_from(mine) && (touches_details || to_mine) {
        return Err(CoreError::ReadOnly {
            reason: super::PRIVATE_DETAILS_READ_ONLY.into(),
        });
    }
    Ok(())
}

/// An occurrence's edit from the planner's window: [`edit_occurrence`] under the privacy rule of
/// [`planner_may_edit`]; the answer is what the planner may see.
pub fn planner_edit_occurrence(
    store: &mut Store,
    series: &str,
    occurrence: &str,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<AppointmentRecord> {
    planner_may_edit(store, parse_appointment_id(series)?, &patch)?;
    let mine = store.planner()?.my_resource_id;
    Ok(edit_occurrence(store, series, occurrence, patch, now)?.as_seen_by(mine))
}

/// A whole-series edit from the planner's window, under the same privacy rule.
pub fn planner_edit_series(
    store: &mut Store,
    id: &str,
    patch: AppointmentPatch,
    repeat: Option<Repeat>,
    now: DateTime<Utc>,
) -> Result<SeriesEditRecord> {
    planner_may_edit(store, parse_appointment_id(id)?, &patch)?;
    let mine = store.planner()?.my_resource_id;
    let edit = edit_series(store, id, patch, repeat, now)?;
    Ok(SeriesEditRecord {
        record: edit.record.as_seen_by(mine),
        ..edit
    })
}

/// One occurrence as the planner may see it (the dialog opened on an occurrence's card).
pub fn planner_occurrence(
    store: &Store,
    series: &str,
    occurrence: &str,
) -> Result<AppointmentRecord> {
    let mine = store.planner()?.my_resource_id;
    let series = parse_appointment_id(series)?;
    let original_start = parse_occurrence(store, series, occurrence)?;
    let listed = store.occurrence(series, original_start)?;
    Ok(AppointmentRecord {
        exception: listed.exception,
        ..changed_record(store, &listed.appointment)?
    }
    .as_seen_by(mine))
}

/// The sentence under the dialog's Repeat ("Every 2 weeks on Monday and Thursday, until 30 June
/// 2027") for a series starting on `start` (a date, or a date and time: its date counts).
pub fn describe_repeat(start: &str, repeat: &Repeat) -> Result<String> {
    let day = start.trim().get(..10).unwrap_or_default();
    let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| CoreError::InvalidInput {
        field: "start",
        reason: format!(
            "\"{}\" does not start with a date like 2027-03-08",
            start.trim()
        ),
    })?;
    Ok(repeat.rule(date)?.describe())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn another_resources_private_series_is_moved_but_never_opened_by_the_planner() {
        use crate::model::{NewResource, ResourceKind, Sensitivity};
        let now: DateTime<Utc> = "2027-01-01T12:00:00Z".parse().unwrap();
        let mut store = Store::open_in_memory().unwrap();
        store.set_default_zone("Europe/Oslo").unwrap();
        let mut add = |name: &str| {
            store
                .add_resource(
                    NewResource {
                        name: name.into(),
                        email: None,
                        kind: ResourceKind::Person,
                        colour: None,
                        hours: None,
                    },
                    now,
                )
                .unwrap()
                .id
        };
        let (me, ada) = (add("Me"), add("Ada"));
        store.set_my_resource(me).unwrap();
        let master = create_series(
            &mut store,
            SeriesInput {
                appointment: AppointmentInput {
                    resource_id: ada,
                    title: "Doctor".into(),
                    all_day: false,
                    start: "2027-03-01T09:00".into(),
                    end: Some("2027-03-01T10:00".into()),
                    time_zone: None,
                    location: None,
                    notes: None,
                    categories: vec![],
                    show_as: None,
                    sensitivity: Some(Sensitivity::Private),
                },
                repeat: Repeat {
                    every: crate::model::RepeatUnit::Weekly,
                    ..Repeat::default()
                },
            },
            now,
        )
        .unwrap();
        let id = master.id.to_string();
        let rename = AppointmentPatch {
            title: Some("Seen".into()),
            ..AppointmentPatch::default()
        };
        for err in [
            planner_edit_occurrence(&mut store, &id, "2027-03-08", rename.clone(), now)
                .unwrap_err(),
            planner_edit_series(&mut store, &id, rename, None, now).unwrap_err(),
        ] {
            assert_eq!(
                err.code(),
                crate::ErrorCode::ReadOnly,
                "details the planner never saw"
            );
        }
        let moved = planner_edit_occurrence(
            &mut store,
            &id,
            "2027-03-08",
            AppointmentPatch {
                start: Some("2027-03-09T09:00".into()),
                end: Some("2027-03-09T10:00".into()),
                ..AppointmentPatch::default()
            },
            now,
        )
        .unwrap();
        assert_eq!(
            moved.title, "Private",
            "the answer shows only what the planner may see"
        );
        assert_eq!(
            planner_occurrence(&store, &id, "2027-03-08").unwrap().title,
            "Private"
        );
        assert_eq!(
            store.appointment(moved.id).unwrap().title,
            "Doctor",
            "kept as it was"
        );
    }

    #[test]
    fn the_sentence_and_its_refusals_come_from_the_core() {
        let repeat = Repeat {
            every: crate::model::RepeatUnit::Weekly,
            interval: Some(2),
            days: vec!["MO".into(), "TH".into()],
            until: Some("2027-06-30".into()),
            ..Repeat::default()
        };
        assert_eq!(
            describe_repeat("2027-03-01T09:00", &repeat).unwrap(),
            "Every 2 weeks on Monday and Thursday, until 30 June 2027"
        );
        let ended = Repeat {
            until: Some("2027-02-01".into()),
            ..repeat
        };
        assert_eq!(
            describe_repeat("2027-03-01", &ended).unwrap_err().code(),
            crate::ErrorCode::InvalidRepeat
        );
    }
}
