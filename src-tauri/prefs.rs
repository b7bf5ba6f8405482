//! The planner's view preferences (view, date, resource filter, the timeline's zoom and span, the
//! scroll positions) in `tauri-plugin-store`: a JSON file in the data folder, so that a window
//! rebuilt from the tray opens where the last one was left, and the tray's process holds the same
//! values.

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
    "quick3.scheduler.scroll",
    "quick3.firstRunHintDismissed",
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

/// Keeps a batch of preferences, all or none. The values are the store's at once (a window built
/// next reads them from it); the file follows 100 ms after the last change (the plugin's auto-save,
/// so that a burst of scrolling is one write) and when the app exits.
pub fn write<R: Runtime>(
    app: &AppHandle<R>,
    state: &AppState,
    values: BTreeMap<String, String>,
) -> Result<(), ErrorPayload> {
    check(&values)?;
    let store = app.store(file(state)).map_err(unreadable)?;
    for (key, value) in values {
        store.set(key, value);
    }
    Ok(())
}

/// Refuses a batch with a key that is no view preference, or a value longer than [`LONGEST`].
fn check(values: &BTreeMap<String, String>) -> Result<(), ErrorPayload> {
    match values
        .iter()
        .find(|(key, value)| !KEYS.contains(&key.as_str()) || value.len() > LONGEST)
    {
        Some((key, _)) => Err(ErrorPayload {
            code: ErrorCode::InvalidInput,
            message: format!("{key} is not a view preference Quick3 Planner keeps."),
        }),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(entries: &[(&str, usize)]) -> BTreeMap<String, String> {
        entries
            .iter()
            .map(|(key, len)| ((*key).to_owned(), "x".repeat(*len)))
            .collect()
    }

    #[test]
    fn a_batch_is_kept_whole_or_refused_whole() {
        assert!(
            check(&batch(&[
                ("quick3.scheduler.scroll", 40),
                ("quick3.scheduler.timelineZoom", 60)
            ]))
            .is_ok(),
            "the scroll positions and the timeline's zoom are view preferences"
        );
        let refused = check(&batch(&[
            ("quick3.scheduler.view", 10),
            ("quick3.other", 1),
        ]));
        assert_eq!(
            refused.map_err(|e| e.code),
            Err(ErrorCode::InvalidInput),
            "a key of the page's choosing refuses the whole batch"
        );
        assert!(
            check(&batch(&[("quick3.scheduler.hiddenResources", LONGEST + 1)])).is_err(),
            "a value longer than 64 KiB is refused"
        );
    }
}
