//! The SQLite store: one file in the data folder, WAL, foreign keys on, append-only migrations,
//! every multi-row change in one transaction, begun immediately (writers wait for each other).

mod accounts;
mod appointments;
pub mod backup;
pub mod conflicts;
mod jobs;
pub mod journal;
mod organisation;
pub use appointments::AppointmentQuery;
pub use organisation::ResolvedMailbox;
pub use resources::{AccountsOnArchive, AppointmentsFate, ResourceDeletion};
mod planner;
mod resources;
mod series;
pub use series::{Listed, RunReset, SeriesEdit, SeriesEditUndone, SeriesMadeSingle};
pub mod settings;
pub mod sync_state;
pub mod undo;
pub use jobs::INTERRUPTED_RUN;

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, Transaction, TransactionBehavior};

use crate::error::{CoreError, Result};

/// The schema's history, one SQL script per version (`PRAGMA user_version` counts those applied).
/// Append new migrations; never edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    include_str!("../../migrations/0001_initial.sql"),
    include_str!("../../migrations/0002_sync.sql"),
    include_str!("../../migrations/0003_organisation.sql"),
    include_str!("../../migrations/0004_appointments_by_account.sql"),
    include_str!("../../migrations/0005_sync_links_by_calendar.sql"),
    include_str!("../../migrations/0006_sync_links_remote_id_where_it_differs.sql"),
    include_str!("../../migrations/0007_sent_content.sql"),
    include_str!("../../migrations/0008_account_keyring_id.sql"),
    include_str!("../../migrations/0009_kept_appointments.sql"),
    include_str!("../../migrations/0010_calendar_missing_lists.sql"),
    include_str!("../../migrations/0011_account_sync_failure.sql"),
    include_str!("../../migrations/0012_series_exceptions.sql"),
    include_str!("../../migrations/0013_resources_managed.sql"),
    include_str!("../../migrations/0014_series_deleted_together.sql"),
    include_str!("../../migrations/0015_sync_conflicts.sql"),
    include_str!("../../migrations/0016_sync_journal.sql"),
    include_str!("../../migrations/0017_accounts_paused_with_resource.sql"),
    include_str!("../../migrations/0018_journal_conflict_decisions.sql"),
    include_str!("../../migrations/0019_series_reset_exceptions.sql"),
    include_str!("../../migrations/0020_series_made_single.sql"),
    include_str!("../../migrations/0021_conflicts_carried_by_uploads.sql"),
    include_str!("../../migrations/0022_series_resets_by_sync.sql"),
    include_str!("../../migrations/0023_sync_generations.sql"),
];

/// How long a write waits for another writer before it fails with "database is locked": longer
/// than any transaction Quick3 holds (a sync commits at least every half second; a first sync's
/// shared page transaction holds up to 2,000 events).
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// The store. Not `Sync`: the desktop shell keeps it behind a mutex, the CLI owns it.
#[derive(Debug)]
pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    default_zone: String,
    /// Whether a planner's edit is synced to disk at its commit (see `begin_edit`); off only
    /// while `demo::scale` writes sample data.
    durable_edits: bool,
}

impl Store {
    /// Opens (creating if needed, readable by the owner only) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        create_private(path)?;
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags)?;
        // Waits for another process's write from the first statement on (switching to WAL
        // takes a lock too).
        conn.busy_timeout(BUSY_TIMEOUT)?;
        use_wal(&conn)?;
        // Commits reach the disk at checkpoints; a planner's edit asks for more (see
        // `Store::begin_edit`).
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        Self::prepare(conn, Some(path.to_path_buf()))
    }

    /// A store in memory, for tests.
    pub fn open_in_memory() -> Result<Store> {
        Self::prepare(Connection::open_in_memory()?, None)
    }

    fn prepare(mut conn: Connection, path: Option<PathBuf>) -> Result<Store> {
        conn.pragma_update(None, "foreign_keys", "ON")?;
        // Statement journals (and temporary tables) in memory: a write that may fail half-way
        // (an upsert, a foreign key check) keeps the pages it changes in a statement journal, which
        // SQLite otherwise moves to a temporary file after 64 KiB and then never truncates, so
        // every later write of the transaction is a system call (over 75,000 of them in a first
        // sync of 10,000 events whose pages share transactions).
        conn.pragma_update(None, "temp_store", "MEMORY")?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        // Every transaction takes the write lock when it begins (BEGIN IMMEDIATE), waiting up to
        // BUSY_TIMEOUT for another writer (a CLI process, the app, the daemon, a sync). A deferred
        // one that reads, then writes, cannot wait: in WAL its snapshot is stale once the other
        // writer commits, and SQLite answers "database is locked" at once (SQLITE_BUSY_SNAPSHOT).
        // Migrations and `transaction()` everywhere in the store begin this way.
        conn.set_transaction_behavior(TransactionBehavior::Immediate);
        migrate(&mut conn)?;
        let default_zone = iana_time_zone::get_timezone()
            .ok()
            .filter(|zone| zone.parse::<chrono_tz::Tz>().is_ok())
            .unwrap_or_else(|| "UTC".to_owned());
        Ok(Store {
            conn,
            path,
            default_zone,
            durable_edits: true,
        })
    }

    /// Begins the transaction of a planner's edit (an appointment and its outbox entries): its
    /// commit is on the disk before it returns (`synchronous = FULL`: the log is synced at every
    /// commit), so a power cut after the window or the CLI said "saved" loses nothing. The
    /// connection stays FULL until a sync page sets it back to NORMAL (see `write_page`).
    pub(crate) fn begin_edit(&mut self) -> Result<Transaction<'_>> {
        if self.durable_edits {
            self.conn.pragma_update(None, "synchronous", "FULL")?;
        }
        Ok(self.conn.transaction()?)
    }

    /// Lets edits commit without waiting for the disk (sample data: `demo::scale`'s up to
    /// 100,000 appointments, one transaction each) or makes them durable again.
    pub(crate) fn set_durable_edits(&mut self, durable: bool) {
        self.durable_edits = durable;
    }

    /// The connection, for the crate's fuzzing of what the store reads back.
    pub(crate) fn connection(&self) -> &Connection {
        &self.conn
    }

    /// Where the database file is (`None` in memory).
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The zone local times are read in when no zone is given (the machine's).
    pub fn default_zone(&self) -> &str {
        &self.default_zone
    }

    /// Caps this connection's database at `pages` pages (SQLite's `max_page_count`; 0 = the
    /// current size): a write that would grow the file fails as on a full disk (`SQLITE_FULL`).
    /// For the fault tests of a full disk; returns the cap SQLite applied.
    #[doc(hidden)]
    pub fn cap_pages(&self, pages: u64) -> Result<u64> {
        let pages = if pages == 0 {
            self.conn
                .query_row("PRAGMA page_count", [], |row| row.get::<_, u64>(0))?
        } else {
            pages
        };
        Ok(self
            .conn
            .query_row(&format!("PRAGMA max_page_count = {pages}"), [], |row| {
                row.get::<_, u64>(0)
            })?)
    }

    /// Lets this connection's page cache grow to `kib` KiB (SQLite's `cache_size`; its default is
    /// [`Store::DEFAULT_PAGE_CACHE_KIB`]). Memory is taken only as pages are read or written.
    pub fn set_page_cache(&self, kib: u32) -> Result<()> {
        self.conn
            .pragma_update(None, "cache_size", -i64::from(kib.max(1)))?;
        Ok(())
    }

    /// SQLite's default page cache: 2,000 KiB.
    pub const DEFAULT_PAGE_CACHE_KIB: u32 = 2_000;

    /// Sets the zone for local times without a zone (tests, `--tz`).
    pub fn set_default_zone(&mut self, zone: &str) -> Result<()> {
        crate::model::When::parse(false, "2000-01-01T00:00", Some("2000-01-01T01:00"), zone)?;
        self.default_zone = zone.to_owned();
        Ok(())
    }
}

/// Switches the file to WAL (a no-op once it is). The switch needs the file alone, and SQLite
/// answers "database is locked" at once, without its busy handler, while another process has a
/// new file open in its first journal mode: this waits for it as the busy timeout would.
fn use_wal(conn: &Connection) -> Result<()> {
    let started = std::time::Instant::now();
    loop {
        match conn.pragma_update(None, "journal_mode", "WAL") {
            Err(rusqlite::Error::SqliteFailure(err, _))
                if err.code == rusqlite::ErrorCode::DatabaseBusy
                    && started.elapsed() < BUSY_TIMEOUT =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            switched => return Ok(switched?),
        }
    }
}

/// Brings the schema to the latest version. The version is read again under the write lock, so
/// that processes opening the file at once (the app, the daemon and the CLI after an upgrade)
/// apply each migration once: the others wait, then find it done.
fn migrate(conn: &mut Connection) -> Result<()> {
    let version = |conn: &Connection| -> Result<usize> {
        let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        usize::try_from(version).map_err(|_| rusqlite_migration::Error::InvalidUserVersion.into())
    };
    if version(conn)? == MIGRATIONS.len() {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let from = version(&tx)?;
    let Some(missing) = MIGRATIONS.get(from..) else {
        return Err(rusqlite_migration::Error::MigrationDefinition(
            rusqlite_migration::MigrationDefinitionError::DatabaseTooFarAhead,
        )
        .into());
    };
    for sql in missing {
        tx.execute_batch(sql)
            .map_err(|err| rusqlite_migration::Error::RusqliteError {
                query: (*sql).to_owned(),
                err,
            })?;
    }
    tx.pragma_update(None, "user_version", MIGRATIONS.len())?;
    tx.commit()?;
    Ok(())
}

/// Formats an instant the way the store keeps it: sortable UTC text.
pub(crate) fn utc_text(instant: chrono::DateTime<chrono::Utc>) -> String {
    instant.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Creates the database file with mode 0600 before SQLite opens it, so it is never world-readable.
fn create_private(path: &Path) -> Result<()> {
    let fail = |e: std::io::Error| CoreError::DataDir {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    // Only a new file is opened here. Closing a descriptor of a database this process already has
    // open would drop every POSIX lock SQLite holds on it (locks belong to the process, and any
    // close releases them all): another process, such as the CLI, would then take the database
    // for unused and delete the write-ahead log that this process is still writing to.
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(fail(e)),
    }
}

/// Test fixtures the store's modules share.
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Store;
    use crate::ids::ResourceId;
    use crate::model::{NewResource, ResourceKind};
    use chrono::Utc;

    /// A store in memory with one person, Ada.
    pub(crate) fn store_with_ada() -> (Store, ResourceId) {
        let mut store = Store::open_in_memory().unwrap();
        let ada = add_ada(&mut store);
        (store, ada)
    }

    /// Adds the person Ada to `store`.
    pub(crate) fn add_ada(store: &mut Store) -> ResourceId {
        store
            .add_resource(
                NewResource {
                    name: "Ada".into(),
                    email: None,
                    kind: ResourceKind::Person,
                    colour: None,
                    hours: None,
                },
                Utc::now(),
            )
            .unwrap()
            .id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_reach_the_latest_version() {
        let steps: Vec<_> = MIGRATIONS
            .iter()
            .map(|sql| rusqlite_migration::M::up(sql))
            .collect();
        rusqlite_migration::Migrations::new(steps)
            .validate()
            .unwrap();
        let store = Store::open_in_memory().unwrap();
        let version: i64 = store
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .unwrap();
        assert_eq!(version as usize, MIGRATIONS.len());
    }

    #[test]
    fn migration_0018_keeps_the_journal_and_its_links_and_takes_a_decisions_trigger() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        for sql in &MIGRATIONS[..17] {
            conn.execute_batch(sql).unwrap();
        }
        conn.pragma_update(None, "user_version", 17).unwrap();
        conn.execute_batch(
            "INSERT INTO resources (id, name, kind, colour, created_at)
                 VALUES (1, 'Megan', 'person', '#123456', '2026-01-01T00:00:00Z');
             INSERT INTO m365_accounts (id, resource_id, email, direction, scopes, position,
                 status, created_at)
                 VALUES (1, 1, 'megan@example.com', 'up_and_down', '', 0, 'connected',
                         '2026-01-01T00:00:00Z');
             INSERT INTO sync_runs (id, account_id, email, trigger, started_at)
                 VALUES (7, 1, 'megan@example.com', 'manual', '2026-01-01T00:00:00.000Z'),
                        (8, 1, 'megan@example.com', 'undo', '2026-01-02T00:00:00.000Z');
             UPDATE sync_runs SET undoes_run = 7 WHERE id = 8;
             INSERT INTO sync_changes (id, run_id, at, appointment_id, side, kind, cause,
                 account_id, undone_by)
                 VALUES (40, 7, '2026-01-01T00:00:00Z', 'a', 'quick3', 'created',
                         'outlook_changed', 1, 8);",
        )
        .unwrap();
        migrate(&mut conn).unwrap();
        let kept: (i64, i64, i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM sync_runs), (SELECT undoes_run FROM sync_runs
                  WHERE id = 8), (SELECT run_id FROM sync_changes WHERE id = 40),
                        (SELECT undone_by FROM sync_changes WHERE id = 40)",
                [],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
            )
            .unwrap();
        assert_eq!(kept, (2, 7, 7, 8), "runs, lines and their links kept");
        conn.execute(
            "INSERT INTO sync_runs (account_id, email, trigger, started_at)
             VALUES (1, 'megan@example.com', 'conflict_decision', '2026-01-03T00:00:00.000Z')",
            [],
        )
        .expect("a decision's run is accepted");
        let id: i64 = conn.last_insert_rowid();
        assert_eq!(id, 9, "ids go on after the copied ones");
        let dangling: i64 = conn
            .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(dangling, 0, "the renamed tables refer to each other");
        conn.execute("DELETE FROM sync_runs WHERE id = 7", [])
            .unwrap();
        let left: i64 = conn
            .query_row("SELECT count(*) FROM sync_changes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0, "a pruned run still takes its lines along");
    }

    #[test]
    fn an_accounts_pulled_appointments_are_found_through_an_index() {
        let store = Store::open_in_memory().unwrap();
        for sql in [
            // The mass-deletion guard's count (Store::pulled_count), once per account and sync.
            "SELECT count(*) FROM appointments WHERE origin_account_id = ?1 AND deleted_at IS NULL
               AND recurrence IS NULL",
            // A calendar's reset.
            "SELECT count(*) FROM appointments
              WHERE origin = 'microsoft365' AND origin_account_id = ?1 AND remote_calendar_id = ?2
                AND deleted_at IS NULL AND recurrence IS NULL",
        ] {
            let plan: Vec<String> = store
                .conn
                .prepare(&format!(
                    "EXPLAIN QUERY PLAN {}",
                    sql.replace("?1", "1").replace("?2", "'c'")
                ))
                .unwrap()
                .query_map([], |row| row.get::<_, String>(3))
                .unwrap()
                .map(Result::unwrap)
                .collect();
            assert!(
                plan.iter()
                    .any(|step| step.contains("USING INDEX appointments_origin_account")),
                "one account's appointments, not a scan of everyone's: {plan:?}"
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn database_file_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let _store = Store::open(&path).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode, 0o600,
            "the database holds private calendars: owner only"
        );
    }

    fn ada() -> crate::model::NewResource {
        crate::model::NewResource {
            name: "Ada".into(),
            email: None,
            kind: crate::model::ResourceKind::Person,
            colour: None,
            hours: None,
        }
    }

    fn input(resource: crate::ids::ResourceId) -> crate::model::AppointmentInput {
        crate::model::AppointmentInput {
            resource_id: resource,
            title: "Review".into(),
            all_day: false,
            start: "2026-11-25T09:00".into(),
            end: Some("2026-11-25T10:00".into()),
            time_zone: Some("Europe/Berlin".into()),
            location: None,
            notes: None,
            categories: vec![],
            show_as: None,
            sensitivity: None,
        }
    }

    #[test]
    fn a_writer_waits_for_another_writers_transaction_and_succeeds() {
        use std::time::{Duration, Instant};
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let now = chrono::Utc::now();
        let mut holder = Store::open(&path).unwrap();
        let resource = holder.add_resource(ada(), now).unwrap().id;
        let mut writer = Store::open(&path).unwrap();
        // The writer's connection has read the database before (a snapshot to go stale).
        assert_eq!(writer.list_resources().unwrap().len(), 1);
        let (begun, wait_for_begin) = std::sync::mpsc::channel();
        let held = std::thread::spawn(move || {
            let tx = holder.conn.transaction().unwrap();
            tx.execute("UPDATE resources SET name = 'Ada L.'", [])
                .unwrap();
            begun.send(()).unwrap();
            std::thread::sleep(Duration::from_secs(1));
            tx.commit().unwrap();
        });
        wait_for_begin.recv().unwrap();
        let started = Instant::now();
        let created = writer.create_appointment(input(resource), now);
        let waited = started.elapsed();
        held.join().unwrap();
        let created = created.expect("the second writer waits for the first, then writes");
        assert!(
            waited >= Duration::from_millis(800),
            "it waited for the other transaction ({waited:?})"
        );
        assert_eq!(writer.appointment(created.id).unwrap().title, "Review");
        assert_eq!(
            writer.list_resources().unwrap()[0].name,
            "Ada L.",
            "the first writer's change is kept too"
        );
    }

    #[test]
    fn an_edit_waiting_for_another_writer_applies_to_what_that_writer_committed() {
        use std::time::Duration;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        let now = chrono::Utc::now();
        let mut window = Store::open(&path).unwrap();
        let resource = window.add_resource(ada(), now).unwrap().id;
        let id = window.create_appointment(input(resource), now).unwrap().id;
        let mut cli = Store::open(&path).unwrap();
        let (begun, wait_for_begin) = std::sync::mpsc::channel();
        // `quick3 appointment edit --title` commits while the window moves the appointment.
        let renamed = std::thread::spawn(move || {
            let tx = cli.conn.transaction().unwrap();
            tx.execute(
                "UPDATE appointments SET title = 'Design review' WHERE id = ?1",
                [id],
            )
            .unwrap();
            begun.send(()).unwrap();
            std::thread::sleep(Duration::from_millis(500));
            tx.commit().unwrap();
        });
        wait_for_begin.recv().unwrap();
        let moved = window
            .edit_appointment(
                id,
                crate::model::AppointmentPatch {
                    start: Some("2026-11-25T11:00".into()),
                    end: Some("2026-11-25T12:00".into()),
                    ..Default::default()
                },
                now,
            )
            .unwrap();
        renamed.join().unwrap();
        assert_eq!(
            (moved.title.as_str(), moved.when.start_text().as_str()),
            ("Design review", "2026-11-25T11:00:00+01:00"),
            "both edits kept: the move did not write back the title it saw before the rename"
        );
    }

    #[test]
    fn a_planners_edit_commits_with_the_log_synced_to_disk() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("q.db")).unwrap();
        let synchronous = |store: &Store| -> i64 {
            store
                .conn
                .query_row("PRAGMA synchronous", [], |row| row.get(0))
                .unwrap()
        };
        let resource = store.add_resource(ada(), chrono::Utc::now()).unwrap().id;
        assert_eq!(synchronous(&store), 1, "NORMAL for everything else");
        store
            .create_appointment(input(resource), chrono::Utc::now())
            .unwrap();
        assert_eq!(
            synchronous(&store),
            2,
            "FULL: the edit and its outbox entry survive a power cut once committed"
        );
    }

    #[test]
    fn processes_opening_a_new_database_at_once_all_open_it() {
        for _ in 0..5 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("q.db");
            let start = std::sync::Arc::new(std::sync::Barrier::new(6));
            let openers: Vec<_> = (0..6)
                .map(|_| {
                    let (path, start) = (path.clone(), start.clone());
                    std::thread::spawn(move || {
                        start.wait();
                        Store::open(&path).map(|_| ()).map_err(|e| e.to_string())
                    })
                })
                .collect();
            for opener in openers {
                assert_eq!(
                    opener.join().unwrap(),
                    Ok(()),
                    "the app, the daemon and the CLI started together on a new data folder"
                );
            }
            let version: i64 = Store::open(&path)
                .unwrap()
                .conn
                .pragma_query_value(None, "user_version", |row| row.get(0))
                .unwrap();
            assert_eq!(version as usize, MIGRATIONS.len());
        }
    }

    #[test]
    fn reopening_keeps_data_and_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("q.db");
        Store::open(&path).unwrap().set_planner_name("Ada").unwrap();
        let store = Store::open(&path).unwrap();
        assert_eq!(store.planner().unwrap().name, "Ada");
    }
}
