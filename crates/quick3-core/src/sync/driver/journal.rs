//! The run's journal: the run opened and closed around an account's sync, and each change the
//! driver applies turned into a journal line that the change's own write carries (a page's
//! `PageWrite`, a push's confirmation), so that both commit together. A dry run journals
//! nothing: its lines become the preview (`preview`).

use chrono::{DateTime, Utc};

use super::summary::SyncSummary;
use super::{Run, SyncOptions, rules_for};
use crate::error::Result;
use crate::graph::event::RemoteEvent;
use crate::ids::{AppointmentId, SyncRunId};
use crate::model::{
    Account, Appointment, AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, JournalChange,
    Origin, RunOutcome, SyncTrigger,
};
use crate::store::Store;
use crate::store::conflicts::with_content;
use crate::store::sync_state::{Link, PageWrite};
use crate::sync::plan::SyncOp;

/// Opens the journal's run of `account`'s sync, unless it is a dry run or the account's
/// direction makes no traffic.
pub(super) fn begin(
    store: &mut Store,
    account: &Account,
    options: &SyncOptions,
    now: DateTime<Utc>,
) -> Result<Option<SyncRunId>> {
    let rules = rules_for(account.direction, account.is_main);
    if options.dry_run || !(rules.pull || rules.push) {
        return Ok(None);
    }
    // A scheduled job's sync of an organisation's linked mailbox is the organisation's.
    let trigger = match options.trigger {
        _ if options.undo.is_some() => SyncTrigger::Undo,
        SyncTrigger::Scheduled if account.is_organisation_link() => SyncTrigger::Organisation,
        trigger => trigger,
    };
    store
        .begin_sync_run(account.id, &account.email, trigger, options.undo, now)
        .map(Some)
}

/// Closes the run with how the sync ended (a store failure, `failure`, ends it as failed).
pub(super) fn finish(
    store: &mut Store,
    run: Option<SyncRunId>,
    summary: Option<&SyncSummary>,
    failure: Option<&str>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(run) = run else {
        return Ok(());
    };
    let (outcome, error) = match (summary, failure) {
        (_, Some(failure)) => (RunOutcome::Failed, Some(failure)),
        (Some(s), None) if s.mass_delete_blocked.is_some() => (
            RunOutcome::MassDeleteBlocked,
            s.errors.first().map(String::as_str),
        ),
        (Some(s), None) if !s.errors.is_empty() => (RunOutcome::Failed, Some(s.errors[0].as_str())),
        _ => (RunOutcome::Succeeded, None),
    };
    let conflicts = summary.map_or(0, |s| s.conflicts);
    store.finish_sync_run(run, outcome, error, conflicts, now)
}

/// Where a pulled line's event is in Outlook: its id and change keys (before: the link's), its
/// calendar.
fn at_event(change: &mut JournalChange, link: Option<&Link>, event: Option<&RemoteEvent>) {
    if let Some(link) = link {
        change.calendar_id = link.calendar_id.clone();
        change.remote_id = Some(link.remote_id.clone());
        change.change_key_before = link.change_key.clone();
    }
    if let Some(event) = event {
        change.remote_id = Some(event.id.clone());
        change.change_key_after = event.change_key.clone();
    }
}

impl Run<'_, '_> {
    /// Adds to a page's write the line of a change pulled into Quick3 (`before` missing for
    /// one created, `after` for one deleted): `link` the link before it, `event` what Outlook
    /// sent.
    pub(super) fn journal_pulled(
        &mut self,
        write: &mut PageWrite,
        (before, after): (Option<&Appointment>, Option<&Appointment>),
        kind: ChangeKind,
        (link, event): (Option<&Link>, Option<&RemoteEvent>),
        calendar_id: &str,
    ) {
        if self.journal.is_none() && !self.options.dry_run {
            return;
        }
        let cause = if kind == ChangeKind::Deleted && self.mass_deletion_allowed {
            ChangeCause::MassDeletionAllowed
        } else {
            ChangeCause::OutlookChanged
        };
        let Some(mut change) = JournalChange::between(
            before.map(AppointmentRecord::from),
            after.map(AppointmentRecord::from),
            (ChangeSide::Quick3, kind, cause),
            self.account.id,
        ) else {
            return;
        };
        at_event(&mut change, link, event);
        change
            .calendar_id
            .get_or_insert_with(|| calendar_id.to_owned());
        if self.options.dry_run {
            self.preview(&change);
            return;
        }
        write.run = self.journal;
        write.journal.push(change);
    }

    /// Adds to `write` the lines of what it changes, read against the store as it is now (under
    /// the write lock): for writes built without a plan op per change, such as a Quick3 series
    /// taken down from Outlook (`series_down`). A row written and tombstoned together (an
    /// occurrence cancelled in Outlook) is one deletion; a series master kept unlinked is none.
    /// A dry run adds them to the preview instead.
    pub(super) fn journal_write(
        &mut self,
        write: &mut PageWrite,
        calendar_id: Option<&str>,
    ) -> Result<()> {
        if self.journal.is_none() && !self.options.dry_run {
            return Ok(());
        }
        let mut lines = Vec::new();
        // A line's event (the master, an instance) as its link now has it: an undo checks it
        // against Outlook before it puts the series back there.
        let mut line = |before: Option<&Appointment>,
                        after: Option<&Appointment>,
                        kind,
                        link: Option<&Link>| {
            let cause = ChangeCause::OutlookChanged;
            if let Some(mut change) = JournalChange::between(
                before.map(AppointmentRecord::from),
                after.map(AppointmentRecord::from),
                (ChangeSide::Quick3, kind, cause),
                self.account.id,
            ) {
                change.calendar_id = calendar_id.map(str::to_owned);
                if let Some(link) = link {
                    change.remote_id = Some(link.remote_id.clone());
                    change.change_key_after = link.change_key.clone();
                }
                lines.push(change);
            }
        };
        for (appointment, link) in &write.appointments {
            if write.tombstones.contains(&appointment.id) {
                continue;
            }
            let before = self.store.appointment_with_tombstone(appointment.id)?;
            let link = link.as_ref();
            match before {
                Some((before, false)) => {
                    line(Some(&before), Some(appointment), ChangeKind::Updated, link)
                }
                // An occurrence of a Quick3 series changed on its own for the first time: it
                // was the pattern's.
                None if let (Some(series), Some(start)) =
                    (appointment.series_id, appointment.original_start)
                    && let Ok(listed) = self.store.occurrence(series, start) =>
                {
                    line(
                        Some(&listed.appointment),
                        Some(appointment),
                        ChangeKind::Updated,
                        link,
                    );
                }
                _ if link.is_some() => line(None, Some(appointment), ChangeKind::Created, link),
                _ => {}
            }
        }
        for id in &write.tombstones {
            let written = write.appointments.iter().find(|(a, _)| a.id == *id);
            match self.store.appointment_with_tombstone(*id)? {
                Some((before, false)) => line(Some(&before), None, ChangeKind::Deleted, None),
                Some((_, true)) => {}
                None => line(written.map(|(a, _)| a), None, ChangeKind::Deleted, None),
            }
        }
        // The exceptions a new time or pattern sends back to the pattern: kept marked with the
        // run, whose undo restores them with the master.
        for series in &write.series_resets {
            for (row, live) in self.store.series_rows(*series)? {
                if live {
                    line(Some(&row), None, ChangeKind::Deleted, None);
                }
            }
        }
        if self.options.dry_run {
            for change in &lines {
                self.preview(change);
            }
            return Ok(());
        }
        write.run = self.journal;
        write.journal.extend(lines);
        Ok(())
    }

    /// The line of a push Microsoft confirmed: what Outlook held before (the journal's last
    /// line of the appointment in this account, when it has one), what it holds now.
    pub(super) fn journal_pushed(
        &self,
        op: &SyncOp,
        appointment: AppointmentId,
        event: Option<&RemoteEvent>,
    ) -> Result<Option<JournalChange>> {
        if self.journal.is_none() && !self.options.dry_run {
            return Ok(None);
        }
        let (kind, remote_id, change_key) = match op {
            SyncOp::PushCreate { .. } => (ChangeKind::Created, None, None),
            SyncOp::PushUpdate {
                remote_id,
                change_key,
                ..
            } => (ChangeKind::Updated, Some(remote_id), change_key.clone()),
            SyncOp::PushDelete { remote_id, .. } => (ChangeKind::Deleted, Some(remote_id), None),
            _ => return Ok(None),
        };
        let Some((current, _)) = self.store.appointment_with_tombstone(appointment)? else {
            return Ok(None);
        };
        let appointment_now = current;
        let current = AppointmentRecord::from(&appointment_now);
        let before = match kind {
            ChangeKind::Created => None,
            _ => self
                .store
                .last_journalled(appointment, self.account.id)?
                .or_else(|| (kind == ChangeKind::Deleted).then(|| current.clone())),
        };
        // An occurrence of a Quick3 series changed on its own for the first time was what its
        // pattern gives it (its undo sends it back there).
        let before = match (
            before,
            appointment_now.series_id,
            appointment_now.original_start,
        ) {
            (None, Some(series), Some(start))
                if kind == ChangeKind::Updated && appointment_now.origin == Origin::Quick3 =>
            {
                self.store
                    .pattern_occurrence(series, start)
                    .ok()
                    .map(|a| AppointmentRecord::from(&a))
            }
            (before, _, _) => before,
        };
        let after = (kind != ChangeKind::Deleted).then_some(current);
        // Conflicts are held, not overwritten, so what settles one is the planner's decision:
        // Keep Quick3's PATCH (conditional on the change key decided against; Outlook held the
        // conflict's version before it, which no line journalled) or Keep both's copy going up.
        let patch_of = match op {
            SyncOp::PushCreate { .. } => Some(None),
            SyncOp::PushUpdate { .. } => change_key.as_deref().map(Some),
            _ => None,
        };
        let carried = match patch_of {
            Some(key) => self
                .store
                .carried_decision(self.account.id, appointment, key)?,
            None => None,
        };
        let mut before = before;
        if let (Some(version), ChangeKind::Updated) = (&carried, kind) {
            before = Some(AppointmentRecord::from(&with_content(
                &appointment_now,
                version.content()?,
                appointment_now.updated_at,
            )));
        }
        let cause = if carried.is_some() {
            ChangeCause::ConflictDecided
        } else if self.options.undo.is_some() {
            ChangeCause::Undo
        } else {
            ChangeCause::Quick3Changed
        };
        let Some(mut change) = JournalChange::between(
            before,
            after,
            (ChangeSide::Outlook, kind, cause),
            self.account.id,
        ) else {
            return Ok(None);
        };
        change.remote_id = remote_id.cloned();
        change.change_key_before = change_key;
        if let Some(event) = event {
            change.remote_id = Some(event.id.clone());
            change.change_key_after = event.change_key.clone();
        }
        Ok(Some(change))
    }
}
