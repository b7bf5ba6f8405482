//! Microsoft 365 accounts in the store: one main account per resource (the upload target), the
//! others pulled from; status and last sync as the Office 365 tab shows them.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};

use super::{Store, utc_text};
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, ResourceId};
use crate::model::{Account, AccountStatus, Direction, NewAccount, SyncFailure, checked_scopes};

const COLUMNS: &str = "id, resource_id, email, direction, scopes, is_main, position, status, \
                       last_sync_at, last_error, mailbox_id, display_name, keyring_id, \
                       sync_failed_at, sync_failure";

impl Store {
    /// The Microsoft 365 accounts of a resource, the main account first.
    pub fn accounts_of(&self, resource: ResourceId) -> Result<Vec<Account>> {
        self.resource(resource)?;
        let sql = format!(
            "SELECT {COLUMNS} FROM m365_accounts WHERE resource_id = ?1 ORDER BY is_main DESC, position, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([resource], account_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    /// Every account of every resource.
    pub fn all_accounts(&self) -> Result<Vec<Account>> {
        let sql = format!(
            "SELECT {COLUMNS} FROM m365_accounts ORDER BY resource_id, is_main DESC, position, id"
        );
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt.query_map([], account_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    pub fn account(&self, id: AccountId) -> Result<Account> {
        let sql = format!("SELECT {COLUMNS} FROM m365_accounts WHERE id = ?1");
        self.conn
            .query_row(&sql, [id], account_from_row)
            .optional()?
            .ok_or_else(|| CoreError::UnknownAccount {
                reference: id.to_string(),
            })?
    }

    /// Adds an account waiting for its sign-in. The resource's first account becomes its main one.
    pub fn add_account(&mut self, new: NewAccount, now: DateTime<Utc>) -> Result<Account> {
        let new = new.validate()?;
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM resources WHERE id = ?1)",
            [new.resource_id],
            |row| row.get(0),
        )?;
        if !exists {
            return Err(CoreError::UnknownResource {
                reference: new.resource_id.to_string(),
            });
        }
        let taken: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM m365_accounts WHERE resource_id = ?1 AND lower(email) = lower(?2))",
            params![new.resource_id, new.email],
            |row| row.get(0),
        )?;
        if taken {
            return Err(CoreError::DuplicateAccount { email: new.email });
        }
        refuse_second_uploader(&tx, &new.email, new.direction, None, new.resource_id)?;
        let (count, next_position): (i64, i64) = tx.query_row(
            "SELECT count(*), coalesce(max(position), 0) + 1 FROM m365_accounts WHERE resource_id = ?1",
            [new.resource_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        tx.execute(
            "INSERT INTO m365_accounts (resource_id, email, direction, scopes, is_main, position, status, created_at, keyring_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, lower(hex(randomblob(16))))",
            params![
                new.resource_id,
                new.email,
                new.direction.as_str(),
                new.scopes.join(" "),
                count == 0,
                next_position,
                AccountStatus::WaitingForSignIn.as_str(),
                utc_text(now),
            ],
        )?;
        let id = AccountId(tx.last_insert_rowid());
        tx.commit()?;
        self.account(id)
    }

    /// Changes an account's direction and scopes. Direction None pauses it; leaving None resumes.
    pub fn edit_account(
        &mut self,
        id: AccountId,
        direction: Direction,
        scopes: Vec<String>,
    ) -> Result<Account> {
        let current = self.account(id)?;
        refuse_second_uploader(
            &self.conn,
            &current.email,
            direction,
            Some(id),
            current.resource_id,
        )?;
        let scopes = checked_scopes(direction, scopes);
        // Scopes Microsoft has not granted yet need a new sign-in (a refresh cannot add them).
        let added: Vec<&String> = scopes
            .iter()
            .filter(|s| !current.scopes.iter().any(|c| c.eq_ignore_ascii_case(s)))
            .collect();
        let (status, error) = match (direction, current.status) {
            (Direction::None, _) => (AccountStatus::Paused, current.last_error.clone()),
            (_, AccountStatus::WaitingForSignIn) => (AccountStatus::WaitingForSignIn, None),
            _ if !added.is_empty() => (
                AccountStatus::SignInNeeded,
                Some(format!(
                    "The permissions changed: sign in again so that Microsoft can grant {}.",
                    added
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            ),
            (_, AccountStatus::Paused) => (AccountStatus::Connected, None),
            (_, status) => (status, current.last_error.clone()),
        };
        self.conn.execute(
            // A direction chosen by the planner replaces the one an archive kept (migration 0017).
            "UPDATE m365_accounts SET direction = ?2, scopes = ?3, status = ?4, last_error = ?5,
                 archived_direction = NULL, archived_status = NULL
             WHERE id = ?1",
            params![
                id,
                direction.as_str(),
                scopes.join(" "),
                status.as_str(),
                error
            ],
        )?;
        self.account(id)
    }

    /// Makes `id` its resource's main account (the only one that receives uploads).
    pub fn set_main_account(&mut self, id: AccountId) -> Result<Account> {
        let account = self.account(id)?;
        let tx = self.conn.transaction()?;
        tx.execute(
            "UPDATE m365_accounts SET is_main = 0 WHERE resource_id = ?1",
            [account.resource_id],
        )?;
        tx.execute("UPDATE m365_accounts SET is_main = 1 WHERE id = ?1", [id])?;
        tx.commit()?;
        self.account(id)
    }

    /// Removes an account. Its pulled appointments are kept (detached from the account, editable,
    /// remembered by mailbox so that the same mailbox added again takes them back) or deleted;
    /// when it was the main account, the next one is promoted. Its tokens are the caller's to delete
    /// from the keyring.
    pub fn remove_account(
        &mut self,
        id: AccountId,
        keep_appointments: bool,
        now: DateTime<Utc>,
    ) -> Result<Account> {
        let account = self.account(id)?;
        let tx = self.conn.transaction()?;
        if keep_appointments {
            tx.execute(
                "UPDATE appointments SET kept_from = lower(?2) WHERE origin_account_id = ?1",
                params![id, account.email],
            )?;
        } else {
            tx.execute(
                "UPDATE appointments SET deleted_at = ?2, updated_at = ?2
                 WHERE origin_account_id = ?1 AND deleted_at IS NULL",
                params![id, utc_text(now)],
            )?;
        }
        tx.execute("DELETE FROM m365_accounts WHERE id = ?1", [id])?;
        if account.is_main {
            promote_next_main(&tx, account.resource_id)?;
        }
        tx.commit()?;
        Ok(account)
    }

    /// Records a new status (and the error in plain words, or none).
    pub fn set_account_status(
        &mut self,
        id: AccountId,
        status: AccountStatus,
        error: Option<&str>,
    ) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE m365_accounts SET status = ?2, last_error = ?3 WHERE id = ?1",
            params![id, status.as_str(), error],
        )?;
        if changed == 0 {
            return Err(CoreError::UnknownAccount {
                reference: id.to_string(),
            });
        }
        Ok(())
    }

    /// Records a sync that ran to its end at `now`: with `failure`, the reason some of it failed
    /// (calendars or uploads), kept as its last sync failure; without, a success, which forgets
    /// the last failure.
    pub fn record_account_sync(
        &mut self,
        id: AccountId,
        now: DateTime<Utc>,
        failure: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE m365_accounts SET last_sync_at = ?2, last_error = ?3,
                 status = CASE WHEN direction = 'none' THEN 'paused' ELSE 'connected' END,
                 sync_failed_at = CASE WHEN ?3 IS NULL THEN NULL ELSE ?2 END, sync_failure = ?3
             WHERE id = ?1",
            params![id, utc_text(now), failure],
        )?;
        Ok(())
    }

    /// Records a sync that stopped at `now`: the account's new status and why, which stays its
    /// last sync failure until a sync succeeds.
    pub fn record_sync_failure(
        &mut self,
        id: AccountId,
        status: AccountStatus,
        now: DateTime<Utc>,
        reason: &str,
    ) -> Result<()> {
        let changed = self.conn.execute(
            "UPDATE m365_accounts SET status = ?2, last_error = ?4, sync_failed_at = ?3,
                 sync_failure = ?4
             WHERE id = ?1",
            params![id, status.as_str(), utc_text(now), reason],
        )?;
        if changed == 0 {
            return Err(CoreError::UnknownAccount {
                reference: id.to_string(),
            });
        }
        Ok(())
    }

    /// Finds an account by id or e-mail (optionally within one resource), as typed on the command line.
    pub fn find_account(&self, reference: &str, resource: Option<ResourceId>) -> Result<Account> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<i64>()
            && let Ok(account) = self.account(AccountId(id))
        {
            return Ok(account);
        }
        let matches: Vec<Account> = self
            .all_accounts()?
            .into_iter()
            .filter(|a| {
                a.email.eq_ignore_ascii_case(reference)
                    && resource.is_none_or(|r| a.resource_id == r)
            })
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(CoreError::UnknownAccount {
                reference: reference.to_owned(),
            }),
            n => Err(CoreError::InvalidInput {
                field: "account",
                reason: format!(
                    "{n} resources have the account {reference}; name the resource too"
                ),
            }),
        }
    }
}

/// A mailbox receives the uploads of one resource only: two accounts sending to the same mailbox
/// for two resources take each other's events for their own and delete them. Refuses `direction`
/// for `email` when it sends and another account (not `except`) already sends to that mailbox.
pub(crate) fn refuse_second_uploader(
    conn: &Connection,
    email: &str,
    direction: Direction,
    except: Option<AccountId>,
    resource: ResourceId,
) -> Result<()> {
    if !matches!(direction, Direction::Up | Direction::UpAndDown) {
        return Ok(());
    }
    let uploads_for: Option<String> = conn
        .query_row(
            "SELECT r.name FROM m365_accounts a JOIN resources r ON r.id = a.resource_id
             WHERE lower(a.email) = lower(?1) AND a.direction IN ('up', 'up_and_down')
               AND a.id IS NOT ?2
             ORDER BY a.id LIMIT 1",
            params![email, except],
            |row| row.get(0),
        )
        .optional()?;
    let Some(other) = uploads_for else {
        return Ok(());
    };
    let here: String = conn.query_row(
        "SELECT name FROM resources WHERE id = ?1",
        [resource],
        |row| row.get(0),
    )?;
    Err(CoreError::InvalidInput {
        field: "direction",
        reason: format!(
            "{email} already receives the uploads of {other}: add it to {here} as Down only, or change that account first"
        ),
    })
}

/// Gives an account the pulled appointments kept from its mailbox on its resource when an account
/// of that mailbox was removed: its sync finds them by remote id (one row per event) instead of
/// importing every event again.
pub(crate) fn take_back_kept(conn: &Connection, account: AccountId) -> Result<()> {
    conn.execute(
        "UPDATE OR IGNORE appointments SET origin_account_id = a.id, kept_from = NULL
         FROM (SELECT id, resource_id, lower(email) AS mailbox FROM m365_accounts WHERE id = ?1) AS a
         WHERE appointments.resource_id = a.resource_id AND appointments.origin_account_id IS NULL
           AND appointments.kept_from = a.mailbox",
        [account],
    )?;
    Ok(())
}

fn promote_next_main(tx: &Transaction<'_>, resource: ResourceId) -> Result<()> {
    tx.execute(
        "UPDATE m365_accounts SET is_main = 1
         WHERE id = (SELECT id FROM m365_accounts WHERE resource_id = ?1 ORDER BY position, id LIMIT 1)",
        [resource],
    )?;
    Ok(())
}

fn account_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Account>> {
    let id: AccountId = row.get(0)?;
    let resource_id: ResourceId = row.get(1)?;
    let email: String = row.get(2)?;
    let direction: String = row.get(3)?;
    let scopes: String = row.get(4)?;
    let is_main: bool = row.get(5)?;
    let position: i64 = row.get(6)?;
    let status: String = row.get(7)?;
    let last_sync_at: Option<DateTime<Utc>> = row.get(8)?;
    let last_error: Option<String> = row.get(9)?;
    let mailbox_id: Option<String> = row.get(10)?;
    let display_name: Option<String> = row.get(11)?;
    let keyring_id: String = row.get(12)?;
    let sync_failed_at: Option<DateTime<Utc>> = row.get(13)?;
    let sync_failure: Option<String> = row.get(14)?;
    let last_sync_failure = sync_failed_at
        .zip(sync_failure)
        .map(|(at, reason)| SyncFailure { at, reason });
    let organisation = mailbox_id.map(|object_id| crate::model::OrgMailbox {
        display_name: display_name.unwrap_or_else(|| email.clone()),
        object_id,
    });
    Ok(Direction::parse(&direction).and_then(|direction| {
        Ok(Account {
            id,
            resource_id,
            email,
            direction,
            scopes: scopes.split_whitespace().map(String::from).collect(),
            is_main,
            position,
            status: AccountStatus::parse(&status)?,
            last_sync_at,
            last_error,
            last_sync_failure,
            organisation,
            keyring_id,
        })
    }))
}

impl Store {
    /// Records a completed sign-in: the account is connected (or paused) with no error. When the
    /// mailbox signed in differs from the one typed, the account takes the real mailbox and the
    /// returned warning says so.
    pub fn record_sign_in(
        &mut self,
        id: AccountId,
        mailbox: Option<&str>,
    ) -> Result<Option<String>> {
        let account = self.account(id)?;
        let mut warning = None;
        if let Some(mailbox) = mailbox.map(str::trim).filter(|m| !m.is_empty())
            && !mailbox.eq_ignore_ascii_case(&account.email)
        {
            let taken: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM m365_accounts WHERE resource_id = ?1 AND lower(email) = lower(?2) AND id <> ?3)",
                params![account.resource_id, mailbox, id],
                |row| row.get(0),
            )?;
            if taken {
                return Err(CoreError::DuplicateAccount {
                    email: mailbox.to_owned(),
                });
            }
            refuse_second_uploader(
                &self.conn,
                mailbox,
                account.direction,
                Some(id),
                account.resource_id,
            )?;
            self.conn.execute(
                "UPDATE m365_accounts SET email = ?2 WHERE id = ?1",
                params![id, mailbox],
            )?;
            warning = Some(format!(
                "You signed in as {mailbox}, not {}: Quick3 Planner will use the calendars of {mailbox}.",
                account.email
            ));
        }
        let status = if account.direction == Direction::None {
            AccountStatus::Paused
        } else {
            AccountStatus::Connected
        };
        self.set_account_status(id, status, None)?;
        take_back_kept(&self.conn, id)?;
        Ok(warning)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use crate::store::fixtures::store_with_ada;

    fn new(resource: ResourceId, email: &str, direction: Direction) -> NewAccount {
        NewAccount {
            resource_id: resource,
            email: email.into(),
            direction,
            scopes: vec![],
        }
    }

    #[test]
    fn a_failed_sync_is_kept_until_a_sync_succeeds() {
        let (mut store, ada) = store_with_ada();
        let account = store
            .add_account(new(ada, "ada@contoso.example", Direction::Down), Utc::now())
            .unwrap();
        let at =
            |hour: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 11, 25, hour, 0, 0).unwrap();
        let offline = "Microsoft 365 could not be reached.";
        store
            .record_sync_failure(account.id, AccountStatus::Error, at(9), offline)
            .unwrap();
        let failed = store.account(account.id).unwrap();
        assert_eq!(
            failed.last_sync_failure,
            Some(SyncFailure {
                at: at(9),
                reason: offline.into()
            }),
            "a stopped sync says when and why"
        );
        assert_eq!(failed.status, AccountStatus::Error);

        // A sign-in or an edit replaces the status's message, not the last sync's failure.
        store.record_sign_in(account.id, None).unwrap();
        store
            .edit_account(account.id, Direction::Down, vec![])
            .unwrap();
        let signed_in = store.account(account.id).unwrap();
        assert_eq!(signed_in.last_error, None);
        assert_eq!(
            signed_in.last_sync_failure.map(|f| f.reason).as_deref(),
            Some(offline),
            "the failure stays until a sync succeeds"
        );

        // A sync that ran to its end with a calendar failing failed too, at its own time.
        let calendar = "The calendar “Holidays” of ada@contoso.example could not be synced.";
        store
            .record_account_sync(account.id, at(10), Some(calendar))
            .unwrap();
        let partly = store.account(account.id).unwrap();
        assert_eq!(partly.last_sync_at, Some(at(10)));
        assert_eq!(
            partly.last_sync_failure,
            Some(SyncFailure {
                at: at(10),
                reason: calendar.into()
            })
        );

        store.record_account_sync(account.id, at(11), None).unwrap();
        let synced = store.account(account.id).unwrap();
        assert_eq!(
            synced.last_sync_failure, None,
            "a sync that succeeded forgets it"
        );
        assert_eq!(
            (synced.status, synced.last_error, synced.last_sync_at),
            (AccountStatus::Connected, None, Some(at(11)))
        );
        assert!(matches!(
            store.record_sync_failure(AccountId(999), AccountStatus::Error, at(12), offline),
            Err(CoreError::UnknownAccount { .. })
        ));
    }

    #[test]
    fn first_account_is_main_and_removal_promotes_the_next() {
        let (mut store, ada) = store_with_ada();
        let first = store
            .add_account(
                new(ada, "ada@contoso.example", Direction::UpAndDown),
                Utc::now(),
            )
            .unwrap();
        let second = store
            .add_account(
                new(ada, "ada@fabrikam.example", Direction::Down),
                Utc::now(),
            )
            .unwrap();
        assert!(
            first.is_main && !second.is_main,
            "the first account added is the main account"
        );
        assert_eq!(first.status, AccountStatus::WaitingForSignIn);
        assert!(
            first.scopes.contains(&"Calendars.ReadWrite".to_owned()),
            "Up and Down needs write access"
        );
        assert!(second.scopes.contains(&"Calendars.Read".to_owned()));
        store.remove_account(first.id, true, Utc::now()).unwrap();
        let left = store.accounts_of(ada).unwrap();
        assert_eq!(left.len(), 1);
        assert!(
            left[0].is_main,
            "removing the main account promotes the next one"
        );
    }

    #[test]
    fn main_account_can_be_changed_and_stays_unique() {
        let (mut store, ada) = store_with_ada();
        let first = store
            .add_account(new(ada, "a@contoso.example", Direction::Up), Utc::now())
            .unwrap();
        let second = store
            .add_account(new(ada, "b@contoso.example", Direction::Up), Utc::now())
            .unwrap();
        store.set_main_account(second.id).unwrap();
        let accounts = store.accounts_of(ada).unwrap();
        assert_eq!(accounts.iter().filter(|a| a.is_main).count(), 1);
        assert_eq!(
            accounts[0].id, second.id,
            "the main account is listed first"
        );
        assert!(!store.account(first.id).unwrap().is_main);
    }

    #[test]
    fn invalid_and_duplicate_accounts_are_refused() {
        let (mut store, ada) = store_with_ada();
        let err = store
            .add_account(new(ada, "not-an-email", Direction::Down), Utc::now())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidEmail);
        let err = store
            .add_account(new(ada, "x@contoso.example", Direction::None), Utc::now())
            .unwrap_err();
        assert_eq!(
            err.code(),
            ErrorCode::InvalidInput,
            "None is offered only for existing accounts"
        );
        store
            .add_account(new(ada, "x@contoso.example", Direction::Down), Utc::now())
            .unwrap();
        let err = store
            .add_account(new(ada, "X@Contoso.example", Direction::Up), Utc::now())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::DuplicateAccount);
        assert_eq!(store.accounts_of(ada).unwrap().len(), 1);
    }

    #[test]
    fn asking_for_more_permissions_needs_a_new_sign_in() {
        let (mut store, ada) = store_with_ada();
        let account = store
            .add_account(new(ada, "x@contoso.example", Direction::Down), Utc::now())
            .unwrap();
        store
            .set_account_status(account.id, AccountStatus::Connected, None)
            .unwrap();
        let fewer = store
            .edit_account(account.id, Direction::Down, account.scopes.clone())
            .unwrap();
        assert_eq!(
            fewer.status,
            AccountStatus::Connected,
            "the same scopes need nothing"
        );
        let more = store
            .edit_account(account.id, Direction::UpAndDown, vec![])
            .unwrap();
        assert_eq!(
            more.status,
            AccountStatus::SignInNeeded,
            "Calendars.ReadWrite was never granted"
        );
        assert!(more.last_error.unwrap().contains("Calendars.ReadWrite"));
    }

    #[test]
    fn direction_none_pauses_and_resumes() {
        let (mut store, ada) = store_with_ada();
        let account = store
            .add_account(new(ada, "x@contoso.example", Direction::Down), Utc::now())
            .unwrap();
        store
            .set_account_status(account.id, AccountStatus::Connected, None)
            .unwrap();
        let paused = store
            .edit_account(account.id, Direction::None, vec![])
            .unwrap();
        assert_eq!(paused.status, AccountStatus::Paused);
        let resumed = store
            .edit_account(account.id, Direction::Down, vec![])
            .unwrap();
        assert_eq!(resumed.status, AccountStatus::Connected);
    }
}
