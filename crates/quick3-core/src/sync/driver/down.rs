//! Down: calendar list → round → pages → guard → apply. Each selected calendar's round is read
//! page by page while the next pages download; a page is planned from reads made outside the
//! write lock and written (with its delta link) after a check under it; pages that may delete
//! are held until every calendar's round is complete, so that the mass-deletion guard weighs the
//! run's whole change before any deletion.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};

use super::summary::{MassDeleteBlocked, SyncProgress, Tally, describe};
use super::{MASS_DELETE_MINIMUM, Run, Stop, base_item, key_of, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::graph::client::read_page;
use crate::graph::event::{self, DeltaPage, RemoteEntry, RemoteEvent, SeriesSlot};
use crate::ids::AppointmentId;
use crate::model::{Appointment, Content, Origin};
use crate::store::sync_state::{CalendarAdvance, Link, PageCommit, PageWrite, SyncCalendar};
use crate::sync::download::Downloads;
use crate::sync::plan::{self, BaseItem, LocalItem, RemoteItem, Side, SyncOp};

/// How long pages of a full round wait uncommitted for the next page to arrive: when it takes
/// longer, they are committed first, so that the store's write lock (which other mailboxes'
/// syncs and the app's edits wait for) is never held while the network is slow.
const COMMIT_GRACE: std::time::Duration = std::time::Duration::from_millis(50);

/// The longest a transaction of several pages stays open before the next page closes it.
const OPEN_AT_MOST: std::time::Duration = std::time::Duration::from_millis(500);

/// How far the calendar date may move on before the synced window follows it with a full round.
pub const WINDOW_SLIDE_DAYS: i64 = 7;

/// Whether a calendar's delta window should be replaced by `desired`: its size changed, or the
/// date moved on by at least [`WINDOW_SLIDE_DAYS`].
fn window_moved(
    current: (DateTime<Utc>, DateTime<Utc>),
    desired: (DateTime<Utc>, DateTime<Utc>),
) -> bool {
    current.1 - current.0 != desired.1 - desired.0
        || (desired.0 - current.0).num_days().abs() >= WINDOW_SLIDE_DAYS
}

/// Pages of a full round written in the open transaction, not yet committed.
#[derive(Debug, Default)]
pub(super) struct OpenPages {
    since: Option<Instant>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PageMode {
    /// Plan only, to count deletions for the guard.
    Count,
    /// Plan and write, committing as said.
    Apply(PageCommit),
}

enum PageOutcome {
    Counted(u64),
    Applied,
}

/// What the held pages counted before this one carry: their events are in the round (not
/// deletions of it), and their removals are counted already.
#[derive(Debug, Default)]
struct HeldBefore {
    /// Remote keys of their present events.
    keys: HashSet<String>,
    /// Remote ids of their removed (or cancelled) events.
    removed: HashSet<String>,
}

/// A calendar's round whose pages may delete, held until every calendar's round is known.
struct HeldRound {
    calendar: SyncCalendar,
    /// Its pages from the first that may delete, in order, each with its link.
    pages: Vec<(Vec<RemoteEntry>, CalendarAdvance)>,
    /// The round's events written before them.
    written: usize,
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
        }
    }
}

/// A local appointment as a plan read it, with the revision of its waiting upload; `None`
/// when there was no such appointment.
type ReadLocal = Option<(LocalItem, Option<i64>)>;

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

    /// The outbox revision the plan saw for `appointment`.
    fn revision(&self, appointment: AppointmentId) -> Option<i64> {
        self.read
            .iter()
            .find(|(id, _)| *id == appointment)
            .and_then(|(_, read)| read.as_ref().and_then(|(_, revision)| *revision))
    }
}

/// Where a calendar's round starts (see `Run::round_start`).
#[derive(Debug, Clone)]
struct RoundStart {
    /// A new full round starts first (the window slid).
    restart: bool,
    window: (DateTime<Utc>, DateTime<Utc>),
    /// The stored delta link, or the first page of a full round over `window`.
    url: String,
}

impl Run<'_, '_> {
    async fn calendar_list(&mut self) -> std::result::Result<Vec<SyncCalendar>, Stop> {
        let mut found = Vec::new();
        let mut url = self.client.in_mailbox("/calendars?$top=100");
        loop {
            let page = read_page(self.client.get(&url, &[]).await?)?;
            for calendar in &page.items {
                let id = calendar["id"].as_str().unwrap_or_default();
                if id.is_empty() {
                    continue;
                }
                found.push((
                    id.to_owned(),
                    calendar["name"].as_str().unwrap_or("Calendar").to_owned(),
                    calendar["isDefaultCalendar"].as_bool().unwrap_or(false),
                ));
            }
            match page.next_link {
                Some(next) => url = next,
                None => break,
            }
        }
        if !self.options.dry_run {
            self.record_calendars(&found)?;
            Ok(self.store.sync_calendars(self.account.id)?)
        } else {
            Ok(found
                .into_iter()
                .map(|(calendar_id, name, is_default)| SyncCalendar {
                    account_id: self.account.id,
                    calendar_id,
                    name,
                    is_default,
                    selected: true,
                    delta_link: None,
                    window: None,
                    full_round: None,
                    last_full_sync: None,
                    deletions_allowed: false,
                    missing_lists: 0,
                })
                .collect())
        }
    }

    /// Records the calendar list Microsoft answered. A calendar missing from it is forgotten
    /// with its pulled appointments, unless that would delete more than [`MASS_DELETE_MINIMUM`]
    /// of them without the planner's allowance: then it is kept (with the planner's choice of
    /// calendars) and the planner is asked, as for any mass deletion. An empty list changes
    /// nothing: every mailbox has a calendar, so it is a broken answer.
    fn record_calendars(&mut self, found: &[(String, String, bool)]) -> Result<()> {
        let account = self.account.id;
        if found.is_empty() {
            self.summary.errors.push(format!(
                "Microsoft 365 listed no calendars for {}; Quick3 Planner kept the calendars it \
                 knows and deleted nothing.",
                self.account.email
            ));
            return Ok(());
        }
        let mut keep = Vec::new();
        let missing = self
            .store
            .sync_calendars(account)?
            .into_iter()
            .filter(|known| !found.iter().any(|(id, ..)| *id == known.calendar_id));
        for calendar in missing {
            if !calendar.selected && calendar.missing_lists == 0 {
                // The planner switched it off: one list that lacks it (perhaps a partial answer)
                // does not lose that choice; a second one in a row confirms it is gone.
                keep.push(calendar.calendar_id);
                continue;
            }
            let pulled = self
                .store
                .pulled_count_in_calendar(account, &calendar.calendar_id)?;
            if pulled <= MASS_DELETE_MINIMUM
                || self.options.allow_mass_delete
                || calendar.deletions_allowed
            {
                continue;
            }
            let blocked = self
                .summary
                .mass_delete_blocked
                .get_or_insert(MassDeleteBlocked {
                    would_delete: 0,
                    pulled: self.pulled_before as u32,
                });
            blocked.would_delete += pulled as u32;
            self.summary.errors.push(format!(
                "The calendar “{}” of {} no longer appears in Microsoft 365; forgetting it would \
                 delete its {pulled} appointments in Quick3 Planner, so nothing was deleted. Run \
                 the sync again allowing mass deletion if that is intended.",
                calendar.name, self.account.email
            ));
            keep.push(calendar.calendar_id);
        }
        self.calendars_kept.extend(keep.iter().cloned());
        self.store
            .record_calendar_list(account, found, &keep, (self.clock)())?;
        Ok(())
    }

    pub(super) async fn down(
        &mut self,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> std::result::Result<(), Stop> {
        self.pulled_before = self.store.pulled_count(self.account.id)?;
        let mut calendars = self.store.sync_calendars(self.account.id)?;
        if calendars.is_empty() {
            calendars = self.calendar_list().await?;
        }
        let selected: Vec<SyncCalendar> = calendars.into_iter().filter(|c| c.selected).collect();
        let total = selected.len() as u32;
        let mut events = 0u32;
        // Where each round starts, decided once (the window follows the clock), so that the
        // next calendars' pages download while one is written.
        let starts: Vec<RoundStart> = selected.iter().map(|c| self.round_start(c)).collect();
        let mut downloads = Downloads::new(
            self.client,
            self.options.page_size,
            (self.options.calendars_at_once, self.options.pages_held),
            starts.iter().map(|s| s.url.clone()).collect(),
        );
        // Rounds whose pages may delete, held until every calendar's change is known.
        let mut held_rounds: Vec<(HeldRound, SyncProgress)> = Vec::new();
        for ((index, calendar), start) in selected.into_iter().enumerate().zip(starts) {
            let report = |events: u32| SyncProgress {
                account_id: self.account.id,
                email: self.account.email.clone(),
                calendar: index as u32 + 1,
                calendars: total,
                calendar_name: calendar.name.clone(),
                events,
            };
            progress(&report(events));
            let outcome = self
                .calendar(
                    calendar.clone(),
                    start,
                    (&mut downloads, index),
                    &mut events,
                    &mut |n| progress(&report(n)),
                )
                .await;
            downloads.finish(index);
            match outcome {
                Ok(Some(held)) => held_rounds.push((held, report(events))),
                Ok(None) => {}
                Err(Stop::Graph(GraphError::NotFound)) => {
                    // The calendar was deleted in Outlook: refresh the list next time. When the
                    // whole mailbox is gone, that failure alone is reported.
                    if !self.options.dry_run {
                        self.calendar_list().await?;
                    }
                    // A calendar the guard keeps is named by the guard's question.
                    if !self.calendars_kept.contains(&calendar.calendar_id) {
                        self.summary.errors.push(format!(
                            "The calendar “{}” of {} no longer exists in Microsoft 365.",
                            calendar.name, self.account.email
                        ));
                    }
                }
                Err(Stop::Graph(err))
                    if !err.stops_account() && !matches!(err, GraphError::Identity(_)) =>
                {
                    self.summary.errors.push(format!(
                        "The calendar “{}” of {} could not be synced: {err}",
                        calendar.name, self.account.email
                    ));
                }
                Err(other) => return Err(other),
            }
        }
        self.settle(held_rounds, &mut downloads, progress).await
    }

    /// Applies the rounds held because they may delete, once the whole run's change is known:
    /// the mass-deletion guard weighs every calendar's deletions together, so no calendar loses
    /// appointments before the total is known. When the guard stops the run, only the rounds
    /// that delete nothing are applied.
    async fn settle(
        &mut self,
        rounds: Vec<(HeldRound, SyncProgress)>,
        downloads: &mut Downloads<'_>,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> std::result::Result<(), Stop> {
        let mut counted = Vec::with_capacity(rounds.len());
        for (round, _) in &rounds {
            counted.push(self.count_held(&round.calendar, &round.pages).await?);
        }
        let deleting: Vec<&SyncCalendar> = rounds
            .iter()
            .zip(&counted)
            .filter(|(_, n)| **n > 0)
            .map(|((round, _), _)| &round.calendar)
            .collect();
        let blocked = self.guard(&deleting, counted.iter().sum())?;
        for ((mut round, report), n) in rounds.into_iter().zip(counted) {
            if blocked && n > 0 {
                continue;
            }
            for (entries, advance) in round.pages {
                self.write_in_round(
                    &round.calendar,
                    entries,
                    advance,
                    &mut round.written,
                    downloads,
                )
                .await?;
            }
            self.commit_open_pages()?;
            progress(&report);
        }
        Ok(())
    }

    /// The deletions a calendar's held pages would make, each page counted as if the held pages
    /// before it were applied: their events are seen in this round, and a removal counts once.
    async fn count_held(
        &mut self,
        calendar: &SyncCalendar,
        held: &[(Vec<RemoteEntry>, CalendarAdvance)],
    ) -> std::result::Result<u64, Stop> {
        let mut deletions = 0;
        let mut before = HeldBefore::default();
        for (entries, advance) in held {
            let counted: Vec<RemoteEntry> = entries
                .iter()
                .filter(|entry| match entry {
                    RemoteEntry::Removed { id } => !before.removed.contains(id),
                    RemoteEntry::Present(_) => true,
                })
                .cloned()
                .collect();
            if let PageOutcome::Counted(n) = self
                .apply_page(calendar, counted, advance.clone(), PageMode::Count, &before)
                .await?
            {
                deletions += n;
            }
            for entry in entries {
                match entry {
                    RemoteEntry::Present(event) => {
                        before.keys.insert(key_of(event));
                    }
                    RemoteEntry::Removed { id } => {
                        before.removed.insert(id.clone());
                    }
                }
            }
        }
        Ok(deletions)
    }

    /// Starts a full round of the calendar from scratch (after 410, or when the window slid):
    /// its delta link is forgotten; events are matched by remote key, so nothing comes twice.
    fn restart_round(&mut self, calendar: &mut SyncCalendar) -> std::result::Result<(), Stop> {
        let round = uuid::Uuid::new_v4().to_string();
        if !self.options.dry_run {
            self.commit_open_pages()?;
            self.store
                .restart_calendar_round(self.account.id, &calendar.calendar_id, &round)?;
        }
        calendar.full_round = Some(round);
        calendar.delta_link = None;
        Ok(())
    }

    /// One calendar's delta round, page by page. Pages a full round left open are committed
    /// when it ends, also when Graph failed (each was written with its link); a store failure
    /// rolls them back.
    async fn calendar(
        &mut self,
        calendar: SyncCalendar,
        start: RoundStart,
        pages: (&mut Downloads<'_>, usize),
        events: &mut u32,
        progress: &mut dyn FnMut(u32),
    ) -> std::result::Result<Option<HeldRound>, Stop> {
        let outcome = self
            .calendar_round(calendar, start, pages, events, progress)
            .await;
        match outcome {
            Err(Stop::Store(err)) => {
                self.store.abandon_pages();
                self.open = OpenPages::default();
                Err(Stop::Store(err))
            }
            outcome => {
                self.commit_open_pages()?;
                outcome
            }
        }
    }

    /// How the page about to be written is committed: a full round's pages share a
    /// transaction, and the page that brings the round's events written to a multiple of
    /// [`super::SyncOptions::events_per_commit`] commits it (as the page that ends the round
    /// does, and the first page after [`OPEN_AT_MOST`]); every page of an incremental round
    /// commits at once. `before`: the round's events written before this page's `events`.
    fn page_commit(
        &self,
        full_round: bool,
        round_complete: bool,
        before: usize,
        events: usize,
    ) -> PageCommit {
        let per_commit = self.options.events_per_commit.max(1);
        let old = self.open.since.is_some_and(|t| t.elapsed() >= OPEN_AT_MOST);
        if !full_round
            || round_complete
            || old
            || before / per_commit != (before + events) / per_commit
        {
            PageCommit::Now
        } else {
            PageCommit::Later
        }
    }

    /// Notes a page written with `commit`.
    fn page_written(&mut self, commit: PageCommit) {
        match commit {
            PageCommit::Now => {
                let several = self.open.since.is_some();
                self.open = OpenPages::default();
                if several {
                    crate::sync::crash::point(crate::sync::crash::Step::DownPagesCommitted);
                }
            }
            PageCommit::Later => {
                self.open.since.get_or_insert_with(Instant::now);
            }
        }
    }

    /// Commits the pages left open, if any (before the sync waits on the network, writes
    /// anything else, or ends the round).
    fn commit_open_pages(&mut self) -> Result<()> {
        if self.open.since.is_none() {
            return Ok(());
        }
        self.open = OpenPages::default();
        self.store.commit_pages()?;
        crate::sync::crash::point(crate::sync::crash::Step::DownPagesCommitted);
        Ok(())
    }

    /// Where a calendar's round starts: its delta link, or a full round over the window (the
    /// first, or the window slid since the last round).
    fn round_start(&self, calendar: &SyncCalendar) -> RoundStart {
        let desired = self.window();
        let window = calendar.window.unwrap_or(desired);
        // The window slides with the calendar date (or its size was changed): one full round
        // over the new window. Events are matched by remote key, so nothing is imported twice;
        // events the window left behind stay as history (see `plan`).
        let restart = calendar.delta_link.is_some()
            && calendar.full_round.is_none()
            && window_moved(window, desired);
        match &calendar.delta_link {
            Some(link) if !restart => RoundStart {
                restart,
                window,
                url: link.clone(),
            },
            _ => RoundStart {
                restart,
                window: desired,
                url: self.round_url(calendar, desired),
            },
        }
    }

    /// The first page of a full round of `calendar` over `window`.
    fn round_url(&self, calendar: &SyncCalendar, window: (DateTime<Utc>, DateTime<Utc>)) -> String {
        self.client.in_mailbox(&format!(
            "/calendars/{}/calendarView/delta?startDateTime={}&endDateTime={}",
            urlencode(&calendar.calendar_id),
            window.0.to_rfc3339_opts(SecondsFormat::Secs, true),
            window.1.to_rfc3339_opts(SecondsFormat::Secs, true)
        ))
    }

    async fn calendar_round(
        &mut self,
        mut calendar: SyncCalendar,
        start: RoundStart,
        (downloads, index): (&mut Downloads<'_>, usize),
        events: &mut u32,
        progress: &mut dyn FnMut(u32),
    ) -> std::result::Result<Option<HeldRound>, Stop> {
        let mut restarted = false;
        if start.restart {
            self.restart_round(&mut calendar)?;
        }
        if calendar.delta_link.is_none() && calendar.full_round.is_none() {
            calendar.full_round = Some(uuid::Uuid::new_v4().to_string());
        }
        let mut window = start.window;
        let mut held: Vec<(Vec<RemoteEntry>, CalendarAdvance)> = Vec::new();
        // Entries of this round written so far (where its transactions end).
        let mut written = 0usize;
        // Events of this round so far (a round restarted after a 410 counts from zero again).
        let mut round_events = 0u32;
        // A page taken while pages left open waited for it.
        let mut taken: Option<std::result::Result<DeltaPage, GraphError>> = None;
        loop {
            let answer = match taken.take() {
                Some(answer) => answer,
                None => downloads.take(index).await,
            };
            let page = match answer {
                Ok(page) => page,
                Err(GraphError::SyncStateNotFound) if !restarted => {
                    // 410: start a full round; matching by remote key keeps it free of duplicates.
                    // Pages held for the dead round go with it: the full round re-reads all they
                    // carried, and kept they would hold back every page of the new round, have
                    // the guard count their deletions twice and be applied with a dead link.
                    // (Pages written before them are committed by `restart_round`; nothing was
                    // counted or deleted for held ones.)
                    restarted = true;
                    held.clear();
                    *events -= round_events;
                    round_events = 0;
                    self.restart_round(&mut calendar)?;
                    written = 0;
                    window = self.window();
                    downloads.restart(index, self.round_url(&calendar, window));
                    continue;
                }
                Err(err) => return Err(Stop::Graph(err)),
            };
            crate::sync::crash::point(crate::sync::crash::Step::DownPageFetched);
            let round_complete = page.delta_link.is_some();
            let link = page
                .delta_link
                .or(page.next_link)
                .ok_or_else(|| GraphError::Malformed {
                    what: "a delta page with neither nextLink nor deltaLink".into(),
                })?;
            let mut entries = Vec::with_capacity(page.entries.len());
            for entry in page.entries {
                match entry {
                    Ok(RemoteEntry::Present(event)) if event.is_cancelled => {
                        entries.push(RemoteEntry::Removed { id: event.id });
                    }
                    Ok(entry) => entries.push(entry),
                    Err(err) => self.summary.errors.push(format!(
                        "An event of the calendar “{}” of {} was skipped: {err}",
                        calendar.name, self.account.email
                    )),
                }
            }
            *events += entries.len() as u32;
            round_events += entries.len() as u32;
            let advance = CalendarAdvance {
                calendar_id: calendar.calendar_id.clone(),
                link,
                round_complete,
                window,
                full_round: calendar.full_round.clone(),
            };
            // Pages that may delete wait until the round is complete, so the guard sees every
            // deletion of the change before any is applied.
            let risky = entries
                .iter()
                .any(|e| matches!(e, RemoteEntry::Removed { .. }))
                || (round_complete && advance.full_round.is_some());
            if held.is_empty() && !risky {
                self.write_in_round(&calendar, entries, advance, &mut written, downloads)
                    .await?;
                progress(*events);
                // Pages left open wait for the next one only briefly, then are committed first.
                if !round_complete && self.open.since.is_some() {
                    match tokio::time::timeout(COMMIT_GRACE, downloads.take(index)).await {
                        Ok(answer) => taken = Some(answer),
                        Err(_) => self.commit_open_pages()?,
                    }
                }
            } else {
                held.push((entries, advance));
                // Pages written before the first held one are committed before the sync waits
                // on the network.
                if !round_complete && !self.options.dry_run {
                    self.commit_open_pages()?;
                }
            }
            if round_complete {
                break;
            }
        }
        if held.is_empty() {
            return Ok(None);
        }
        Ok(Some(HeldRound {
            calendar,
            pages: held,
            written,
        }))
    }

    /// Writes a page of the round in order, committed as [`Self::page_commit`] says, while the
    /// next pages download; `written` counts the round's events written so far.
    async fn write_in_round(
        &mut self,
        calendar: &SyncCalendar,
        entries: Vec<RemoteEntry>,
        advance: CalendarAdvance,
        written: &mut usize,
        downloads: &mut Downloads<'_>,
    ) -> std::result::Result<(), Stop> {
        let commit = self.page_commit(
            advance.full_round.is_some(),
            advance.round_complete,
            *written,
            entries.len(),
        );
        *written += entries.len();
        // Pages are applied in order, so nothing of a held page comes before an applied one.
        let no_held = HeldBefore::default();
        downloads
            .beside(self.apply_page(
                calendar,
                entries,
                advance,
                PageMode::Apply(commit),
                &no_held,
            ))
            .await?;
        Ok(())
    }

    /// The mass-deletion guard, over the whole run: true (and reported) when `deletions` in
    /// the `deleting` calendars would remove more than half of the account's pulled
    /// appointments without the planner's allowance.
    fn guard(&mut self, deleting: &[&SyncCalendar], deletions: u64) -> Result<bool> {
        let massive = deletions > MASS_DELETE_MINIMUM && deletions * 2 > self.pulled_before;
        if !massive {
            return Ok(false);
        }
        if self.options.allow_mass_delete {
            if !self.options.dry_run {
                // Remembered for this change, should the run stop before the rounds complete.
                for calendar in deleting {
                    self.store
                        .allow_calendar_deletions(self.account.id, &calendar.calendar_id)?;
                }
            }
            return Ok(false);
        }
        if deleting.iter().all(|calendar| calendar.deletions_allowed) {
            return Ok(false);
        }
        self.summary.mass_delete_blocked = Some(MassDeleteBlocked {
            would_delete: deletions as u32,
            pulled: self.pulled_before as u32,
        });
        self.summary.errors.push(format!(
            "Syncing {} would delete {deletions} of its {} appointments in Quick3 Planner; nothing was deleted. Run the sync again allowing mass deletion if that is intended.",
            self.account.email, self.pulled_before
        ));
        Ok(true)
    }

    /// Plans one page, then counts its deletions or writes it. `before`: what the held pages
    /// counted before this one carry (applied pages are marked seen in the store instead).
    ///
    /// The plan reads the local side outside the write transaction (a planner may edit in the
    /// meantime, in the window or another process); the write checks, holding the write lock,
    /// that everything the plan read is still as it was, and plans again when not — so an edit
    /// made while a page is planned is never overwritten, linked as old content or dropped from
    /// the outbox.
    async fn apply_page(
        &mut self,
        calendar: &SyncCalendar,
        entries: Vec<RemoteEntry>,
        advance: CalendarAdvance,
        mode: PageMode,
        before: &HeldBefore,
    ) -> std::result::Result<PageOutcome, Stop> {
        let page = RemotePage::of(entries);
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
        let mut gone_items = Vec::new();
        // The end of a full round: what was not seen is gone (or out of the window).
        if advance.round_complete
            && let Some(round) = &advance.full_round
        {
            let seen: HashSet<&String> = page.keys.iter().collect();
            for gone in self
                .store
                .links_unseen(account, &calendar.calendar_id, round)?
            {
                if !seen.contains(&gone.remote_key)
                    && !page.removed_ids.contains(&gone.remote_id)
                    && !before.keys.contains(&gone.remote_key)
                    && !before.removed.contains(&gone.remote_id)
                {
                    gone_items.push(RemoteItem::Removed {
                        key: gone.remote_key.clone(),
                        remote_id: gone.remote_id.clone(),
                    });
                    links.push(gone);
                }
            }
        }
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
                    locals.push(item);
                    appointments.insert(id, appointment);
                }
                None => read.push((id, None)),
            }
        }
        let mut base: Vec<BaseItem> = links.iter().map(base_item).collect();
        self.own_lost_patches(&mut base, &page.presents, &locals)?;
        let ops = if gone_items.is_empty() {
            plan::plan(&locals, &base, &page.remote, self.rules)
        } else {
            let mut remote = page.remote.clone();
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
        let account = self.account.id;
        let presents = &page.presents;
        let keys = &page.keys;
        let (ops, links, appointments) = (&planned.ops, &planned.links, &planned.appointments);
        let now = (self.clock)();
        let mut write = PageWrite {
            seen: keys.clone(),
            advance: Some(advance),
            ..Default::default()
        };
        let mut rewritten: HashSet<AppointmentId> = HashSet::new();
        // Rows of events seen before (one read for the page's new events).
        let creating: Vec<&str> = ops
            .iter()
            .filter_map(|op| match op {
                SyncOp::PullCreate { key } => presents.get(key).map(|(event, _)| event.id.as_str()),
                _ => None,
            })
            .collect();
        let seen_before = self.store.pulled_appointments(account, &creating)?;
        for op in ops {
            match op {
                SyncOp::PullCreate { key } => {
                    let Some((event, hash)) = presents.get(key) else {
                        continue;
                    };
                    let series_id = match &event.series {
                        Some(slot) => Some(self.master(slot, calendar, &mut write).await?),
                        None => None,
                    };
                    // An event seen before (it left the window and came back, or its calendar
                    // was switched off and on) returns into its old row: one row per event.
                    let earlier = seen_before.get(&event.id).cloned();
                    let appointment =
                        self.pulled(earlier.as_ref(), event, calendar, series_id, now);
                    if earlier.is_some() {
                        write.revive.push(appointment.id);
                    }
                    let link = self.link_for(&appointment, event, hash, calendar);
                    self.summary.added += 1;
                    write.appointments.push((appointment, Some(link)));
                }
                SyncOp::PullUpdate { appointment, key } => {
                    let (Some((event, hash)), Some(current)) =
                        (presents.get(key), appointments.get(appointment))
                    else {
                        continue;
                    };
                    let updated =
                        self.pulled(Some(current), event, calendar, current.series_id, now);
                    let link = self.link_for(&updated, event, hash, calendar);
                    rewritten.insert(*appointment);
                    self.summary.updated += 1;
                    write.appointments.push((updated, Some(link)));
                }
                SyncOp::PullDelete { appointment } => {
                    self.summary.deleted += 1;
                    rewritten.insert(*appointment);
                    write.tombstones.push(*appointment);
                }
                SyncOp::Link { appointment, key } => {
                    let Some((event, hash)) = presents.get(key) else {
                        continue;
                    };
                    // What Outlook holds, in Quick3's terms: the same as the local content when
                    // both agree; when a push of ours was found by its tag with a local edit
                    // after it, the edit must still count as a change to upload.
                    let local_hash = hash.clone();
                    rewritten.insert(*appointment);
                    write.links.push(Link::confirmed(
                        *appointment,
                        account,
                        Some(calendar.calendar_id.clone()),
                        event,
                        local_hash,
                        hash.clone(),
                    ));
                }
                SyncOp::Unlink { appointment } => {
                    rewritten.insert(*appointment);
                    write.unlinks.push(*appointment);
                }
                SyncOp::DropOutbox { appointment } => {
                    // Only the revision the plan saw: a newer edit still waits for upload.
                    if let Some(revision) = planned.revision(*appointment) {
                        write.drop_outbox.push((*appointment, revision));
                    }
                }
                SyncOp::Conflict {
                    appointment,
                    winner,
                } => {
                    self.summary.conflicts += 1;
                    let name = appointments
                        .get(appointment)
                        .map(describe)
                        .unwrap_or_else(|| appointment.to_string());
                    self.summary.conflict_notes.push(match winner {
                        Side::Local => format!(
                            "{name} was changed both in Quick3 Planner and in Outlook ({}); Quick3 Planner's version is kept.",
                            self.account.email
                        ),
                        Side::Remote => format!(
                            "{name} was changed both in Quick3 Planner and in Outlook ({}); Outlook's version is kept.",
                            self.account.email
                        ),
                    });
                }
                push if push.is_push() => {
                    if let SyncOp::PushCreate { appointment, .. }
                    | SyncOp::PushUpdate { appointment, .. }
                    | SyncOp::PushDelete { appointment, .. } = push
                    {
                        write.ensure_outbox.push(*appointment);
                    }
                }
                _ => {}
            }
        }
        // Linked events not rewritten above: the base follows what Microsoft now says (change
        // key, remote hash), so If-Match and "remote changed" stay right.
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
        write.appointments.push((appointment, None));
        self.masters.insert(slot.master_id.clone(), id);
        Ok(id)
    }
}
