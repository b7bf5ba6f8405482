//! Down of series: a series made in Quick3 and changed in Outlook (its subject, times or pattern
//! edited on the master; an occurrence moved or deleted there) taken into its Quick3 master,
//! exceptions and cancellations; and a pulled series' master kept as Outlook now has it.
//!
//! Phases for a series made in Quick3: a page's occurrences of it that Down drops (Quick3
//! expands them) are weighed against Quick3's own expansion, and a removal no link places marks
//! every Quick3 series of the account (`touched`); before that page is written, each such
//! series' master and instances (over the window widened to its neighbouring occurrences and a
//! week, `instance_range`, so that an occurrence moved out of the window is still found) are read in one `$batch`
//! (`ask`), and what Outlook changed is decided without I/O (`master_from_outlook`,
//! `occurrences_from_outlook`) and written under the write lock, with links so that later
//! changes come as linked events through the plan. Nothing is queued for upload: what comes
//! down is in Outlook already. A series whose master Outlook no longer has is deleted there: it
//! goes to the page's plan as one removal of its master (`gone_series`), weighed like any.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use reqwest::Method;
use serde_json::Value;

use super::page::ReadLocal;
use super::{Run, Stop, urlencode};
use crate::error::{CoreError, Result};
use crate::graph::GraphError;
use crate::graph::client::{Answer, BatchPart, read_page};
use crate::graph::event::{self, RemoteEntry, RemoteEvent};
use crate::ids::AppointmentId;
use crate::model::recurrence::{occurrence_on, occurrences, original_date};
use crate::model::{
    Appointment, ConflictField, Content, Origin, Rule, When, local_hash, pattern_digest,
    pattern_of_hash, same_pattern, zones,
};
use crate::store::conflicts::ConflictHold;
use crate::store::sync_state::{Link, PageCommit, PageWrite};
use crate::sync::plan::RemoteItem;

/// How far beyond the window (and its neighbouring occurrences, [`instance_range`]) a series'
/// instances are asked for.
const INSTANCE_MARGIN_DAYS: i64 = 7;

/// How far before and after the window the pattern's neighbouring occurrence is looked for
/// (two years: a yearly series' neighbours, every other year's too).
const NEIGHBOUR_REACH_DAYS: i64 = 2 * 366;

/// Series asked for in one `$batch`: a master and its instances each, 20 parts at most.
const SERIES_PER_BATCH: usize = 10;

/// Instances asked for in one page (Graph's most).
const INSTANCES_PER_PAGE: u32 = 1000;

/// What Outlook holds of one Quick3 series: its master and its instances.
#[derive(Debug, Clone)]
pub(super) struct OutlookSeries {
    master: RemoteEvent,
    instances: Vec<RemoteEvent>,
}

/// Quick3 series deleted in Outlook, as a page's plan takes them (`Run::gone_series`).
#[derive(Default)]
pub(super) struct GoneSeries {
    /// One removal of each master's link.
    pub(super) removals: Vec<RemoteItem>,
    /// The masters.
    pub(super) masters: HashSet<AppointmentId>,
    /// The masters with an occurrence changed here waiting for upload.
    pub(super) edited: HashSet<AppointmentId>,
    /// Remote ids of the series' rows' instances (their removals are the series').
    pub(super) row_ids: HashSet<String>,
    /// The series' rows as the plan read them, checked again before the write.
    pub(super) row_reads: Vec<(AppointmentId, ReadLocal)>,
}

/// A local exception or cancellation of a Quick3 series, as Down weighs it.
struct LocalRow {
    appointment: Appointment,
    live: bool,
    linked: bool,
    /// An upload of it waits: Quick3's change goes up, Outlook's is not taken.
    pending: bool,
}

/// How many occurrences of a series Outlook changed and cancelled (the summary's counts).
#[derive(Default)]
struct SeriesChanges {
    updated: u32,
    deleted: u32,
}

/// `remote`'s time with `local`'s zone when Outlook names the same Windows zone (a zone leaves
/// as its Windows name and may come back as CLDR's zone for it: Europe/Oslo as Europe/Berlin).
fn in_local_zone(local: &When, remote: When) -> When {
    match (local, remote) {
        (
            When::Timed {
                time_zone: mine, ..
            },
            When::Timed {
                start,
                end,
                time_zone,
            },
        ) if zones::to_graph(*mine) == zones::to_graph(time_zone) => When::Timed {
            start,
            end,
            time_zone: *mine,
        },
        (_, remote) => remote,
    }
}

/// Whether Outlook changed a Quick3 series' master since the link's base: its synced fields
/// (the event's hash), or its pattern. The base's pattern is known by its digest only: while
/// Quick3's pattern is the base's, Outlook's differing from it is Outlook's change; when Quick3
/// changed its pattern too, Outlook's differing one is Outlook's change only if the event
/// changed since (its change key).
pub(super) fn outlook_changed_master(
    master: &Appointment,
    link: &Link,
    remote: &RemoteEvent,
) -> bool {
    if remote.content.hash() != link.remote_hash {
        return true;
    }
    let (local, theirs) = (master.recurrence.as_ref(), remote.recurrence.as_ref());
    if same_pattern(local, theirs) {
        return false;
    }
    let quick3_kept_pattern = local.is_some_and(|local| {
        pattern_of_hash(&link.local_hash) == Some(pattern_digest(local).as_str())
    });
    quick3_kept_pattern || remote.change_key != link.change_key
}

/// The fields in which Quick3's master and Outlook's differ so that a change on both sides is a
/// conflict (none: they agree on all that counts, and Quick3's version goes up).
pub(super) fn master_conflict_fields(
    master: &Appointment,
    remote: &RemoteEvent,
) -> Vec<ConflictField> {
    let mut fields = Content::of(master).conflicting_fields(&remote.content);
    if !same_pattern(master.recurrence.as_ref(), remote.recurrence.as_ref()) {
        fields.push(ConflictField::Pattern);
    }
    fields
}

/// `appointment` with `content`'s fields, its zone kept where Outlook names the same one.
fn with_content(appointment: &Appointment, content: &Content, now: DateTime<Utc>) -> Appointment {
    Appointment {
        title: content.title.clone(),
        when: in_local_zone(&appointment.when, content.when),
        location: content.location.clone(),
        notes: content.notes.clone(),
        categories: content.categories.clone(),
        show_as: content.show_as,
        sensitivity: content.sensitivity,
        updated_at: now,
        ..appointment.clone()
    }
}

/// The Quick3 master as Outlook has it when Outlook changed it (`None`: the same), with whether
/// its times or pattern changed, which sent its exceptions back to the pattern in Outlook.
fn master_from_outlook(
    master: &Appointment,
    remote: &RemoteEvent,
    now: DateTime<Utc>,
) -> Option<(Appointment, bool)> {
    let local_recurrence = master.recurrence.as_ref()?;
    let remote_recurrence = remote.recurrence.as_ref()?;
    let pattern_same = same_pattern(Some(local_recurrence), Some(remote_recurrence));
    if pattern_same && remote.content.same_as(&Content::of(master)) {
        return None;
    }
    let mut updated = with_content(master, &remote.content, now);
    if !pattern_same {
        // Outlook's pattern, expanded in the zone the series is kept in here.
        let mut recurrence = remote_recurrence.clone();
        recurrence.range.recurrence_time_zone = updated
            .when
            .time_zone()
            .map(|tz| tz.name().to_owned())
            .or_else(|| local_recurrence.range.recurrence_time_zone.clone());
        updated.recurrence = Some(recurrence);
    }
    let times_changed = !pattern_same || updated.when != master.when;
    Some((updated, times_changed))
}

/// An occurrence of `series` at `original_start` as a row of its own (an exception, or with a
/// tombstone a cancellation).
fn occurrence_row(
    series: &Appointment,
    original_start: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Appointment {
    let date = original_date(&series.when, original_start);
    Appointment {
        id: AppointmentId::occurrence(series.id, original_start),
        when: occurrence_on(&series.when, date).when,
        recurrence: None,
        series_id: Some(series.id),
        original_start: Some(original_start),
        created_at: now,
        updated_at: now,
        ..series.clone()
    }
}

/// The occurrences Outlook changed or cancelled, against Quick3's expansion of `series` over
/// `window` and its rows: an instance not as expanded becomes (or updates) an exception (an
/// exception linked already too: a master's new subject reaches the exceptions that kept its
/// old one without a change of theirs being reported), an occurrence Outlook lacks a
/// cancellation. Rows waiting for upload (Quick3's change wins) or cancelled here are left
/// alone, and a linked row's removal is the plan's; an instance the same as Quick3's is linked,
/// so that its next change comes through the plan.
fn occurrences_from_outlook(
    series: &Appointment,
    rows: &HashMap<DateTime<Utc>, LocalRow>,
    instances: &[RemoteEvent],
    window: (DateTime<Utc>, DateTime<Utc>),
    link_of: &dyn Fn(&Appointment, &RemoteEvent) -> Link,
    now: DateTime<Utc>,
    write: &mut PageWrite,
) -> SeriesChanges {
    let mut changes = SeriesChanges::default();
    let Some(rule) = series
        .recurrence
        .as_ref()
        .and_then(|r| Rule::from_graph(r).ok())
    else {
        return changes;
    };
    let by_start: HashMap<DateTime<Utc>, &RemoteEvent> = instances
        .iter()
        .filter_map(|i| i.series.as_ref().map(|slot| (slot.original_start, i)))
        .collect();
    let mut starts: Vec<&DateTime<Utc>> = by_start.keys().collect();
    starts.sort();
    for original_start in starts {
        let instance = by_start[original_start];
        match rows.get(original_start) {
            Some(row) if !row.live || row.pending => {}
            Some(row) => {
                if instance.content.same_as(&Content::of(&row.appointment)) {
                    if !row.linked {
                        write.links.push(link_of(&row.appointment, instance));
                    }
                } else {
                    let updated = with_content(&row.appointment, &instance.content, now);
                    let link = link_of(&updated, instance);
                    write.appointments.push((updated, Some(link)));
                    changes.updated += 1;
                }
            }
            None => {
                let expanded = occurrence_row(series, *original_start, now);
                if !instance.content.same_as(&Content::of(&expanded)) {
                    let exception = with_content(&expanded, &instance.content, now);
                    let link = link_of(&exception, instance);
                    write.appointments.push((exception, Some(link)));
                    changes.updated += 1;
                }
            }
        }
    }
    for occurrence in occurrences(&rule, &series.when, window.0, window.1) {
        if by_start.contains_key(&occurrence.original_start) {
            continue;
        }
        match rows.get(&occurrence.original_start) {
            Some(row) if row.linked || !row.live || row.pending => {}
            Some(row) => {
                write.tombstones.push(row.appointment.id);
                changes.deleted += 1;
            }
            None => {
                let cancelled = occurrence_row(series, occurrence.original_start, now);
                write.tombstones.push(cancelled.id);
                write.appointments.push((cancelled, None));
                changes.deleted += 1;
            }
        }
    }
    changes
}

/// The master (one of `masters`, by remote id) whose occurrence the remote key
/// `series:{master}:{original start}` names.
pub(super) fn series_of_key(key: &str, masters: &HashSet<String>) -> Option<String> {
    let rest = key.strip_prefix("series:")?;
    masters
        .iter()
        .find(|m| {
            rest.strip_prefix(m.as_str())
                .is_some_and(|tail| tail.starts_with(':'))
        })
        .cloned()
}

/// The span over which a series' instances are asked for: the window widened to the pattern's
/// last occurrence that ends before it and first that starts after it, and by a margin. Outlook
/// keeps a moved occurrence between its neighbours, so every occurrence of the window is found
/// wherever it was moved (a monthly one moved weeks across the window's edge too): missing from
/// this span, it is cancelled; asked over the window alone, it would read as cancelled and be
/// lost. Without a pattern that reads: the window and the margin.
fn instance_range(
    series: &Appointment,
    window: (DateTime<Utc>, DateTime<Utc>),
) -> (DateTime<Utc>, DateTime<Utc>) {
    let margin = Duration::days(INSTANCE_MARGIN_DAYS);
    let (mut from, mut to) = instance_range_of_window(window);
    let Some(rule) = series
        .recurrence
        .as_ref()
        .and_then(|r| Rule::from_graph(r).ok())
    else {
        return (from, to);
    };
    let reach = Duration::days(NEIGHBOUR_REACH_DAYS);
    let before = occurrences(&rule, &series.when, window.0 - reach, window.0)
        .into_iter()
        .rev()
        .find(|o| o.when.covering_span().1 <= window.0);
    if let Some(before) = before {
        from = from.min(before.when.covering_span().0 - margin);
    }
    let after = occurrences(&rule, &series.when, window.1, window.1 + reach)
        .into_iter()
        .find(|o| o.when.covering_span().0 >= window.1);
    if let Some(after) = after {
        to = to.max(after.when.covering_span().1 + margin);
    }
    (from, to)
}

/// [`instance_range`] of a series no longer kept here: the window and the margin.
fn instance_range_of_window(
    window: (DateTime<Utc>, DateTime<Utc>),
) -> (DateTime<Utc>, DateTime<Utc>) {
    let margin = Duration::days(INSTANCE_MARGIN_DAYS);
    (window.0 - margin, window.1 + margin)
}

/// The `$batch` parts asking for a series' master (`m{n}`) and its instances (`i{n}`) over
/// `span` ([`instance_range`]).
fn series_parts(
    n: usize,
    mailbox: &str,
    master: &str,
    span: (DateTime<Utc>, DateTime<Utc>),
) -> [BatchPart; 2] {
    let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    let part = |id: String, url: String| BatchPart {
        id,
        method: Method::GET,
        url,
        headers: vec![],
        body: None,
        depends_on: vec![],
    };
    [
        part(
            format!("m{n}"),
            format!("{mailbox}/events/{}", urlencode(master)),
        ),
        part(
            format!("i{n}"),
            format!(
                "{mailbox}/events/{}/instances?startDateTime={}&endDateTime={}&$top={INSTANCES_PER_PAGE}",
                urlencode(master),
                at(span.0),
                at(span.1),
            ),
        ),
    ]
}

/// The events of an instances answer's page (broken entries left out, as a delta page does).
fn events_of(items: &[Value]) -> Vec<RemoteEvent> {
    items
        .iter()
        .filter_map(|item| match event::read_entry(item) {
            Ok(RemoteEntry::Present(event)) => Some(*event),
            _ => None,
        })
        .collect()
}

impl Run<'_, '_> {
    /// The series made in Quick3 that a page's entries show changed in Outlook: an occurrence
    /// of one that Down drops (`dropped`) but that is not as Quick3 expands it, or, when some
    /// removal no link places (`unplaced_removal`: an occurrence cancelled in Outlook has an id
    /// Quick3 never kept), every Quick3 series of the account. By the masters' remote ids.
    pub(super) fn quick3_series_touched(
        &self,
        dropped: &[&RemoteEvent],
        unplaced_removal: bool,
        removed_rows: &[&Link],
        masters: &HashSet<String>,
    ) -> Result<HashSet<String>> {
        if unplaced_removal {
            return Ok(masters.clone());
        }
        // An exception's instance removed: the exception alone (a cancellation, the plan's) or
        // with its whole series (a deletion of the series, which carries it).
        let mut touched: HashSet<String> = removed_rows
            .iter()
            .filter_map(|link| series_of_key(&link.remote_key, masters))
            .collect();
        if dropped.is_empty() {
            return Ok(touched);
        }
        let local: HashMap<String, AppointmentId> = self
            .store
            .quick3_series_links(self.account.id)?
            .into_iter()
            .map(|link| (link.remote_id, link.appointment))
            .collect();
        for event in dropped {
            let Some(slot) = &event.series else { continue };
            if touched.contains(&slot.master_id) {
                continue;
            }
            let Some(series) = local.get(&slot.master_id) else {
                continue;
            };
            let differs = match self.store.occurrence(*series, slot.original_start) {
                Ok(listed) => !event.content.same_as(&Content::of(&listed.appointment)),
                // Not in Quick3's pattern (Outlook changed it), unless cancelled here (an
                // upload of the cancellation is under way).
                Err(CoreError::UnknownOccurrence { .. }) => self
                    .store
                    .appointment_with_tombstone(AppointmentId::occurrence(
                        *series,
                        slot.original_start,
                    ))?
                    .is_none(),
                // The series was deleted here: its deletion goes up.
                Err(_) => false,
            };
            if differs {
                touched.insert(slot.master_id.clone());
            }
        }
        Ok(touched)
    }

    /// Takes into Quick3 what Outlook changed of the `touched` series made in Quick3 (by their
    /// masters' remote ids), before the page that showed it is written: a crash in between
    /// asks the page again, which finds the series in step. Returns the links of the masters
    /// Outlook no longer has (deleted there): their deletion is planned with the page, as any
    /// removal. `take` false (the guard counting): only read. A dry run reads, and previews
    /// what it would take instead of writing it.
    pub(super) async fn down_quick3_series(
        &mut self,
        touched: &HashSet<String>,
        window: (DateTime<Utc>, DateTime<Utc>),
        take: bool,
    ) -> std::result::Result<Vec<Link>, Stop> {
        let mut gone = Vec::new();
        if touched.is_empty() {
            return Ok(gone);
        }
        let mut links: Vec<Link> = self
            .store
            .quick3_series_links(self.account.id)?
            .into_iter()
            .filter(|link| touched.contains(&link.remote_id))
            .collect();
        links.sort_by(|a, b| a.remote_id.cmp(&b.remote_id));
        // What the guard's count of this held page read is taken as read (see `Run::series_read`).
        let mut known = Vec::with_capacity(links.len());
        let mut unknown = Vec::new();
        for link in links {
            let read = if take {
                self.series_read.remove(&link.remote_id)
            } else {
                self.series_read.get(&link.remote_id).cloned()
            };
            match read {
                Some(outlook) => known.push((link, outlook)),
                None => unknown.push(link),
            }
        }
        if !unknown.is_empty() {
            // Pages left open are committed before the sync waits on the network.
            self.commit_open_pages()?;
        }
        for chunk in unknown.chunks(SERIES_PER_BATCH) {
            let asked = self.ask(chunk, window).await?;
            known.extend(chunk.iter().cloned().zip(asked));
        }
        known.sort_by(|a, b| a.0.remote_id.cmp(&b.0.remote_id));
        for (link, outlook) in known {
            if !take {
                self.series_read
                    .insert(link.remote_id.clone(), outlook.clone());
            }
            match outlook {
                Some(outlook) if take => self.take_series(&link, &outlook, window)?,
                Some(_) => {}
                None => gone.push(link),
            }
        }
        Ok(gone)
    }

    /// Each series' master and instances from Outlook, in one `$batch` (an instances answer of
    /// more than a page follows its next links). `None`: the series is gone from Outlook
    /// (deleted there). A failure stops the account, so that the page is
    /// asked again next time rather than its change lost.
    async fn ask(
        &mut self,
        links: &[Link],
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> std::result::Result<Vec<Option<OutlookSeries>>, Stop> {
        let mailbox = self.client.in_mailbox("");
        let mut parts: Vec<BatchPart> = Vec::with_capacity(links.len() * 2);
        for (n, link) in links.iter().enumerate() {
            let span = match self.store.appointment_with_tombstone(link.appointment)? {
                Some((master, _)) => instance_range(&master, window),
                None => instance_range_of_window(window),
            };
            parts.extend(series_parts(n, &mailbox, &link.remote_id, span));
        }
        let mut answers: HashMap<String, std::result::Result<Answer, GraphError>> =
            self.client.batch(parts).await.into_iter().collect();
        let mut found = Vec::with_capacity(links.len());
        for n in 0..links.len() {
            let master = answers.remove(&format!("m{n}"));
            let instances = answers.remove(&format!("i{n}"));
            let (master, instances) = match (master, instances) {
                (Some(Ok(master)), Some(Ok(instances))) => (master, instances),
                (Some(Err(GraphError::NotFound)), _) | (_, Some(Err(GraphError::NotFound))) => {
                    found.push(None);
                    continue;
                }
                (Some(Err(err)), _) | (_, Some(Err(err))) => return Err(Stop::Graph(err)),
                _ => {
                    return Err(Stop::Graph(GraphError::Malformed {
                        what: "a $batch answer without a part asked for".into(),
                    }));
                }
            };
            let RemoteEntry::Present(master) = event::read_entry(&master.body)? else {
                found.push(None);
                continue;
            };
            let mut page = read_page(instances.body)?;
            let mut items = events_of(&page.items);
            while let Some(next) = page.next_link.take() {
                self.client.check_link(&next)?;
                page = read_page(self.client.get(&next, &[]).await?)?;
                items.extend(events_of(&page.items));
            }
            found.push(Some(OutlookSeries {
                master: *master,
                instances: items,
            }));
        }
        Ok(found)
    }

    /// Writes what Outlook changed of one Quick3 series, decided under the write lock on the
    /// rows as they are then (a planner's edit meanwhile waits for upload and wins).
    fn take_series(
        &mut self,
        link: &Link,
        outlook: &OutlookSeries,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<()> {
        let account = self.account.id;
        let now = (self.clock)();
        if !self.options.dry_run {
            self.store.begin_pages()?;
        }
        let master = match self.store.appointment_with_tombstone(link.appointment)? {
            // A series deleted here goes up as a deletion; an event Outlook no longer repeats
            // has no instances to weigh (all would read as cancelled).
            Some((master, false))
                if master.origin == Origin::Quick3 && outlook.master.recurrence.is_some() =>
            {
                master
            }
            _ => return self.store.commit_pages(),
        };
        let mut write = PageWrite::default();
        let mut changes = SeriesChanges::default();
        let master_pending = self.store.outbox_revision(account, master.id)?.is_some();
        let changed_here = master_pending || local_hash(&master) != link.local_hash;
        let held = self.store.in_conflict(account, master.id)?;
        let mut series = master.clone();
        let mut reset = false;
        let taken = master_from_outlook(&master, &outlook.master, now);
        if held && (taken.is_none() || !outlook_changed_master(&master, link, &outlook.master)) {
            // The question went away: both agree again, or Outlook went back to the base (only
            // Quick3's change is left, and goes up).
            write.settled.push(master.id);
        }
        if let Some((updated, times_changed)) = taken {
            if changed_here {
                return self.master_changed_on_both_sides(&master, link, outlook, write);
            }
            let master_link = Link::confirmed(
                updated.id,
                account,
                link.calendar_id.clone(),
                &outlook.master,
                local_hash(&updated),
                outlook.master.content.hash(),
            );
            if times_changed {
                write.series_resets.push(master.id);
                reset = true;
            }
            write
                .appointments
                .push((updated.clone(), Some(master_link)));
            changes.updated += 1;
            series = updated;
        }
        let rows = if reset {
            HashMap::new()
        } else {
            self.local_rows(master.id)?
        };
        let calendar = link.calendar_id.clone();
        let link_of = |row: &Appointment, instance: &RemoteEvent| {
            Link::confirmed(
                row.id,
                account,
                calendar.clone(),
                instance,
                local_hash(row),
                instance.content.hash(),
            )
        };
        let found = occurrences_from_outlook(
            &series,
            &rows,
            &outlook.instances,
            window,
            &link_of,
            now,
            &mut write,
        );
        changes.updated += found.updated;
        changes.deleted += found.deleted;
        self.summary.updated += changes.updated;
        self.summary.deleted += changes.deleted;
        self.journal_write(&mut write, calendar.as_deref())?;
        if self.options.dry_run {
            return Ok(());
        }
        self.store
            .write_page(account, &write, now, PageCommit::Now)?;
        crate::sync::crash::point(crate::sync::crash::Step::DownSeriesTaken);
        Ok(())
    }

    /// A Quick3 series' master changed both here and in Outlook (Outlook's differs from
    /// Quick3's): held as a conflict with Outlook's version and pattern when Outlook changed it
    /// since the base and the two differ in a conflict field or the pattern (nothing of either
    /// is taken or sent until the planner settles it: Up holds the master's entry, and
    /// Outlook's occurrences, which follow its master, are not taken either); else Quick3's
    /// goes up as any edit.
    fn master_changed_on_both_sides(
        &mut self,
        master: &Appointment,
        link: &Link,
        outlook: &OutlookSeries,
        mut write: PageWrite,
    ) -> Result<()> {
        let now = (self.clock)();
        let conflict = outlook_changed_master(master, link, &outlook.master)
            && !master_conflict_fields(master, &outlook.master).is_empty();
        if conflict {
            let new = !self.store.in_conflict(self.account.id, master.id)?;
            write.holds.push(ConflictHold {
                appointment: master.id,
                account: self.account.id,
                remote_key: link.remote_key.clone(),
                remote_id: outlook.master.id.clone(),
                change_key: outlook.master.change_key.clone(),
                remote_hash: outlook.master.content.hash(),
                outlook: outlook.master.content.clone(),
                recurrence: outlook.master.recurrence.clone(),
            });
            if new {
                self.summary.conflicts += 1;
                let name = super::summary::describe(master);
                let note = super::page::held_note(&name, &self.account.email);
                self.summary.conflict_notes.push(note);
            }
        }
        if self.options.dry_run {
            return Ok(());
        }
        self.store
            .write_page(self.account.id, &write, now, PageCommit::Now)
    }

    /// The Quick3 series of the page that Outlook no longer has, as the plan takes them: one
    /// removal of the master's link each (its rows' links leave `links`: the series carries
    /// them), what the plan must re-read of their rows, and which series wait with a change of
    /// an occurrence for upload.
    pub(super) fn gone_series(
        &self,
        gone_series: &[Link],
        links: &mut Vec<Link>,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<GoneSeries> {
        let mut gone = GoneSeries::default();
        for master in gone_series {
            let prefix = format!("series:{}:", master.remote_id);
            for link in links.iter() {
                if link.remote_key.starts_with(&prefix) {
                    gone.row_ids.insert(link.remote_id.clone());
                }
            }
            links.retain(|l| {
                !l.remote_key.starts_with(&prefix) && l.appointment != master.appointment
            });
            links.push(master.clone());
            gone.removals.push(RemoteItem::Removed {
                key: master.remote_key.clone(),
                remote_id: master.remote_id.clone(),
            });
            gone.masters.insert(master.appointment);
            for (row, _) in self.store.series_rows(master.appointment)? {
                let item = self.local_item(row.id, window)?.map(|(item, _)| item);
                let revision = self.store.outbox_revision(self.account.id, row.id)?;
                if revision.is_some() {
                    gone.edited.insert(master.appointment);
                }
                gone.row_reads
                    .push((row.id, item.map(|item| (item, revision))));
            }
        }
        Ok(gone)
    }

    /// A Quick3 series' exception and cancellation rows by original start, with whether each
    /// is linked to its instance here and waits for upload.
    fn local_rows(&self, series: AppointmentId) -> Result<HashMap<DateTime<Utc>, LocalRow>> {
        let account = self.account.id;
        let found = self.store.series_rows(series)?;
        let ids: Vec<AppointmentId> = found.iter().map(|(a, _)| a.id).collect();
        let linked: HashSet<AppointmentId> = self
            .store
            .links_of(account, &ids)?
            .into_iter()
            .map(|l| l.appointment)
            .collect();
        let mut rows = HashMap::new();
        for (appointment, live) in found {
            let Some(original_start) = appointment.original_start else {
                continue;
            };
            let pending = self
                .store
                .outbox_revision(account, appointment.id)?
                .is_some();
            let linked = linked.contains(&appointment.id);
            rows.insert(
                original_start,
                LocalRow {
                    appointment,
                    live,
                    linked,
                    pending,
                },
            );
        }
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::event::SeriesSlot;
    use crate::ids::{AccountId, ResourceId};
    use crate::model::{Recurrence, RecurrencePattern, RecurrenceRange, Sensitivity, ShowAs};

    fn at(text: &str) -> DateTime<Utc> {
        text.parse().unwrap()
    }

    /// A weekly Monday series of 3 at 09:00 Oslo from 1 March 2027 (08:00 UTC).
    fn series() -> Appointment {
        let start = at("2027-03-01T08:00:00Z");
        Appointment {
            id: AppointmentId(uuid::Uuid::from_u128(1)),
            resource_id: ResourceId(1),
            title: "Service".into(),
            when: When::Timed {
                start,
                end: start + Duration::hours(1),
                time_zone: chrono_tz::Europe::Oslo,
            },
            location: String::new(),
            notes: String::new(),
            categories: vec![],
            show_as: ShowAs::Busy,
            sensitivity: Sensitivity::Normal,
            origin: Origin::Quick3,
            recurrence: Some(Recurrence {
                pattern: RecurrencePattern {
                    kind: "weekly".into(),
                    interval: 1,
                    days_of_week: vec!["monday".into()],
                    first_day_of_week: None,
                    day_of_month: None,
                    month: None,
                    index: None,
                },
                range: RecurrenceRange {
                    kind: "numbered".into(),
                    start_date: "2027-03-01".parse().unwrap(),
                    end_date: None,
                    number_of_occurrences: Some(3),
                    recurrence_time_zone: Some("Europe/Oslo".into()),
                },
            }),
            series_id: None,
            original_start: None,
            created_at: start,
            updated_at: start,
        }
    }

    /// An event as Outlook answers with `appointment`'s content, its zone named back as CLDR's
    /// zone for Outlook's Windows name (Europe/Oslo → Europe/Berlin).
    fn remote(appointment: &Appointment, series: Option<DateTime<Utc>>) -> RemoteEvent {
        let mut content = Content::of(appointment);
        if let When::Timed { start, end, .. } = content.when {
            content.when = When::Timed {
                start,
                end,
                time_zone: chrono_tz::Europe::Berlin,
            };
        }
        RemoteEvent {
            id: format!("i{}", series.map_or(0, |s| s.timestamp())),
            change_key: Some("ck".into()),
            content,
            kind: if series.is_some() {
                "occurrence"
            } else {
                "seriesMaster"
            }
            .into(),
            series: series.map(|original_start| SeriesSlot {
                master_id: "m1".into(),
                original_start,
            }),
            recurrence: appointment.recurrence.clone(),
            is_cancelled: false,
            quick3_id: None,
        }
    }

    #[test]
    fn an_occurrence_key_names_its_quick3_series_only() {
        let masters: HashSet<String> = ["AAMk1".to_owned(), "AAMk12".to_owned()].into();
        #[rustfmt::skip]
        let cases = [
            ("series:AAMk1:2027-03-08T08:00:00Z", Some("AAMk1"), "an occurrence of a known series"),
            ("series:AAMk12:2027-03-08T08:00:00Z", Some("AAMk12"), "not the series whose id is a prefix"),
            ("series:AAMk9:2027-03-08T08:00:00Z", None, "a series not made in Quick3"),
            ("AAMk1", None, "the master's own key is no occurrence"),
        ];
        for (key, expected, why) in cases {
            assert_eq!(series_of_key(key, &masters).as_deref(), expected, "{why}");
        }
    }

    #[test]
    fn instances_are_asked_from_the_windows_neighbouring_occurrences() {
        let weekly = series();
        let single = Appointment {
            recurrence: None,
            ..series()
        };
        let window = |from: &str, to: &str| (at(from), at(to));
        #[rustfmt::skip]
        let cases = [
            ("a window between occurrences reaches back to the one before and on to the one after, a week beyond each",
             &weekly, window("2027-03-05T00:00:00Z", "2027-03-12T00:00:00Z"),
             (at("2027-02-22T08:00:00Z"), at("2027-03-22T09:00:00Z"))),
            ("after the series: back to its last occurrence, the margin ahead",
             &weekly, window("2027-04-01T00:00:00Z", "2027-05-01T00:00:00Z"),
             (at("2027-03-08T08:00:00Z"), at("2027-05-08T00:00:00Z"))),
            ("before the series: the margin back, on to its first occurrence's week beyond",
             &weekly, window("2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"),
             (at("2026-12-25T00:00:00Z"), at("2027-03-08T09:00:00Z"))),
            ("no pattern read: the window and the margin",
             &single, window("2027-03-05T00:00:00Z", "2027-03-12T00:00:00Z"),
             (at("2027-02-26T00:00:00Z"), at("2027-03-19T00:00:00Z"))),
        ];
        for (why, series, window, expected) in cases {
            assert_eq!(instance_range(series, window), expected, "{why}");
        }
    }

    #[test]
    fn a_master_outlook_changed_is_taken_with_whether_its_exceptions_reset() {
        let now = at("2027-02-01T00:00:00Z");
        let master = series();
        let renamed = Appointment {
            title: "Service (yard)".into(),
            ..master.clone()
        };
        let later = Appointment {
            when: When::Timed {
                start: at("2027-03-01T09:00:00Z"),
                end: at("2027-03-01T10:00:00Z"),
                time_zone: chrono_tz::Europe::Oslo,
            },
            ..master.clone()
        };
        let mut shorter = master.clone();
        shorter
            .recurrence
            .as_mut()
            .unwrap()
            .range
            .number_of_occurrences = Some(2);
        #[rustfmt::skip]
        let cases: Vec<(&str, RemoteEvent, Option<bool>)> = vec![
            ("the same series (its zone named otherwise) is no change", remote(&master, None), None),
            ("a new subject keeps the exceptions", remote(&renamed, None), Some(false)),
            ("new times reset them", remote(&later, None), Some(true)),
            ("a new pattern resets them", remote(&shorter, None), Some(true)),
        ];
        for (why, event, expected) in cases {
            let taken = master_from_outlook(&master, &event, now);
            assert_eq!(taken.as_ref().map(|(_, reset)| *reset), expected, "{why}");
            if let Some((updated, _)) = taken {
                assert_eq!(
                    updated.when.time_zone(),
                    Some(chrono_tz::Europe::Oslo),
                    "{why}: the series stays in its own zone"
                );
                assert!(event.content.same_as(&Content::of(&updated)), "{why}");
            }
        }
    }

    #[test]
    fn occurrences_outlook_moved_or_cancelled_become_the_series_own_rows() {
        let now = at("2027-02-01T00:00:00Z");
        let master = series();
        let starts = [
            at("2027-03-01T08:00:00Z"),
            at("2027-03-08T08:00:00Z"),
            at("2027-03-15T08:00:00Z"),
        ];
        let as_expanded = |n: usize| occurrence_row(&master, starts[n], now);
        let mut moved = as_expanded(1);
        moved.when = When::Timed {
            start: at("2027-03-08T10:00:00Z"),
            end: at("2027-03-08T11:00:00Z"),
            time_zone: chrono_tz::Europe::Oslo,
        };
        // Outlook: the first as the pattern has it, the second moved, the third cancelled.
        let instances = vec![
            remote(&as_expanded(0), Some(starts[0])),
            remote(&moved, Some(starts[1])),
        ];
        let window = (at("2027-02-01T00:00:00Z"), at("2027-04-01T00:00:00Z"));
        let link_of = |row: &Appointment, instance: &RemoteEvent| {
            Link::confirmed(
                row.id,
                AccountId(7),
                None,
                instance,
                local_hash(row),
                instance.content.hash(),
            )
        };
        let run = |rows: &HashMap<DateTime<Utc>, LocalRow>| {
            let mut write = PageWrite::default();
            let changes = occurrences_from_outlook(
                &master, rows, &instances, window, &link_of, now, &mut write,
            );
            (changes.updated, changes.deleted, write)
        };

        let (updated, deleted, write) = run(&HashMap::new());
        assert_eq!((updated, deleted), (1, 1), "one moved, one cancelled");
        let written: Vec<(AppointmentId, Option<DateTime<Utc>>, bool)> = write
            .appointments
            .iter()
            .map(|(a, link)| (a.id, a.original_start, link.is_some()))
            .collect();
        assert_eq!(
            written,
            [
                (
                    AppointmentId::occurrence(master.id, starts[1]),
                    Some(starts[1]),
                    true
                ),
                (
                    AppointmentId::occurrence(master.id, starts[2]),
                    Some(starts[2]),
                    false
                ),
            ],
            "the moved one an exception linked to its instance, the cancelled one a row…"
        );
        assert_eq!(
            write.tombstones,
            [AppointmentId::occurrence(master.id, starts[2])],
            "…tombstoned: a cancellation"
        );
        let (_, exception_link) = &write.appointments[0];
        assert_eq!(
            exception_link.as_ref().unwrap().remote_key,
            format!("series:m1:{}", "2027-03-08T08:00:00Z"),
            "keyed by series and original start, as Up's links are"
        );

        // The planner changed the second here meanwhile (its upload waits) and cancelled the
        // third here too: nothing of Outlook's is taken over them.
        let rows = HashMap::from([
            (
                starts[1],
                LocalRow {
                    appointment: as_expanded(1),
                    live: true,
                    linked: false,
                    pending: true,
                },
            ),
            (
                starts[2],
                LocalRow {
                    appointment: as_expanded(2),
                    live: false,
                    linked: false,
                    pending: true,
                },
            ),
        ]);
        let (updated, deleted, write) = run(&rows);
        assert_eq!(
            (updated, deleted),
            (0, 0),
            "Quick3's own changes go up instead"
        );
        assert!(write.appointments.is_empty() && write.tombstones.is_empty());
    }
}
