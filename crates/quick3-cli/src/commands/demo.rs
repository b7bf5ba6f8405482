//! `quick3 demo seed|scale`: the demo's sample data, and sample data at scale for benchmarks.

use chrono::{DateTime, Utc};
use quick3_core::{Store, demo};

use crate::args::DemoCommand;

pub fn run(store: &mut Store, command: DemoCommand, now: DateTime<Utc>) -> anyhow::Result<()> {
    match command {
        DemoCommand::Seed => seed(store, now),
        DemoCommand::Scale {
            resources,
            appointments,
            weeks,
        } => scale(store, resources, appointments, weeks, now),
    }
}

fn seed(store: &mut Store, now: DateTime<Utc>) -> anyhow::Result<()> {
    let report = demo::seed(store, now)?;
    if report.already_seeded {
        out!("The demo data is already there; nothing was added.");
    } else {
        out!(
            "Added {} demo resources and {} appointments.",
            report.resources,
            report.appointments
        );
    }
    Ok(())
}

fn scale(
    store: &mut Store,
    resources: usize,
    appointments: usize,
    weeks: u32,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let report = demo::scale(store, resources, appointments, weeks, now)?;
    out!(
        "Added {} resources and {} appointments over {} week(s) from {}.",
        report.resources_added,
        report.appointments_added,
        report.weeks,
        report.first_monday
    );
    Ok(())
}
