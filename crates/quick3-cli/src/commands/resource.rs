//! `quick3 resource add|edit|remove|restore|list|show`.

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::api::resources::{self, AppointmentsOnDelete};
use quick3_core::model::{NewResource, ResourceKind, ResourcePatch};
use serde::Serialize;

use super::{Session, UsageError};
use crate::args::ResourceCommand;
use crate::output;

pub fn run(
    session: &mut Session,
    command: ResourceCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let store = &mut session.store;
    match command {
        ResourceCommand::Add {
            name,
            email,
            kind,
            colour,
            hours,
            json,
        } => {
            let new = NewResource {
                name,
                email,
                kind: ResourceKind::parse(&kind)?,
                colour,
                hours,
            };
            let resource = resources::add_resource(store, new, now)?;
            if json {
                return output::json(&resource);
            }
            out!("Added resource {} \"{}\".", resource.id, resource.name);
            Ok(())
        }
        ResourceCommand::Edit {
            resource,
            name,
            email,
            colour,
            kind,
            hours,
            json,
        } => {
            let id = store.find_resource(&resource)?.id;
            let patch = ResourcePatch {
                name,
                email,
                kind: kind.as_deref().map(ResourceKind::parse).transpose()?,
                colour,
                hours,
            };
            let edited = resources::edit_resource(store, id, patch)?;
            if json {
                return output::json(&edited);
            }
            out!(
                "Changed the {} {} \"{}\".",
                edited.kind,
                edited.id,
                edited.name
            );
            Ok(())
        }
        ResourceCommand::Remove {
            resource,
            archive,
            appointments,
            yes,
            json,
        } => remove(session, &resource, archive, appointments, yes, json, now),
        ResourceCommand::Restore { resource } => {
            let id = store.find_resource(&resource)?.id;
            let restored = resources::restore_resource(store, id, now)?;
            out!(
                "Restored the {} \"{}\": it is back in the Scheduler.",
                restored.resource.kind,
                restored.resource.name
            );
            if let Some(accounts) = &restored.accounts_message {
                out!("{accounts}");
            }
            Ok(())
        }
        ResourceCommand::List { archived, json } => list(store, archived, json),
        ResourceCommand::Show { resource, json } => show(store, &resource, json),
    }
}

/// Reads `keep`, `delete` or `move:ID` (the resource by id, e-mail or name).
fn appointments_choice(store: &Store, text: &str) -> anyhow::Result<AppointmentsOnDelete> {
    match text.trim() {
        "keep" => Ok(AppointmentsOnDelete::Keep),
        "delete" => Ok(AppointmentsOnDelete::Delete),
        other => match other.strip_prefix("move:") {
            Some(to) => Ok(AppointmentsOnDelete::Move {
                to: store.find_resource(to)?.id,
            }),
            None => Err(UsageError(format!(
                "--appointments takes keep, move:ID or delete, not \"{other}\"."
            ))
            .into()),
        },
    }
}

fn remove(
    session: &mut Session,
    reference: &str,
    archive: bool,
    appointments: Option<String>,
    yes: bool,
    json: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let id = session.store.find_resource(reference)?.id;
    if archive {
        let archived = resources::archive_resource(&mut session.store, id, now)?;
        if json {
            return output::json(&archived.resource);
        }
        out!(
            "Archived the {} \"{}\": it is out of the Scheduler, its appointments are kept; \
             `quick3 resource restore {}` brings it back.",
            archived.resource.kind,
            archived.resource.name,
            archived.resource.id
        );
        if let Some(accounts) = &archived.accounts_message {
            out!("{accounts}");
        }
        return Ok(());
    }
    let choice = appointments
        .as_deref()
        .map(|text| appointments_choice(&session.store, text))
        .transpose()?;
    let (Some(choice), true) = (choice, yes) else {
        let asked = resources::resource_use(&session.store, id)?;
        return Err(UsageError(format!(
            "{} Nothing was deleted: run again with --appointments keep, move:ID or delete, and \
             --yes (or --archive to hide it instead).",
            asked.question
        ))
        .into());
    };
    let credentials = session.credentials().ok();
    let removed =
        resources::delete_resource(&mut session.store, credentials.as_ref(), id, choice, now)?;
    if json {
        return output::json(&removed);
    }
    out!("{}", removed.message);
    for warning in &removed.warnings {
        eprintln!("Warning: {}", output::plain(warning));
    }
    Ok(())
}

fn list(store: &Store, archived: bool, json: bool) -> anyhow::Result<()> {
    let resources = if archived {
        store.list_resources_with_archived()?
    } else {
        store.list_resources()?
    };
    if json {
        return output::json(&resources);
    }
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            let mut row = vec![
                r.id.to_string(),
                r.name.clone(),
                r.email.clone().unwrap_or_default(),
                r.kind.as_str().to_owned(),
                r.hours
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_default(),
            ];
            if archived {
                row.push(if r.archived { "archived" } else { "" }.to_owned());
            }
            row
        })
        .collect();
    let mut headers = vec!["ID", "NAME", "E-MAIL", "KIND", "HOURS"];
    if archived {
        headers.push("STATE");
    }
    output::table(&headers, &rows);
    Ok(())
}

fn show(store: &Store, resource: &str, json: bool) -> anyhow::Result<()> {
    let resource = store.find_resource(resource)?;
    let accounts = store.accounts_of(resource.id)?;
    if json {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            resource: &'a quick3_core::model::Resource,
            accounts: &'a [quick3_core::model::Account],
        }
        return output::json(&Shown {
            resource: &resource,
            accounts: &accounts,
        });
    }
    out!("{} (id {})", resource.name, resource.id);
    out!("  kind:   {}", resource.kind.as_str());
    out!("  e-mail: {}", resource.email.as_deref().unwrap_or("-"));
    out!("  colour: {}", resource.colour);
    if let Some(hours) = &resource.hours {
        out!("  hours:  {hours}");
    }
    if resource.archived {
        out!("  archived (not in the Scheduler; `quick3 resource restore` brings it back)");
    }
    if accounts.is_empty() {
        out!("  no Microsoft 365 accounts");
    }
    for account in &accounts {
        out!(
            "  Microsoft 365: {} ({}{})",
            account.email,
            account.direction.as_str(),
            if account.is_main {
                ", main account"
            } else {
                ""
            }
        );
    }
    Ok(())
}
