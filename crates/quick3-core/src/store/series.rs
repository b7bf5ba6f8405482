//! Series made in Quick3 in the store: one master row with its pattern and zone, an occurrence
//! changed on its own as an exception row and one deleted on its own as a tombstoned exception
//! row (both keyed by series and original start), and listings that expand the masters for the
//! range asked.
//!
//! The rule (ARCHITECTURE.md): only masters of origin `quick3` are expanded. A series pulled from
//! Outlook keeps its occurrences as the rows Outlook sent; its master is kept but never listed.

use std::collections::HashSet;

use chrono::{DateTime, NaiveDate, SubsecRound, TimeDelta, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::appointments::{
    AppointmentQuery, COLUMNS, apply, appointment_from_row, enqueue_push, ensure_resource, insert,
    live, overlaps, upsert,
};
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId, SyncRunId};
use crate::model::recurrence::{
    Occurrence, Repeat, Rule, check_length, occurrence_on, occurrences, original_date,
};
use crate::model::{Appointment, AppointmentInput, AppointmentPatch, Content, Origin, When};

/// The last instant the store writes: the span end of a series without end.
const FOREVER: &str = "9999-12-31T23:59:59Z";

/// An appointment as a listing gives it, with whether it is an occurrence of a Quick3 series
/// changed on its own (the window marks it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub appointment: Appointment,
    pub exception: bool,
}

/// The result of editing a whole series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesEdit {
    pub appointment: Appointment,
    /// The series' times or pattern changed, so its changed and deleted occurrences went back to
    /// the pattern (Outlook's rule); the window tells the planner before saving.
    pub exceptions_reset: bool,
    /// How many changed and deleted occurrences went back to the pattern.
    pub reset_occurrences: u32,
    /// The edit changed the series' times or pattern: what [`Store::undo_series_edit`] takes to
    /// undo it (the master's times and pattern, and the occurrences it reset).
    pub undo: Option<i64>,
}

/// recurrence, series_id, original_start and origin of a row.
type RoleColumns = (
    Option<String>,
    Option<AppointmentId>,
    Option<DateTime<Utc>>,
    String,
);

/// What a row is to a Quick3 series.
pub(super) enum SeriesRole {
    None,
    Master,
    Occurrence {
        series: AppointmentId,
        original_start: DateTime<Utc>,
    },
}

/// Whether an appointment is the master of a series made in Quick3.
pub(super) fn is_quick3_master(a: &Appointment) -> bool {
    a.origin == Origin::Quick3 && a.recurrence.is_some()
}

/// The UTC span a row covers for range queries: a Quick3 master's runs from its first occurrence
/// to its last (to the end of time without end), anything else's is its own.
pub(super) fn span(a: &Appointment) -> (DateTime<Utc>, DateTime<Utc>) {
    let own = a.when.covering_span();
    if !is_quick3_master(a) {
        return own;
    }
    let Some(rule) = a.recurrence.as_ref().and_then(|r| Rule::from_graph(r).ok()) else {
        return own;
    };
    let forever = FOREVER.parse().unwrap_or(DateTime::<Utc>::MAX_UTC);
    let end = match rule.last_date() {
        None => forever,
        Some(last) => occurrence_on(&a.when, last).when.covering_span().1,
    };
    (own.0, end.max(own.1))
}

/// The local date an appointment starts on (in its zone, or its first day).
fn local_start_date(when: &When) -> NaiveDate {
    match *when {
        When::Timed {
            start, time_zone, ..
        } => start.with_timezone(&time_zone).date_naive(),
        When::AllDay { start, .. } => start,
    }
}

/// The series' first occurrence and Graph's recurrence for `when` repeating as `rule` says.
fn series_times(when: &When, rule: &Rule) -> Result<(When, crate::model::Recurrence)> {
    rule.check()?;
    let first = rule.first_date().ok_or_else(|| CoreError::InvalidRepeat {
        reason: "This pattern has no occurrence.".into(),
    })?;
    // Graph wants the range to start on the first occurrence's date; nothing fits between.
    let rule = Rule {
        start: first,
        ..rule.clone()
    };
    let first = occurrence_on(when, first).when;
    check_length(&rule, &first)?;
    let zone = first.time_zone().map(|tz| tz.name().to_owned());
    Ok((first, rule.to_graph(zone.as_deref())))
}

fn rule_of(master: &Appointment) -> Result<Rule> {
    let recurrence = master
        .recurrence
        .as_ref()
        .ok_or_else(|| CoreError::InvalidRepeat {
            reason: "This appointment is not a series.".into(),
        })?;
    Rule::from_graph(recurrence)
}

/// The original starts of a series' exceptions and cancellations, with whether each is live.
fn exception_starts(
    conn: &Connection,
    series: AppointmentId,
) -> Result<Vec<(DateTime<Utc>, bool)>> {
    let mut stmt = conn.prepare_cached(
        "SELECT original_start, deleted_at IS NULL FROM appointments
          WHERE series_id = ?1 AND origin = 'quick3' AND original_start IS NOT NULL
            AND reset_by IS NULL",
    )?;
    let rows = stmt.query_map([series], |row| Ok((row.get(0)?, row.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

/// The row of an occurrence of a Quick3 series (exception or cancellation), with whether it is
/// live.
fn occurrence_row(
    conn: &Connection,
    series: AppointmentId,
    original_start: DateTime<Utc>,
) -> Result<Option<(Appointment, bool)>> {
    let sql = format!(
        "SELECT {COLUMNS}, deleted_at IS NULL FROM appointments
          WHERE series_id = ?1 AND original_start = ?2 AND origin = 'quick3'
            AND reset_by IS NULL"
    );
    let found = conn
        .query_row(&sql, params![series, utc_text(original_start)], |row| {
            let live: bool = row.get(23)?;
            Ok(appointment_from_row(row)?.map(|a| (a, live)))
        })
        .optional()?;
    found.transpose()
}

/// The occurrence of `master` on the pattern's local date `date`, as an appointment of its own.
fn virtual_occurrence(master: &Appointment, occurrence: Occurrence) -> Appointment {
    Appointment {
        id: AppointmentId::occurrence(master.id, occurrence.original_start),
        when: occurrence.when,
        recurrence: None,
        series_id: Some(master.id),
        original_start: Some(occurrence.original_start),
        ..master.clone()
    }
}

/// Whether an occurrence row of `master` holds exactly what the pattern gives that occurrence
/// (its content; zone named alike): no exception.
fn is_plain(master: &Appointment, row: &Appointment) -> bool {
    let Some(original_start) = row.original_start else {
        return false;
    };
    let date = original_date(&master.when, original_start);
    let pattern = virtual_occurrence(master, occurrence_on(&master.when, date));
    pattern.original_start == Some(original_start)
        && pattern.resource_id == row.resource_id
        && Content::of(&pattern) == Content::of(row)
}

/// Whether Outlook holds an occurrence row's change: it is linked (an upload's answer is
/// recorded with its link; one lost to a crash shows in Outlook, and Down brings it back).
fn upstream(conn: &Connection, id: AppointmentId) -> Result<bool> {
    Ok(conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sync_links WHERE appointment_id = ?1)",
        [id],
        |r| r.get(0),
    )?)
}

/// A live Quick3 series master, read in `conn`.
fn live_master(conn: &Connection, series: AppointmentId) -> Result<Appointment> {
    let master = live(conn, series)?;
    if !is_quick3_master(&master) {
        if let Some(reason) = master.read_only_reason() {
            return Err(CoreError::ReadOnly {
                reason: reason.into(),
            });
        }
        return Err(CoreError::InvalidRepeat {
            reason: "This appointment is not a series made in Quick3.".into(),
        });
    }
    Ok(master)
}

/// The occurrence as it stands: its live exception row, or the pattern's occurrence. Refuses a
/// start the pattern has no occurrence at, and an occurrence deleted on its own.
fn current_occurrence(
    conn: &Connection,
    master: &Appointment,
    rule: &Rule,
    original_start: DateTime<Utc>,
) -> Result<(Appointment, bool)> {
    let date = original_date(&master.when, original_start);
    let unknown = || CoreError::UnknownOccurrence {
        date: crate::model::recurrence::long_date(date),
    };
    let in_pattern = rule.dates_between(date, date).first() == Some(&date)
        && occurrence_on(&master.when, date).original_start == original_start;
    if !in_pattern {
        return Err(unknown());
    }
    match occurrence_row(conn, master.id, original_start)? {
        Some((row, true)) => Ok((row, true)),
        Some((_, false)) => Err(unknown()),
        None => Ok((
            virtual_occurrence(master, occurrence_on(&master.when, date)),
            false,
        )),
    }
}

/// Refuses moving an occurrence onto or past the day of its neighbour (Outlook's rule), each
/// neighbour where it stands now (moved or not; one deleted on its own does not count).
fn check_neighbours(
    conn: &Connection,
    master: &Appointment,
    rule: &Rule,
    original_start: DateTime<Utc>,
    moved: &When,
) -> Result<()> {
    let date = original_date(&master.when, original_start);
    let zone_date = |when: &When| local_start_date(when);
    let new_date = zone_date(&match (*moved, master.when.time_zone()) {
        (When::Timed { start, end, .. }, Some(tz)) => When::Timed {
            start,
            end,
            time_zone: tz,
        },
        (other, _) => other,
    });
    let reach = TimeDelta::days(800);
    let mut before = rule.dates_between(
        date.checked_sub_signed(reach).unwrap_or(NaiveDate::MIN),
        date.pred_opt().unwrap_or(date),
    );
    before.reverse();
    let after = rule.dates_between(
        date.succ_opt().unwrap_or(date),
        date.checked_add_signed(reach).unwrap_or(NaiveDate::MAX),
    );
    for (side, name) in [(before, "previous"), (after, "next")] {
        // The nearest occurrence that still stands (one deleted on its own is passed over).
        for neighbour in side {
            let pattern = occurrence_on(&master.when, neighbour);
            let when = match occurrence_row(conn, master.id, pattern.original_start)? {
                Some((_, false)) => continue,
                Some((row, true)) => row.when,
                None => pattern.when,
            };
            let at = zone_date(&when);
            let crosses = if name == "previous" {
                new_date <= at
            } else {
                new_date >= at
            };
            if crosses {
                return Err(CoreError::OccurrenceCrossing {
                    neighbour: name,
                    at: crate::model::recurrence::long_date(at),
                });
            }
            break;
        }
    }
    Ok(())
}

/// Brings back the exceptions that the deletion of their series tombstoned (marked
/// `deleted_with_series`, migration 0014), when that deletion is undone. An occurrence deleted on
/// its own before stays deleted, even one deleted in the same second: a mark rather than equal
/// `deleted_at` texts, which keep whole seconds.
pub(super) fn restore_exceptions(
    tx: &Transaction<'_>,
    restored: &Appointment,
    now: DateTime<Utc>,
) -> Result<()> {
    if !is_quick3_master(restored) {
        return Ok(());
    }
    tx.execute(
        "UPDATE appointments SET deleted_at = NULL, deleted_with_series = 0, updated_at = ?2
          WHERE series_id = ?1 AND origin = 'quick3' AND deleted_with_series = 1",
        params![restored.id, utc_text(now)],
    )?;
    // A series whose deletion came from Outlook lost its rows' links there: each row (its
    // exceptions and cancellations) goes up again after the series is created again.
    let unlinked: Vec<Appointment> = {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments a
              WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL
                AND NOT EXISTS (SELECT 1 FROM sync_links l WHERE l.appointment_id = a.id)"
        );
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([restored.id], appointment_from_row)?;
        let mut found = Vec::new();
        for row in rows {
            found.push(row??);
        }
        found
    };
    for row in &unlinked {
        enqueue_push(tx, row, row.resource_id, now)?;
    }
    Ok(())
}

/// Tombstones the live exceptions of a series an undo deletes again (marked
/// `deleted_with_series`, as when the planner deletes a whole series): the master's deletion
/// carries them to Outlook.
pub(super) fn tombstone_rows_with_series(
    tx: &Connection,
    series: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "UPDATE appointments SET deleted_at = ?2, updated_at = ?2, deleted_with_series = 1
          WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NULL",
        params![series, utc_text(now)],
    )?;
    Ok(())
}

/// Whether the row `id` is the master of a series made in Quick3 (live or not).
pub(super) fn is_quick3_master_row(tx: &Connection, id: AppointmentId) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM appointments
          WHERE id = ?1 AND origin = 'quick3' AND recurrence IS NOT NULL)",
        [id],
        |row| row.get(0),
    )?)
}

/// Takes a series' exceptions with it when Outlook deleted the series: the live ones become
/// tombstones marked `deleted_with_series` (restoring the master brings back exactly them, as
/// after a deletion made here), and every row's link to this account and waiting upload goes,
/// as their instances went with the series.
pub(super) fn tombstone_with_series(
    tx: &Connection,
    account: AccountId,
    series: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "UPDATE appointments SET deleted_at = ?2, updated_at = ?2, deleted_with_series = 1
          WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NULL",
        params![series, utc_text(now)],
    )?;
    forget_rows_upstream(tx, account, series)
}

/// Unlinks a series' exception and cancellation rows from `account` and drops their waiting
/// uploads (the instances they were linked to are gone).
fn forget_rows_upstream(tx: &Connection, account: AccountId, series: AppointmentId) -> Result<()> {
    let rows = "SELECT id FROM appointments
                 WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL";
    tx.execute(
        &format!("DELETE FROM sync_links WHERE account_id = ?2 AND appointment_id IN ({rows})"),
        params![series, account],
    )?;
    tx.execute(
        &format!("DELETE FROM sync_outbox WHERE account_id = ?2 AND appointment_id IN ({rows})"),
        params![series, account],
    )?;
    Ok(())
}

/// A series created again in Outlook (deleted there while changed here): its rows' old links
/// go, and each is queued again, so that after the new series each goes to its new instance.
pub(super) fn requeue_series_rows(
    tx: &Connection,
    account: AccountId,
    series: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "DELETE FROM sync_links WHERE account_id = ?2 AND appointment_id IN
           (SELECT id FROM appointments
             WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL)",
        params![series, account],
    )?;
    tx.execute(
        "INSERT INTO sync_outbox (appointment_id, account_id, created_at)
         SELECT id, ?2, ?3 FROM appointments
          WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL
         ON CONFLICT (appointment_id, account_id) DO UPDATE
            SET revision = revision + 1, attempts = 0, last_error = NULL, not_before = NULL",
        params![series, account, utc_text(now)],
    )?;
    Ok(())
}

/// Sends a Quick3 series' exceptions and cancellations back to the pattern when Outlook changed
/// its times or pattern (Down; Outlook reset them already, so nothing of theirs is uploaded),
/// kept as a local edit keeps them (migration 0019) with the sync run that took Outlook's change
/// (migration 0022): the run's undo puts back the master and exactly these rows. Before the
/// master is written; [`series_reset_written`] notes the master as Down left it.
pub(super) fn reset_by_sync(
    tx: &Connection,
    series: AppointmentId,
    run: Option<SyncRunId>,
    now: DateTime<Utc>,
) -> Result<i64> {
    let kept = reset::record_before(tx, series, now)?;
    tx.execute(
        "UPDATE series_resets SET run_id = ?2 WHERE id = ?1",
        params![kept, run],
    )?;
    reset::mark_rows(tx, series, kept, now)?;
    Ok(kept)
}

/// Notes the times and pattern Down gave the master of the reset `kept` (written already).
pub(super) fn series_reset_written(tx: &Connection, kept: i64) -> Result<()> {
    reset::record_after(tx, kept)
}

/// Undoes Down's reset `kept` of `series` inside an undo's transaction, as
/// [`Store::undo_series_edit`] undoes a local edit: the master back, its rows restored and queued.
pub(super) fn undo_reset_by_sync(
    tx: &Transaction<'_>,
    series: AppointmentId,
    kept: i64,
    now: DateTime<Utc>,
) -> Result<SeriesEditUndone> {
    reset::undo_edit(tx, series, kept, now)
}

/// A reset Down made in a sync run: its series, its `series_resets` row, and the rows it
/// marked (each by its original start, with whether it was a live exception).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunReset {
    pub series: AppointmentId,
    pub reset: i64,
    pub rows: Vec<(DateTime<Utc>, bool)>,
}

/// Forgets a series' exceptions and cancellations when Outlook changed its times or pattern
/// (Down): Outlook reset them already, so nothing of theirs is uploaded. Rows an edit made here
/// reset (marked, see `reset.rs`) stay for that edit's undo.
pub(super) fn reset_exceptions(tx: &Connection, series: AppointmentId) -> Result<bool> {
    let ids: Vec<AppointmentId> = {
        let mut stmt = tx.prepare(
            "SELECT id FROM appointments
              WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL",
        )?;
        let rows = stmt.query_map([series], |row| row.get(0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for id in &ids {
        tx.execute("DELETE FROM sync_outbox WHERE appointment_id = ?1", [id])?;
        tx.execute("DELETE FROM sync_links WHERE appointment_id = ?1", [id])?;
        tx.execute("DELETE FROM appointments WHERE id = ?1", [id])?;
    }
    Ok(!ids.is_empty())
}

impl Store {
    /// What a row is to a Quick3 series (read before an edit picks its way).
    pub(super) fn series_role(&self, id: AppointmentId) -> Result<SeriesRole> {
        let found: Option<RoleColumns> = self
            .conn
            .query_row(
                "SELECT recurrence, series_id, original_start, origin FROM appointments
                  WHERE id = ?1 AND deleted_at IS NULL",
                [id],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .optional()?;
        Ok(match found {
            Some((Some(_), _, _, origin)) if origin == "quick3" => SeriesRole::Master,
            Some((None, Some(series), Some(original_start), origin)) if origin == "quick3" => {
                SeriesRole::Occurrence {
                    series,
                    original_start,
                }
            }
            _ => SeriesRole::None,
        })
    }

    /// Creates a series: one master row holding the first occurrence's times, the pattern and
    /// the zone. A start that does not fit the pattern moves to its first occurrence, as in
    /// Outlook.
    pub fn create_series(
        &mut self,
        input: AppointmentInput,
        repeat: &Repeat,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let fields = input.validate(&self.default_zone)?;
        let rule = repeat.rule(local_start_date(&fields.when))?;
        let (when, recurrence) = series_times(&fields.when, &rule)?;
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        ensure_resource(&tx, fields.resource_id)?;
        let master = Appointment {
            id: AppointmentId::at(now),
            resource_id: fields.resource_id,
            title: fields.title,
            when,
            location: fields.location,
            notes: fields.notes,
            categories: fields.categories,
            show_as: fields.show_as,
            sensitivity: fields.sensitivity,
            origin: Origin::Quick3,
            recurrence: Some(recurrence),
            series_id: None,
            original_start: None,
            created_at: now,
            updated_at: now,
        };
        insert(&tx, &master)?;
        enqueue_push(&tx, &master, master.resource_id, now)?;
        tx.commit()?;
        Ok(master)
    }

    /// Whether editing the whole series so would send its changed and deleted occurrences back
    /// to the pattern (the window asks before saving). Writes nothing.
    pub fn series_edit_resets(
        &self,
        id: AppointmentId,
        patch: AppointmentPatch,
        repeat: Option<&Repeat>,
    ) -> Result<bool> {
        let current = live(&self.conn, id)?;
        let (_, times_changed) =
            plan_series_edit(&self.default_zone, &current, patch, repeat, Utc::now())?;
        Ok(times_changed && !exception_starts(&self.conn, id)?.is_empty())
    }

    /// Edits a whole series (or makes a single Quick3 appointment one, with `repeat`). Subject,
    /// location, notes, show-as and categories keep the changed occurrences (those that had the
    /// series' old value take the new one); a change of times or pattern sends them back to the
    /// pattern, as Outlook does, and says so.
    pub fn edit_series(
        &mut self,
        id: AppointmentId,
        patch: AppointmentPatch,
        repeat: Option<&Repeat>,
        now: DateTime<Utc>,
    ) -> Result<SeriesEdit> {
        let zone = self.default_zone.clone();
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        // Read under the write lock: another writer's change is what this edit applies to.
        let current = live(&tx, id)?;
        let (mut updated, times_changed) = plan_series_edit(&zone, &current, patch, repeat, now)?;
        ensure_resource(&tx, updated.resource_id)?;
        // A change of times keeps what it reset, for its undo (migration 0019).
        let undo = if times_changed {
            Some(reset::record_before(&tx, id, now)?)
        } else {
            None
        };
        let reset_occurrences = match undo {
            Some(undo) => reset::mark_rows(&tx, id, undo, now)?,
            None => {
                follow_series(&tx, &current, &updated, now)?;
                0
            }
        };
        updated.updated_at = now;
        upsert(&tx, &updated)?;
        if let Some(undo) = undo {
            reset::record_after(&tx, undo)?;
        }
        enqueue_push(&tx, &updated, updated.resource_id, now)?;
        if current.resource_id != updated.resource_id {
            enqueue_push(&tx, &updated, current.resource_id, now)?;
        }
        tx.commit()?;
        Ok(SeriesEdit {
            appointment: updated,
            exceptions_reset: reset_occurrences > 0,
            reset_occurrences,
            undo,
        })
    }

    /// Undoes a whole-series edit that changed the series' times or pattern (`undo`, as
    /// [`Store::edit_series`] answered it): the master as it was and the changed and deleted
    /// occurrences the edit sent back to the pattern, each queued for upload. Refused once the
    /// series' times or pattern changed again, or the series was deleted.
    pub fn undo_series_edit(
        &mut self,
        series: AppointmentId,
        undo: i64,
        now: DateTime<Utc>,
    ) -> Result<SeriesEditUndone> {
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let undone = reset::undo_edit(&tx, series, undo, now)?;
        tx.commit()?;
        Ok(undone)
    }

    /// Changes one occurrence: it becomes (or stays) an exception of its series. Refuses an
    /// occurrence the series does not have (or deleted), a move onto or past a neighbouring
    /// occurrence's day, and another resource (an occurrence stays with its series).
    pub fn edit_occurrence(
        &mut self,
        series: AppointmentId,
        original_start: DateTime<Utc>,
        patch: AppointmentPatch,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let zone = self.default_zone.clone();
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let master = live_master(&tx, series)?;
        let rule = rule_of(&master)?;
        let (current, existed) = current_occurrence(&tx, &master, &rule, original_start)?;
        if patch.resource_id.is_some_and(|r| r != master.resource_id) {
            return Err(CoreError::InvalidInput {
                field: "resource",
                reason: "an occurrence stays with its series' resource; move the whole series"
                    .into(),
            });
        }
        let fields = current.patched(patch).validate(&zone)?;
        check_neighbours(&tx, &master, &rule, original_start, &fields.when)?;
        let mut updated = apply(current, fields, now);
        if !existed {
            updated.created_at = now;
        }
        if is_plain(&master, &updated) {
            // Back as the pattern has it (a drag undone): no exception any more. One Outlook
            // holds (linked) goes up with the pattern's values first and is forgotten once
            // confirmed (`forget_plain_occurrence`); one that never reached it just goes.
            let pattern = virtual_occurrence(
                &master,
                occurrence_on(&master.when, original_date(&master.when, original_start)),
            );
            if existed && upstream(&tx, updated.id)? {
                upsert(&tx, &updated)?;
                enqueue_push(&tx, &updated, updated.resource_id, now)?;
            } else if existed {
                tx.execute(
                    "DELETE FROM sync_outbox WHERE appointment_id = ?1",
                    [updated.id],
                )?;
                tx.execute("DELETE FROM appointments WHERE id = ?1", [updated.id])?;
            }
            tx.commit()?;
            return Ok(pattern);
        }
        upsert(&tx, &updated)?;
        enqueue_push(&tx, &updated, updated.resource_id, now)?;
        tx.commit()?;
        Ok(updated)
    }

    /// Forgets an occurrence row that is back as its series' pattern has it once Outlook holds
    /// that (its upload confirmed, none waiting): the row and its links go, and it is a plain
    /// occurrence again. True when it was forgotten.
    pub fn forget_plain_occurrence(&mut self, id: AppointmentId) -> Result<bool> {
        let tx = self.begin_edit()?;
        let Ok(row) = live(&tx, id) else {
            return Ok(false);
        };
        let Some(series) = row.series_id.filter(|_| row.origin == Origin::Quick3) else {
            return Ok(false);
        };
        let Ok(master) = live_master(&tx, series) else {
            return Ok(false);
        };
        let waiting: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_outbox WHERE appointment_id = ?1)",
            [id],
            |r| r.get(0),
        )?;
        if waiting || !is_plain(&master, &row) {
            return Ok(false);
        }
        tx.execute("DELETE FROM sync_links WHERE appointment_id = ?1", [id])?;
        tx.execute("DELETE FROM appointments WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(true)
    }

    /// Deletes one occurrence: its row stays as a tombstone (a cancellation), so the listing
    /// leaves it out and the Up sync can cancel the instance in Outlook.
    pub fn delete_occurrence(
        &mut self,
        series: AppointmentId,
        original_start: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let master = live_master(&tx, series)?;
        let rule = rule_of(&master)?;
        let (current, existed) = current_occurrence(&tx, &master, &rule, original_start)?;
        if !existed {
            insert(
                &tx,
                &Appointment {
                    created_at: now,
                    updated_at: now,
                    ..current.clone()
                },
            )?;
        }
        // Deleted on its own: an undo of a later deletion of the whole series leaves it deleted.
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2, deleted_with_series = 0
              WHERE id = ?1",
            params![current.id, utc_text(now)],
        )?;
        enqueue_push(&tx, &current, current.resource_id, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Deletes a whole series: the master and its live exceptions become tombstones, the
    /// exceptions marked as deleted with the series (so an undo brings back exactly them, not an
    /// occurrence deleted on its own before); only the master is uploaded.
    pub(super) fn delete_series(&mut self, id: AppointmentId, now: DateTime<Utc>) -> Result<()> {
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let master = live_master(&tx, id)?;
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2, deleted_with_series = 1
              WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NULL",
            params![id, utc_text(now)],
        )?;
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2
              WHERE id = ?1 AND deleted_at IS NULL",
            params![id, utc_text(now)],
        )?;
        enqueue_push(&tx, &master, master.resource_id, now)?;
        tx.commit()?;
        Ok(())
    }

    /// The exception and cancellation rows of a Quick3 series, each with whether it is live (a
    /// cancellation is not).
    /// The resets of Quick3 series that the sync run `run` took from Outlook and that are not
    /// undone yet (migration 0022).
    pub fn series_resets_of_run(&self, run: SyncRunId) -> Result<Vec<RunReset>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT r.id, r.series_id, a.original_start, a.reset_live
               FROM series_resets r LEFT JOIN appointments a ON a.reset_by = r.id
              WHERE r.run_id = ?1 ORDER BY r.id",
        )?;
        let rows = stmt.query_map([run], |row| {
            Ok((
                row.get::<_, i64>(0)?,
                row.get::<_, AppointmentId>(1)?,
                row.get::<_, Option<DateTime<Utc>>>(2)?,
                row.get::<_, Option<bool>>(3)?.unwrap_or(false),
            ))
        })?;
        let mut found: Vec<RunReset> = Vec::new();
        for row in rows {
            let (reset, series, original_start, live) = row?;
            if found.last().is_none_or(|r| r.reset != reset) {
                found.push(RunReset {
                    series,
                    reset,
                    rows: Vec::new(),
                });
            }
            if let (Some(start), Some(last)) = (original_start, found.last_mut()) {
                last.rows.push((start, live));
            }
        }
        Ok(found)
    }

    pub fn series_rows(&self, series: AppointmentId) -> Result<Vec<(Appointment, bool)>> {
        let sql = format!(
            "SELECT {COLUMNS}, deleted_at IS NULL FROM appointments
              WHERE series_id = ?1 AND origin = 'quick3' AND original_start IS NOT NULL
                AND reset_by IS NULL"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([series], |row| {
            let live: bool = row.get(23)?;
            Ok(appointment_from_row(row)?.map(|a| (a, live)))
        })?;
        let mut found = Vec::new();
        for row in rows {
            found.push(row??);
        }
        Ok(found)
    }

    /// One occurrence of a Quick3 series as it stands (exception or pattern), for the dialog.
    pub fn occurrence(
        &self,
        series: AppointmentId,
        original_start: DateTime<Utc>,
    ) -> Result<Listed> {
        let master = live_master(&self.conn, series)?;
        let rule = rule_of(&master)?;
        let (appointment, exception) =
            current_occurrence(&self.conn, &master, &rule, original_start)?;
        Ok(Listed {
            appointment,
            exception,
        })
    }

    /// The occurrence of `series` at `original_start` as its pattern gives it, whatever its own
    /// row holds (what an occurrence was before it first changed on its own: the journal's
    /// "before" of that change).
    pub fn pattern_occurrence(
        &self,
        series: AppointmentId,
        original_start: DateTime<Utc>,
    ) -> Result<Appointment> {
        let master = live_master(&self.conn, series)?;
        let date = original_date(&master.when, original_start);
        Ok(virtual_occurrence(
            &master,
            occurrence_on(&master.when, date),
        ))
    }

    /// The original start of the occurrence of `series` on the local date `date` (the CLI's
    /// `--occurrence 2027-01-14`).
    pub fn occurrence_on_date(
        &self,
        series: AppointmentId,
        date: NaiveDate,
    ) -> Result<DateTime<Utc>> {
        let master = live_master(&self.conn, series)?;
        let rule = rule_of(&master)?;
        if rule.dates_between(date, date).is_empty() {
            return Err(CoreError::UnknownOccurrence {
                date: crate::model::recurrence::long_date(date),
            });
        }
        Ok(occurrence_on(&master.when, date).original_start)
    }

    /// Live appointments overlapping the query's range, by start, each marked when it is an
    /// occurrence changed on its own. Series made in Quick3 are expanded here, for the range
    /// asked (an open end stops a series without end two years after the range's start, or its
    /// own): their occurrences carry `series_id` and `original_start`, exceptions replace them
    /// and cancellations leave them out. Pulled series show as the occurrence rows Outlook sent.
    pub fn list_marked(&self, query: AppointmentQuery) -> Result<Vec<Listed>> {
        let masters = self.masters_in(query)?;
        // An occurrence row back as the pattern has it (its upload under way) is no exception.
        let plain = |row: &Appointment| {
            masters
                .iter()
                .find(|m| Some(m.id) == row.series_id)
                .is_some_and(|m| is_plain(m, row))
        };
        let mut listed: Vec<Listed> = self
            .list_rows(query)?
            .into_iter()
            .map(|appointment| Listed {
                exception: appointment.origin == Origin::Quick3
                    && appointment.series_id.is_some()
                    && !plain(&appointment),
                appointment,
            })
            .collect();
        // Every exception and cancellation of a Quick3 series in one read (the partial index
        // holds exactly them), rather than a query per series.
        let taken: HashSet<(AppointmentId, DateTime<Utc>)> = if masters.is_empty() {
            HashSet::new()
        } else {
            let mut stmt = self.conn.prepare_cached(
                "SELECT series_id, original_start FROM appointments INDEXED BY appointments_quick3_occurrence
                  WHERE series_id IS NOT NULL AND origin = 'quick3' AND reset_by IS NULL
                    AND (?1 IS NULL OR original_start < ?1)",
            )?;
            let rows = stmt.query_map([query.to.map(utc_text)], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for master in masters {
            let Ok(rule) = rule_of(&master) else {
                tracing::warn!(
                    "a series was left out of a listing: {} has a pattern Quick3 cannot read",
                    master.id
                );
                continue;
            };
            let from = query
                .from
                .unwrap_or_else(|| master.when.covering_span().0 - TimeDelta::days(1));
            let to = query
                .to
                .unwrap_or_else(|| from.max(master.when.covering_span().0) + TimeDelta::days(731));
            for occurrence in occurrences(&rule, &master.when, from, to) {
                if taken.contains(&(master.id, occurrence.original_start))
                    || !overlaps(&occurrence.when, query.from, query.to)
                {
                    continue;
                }
                listed.push(Listed {
                    appointment: virtual_occurrence(&master, occurrence),
                    exception: false,
                });
            }
        }
        listed.sort_by(|a, b| {
            let key = |l: &Listed| l.appointment.when.covering_span().0;
            key(a)
                .cmp(&key(b))
                .then_with(|| a.appointment.title.cmp(&b.appointment.title))
                .then_with(|| a.appointment.id.0.cmp(&b.appointment.id.0))
        });
        Ok(listed)
    }

    /// [`Store::list_marked`] without the marks.
    pub fn list_appointments(&self, query: AppointmentQuery) -> Result<Vec<Appointment>> {
        Ok(self
            .list_marked(query)?
            .into_iter()
            .map(|l| l.appointment)
            .collect())
    }

    /// The live Quick3 masters whose series overlaps the query's range.
    fn masters_in(&self, query: AppointmentQuery) -> Result<Vec<Appointment>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments
             WHERE deleted_at IS NULL AND recurrence IS NOT NULL AND origin = 'quick3'
               AND (?1 IS NULL OR resource_id = ?1)
               AND (?2 IS NULL OR span_end > ?2)
               AND (?3 IS NULL OR span_start < ?3)"
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
            match row? {
                Ok(master) => found.push(master),
                Err(err) => tracing::warn!("a series was left out of a listing: {err}"),
            }
        }
        Ok(found)
    }
}

/// What editing the whole series with `patch` (and a new `repeat`) would make of it, and
/// whether its exceptions would go back to the pattern. Writes nothing.
fn plan_series_edit(
    zone: &str,
    current: &Appointment,
    patch: AppointmentPatch,
    repeat: Option<&Repeat>,
    now: DateTime<Utc>,
) -> Result<(Appointment, bool)> {
    if current.origin == Origin::Quick3 && current.series_id.is_some() {
        return Err(CoreError::InvalidRepeat {
            reason:
                "This is one occurrence of a series: change the whole series by the series' id."
                    .into(),
        });
    }
    if let Some(reason) = current.read_only_reason() {
        return Err(CoreError::ReadOnly {
            reason: reason.into(),
        });
    }
    let fields = current.patched(patch).validate(zone)?;
    let start = local_start_date(&fields.when);
    let rule = match (repeat, &current.recurrence) {
        (Some(repeat), _) => repeat.rule(start)?,
        (None, Some(_)) => Rule {
            start,
            ..rule_of(current)?
        },
        (None, None) => {
            return Err(CoreError::InvalidRepeat {
                reason: "Say how the appointment repeats to make it a series.".into(),
            });
        }
    };
    let (when, recurrence) = series_times(&fields.when, &rule)?;
    let times_changed = when != current.when || Some(&recurrence) != current.recurrence.as_ref();
    let mut updated = apply(current.clone(), fields, now.trunc_subsecs(0));
    updated.when = when;
    updated.recurrence = Some(recurrence);
    Ok((updated, times_changed))
}

/// The series' detail changes that its exceptions follow: a field an exception still had as the
/// series had it takes the series' new value; one changed on its own keeps its own. Their uploads
/// are queued like any edit.
fn follow_series(
    tx: &Transaction<'_>,
    before: &Appointment,
    after: &Appointment,
    now: DateTime<Utc>,
) -> Result<()> {
    let sql = format!(
        "SELECT {COLUMNS} FROM appointments
          WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NULL"
    );
    let exceptions: Vec<Appointment> = {
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([before.id], appointment_from_row)?;
        let mut found = Vec::new();
        for row in rows {
            found.push(row??);
        }
        found
    };
    for mut exception in exceptions {
        let old = exception.clone();
        if exception.title == before.title {
            exception.title.clone_from(&after.title);
        }
        if exception.location == before.location {
            exception.location.clone_from(&after.location);
        }
        if exception.notes == before.notes {
            exception.notes.clone_from(&after.notes);
        }
        if exception.categories == before.categories {
            exception.categories.clone_from(&after.categories);
        }
        if exception.show_as == before.show_as {
            exception.show_as = after.show_as;
        }
        if exception.sensitivity == before.sensitivity {
            exception.sensitivity = after.sensitivity;
        }
        exception.resource_id = after.resource_id;
        if exception != old {
            exception.updated_at = now;
            upsert(tx, &exception)?;
            enqueue_push(tx, &exception, exception.resource_id, now)?;
        }
    }
    Ok(())
}

mod reset;
pub use reset::SeriesEditUndone;
mod single;
pub use single::SeriesMadeSingle;

#[cfg(test)]
mod tests;
