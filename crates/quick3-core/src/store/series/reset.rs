//! A whole-series edit that changed a Quick3 series' times or pattern, kept so that it can be
//! undone: the master as it was (one `series_resets` row, migration 0019) and the exceptions and
//! cancellations it sent back to the pattern, kept as marked tombstones instead of deleted.
//!
//! A marked row is gone to everything else (it is a tombstone, out of the occurrence index, with
//! no link and no upload) and it gives up its occurrence's id to a new exception made there
//! meanwhile: it is kept under an id of its own, and its own (derived from its series and
//! original start) comes back with it.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::super::appointments::{COLUMNS, appointment_from_row, enqueue_push, upsert};
use super::super::utc_text;
use super::live_master;
use crate::error::{CoreError, Result};
use crate::ids::AppointmentId;
use crate::model::Appointment;

/// The master's fields a whole-series edit writes, in `appointments` and `series_resets` alike.
const EDITED: &str = "resource_id, title, all_day, start_utc, end_utc, time_zone, start_date,
    end_date, location, notes, categories, show_as, sensitivity, recurrence, updated_at";

/// The master's times and pattern, and the columns of `series_resets` that hold them as the edit
/// left them.
const TIMES: &str = "start_utc, end_utc, start_date, end_date, time_zone, recurrence";
const AFTER: &str = "after_start_utc, after_end_utc, after_start_date, after_end_date, after_time_zone, after_recurrence";

/// The master's `updated_at` as the edit left it.
const AFTER_WRITTEN: &str = "after_updated_at";

/// Starts the record of an edit of `series` that changes its times or pattern: the master as it
/// is now. Its rows are marked by [`mark_rows`], and [`record_after`] notes what the edit made.
pub(super) fn record_before(
    tx: &Connection,
    series: AppointmentId,
    now: DateTime<Utc>,
) -> Result<i64> {
    tx.execute(
        &format!(
            "INSERT INTO series_resets (series_id, {EDITED}, created_at)
             SELECT id, {EDITED}, ?2 FROM appointments WHERE id = ?1"
        ),
        params![series, utc_text(now)],
    )?;
    Ok(tx.last_insert_rowid())
}

/// Notes the times and pattern the edit `reset` gave its master (written already), and when:
/// its undo refuses once the times changed again, and keeps details written since.
pub(super) fn record_after(tx: &Connection, reset: i64) -> Result<()> {
    tx.execute(
        &format!(
            "UPDATE series_resets SET ({AFTER}, {AFTER_WRITTEN}) =
               (SELECT {TIMES}, updated_at FROM appointments a WHERE a.id = series_resets.series_id)
              WHERE id = ?1"
        ),
        [reset],
    )?;
    Ok(())
}

/// Sends a series' exceptions and cancellations back to the pattern for the edit `reset`: each
/// becomes a tombstone marked by it (and whether it was live), under an id of its own; its link
/// and waiting upload go, as the master's upload resets its instance in Outlook. How many.
pub(super) fn mark_rows(
    tx: &Connection,
    series: AppointmentId,
    reset: i64,
    now: DateTime<Utc>,
) -> Result<u32> {
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
        tx.execute(
            "UPDATE appointments
                SET id = ?2, reset_by = ?3, reset_live = deleted_at IS NULL,
                    deleted_at = coalesce(deleted_at, ?4), deleted_with_series = 0
              WHERE id = ?1",
            params![id, AppointmentId::new(), reset, utc_text(now)],
        )?;
    }
    Ok(u32::try_from(ids.len()).unwrap_or(u32::MAX))
}

/// What undoing a whole-series edit put back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesEditUndone {
    /// The master as it was before the edit.
    pub appointment: Appointment,
    /// How many changed and deleted occurrences came back.
    pub occurrences: u32,
}

/// Why an edit cannot be undone: gone (undone already, or its series deleted) or overtaken.
fn cannot_undo(reason: String) -> CoreError {
    CoreError::InvalidInput {
        field: "series",
        reason,
    }
}

/// The master as the edit `reset` found it (its own id, origin and creation kept).
fn master_before(tx: &Connection, reset: i64) -> Result<Option<Appointment>> {
    let columns = COLUMNS
        .split(',')
        .map(|c| {
            let c = c.trim();
            if EDITED.split(',').any(|e| e.trim() == c) {
                format!("r.{c}")
            } else {
                format!("a.{c}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "SELECT {columns} FROM series_resets r JOIN appointments a ON a.id = r.series_id
          WHERE r.id = ?1"
    );
    tx.query_row(&sql, [reset], appointment_from_row)
        .optional()?
        .transpose()
}

/// Undoes the whole-series edit `reset` of `series`: the master goes back to what it was (only
/// its times and pattern when it was written since: a later change of details stays), its
/// exceptions made since go back to the pattern (the times change again: Outlook's rule, kept
/// as any reset), and the rows the edit reset come back, each under its own id again, queued
/// for upload (a PATCH or DELETE of its instance, found by its original start, once the master
/// is patched back). Refused once the master's times or pattern changed again.
pub(super) fn undo_edit(
    tx: &Transaction<'_>,
    series: AppointmentId,
    reset: i64,
    now: DateTime<Utc>,
) -> Result<SeriesEditUndone> {
    let current = live_master(tx, series)?;
    let (known, unchanged, untouched): (bool, bool, bool) = tx
        .query_row(
            &format!(
                "SELECT 1, ({AFTER}) IS (SELECT {TIMES} FROM appointments WHERE id = ?2),
                        {AFTER_WRITTEN} IS (SELECT updated_at FROM appointments WHERE id = ?2)
                   FROM series_resets WHERE id = ?1 AND series_id = ?2"
            ),
            params![reset, series],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .optional()?
        .unwrap_or((false, false, false));
    if !known {
        return Err(cannot_undo(format!(
            "The change of “{}” has been undone already.",
            current.title
        )));
    }
    if !unchanged {
        return Err(cannot_undo(format!(
            "The times of “{}” changed again since; change them back in the series.",
            current.title
        )));
    }
    let before = master_before(tx, reset)?.ok_or_else(|| {
        CoreError::Corrupt(format!(
            "the series change {reset} has no master to restore"
        ))
    })?;
    let mut before = if untouched {
        before
    } else {
        Appointment {
            when: before.when,
            recurrence: before.recurrence,
            ..current.clone()
        }
    };
    // Exceptions made since belong to the times now left: back to the pattern too.
    let made_since: bool = tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM appointments
          WHERE series_id = ?1 AND origin = 'quick3' AND reset_by IS NULL)",
        [series],
        |row| row.get(0),
    )?;
    let since = if made_since {
        let since = record_before(tx, series, now)?;
        mark_rows(tx, series, since, now)?;
        Some(since)
    } else {
        None
    };
    before.updated_at = now;
    upsert(tx, &before)?;
    if let Some(since) = since {
        record_after(tx, since)?;
    }
    enqueue_push(tx, &before, before.resource_id, now)?;
    if current.resource_id != before.resource_id {
        enqueue_push(tx, &before, current.resource_id, now)?;
    }
    let occurrences = bring_back_rows(tx, series, reset, now)?;
    tx.execute("DELETE FROM series_resets WHERE id = ?1", [reset])?;
    Ok(SeriesEditUndone {
        appointment: before,
        occurrences,
    })
}

/// Brings back the rows the whole-series edit `reset` sent back to the pattern, each under its
/// own id again (derived from `series` and its original start), live or cancelled as it was,
/// queued for upload. Answers how many rows the edit had marked.
fn bring_back_rows(
    tx: &Transaction<'_>,
    series: AppointmentId,
    reset: i64,
    now: DateTime<Utc>,
) -> Result<u32> {
    let rows: Vec<Appointment> = {
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE reset_by = ?1");
        let mut stmt = tx.prepare(&sql)?;
        let rows = stmt.query_map([reset], appointment_from_row)?;
        let mut found = Vec::new();
        for row in rows {
            found.push(row??);
        }
        found
    };
    for row in &rows {
        let Some(original_start) = row.original_start else {
            continue;
        };
        let own = AppointmentId::occurrence(series, original_start);
        tx.execute(
            "UPDATE appointments
                SET id = ?2, reset_by = NULL, updated_at = ?3,
                    deleted_at = CASE WHEN reset_live = 1 THEN NULL ELSE deleted_at END,
                    reset_live = 0
              WHERE id = ?1",
            params![row.id, own, utc_text(now)],
        )?;
        let restored = Appointment {
            id: own,
            ..row.clone()
        };
        enqueue_push(tx, &restored, restored.resource_id, now)?;
    }
    Ok(u32::try_from(rows.len()).unwrap_or(u32::MAX))
}
