//! Appointments in the store: create, edit, delete (as a tombstone) and range queries.

use chrono::{DateTime, NaiveDate, SubsecRound, Timelike, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::series::SeriesRole;
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId, ResourceId};
use crate::model::appointment::AppointmentFields;
use crate::model::{
    Appointment, AppointmentInput, AppointmentPatch, Origin, Sensitivity, ShowAs, When,
};

/// Which appointments to list: all that overlap `[from, to)` (either end open), optionally of one
/// resource.
#[derive(Debug, Clone, Copy, Default)]
pub struct AppointmentQuery {
    pub resource: Option<ResourceId>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

pub(super) const COLUMNS: &str =
    "id, resource_id, title, all_day, start_utc, end_utc, time_zone, start_date,
    end_date, location, notes, categories, show_as, sensitivity, origin, origin_account_id,
    remote_calendar_id, remote_id, recurrence, series_id, original_start, created_at, updated_at";

impl Store {
    /// Creates a Quick3 appointment.
    pub fn create_appointment(
        &mut self,
        input: AppointmentInput,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let fields = input.validate(&self.default_zone)?;
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        ensure_resource(&tx, fields.resource_id)?;
        let appointment = Appointment {
            id: AppointmentId::at(now),
            resource_id: fields.resource_id,
            title: fields.title,
            when: fields.when,
            location: fields.location,
            notes: fields.notes,
            categories: fields.categories,
            show_as: fields.show_as,
            sensitivity: fields.sensitivity,
            origin: Origin::Quick3,
            recurrence: None,
            series_id: None,
            original_start: None,
            created_at: now,
            updated_at: now,
        };
        insert(&tx, &appointment)?;
        enqueue_push(&tx, &appointment, appointment.resource_id, now)?;
        tx.commit()?;
        Ok(appointment)
    }

    /// Changes an appointment; fields left `None` in `patch` stay as they are.
    pub fn edit_appointment(
        &mut self,
        id: AppointmentId,
        patch: AppointmentPatch,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        match self.series_role(id)? {
            SeriesRole::Master => {
                return Ok(self.edit_series(id, patch, None, now)?.appointment);
            }
            SeriesRole::Occurrence {
                series,
                original_start,
            } => return self.edit_occurrence(series, original_start, patch, now),
            SeriesRole::None => {}
        }
        let zone = self.default_zone.clone();
        let tx = self.begin_edit()?;
        // Read under the write lock: a change another writer committed meanwhile is what this
        // edit applies to, never overwritten by an older copy. Invalid input rolls back unwritten.
        let current = live(&tx, id)?;
        if let Some(reason) = current.read_only_reason() {
            return Err(CoreError::ReadOnly {
                reason: reason.into(),
            });
        }
        let fields = current.patched(patch).validate(&zone)?;
        ensure_resource(&tx, fields.resource_id)?;
        let previous_resource = current.resource_id;
        let updated = apply(current, fields, now.trunc_subsecs(0));
        // An update in place (never delete + insert: that would cascade to a series' occurrences).
        upsert(&tx, &updated)?;
        enqueue_push(&tx, &updated, updated.resource_id, now)?;
        if previous_resource != updated.resource_id {
            // The old resource's main account must remove its copy.
            enqueue_push(&tx, &updated, previous_resource, now)?;
        }
        tx.commit()?;
        Ok(updated)
    }

    /// Deletes an appointment. The row stays as a tombstone so that the deletion can be synced and
    /// never comes back.
    pub fn delete_appointment(&mut self, id: AppointmentId, now: DateTime<Utc>) -> Result<()> {
        match self.series_role(id)? {
            SeriesRole::Master => return self.delete_series(id, now),
            SeriesRole::Occurrence {
                series,
                original_start,
            } => return self.delete_occurrence(series, original_start, now),
            SeriesRole::None => {}
        }
        let tx = self.begin_edit()?;
        // Read under the write lock, as in an edit: the outbox entry goes to the resource the
        // appointment has now.
        let current = match live(&tx, id) {
            Err(CoreError::Corrupt(reason)) => return delete_damaged(tx, id, &reason, now),
            read => read?,
        };
        if let Some(reason) = current.read_only_reason() {
            return Err(CoreError::ReadOnly {
                reason: reason.into(),
            });
        }
        let changed = tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            params![id, utc_text(now)],
        )?;
        if changed == 0 {
            return Err(CoreError::UnknownAppointment { id: id.to_string() });
        }
        enqueue_push(&tx, &current, current.resource_id, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Undoes a deletion that has not been synced yet (the Scheduler's undo); a series comes
    /// back with the exceptions deleted with it.
    pub fn restore_appointment(
        &mut self,
        id: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let tx = self.begin_edit()?;
        let changed = tx.execute(
            "UPDATE appointments SET deleted_at = NULL, deleted_with_series = 0, updated_at = ?2
              WHERE id = ?1 AND deleted_at IS NOT NULL",
            params![id, utc_text(now)],
        )?;
        if changed == 0 {
            return Err(CoreError::UnknownAppointment { id: id.to_string() });
        }
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1");
        let restored = tx.query_row(&sql, [id], appointment_from_row)??;
        super::series::restore_exceptions(&tx, &restored, now)?;
        enqueue_push(&tx, &restored, restored.resource_id, now)?;
        tx.commit()?;
        Ok(restored)
    }

    /// A live (not deleted) appointment.
    pub fn appointment(&self, id: AppointmentId) -> Result<Appointment> {
        live(&self.conn, id)
    }

    /// Live appointment rows overlapping the query's range, by start: single appointments,
    /// pulled occurrences and Quick3 exceptions, never a series master (see `series.rs` for the
    /// listing that expands Quick3's masters).
    pub(super) fn list_rows(&self, query: AppointmentQuery) -> Result<Vec<Appointment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments
             WHERE deleted_at IS NULL AND recurrence IS NULL
               AND (?1 IS NULL OR resource_id = ?1)
               AND (?2 IS NULL OR span_end > ?2)
               AND (?3 IS NULL OR span_start < ?3)
             ORDER BY span_start, title, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![
                query.resource,
                query.from.map(utc_text),
                query.to.map(utc_text)
            ],
            appointment_from_row,
        )?;
        let mut found = Vec::new();
        for row in rows {
            // One damaged row must not hide every other appointment: it is skipped and named.
            let appointment = match row? {
                Ok(appointment) => appointment,
                Err(err) => {
                    tracing::warn!("an appointment was left out of a listing: {err}");
                    continue;
                }
            };
            // All-day spans are widened for the index; keep only those really in range.
            if overlaps(&appointment.when, query.from, query.to) {
                found.push(appointment);
            }
        }
        Ok(found)
    }
}

/// A live (not deleted) appointment, read on `conn` (or in its open transaction).
pub(super) fn live(conn: &Connection, id: AppointmentId) -> Result<Appointment> {
    let sql = format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1 AND deleted_at IS NULL");
    conn.query_row(&sql, [id], appointment_from_row)
        .optional()?
        .ok_or_else(|| CoreError::UnknownAppointment { id: id.to_string() })?
}

/// Deletes an appointment whose row cannot be read (see [`appointment_from_row`]). Only a
/// Quick3 appointment can be deleted: a pulled one belongs to Outlook. Such a row never
/// reached Microsoft 365 (its upload reads it), so its waiting uploads go with it; one with a
/// link keeps its entry, and the next sync reports the damage.
fn delete_damaged(
    tx: Transaction<'_>,
    id: AppointmentId,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    let changed = tx.execute(
        "UPDATE appointments SET deleted_at = ?2, updated_at = ?2
          WHERE id = ?1 AND deleted_at IS NULL AND origin = 'quick3'",
        params![id, utc_text(now)],
    )?;
    if changed == 0 {
        return Err(CoreError::Corrupt(reason.to_owned()));
    }
    tx.execute(
        "DELETE FROM sync_outbox WHERE appointment_id = ?1
            AND NOT EXISTS (SELECT 1 FROM sync_links l
                             WHERE l.appointment_id = ?1 AND l.account_id = sync_outbox.account_id)",
        [id],
    )?;
    tx.commit()?;
    tracing::warn!("a damaged appointment was deleted: {reason}");
    Ok(())
}

pub(super) fn overlaps(
    when: &When,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
) -> bool {
    match *when {
        When::Timed { start, end, .. } => {
            from.is_none_or(|from| end > from) && to.is_none_or(|to| start < to)
        }
        // Dates are compared as dates: a day is in range if any part of the range touches it in
        // some zone (the widened span already did the coarse cut).
        When::AllDay { .. } => true,
    }
}

pub(super) fn ensure_resource(tx: &Transaction<'_>, resource: ResourceId) -> Result<()> {
    let exists: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM resources WHERE id = ?1 AND deleted_at IS NULL)",
        [resource],
        |row| row.get(0),
    )?;
    if exists {
        Ok(())
    } else {
        Err(CoreError::UnknownResource {
            reference: resource.to_string(),
        })
    }
}

pub(super) fn apply(
    current: Appointment,
    fields: AppointmentFields,
    now: DateTime<Utc>,
) -> Appointment {
    Appointment {
        resource_id: fields.resource_id,
        title: fields.title,
        when: fields.when,
        location: fields.location,
        notes: fields.notes,
        categories: fields.categories,
        show_as: fields.show_as,
        sensitivity: fields.sensitivity,
        updated_at: now,
        ..current
    }
}

/// Queues the upload of a Quick3 appointment's change to the main account of `resource`, when
/// that account uploads (Up, or Up and Down), in the transaction of the change itself.
pub(super) fn enqueue_push(
    tx: &Transaction<'_>,
    a: &Appointment,
    resource: ResourceId,
    now: DateTime<Utc>,
) -> Result<()> {
    if a.origin != Origin::Quick3 {
        return Ok(());
    }
    tx.execute(
        "INSERT INTO sync_outbox (appointment_id, account_id, created_at)
         SELECT ?1, id, ?3 FROM m365_accounts
          WHERE resource_id = ?2 AND is_main = 1 AND direction IN ('up', 'up_and_down')
         ON CONFLICT (appointment_id, account_id) DO UPDATE
            SET revision = revision + 1, attempts = 0, last_error = NULL, not_before = NULL",
        params![a.id, resource, utc_text(now)],
    )?;
    Ok(())
}

/// Writes an appointment row, replacing the one with the same id in place.
pub(super) fn upsert(tx: &Connection, a: &Appointment) -> Result<()> {
    write(tx, a, true)
}

pub(super) fn insert(tx: &Transaction<'_>, a: &Appointment) -> Result<()> {
    write(tx, a, false)
}

macro_rules! insert_appointment {
    ($($tail:literal)?) => {
        concat!(
            "INSERT INTO appointments (id, resource_id, title, all_day, start_utc, end_utc, time_zone,
            start_date, end_date, span_start, span_end, location, notes, categories, show_as,
            sensitivity, origin, origin_account_id, remote_calendar_id, remote_id, recurrence,
            series_id, original_start, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18,
            ?19, ?20, ?21, ?22, ?23, ?24, ?25) "
            $(, $tail)?
        )
    };
}

const INSERT: &str = insert_appointment!();
const UPSERT: &str = insert_appointment!(
    "ON CONFLICT (id) DO UPDATE SET resource_id = excluded.resource_id,
                title = excluded.title, all_day = excluded.all_day, start_utc = excluded.start_utc,
                end_utc = excluded.end_utc, time_zone = excluded.time_zone,
                start_date = excluded.start_date, end_date = excluded.end_date,
                span_start = excluded.span_start, span_end = excluded.span_end,
                location = excluded.location, notes = excluded.notes,
                categories = excluded.categories, show_as = excluded.show_as,
                sensitivity = excluded.sensitivity, origin = excluded.origin,
                origin_account_id = excluded.origin_account_id,
                remote_calendar_id = excluded.remote_calendar_id, remote_id = excluded.remote_id,
                recurrence = excluded.recurrence, series_id = excluded.series_id,
                original_start = excluded.original_start, updated_at = excluded.updated_at"
);

fn write(tx: &Connection, a: &Appointment, replace: bool) -> Result<()> {
    let (span_start, span_end) = super::series::span(a);
    let (start_utc, end_utc, zone, start_date, end_date) = match a.when {
        When::Timed {
            start,
            end,
            time_zone,
        } => (
            Some(utc_text(start)),
            Some(utc_text(end)),
            Some(time_zone.name()),
            None,
            None,
        ),
        When::AllDay { start, end } => (None, None, None, Some(start), Some(end)),
    };
    let (origin, account, calendar, remote) = match &a.origin {
        Origin::Quick3 => ("quick3", None, None, None),
        Origin::Microsoft365 {
            account_id,
            calendar_id,
            remote_id,
        } => (
            "microsoft365",
            *account_id,
            Some(calendar_id.as_str()),
            Some(remote_id.as_str()),
        ),
    };
    let recurrence = a
        .recurrence
        .as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| CoreError::Corrupt(e.to_string()))?;
    // Written once per pulled event: the statement's text is a constant (no formatting, and
    // the statement cache finds it by a string it need not build).
    let sql = if replace { UPSERT } else { INSERT };
    tx.prepare_cached(sql)?.execute(params![
        a.id,
        a.resource_id,
        a.title,
        a.when.is_all_day(),
        start_utc,
        end_utc,
        zone,
        start_date,
        end_date,
        utc_text(span_start),
        utc_text(span_end),
        a.location,
        a.notes,
        serde_json::to_string(&a.categories).map_err(|e| CoreError::Corrupt(e.to_string()))?,
        a.show_as.as_str(),
        a.sensitivity.as_str(),
        origin,
        account,
        calendar,
        remote,
        recurrence,
        a.series_id,
        a.original_start.map(utc_text),
        utc_text(a.created_at),
        utc_text(a.updated_at),
    ])?;
    Ok(())
}

/// A leap second (second 60, which older versions accepted and stored) as the second after it:
/// Graph knows no second 60; with one stored, every later sync failed.
fn real_second(instant: DateTime<Utc>) -> DateTime<Utc> {
    if instant.nanosecond() < 1_000_000_000 {
        return instant;
    }
    instant.with_nanosecond(0).unwrap_or(instant) + chrono::Duration::seconds(1)
}

/// Reads an appointment row. The outer error is the database failing; the inner one is this row
/// being unreadable (a value that does not convert, written by an older version or by hand), so
/// that a listing can skip the row and go on.
pub(super) fn appointment_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Appointment>> {
    let id: AppointmentId = row.get(0)?;
    match read_row(row, id) {
        Err(
            err @ (rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)),
        ) => Ok(Err(CoreError::Corrupt(format!("appointment {id}: {err}")))),
        read => read,
    }
}

fn read_row(row: &Row<'_>, id: AppointmentId) -> rusqlite::Result<Result<Appointment>> {
    let resource_id: ResourceId = row.get(1)?;
    let title: String = row.get(2)?;
    let all_day: bool = row.get(3)?;
    let start_utc: Option<DateTime<Utc>> = row.get::<_, Option<_>>(4)?.map(real_second);
    let end_utc: Option<DateTime<Utc>> = row.get::<_, Option<_>>(5)?.map(real_second);
    let time_zone: Option<String> = row.get(6)?;
    let start_date: Option<NaiveDate> = row.get(7)?;
    let end_date: Option<NaiveDate> = row.get(8)?;
    let location: String = row.get(9)?;
    let notes: String = row.get(10)?;
    let categories: String = row.get(11)?;
    let show_as: String = row.get(12)?;
    let sensitivity: String = row.get(13)?;
    let origin: String = row.get(14)?;
    let account_id: Option<AccountId> = row.get(15)?;
    let calendar_id: Option<String> = row.get(16)?;
    let remote_id: Option<String> = row.get(17)?;
    let recurrence: Option<String> = row.get(18)?;
    let series_id: Option<AppointmentId> = row.get(19)?;
    let original_start: Option<DateTime<Utc>> = row.get::<_, Option<_>>(20)?.map(real_second);
    let created_at: DateTime<Utc> = row.get(21)?;
    let updated_at: DateTime<Utc> = row.get(22)?;
    Ok((|| {
        let corrupt = |what: &str| CoreError::Corrupt(format!("appointment {id}: {what}"));
        let when = match (all_day, start_utc, end_utc, time_zone, start_date, end_date) {
            (false, Some(start), Some(end), Some(zone), _, _) => When::Timed {
                start,
                end,
                time_zone: zone.parse().map_err(|_| corrupt("unknown time zone"))?,
            },
            (true, _, _, _, Some(start), Some(end)) => When::AllDay { start, end },
            _ => return Err(corrupt("incomplete times")),
        };
        let origin = match origin.as_str() {
            "quick3" => Origin::Quick3,
            "microsoft365" => Origin::Microsoft365 {
                account_id,
                calendar_id: calendar_id.unwrap_or_default(),
                remote_id: remote_id.unwrap_or_default(),
            },
            _ => return Err(corrupt("unknown origin")),
        };
        Ok(Appointment {
            id,
            resource_id,
            title,
            when,
            location,
            notes,
            categories: serde_json::from_str(&categories).map_err(|_| corrupt("categories"))?,
            show_as: ShowAs::parse(&show_as)?,
            sensitivity: Sensitivity::parse(&sensitivity)?,
            origin,
            recurrence: recurrence
                .map(|r| serde_json::from_str(&r))
                .transpose()
                .map_err(|_| corrupt("recurrence"))?,
            series_id,
            original_start,
            created_at,
            updated_at,
        })
    })())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::model::{NewResource, ResourceKind};

    fn store_with_ada() -> (Store, ResourceId) {
        store_with_ada_in("Europe/Berlin", Utc::now())
    }

    /// An in-memory store whose default zone is `zone`, with one person, Ada, added at `at`
    /// (the series tests share it).
    pub(crate) fn store_with_ada_in(zone: &str, at: DateTime<Utc>) -> (Store, ResourceId) {
        let mut store = Store::open_in_memory().unwrap();
        store.set_default_zone(zone).unwrap();
        let ada = store
            .add_resource(
                NewResource {
                    name: "Ada".into(),
                    email: Some("ada@example.com".into()),
                    kind: ResourceKind::Person,
                    colour: None,
                    hours: None,
                },
                at,
            )
            .unwrap();
        (store, ada.id)
    }

    pub(crate) fn input(
        resource: ResourceId,
        title: &str,
        start: &str,
        end: &str,
    ) -> AppointmentInput {
        AppointmentInput {
            resource_id: resource,
            title: title.into(),
            all_day: false,
            start: start.into(),
            end: Some(end.into()),
            time_zone: None,
            location: None,
            notes: None,
            categories: vec![],
            show_as: None,
            sensitivity: None,
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn created_appointment_round_trips_exactly() {
        let (mut store, ada) = store_with_ada();
        let created = store
            .create_appointment(
                input(ada, "Review", "2026-03-28T09:00", "2026-03-30T10:00"),
                Utc::now(),
            )
            .unwrap();
        let loaded = store.appointment(created.id).unwrap();
        assert_eq!(loaded, created);
        assert_eq!(loaded.when.start_text(), "2026-03-28T09:00:00+01:00");
        assert_eq!(
            loaded.when.end_text(),
            "2026-03-30T10:00:00+02:00",
            "the end is after the DST change"
        );
    }

    #[test]
    fn range_query_returns_only_overlapping_appointments() {
        let (mut store, ada) = store_with_ada();
        let now = Utc::now();
        store
            .create_appointment(
                input(ada, "Mon", "2026-11-23T09:00", "2026-11-23T10:00"),
                now,
            )
            .unwrap();
        store
            .create_appointment(
                input(ada, "Next week", "2026-11-30T09:00", "2026-11-30T10:00"),
                now,
            )
            .unwrap();
        let mut all_day = input(ada, "Fair", "2026-11-27", "2026-11-28");
        all_day.all_day = true;
        store.create_appointment(all_day, now).unwrap();
        let week = AppointmentQuery {
            resource: Some(ada),
            from: Some(utc("2026-11-22T23:00:00Z")),
            to: Some(utc("2026-11-29T23:00:00Z")),
        };
        let titles: Vec<_> = store
            .list_appointments(week)
            .unwrap()
            .into_iter()
            .map(|a| a.title)
            .collect();
        assert_eq!(titles, ["Mon", "Fair"]);
    }

    #[test]
    fn invalid_input_writes_nothing() {
        let (mut store, ada) = store_with_ada();
        let now = Utc::now();
        let long = "x".repeat(300);
        for (bad, code) in [
            (
                input(ada, &long, "2026-11-23T09:00", "2026-11-23T10:00"),
                ErrorCode::TitleTooLong,
            ),
            (
                input(ada, "  ", "2026-11-23T09:00", "2026-11-23T10:00"),
                ErrorCode::EmptyTitle,
            ),
            (
                input(ada, "x", "2026-11-23T10:00", "2026-11-23T09:00"),
                ErrorCode::EndBeforeStart,
            ),
            (
                input(ResourceId(999), "x", "2026-11-23T09:00", "2026-11-23T10:00"),
                ErrorCode::UnknownResource,
            ),
        ] {
            let err = store.create_appointment(bad, now).unwrap_err();
            assert_eq!(err.code(), code);
        }
        assert!(
            store
                .list_appointments(AppointmentQuery::default())
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn edit_changes_only_what_is_given() {
        let (mut store, ada) = store_with_ada();
        let created = store
            .create_appointment(
                input(ada, "Review", "2026-11-23T09:00", "2026-11-23T10:00"),
                Utc::now(),
            )
            .unwrap();
        let patch = AppointmentPatch {
            title: Some("Design review".into()),
            ..Default::default()
        };
        let edited = store
            .edit_appointment(created.id, patch, Utc::now())
            .unwrap();
        assert_eq!(edited.title, "Design review");
        assert_eq!(edited.when, created.when, "times stay when not given");
        let to_all_day = AppointmentPatch {
            all_day: Some(true),
            ..Default::default()
        };
        let edited = store
            .edit_appointment(created.id, to_all_day, Utc::now())
            .unwrap();
        assert_eq!(
            (edited.when.start_text(), edited.when.end_text()),
            ("2026-11-23".into(), "2026-11-24".into())
        );
    }

    #[test]
    fn deletion_is_a_tombstone_that_can_be_undone() {
        let (mut store, ada) = store_with_ada();
        let created = store
            .create_appointment(
                input(ada, "Review", "2026-11-23T09:00", "2026-11-23T10:00"),
                Utc::now(),
            )
            .unwrap();
        store.delete_appointment(created.id, Utc::now()).unwrap();
        assert_eq!(
            store.appointment(created.id).unwrap_err().code(),
            ErrorCode::UnknownAppointment
        );
        assert!(
            store
                .list_appointments(AppointmentQuery::default())
                .unwrap()
                .is_empty()
        );
        let tombstones: i64 = store
            .conn
            .query_row(
                "SELECT count(*) FROM appointments WHERE deleted_at IS NOT NULL",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(
            tombstones, 1,
            "the deletion is kept so that sync can propagate it"
        );
        assert_eq!(
            store
                .delete_appointment(created.id, Utc::now())
                .unwrap_err()
                .code(),
            ErrorCode::UnknownAppointment
        );
        store.restore_appointment(created.id, Utc::now()).unwrap();
        assert_eq!(store.appointment(created.id).unwrap().title, "Review");
    }

    #[test]
    fn a_damaged_row_is_skipped_by_listings_and_uploads_and_can_be_deleted() {
        use crate::model::{Direction, NewAccount};
        let (mut store, ada) = store_with_ada();
        let now = Utc::now();
        let account = store
            .add_account(
                NewAccount {
                    resource_id: ada,
                    email: "ada@contoso.example".into(),
                    direction: Direction::Up,
                    scopes: vec![],
                },
                now,
            )
            .unwrap()
            .id;
        let good = store
            .create_appointment(
                input(ada, "Good", "2026-11-25T09:00", "2026-11-25T10:00"),
                now,
            )
            .unwrap();
        let bad = store
            .create_appointment(
                input(ada, "Poisoned", "2026-11-26T09:00", "2026-11-26T10:00"),
                now + chrono::Duration::seconds(1),
            )
            .unwrap();
        // What an older version wrote for `--start +12026-11-25T09:00`: text no reader converts.
        store
            .conn
            .execute(
                "UPDATE appointments SET start_utc = '+12026-11-25T08:00:00Z',
                        end_utc = '+12026-11-26T00:00:00Z' WHERE id = ?1",
                [bad.id],
            )
            .unwrap();

        let listed = store
            .list_appointments(AppointmentQuery::default())
            .unwrap();
        assert_eq!(
            listed.iter().map(|a| a.id).collect::<Vec<_>>(),
            [good.id],
            "the damaged row is left out, every other appointment is listed"
        );
        assert_eq!(
            store.appointment(bad.id).unwrap_err().code(),
            ErrorCode::Corrupt,
            "reading the damaged row alone names the damage"
        );
        let due: Vec<_> = store
            .outbox_due(account, now)
            .unwrap()
            .into_iter()
            .map(|e| e.appointment)
            .collect();
        assert_eq!(
            due,
            [good.id],
            "sync uploads the others; the damaged one waits"
        );

        store.delete_appointment(bad.id, now).unwrap();
        assert_eq!(
            store.outbox_len(account).unwrap(),
            1,
            "its never-sent upload went with it"
        );
        assert_eq!(
            store
                .list_appointments(AppointmentQuery::default())
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            store.delete_appointment(bad.id, now).unwrap_err().code(),
            ErrorCode::UnknownAppointment,
            "deleted once"
        );
    }

    #[test]
    fn a_stored_leap_second_is_read_as_the_next_minute() {
        let (mut store, ada) = store_with_ada();
        let created = store
            .create_appointment(
                input(ada, "Review", "2026-11-25T09:00", "2026-11-25T10:00"),
                Utc::now(),
            )
            .unwrap();
        // What an older version stored for `--start 2026-11-25T09:00:60`.
        store
            .conn
            .execute(
                "UPDATE appointments SET start_utc = '2026-11-25T08:00:60Z' WHERE id = ?1",
                [created.id],
            )
            .unwrap();
        let read = store.appointment(created.id).unwrap();
        assert_eq!(
            read.when.start_text(),
            "2026-11-25T09:01:00+01:00",
            "a real second that Outlook and every reader accept"
        );
    }
}
