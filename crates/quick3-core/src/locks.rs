//! Locks that hold across processes: an OS lock on a file of the data folder's `locks/` (a job's
//! run, an account's sync). The OS releases the lock of a process that died, so a crashed holder
//! never blocks anyone.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::error::{CoreError, Result};

/// A lock this process holds; released when dropped (or when the process ends, however it ends).
#[derive(Debug)]
pub struct Held {
    _file: File,
}

/// The lock file `name` of the data folder of the database at `database`.
pub fn path(database: &Path, name: &str) -> PathBuf {
    database
        .parent()
        .unwrap_or(Path::new("."))
        .join("locks")
        .join(format!("{name}.lock"))
}

/// Takes the lock at `path` if no process (this one included) holds it; `None` when one does.
pub fn try_hold(path: &Path) -> Result<Option<Held>> {
    let file = open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Held { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(err)) => Err(unusable(path, &err)),
    }
}

/// Takes the lock at `path`, waiting up to `patience` for its holder to let go; `None` when it
/// still holds it then.
pub async fn hold_waiting(path: &Path, patience: Duration) -> Result<Option<Held>> {
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        if let Some(held) = try_hold(path)? {
            return Ok(Some(held));
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(None);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

fn open(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|err| unusable(path, &err))?;
    }
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|err| unusable(path, &err))
}

fn unusable(path: &Path, err: &std::io::Error) -> CoreError {
    CoreError::DataDir {
        path: path.display().to_string(),
        reason: format!("its lock file cannot be used ({err})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lock_is_held_once_and_free_again_when_dropped() {
        let dir = tempfile::tempdir().unwrap();
        let lock = path(&dir.path().join("quick3.db"), "job-1");
        assert_eq!(lock, dir.path().join("locks").join("job-1.lock"));
        let held = try_hold(&lock).unwrap().expect("a free lock is taken");
        assert!(
            try_hold(&lock).unwrap().is_none(),
            "a held lock is refused, even within the same process"
        );
        drop(held);
        assert!(try_hold(&lock).unwrap().is_some(), "a dropped lock is free");
    }

    #[tokio::test]
    async fn a_waiter_takes_the_lock_when_its_holder_lets_go_or_gives_up() {
        let dir = tempfile::tempdir().unwrap();
        let lock = path(&dir.path().join("quick3.db"), "account-1");
        let held = try_hold(&lock).unwrap().unwrap();
        let patience = Duration::from_millis(300);
        assert!(
            hold_waiting(&lock, patience).await.unwrap().is_none(),
            "still held after the wait"
        );
        let release = async {
            tokio::time::sleep(Duration::from_millis(100)).await;
            drop(held);
        };
        let (_, waited) = tokio::join!(release, hold_waiting(&lock, patience));
        assert!(waited.unwrap().is_some(), "taken once its holder let go");
    }
}
