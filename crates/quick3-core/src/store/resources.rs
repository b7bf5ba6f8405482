//! Resources in the store.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, params};

use super::Store;
use super::utc_text;
use crate::error::{CoreError, Result};
use crate::ids::{AccountId, ResourceId};
use crate::model::{
    AccountStatus, Direction, NewResource, Resource, ResourceFields, ResourceKind, ResourcePatch,
    WorkingHours,
};

/// Colours given to new resources in turn (readable with white text, distinct from each other).
const PALETTE: &[&str] = &[
    "#1f6fb2", "#b5452b", "#2e7d4f", "#7b4fa6", "#a86a00", "#00798c", "#c2185b", "#546e7a",
];

/// The columns `resource_from_row` reads.
const COLUMNS: &str = "id, name, email, kind, colour, work_start, work_end, archived_at";

/// What a resource's deletion did to its appointments, in one transaction with the deletion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ResourceDeletion {
    /// Appointments left with the deleted resource, as history.
    pub kept: usize,
    /// Appointments moved to the other resource.
    pub moved: usize,
    /// Appointments deleted (tombstones; Quick3's own leave Outlook through the outbox).
    pub deleted: usize,
}

/// What becomes of a deleted resource's appointments.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppointmentsFate {
    Keep,
    MoveTo(ResourceId),
    Delete,
}

impl Store {
    /// Adds a resource. Refuses invalid input, an e-mail already used and a name its kind
    /// already has, and writes nothing then.
    pub fn add_resource(&mut self, new: NewResource, now: DateTime<Utc>) -> Result<Resource> {
        let new = new.validate()?;
        let tx = self.conn.transaction()?;
        ensure_unique(&tx, &new, None)?;
        let count: i64 = tx.query_row("SELECT count(*) FROM resources", [], |row| row.get(0))?;
        let colour = new
            .colour
            .clone()
            .unwrap_or_else(|| PALETTE[count as usize % PALETTE.len()].to_owned());
        tx.execute(
            "INSERT INTO resources (name, email, kind, colour, work_start, work_end, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                new.name,
                new.email,
                new.kind.as_str(),
                colour,
                new.hours.as_ref().map(|h| &h.start),
                new.hours.as_ref().map(|h| &h.end),
                utc_text(now)
            ],
        )?;
        let id = ResourceId(tx.last_insert_rowid());
        tx.commit()?;
        Ok(Resource {
            id,
            name: new.name,
            email: new.email,
            kind: new.kind,
            colour,
            hours: new.hours,
            archived: false,
        })
    }

    /// Changes a resource; fields left `None` in `patch` stay. Checked on the row as it is inside
    /// the transaction (as an add is); bad input writes nothing.
    pub fn edit_resource(&mut self, id: ResourceId, patch: ResourcePatch) -> Result<Resource> {
        let tx = self.begin_edit()?;
        let current = live(&tx, id)?;
        let fields = current.patched(patch)?;
        ensure_unique(&tx, &fields, Some(id))?;
        tx.execute(
            "UPDATE resources SET name = ?2, email = ?3, kind = ?4, colour = ?5, work_start = ?6,
                 work_end = ?7
             WHERE id = ?1",
            params![
                id,
                fields.name,
                fields.email,
                fields.kind.as_str(),
                fields.colour,
                fields.hours.as_ref().map(|h| &h.start),
                fields.hours.as_ref().map(|h| &h.end),
            ],
        )?;
        let edited = live(&tx, id)?;
        tx.commit()?;
        Ok(edited)
    }

    /// Archives a resource (hidden from the Scheduler and the lists, its appointments kept) or
    /// restores it, in one transaction with its Microsoft 365 accounts: archiving pauses each
    /// that syncs (direction None, the direction and status it had kept in `archived_direction`
    /// and `archived_status`, migration 0017), so no scheduled job or upload touches them;
    /// restoring gives them back, except an uploader whose mailbox another account uploads to
    /// meanwhile (it stays paused).
    pub fn set_resource_archived(
        &mut self,
        id: ResourceId,
        archived: bool,
        now: DateTime<Utc>,
    ) -> Result<(Resource, AccountsOnArchive)> {
        let tx = self.begin_edit()?;
        let current = live(&tx, id)?;
        if !archived {
            // A resource restored takes its name back only if no other of its kind took it.
            ensure_unique(&tx, &current.patched(ResourcePatch::default())?, Some(id))?;
        }
        tx.execute(
            "UPDATE resources SET archived_at = ?2 WHERE id = ?1",
            params![id, archived.then(|| utc_text(now))],
        )?;
        let accounts = if archived {
            pause_accounts(&tx, id)?
        } else {
            resume_accounts(&tx, id)?
        };
        let changed = live(&tx, id)?;
        tx.commit()?;
        Ok((changed, accounts))
    }

    /// Deletes a resource: its row stays as a tombstone that no listing shows, for the
    /// appointments kept as history and the deletions waiting in the outbox. Its appointments are
    /// kept, moved to `fate`'s resource (Quick3's own leave the old resource's Outlook calendar and
    /// go to the new one's, through the outbox) or deleted (Quick3's own leave Outlook through the
    /// outbox, as any deletion). One transaction; its Microsoft 365 accounts are `api`'s to remove.
    pub fn delete_resource(
        &mut self,
        id: ResourceId,
        fate: AppointmentsFate,
        now: DateTime<Utc>,
    ) -> Result<ResourceDeletion> {
        let tx = self.begin_edit()?;
        live(&tx, id)?;
        let now_text = utc_text(now);
        let live_count: usize = tx.query_row(
            "SELECT count(*) FROM appointments WHERE resource_id = ?1 AND deleted_at IS NULL
               AND recurrence IS NULL",
            [id],
            |row| row.get(0),
        )?;
        let mut done = ResourceDeletion::default();
        match fate {
            AppointmentsFate::Keep => done.kept = live_count,
            AppointmentsFate::MoveTo(target) => {
                let to = live(&tx, target)?;
                if target == id || to.archived {
                    return Err(CoreError::InvalidInput {
                        field: "resource to move the appointments to",
                        reason: if target == id {
                            "it is the resource being deleted".into()
                        } else {
                            format!("\"{}\" is archived; restore it first", to.name)
                        },
                    });
                }
                // The old resource's uploading account removes its copies, the new one's adds them.
                enqueue_quick3(&tx, id, id, &now_text)?;
                enqueue_quick3(&tx, id, target, &now_text)?;
                tx.execute(
                    "UPDATE appointments SET resource_id = ?2, updated_at = ?3
                     WHERE resource_id = ?1 AND deleted_at IS NULL",
                    params![id, target, now_text],
                )?;
                done.moved = live_count;
            }
            AppointmentsFate::Delete => {
                enqueue_quick3(&tx, id, id, &now_text)?;
                tx.execute(
                    "UPDATE appointments SET deleted_at = ?2, updated_at = ?2
                     WHERE resource_id = ?1 AND deleted_at IS NULL",
                    params![id, now_text],
                )?;
                done.deleted = live_count;
            }
        }
        // An account kept to send what waits in its outbox only sends it: no more pulls into a
        // deleted resource; one paused with an archive takes its upload back for that.
        tx.execute(
            "UPDATE m365_accounts
             SET direction = 'up',
                 status = COALESCE(archived_status,
                                   CASE status WHEN 'paused' THEN 'connected' ELSE status END),
                 archived_direction = NULL, archived_status = NULL
             WHERE resource_id = ?1
               AND COALESCE(archived_direction, direction) IN ('up', 'up_and_down')
               AND EXISTS (SELECT 1 FROM sync_outbox o WHERE o.account_id = m365_accounts.id)",
            [id],
        )?;
        tx.execute(
            "UPDATE resources SET deleted_at = ?2 WHERE id = ?1",
            params![id, now_text],
        )?;
        tx.execute(
            "UPDATE planner SET my_resource_id = NULL WHERE my_resource_id = ?1",
            [id],
        )?;
        tx.commit()?;
        Ok(done)
    }

    /// Whether a resource was deleted (its row is a tombstone).
    pub fn resource_is_deleted(&self, id: ResourceId) -> Result<bool> {
        Ok(self
            .conn
            .query_row(
                "SELECT deleted_at IS NOT NULL FROM resources WHERE id = ?1",
                [id],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(true))
    }

    /// Counts of a resource's live appointments: all, Quick3's own, and those in Outlook (linked
    /// to one of its accounts or waiting to be uploaded).
    pub fn resource_appointment_counts(&self, id: ResourceId) -> Result<(usize, usize, usize)> {
        Ok(self.conn.query_row(
            "SELECT count(*),
                    count(*) FILTER (WHERE a.origin = 'quick3'),
                    count(*) FILTER (WHERE a.origin = 'microsoft365'
                        OR EXISTS (SELECT 1 FROM sync_links l WHERE l.appointment_id = a.id)
                        OR EXISTS (SELECT 1 FROM sync_outbox o WHERE o.appointment_id = a.id))
             FROM appointments a
             WHERE a.resource_id = ?1 AND a.deleted_at IS NULL AND a.recurrence IS NULL",
            [id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?)
    }

    /// The resources the Scheduler shows, by name: neither archived nor deleted.
    pub fn list_resources(&self) -> Result<Vec<Resource>> {
        self.resources_where("archived_at IS NULL")
    }

    /// Every resource not deleted, archived ones included, by name.
    pub fn list_resources_with_archived(&self) -> Result<Vec<Resource>> {
        self.resources_where("1")
    }

    fn resources_where(&self, condition: &str) -> Result<Vec<Resource>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM resources WHERE deleted_at IS NULL AND {condition}
             ORDER BY name COLLATE NOCASE, id"
        ))?;
        let rows = stmt.query_map([], resource_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .collect()
    }

    /// A resource that is not deleted (archived or not).
    pub fn resource(&self, id: ResourceId) -> Result<Resource> {
        live(&self.conn, id)
    }

    /// Finds a resource (archived ones too) by id, e-mail or name (as typed on the command line).
    pub fn find_resource(&self, reference: &str) -> Result<Resource> {
        let reference = reference.trim();
        if let Ok(id) = reference.parse::<i64>()
            && let Ok(resource) = self.resource(ResourceId(id))
        {
            return Ok(resource);
        }
        let matches: Vec<Resource> = self
            .list_resources_with_archived()?
            .into_iter()
            .filter(|r| {
                r.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(reference))
                    || r.name.eq_ignore_ascii_case(reference)
            })
            .collect();
        match matches.len() {
            1 => Ok(matches.into_iter().next().expect("one match")),
            0 => Err(CoreError::UnknownResource {
                reference: reference.to_owned(),
            }),
            n => Err(CoreError::InvalidInput {
                field: "resource",
                reason: format!(
                    "{n} resources are called \"{reference}\" ({}); use the id or e-mail",
                    matches
                        .iter()
                        .map(|r| format!("{} {}", r.kind, r.id))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            }),
        }
    }
}

/// A resource that is not deleted, read on `conn` (inside a transaction: as it is now).
fn live(conn: &Connection, id: ResourceId) -> Result<Resource> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM resources WHERE id = ?1 AND deleted_at IS NULL"),
        [id],
        resource_from_row,
    )
    .optional()?
    .ok_or_else(|| CoreError::UnknownResource {
        reference: id.to_string(),
    })?
}

/// Refuses an e-mail another resource has, or a name another resource of the same kind has
/// (deleted resources free both; archived ones keep them, as they can come back).
fn ensure_unique(
    conn: &Connection,
    fields: &ResourceFields,
    except: Option<ResourceId>,
) -> Result<()> {
    let except = except.map_or(0, |id| id.0);
    if let Some(email) = &fields.email {
        let taken: bool = conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM resources
                 WHERE lower(email) = lower(?1) AND id != ?2 AND deleted_at IS NULL)",
            params![email, except],
            |row| row.get(0),
        )?;
        if taken {
            return Err(CoreError::DuplicateResourceEmail {
                email: email.clone(),
            });
        }
    }
    let same_name: Option<i64> = conn
        .query_row(
            "SELECT id FROM resources
             WHERE kind = ?1 AND name = ?2 COLLATE NOCASE AND id != ?3 AND deleted_at IS NULL",
            params![fields.kind.as_str(), fields.name, except],
            |row| row.get(0),
        )
        .optional()?;
    match same_name {
        Some(id) => Err(CoreError::DuplicateResourceName {
            kind: fields.kind.as_str(),
            name: fields.name.clone(),
            id,
        }),
        None => Ok(()),
    }
}

/// Queues an upload, to `to`'s main account that sends, of each live Quick3 appointment of
/// `of`: as a deletion or a move is queued in `store::appointments`.
fn enqueue_quick3(tx: &Connection, of: ResourceId, to: ResourceId, now: &str) -> Result<()> {
    tx.execute(
        "INSERT INTO sync_outbox (appointment_id, account_id, created_at)
         SELECT a.id, m.id, ?3 FROM appointments a, m365_accounts m
          WHERE a.resource_id = ?1 AND a.origin = 'quick3' AND a.deleted_at IS NULL
            AND m.resource_id = ?2 AND m.is_main = 1 AND m.direction IN ('up', 'up_and_down')
         ON CONFLICT (appointment_id, account_id) DO UPDATE
            SET revision = revision + 1, attempts = 0, last_error = NULL, not_before = NULL",
        params![of, to, now],
    )?;
    Ok(())
}

fn resource_from_row(row: &Row<'_>) -> rusqlite::Result<Result<Resource>> {
    let id: ResourceId = row.get(0)?;
    let name: String = row.get(1)?;
    let email: Option<String> = row.get(2)?;
    let kind: String = row.get(3)?;
    let colour: String = row.get(4)?;
    let hours = match (
        row.get::<_, Option<String>>(5)?,
        row.get::<_, Option<String>>(6)?,
    ) {
        (Some(start), Some(end)) => Some(WorkingHours { start, end }),
        _ => None,
    };
    let archived = row.get::<_, Option<String>>(7)?.is_some();
    Ok(ResourceKind::parse(&kind).map(|kind| Resource {
        id,
        name,
        email,
        kind,
        colour,
        hours,
        archived,
    }))
}

/// What archiving or restoring a resource did to its Microsoft 365 accounts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountsOnArchive {
    /// Paused (archive), or back to their direction (restore): e-mail and direction.
    pub changed: Vec<(String, Direction)>,
    /// Restored as paused: another account uploads to their mailbox now.
    pub kept_paused: Vec<String>,
}

/// Pauses a resource's syncing accounts, keeping what they were.
fn pause_accounts(tx: &Connection, resource: ResourceId) -> Result<AccountsOnArchive> {
    let mut stmt = tx.prepare(
        "SELECT email, direction FROM m365_accounts
         WHERE resource_id = ?1 AND direction <> 'none' ORDER BY is_main DESC, position, id",
    )?;
    let rows = stmt.query_map([resource], |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })?;
    let mut changed = Vec::new();
    for row in rows {
        let (email, direction) = row?;
        changed.push((email, Direction::parse(&direction)?));
    }
    tx.execute(
        "UPDATE m365_accounts
         SET archived_direction = direction, archived_status = status,
             direction = 'none', status = ?2
         WHERE resource_id = ?1 AND direction <> 'none'",
        params![resource, AccountStatus::Paused.as_str()],
    )?;
    Ok(AccountsOnArchive {
        changed,
        kept_paused: vec![],
    })
}

/// Gives a restored resource's accounts the direction and status they had when it was archived.
fn resume_accounts(tx: &Connection, resource: ResourceId) -> Result<AccountsOnArchive> {
    let mut stmt = tx.prepare(
        "SELECT id, email, archived_direction, archived_status FROM m365_accounts
         WHERE resource_id = ?1 AND archived_direction IS NOT NULL
         ORDER BY is_main DESC, position, id",
    )?;
    let rows = stmt.query_map([resource], |row| {
        Ok((
            row.get::<_, AccountId>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })?;
    let paused: Vec<_> = rows.collect::<rusqlite::Result<_>>()?;
    let mut done = AccountsOnArchive::default();
    for (account, email, direction, status) in paused {
        let direction = Direction::parse(&direction)?;
        let free =
            super::accounts::refuse_second_uploader(tx, &email, direction, Some(account), resource)
                .is_ok();
        if free {
            tx.execute(
                "UPDATE m365_accounts
                 SET direction = ?2, status = COALESCE(?3, 'connected'),
                     archived_direction = NULL, archived_status = NULL
                 WHERE id = ?1",
                params![account, direction.as_str(), status],
            )?;
            done.changed.push((email, direction));
        } else {
            tx.execute(
                "UPDATE m365_accounts SET archived_direction = NULL, archived_status = NULL
                 WHERE id = ?1",
                [account],
            )?;
            done.kept_paused.push(email);
        }
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;

    fn person(name: &str, email: Option<&str>) -> NewResource {
        NewResource {
            name: name.into(),
            email: email.map(String::from),
            kind: ResourceKind::Person,
            colour: None,
            hours: None,
        }
    }

    #[test]
    fn invalid_or_duplicate_email_is_refused_and_nothing_is_written() {
        let mut store = Store::open_in_memory().unwrap();
        store
            .add_resource(person("Ada", Some("ada@example.com")), Utc::now())
            .unwrap();
        let err = store
            .add_resource(person("Bob", Some("not-an-email")), Utc::now())
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "\"not-an-email\" is not a valid e-mail address."
        );
        let err = store
            .add_resource(person("Ada 2", Some("ADA@example.com")), Utc::now())
            .unwrap_err();
        assert_eq!(err.code(), ErrorCode::DuplicateResourceEmail);
        assert_eq!(store.list_resources().unwrap().len(), 1);
    }

    #[test]
    fn resources_are_found_by_id_email_or_name() {
        let mut store = Store::open_in_memory().unwrap();
        let ada = store
            .add_resource(person("Ada", Some("ada@example.com")), Utc::now())
            .unwrap();
        assert_eq!(store.find_resource(&ada.id.to_string()).unwrap(), ada);
        assert_eq!(store.find_resource("ADA@example.com").unwrap(), ada);
        assert_eq!(store.find_resource("ada").unwrap(), ada);
        assert_eq!(
            store.find_resource("Bob").unwrap_err().code(),
            ErrorCode::UnknownResource
        );
        assert!(store.accounts_of(ada.id).unwrap().is_empty());
    }
}
