//! Tauri commands: each deserialises its arguments, calls one core function and maps the error
//! to `{ code, message }`.

use chrono::Utc;
use quick3_core::api::calendars::{self, CalendarChoice, CalendarsChosen};
use quick3_core::api::conflicts::{self, ConflictOutcome, ConflictRecord};
use quick3_core::api::journal::{self, ChangeRecord, RunChanges};
use quick3_core::api::organisation::administrator;
use quick3_core::api::resources::{
    self, AppointmentsOnDelete, RemovedResource, ResourceArchival, ResourceUse,
};
use quick3_core::api::series::{
    self, SeriesEditRecord, SeriesEditUndoneRecord, SeriesInput, SeriesSingleRecord,
};
use quick3_core::api::undo::AccountPreview;
use quick3_core::api::{AccountRow, RemovedAccount, SyncScope};
use quick3_core::identity::Credentials;
use quick3_core::identity::secrets::check_keyring;
use quick3_core::ids::{AccountId, JobId, ResourceId, SyncRunId};
use quick3_core::mail::SmtpSettings;
use quick3_core::model::{
    Account, AppointmentCard, AppointmentInput, AppointmentPatch, AppointmentRecord, DateFormat,
    Direction, Job, JobRun, JobSpec, JournalRun, Keep, MailboxLookup, NewAccount, NewOrgLink,
    NewResource, OrgSettings, OrgSettingsRecord, OrgTestReport, Overview, Repeat, Resource,
    ResourcePatch,
};
use quick3_core::sync::SyncSummary;
use quick3_core::{CoreError, ErrorCode, ErrorPayload, Store, api};
use tauri::async_runtime::block_on;
use tauri::{AppHandle, Manager, State};
use tauri_plugin_autostart::ManagerExt as _;

use crate::sync::{self, SyncCause};
use crate::{AppState, background, microsoft};

type Reply<T> = Result<T, ErrorPayload>;

/// The one way to the store for a command: `work` runs off the main thread (on a blocking thread
/// of the app's runtime), on a connection no other work uses meanwhile (`Connections`). So the
/// window never waits for the store, an edit waiting for a sync's write lock (the busy timeout)
/// holds up no other command, and reads (WAL) never wait for a write. `work` makes one call
/// into the core; an async one it runs to completion with `block_on`.
async fn store<T: Send + 'static, E: Into<ErrorPayload>>(
    app: AppHandle,
    work: impl FnOnce(&mut Store, &AppState) -> Result<T, E> + Send + 'static,
) -> Reply<T> {
    sync::off_the_window(move || {
        let state = app.state::<AppState>();
        match state.connections.with(|s| work(s, &state)) {
            Ok(done) => done.map_err(Into::into),
            Err(no_connection) => Err(no_connection.into()),
        }
    })
    .await?
}

/// The way to Microsoft, or why there is none (not configured, emulator did not start).
fn credentials(state: &AppState) -> Reply<&Credentials> {
    state.microsoft.credentials.as_ref().map_err(Clone::clone)
}

#[tauri::command]
pub async fn overview(app: AppHandle) -> Reply<Overview> {
    store(app, |s, state| s.overview(state.demo_mode)).await
}

#[tauri::command]
pub async fn list_resources(app: AppHandle) -> Reply<Vec<Resource>> {
    store(app, |s, _| s.list_resources()).await
}

#[tauri::command]
pub async fn add_resource(app: AppHandle, new: NewResource) -> Reply<Resource> {
    store(app, move |s, _| resources::add_resource(s, new, Utc::now())).await
}

#[tauri::command]
pub async fn edit_resource(
    app: AppHandle,
    resource_id: ResourceId,
    patch: ResourcePatch,
) -> Reply<Resource> {
    store(app, move |s, _| {
        resources::edit_resource(s, resource_id, patch)
    })
    .await
}

#[tauri::command]
pub async fn archive_resource(app: AppHandle, resource_id: ResourceId) -> Reply<ResourceArchival> {
    store(app, move |s, _| {
        resources::archive_resource(s, resource_id, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn restore_resource(app: AppHandle, resource_id: ResourceId) -> Reply<ResourceArchival> {
    store(app, move |s, _| {
        resources::restore_resource(s, resource_id, Utc::now())
    })
    .await
}

/// The archived resources (+ Resource offers to restore them).
#[tauri::command]
pub async fn archived_resources(app: AppHandle) -> Reply<Vec<Resource>> {
    store(app, |s, _| resources::archived_resources(s)).await
}

/// What the question before a deletion names.
#[tauri::command]
pub async fn resource_use(app: AppHandle, resource_id: ResourceId) -> Reply<ResourceUse> {
    store(app, move |s, _| resources::resource_use(s, resource_id)).await
}

#[tauri::command]
pub async fn delete_resource(
    app: AppHandle,
    resource_id: ResourceId,
    appointments: AppointmentsOnDelete,
) -> Reply<RemovedResource> {
    store(app, move |s, state| {
        let credentials = credentials(state).ok();
        administrator::delete_resource(s, credentials, resource_id, appointments, Utc::now())
    })
    .await
}

/// The Scheduler's cards of `[from, to)` (what a card shows, not the whole appointment).
#[tauri::command]
pub async fn list_appointments(
    app: AppHandle,
    from: String,
    to: String,
) -> Reply<Vec<AppointmentCard>> {
    store(app, move |s, _| api::planner_cards(s, &from, &to)).await
}

/// One appointment in full, for the dialog that opens its card.
#[tauri::command]
pub async fn get_appointment(app: AppHandle, id: String) -> Reply<AppointmentRecord> {
    store(app, move |s, _| api::planner_appointment(s, &id)).await
}

/// Chooses the zone the Scheduler shows times in (`None`: the machine's); answers the zone in force.
#[tauri::command]
pub async fn set_display_time_zone(app: AppHandle, zone: Option<String>) -> Reply<String> {
    store(app, move |s, _| s.set_display_time_zone(zone.as_deref())).await
}

/// Chooses how the window writes dates and times (`None`s: the system's); answers the format in force.
#[tauri::command]
pub async fn set_date_format(app: AppHandle, format: DateFormat) -> Reply<DateFormat> {
    store(app, move |s, _| s.set_date_format(format)).await
}

#[tauri::command]
pub async fn create_appointment(
    app: AppHandle,
    input: AppointmentInput,
) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        api::create_appointment(s, input, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn edit_appointment(
    app: AppHandle,
    id: String,
    patch: AppointmentPatch,
) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        api::planner_edit_appointment(s, &id, patch, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn delete_appointment(app: AppHandle, id: String) -> Reply<()> {
    store(app, move |s, _| api::delete_appointment(s, &id, Utc::now())).await
}

#[tauri::command]
pub async fn restore_appointment(app: AppHandle, id: String) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        api::restore_appointment(s, &id, Utc::now())
    })
    .await
}

/// Makes a series; the answer is its master.
#[tauri::command]
pub async fn create_series(app: AppHandle, input: SeriesInput) -> Reply<AppointmentRecord> {
    store(app, move |s, _| series::create_series(s, input, Utc::now())).await
}

/// Changes a whole series (`repeat`: its new pattern, or none to keep it).
#[tauri::command]
pub async fn edit_series(
    app: AppHandle,
    id: String,
    patch: AppointmentPatch,
    repeat: Option<Repeat>,
) -> Reply<SeriesEditRecord> {
    store(app, move |s, _| {
        series::planner_edit_series(s, &id, patch, repeat, Utc::now())
    })
    .await
}

/// Undoes a whole-series edit that changed its times or pattern (Ctrl+Z): `undo` as the edit
/// answered it.
#[tauri::command]
pub async fn undo_series_edit(
    app: AppHandle,
    id: String,
    undo: i64,
) -> Reply<SeriesEditUndoneRecord> {
    store(app, move |s, _| {
        series::planner_undo_series_edit(s, &id, undo, Utc::now())
    })
    .await
}

/// Makes a series one appointment (Repeat Never on the whole series); its other occurrences go.
#[tauri::command]
pub async fn make_series_single(
    app: AppHandle,
    id: String,
    patch: AppointmentPatch,
) -> Reply<SeriesSingleRecord> {
    store(app, move |s, _| {
        series::planner_make_series_single(s, &id, patch, Utc::now())
    })
    .await
}

/// What making a series one appointment would remove, in the sentence asked before. Writes
/// nothing.
#[tauri::command]
pub async fn series_single_sentence(
    app: AppHandle,
    id: String,
    patch: AppointmentPatch,
) -> Reply<String> {
    store(app, move |s, _| {
        series::series_single_sentence(s, &id, patch)
    })
    .await
}

/// Takes back a series made one appointment (Ctrl+Z): the series is back; answers its master.
#[tauri::command]
pub async fn restore_series(app: AppHandle, single: String) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        series::planner_restore_series(s, &single, Utc::now())
    })
    .await
}

/// Whether that whole-series edit would send changed occurrences back to the pattern (the
/// dialog warns before saving). Writes nothing.
#[tauri::command]
pub async fn series_edit_resets(
    app: AppHandle,
    id: String,
    patch: AppointmentPatch,
    repeat: Option<Repeat>,
) -> Reply<bool> {
    store(app, move |s, _| {
        series::series_edit_resets(s, &id, patch, repeat)
    })
    .await
}

/// One occurrence of a series (`occurrence`: its original start) for the dialog.
#[tauri::command]
pub async fn get_occurrence(
    app: AppHandle,
    series_id: String,
    occurrence: String,
) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        series::planner_occurrence(s, &series_id, &occurrence)
    })
    .await
}

/// Changes one occurrence; it becomes an exception.
#[tauri::command]
pub async fn edit_occurrence(
    app: AppHandle,
    series_id: String,
    occurrence: String,
    patch: AppointmentPatch,
) -> Reply<AppointmentRecord> {
    store(app, move |s, _| {
        series::planner_edit_occurrence(s, &series_id, &occurrence, patch, Utc::now())
    })
    .await
}

/// Deletes one occurrence (undone by `restore_appointment` with the occurrence's id).
#[tauri::command]
pub async fn delete_occurrence(app: AppHandle, series_id: String, occurrence: String) -> Reply<()> {
    store(app, move |s, _| {
        series::delete_occurrence(s, &series_id, &occurrence, Utc::now())
    })
    .await
}

/// The sentence under the dialog's Repeat, from the core (the CLI says the same).
#[tauri::command]
pub fn describe_repeat(start: String, repeat: Repeat) -> Reply<String> {
    series::describe_repeat(&start, &repeat).map_err(Into::into)
}

/// Every resource's accounts in one answer (the Scheduler's origin badges), instead of a call per
/// resource.
#[tauri::command]
pub async fn all_accounts(app: AppHandle) -> Reply<Vec<Account>> {
    store(app, |s, _| s.all_accounts()).await
}

#[tauri::command]
pub async fn list_accounts(app: AppHandle, resource_id: ResourceId) -> Reply<Vec<AccountRow>> {
    store(app, move |s, state| {
        let credentials = credentials(state).ok();
        api::account_rows(s, credentials, resource_id, Utc::now())
    })
    .await
}

/// Adds the account and opens Microsoft's sign-in page in the system browser; the answer comes
/// back as a deep link or to a loopback listener (see `microsoft::start_sign_in`).
#[tauri::command]
pub async fn add_account(app: AppHandle, new: NewAccount) -> Reply<Account> {
    let handle = app.clone();
    store(app, move |s, _| {
        microsoft::start_sign_in(&handle, s, |s, credentials, redirect| {
            api::add_account(s, credentials, new, redirect, Utc::now())
        })
    })
    .await
}

#[tauri::command]
pub async fn sign_in_again(app: AppHandle, account_id: AccountId) -> Reply<()> {
    let handle = app.clone();
    store(app, move |s, _| {
        microsoft::start_sign_in(&handle, s, |s, credentials, redirect| {
            let url = api::sign_in_again(s, credentials, account_id, redirect, Utc::now())?;
            Ok(((), url))
        })
    })
    .await
}

/// Whether the OS keyring, which keeps the sign-ins and the SMTP password, answers: the error
/// says plainly what to do when it does not. Off the window like the store's commands; it
/// touches no store.
#[tauri::command]
pub async fn keyring_status(state: State<'_, AppState>) -> Reply<()> {
    let secrets = state.secrets.clone();
    sync::off_the_window(move || check_keyring(secrets.as_ref()))
        .await?
        .map_err(|err| CoreError::from(err).into())
}

#[tauri::command]
pub async fn account_calendars(
    app: AppHandle,
    account_id: AccountId,
) -> Reply<Vec<CalendarChoice>> {
    store(app, move |s, _| calendars::account_calendars(s, account_id)).await
}

/// The newest sync runs (of one account, or all), newest first.
#[tauri::command]
pub async fn sync_runs(
    app: AppHandle,
    account_id: Option<AccountId>,
    limit: Option<u32>,
) -> Reply<Vec<JournalRun>> {
    store(app, move |s, _| journal::recent_runs(s, account_id, limit)).await
}

/// A sync run and its changes, as the planner may see them.
#[tauri::command]
pub async fn sync_run_changes(app: AppHandle, run_id: SyncRunId) -> Reply<RunChanges> {
    store(app, move |s, _| journal::run_changes(s, run_id)).await
}

/// An appointment's own recent changes by syncs, newest first.
#[tauri::command]
pub async fn appointment_history(app: AppHandle, id: String) -> Reply<Vec<ChangeRecord>> {
    store(app, move |s, _| journal::appointment_history(s, &id)).await
}

/// Syncs exactly these calendars of the account; the others leave the Scheduler.
#[tauri::command]
pub async fn choose_calendars(
    app: AppHandle,
    account_id: AccountId,
    calendar_ids: Vec<String>,
) -> Reply<CalendarsChosen> {
    store(app, move |s, _| {
        calendars::choose_calendars(s, account_id, &calendar_ids, Utc::now())
    })
    .await
}

/// The open sync conflicts as the planner may see them.
#[tauri::command]
pub async fn sync_conflicts(app: AppHandle) -> Reply<Vec<ConflictRecord>> {
    store(app, move |s, _| conflicts::planner_conflicts(s)).await
}

/// Settles one conflict the planner's way.
#[tauri::command]
pub async fn resolve_conflict(
    app: AppHandle,
    conflict_id: i64,
    keep: Keep,
) -> Reply<ConflictOutcome> {
    store(app, move |s, _| {
        conflicts::resolve_conflict(s, conflict_id, keep, Utc::now())
    })
    .await
}

#[tauri::command]
pub async fn cancel_sign_in(app: AppHandle, account_id: AccountId) -> Reply<()> {
    store(app, move |s, state| -> Reply<_> {
        Ok(api::cancel_sign_in(s, credentials(state)?, account_id)?)
    })
    .await
}

#[tauri::command]
pub async fn edit_account(
    app: AppHandle,
    account_id: AccountId,
    direction: Direction,
    scopes: Vec<String>,
) -> Reply<Account> {
    store(app, move |s, _| {
        api::edit_account(s, account_id, direction, scopes)
    })
    .await
}

#[tauri::command]
pub async fn set_main_account(app: AppHandle, account_id: AccountId) -> Reply<Account> {
    store(app, move |s, _| api::set_main_account(s, account_id)).await
}

#[tauri::command]
pub async fn remove_account(
    app: AppHandle,
    account_id: AccountId,
    keep_appointments: bool,
) -> Reply<RemovedAccount> {
    store(app, move |s, state| {
        let credentials = credentials(state).ok();
        administrator::remove_account(s, credentials, account_id, keep_appointments, Utc::now())
    })
    .await
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
    let handle = app.clone();
    store(app, move |s, _| {
        sync::sync_now(&handle, s, scope, allow_mass_delete, SyncCause::Manual)
    })
    .await
}

/// Undo this run (Activity): puts back what a sync run changed, on both sides; `dry_run` only
/// says what it would do and what it cannot undo. The answer's `undo` lists each appointment.
#[tauri::command]
pub async fn undo_sync_run(app: AppHandle, run_id: SyncRunId, dry_run: bool) -> Reply<SyncSummary> {
    let handle = app.clone();
    store(app, move |s, _| sync::undo_now(&handle, s, run_id, dry_run)).await
}

/// Preview changes (Sync Calendar): what a sync of one account, a resource's accounts or all
/// would change now, grouped by side and kind; nothing is written.
#[tauri::command]
pub async fn preview_sync(
    app: AppHandle,
    account_id: Option<AccountId>,
    resource_id: Option<ResourceId>,
) -> Reply<Vec<AccountPreview>> {
    let scope = SyncScope {
        account: account_id,
        resource: resource_id,
    };
    let handle = app.clone();
    store(app, move |s, _| sync::preview_now(&handle, s, scope)).await
}

/// After an edit in the Scheduler: pushes the change at once (in the background; the outcome
/// arrives as `sync-finished` events) to the resource's main account when it sends, and to any
/// other main account with uploads waiting (the resource an appointment was moved away from).
/// Answers whether an upload started.
#[tauri::command]
pub async fn push_changes(app: AppHandle, resource_id: ResourceId) -> Reply<bool> {
    let accounts = store(app.clone(), move |s, _| {
        api::upload_accounts(s, resource_id)
    })
    .await?;
    if accounts.is_empty() {
        return Ok(false);
    }
    tauri::async_runtime::spawn_blocking(move || {
        for account in accounts {
            let scope = SyncScope {
                account: Some(account),
                resource: None,
            };
            sync::sync_in_background(&app, scope, SyncCause::Upload);
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

/// Whether a tray keeps the app, whether background runs are paused (the store's setting, which
/// the tray process's Pause writes), and whether the autostart entry exists.
#[tauri::command]
pub async fn background_status(app: AppHandle) -> Reply<BackgroundStatus> {
    let starts_with_session = app.autolaunch().is_enabled().unwrap_or(false);
    store(app, move |s, state| {
        Ok::<_, quick3_core::CoreError>(BackgroundStatus {
            tray: state.tray.shown(),
            paused: s.background_paused()?,
            starts_with_session,
        })
    })
    .await
}

/// Start with the session on or off: writes or removes the session's autostart entry (on Linux
/// an XDG autostart entry that starts the app `--hidden`). Answers whether it is on now.
#[tauri::command]
pub async fn start_with_session(app: AppHandle, on: bool) -> Reply<bool> {
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

/// The view preferences kept (view, date, filter, zoom, scroll), for the page's first screen.
#[tauri::command]
pub async fn view_prefs(
    app: AppHandle,
    state: State<'_, AppState>,
) -> Reply<std::collections::BTreeMap<String, String>> {
    crate::prefs::read(&app, &state)
}

/// Keeps a batch of view preferences (the page sends one batch at a time, in order).
#[tauri::command]
pub async fn save_view_prefs(
    app: AppHandle,
    state: State<'_, AppState>,
    values: std::collections::BTreeMap<String, String>,
) -> Reply<()> {
    crate::prefs::write(&app, &state, values)
}

/// Closes the window after it told the planner that scheduled syncs stop until the app is opened
/// again (no tray keeps the app): the app then quits.
#[tauri::command]
pub fn close_window(app: AppHandle) {
    crate::window::close(&app);
}

#[tauri::command]
pub async fn list_jobs(app: AppHandle) -> Reply<Vec<Job>> {
    store(app, |s, _| s.list_jobs()).await
}

#[tauri::command]
pub async fn add_job(app: AppHandle, spec: JobSpec) -> Reply<Job> {
    store(app, move |s, _| api::add_job(s, spec, Utc::now())).await
}

#[tauri::command]
pub async fn edit_job(app: AppHandle, job_id: JobId, spec: JobSpec) -> Reply<Job> {
    store(app, move |s, _| api::edit_job(s, job_id, spec, Utc::now())).await
}

#[tauri::command]
pub async fn remove_job(app: AppHandle, job_id: JobId) -> Reply<()> {
    store(app, move |s, _| s.remove_job(job_id)).await
}

#[tauri::command]
pub async fn job_runs(app: AppHandle, job_id: JobId) -> Reply<Vec<JobRun>> {
    store(app, move |s, _| s.job_runs(job_id, 50)).await
}

/// Run now: runs the job in the background on the job runner's own connection; the answer is
/// the job after its run (`None` when a run of it was already going).
#[tauri::command]
pub async fn run_job_now(app: AppHandle, job_id: JobId) -> Reply<Option<Job>> {
    let report = sync::off_the_window(move || background::run(&app, job_id)).await??;
    Ok(report.map(|r| r.job))
}

#[tauri::command]
pub async fn smtp_settings(app: AppHandle) -> Reply<Option<SmtpSettings>> {
    store(app, |s, _| s.smtp_settings()).await
}

/// Settings → E-mail; a password given goes to the OS keyring, none keeps the one there.
#[tauri::command]
pub async fn save_smtp_settings(
    app: AppHandle,
    settings: SmtpSettings,
    password: Option<String>,
) -> Reply<SmtpSettings> {
    store(app, move |s, state| {
        api::save_smtp_settings(s, state.secrets.as_ref(), settings, password)
    })
    .await
}

/// Send test e-mail: through the saved settings, to `to`. The connection stays idle (no
/// transaction) while the server answers.
#[tauri::command]
pub async fn send_test_mail(app: AppHandle, to: String) -> Reply<()> {
    store(app, move |s, state| {
        let saved = s.smtp_settings()?;
        block_on(api::send_test_mail(saved, state.secrets.as_ref(), &to)).map(drop)
    })
    .await
}

/// Settings → Client settings → Office 365 (administrators only).
#[tauri::command]
pub async fn org_settings(app: AppHandle) -> Reply<Option<OrgSettingsRecord>> {
    store(app, |s, state| -> Reply<_> {
        let today = Utc::now().date_naive();
        Ok(administrator::settings(s, credentials(state)?, today)?)
    })
    .await
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
    store(app, move |s, state| -> Reply<_> {
        let today = Utc::now().date_naive();
        Ok(block_on(administrator::save_settings(
            s,
            credentials(state)?,
            settings,
            secret,
            certificate_file,
            today,
        ))?)
    })
    .await
}

/// Test settings (hamburger menu): what works and, in plain words, what is missing.
#[tauri::command]
pub async fn test_org_settings(app: AppHandle) -> Reply<OrgTestReport> {
    store(app, |s, state| -> Reply<_> {
        Ok(block_on(administrator::test_settings(
            s,
            credentials(state)?,
            Utc::now(),
        ))?)
    })
    .await
}

/// Finds a mailbox by Object ID or e-mail for the link dialog.
#[tauri::command]
pub async fn look_up_mailbox(app: AppHandle, reference: String) -> Reply<MailboxLookup> {
    store(app, move |s, state| -> Reply<_> {
        Ok(block_on(administrator::look_up(
            s,
            credentials(state)?,
            &reference,
            Utc::now(),
        ))?)
    })
    .await
}

#[tauri::command]
pub async fn link_mailbox(app: AppHandle, link: NewOrgLink) -> Reply<Account> {
    store(app, move |s, state| -> Reply<_> {
        Ok(block_on(administrator::link(
            s,
            credentials(state)?,
            link,
            Utc::now(),
        ))?)
    })
    .await
}

#[tauri::command]
pub async fn unlink_mailbox(
    app: AppHandle,
    account_id: AccountId,
    keep_appointments: bool,
) -> Reply<Account> {
    store(app, move |s, _| {
        administrator::unlink(s, account_id, keep_appointments, Utc::now())
    })
    .await
}
