//! Down, run here per selected calendar in order: calendar list (`calendars`) → round (`round`)
//! → pages (`page`) → guard → apply (`guard`). Each selected calendar's round is read page by
//! page while the next pages download; a page is planned from reads made outside the write lock
//! and written (with its delta link) after a check under it; pages that may delete are held until
//! every calendar's round is complete, so that the mass-deletion guard weighs the run's whole
//! change before any deletion.

use super::guard::HeldRound;
use super::round::RoundStart;
use super::summary::SyncProgress;
use super::{Run, Stop};
use crate::graph::GraphError;
use crate::store::sync_state::SyncCalendar;
use crate::sync::download::Downloads;

impl Run<'_, '_> {
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
}
