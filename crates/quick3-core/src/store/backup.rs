//! The database's health: an integrity check when a front end opens it, daily rolling backups
//! (`VACUUM INTO`, the last 7 kept, private to the user) and going back to one of them.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use super::Store;
use crate::error::{CoreError, Result};

/// The folder beside the database that holds the backups.
pub const BACKUP_FOLDER: &str = "backups";
/// How many daily backups are kept.
pub const BACKUPS_KEPT: usize = 7;

/// One daily backup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    pub date: NaiveDate,
    pub path: PathBuf,
    pub bytes: u64,
}

fn damaged(path: &Path, detail: impl std::fmt::Display) -> CoreError {
    CoreError::DamagedDatabase {
        path: path.display().to_string(),
        detail: detail.to_string(),
    }
}

/// Whether SQLite's error says the file is not a usable database (as against a busy or full one).
fn is_damage(err: &CoreError) -> bool {
    use rusqlite::ErrorCode::{DatabaseCorrupt, NotADatabase};
    match err {
        CoreError::Storage(rusqlite::Error::SqliteFailure(failure, _)) => {
            matches!(failure.code, DatabaseCorrupt | NotADatabase)
        }
        CoreError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => matches!(
            err,
            rusqlite::Error::SqliteFailure(failure, _)
                if matches!(failure.code, DatabaseCorrupt | NotADatabase)
        ),
        _ => false,
    }
}

/// SQLite's own words for a damage error (without the store's wrapping sentence).
fn sqlite_words(err: &CoreError) -> String {
    match err {
        CoreError::Storage(err)
        | CoreError::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => {
            format!("SQLite says: {err}")
        }
        err => err.to_string(),
    }
}

impl Store {
    /// Opens the database at `path` as a front end does at start: a file SQLite cannot read,
    /// or one whose pages fail SQLite's check (`PRAGMA quick_check`), is refused with a plain
    /// [`CoreError::DamagedDatabase`] naming it, and nothing is written to it.
    pub fn open_checked(path: &Path) -> Result<Store> {
        let store = Store::open(path).map_err(|err| {
            if is_damage(&err) {
                damaged(path, sqlite_words(&err))
            } else {
                err
            }
        })?;
        store.check_integrity().map_err(|err| match err {
            CoreError::DamagedDatabase { detail, .. } => damaged(path, detail),
            err if is_damage(&err) => damaged(path, sqlite_words(&err)),
            err => err,
        })?;
        Ok(store)
    }

    /// SQLite's check of every page and index (`quick_check`: not the slower comparison of
    /// index contents with their tables).
    pub fn check_integrity(&self) -> Result<()> {
        let mut stmt = self.conn.prepare("PRAGMA quick_check(5)")?;
        let problems: Vec<String> = stmt
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<_>>()?;
        if problems.len() == 1 && problems[0] == "ok" {
            return Ok(());
        }
        Err(damaged(
            self.path.as_deref().unwrap_or(Path::new(":memory:")),
            format!("SQLite's check says: {}", problems.join("; ")),
        ))
    }

    /// Writes today's backup unless there is one (`backups/quick3-YYYY-MM-DD.db` beside the
    /// database, 0600), then keeps the newest [`BACKUPS_KEPT`]. `None` when today's exists (or
    /// the store is in memory).
    pub fn back_up_daily(&self, now: DateTime<Utc>) -> Result<Option<Backup>> {
        let Some(database) = self.path.as_deref() else {
            return Ok(None);
        };
        let folder = backup_folder(database);
        let date = now.date_naive();
        let target = folder.join(backup_name(date));
        if target.exists() {
            return Ok(None);
        }
        create_private_folder(&folder)?;
        // Written under another name first: a backup that exists is always whole.
        let partial = folder.join(format!(".{}.partial", backup_name(date)));
        let _ = std::fs::remove_file(&partial);
        self.conn
            .execute("VACUUM INTO ?1", [partial.to_string_lossy().as_ref()])?;
        set_private(&partial)?;
        std::fs::rename(&partial, &target).map_err(|e| io_failure(&target, e))?;
        let mut kept = backups_in(&folder)?;
        while kept.len() > BACKUPS_KEPT {
            let oldest = kept.remove(0);
            std::fs::remove_file(&oldest.path).map_err(|e| io_failure(&oldest.path, e))?;
        }
        let bytes = std::fs::metadata(&target).map_or(0, |m| m.len());
        Ok(Some(Backup {
            date,
            path: target,
            bytes,
        }))
    }
}

/// The daily backups of the database at `database`, oldest first.
pub fn backups(database: &Path) -> Result<Vec<Backup>> {
    let folder = backup_folder(database);
    if !folder.exists() {
        return Ok(Vec::new());
    }
    backups_in(&folder)
}

/// Puts the backup of `date` (`YYYY-MM-DD`, or `latest`) in place of the database at
/// `database`, after checking the backup is whole. The database it replaces is kept beside it
/// as `quick3.db.replaced-<time>` (with its write-ahead log), never deleted. Answers the backup
/// used and where the replaced database went. No other Quick3 Planner may have the database
/// open meanwhile.
pub fn restore(
    database: &Path,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<(Backup, Option<PathBuf>)> {
    let all = backups(database)?;
    let unknown = || CoreError::UnknownBackup {
        reference: reference.to_owned(),
    };
    let backup = if reference == "latest" {
        all.last().cloned().ok_or_else(unknown)?
    } else {
        let date: NaiveDate = reference.parse().map_err(|_| unknown())?;
        all.into_iter()
            .find(|b| b.date == date)
            .ok_or_else(unknown)?
    };
    // The backup must itself be whole before it replaces anything.
    Store::open_checked(&backup.path)?;
    let stamp = now.format("%Y%m%dT%H%M%SZ");
    let mut replaced = None;
    if database.exists() {
        let aside = with_suffix(database, &format!(".replaced-{stamp}"));
        std::fs::rename(database, &aside).map_err(|e| io_failure(database, e))?;
        replaced = Some(aside);
    }
    for log in ["-wal", "-shm"] {
        let file = with_suffix(database, log);
        if file.exists() {
            let aside = with_suffix(database, &format!(".replaced-{stamp}{log}"));
            std::fs::rename(&file, &aside).map_err(|e| io_failure(&file, e))?;
        }
    }
    let partial = with_suffix(database, ".restoring");
    std::fs::copy(&backup.path, &partial).map_err(|e| io_failure(&partial, e))?;
    set_private(&partial)?;
    std::fs::rename(&partial, database).map_err(|e| io_failure(database, e))?;
    Ok((backup, replaced))
}

fn backup_folder(database: &Path) -> PathBuf {
    database
        .parent()
        .unwrap_or(Path::new("."))
        .join(BACKUP_FOLDER)
}

fn backup_name(date: NaiveDate) -> String {
    format!("quick3-{date}.db")
}

fn backups_in(folder: &Path) -> Result<Vec<Backup>> {
    let entries = std::fs::read_dir(folder).map_err(|e| io_failure(folder, e))?;
    let mut found = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(date) = name
            .to_str()
            .and_then(|n| n.strip_prefix("quick3-"))
            .and_then(|n| n.strip_suffix(".db"))
            .and_then(|d| d.parse::<NaiveDate>().ok())
        else {
            continue;
        };
        let bytes = entry.metadata().map_or(0, |m| m.len());
        found.push(Backup {
            date,
            path: entry.path(),
            bytes,
        });
    }
    found.sort_by_key(|b| b.date);
    Ok(found)
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn io_failure(path: &Path, err: std::io::Error) -> CoreError {
    CoreError::DataDir {
        path: path.display().to_string(),
        reason: err.to_string(),
    }
}

fn create_private_folder(folder: &Path) -> Result<()> {
    std::fs::create_dir_all(folder).map_err(|e| io_failure(folder, e))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700))
            .map_err(|e| io_failure(folder, e))?;
    }
    Ok(())
}

fn set_private(file: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(file, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| io_failure(file, e))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorCode;
    use chrono::{Duration, TimeZone};

    fn store_in(dir: &Path) -> (Store, PathBuf) {
        let path = dir.join("quick3.db");
        let mut store = Store::open(&path).unwrap();
        crate::store::fixtures::add_ada(&mut store);
        (store, path)
    }

    /// Overwrites `pages` pages of the file from page 2 on with garbage, as a failing disk might.
    fn damage(path: &Path, pages: u64) {
        use std::io::{Seek, SeekFrom, Write};
        let mut file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        file.seek(SeekFrom::Start(4096)).unwrap();
        file.write_all(&vec![0xA5; (4096 * pages) as usize])
            .unwrap();
        file.sync_all().unwrap();
    }

    #[test]
    fn a_database_whose_pages_were_overwritten_is_refused_by_name_and_left_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = store_in(dir.path());
        drop(store);
        damage(&path, 3);
        let before = std::fs::read(&path).unwrap();
        let err = Store::open_checked(&path).unwrap_err();
        assert_eq!(err.code(), ErrorCode::DamagedDatabase, "{err}");
        let message = err.to_string();
        assert!(
            message.contains(&path.display().to_string()) && message.contains("quick3 backup"),
            "a plain message naming the file and the way back: {message}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before, "nothing was written");
    }

    #[test]
    fn a_file_that_is_no_database_is_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("quick3.db");
        std::fs::write(&path, vec![0x42; 8192]).unwrap();
        let err = Store::open_checked(&path).unwrap_err();
        assert_eq!(err.code(), ErrorCode::DamagedDatabase, "{err}");
    }

    #[test]
    fn daily_backups_are_private_one_a_day_and_the_last_seven_kept() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = store_in(dir.path());
        let first = Utc.with_ymd_and_hms(2026, 12, 1, 8, 0, 0).unwrap();
        for day in 0..10 {
            let now = first + Duration::days(day);
            let made = store.back_up_daily(now).unwrap();
            assert!(made.is_some(), "day {day} gets its backup");
            assert!(
                store
                    .back_up_daily(now + Duration::hours(3))
                    .unwrap()
                    .is_none(),
                "one a day"
            );
        }
        let kept = backups(&path).unwrap();
        let dates: Vec<String> = kept.iter().map(|b| b.date.to_string()).collect();
        assert_eq!(
            dates,
            (4..=10)
                .map(|d| format!("2026-12-{d:02}"))
                .collect::<Vec<_>>(),
            "the newest seven, oldest first"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for backup in &kept {
                let mode = std::fs::metadata(&backup.path)
                    .unwrap()
                    .permissions()
                    .mode();
                assert_eq!(mode & 0o777, 0o600, "{}", backup.path.display());
            }
            let folder = std::fs::metadata(dir.path().join(BACKUP_FOLDER)).unwrap();
            assert_eq!(folder.permissions().mode() & 0o777, 0o700);
        }
        let restored = Store::open_checked(&kept[6].path).unwrap();
        assert_eq!(
            restored.list_resources().unwrap().len(),
            1,
            "a backup is a whole store"
        );
    }

    #[test]
    fn restoring_a_backup_replaces_a_damaged_database_and_keeps_it_aside() {
        let dir = tempfile::tempdir().unwrap();
        let (store, path) = store_in(dir.path());
        let now = Utc.with_ymd_and_hms(2026, 12, 7, 8, 0, 0).unwrap();
        store.back_up_daily(now).unwrap().unwrap();
        drop(store);
        damage(&path, 3);
        assert!(Store::open_checked(&path).is_err());
        let (backup, aside) = restore(&path, "2026-12-07", now).unwrap();
        assert_eq!(backup.date.to_string(), "2026-12-07");
        let aside = aside.expect("the damaged file is kept");
        assert!(aside.exists(), "{}", aside.display());
        let store = Store::open_checked(&path).unwrap();
        assert_eq!(store.list_resources().unwrap().len(), 1, "Ada is back");
        let unknown = restore(&path, "2026-01-01", now).unwrap_err();
        assert_eq!(unknown.code(), ErrorCode::UnknownBackup);
    }
}
