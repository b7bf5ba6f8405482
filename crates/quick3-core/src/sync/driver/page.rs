//! Down's pages: one delta page planned from the store (reads outside the write lock) and written
//! with its link after a check under the lock that nothing the plan read changed; or only counted,
//! for the mass-deletion guard.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::guard::HeldBefore;
use super::summary::{Tally, describe};
use super::{Run, Stop, base_item, key_of, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::graph::event::{self, RemoteEntry, RemoteEvent, SeriesSlot};
use crate::ids::AppointmentId;
use crate::model::{Appointment, ChangeKind, Content, Origin};
use crate::store::conflicts::ConflictHold;
use crate::store::sync_state::{CalendarAdvance, Link, PageCommit, PageWrite, SyncCalendar};
use crate::sync::plan::{self, BaseItem, LocalItem, RemoteItem, Side, SyncOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PageMode {
    /// Plan only, to count deletions for the guard.
    Count,
    /// Plan and write, committing as said.
    Apply(PageCommit),
}

pub(super) enum PageOutcome {
    Counted(u64),
    Applied,
}

/// How often a page is planned before it is written whatever changed meanwhile: the first plan
/// reads without the write lock, the next ones under it (they can only differ when fetching a
/// series master had to commit in between).
const PLAN_ATTEMPTS: u32 = 3;

/// A delta page's entries as the plan takes them, each event's content hash computed once.
struct RemotePage {
    presents: HashMap<String, (RemoteEvent, String)>,
    remote: Vec<RemoteItem>,
    removed_ids: Vec<String>,
    keys: Vec<String>,
    /// The links of Quick3 series masters Outlook no longer has: deleted there.
    gone_series: Vec<Link>,
}

impl RemotePage {
    fn of(entries: Vec<RemoteEntry>) -> RemotePage {
        let mut presents: HashMap<String, (RemoteEvent, String)> = HashMap::new();
        let mut remote = Vec::with_capacity(entries.len());
        let mut removed_ids = Vec::new();
        for entry in entries {
            match entry {
                RemoteEntry::Present(event) => {
                    let key = key_of(&event);
                    let as_local_hash = event.content.hash();
                    remote.push(RemoteItem::Present {
                        conflict_digest: event.content.conflict_digest(),
                        key: key.clone(),
                        remote_id: event.id.clone(),
                        hash: as_local_hash.clone(),
                        change_key: event.change_key.clone(),
                        quick3_id: event.quick3_id,
                        as_local_hash: as_local_hash.clone(),
                    });
                    presents.insert(key, (*event, as_local_hash));
                }
                RemoteEntry::Removed { id } => {
                    removed_ids.push(id.clone());
                    remote.push(RemoteItem::Removed {
                        key: id.clone(),
                        remote_id: id,
                    });
                }
            }
        }
        let keys = presents.keys().cloned().collect();
        RemotePage {
            presents,
            remote,
            removed_ids,
            keys,
            gone_series: Vec::new(),
        }
    }
}

/// A local appointment as a plan read it, with the revision of its waiting upload; `None`
/// when there was no such appointment.
pub(super) type ReadLocal = Option<(LocalItem, Option<i64>)>;

/// A page's plan and what it was made from.
struct PlannedPage {
    ops: Vec<SyncOp>,
    links: Vec<Link>,
    appointments: HashMap<AppointmentId, Appointment>,
    /// Each local appointment the plan read, as it read it (with its outbox revision), or
    /// `None` when there was none.
    read: Vec<(AppointmentId, ReadLocal)>,
}

impl PlannedPage {
    fn deletions(&self) -> u64 {
        self.ops
            .iter()
            .filter(|op| matches!(op, SyncOp::PullDelete { .. }))
            .count() as u64
    }

    /// Whether the plan read `appointment` in an open conflict.
    fn was_held(&self, appointment: AppointmentId) -> bool {
        self.read.iter().any(|(id, read)| {
            *id == appointment && read.as_ref().is_some_and(|(item, _)| item.in_conflict)
        })
    }

    /// Appointments read in an open conflict that an op other than a hold touches: the
    /// question went away (both sides agree again, a deletion), so their conflicts are settled.
    fn settled(&self) -> Vec<AppointmentId> {
        let mut settled: Vec<AppointmentId> =
            self.ops
                .iter()
                .filter(|op| !matches!(op, SyncOp::Hold { .. }))
                .filter_map(SyncOp::appointment)
                .filter(|id| self.was_held(*id))
                .filter(|id| {
                    !self.ops.iter().any(
                        |op| matches!(op, SyncOp::Hold { appointment, .. } if appointment == id),
                    )
                })
                .collect();
        settled.sort();
        settled.dedup();
        settled
    }

    /// How notes name `appointment`: as the plan read it, else by its id.
    fn name(&self, appointment: AppointmentId) -> String {
        self.appointments
            .get(&appointment)
            .map(describe)
            .unwrap_or_else(|| appointment.to_string())
    }

    /// The outbox revision the plan saw for `appointment`.
    fn revision(&self, appointment: AppointmentId) -> Option<i64> {
        self.read
            .iter()
            .find(|(id, _)| *id == appointment)
            .and_then(|(_, read)| read.as_ref().and_then(|(_, revision)| *revision))
    }
}

/// What every op of a page is written from.
#[derive(Clone, Copy)]
struct OpContext<'a> {
    calendar: &'a SyncCalendar,
    page: &'a RemotePage,
    planned: &'a PlannedPage,
    now: DateTime<Utc>,
}

/// The remote ids of the events a page's plan creates appointments for.
fn created_ids<'p>(
    ops: &[SyncOp],
    presents: &'p HashMap<String, (RemoteEvent, String)>,
) -> Vec<&'p str> {
    ops.iter()
        .filter_map(|op| match op {
            SyncOp::PullCreate { key } => presents.get(key).map(|(event, _)| event.id.as_str()),
            _ => None,
        })
        .collect()
}

/// Linked events no op rewrote: the base follows what Microsoft now says (change key, remote
/// hash), so If-Match and "remote changed" stay right.
fn follow_remote(
    write: &mut PageWrite,
    links: &[Link],
    rewritten: &HashSet<AppointmentId>,
    presents: &HashMap<String, (RemoteEvent, String)>,
) {
    for link in links {
        if rewritten.contains(&link.appointment) {
            continue;
        }
        if let Some((event, hash)) = presents.get(&link.remote_key) {
            write.links.push(Link::confirmed(
                link.appointment,
                link.account,
                link.calendar_id.clone(),
                event,
                link.local_hash.clone(),
                hash.clone(),
            ));
        }
    }
}

/// The note of a conflict held over the appointment `name` with `email`'s Outlook.
pub(super) fn held_note(name: &str, email: &str) -> String {
    format!(
        "{name} was changed both in Quick3 Planner and in Outlook ({email}); neither version is \
         overwritten until you choose one."
    )
}

/// The note of a conflict over the appointment `name` with `email`'s Outlook, `winner` kept.
fn conflict_note(name: &str, email: &str, winner: Side) -> String {
    let kept = match winner {
        Side::Local => "Quick3 Planner's",
        Side::Remote => "Outlook's",
    };
    format!(
        "{name} was changed both in Quick3 Planner and in Outlook ({email}); {kept} version is kept."
    )
}

impl Run<'_, '_> {
    /// Plans one page, then counts its deletions or writes it. `before`: what the held pages
    /// counted before this one carry (applied pages are marked seen in the store instead).
    ///
    /// The plan reads the local side outside the write transaction (a planner may edit in the
    /// meantime, in the window or another process); the write checks, holding the write lock,
    /// that everything the plan read is still as it was, and plans again when not — so an edit
    /// made while a page is planned is never overwritten, linked as old content or dropped from
    /// the outbox.
    pub(super) async fn apply_page(
        &mut self,
        calendar: &SyncCalendar,
        entries: Vec<RemoteEntry>,
        advance: CalendarAdvance,
        mode: PageMode,
        before: &HeldBefore,
    ) -> std::result::Result<PageOutcome, Stop> {
        self.note_series_seen(&entries, &advance);
        let (entries, touched) = self.without_quick3_occurrences(entries).await?;
        let take = matches!(mode, PageMode::Apply(_));
        let mut gone_series = self
            .down_quick3_series(&touched, advance.window, take)
            .await?;
        gone_series.extend(
            self.series_gone_unseen(calendar, &advance, &touched, take)
                .await?,
        );
        let page = RemotePage {
            gone_series,
            ..RemotePage::of(entries)
        };
        let mut attempt = 0;
        loop {
            let planned = self.plan_page(calendar, &page, &advance, before)?;
            let commit = match mode {
                PageMode::Count => return Ok(PageOutcome::Counted(planned.deletions())),
                PageMode::Apply(commit) => commit,
            };
            let tally = Tally::of(self.summary);
            let fetched = self.masters.len();
            let write = self
                .page_write(calendar, &page, &planned, advance.clone())
                .await?;
            if self.options.dry_run {
                return Ok(PageOutcome::Applied);
            }
            if let Some(pause) = &self.options.pause {
                pause.at(crate::sync::crash::Step::DownPagePlanned);
            }
            // The write lock first: nothing can change between the check and the write.
            self.begin_pages()?;
            attempt += 1;
            if attempt < PLAN_ATTEMPTS && !self.unchanged_since_plan(&planned, advance.window)? {
                // Planned again on what the store holds now, under the write lock.
                tally.restore(self.summary);
                if self.masters.len() != fetched {
                    self.masters
                        .retain(|_, id| !write.appointments.iter().any(|(a, _)| a.id == *id));
                }
                continue;
            }
            let now = (self.clock)();
            self.store
                .write_page(self.account.id, &write, now, commit)?;
            self.page_written(commit);
            crate::sync::crash::point(crate::sync::crash::Step::DownPageWritten);
            return Ok(PageOutcome::Applied);
        }
    }

    /// A page without the occurrences of series made in Quick3: Quick3 expands those from the
    /// master it uploaded, so an occurrence coming back is no new event. An instance Quick3
    /// made an exception of stays (its link, keyed by series and original start, finds it),
    /// read as that occurrence's row, never the master's. With the page: the Quick3 series that
    /// it shows changed in Outlook (`series_down`), by their masters' remote ids.
    async fn without_quick3_occurrences(
        &mut self,
        entries: Vec<RemoteEntry>,
    ) -> std::result::Result<(Vec<RemoteEntry>, HashSet<String>), Stop> {
        let mut masters = self.store.quick3_series_remote_ids(self.account.id)?;
        self.unlinked_quick3_masters(&entries, &mut masters).await?;
        if masters.is_empty() {
            return Ok((entries, HashSet::new()));
        }
        let of_quick3 = |event: &RemoteEvent| {
            event
                .series
                .as_ref()
                .is_some_and(|slot| masters.contains(&slot.master_id))
        };
        let keys: Vec<String> = entries
            .iter()
            .filter_map(|entry| match entry {
                RemoteEntry::Present(event) if of_quick3(event) => Some(key_of(event)),
                _ => None,
            })
            .collect();
        let removed: Vec<String> = entries
            .iter()
            .filter_map(|entry| match entry {
                RemoteEntry::Removed { id } => Some(id.clone()),
                RemoteEntry::Present(_) => None,
            })
            .collect();
        if keys.is_empty() && removed.is_empty() {
            return Ok((entries, HashSet::new()));
        }
        let links = self
            .store
            .links_by_remote(self.account.id, &keys, &removed)?;
        let linked: HashSet<&str> = links.iter().map(|link| link.remote_key.as_str()).collect();
        let placed: HashSet<&str> = links.iter().map(|link| link.remote_id.as_str()).collect();
        let unplaced_removal = removed.iter().any(|id| !placed.contains(id.as_str()));
        let removed_rows: Vec<&Link> = links
            .iter()
            .filter(|link| link.remote_key != link.remote_id && removed.contains(&link.remote_id))
            .collect();
        let dropped: Vec<&RemoteEvent> = entries
            .iter()
            .filter_map(|entry| match entry {
                RemoteEntry::Present(event)
                    if of_quick3(event) && !linked.contains(key_of(event).as_str()) =>
                {
                    Some(&**event)
                }
                _ => None,
            })
            .collect();
        let touched =
            self.quick3_series_touched(&dropped, unplaced_removal, &removed_rows, &masters)?;
        let kept = entries
            .into_iter()
            .filter_map(|entry| match entry {
                RemoteEntry::Present(mut event) if of_quick3(&event) => {
                    linked.contains(key_of(&event).as_str()).then(|| {
                        event.quick3_id = None;
                        RemoteEntry::Present(event)
                    })
                }
                other => Some(other),
            })
            .collect();
        Ok((kept, touched))
    }

    /// Adds to `masters` the series of the page's occurrences that are Quick3's own but not
    /// linked yet: a series POST whose answer was lost (a crash) is in Outlook, and Up links it
    /// by its transactionId after Down. Asked only while such a series waits: the master of a
    /// series not known here is read once, and its transactionId names the appointment.
    async fn unlinked_quick3_masters(
        &mut self,
        entries: &[RemoteEntry],
        masters: &mut HashSet<String>,
    ) -> std::result::Result<(), Stop> {
        let unknown: HashSet<&str> = entries
            .iter()
            .filter_map(|entry| match entry {
                RemoteEntry::Present(event) => event.series.as_ref(),
                RemoteEntry::Removed { .. } => None,
            })
            .map(|slot| slot.master_id.as_str())
            .filter(|id| !masters.contains(*id) && !self.masters.contains_key(*id))
            .collect();
        if unknown.is_empty() || !self.store.quick3_series_unlinked(self.account.id)? {
            return Ok(());
        }
        for master_id in unknown {
            if self
                .store
                .pulled_appointment(self.account.id, master_id)?
                .is_some()
            {
                continue;
            }
            if !self.options.dry_run {
                self.commit_open_pages()?;
            }
            let path = self
                .client
                .in_mailbox(&format!("/events/{}", urlencode(master_id)));
            let Ok(RemoteEntry::Present(master)) =
                event::read_entry(&self.client.get(&path, &[]).await?)
            else {
                continue;
            };
            let ours = match master.quick3_id {
                Some(id) => self
                    .store
                    .appointment_with_tombstone(id)?
                    .is_some_and(|(a, _)| a.origin == Origin::Quick3 && a.recurrence.is_some()),
                None => false,
            };
            if ours {
                masters.insert(master_id.to_owned());
            }
        }
        Ok(())
    }

    /// Opens the write transaction a page is written in (or keeps the one pages before it left
    /// open), so that the check of what the plan read and the write happen under one lock.
    fn begin_pages(&mut self) -> Result<()> {
        self.store.begin_pages()?;
        self.open.since.get_or_insert_with(Instant::now);
        Ok(())
    }

    /// Whether every local appointment the plan read is still as it read it (content, place,
    /// tombstone, outbox revision).
    fn unchanged_since_plan(
        &self,
        planned: &PlannedPage,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<bool> {
        for (id, read) in &planned.read {
            let now = self.local_item(*id, window)?.map(|(item, _)| item);
            if now != read.as_ref().map(|(item, _)| item.clone()) {
                return Ok(false);
            }
            let revision = self.store.outbox_revision(self.account.id, *id)?;
            if revision != read.as_ref().and_then(|(_, revision)| *revision) {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// The links of the events a full round ending with `page` did not see (in this page, the
    /// pages held before it or among their removals): gone from Outlook or out of the window.
    /// None before the round's last page.
    fn unseen_at_round_end(
        &self,
        calendar: &SyncCalendar,
        page: &RemotePage,
        advance: &CalendarAdvance,
        before: &HeldBefore,
    ) -> Result<Vec<Link>> {
        let (true, Some(round)) = (advance.round_complete, &advance.full_round) else {
            return Ok(Vec::new());
        };
        let account = self.account.id;
        let seen: HashSet<&String> = page.keys.iter().collect();
        // A Quick3 series' master is never in the calendar view (its occurrences are).
        let masters = self.store.quick3_series_remote_ids(account)?;
        let mut unseen = self
            .store
            .links_unseen(account, &calendar.calendar_id, round)?;
        unseen.retain(|gone| {
            !seen.contains(&gone.remote_key)
                && !masters.contains(&gone.remote_id)
                && !page.removed_ids.contains(&gone.remote_id)
                && !before.keys.contains(&gone.remote_key)
                && !before.removed.contains(&gone.remote_id)
        });
        Ok(unseen)
    }

    /// Reads the local side and the links of a page's events and plans it.
    fn plan_page(
        &self,
        calendar: &SyncCalendar,
        page: &RemotePage,
        advance: &CalendarAdvance,
        before: &HeldBefore,
    ) -> Result<PlannedPage> {
        let account = self.account.id;
        let mut links = self
            .store
            .links_by_remote(account, &page.keys, &page.removed_ids)?;
        let unseen = self.unseen_at_round_end(calendar, page, advance, before)?;
        let mut gone_items: Vec<RemoteItem> = unseen
            .iter()
            .map(|gone| RemoteItem::Removed {
                key: gone.remote_key.clone(),
                remote_id: gone.remote_id.clone(),
            })
            .collect();
        links.extend(unseen);
        let gone = self.gone_series(&page.gone_series, &mut links, advance.window)?;
        gone_items.extend(gone.removals.iter().cloned());
        let mut involved: HashSet<AppointmentId> = links.iter().map(|l| l.appointment).collect();
        for (event, _) in page.presents.values() {
            if let Some(id) = event.quick3_id {
                involved.insert(id);
            }
        }
        let mut locals = Vec::new();
        let mut appointments: HashMap<AppointmentId, Appointment> = HashMap::new();
        let mut read = Vec::with_capacity(involved.len());
        for id in involved {
            match self.local_item(id, advance.window)? {
                Some((item, appointment)) => {
                    let revision = if item.pending {
                        self.store.outbox_revision(account, id)?
                    } else {
                        None
                    };
                    read.push((id, Some((item.clone(), revision))));
                    let mut item = item;
                    if gone.masters.contains(&id) {
                        // Outlook answered that the series is gone, wherever its occurrences
                        // lie: a deletion, not the window moving on.
                        item.in_window = true;
                    }
                    locals.push(item);
                    appointments.insert(id, appointment);
                }
                None => read.push((id, None)),
            }
        }
        read.extend(gone.row_reads);
        let mut base: Vec<BaseItem> = links.iter().map(base_item).collect();
        for item in &mut base {
            if gone.edited.contains(&item.appointment) {
                // An occurrence changed here and waiting for upload is a change of its series:
                // the series counts as changed since the link (edit against deletion).
                item.local_hash.clear();
            }
        }
        self.own_lost_patches(&mut base, &page.presents, &locals)?;
        let ops = if gone_items.is_empty() {
            plan::plan(&locals, &base, &page.remote, self.rules)
        } else {
            // The removals of a gone series' own rows are carried by the series' removal.
            let mut remote: Vec<RemoteItem> = page
                .remote
                .iter()
                .filter(|item| match item {
                    RemoteItem::Removed { remote_id, .. } => !gone.row_ids.contains(remote_id),
                    RemoteItem::Present { .. } => true,
                })
                .cloned()
                .collect();
            remote.extend(gone_items);
            plan::plan(&locals, &base, &remote, self.rules)
        };
        Ok(PlannedPage {
            ops,
            links,
            appointments,
            read,
        })
    }

    /// The rows a planned page writes (series masters not known yet are fetched here).
    async fn page_write(
        &mut self,
        calendar: &SyncCalendar,
        page: &RemotePage,
        planned: &PlannedPage,
        advance: CalendarAdvance,
    ) -> std::result::Result<PageWrite, Stop> {
        let now = (self.clock)();
        let mut write = PageWrite {
            seen: page.keys.clone(),
            advance: Some(advance),
            ..Default::default()
        };
        self.refresh_pulled_masters(calendar, page, planned, now, &mut write)
            .await?;
        // Rows of events seen before (one read for the page's new events).
        let seen_before = self
            .store
            .pulled_appointments(self.account.id, &created_ids(&planned.ops, &page.presents))?;
        // Appointments whose link the ops rewrite or remove.
        let mut rewritten: HashSet<AppointmentId> = HashSet::new();
        for op in &planned.ops {
            match op {
                SyncOp::PullCreate { key } => {
                    let Some((event, hash)) = page.presents.get(key) else {
                        continue;
                    };
                    let earlier = seen_before.get(&event.id);
                    self.pull_create(event, hash, calendar, earlier, now, &mut write)
                        .await?;
                }
                op => {
                    let context = OpContext {
                        calendar,
                        page,
                        planned,
                        now,
                    };
                    if let Some(appointment) = self.write_op(op, context, &mut write) {
                        rewritten.insert(appointment);
                    }
                }
            }
        }
        write.settled = planned.settled();
        follow_remote(&mut write, &planned.links, &rewritten, &page.presents);
        // A key whose link is written above is marked seen by that write already.
        let written: HashSet<&str> = write
            .appointments
            .iter()
            .filter_map(|(_, link)| link.as_ref())
            .chain(&write.links)
            .map(|link| link.remote_key.as_str())
            .collect();
        write.seen.retain(|key| !written.contains(key.as_str()));
        Ok(write)
    }

    /// Adds the appointment of an event new to the plan (and its series master, fetched when
    /// not known). An event seen before (`earlier`: it left the window and came back, or its
    /// calendar was switched off and on) returns into its old row: one row per event.
    async fn pull_create(
        &mut self,
        event: &RemoteEvent,
        hash: &str,
        calendar: &SyncCalendar,
        earlier: Option<&Appointment>,
        now: DateTime<Utc>,
        write: &mut PageWrite,
    ) -> std::result::Result<(), Stop> {
        let series_id = match &event.series {
            Some(slot) => Some(self.master(slot, calendar, write).await?),
            None => None,
        };
        let appointment = self.pulled(earlier, event, calendar, series_id, now);
        if earlier.is_some() {
            write.revive.push(appointment.id);
        }
        let link = self.link_for(&appointment, event, hash, calendar);
        self.summary.added += 1;
        self.journal_pulled(
            write,
            (None, Some(&appointment)),
            ChangeKind::Created,
            (None, Some(event)),
            &calendar.calendar_id,
        );
        write.appointments.push((appointment, Some(link)));
        Ok(())
    }

    /// Writes Outlook's changed `key` over the appointment it is linked to; that appointment,
    /// whose link it rewrites (none when the page or the plan's reads lack either).
    fn pull_update(
        &mut self,
        appointment: AppointmentId,
        key: &str,
        OpContext {
            calendar,
            page,
            planned,
            now,
        }: OpContext<'_>,
        write: &mut PageWrite,
    ) -> Option<AppointmentId> {
        let (Some((event, hash)), Some(current)) = (
            page.presents.get(key),
            planned.appointments.get(&appointment),
        ) else {
            return None;
        };
        let updated = self.pulled(Some(current), event, calendar, current.series_id, now);
        let link = self.link_for(&updated, event, hash, calendar);
        self.summary.updated += 1;
        let before = planned.links.iter().find(|l| l.appointment == appointment);
        self.journal_pulled(
            write,
            (Some(current), Some(&updated)),
            ChangeKind::Updated,
            (before, Some(event)),
            &calendar.calendar_id,
        );
        write.appointments.push((updated, Some(link)));
        Some(appointment)
    }

    /// Adds what one op other than a `PullCreate` writes; the appointment whose link it rewrites
    /// or removes, if any.
    fn write_op(
        &mut self,
        op: &SyncOp,
        context: OpContext<'_>,
        write: &mut PageWrite,
    ) -> Option<AppointmentId> {
        let OpContext {
            calendar,
            page,
            planned,
            ..
        } = context;
        match op {
            SyncOp::PullUpdate { appointment, key } => {
                self.pull_update(*appointment, key, context, write)
            }
            SyncOp::PullDelete { appointment } => {
                self.summary.deleted += 1;
                let link = planned.links.iter().find(|l| l.appointment == *appointment);
                self.journal_pulled(
                    write,
                    (planned.appointments.get(appointment), None),
                    ChangeKind::Deleted,
                    (link, None),
                    &calendar.calendar_id,
                );
                write.tombstones.push(*appointment);
                Some(*appointment)
            }
            SyncOp::Link { appointment, key } => {
                let (event, hash) = page.presents.get(key)?;
                // What Outlook holds, in Quick3's terms: the same as the local content when
                // both agree; when a push of ours was found by its tag with a local edit
                // after it, the edit must still count as a change to upload.
                let local_hash = hash.clone();
                write.links.push(Link::confirmed(
                    *appointment,
                    self.account.id,
                    Some(calendar.calendar_id.clone()),
                    event,
                    local_hash,
                    hash.clone(),
                ));
                Some(*appointment)
            }
            SyncOp::Unlink { appointment } => {
                write.unlinks.push(*appointment);
                Some(*appointment)
            }
            SyncOp::DropOutbox { appointment } => {
                // Only the revision the plan saw: a newer edit still waits for upload.
                if let Some(revision) = planned.revision(*appointment) {
                    write.drop_outbox.push((*appointment, revision));
                }
                None
            }
            SyncOp::Hold { appointment, key } => {
                self.hold(*appointment, page.presents.get(key)?, key, planned, write);
                // The link keeps the version both last agreed on.
                Some(*appointment)
            }
            SyncOp::Conflict {
                appointment,
                winner,
            } => {
                self.summary.conflicts += 1;
                let name = planned.name(*appointment);
                let note = conflict_note(&name, &self.account.email, *winner);
                self.summary.conflict_notes.push(note);
                None
            }
            SyncOp::PushCreate {
                appointment,
                recreate: true,
            } if page
                .gone_series
                .iter()
                .any(|l| l.appointment == *appointment) =>
            {
                // Deleted in Outlook, changed here: the series is created again there.
                write.recreate_series.push(*appointment);
                None
            }
            SyncOp::PushCreate { appointment, .. }
            | SyncOp::PushUpdate { appointment, .. }
            | SyncOp::PushDelete { appointment, .. } => {
                write.ensure_outbox.push(*appointment);
                None
            }
            // Written by `pull_create`.
            SyncOp::PullCreate { .. } => None,
        }
    }

    /// Holds a conflict over `appointment` with Outlook's `event` (key `key`, content hash
    /// `hash`); a conflict new to this sync is counted and noted.
    fn hold(
        &mut self,
        appointment: AppointmentId,
        (event, hash): &(RemoteEvent, String),
        key: &str,
        planned: &PlannedPage,
        write: &mut PageWrite,
    ) {
        write.holds.push(ConflictHold {
            appointment,
            account: self.account.id,
            remote_key: key.to_owned(),
            remote_id: event.id.clone(),
            change_key: event.change_key.clone(),
            remote_hash: hash.clone(),
            outlook: event.content.clone(),
            recurrence: None,
        });
        if !planned.was_held(appointment) {
            self.summary.conflicts += 1;
            let name = planned.name(appointment);
            let note = held_note(&name, &self.account.email);
            self.summary.conflict_notes.push(note);
        }
    }

    /// Outlook's content that is what one of Quick3's own PATCHes sent, its answer lost to a
    /// crash, is no change made in Outlook: when the planner edited the appointment again since,
    /// the base takes Outlook's content as known, so the new edit is pushed without a conflict.
    /// (When the local content is still what was sent, the plan links the two as it is.)
    fn own_lost_patches(
        &self,
        base: &mut [BaseItem],
        presents: &HashMap<String, (RemoteEvent, String)>,
        locals: &[LocalItem],
    ) -> Result<()> {
        let sent = self.store.sent_content(self.account.id)?;
        if sent.is_empty() {
            return Ok(());
        }
        for item in base.iter_mut() {
            let (Some(sent), Some((event, remote_hash))) =
                (sent.get(&item.appointment), presents.get(&item.key))
            else {
                continue;
            };
            let local = locals.iter().find(|l| l.id == item.appointment);
            let edited_since =
                local.is_some_and(|l| l.hash.as_deref() != Some(remote_hash.as_str()));
            if edited_since && sent.contains(&event.content.fingerprint()) {
                item.remote_hash = remote_hash.clone();
                item.change_key = event.change_key.clone();
            }
        }
        Ok(())
    }
    /// An appointment holding a remote event's content (a new one, or `current` overwritten).
    fn pulled(
        &self,
        current: Option<&Appointment>,
        event: &RemoteEvent,
        calendar: &SyncCalendar,
        series_id: Option<AppointmentId>,
        now: DateTime<Utc>,
    ) -> Appointment {
        let content = &event.content;
        let origin = match current {
            Some(current) if current.origin == Origin::Quick3 => Origin::Quick3,
            _ => Origin::Microsoft365 {
                account_id: Some(self.account.id),
                calendar_id: calendar.calendar_id.clone(),
                remote_id: event.id.clone(),
            },
        };
        Appointment {
            id: current.map_or_else(|| AppointmentId::at(now), |c| c.id),
            resource_id: current.map_or(self.account.resource_id, |c| c.resource_id),
            title: content.title.clone(),
            when: content.when,
            location: content.location.clone(),
            notes: content.notes.clone(),
            categories: content.categories.clone(),
            show_as: content.show_as,
            sensitivity: content.sensitivity,
            origin,
            recurrence: event.recurrence.clone(),
            series_id,
            original_start: event.series.as_ref().map(|s| s.original_start),
            created_at: current.map_or(now, |c| c.created_at),
            updated_at: now,
        }
    }

    /// The link of an appointment that `pulled` made from `event` (whose content hash is
    /// `hash`): the appointment holds the event's content, so both sides have its hash.
    fn link_for(
        &self,
        appointment: &Appointment,
        event: &RemoteEvent,
        hash: &str,
        calendar: &SyncCalendar,
    ) -> Link {
        debug_assert_eq!(Content::of(appointment), event.content);
        debug_assert_eq!(event.content.hash(), hash);
        Link::confirmed(
            appointment.id,
            self.account.id,
            Some(calendar.calendar_id.clone()),
            event,
            hash.to_owned(),
            hash.to_owned(),
        )
    }

    /// The masters of pulled series whose plain occurrences the page changes or adds, read
    /// again (once a run) and kept as Outlook has them: Outlook's edit of a whole series (its
    /// subject, times, pattern) comes down as its occurrences only, and the local master would
    /// go stale. A master new to this run was just fetched; an exception changed on its own
    /// says nothing of its master.
    async fn refresh_pulled_masters(
        &mut self,
        calendar: &SyncCalendar,
        page: &RemotePage,
        planned: &PlannedPage,
        now: DateTime<Utc>,
        write: &mut PageWrite,
    ) -> std::result::Result<(), Stop> {
        let mut wanted: Vec<&str> = planned
            .ops
            .iter()
            .filter_map(|op| match op {
                SyncOp::PullCreate { key } | SyncOp::PullUpdate { key, .. } => {
                    page.presents.get(key)
                }
                _ => None,
            })
            .filter(|(event, _)| event.kind == "occurrence")
            .filter_map(|(event, _)| event.series.as_ref().map(|s| s.master_id.as_str()))
            .collect();
        wanted.sort_unstable();
        wanted.dedup();
        for master_id in wanted {
            let Some(current) = self.store.pulled_appointment(self.account.id, master_id)? else {
                continue;
            };
            let fresh = match self.refreshed.get(master_id) {
                Some(fresh) => fresh.clone(),
                None => {
                    if !self.options.dry_run {
                        self.commit_open_pages()?;
                    }
                    let path = self
                        .client
                        .in_mailbox(&format!("/events/{}", urlencode(master_id)));
                    let value = match self.client.get(&path, &[]).await {
                        Err(GraphError::NotFound) => continue,
                        answer => answer?,
                    };
                    let RemoteEntry::Present(fresh) = event::read_entry(&value)? else {
                        continue;
                    };
                    self.refreshed.insert(master_id.to_owned(), fresh.clone());
                    fresh
                }
            };
            if Content::of(&current) != fresh.content || current.recurrence != fresh.recurrence {
                let updated = self.pulled(Some(&current), &fresh, calendar, None, now);
                write.appointments.push((updated, None));
            }
        }
        Ok(())
    }

    /// The local series master of an occurrence: known, or fetched once (counted in requests).
    async fn master(
        &mut self,
        slot: &SeriesSlot,
        calendar: &SyncCalendar,
        write: &mut PageWrite,
    ) -> std::result::Result<AppointmentId, Stop> {
        if let Some(id) = self.masters.get(&slot.master_id) {
            return Ok(*id);
        }
        if let Some(known) = self
            .store
            .pulled_appointment(self.account.id, &slot.master_id)?
        {
            self.masters.insert(slot.master_id.clone(), known.id);
            return Ok(known.id);
        }
        // Pages left open are committed before the sync waits on the network.
        if !self.options.dry_run {
            self.commit_open_pages()?;
        }
        let value = self
            .client
            .get(
                &self
                    .client
                    .in_mailbox(&format!("/events/{}", urlencode(&slot.master_id))),
                &[],
            )
            .await?;
        let RemoteEntry::Present(master) = event::read_entry(&value)? else {
            return Err(Stop::Graph(GraphError::Malformed {
                what: "a series master reported as removed".into(),
            }));
        };
        let now = (self.clock)();
        let appointment = self.pulled(None, &master, calendar, None, now);
        let id = appointment.id;
        self.refreshed.insert(slot.master_id.clone(), master);
        write.appointments.push((appointment, None));
        self.masters.insert(slot.master_id.clone(), id);
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_note_names_the_appointment_the_mailbox_and_the_version_kept() {
        let cases = [
            (
                Side::Local,
                "“Visit” was changed both in Quick3 Planner and in Outlook (ann@example.com); \
                 Quick3 Planner's version is kept.",
            ),
            (
                Side::Remote,
                "“Visit” was changed both in Quick3 Planner and in Outlook (ann@example.com); \
                 Outlook's version is kept.",
            ),
        ];
        for (winner, expected) in cases {
            assert_eq!(
                conflict_note("“Visit”", "ann@example.com", winner),
                expected,
                "the planner reads which side won for {winner:?}"
            );
        }
    }
}
