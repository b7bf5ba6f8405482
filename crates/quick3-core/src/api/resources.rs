//! Resources managed by the planner: add, edit, archive and restore, and delete after the plain
//! question about its appointments and Microsoft 365 accounts. Each change needs the planner's
//! right to edit Resource settings (local management's grant, `quick3 admin allow-edit`): the one
//! check both front ends share.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{CoreError, Result};
use crate::identity::Credentials;
use crate::ids::ResourceId;
use crate::model::{Direction, NewResource, Resource, ResourcePatch};
use crate::store::{AppointmentsFate, Store};

/// Refuses a planner without the right to edit Resource settings, before anything is read or
/// written.
fn check_right(store: &Store) -> Result<()> {
    if store.planner()?.may_edit_resource_settings {
        Ok(())
    } else {
        Err(CoreError::NoResourceSettingsRight)
    }
}

pub fn add_resource(store: &mut Store, new: NewResource, now: DateTime<Utc>) -> Result<Resource> {
    check_right(store)?;
    store.add_resource(new, now)
}

pub fn edit_resource(store: &mut Store, id: ResourceId, patch: ResourcePatch) -> Result<Resource> {
    check_right(store)?;
    store.edit_resource(id, patch)
}

/// An archive or a restore: the resource as it is now, what became of its Microsoft 365 accounts,
/// and that in one sentence (None when it has no account that syncs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ResourceArchival {
    pub resource: Resource,
    /// Paused by the archive, or syncing again after the restore.
    pub accounts: Vec<String>,
    /// Restored as paused: another resource's account uploads to their mailbox now.
    pub kept_paused: Vec<String>,
    pub accounts_message: Option<String>,
}

/// Hides a resource from the Scheduler and the lists; its appointments stay as they are and its
/// Microsoft 365 accounts are paused (no scheduled sync, no upload after an edit) until
/// [`restore_resource`] brings it back with the directions they had.
pub fn archive_resource(
    store: &mut Store,
    id: ResourceId,
    now: DateTime<Utc>,
) -> Result<ResourceArchival> {
    check_right(store)?;
    let (resource, accounts) = store.set_resource_archived(id, true, now)?;
    let message = (!accounts.changed.is_empty()).then(|| {
        let (noun, them) = accounts_noun(accounts.changed.len());
        format!(
            "Paused its Microsoft 365 {noun} {}: {them} no longer syncing while the {} is \
             archived; restoring it resumes {}.",
            emails(&accounts.changed),
            resource.kind,
            if accounts.changed.len() == 1 {
                "it"
            } else {
                "them"
            },
        )
    });
    Ok(archival(resource, accounts, message))
}

/// The archived resources, by name (what may be restored).
pub fn archived_resources(store: &Store) -> Result<Vec<Resource>> {
    Ok(store
        .list_resources_with_archived()?
        .into_iter()
        .filter(|r| r.archived)
        .collect())
}

/// Brings an archived resource back, its accounts syncing again as they did before the archive.
pub fn restore_resource(
    store: &mut Store,
    id: ResourceId,
    now: DateTime<Utc>,
) -> Result<ResourceArchival> {
    check_right(store)?;
    let (resource, accounts) = store.set_resource_archived(id, false, now)?;
    let mut parts = Vec::new();
    if !accounts.changed.is_empty() {
        let (noun, _) = accounts_noun(accounts.changed.len());
        let each: Vec<String> = accounts
            .changed
            .iter()
            .map(|(email, direction)| format!("{email} ({})", direction_label(*direction)))
            .collect();
        parts.push(format!(
            "Its Microsoft 365 {noun} {} {} again as before.",
            each.join(", "),
            if accounts.changed.len() == 1 {
                "syncs"
            } else {
                "sync"
            }
        ));
    }
    if !accounts.kept_paused.is_empty() {
        parts.push(format!(
            "{} {} paused: another resource's account uploads to that mailbox now; choose its \
             direction on the Office 365 tab.",
            accounts.kept_paused.join(", "),
            if accounts.kept_paused.len() == 1 {
                "stays"
            } else {
                "stay"
            }
        ));
    }
    let message = (!parts.is_empty()).then(|| parts.join(" "));
    Ok(archival(resource, accounts, message))
}

fn archival(
    resource: Resource,
    accounts: crate::store::AccountsOnArchive,
    accounts_message: Option<String>,
) -> ResourceArchival {
    ResourceArchival {
        resource,
        accounts: accounts
            .changed
            .into_iter()
            .map(|(email, _)| email)
            .collect(),
        kept_paused: accounts.kept_paused,
        accounts_message,
    }
}

/// ("account", "it is") or ("accounts", "they are").
fn accounts_noun(n: usize) -> (&'static str, &'static str) {
    if n == 1 {
        ("account", "it is")
    } else {
        ("accounts", "they are")
    }
}

fn emails(accounts: &[(String, Direction)]) -> String {
    accounts
        .iter()
        .map(|(email, _)| email.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

/// A direction as the Office 365 tab names it.
fn direction_label(direction: Direction) -> &'static str {
    match direction {
        Direction::Down => "Down",
        Direction::Up => "Up",
        Direction::UpAndDown => "Up and Down",
        Direction::None => "None",
    }
}

/// What becomes of a deleted resource's appointments (and the pulled copies of its accounts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case", tag = "action")]
#[ts(export)]
pub enum AppointmentsOnDelete {
    /// Kept as history: in `appointment list`, not in the Scheduler.
    Keep,
    /// Moved to another resource.
    Move { to: ResourceId },
    /// Deleted with the resource.
    Delete,
}

/// What the question before a deletion names: how many appointments, how many of them are in
/// Outlook, which Microsoft 365 accounts; and the question itself in one sentence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ResourceUse {
    pub resource: Resource,
    /// Live appointments (a series counts by its occurrences).
    pub appointments: usize,
    /// Of them, linked to Outlook or waiting to go there.
    pub in_outlook: usize,
    /// The e-mails of its Microsoft 365 accounts.
    pub accounts: Vec<String>,
    pub question: String,
    /// The question before an archive: what stays, and which accounts it pauses.
    pub archive_question: String,
}

pub fn resource_use(store: &Store, id: ResourceId) -> Result<ResourceUse> {
    let resource = store.resource(id)?;
    let (appointments, _, in_outlook) = store.resource_appointment_counts(id)?;
    let all = store.accounts_of(id)?;
    let syncing: Vec<(String, Direction)> = all
        .iter()
        .filter(|a| a.direction != Direction::None)
        .map(|a| (a.email.clone(), a.direction))
        .collect();
    let accounts: Vec<String> = all.into_iter().map(|a| a.email).collect();
    let archive_question = archive_question(&resource, appointments, &syncing);
    let mut has = vec![count(appointments, "appointment")];
    if in_outlook > 0 {
        has[0].push_str(&format!(" ({in_outlook} of them in Outlook)"));
    }
    if !accounts.is_empty() {
        has.push(format!(
            "the Microsoft 365 {} {}",
            if accounts.len() == 1 {
                "account"
            } else {
                "accounts"
            },
            accounts.join(", ")
        ));
    }
    let question = format!(
        "The {} \"{}\" has {}. Keep its appointments as history, move them to another resource, \
         or delete them with it?",
        resource.kind,
        resource.name,
        has.join(" and ")
    );
    Ok(ResourceUse {
        resource,
        appointments,
        in_outlook,
        accounts,
        question,
        archive_question,
    })
}

/// "Archive the room "Lab"? It leaves the Scheduler…", naming the accounts it pauses.
fn archive_question(
    resource: &Resource,
    appointments: usize,
    syncing: &[(String, Direction)],
) -> String {
    let mut question = format!(
        "Archive the {} \"{}\"? It leaves the Scheduler and its {} kept as history",
        resource.kind,
        resource.name,
        if appointments == 1 {
            "appointment is".to_owned()
        } else {
            format!("{appointments} appointments are")
        }
    );
    if syncing.is_empty() {
        question.push_str(" until it is restored.");
    } else {
        let (noun, _) = accounts_noun(syncing.len());
        question.push_str(&format!(
            "; its Microsoft 365 {noun} {} {} paused (no sync) until it is restored.",
            emails(syncing),
            if syncing.len() == 1 { "is" } else { "are" }
        ));
    }
    question
}

/// What a deletion did, and the sentence that says exactly that.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct RemovedResource {
    pub resource: Resource,
    pub kept: usize,
    pub moved: usize,
    pub deleted: usize,
    /// Accounts removed with their sign-ins.
    pub accounts_removed: Vec<String>,
    /// Accounts with uploads still to send (deletions, moves): removed by the sync that sends
    /// them.
    pub accounts_held: Vec<String>,
    /// A sign-in that could not be deleted from the keyring.
    pub warnings: Vec<String>,
    pub message: String,
}

/// Deletes a resource: its appointments as `appointments` says (one transaction), then its
/// Microsoft 365 accounts through [`crate::api::remove_account`] (their sign-ins leave the
/// keyring; pulled copies go as the appointments do). An account with uploads still to send —
/// the deletions or moves just queued, or older ones — is kept until the sync that sends them
/// (`sync::accounts` removes it then), so a deletion reaches Outlook as any other.
pub fn delete_resource(
    store: &mut Store,
    credentials: Option<&Credentials>,
    id: ResourceId,
    appointments: AppointmentsOnDelete,
    now: DateTime<Utc>,
) -> Result<RemovedResource> {
    check_right(store)?;
    let resource = store.resource(id)?;
    let fate = match appointments {
        AppointmentsOnDelete::Keep => AppointmentsFate::Keep,
        AppointmentsOnDelete::Move { to } => AppointmentsFate::MoveTo(to),
        AppointmentsOnDelete::Delete => AppointmentsFate::Delete,
    };
    let target = match fate {
        AppointmentsFate::MoveTo(to) => Some(store.resource(to)?),
        _ => None,
    };
    let accounts = store.accounts_of(id)?;
    let done = store.delete_resource(id, fate, now)?;
    let (mut accounts_removed, mut accounts_held, mut warnings) = (vec![], vec![], vec![]);
    for account in accounts {
        if store.outbox_len(account.id)? > 0 {
            accounts_held.push(account.email);
            continue;
        }
        let keep = fate != AppointmentsFate::Delete;
        let removed = crate::api::remove_account(store, credentials, account.id, keep, now)?;
        warnings.extend(removed.warning);
        accounts_removed.push(removed.account.email);
    }
    let message = deletion_message(
        &resource,
        target.as_ref(),
        done,
        &accounts_removed,
        &accounts_held,
    );
    Ok(RemovedResource {
        resource,
        kept: done.kept,
        moved: done.moved,
        deleted: done.deleted,
        accounts_removed,
        accounts_held,
        warnings,
        message,
    })
}

fn deletion_message(
    resource: &Resource,
    target: Option<&Resource>,
    done: crate::store::ResourceDeletion,
    removed: &[String],
    held: &[String],
) -> String {
    let mut message = format!("Deleted the {} \"{}\".", resource.kind, resource.name);
    if done.kept > 0 {
        message.push_str(&format!(
            " {} as history (quick3 appointment list), out of the Scheduler.",
            its(done.kept, "stays", "stay")
        ));
    }
    if let Some(target) = target.filter(|_| done.moved > 0) {
        message.push_str(&format!(
            " {} to \"{}\".",
            its(done.moved, "moved", "moved"),
            target.name
        ));
    }
    if done.deleted > 0 {
        message.push_str(&format!(" {} deleted.", its(done.deleted, "was", "were")));
    }
    if done.kept + done.moved + done.deleted == 0 {
        message.push_str(" It had no appointments.");
    }
    if !removed.is_empty() {
        message.push_str(&format!(
            " Removed its Microsoft 365 {} {} and {} sign-in.",
            if removed.len() == 1 {
                "account"
            } else {
                "accounts"
            },
            removed.join(", "),
            if removed.len() == 1 { "its" } else { "their" }
        ));
    }
    if !held.is_empty() {
        message.push_str(&format!(
            " {} still {} changes to send to Outlook: {} removed after the next sync has sent them.",
            held.join(", "),
            if held.len() == 1 { "has" } else { "have" },
            if held.len() == 1 { "it is" } else { "they are" }
        ));
    }
    message
}

/// "Its appointment was" / "Its 3 appointments were".
fn its(n: usize, one: &str, many: &str) -> String {
    if n == 1 {
        format!("Its appointment {one}")
    } else {
        format!("Its {n} appointments {many}")
    }
}

fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("1 {thing}")
    } else {
        format!("{n} {thing}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountStatus, AppointmentInput, NewAccount, ResourceKind};
    use crate::{ErrorCode, api};

    fn now() -> DateTime<Utc> {
        "2026-11-24T08:00:00Z".parse().unwrap()
    }

    /// A store whose planner local management allowed to edit Resource settings.
    fn granted() -> Store {
        let mut store = Store::open_in_memory().unwrap();
        store.set_may_edit_resource_settings(true).unwrap();
        store
    }

    fn room(store: &mut Store, name: &str) -> Resource {
        let new = NewResource {
            name: name.into(),
            email: None,
            kind: ResourceKind::Room,
            colour: None,
            hours: Some("07:00-16:00".into()),
        };
        add_resource(store, new, now()).unwrap()
    }

    fn book(store: &mut Store, resource: ResourceId, title: &str) {
        let input = AppointmentInput {
            resource_id: resource,
            title: title.into(),
            all_day: false,
            start: "2026-11-25T09:00".into(),
            end: Some("2026-11-25T10:00".into()),
            time_zone: Some("Europe/Berlin".into()),
            location: None,
            notes: None,
            categories: vec![],
            show_as: None,
            sensitivity: None,
        };
        api::create_appointment(store, input, now()).unwrap();
    }

    fn titles(records: Vec<crate::model::AppointmentRecord>) -> Vec<(ResourceId, String)> {
        records
            .into_iter()
            .map(|r| (r.resource_id, r.title))
            .collect()
    }

    const WEEK: (&str, &str) = ("2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z");

    #[test]
    fn names_are_unique_per_kind_and_an_edit_with_bad_input_writes_nothing() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        let err = add_resource(
            &mut store,
            NewResource {
                name: " boardroom ".into(),
                email: None,
                kind: ResourceKind::Room,
                colour: None,
                hours: None,
            },
            now(),
        )
        .unwrap_err();
        assert_eq!(err.code(), ErrorCode::DuplicateResourceName);
        assert_eq!(
            err.to_string(),
            format!(
                "A room called \"boardroom\" already exists (id {}): give this one another name.",
                boardroom.id
            )
        );
        let person = NewResource {
            name: "Boardroom".into(),
            email: None,
            kind: ResourceKind::Person,
            colour: None,
            hours: None,
        };
        add_resource(&mut store, person, now()).expect("another kind may have the name");
        let lab = room(&mut store, "Lab");
        let patch = |name: &str, hours: &str| ResourcePatch {
            name: Some(name.into()),
            hours: Some(hours.into()),
            ..ResourcePatch::default()
        };
        let err = edit_resource(&mut store, lab.id, patch("Boardroom", "")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::DuplicateResourceName);
        let err = edit_resource(&mut store, lab.id, patch("Lab 2", "16:00-07:00")).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
        assert_eq!(
            store.resource(lab.id).unwrap(),
            lab,
            "refused edits wrote nothing"
        );
        let edited = edit_resource(&mut store, lab.id, patch("Lab 2", "")).unwrap();
        assert_eq!(
            (edited.name.as_str(), edited.hours),
            ("Lab 2", None),
            "empty hours clear"
        );
    }

    #[test]
    fn an_archived_resource_leaves_the_scheduler_keeps_its_history_and_comes_back() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        book(&mut store, boardroom.id, "Board meeting");
        archive_resource(&mut store, boardroom.id, now()).unwrap();
        assert!(
            store.list_resources().unwrap().is_empty(),
            "hidden from the lists"
        );
        assert!(store.list_resources_with_archived().unwrap()[0].archived);
        assert!(
            api::planner_appointments(&store, WEEK.0, WEEK.1)
                .unwrap()
                .is_empty(),
            "hidden from the Scheduler"
        );
        assert_eq!(
            titles(api::appointments_between(&store, Some(WEEK.0), Some(WEEK.1), None).unwrap()),
            [(boardroom.id, "Board meeting".to_owned())],
            "its appointment is kept as history"
        );
        assert_eq!(
            archived_resources(&store).unwrap(),
            [store.resource(boardroom.id).unwrap()]
        );
        room(&mut store, "Other");
        let restored = restore_resource(&mut store, boardroom.id, now()).unwrap();
        assert!(archived_resources(&store).unwrap().is_empty());
        assert!(!restored.resource.archived);
        assert_eq!(
            api::planner_appointments(&store, WEEK.0, WEEK.1)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_deleted_resource_keeps_moves_or_deletes_its_appointments_as_the_planner_chose() {
        for (choice, scheduler, history) in [
            (AppointmentsOnDelete::Keep, 0, 2),
            (AppointmentsOnDelete::Move { to: ResourceId(2) }, 2, 2),
            (AppointmentsOnDelete::Delete, 0, 0),
        ] {
            let mut store = granted();
            let boardroom = room(&mut store, "Boardroom");
            let lab = room(&mut store, "Lab");
            assert_eq!(lab.id, ResourceId(2));
            book(&mut store, boardroom.id, "Board meeting");
            book(&mut store, boardroom.id, "Budget");
            let asked = resource_use(&store, boardroom.id).unwrap();
            assert_eq!(
                asked.question,
                "The room \"Boardroom\" has 2 appointments. Keep its appointments as history, \
                 move them to another resource, or delete them with it?"
            );
            let removed = delete_resource(&mut store, None, boardroom.id, choice, now()).unwrap();
            assert_eq!(
                api::planner_appointments(&store, WEEK.0, WEEK.1)
                    .unwrap()
                    .len(),
                scheduler,
                "{choice:?}: {}",
                removed.message
            );
            assert_eq!(
                api::appointments_between(&store, Some(WEEK.0), Some(WEEK.1), None)
                    .unwrap()
                    .len(),
                history,
                "{choice:?}"
            );
            assert_eq!(store.list_resources().unwrap(), std::slice::from_ref(&lab));
            assert_eq!(
                store.resource(boardroom.id).unwrap_err().code(),
                ErrorCode::UnknownResource,
                "a deleted resource is gone for good"
            );
            let expected = match choice {
                AppointmentsOnDelete::Keep => {
                    "Deleted the room \"Boardroom\". Its 2 appointments stay as history (quick3 \
                     appointment list), out of the Scheduler."
                }
                AppointmentsOnDelete::Move { .. } => {
                    "Deleted the room \"Boardroom\". Its 2 appointments moved to \"Lab\"."
                }
                AppointmentsOnDelete::Delete => {
                    "Deleted the room \"Boardroom\". Its 2 appointments were deleted."
                }
            };
            assert_eq!(removed.message, expected);
            assert_eq!(
                room(&mut store, "Boardroom").name,
                "Boardroom",
                "its name is free"
            );
        }
    }

    #[test]
    fn deletions_of_uploaded_appointments_wait_in_the_outbox_and_hold_their_account() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        let up = store
            .add_account(
                NewAccount {
                    resource_id: boardroom.id,
                    email: "boardroom@contoso.example".into(),
                    direction: Direction::Up,
                    scopes: vec![],
                },
                now(),
            )
            .unwrap();
        book(&mut store, boardroom.id, "Board meeting");
        let removed = delete_resource(
            &mut store,
            None,
            boardroom.id,
            AppointmentsOnDelete::Delete,
            now(),
        )
        .unwrap();
        assert_eq!(
            store.outbox_len(up.id).unwrap(),
            1,
            "the deletion goes to Outlook through the outbox, as any deletion"
        );
        assert_eq!(removed.accounts_held, ["boardroom@contoso.example"]);
        assert!(removed.accounts_removed.is_empty());
        assert!(
            removed.message.ends_with(
                "boardroom@contoso.example still has changes to send to Outlook: it is removed \
                 after the next sync has sent them."
            ),
            "{}",
            removed.message
        );
        assert!(store.resource_is_deleted(boardroom.id).unwrap());
    }

    #[test]
    fn a_move_to_itself_or_an_archived_resource_is_refused_and_writes_nothing() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        let lab = room(&mut store, "Lab");
        book(&mut store, boardroom.id, "Board meeting");
        archive_resource(&mut store, lab.id, now()).unwrap();
        for to in [boardroom.id, lab.id, ResourceId(99)] {
            let choice = AppointmentsOnDelete::Move { to };
            assert!(delete_resource(&mut store, None, boardroom.id, choice, now()).is_err());
            assert!(
                !store.resource_is_deleted(boardroom.id).unwrap(),
                "nothing written"
            );
        }
        assert_eq!(
            api::planner_appointments(&store, WEEK.0, WEEK.1)
                .unwrap()
                .len(),
            1
        );
    }

    #[test]
    fn a_planner_without_the_right_to_edit_resource_settings_changes_no_resource() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        let lab = room(&mut store, "Lab");
        archive_resource(&mut store, lab.id, now()).unwrap();
        book(&mut store, boardroom.id, "Board meeting");
        store.set_may_edit_resource_settings(false).unwrap();
        let before = store.list_resources_with_archived().unwrap();
        let refusals = [
            (
                "add",
                add_resource(
                    &mut store,
                    NewResource {
                        name: "Studio".into(),
                        email: None,
                        kind: ResourceKind::Room,
                        colour: None,
                        hours: None,
                    },
                    now(),
                )
                .map(|_| ()),
            ),
            (
                "edit",
                edit_resource(
                    &mut store,
                    boardroom.id,
                    ResourcePatch {
                        name: Some("Renamed".into()),
                        ..ResourcePatch::default()
                    },
                )
                .map(|_| ()),
            ),
            (
                "archive",
                archive_resource(&mut store, boardroom.id, now()).map(|_| ()),
            ),
            (
                "restore",
                restore_resource(&mut store, lab.id, now()).map(|_| ()),
            ),
            (
                "delete",
                delete_resource(
                    &mut store,
                    None,
                    boardroom.id,
                    AppointmentsOnDelete::Delete,
                    now(),
                )
                .map(|_| ()),
            ),
        ];
        for (what, result) in refusals {
            let err = result.expect_err(what);
            assert_eq!(err.code(), ErrorCode::NoResourceSettingsRight, "{what}");
            assert_eq!(
                err.to_string(),
                "You do not have the right to edit Resource settings. Ask your local management \
                 to grant it.",
                "{what}: the sentence the Office 365 tab says too"
            );
        }
        assert_eq!(
            store.list_resources_with_archived().unwrap(),
            before,
            "a refused change writes nothing"
        );
        assert_eq!(
            api::planner_appointments(&store, WEEK.0, WEEK.1)
                .unwrap()
                .len(),
            1,
            "the appointment of the resource the planner could not delete stays"
        );
        assert!(
            resource_use(&store, boardroom.id).is_ok(),
            "reading what a resource has needs no right"
        );
    }

    /// Adds an account (None: added Down, then paused by the planner).
    fn account(store: &mut Store, resource: ResourceId, email: &str, direction: Direction) {
        let new = NewAccount {
            resource_id: resource,
            email: email.into(),
            direction: if direction == Direction::None {
                Direction::Down
            } else {
                direction
            },
            scopes: vec![],
        };
        let added = store.add_account(new, now()).unwrap();
        if direction == Direction::None {
            store
                .edit_account(added.id, Direction::None, added.scopes)
                .unwrap();
        }
    }

    /// (e-mail, direction, status) of a resource's accounts (a deleted resource's too).
    fn directions(store: &Store, resource: ResourceId) -> Vec<(String, Direction, AccountStatus)> {
        store
            .all_accounts()
            .unwrap()
            .into_iter()
            .filter(|a| a.resource_id == resource)
            .map(|a| (a.email, a.direction, a.status))
            .collect()
    }

    #[test]
    fn archiving_pauses_the_accounts_that_sync_and_restoring_gives_their_directions_back() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        account(
            &mut store,
            boardroom.id,
            "boardroom@contoso.example",
            Direction::UpAndDown,
        );
        account(
            &mut store,
            boardroom.id,
            "bookings@contoso.example",
            Direction::Down,
        );
        account(
            &mut store,
            boardroom.id,
            "old@contoso.example",
            Direction::None,
        );
        let before = directions(&store, boardroom.id);
        assert_eq!(
            resource_use(&store, boardroom.id).unwrap().archive_question,
            "Archive the room \"Boardroom\"? It leaves the Scheduler and its 0 appointments are \
             kept as history; its Microsoft 365 accounts boardroom@contoso.example, \
             bookings@contoso.example are paused (no sync) until it is restored.",
            "the question names the accounts the archive pauses, not the one already paused"
        );

        let archived = archive_resource(&mut store, boardroom.id, now()).unwrap();
        assert_eq!(
            archived.accounts,
            ["boardroom@contoso.example", "bookings@contoso.example"]
        );
        assert_eq!(
            archived.accounts_message.as_deref(),
            Some(
                "Paused its Microsoft 365 accounts boardroom@contoso.example, \
                 bookings@contoso.example: they are no longer syncing while the room is archived; \
                 restoring it resumes them."
            )
        );
        assert!(
            directions(&store, boardroom.id)
                .iter()
                .all(|(_, d, s)| (*d, *s) == (Direction::None, AccountStatus::Paused)),
            "an archived resource's accounts are paused: {:?}",
            directions(&store, boardroom.id)
        );

        let restored = restore_resource(&mut store, boardroom.id, now()).unwrap();
        assert_eq!(
            directions(&store, boardroom.id),
            before,
            "each account syncs as before the archive; the one paused by the planner stays paused"
        );
        assert_eq!(
            restored.accounts_message.as_deref(),
            Some(
                "Its Microsoft 365 accounts boardroom@contoso.example (Up and Down), \
                 bookings@contoso.example (Down) sync again as before."
            )
        );
    }

    #[test]
    fn a_restored_uploader_whose_mailbox_another_resource_took_stays_paused() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        let lab = room(&mut store, "Lab");
        account(
            &mut store,
            boardroom.id,
            "shared@contoso.example",
            Direction::Up,
        );
        archive_resource(&mut store, boardroom.id, now()).unwrap();
        account(&mut store, lab.id, "shared@contoso.example", Direction::Up);
        let restored = restore_resource(&mut store, boardroom.id, now()).unwrap();
        assert_eq!(restored.kept_paused, ["shared@contoso.example"]);
        assert_eq!(
            directions(&store, boardroom.id)[0].1,
            Direction::None,
            "one mailbox never has two uploaders"
        );
        assert!(
            restored
                .accounts_message
                .as_deref()
                .is_some_and(|m| m.starts_with("shared@contoso.example stays paused")),
            "{:?}",
            restored.accounts_message
        );
    }

    #[test]
    fn a_deleted_resources_account_kept_for_its_uploads_only_uploads() {
        let mut store = granted();
        let boardroom = room(&mut store, "Boardroom");
        account(
            &mut store,
            boardroom.id,
            "boardroom@contoso.example",
            Direction::UpAndDown,
        );
        book(&mut store, boardroom.id, "Board meeting");
        archive_resource(&mut store, boardroom.id, now()).unwrap();
        let removed = delete_resource(
            &mut store,
            None,
            boardroom.id,
            AppointmentsOnDelete::Keep,
            now(),
        )
        .unwrap();
        assert_eq!(removed.accounts_held, ["boardroom@contoso.example"]);
        let held = &directions(&store, boardroom.id)[0];
        assert_eq!(
            (held.1, held.2 != AccountStatus::Paused),
            (Direction::Up, true),
            "it sends the upload that waited and pulls nothing into a deleted resource: {held:?}"
        );
    }
}
