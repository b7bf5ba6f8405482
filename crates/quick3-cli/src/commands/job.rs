//! `quick3 job add|list|edit|remove|run-now|history`: scheduled jobs.

use anyhow::bail;
use chrono::{DateTime, Utc};
use quick3_core::Store;
use quick3_core::jobs::{jitter, schedule};
use quick3_core::model::{
    ActiveHours, FailureNotice, Frequency, FrequencyUnit, Job, JobKind, JobScope, JobSpec,
};

use super::Session;
use crate::args::{JobCommand, JobFields};
use crate::output;

pub fn run(session: &mut Session, command: JobCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    let store = &mut session.store;
    match command {
        JobCommand::Add {
            kind,
            fields,
            disabled,
        } => add(store, &kind, fields, disabled, now),
        JobCommand::List { json } => list(store, json),
        JobCommand::Edit {
            job,
            fields,
            enable,
            disable,
        } => edit(store, &job, fields, enable, disable, now),
        JobCommand::Remove { job } => remove(store, &job),
        JobCommand::RunNow { job } => run_now(store, &job, now),
        JobCommand::History { job, limit, json } => history(store, &job, limit, json),
    }
}

fn add(
    store: &mut Store,
    kind: &str,
    fields: JobFields,
    disabled: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let zone = zone(store);
    let kind = JobKind::parse(kind)?;
    let base = JobSpec {
        name: kind.label().to_owned(),
        kind,
        frequency: Frequency {
            every: 60,
            unit: FrequencyUnit::Minutes,
        },
        enabled: !disabled,
        active_hours: None,
        scope: JobScope::AllResources,
        notify: FailureNotice::default(),
    };
    let spec = apply(store, base, fields)?.validate()?;
    let probe = Job {
        id: quick3_core::ids::JobId(0),
        spec: spec.clone(),
        next_run_at: None,
        last_run: None,
        consecutive_failures: 0,
        frequency_warning: None,
    };
    let next = schedule::next_run(now, spec.frequency, spec.active_hours, zone, jitter(&probe));
    let job = store.add_job(spec, next, now)?;
    warn(&job);
    out!(
        "Added job {} \"{}\"; next run {}.",
        job.id,
        job.spec.name,
        when(job.next_run_at)
    );
    Ok(())
}

fn list(store: &Store, json: bool) -> anyhow::Result<()> {
    let jobs = store.list_jobs()?;
    if json {
        return output::json(&jobs);
    }
    let rows: Vec<Vec<String>> = jobs
        .iter()
        .map(|j| {
            vec![
                j.id.to_string(),
                j.spec.name.clone(),
                format!("{} {}", j.spec.frequency.every, unit(j.spec.frequency.unit)),
                if j.spec.enabled {
                    when(j.next_run_at)
                } else {
                    "off".into()
                },
                j.last_run
                    .as_ref()
                    .map(|r| {
                        format!(
                            "{} {}",
                            r.started_at.format("%Y-%m-%d %H:%M"),
                            r.result.as_str()
                        )
                    })
                    .unwrap_or_else(|| "never".into()),
            ]
        })
        .collect();
    output::table(&["ID", "NAME", "EVERY", "NEXT RUN", "LAST RUN"], &rows);
    Ok(())
}

fn edit(
    store: &mut Store,
    job: &str,
    fields: JobFields,
    enable: bool,
    disable: bool,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let zone = zone(store);
    let current = store.find_job(job)?;
    let schedule_changed = fields.every.is_some() || fields.active_hours.is_some() || enable;
    let mut spec = apply(store, current.spec.clone(), fields)?;
    if enable {
        spec.enabled = true;
    }
    if disable {
        spec.enabled = false;
    }
    let next = schedule_changed.then(|| {
        schedule::next_run(
            now,
            spec.frequency,
            spec.active_hours,
            zone,
            jitter(&current),
        )
    });
    let job = store.edit_job(current.id, spec, next)?;
    warn(&job);
    out!(
        "Changed job \"{}\"; next run {}.",
        job.spec.name,
        when(job.next_run_at)
    );
    Ok(())
}

fn remove(store: &mut Store, job: &str) -> anyhow::Result<()> {
    let job = store.find_job(job)?;
    store.remove_job(job.id)?;
    out!("Removed job \"{}\".", job.spec.name);
    Ok(())
}

fn run_now(store: &mut Store, job: &str, now: DateTime<Utc>) -> anyhow::Result<()> {
    let job = store.find_job(job)?;
    if !job.spec.enabled {
        bail!(
            "The job \"{}\" is switched off: enable it first (quick3 job edit … --enable).",
            job.spec.name
        );
    }
    store.set_job_next_run(job.id, now)?;
    out!(
        "The job \"{}\" is due now: a running `quick3 daemon` or the app starts it.",
        job.spec.name
    );
    Ok(())
}

fn history(store: &Store, job: &str, limit: usize, json: bool) -> anyhow::Result<()> {
    let job = store.find_job(job)?;
    let runs = store.job_runs(job.id, limit)?;
    if json {
        return output::json(&runs);
    }
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.started_at.format("%Y-%m-%d %H:%M:%S").to_string(),
                r.finished_at
                    .map(|f| f.format("%H:%M:%S").to_string())
                    .unwrap_or_default(),
                r.result.as_str().to_owned(),
                r.counts
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                r.error.clone().unwrap_or_default(),
            ]
        })
        .collect();
    output::table(&["STARTED", "ENDED", "RESULT", "COUNTS", "ERROR"], &rows);
    Ok(())
}

/// The zone a job's active hours are read in: the store's default zone (UTC if it is not one).
fn zone(store: &Store) -> chrono_tz::Tz {
    store.default_zone().parse().unwrap_or(chrono_tz::UTC)
}

fn apply(store: &Store, mut spec: JobSpec, fields: JobFields) -> anyhow::Result<JobSpec> {
    if let Some(name) = fields.name {
        spec.name = name;
    }
    if let Some(every) = fields.every {
        spec.frequency = Frequency::parse(&every)?;
    }
    if let Some(hours) = fields.active_hours {
        spec.active_hours = if hours == "always" {
            None
        } else {
            Some(parse_hours(&hours)?)
        };
    }
    if !fields.resources.is_empty() {
        let ids = fields
            .resources
            .iter()
            .map(|r| store.find_resource(r).map(|r| r.id))
            .collect::<Result<Vec<_>, _>>()?;
        spec.scope = JobScope::Resources(ids);
    }
    if !fields.notify.is_empty() {
        spec.notify.emails = fields.notify;
    }
    if let Some(after) = fields.after_failures {
        spec.notify.after_failures = after;
    }
    if fields.no_sign_in_notice {
        spec.notify.when_sign_in_needed = false;
    }
    Ok(spec)
}

fn parse_hours(text: &str) -> anyhow::Result<ActiveHours> {
    let parsed = text
        .split_once('-')
        .and_then(|(from, to)| Some((from.trim().parse().ok()?, to.trim().parse().ok()?)));
    match parsed {
        Some((from_hour, to_hour)) => Ok(ActiveHours { from_hour, to_hour }),
        None => usage!("\"{text}\" is not an hour range like 7-19."),
    }
}

fn warn(job: &Job) {
    if let Some(warning) = &job.frequency_warning {
        eprintln!("Warning: {}", crate::output::plain(&warning.to_string()));
    }
}

fn when(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&chrono::Local)
            .format("%Y-%m-%d %H:%M")
            .to_string()
    })
    .unwrap_or_else(|| "not planned".into())
}

fn unit(unit: FrequencyUnit) -> &'static str {
    match unit {
        FrequencyUnit::Minutes => "min",
        FrequencyUnit::Hours => "h",
        FrequencyUnit::Days => "d",
    }
}
