//! Undo of an earlier run, as the first phase of the undo's own run (trigger `undo`): the run's
//! journal lines grouped per appointment; each group decided against the appointment now and
//! its event in Outlook now (one GET each; `decide`, pure and table-tested): put back, removed,
//! recreated, or skipped with the reason; the decisions written in one transaction
//! (`Store::apply_undo`: appointments, outbox entries, the undo's lines, the lines marked
//! undone). The run then goes on as a sync, whose Up sends the uploads from the outbox: exactly
//! once, and after a crash by the next sync or undo. A dry run decides and writes nothing.
//! A series made in Quick3 is undone through its master and rows like any appointment (its
//! occurrences' changes going with a master deleted again, and the exceptions a Down reset
//! when it took Outlook's new times coming back with their master); what cannot be undone there (an
//! occurrence cancelled in Outlook, a series pulled from Outlook) is skipped and said.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::{Run, Stop, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::ids::{AppointmentId, SyncRunId};
use crate::model::recurrence::{Rule, occurrence_on, occurrences, original_date};
use crate::model::{
    Appointment, AppointmentRecord, ChangeCause, ChangeKind, ChangeSide, Content, JournalChange,
    Origin, Sensitivity, UndoAction, UndoItem, When, changed_fields,
};
use crate::store::RunReset;
use crate::store::journal::StoredChange;
use crate::store::undo::UndoWrite;

/// The event in Outlook now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Remote {
    /// The journal holds no event id for it.
    Unknown,
    Gone,
    Present {
        change_key: Option<String>,
    },
}

/// What an undo does to one appointment: its action, or why it skips it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Decision {
    Do(UndoAction),
    Skip(String),
}

fn in_series(record: &AppointmentRecord) -> bool {
    record.series_id.is_some() || record.recurrence.is_some()
}

/// The day an occurrence falls on, as the planner reads it ("Mon 14 Dec 2026").
fn occurrence_day(record: &AppointmentRecord) -> String {
    record
        .start
        .get(..10)
        .and_then(|date| date.parse::<chrono::NaiveDate>().ok())
        .map_or_else(
            || record.start.clone(),
            |date| date.format("%a %-d %b %Y").to_string(),
        )
}

/// Whether the run took an Outlook change of a Quick3 series' times or pattern, which reset its
/// exceptions here. Since migration 0022 the run keeps them (`RunReset`) and its undo brings
/// them back; a run before it dropped them, and its undo says they stay reset.
fn outlook_reset(first: &JournalChange, last: &JournalChange) -> bool {
    match (&first.before, &last.after) {
        (Some(before), Some(after)) if first.side == ChangeSide::Quick3 => {
            before.origin == Origin::Quick3
                && before.recurrence.is_some()
                && (before.start != after.start
                    || before.end != after.end
                    || before.recurrence != after.recurrence)
        }
        _ => false,
    }
}

/// Whether a record is an occurrence of a series pulled from Outlook.
fn pulled_occurrence(record: &AppointmentRecord) -> bool {
    record.series_id.is_some() && record.origin != Origin::Quick3
}

/// What the undo says of an occurrence cancelled in Outlook (by Outlook, or by the run).
fn cancelled_reason(record: &AppointmentRecord, side: ChangeSide) -> String {
    let day = occurrence_day(record);
    match side {
        ChangeSide::Quick3 => format!(
            "the occurrence of {day} was cancelled in Outlook and cannot be brought back there"
        ),
        ChangeSide::Outlook => format!(
            "the run cancelled the occurrence of {day} in Outlook, where it cannot be brought back"
        ),
    }
}

/// Why an undo leaves a series' change alone, when it must: an occurrence of a Quick3 series
/// the run cancelled in Outlook (Graph cannot bring a cancelled occurrence back; a loose event
/// in its place would be a copy). A pulled series' occurrence is weighed with its series
/// (`Run::pulled_series`).
fn series_skip(first: &JournalChange, last: &JournalChange) -> Option<String> {
    match (last.kind, first.before.as_ref()) {
        (ChangeKind::Deleted, Some(before))
            if before.series_id.is_some() && before.origin == Origin::Quick3 =>
        {
            Some(cancelled_reason(before, last.side))
        }
        _ => None,
    }
}

/// A series pulled from Outlook and deleted there as a series made in Quick3: its pulled
/// `master`, Quick3's now, and from `rows` (its occurrences as the run found them before it
/// deleted them) an exception for each that is not as the pattern gives it, and a cancellation
/// (not live) for each the pattern gives between the first and last of them that Outlook no
/// longer had. `None` when its pattern cannot be read.
pub(super) fn quick3_series_of(
    master: &Appointment,
    rows: &[Appointment],
    now: DateTime<Utc>,
) -> Option<(Appointment, Vec<(Appointment, bool)>)> {
    let rule = Rule::from_graph(master.recurrence.as_ref()?).ok()?;
    let series = Appointment {
        origin: Origin::Quick3,
        updated_at: now,
        ..master.clone()
    };
    let pattern_at = |original_start: DateTime<Utc>| {
        let occurrence = occurrence_on(&series.when, original_date(&series.when, original_start));
        (occurrence.original_start == original_start).then(|| Appointment {
            id: AppointmentId::occurrence(series.id, original_start),
            when: occurrence.when,
            recurrence: None,
            series_id: Some(series.id),
            original_start: Some(original_start),
            created_at: now,
            updated_at: now,
            ..series.clone()
        })
    };
    let mut found = Vec::new();
    let starts: Vec<DateTime<Utc>> = rows.iter().filter_map(|r| r.original_start).collect();
    for row in rows {
        let Some(pattern) = row.original_start.and_then(pattern_at) else {
            continue;
        };
        if !Content::of(row).same_as(&Content::of(&pattern)) {
            let exception = Appointment {
                title: row.title.clone(),
                when: row.when,
                location: row.location.clone(),
                notes: row.notes.clone(),
                categories: row.categories.clone(),
                show_as: row.show_as,
                sensitivity: row.sensitivity,
                ..pattern
            };
            found.push((exception, true));
        }
    }
    if let (Some(from), Some(to)) = (starts.iter().min(), starts.iter().max()) {
        for occurrence in occurrences(&rule, &series.when, *from, *to + Duration::seconds(1)) {
            if !starts.contains(&occurrence.original_start)
                && let Some(cancelled) = pattern_at(occurrence.original_start)
            {
                found.push((cancelled, false));
            }
        }
    }
    Some((series, found))
}

/// Decides the undo of one appointment's changes in a run, `first` and `last` its first and
/// last lines there, from the appointment as it is now (`local`, live; none when missing or
/// deleted) and its event in Outlook now. Anything changed since the run on either side is
/// skipped, never overwritten.
pub(super) fn decide(
    first: &JournalChange,
    last: &JournalChange,
    undone_by: Option<SyncRunId>,
    local: Option<&AppointmentRecord>,
    remote: &Remote,
) -> Decision {
    let skip = |reason: &str| Decision::Skip(reason.to_owned());
    if let Some(by) = undone_by {
        return Decision::Skip(format!("the run {by} undid it already"));
    }
    if let Some(reason) = series_skip(first, last) {
        return Decision::Skip(reason);
    }
    if first.kind == ChangeKind::Created && last.after.is_none() {
        return skip("the run created and deleted it again: nothing to undo");
    }
    // What the run left in Quick3 (an upload's line holds Quick3's appointment as sent).
    match (last.after.as_ref(), local) {
        (None, Some(_)) => return skip("it is back in Quick3 Planner since the run"),
        (Some(_), None) => return skip("it was deleted in Quick3 Planner since the run"),
        (Some(left), Some(now))
            if !changed_fields(Some(left), Some(now)).is_empty()
                || left.recurrence != now.recurrence =>
        {
            return skip("it was changed in Quick3 Planner since the run");
        }
        _ => {}
    }
    match (last.kind, remote) {
        (_, Remote::Unknown) | (ChangeKind::Deleted, Remote::Gone) => {}
        (ChangeKind::Deleted, Remote::Present { .. }) if last.side == ChangeSide::Quick3 => {
            return skip(
                "its event is still in Outlook (its calendar was switched off or removed); it returns with its calendar",
            );
        }
        (ChangeKind::Deleted, Remote::Present { .. }) => {
            return skip("its event is back in Outlook since the run");
        }
        (_, Remote::Gone) => return skip("its event was deleted in Outlook since the run"),
        (_, Remote::Present { change_key })
            if last.change_key_after.is_some() && *change_key != last.change_key_after =>
        {
            return skip("its event was changed in Outlook since the run");
        }
        _ => {}
    }
    match (first.kind, &first.before, &last.after) {
        (ChangeKind::Created, _, _) => Decision::Do(UndoAction::Remove),
        (_, None, _) => skip("the journal does not hold it as it was before the run"),
        (_, Some(_), None) => Decision::Do(UndoAction::Recreate),
        (_, Some(_), Some(_)) => Decision::Do(UndoAction::PutBack),
    }
}

/// How messages name an appointment of the journal ([`Appointment::message_name`]).
pub(super) fn name_of(record: &AppointmentRecord) -> String {
    if matches!(
        record.sensitivity,
        Sensitivity::Private | Sensitivity::Confidential
    ) {
        format!("A private appointment ({})", record.start)
    } else {
        format!("“{}” ({})", record.title, record.start)
    }
}

/// What an action does, in plain words, on the side the run changed: for a series made in
/// Quick3 (`series`: its master or one of its occurrences), whose changes always go up.
fn sentence(action: UndoAction, side: ChangeSide, reason: Option<&str>, series: bool) -> String {
    match (action, side) {
        (UndoAction::Skip, _) => format!("Not undone: {}.", reason.unwrap_or("")),
        (UndoAction::PutBack, ChangeSide::Quick3) if series => {
            "Put back as it was before the run, in Quick3 Planner and in Outlook (when its account uploads).".into()
        }
        (UndoAction::Remove, ChangeSide::Outlook) if series => {
            "Deleted again with its occurrences, in Quick3 Planner and in Outlook.".into()
        }
        (UndoAction::Recreate, ChangeSide::Quick3) if series => {
            "Restored in Quick3 Planner with the exceptions its deletion took; its series gone from Outlook, it goes up as a new series when its account uploads.".into()
        }
        (UndoAction::Recreate, ChangeSide::Outlook) if series => {
            "Restored in Quick3 Planner with its exceptions and created again in Outlook as a new series.".into()
        }
        (UndoAction::PutBack, ChangeSide::Quick3) => {
            "Put back in Quick3 Planner as it was before the run.".into()
        }
        (UndoAction::PutBack, ChangeSide::Outlook) => {
            "Put back as it was before the run, in Quick3 Planner and in Outlook.".into()
        }
        (UndoAction::Remove, ChangeSide::Quick3) => {
            "Deleted in Quick3 Planner again (Outlook keeps its event).".into()
        }
        (UndoAction::Remove, ChangeSide::Outlook) => {
            "Deleted again, in Quick3 Planner and in Outlook.".into()
        }
        (UndoAction::Recreate, ChangeSide::Quick3) => {
            "Restored in Quick3 Planner as its own appointment, uploaded to Outlook as a new event when its account uploads.".into()
        }
        (UndoAction::Recreate, ChangeSide::Outlook) => {
            "Restored in Quick3 Planner and created again in Outlook as a new event.".into()
        }
    }
}

/// The appointment a journal snapshot describes, as of `now`.
fn appointment_of(record: &AppointmentRecord, now: DateTime<Utc>) -> Result<Appointment> {
    let when = When::parse(
        record.all_day,
        &record.start,
        Some(&record.end),
        record.time_zone.as_deref().unwrap_or("UTC"),
    )?;
    Ok(Appointment {
        id: record.id,
        resource_id: record.resource_id,
        title: record.title.clone(),
        when,
        location: record.location.clone(),
        notes: record.notes.clone(),
        categories: record.categories.clone(),
        show_as: record.show_as,
        sensitivity: record.sensitivity,
        origin: record.origin.clone(),
        recurrence: record.recurrence.clone(),
        series_id: record.series_id,
        original_start: record.original_start,
        created_at: record.created_at,
        updated_at: now,
    })
}

/// The lines of a run per appointment, in the order of their first line.
fn groups(lines: &[StoredChange]) -> Vec<Vec<&StoredChange>> {
    let mut groups: Vec<Vec<&StoredChange>> = Vec::new();
    for line in lines {
        match groups
            .iter_mut()
            .find(|g| g[0].change.appointment == line.change.appointment)
        {
            Some(group) => group.push(line),
            None => groups.push(vec![line]),
        }
    }
    groups
}

/// What an undo writes, collected while deciding.
#[derive(Default)]
struct Planned {
    writes: Vec<(UndoWrite, Option<DateTime<Utc>>)>,
    lines: Vec<JournalChange>,
    undone: Vec<i64>,
    /// Quick3 series put back whose reset the run made (their `series_resets` row): the
    /// master's write restores the rows that reset marked.
    resets: HashMap<AppointmentId, i64>,
}

/// The reset of the run whose row a line group is: an exception of a Quick3 series the run
/// sent back to the pattern when it took Outlook's new times (or a cancellation in the new
/// pattern at an original start such a row had: undoing the reset gives the place back).
fn reset_row_of<'a>(first: &JournalChange, resets: &'a [RunReset]) -> Option<&'a RunReset> {
    if first.side != ChangeSide::Quick3 || first.kind != ChangeKind::Deleted {
        return None;
    }
    let (series, start) = (first.series_id?, first.original_start?);
    resets
        .iter()
        .find(|r| r.series == series && r.rows.iter().any(|(s, _)| *s == start))
}

/// One appointment of the run being undone: its lines, its row now (live) and the decision.
type Decided<'l> = (Vec<&'l StoredChange>, Option<Appointment>, Decision);

/// The Quick3 series put back whose reset the run made (`resets`), each with that reset's row:
/// the master's write restores the rows that reset marked.
fn put_back_resets(decided: &[Decided<'_>], resets: &[RunReset]) -> HashMap<AppointmentId, i64> {
    decided
        .iter()
        .filter(|(_, _, d)| *d == Decision::Do(UndoAction::PutBack))
        .filter_map(|(group, _, _)| {
            let master = group[0].change.appointment;
            resets
                .iter()
                .find(|r| r.series == master)
                .map(|r| (master, r.reset))
        })
        .collect()
}

/// What an appointment undone with its series does and says, when it goes with it: a row
/// `reset` by the run put back after its series, an occurrence `carried` along by its series
/// deleted again, one restored in a pulled series `converted` to Quick3's. `None` otherwise.
fn with_series_sentence(
    reset: bool,
    carried: bool,
    converted: bool,
) -> Option<(UndoAction, String)> {
    if reset {
        Some((
            UndoAction::PutBack,
            "Restored with its series: Outlook's new times had sent it back to the pattern; it goes up after the series.".to_owned(),
        ))
    } else if carried {
        Some((
            UndoAction::Remove,
            "Deleted again with its series.".to_owned(),
        ))
    } else if converted {
        Some((
            UndoAction::Recreate,
            "Restored in Quick3 Planner in its series, which becomes Quick3's; its series gone from Outlook, it goes up as a new series when its account uploads.".to_owned(),
        ))
    } else {
        None
    }
}

impl Run<'_, '_> {
    /// Undoes `target` (a run of this account): decides each appointment it changed, reports
    /// each in the summary's `undo`, and (unless a dry run) writes the decisions.
    pub(super) async fn undo(&mut self, target: SyncRunId) -> std::result::Result<(), Stop> {
        let lines = self.store.sync_run_changes(target)?;
        let now = (self.clock)();
        let mut planned = Planned::default();
        let mut decided = self.decide_groups(&lines).await?;
        let converted = self.pulled_series(&mut decided, now, &mut planned).await?;
        // Series whose reset by the run comes back with their master (migration 0022).
        let resets = self.store.series_resets_of_run(target)?;
        let had_rows: HashSet<AppointmentId> = resets
            .iter()
            .filter(|r| !r.rows.is_empty())
            .map(|r| r.series)
            .collect();
        planned.resets = put_back_resets(&decided, &resets);
        // A series the undo deletes again takes its occurrences' changes of the run along.
        let removed: Vec<_> = decided
            .iter()
            .filter(|(_, _, d)| *d == Decision::Do(UndoAction::Remove))
            .map(|(group, _, _)| group[0].change.appointment)
            .collect();
        for (group, live, mut decision) in decided {
            let (first, last) = (&group[0].change, &group[group.len() - 1].change);
            let reset_row = reset_row_of(first, &resets)
                .filter(|_| group.iter().all(|l| l.undone_by.is_none()))
                .map(|r| planned.resets.contains_key(&r.series));
            match reset_row {
                Some(true) => decision = Decision::Do(UndoAction::PutBack),
                Some(false) => {
                    decision = Decision::Skip(
                        "it comes back only with its series, whose change is not undone".into(),
                    );
                }
                None => {}
            }
            let shown = last
                .after
                .as_ref()
                .or(first.before.as_ref())
                .or(first.after.as_ref());
            let series = shown.is_some_and(|r| r.origin == Origin::Quick3 && in_series(r));
            let carried = first.series_id.is_some_and(|s| removed.contains(&s))
                && matches!(decision, Decision::Do(_));
            let (action, reason) = match &decision {
                Decision::Do(action) => (*action, None),
                Decision::Skip(reason) => (UndoAction::Skip, Some(reason.clone())),
            };
            let in_converted = first.series_id.is_some_and(|s| converted.contains(&s))
                && matches!(decision, Decision::Do(_));
            let (action, sentence) = if let Some(with_series) =
                with_series_sentence(reset_row == Some(true), carried, in_converted)
            {
                with_series
            } else {
                let mut sentence = sentence(action, first.side, reason.as_deref(), series);
                let reset_here = planned.resets.contains_key(&first.appointment);
                if action == UndoAction::PutBack
                    && reset_here
                    && had_rows.contains(&first.appointment)
                {
                    sentence.push_str(
                        " Its occurrences changed on their own before Outlook changed its times \
                         come back with it.",
                    );
                } else if action == UndoAction::PutBack && !reset_here && outlook_reset(first, last)
                {
                    sentence.push_str(
                        " Its occurrences changed on their own before Outlook changed its times \
                         are not brought back (Outlook's change reset them).",
                    );
                }
                (action, sentence)
            };
            self.summary.undo.push(UndoItem {
                appointment: first.appointment,
                name: shown
                    .map(name_of)
                    .unwrap_or_else(|| first.appointment.to_string()),
                side: first.side,
                kind: first.kind,
                action,
                sentence,
                reason,
            });
            if let Decision::Do(action) = decision {
                if !carried && !in_converted && reset_row.is_none() {
                    self.plan_write(action, first, live.as_ref(), target, now, &mut planned)?;
                }
                planned.undone.extend(group.iter().map(|l| l.id));
            }
        }
        self.write_planned(&planned, now)
    }

    /// Decides each appointment of the run's `lines` (a group of lines each) from what it is
    /// now in Quick3 and, unless a later undo undid it already, in Outlook.
    async fn decide_groups<'l>(
        &mut self,
        lines: &'l [StoredChange],
    ) -> std::result::Result<Vec<Decided<'l>>, Stop> {
        let mut decided = Vec::new();
        for group in groups(lines) {
            let (first, last) = (&group[0].change, &group[group.len() - 1].change);
            let undone_by = group.iter().find_map(|l| l.undone_by);
            let current = self.store.appointment_with_tombstone(first.appointment)?;
            let live = current.filter(|(_, deleted)| !deleted).map(|(a, _)| a);
            let remote = match undone_by {
                Some(_) => Remote::Unknown,
                None => {
                    self.remote_now(last.remote_id.as_ref().or(first.remote_id.as_ref()))
                        .await?
                }
            };
            let local = live.as_ref().map(AppointmentRecord::from);
            let decision = decide(first, last, undone_by, local.as_ref(), &remote);
            decided.push((group, live, decision));
        }
        Ok(decided)
    }

    /// Writes what the undo planned, in the undo's own run, unless a dry run.
    fn write_planned(
        &mut self,
        planned: &Planned,
        now: DateTime<Utc>,
    ) -> std::result::Result<(), Stop> {
        if self.options.dry_run {
            return Ok(());
        }
        if let Some(run) = self.journal {
            self.store
                .apply_undo(run, &planned.writes, &planned.lines, &planned.undone, now)?;
            crate::sync::crash::point(crate::sync::crash::Step::UndoWritten);
        }
        Ok(())
    }

    /// Weighs the occurrences of series pulled from Outlook that the run deleted (each decided
    /// `Recreate`): when their series is gone from Outlook too, it comes back as a series made
    /// in Quick3 (`quick3_series_of`), planned here; when Outlook still has it, each was
    /// cancelled there, which cannot be brought back (skipped). Answers the series planned.
    async fn pulled_series(
        &mut self,
        decided: &mut [(Vec<&StoredChange>, Option<Appointment>, Decision)],
        now: DateTime<Utc>,
        planned: &mut Planned,
    ) -> std::result::Result<Vec<AppointmentId>, Stop> {
        let mut by_series: Vec<(AppointmentId, Vec<usize>)> = Vec::new();
        for (n, (group, _, decision)) in decided.iter().enumerate() {
            let first = &group[0].change;
            match (&first.before, decision) {
                (Some(before), Decision::Do(UndoAction::Recreate)) if pulled_occurrence(before) => {
                    let series = before.series_id.unwrap_or(before.id);
                    match by_series.iter_mut().find(|(s, _)| *s == series) {
                        Some((_, found)) => found.push(n),
                        None => by_series.push((series, vec![n])),
                    }
                }
                _ => {}
            }
        }
        let mut converted = Vec::new();
        for (series, members) in by_series {
            let master = match self.store.appointment_with_tombstone(series)? {
                Some((master, false)) if master.recurrence.is_some() => master,
                _ => {
                    for n in members {
                        decided[n].2 =
                            Decision::Skip("its series is no longer kept in Quick3 Planner".into());
                    }
                    continue;
                }
            };
            let remote_id = match &master.origin {
                Origin::Microsoft365 { remote_id, .. } => Some(remote_id.clone()),
                Origin::Quick3 => None,
            };
            if let Remote::Present { .. } = self.remote_now(remote_id.as_ref()).await? {
                for n in members {
                    let first = &decided[n].0[0].change;
                    let reason = first
                        .before
                        .as_ref()
                        .map(|b| cancelled_reason(b, first.side))
                        .unwrap_or_default();
                    decided[n].2 = Decision::Skip(reason);
                }
                continue;
            }
            let mut rows = Vec::new();
            for n in &members {
                if let Some(before) = &decided[*n].0[0].change.before {
                    rows.push(appointment_of(before, now)?);
                }
            }
            let Some((quick3, rows)) = quick3_series_of(&master, &rows, now) else {
                for n in members {
                    decided[n].2 = Decision::Skip("its series' pattern cannot be read here".into());
                }
                continue;
            };
            let line = |before: Option<&Appointment>, after: &Appointment, kind| {
                JournalChange::between(
                    before.map(AppointmentRecord::from),
                    Some(AppointmentRecord::from(after)),
                    (ChangeSide::Quick3, kind, ChangeCause::Undo),
                    self.account.id,
                )
            };
            planned
                .lines
                .extend(line(Some(&master), &quick3, ChangeKind::Updated));
            for (row, live) in &rows {
                if *live {
                    planned.lines.extend(line(None, row, ChangeKind::Created));
                }
            }
            let seen = Some(master.updated_at);
            let write = UndoWrite::Series {
                master: Box::new(quick3),
                rows,
            };
            planned.writes.push((write, seen));
            converted.push(series);
        }
        Ok(converted)
    }

    /// The event `remote_id` in this mailbox now.
    async fn remote_now(&self, remote_id: Option<&String>) -> std::result::Result<Remote, Stop> {
        let Some(id) = remote_id else {
            return Ok(Remote::Unknown);
        };
        let path = self
            .client
            .in_mailbox(&format!("/events/{}?$select=id,changeKey", urlencode(id)));
        match self.client.get(&path, &[]).await {
            Ok(event) => Ok(Remote::Present {
                change_key: event["changeKey"].as_str().map(str::to_owned),
            }),
            Err(GraphError::NotFound) => Ok(Remote::Gone),
            Err(err) => Err(Stop::Graph(err)),
        }
    }

    /// Adds what `action` writes for the appointment of `first` (now `live`, when it is).
    fn plan_write(
        &self,
        action: UndoAction,
        first: &JournalChange,
        live: Option<&Appointment>,
        target: SyncRunId,
        now: DateTime<Utc>,
        planned: &mut Planned,
    ) -> Result<()> {
        let seen = live.map(|a| a.updated_at);
        let (write, after) = match (action, &first.before, live) {
            (UndoAction::Remove, _, Some(current)) => {
                (UndoWrite::Remove(Box::new(current.clone())), None)
            }
            (UndoAction::PutBack, Some(before), Some(current)) => {
                let appointment = appointment_of(before, now)?;
                let also_resource =
                    (current.resource_id != appointment.resource_id).then_some(current.resource_id);
                let after = AppointmentRecord::from(&appointment);
                let write = match planned.resets.get(&current.id) {
                    Some(reset) => UndoWrite::SeriesReset {
                        master: Box::new(current.clone()),
                        reset: *reset,
                    },
                    None => UndoWrite::Put {
                        appointment: Box::new(appointment),
                        new_event: None,
                        also_resource,
                    },
                };
                (write, Some(after))
            }
            (UndoAction::Recreate, Some(before), _) => {
                let mut appointment = appointment_of(before, now)?;
                // Its event is gone: it becomes Quick3's own, and goes up like any edit.
                appointment.origin = Origin::Quick3;
                let after = AppointmentRecord::from(&appointment);
                // A transactionId of this undo's own: a crashed undo sent again is deduplicated
                // by Outlook, the first event's (deleted) is never answered instead.
                let generation = u32::try_from(target.0.max(1)).unwrap_or(u32::MAX);
                let write = UndoWrite::Put {
                    appointment: Box::new(appointment),
                    new_event: Some((self.account.id, generation)),
                    also_resource: None,
                };
                (write, Some(after))
            }
            _ => return Ok(()),
        };
        planned.writes.push((write, seen));
        // An upload's undo is journalled by the upload it causes (side Outlook, cause undo);
        // a pulled change's undo here, on Quick3's side.
        if first.side == ChangeSide::Quick3 {
            let kind = match action {
                UndoAction::PutBack => ChangeKind::Updated,
                UndoAction::Remove => ChangeKind::Deleted,
                _ => ChangeKind::Created,
            };
            if let Some(mut line) = JournalChange::between(
                live.map(AppointmentRecord::from),
                after,
                (ChangeSide::Quick3, kind, ChangeCause::Undo),
                self.account.id,
            ) {
                line.calendar_id = first.calendar_id.clone();
                line.remote_id = first.remote_id.clone();
                planned.lines.push(line);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{AccountId, AppointmentId, ResourceId};

    fn record(title: &str, start: &str) -> AppointmentRecord {
        let now = Utc::now();
        let when = When::parse(false, start, Some("2026-03-02T23:00"), "Europe/Amsterdam").unwrap();
        AppointmentRecord::from(&Appointment {
            id: AppointmentId::at(now),
            resource_id: ResourceId(1),
            title: title.into(),
            when,
            location: String::new(),
            notes: String::new(),
            categories: vec![],
            show_as: Default::default(),
            sensitivity: Default::default(),
            origin: Origin::Quick3,
            recurrence: None,
            series_id: None,
            original_start: None,
            created_at: now,
            updated_at: now,
        })
    }

    fn line(
        side: ChangeSide,
        kind: ChangeKind,
        before: Option<&AppointmentRecord>,
        after: Option<&AppointmentRecord>,
    ) -> JournalChange {
        let mut change = JournalChange::between(
            before.cloned(),
            after.cloned(),
            (side, kind, ChangeCause::Quick3Changed),
            AccountId(1),
        )
        .unwrap();
        change.remote_id = Some("ev".into());
        change.change_key_after = after.map(|_| "k2".to_owned());
        change
    }

    fn present(key: &str) -> Remote {
        Remote::Present {
            change_key: Some(key.into()),
        }
    }

    #[test]
    fn each_change_is_undone_unless_a_side_changed_since() {
        let old = record("Visit", "2026-03-02T09:00");
        let mut moved = old.clone();
        moved.start = "2026-03-02T10:00:00+01:00".into();
        let mut edited = moved.clone();
        edited.title = "Visit (edited)".into();
        use ChangeKind::*;
        use ChangeSide::*;
        let skip = |reason: &str| Decision::Skip(reason.to_owned());
        // An occurrence of a Quick3 series, and one of a series pulled from Outlook.
        let mut occurrence = old.clone();
        occurrence.series_id = Some(AppointmentId::at(Utc::now()));
        occurrence.original_start = Some("2026-03-02T08:00:00Z".parse().unwrap());
        let mut pulled = occurrence.clone();
        pulled.origin = Origin::Microsoft365 {
            account_id: Some(AccountId(1)),
            calendar_id: "cal".into(),
            remote_id: "ev".into(),
        };
        #[rustfmt::skip]
        let cases: Vec<(&str, JournalChange, Option<&AppointmentRecord>, Remote, Decision)> = vec![
            ("an upload's move goes back", line(Outlook, Updated, Some(&old), Some(&moved)), Some(&moved), present("k2"), Decision::Do(UndoAction::PutBack)),
            ("an upload's creation goes", line(Outlook, Created, None, Some(&moved)), Some(&moved), present("k2"), Decision::Do(UndoAction::Remove)),
            ("an upload's deletion comes back as a new event", line(Outlook, Deleted, Some(&old), None), None, Remote::Gone, Decision::Do(UndoAction::Recreate)),
            ("a pulled deletion comes back", line(Quick3, Deleted, Some(&old), None), None, Remote::Gone, Decision::Do(UndoAction::Recreate)),
            ("a pulled move goes back", line(Quick3, Updated, Some(&old), Some(&moved)), Some(&moved), present("k2"), Decision::Do(UndoAction::PutBack)),
            ("Outlook changed it since", line(Outlook, Updated, Some(&old), Some(&moved)), Some(&moved), present("k3"), skip("its event was changed in Outlook since the run")),
            ("Outlook deleted it since", line(Outlook, Updated, Some(&old), Some(&moved)), Some(&moved), Remote::Gone, skip("its event was deleted in Outlook since the run")),
            ("the planner changed it since", line(Outlook, Updated, Some(&old), Some(&moved)), Some(&edited), present("k2"), skip("it was changed in Quick3 Planner since the run")),
            ("the planner deleted it since", line(Quick3, Updated, Some(&old), Some(&moved)), None, present("k2"), skip("it was deleted in Quick3 Planner since the run")),
            ("already back", line(Quick3, Deleted, Some(&old), None), Some(&old), Remote::Gone, skip("it is back in Quick3 Planner since the run")),
            ("its calendar is off", line(Quick3, Deleted, Some(&old), None), None, present("k2"), skip("its event is still in Outlook (its calendar was switched off or removed); it returns with its calendar")),
            ("no snapshot before", line(Outlook, Updated, None, Some(&moved)), Some(&moved), present("k2"), skip("the journal does not hold it as it was before the run")),
            ("an occurrence cancelled in Outlook stays so there", line(Quick3, Deleted, Some(&occurrence), None), None, Remote::Unknown, skip("the occurrence of Mon 2 Mar 2026 was cancelled in Outlook and cannot be brought back there")),
            ("an occurrence the run cancelled too", line(Outlook, Deleted, Some(&occurrence), None), None, Remote::Gone, skip("the run cancelled the occurrence of Mon 2 Mar 2026 in Outlook, where it cannot be brought back")),
            ("an occurrence moved in Outlook goes back", line(Quick3, Updated, Some(&occurrence), Some(&occurrence)), Some(&occurrence), present("k2"), Decision::Do(UndoAction::PutBack)),
            ("a pulled series' occurrence goes back here, as a pulled appointment does", line(Quick3, Updated, Some(&pulled), Some(&pulled)), Some(&pulled), present("k2"), Decision::Do(UndoAction::PutBack)),
            ("a pulled series' occurrence deleted is weighed with its series", line(Quick3, Deleted, Some(&pulled), None), None, Remote::Gone, Decision::Do(UndoAction::Recreate)),
        ];
        for (why, change, local, remote, expected) in cases {
            assert_eq!(
                decide(&change, &change, None, local, &remote),
                expected,
                "{why}"
            );
        }
        let change = line(Outlook, Updated, Some(&old), Some(&moved));
        assert_eq!(
            decide(
                &change,
                &change,
                Some(SyncRunId(7)),
                Some(&moved),
                &present("k2")
            ),
            skip("the run 7 undid it already"),
            "undoing twice undoes once"
        );
    }

    #[test]
    fn a_pulled_series_becomes_quick3s_with_its_moved_occurrence_and_its_gap() {
        use crate::model::{Recurrence, RecurrencePattern, RecurrenceRange};
        let at = |text: &str| -> DateTime<Utc> { text.parse().unwrap() };
        let now = at("2026-03-01T00:00:00Z");
        let mut master = appointment_of(&record("Review", "2026-03-02T14:00"), now).unwrap();
        master.origin = Origin::Microsoft365 {
            account_id: Some(AccountId(1)),
            calendar_id: "cal".into(),
            remote_id: "master".into(),
        };
        master.recurrence = Some(Recurrence {
            pattern: RecurrencePattern {
                kind: "daily".into(),
                interval: 1,
                days_of_week: vec![],
                first_day_of_week: None,
                day_of_month: None,
                month: None,
                index: None,
            },
            range: RecurrenceRange {
                kind: "numbered".into(),
                start_date: "2026-03-02".parse().unwrap(),
                end_date: None,
                number_of_occurrences: Some(5),
                recurrence_time_zone: Some("Europe/Amsterdam".into()),
            },
        });
        // Outlook's occurrences as pulled: the 2nd moved an hour on, the 4th cancelled.
        let rows: Vec<Appointment> = [0, 1, 2, 4]
            .iter()
            .map(|&n| {
                let original = at("2026-03-02T13:00:00Z") + Duration::days(n);
                let shift = Duration::hours(if n == 1 { 1 } else { 0 });
                Appointment {
                    id: AppointmentId::at(now),
                    when: When::Timed {
                        start: original + shift,
                        end: at("2026-03-02T22:00:00Z") + Duration::days(n) + shift,
                        time_zone: chrono_tz::Europe::Amsterdam,
                    },
                    recurrence: None,
                    series_id: Some(master.id),
                    original_start: Some(original),
                    ..master.clone()
                }
            })
            .collect();
        let (series, found) = quick3_series_of(&master, &rows, now).unwrap();
        assert_eq!(series.origin, Origin::Quick3, "the series is Quick3's now");
        assert_eq!(series.id, master.id, "in the pulled master's row");
        let found: Vec<(DateTime<Utc>, bool, AppointmentId)> = found
            .iter()
            .map(|(row, live)| (row.original_start.unwrap(), *live, row.id))
            .collect();
        let (moved, gap) = (at("2026-03-03T13:00:00Z"), at("2026-03-05T13:00:00Z"));
        assert_eq!(
            found,
            [
                (moved, true, AppointmentId::occurrence(master.id, moved)),
                (gap, false, AppointmentId::occurrence(master.id, gap)),
            ],
            "the moved one an exception, the missing one a cancellation, the rest expanded"
        );
    }

    #[test]
    fn a_snapshot_reads_back_into_the_same_appointment() {
        let old = record("Visit", "2026-03-02T09:00");
        let back = appointment_of(&old, Utc::now()).unwrap();
        assert_eq!(
            changed_fields(Some(&old), Some(&AppointmentRecord::from(&back))),
            vec![],
            "a restored appointment has every synced field it had"
        );
    }
}
