//! The sync journal in the store: runs and their changes. A change's line is written by the
//! function that writes the change, in its transaction (`write_page`, `confirm_push`), so neither
//! is ever committed without the other. Old runs are pruned: 90 days, and a bound in rows.

use chrono::{DateTime, Duration, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::{Store, utc_text};

/// A run's start and end to the millisecond (a sync often takes less than a second).
fn run_time(instant: DateTime<Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId, SyncRunId};
use crate::model::{
    AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, FieldChange, JournalChange, JournalRun,
    RunOutcome, SyncTrigger,
};

/// Runs older than this many days are pruned.
pub const JOURNAL_DAYS: i64 = 90;

/// At most this many runs are kept (the newest)…
pub const RUNS_KEPT: u64 = 5_000;

/// …and at most about this many changes (whole runs go, oldest first; the run just finished
/// always stays): with their snapshots, about 1.5 KB each, some 75 MB at most.
pub const CHANGES_KEPT: u64 = 50_000;

/// A change as the journal holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredChange {
    pub id: i64,
    pub run: SyncRunId,
    pub at: DateTime<Utc>,
    pub change: JournalChange,
    /// The run that undid it, if one did.
    pub undone_by: Option<SyncRunId>,
}

fn corrupt(e: impl std::fmt::Display) -> CoreError {
    CoreError::Corrupt(format!("a sync journal line: {e}"))
}

fn json<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(corrupt)
}

/// Writes `changes` as lines of `run`, in the caller's transaction.
pub(crate) fn record_changes(
    tx: &Connection,
    run: SyncRunId,
    changes: &[JournalChange],
    now: DateTime<Utc>,
) -> Result<()> {
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_changes (run_id, at, appointment_id, series_id, original_start,
             resource_id, side, kind, cause, account_id, calendar_id, remote_id,
             change_key_before, change_key_after, private, fields, before, after)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    for c in changes {
        let before = c.before.as_ref().map(json).transpose()?;
        let after = c.after.as_ref().map(json).transpose()?;
        stmt.execute(params![
            run,
            utc_text(now),
            c.appointment,
            c.series_id,
            c.original_start.map(utc_text),
            c.resource_id,
            c.side.as_str(),
            c.kind.as_str(),
            c.cause.as_str(),
            c.account,
            c.calendar_id,
            c.remote_id,
            c.change_key_before,
            c.change_key_after,
            c.is_private(),
            json(&c.fields)?,
            before,
            after,
        ])?;
    }
    Ok(())
}

const RUN_COLUMNS: &str = "id, account_id, email, trigger, started_at, finished_at, outcome, \
                           error, created, updated, deleted, conflicts, undoes_run";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<std::result::Result<JournalRun, CoreError>> {
    let trigger: String = row.get(3)?;
    let outcome: Option<String> = row.get(6)?;
    let built = (|| {
        Ok(JournalRun {
            id: row.get(0)?,
            account_id: row.get(1)?,
            email: row.get(2)?,
            trigger: SyncTrigger::parse(&trigger)?,
            started_at: row.get(4)?,
            finished_at: row.get(5)?,
            outcome: outcome.as_deref().map(RunOutcome::parse).transpose()?,
            error: row.get(7)?,
            created: row.get(8)?,
            updated: row.get(9)?,
            deleted: row.get(10)?,
            conflicts: row.get(11)?,
            undoes_run: row.get(12)?,
        })
    })();
    Ok(built.map_err(|e: CoreError| e))
}

const CHANGE_COLUMNS: &str = "id, run_id, at, appointment_id, series_id, original_start, \
    resource_id, side, kind, cause, account_id, calendar_id, remote_id, change_key_before, \
    change_key_after, fields, before, after, undone_by";

fn change_from_row(row: &Row<'_>) -> rusqlite::Result<Result<StoredChange>> {
    let texts: [Option<String>; 3] = [row.get(15)?, row.get(16)?, row.get(17)?];
    let words: [String; 3] = [row.get(7)?, row.get(8)?, row.get(9)?];
    let (id, run, at, undone_by) = (row.get(0)?, row.get(1)?, row.get(2)?, row.get(18)?);
    let change = (
        row.get::<_, AppointmentId>(3)?,
        row.get::<_, Option<AppointmentId>>(4)?,
        row.get::<_, Option<DateTime<Utc>>>(5)?,
        row.get(6)?,
        row.get::<_, AccountId>(10)?,
        row.get::<_, Option<String>>(11)?,
        row.get::<_, Option<String>>(12)?,
        row.get::<_, Option<String>>(13)?,
        row.get::<_, Option<String>>(14)?,
    );
    Ok((|| {
        let [fields, before, after] = texts;
        let record = |text: Option<String>| -> Result<Option<AppointmentRecord>> {
            text.map(|t| serde_json::from_str(&t).map_err(corrupt))
                .transpose()
        };
        let fields: Vec<FieldChange> =
            serde_json::from_str(fields.as_deref().unwrap_or("[]")).map_err(corrupt)?;
        let (
            appointment,
            series_id,
            original_start,
            resource_id,
            account,
            calendar_id,
            remote_id,
            before_key,
            after_key,
        ) = change;
        Ok(StoredChange {
            id,
            run,
            at,
            undone_by,
            change: JournalChange {
                appointment,
                series_id,
                original_start,
                resource_id,
                side: ChangeSide::parse(&words[0])?,
                kind: ChangeKind::parse(&words[1])?,
                cause: ChangeCause::parse(&words[2])?,
                account,
                calendar_id,
                remote_id,
                change_key_before: before_key,
                change_key_after: after_key,
                fields,
                before: record(before)?,
                after: record(after)?,
            },
        })
    })())
}

impl Store {
    /// Opens a run of `account`'s sync in the journal (committed on its own: its changes follow
    /// in their own transactions).
    pub fn begin_sync_run(
        &mut self,
        account: AccountId,
        email: &str,
        trigger: SyncTrigger,
        undoes_run: Option<SyncRunId>,
        now: DateTime<Utc>,
    ) -> Result<SyncRunId> {
        self.conn.execute(
            "INSERT INTO sync_runs (account_id, email, trigger, started_at, undoes_run)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![account, email, trigger.as_str(), run_time(now), undoes_run],
        )?;
        Ok(SyncRunId(self.conn.last_insert_rowid()))
    }

    /// Closes a run: how it ended, its first problem, its counts per kind (from its lines) and
    /// conflicts; then prunes the journal ([`Store::prune_journal`]).
    pub fn finish_sync_run(
        &mut self,
        run: SyncRunId,
        outcome: RunOutcome,
        error: Option<&str>,
        conflicts: u32,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE sync_runs SET finished_at = ?2, outcome = ?3, error = ?4, conflicts = ?5,
                 created = (SELECT count(*) FROM sync_changes WHERE run_id = ?1 AND kind = 'created'),
                 updated = (SELECT count(*) FROM sync_changes WHERE run_id = ?1 AND kind = 'updated'),
                 deleted = (SELECT count(*) FROM sync_changes WHERE run_id = ?1 AND kind = 'deleted')
             WHERE id = ?1",
            params![run, run_time(now), outcome.as_str(), error, conflicts],
        )?;
        prune(&tx, Some(run), now)?;
        tx.commit()?;
        Ok(())
    }

    /// Prunes the journal at `now`: runs started more than [`JOURNAL_DAYS`] ago, runs beyond the
    /// newest [`RUNS_KEPT`], and the oldest runs while more than [`CHANGES_KEPT`] changes are
    /// kept. Answers how many runs went.
    pub fn prune_journal(&mut self, now: DateTime<Utc>) -> Result<u64> {
        let tx = self.conn.transaction()?;
        let pruned = prune(&tx, None, now)?;
        tx.commit()?;
        Ok(pruned)
    }

    /// The newest runs (of one account, or all), newest first.
    pub fn sync_runs(&self, account: Option<AccountId>, limit: u32) -> Result<Vec<JournalRun>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE ?1 IS NULL OR account_id = ?1
              ORDER BY id DESC LIMIT ?2"
        ))?;
        let rows = stmt.query_map(params![account, limit], run_from_row)?;
        let mut runs = Vec::new();
        for row in rows {
            runs.push(row??);
        }
        Ok(runs)
    }

    /// One run.
    pub fn sync_run(&self, run: SyncRunId) -> Result<JournalRun> {
        self.conn
            .query_row(
                &format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?1"),
                [run],
                run_from_row,
            )
            .optional()?
            .ok_or_else(|| CoreError::InvalidInput {
                field: "run",
                reason: format!("the sync journal holds no run {run}"),
            })?
    }

    /// The changes of a run, in the order they were made.
    pub fn sync_run_changes(&self, run: SyncRunId) -> Result<Vec<StoredChange>> {
        self.changes_where("run_id = ?1", params![run])
    }

    /// An appointment's own recent changes, newest first.
    pub fn appointment_history(
        &self,
        appointment: AppointmentId,
        limit: u32,
    ) -> Result<Vec<StoredChange>> {
        let mut found = self.changes_where(
            "id IN (SELECT id FROM sync_changes WHERE appointment_id = ?1
                     ORDER BY id DESC LIMIT ?2)",
            params![appointment, limit],
        )?;
        found.reverse();
        Ok(found)
    }

    fn changes_where(
        &self,
        condition: &str,
        values: impl rusqlite::Params,
    ) -> Result<Vec<StoredChange>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {CHANGE_COLUMNS} FROM sync_changes WHERE {condition} ORDER BY id"
        ))?;
        let rows = stmt.query_map(values, change_from_row)?;
        let mut changes = Vec::new();
        for row in rows {
            match row? {
                Ok(change) => changes.push(change),
                // One unreadable line never hides the rest.
                Err(err) => tracing::warn!("{err}"),
            }
        }
        Ok(changes)
    }

    /// The appointment as the journal's last line in `account` left it (Outlook's side after an
    /// upload, Quick3's after a pull); `None` when it has no line there or the last deleted it.
    pub fn last_journalled(
        &self,
        appointment: AppointmentId,
        account: AccountId,
    ) -> Result<Option<AppointmentRecord>> {
        let text: Option<Option<String>> = self
            .conn
            .prepare_cached(
                "SELECT after FROM sync_changes WHERE appointment_id = ?1 AND account_id = ?2
                  ORDER BY id DESC LIMIT 1",
            )?
            .query_row(params![appointment, account], |row| row.get(0))
            .optional()?;
        text.flatten()
            .map(|t| serde_json::from_str(&t).map_err(corrupt))
            .transpose()
    }

    /// How many runs and changes the journal holds.
    pub fn journal_size(&self) -> Result<(u64, u64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT count(*) FROM sync_runs), (SELECT count(*) FROM sync_changes)",
            [],
            |row| Ok((row.get::<_, i64>(0)? as u64, row.get::<_, i64>(1)? as u64)),
        )?)
    }
}

/// Deletes old runs (their changes go with them), keeping `current`.
fn prune(tx: &Connection, current: Option<SyncRunId>, now: DateTime<Utc>) -> Result<u64> {
    let keep = current.map_or(-1, |r| r.0);
    let mut pruned = tx.execute(
        "DELETE FROM sync_runs WHERE started_at < ?1 AND id <> ?2",
        params![run_time(now - Duration::days(JOURNAL_DAYS)), keep],
    )?;
    // Ids only grow (AUTOINCREMENT), and only whole old runs are deleted, so the rows above
    // `max(id) - bound` are at most the bound: both found through the primary keys.
    pruned += tx.execute(
        "DELETE FROM sync_runs WHERE id <= (SELECT max(id) FROM sync_runs) - ?1 AND id <> ?2",
        params![RUNS_KEPT as i64, keep],
    )?;
    let oldest_kept_run: Option<i64> = tx
        .query_row(
            "SELECT run_id FROM sync_changes
              WHERE id <= (SELECT max(id) FROM sync_changes) - ?1 ORDER BY id DESC LIMIT 1",
            [CHANGES_KEPT as i64],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(last) = oldest_kept_run {
        pruned += tx.execute(
            "DELETE FROM sync_runs WHERE id <= ?1 AND id <> ?2",
            params![last, keep],
        )?;
    }
    Ok(pruned as u64)
}
