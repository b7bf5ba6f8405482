//! `quick3`: the Quick3 Planner engine on the command line. Exit 0 on success, 2 on usage errors,
//! 1 on failures; errors go to stderr as one plain sentence.

mod args;
mod commands;
mod output;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("quick3: {err}");
            ExitCode::from(1)
        }
    }
}
