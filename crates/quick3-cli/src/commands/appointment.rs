//! `quick3 appointment add|edit|delete|list`.

use chrono::{DateTime, Utc};
use quick3_core::model::{
    AppointmentInput, AppointmentPatch, AppointmentRecord, Sensitivity, ShowAs,
};
use quick3_core::{Store, api};

use super::resource_name;
use crate::args::{AppointmentCommand, AppointmentFields};
use crate::output;

pub fn run(
    store: &mut Store,
    command: AppointmentCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match command {
        AppointmentCommand::Add(fields) => add(store, fields, now),
        AppointmentCommand::Edit { id, fields, timed } => edit(store, &id, fields, timed, now),
        AppointmentCommand::Delete { id } => delete(store, &id, now),
        AppointmentCommand::List {
            resource,
            from,
            to,
            json,
        } => list(store, resource.as_deref(), from, to, json),
    }
}

fn add(store: &mut Store, fields: AppointmentFields, now: DateTime<Utc>) -> anyhow::Result<()> {
    let json = fields.json;
    let input = to_input(store, fields)?;
    let record = api::create_appointment(store, input, now)?;
    print_one(&record, json, "Added")
}

fn edit(
    store: &mut Store,
    id: &str,
    fields: AppointmentFields,
    timed: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let json = fields.json;
    let patch = to_patch(store, fields, timed)?;
    let record = api::edit_appointment(store, id, patch, now)?;
    print_one(&record, json, "Changed")
}

fn delete(store: &mut Store, id: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    api::delete_appointment(store, id, now)?;
    out!("Deleted appointment {id}.");
    Ok(())
}

fn list(
    store: &Store,
    resource: Option<&str>,
    from: Option<String>,
    to: Option<String>,
    json: bool,
) -> anyhow::Result<()> {
    let resource = resource.map(|r| store.find_resource(r)).transpose()?;
    let zone = store.default_zone().to_owned();
    let from = from
        .map(|f| api::parse_range_bound(&f, &zone, "--from"))
        .transpose()?;
    let to = to
        .map(|t| api::parse_range_bound(&t, &zone, "--to"))
        .transpose()?;
    let records = api::appointments_between(
        store,
        from.map(|f| f.to_rfc3339()).as_deref(),
        to.map(|t| t.to_rfc3339()).as_deref(),
        resource.map(|r| r.id),
    )?;
    if json {
        return output::json(&records);
    }
    let names = store.list_resources()?;
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|a| {
            vec![
                a.id.to_string(),
                resource_name(&names, a.resource_id),
                a.start.clone(),
                a.end.clone(),
                a.title.clone(),
            ]
        })
        .collect();
    output::table(&["ID", "RESOURCE", "START", "END", "TITLE"], &rows);
    Ok(())
}

fn print_one(record: &AppointmentRecord, json: bool, verb: &str) -> anyhow::Result<()> {
    if json {
        output::json(record)
    } else {
        out!(
            "{verb} appointment {} \"{}\" ({} – {}).",
            record.id,
            record.title,
            record.start,
            record.end
        );
        Ok(())
    }
}

fn to_input(store: &Store, f: AppointmentFields) -> anyhow::Result<AppointmentInput> {
    let Some(resource) = f.resource else {
        usage!("--resource is required.");
    };
    let Some(title) = f.title else {
        usage!("--title is required.");
    };
    let Some(start) = f.start else {
        usage!("--start is required.");
    };
    Ok(AppointmentInput {
        resource_id: store.find_resource(&resource)?.id,
        title,
        all_day: f.all_day,
        start,
        end: f.end,
        time_zone: None,
        location: f.location,
        notes: f.notes,
        categories: f.categories,
        show_as: f.show_as.as_deref().map(ShowAs::parse).transpose()?,
        sensitivity: f
            .sensitivity
            .as_deref()
            .map(Sensitivity::parse)
            .transpose()?,
    })
}

fn to_patch(store: &Store, f: AppointmentFields, timed: bool) -> anyhow::Result<AppointmentPatch> {
    Ok(AppointmentPatch {
        resource_id: f
            .resource
            .map(|r| store.find_resource(&r).map(|r| r.id))
            .transpose()?,
        title: f.title,
        all_day: if f.all_day {
            Some(true)
        } else if timed {
            Some(false)
        } else {
            None
        },
        start: f.start,
        end: f.end,
        time_zone: None,
        location: f.location,
        notes: f.notes,
        categories: (!f.categories.is_empty()).then_some(f.categories),
        show_as: f.show_as.as_deref().map(ShowAs::parse).transpose()?,
        sensitivity: f
            .sensitivity
            .as_deref()
            .map(Sensitivity::parse)
            .transpose()?,
    })
}
