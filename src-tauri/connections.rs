//! The shell's store connections: each piece of work takes one to itself (an idle one, or a new
//! one when all are busy) and hands it back, so a read never queues behind another's write.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use quick3_core::Store;

/// How many idle connections are kept for the next command: the window asks a handful of
/// questions at once when it starts or turns a week; more than that are opened and closed.
const KEPT: usize = 4;

/// Connections to the database file. Each is used by one piece of work at a time, so a
/// planner's edit that waits for a sync's write lock (SQLite's busy timeout, up to 30 s) holds
/// up nothing but itself, and reads (WAL) never wait for it or for the sync.
#[derive(Debug)]
pub struct Connections {
    database: PathBuf,
    idle: Mutex<Vec<Store>>,
}

impl Connections {
    /// Starts with `first`, the connection the start-up opened (and checked) on `database`.
    pub fn new(database: PathBuf, first: Store) -> Connections {
        Connections {
            database,
            idle: Mutex::new(vec![first]),
        }
    }

    /// The database file.
    pub fn database(&self) -> &Path {
        &self.database
    }

    /// Runs `work` on a connection no one else uses meanwhile. Blocks: call it off the main
    /// thread (`commands::store`, a sync's or a job's blocking thread). Fails only when no idle
    /// connection is left and a new one cannot be opened.
    pub fn with<T>(&self, work: impl FnOnce(&mut Store) -> T) -> quick3_core::Result<T> {
        let idle = self.lock().pop();
        let mut store = match idle {
            Some(store) => store,
            None => Store::open(&self.database)?,
        };
        let result = work(&mut store);
        let mut idle = self.lock();
        if idle.len() < KEPT {
            idle.push(store);
        }
        Ok(result)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Store>> {
        self.idle
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::{Duration, Instant};

    use super::*;
    use chrono::Utc;
    use quick3_core::model::{NewResource, ResourceKind};

    #[test]
    fn a_read_never_waits_behind_an_edit_that_waits_for_a_sync() {
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("quick3.db");
        let connections = Arc::new(Connections::new(
            database.clone(),
            Store::open(&database).unwrap(),
        ));
        // A sync's long transaction: another connection holds the write lock.
        let sync = rusqlite::Connection::open(&database).unwrap();
        sync.execute_batch("BEGIN IMMEDIATE").unwrap();
        // A planner's edit waits for it (the busy timeout) on a connection of its own.
        let edit = {
            let connections = connections.clone();
            std::thread::spawn(move || {
                let new = NewResource {
                    name: "Ada".into(),
                    email: None,
                    kind: ResourceKind::Person,
                    colour: None,
                    hours: None,
                };
                connections.with(|store| store.add_resource(new, Utc::now()))
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        assert!(
            !edit.is_finished(),
            "the edit waits for the sync's write lock"
        );
        let started = Instant::now();
        let resources = connections.with(|store| store.list_resources()).unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "a read neither queues behind the waiting edit nor waits for the sync ({:?})",
            started.elapsed()
        );
        assert_eq!(
            resources.unwrap().len(),
            0,
            "the edit has not committed yet"
        );
        sync.execute_batch("COMMIT").unwrap();
        let added = edit.join().unwrap().unwrap().unwrap();
        assert_eq!(added.name, "Ada", "the edit commits once the sync let go");
        let resources = connections.with(|store| store.list_resources()).unwrap();
        assert_eq!(resources.unwrap().len(), 1);
        assert_eq!(
            connections.lock().len(),
            2,
            "both connections are kept for the next commands"
        );
    }
}
