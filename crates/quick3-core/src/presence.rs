//! How the processes of one data folder find each other: the tray process holds the `tray` lock
//! and listens on `locks/tray.sock`; a window process connects there and stays connected while
//! it runs. They speak one JSON [`Message`] a line.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::ids::JobId;

/// The lock the tray process of a data folder holds for as long as it runs (`locks/tray.lock`).
pub const TRAY_LOCK: &str = "tray";

/// The tray process's socket beside the data folder's locks.
pub fn socket_path(database: &Path) -> PathBuf {
    crate::locks::path(database, TRAY_LOCK).with_extension("sock")
}

/// What the tray process and a window process tell each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Message {
    /// Window → tray, first: a window process (its pid) runs on the folder.
    Window { pid: u32 },
    /// Tray → window: show the window and bring it to the front (Open, a click on the icon).
    Open,
    /// Tray → window: end (Quit in the tray).
    Quit,
    /// Tray → window: a scheduled job's run ended; the window's job list and Scheduler load again.
    JobFinished {
        job_id: JobId,
        name: String,
        succeeded: bool,
        error: Option<String>,
    },
    /// Window → tray: a job ran in the window (Run now) or the pause changed; the tray reads its
    /// menu's state from the store again.
    Changed,
}

impl Message {
    /// The message as one line.
    pub fn line(&self) -> String {
        let mut line = serde_json::to_string(self).unwrap_or_else(|_| "\"changed\"".into());
        line.push('\n');
        line
    }

    /// Reads a line; `None` for anything that is no message (a newer peer's, or noise).
    pub fn read(line: &str) -> Option<Message> {
        serde_json::from_str(line.trim()).ok()
    }
}

/// The binary of the app's other process (`quick3-tray` for the window, `quick3-planner` for the
/// tray): the one `named` by its variable; else the one beside `exe`, which is where both the
/// `.deb` (`/usr/bin/`) and a cargo build (`target/debug/`) put the two; else `name` alone, for
/// the system's `PATH` (e.g. `cargo run` of one crate with the app installed).
pub fn companion_binary(
    named: Option<std::ffi::OsString>,
    exe: Option<&Path>,
    name: &str,
    exists: impl Fn(&Path) -> bool,
) -> PathBuf {
    if let Some(binary) = named.filter(|v| !v.is_empty()) {
        return PathBuf::from(binary);
    }
    exe.and_then(Path::parent)
        .map(|dir| dir.join(name))
        .filter(|beside| exists(beside))
        .unwrap_or_else(|| PathBuf::from(name))
}

/// Connects to the tray process of the folder of `database`, telling it this window process's
/// pid; `None` when no tray process listens there.
#[cfg(unix)]
pub fn join_tray(database: &Path) -> Option<std::os::unix::net::UnixStream> {
    let mut stream = std::os::unix::net::UnixStream::connect(socket_path(database)).ok()?;
    let hello = Message::Window {
        pid: std::process::id(),
    };
    stream.write_all(hello.line().as_bytes()).ok()?;
    Some(stream)
}

/// Waits up to `patience` for the folder's tray process to listen, trying every 50 ms.
#[cfg(unix)]
pub fn wait_for_tray(
    database: &Path,
    patience: Duration,
) -> Option<std::os::unix::net::UnixStream> {
    let deadline = std::time::Instant::now() + patience;
    loop {
        if let Some(stream) = join_tray(database) {
            return Some(stream);
        }
        if std::time::Instant::now() >= deadline {
            return None;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_read_back_and_noise_is_no_message() {
        let messages = [
            Message::Window { pid: 42 },
            Message::Open,
            Message::Quit,
            Message::JobFinished {
                job_id: JobId(7),
                name: "Hourly\nsync".into(),
                succeeded: false,
                error: Some("Outlook said no.".into()),
            },
            Message::Changed,
        ];
        for message in messages {
            let line = message.line();
            assert_eq!(
                line.matches('\n').count(),
                1,
                "one line, even with a newline in a name: {line:?}"
            );
            assert_eq!(
                Message::read(&line),
                Some(message),
                "read back from {line:?}"
            );
        }
        assert_eq!(Message::read("{\"reboot\":true}"), None, "unknown: ignored");
        assert_eq!(Message::read(""), None, "an empty line: ignored");
    }

    #[test]
    fn the_other_process_is_found_as_the_deb_and_a_cargo_build_install_it() {
        let beside = |dir: &'static str| move |path: &Path| path.parent() == Some(Path::new(dir));
        assert_eq!(
            companion_binary(
                None,
                Some(Path::new("/usr/bin/quick3-planner")),
                "quick3-tray",
                beside("/usr/bin")
            ),
            Path::new("/usr/bin/quick3-tray"),
            "the .deb: both in /usr/bin"
        );
        assert_eq!(
            companion_binary(
                None,
                Some(Path::new("/work/target/debug/quick3-planner")),
                "quick3-tray",
                beside("/work/target/debug")
            ),
            Path::new("/work/target/debug/quick3-tray"),
            "a development build: both in the target folder"
        );
        assert_eq!(
            companion_binary(
                None,
                Some(Path::new("/opt/x/quick3-planner")),
                "quick3-tray",
                |_| false
            ),
            Path::new("quick3-tray"),
            "none beside it: looked up on PATH"
        );
        assert_eq!(
            companion_binary(
                Some("/custom/tray".into()),
                Some(Path::new("/usr/bin/quick3-planner")),
                "quick3-tray",
                |_| true
            ),
            Path::new("/custom/tray"),
            "the variable wins"
        );
        assert_eq!(
            companion_binary(Some("".into()), None, "quick3-tray", |_| true),
            Path::new("quick3-tray"),
            "an empty variable counts as unset"
        );
    }

    #[test]
    fn the_socket_sits_beside_the_folders_locks() {
        let database = Path::new("/data/quick3/quick3.db");
        assert_eq!(
            socket_path(database),
            Path::new("/data/quick3/locks/tray.sock")
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_window_joins_a_listening_tray_and_says_its_pid() {
        use std::io::BufRead;
        let dir = tempfile::tempdir().unwrap();
        let database = dir.path().join("quick3.db");
        assert!(join_tray(&database).is_none(), "no tray listens yet");
        let socket = socket_path(&database);
        std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
        let listener = std::os::unix::net::UnixListener::bind(&socket).unwrap();
        let _window = wait_for_tray(&database, Duration::from_secs(2)).expect("joined");
        let (stream, _) = listener.accept().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(stream)
            .read_line(&mut line)
            .unwrap();
        assert_eq!(
            Message::read(&line),
            Some(Message::Window {
                pid: std::process::id()
            }),
            "the window's first line names its process"
        );
    }
}
