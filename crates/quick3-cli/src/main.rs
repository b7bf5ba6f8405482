//! `quick3`: the Quick3 Planner engine on the command line. Exit 0 on success, 2 on usage errors,
//! 1 on failures; errors go to stderr as one plain sentence.

/// `println!` of one line for people: outside text in it has its control characters escaped
/// (`output::plain`); the program ends quietly when stdout is closed early (`quick3 … | head`).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::output::line(&format!($($arg)*))
    };
}

mod args;
#[macro_use]
mod exit;
mod commands;
mod output;
mod secret_input;

use std::process::ExitCode;

use clap::Parser;

/// Test hook: `QUICK3_CRASH_AT=<step>[:<n>]` stops the process dead the n-th time a sync reaches
/// that step (see `quick3_core::sync::crash`); unset, nothing changes.
const CRASH_AT_ENV: &str = "QUICK3_CRASH_AT";

/// What the core logs that `quick3` shows on stderr (`QUICK3_LOG`, an `EnvFilter`; by default
/// the store's warnings: an appointment left out of a listing because its row is damaged, with
/// its id for `quick3 appointment delete`).
const LOG_ENV: &str = "QUICK3_LOG";

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let filter = tracing_subscriber::EnvFilter::try_from_env(LOG_ENV)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("quick3_core::store=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .without_time()
        .with_target(false)
        .try_init();
    if let Ok(spec) = std::env::var(CRASH_AT_ENV) {
        match quick3_core::sync::crash::parse(&spec) {
            Ok((step, n)) => quick3_core::sync::crash::arm(step, n),
            Err(reason) => {
                eprintln!("quick3: {CRASH_AT_ENV}: {reason}");
                return ExitCode::from(2);
            }
        }
    }
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quick3: {}", output::plain(&err.to_string()));
            ExitCode::from(exit::status(&err))
        }
    }
}
