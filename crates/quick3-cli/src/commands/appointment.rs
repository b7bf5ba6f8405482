//! `quick3 appointment add|edit|delete|list`, series (`--repeat`, `--occurrence`, `--series`)
//! included.

use chrono::{DateTime, Utc};
use quick3_core::api::series::SeriesInput;
use quick3_core::model::recurrence::{Repeat, RepeatUnit, WeekIndex};
use quick3_core::model::{
    AppointmentInput, AppointmentPatch, AppointmentRecord, Sensitivity, ShowAs,
};
use quick3_core::{CoreError, Store, api};

use super::resource_name;
use crate::args::{AppointmentCommand, AppointmentFields, RepeatArgs};
use crate::output;

pub fn run(
    store: &mut Store,
    command: AppointmentCommand,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match command {
        AppointmentCommand::Add { fields, repeat } => add(store, fields, repeat, now),
        AppointmentCommand::Edit {
            id,
            fields,
            timed,
            occurrence,
            series,
            repeat,
            yes,
        } => {
            let never = is_never(&repeat)?;
            let target = match (occurrence, series || repeat.repeat.is_some()) {
                (Some(occurrence), _) => Target::Occurrence(occurrence),
                (None, true) if never => Target::Single { yes },
                (None, true) => Target::Series,
                (None, false) => Target::Appointment,
            };
            edit(store, &id, fields, timed, target, repeat, now)
        }
        AppointmentCommand::Delete { id, occurrence } => delete(store, &id, occurrence, now),
        AppointmentCommand::List {
            resource,
            from,
            to,
            json,
        } => list(store, resource.as_deref(), from, to, json),
    }
}

fn add(
    store: &mut Store,
    fields: AppointmentFields,
    repeat: RepeatArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let json = fields.json;
    // Never repeating is a plain appointment, as the window's Repeat Never.
    let repeat = if is_never(&repeat)? {
        RepeatArgs::default()
    } else {
        repeat
    };
    let repeat = to_repeat(repeat)?;
    let input = to_input(store, fields)?;
    let record = match repeat {
        None => api::create_appointment(store, input, now)?,
        Some(repeat) => api::series::create_series(
            store,
            SeriesInput {
                appointment: input,
                repeat,
            },
            now,
        )?,
    };
    print_one(&record, json, "Added")
}

/// What an edit changes: an appointment as it is, a whole series, one occurrence, or a series
/// made one appointment (`--repeat never`; `yes`: without asking).
enum Target {
    Appointment,
    Series,
    Occurrence(String),
    Single { yes: bool },
}

fn edit(
    store: &mut Store,
    id: &str,
    fields: AppointmentFields,
    timed: bool,
    target: Target,
    repeat: RepeatArgs,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let json = fields.json;
    if let Target::Single { yes } = target {
        return make_single(store, id, fields, timed, yes, now);
    }
    let repeat = to_repeat(repeat)?;
    let patch = to_patch(store, fields, timed)?;
    match target {
        Target::Appointment => {
            let record = api::edit_appointment(store, id, patch, now)?;
            print_one(&record, json, "Changed")
        }
        Target::Occurrence(occurrence) => {
            if repeat.is_some() {
                usage!("--repeat changes the whole series: use --series instead of --occurrence.");
            }
            let record = api::series::edit_occurrence(store, id, &occurrence, patch, now)?;
            print_one(&record, json, "Changed the occurrence")
        }
        Target::Series => {
            let edit = api::series::edit_series(store, id, patch, repeat, now)?;
            if json {
                return output::json(&edit);
            }
            print_one(&edit.record, false, "Changed series")?;
            match edit.reset_occurrences {
                0 => {}
                1 => out!(
                    "1 changed occurrence went back to the pattern (its times or pattern changed)."
                ),
                n => out!(
                    "{n} changed occurrences went back to the pattern (its times or pattern changed)."
                ),
            }
            Ok(())
        }
        Target::Single { .. } => unreachable!("handled above"),
    }
}

/// `edit ID --series --repeat never`: the series becomes one appointment. Without --yes it says
/// what would go and changes nothing, as other deletions of the CLI ask.
fn make_single(
    store: &mut Store,
    id: &str,
    fields: AppointmentFields,
    timed: bool,
    yes: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let json = fields.json;
    let patch = to_patch(store, fields, timed)?;
    if !yes {
        let sentence = api::series::series_single_sentence(store, id, patch)?;
        usage!("{sentence} Nothing was changed: run again with --yes to do it.");
    }
    let made = api::series::make_series_single(store, id, patch, now)?;
    if json {
        return output::json(&made);
    }
    out!("{}", made.sentence);
    print_one(&made.record, false, "It is now")
}

fn delete(
    store: &mut Store,
    id: &str,
    occurrence: Option<String>,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    match occurrence {
        Some(occurrence) => {
            api::series::delete_occurrence(store, id, &occurrence, now)?;
            out!("Deleted the occurrence {occurrence} of series {id}.");
        }
        None => {
            api::delete_appointment(store, id, now)?;
            out!("Deleted appointment {id}.");
        }
    }
    Ok(())
}

/// Whether --repeat says never (no pattern); refused with any other pattern option.
fn is_never(args: &RepeatArgs) -> anyhow::Result<bool> {
    let never = args
        .repeat
        .as_deref()
        .is_some_and(|r| r.trim().eq_ignore_ascii_case("never"));
    let more = args.interval.is_some()
        || !args.days.is_empty()
        || args.week.is_some()
        || args.until.is_some()
        || args.count.is_some();
    if never && more {
        usage!("--repeat never takes no --interval, --days, --week, --until or --count.");
    }
    Ok(never)
}

/// The series' pattern as typed; a word the core does not know is one plain sentence.
fn to_repeat(args: RepeatArgs) -> anyhow::Result<Option<Repeat>> {
    let Some(every) = args.repeat else {
        return Ok(None);
    };
    let week = args
        .week
        .map(|text| {
            WeekIndex::parse(&text).ok_or_else(|| CoreError::InvalidRepeat {
                reason: format!(
                    "\"{}\" is not first, second, third, fourth or last.",
                    text.trim()
                ),
            })
        })
        .transpose()?;
    Ok(Some(Repeat {
        every: RepeatUnit::parse(&every)?,
        interval: args.interval,
        days: args.days,
        week,
        day_of_month: None,
        month: None,
        until: args.until,
        count: args.count,
    }))
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
        if let Some(repeat) = &record.repeat_text {
            out!("{repeat}.");
        }
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
