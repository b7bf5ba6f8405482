//! Sync state in the store: the calendars of each account with their delta links and windows,
//! the links between appointments and events, and the outbox of pending uploads. Every change
//! that follows a Graph answer is one transaction.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};

use super::appointments::{COLUMNS, appointment_from_row, upsert};
use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, AppointmentId};
use crate::model::{Appointment, Origin, UploadState};

/// A calendar of an account, as sync keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCalendar {
    pub account_id: AccountId,
    pub calendar_id: String,
    pub name: String,
    pub is_default: bool,
    pub selected: bool,
    pub delta_link: Option<String>,
    pub window: Option<(DateTime<Utc>, DateTime<Utc>)>,
    pub full_round: Option<String>,
    pub last_full_sync: Option<DateTime<Utc>>,
    pub deletions_allowed: bool,
    /// Calendar lists in a row that lacked it (0 when the last list had it).
    pub missing_lists: u32,
}

/// An appointment and its event in one account, as both sides were when last in step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Link {
    pub appointment: AppointmentId,
    pub account: AccountId,
    pub calendar_id: Option<String>,
    pub remote_key: String,
    pub remote_id: String,
    pub change_key: Option<String>,
    pub local_hash: String,
    pub remote_hash: String,
}

/// A pending upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEntry {
    pub appointment: AppointmentId,
    pub account: AccountId,
    pub revision: i64,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub not_before: Option<DateTime<Utc>>,
    pub generation: u32,
}

/// Where a calendar's delta stands after a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarAdvance {
    pub calendar_id: String,
    /// The nextLink (round under way) or deltaLink (round complete).
    pub link: String,
    pub round_complete: bool,
    pub window: (DateTime<Utc>, DateTime<Utc>),
    /// The full round this page belongs to, if it is one.
    pub full_round: Option<String>,
}

/// When a written page is committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageCommit {
    /// With the page: in a transaction of its own, or closing the open one with the pages
    /// written before it.
    Now,
    /// Later: the page stays in the open transaction (opened for it if none is), for the pages
    /// after it to join; [`Store::commit_pages`] or a later page written with `Now` commits them
    /// all, [`Store::abandon_pages`] rolls them all back.
    Later,
}

/// Everything one pulled page changes, written in one transaction with the calendar's new link
/// (the transaction may hold the pages before it too, see [`PageCommit`]).
#[derive(Debug, Default)]
pub struct PageWrite {
    /// New or changed appointments, each with its link (`None`: a series master, kept unlinked).
    pub appointments: Vec<(Appointment, Option<Link>)>,
    pub links: Vec<Link>,
    pub tombstones: Vec<AppointmentId>,
    /// Tombstoned appointments whose event is pulled again (written above with its content).
    pub revive: Vec<AppointmentId>,
    pub unlinks: Vec<AppointmentId>,
    /// Outbox entries that need no push, each with the revision the plan saw (a newer edit
    /// keeps its entry).
    pub drop_outbox: Vec<(AppointmentId, i64)>,
    pub ensure_outbox: Vec<AppointmentId>,
    /// Conflicts found (or renewed): neither side overwritten, Outlook's version kept aside.
    pub holds: Vec<super::conflicts::ConflictHold>,
    /// Appointments whose open conflict the page settled (both sides agree again, or a
    /// deletion).
    pub settled: Vec<AppointmentId>,
    /// Quick3 series whose times or pattern Outlook changed: their exceptions and cancellations
    /// go back to the pattern (Outlook's rule), before the rows above are written, kept marked
    /// with the run (`run`) for its undo.
    pub series_resets: Vec<AppointmentId>,
    /// Quick3 series deleted in Outlook but changed here: created again there (a new
    /// transactionId), their rows after them.
    pub recreate_series: Vec<AppointmentId>,
    /// Remote keys seen in the full round under way.
    pub seen: Vec<String>,
    pub advance: Option<CalendarAdvance>,
    /// The journal's run and the lines of the changes above, written with them.
    pub run: Option<crate::ids::SyncRunId>,
    pub journal: Vec<crate::model::JournalChange>,
}

fn calendar_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<SyncCalendar> {
    let start: Option<DateTime<Utc>> = row.get(6)?;
    let end: Option<DateTime<Utc>> = row.get(7)?;
    Ok(SyncCalendar {
        account_id: row.get(0)?,
        calendar_id: row.get(1)?,
        name: row.get(2)?,
        is_default: row.get(3)?,
        selected: row.get(4)?,
        delta_link: row.get(5)?,
        window: start.zip(end),
        full_round: row.get(8)?,
        last_full_sync: row.get(9)?,
        deletions_allowed: row.get(10)?,
        missing_lists: row.get(11)?,
    })
}

/// How many unrecorded PATCH contents a link remembers (more than one crash in a row is rare).
pub const SENT_CONTENT_KEPT: usize = 4;

/// A list as a JSON array, for `IN (SELECT value FROM json_each(?))`.
fn json_list<T: serde::Serialize>(items: &[T]) -> Result<String> {
    serde_json::to_string(items).map_err(|e| CoreError::Corrupt(e.to_string()))
}

fn link_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Link> {
    Ok(Link {
        appointment: row.get(0)?,
        account: row.get(1)?,
        calendar_id: row.get(2)?,
        remote_key: row.get(3)?,
        remote_id: row.get(4)?,
        change_key: row.get(5)?,
        local_hash: row.get(6)?,
        remote_hash: row.get(7)?,
    })
}

const LINK_COLUMNS: &str = "appointment_id, account_id, calendar_id, remote_key, remote_id, \
                            change_key, local_hash, remote_hash";

fn write_link(tx: &Connection, link: &Link, seen_round: Option<&str>) -> Result<()> {
    // A key or remote id that moved to this appointment leaves its old holder.
    tx.prepare_cached(
        "DELETE FROM sync_links WHERE account_id = ?1 AND remote_key = ?2 AND appointment_id <> ?3",
    )?
    .execute(params![link.account, link.remote_key, link.appointment])?;
    tx.prepare_cached(
        "INSERT INTO sync_links (appointment_id, account_id, calendar_id, remote_key, remote_id,
             change_key, local_hash, remote_hash, seen_round)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (appointment_id, account_id) DO UPDATE SET
             calendar_id = coalesce(excluded.calendar_id, calendar_id),
             remote_key = excluded.remote_key, remote_id = excluded.remote_id,
             change_key = excluded.change_key, local_hash = excluded.local_hash,
             remote_hash = excluded.remote_hash, sent_content = '',
             seen_round = coalesce(excluded.seen_round, seen_round)",
    )?
    .execute(params![
        link.appointment,
        link.account,
        link.calendar_id,
        link.remote_key,
        link.remote_id,
        link.change_key,
        link.local_hash,
        link.remote_hash,
        seen_round,
    ])?;
    Ok(())
}

/// A sync's run and why it forgets a calendar, for the journal's lines of what it deletes.
pub type ForgetJournal = (crate::ids::SyncRunId, crate::model::ChangeCause);

/// Takes the appointments pulled from one calendar out of the Scheduler: tombstones (so that no
/// later pull can bring a stale copy back) and their links; Quick3's own appointments stay. In a
/// sync (`journal`), each appointment the Scheduler showed gets its journal line.
fn forget_calendar(
    tx: &rusqlite::Transaction<'_>,
    account: AccountId,
    calendar: &str,
    now: DateTime<Utc>,
    journal: Option<ForgetJournal>,
) -> Result<u64> {
    if let Some((run, cause)) = journal {
        let lines = forgotten_lines(tx, account, calendar, cause)?;
        super::journal::record_changes(tx, run, &lines, now)?;
    }
    tx.execute(
        "DELETE FROM sync_links WHERE account_id = ?1 AND appointment_id IN (
            SELECT id FROM appointments
             WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2)",
        params![account, calendar],
    )?;
    // What the Scheduler showed: series masters are not shown themselves, their occurrences are.
    let shown: u64 = tx.query_row(
        "SELECT count(*) FROM appointments
          WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2
            AND deleted_at IS NULL AND recurrence IS NULL",
        params![account, calendar],
        |row| row.get(0),
    )?;
    tx.execute(
        "UPDATE appointments SET deleted_at = ?3, updated_at = ?3
          WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2
            AND deleted_at IS NULL",
        params![account, calendar, utc_text(now)],
    )?;
    Ok(shown)
}

/// The journal's lines of the appointments `forget_calendar` takes out (those the Scheduler
/// shows; a row that does not read is left out, as from listings).
fn forgotten_lines(
    tx: &Connection,
    account: AccountId,
    calendar: &str,
    cause: crate::model::ChangeCause,
) -> Result<Vec<crate::model::JournalChange>> {
    use crate::model::{AppointmentRecord, ChangeKind, ChangeSide, JournalChange};
    let mut stmt = tx.prepare(&format!(
        "SELECT {COLUMNS} FROM appointments
          WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2
            AND deleted_at IS NULL AND recurrence IS NULL"
    ))?;
    let rows = stmt.query_map(params![account, calendar], appointment_from_row)?;
    let mut lines = Vec::new();
    for row in rows {
        let Ok(appointment) = row? else {
            continue;
        };
        let remote_id = match &appointment.origin {
            Origin::Microsoft365 { remote_id, .. } => Some(remote_id.clone()),
            Origin::Quick3 => None,
        };
        if let Some(mut line) = JournalChange::between(
            Some(AppointmentRecord::from(&appointment)),
            None,
            (ChangeSide::Quick3, ChangeKind::Deleted, cause),
            account,
        ) {
            line.calendar_id = Some(calendar.to_owned());
            line.remote_id = remote_id;
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Makes the next push of `appointment` create its event again (its link gone, a generation
/// above every one it had in `account`: a transactionId never sent before); a Quick3 series'
/// rows follow the new series.
pub(super) fn recreate(
    tx: &Connection,
    account: AccountId,
    appointment: AppointmentId,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        "DELETE FROM sync_links WHERE appointment_id = ?1 AND account_id = ?2",
        params![appointment, account],
    )?;
    let generation = last_generation(tx, account, appointment)? + 1;
    tx.execute(
        "INSERT INTO sync_outbox (appointment_id, account_id, created_at, generation) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (appointment_id, account_id) DO UPDATE SET generation = excluded.generation",
        params![appointment, account, utc_text(now), generation],
    )?;
    keep_generation(tx, account, appointment, generation)?;
    if super::series::is_quick3_master_row(tx, appointment)? {
        super::series::requeue_series_rows(tx, account, appointment, now)?;
    }
    Ok(())
}

/// The highest generation `appointment`'s event had in `account`: kept ones (their uploads
/// confirmed, their outbox entries gone) and the one its outbox entry carries now.
fn last_generation(tx: &Connection, account: AccountId, appointment: AppointmentId) -> Result<u32> {
    Ok(tx.query_row(
        "SELECT MAX(COALESCE((SELECT generation FROM sync_generations
                               WHERE appointment_id = ?1 AND account_id = ?2), 0),
                    COALESCE((SELECT generation FROM sync_outbox
                               WHERE appointment_id = ?1 AND account_id = ?2), 0))",
        params![appointment, account],
        |row| row.get(0),
    )?)
}

/// Keeps `generation` as one `appointment`'s event had in `account` (the highest stays), so that
/// a later re-creation goes above it after its outbox entry is gone.
pub(super) fn keep_generation(
    tx: &Connection,
    account: AccountId,
    appointment: AppointmentId,
    generation: u32,
) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_generations (appointment_id, account_id, generation) VALUES (?1, ?2, ?3)
         ON CONFLICT (appointment_id, account_id)
         DO UPDATE SET generation = MAX(generation, excluded.generation)",
        params![appointment, account, generation],
    )?;
    Ok(())
}

/// The rows of one pulled page and the calendar's new link, in the caller's transaction.
fn write_page_rows(
    tx: &Connection,
    account: AccountId,
    page: &PageWrite,
    now: DateTime<Utc>,
) -> Result<()> {
    let round = page.advance.as_ref().and_then(|a| a.full_round.clone());
    if let Some(run) = page.run {
        super::journal::record_changes(tx, run, &page.journal, now)?;
    }
    let mut resets = Vec::with_capacity(page.series_resets.len());
    for series in &page.series_resets {
        resets.push(super::series::reset_by_sync(tx, *series, page.run, now)?);
    }
    for id in &page.revive {
        tx.execute(
            "UPDATE appointments SET deleted_at = NULL WHERE id = ?1",
            params![id],
        )?;
    }
    for (appointment, link) in &page.appointments {
        upsert(tx, appointment)?;
        if let Some(link) = link {
            write_link(tx, link, round.as_deref())?;
        }
    }
    for link in &page.links {
        write_link(tx, link, round.as_deref())?;
    }
    for kept in resets {
        super::series::series_reset_written(tx, kept)?;
    }
    write_tombstones(tx, account, &page.tombstones, now)?;
    for id in &page.recreate_series {
        recreate(tx, account, *id, now)?;
    }
    for id in &page.unlinks {
        tx.execute(
            "DELETE FROM sync_links WHERE appointment_id = ?1 AND account_id = ?2",
            params![id, account],
        )?;
    }
    for (id, revision) in &page.drop_outbox {
        tx.execute(
            "DELETE FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2 AND revision = ?3",
            params![id, account, revision],
        )?;
    }
    for id in &page.ensure_outbox {
        tx.execute(
            "INSERT INTO sync_outbox (appointment_id, account_id, created_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (appointment_id, account_id) DO NOTHING",
            params![id, account, utc_text(now)],
        )?;
    }
    for hold in &page.holds {
        super::conflicts::hold(tx, hold, now)?;
    }
    for id in &page.settled {
        super::conflicts::settle_by_sync(tx, account, *id, now)?;
    }
    write_advance(tx, account, page, round.as_deref(), now)
}

/// The page's deletions from Outlook: each row tombstoned and unlinked from `account`, a Quick3
/// series with the rows that go with it.
fn write_tombstones(
    tx: &Connection,
    account: AccountId,
    tombstones: &[AppointmentId],
    now: DateTime<Utc>,
) -> Result<()> {
    for id in tombstones {
        tx.execute(
            "UPDATE appointments SET deleted_at = ?2, updated_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
            params![id, utc_text(now)],
        )?;
        tx.execute(
            "DELETE FROM sync_links WHERE appointment_id = ?1 AND account_id = ?2",
            params![id, account],
        )?;
        if super::series::is_quick3_master_row(tx, *id)? {
            super::series::tombstone_with_series(tx, account, *id, now)?;
        }
    }
    Ok(())
}

/// The end of a page: the links it saw marked in the full round (`round`), then the calendar's
/// new delta link and window (when the page advances it).
fn write_advance(
    tx: &Connection,
    account: AccountId,
    page: &PageWrite,
    round: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    if let Some(round) = round {
        let mut stmt = tx.prepare_cached(
            "UPDATE sync_links SET seen_round = ?3 WHERE account_id = ?1 AND remote_key = ?2",
        )?;
        for key in &page.seen {
            stmt.execute(params![account, key, round])?;
        }
    }
    if let Some(advance) = &page.advance {
        let complete = advance.round_complete;
        tx.execute(
            "UPDATE sync_calendars SET delta_link = ?3, window_start = ?4, window_end = ?5,
                    full_round = CASE WHEN ?6 THEN NULL ELSE ?7 END,
                    last_full_sync = CASE WHEN ?6 AND ?7 IS NOT NULL THEN ?8 ELSE last_full_sync END,
                    deletions_allowed = CASE WHEN ?6 THEN 0 ELSE deletions_allowed END
              WHERE account_id = ?1 AND calendar_id = ?2",
            params![
                account,
                advance.calendar_id,
                advance.link,
                utc_text(advance.window.0),
                utc_text(advance.window.1),
                complete,
                advance.full_round,
                utc_text(now),
            ],
        )?;
    }
    Ok(())
}

impl Store {
    /// The calendars sync knows for an account, default first.
    pub fn sync_calendars(&self, account: AccountId) -> Result<Vec<SyncCalendar>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT account_id, calendar_id, name, is_default, selected, delta_link, window_start,
                    window_end, full_round, last_full_sync, deletions_allowed, missing_lists
               FROM sync_calendars WHERE account_id = ?1 ORDER BY is_default DESC, name, calendar_id",
        )?;
        let rows = stmt.query_map([account], calendar_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Records the mailbox's calendar list: new calendars are selected, known ones keep their
    /// state, vanished ones are forgotten with the appointments pulled from them — except those
    /// in `kept` (held by the mass-deletion guard until the planner agrees, or switched off and
    /// missing from one list only), whose count of lists that lacked them goes up. A sync's
    /// `journal` gets a line for each appointment forgotten.
    pub fn record_calendar_list(
        &mut self,
        account: AccountId,
        calendars: &[(String, String, bool)],
        kept: &[String],
        (now, journal): (DateTime<Utc>, Option<ForgetJournal>),
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        for (id, name, is_default) in calendars {
            tx.execute(
                "INSERT INTO sync_calendars (account_id, calendar_id, name, is_default)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (account_id, calendar_id) DO UPDATE
                    SET name = excluded.name, is_default = excluded.is_default, missing_lists = 0",
                params![account, id, name, is_default],
            )?;
        }
        let keep: Vec<&str> = calendars
            .iter()
            .map(|(id, _, _)| id.as_str())
            .chain(kept.iter().map(String::as_str))
            .collect();
        let known: Vec<String> = {
            let mut stmt =
                tx.prepare("SELECT calendar_id FROM sync_calendars WHERE account_id = ?1")?;
            let rows = stmt.query_map([account], |row| row.get(0))?;
            rows.collect::<rusqlite::Result<Vec<String>>>()?
        };
        for kept in kept {
            tx.execute(
                "UPDATE sync_calendars SET missing_lists = missing_lists + 1
                  WHERE account_id = ?1 AND calendar_id = ?2",
                params![account, kept],
            )?;
        }
        for gone in known.iter().filter(|id| !keep.contains(&id.as_str())) {
            forget_calendar(&tx, account, gone, now, journal)?;
            tx.execute(
                "DELETE FROM sync_calendars WHERE account_id = ?1 AND calendar_id = ?2",
                params![account, gone],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Chooses whether a calendar is synced (see [`Store::choose_calendars`]).
    pub fn select_calendar(
        &mut self,
        account: AccountId,
        calendar: &str,
        selected: bool,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let chosen: Vec<String> = self
            .sync_calendars(account)?
            .into_iter()
            .filter(|c| {
                if c.calendar_id == calendar {
                    selected
                } else {
                    c.selected
                }
            })
            .map(|c| c.calendar_id)
            .collect();
        self.choose_calendars(account, &chosen, now)
    }

    /// Chooses which of an account's known calendars are synced: those in `selected`. A calendar
    /// switched off takes its pulled appointments out of the Scheduler (tombstoned, unlinked) and
    /// forgets its delta state; one switched on starts with a full round at the next sync.
    /// Quick3's own appointments are never touched. One transaction; answers how many pulled
    /// appointments were taken out.
    pub fn choose_calendars(
        &mut self,
        account: AccountId,
        selected: &[String],
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let known = self.sync_calendars(account)?;
        if let Some(unknown) = selected
            .iter()
            .find(|id| !known.iter().any(|c| &c.calendar_id == *id))
        {
            return Err(CoreError::InvalidInput {
                field: "calendars",
                reason: format!(
                    "“{unknown}” is not one of this account's calendars (a sync lists them)"
                ),
            });
        }
        let tx = self.conn.transaction()?;
        let mut removed = 0;
        for calendar in &known {
            let wanted = selected.contains(&calendar.calendar_id);
            if wanted == calendar.selected {
                continue;
            }
            if !wanted {
                removed += forget_calendar(&tx, account, &calendar.calendar_id, now, None)?;
            }
            tx.execute(
                "UPDATE sync_calendars SET selected = ?3, delta_link = NULL, full_round = NULL,
                        window_start = NULL, window_end = NULL, deletions_allowed = 0
                  WHERE account_id = ?1 AND calendar_id = ?2",
                params![account, calendar.calendar_id, wanted],
            )?;
        }
        tx.commit()?;
        Ok(removed)
    }

    /// Forgets where a calendar's delta stood (after 410): the next round is a full one.
    pub fn restart_calendar_round(
        &mut self,
        account: AccountId,
        calendar: &str,
        full_round: &str,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_calendars SET delta_link = NULL, full_round = ?3
              WHERE account_id = ?1 AND calendar_id = ?2",
            params![account, calendar, full_round],
        )?;
        Ok(())
    }

    /// Remembers that the planner allowed the mass deletion of the round under way.
    pub fn allow_calendar_deletions(&mut self, account: AccountId, calendar: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_calendars SET deletions_allowed = 1 WHERE account_id = ?1 AND calendar_id = ?2",
            params![account, calendar],
        )?;
        Ok(())
    }

    /// Links of an account by remote key or remote id (one statement for each list, so a page's
    /// lookups are one read each rather than one per event).
    pub fn links_by_remote(
        &self,
        account: AccountId,
        keys: &[String],
        ids: &[String],
    ) -> Result<Vec<Link>> {
        let mut found: HashMap<AppointmentId, Link> = HashMap::new();
        // A remote id equal to its remote key (a single event) is found by the key; the id is
        // indexed only where it differs (an occurrence: migration 0006).
        let by_key = format!(
            "SELECT {LINK_COLUMNS} FROM sync_links
              WHERE account_id = ?1 AND remote_key IN (SELECT value FROM json_each(?2))"
        );
        let by_other_id = format!(
            "SELECT {LINK_COLUMNS} FROM sync_links
              WHERE account_id = ?1 AND remote_id <> remote_key
                AND remote_id IN (SELECT value FROM json_each(?2))"
        );
        for (sql, wanted) in [(&by_key, keys), (&by_key, ids), (&by_other_id, ids)] {
            if wanted.is_empty() {
                continue;
            }
            let mut stmt = self.conn.prepare_cached(sql)?;
            let rows = stmt.query_map(params![account, json_list(wanted)?], link_from_row)?;
            for link in rows {
                let link = link?;
                found.insert(link.appointment, link);
            }
        }
        Ok(found.into_values().collect())
    }

    /// Links of some appointments in an account.
    pub fn links_of(
        &self,
        account: AccountId,
        appointments: &[AppointmentId],
    ) -> Result<Vec<Link>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LINK_COLUMNS} FROM sync_links WHERE account_id = ?1 AND appointment_id = ?2"
        ))?;
        let mut found = Vec::new();
        for id in appointments {
            if let Some(link) = stmt
                .query_row(params![account, id], link_from_row)
                .optional()?
            {
                found.push(link);
            }
        }
        Ok(found)
    }

    /// Notes, before a `$batch` goes out, the content fingerprints its PATCHes send, so that after
    /// a crash that loses Outlook's answers, Outlook's content can be told to be Quick3's own
    /// (see migration 0007). Keeps the last [`SENT_CONTENT_KEPT`] per link.
    pub fn record_sent(
        &mut self,
        account: AccountId,
        sent: &[(AppointmentId, String)],
    ) -> Result<()> {
        if sent.is_empty() {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut read = tx.prepare_cached(
                "SELECT sent_content FROM sync_links WHERE account_id = ?1 AND appointment_id = ?2",
            )?;
            let mut write = tx.prepare_cached(
                "UPDATE sync_links SET sent_content = ?3 WHERE account_id = ?1 AND appointment_id = ?2",
            )?;
            for (appointment, fingerprint) in sent {
                let Some(before) = read
                    .query_row(params![account, appointment], |row| row.get::<_, String>(0))
                    .optional()?
                else {
                    continue;
                };
                let mut kept: Vec<&str> = before
                    .split_whitespace()
                    .filter(|kept| *kept != fingerprint)
                    .collect();
                kept.push(fingerprint);
                let start = kept.len().saturating_sub(SENT_CONTENT_KEPT);
                write.execute(params![account, appointment, kept[start..].join(" ")])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The fingerprints [`Store::record_sent`] noted on the account's links and not cleared since
    /// by a written link, by appointment (usually none).
    pub fn sent_content(&self, account: AccountId) -> Result<HashMap<AppointmentId, Vec<String>>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT appointment_id, sent_content FROM sync_links
             WHERE account_id = ?1 AND sent_content <> ''",
        )?;
        let rows = stmt.query_map(params![account], |row| {
            Ok((row.get::<_, AppointmentId>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut found = HashMap::new();
        for row in rows {
            let (id, sent) = row?;
            found.insert(id, sent.split_whitespace().map(str::to_owned).collect());
        }
        Ok(found)
    }

    /// Links of a calendar not seen in the full round `round` (gone from Microsoft 365, or out of
    /// the window).
    pub fn links_unseen(
        &self,
        account: AccountId,
        calendar: &str,
        round: &str,
    ) -> Result<Vec<Link>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {LINK_COLUMNS} FROM sync_links
              WHERE account_id = ?1 AND calendar_id = ?2 AND coalesce(seen_round, '') <> ?3"
        ))?;
        let rows = stmt.query_map(params![account, calendar, round], link_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// An appointment, deleted or not (with whether it is a tombstone).
    pub fn appointment_with_tombstone(
        &self,
        id: AppointmentId,
    ) -> Result<Option<(Appointment, bool)>> {
        let sql =
            format!("SELECT {COLUMNS}, deleted_at IS NOT NULL FROM appointments WHERE id = ?1");
        let found = self
            .conn
            .query_row(&sql, [id], |row| {
                let deleted: bool = row.get(23)?;
                Ok(appointment_from_row(row)?.map(|a| (a, deleted)))
            })
            .optional()?;
        found.transpose()
    }

    /// Why an appointment's row cannot be read, if it cannot (none when it is fine or absent).
    fn damage(&self, id: AppointmentId) -> Result<Option<CoreError>> {
        let sql = format!("SELECT {COLUMNS} FROM appointments WHERE id = ?1");
        let read = self
            .conn
            .prepare_cached(&sql)?
            .query_row([id], appointment_from_row)
            .optional()?;
        Ok(read.and_then(Result::err))
    }

    /// The appointment pulled from an account with this remote id (a series master, say).
    pub fn pulled_appointment(
        &self,
        account: AccountId,
        remote_id: &str,
    ) -> Result<Option<Appointment>> {
        // Asked once per new event of a pull: a cached statement.
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments WHERE origin_account_id = ?1 AND remote_id = ?2"
        );
        self.conn
            .prepare_cached(&sql)?
            .query_row(params![account, remote_id], appointment_from_row)
            .optional()?
            .transpose()
    }

    /// The appointments pulled from an account with these remote ids, by remote id (one
    /// statement for a page's new events).
    pub fn pulled_appointments(
        &self,
        account: AccountId,
        remote_ids: &[&str],
    ) -> Result<HashMap<String, Appointment>> {
        if remote_ids.is_empty() {
            return Ok(HashMap::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM appointments
              WHERE origin_account_id = ?1 AND remote_id IN (SELECT value FROM json_each(?2))"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map(
            params![account, json_list(remote_ids)?],
            appointment_from_row,
        )?;
        let mut found = HashMap::new();
        for appointment in rows {
            let appointment = appointment??;
            if let Origin::Microsoft365 { remote_id, .. } = &appointment.origin {
                found.insert(remote_id.clone(), appointment);
            }
        }
        Ok(found)
    }

    /// Live appointments pulled from one calendar of an account, as the Scheduler shows them
    /// (what forgetting the calendar would delete).
    pub fn pulled_count_in_calendar(&self, account: AccountId, calendar: &str) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM appointments
              WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2
                AND deleted_at IS NULL AND recurrence IS NULL",
            params![account, calendar],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// Live appointments pulled from an account (the base of the mass-deletion guard).
    pub fn pulled_count(&self, account: AccountId) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM appointments WHERE origin_account_id = ?1 AND deleted_at IS NULL
               AND recurrence IS NULL",
            [account],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// Writes one pulled page and the calendar's new link in the same transaction: a transaction
    /// of its own, or the one the pages before it left open ([`PageCommit::Later`]). The link
    /// and the changes up to it are always committed together, so a crash resumes from the last
    /// committed link, before which everything is stored. A failure rolls back every page of
    /// the open transaction, not only this one.
    pub fn write_page(
        &mut self,
        account: AccountId,
        page: &PageWrite,
        now: DateTime<Utc>,
        commit: PageCommit,
    ) -> Result<()> {
        if self.conn.is_autocommit() {
            // Pages are many and Outlook keeps them: a power cut may lose the last pages
            // committed, never part of one, and the next sync asks again from the last link
            // that reached the disk (a planner's edit on this connection set FULL).
            self.conn.pragma_update(None, "synchronous", "NORMAL")?;
            // IMMEDIATE: the write lock is taken (waiting for another writer) before the first
            // read of the transaction, so it never needs upgrading.
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        let written = write_page_rows(&self.conn, account, page, now).and_then(|()| {
            if commit == PageCommit::Now {
                self.conn.execute_batch("COMMIT")?;
            }
            Ok(())
        });
        if written.is_err() {
            self.abandon_pages();
        }
        written
    }

    /// Opens the transaction the next pages are written in, taking the write lock now (waiting
    /// for another writer), unless pages left open hold it already.
    pub fn begin_pages(&mut self) -> Result<()> {
        if self.conn.is_autocommit() {
            self.conn.execute_batch("BEGIN IMMEDIATE")?;
        }
        Ok(())
    }

    /// Whether pages written with [`PageCommit::Later`] wait uncommitted.
    pub fn pages_open(&self) -> bool {
        !self.conn.is_autocommit()
    }

    /// Commits the pages left open by [`PageCommit::Later`] (nothing when none are).
    pub fn commit_pages(&mut self) -> Result<()> {
        if self.pages_open()
            && let Err(err) = self.conn.execute_batch("COMMIT")
        {
            self.abandon_pages();
            return Err(err.into());
        }
        Ok(())
    }

    /// Rolls back the pages left open by [`PageCommit::Later`]: the store is as at the last
    /// commit, links included, so the next sync asks again from there.
    pub fn abandon_pages(&mut self) {
        if self.pages_open() {
            // A failed ROLLBACK leaves nothing to do: SQLite rolled back already, or the
            // connection is unusable and closing it rolls back.
            let _ = self.conn.execute_batch("ROLLBACK");
        }
    }

    /// The remote ids of the series made in Quick3 that reached this account (their masters'
    /// links): Down expands these locally, so their occurrences coming back are not new events.
    pub fn quick3_series_remote_ids(&self, account: AccountId) -> Result<HashSet<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT l.remote_id FROM sync_links l JOIN appointments a ON a.id = l.appointment_id
              WHERE l.account_id = ?1 AND a.origin = 'quick3' AND a.recurrence IS NOT NULL",
        )?;
        let rows = stmt.query_map([account], |row| row.get(0))?;
        Ok(rows.collect::<rusqlite::Result<HashSet<String>>>()?)
    }

    /// The links of the series made in Quick3 that reached this account (their masters').
    pub fn quick3_series_links(&self, account: AccountId) -> Result<Vec<Link>> {
        let columns = LINK_COLUMNS
            .split(", ")
            .map(|c| format!("l.{c}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {columns} FROM sync_links l JOIN appointments a ON a.id = l.appointment_id
              WHERE l.account_id = ?1 AND a.origin = 'quick3' AND a.recurrence IS NOT NULL"
        ))?;
        let rows = stmt.query_map([account], link_from_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    /// Whether a series made in Quick3 waits in this account's outbox without a link: its POST
    /// may have reached Outlook with the answer lost, so occurrences of a series Down does not
    /// know may be its own.
    pub fn quick3_series_unlinked(&self, account: AccountId) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM sync_outbox o JOIN appointments a ON a.id = o.appointment_id
              WHERE o.account_id = ?1 AND a.origin = 'quick3' AND a.recurrence IS NOT NULL
                AND NOT EXISTS (SELECT 1 FROM sync_links l
                                 WHERE l.appointment_id = a.id AND l.account_id = ?1))",
            [account],
            |row| row.get(0),
        )?)
    }

    /// Outbox entries of an account that may be pushed at `now` (Retry-After respected).
    pub fn outbox_due(&self, account: AccountId, now: DateTime<Utc>) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT appointment_id, account_id, revision, attempts, last_error, not_before, generation
               FROM sync_outbox WHERE account_id = ?1 AND (not_before IS NULL OR not_before <= ?2)
              ORDER BY created_at, appointment_id",
        )?;
        let rows = stmt.query_map(params![account, utc_text(now)], |row| {
            Ok(OutboxEntry {
                appointment: row.get(0)?,
                account: row.get(1)?,
                revision: row.get(2)?,
                attempts: row.get(3)?,
                last_error: row.get(4)?,
                not_before: row.get(5)?,
                generation: row.get(6)?,
            })
        })?;
        let mut due = Vec::new();
        for entry in rows {
            let entry = entry?;
            // An appointment whose row cannot be read waits, named in the log, rather than stop
            // every other upload of the account (it can still be deleted by its id).
            if let Some(err) = self.damage(entry.appointment)? {
                tracing::warn!("an upload waits: {err}");
                continue;
            }
            due.push(entry);
        }
        Ok(due)
    }

    /// All outbox entries of an account (for reports and tests).
    /// Quick3's own live appointments of `resource` that end after `since` and have neither
    /// reached this account (no link) nor wait for it get an outbox entry: an account that becomes
    /// the upload target (added, made main, switched to Up) receives the schedule it lacks, not
    /// only what is edited later. Answers how many were added.
    pub fn enqueue_unsent(
        &mut self,
        account: AccountId,
        resource: crate::ids::ResourceId,
        since: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let added = self
            .conn
            .prepare_cached(
                "INSERT INTO sync_outbox (appointment_id, account_id, created_at)
             SELECT a.id, ?1, ?4 FROM appointments a
              WHERE a.resource_id = ?2 AND a.origin = 'quick3' AND a.deleted_at IS NULL
                AND a.span_end > ?3
                AND NOT EXISTS (SELECT 1 FROM sync_links l
                                 WHERE l.appointment_id = a.id AND l.account_id = ?1)
             ON CONFLICT (appointment_id, account_id) DO NOTHING",
            )?
            .execute(params![account, resource, utc_text(since), utc_text(now)])?;
        Ok(added as u64)
    }

    pub fn outbox_len(&self, account: AccountId) -> Result<u64> {
        Ok(self.conn.query_row(
            "SELECT count(*) FROM sync_outbox WHERE account_id = ?1",
            [account],
            |row| row.get::<_, i64>(0),
        )? as u64)
    }

    /// Microsoft confirmed a push: the link becomes what was pushed (or goes, for a deletion),
    /// the journal's line of the change is written (`journal`: the run and the line), and the
    /// outbox entry goes unless the appointment changed again since `revision`. `link_written`
    /// runs inside the transaction between the two (the sync's crash point there).
    pub fn confirm_push(
        &mut self,
        account: AccountId,
        appointment: AppointmentId,
        revision: i64,
        (link, journal): (
            Option<&Link>,
            Option<(crate::ids::SyncRunId, &crate::model::JournalChange)>,
        ),
        (link_written, now): (impl FnOnce(), DateTime<Utc>),
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        if let Some((run, change)) = journal {
            super::journal::record_changes(&tx, run, std::slice::from_ref(change), now)?;
        }
        match link {
            Some(link) => write_link(&tx, link, None)?,
            None => {
                tx.execute(
                    "DELETE FROM sync_links WHERE appointment_id = ?1 AND account_id = ?2",
                    params![appointment, account],
                )?;
                // A deletion sent settles a conflict the appointment was in.
                super::conflicts::settle_by_sync(&tx, account, appointment, now)?;
            }
        }
        link_written();
        tx.execute(
            "DELETE FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2 AND revision = ?3",
            params![appointment, account, revision],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Drops an outbox entry that needs no push (unless it changed again since `revision`).
    pub fn drop_outbox(
        &mut self,
        account: AccountId,
        appointment: AppointmentId,
        revision: i64,
    ) -> Result<()> {
        self.conn.execute(
            "DELETE FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2 AND revision = ?3",
            params![appointment, account, revision],
        )?;
        Ok(())
    }

    /// A push failed: the entry stays with its attempts, the error in plain words, and when it
    /// may be tried again.
    pub fn record_push_failure(
        &mut self,
        account: AccountId,
        appointment: AppointmentId,
        error: &str,
        not_before: Option<DateTime<Utc>>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_outbox SET attempts = attempts + 1, last_error = ?3, not_before = ?4
              WHERE appointment_id = ?1 AND account_id = ?2",
            params![appointment, account, error, not_before.map(utc_text)],
        )?;
        Ok(())
    }

    /// The event was deleted in Outlook: forget the link and create it anew (a new transactionId).
    pub fn recreate_on_next_push(
        &mut self,
        account: AccountId,
        appointment: AppointmentId,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        recreate(&tx, account, appointment, now)?;
        tx.commit()?;
        Ok(())
    }

    /// Where the uploads waiting in the outbox stand, per appointment (a failure before a wait:
    /// when two accounts hold one appointment, the one that failed is what the planner needs to
    /// see). The outbox holds only what has not reached Microsoft yet, so this stays small.
    pub fn upload_states(&self) -> Result<HashMap<AppointmentId, UploadState>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT o.appointment_id, a.email, o.attempts, o.last_error
               FROM sync_outbox o JOIN m365_accounts a ON a.id = o.account_id
              ORDER BY o.last_error IS NOT NULL, o.created_at",
        )?;
        let rows = stmt.query_map([], |row| {
            let account: String = row.get(1)?;
            let attempts: i64 = row.get(2)?;
            let state = match row.get::<_, Option<String>>(3)? {
                Some(reason) => UploadState::Failed {
                    account,
                    reason,
                    attempts: u32::try_from(attempts).unwrap_or(u32::MAX),
                },
                None => UploadState::Pending { account },
            };
            Ok((row.get::<_, AppointmentId>(0)?, state))
        })?;
        // Failures come last, so they replace a wait of the same appointment.
        let mut states = rows.collect::<rusqlite::Result<HashMap<_, _>>>()?;
        // A conflict holds the upload: that is what the planner needs to see first.
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.appointment_id, a.email, c.id
               FROM sync_conflicts c JOIN m365_accounts a ON a.id = c.account_id
              WHERE c.resolved_at IS NULL",
        )?;
        let held = stmt.query_map([], |row| {
            let state = UploadState::Conflict {
                account: row.get(1)?,
                conflict: row.get(2)?,
            };
            Ok((row.get::<_, AppointmentId>(0)?, state))
        })?;
        for row in held {
            let (id, state) = row?;
            states.insert(id, state);
        }
        Ok(states)
    }

    /// The revision of the outbox entry waiting for an appointment, if one does.
    pub fn outbox_revision(
        &self,
        account: AccountId,
        appointment: AppointmentId,
    ) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT revision FROM sync_outbox WHERE appointment_id = ?1 AND account_id = ?2",
                params![appointment, account],
                |row| row.get(0),
            )
            .optional()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, NewAccount};
    use crate::store::fixtures::store_with_ada;

    fn store_with_calendar() -> (Store, AccountId) {
        let (mut store, ada) = store_with_ada();
        let account = store
            .add_account(
                NewAccount {
                    resource_id: ada,
                    email: "ada@contoso.example".into(),
                    direction: Direction::Down,
                    scopes: vec![],
                },
                Utc::now(),
            )
            .unwrap()
            .id;
        store
            .record_calendar_list(
                account,
                &[("cal".into(), "Calendar".into(), true)],
                &[],
                (Utc::now(), None),
            )
            .unwrap();
        (store, account)
    }

    /// A page of a full round holding one link (`key`) and advancing the calendar to `link`.
    fn page(account: AccountId, key: &str, link: &str) -> PageWrite {
        let now = Utc::now();
        PageWrite {
            links: vec![Link {
                appointment: AppointmentId::at(now),
                account,
                calendar_id: Some("cal".into()),
                remote_key: key.into(),
                remote_id: key.into(),
                change_key: None,
                local_hash: "h".into(),
                remote_hash: "h".into(),
            }],
            advance: Some(CalendarAdvance {
                calendar_id: "cal".into(),
                link: link.into(),
                round_complete: false,
                window: (now, now),
                full_round: Some("round".into()),
            }),
            ..Default::default()
        }
    }

    /// Writes `page(account, key, link)` with `commit`.
    fn write(store: &mut Store, account: AccountId, (key, link): (&str, &str), commit: PageCommit) {
        store
            .write_page(account, &page(account, key, link), Utc::now(), commit)
            .unwrap();
    }

    fn stored(store: &Store, account: AccountId) -> (Vec<String>, Option<String>) {
        let keys = ["a", "b", "c"].map(String::from);
        let mut found: Vec<String> = store
            .links_by_remote(account, &keys, &[])
            .unwrap()
            .into_iter()
            .map(|l| l.remote_key)
            .collect();
        found.sort();
        let link = store.sync_calendars(account).unwrap()[0].delta_link.clone();
        (found, link)
    }

    #[test]
    fn pages_left_open_are_committed_together_or_rolled_back_together() {
        let (mut store, account) = store_with_calendar();
        let now = Utc::now();
        write(&mut store, account, ("a", "next-1"), PageCommit::Later);
        write(&mut store, account, ("b", "next-2"), PageCommit::Later);
        assert!(store.pages_open());
        // Read inside the open transaction: the next page's plan sees the pages before it.
        assert_eq!(
            stored(&store, account),
            (vec!["a".into(), "b".into()], Some("next-2".into()))
        );
        store.abandon_pages();
        assert!(!store.pages_open());
        assert_eq!(stored(&store, account), (vec![], None), "both rolled back");

        write(&mut store, account, ("a", "next-1"), PageCommit::Later);
        write(&mut store, account, ("b", "next-2"), PageCommit::Now);
        assert!(!store.pages_open());
        store.abandon_pages();
        assert_eq!(
            stored(&store, account),
            (vec!["a".into(), "b".into()], Some("next-2".into())),
            "the page written with Now committed the one before it too"
        );

        // A page that fails (a link to an account that does not exist) takes the open pages
        // before it along: the link stays where the last commit left it.
        write(&mut store, account, ("c", "next-3"), PageCommit::Later);
        let broken = page(AccountId(account.0 + 100), "d", "next-4");
        assert!(
            store
                .write_page(account, &broken, now, PageCommit::Now)
                .is_err()
        );
        assert!(!store.pages_open());
        assert_eq!(
            stored(&store, account),
            (vec!["a".into(), "b".into()], Some("next-2".into()))
        );

        write(&mut store, account, ("c", "next-3"), PageCommit::Later);
        store.commit_pages().unwrap();
        assert!(!store.pages_open());
        assert_eq!(
            stored(&store, account),
            (
                vec!["a".into(), "b".into(), "c".into()],
                Some("next-3".into())
            )
        );
    }
}
