//! Tauri commands: each deserialises its arguments, calls one core function and maps the error
//! to `{ code, message }`.

use chrono::Utc;
use quick3_core::api::{AccountRow, RemovedAccount};
use quick3_core::identity::{Credentials, DEEP_LINK_REDIRECT};
use quick3_core::ids::{AccountId, ResourceId};
use quick3_core::model::{
    Account, AppointmentInput, AppointmentPatch, AppointmentRecord, Direction, NewAccount,
    Overview, Resource,
};
use quick3_core::{ErrorPayload, Store, api};
use tauri::{AppHandle, State};

use crate::AppState;
use crate::microsoft::open_in_browser;

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

#[tauri::command]
pub fn overview(state: State<'_, AppState>) -> Reply<Overview> {
    with_store(&state, |s| s.overview(state.demo_mode))
}

#[tauri::command]
pub fn list_resources(state: State<'_, AppState>) -> Reply<Vec<Resource>> {
    with_store(&state, |s| s.list_resources())
}

#[tauri::command]
pub fn list_appointments(
    state: State<'_, AppState>,
    from: String,
    to: String,
) -> Reply<Vec<AppointmentRecord>> {
    with_store(&state, |s| {
        api::appointments_between(s, Some(&from), Some(&to), None)
    })
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
    with_store(&state, |s| api::edit_appointment(s, &id, patch, Utc::now()))
}

#[tauri::command]
pub fn delete_appointment(state: State<'_, AppState>, id: String) -> Reply<()> {
    with_store(&state, |s| api::delete_appointment(s, &id, Utc::now()))
}

#[tauri::command]
pub fn restore_appointment(state: State<'_, AppState>, id: String) -> Reply<AppointmentRecord> {
    with_store(&state, |s| api::restore_appointment(s, &id, Utc::now()))
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
/// back as a deep link (see `microsoft::listen`).
#[tauri::command]
pub fn add_account(app: AppHandle, state: State<'_, AppState>, new: NewAccount) -> Reply<Account> {
    let credentials = credentials(&state)?;
    let (account, url) = with_store(&state, |s| {
        api::add_account(s, credentials, new, DEEP_LINK_REDIRECT, Utc::now())
    })?;
    open_in_browser(&app, &url).map(|()| account)
}

#[tauri::command]
pub fn sign_in_again(
    app: AppHandle,
    state: State<'_, AppState>,
    account_id: AccountId,
) -> Reply<()> {
    let credentials = credentials(&state)?;
    let url = with_store(&state, |s| {
        api::sign_in_again(s, credentials, account_id, DEEP_LINK_REDIRECT, Utc::now())
    })?;
    open_in_browser(&app, &url)
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
        api::remove_account(s, credentials, account_id, keep_appointments, Utc::now())
    })
}
