//! `quick3-tray`: Quick3 Planner in the tray. A small process that links neither GTK nor WebKit:
//! the tray icon (a StatusNotifierItem over D-Bus), the scheduled jobs, notifications, and the
//! window processes of its data folder, started by Open and ended by Quit. One per data folder.

#[cfg(target_os = "linux")]
mod jobs;
#[cfg(target_os = "linux")]
mod notify;
#[cfg(target_os = "linux")]
mod pixmaps;
#[cfg(target_os = "linux")]
mod run;
#[cfg(target_os = "linux")]
mod windows;

use std::path::PathBuf;
use std::process::ExitCode;

/// `quick3-tray [--demo] [--data-dir DIR]`, as the window process was given them (it passes its
/// own on); `QUICK3_DEMO=1` also selects demo mode.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    pub demo: bool,
    pub data_dir: Option<PathBuf>,
}

impl Options {
    pub fn from_args(args: impl Iterator<Item = String>) -> Options {
        let mut options = Options {
            demo: std::env::var("QUICK3_DEMO").is_ok_and(|v| v == "1" || v == "true"),
            data_dir: None,
        };
        let mut args = args.peekable();
        while let Some(arg) = args.next() {
            match arg.as_str() {
                "--demo" => options.demo = true,
                "--data-dir" => options.data_dir = args.next().map(PathBuf::from),
                other => {
                    if let Some(dir) = other.strip_prefix("--data-dir=") {
                        options.data_dir = Some(PathBuf::from(dir));
                    }
                }
            }
        }
        options
    }

    /// The arguments that give another process of the app the same data folder and mode.
    pub fn args(&self) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(dir) = &self.data_dir {
            args.push("--data-dir".to_owned());
            args.push(dir.display().to_string());
        }
        if self.demo {
            args.push("--demo".to_owned());
        }
        args
    }
}

fn main() -> ExitCode {
    let filter = tracing_subscriber::EnvFilter::try_from_env("QUICK3_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
    let options = Options::from_args(std::env::args().skip(1));
    #[cfg(target_os = "linux")]
    {
        match run::run(&options) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => {
                tracing::error!("quick3-tray stopped: {err:#}");
                ExitCode::FAILURE
            }
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = options;
        eprintln!("quick3-tray runs on Linux desktops only; elsewhere the app keeps its own tray.");
        ExitCode::FAILURE
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_read_as_the_window_passes_them_and_back() {
        let given = ["--data-dir", "/tmp/q3 data", "--demo"].map(String::from);
        let options = Options::from_args(given.clone().into_iter());
        assert_eq!(options.data_dir, Some(PathBuf::from("/tmp/q3 data")));
        assert!(options.demo);
        assert_eq!(
            Options::from_args(options.args().into_iter()),
            options,
            "what the tray passes to a window reads back the same"
        );
        let joined = Options::from_args(["--data-dir=/x".to_owned()].into_iter());
        assert_eq!(joined.data_dir, Some(PathBuf::from("/x")));
    }
}
