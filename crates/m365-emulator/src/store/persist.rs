//! Keeping the store in a SQLite file (`--state FILE`) so the demo survives restarts.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::EmulatorError;
use crate::store::Store;

/// Schema steps, append-only: step N brings `user_version` from N to N + 1.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), taken_at TEXT NOT NULL, store TEXT NOT NULL);",
];

fn open(path: &Path) -> Result<Connection, EmulatorError> {
    let connection = Connection::open(path)?;
    let version: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        connection.execute_batch(sql)?;
        connection.execute_batch(&format!("PRAGMA user_version = {}", step + 1))?;
    }
    Ok(connection)
}

/// The store saved in `path`, if it holds one.
pub fn load(path: &Path) -> Result<Option<Store>, EmulatorError> {
    let connection = open(path)?;
    let text: Option<String> = connection
        .query_row("SELECT store FROM snapshot WHERE id = 1", [], |row| {
            row.get(0)
        })
        .optional()?;
    Ok(match text {
        Some(text) => Some(serde_json::from_str(&text)?),
        None => None,
    })
}

/// Writes the whole store to `path`.
pub fn save(
    path: &Path,
    store: &Store,
    taken_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), EmulatorError> {
    let text = serde_json::to_string(store)?;
    let connection = open(path)?;
    connection.execute(
        "INSERT INTO snapshot (id, taken_at, store) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET taken_at = ?1, store = ?2",
        params![taken_at.to_rfc3339(), text],
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_migrates_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        assert!(
            load(&path).unwrap().is_none(),
            "a new file holds no store yet"
        );
        let store = crate::seed::demo(chrono::Utc::now());
        save(&path, &store, chrono::Utc::now()).unwrap();
        let loaded = load(&path).unwrap().expect("saved store is read back");
        assert_eq!(loaded.events.len(), store.events.len());
        assert_eq!(loaded.users.len(), store.users.len());
    }
}
