//! Sync conflicts in the store (migration 0015): held while open, so neither side is overwritten,
//! and settled by the planner's choice in one transaction: Keep Quick3's (the outbox pushes it),
//! Keep Outlook's (the appointment takes it, nothing to push), Keep both (a new appointment holds
//! Quick3's version and goes up as a new event; the appointment takes Outlook's).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::appointments::{COLUMNS, appointment_from_row, upsert};
use super::journal::record_instant_run;
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId};
use crate::model::{
    Appointment, AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, ConflictVersion, Content,
    JournalChange, Keep, Origin, Recurrence, SyncTrigger, When, local_hash, same_pattern, zones,
};

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
    /// A series master's pattern in Outlook (none for anything else).
    pub recurrence: Option<Recurrence>,
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

/// Keep Quick3's decision a PATCH carries: over the appointment (?2) in the account (?1),
/// decided against Outlook's change key ?3 (index `sync_conflicts_by_appointment`, 0021).
const CARRIED_BY_PATCH: &str = "SELECT outlook FROM sync_conflicts
      WHERE appointment_id = ?2 AND account_id = ?1 AND resolution = 'quick3' AND change_key = ?3
      ORDER BY id DESC LIMIT 1";

/// Keep both's decision the upload of its copy (?2) to the account (?1) carries (index
/// `sync_conflicts_by_copy`, 0021).
const CARRIED_BY_COPY: &str = "SELECT outlook FROM sync_conflicts
      WHERE copy_id = ?2 AND account_id = ?1 AND resolution = 'both'
      ORDER BY id DESC LIMIT 1";

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
    let version = ConflictVersion::of_series(&hold.outlook, hold.recurrence.as_ref());
    let outlook = serde_json::to_string(&version).map_err(|e| CoreError::Corrupt(e.to_string()))?;
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

/// Journals a conflict's decision as a run of its own for the conflict's account (trigger
/// `conflict_decision`), in the transaction that carries the decision out, so the record and the
/// decision commit together. Its lines (cause `conflict_decided`) say what changed in Quick3:
/// Keep Outlook's, the appointment updated to Outlook's version (`before` → `taken`); Keep both,
/// the copy created and the appointment updated; Keep Quick3's changes nothing here yet, so its
/// run has no line: the PATCH the next sync sends carries the cause (`Store::carries_decision`).
fn journal_decision(
    tx: &Connection,
    conflict: &StoredConflict,
    keep: Keep,
    (before, taken, copy): (&Appointment, Option<&Appointment>, Option<&Appointment>),
    now: DateTime<Utc>,
) -> Result<()> {
    let (calendar_id, key_before): (Option<String>, Option<String>) = tx
        .query_row(
            "SELECT calendar_id, change_key FROM sync_links
              WHERE appointment_id = ?1 AND account_id = ?2",
            params![conflict.appointment, conflict.account],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?
        .unwrap_or_default();
    let line = |before: Option<&Appointment>, after: &Appointment, kind: ChangeKind| {
        JournalChange::between(
            before.map(AppointmentRecord::from),
            Some(AppointmentRecord::from(after)),
            (ChangeSide::Quick3, kind, ChangeCause::ConflictDecided),
            conflict.account,
        )
    };
    let mut changes = Vec::new();
    if let Some(copy) = copy {
        changes.extend(line(None, copy, ChangeKind::Created));
    }
    if let Some(taken) = taken {
        changes.extend(
            line(Some(before), taken, ChangeKind::Updated).map(|mut change| {
                change.calendar_id = calendar_id.clone();
                change.remote_id = Some(conflict.remote_id.clone());
                change.change_key_before = key_before.clone();
                change.change_key_after = conflict.change_key.clone();
                change
            }),
        );
    }
    let run = record_instant_run(
        tx,
        (conflict.account, &conflict.email),
        SyncTrigger::ConflictDecision,
        &changes,
        now,
    )?;
    tracing::info!(
        conflict = conflict.id,
        appointment = %conflict.appointment,
        account = %conflict.email,
        keep = keep.as_str(),
        run = %run,
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
pub(crate) fn with_content(
    appointment: &Appointment,
    content: Content,
    now: DateTime<Utc>,
) -> Appointment {
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

/// Whether the appointment is a series made in Quick3 (its master).
fn is_quick3_master(appointment: &Appointment) -> bool {
    appointment.origin == Origin::Quick3 && appointment.recurrence.is_some()
}

/// The appointment as Outlook's version of the conflict has it. A Quick3 series' master keeps
/// its own zone where Outlook names the same Windows zone, and takes Outlook's pattern when it
/// repeats otherwise (expanded in the series' zone).
fn outlook_version_of(
    conflict: &StoredConflict,
    current: &Appointment,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let mut updated = with_content(current, conflict.outlook.content()?, now);
    if !is_quick3_master(current) {
        return Ok(updated);
    }
    if let (
        When::Timed {
            time_zone: mine, ..
        },
        When::Timed {
            start,
            end,
            time_zone,
        },
    ) = (current.when, updated.when)
        && zones::to_graph(mine) == zones::to_graph(time_zone)
    {
        updated.when = When::Timed {
            start,
            end,
            time_zone: mine,
        };
    }
    let theirs = conflict.outlook.recurrence.as_ref();
    if let Some(theirs) = theirs
        && !same_pattern(current.recurrence.as_ref(), Some(theirs))
    {
        let mut recurrence = theirs.clone();
        recurrence.range.recurrence_time_zone = updated
            .when
            .time_zone()
            .map(|tz| tz.name().to_owned())
            .or_else(|| {
                current
                    .recurrence
                    .as_ref()
                    .and_then(|r| r.range.recurrence_time_zone.clone())
            });
        updated.recurrence = Some(recurrence);
    }
    Ok(updated)
}

/// The hash a link keeps for the local side when Quick3 agrees with Outlook's version: a
/// series master's carries Quick3's pattern digest when the patterns repeat alike, so that
/// Keep Quick3's PATCH sends a pattern only when it differs (Outlook resets the exceptions of a
/// series whose pattern a PATCH sends).
fn outlook_local_hash(
    conflict: &StoredConflict,
    current: &Appointment,
    now: DateTime<Utc>,
) -> Result<String> {
    let mut outlook = outlook_version_of(conflict, current, now)?;
    if is_quick3_master(current)
        && same_pattern(
            current.recurrence.as_ref(),
            conflict.outlook.recurrence.as_ref(),
        )
    {
        outlook.recurrence.clone_from(&current.recurrence);
    }
    Ok(if is_quick3_master(current) {
        local_hash(&outlook)
    } else {
        conflict.outlook.content()?.hash()
    })
}

/// The appointment takes Outlook's version: its row, its link in step with the event, and no
/// upload waiting for the account. A series master whose times or pattern change sends its
/// exceptions back to the pattern, as Outlook did.
fn take_outlook(
    tx: &Connection,
    conflict: &StoredConflict,
    current: &Appointment,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let updated = outlook_version_of(conflict, current, now)?;
    if is_quick3_master(current)
        && (updated.when != current.when || updated.recurrence != current.recurrence)
    {
        super::series::reset_exceptions(tx, current.id)?;
    }
    upsert(tx, &updated)?;
    link_to_outlook(tx, conflict, &local_hash(&updated))?;
    tx.execute(
        "DELETE FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2",
        params![conflict.appointment, conflict.account],
    )?;
    Ok(updated)
}

/// Keep both's second appointment: Quick3's version as a new appointment, waiting for upload to
/// the conflict's account. For a Quick3 series, a second series with its pattern and with its
/// own copies of the occurrences changed or deleted on their own (ids from the new master's,
/// each waiting for upload after it).
fn insert_copy(
    tx: &rusqlite::Transaction<'_>,
    conflict: &StoredConflict,
    current: &Appointment,
    now: DateTime<Utc>,
) -> Result<Appointment> {
    let series = is_quick3_master(current);
    let second = Appointment {
        id: AppointmentId::at(now),
        recurrence: if series {
            current.recurrence.clone()
        } else {
            None
        },
        series_id: None,
        original_start: None,
        created_at: now,
        updated_at: now,
        ..current.clone()
    };
    super::appointments::insert(tx, &second)?;
    enqueue(tx, conflict.account, second.id, now)?;
    if !series {
        return Ok(second);
    }
    let sql = format!(
        "SELECT {COLUMNS}, deleted_at IS NULL FROM appointments
          WHERE series_id = ?1 AND origin = 'quick3' AND original_start IS NOT NULL"
    );
    let rows: Vec<(Appointment, bool)> = {
        let mut stmt = tx.prepare(&sql)?;
        let found = stmt.query_map([current.id], |row| {
            let live: bool = row.get(23)?;
            Ok(appointment_from_row(row)?.map(|a| (a, live)))
        })?;
        let mut rows = Vec::new();
        for row in found {
            rows.push(row??);
        }
        rows
    };
    for (row, live) in rows {
        let Some(original_start) = row.original_start else {
            continue;
        };
        let copy = Appointment {
            id: AppointmentId::occurrence(second.id, original_start),
            series_id: Some(second.id),
            created_at: now,
            updated_at: now,
            ..row
        };
        super::appointments::insert(tx, &copy)?;
        if !live {
            tx.execute(
                "UPDATE appointments SET deleted_at = ?2 WHERE id = ?1",
                params![copy.id, utc_text(now)],
            )?;
        }
        enqueue(tx, conflict.account, copy.id, now)?;
    }
    Ok(second)
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

    /// The decision an upload carries, if it carries one, so the journal names it
    /// `conflict_decided`: a PATCH conditional on the change key of the Outlook version that
    /// Keep Quick3's was decided against, or an upload of Keep both's copy. Answers Outlook's
    /// version as the conflict held it (what the PATCH replaces).
    pub fn carried_decision(
        &self,
        account: AccountId,
        appointment: AppointmentId,
        patch_of: Option<&str>,
    ) -> Result<Option<ConflictVersion>> {
        let text: Option<String> = match patch_of {
            Some(change_key) => self
                .conn
                .prepare_cached(CARRIED_BY_PATCH)?
                .query_row(params![account, appointment, change_key], |row| row.get(0))
                .optional()?,
            None => self
                .conn
                .prepare_cached(CARRIED_BY_COPY)?
                .query_row(params![account, appointment], |row| row.get(0))
                .optional()?,
        };
        text.map(|t| {
            serde_json::from_str(&t)
                .map_err(|e| CoreError::Corrupt(format!("a conflict's version: {e}")))
        })
        .transpose()
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
        let (mut taken, mut copy) = (None, None);
        match keep {
            Keep::Quick3 => {
                // The base becomes Outlook's version on both sides: Quick3's differs from it, so
                // the next Up PATCHes it, conditional on the change key of the version seen.
                let outlook_hash = outlook_local_hash(&conflict, &current, now)?;
                link_to_outlook(&tx, &conflict, &outlook_hash)?;
                enqueue(&tx, conflict.account, conflict.appointment, now)?;
            }
            Keep::Outlook => taken = Some(take_outlook(&tx, &conflict, &current, now)?),
            Keep::Both => {
                copy = Some(insert_copy(&tx, &conflict, &current, now)?);
                taken = Some(take_outlook(&tx, &conflict, &current, now)?);
            }
        }
        tx.execute(
            "UPDATE sync_conflicts SET resolution = ?2, resolved_at = ?3, copy_id = ?4 WHERE id = ?1",
            params![id, keep.as_str(), utc_text(now), copy.as_ref().map(|c| c.id)],
        )?;
        journal_decision(
            &tx,
            &conflict,
            keep,
            (&current, taken.as_ref(), copy.as_ref()),
            now,
        )?;
        inside();
        tx.commit()?;
        Ok(Settled {
            conflict: read_conflict(&self.conn, id)?,
            already: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The steps of SQLite's plan for `sql` with `params` bound.
    fn plan_of(store: &Store, sql: &str, params: impl rusqlite::Params) -> Vec<String> {
        store
            .conn
            .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
            .unwrap()
            .query_map(params, |row| row.get::<_, String>(3))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    #[test]
    fn the_decision_an_upload_carries_is_found_through_an_index() {
        let store = Store::open_in_memory().unwrap();
        let appointment = AppointmentId(uuid::Uuid::from_u128(1));
        #[rustfmt::skip]
        let cases: Vec<(&str, &str, Vec<String>)> = vec![
            ("a PATCH on a change key, once per PATCH", "sync_conflicts_by_appointment",
                plan_of(&store, CARRIED_BY_PATCH, params![1, appointment, "ck"])),
            ("a POST of a copy, once per new event", "sync_conflicts_by_copy",
                plan_of(&store, CARRIED_BY_COPY, params![1, appointment])),
        ];
        for (why, index, plan) in cases {
            assert!(
                plan.iter()
                    .any(|step| step.contains(&format!("USING INDEX {index}"))),
                "{why}: found by {index}, not a scan of every conflict ever settled: {plan:?}"
            );
            assert!(
                !plan.iter().any(|step| step.starts_with("SCAN")),
                "{why}: no scan: {plan:?}"
            );
        }
    }
}
