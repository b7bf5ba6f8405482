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
    /// Demo mode, as the app's: the demo data folder and a Microsoft 365 emulator started for
    /// this command (demo users sign in with the password Demo-pass-1).
    #[arg(long, global = true, env = "QUICK3_DEMO")]
    pub demo: bool,
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
    /// Microsoft 365 accounts of resources: connect (sign in), change, remove.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Where Microsoft is: authority, tenant, client id, Graph, an extra CA.
    #[command(subcommand)]
    Config(ConfigCommand),
    /// The local Microsoft 365 emulator (identity platform + Graph calendars).
    #[command(subcommand)]
    Emulator(EmulatorCommand),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Flow {
    /// The system browser, answering on a loopback port of this machine.
    Browser,
    /// The same loopback answer; prints the URL to open anywhere on this machine.
    Loopback,
    /// A code to enter on another device (for machines without a browser).
    Device,
}

#[derive(Debug, Args)]
pub struct SignInOptions {
    /// How to sign in.
    #[arg(long, value_enum, default_value = "browser")]
    pub flow: Flow,
    /// Do not open a browser: print the URL (or the device code) on stderr and wait.
    #[arg(long)]
    pub no_browser: bool,
    /// Give up waiting after this many seconds.
    #[arg(long, default_value_t = 600)]
    pub timeout: u64,
}

#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Connects a Microsoft 365 account to a resource and signs in.
    Add {
        /// The resource (id, e-mail or name).
        #[arg(long)]
        resource: String,
        /// The Microsoft 365 user name (e-mail).
        #[arg(long)]
        email: String,
        /// down (Microsoft 365 → Quick3), up (Quick3 → Microsoft 365) or both.
        #[arg(long)]
        direction: String,
        /// Scopes to ask for, space- or comma-separated (default: by direction).
        #[arg(long)]
        scopes: Option<String>,
        #[command(flatten)]
        sign_in: SignInOptions,
    },
    /// Lists accounts (of one resource, or all).
    List {
        #[arg(long)]
        resource: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Changes an account's direction (none pauses it) or scopes.
    Edit {
        /// The account (id or e-mail).
        account: String,
        #[arg(long)]
        resource: Option<String>,
        #[arg(long)]
        direction: Option<String>,
        #[arg(long)]
        scopes: Option<String>,
    },
    /// Removes an account and its sign-in; keeps its pulled appointments unless told not to.
    Remove {
        account: String,
        #[arg(long)]
        resource: Option<String>,
        /// Also delete the appointments pulled from it.
        #[arg(long)]
        delete_appointments: bool,
    },
    /// Makes an account its resource's main account (the one that receives uploads).
    SetMain {
        account: String,
        #[arg(long)]
        resource: Option<String>,
    },
    /// Signs in again (after "sign-in needed").
    SignIn {
        account: String,
        #[arg(long)]
        resource: Option<String>,
        #[command(flatten)]
        sign_in: SignInOptions,
    },
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Shows the endpoints in use (after QUICK3_* environment overrides).
    Show,
    /// Sets authority, tenant, client-id, graph or ca-cert.
    Set { name: String, value: String },
    /// Unsets one (back to Microsoft's public cloud default).
    Unset { name: String },
}

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Serves the emulator on 127.0.0.1 and prints one JSON line (authority, graph, admin, CA).
    Serve(m365_emulator::ServeArgs),
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
