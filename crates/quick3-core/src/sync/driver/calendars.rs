//! Down's calendar list: the mailbox's calendars as Microsoft lists them, recorded with the
//! planner's choices; a calendar missing from the list is forgotten only when the mass-deletion
//! guard allows it.

use super::summary::MassDeleteBlocked;
use super::{MASS_DELETE_MINIMUM, Run, Stop};
use crate::error::Result;
use crate::graph::calendars;
use crate::model::ChangeCause;
use crate::store::sync_state::SyncCalendar;

impl Run<'_, '_> {
    pub(super) async fn calendar_list(&mut self) -> std::result::Result<Vec<SyncCalendar>, Stop> {
        let found = calendars::list(self.client, self.client.mailbox()).await?;
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
        // A calendar forgotten with more appointments than the guard lets through.
        let mut mass_allowed = false;
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
            if pulled <= MASS_DELETE_MINIMUM {
                continue;
            }
            if self.options.allow_mass_delete || calendar.deletions_allowed {
                mass_allowed = true;
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
        // A calendar gone from Outlook takes its appointments along: Outlook's change, or the
        // planner's allowance when they were more than the guard lets through.
        let cause = if mass_allowed {
            ChangeCause::MassDeletionAllowed
        } else {
            ChangeCause::OutlookChanged
        };
        let journal = self.journal.map(|run| (run, cause));
        self.store
            .record_calendar_list(account, found, &keep, ((self.clock)(), journal))?;
        Ok(())
    }
}
