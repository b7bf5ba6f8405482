//! Which of an account's calendars are synced: the list the Office 365 tab and
//! `quick3 account calendars` show, and the planner's choice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::Result;
use crate::ids::AccountId;
use crate::store::Store;

/// One calendar of a mailbox as the planner chooses it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CalendarChoice {
    pub calendar_id: String,
    pub name: String,
    /// The mailbox's default calendar (the one uploads go to).
    pub is_default: bool,
    pub selected: bool,
    /// When its last full round ended: `None` until a sync has pulled it whole.
    pub last_full_sync: Option<DateTime<Utc>>,
}

/// What choosing changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CalendarsChosen {
    pub calendars: Vec<CalendarChoice>,
    /// Appointments taken out of the Scheduler with the calendars switched off.
    #[ts(type = "number")]
    pub removed: u64,
}

/// The calendars the account's mailbox has, as the last sync listed them (default first). Empty
/// until the first sync.
pub fn account_calendars(store: &Store, account: AccountId) -> Result<Vec<CalendarChoice>> {
    store.account(account)?;
    Ok(store
        .sync_calendars(account)?
        .into_iter()
        .map(|c| CalendarChoice {
            calendar_id: c.calendar_id,
            name: c.name,
            is_default: c.is_default,
            selected: c.selected,
            last_full_sync: c.last_full_sync,
        })
        .collect())
}

/// Syncs exactly the calendars in `selected` (ids, or names as the mailbox shows them). Those
/// switched off leave the Scheduler with their appointments; those switched on arrive whole at the
/// next sync. Quick3's own appointments never change.
pub fn choose_calendars(
    store: &mut Store,
    account: AccountId,
    selected: &[String],
    now: DateTime<Utc>,
) -> Result<CalendarsChosen> {
    let known = account_calendars(store, account)?;
    let ids: Vec<String> = selected
        .iter()
        .map(|wanted| {
            let wanted = wanted.trim();
            known
                .iter()
                .find(|c| c.calendar_id == wanted)
                .or_else(|| known.iter().find(|c| c.name.eq_ignore_ascii_case(wanted)))
                .map_or_else(|| wanted.to_owned(), |c| c.calendar_id.clone())
        })
        .collect();
    let removed = store.choose_calendars(account, &ids, now)?;
    Ok(CalendarsChosen {
        calendars: account_calendars(store, account)?,
        removed,
    })
}
