//! Tauri commands: each deserialises its arguments, calls one core function and maps the error
//! to `{ code, message }`.

use chrono::Utc;
use quick3_core::ids::ResourceId;
use quick3_core::model::{
    Account, AppointmentInput, AppointmentPatch, AppointmentRecord, Overview, Resource,
};
use quick3_core::{ErrorPayload, Store, api};
use tauri::State;

use crate::AppState;

type Reply<T> = Result<T, ErrorPayload>;

fn with_store<T>(
    state: &AppState,
    f: impl FnOnce(&mut Store) -> quick3_core::Result<T>,
) -> Reply<T> {
    let mut store = state
        .store
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    f(&mut store).map_err(ErrorPayload::from)
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
pub fn list_accounts(state: State<'_, AppState>, resource_id: ResourceId) -> Reply<Vec<Account>> {
    with_store(&state, |s| api::accounts_of(s, resource_id))
}
