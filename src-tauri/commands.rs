//! Tauri commands: each deserialises its arguments, calls one core function and maps the error
//! to `{ code, message }`.

use chrono::Utc;
use quick3_core::api::calendars::{self, CalendarChoice, CalendarsChosen};
use quick3_core::api::organisation::administrator;
use quick3_core::api::{AccountRow, RemovedAccount, SyncScope};
use quick3_core::identity::Credentials;
use quick3_core::identity::secrets::check_keyring;
use quick3_core::ids::{AccountId, JobId, ResourceId};
use quick3_core::mail::SmtpSettings;
use quick3_core::model::{
    Account, AppointmentCard, AppointmentInput, AppointmentPatch, AppointmentRecord, Direction,
    Job, JobRun, JobSpec, MailboxLookup, NewAccount, NewOrgLink, OrgSettings, OrgSettingsRecord,
    OrgTestReport, Overview, Resource,
};
use quick3_core::sync::SyncSummary;
use quick3_core::{CoreError, ErrorCode, ErrorPayload, Store, api};
use tauri::async_runtime::block_on;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt as _;

use crate::{AppState, background, microsoft, sync};

type Reply<T> = Result<T, ErrorPayload>;

fn with_store<T>(
    state: &AppState,
    f: impl FnOnce(&mut Store) -> quick3_core::Result<T>,
) -> Reply<T> {
    f(&mut state.store()).map_err(ErrorPayload::from)
}

/// The way to Microsoft, or why there is none (not configured, emulator did not start).
fn credentials(state: &AppState) -> Reply<&Credentials> {
    state.microsoft.credentials.as_ref().map_err(Clone::clone)
}

/// Reads the store off the main thread: the window's first questions (the overview, the
/// resources, the accounts) come while the main thread is still busy starting the app.
async fn read_off_the_window<T: Send + 'static>(
    app: AppHandle,
    f: impl FnOnce(&mut Store, &AppState) -> quick3_core::Result<T> + Send + 'static,
) -> Reply<T> {
    sync::off_the_window(move || {
        let state = app.state::<AppState>();
        with_store(&state, |s| f(s, &state))
    })
    .await?
}

#[tauri::command]
pub async fn overview(app: AppHandle) -> Reply<Overview> {
    read_off_the_window(app, |s, state| s.overview(state.demo_mode)).await
}

#[tauri::command]
pub async fn list_resources(app: AppHandle) -> Reply<Vec<Resource>> {
    read_off_the_window(app, |s, _| s.list_resources()).await
}

/// The Scheduler's cards of `[from, to)` (what a card shows, not the whole appointment).
#[tauri::command]
pub async fn list_appointments(
    app: AppHandle,
    from: String,
    to: String,
) -> Reply<Vec<AppointmentCard>> {
    // Off the main thread: a week of many appointments is read and serialised without holding
    // up the window's event loop.
    read_off_the_window(app, move |s, _| api::planner_cards(s, &from, &to)).await
}

/// One appointment in full, for the dialog that opens its card.
#[tauri::command]
pub fn get_appointment(state: State<'_, AppState>, id: String) -> Reply<AppointmentRecord> {
    with_store(&state, |s| api::planner_appointment(s, &id))
}

/// Chooses the zone the Scheduler shows times in (`None`: the machine's); answers the zone in force.
#[tauri::command]
pub fn set_display_time_zone(state: State<'_, AppState>, zone: Option<String>) -> Reply<String> {
    with_store(&state, |s| s.set_display_time_zone(zone.as_deref()))
}

#[tauri::command]
pub fn create_appointment(
    state: State<'_, AppState>,
    input: AppointmentInput,
) -> Reply<AppointmentRecord> {
    with_store(&state, |s| api::create_appointment(s, input, Utc::now()))
}

#[tauri::command]
pub fn edit_appointment(
    state: State<'_, AppState>,
    id: String,
    patch: AppointmentPatch,
) -> Reply<AppointmentRecord> {
    with_store(&state, |s| {
        api::planner_edit_appointment(s, &id, patch, Utc::now())
    })
}

#[tauri::command]
pub fn delete_appointment(state: State<'_, AppState>, id: String) -> Reply<()> {
    with_store(&state, |s| api::delete_appointment(s, &id, Utc::now()))
}

#[tauri::command]
pub fn restore_appointment(state: State<'_, AppState>, id: String) -> Reply<AppointmentRecord> {
    with_store(&state, |s| api::restore_appointment(s, &id, Utc::now()))
}

/// Every resource's accounts in one answer (the Scheduler's origin badges), instead of a call per
/// resource.
#[tauri::command]
pub async fn all_accounts(app: AppHandle) -> Reply<Vec<Account>> {
    read_off_the_window(app, |s, _| s.all_accounts()).await
}

#[tauri::command]
pub fn list_accounts(
    state: State<'_, AppState>,
    resource_id: ResourceId,
) -> Reply<Vec<AccountRow>> {
    let credentials = credentials(&state).ok();
    with_store(&state, |s| {
        api::account_rows(s, credentials, resource_id, Utc::now())
    })
}

/// Adds the account and opens Microsoft's sign-in page in the system browser; the answer comes
/// back as a deep link or to a loopback listener (see `microsoft::start_sign_in`).
#[tauri::command]
pub fn add_account(app: AppHandle, new: NewAccount) -> Reply<Account> {
    microsoft::start_sign_in(&app, |s, credentials, redirect| {
        api::add_account(s, credentials, new, redirect, Utc::now())
    })
}

#[tauri::command]
pub fn sign_in_again(app: AppHandle, account_id: AccountId) -> Reply<()> {
    microsoft::start_sign_in(&app, |s, credentials, redirect| {
        let url = api::sign_in_again(s, credentials, account_id, redirect, Utc::now())?;
        Ok(((), url))
    })
}

/// Whether the OS keyring, which keeps the sign-ins and the SMTP password, answers: the error
/// says plainly what to do when it does not.
#[tauri::command]
pub async fn keyring_status(state: State<'_, AppState>) -> Reply<()> {
    let secrets = state.secrets.clone();
    tauri::async_runtime::spawn_blocking(move || check_keyring(secrets.as_ref()))
        .await
        .map_err(|err| ErrorPayload {
            code: ErrorCode::Internal,
            message: err.to_string(),
        })?
        .map_err(|err| CoreError::from(err).into())
}

#[tauri::command]
pub fn account_calendars(
    state: State<'_, AppState>,
    account_id: AccountId,
) -> Reply<Vec<CalendarChoice>> {
    with_store(&state, |s| calendars::account_calendars(s, account_id))
}

/// Syncs exactly these calendars of the account; the others leave the Scheduler.
#[tauri::command]
pub fn choose_calendars(
    state: State<'_, AppState>,
    account_id: AccountId,
    calendar_ids: Vec<String>,
) -> Reply<CalendarsChosen> {
    with_store(&state, |s| {
        calendars::choose_calendars(s, account_id, &calendar_ids, Utc::now())
    })
}

#[tauri::command]
pub fn cancel_sign_in(state: State<'_, AppState>, account_id: AccountId) -> Reply<()> {
    let credentials = credentials(&state)?;
    with_store(&state, |s| api::cancel_sign_in(s, credentials, account_id))
}

#[tauri::command]
pub fn edit_account(
    state: State<'_, AppState>,
    account_id: AccountId,
    direction: Direction,
    scopes: Vec<String>,
) -> Reply<Account> {
    with_store(&state, |s| {
        api::edit_account(s, account_id, direction, scopes)
    })
}

#[tauri::command]
pub fn set_main_account(state: State<'_, AppState>, account_id: AccountId) -> Reply<Account> {
    with_store(&state, |s| api::set_main_account(s, account_id))
}

#[tauri::command]
pub fn remove_account(
    state: State<'_, AppState>,
    account_id: AccountId,
    keep_appointments: bool,
) -> Reply<RemovedAccount> {
    let credentials = credentials(&state).ok();
    with_store(&state, |s| {
        administrator::remove_account(s, credentials, account_id, keep_appointments, Utc::now())
    })
}

/// Sync Calendar: syncs one account, a resource's accounts or all of them in the background,
/// sending progress; the answer is each account's summary.
#[tauri::command]
pub async fn sync_calendar(
    app: AppHandle,
    account_id: Option<AccountId>,
    resource_id: Option<ResourceId>,
    allow_mass_delete: bool,
) -> Reply<Vec<SyncSummary>> {
    let scope = SyncScope {
        account: account_id,
        resource: resource_id,
    };
    sync::off_the_window(move || {
        sync::sync_now(&app, scope, allow_mass_delete, sync::SyncCause::Manual)
    })
    .await?
}

/// After an edit in the Scheduler: pushes the change at once (in the background; the outcome
/// arrives as `sync-finished` events) to the resource's main account when it sends, and to any
/// other main account with uploads waiting (the resource an appointment was moved away from).
/// Answers whether an upload started.
#[tauri::command]
pub fn push_changes(
    app: AppHandle,
    state: State<'_, AppState>,
    resource_id: ResourceId,
) -> Reply<bool> {
    let accounts = with_store(&state, |s| api::upload_accounts(s, resource_id))?;
    if accounts.is_empty() {
        return Ok(false);
    }
    tauri::async_runtime::spawn_blocking(move || {
        for account in accounts {
            let scope = SyncScope {
                account: Some(account),
                resource: None,
            };
            let _ = sync::sync_now(&app, scope, false, sync::SyncCause::Upload);
        }
    });
    Ok(true)
}

/// Whether jobs also run with the window closed (a tray icon), whether they are paused, and
/// whether the app starts (hidden, in the tray) when the planner signs in to the desktop.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct BackgroundStatus {
    pub tray: bool,
    pub paused: bool,
    pub starts_with_session: bool,
}

#[tauri::command]
pub fn background_status(app: AppHandle, state: State<'_, AppState>) -> BackgroundStatus {
    BackgroundStatus {
        tray: state.tray.shown(),
        paused: state.jobs.paused(),
        starts_with_session: app.autolaunch().is_enabled().unwrap_or(false),
    }
}

/// Start with the session on or off: writes or removes the session's autostart entry (on Linux
/// an XDG autostart entry that starts the app `--hidden`). Answers whether it is on now.
#[tauri::command]
pub fn start_with_session(app: AppHandle, on: bool) -> Reply<bool> {
    let autostart = app.autolaunch();
    let changed = if on {
        autostart.enable()
    } else {
        autostart.disable()
    };
    changed
        .and_then(|()| autostart.is_enabled())
        .map_err(|err| ErrorPayload {
            code: ErrorCode::AutostartFailed,
            message: format!(
                "Quick3 Planner could not change how it starts with your session ({err})."
            ),
        })
}

/// Closes the window after it told the planner that scheduled syncs stop until the app is opened
/// again (no tray keeps the app): the app then quits.
#[tauri::command]
pub fn close_window(app: AppHandle) {
    crate::window::close(&app);
}

#[tauri::command]
pub fn list_jobs(state: State<'_, AppState>) -> Reply<Vec<Job>> {
    with_store(&state, |s| s.list_jobs())
}

#[tauri::command]
pub fn add_job(state: State<'_, AppState>, spec: JobSpec) -> Reply<Job> {
    with_store(&state, |s| api::add_job(s, spec, Utc::now()))
}

#[tauri::command]
pub fn edit_job(state: State<'_, AppState>, job_id: JobId, spec: JobSpec) -> Reply<Job> {
    with_store(&state, |s| api::edit_job(s, job_id, spec, Utc::now()))
}

#[tauri::command]
pub fn remove_job(state: State<'_, AppState>, job_id: JobId) -> Reply<()> {
    with_store(&state, |s| s.remove_job(job_id))
}

#[tauri::command]
pub fn job_runs(state: State<'_, AppState>, job_id: JobId) -> Reply<Vec<JobRun>> {
    with_store(&state, |s| s.job_runs(job_id, 50))
}

/// Run now: runs the job in the background; the answer is the job after its run (`None` when a
/// run of it was already going).
#[tauri::command]
pub async fn run_job_now(app: AppHandle, job_id: JobId) -> Reply<Option<Job>> {
    let report = sync::off_the_window(move || background::run(&app, job_id)).await??;
    Ok(report.map(|r| r.job))
}

#[tauri::command]
pub fn smtp_settings(state: State<'_, AppState>) -> Reply<Option<SmtpSettings>> {
    with_store(&state, |s| s.smtp_settings())
}

/// Settings → E-mail; a password given goes to the OS keyring, none keeps the one there.
#[tauri::command]
pub fn save_smtp_settings(
    state: State<'_, AppState>,
    settings: SmtpSettings,
    password: Option<String>,
) -> Reply<SmtpSettings> {
    with_store(&state, |s| {
        api::save_smtp_settings(s, state.secrets.as_ref(), settings, password)
    })
}

/// Send test e-mail: through the saved settings, to `to`.
#[tauri::command]
pub async fn send_test_mail(state: State<'_, AppState>, to: String) -> Reply<()> {
    let saved = with_store(&state, |s| s.smtp_settings())?;
    api::send_test_mail(saved, state.secrets.as_ref(), &to)
        .await
        .map_err(ErrorPayload::from)
}

/// Runs `work` off the window on a store connection of its own, with the way to Microsoft (the
/// window's store is never held while Microsoft answers).
async fn own_connection<T: Send + 'static>(
    app: AppHandle,
    work: impl FnOnce(&mut Store, &Credentials) -> quick3_core::Result<T> + Send + 'static,
) -> Reply<T> {
    sync::off_the_window(move || {
        let state = app.state::<AppState>();
        let credentials = credentials(&state)?;
        let mut store = Store::open(&state.database).map_err(ErrorPayload::from)?;
        work(&mut store, credentials).map_err(ErrorPayload::from)
    })
    .await?
}

/// Settings → Client settings → Office 365 (administrators only).
#[tauri::command]
pub fn org_settings(state: State<'_, AppState>) -> Reply<Option<OrgSettingsRecord>> {
    let credentials = credentials(&state)?;
    with_store(&state, |s| {
        administrator::settings(s, credentials, Utc::now().date_naive())
    })
}

/// Saves Client settings → Office 365; a secret given goes to the OS keyring, none keeps it; with
/// the certificate credential, a certificate file given is imported (its key to the OS keyring).
#[tauri::command]
pub async fn save_org_settings(
    app: AppHandle,
    settings: OrgSettings,
    secret: Option<String>,
    certificate_file: Option<String>,
) -> Reply<OrgSettingsRecord> {
    own_connection(app, move |s, c| {
        block_on(administrator::save_settings(
            s,
            c,
            settings,
            secret,
            certificate_file,
            Utc::now().date_naive(),
        ))
    })
    .await
}

/// Test settings (hamburger menu): what works and, in plain words, what is missing.
#[tauri::command]
pub async fn test_org_settings(app: AppHandle) -> Reply<OrgTestReport> {
    own_connection(app, |s, c| {
        block_on(administrator::test_settings(s, c, Utc::now()))
    })
    .await
}

/// Finds a mailbox by Object ID or e-mail for the link dialog.
#[tauri::command]
pub async fn look_up_mailbox(app: AppHandle, reference: String) -> Reply<MailboxLookup> {
    own_connection(app, move |s, c| {
        block_on(administrator::look_up(s, c, &reference, Utc::now()))
    })
    .await
}

#[tauri::command]
pub async fn link_mailbox(app: AppHandle, link: NewOrgLink) -> Reply<Account> {
    own_connection(app, move |s, c| {
        block_on(administrator::link(s, c, link, Utc::now()))
    })
    .await
}

#[tauri::command]
pub fn unlink_mailbox(
    state: State<'_, AppState>,
    account_id: AccountId,
    keep_appointments: bool,
) -> Reply<Account> {
    with_store(&state, |s| {
        administrator::unlink(s, account_id, keep_appointments, Utc::now())
    })
}
