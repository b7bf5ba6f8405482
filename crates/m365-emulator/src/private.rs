//! Files and folders the emulator keeps (its CA and key, its state with refresh tokens, the
//! demo's ports) are private to the user: 0600 files in 0700 folders.

use std::path::Path;

use crate::error::EmulatorError;

fn failure(path: &Path) -> impl FnOnce(std::io::Error) -> EmulatorError + '_ {
    move |source| EmulatorError::File {
        path: path.to_owned(),
        source,
    }
}

/// Creates `dir` (and its parents) and makes it 0700.
pub fn folder(dir: &Path) -> Result<(), EmulatorError> {
    std::fs::create_dir_all(dir).map_err(failure(dir))?;
    restrict(dir, 0o700)
}

/// Writes `content` to `path`, a 0600 file.
pub fn write(path: &Path, content: &[u8]) -> Result<(), EmulatorError> {
    create(path)?;
    std::fs::write(path, content).map_err(failure(path))?;
    restrict(path, 0o600)
}

/// Creates `path` as an empty 0600 file unless it exists (then it is made 0600), so that a file
/// another library writes (SQLite) is never readable by others, not even for a moment.
pub fn create(path: &Path) -> Result<(), EmulatorError> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(failure(path))?;
    restrict(path, 0o600)
}

fn restrict(path: &Path, mode: u32) -> Result<(), EmulatorError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .map_err(failure(path))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
}
