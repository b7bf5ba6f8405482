//! Down's guard and apply: the rounds whose pages may delete are held until every calendar's
//! round is known, the mass-deletion guard weighs their deletions together, then they are applied
//! (only those that delete nothing when the guard stopped the run).

use std::collections::HashSet;

use super::page::{PageMode, PageOutcome};
use super::summary::{MassDeleteBlocked, SyncProgress, Tally};
use super::{MASS_DELETE_MINIMUM, Run, Stop, key_of};
use crate::error::Result;
use crate::graph::event::RemoteEntry;
use crate::store::sync_state::{CalendarAdvance, SyncCalendar};
use crate::sync::download::Downloads;

/// What the held pages counted before this one carry: their events are in the round (not
/// deletions of it), and their removals are counted already.
#[derive(Debug, Default)]
pub(super) struct HeldBefore {
    /// Remote keys of their present events.
    pub(super) keys: HashSet<String>,
    /// Remote ids of their removed (or cancelled) events.
    pub(super) removed: HashSet<String>,
}

/// A calendar's round whose pages may delete, held until every calendar's round is known.
pub(super) struct HeldRound {
    pub(super) calendar: SyncCalendar,
    /// Its pages from the first that may delete, in order, each with its link.
    pub(super) pages: Vec<(Vec<RemoteEntry>, CalendarAdvance)>,
    /// The round's events written before them.
    pub(super) written: usize,
}

impl Run<'_, '_> {
    /// Writes a held round's pages, in order.
    async fn write_held(
        &mut self,
        mut round: HeldRound,
        downloads: &mut Downloads<'_>,
    ) -> std::result::Result<(), Stop> {
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
        Ok(())
    }

    /// Applies the rounds held because they may delete, once the whole run's change is known:
    /// the mass-deletion guard weighs every calendar's deletions together, so no calendar loses
    /// appointments before the total is known. When the guard stops the run, only the rounds
    /// that delete nothing are applied.
    pub(super) async fn settle(
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
        for ((round, report), n) in rounds.into_iter().zip(counted) {
            if blocked && n > 0 {
                if self.options.dry_run {
                    // The preview lists what the guard holds back; nothing is counted.
                    let tally = Tally::of(self.summary);
                    let preview = self.summary.preview.len();
                    self.holding_back = true;
                    self.write_held(round, downloads).await?;
                    self.holding_back = false;
                    let held = self.summary.preview.split_off(preview);
                    tally.restore(self.summary);
                    self.summary.preview.extend(held);
                }
                continue;
            }
            self.write_held(round, downloads).await?;
            self.commit_open_pages()?;
            progress(&report);
        }
        // Reads of series for pages the guard held back are not kept for later pages.
        self.series_read.clear();
        self.series_present.clear();
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

    /// The mass-deletion guard, over the whole run: true (and reported) when `deletions` in
    /// the `deleting` calendars would remove more than half of the account's pulled
    /// appointments without the planner's allowance.
    fn guard(&mut self, deleting: &[&SyncCalendar], deletions: u64) -> Result<bool> {
        let massive = deletions > MASS_DELETE_MINIMUM && deletions * 2 > self.pulled_before;
        if !massive {
            return Ok(false);
        }
        if self.options.allow_mass_delete || deleting.iter().all(|c| c.deletions_allowed) {
            self.mass_deletion_allowed = true;
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
}
