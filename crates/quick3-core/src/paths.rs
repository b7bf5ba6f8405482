//! Where Quick3 keeps its data: the platform data folder, or one given by flag or environment.

use std::path::{Path, PathBuf};

use crate::error::{CoreError, Result};

/// The environment variable that overrides the data folder (the CLI's `--data-dir` too).
pub const DATA_DIR_ENV: &str = "QUICK3_DATA_DIR";
/// The database file inside the data folder.
pub const DATABASE_FILE: &str = "quick3.db";

/// The data folder: `explicit` if given, else `$QUICK3_DATA_DIR`, else the platform's
/// (`~/.local/share/quick3-planner` on Linux).
pub fn data_dir(explicit: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os(DATA_DIR_ENV).filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    directories::ProjectDirs::from("com", "Quick3", "quick3-planner")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .ok_or_else(|| CoreError::DataDir {
            path: "(none)".into(),
            reason: format!("no home folder was found; set {DATA_DIR_ENV}"),
        })
}

/// The database path inside `dir`, creating the folder (private to the user) if it is new.
pub fn database_in(dir: &Path) -> Result<PathBuf> {
    let fail = |e: std::io::Error| CoreError::DataDir {
        path: dir.display().to_string(),
        reason: e.to_string(),
    };
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(fail)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700)).map_err(fail)?;
        }
    }
    Ok(dir.join(DATABASE_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    #[test]
    fn a_new_data_folder_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().expect("a temporary folder");
        let dir = parent.path().join("Quick3 Planner");
        let database = database_in(&dir).expect("the folder is created");
        assert_eq!(database.parent(), Some(dir.as_path()));
        let mode = std::fs::metadata(&dir)
            .expect("the folder exists")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(
            mode, 0o700,
            "the data folder holds private calendars: owner only"
        );
    }
}
