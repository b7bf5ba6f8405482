//! `quick3`: the Quick3 Planner engine on the command line. Exit 0 on success, 2 on usage errors,
//! 1 on failures; errors go to stderr as one plain sentence.

/// `println!` that ends the program quietly when stdout is closed early (`quick3 … | head`).
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        if let Err(err) = writeln!(std::io::stdout().lock(), $($arg)*) {
            if err.kind() == std::io::ErrorKind::BrokenPipe {
                std::process::exit(0);
            }
            eprintln!("quick3: output failed: {err}");
            std::process::exit(1);
        }
    }};
}

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
