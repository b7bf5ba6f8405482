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

/// The file that marks a folder as demo mode's own.
pub const DEMO_MARKER: &str = ".quick3-demo";

/// Demo mode's data folder. Demo mode seeds demo data and runs an emulator whose CA, state and
/// ports it keeps in its folder, so it never opens a folder that is not a demo folder: `given`
/// (a flag or `QUICK3_DATA_DIR`) is used when it is marked as a demo folder, new or empty (then
/// marked), or a demo folder of an earlier version (the emulator's files in it); any other
/// folder — a planner's real data, say — gets a `demo` folder inside it instead. With nothing
/// given, the platform data folder's `demo`.
pub fn demo_dir(given: Option<&Path>) -> Result<PathBuf> {
    let dir = match given {
        Some(dir) if is_demo_or_new(dir) => dir.to_path_buf(),
        Some(dir) => dir.join("demo"),
        None => data_dir(None)?.join("demo"),
    };
    private_folder(&dir)?;
    let marker = dir.join(DEMO_MARKER);
    if !marker.exists() {
        std::fs::write(&marker, "Quick3 Planner's demo data: safe to delete.\n").map_err(|e| {
            CoreError::DataDir {
                path: dir.display().to_string(),
                reason: e.to_string(),
            }
        })?;
    }
    Ok(dir)
}

fn is_demo_or_new(dir: &Path) -> bool {
    if dir.join(DEMO_MARKER).exists() || dir.join("emulator-ports.json").exists() {
        return true;
    }
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(e) => e.kind() == std::io::ErrorKind::NotFound,
    }
}

fn private_folder(dir: &Path) -> Result<()> {
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
    Ok(())
}

/// The database path inside `dir`, creating the folder (private to the user) if it is new.
pub fn database_in(dir: &Path) -> Result<PathBuf> {
    private_folder(dir)?;
    Ok(dir.join(DATABASE_FILE))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_mode_never_takes_a_real_data_folder() {
        let parent = tempfile::tempdir().expect("a temporary folder");
        let real = parent.path().join("real");
        std::fs::create_dir_all(&real).unwrap();
        std::fs::write(real.join(DATABASE_FILE), b"a planner's data").unwrap();
        let demo = demo_dir(Some(&real)).unwrap();
        assert_eq!(
            demo,
            real.join("demo"),
            "a demo folder inside, never the folder itself"
        );
        assert!(demo.join(DEMO_MARKER).exists());

        let new = parent.path().join("new");
        assert_eq!(
            demo_dir(Some(&new)).unwrap(),
            new,
            "a new folder becomes the demo folder"
        );
        std::fs::write(new.join(DATABASE_FILE), b"demo data").unwrap();
        assert_eq!(demo_dir(Some(&new)).unwrap(), new, "and stays one");
    }

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
