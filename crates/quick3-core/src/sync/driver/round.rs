//! Down's round: one calendar's delta round (from its link, or a full round over the window),
//! page by page while the next pages download; the pages of a full round share transactions,
//! committed by size, by age and before the sync waits on the network.

use std::time::Instant;

use chrono::{DateTime, SecondsFormat, Utc};

use super::guard::{HeldBefore, HeldRound};
use super::page::PageMode;
use super::{Run, Stop, urlencode};
use crate::error::Result;
use crate::graph::GraphError;
use crate::graph::event::{DeltaPage, RemoteEntry};
use crate::store::sync_state::{CalendarAdvance, PageCommit, SyncCalendar};
use crate::sync::download::Downloads;

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
    pub(super) since: Option<Instant>,
}

/// Where a calendar's round starts (see `Run::round_start`).
#[derive(Debug, Clone)]
pub(super) struct RoundStart {
    /// A new full round starts first (the window slid).
    restart: bool,
    window: (DateTime<Utc>, DateTime<Utc>),
    /// The stored delta link, or the first page of a full round over `window`.
    pub(super) url: String,
}

/// A round's pages so far.
struct RoundSoFar {
    window: (DateTime<Utc>, DateTime<Utc>),
    /// Its pages from the first that may delete, each with its link.
    held: Vec<(Vec<RemoteEntry>, CalendarAdvance)>,
    /// Entries of this round written so far (where its transactions end).
    written: usize,
    /// Events of this round so far (a round restarted after a 410 counts from zero again).
    events: u32,
    /// Restarted after a 410 (once only).
    restarted: bool,
}

impl RoundSoFar {
    fn new(window: (DateTime<Utc>, DateTime<Utc>)) -> RoundSoFar {
        RoundSoFar {
            window,
            held: Vec::new(),
            written: 0,
            events: 0,
            restarted: false,
        }
    }
}

/// Whether a page may delete, and so is held until every calendar's round is known: it removes
/// events, or it completes a full round (what the round did not see is gone).
fn may_delete(entries: &[RemoteEntry], advance: &CalendarAdvance) -> bool {
    entries
        .iter()
        .any(|e| matches!(e, RemoteEntry::Removed { .. }))
        || (advance.round_complete && advance.full_round.is_some())
}

impl Run<'_, '_> {
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
    pub(super) async fn calendar(
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
    pub(super) fn page_written(&mut self, commit: PageCommit) {
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
    pub(super) fn commit_open_pages(&mut self) -> Result<()> {
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
    pub(super) fn round_start(&self, calendar: &SyncCalendar) -> RoundStart {
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

    /// One calendar's round: each page as it downloads is written at once, or held (with every
    /// page after it) when it may delete; a 410 restarts the round once, as a full round.
    async fn calendar_round(
        &mut self,
        mut calendar: SyncCalendar,
        start: RoundStart,
        (downloads, index): (&mut Downloads<'_>, usize),
        events: &mut u32,
        progress: &mut dyn FnMut(u32),
    ) -> std::result::Result<Option<HeldRound>, Stop> {
        if start.restart {
            self.restart_round(&mut calendar)?;
        }
        if calendar.delta_link.is_none() && calendar.full_round.is_none() {
            calendar.full_round = Some(uuid::Uuid::new_v4().to_string());
        }
        let mut round = RoundSoFar::new(start.window);
        // A page taken while pages left open waited for it.
        let mut taken: Option<std::result::Result<DeltaPage, GraphError>> = None;
        loop {
            let answer = match taken.take() {
                Some(answer) => answer,
                None => downloads.take(index).await,
            };
            let page = match answer {
                Ok(page) => page,
                Err(GraphError::SyncStateNotFound) if !round.restarted => {
                    // 410: start a full round; matching by remote key keeps it free of duplicates.
                    // Pages held for the dead round go with it: the full round re-reads all they
                    // carried, and kept they would hold back every page of the new round, have
                    // the guard count their deletions twice and be applied with a dead link.
                    // (Pages written before them are committed by `restart_round`; nothing was
                    // counted or deleted for held ones.)
                    *events -= round.events;
                    round = RoundSoFar {
                        restarted: true,
                        ..RoundSoFar::new(self.window())
                    };
                    self.restart_round(&mut calendar)?;
                    downloads.restart(index, self.round_url(&calendar, round.window));
                    continue;
                }
                Err(err) => return Err(Stop::Graph(err)),
            };
            crate::sync::crash::point(crate::sync::crash::Step::DownPageFetched);
            let (entries, advance) = self.round_page(&calendar, page, round.window)?;
            *events += entries.len() as u32;
            round.events += entries.len() as u32;
            let round_complete = advance.round_complete;
            // Pages that may delete wait until the round is complete, so the guard sees every
            // deletion of the change before any is applied.
            if round.held.is_empty() && !may_delete(&entries, &advance) {
                self.write_in_round(&calendar, entries, advance, &mut round.written, downloads)
                    .await?;
                progress(*events);
                if !round_complete {
                    taken = self.next_page_or_commit(downloads, index).await?;
                }
            } else {
                round.held.push((entries, advance));
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
        Ok((!round.held.is_empty()).then_some(HeldRound {
            calendar,
            pages: round.held,
            written: round.written,
        }))
    }

    /// A downloaded page of `calendar`'s round over `window`: its entries (a cancelled event is
    /// a removal; one that cannot be read is skipped and reported) and the advance its link makes.
    fn round_page(
        &mut self,
        calendar: &SyncCalendar,
        page: DeltaPage,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> std::result::Result<(Vec<RemoteEntry>, CalendarAdvance), Stop> {
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
        let advance = CalendarAdvance {
            calendar_id: calendar.calendar_id.clone(),
            link,
            round_complete,
            window,
            full_round: calendar.full_round.clone(),
        };
        Ok((entries, advance))
    }

    /// Pages left open wait for the next one only briefly ([`COMMIT_GRACE`]), then are committed
    /// first; the next page when it came in time.
    async fn next_page_or_commit(
        &mut self,
        downloads: &mut Downloads<'_>,
        index: usize,
    ) -> std::result::Result<Option<std::result::Result<DeltaPage, GraphError>>, Stop> {
        if self.open.since.is_none() {
            return Ok(None);
        }
        match tokio::time::timeout(COMMIT_GRACE, downloads.take(index)).await {
            Ok(answer) => Ok(Some(answer)),
            Err(_) => {
                self.commit_open_pages()?;
                Ok(None)
            }
        }
    }

    /// Writes a page of the round in order, committed as [`Self::page_commit`] says, while the
    /// next pages download; `written` counts the round's events written so far.
    pub(super) async fn write_in_round(
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
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn advance(round_complete: bool, full_round: bool) -> CalendarAdvance {
        let day = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        CalendarAdvance {
            calendar_id: "calendar".into(),
            link: "link".into(),
            round_complete,
            window: (day, day + chrono::Duration::days(365)),
            full_round: full_round.then(|| "round".into()),
        }
    }

    #[test]
    fn a_page_may_delete_when_it_removes_or_ends_a_full_round() {
        let removal = || vec![RemoteEntry::Removed { id: "gone".into() }];
        let cases = [
            (
                "a page of a full round under way",
                vec![],
                false,
                true,
                false,
            ),
            ("the last page of a full round", vec![], true, true, true),
            (
                "the last page of an incremental round",
                vec![],
                true,
                false,
                false,
            ),
            (
                "a removal in an incremental round",
                removal(),
                false,
                false,
                true,
            ),
            ("a removal in a full round", removal(), false, true, true),
        ];
        for (case, entries, complete, full, expected) in cases {
            assert_eq!(
                may_delete(&entries, &advance(complete, full)),
                expected,
                "{case}: held only when the guard must weigh it"
            );
        }
    }
}
