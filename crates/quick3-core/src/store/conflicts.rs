//! Sync conflicts in the store (migration 0015): held while open, so neither side is overwritten,
//! and settled by the planner's choice in one transaction: Keep Quick3's (the outbox pushes it),
//! Keep Outlook's (the appointment takes it, nothing to push), Keep both (a new appointment holds
//! Quick3's version and goes up as a new event; the appointment takes Outlook's).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::appointments::{COLUMNS, appointment_from_row, upsert};
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId};
use crate::model::{Appointment, ConflictVersion, Content, Keep, local_hash};

/// What a sync holds when it finds an appointment changed on both sides: Outlook's event as it
/// is now. Written again (the version renewed) when Outlook changes it while the conflict is open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConflictHold {
    pub appointment: AppointmentId,
    pub account: AccountId,
    pub remote_key: String,
    pub remote_id: String,
    pub change_key: Option<String>,
    pub remote_hash: String,
    pub outlook: Content,
}

/// A conflict as stored, with its account's e-mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConflict {
    pub id: i64,
    pub appointment: AppointmentId,
    pub account: AccountId,
    pub email: String,
    pub remote_key: String,
    pub remote_id: String,
    pub change_key: Option<String>,
    pub remote_hash: String,
    pub outlook: ConflictVersion,
    pub detected_at: DateTime<Utc>,
    /// `quick3`, `outlook`, `both` (the planner's), `settled` (the sync's); none while open.
    pub resolution: Option<String>,
    /// Keep both: the appointment holding Quick3's version.
    pub copy: Option<AppointmentId>,
}

/// What settling a conflict did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settled {
    pub conflict: StoredConflict,
    /// The conflict was settled this way before (a repeat after a crash, or a second click):
    /// nothing was done again.
    pub already: bool,
}

const CONFLICT_COLUMNS: &str = "c.id, c.appointment_id, c.account_id, a.email, c.remote_key, \
     c.remote_id, c.change_key, c.remote_hash, c.outlook, c.detected_at, c.resolution, c.copy_id";

fn conflict_from_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredConflict>> {
    let outlook: String = row.get(8)?;
    let outlook = match serde_json::from_str::<ConflictVersion>(&outlook) {
        Ok(version) => version,
        Err(err) => {
            return Ok(Err(CoreError::Corrupt(format!(
                "a conflict's version: {err}"
            ))));
        }
    };
    Ok(Ok(StoredConflict {
        id: row.get(0)?,
        appointment: row.get(1)?,
        account: row.get(2)?,
        email: row.get(3)?,
        remote_key: row.get(4)?,
        remote_id: row.get(5)?,
        change_key: row.get(6)?,
        remote_hash: row.get(7)?,
        outlook,
        detected_at: row.get(9)?,
        resolution: row.get(10)?,
        copy: row.get(11)?,
    }))
}

/// Records (or renews) an open conflict in the caller's transaction; true when it is new.
pub(super) fn hold(tx: &Connection, hold: &ConflictHold, now: DateTime<Utc>) -> Result<bool> {
    let outlook = serde_json::to_string(&ConflictVersion::of(&hold.outlook))
        .map_err(|e| CoreError::Corrupt(e.to_string()))?;
    let renewed = tx
        .prepare_cached(
            "UPDATE sync_conflicts SET remote_key = ?3, remote_id = ?4, change_key = ?5,
                    remote_hash = ?6, outlook = ?7, updated_at = ?8
              WHERE appointment_id = ?1 AND account_id = ?2 AND resolved_at IS NULL",
        )?
        .execute(params![
            hold.appointment,
            hold.account,
            hold.remote_key,
            hold.remote_id,
            hold.change_key,
            hold.remote_hash,
            outlook,
            utc_text(now)
        ])?;
    if renewed > 0 {
        return Ok(false);
    }
    tx.prepare_cached(
        "INSERT INTO sync_conflicts (appointment_id, account_id, remote_key, remote_id, change_key,
             remote_hash, outlook, detected_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
    )?
    .execute(params![
        hold.appointment,
        hold.account,
        hold.remote_key,
        hold.remote_id,
        hold.change_key,
        hold.remote_hash,
        outlook,
        utc_text(now)
    ])?;
    Ok(true)
}

/// Closes the open conflict of an appointment in an account, if any: the sync found the question
/// gone (both sides agree again, or one side deleted it).
pub(super) fn settle_by_sync(
    tx: &Connection,
    account: AccountId,
    appointment: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.prepare_cached(
        "UPDATE sync_conflicts SET resolution = 'settled', resolved_at = ?3
          WHERE appointment_id = ?1 AND account_id = ?2 AND resolved_at IS NULL",
    )?
    .execute(params![appointment, account, utc_text(now)])?;
    Ok(())
}

/// Where a conflict's decision is journalled: the one place the sync journal records "a conflict
/// decided" (its appointment, account, both versions and the choice), inside the transaction that
/// carries the decision out, so the record and the decision commit together. Until the journal
/// exists it only logs.
fn journal_decision(
    _tx: &Connection,
    conflict: &StoredConflict,
    keep: Keep,
    _now: DateTime<Utc>,
) -> Result<()> {
    tracing::info!(
        conflict = conflict.id,
        appointment = %conflict.appointment,
        account = %conflict.email,
        keep = keep.as_str(),
        "a conflict decided"
    );
    Ok(())
}

fn read_conflict(conn: &Connection, id: i64) -> Result<StoredConflict> {
    let sql = format!(
        "SELECT {CONFLICT_COLUMNS} FROM sync_conflicts c JOIN m365_accounts a ON a.id = c.account_id
          WHERE c.id = ?1"
    );
    conn.query_row(&sql, [id], conflict_from_row)
        .optional()?
        .ok_or_else(|| CoreError::InvalidInput {
            field: "conflict",
            reason: format!("there is no conflict {id}"),
        })?
}

/// The appointment with `content` instead of its own synced fields.
fn with_content(appointment: &Appointment, content: Content, now: DateTime<Utc>) -> Appointment {
    Appointment {
        title: content.title,
        when: content.when,
        location: content.location,
        notes: content.notes,
        categories: content.categories,
        show_as: content.show_as,
        sensitivity: content.sensitivity,
        updated_at: now,
        ..appointment.clone()
    }
}

/// The link of the conflict's appointment set to Outlook's event as the conflict last saw it,
/// with `local_hash` as the local side both agreed on.
fn link_to_outlook(tx: &Connection, conflict: &StoredConflict, local_hash: &str) -> Result<()> {
    tx.execute(
        "UPDATE sync_links SET remote_key = ?3, remote_id = ?4, change_key = ?5, remote_hash = ?6,
                local_hash = ?7, sent_content = ''
          WHERE appointment_id = ?1 AND account_id = ?2",
        params![
            conflict.appointment,
            conflict.account,
            conflict.remote_key,
            conflict.remote_id,
            conflict.change_key,
            conflict.remote_hash,
            local_hash
        ],
    )?;
    Ok(())
}

/// An upload of `appointment` to `account` waits (a new entry, or the waiting one as a new
/// revision).
fn enqueue(
    tx: &Connection,
    account: AccountId,
    appointment: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_outbox (appointment_id, account_id, created_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (appointment_id, account_id) DO UPDATE
            SET revision = revision + 1, attempts = 0, last_error = NULL, not_before = NULL",
        params![appointment, account, utc_text(now)],
    )?;
    Ok(())
}

/// The appointment takes Outlook's version: its row, its link in step with the event, and no
/// upload waiting for the account.
fn take_outlook(
    tx: &Connection,
    conflict: &StoredConflict,
    current: &Appointment,
    now: DateTime<Utc>,
) -> Result<()> {
    let updated = with_content(current, conflict.outlook.content()?, now);
    upsert(tx, &updated)?;
    link_to_outlook(tx, conflict, &local_hash(&updated))?;
    tx.execute(
        "DELETE FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2",
        params![conflict.appointment, conflict.account],
    )?;
    Ok(())
}

impl Store {
    /// Records (or renews) an open conflict on its own (Up found it: a PATCH refused because
    /// Outlook changed the event); true when it is new.
    pub fn hold_conflict(&mut self, conflict: &ConflictHold, now: DateTime<Utc>) -> Result<bool> {
        let tx = self.conn.transaction()?;
        let new = hold(&tx, conflict, now)?;
        tx.commit()?;
        Ok(new)
    }

    /// Whether the appointment is in an open conflict with the account's Outlook.
    pub fn in_conflict(&self, account: AccountId, appointment: AppointmentId) -> Result<bool> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM sync_conflicts
                  WHERE appointment_id = ?1 AND account_id = ?2 AND resolved_at IS NULL)",
            )?
            .query_row(params![appointment, account], |row| row.get(0))?)
    }

    /// The open conflicts, oldest first.
    pub fn open_conflicts(&self) -> Result<Vec<StoredConflict>> {
        let sql = format!(
            "SELECT {CONFLICT_COLUMNS} FROM sync_conflicts c
               JOIN m365_accounts a ON a.id = c.account_id
              WHERE c.resolved_at IS NULL ORDER BY c.detected_at, c.id"
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map([], conflict_from_row)?;
        let mut found = Vec::new();
        for row in rows {
            match row? {
                Ok(conflict) => found.push(conflict),
                Err(err) => tracing::warn!("a conflict was left out of the list: {err}"),
            }
        }
        Ok(found)
    }

    /// One conflict, open or settled.
    pub fn conflict(&self, id: i64) -> Result<StoredConflict> {
        read_conflict(&self.conn, id)
    }

    /// Settles an open conflict the planner's way, in one transaction (`inside` runs in it, before
    /// the commit: the crash point). Settling it again the same way does nothing (`already`);
    /// another way is refused. What goes to Outlook then (Keep Quick3's PATCH, Keep both's new
    /// event) goes through the outbox like any edit, at the next sync.
    pub fn resolve_conflict(
        &mut self,
        id: i64,
        keep: Keep,
        now: DateTime<Utc>,
        inside: impl FnOnce(),
    ) -> Result<Settled> {
        let tx = self.begin_edit()?;
        let conflict = read_conflict(&tx, id)?;
        if let Some(done) = &conflict.resolution {
            if done == keep.as_str() {
                return Ok(Settled {
                    conflict,
                    already: true,
                });
            }
            return Err(CoreError::InvalidInput {
                field: "conflict",
                reason: format!("conflict {id} is settled already ({done})"),
            });
        }
        let sql =
            format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1 AND deleted_at IS NULL");
        let current = tx
            .query_row(&sql, [conflict.appointment], appointment_from_row)
            .optional()?
            .ok_or_else(|| CoreError::UnknownAppointment {
                id: conflict.appointment.to_string(),
            })??;
        let mut copy = None;
        match keep {
            Keep::Quick3 => {
                // The base becomes Outlook's version on both sides: Quick3's differs from it, so
                // the next Up PATCHes it, conditional on the change key of the version seen.
                let outlook_hash = conflict.outlook.content()?.hash();
                link_to_outlook(&tx, &conflict, &outlook_hash)?;
                enqueue(&tx, conflict.account, conflict.appointment, now)?;
            }
            Keep::Outlook => take_outlook(&tx, &conflict, &current, now)?,
            Keep::Both => {
                let second = Appointment {
                    id: AppointmentId::at(now),
                    recurrence: None,
                    series_id: None,
                    original_start: None,
                    created_at: now,
                    updated_at: now,
                    ..current.clone()
                };
                super::appointments::insert(&tx, &second)?;
                enqueue(&tx, conflict.account, second.id, now)?;
                take_outlook(&tx, &conflict, &current, now)?;
                copy = Some(second.id);
            }
        }
        tx.execute(
            "UPDATE sync_conflicts SET resolution = ?2, resolved_at = ?3, copy_id = ?4 WHERE id = ?1",
            params![id, keep.as_str(), utc_text(now), copy],
        )?;
        journal_decision(&tx, &conflict, keep, now)?;
        inside();
        tx.commit()?;
        Ok(Settled {
            conflict: read_conflict(&self.conn, id)?,
            already: false,
        })
    }
}
