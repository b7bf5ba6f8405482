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
    Appointment(Box<AppointmentCommand>),
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
    /// Organisation mode: the organisation's app registration, Test settings, and resources linked
    /// to mailboxes by Object ID or e-mail (no sign-in by planners).
    #[command(subcommand)]
    Org(OrgCommand),
    /// The local Microsoft 365 emulator (identity platform + Graph calendars).
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// Scheduled jobs ("Synchronize Office365 Calendars").
    #[command(subcommand)]
    Job(JobCommand),
    /// E-mail for failure notices: the SMTP server.
    #[command(subcommand)]
    Mail(MailCommand),
    /// Syncs appointments with Microsoft 365: every account, one account, or a resource's;
    /// `sync log` shows what recent syncs changed, `sync conflicts` and `sync resolve` list and
    /// settle conflicts.
    Sync(SyncCommand),
    /// Runs the scheduled jobs in the background until stopped (SIGINT/SIGTERM).
    Daemon {
        /// Run the jobs that are due now, then exit (for cron or a systemd timer).
        #[arg(long)]
        once: bool,
    },
    /// The database's daily backups (the last 7, in `backups/` beside it): list them, or go back
    /// to one.
    #[command(subcommand)]
    Backup(BackupCommand),
}

#[derive(Debug, Subcommand)]
pub enum BackupCommand {
    /// The daily backups, oldest first.
    List,
    /// Puts a backup in place of the database (after checking it is whole); the database it
    /// replaces is kept beside it. Close Quick3 Planner and stop `quick3 daemon` first.
    Restore {
        /// The backup's date (YYYY-MM-DD), or `latest`.
        date: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum OrgCommand {
    /// Saves the organisation's app registration; the client secret is read from QUICK3_ORG_SECRET
    /// or asked on the terminal, and kept in the OS keyring only. With --certificate, a certificate
    /// is used instead: its private key goes to the OS keyring.
    Set {
        /// Directory (tenant) id or domain.
        #[arg(long)]
        tenant: String,
        /// Application (client) id.
        #[arg(long)]
        client_id: String,
        /// When the client secret expires (YYYY-MM-DD): warned about 30 days ahead.
        #[arg(long, conflicts_with = "certificate")]
        secret_expires: Option<chrono::NaiveDate>,
        /// A PEM file with the certificate uploaded to the app registration and its unencrypted
        /// private key (PKCS#8 or PKCS#1), used instead of a client secret.
        #[arg(long, value_name = "FILE.pem")]
        certificate: Option<std::path::PathBuf>,
        /// Directions linked mailboxes may use, comma-separated (default: down,up,both).
        #[arg(long, value_delimiter = ',')]
        directions: Vec<String>,
    },
    /// Shows the organisation's settings, which credential is used and its expiry warning.
    Show {
        #[arg(long)]
        json: bool,
    },
    /// Test settings: gets a token, reads one user and one calendar, and says what is missing.
    Test {
        /// The mailbox to read (Object ID or e-mail); default: the first linked one.
        #[arg(long)]
        mailbox: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Links a resource to a mailbox by Object ID or e-mail.
    Link {
        /// The resource (id, e-mail or name).
        #[arg(long)]
        resource: String,
        /// The user's Object ID in Microsoft Entra.
        #[arg(long, conflicts_with = "email", required_unless_present = "email")]
        object_id: Option<String>,
        /// The user's e-mail (user principal name).
        #[arg(long)]
        email: Option<String>,
        /// down, up or both.
        #[arg(long)]
        direction: String,
        /// A calendar to sync, by name (repeat for several; default: all of the mailbox's).
        #[arg(long = "calendar")]
        calendars: Vec<String>,
    },
    /// Removes an organisation link; keeps its pulled appointments unless told not to.
    Unlink {
        /// The link (account id or e-mail).
        link: String,
        #[arg(long)]
        resource: Option<String>,
        /// Also delete the appointments pulled from it.
        #[arg(long)]
        delete_appointments: bool,
    },
    /// Lists the organisation links.
    Links {
        #[arg(long)]
        json: bool,
    },
}

/// `quick3 sync [OPTIONS]` runs a sync; `quick3 sync log …` reads the journal; `quick3 sync
/// conflicts` and `quick3 sync resolve …` list and settle conflicts.
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct SyncCommand {
    #[command(subcommand)]
    pub command: Option<SyncSubcommand>,
    #[command(flatten)]
    pub args: SyncArgs,
}

#[derive(Debug, Subcommand)]
pub enum SyncSubcommand {
    /// What recent syncs changed (the sync journal): the runs, or one run's changes.
    Log(SyncLogArgs),
    /// Appointments changed both in Quick3 and in Outlook since the last sync: each with its
    /// account and both versions' differing fields. Neither side is overwritten until settled.
    Conflicts {
        #[arg(long)]
        json: bool,
    },
    /// Settles one conflict: keep Quick3's version (Outlook is patched at the next sync),
    /// Outlook's (Quick3 takes it now), or both (Quick3's becomes a second appointment).
    Resolve {
        /// The conflict's id (from `quick3 sync conflicts`).
        id: i64,
        #[arg(long, value_parser = ["quick3", "outlook", "both"])]
        keep: String,
        #[arg(long)]
        json: bool,
    },
    /// What a sync would change now, on both sides, grouped by kind; changes nothing (the
    /// deletions the mass-deletion guard would hold back are listed and marked).
    Preview(SyncPreviewArgs),
    /// Puts back what a run changed, on both sides (`sync log` gives its number); what cannot be
    /// undone is listed with the reason. The undo is itself a run in the journal.
    Undo(SyncUndoArgs),
}

#[derive(Debug, Args)]
pub struct SyncPreviewArgs {
    /// Only this account (id or e-mail).
    #[arg(long, conflicts_with = "resource")]
    pub account: Option<String>,
    /// Only the accounts of this resource (id, e-mail or name).
    #[arg(long)]
    pub resource: Option<String>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncUndoArgs {
    /// The run's number (`quick3 sync log`).
    pub run: i64,
    /// Say what the undo would do, and what it cannot undo; change nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncLogArgs {
    /// Only this account's runs (id or e-mail).
    #[arg(long)]
    pub account: Option<String>,
    /// One run's changes, by its number.
    #[arg(long)]
    pub run: Option<i64>,
    /// How many runs (newest first).
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this account (id or e-mail).
    #[arg(long, conflicts_with = "resource")]
    pub account: Option<String>,
    /// Only the accounts of this resource (id, e-mail or name).
    #[arg(long)]
    pub resource: Option<String>,
    /// Show what would change; change nothing on either side.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
    /// Apply a deletion of more than half of an account's appointments (remembered for that change).
    #[arg(long)]
    pub allow_mass_delete: bool,
    /// The window synced down: days back from today (used when a calendar starts a full round).
    #[arg(long, default_value_t = 30)]
    pub days_back: i64,
    /// …and days forward.
    #[arg(long, default_value_t = 365)]
    pub days_forward: i64,
    /// Events per delta page (Prefer: odata.maxpagesize).
    #[arg(long, default_value_t = 100, hide = true)]
    pub page_size: u32,
    /// Events of a full round committed together (1: each page on its own).
    #[arg(long, default_value_t = quick3_core::sync::DEFAULT_EVENTS_PER_COMMIT, hide = true)]
    pub events_per_commit: usize,
    /// Mailboxes synced at the same time (each with at most 4 requests in flight).
    #[arg(long, default_value_t = quick3_core::sync::DEFAULT_MAILBOXES_IN_PARALLEL)]
    pub mailboxes_in_parallel: usize,
}

#[derive(Debug, Args)]
pub struct JobFields {
    /// The job's name.
    #[arg(long)]
    pub name: Option<String>,
    /// How often: 60m, 2h, 1d (Microsoft advises no more often than every 30 minutes).
    #[arg(long)]
    pub every: Option<String>,
    /// Only start between these hours, e.g. 7-19 (in the planner's zone).
    #[arg(long, value_name = "FROM-TO")]
    pub active_hours: Option<String>,
    /// Only these resources' accounts (repeat); default: all resources.
    #[arg(long = "resource")]
    pub resources: Vec<String>,
    /// Mail failures to this address (repeat for several).
    #[arg(long = "notify")]
    pub notify: Vec<String>,
    /// Mail only after this many failed runs in a row.
    #[arg(long)]
    pub after_failures: Option<u32>,
    /// Do not mail when an account needs a new sign-in.
    #[arg(long)]
    pub no_sign_in_notice: bool,
}

#[derive(Debug, Subcommand)]
pub enum JobCommand {
    /// Adds a job (kind: synchronize_office365_calendars).
    Add {
        #[arg(long, default_value = "synchronize_office365_calendars")]
        kind: String,
        #[command(flatten)]
        fields: JobFields,
        /// Add it switched off.
        #[arg(long)]
        disabled: bool,
    },
    /// Lists jobs with their next and last runs.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Changes a job: only what is given changes.
    Edit {
        job: String,
        #[command(flatten)]
        fields: JobFields,
        #[arg(long, conflicts_with = "disable")]
        enable: bool,
        #[arg(long)]
        disable: bool,
    },
    /// Removes a job and its history.
    Remove { job: String },
    /// Makes a job due now (a running daemon or app starts it at once).
    RunNow { job: String },
    /// The job's runs, newest first.
    History {
        job: String,
        #[arg(long, default_value_t = 20)]
        limit: usize,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum MailCommand {
    /// Sets the SMTP server for failure notices.
    Set {
        #[arg(long)]
        host: String,
        #[arg(long)]
        port: u16,
        /// starttls, tls, or none (none only to a server on this machine).
        #[arg(long, default_value = "starttls")]
        security: String,
        /// The login (its password is read from QUICK3_SMTP_PASSWORD or asked on the terminal,
        /// and kept in the OS keyring).
        #[arg(long, default_value = "")]
        username: String,
        /// The From address.
        #[arg(long)]
        sender: String,
    },
    /// Shows the SMTP settings.
    Show,
    /// Sends a test e-mail.
    Test { to: String },
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
    /// Lists the account's calendars and which are synced; with --sync, chooses them (the others
    /// leave the Scheduler with their appointments; those chosen anew arrive at the next sync).
    Calendars {
        account: String,
        #[arg(long)]
        resource: Option<String>,
        /// Calendars to sync (ids or names, space- or comma-separated): all others stop.
        #[arg(long, num_args = 1.., value_delimiter = ',')]
        sync: Option<Vec<String>>,
        /// Sync every calendar of the mailbox (the default).
        #[arg(long, conflicts_with = "sync")]
        all: bool,
        #[arg(long)]
        json: bool,
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
        /// Working hours like 07:00-16:00 (default: the Scheduler's day).
        #[arg(long)]
        hours: Option<String>,
        /// Print the new resource as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Changes a resource's name, e-mail, colour, kind or working hours (an empty value clears
    /// the e-mail or the hours).
    Edit {
        /// The resource (id, e-mail or name).
        resource: String,
        #[arg(long)]
        name: Option<String>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        colour: Option<String>,
        /// person, room or equipment.
        #[arg(long)]
        kind: Option<String>,
        /// Working hours like 07:00-16:00.
        #[arg(long)]
        hours: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Archives a resource (--archive: hidden from the Scheduler, history kept, `resource
    /// restore` brings it back) or deletes it, saying what becomes of its appointments and
    /// Microsoft 365 accounts.
    Remove {
        /// The resource (id, e-mail or name).
        resource: String,
        /// Archive instead of delete.
        #[arg(long, conflicts_with = "appointments")]
        archive: bool,
        /// keep (as history), move:ID (to another resource) or delete (with it; Quick3's own
        /// leave Outlook with the next sync).
        #[arg(long, value_name = "keep|move:ID|delete")]
        appointments: Option<String>,
        /// Delete without asking (the answer to --appointments is required then).
        #[arg(long)]
        yes: bool,
        #[arg(long)]
        json: bool,
    },
    /// Brings an archived resource back to the Scheduler.
    Restore { resource: String },
    /// Lists the resources (archived ones only with --archived).
    List {
        /// Also list archived resources.
        #[arg(long)]
        archived: bool,
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

/// How an appointment repeats (`--repeat weekly --days MO,TH --until 2027-06-30`).
#[derive(Debug, Clone, Default, Args)]
pub struct RepeatArgs {
    /// daily, weekly, monthly or yearly: the appointment is a series. never (with `edit
    /// --series`): the series becomes one appointment at its first occurrence, its other
    /// occurrences removed (Outlook's "Remove recurrence"; asks for --yes).
    #[arg(long)]
    pub repeat: Option<String>,
    /// Every N days, weeks, months or years (default 1).
    #[arg(long, requires = "repeat")]
    pub interval: Option<u32>,
    /// Days of the week, MO,TU,WE,TH,FR,SA,SU: weekly on these days (daily: every week on
    /// them; monthly or yearly with --week: the day counted).
    #[arg(long, requires = "repeat", value_delimiter = ',')]
    pub days: Vec<String>,
    /// Monthly or yearly on the first, second, third, fourth or last of --days (default the
    /// start's weekday) instead of the start's day of the month.
    #[arg(long, requires = "repeat")]
    pub week: Option<String>,
    /// The last date an occurrence may fall on (2027-06-30).
    #[arg(long, requires = "repeat", conflicts_with = "count")]
    pub until: Option<String>,
    /// Ends after this many occurrences.
    #[arg(long, requires = "repeat")]
    pub count: Option<u32>,
}

#[derive(Debug, Subcommand)]
pub enum AppointmentCommand {
    /// Adds an appointment (--resource, --title and --start are required; --end for timed ones);
    /// with --repeat, a series whose first occurrence is --start (or the first date after it
    /// that fits the pattern).
    Add {
        #[command(flatten)]
        fields: AppointmentFields,
        #[command(flatten)]
        repeat: RepeatArgs,
    },
    /// Changes an appointment: only the fields given change. For a series, --occurrence DATE
    /// changes that one occurrence, --series the whole series (a change of times or pattern sends
    /// changed occurrences back to the pattern, as in Outlook).
    Edit {
        /// The appointment, or the series (an occurrence's `series_id`).
        id: String,
        #[command(flatten)]
        fields: AppointmentFields,
        /// Make an all-day appointment a timed one.
        #[arg(long, conflicts_with = "all_day")]
        timed: bool,
        /// The occurrence to change: the date it falls on by the pattern (2027-03-08) or its
        /// `original_start`.
        #[arg(long, conflicts_with = "series")]
        occurrence: Option<String>,
        /// Change the whole series.
        #[arg(long)]
        series: bool,
        #[command(flatten)]
        repeat: RepeatArgs,
        /// Remove the occurrences that --repeat never removes without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Deletes an appointment, a whole series, or with --occurrence one occurrence of a series.
    Delete {
        /// The appointment, or the series (an occurrence's `series_id`).
        id: String,
        /// The occurrence to delete: the date it falls on by the pattern (2027-03-08) or its
        /// `original_start`.
        #[arg(long)]
        occurrence: Option<String>,
    },
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
    /// Sample data at scale for benchmarks: the demo, then resources up to --resources in all and
    /// --appointments appointments spread over them and the working days of --weeks weeks from
    /// this week's Monday (see docs/benchmarks.md).
    Scale {
        #[arg(long, default_value_t = 100)]
        resources: usize,
        #[arg(long, default_value_t = 5000)]
        appointments: usize,
        #[arg(long, default_value_t = 1)]
        weeks: u32,
    },
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
    /// Grants the planner the right to edit Resource settings (adding, editing, archiving,
    /// restoring and deleting resources) and, when given, makes RESOURCE their own.
    AllowEdit { resource: Option<String> },
    /// Withdraws the planner's right to edit Resource settings.
    DenyEdit,
    /// Makes the planner an administrator of the organisation's Office 365 connection (Client
    /// settings, Test settings and organisation links in the window).
    AllowAdmin,
    /// Withdraws the planner's administrator right.
    DenyAdmin,
    /// How the window writes dates and times; without options, shows the setting.
    DateFormat {
        /// A language and region such as en-GB, en-US, nb-NO or de-DE ("system": the system's).
        #[arg(long)]
        locale: Option<String>,
        /// 24 or 12 ("system": what the language and region use).
        #[arg(long)]
        clock: Option<String>,
    },
}
