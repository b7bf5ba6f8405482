//! The `m365-emulator` binary: `serve` prints one JSON line and serves until a signal.

use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "m365-emulator",
    version,
    about = "Local Microsoft identity platform + Graph calendar emulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve on 127.0.0.1 until SIGINT/SIGTERM.
    Serve(m365_emulator::ServeArgs),
    /// Time a full calendarView delta enumeration over loopback HTTPS and print one JSON line.
    Bench {
        /// Events in the mailbox.
        #[arg(long, default_value_t = 10_000)]
        events: usize,
        /// `Prefer: odata.maxpagesize`.
        #[arg(long, default_value_t = 100)]
        page_size: usize,
    },
}

fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match cli.command {
        Command::Serve(args) => {
            runtime.block_on(m365_emulator::serve_until_signal(args.to_config()))?
        }
        Command::Bench { events, page_size } => {
            let report = runtime.block_on(m365_emulator::bench::run(events, page_size))?;
            println!("{}", report.to_json());
        }
    }
    Ok(())
}
