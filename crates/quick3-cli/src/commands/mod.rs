//! Runs a parsed command line against the store.

mod admin;
mod appointment;
mod resource;

use anyhow::Context;
use quick3_core::{Store, demo, paths};

use crate::args::{Cli, Command, DemoCommand};

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let mut store = open_store(&cli)?;
    let now = chrono::Utc::now();
    match cli.command {
        Command::Resource(command) => resource::run(&mut store, command, now),
        Command::Appointment(command) => appointment::run(&mut store, command, now),
        Command::Admin(command) => admin::run(&mut store, command, now),
        Command::Demo(DemoCommand::Seed) => {
            let report = demo::seed(&mut store, now)?;
            if report.already_seeded {
                println!("The demo data is already there; nothing was added.");
            } else {
                println!(
                    "Added {} demo resources and {} appointments.",
                    report.resources, report.appointments
                );
            }
            Ok(())
        }
    }
}

fn open_store(cli: &Cli) -> anyhow::Result<Store> {
    let dir = paths::data_dir(cli.data_dir.as_deref())?;
    let database = paths::database_in(&dir)?;
    let mut store = Store::open(&database)
        .with_context(|| format!("the database {} could not be opened", database.display()))?;
    if let Some(zone) = &cli.time_zone {
        store.set_default_zone(zone)?;
    }
    Ok(store)
}
