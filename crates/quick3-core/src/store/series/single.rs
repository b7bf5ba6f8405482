//! A series made in Quick3 made one appointment (Outlook's "Remove recurrence"), what that
//! removes said in one sentence before it is done, and its undo.
//!
//! The single appointment is a new row at the series' first occurrence (where Outlook's master
//! holds its start) naming the master it `replaces` (migration 0020); the master and its live
//! exception rows become tombstones in the same transaction, the exceptions marked
//! `deleted_with_series`, exactly as a deletion of the whole series leaves them. Up posts the
//! single appointment and deletes the old series only once that is linked
//! ([`Store::waits_for_replacement`]); the undo tombstones the single appointment and restores
//! the series as a restore of a deleted series does.

use chrono::{DateTime, SubsecRound, Utc};
use rusqlite::{OptionalExtension, params};

use super::super::appointments::{
    COLUMNS, apply, appointment_from_row, enqueue_push, ensure_resource, insert,
};
use super::super::{Store, utc_text};
use super::{live_master, restore_exceptions, rule_of};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId};
use crate::model::recurrence::occurrence_on;
use crate::model::{Appointment, AppointmentPatch, When};

/// What making a series one appointment would do: the appointment it becomes, and how many of
/// its other occurrences go (none: it repeats without end).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesMadeSingle {
    pub single: Appointment,
    pub removed: Option<usize>,
}

impl SeriesMadeSingle {
    /// "The series becomes one appointment on Mon 7 Dec 09:00–10:00; its 11 other occurrences
    /// are removed." What the window asks before saving and the CLI before writing.
    pub fn sentence(&self) -> String {
        let at = when_text(&self.single.when);
        let removed = match self.removed {
            None => "all its other occurrences are removed (it repeats without end)".to_owned(),
            Some(0) => "it has no other occurrence".to_owned(),
            Some(1) => "its 1 other occurrence is removed".to_owned(),
            Some(n) => format!("its {n} other occurrences are removed"),
        };
        format!("The series becomes one appointment on {at}; {removed}.")
    }
}

/// "Mon 7 Dec 09:00–10:00" in the zone it was planned in; "Mon 7 Dec (all day)".
fn when_text(when: &When) -> String {
    match *when {
        When::Timed {
            start,
            end,
            time_zone,
        } => {
            let (start, end) = (
                start.with_timezone(&time_zone),
                end.with_timezone(&time_zone),
            );
            if start.date_naive() == end.date_naive() {
                format!(
                    "{}–{}",
                    start.format("%a %-d %b %H:%M"),
                    end.format("%H:%M")
                )
            } else {
                format!(
                    "{} – {}",
                    start.format("%a %-d %b %H:%M"),
                    end.format("%a %-d %b %H:%M")
                )
            }
        }
        When::AllDay { start, end } => {
            let last = end.pred_opt().unwrap_or(start);
            if last <= start {
                format!("{} (all day)", start.format("%a %-d %b"))
            } else {
                format!(
                    "{} – {} (all day)",
                    start.format("%a %-d %b"),
                    last.format("%a %-d %b")
                )
            }
        }
    }
}

/// What making the live Quick3 series `master` one appointment, with `patch` applied, gives:
/// the new row (not written) and how many other occurrences go. Refuses an occurrence's id.
fn plan_single(
    conn: &rusqlite::Connection,
    zone: &str,
    master: &Appointment,
    patch: AppointmentPatch,
    now: DateTime<Utc>,
) -> Result<SeriesMadeSingle> {
    let rule = rule_of(master)?;
    let fields = master.patched(patch).validate(zone)?;
    let single = Appointment {
        id: AppointmentId::at(now),
        recurrence: None,
        series_id: None,
        original_start: None,
        created_at: now,
        ..apply(master.clone(), fields, now)
    };
    let removed = match rule.last_date() {
        None => None,
        Some(last) => {
            let all = rule.dates_between(rule.start, last).len();
            let cancelled: usize = conn.query_row(
                "SELECT COUNT(*) FROM appointments
                  WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NOT NULL
                    AND original_start IS NOT NULL",
                [master.id],
                |row| row.get(0),
            )?;
            // The single appointment stands where the first occurrence was; when that was
            // deleted on its own, every occurrence still standing goes.
            let first = occurrence_on(&master.when, rule.start).original_start;
            let first_cancelled: bool = conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM appointments
                  WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NOT NULL
                    AND original_start = ?2)",
                params![master.id, utc_text(first)],
                |row| row.get(0),
            )?;
            let kept = usize::from(!first_cancelled);
            Some(all.saturating_sub(cancelled).saturating_sub(kept))
        }
    };
    Ok(SeriesMadeSingle { single, removed })
}

impl Store {
    /// What [`Store::make_series_single`] would do, for the sentence asked before it. Writes
    /// nothing.
    pub fn series_made_single(
        &self,
        series: AppointmentId,
        patch: AppointmentPatch,
    ) -> Result<SeriesMadeSingle> {
        let master = live_master(&self.conn, series)?;
        let now = master.updated_at;
        plan_single(&self.conn, &self.default_zone, &master, patch, now)
    }

    /// Makes a series made in Quick3 one appointment at its first occurrence (with `patch`
    /// applied), in one transaction: the new single row names the master it replaces, the
    /// master and its live exceptions become tombstones (the exceptions marked as deleted with
    /// the series). Uploads: the single appointment's POST, and the series' deletion once that
    /// is linked. The answer says what went.
    pub fn make_series_single(
        &mut self,
        series: AppointmentId,
        patch: AppointmentPatch,
        now: DateTime<Utc>,
    ) -> Result<SeriesMadeSingle> {
        let zone = self.default_zone.clone();
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let master = live_master(&tx, series)?;
        let made = plan_single(&tx, &zone, &master, patch, now)?;
        ensure_resource(&tx, made.single.resource_id)?;
        insert(&tx, &made.single)?;
        tx.execute(
            "UPDATE appointments SET replaces = ?2 WHERE id = ?1",
            params![made.single.id, master.id],
        )?;
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2, deleted_with_series = 1
              WHERE series_id = ?1 AND origin = 'quick3' AND deleted_at IS NULL",
            params![master.id, utc_text(now)],
        )?;
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![master.id, utc_text(now)],
        )?;
        enqueue_push(&tx, &made.single, made.single.resource_id, now)?;
        enqueue_push(&tx, &master, master.resource_id, now)?;
        tx.commit()?;
        Ok(made)
    }

    /// Takes back [`Store::make_series_single`] (Ctrl+Z): the single appointment `single`
    /// becomes a tombstone (its event, if any, deleted in Outlook) and the series it replaced
    /// comes back with exactly the exceptions that went with it. A series Outlook no longer has
    /// (its deletion went up) is created again there with a new transactionId, its exceptions
    /// and cancellations after it. Refuses an appointment that replaced no series, or whose
    /// series is back already.
    pub fn restore_series_of_single(
        &mut self,
        single: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<Appointment> {
        let now = now.trunc_subsecs(0);
        let tx = self.begin_edit()?;
        let current = super::super::appointments::live(&tx, single)?;
        let replaced: Option<AppointmentId> = tx
            .query_row(
                "SELECT replaces FROM appointments WHERE id = ?1",
                [single],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        let sql =
            format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1 AND deleted_at IS NOT NULL");
        let master = match replaced {
            Some(id) => tx.query_row(&sql, [id], appointment_from_row).optional()?,
            None => None,
        };
        let Some(master) = master.transpose()? else {
            return Err(CoreError::InvalidRepeat {
                reason:
                    "This appointment was not made from a series, or its series is back already."
                        .into(),
            });
        };
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1",
            params![current.id, utc_text(now)],
        )?;
        enqueue_push(&tx, &current, current.resource_id, now)?;
        tx.execute(
            "UPDATE appointments SET deleted_at = NULL, deleted_with_series = 0, updated_at = ?2
              WHERE id = ?1",
            params![master.id, utc_text(now)],
        )?;
        let master = Appointment {
            updated_at: now,
            ..master
        };
        restore_exceptions(&tx, &master, now)?;
        // Where the series' deletion went up already its link is gone: a new series, with
        // a transactionId of its own, and its rows after it.
        let accounts: Vec<AccountId> = {
            let mut stmt = tx.prepare(
                "SELECT id FROM m365_accounts a
                  WHERE resource_id = ?1 AND is_main = 1 AND direction IN ('up', 'up_and_down')
                    AND NOT EXISTS (SELECT 1 FROM sync_links l
                                     WHERE l.appointment_id = ?2 AND l.account_id = a.id)",
            )?;
            let rows = stmt.query_map(params![master.resource_id, master.id], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        enqueue_push(&tx, &master, master.resource_id, now)?;
        for account in accounts {
            super::super::sync_state::recreate(&tx, account, master.id, now)?;
        }
        tx.commit()?;
        Ok(master)
    }

    /// Whether the deletion of the series master `series` must wait in `account`'s outbox: a
    /// single appointment that replaces it is live and not yet in Outlook (linked), so that a
    /// crash never leaves Outlook with neither.
    pub fn waits_for_replacement(&self, account: AccountId, series: AppointmentId) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM appointments a
              WHERE a.replaces = ?1 AND a.deleted_at IS NULL
                AND NOT EXISTS (SELECT 1 FROM sync_links l
                                 WHERE l.appointment_id = a.id AND l.account_id = ?2))",
            params![series, account],
            |row| row.get(0),
        )?)
    }
}
