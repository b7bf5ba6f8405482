//! The command line's grammar (clap): global options and every subcommand with its flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "quick3",
    version,
    about = "Quick3 Planner on the command line: resources, appointments and Microsoft 365 sync"
)]
pub struct Cli {
    /// The data folder (default: the platform's data folder).
    #[arg(long, global = true, env = "QUICK3_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The IANA time zone that local times are read and shown in (default: the machine's).
    #[arg(long = "tz", global = true, env = "QUICK3_TZ", value_name = "ZONE")]
    pub time_zone: Option<String>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Resources: people, rooms and equipment.
    #[command(subcommand)]
    Resource(ResourceCommand),
    /// Appointments in the scheduler.
    #[command(subcommand, alias = "appt")]
    Appointment(AppointmentCommand),
    /// Demo data.
    #[command(subcommand)]
    Demo(DemoCommand),
    /// Support and management actions: modules and rights.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum ResourceCommand {
    /// Adds a resource.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: Option<String>,
        /// person, room or equipment.
        #[arg(long, default_value = "person")]
        kind: String,
        /// A colour like #3366cc (default: the next of the palette).
        #[arg(long)]
        colour: Option<String>,
        /// Print the new resource as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Lists the resources.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Shows one resource (by id, e-mail or name) with its Microsoft 365 accounts.
    Show {
        resource: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct AppointmentFields {
    /// The resource (id, e-mail or name).
    #[arg(long)]
    pub resource: Option<String>,
    #[arg(long)]
    pub title: Option<String>,
    /// RFC 3339 (2026-11-25T09:00:00+01:00), a local date-time (2026-11-25T09:00) read in --tz,
    /// or a date with --all-day.
    #[arg(long)]
    pub start: Option<String>,
    /// As --start; for --all-day the day after the last day (default: one day).
    #[arg(long)]
    pub end: Option<String>,
    /// A whole-day appointment (dates only).
    #[arg(long)]
    pub all_day: bool,
    #[arg(long)]
    pub location: Option<String>,
    #[arg(long)]
    pub notes: Option<String>,
    /// A category (repeat for several).
    #[arg(long = "category")]
    pub categories: Vec<String>,
    /// free, tentative, busy, oof, working_elsewhere.
    #[arg(long)]
    pub show_as: Option<String>,
    /// normal, personal, private, confidential.
    #[arg(long)]
    pub sensitivity: Option<String>,
    /// Print the appointment as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum AppointmentCommand {
    /// Adds an appointment (--resource, --title and --start are required; --end for timed ones).
    Add(AppointmentFields),
    /// Changes an appointment: only the fields given change.
    Edit {
        id: String,
        #[command(flatten)]
        fields: AppointmentFields,
        /// Make an all-day appointment a timed one.
        #[arg(long, conflicts_with = "all_day")]
        timed: bool,
    },
    /// Deletes an appointment.
    Delete { id: String },
    /// Lists appointments, optionally of one resource and within a range.
    List {
        #[arg(long)]
        resource: Option<String>,
        /// From (a date or RFC 3339).
        #[arg(long)]
        from: Option<String>,
        /// Until (exclusive; a date or RFC 3339).
        #[arg(long)]
        to: Option<String>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum DemoCommand {
    /// Adds the demo resources and appointments (once) and grants the demo planner's rights.
    Seed,
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Activates or deactivates an integration module (a Support action).
    Module {
        /// enable, disable or status.
        action: String,
        /// The module: office365.
        module: String,
    },
    /// Grants the planner the right to edit Resource settings and makes RESOURCE their own.
    AllowEdit { resource: String },
    /// Withdraws the planner's right to edit Resource settings.
    DenyEdit,
}
