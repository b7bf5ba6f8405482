//! An undo's writes in the store: the appointments put back, removed or recreated (a Quick3
//! series with the exceptions its deletion took, or takes; a series pulled from Outlook and
//! deleted there as a Quick3 series), their uploads queued in the outbox, the undo's journal
//! lines and the undone lines marked, all in one transaction, so a crash leaves either none of
//! it or all of it (and the outbox then sends it exactly once, as any edit).

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Transaction, params};

use super::appointments::{enqueue_push, live, upsert};
use super::series::{
    is_quick3_master, reset_exceptions, restore_exceptions, tombstone_rows_with_series,
    undo_reset_by_sync,
};
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, ResourceId, SyncRunId};
use crate::model::{Appointment, JournalChange};

/// One appointment's write of an undo.
#[derive(Debug, Clone, PartialEq)]
pub enum UndoWrite {
    /// The appointment as it is to be (live). `new_event`: its event in `account` is gone, so
    /// its link there goes and its uploads (to whichever account receives them) create a new
    /// event, with a transactionId of its own (`generation`). `also_resource`: the resource it has now, when that differs (its main
    /// account removes its copy, as after a move).
    Put {
        appointment: Box<Appointment>,
        new_event: Option<(AccountId, u32)>,
        also_resource: Option<ResourceId>,
    },
    /// The appointment deleted (a tombstone; Quick3's own is deleted in Outlook by the upload).
    Remove(Box<Appointment>),
    /// A series pulled from Outlook and deleted there, back as a series made in Quick3: its
    /// master (its pulled row, now Quick3's, unlinked) with `rows`, its exceptions (live) and
    /// cancellations (not), all uploaded as one new series.
    Series {
        master: Box<Appointment>,
        rows: Vec<(Appointment, bool)>,
    },
    /// A Quick3 series whose times or pattern a Down took from Outlook (`master` as it is now),
    /// back as it was with the rows that reset sent back to the pattern (`reset`, migration
    /// 0022), queued for upload: the master patched back first, then its rows.
    SeriesReset {
        master: Box<Appointment>,
        reset: i64,
    },
}

impl UndoWrite {
    fn appointment(&self) -> &Appointment {
        match self {
            UndoWrite::Put { appointment, .. }
            | UndoWrite::Remove(appointment)
            | UndoWrite::Series {
                master: appointment,
                ..
            }
            | UndoWrite::SeriesReset {
                master: appointment,
                ..
            } => appointment,
        }
    }
}

impl Store {
    /// Writes an undo (`run` is the undo's own run): each write checked, under the write lock,
    /// against the `updated_at` the undo read (`seen`; none: the row was missing or deleted),
    /// so that a planner's edit made meanwhile is never overwritten; then `lines` journalled and
    /// the run's lines `undone` marked as undone by `run`.
    pub fn apply_undo(
        &mut self,
        run: SyncRunId,
        writes: &[(UndoWrite, Option<DateTime<Utc>>)],
        lines: &[JournalChange],
        undone: &[i64],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.begin_edit()?;
        for (write, seen) in writes {
            unchanged_since(&tx, write.appointment(), *seen)?;
            match write {
                UndoWrite::Put {
                    appointment,
                    new_event,
                    also_resource,
                } => put_back(&tx, appointment, *new_event, *also_resource, *seen, now)?,
                UndoWrite::Series { master, rows } => restore_series(&tx, master, rows, now)?,
                UndoWrite::SeriesReset { master, reset } => {
                    undo_reset_by_sync(&tx, master.id, *reset, now)?;
                }
                UndoWrite::Remove(appointment) => {
                    tx.execute(
                        "UPDATE appointments SET deleted_at = ?2, updated_at = ?2
                          WHERE id = ?1 AND deleted_at IS NULL",
                        params![appointment.id, utc_text(now)],
                    )?;
                    if is_quick3_master(appointment) {
                        tombstone_rows_with_series(&tx, appointment.id, now)?;
                    }
                    enqueue_push(&tx, appointment, appointment.resource_id, now)?;
                }
            }
        }
        super::journal::record_changes(&tx, run, lines, now)?;
        let mut mark = tx.prepare_cached(
            "UPDATE sync_changes SET undone_by = ?1 WHERE id = ?2 AND undone_by IS NULL",
        )?;
        for id in undone {
            mark.execute(params![run, id])?;
        }
        drop(mark);
        tx.commit()?;
        Ok(())
    }
}

/// Refuses the undo when `a` changed since the undo read it: `seen` is the `updated_at` it had
/// then (none: missing or deleted), so that a planner's edit made meanwhile is never overwritten.
fn unchanged_since(
    tx: &Transaction<'_>,
    a: &Appointment,
    seen: Option<DateTime<Utc>>,
) -> Result<()> {
    let current: Option<(DateTime<Utc>, Option<String>)> = tx
        .query_row(
            "SELECT updated_at, deleted_at FROM appointments WHERE id = ?1",
            [a.id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let live_since = current.and_then(|(at, deleted)| deleted.is_none().then_some(at));
    if live_since != seen {
        return Err(CoreError::InvalidInput {
            field: "run",
            reason: format!(
                "{} changed while the undo was planned; undo the run again",
                a.message_name()
            ),
        });
    }
    Ok(())
}

/// Puts `appointment` back as it is to be (live), its uploads queued: a Quick3 series with the
/// exceptions its deletion took, or without those a change of its times drops; see
/// [`UndoWrite::Put`] for `new_event` and `also_resource`.
fn put_back(
    tx: &Transaction<'_>,
    appointment: &Appointment,
    new_event: Option<(AccountId, u32)>,
    also_resource: Option<ResourceId>,
    seen: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let master = is_quick3_master(appointment);
    // A series put back at other times or another pattern drops the exceptions
    // it has now, as any such edit of a series (Outlook's rule, which its
    // upload meets there too).
    if master
        && seen.is_some()
        && live(tx, appointment.id).is_ok_and(|now| {
            now.when != appointment.when || now.recurrence != appointment.recurrence
        })
    {
        reset_exceptions(tx, appointment.id)?;
    }
    upsert(tx, appointment)?;
    tx.execute(
        "UPDATE appointments SET deleted_at = NULL WHERE id = ?1",
        [appointment.id],
    )?;
    if master && seen.is_none() {
        // A series deleted by the run comes back with the exceptions its
        // deletion took (their links gone, they follow it up again).
        restore_exceptions(tx, appointment, now)?;
    }
    if let Some((account, _)) = new_event {
        tx.execute(
            "DELETE FROM sync_links WHERE appointment_id = ?1 AND account_id = ?2",
            params![appointment.id, account],
        )?;
    }
    enqueue_push(tx, appointment, appointment.resource_id, now)?;
    if let Some(previous) = also_resource {
        enqueue_push(tx, appointment, previous, now)?;
    }
    if let Some((account, generation)) = new_event {
        // Never the transactionId of the event first created: Outlook would
        // answer with that one (deleted) instead of creating a new one.
        tx.execute(
            "UPDATE sync_outbox SET generation = ?2
              WHERE appointment_id = ?1 AND generation < ?2",
            params![appointment.id, generation],
        )?;
        // Kept, so that a later re-creation goes above it.
        super::sync_state::keep_generation(tx, account, appointment.id, generation)?;
    }
    Ok(())
}

/// A series pulled from Outlook back as a series made in Quick3: its master live and unlinked,
/// its rows live or cancelled as they were, all queued for upload (the rows after the series).
fn restore_series(
    tx: &Transaction<'_>,
    master: &Appointment,
    rows: &[(Appointment, bool)],
    now: DateTime<Utc>,
) -> Result<()> {
    upsert(tx, master)?;
    tx.execute(
        "UPDATE appointments SET deleted_at = NULL WHERE id = ?1",
        [master.id],
    )?;
    tx.execute(
        "DELETE FROM sync_links WHERE appointment_id = ?1",
        [master.id],
    )?;
    for (row, live) in rows {
        upsert(tx, row)?;
        let deleted = (!live).then(|| utc_text(now));
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, deleted_with_series = 0
              WHERE id = ?1",
            params![row.id, deleted],
        )?;
    }
    // The master and each of its rows go up (the rows after the series).
    enqueue_push(tx, master, master.resource_id, now)?;
    for (row, _) in rows {
        enqueue_push(tx, row, row.resource_id, now)?;
    }
    Ok(())
}
