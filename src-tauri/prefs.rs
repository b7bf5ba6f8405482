//! The planner's view preferences (view, date, resource filter) in
//! `tauri-plugin-store`: a JSON file in the data folder, so that a window rebuilt from the tray
//! opens where the last one was left, and the tray's process holds the same values.

use std::collections::BTreeMap;
use std::path::PathBuf;

use quick3_core::{ErrorCode, ErrorPayload};
use tauri::{AppHandle, Runtime};
use tauri_plugin_store::StoreExt;

use crate::AppState;

/// The store's file, beside the database.
pub const FILE: &str = "view-prefs.json";

/// The preferences the page may keep: anything else is refused (the page cannot grow the file
/// with keys of its choosing).
pub const KEYS: &[&str] = &[
    "quick3.scheduler.view",
    "quick3.scheduler.date",
    "quick3.scheduler.hiddenResources",
    "quick3.scheduler.timelineZoom",
];

/// The longest value kept (the resource filter of a few hundred ids fits many times over).
const LONGEST: usize = 64 * 1024;

fn file(state: &AppState) -> PathBuf {
    state
        .connections
        .database()
        .parent()
        .map(|dir| dir.join(FILE))
        .unwrap_or_else(|| PathBuf::from(FILE))
}

fn unreadable(err: impl std::fmt::Display) -> ErrorPayload {
    ErrorPayload {
        code: ErrorCode::Storage,
        message: format!("Quick3 Planner could not read or keep the view preferences ({err})."),
    }
}

/// Every preference kept, key → value (values are the page's own text).
pub fn read<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
) -> Result<BTreeMap<String, String>, ErrorPayload> {
    let store = app.store(file(state)).map_err(unreadable)?;
    Ok(store
        .entries()
        .into_iter()
        .filter(|(key, _)| KEYS.contains(&key.as_str()))
        .filter_map(|(key, value)| value.as_str().map(|v| (key, v.to_owned())))
        .collect())
}

/// Keeps one preference and writes the file at once (the window may be destroyed right after).
pub fn write<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    key: &str,
    value: &str,
) -> Result<(), ErrorPayload> {
    if !KEYS.contains(&key) || value.len() > LONGEST {
        return Err(ErrorPayload {
            code: ErrorCode::InvalidInput,
            message: format!("{key} is not a view preference Quick3 Planner keeps."),
        });
    }
    let store = app.store(file(state)).map_err(unreadable)?;
    store.set(key, value);
    store.save().map_err(unreadable)
}
