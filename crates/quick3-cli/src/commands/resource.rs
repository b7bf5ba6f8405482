//! `quick3 resource add|list|show`.

use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::model::{NewResource, ResourceKind};
use serde::Serialize;

use crate::args::ResourceCommand;
use crate::output;

pub fn run(store: &mut Store, command: ResourceCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    match command {
        ResourceCommand::Add {
            name,
            email,
            kind,
            colour,
            json,
        } => add(store, name, email, &kind, colour, json, now),
        ResourceCommand::List { json } => list(store, json),
        ResourceCommand::Show { resource, json } => show(store, &resource, json),
    }
}

fn add(
    store: &mut Store,
    name: String,
    email: Option<String>,
    kind: &str,
    colour: Option<String>,
    json: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let new = NewResource {
        name,
        email,
        kind: ResourceKind::parse(kind)?,
        colour,
    };
    let resource = store.add_resource(new, now)?;
    if json {
        output::json(&resource)
    } else {
        out!("Added resource {} \"{}\".", resource.id, resource.name);
        Ok(())
    }
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let resources = store.list_resources()?;
    if json {
        return output::json(&resources);
    }
    let rows: Vec<Vec<String>> = resources
        .iter()
        .map(|r| {
            vec![
                r.id.to_string(),
                r.name.clone(),
                r.email.clone().unwrap_or_default(),
                r.kind.as_str().to_owned(),
            ]
        })
        .collect();
    output::table(&["ID", "NAME", "E-MAIL", "KIND"], &rows);
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
