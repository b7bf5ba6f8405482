//! The sync driver: one account's sync, Down then Up; `summary` is what a run reports. The stored
//! base changes only after a pulled page is committed (with its delta link, in the same
//! transaction) or after Microsoft confirmed a push.
//!
//! - Down (`down` runs the phases per selected calendar, in order): calendar list (`calendars`:
//!   asked when none is known, and again when a calendar is gone) → round (`round`: its delta
//!   link, or a full round over the window) → pages (`page`: downloaded ahead, each planned from
//!   the store and written with its link; `series_down`: first, the series made in Quick3 that
//!   the page shows changed in Outlook, read and taken in) → guard (`guard`: pages that may delete are held until
//!   every calendar's round is complete, and the mass-deletion guard weighs them together) →
//!   apply (`guard`: the held pages, unless the guard stopped).
//! - Up (`up`): outbox (entries due, with the Quick3 appointments the account lacks) → plan
//!   (push-only) → batch (one `$batch` of POSTs, PATCHes and DELETEs) → answers (each confirmed
//!   into a link, failed into the summary, or queued for a second pass).

mod calendars;
mod down;
mod guard;
mod journal;
mod page;
mod preview;
mod round;
mod series_down;
mod series_gone;
mod summary;
mod undo;
mod up;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, SecondsFormat, Utc};

use super::plan::{BaseItem, LocalItem, Owner, Rules};
use crate::error::{CoreError, Result};
use crate::graph::GraphError;
use crate::graph::client::{
    AccountTokens, AppTokens, GraphClient, OWN_MAILBOX, RetryPolicy, TokenSource, user_mailbox,
};
use crate::graph::event::{RemoteEvent, SeriesSlot};
use crate::identity::{Credentials, OrgError};
use crate::ids::{AccountId, AppointmentId};
use crate::model::{Account, AccountStatus, Appointment, Direction, OrgSettings, Origin};
use crate::store::Store;
use crate::store::sync_state::Link;

use round::OpenPages;
pub use round::WINDOW_SLIDE_DAYS;
use summary::give_up;
pub use summary::{MassDeleteBlocked, SyncProgress, SyncSummary};

/// A mass deletion is one of more than this many appointments…
pub const MASS_DELETE_MINIMUM: u64 = 10;

/// Mailboxes synced at the same time by default.
pub const DEFAULT_MAILBOXES_IN_PARALLEL: usize = 8;

/// Events of a full round committed together by default (see [`SyncOptions::events_per_commit`]).
pub const DEFAULT_EVENTS_PER_COMMIT: usize = 2_000;

/// The store's page cache during a sync, in KiB per event of a transaction: room for the pages
/// a transaction of several pages changes (each of an event's four random-keyed index entries
/// on a page of its own, at worst), so that none is written to the log before the commit…
const PAGE_CACHE_KIB_PER_EVENT: usize = 16;

/// …and at most this much (the cache keeps what it read until the connection closes).
const PAGE_CACHE_MOST_KIB: usize = 32 * 1024;

/// The page cache for transactions of `events_per_commit` events: 32 MiB for the default 2,000,
/// never less than SQLite's default.
fn page_cache_kib(events_per_commit: usize) -> u32 {
    let kib = events_per_commit
        .saturating_mul(PAGE_CACHE_KIB_PER_EVENT)
        .min(PAGE_CACHE_MOST_KIB);
    (kib as u32).max(Store::DEFAULT_PAGE_CACHE_KIB)
}

/// How a sync runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Plan and report, write nothing (neither side).
    pub dry_run: bool,
    /// Apply a deletion of more than half of an account's pulled appointments.
    pub allow_mass_delete: bool,
    pub days_back: i64,
    pub days_forward: i64,
    /// `Prefer: odata.maxpagesize` for delta pages.
    pub page_size: u32,
    pub retry: RetryPolicy,
    /// Mailboxes synced at the same time (each with at most four requests in flight).
    pub mailboxes_in_parallel: usize,
    /// A full round's pages are committed together, up to about this many events (each page
    /// with the changes before it and its link): a first sync then writes each index leaf a few
    /// times instead of once per page. 1 commits every page on its own, as mailboxes synced in
    /// parallel do (`api::sync`: they share one thread, where a transaction left open across
    /// an await would block the others). The store's page cache during the sync follows it
    /// (16 KiB an event, 2–32 MiB).
    pub events_per_commit: usize,
    /// Calendars of the mailbox downloading at the same time, and pages of all of them held
    /// ahead of the one being written (see [`super::download`]). Mailboxes synced in parallel
    /// (`api::sync`) download one calendar at a time with nothing held beyond its two pages:
    /// the mailboxes overlap each other's waits already, and memory stays what it was per mailbox.
    pub calendars_at_once: usize,
    pub pages_held: usize,
    /// What started the sync, as the journal says.
    pub trigger: crate::model::SyncTrigger,
    /// Undo this run of the account first (the run's trigger is then `undo`); with `dry_run`,
    /// only say what the undo would do (the summary's `undo`) and sync nothing.
    pub undo: Option<crate::ids::SyncRunId>,
    /// A test hook run at the sync's pause points (see [`super::crash::Pause`]); `None` always
    /// outside tests.
    pub pause: Option<super::crash::Pause>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            dry_run: false,
            allow_mass_delete: false,
            days_back: 30,
            days_forward: 365,
            page_size: 100,
            retry: RetryPolicy::default(),
            mailboxes_in_parallel: DEFAULT_MAILBOXES_IN_PARALLEL,
            events_per_commit: DEFAULT_EVENTS_PER_COMMIT,
            calendars_at_once: super::download::CALENDARS_AT_ONCE,
            pages_held: super::download::PAGES_HELD,
            trigger: crate::model::SyncTrigger::Manual,
            undo: None,
            pause: None,
        }
    }
}

type Clock<'a> = &'a (dyn Fn() -> DateTime<Utc> + Sync);

/// Syncs one account in its direction. Graph failures become sentences in the summary and the
/// account's status; only store failures are errors. The run and each change it makes go into
/// the sync journal (not in a dry run).
pub async fn sync_account(
    store: &mut Store,
    credentials: &Credentials,
    account: &Account,
    options: &SyncOptions,
    clock: Clock<'_>,
    progress: &mut dyn FnMut(&SyncProgress),
) -> Result<SyncSummary> {
    let run = journal::begin(store, account, options, clock())?;
    let synced = sync_journalled(store, credentials, account, options, clock, progress, run)
        .await
        .map(|summary| SyncSummary { run, ..summary });
    match &synced {
        Ok(summary) => journal::finish(store, run, Some(summary), None, clock())?,
        Err(err) => {
            // The store failed: the journal says so if it still can; the failure is the error.
            store.abandon_pages();
            let _ = journal::finish(store, run, None, Some(&err.to_string()), clock());
        }
    }
    synced
}

async fn sync_journalled(
    store: &mut Store,
    credentials: &Credentials,
    account: &Account,
    options: &SyncOptions,
    clock: Clock<'_>,
    progress: &mut dyn FnMut(&SyncProgress),
    journal: Option<crate::ids::SyncRunId>,
) -> Result<SyncSummary> {
    let mut summary = SyncSummary::empty(account, options.dry_run);
    let rules = rules_for(account.direction, account.is_main);
    if !rules.pull && !rules.push {
        return Ok(summary);
    }
    let account_tokens;
    let app_tokens;
    let (tokens, mailbox): (&dyn TokenSource, String) = match &account.organisation {
        None => {
            account_tokens = AccountTokens {
                credentials,
                account: account.clone(),
                clock,
            };
            (&account_tokens, OWN_MAILBOX.to_owned())
        }
        Some(link) => {
            let settings = match org_settings_for(store, account)? {
                Ok(settings) => settings,
                Err(reason) => return give_up(store, account, options, summary, &reason, clock()),
            };
            app_tokens = AppTokens {
                credentials,
                settings,
                clock,
            };
            (&app_tokens, user_mailbox(&link.object_id))
        }
    };
    let client = GraphClient::new(
        credentials.http().clone(),
        credentials.endpoints().graph.as_str(),
        tokens,
        options.retry.clone(),
    )
    .for_mailbox(mailbox);
    // A full round's transaction of several pages keeps its changed pages in the cache until it
    // commits: with SQLite's default cache (2 MB) they would be spilled into the log one by one,
    // and written again each time they change.
    store.set_page_cache(page_cache_kib(options.events_per_commit))?;
    let mut run = Run {
        store,
        client: &client,
        account,
        options,
        clock,
        rules,
        summary: &mut summary,
        masters: HashMap::new(),
        refreshed: HashMap::new(),
        series_read: HashMap::new(),
        series_present: HashMap::new(),
        series_seen: HashMap::new(),
        pulled_before: 0,
        calendars_kept: HashSet::new(),
        open: OpenPages::default(),
        journal,
        mass_deletion_allowed: false,
        holding_back: false,
    };
    let outcome = match options.undo {
        Some(target) => run.undo(target).await,
        None => Ok(()),
    };
    let outcome = match outcome {
        // The preview of an undo syncs nothing.
        Ok(()) if options.dry_run && options.undo.is_some() => Ok(()),
        Ok(()) => run.all(progress).await,
        stopped => stopped,
    };
    store.set_page_cache(Store::DEFAULT_PAGE_CACHE_KIB)?;
    summary.requests = client.traffic().requests() as u32;
    record_outcome(store, account, options, &mut summary, outcome, clock())?;
    Ok(summary)
}

/// What an account's direction lets a sync do: pull when it reads from Microsoft 365, push when
/// it writes there and is the main account.
fn rules_for(direction: Direction, is_main: bool) -> Rules {
    Rules {
        pull: matches!(direction, Direction::Down | Direction::UpAndDown),
        push: is_main && matches!(direction, Direction::Up | Direction::UpAndDown),
    }
}

/// The organisation's settings an organisation link syncs with, or why it cannot sync at all.
fn org_settings_for(
    store: &Store,
    account: &Account,
) -> Result<std::result::Result<OrgSettings, String>> {
    Ok(match store.org_settings()? {
        Some(settings) if settings.allows(account.direction) => Ok(settings),
        Some(_) => Err(format!(
            "the organisation no longer allows the direction {} for linked mailboxes",
            account.direction.as_str()
        )),
        None => Err(OrgError::NotConfigured.to_string()),
    })
}

/// Records how a run ended: its time and first error as the account's status, or the failure
/// that stopped it (in the summary too); nothing in a dry run. A store failure is the error.
fn record_outcome(
    store: &mut Store,
    account: &Account,
    options: &SyncOptions,
    summary: &mut SyncSummary,
    outcome: std::result::Result<(), Stop>,
    now: DateTime<Utc>,
) -> Result<()> {
    match outcome {
        Ok(()) if !options.dry_run => {
            // The first problem of a run that went on past it (a calendar, an upload) is why it
            // failed; a run without one succeeded.
            let failure = summary.errors.first().map(String::as_str);
            store.record_account_sync(account.id, now, failure)?;
        }
        Ok(()) => {}
        Err(Stop::Graph(err)) => {
            let status = if err.needs_sign_in() {
                AccountStatus::SignInNeeded
            } else {
                AccountStatus::Error
            };
            let failure = err.about_mailbox(account.organisation.as_ref());
            summary.errors.push(format!("{}: {failure}", account.email));
            if !options.dry_run {
                store.record_sync_failure(account.id, status, now, &failure)?;
            }
        }
        Err(Stop::Store(err)) => return Err(err),
    }
    Ok(())
}

/// Why a sync stopped early.
enum Stop {
    Graph(GraphError),
    Store(CoreError),
}

impl From<CoreError> for Stop {
    fn from(err: CoreError) -> Self {
        Stop::Store(err)
    }
}

impl From<GraphError> for Stop {
    fn from(err: GraphError) -> Self {
        Stop::Graph(err)
    }
}

struct Run<'r, 'c> {
    store: &'r mut Store,
    client: &'r GraphClient<'c>,
    account: &'r Account,
    options: &'r SyncOptions,
    clock: Clock<'r>,
    rules: Rules,
    summary: &'r mut SyncSummary,
    /// Series masters known locally, by remote id.
    masters: HashMap<String, AppointmentId>,
    /// Pulled series masters read from Outlook in this run, by remote id (`page`: a master is
    /// read at most once a run).
    refreshed: HashMap<String, Box<RemoteEvent>>,
    /// Quick3 series read from Outlook while the guard counted a held page, by the master's
    /// remote id (`None`: gone), taken when that page is written instead of being read again:
    /// the page was downloaded before the count, so the count's answer is as new as its link
    /// needs. Emptied when the held pages are settled.
    series_read: HashMap<String, Option<series_down::OutlookSeries>>,
    /// Whether Outlook still has a Quick3 series master, looked up at a full round's end while
    /// the guard counted the held page, by remote id (`series_gone`); taken when it is written.
    series_present: HashMap<String, bool>,
    /// Series masters an occurrence of which a full round showed, by round (`series_gone`):
    /// Outlook has them, and they are not looked up at the round's end.
    series_seen: HashMap<String, HashSet<String>>,
    pulled_before: u64,
    /// Calendars missing from Microsoft's list that the mass-deletion guard keeps.
    calendars_kept: HashSet<String>,
    /// Pages of a full round written and not yet committed.
    open: OpenPages,
    /// The journal's run (none in a dry run).
    journal: Option<crate::ids::SyncRunId>,
    /// The mass-deletion guard let a mass deletion through (the planner allowed it).
    mass_deletion_allowed: bool,
    /// A dry run is going through the pages the guard holds back, for the preview.
    holding_back: bool,
}

fn key_of(event: &RemoteEvent) -> String {
    match &event.series {
        Some(SeriesSlot {
            master_id,
            original_start,
        }) => format!(
            "series:{master_id}:{}",
            original_start.to_rfc3339_opts(SecondsFormat::Secs, true)
        ),
        None => event.id.clone(),
    }
}

impl Run<'_, '_> {
    async fn all(
        &mut self,
        progress: &mut dyn FnMut(&SyncProgress),
    ) -> std::result::Result<(), Stop> {
        if self.rules.pull {
            self.down(progress).await?;
        }
        if self.rules.push {
            self.up(progress).await?;
        }
        Ok(())
    }

    fn window(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let now = (self.clock)();
        let day = |t: DateTime<Utc>| {
            t.date_naive()
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
        };
        (
            day(now - Duration::days(self.options.days_back)),
            day(now + Duration::days(self.options.days_forward)),
        )
    }

    /// The local side of an appointment for the plan.
    fn local_item(
        &self,
        id: AppointmentId,
        window: (DateTime<Utc>, DateTime<Utc>),
    ) -> Result<Option<(LocalItem, Appointment)>> {
        // A row whose stored data cannot be read (written by an older version, or damaged) is
        // left out like an appointment that is not there: one bad row never stops a sync. Its
        // link follows Microsoft, a removal in Outlook still tombstones it, and the planner can
        // delete it by id.
        let found = match self.store.appointment_with_tombstone(id) {
            Err(CoreError::Corrupt(what)) => {
                tracing::warn!(
                    appointment = %id,
                    "the appointment {id} could not be read ({what}); it is left out of this sync"
                );
                return Ok(None);
            }
            found => found?,
        };
        let Some((appointment, deleted)) = found else {
            return Ok(None);
        };
        let here = appointment.resource_id == self.account.resource_id;
        let (from, to) = appointment.when.covering_span();
        let live = !deleted && here;
        let item = LocalItem {
            id,
            hash: live.then(|| crate::model::local_hash(&appointment)),
            conflict_digest: live
                .then(|| crate::model::Content::of(&appointment).conflict_digest()),
            in_conflict: self.store.in_conflict(self.account.id, id)?,
            owner: match appointment.origin {
                Origin::Quick3 => Owner::Quick3,
                Origin::Microsoft365 { .. } => Owner::Microsoft,
            },
            in_window: to > window.0 && from < window.1,
            here,
            pending: self.store.outbox_revision(self.account.id, id)?.is_some(),
        };
        Ok(Some((item, appointment)))
    }
}

impl Link {
    /// The link of `appointment` to `event` as Microsoft confirmed it (a pulled page, or the
    /// answer to a push): the event's key, id and change key, `remote_hash` the hash of its
    /// content, `local_hash` the hash of the local content known to be in step with it.
    fn confirmed(
        appointment: AppointmentId,
        account: AccountId,
        calendar_id: Option<String>,
        event: &RemoteEvent,
        local_hash: String,
        remote_hash: String,
    ) -> Link {
        Link {
            appointment,
            account,
            calendar_id,
            remote_key: key_of(event),
            remote_id: event.id.clone(),
            change_key: event.change_key.clone(),
            local_hash,
            remote_hash,
        }
    }
}

fn base_item(link: &Link) -> BaseItem {
    BaseItem {
        appointment: link.appointment,
        key: link.remote_key.clone(),
        remote_id: link.remote_id.clone(),
        local_hash: link.local_hash.clone(),
        remote_hash: link.remote_hash.clone(),
        change_key: link.change_key.clone(),
    }
}

/// Percent-encodes an id for a URL path segment (ids may hold `/`, `+`, `=`).
fn urlencode(id: &str) -> String {
    url::form_urlencoded::byte_serialize(id.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_main_account_pushes_and_a_paused_one_does_nothing() {
        let cases = [
            (Direction::Down, true, (true, false)),
            (Direction::Down, false, (true, false)),
            (Direction::Up, true, (false, true)),
            (Direction::Up, false, (false, false)),
            (Direction::UpAndDown, true, (true, true)),
            (Direction::UpAndDown, false, (true, false)),
            (Direction::None, true, (false, false)),
        ];
        for (direction, is_main, (pull, push)) in cases {
            assert_eq!(
                rules_for(direction, is_main),
                Rules { pull, push },
                "{direction:?} (main: {is_main}): uploads go to the main account only"
            );
        }
    }
}
