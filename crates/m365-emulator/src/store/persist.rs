//! Keeping the store, sign-ins and sync states in a SQLite file (`--state FILE`) so the demo,
//! its connected accounts and its delta links survive restarts.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, params};

use crate::error::EmulatorError;
use crate::graph::delta::SavedSyncStates;
use crate::identity::tokens::SignIns;
use crate::store::Store;

/// Schema steps, append-only: step N brings `user_version` from N to N + 1.
const MIGRATIONS: &[&str] = &[
    "CREATE TABLE snapshot (id INTEGER PRIMARY KEY CHECK (id = 1), taken_at TEXT NOT NULL, store TEXT NOT NULL);",
    "CREATE TABLE sign_ins (id INTEGER PRIMARY KEY CHECK (id = 1), taken_at TEXT NOT NULL, sign_ins TEXT NOT NULL);
     CREATE TABLE sync_states (id INTEGER PRIMARY KEY CHECK (id = 1), taken_at TEXT NOT NULL, sync_states TEXT NOT NULL);",
];

fn open(path: &Path) -> Result<Connection, EmulatorError> {
    // It holds refresh tokens: never readable by others.
    crate::private::create(path)?;
    let connection = Connection::open(path)?;
    let version: usize = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for (step, sql) in MIGRATIONS.iter().enumerate().skip(version) {
        connection.execute_batch(sql)?;
        connection.execute_batch(&format!("PRAGMA user_version = {}", step + 1))?;
    }
    Ok(connection)
}

/// What a state file holds.
#[derive(Debug)]
pub struct Saved {
    pub store: Store,
    /// Refresh tokens and browser sessions (empty in a file from before they were kept).
    pub sign_ins: SignIns,
    /// Skip and delta tokens (empty in a file from before they were kept).
    pub sync_states: SavedSyncStates,
}

/// What to write; parts left `None` keep what the file has.
#[derive(Debug, Default)]
pub struct Changes {
    pub store: Option<Store>,
    pub sign_ins: Option<SignIns>,
    pub sync_states: Option<SavedSyncStates>,
}

fn read<T: serde::de::DeserializeOwned>(
    connection: &Connection,
    sql: &str,
) -> Result<Option<T>, EmulatorError> {
    let text: Option<String> = connection.query_row(sql, [], |row| row.get(0)).optional()?;
    Ok(match text {
        Some(text) => Some(serde_json::from_str(&text)?),
        None => None,
    })
}

/// The state saved in `path`, if it holds a store.
pub fn load(path: &Path) -> Result<Option<Saved>, EmulatorError> {
    let connection = open(path)?;
    let Some(store) = read(&connection, "SELECT store FROM snapshot WHERE id = 1")? else {
        return Ok(None);
    };
    Ok(Some(Saved {
        store,
        sign_ins: read(&connection, "SELECT sign_ins FROM sign_ins WHERE id = 1")?
            .unwrap_or_default(),
        sync_states: read(
            &connection,
            "SELECT sync_states FROM sync_states WHERE id = 1",
        )?
        .unwrap_or_default(),
    }))
}

/// Writes the parts of `changes` that are set to `path`, in one transaction.
pub fn save(
    path: &Path,
    changes: &Changes,
    taken_at: chrono::DateTime<chrono::Utc>,
) -> Result<(), EmulatorError> {
    let store = changes
        .store
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let sign_ins = changes
        .sign_ins
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let sync_states = changes
        .sync_states
        .as_ref()
        .map(serde_json::to_string)
        .transpose()?;
    let mut connection = open(path)?;
    let transaction = connection.transaction()?;
    let taken_at = taken_at.to_rfc3339();
    for (table, column, text) in [
        ("snapshot", "store", store),
        ("sign_ins", "sign_ins", sign_ins),
        ("sync_states", "sync_states", sync_states),
    ] {
        if let Some(text) = text {
            transaction.execute(
                &format!("INSERT INTO {table} (id, taken_at, {column}) VALUES (1, ?1, ?2) ON CONFLICT (id) DO UPDATE SET taken_at = ?1, {column} = ?2"),
                params![taken_at, text],
            )?;
        }
    }
    transaction.commit()?;
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
        let changes = Changes {
            store: Some(store.clone()),
            ..Changes::default()
        };
        save(&path, &changes, chrono::Utc::now()).unwrap();
        let loaded = load(&path).unwrap().expect("saved store is read back");
        assert_eq!(loaded.store.events.len(), store.events.len());
        assert_eq!(loaded.store.users.len(), store.users.len());
        assert_eq!(loaded.sign_ins, SignIns::default(), "nothing signed in yet");
        let version: usize = open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |row| row.get(0))
            .unwrap();
        assert_eq!(
            version,
            MIGRATIONS.len(),
            "a new file migrates to the latest"
        );
    }

    #[test]
    fn a_file_of_the_first_schema_keeps_its_store_and_gains_sign_ins() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.sqlite");
        let store = crate::seed::directory(chrono::Utc::now());
        {
            let connection = Connection::open(&path).unwrap();
            connection.execute_batch(MIGRATIONS[0]).unwrap();
            connection.execute_batch("PRAGMA user_version = 1").unwrap();
            connection
                .execute(
                    "INSERT INTO snapshot (id, taken_at, store) VALUES (1, ?1, ?2)",
                    params![
                        chrono::Utc::now().to_rfc3339(),
                        serde_json::to_string(&store).unwrap()
                    ],
                )
                .unwrap();
        }
        let loaded = load(&path).unwrap().expect("the old store is still there");
        assert_eq!(loaded.store.users.len(), store.users.len());
        assert_eq!(
            loaded.sign_ins,
            SignIns::default(),
            "an old file has no sign-ins"
        );
        assert_eq!(loaded.sync_states, SavedSyncStates::default());

        let mut sign_ins = SignIns::default();
        sign_ins
            .sessions
            .insert("cookie".into(), crate::seed::MEGAN_ID.into());
        let changes = Changes {
            sign_ins: Some(sign_ins.clone()),
            ..Changes::default()
        };
        save(&path, &changes, chrono::Utc::now()).unwrap();
        let loaded = load(&path).unwrap().unwrap();
        assert_eq!(loaded.sign_ins, sign_ins, "sign-ins are read back");
        assert_eq!(
            loaded.store.users.len(),
            store.users.len(),
            "saving only sign-ins leaves the store as it was"
        );
    }
}
